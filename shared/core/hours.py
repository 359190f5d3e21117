"""Quieter and busy hours, learned from the waits of past tickets.

Theory of operation
-------------------
A *sample* is one ticket: the office-local day and hour it was issued, and its wait (first
call − issue). Tickets never called (cancelled, still waiting) carry no wait and give no
sample; a no-show does (the wait until the call that found nobody). Legs of a transfer are not
new arrivals and are ignored.

Evidence is counted in days, not tickets: a busy hour has more tickets but not more
independent evidence. The unit is the day × hour: y = log(1 + the median wait of that hour's
tickets). The median, not the mean of the logs: a public "usually under 10 min" must hold for
most visitors, and the geometric mean of an hour's waits (many priority tickets wait 0) sits
well below its median (reference office, 11:00: 15 vs 24 min). The log tames the few very
long days. For each weekday × hour cell, n = the days it has a unit, ȳ = their mean.

Days left out: the `excluded` ones (holidays), and incident days, whose volume (samples) is
below HOURS_INCIDENT_VOLUME_SHARE of the median volume of the usable days of their weekday.

Publication: only when every open weekday has at least HOURS_MIN_WEEKS usable days ("4 weeks
of history"); `history_days` counts the usable days, `needed_days` is HOURS_MIN_WEEKS × the
number of open weekdays. Counting each weekday, rather than the calendar span, keeps a weekday
the office seldom saw from being published on the other days' evidence alone.

The model: y ~ μ + a(weekday) + b(hour), fitted by weighted least squares (backfitting) on the
cell means, weight n. A cell with n ≥ HOURS_TRUST_DAYS is shrunk toward the model by
n / (n + k), k = HOURS_SHRINK_K_DAYS; a cell with fewer days gets the model value only, so a
few wild days cannot make an hour "busy" on their own. The prediction, exp(y) − 1, is the
typical (median) wait of a ticket taken then; the public sees only its band.

Ranking: the open cells of the week sorted by predicted wait (then weekday, hour); the lowest
HOURS_QUIETER_SHARE are quieter, the highest are busy, and when `busy_threshold_min` is given
only cells at or above it stay busy (an office that is quiet all week has no busy hours).
Periods are the cells' hours clipped to the opening hours, adjacent ones merged.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo

from shared import const
from shared.core.events import Event, TicketCalled, TicketIssued

Periods = tuple[tuple[time, time], ...]  # as shared.config.Periods (core does not import it)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_BACKFIT_ROUNDS = 100


@dataclass(frozen=True)
class Sample:
    day: date  # office-local date of the ticket
    hour: int  # office-local hour the ticket was issued, 0-23
    wait_min: float  # first call − issue, minutes (≥ 0)


@dataclass(frozen=True)
class Cell:
    weekday: int  # 0 = Monday
    hour: int
    wait_min: float  # predicted typical wait of a ticket taken then (shrunk), minutes
    days: int  # days of evidence for this cell
    band: str  # "under_5" | "under_10" | "under_20" | "under_30" | "over_30"


@dataclass(frozen=True)
class Hours:
    status: str  # "ok" | "not_enough_history"
    history_days: int  # usable days counted (after exclusions)
    needed_days: int  # what publishing needs
    cells: tuple[Cell, ...]  # every open weekday × hour (empty when not enough history)
    quieter: Mapping[str, Periods]  # "mon".."sun" → ((time, time), ...), adjacent hours merged
    busy: Mapping[str, Periods]


def samples_from_events(events: Iterable[tuple[int, Event]], tz: tzinfo) -> list[Sample]:
    """One sample per ticket issued and then called, in the office's time zone `tz`."""
    issued: dict[str, datetime] = {}
    out: list[Sample] = []
    for _, event in events:
        if isinstance(event, TicketIssued):
            issued[event.ticket] = event.at
        elif isinstance(event, TicketCalled) and event.ticket in issued:
            at = issued.pop(event.ticket)  # only the first call counts
            local = at.astimezone(tz)
            wait = max(0.0, (event.at - at).total_seconds() / 60)
            out.append(Sample(local.date(), local.hour, wait))
    return out


def band(wait_min: float) -> str:
    for bound, name in const.HOURS_BANDS:
        if wait_min < bound:
            return name
    return const.HOURS_OVER_BAND


