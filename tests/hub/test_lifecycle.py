"""Every row of DESIGN §3 (the ticket's life) through the REST API, and every illegal move."""

from __future__ import annotations

from typing import Any

import httpx

from shared.core.lifecycle import TRANSITIONS, Action
from shared.core.model import TicketState
from tests.hub.conftest import Office, assert_error


def serving(office: Office, counter: str = "G1", service: str = "A") -> dict[str, Any]:
    """Issue, call and start a ticket at `counter` (opened on `service`)."""
    office.open(counter, service)
    office.issue(service)
    ticket = office.call_next(counter)
    return office.ok(office.act(ticket["id"], "start"))


def test_call_then_start_then_complete(office: Office) -> None:
    office.open("G1", "A")
    issued = office.issue("A")
    called = office.call_next("G1")
    assert called["id"] == issued["id"]
    assert (called["counter"], called["calls"], called["label"]) == ("G1", 1, "A001")
    assert called["reason"]
    started = office.ok(office.act(called["id"], "start", {"counter": "G1"}))
    assert started["state"] == "serving" and started["started_at"] == office.clock.now().isoformat()
    office.clock.advance(600)
    done = office.ok(office.act(called["id"], "complete", {"outcome": "incomplete"}))
    assert (done["state"], done["outcome"]) == ("done", "incomplete")
    # The counter is free again.
    counter = office.ok(office.post("/counters/G1/close", "counter"))
    assert counter == {
        "id": "G1", "status": "closed", "services": [], "pause_reason": None, "ticket": None
    }  # fmt: skip


def test_recall_counts_calls_and_past_the_limit_becomes_no_show(office: Office) -> None:
    assert office.hub.config.rules.recall_limit == 2
    office.open("G1", "A")
    office.issue("A")
    tid = office.call_next("G1")["id"]
    for calls in (2, 3):  # two recalls allowed after the first call
        office.clock.advance(30)
        recalled = office.ok(office.act(tid, "recall"))
        assert (recalled["state"], recalled["calls"]) == ("called", calls)
        assert recalled["called_at"] == office.clock.now().isoformat()
    office.clock.advance(30)
    last = office.ok(office.act(tid, "recall"))
    assert last["state"] == "no_show"
    no_show = [e for e in office.events() if e["type"] == "TicketNoShow"]
    assert [(e["ticket"], e["automatic"]) for e in no_show] == [(tid, True)]
    # The counter is free for the next visitor.
    office.issue("A")
    assert office.call_next("G1")["label"] == "A002"


def test_no_show_then_reactivate_within_grace_keeps_issue_time(office: Office) -> None:
    office.open("G1", "A")
    first = office.issue("A")
    office.clock.advance(60)
    office.issue("A")
    assert office.call_next("G1")["id"] == first["id"]
    no_show = office.ok(office.act(first["id"], "no-show", {"counter": "G1"}))
    assert no_show["state"] == "no_show"
    office.clock.advance(14 * 60)
    back = office.ok(office.act(first["id"], "reactivate"))
    assert back["state"] == "waiting"
    assert back["issued_at"] == first["issued_at"]
    assert (back["counter"], back["calls"]) == (None, 0)
    # It kept its place: still the oldest, so called before A002.
    assert office.call_next("G1")["id"] == first["id"]


def test_reactivate_after_grace_is_409(office: Office) -> None:
    office.open("G1", "A")
    tid = office.issue("A")["id"]
    office.call_next("G1")
    office.ok(office.act(tid, "no-show"))
    office.clock.advance(15 * 60 + 1)
    with office.unchanged():
        body = assert_error(office.act(tid, "reactivate"), 409, "conflict")
        assert "15 min" in body["message"]


def test_reactivate_exactly_at_the_end_of_grace_works(office: Office) -> None:
    office.open("G1", "A")
    tid = office.issue("A")["id"]
    office.call_next("G1")
    office.ok(office.act(tid, "no-show"))
    office.clock.advance(15 * 60)
    assert office.ok(office.act(tid, "reactivate"))["state"] == "waiting"


