"""The random draws of the replay (shared/core/replay.py) and their mean-value twin for the
degraded mode: a service's remaining time given the time already spent (the lognormal
truncated there, by inverse CDF), a call that may meet an absent visitor, a break's drift and
stretch, the gaps between priority arrivals; and the percentiles read from the K samples."""

from __future__ import annotations

import bisect
import math
import random
from statistics import NormalDist

from shared.core.waitparams import LogNormal, Params

_INV = NormalDist().inv_cdf
_U_MAX = 1.0 - 1e-12  # inv_cdf(1) is infinite


class Random:
    def __init__(self, rng: random.Random, params: Params) -> None:
        self.random, self.lognormvariate = rng.random, rng.lognormvariate
        self.expovariate = rng.expovariate
        self.cost = params.no_show_cost_min
        self.offsets, self.stretches = params.break_offset_min, params.break_stretch

    def offset(self) -> float:
        lo, hi = self.offsets
        return lo + (hi - lo) * self.random()

    def stretch(self, at_least: float = 0.0) -> float:
        """A break's stretch, given that it already lasted `at_least` × its planned length."""
        lo, hi = self.stretches
        lo = max(lo, at_least)
        return hi if lo >= hi else lo + (hi - lo) * self.random()

    def rest(self, d: LogNormal, elapsed: float) -> float:
        if d.sigma <= 0:
            return max(0.0, math.exp(d.mu) - elapsed)
        low = d.cdf(elapsed)
        u = min(_U_MAX, low + (1.0 - low) * self.random())
        return max(0.0, math.exp(d.mu + d.sigma * _INV(u)) - elapsed)

    def call(self, d: LogNormal, p_absent: float) -> float:
        if p_absent > 0 and self.random() < p_absent:
            return self.cost
        return self.lognormvariate(d.mu, d.sigma) if d.sigma > 0 else math.exp(d.mu)

    def gap(self) -> float:
        return self.expovariate(1.0)


class Mean:
    def __init__(self, params: Params) -> None:
        self.cost = params.no_show_cost_min
        self.offsets, self.stretches = params.break_offset_min, params.break_stretch

    def offset(self) -> float:
        return sum(self.offsets) / 2

    def stretch(self, at_least: float = 0.0) -> float:
        lo, hi = self.stretches
        return hi if at_least >= hi else (max(lo, at_least) + hi) / 2

    def rest(self, d: LogNormal, elapsed: float) -> float:
        return d.residual_mean(elapsed)

    def call(self, d: LogNormal, p_absent: float) -> float:
        return p_absent * self.cost + (1.0 - p_absent) * d.mean

    def gap(self) -> float:
        return 1.0


def curve(xs: list[float], knots: tuple[tuple[float, float], ...], x: float) -> float:
    if not xs:
        return 0.0
    i = bisect.bisect_right(xs, x)
    if i == 0 or i == len(xs):
        return knots[0][1] if i == 0 else knots[-1][1]
    (x0, y0), (x1, y1) = knots[i - 1], knots[i]
    return y0 + (y1 - y0) * (x - x0) / (x1 - x0)


def pct(sorted_values: list[float], q: float) -> float:
    """Percentile of sorted values at position (n + 1)·q (numpy's "weibull" method).

    Numpy's default, (n − 1)·q, puts p10 and p90 of K = 48 draws at order statistics that a
    new draw falls between with probability (42.3 − 4.7) / 49 ≈ 77 %, not 80 %: its ranges are
    too narrow by construction. At (n + 1)·q that probability is 80 % for any K ≥ 9.
    """
    h = min(max((len(sorted_values) + 1) * q - 1, 0.0), len(sorted_values) - 1.0)
    lo = int(h)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (h - lo)
