"""One simulated day: reproducible, a valid log of the production core, the reference's rules."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

import pytest

from shared import const
from shared.core import lifecycle
from shared.core.events import (
    CounterClosed,
    CounterOpened,
    CounterPaused,
    CounterResumed,
    ServiceStarted,
    TicketCalled,
    TicketCompleted,
    TicketNoShow,
    from_dict,
    to_dict,
)
from shared.core.model import CounterId, TicketState
from shared.sim import reference as ref
from shared.sim.office import SimDay, simulate_day

from .conftest import PARIS

DAY = date(2026, 1, 7)


def _local(at: datetime) -> time:
    return at.astimezone(PARIS).time()


def test_same_seed_gives_the_same_log() -> None:
    a = simulate_day(1003, DAY, PARIS)
    b = simulate_day(1003, DAY, PARIS)
    assert a.events == b.events
    assert a.events != simulate_day(1004, DAY, PARIS).events


def test_a_day_is_reproducible_alone_inside_a_run(history: list[SimDay]) -> None:
    inside = history[5]  # seed 1005, played after five other days
    alone = simulate_day(1005, inside.day, PARIS, first_seq=inside.events[0][0])
    assert alone.events == inside.events


def test_the_log_folds_and_every_ticket_ends_done_or_no_show(history: list[SimDay]) -> None:
    for sim in history:
        # Through the JSON of `montour export events` and back, as a hub would replay it.
        records = [json.loads(json.dumps({"seq": s, **to_dict(e)})) for s, e in sim.events]
        state = lifecycle.fold(from_dict(r) for r in records)
        assert state.day == sim.day
        assert state.tickets == sim.state.tickets
        assert len(state.tickets) == len(sim.draw.visitors) > 0
        assert {t.state for t in state.tickets.values()} <= {TicketState.DONE, TicketState.NO_SHOW}
        assert all(c.status.value == "closed" for c in state.counters.values())
        assert [s for s, _ in sim.events] == list(range(records[0]["seq"], records[-1]["seq"] + 1))
        assert all(e.at.utcoffset() == timedelta(0) for _, e in sim.events)


def test_true_service_times_and_no_shows_are_what_the_log_shows(history: list[SimDay]) -> None:
    sim = history[0]
    started: dict[str, datetime] = {}
    called: dict[str, datetime] = {}
    for _, e in sim.events:
        if isinstance(e, TicketCalled):
            called[e.ticket] = e.at
        elif isinstance(e, ServiceStarted):
            assert e.at == called[e.ticket]  # the visitor present comes at once
            started[e.ticket] = e.at
        elif isinstance(e, TicketCompleted):
            truth = sim.visitors[e.ticket].service_min
            assert (e.at - started[e.ticket]).total_seconds() / 60 == pytest.approx(truth, abs=1e-4)
        elif isinstance(e, TicketNoShow):
            v = sim.visitors[e.ticket]
            waited = (called[e.ticket] - sim.state.tickets[e.ticket].issued_at).total_seconds() / 60
            assert v.patience_min is not None and waited >= v.patience_min - 1e-4
            cost = (e.at - called[e.ticket]).total_seconds() / 60
            assert cost == pytest.approx(const.SIM_NO_SHOW_CALL_MIN, abs=1e-4)
    for tid, t in sim.state.tickets.items():
        v = sim.visitors[tid]
        assert (t.service, t.priority) == (v.service, v.priority)
        if t.state is TicketState.DONE and v.patience_min is not None:
            waited = (t.first_called_at - t.issued_at).total_seconds() / 60  # type: ignore[operator]
            assert waited < v.patience_min + 1e-4


def test_strict_priority_holds_in_the_log(history: list[SimDay]) -> None:
    calls = 0
    for sim in history:
        state = None
        for _, e in sim.events:
            if isinstance(e, TicketCalled) and state is not None:
                session = state.counter(e.counter)
                waiting = state.waiting(session.services)
                called = state.tickets[e.ticket]
                assert called.service in session.services
                if not called.priority:
                    assert not [t for t in waiting if t.priority], (sim.draw.seed, e)
                same_class = [t for t in waiting if t.priority == called.priority]
                assert called.issued_at == min(t.issued_at for t in same_class)
                calls += 1
            state = lifecycle.evolve(state or lifecycle.fold([]), e)
    assert calls > 10_000


def test_a_counter_on_a_planned_break_takes_no_call(history: list[SimDay]) -> None:
    for sim in history:
        on_break: dict[CounterId, datetime] = {}
        pauses = 0
        for _, e in sim.events:
            if isinstance(e, CounterPaused):
                assert e.until is not None and e.until > e.at
                on_break[e.counter] = e.at
                pauses += 1
            elif isinstance(e, CounterResumed):
                del on_break[e.counter]
            elif isinstance(e, TicketCalled):
                assert e.counter not in on_break
        assert not on_break
        assert pauses == sum(len(c.breaks) for c in ref.COUNTERS)
        for b in sim.breaks:
            planned = next(
                p
                for c in ref.COUNTERS
                if c.id == b.counter
                for p in c.breaks
                if abs(p.duration_min - (b.until_min - b.start_min)) < 1e-9
            )
            assert planned.at_min - 5 - 1e-9 <= b.start_min
            assert 0.9 * planned.duration_min - 1e-9 <= b.end_min - b.start_min
            assert b.end_min - b.start_min <= 1.2 * planned.duration_min + 1e-9


def test_shifts_opening_and_serving_until_the_queues_are_empty(history: list[SimDay]) -> None:
    for sim in history:
        state = None
        for _, e in sim.events:
            if isinstance(e, CounterOpened):
                assert _local(e.at) == (time(9) if e.counter == "G6" else time(8, 30))
            if isinstance(e, TicketCalled) and e.counter == "G6":
                assert _local(e.at) < time(16)
            if isinstance(e, CounterClosed) and e.counter != "G6":
                assert _local(e.at) >= time(16, 30)
                assert state is not None and not state.waiting(state.counter(e.counter).services)
            state = lifecycle.evolve(state or lifecycle.fold([]), e)
