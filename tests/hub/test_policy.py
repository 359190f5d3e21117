"""Who is called next, through the API (strict priority, the example office's policy)."""

from __future__ import annotations

from tests.hub.conftest import Office, assert_error


def test_priority_ticket_issued_later_is_called_first_and_says_why(office: Office) -> None:
    office.open("G1", "A")
    regular = office.issue("A")
    office.clock.advance(300)
    prio = office.issue("A", priority=True)
    called = office.call_next("G1")
    assert called["id"] == prio["id"]
    assert called["priority"] is True
    assert "priority" in called["reason"]
    office.ok(office.act(called["id"], "no-show"))
    after = office.call_next("G1")
    assert after["id"] == regular["id"]
    assert "oldest" in after["reason"] and "5 min" in after["reason"]
    kinds = [e["reason_kind"] for e in office.events() if e["type"] == "TicketCalled"]
    assert kinds == ["priority", "oldest"]


def test_oldest_first_across_the_counters_services(office: Office) -> None:
    office.open("G1", "A", "B")
    office.open("G2", "A", "D")
    b = office.issue("B")
    office.clock.advance(60)
    d = office.issue("D")
    office.clock.advance(60)
    a = office.issue("A")
    assert office.call_next("G1")["id"] == b["id"]  # older than A001, other service
    assert office.call_next("G2")["id"] == d["id"]  # G2 does not serve B
    office.clock.advance(60)
    office.ok(office.act(b["id"], "no-show"))
    assert office.call_next("G1")["id"] == a["id"]


def test_counter_serves_only_the_services_it_opened_with(office: Office) -> None:
    office.open("G1", "B")  # configured for A and B, opened today for B only
    office.issue("A")
    assert_error(office.post("/counters/G1/call-next", "counter"), 409, "nothing_waiting")
    office.open("G1", "A", "B")  # change of services while open
    assert office.call_next("G1")["label"] == "A001"
    changed = [e for e in office.events() if e["type"] == "CounterServicesChanged"]
    assert [c["services"] for c in changed] == [["A", "B"]]


def test_rank_goes_up_when_a_priority_ticket_arrives(office: Office) -> None:
    office.open("G1", "A")
    office.issue("A")
    regular = office.issue("A")
    assert office.status(regular["token"])["estimate"]["ahead"] == 1
    office.issue("A", priority=True)
    status = office.status(regular["token"])
    assert status["estimate"]["ahead"] == 2 and status["estimate"]["position"] == 3
    # The same in the kiosk's next answer, and for the priority visitor.
    prio = office.issue("A", priority=True)
    assert prio["estimate"]["ahead"] == 1  # behind the earlier priority ticket only
    assert office.status(regular["token"])["estimate"]["ahead"] == 3


def test_priority_does_not_cross_services(office: Office) -> None:
    office.open("G4", "B", "D")
    regular = office.issue("B")
    office.issue("D", priority=True)
    assert office.status(regular["token"])["estimate"]["ahead"] == 0
    # Across the counter's services, priority still wins the call.
    assert office.call_next("G4")["service"] == "D"


def test_paused_counter_still_counts_for_the_estimate_but_closed_does_not(office: Office) -> None:
    office.open("G1", "A")
    office.open("G2", "A")
    office.issue("A")
    assert office.snapshot()["services"]["A"]["open_counters"] == 2
    office.ok(office.post("/counters/G2/pause", "counter", {"reason": "lunch"}))
    assert office.snapshot()["services"]["A"]["open_counters"] == 2
    office.ok(office.post("/counters/G2/resume", "counter"))
    office.ok(office.post("/counters/G2/close", "counter"))
    assert office.snapshot()["services"]["A"]["open_counters"] == 1