def test_cancel_a_waiting_ticket(office: Office) -> None:
    office.open("G1", "A")
    tid = office.issue("A")["id"]
    cancelled = office.ok(office.act(tid, "cancel"))
    assert cancelled["state"] == "cancelled"
    assert_error(office.post("/counters/G1/call-next", "counter"), 409, "nothing_waiting")
    assert office.snapshot()["services"]["A"]["waiting"] == 0


def test_transfer_keeps_issue_time_and_label_with_note(office: Office) -> None:
    office.open("G1", "A")
    issued = office.issue("A")
    office.clock.advance(300)
    tid = office.call_next("G1")["id"]
    office.ok(office.act(tid, "start"))
    office.clock.advance(300)
    r = office.act(tid, "transfer", {"service": "C", "note": "needs the CAF file"})
    new = office.ok(r)
    assert new["id"] != tid
    assert (new["state"], new["service"], new["label"]) == ("waiting", "C", "A001")
    assert new["issued_at"] == issued["issued_at"]
    assert (new["note"], new["previous"], new["head"]) == ("needs the CAF file", tid, False)
    assert new["token"] == issued["token"]  # the visitor's QR follows them
    assert office.ticket(tid)["state"] == "transferred"
    # G1 is free; the visitor's page follows the new leg.
    assert office.ok(office.post("/counters/G1/close", "counter"))["status"] == "closed"
    status = office.status(issued["token"])
    assert (status["service"], status["state"], status["label"]) == ("C", "waiting", "A001")


def test_transfer_a_called_ticket(office: Office) -> None:
    office.open("G1", "A")
    tid = office.issue("A")["id"]
    office.call_next("G1")
    new = office.ok(office.act(tid, "transfer", {"service": "B"}))
    assert (new["service"], new["state"]) == ("B", "waiting")


def test_transfer_at_head_is_called_first(office: Office) -> None:
    office.open("G1", "A")
    office.open("G5", "B", "C")
    for _ in range(3):
        office.issue("C")
    office.clock.advance(600)
    visitor = office.issue("A")
    tid = office.call_next("G1")["id"]
    assert tid == visitor["id"]
    office.ok(office.act(tid, "start"))
    new = office.ok(office.act(tid, "transfer", {"service": "C", "head": True}))
    assert new["head"] is True
    assert new["estimate"]["ahead"] == 0  # ahead of the three older C tickets
    called = office.call_next("G5")
    assert called["id"] == new["id"]
    assert "head" in called["reason"]


def test_park_then_call_back_by_the_same_counter(office: Office) -> None:
    office.open("G1", "A")
    office.open("G2", "A")
    tid = serving(office)["id"]
    parked = office.ok(office.act(tid, "park", {"counter": "G1"}))
    assert (parked["state"], parked["counter"]) == ("parked", "G1")
    # G1 is free meanwhile: it may call someone else (and finish with them).
    office.issue("A")
    other = office.call_next("G1")
    office.ok(office.act(other["id"], "no-show"))
    with office.unchanged():
        r = office.post("/counters/G2/call", "counter", {"ticket": tid})
        body = assert_error(r, 409, "conflict")
        assert "G1" in body["message"]
    r = office.post("/counters/G1/call", "counter", {"ticket": tid})
    back = office.ok(r)["ticket"]
    assert (back["id"], back["state"], back["counter"]) == (tid, "called", "G1")
    assert "back" in back["reason"]
    assert office.ok(office.act(tid, "start"))["state"] == "serving"


def test_parked_ticket_is_not_called_by_call_next(office: Office) -> None:
    office.open("G2", "A")
    tid = serving(office, "G1")["id"]
    office.ok(office.act(tid, "park"))
    assert_error(office.post("/counters/G2/call-next", "counter"), 409, "nothing_waiting")


