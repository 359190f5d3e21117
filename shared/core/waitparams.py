"""What the replay estimator knows of the office: service times, no-shows, priority arrivals.

Theory of operation
-------------------
`Params` holds, as plain values, everything `replay` draws from (see
../shared/reference/wait-estimation.md, "the method to build"):

* service times: a lognormal (mu, sigma) per (service, priority class). A cell is trusted only
  with `MIN_SERVICE_SAMPLES` durations; otherwise the estimate falls back to the service (both
  classes pooled), then to the office (every service pooled), then to the configuration's
  `mean_service_min` with a coefficient of variation of `DEFAULT_CV`;
* the probability that a called visitor is absent, as a non-decreasing piecewise-linear
  function of their wait (impatient visitors leave: the longer the wait, the likelier);
* the time a counter loses calling an absent visitor;
* how planned breaks drift: due at planned + U(`break_offset_min`) minutes, lasting planned ×
  U(`break_stretch`) (office defaults from shared/const.py until the history fits them);
* priority arrivals per minute for each (service, weekday, slot of REPLAY_SLOT_MIN minutes):
  they are the only future arrivals that can overtake a waiting ticket under strict priority.

`Params.from_rules` is the no-history default; `fit` learns them from an event log of several
days (the JSON lines of `montour export events`, decoded with events.from_dict).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from statistics import NormalDist
from typing import TypeVar

from shared.const import (
    REPLAY_BREAK_OFFSET_MIN,
    REPLAY_BREAK_STRETCH,
    REPLAY_NO_SHOW_COST_MIN,
    REPLAY_PACE_SHRINK_N,
    REPLAY_SLOT_MIN,
)
from shared.core.events import (
    Event,
    ServiceStarted,
    TicketCalled,
    TicketCompleted,
    TicketIssued,
    TicketNoShow,
    TicketTransferred,
)
from shared.core.model import Rules, ServiceCode, Ticket, TicketId, TicketState

DEFAULT_CV = 0.6  # spread assumed for a service nobody has measured yet (office data: 0.5-0.7)
DEFAULT_SERVICE_MIN = 10.0  # a service unknown even to the configuration (never in practice)
MIN_SERVICE_SAMPLES = 30  # durations before a (service, class) cell is trusted
# Without history: a few absent visitors, more after long waits (reference office: ≈ 5 %).
DEFAULT_NO_SHOW_CURVE: tuple[tuple[float, float], ...] = ((0.0, 0.02), (60.0, 0.10))

_STD = NormalDist()

K = TypeVar("K")
ClassKey = tuple[ServiceCode, bool]  # (service, priority)
SlotKey = tuple[ServiceCode, int, int]  # (service, weekday 0=Monday, slot of the day)


@dataclass(frozen=True)
class LogNormal:
    """A service time in minutes: log(duration) ~ Normal(mu, sigma)."""

    mu: float
    sigma: float

    @classmethod
    def from_mean_cv(cls, mean: float, cv: float) -> LogNormal:
        s2 = math.log1p(cv * cv)
        return cls(math.log(mean) - s2 / 2, math.sqrt(s2))

    @property
    def mean(self) -> float:
        return math.exp(self.mu + self.sigma * self.sigma / 2)

    def scaled(self, factor: float) -> LogNormal:
        """The same spread, every duration × `factor`."""
        return LogNormal(self.mu + math.log(factor), self.sigma)

    def cdf(self, x: float) -> float:
        if x <= 0:
            return 0.0
        if self.sigma <= 0:
            return 1.0 if x >= math.exp(self.mu) else 0.0
        return _STD.cdf((math.log(x) - self.mu) / self.sigma)

    def residual_mean(self, elapsed: float) -> float:
        """E[X − e | X > e]: the expected rest of a service already `elapsed` minutes long."""
        if elapsed <= 0:
            return self.mean
        if self.sigma <= 0:
            return max(0.0, math.exp(self.mu) - elapsed)
        z = (math.log(elapsed) - self.mu) / self.sigma
        tail = 1.0 - _STD.cdf(z)
        if tail < 1e-12:
            # Far in the tail the ratio is 0/0 numerically; the Mills-ratio limit takes over.
            return elapsed * self.sigma * self.sigma / max(1e-9, math.log(elapsed) - self.mu)
        return self.mean * _STD.cdf(self.sigma - z) / tail - elapsed


def curve_at(curve: tuple[tuple[float, float], ...], x: float) -> float:
    """Piecewise-linear interpolation through `curve`'s knots, flat beyond both ends."""
    if not curve:
        return 0.0
    xs = [k[0] for k in curve]
    i = bisect.bisect_right(xs, x)
    if i == 0:
        return curve[0][1]
    if i == len(curve):
        return curve[-1][1]
    (x0, y0), (x1, y1) = curve[i - 1], curve[i]
    return y0 + (y1 - y0) * (x - x0) / (x1 - x0)