def learn(
    samples: Iterable[Sample],
    open_hours: Mapping[str, Periods],
    *,
    excluded: Collection[date] = (),
    busy_threshold_min: float | None = None,
) -> Hours:
    """The week's quieter and busy hours, or "not_enough_history" with the counts."""
    open_cells = _open_cells(open_hours)
    units: dict[date, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for s in samples:
        if s.day not in excluded and (s.day.weekday(), s.hour) in open_cells:
            units[s.day][s.hour].append(s.wait_min)
    days = _usable_days({d: sum(map(len, hours.values())) for d, hours in units.items()})
    open_weekdays = {wd for wd, _ in open_cells}
    needed = const.HOURS_MIN_WEEKS * len(open_weekdays)
    seen = [sum(1 for d in days if d.weekday() == wd) for wd in open_weekdays]
    if not open_weekdays or min(seen) < const.HOURS_MIN_WEEKS:
        return Hours("not_enough_history", len(days), needed, (), {}, {})
    by_cell: dict[tuple[int, int], list[float]] = defaultdict(list)
    for d in days:
        for hour, waits in units[d].items():
            by_cell[(d.weekday(), hour)].append(math.log1p(statistics.median(waits)))
    means = {c: (statistics.fmean(ys), len(ys)) for c, ys in by_cell.items()}
    mu, a, b = _additive_fit(means)
    cells = []
    for wd, hour in sorted(open_cells):
        model = mu + a.get(wd, 0.0) + b.get(hour, 0.0)
        ybar, n = means.get((wd, hour), (model, 0))
        k = const.HOURS_SHRINK_K_DAYS
        y = (n * ybar + k * model) / (n + k) if n >= const.HOURS_TRUST_DAYS else model
        wait = max(0.0, math.expm1(y))
        cells.append(Cell(wd, hour, wait, n, band(wait)))
    quieter, busy = _rank(cells, busy_threshold_min)
    return Hours(
        "ok", len(days), needed, tuple(cells),
        _periods(quieter, open_hours), _periods(busy, open_hours),
    )  # fmt: skip


def _open_cells(open_hours: Mapping[str, Periods]) -> set[tuple[int, int]]:
    """Every (weekday, hour) whose hour overlaps an opening period."""
    out: set[tuple[int, int]] = set()
    for key, periods in open_hours.items():
        for start, end in periods:
            last = (
                end.hour if (end.minute, end.second, end.microsecond) != (0, 0, 0) else end.hour - 1
            )
            out.update((WEEKDAYS.index(key), h) for h in range(start.hour, last + 1))
    return out


def _usable_days(volume: Mapping[date, int]) -> list[date]:
    """The days whose volume is not an incident's (below a share of their weekday's median)."""
    by_weekday: dict[int, list[int]] = defaultdict(list)
    for d, n in volume.items():
        by_weekday[d.weekday()].append(n)
    medians = {wd: statistics.median(ns) for wd, ns in by_weekday.items()}
    share = const.HOURS_INCIDENT_VOLUME_SHARE
    return sorted(d for d, n in volume.items() if n >= share * medians[d.weekday()])


def _additive_fit(
    means: Mapping[tuple[int, int], tuple[float, int]],
) -> tuple[float, dict[int, float], dict[int, float]]:
    """μ, a(weekday), b(hour) minimising Σ n (ȳ − μ − a − b)², by backfitting."""
    total = sum(n for _, n in means.values())
    mu = sum(y * n for y, n in means.values()) / total
    a = {wd: 0.0 for wd, _ in means}
    b = {h: 0.0 for _, h in means}
    for _ in range(_BACKFIT_ROUNDS):
        moved = 0.0
        for effect, axis in ((a, 0), (b, 1)):
            for key in effect:
                rows = [(c, y, n) for c, (y, n) in means.items() if c[axis] == key]
                other = b if axis == 0 else a
                new = sum(n * (y - mu - other[c[1 - axis]]) for c, y, n in rows)
                new /= sum(n for _, _, n in rows)
                moved = max(moved, abs(new - effect[key]))
                effect[key] = new
        if moved < 1e-9:
            break
    return mu, a, b


def _rank(cells: list[Cell], busy_threshold_min: float | None) -> tuple[list[Cell], list[Cell]]:
    ordered = sorted(cells, key=lambda c: (c.wait_min, c.weekday, c.hour))
    third = int(len(ordered) * const.HOURS_QUIETER_SHARE)
    quieter = ordered[:third]
    busy = ordered[len(ordered) - third :] if third else []
    if busy_threshold_min is not None:
        busy = [c for c in busy if c.wait_min >= busy_threshold_min]
    return quieter, busy


def _periods(cells: list[Cell], open_hours: Mapping[str, Periods]) -> dict[str, Periods]:
    """Per weekday key, the cells' hours clipped to the opening periods, adjacent ones merged."""
    out: dict[str, Periods] = {}
    for wd, key in enumerate(WEEKDAYS):
        pieces: list[tuple[time, time]] = []
        for hour in sorted(c.hour for c in cells if c.weekday == wd):
            lo, hi = time(hour), time(hour + 1) if hour < 23 else time.max
            for start, end in open_hours.get(key, ()):
                piece = (max(lo, start), min(hi, end))
                if piece[0] >= piece[1]:
                    continue
                if pieces and pieces[-1][1] == piece[0]:
                    pieces[-1] = (pieces[-1][0], piece[1])
                else:
                    pieces.append(piece)
        if pieces:
            out[key] = tuple(sorted(pieces))
    return out