def test_call_a_given_number(office: Office) -> None:
    office.open("G1", "A")
    for _ in range(5):
        office.issue("A")
    office.clock.advance(120)
    r = office.post("/counters/G1/call", "counter", {"label": "A003"})
    called = office.ok(r)["ticket"]
    assert (called["label"], called["state"], called["counter"]) == ("A003", "called", "G1")
    assert "number" in called["reason"] and "2 min" in called["reason"]
    office.ok(office.act(called["id"], "no-show"))
    # By id too, and the label is read the way an agent types it.
    r = office.post("/counters/G1/call", "counter", {"label": " a004 "})
    assert office.ok(r)["ticket"]["label"] == "A004"


def test_done_is_final(office: Office) -> None:
    tid = serving(office)["id"]
    office.ok(office.act(tid, "complete", {"outcome": "done"}))
    with office.unchanged():
        for action in ("recall", "start", "no-show", "reactivate", "park", "cancel"):
            assert_error(office.act(tid, action), 409, "illegal_transition")
        assert_error(office.act(tid, "complete", {"outcome": "done"}), 409, "illegal_transition")
        assert_error(office.act(tid, "transfer", {"service": "B"}), 409, "illegal_transition")


def test_every_move_missing_from_the_table_is_409_and_changes_nothing(office: Office) -> None:
    """One ticket in each state, then every action the table does not allow from it."""
    for counter in ("G1", "G2", "G3", "G6"):
        office.open(counter, "A")

    def ticket_at(counter: str) -> str:
        office.issue("A")
        return str(office.call_next(counter)["id"])

    tickets: dict[TicketState, str] = {TicketState.WAITING: office.issue("A")["id"]}
    # Take the waiting one out of the way of call-next while the others are made.
    office.ok(office.act(tickets[TicketState.WAITING], "cancel"))
    tickets[TicketState.CANCELLED] = tickets.pop(TicketState.WAITING)
    tickets[TicketState.DONE] = ticket_at("G3")
    office.ok(office.act(tickets[TicketState.DONE], "start"))
    office.ok(office.act(tickets[TicketState.DONE], "complete", {"outcome": "done"}))
    tickets[TicketState.NO_SHOW] = ticket_at("G3")
    office.ok(office.act(tickets[TicketState.NO_SHOW], "no-show"))
    tickets[TicketState.TRANSFERRED] = ticket_at("G3")
    office.ok(office.act(tickets[TicketState.TRANSFERRED], "transfer", {"service": "B"}))
    tickets[TicketState.PARKED] = ticket_at("G3")
    office.ok(office.act(tickets[TicketState.PARKED], "start"))
    office.ok(office.act(tickets[TicketState.PARKED], "park"))
    tickets[TicketState.CALLED] = ticket_at("G1")
    tickets[TicketState.SERVING] = ticket_at("G2")
    office.ok(office.act(tickets[TicketState.SERVING], "start"))
    tickets[TicketState.WAITING] = office.issue("A")["id"]
    # G6 stays open and free: it tries the "call a given ticket" move on each.
    assert set(tickets) == set(TRANSITIONS)
    for state, tid in tickets.items():
        assert office.ticket(tid)["state"] == state.value

    def attempt(action: Action, tid: str) -> httpx.Response:
        match action:
            case Action.CALL:
                return office.post("/counters/G6/call", "counter", {"ticket": tid})
            case Action.COMPLETE:
                return office.act(tid, "complete", {"outcome": "done"})
            case Action.TRANSFER:
                return office.act(tid, "transfer", {"service": "D"})
            case Action.NO_SHOW:
                return office.act(tid, "no-show")
            case _:
                return office.act(tid, action.value)

    tried = 0
    for state, tid in tickets.items():
        for action in Action:
            if action in TRANSITIONS[state]:
                continue
            with office.unchanged():
                r = attempt(action, tid)
                assert r.status_code == 409, (state, action, r.text)
                assert_error(r, 409, "illegal_transition")
            tried += 1
    assert tried == sum(len(Action) - len(moves) for moves in TRANSITIONS.values())