@dataclass(frozen=True)
class Params:
    cells: Mapping[ClassKey, LogNormal] = field(default_factory=dict)  # trusted cells only
    services: Mapping[ServiceCode, LogNormal] = field(default_factory=dict)
    office: LogNormal | None = None
    configured: Mapping[ServiceCode, LogNormal] = field(default_factory=dict)
    no_show_curve: tuple[tuple[float, float], ...] = DEFAULT_NO_SHOW_CURVE
    no_show_cost_min: float = REPLAY_NO_SHOW_COST_MIN
    priority_rates: Mapping[SlotKey, float] = field(default_factory=dict)  # arrivals/minute
    # A planned break falls due at planned + U(lo, hi) minutes and lasts planned × U(lo, hi).
    break_offset_min: tuple[float, float] = REPLAY_BREAK_OFFSET_MIN
    break_stretch: tuple[float, float] = REPLAY_BREAK_STRETCH
    pace_shrink_n: float = REPLAY_PACE_SHRINK_N  # see today_pace; 0: no online correction
    pace: Mapping[ServiceCode, float] = field(default_factory=dict)  # today's, per service

    @classmethod
    def from_rules(cls, rules: Rules) -> Params:
        """No history: the configured means, a default spread, no priority arrivals known."""
        return cls(configured=configured(rules))

    def service_time(self, service: ServiceCode, priority: bool) -> LogNormal:
        """The fallback chain: class → service → office → configuration (see the docstring)."""
        found = self.cells.get((service, priority)) or self.services.get(service) or self.office
        if found is not None:
            return found.scaled(self.pace[service]) if service in self.pace else found
        found = self.configured.get(service) or LogNormal.from_mean_cv(
            DEFAULT_SERVICE_MIN, DEFAULT_CV
        )
        return found.scaled(self.pace[service]) if service in self.pace else found

    def no_show(self, wait_min: float) -> float:
        """Probability that a visitor called after `wait_min` minutes of wait is absent."""
        return curve_at(self.no_show_curve, wait_min)

    def priority_rate(self, service: ServiceCode, weekday: int, slot: int) -> float:
        return self.priority_rates.get((service, weekday, slot), 0.0)


def configured(rules: Rules) -> dict[ServiceCode, LogNormal]:
    return {
        code: LogNormal.from_mean_cv(s.mean_service_min, DEFAULT_CV)
        for code, s in rules.services.items()
        if s.mean_service_min > 0
    }


# --- fit ------------------------------------------------------------------------------------

MIN_NO_SHOW_SAMPLES = 50  # first calls (present or absent) before the curve is fitted
NO_SHOW_PRIOR = 20.0  # pseudo-calls at the overall rate that steady a thin bin
NO_SHOW_BINS_MIN = (0.0, 10.0, 20.0, 30.0, 45.0, 60.0, 90.0, 120.0)  # bins' lower edges


@dataclass
class _Leg:
    service: ServiceCode
    priority: bool
    issued_at: datetime
    first_leg: bool
    called_at: datetime | None = None
    first_call: datetime | None = None
    started_at: datetime | None = None
    present: bool | None = None  # decided at the first call's outcome


def fit(events: Iterable[tuple[int, Event]], rules: Rules, *, tz: tzinfo | None = None) -> Params:
    """Params learnt from a log of several days (`(seq, event)` pairs, in order).

    `tz` is the office's time zone: weekdays and slots of priority arrivals are local ones (the
    log's times are UTC). `replay` must be given the same zone.
    """
    legs: dict[TicketId, _Leg] = {}
    durations: dict[ClassKey, list[float]] = {}
    calls: list[tuple[float, bool]] = []  # (wait at first call, absent)
    costs: list[float] = []
    arrivals: dict[SlotKey, int] = {}
    days: set[date] = set()
    for _, ev in events:
        local = ev.at.astimezone(tz) if tz is not None else ev.at
        days.add(local.date())
        match ev:
            case TicketIssued():
                legs[ev.ticket] = _Leg(ev.service, ev.priority, ev.at, True)
                if ev.priority:
                    key = (ev.service, local.weekday(), _slot(local))
                    arrivals[key] = arrivals.get(key, 0) + 1
            case TicketTransferred():
                old = legs.get(ev.ticket)
                if old is not None:
                    legs[ev.new_ticket] = _Leg(ev.service, old.priority, old.issued_at, False)
            case TicketCalled():
                if (leg := legs.get(ev.ticket)) is not None:
                    leg.called_at, leg.started_at = ev.at, None
                    leg.first_call = leg.first_call or ev.at
            case ServiceStarted():
                if (leg := legs.get(ev.ticket)) is not None:
                    leg.started_at = ev.at
                    _decide(leg, True, calls)
            case TicketCompleted():
                leg = legs.get(ev.ticket)
                # A log without ServiceStarted measures from the call: walk-up included.
                start = None if leg is None else leg.started_at or leg.called_at
                if leg is not None and start is not None:
                    _decide(leg, True, calls)
                    minutes = (ev.at - start).total_seconds() / 60
                    if minutes > 0:
                        durations.setdefault((leg.service, leg.priority), []).append(minutes)
            case TicketNoShow():
                leg = legs.get(ev.ticket)
                if leg is not None and leg.called_at is not None:
                    _decide(leg, False, calls)
                    costs.append((ev.at - leg.called_at).total_seconds() / 60)
            case _:
                pass
    return Params(
        cells={k: _lognormal(v) for k, v in durations.items() if len(v) >= MIN_SERVICE_SAMPLES},
        services=_pooled(durations, lambda k: k[0]),
        office=_pooled(durations, lambda k: None).get(None),
        configured=configured(rules),
        no_show_curve=_no_show_curve(calls),
        no_show_cost_min=sum(costs) / len(costs) if costs else REPLAY_NO_SHOW_COST_MIN,
        priority_rates=_rates(arrivals, days),
    )


