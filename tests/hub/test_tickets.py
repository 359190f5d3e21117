"""Issuing tickets: the answer, idempotency keys, and the day's numbering."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.hub.conftest import PARIS, Office, assert_error


def test_issue_answers_the_ticket_with_its_rank_and_status_link(office: Office) -> None:
    office.open("G1", "A")
    r = office.post("/tickets", "kiosk", {"service": "A", "priority": False, "lang": "en"})
    assert r.status_code == 201, r.text
    t = r.json()
    assert (t["service"], t["number"], t["label"], t["state"], t["lang"]) == (
        "A", 1, "A001", "waiting", "en"
    )  # fmt: skip
    assert t["issued_at"] == office.clock.now().isoformat()
    assert len(t["token"]) >= 22  # >= 128 bits, URL-safe
    assert t["status_url"] == f"/api/v1/status/{t['token']}"
    assert t["estimate"]["ahead"] == 0 and t["estimate"]["position"] == 1
    assert t["estimate"]["wait"] is not None  # G1 is open for A
    assert office.client.get(t["status_url"]).json()["label"] == "A001"
    # The kiosk's defaults: not priority, the office's first language.
    default = office.issue("B")
    assert (default["priority"], default["lang"]) == (False, "fr")


def test_no_open_counter_means_no_estimate(office: Office) -> None:
    t = office.issue("C")
    assert t["estimate"]["wait"] is None
    assert office.snapshot()["services"]["C"] == {"waiting": 1, "open_counters": 0, "wait": None}


# --- idempotency ----------------------------------------------------------------------------


def test_same_key_twice_gives_the_same_ticket(office: Office) -> None:
    first = office.post("/tickets", "kiosk", {"service": "A"}, key="tap-1")
    again = office.post("/tickets", "kiosk", {"service": "A"}, key="tap-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    tickets = office.snapshot()["state"]["tickets"]
    assert [t["id"] for t in tickets] == [first.json()["id"]]
    assert [e["type"] for e in office.events()].count("TicketIssued") == 1


def test_different_keys_give_different_tickets(office: Office) -> None:
    a = office.issue("A", key="tap-1")
    b = office.issue("A", key="tap-2")
    assert a["id"] != b["id"] and (a["label"], b["label"]) == ("A001", "A002")


def test_keys_are_scoped_per_device(office: Office) -> None:
    a = office.issue("A", who="kiosk", key="same")
    b = office.issue("A", who="kiosk2", key="same")
    assert a["id"] != b["id"]
    assert len(office.snapshot()["state"]["tickets"]) == 2


def test_a_retried_call_next_calls_one_ticket(office: Office) -> None:
    office.open("G1", "A")
    office.issue("A")
    office.issue("A")
    first = office.post("/counters/G1/call-next", "counter", key="next-1")
    again = office.post("/counters/G1/call-next", "counter", key="next-1")
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert [e["type"] for e in office.events()].count("TicketCalled") == 1


def test_a_refused_request_does_not_burn_its_key(office: Office) -> None:
    with office.unchanged():
        r = office.post("/tickets", "kiosk", {"service": "Z"}, key="k")
        assert_error(r, 404, "not_found")
    assert office.issue("A", key="k")["label"] == "A001"


def test_a_key_reused_for_another_request_is_refused(office: Office) -> None:
    first = office.issue("A", key="tap-1")
    with office.unchanged():
        other_body = office.post("/tickets", "kiosk", {"service": "B"}, key="tap-1")
        assert_error(other_body, 422, "invalid_input")
        assert "already used for another request" in other_body.json()["message"]
    office.open("G1", "A")
    other_device = office.post("/counters/G1/call-next", "counter", key="tap-1")
    assert other_device.status_code == 200  # another device: its own key space
    assert office.issue("A", key="tap-1")["id"] == first["id"]  # the same request: replayed


# --- numbering ------------------------------------------------------------------------------


def test_numbers_are_per_service(office: Office) -> None:
    labels = [office.issue(s)["label"] for s in "AABACB"]
    assert labels == ["A001", "A002", "B001", "A003", "C001", "B002"]


def test_numbers_restart_on_a_new_office_day(office: Office) -> None:
    office.open("G1", "A")
    assert [office.issue("A")["label"] for _ in range(3)] == ["A001", "A002", "A003"]
    # Late on Monday evening: still Monday's numbers.
    office.clock.set(datetime(2026, 11, 30, 23, 59, tzinfo=PARIS))
    assert office.issue("A")["label"] == "A004"
    # 00:00:01 in Paris is still Monday 23:00:01 in UTC: the office's day decides.
    office.clock.set(datetime(2026, 12, 1, 0, 0, 1, tzinfo=PARIS))
    tuesday = office.issue("A")
    assert tuesday["label"] == "A001"
    assert office.issue("B")["label"] == "B001"
    days = [(e["day"], e["type"]) for e in office.events() if e["type"] == "DayOpened"]
    assert days == [("2026-11-30", "DayOpened"), ("2026-12-01", "DayOpened")]
    snap = office.snapshot()
    assert snap["state"]["day"] == "2026-12-01"
    # Monday's tickets and counter sessions are gone from the day's state.
    assert {t["label"] for t in snap["state"]["tickets"]} == {"A001", "B001"}
    assert all(t["issued_at"] >= "2026-11-30T23:00" for t in snap["state"]["tickets"])
    assert snap["state"]["counters"] == []


def test_the_new_day_opens_at_the_first_write_of_any_kind(office: Office) -> None:
    office.issue("A")
    office.clock.advance(timedelta(days=1).total_seconds())
    # A refused write still runs in a batch that opens the day.
    assert_error(office.post("/counters/G1/call-next", "counter"), 409, "conflict")
    assert office.snapshot()["state"]["day"] == "2026-12-01"
    assert office.issue("A")["label"] == "A001"


def test_numbers_never_repeat_within_a_day(office: Office) -> None:
    office.open("G1", "A", "B")
    office.open("G4", "B", "D")
    issued: list[str] = []
    for i in range(40):
        issued.append(office.issue("ABD"[i % 3], priority=i % 7 == 0)["label"])
        if i % 4 == 3:
            t = office.call_next("G1" if i % 8 == 3 else "G4")
            office.ok(office.act(t["id"], "start"))
            office.ok(office.act(t["id"], "transfer", {"service": "D"}))
        if i % 5 == 4:
            t = office.call_next("G1")
            office.ok(office.act(t["id"], "no-show"))
    assert len(issued) == len(set(issued))
    stored = [e["label"] for e in office.events() if e["type"] == "TicketIssued"]
    assert stored == issued
    for service in "ABD":
        numbers = [int(x[1:]) for x in issued if x[0] == service]
        assert numbers == list(range(1, len(numbers) + 1))
