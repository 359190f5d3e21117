"""The history and stress sets against the reference office's figures, and the CLI."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from statistics import mean

from shared import config
from shared.cli import main
from shared.core import lifecycle
from shared.core.events import (
    CounterOpened,
    ServiceStarted,
    TicketCalled,
    TicketCompleted,
    from_dict,
)
from shared.core.model import Ticket, TicketState
from shared.sim import reference as ref
from shared.sim.cli import simulate_days
from shared.sim.office import SimDay

ROOT = Path(__file__).resolve().parents[2]
REFERENCE_VOLUME = 273  # "about 273 tickets a day" (wait-estimation.md)


def _tickets(days: list[SimDay]) -> list[Ticket]:
    return [t for d in days for t in d.state.tickets.values()]


def test_mean_daily_volume_is_the_reference_s(history: list[SimDay]) -> None:
    volume = mean(len(d.state.tickets) for d in history)
    assert abs(volume - REFERENCE_VOLUME) <= 0.05 * REFERENCE_VOLUME
    # Its own profile integrates to 281 a day; 40 days of sd ≈ 33 give a mean within ± 16.
    assert abs(volume - ref.expected_daily_volume()) <= 16


def test_no_shows_are_about_5_percent(history: list[SimDay]) -> None:
    tickets = _tickets(history)
    share = sum(t.state is TicketState.NO_SHOW for t in tickets) / len(tickets)
    assert 0.03 <= share <= 0.07


def test_priority_share_is_about_12_percent(history: list[SimDay]) -> None:
    tickets = _tickets(history)
    assert abs(sum(t.priority for t in tickets) / len(tickets) - ref.PRIORITY_SHARE) <= 0.01


def _service_ratio(days: list[SimDay]) -> float:
    """Observed service time ÷ the history's true mean for its service and class, averaged."""
    ratios = []
    for d in days:
        started = {}
        for _, e in d.events:
            if isinstance(e, ServiceStarted):
                started[e.ticket] = e.at
            elif isinstance(e, TicketCompleted):
                t = d.state.tickets[e.ticket]
                s = ref.service(t.service)
                m = s.mean_min * (ref.PRIORITY_SERVICE_FACTOR if t.priority else 1.0)
                ratios.append((e.at - started[e.ticket]).total_seconds() / 60 / m)
    return mean(ratios)


def test_stress_service_is_10_percent_slower(history: list[SimDay], stress: list[SimDay]) -> None:
    assert abs(_service_ratio(history) - 1.0) <= 0.03
    assert 1.06 <= _service_ratio(stress) / _service_ratio(history) <= 1.14


def test_stress_absent_counter_never_opens(stress: list[SimDay]) -> None:
    for d in stress:
        opened = {e.counter for _, e in d.events if isinstance(e, CounterOpened)}
        callers = {e.counter for _, e in d.events if isinstance(e, TicketCalled)}
        everyone = {c.id for c in ref.COUNTERS}
        if d.draw.seed % 2:
            assert d.draw.absent is None and opened == everyone
        else:
            assert d.draw.absent is not None and opened == everyone - {d.draw.absent}
            assert d.draw.absent not in callers
        assert {t.state for t in d.state.tickets.values()} <= {
            TicketState.DONE,
            TicketState.NO_SHOW,
        }


def test_the_toml_is_the_simulated_office() -> None:
    office = config.load(ROOT / "assets" / "sim" / "reference-office.toml")
    assert office.rules == ref.rules()
    # The planned shifts and breaks the estimators see are the simulator's own plan.
    for c in ref.COUNTERS:
        counter = office.rules.counters[c.id]
        assert [(b.hour * 60 + b.minute, m) for b, m in counter.breaks] == [
            (b.at_min, b.duration_min) for b in c.breaks
        ]
        last_call = None if counter.shift is None else counter.shift[1]
        assert (last_call and last_call.hour * 60 + last_call.minute) == c.last_call_min
    assert office.timezone == "Europe/Paris"
    assert set(office.hours) == {"mon", "tue", "wed", "thu", "fri"}


def test_cli_writes_the_export_format_on_consecutive_weekdays(tmp_path: Path) -> None:
    out = tmp_path / "log.jsonl"
    # From a Friday: the second day is the Monday after.
    assert main(["simulate", "--days", "2", "--first-seed", "1000", "--start", "2026-01-09",
                 "--out", str(out)]) == 0  # fmt: skip
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["seq"] for r in records] == list(range(1, len(records) + 1))
    days = [r["day"] for r in records if r["type"] == "DayOpened"]
    assert days == ["2026-01-09", "2026-01-12"]
    expected = [e for d in simulate_days(1000, 2, date(2026, 1, 9)) for _, e in d.events]
    assert [from_dict(r) for r in records] == expected
    state = lifecycle.fold(from_dict(r) for r in records)  # the second day's fold
    assert state.day is not None and state.day.isoformat() == "2026-01-12"