def _slot(local: datetime) -> int:
    return (local.hour * 60 + local.minute) // REPLAY_SLOT_MIN


def _decide(leg: _Leg, present: bool, calls: list[tuple[float, bool]]) -> None:
    # Only the visitor's own first leg tells whether they waited for their call.
    if leg.present is None and leg.first_leg and leg.first_call is not None:
        leg.present = present
        calls.append(((leg.first_call - leg.issued_at).total_seconds() / 60, not present))


def _lognormal(minutes: list[float]) -> LogNormal:
    logs = [math.log(m) for m in minutes]
    mu = sum(logs) / len(logs)
    var = sum((x - mu) ** 2 for x in logs) / max(1, len(logs) - 1)
    return LogNormal(mu, math.sqrt(var))


def _pooled(
    durations: Mapping[ClassKey, list[float]], group: Callable[[ClassKey], K]
) -> dict[K, LogNormal]:
    pools: dict[K, list[float]] = {}
    for key, values in durations.items():
        pools.setdefault(group(key), []).extend(values)
    return {k: _lognormal(v) for k, v in pools.items() if len(v) >= MIN_SERVICE_SAMPLES}


def _no_show_curve(calls: list[tuple[float, bool]]) -> tuple[tuple[float, float], ...]:
    if len(calls) < MIN_NO_SHOW_SAMPLES:
        return DEFAULT_NO_SHOW_CURVE
    overall = sum(1 for _, absent in calls if absent) / len(calls)
    bins: list[list[float]] = [[0.0, 0.0, 0.0] for _ in NO_SHOW_BINS_MIN]  # n, absent, Σwait
    for wait, absent in calls:
        b = bins[max(0, bisect.bisect_right(NO_SHOW_BINS_MIN, wait) - 1)]
        b[0], b[1], b[2] = b[0] + 1, b[1] + absent, b[2] + wait
    # Pool adjacent violators: (weight, rate, x) blocks merged until rates do not decrease.
    blocks: list[list[float]] = []
    for n, k, total in bins:
        if n == 0:
            continue
        w = n + NO_SHOW_PRIOR
        blocks.append([w, (k + NO_SHOW_PRIOR * overall) / w, total / n, n])
        while len(blocks) > 1 and blocks[-2][1] > blocks[-1][1]:
            (w1, r1, x1, n1), (w2, r2, x2, n2) = blocks.pop(-2), blocks.pop()
            blocks.append([w1 + w2, (w1 * r1 + w2 * r2) / (w1 + w2), (n1 * x1 + n2 * x2) /
                           (n1 + n2), n1 + n2])  # fmt: skip
    return tuple((x, r) for _, r, x, _ in blocks)


def _rates(arrivals: Mapping[SlotKey, int], days: set[date]) -> dict[SlotKey, float]:
    per_weekday: dict[int, int] = {}
    for d in days:
        per_weekday[d.weekday()] = per_weekday.get(d.weekday(), 0) + 1
    return {
        key: n / (per_weekday[key[1]] * REPLAY_SLOT_MIN)
        for key, n in arrivals.items()
        if per_weekday.get(key[1])
    }


# --- today's pace ---------------------------------------------------------------------------


def today_pace(
    tickets: Iterable[Ticket], params: Params, shrink_n: float
) -> dict[ServiceCode, float]:
    """Per service, how much slower (> 1) or faster today's finished services ran than fitted.

    A light online correction: the ratio of today's observed to expected minutes, shrunk
    toward the office's ratio by n / (n + `shrink_n`), itself shrunk toward 1 the same way
    (n: services finished today). Measured as `fit` measures: from the start (or the call).
    """
    if shrink_n <= 0:
        return {}
    seen: dict[ServiceCode, list[float]] = {}  # service → [observed, expected, n]
    for t in tickets:
        start = t.started_at or t.called_at
        if t.state is not TicketState.DONE or start is None or t.finished_at is None:
            continue
        minutes = (t.finished_at - start).total_seconds() / 60
        if minutes > 0:
            acc = seen.setdefault(t.service, [0.0, 0.0, 0.0])
            acc[0] += minutes
            acc[1] += params.service_time(t.service, t.priority).mean
            acc[2] += 1
    if not seen:
        return {}
    obs, exp, n = (sum(a[i] for a in seen.values()) for i in range(3))
    office = 1.0 + (obs / exp - 1.0) * n / (n + shrink_n)
    return {s: office + (o / e - office) * c / (c + shrink_n) for s, (o, e, c) in seen.items()}
