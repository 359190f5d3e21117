"""One day's random facts, drawn up front from one `random.Random(seed)`.

Everything random is drawn here, in a fixed order, before the day is played: the play itself
(shared/sim/office.py) is then deterministic, so a visitor's true service time does not depend
on which counter happened to call them, and a day is reproducible alone from its seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from shared import const
from shared.core.model import CounterId, ServiceCode
from shared.sim import reference as ref


@dataclass(frozen=True)
class Visitor:
    """The simulator's truth about one visitor; the hub only ever sees their ticket."""

    n: int  # 1-based order of arrival in the day
    arrival_min: float
    service: ServiceCode
    priority: bool
    service_min: float  # the true service time, if present when called
    patience_min: float | None  # None: patient (waits for ever)


@dataclass(frozen=True)
class BreakPlan:
    counter: CounterId
    due_min: float  # planned + U(−5, +10): taken when the counter next frees from then on
    planned_min: float  # the planned duration: the `until` the agent gives is start + this
    actual_min: float  # planned × U(0.9, 1.2)


@dataclass(frozen=True)
class DayDraw:
    seed: int
    stress: bool
    factor: float  # the day's volume factor, Gamma(mean 1, CV 0.10)
    visitors: tuple[Visitor, ...]
    breaks: tuple[BreakPlan, ...]
    absent: CounterId | None  # stress set, even seeds: never opens, without notice


def draw_day(seed: int, stress: bool = False) -> DayDraw:
    rng = random.Random(seed)
    shape = 1.0 / (ref.DAILY_FACTOR_CV**2)
    factor = rng.gammavariate(shape, 1.0 / shape)
    visitors = _visitors(rng, factor, stress)
    lo, hi = const.SIM_BREAK_OFFSET_MIN
    s_lo, s_hi = const.SIM_BREAK_STRETCH
    breaks = tuple(
        BreakPlan(c.id, b.at_min + rng.uniform(lo, hi), b.duration_min,
                  b.duration_min * rng.uniform(s_lo, s_hi))
        for c in ref.COUNTERS
        for b in c.breaks
    )  # fmt: skip
    absent = None
    if stress and seed % 2 == 0:
        # From the seed, not the stream: the same day keeps its draws with or without it.
        absent = ref.COUNTERS[(seed // 2) % len(ref.COUNTERS)].id
    return DayDraw(seed, stress, factor, visitors, breaks, absent)


def _visitors(rng: random.Random, factor: float, stress: bool) -> tuple[Visitor, ...]:
    codes = [s.code for s in ref.SERVICES]
    shares = [s.share for s in ref.SERVICES]
    out: list[Visitor] = []
    # Piecewise-constant rate: exponential gaps within each slot; memorylessness lets a gap
    # that overruns its slot restart at the next slot's boundary with the new rate.
    for start, end, per_hour in ref.ARRIVAL_PROFILE:
        rate = per_hour * factor / 60.0
        t = start + rng.expovariate(rate)
        while t < end:
            service = rng.choices(codes, shares)[0]
            priority = rng.random() < ref.PRIORITY_SHARE
            mu, sigma = ref.lognormal_params(service, priority, stress)
            service_min = rng.lognormvariate(mu, sigma)
            impatient = rng.random() < ref.IMPATIENT_SHARE
            patience = rng.expovariate(1.0 / const.SIM_PATIENCE_MEAN_MIN) if impatient else None
            out.append(Visitor(len(out) + 1, t, service, priority, service_min, patience))
            t += rng.expovariate(rate)
    return tuple(out)
