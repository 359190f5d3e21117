"""Quieter hours learned from history (shared/core/hours.py): synthetic weeks, then the
reference office's 40 history days."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from shared import config as config_mod
from shared.core import hours
from shared.core.events import Event, TicketCalled, TicketCancelled, TicketIssued, TicketNoShow
from shared.core.hours import Hours, Sample, learn
from shared.core.model import CounterId, ServiceCode, TicketId
from shared.sim.office import simulate_day

ROOT = Path(__file__).resolve().parents[2]
PARIS = ZoneInfo("Europe/Paris")
OPEN = {k: ((time(8, 30), time(16, 30)),) for k in ("mon", "tue", "wed", "thu", "fri")}
# Typical wait per hour (minutes): quiet at the edges, busy late morning and over lunch.
BASE = {8: 2.0, 9: 6.0, 10: 30.0, 11: 40.0, 12: 25.0, 13: 15.0, 14: 8.0, 15: 3.0, 16: 1.0}
MONDAY_FACTOR = 1.2
FIRST_MONDAY = date(2026, 1, 5)

Wait = Callable[[date, int], float]


def weekdays(weeks: int) -> list[date]:
    return [FIRST_MONDAY + timedelta(days=7 * w + d) for w in range(weeks) for d in range(5)]


def typical(day: date, hour: int) -> float:
    return BASE[hour] * (MONDAY_FACTOR if day.weekday() == 0 else 1.0)


def synthetic(weeks: int, wait: Wait = typical, per_hour: int = 4, seed: int = 1) -> list[Sample]:
    rng = random.Random(seed)
    return [
        Sample(day, hour, wait(day, hour) * rng.uniform(0.9, 1.1))
        for day in weekdays(weeks)
        for hour in BASE
        for _ in range(per_hour)
    ]


def cell(h: Hours, weekday: int, hour: int) -> hours.Cell:
    (found,) = [c for c in h.cells if (c.weekday, c.hour) == (weekday, hour)]
    return found


def test_quieter_and_busy_are_the_hours_of_a_known_structure() -> None:
    h = learn(synthetic(6), OPEN)
    assert (h.status, h.history_days, h.needed_days) == ("ok", 30, 20)
    assert len(h.cells) == 45  # 5 open weekdays × 9 hours (08:30–16:30 touches 8 … 16)
    for day in OPEN:
        assert h.quieter[day] == ((time(8, 30), time(9, 0)), (time(15, 0), time(16, 30)))
        assert h.busy[day] == ((time(10, 0), time(13, 0)),)
    for hour in BASE:  # the weekday effect is found: Monday is slower at every hour
        assert cell(h, 0, hour).wait_min > cell(h, 1, hour).wait_min
    assert cell(h, 1, 11).wait_min == pytest.approx(40.0, rel=0.1)
    assert cell(h, 1, 8).wait_min == pytest.approx(2.0, rel=0.1)


def test_busy_threshold_keeps_only_cells_at_or_above_it() -> None:
    h = learn(synthetic(6), OPEN, busy_threshold_min=35.0)  # Monday 10:00 ≈ 36 min, Tuesday 30
    assert h.busy["mon"] == ((time(10, 0), time(12, 0)),)
    assert all(h.busy[day] == ((time(11, 0), time(12, 0)),) for day in ("tue", "wed", "thu", "fri"))
    assert learn(synthetic(6), OPEN, busy_threshold_min=100.0).busy == {}


def test_three_wild_days_do_not_make_a_cell_busy_on_its_own() -> None:
    wild = {FIRST_MONDAY + timedelta(days=7 * w + 2) for w in (0, 2, 4)}  # three Wednesdays

    def wait(day: date, hour: int) -> float:
        return 200.0 if day in wild and hour == 15 else typical(day, hour)

    h = learn(synthetic(6, wait), OPEN)
    wed15 = cell(h, 2, 15)
    assert wed15.days == 6  # under the 8 days a single cell needs: the model value only
    assert wed15.wait_min < 10.0  # its own mean, log-averaged, would be ≈ 27 min
    assert h.quieter["wed"] != h.quieter["tue"]  # it is not quieter any more …
    assert h.busy["wed"] == ((time(10, 0), time(13, 0)),)  # … but not busy either


def test_shrinkage_moves_a_trusted_cell_toward_its_own_mean() -> None:
    def wait(day: date, hour: int) -> float:
        return 12.0 if day.weekday() == 2 and hour == 15 else typical(day, hour)

    short, long = learn(synthetic(6, wait), OPEN), learn(synthetic(10, wait), OPEN)
    assert cell(short, 2, 15).days == 6 and cell(long, 2, 15).days == 10
    thursday = cell(long, 3, 15).wait_min
    # 6 days: model only (a little above the other days' 3 min); 10 days: 10/18 of its own mean.
    assert thursday < cell(short, 2, 15).wait_min < 6.0
    assert cell(short, 2, 15).wait_min < cell(long, 2, 15).wait_min < 12.0
    assert cell(long, 2, 15).wait_min > 7.0


def test_less_than_four_weeks_is_not_enough_history() -> None:
    h = learn(synthetic(3), OPEN)
    assert h == Hours("not_enough_history", 15, 20, (), {}, {})
    # Four weeks but a holiday Monday: Monday was seen only 3 times.
    holiday = FIRST_MONDAY + timedelta(days=14)
    h = learn(synthetic(4), OPEN, excluded={holiday})
    assert (h.status, h.history_days, h.needed_days) == ("not_enough_history", 19, 20)
    assert learn(synthetic(4), OPEN).status == "ok"


def test_an_incident_day_is_left_out() -> None:
    incident = FIRST_MONDAY + timedelta(days=8)  # the second Tuesday: a strike, 2 tickets
    samples = [s for s in synthetic(5) if s.day != incident]
    samples += [Sample(incident, 11, 300.0), Sample(incident, 15, 300.0)]
    h = learn(samples, OPEN)
    assert (h.status, h.history_days) == ("ok", 24)
    assert cell(h, 1, 15).days == 4 and cell(h, 1, 10).days == 4
    assert h.quieter["tue"] == ((time(8, 30), time(9, 0)), (time(15, 0), time(16, 30)))
    # With only four weeks, losing that Tuesday delays publication.
    four = [s for s in samples if s.day < FIRST_MONDAY + timedelta(days=28)]
    assert learn(four, OPEN).status == "not_enough_history"


def test_bands() -> None:
    cases = [(0.0, "under_5"), (4.99, "under_5"), (5.0, "under_10"), (9.9, "under_10"),
             (10.0, "under_20"), (29.9, "under_30"), (30.0, "over_30"), (240.0, "over_30")]  # fmt: skip
    assert [hours.band(w) for w, _ in cases] == [b for _, b in cases]
    h = learn(synthetic(6), OPEN)
    assert all(c.band == hours.band(c.wait_min) for c in h.cells)
    assert cell(h, 1, 8).band == "under_5" and cell(h, 1, 11).band == "over_30"
    assert cell(h, 1, 13).band == "under_20"


def test_samples_from_events_count_the_wait_until_the_first_call() -> None:
    def at(hh: int, mm: int) -> datetime:  # office time, stored in UTC as the hub does
        return datetime(2026, 3, 2, hh, mm, tzinfo=PARIS).astimezone(UTC)

    def issued(n: str, hh: int, mm: int) -> TicketIssued:
        return TicketIssued(
            at(hh, mm), TicketId(n), "t" + n, ServiceCode("A"), 1, "A001", False, "fr"
        )

    g1 = CounterId("G1")
    log: list[Event] = [
        issued("1", 9, 55), issued("2", 10, 5), issued("3", 10, 10), issued("4", 10, 20),
        TicketCalled(at(10, 15), TicketId("1"), g1, "oldest", ""),
        TicketCancelled(at(10, 30), TicketId("2")),  # never called: no wait
        TicketCalled(at(10, 40), TicketId("3"), g1, "oldest", ""),
        TicketNoShow(at(10, 42), TicketId("3"), g1, False),  # a no-show waited all the same
        TicketCalled(at(11, 0), TicketId("3"), g1, "reactivated", ""),  # only the first call
    ]  # fmt: skip
    samples = hours.samples_from_events(enumerate(log, 1), PARIS)  # ticket 4: still waiting
    assert samples == [Sample(date(2026, 3, 2), 9, 20.0), Sample(date(2026, 3, 2), 10, 30.0)]


# --- the reference office: 40 history days ----------------------------------------------------


@pytest.fixture(scope="module")
def reference() -> Hours:
    cfg = config_mod.load(ROOT / "assets" / "sim" / "reference-office.toml")
    days = weekdays(8)
    samples: list[Sample] = []
    for seed, day in zip(range(1000, 1040), days, strict=True):
        samples += hours.samples_from_events(simulate_day(seed, day, cfg.tz).events, cfg.tz)
    return learn(samples, cfg.hours, busy_threshold_min=cfg.busy_threshold_min)


def test_reference_office_lunch_is_not_quieter_despite_fewer_arrivals(reference: Hours) -> None:
    h = reference
    assert (h.status, h.history_days, h.needed_days) == ("ok", 40, 20)
    for wd, key in enumerate(OPEN):
        quiet = h.quieter[key]
        assert quiet[0][0] == time(8, 30)  # the opening half hour, every day
        assert quiet[-1][1] == time(16, 30)  # and the end of the day
        assert not any(a < time(14) and b > time(12) for a, b in quiet)  # never 12:00–14:00
        # 12:00 has the fewest arrivals of the full hours (22/h), yet among the 3 longest waits.
        by_wait = sorted(range(8, 17), key=lambda hr: -cell(h, wd, hr).wait_min)
        assert 12 in by_wait[:3]
        assert cell(h, wd, 12).wait_min > cell(h, wd, 9).wait_min > cell(h, wd, 8).wait_min
    busy_hours = {
        hr for periods in h.busy.values() for a, b in periods for hr in range(a.hour, b.hour)
    }
    assert busy_hours and busy_hours <= {10, 11, 12}
