"""The counter's session, pure: every state × every action, and the moves between states."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from counter import session as s
from counter.session import Action, CurrentTicket, Facts, PendingUndo, Phase, Session
from shared.core.model import (
    CounterId,
    CounterSession,
    CounterStatus,
    OfficeState,
    ServiceCode,
    Ticket,
    TicketId,
    TicketState,
)

A = Action
NOW = datetime(2025, 3, 11, 9, 30, tzinfo=UTC)
CALLED = CurrentTicket("t1", "A001", "A", TicketState.CALLED, 1)
SERVING = replace(CALLED, state=TicketState.SERVING)
BASE = Session(agent="Nadia", counter="G1", services=("A", "B"), status=CounterStatus.OPEN,
               connected=True)  # fmt: skip
BUSY = {"waiting": 2, "parked": 1, "no_shows": 1}  # something to act on everywhere

# name → (session, the actions enabled)
CASES: dict[str, tuple[Session, set[Action]]] = {
    "offline signed out": (Session(), set()),
    "signed out": (Session(connected=True), {A.SIGN_IN}),
    "closed": (replace(BASE, status=CounterStatus.CLOSED, **BUSY), {A.OPEN, A.SIGN_OUT}),
    "idle, empty queue": (BASE, {A.PAUSE, A.CLOSE, A.SERVICES}),
    "idle, busy": (replace(BASE, **BUSY), {A.CALL_NEXT, A.CALL_NUMBER, A.CALL_PARKED, A.PAUSE,
                                          A.CLOSE, A.REACTIVATE, A.CANCEL, A.SERVICES}),
    "called": (replace(BASE, ticket=CALLED), {A.RECALL, A.START, A.NO_SHOW, A.TRANSFER,
                                                   A.SERVICES}),
    "called, busy": (replace(BASE, ticket=CALLED, **BUSY),
                     {A.RECALL, A.START, A.NO_SHOW, A.TRANSFER, A.REACTIVATE, A.CANCEL,
                      A.SERVICES}),
    "serving": (replace(BASE, ticket=SERVING), {A.COMPLETE, A.TRANSFER, A.PARK, A.SERVICES}),
    "serving, busy": (replace(BASE, ticket=SERVING, **BUSY),
                      {A.COMPLETE, A.TRANSFER, A.PARK, A.REACTIVATE, A.CANCEL, A.SERVICES}),
    "paused": (replace(BASE, status=CounterStatus.PAUSED), {A.RESUME, A.CLOSE}),
    "paused, busy": (replace(BASE, status=CounterStatus.PAUSED, **BUSY),
                     {A.RESUME, A.CLOSE, A.REACTIVATE, A.CANCEL}),
    "request in flight": (replace(BASE, ticket=CALLED, pending=A.START, **BUSY), set()),
    "hub lost": (replace(BASE, ticket=CALLED, connected=False, **BUSY), set()),
    "undo window": (replace(BASE, ticket=CALLED, undo=PendingUndo(A.NO_SHOW, "t1", "A001", 5.0),
                            **BUSY), {A.UNDO}),
    "undo window, hub lost": (replace(BASE, ticket=CALLED, connected=False,
                                      undo=PendingUndo(A.NO_SHOW, "t1", "A001", 5.0)), {A.UNDO}),
}  # fmt: skip


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("action", list(Action))
def test_every_state_by_every_action(name: str, action: Action) -> None:
    session, enabled = CASES[name]
    assert s.actions(session)[action] is (action in enabled), (name, action)


def test_every_phase_is_covered_and_has_a_row() -> None:
    phases = {case.phase for case, _ in CASES.values()}
    assert phases == set(Phase) == set(s.ALLOWED)


def test_phases() -> None:
    assert Session().phase is Phase.SIGNED_OUT
    assert replace(BASE, status=CounterStatus.CLOSED).phase is Phase.CLOSED
    assert BASE.phase is Phase.IDLE
    assert replace(BASE, ticket=CALLED).phase is Phase.CALLED
    assert replace(BASE, ticket=SERVING).phase is Phase.SERVING
    assert replace(BASE, status=CounterStatus.PAUSED).phase is Phase.PAUSED


def test_the_recall_past_the_limit_is_the_one_that_ends_the_call() -> None:
    at = {n: replace(BASE, ticket=replace(CALLED, calls=n), recall_limit=2) for n in (1, 2, 3)}
    assert [at[n].recall_ends_call for n in (1, 2, 3)] == [False, False, True]
    assert [at[n].recalls_done for n in (1, 2, 3)] == [0, 1, 2]


def test_sign_in_trims_the_name_and_refuses_empty_input() -> None:
    signed = s.sign_in(Session(connected=True), "  Nadia   B. ", "G1", ("A",), 3)
    assert (signed.agent, signed.counter, signed.services, signed.recall_limit) == (
        "Nadia B.",
        "G1",
        ("A",),
        3,
    )
    with pytest.raises(ValueError, match="empty"):
        s.sign_in(Session(), "   ", "G1", ("A",), 2)
    with pytest.raises(ValueError, match="service"):
        s.sign_in(Session(), "Nadia", "G1", (), 2)
    assert s.sign_out(signed) == Session(connected=True)


def test_a_pending_request_blocks_until_answered_then_the_answer_shows_the_ticket() -> None:
    sent = s.begin(BASE, A.CALL_NEXT)
    assert not any(s.actions(sent).values())
    answer = {"id": "G1", "status": "open", "services": ["A", "B"], "pause_reason": None,
              "ticket": {"id": "t9", "label": "B004", "service": "B", "state": "called",
                         "calls": 1, "priority": True}}  # fmt: skip
    done = s.settle(sent, answer)
    assert done.pending is None and done.phase is Phase.CALLED
    assert done.ticket == CurrentTicket("t9", "B004", "B", TicketState.CALLED, 1, True)
    failed = s.settle(sent, None)
    assert failed.pending is None and failed.ticket is None


def test_ticket_answers() -> None:
    called = replace(BASE, ticket=CALLED)
    started = s.settle(s.begin(called, A.START),
                       {"id": "t1", "label": "A001", "service": "A", "state": "serving",
                        "counter": "G1", "calls": 1})  # fmt: skip
    assert started.phase is Phase.SERVING
    # A transfer answers with the new leg, waiting in another service: the counter is free.
    moved = s.settle(s.begin(started, A.TRANSFER),
                     {"id": "t2", "label": "A001", "service": "C", "state": "waiting",
                      "counter": None})  # fmt: skip
    assert moved.phase is Phase.IDLE
    # Reactivating someone else's no-show leaves our ticket alone.
    other = s.settle(s.begin(started, A.REACTIVATE),
                     {"id": "t7", "label": "A007", "service": "A", "state": "waiting"})  # fmt: skip
    assert other.ticket == started.ticket


def test_observe_adopts_the_hubs_view_but_an_older_view_does_not_undo_our_answer() -> None:
    first = Facts(CounterStatus.OPEN, ("A", "B"), None, waiting=3)
    seen = s.observe(BASE, first)
    assert seen.waiting == 3 and seen.ticket is None
    # Our call's answer arrived first; then an event of another counter with the same facts
    # about us (our call's event is still on its way): the ticket stays on screen.
    answered = replace(seen, ticket=CALLED)
    later = s.observe(answered, replace(first, waiting=2))
    assert later.ticket == CALLED and later.waiting == 2
    # Our event arrives: the hub's view agrees.
    agreed = s.observe(later, replace(first, waiting=2, ticket=CALLED))
    assert agreed.ticket == CALLED
    # Then the hub says it is gone (completed from elsewhere): the hub is the truth.
    assert s.observe(agreed, replace(first, waiting=2)).ticket is None
    assert s.observe(Session(), first) == Session()  # nobody signed in: nothing to observe


def _ticket(n: int, state: TicketState, **kw: object) -> Ticket:
    return Ticket(TicketId(f"t{n}"), "", ServiceCode(str(kw.pop("service", "A"))), n,
                  f"A{n:03d}", bool(kw.pop("priority", False)), "fr",
                  NOW - timedelta(minutes=30), state, **kw)  # type: ignore[arg-type]  # fmt: skip


def test_facts_from_the_folded_state() -> None:
    g1 = CounterId("G1")
    tickets = [
        _ticket(1, TicketState.WAITING), _ticket(2, TicketState.WAITING, service="C"),
        _ticket(3, TicketState.CALLED, counter=g1, calls=2),
        _ticket(4, TicketState.PARKED, counter=g1), _ticket(5, TicketState.PARKED, counter="G2"),
        _ticket(6, TicketState.NO_SHOW, counter="G2", finished_at=NOW - timedelta(minutes=5)),
        _ticket(7, TicketState.NO_SHOW, counter=g1, finished_at=NOW - timedelta(minutes=1)),
        _ticket(8, TicketState.NO_SHOW, counter=g1, finished_at=NOW - timedelta(minutes=40)),
    ]  # fmt: skip
    state = OfficeState(tickets={t.id: t for t in tickets},
                        counters={g1: CounterSession(g1, CounterStatus.OPEN, (ServiceCode("A"),))})  # fmt: skip
    f = s.facts(state, "G1", ("A", "B"), NOW, 15 * 60)
    assert f.status is CounterStatus.OPEN and f.services == ("A",)
    assert f.ticket == CurrentTicket("t3", "A003", "A", TicketState.CALLED, 2)
    assert (f.waiting, f.parked, f.no_shows) == (1, 1, 2)
    assert [t.label for t in s.recent_no_shows(state, ("A",), NOW, 15 * 60)] == ["A007", "A006"]
