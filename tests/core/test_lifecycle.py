"""Every (state, action) pair of the table, and the guards around it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from shared.core import lifecycle as lc
from shared.core.errors import Conflict, IllegalTransition, MontourError, NothingWaiting
from shared.core.events import TicketNoShow, TicketRecalled
from shared.core.model import (
    CounterId,
    CounterStatus,
    OfficeState,
    Rules,
    ServiceCode,
    TicketId,
    TicketState,
)
from tests.core.conftest import T0

G1, G2 = CounterId("G1"), CounterId("G3")  # G3 serves A and C
A, B, C = ServiceCode("A"), ServiceCode("B"), ServiceCode("C")


def run(state: OfficeState, command: lc.Command, rules: Rules, at=T0) -> OfficeState:
    return lc.fold(lc.decide(state, command, rules, at), state)


def office(rules: Rules) -> OfficeState:
    state = run(OfficeState(), lc.OpenDay(date(2026, 11, 30)), rules)
    state = run(state, lc.OpenCounter(G1, (A, B)), rules)
    return run(state, lc.OpenCounter(G2, (A, C)), rules)


def issue(state: OfficeState, rules: Rules, tid: str, service=A, priority=False, at=T0):
    return run(
        state, lc.IssueTicket(TicketId(tid), f"tok-{tid}", service, priority, "fr"), rules, at
    )


def ticket_in(state_wanted: TicketState, rules: Rules) -> OfficeState:
    """An office where ticket 't' is in `state_wanted`, reached through legal moves only."""
    s = issue(office(rules), rules, "t")
    t = TicketId("t")
    paths: dict[TicketState, list[lc.Command]] = {
        TicketState.WAITING: [],
        TicketState.CALLED: [lc.CallNext(G1)],
        TicketState.SERVING: [lc.CallNext(G1), lc.TicketCommand(lc.Action.START, t)],
        TicketState.PARKED: [
            lc.CallNext(G1), lc.TicketCommand(lc.Action.START, t),
            lc.TicketCommand(lc.Action.PARK, t),
        ],
        TicketState.DONE: [
            lc.CallNext(G1), lc.TicketCommand(lc.Action.START, t), lc.Complete(t, "done"),
        ],
        TicketState.NO_SHOW: [lc.CallNext(G1), lc.TicketCommand(lc.Action.NO_SHOW, t)],
        TicketState.CANCELLED: [lc.TicketCommand(lc.Action.CANCEL, t)],
        TicketState.TRANSFERRED: [lc.CallNext(G1), lc.Transfer(t, B, TicketId("t2"), "note")],
    }  # fmt: skip
    for command in paths[state_wanted]:
        s = run(s, command, rules)
    assert s.tickets[t].state is state_wanted
    return s


def command_for(action: lc.Action) -> lc.Command:
    t = TicketId("t")
    if action is lc.Action.CALL:
        return lc.CallTicket(G1, t)
    if action is lc.Action.COMPLETE:
        return lc.Complete(t, "done")
    if action is lc.Action.TRANSFER:
        return lc.Transfer(t, C, TicketId("t3"), "to social")
    return lc.TicketCommand(action, t)


@pytest.mark.parametrize("source", list(TicketState))
@pytest.mark.parametrize("action", list(lc.Action))
def test_every_pair_of_the_table(source: TicketState, action: lc.Action, rules: Rules) -> None:
    state = ticket_in(source, rules)
    target = lc.TRANSITIONS[source].get(action)
    if target is None:
        with pytest.raises(IllegalTransition):
            lc.decide(state, command_for(action), rules, T0)
        return
    after = run(state, command_for(action), rules, T0 + timedelta(minutes=1))
    assert after.tickets[TicketId("t")].state is target


def test_illegal_move_changes_nothing(rules: Rules) -> None:
    state = ticket_in(TicketState.WAITING, rules)
    with pytest.raises(IllegalTransition, match="cannot be started"):
        lc.decide(state, lc.TicketCommand(lc.Action.START, TicketId("t")), rules, T0)
    assert state == ticket_in(TicketState.WAITING, rules)


def test_recall_past_the_limit_is_a_no_show(rules: Rules) -> None:
    state = ticket_in(TicketState.CALLED, rules)
    recall = lc.TicketCommand(lc.Action.RECALL, TicketId("t"))
    for calls in range(2, rules.recall_limit + 2):
        events = lc.decide(state, recall, rules, T0)
        assert events == [TicketRecalled(T0, TicketId("t"), G1, calls)]
        state = lc.fold(events, state)
    (event,) = lc.decide(state, recall, rules, T0)
    assert isinstance(event, TicketNoShow) and event.automatic
    assert lc.evolve(state, event).tickets[TicketId("t")].state is TicketState.NO_SHOW


def test_reactivate_only_within_the_grace_period(rules: Rules) -> None:
    state = ticket_in(TicketState.NO_SHOW, rules)
    react = lc.TicketCommand(lc.Action.REACTIVATE, TicketId("t"))
    late = T0 + timedelta(seconds=rules.no_show_grace_s + 1)
    with pytest.raises(Conflict, match="new ticket"):
        lc.decide(state, react, rules, late)
    back = run(state, react, rules, T0 + timedelta(seconds=rules.no_show_grace_s))
    ticket = back.tickets[TicketId("t")]
    assert ticket.state is TicketState.WAITING and ticket.issued_at == T0


def test_transfer_keeps_issue_time_label_and_token(rules: Rules) -> None:
    state = ticket_in(TicketState.TRANSFERRED, rules)
    new = state.tickets[TicketId("t2")]
    old = state.tickets[TicketId("t")]
    assert (new.state, new.service, new.issued_at) == (TicketState.WAITING, B, old.issued_at)
    assert (new.label, new.token, new.note, new.previous) == (old.label, old.token, "note", old.id)


def test_parked_ticket_is_called_back_only_by_its_counter(rules: Rules) -> None:
    state = ticket_in(TicketState.PARKED, rules)
    with pytest.raises(Conflict, match="parked by G1"):
        lc.decide(state, lc.CallTicket(G2, TicketId("t")), rules, T0)
    assert run(state, lc.CallTicket(G1, TicketId("t")), rules).tickets[TicketId("t")].counter == G1


@pytest.mark.parametrize(
    ("setup", "command", "message"),
    [
        ([lc.CloseCounter(G1)], lc.CallNext(G1), "closed"),
        ([lc.PauseCounter(G1, "lunch")], lc.CallNext(G1), "paused"),
        ([lc.CallNext(G1)], lc.CallNext(G1), "busy with A001"),
        ([lc.CallNext(G1)], lc.CloseCounter(G1), "still has ticket A001"),
        ([], lc.ResumeCounter(G1), "not paused"),
    ],
)
def test_counter_guards(rules: Rules, setup, command, message) -> None:
    state = issue(office(rules), rules, "t")
    state = issue(state, rules, "u")
    for c in setup:
        state = run(state, c, rules)
    with pytest.raises(MontourError, match=message):
        lc.decide(state, command, rules, T0)


def test_nothing_waiting(rules: Rules) -> None:
    with pytest.raises(NothingWaiting):
        lc.decide(office(rules), lc.CallNext(G1), rules, T0)


def test_a_counter_only_calls_its_services(rules: Rules) -> None:
    state = issue(office(rules), rules, "c", service=C)
    with pytest.raises(NothingWaiting):
        lc.decide(state, lc.CallNext(G1), rules, T0)
    with pytest.raises(Conflict, match="does not serve"):
        lc.decide(state, lc.CallTicket(G1, TicketId("c")), rules, T0)
    assert run(state, lc.CallNext(G2), rules).tickets[TicketId("c")].counter == G2


def test_a_new_day_resets_numbers_and_queue(rules: Rules) -> None:
    state = issue(issue(office(rules), rules, "t"), rules, "u")
    assert [t.label for t in state.tickets.values()] == ["A001", "A002"]
    state = run(state, lc.OpenDay(date(2026, 12, 1)), rules)
    assert state.tickets == {} and state.counters == {}
    assert issue(state, rules, "v").tickets[TicketId("v")].label == "A001"
    assert lc.decide(state, lc.OpenDay(date(2026, 12, 1)), rules, T0) == []


def test_the_table_is_the_readme_diagram() -> None:
    from tests.core.conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"```mermaid\n{lc.mermaid()}\n```" in readme, (
        "README's ticket diagram is stale: paste shared.core.lifecycle.mermaid() output"
    )


def test_counter_commands_are_idempotent_where_harmless(rules: Rules) -> None:
    state = office(rules)
    assert lc.decide(state, lc.OpenCounter(G1, (A, B)), rules, T0) == []
    changed = run(state, lc.OpenCounter(G1, (B,)), rules)
    assert changed.counter(G1).services == (B,)
    closed = run(state, lc.CloseCounter(G1), rules)
    assert lc.decide(closed, lc.CloseCounter(G1), rules, T0) == []
    assert replace(closed.counter(G1)).services == ()


def test_the_folded_ticket_keeps_why_it_was_called_as_data(rules: Rules) -> None:
    """Ticket.reason_kind is the event's kind, so a client never parses the English sentence."""
    s = issue(office(rules), rules, "t")
    s = issue(s, rules, "p", priority=True)
    s = run(s, lc.CallNext(G1), rules)
    called = s.tickets[TicketId("p")]
    assert (called.reason_kind, called.reason) == ("priority", "priority visitor, waiting 0 min")
    s = run(s, lc.TicketCommand(lc.Action.START, TicketId("p")), rules)
    s = run(s, lc.TicketCommand(lc.Action.PARK, TicketId("p")), rules)
    s = run(s, lc.CallTicket(G1, TicketId("p")), rules)
    assert s.tickets[TicketId("p")].reason_kind == "parked"
    s = run(s, lc.TicketCommand(lc.Action.NO_SHOW, TicketId("p")), rules)
    s = run(s, lc.CallTicket(G1, TicketId("t")), rules, at=T0 + timedelta(minutes=3))
    t = s.tickets[TicketId("t")]
    assert (t.reason_kind, t.reason) == ("chosen", "called by number, waiting 3 min")


def test_changing_services_keeps_the_counters_pause(rules: Rules) -> None:
    state = run(office(rules), lc.PauseCounter(G1, "break"), rules)
    paused = state.counter(G1)
    state = run(state, lc.OpenCounter(G1, (B,)), rules)
    session = state.counter(G1)
    assert (session.status, session.pause_reason, session.since) == (
        CounterStatus.PAUSED,
        "break",
        paused.since,
    )
    assert session.services == (B,)
