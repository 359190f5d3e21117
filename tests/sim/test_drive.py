"""`montour simulate --live`: a real hub on loopback, its clock accelerated, driven through a
reference morning by the driver (shared/sim/drive.py), then its own event log checked."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from shared.cli import main
from shared.clock import ScaledClock
from shared.core import lifecycle, policy
from shared.core.events import (
    CounterOpened,
    Event,
    ServiceStarted,
    TicketCalled,
    TicketCompleted,
    TicketIssued,
    TicketNoShow,
    from_dict,
)
from shared.hub.store import Store
from shared.sim import reference as ref
from shared.sim.cli import CONFIG, drive_live
from shared.sim.draw import draw_day
from shared.sim.drive import DriveResult

SEED, SPEED = 1, 600.0
UNTIL_MIN = 9 * 60 + 30.0  # 08:30–09:30: the first hour, opening included (≈ 35 tickets)


def test_scaled_clock_runs_at_its_speed() -> None:
    ticks = [100.0]
    start = datetime(2026, 3, 2, 7, 25, tzinfo=UTC)
    clock = ScaledClock(start, 60.0, monotonic=lambda: ticks[0])
    assert clock.now() == start
    ticks[0] = 102.5
    assert clock.now() == start + timedelta(minutes=2.5)
    with pytest.raises(ValueError):
        ScaledClock(datetime(2026, 3, 2, 7, 25), 60.0)  # naive
    with pytest.raises(ValueError):
        ScaledClock(start, 0.5)  # slower than real time is not a simulation aid


def test_hub_refuses_an_accelerated_clock_off_loopback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "hub.db"
    code = main(["hub", "--host", "0.0.0.0", "--port", "0", "--discovery", "off",
                 "--db", str(db), "--clock-speed", "60"])  # fmt: skip
    assert code == 2 and not db.exists()
    assert "loopback" in capsys.readouterr().err


@pytest.fixture(scope="module")
def morning(tmp_path_factory: pytest.TempPathFactory) -> tuple[DriveResult, list[Event]]:
    db = tmp_path_factory.mktemp("live") / "hub.db"
    run = drive_live(draw_day(SEED), db, CONFIG, SPEED, UNTIL_MIN)
    result = asyncio.run(asyncio.wait_for(run, 60))  # the hub is stopped when it returns
    store = Store(db)
    try:
        events = [from_dict(record) for record in store.events_since(0)]
    finally:
        store.close()
    return result, events


def test_the_hub_logs_a_legal_day_with_the_draws_arrivals(
    morning: tuple[DriveResult, list[Event]],
) -> None:
    result, events = morning
    lifecycle.fold(events)  # raises on an illegal sequence
    issued = [e for e in events if isinstance(e, TicketIssued)]
    arrivals = [v for v in draw_day(SEED).visitors if v.arrival_min < UNTIL_MIN]
    assert len(issued) == result.issued == len(arrivals) > 20
    assert [(e.service, e.priority) for e in issued] == [(v.service, v.priority) for v in arrivals]
    assert len({e.label for e in issued}) == len(issued)  # no number twice
    assert len({e.ticket for e in issued}) == len(issued)
    assert result.served > 10 and result.called >= result.served + result.no_shows


def test_every_call_is_the_hubs_policy_and_every_service_follows_a_call(
    morning: tuple[DriveResult, list[Event]],
) -> None:
    _, events = morning
    rules = ref.rules()
    state = lifecycle.fold([])
    called: set[str] = set()
    calls = 0
    for event in events:
        if isinstance(event, TicketCalled):
            services = state.counter(event.counter).services
            choice = policy.choose(state.waiting(), services, rules, event.at)
            assert choice is not None and choice.ticket.id == event.ticket
            called.add(event.ticket)
            calls += 1
        elif isinstance(event, ServiceStarted | TicketCompleted | TicketNoShow):
            assert event.ticket in called
        state = lifecycle.evolve(state, event)
    assert calls > 10


def test_the_hubs_clock_ran_at_the_asked_speed(
    morning: tuple[DriveResult, list[Event]],
) -> None:
    result, events = morning
    assert 0.8 * SPEED <= result.speed <= 1.2 * SPEED
    # The log agrees: the hour was played in about an hour of the hub's time.
    last = max(e.at for e in events if isinstance(e, TicketIssued))
    first_open = min(e.at for e in events if isinstance(e, CounterOpened))
    assert timedelta(minutes=50) <= last - first_open <= timedelta(minutes=62)


def test_simulate_asks_for_what_each_mode_needs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--days", "1"]) == 2  # the event-log mode: --first-seed, --out
    assert main(["simulate", "--hub", "http://127.0.0.1:9", "--token-kiosk", "k"]) == 2
    assert main(["simulate", "--live", "--speed", "0.5"]) == 2
    out = capsys.readouterr().out
    assert "--token-counter" in out and "at least 1" in out


def test_every_ticket_was_printed_with_the_hubs_range_and_scored_against_its_wait(
    morning: tuple[DriveResult, list[Event]],
) -> None:
    result, events = morning
    # Counters are open from 08:30: every ticket of the morning got a range on paper.
    assert set(result.printed) == set(result.tickets)
    assert all(p is not None and p["low_min"] <= p["high_min"] for p in result.printed.values())
    first_calls: dict[str, datetime] = {}
    for e in events:
        if isinstance(e, TicketCalled):
            first_calls.setdefault(e.ticket, e.at)
    issued = {e.ticket: e.at for e in events if isinstance(e, TicketIssued)}
    for tid, wait in result.waits.items():  # the driver's truth is the hub's log
        assert wait == pytest.approx((first_calls[tid] - issued[tid]).total_seconds() / 60)
    score = result.printed_score()
    assert score["n"] == len(result.waits) > 10
    assert 0 <= score["within_range_pct"] <= 100 and score["mae_min"] >= 0
