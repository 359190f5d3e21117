"""Counter sessions: open, change services, pause, resume, close, and what call-next answers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.hub.conftest import Office


def session(office: Office, counter: str) -> dict[str, Any] | None:
    for c in office.snapshot()["state"]["counters"]:
        if c["id"] == counter:
            return dict(c)
    return None


def test_open_answers_the_session(office: Office) -> None:
    opened = office.open("G3", "A", "C")
    assert opened == {
        "id": "G3", "status": "open", "services": ["A", "C"], "pause_reason": None,
        "ticket": None,
    }  # fmt: skip
    s = session(office, "G3")
    assert s is not None
    assert (s["status"], s["services"], s["since"]) == (
        "open", ["A", "C"], office.clock.now().isoformat()
    )  # fmt: skip


def test_opening_again_with_the_same_services_stores_nothing(office: Office) -> None:
    office.open("G1", "A")
    with office.unchanged():
        office.open("G1", "A")


def test_closing_a_closed_counter_stores_nothing(office: Office) -> None:
    with office.unchanged():
        closed = office.ok(office.post("/counters/G1/close", "counter"))
        assert closed["status"] == "closed"


def test_pause_and_resume(office: Office) -> None:
    office.open("G1", "A")
    office.clock.advance(60)
    paused = office.ok(office.post("/counters/G1/pause", "counter", {"reason": "lunch"}))
    assert (paused["status"], paused["pause_reason"]) == ("paused", "lunch")
    office.clock.advance(60)
    resumed = office.ok(office.post("/counters/G1/resume", "counter"))
    assert resumed["status"] == "open" and resumed["services"] == ["A"]
    assert resumed["pause_reason"] is None
    types = [e["type"] for e in office.events() if e["type"].startswith("Counter")]
    assert types == ["CounterOpened", "CounterPaused", "CounterResumed"]


def test_pause_without_a_reason(office: Office) -> None:
    office.open("G1", "A")
    paused = office.ok(office.post("/counters/G1/pause", "counter", {}))
    assert paused["status"] == "paused"


def test_call_next_answers_the_counter_and_its_ticket(office: Office) -> None:
    office.open("G1", "A")
    issued = office.issue("A")
    r = office.post("/counters/G1/call-next", "counter")
    body = office.ok(r)
    assert (body["id"], body["status"]) == ("G1", "open")
    t = body["ticket"]
    assert (t["id"], t["state"], t["counter"], t["called_at"]) == (
        issued["id"], "called", "G1", office.clock.now().isoformat()
    )  # fmt: skip
    assert t["token"] == issued["token"]  # the full view, for the agent


def test_close_then_reopen(office: Office) -> None:
    office.open("G1", "A")
    office.ok(office.post("/counters/G1/close", "counter"))
    assert session(office, "G1") == {
        "id": "G1", "status": "closed", "services": [], "pause_reason": None,
        "since": office.clock.now().isoformat(), "pause_until": None,
    }  # fmt: skip
    assert office.open("G1", "B")["services"] == ["B"]


def test_a_paused_counter_can_be_closed(office: Office) -> None:
    office.open("G1", "A")
    office.ok(office.post("/counters/G1/pause", "counter", {"reason": "end of day"}))
    assert office.ok(office.post("/counters/G1/close", "counter"))["status"] == "closed"


def test_pausing_while_serving_keeps_the_ticket(office: Office) -> None:
    office.open("G1", "A")
    office.issue("A")
    tid = office.call_next("G1")["id"]
    office.ok(office.act(tid, "start"))
    r = office.post("/counters/G1/pause", "counter", {"reason": "phone"})
    # Pausing needs a free counter: the visitor being served stays with the agent.
    assert r.status_code == 409, r.text
    assert office.ticket(tid)["state"] == "serving"


def test_ticket_actions_need_no_body(office: Office) -> None:
    office.open("G1", "A")
    office.issue("A")
    tid = office.call_next("G1")["id"]
    r = office.client.post(
        f"/api/v1/tickets/{tid}/start",
        headers={"Authorization": f"Bearer {office.tokens['counter']}"},
    )
    assert r.status_code == 200 and r.json()["state"] == "serving"


def test_a_counter_opens_only_on_its_configured_services(office: Office) -> None:
    with office.unchanged():
        r = office.post("/counters/G1/open", "counter", {"services": ["A", "C"]})
        assert r.status_code == 422 and "G1 may serve only A, B" in r.json()["message"]


def test_a_break_may_say_when_it_ends(office: Office) -> None:
    office.open("G1", "A")
    now = office.clock.now()
    past = office.post("/counters/G1/pause", "counter",
                       {"reason": "lunch", "until": now.isoformat()})  # fmt: skip
    assert past.status_code == 422 and "later than now" in past.json()["message"]
    until = (now + timedelta(minutes=45)).isoformat()
    office.ok(office.post("/counters/G1/pause", "counter", {"reason": "lunch", "until": until}))
    s = session(office, "G1")
    assert s is not None and (s["status"], s["pause_until"]) == ("paused", until)
    paused = [e for e in office.events() if e["type"] == "CounterPaused"]
    assert paused[-1]["until"] == until
    office.ok(office.post("/counters/G1/resume", "counter"))
    s = session(office, "G1")
    assert s is not None and s["pause_until"] is None
