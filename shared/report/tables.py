"""The office's figures per service × day, with totals, and the suppression rule (pure).

Suppression. A figure computed from fewer than MIN_VISITORS visitors (1 to 4) is published as
SUPPRESSED, never as a number. Each figure has its base — the visitors it is computed from:
tickets, served, no-shows and cancelled count the cell's visitors; the mean and p90 wait and
the share within the target wait count the visitors who were called (who have a wait); the mean
service time counts those served; call-backs count the call-back requests. A base of 0 gives
no number to protect: counts are published as 0, means are left empty.

Totals must not give a suppressed cell back by subtraction: the table has margins (each
service over the period, all services each day, and all services over the period), and in any
line of cells whose total is published, a lone suppressed cell would equal the total minus the
others. So in each such line with exactly one suppressed cell, the published cell of smallest
base is suppressed too (secondary suppression), or the total itself when there is none; this
runs to a fixed point, since a new suppression can leave another line with a lone one. Means
are protected the same way, since base × mean is additive. The weekday × hour heat map crosses
the table differently; it publishes no visitor counts, so its suppressed means cannot be solved
for exactly from the published totals.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from shared.report.visits import Visit

MIN_VISITORS = 5
SUPPRESSED = "suppressed"
ALL = "*"  # a margin: all services, or the whole period

Key = tuple[str, str]  # (service code or ALL, ISO day or ALL)
Value = float | int | str | None  # a number, SUPPRESSED, or None (no data)

# Figures (CSV columns), grouped by the base they are computed from.
FAMILIES: dict[str, tuple[str, ...]] = {
    "visitors": ("tickets", "served", "no_shows", "cancelled"),
    "waited": ("mean_wait_min", "p90_wait_min", "within_target_pct"),
    "served": ("mean_service_min",),
    "callbacks": ("callbacks",),
}
COLUMNS = tuple(f for family in FAMILIES.values() for f in family)


@dataclass(frozen=True)
class _Raw:
    visits: tuple[Visit, ...]
    callbacks: int

    def base(self, family: str) -> int:
        if family == "visitors":
            return len(self.visits)
        if family == "waited":
            return len(self.waits)
        if family == "served":
            return len(self.service_mins)
        return self.callbacks

    @property
    def waits(self) -> list[float]:
        return [w for v in self.visits if (w := v.wait_min) is not None]

    @property
    def service_mins(self) -> list[float]:
        return [s for v in self.visits if v.outcome == "done" and (s := v.service_min) is not None]

    def figures(self, target_min: float) -> dict[str, Value]:
        waits, services = self.waits, self.service_mins
        outcomes = [v.outcome for v in self.visits]
        return {
            "tickets": len(self.visits),
            "served": outcomes.count("done"),
            "no_shows": outcomes.count("no_show"),
            "cancelled": outcomes.count("cancelled"),
            "mean_wait_min": statistics.fmean(waits) if waits else None,
            "p90_wait_min": p90(waits) if waits else None,
            "within_target_pct": (
                100.0 * sum(w <= target_min for w in waits) / len(waits) if waits else None
            ),
            "mean_service_min": statistics.fmean(services) if services else None,
            "callbacks": self.callbacks,
        }


def p90(values: Sequence[float]) -> float:
    """The 90th percentile, linear between order statistics (as numpy's default)."""
    ordered = sorted(values)
    position = 0.9 * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class Table:
    services: tuple[str, ...]
    days: tuple[str, ...]  # ISO dates with at least one visit or call-back
    cells: Mapping[Key, Mapping[str, Value]]  # published: numbers, SUPPRESSED or None

    def get(self, service: str, day: str, figure: str) -> Value:
        return self.cells[(service, day)][figure]


def build(
    visits: Iterable[Visit],
    callbacks: Iterable[tuple[str, date]],
    services: Sequence[str],
    target_min: float,
) -> Table:
    """The table of `visits` and call-backs `(service, office-local day)` per service × day."""
    by_key: dict[Key, list[Visit]] = {}
    calls: dict[Key, int] = {}
    seen: set[str] = set()
    for v in visits:
        seen.add(v.day.isoformat())
        for key in _keys(v.service, v.day.isoformat()):
            by_key.setdefault(key, []).append(v)
    for service, day in callbacks:
        seen.add(day.isoformat())
        for key in _keys(service, day.isoformat()):
            calls[key] = calls.get(key, 0) + 1
    codes = tuple(services) + tuple(sorted({v[0] for v in by_key} - {*services, ALL}))
    days = tuple(sorted(seen))
    keys = [(s, d) for s in (*codes, ALL) for d in (*days, ALL)]
    raw = {k: _Raw(tuple(by_key.get(k, ())), calls.get(k, 0)) for k in keys}
    published = {k: raw[k].figures(target_min) for k in keys}
    for family, figures in FAMILIES.items():
        bases = {k: raw[k].base(family) for k in keys}
        for key in protect(bases, codes, days):
            for figure in figures:
                published[key][figure] = SUPPRESSED
    return Table(codes, days, published)


def _keys(service: str, day: str) -> list[Key]:
    return [(service, day), (service, ALL), (ALL, day), (ALL, ALL)]


def protect(bases: Mapping[Key, int], services: Sequence[str], days: Sequence[str]) -> set[Key]:
    """The cells to suppress: primary (0 < base < MIN_VISITORS), then secondary (see above)."""
    hidden = {k for k, n in bases.items() if 0 < n < MIN_VISITORS}
    lines = [([(s, d) for d in days], (s, ALL)) for s in (*services, ALL)]
    lines += [([(s, d) for s in services], (ALL, d)) for d in (*days, ALL)]
    changed = True
    while changed:
        changed = False
        for members, total in lines:
            if total in hidden:
                continue
            lone = [m for m in members if m in hidden and bases[m] > 0]
            if len(lone) != 1:
                continue
            others = [m for m in members if m not in hidden and bases[m] > 0]
            hidden.add(min(others, key=lambda m: bases[m]) if others else total)
            changed = True
    return hidden


def heatmap(visits: Iterable[Visit]) -> dict[tuple[int, int], Value]:
    """Mean wait per (weekday 0=Monday, hour of issue); SUPPRESSED under MIN_VISITORS waits."""
    waits: dict[tuple[int, int], list[float]] = {}
    for v in visits:
        if (w := v.wait_min) is not None:
            waits.setdefault((v.day.weekday(), v.hour), []).append(w)
    return {k: statistics.fmean(ws) if len(ws) >= MIN_VISITORS else SUPPRESSED
            for k, ws in sorted(waits.items())}  # fmt: skip


def fmt(value: Value) -> str:
    """A CSV cell: counts as integers, minutes and percentages to one decimal."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    return f"{value:.1f}"
