"""Hypothesis properties over random days of commands.

Whatever agents and kiosks do, legal or not: folding the stored events equals the state built
step by step; a day's numbers never repeat; no ticket is ever held by two counters or called
while not waiting or parked; events survive their JSON form; strict priority is respected.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.core import events as ev
from shared.core import lifecycle as lc
from shared.core import policy
from shared.core.errors import MontourError
from shared.core.model import (
    CounterId,
    OfficeState,
    Rules,
    ServiceCode,
    TicketId,
    TicketState,
)
from tests.core.conftest import T0

COUNTERS = [CounterId(c) for c in ("G1", "G2", "G3", "G6")]
SERVICES = [ServiceCode(s) for s in "ABCD"]
ALLOWED = {
    CounterId("G1"): "AB",
    CounterId("G2"): "AD",
    CounterId("G3"): "AC",
    CounterId("G6"): "ABCD",
}
TICKETS = [TicketId(f"t{i}") for i in range(12)]

commands = st.one_of(
    st.builds(lambda s, p: ("issue", s, p), st.sampled_from(SERVICES), st.booleans()),
    st.builds(lambda c: ("next", c), st.sampled_from(COUNTERS)),
    st.builds(lambda c, t: ("call", c, t), st.sampled_from(COUNTERS), st.sampled_from(TICKETS)),
    st.builds(
        lambda a, t, c: ("act", a, t, c),
        st.sampled_from(
            [
                a
                for a in lc.Action
                if a not in (lc.Action.CALL, lc.Action.COMPLETE, lc.Action.TRANSFER)
            ]
        ),
        st.sampled_from(TICKETS),
        st.none() | st.sampled_from(COUNTERS),
    ),
    st.builds(lambda t: ("complete", t), st.sampled_from(TICKETS)),
    st.builds(lambda t, s: ("transfer", t, s), st.sampled_from(TICKETS), st.sampled_from(SERVICES)),
    st.sampled_from(COUNTERS).flatmap(
        lambda c: st.sets(st.sampled_from(ALLOWED[c]), min_size=1).map(
            lambda s: ("open", c, tuple(sorted(s)))
        )
    ),
    st.builds(lambda c: ("pause", c), st.sampled_from(COUNTERS)),
    st.builds(lambda c: ("resume", c), st.sampled_from(COUNTERS)),
    st.builds(lambda c: ("close", c), st.sampled_from(COUNTERS)),
    st.just(("tick",)),
    st.just(("newday",)),
)


class Day:
    def __init__(self) -> None:
        self.issued = 0
        self.transferred = 0
        self.day = date(2026, 11, 30)

    def command(self, raw: tuple, state: OfficeState) -> lc.Command | None:
        kind = raw[0]
        if kind == "issue":
            tid = TicketId(f"t{self.issued}")
            self.issued += 1
            return lc.IssueTicket(tid, f"tok{tid}", raw[1], raw[2], "fr")
        if kind == "next":
            return lc.CallNext(raw[1])
        if kind == "call":
            return lc.CallTicket(raw[1], raw[2])
        if kind == "act":
            return lc.TicketCommand(raw[1], raw[2], raw[3])
        if kind == "complete":
            return lc.Complete(raw[1], "done")
        if kind == "transfer":
            self.transferred += 1
            return lc.Transfer(raw[1], raw[2], TicketId(f"x{self.transferred}"), "n", False)
        if kind == "open":
            return lc.OpenCounter(raw[1], raw[2])
        if kind == "pause":
            return lc.PauseCounter(raw[1], "break")
        if kind == "resume":
            return lc.ResumeCounter(raw[1])
        if kind == "close":
            return lc.CloseCounter(raw[1])
        if kind == "newday":
            self.day += timedelta(days=1)
            self.issued = 0
            return lc.OpenDay(self.day)
        return None


def play(raw_commands: list[tuple], rules: Rules):
    day = Day()
    now = T0
    state = lc.fold([ev.DayOpened(now, day.day)])
    log: list[ev.Event] = [ev.DayOpened(now, day.day)]
    for raw in raw_commands:
        now += timedelta(seconds=37)
        if raw[0] == "tick":
            now += timedelta(minutes=20)
            continue
        command = day.command(raw, state)
        assert command is not None
        before = state
        try:
            new = lc.decide(state, command, rules, now)
        except MontourError:
            assert state is before  # a refused command changes nothing
            continue
        for event in new:
            check_event(state, event, rules)
            state = lc.evolve(state, event)
            log.append(event)
            check_invariants(state)
    return log, state


def check_event(state: OfficeState, event: ev.Event, rules: Rules) -> None:
    if isinstance(event, ev.TicketCalled):
        ticket = state.tickets[event.ticket]
        assert ticket.state in (TicketState.WAITING, TicketState.PARKED)
        if event.reason_kind in ("priority", "oldest"):
            session = state.counter(event.counter)
            best = policy.ordered(state.waiting(session.services), rules.policy, event.at)[0]
            assert best.id == ticket.id


def check_invariants(state: OfficeState) -> None:
    # The incremental indexes equal the ones computed from scratch.
    rebuilt = OfficeState(state.day, state.tickets, state.counters, state.last_number)
    as_sets = {s: set(q) for s, q in state.queue.items() if q}
    assert as_sets == {s: set(q) for s, q in rebuilt.queue.items() if q}
    assert dict(state.active) == dict(rebuilt.active)
    holders: dict[TicketId, CounterId] = {}
    for t in state.tickets.values():
        if t.state in (TicketState.CALLED, TicketState.SERVING):
            assert t.counter is not None and t.id not in holders
            holders[t.id] = t.counter
    assert len(set(holders.values())) == len(holders), "a counter holds two tickets"


@settings(max_examples=300, deadline=None)
@given(st.lists(commands, max_size=80))
def test_fold_of_the_log_equals_the_state_built_step_by_step(rules: Rules, raw) -> None:
    log, state = play(raw, rules)
    assert lc.fold(log) == state


@settings(max_examples=300, deadline=None)
@given(st.lists(commands, max_size=80))
def test_numbers_never_repeat_within_a_day(rules: Rules, raw) -> None:
    log, _ = play(raw, rules)
    seen: set[str] = set()
    for event in log:
        if isinstance(event, ev.DayOpened):
            seen = set()
        elif isinstance(event, ev.TicketIssued):
            assert event.label not in seen
            seen.add(event.label)


@settings(max_examples=200, deadline=None)
@given(st.lists(commands, max_size=60))
def test_events_survive_their_json_form(rules: Rules, raw) -> None:
    import json

    log, _ = play(raw, rules)
    for event in log:
        assert ev.from_dict(json.loads(json.dumps(ev.to_dict(event)))) == event


@settings(max_examples=200, deadline=None)
@given(st.lists(commands, max_size=80))
def test_a_ticket_is_called_only_from_waiting_or_parked(rules: Rules, raw) -> None:
    log, _ = play(raw, rules)  # check_event asserts it for every call
    calls = [e for e in log if isinstance(e, ev.TicketCalled)]
    assert all(isinstance(e.reason, str) and e.reason for e in calls)
