"""The benchmark's metrics (reference, "Protocol and metrics"), over (prediction, truth) pairs.

error = predicted − true wait, in minutes (bias > 0: we promise longer waits than happen).
Coverage of the p10–p90 range is counted on the tickets that had to wait (truth > 0) only: a
ticket called at once gets [0, 0] and is always "covered", which would flatter the figure.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

from shared.waitbench.harness import Prediction, Scored

WITHIN_MIN = 5.0  # "within ±5 min"
WITHIN_SHARE = 0.20  # "within ±max(5 min, 20 %)"

K = TypeVar("K", bound=Hashable)  # a ticket (issue time) or (update, ticket)


@dataclass(frozen=True)
class Row:
    name: str
    n: int  # tickets scored (present visitors with a prediction)
    missing: int  # tickets the estimator gave no figure for
    mae: float
    rmse: float
    p90_abs: float
    bias: float
    within_5: float  # percent
    within_5_20: float  # percent
    coverage: float | None  # percent of waiting tickets inside [p10, p90]; None: no range
    p99_ms: float  # compute time per event (an issue, or an update of every waiting ticket)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def percentile(values: Sequence[float], q: float) -> float:
    """Linearly interpolated percentile (numpy's default); nan for no values."""
    if not values:
        return math.nan
    s = sorted(values)
    h = (len(s) - 1) * q
    lo = int(h)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (h - lo)


def score(name: str, scored: Scored[K], truth: Mapping[K, float]) -> Row:
    pairs: list[tuple[Prediction, float]] = [
        (p, truth[tid]) for tid, p in scored.predictions.items() if tid in truth
    ]
    errors = [p.mean_min - t for p, t in pairs]
    n = len(errors)
    absolute = [abs(e) for e in errors]

    def share(hits: int, of: int) -> float:
        return 100.0 * hits / of if of else math.nan

    ranged = [(p, t) for p, t in pairs if t > 0 and p.p10_min is not None]
    coverage = None
    if ranged:
        inside = sum(1 for p, t in ranged if _inside(p, t))
        coverage = share(inside, len(ranged))
    return Row(
        name=name, n=n, missing=scored.missing,
        mae=sum(absolute) / n if n else math.nan,
        rmse=math.sqrt(sum(e * e for e in errors) / n) if n else math.nan,
        p90_abs=percentile(absolute, 0.9),
        bias=sum(errors) / n if n else math.nan,
        within_5=share(sum(1 for a in absolute if a <= WITHIN_MIN), n),
        within_5_20=share(
            sum(1 for a, (_, t) in zip(absolute, pairs, strict=True)
                if a <= max(WITHIN_MIN, WITHIN_SHARE * t)), n),
        coverage=coverage,
        p99_ms=1000.0 * percentile(scored.seconds, 0.99),
    )  # fmt: skip


def _inside(p: Prediction, truth: float) -> bool:
    low, high = p.p10_min, p.p90_min
    return low is not None and high is not None and low <= truth <= high


HEADER = ("estimator", "n", "miss", "MAE", "RMSE", "p90|e|", "bias", "±5min%", "±5/20%",
          "cov%", "p99 ms")  # fmt: skip


def table(rows: Sequence[Row]) -> str:
    """A plain-text table, one row per estimator (minutes unless said)."""

    def f(x: float | None, digits: int = 2) -> str:
        return "—" if x is None or math.isnan(x) else f"{x:.{digits}f}"

    lines = [[r.name, str(r.n), str(r.missing), f(r.mae), f(r.rmse), f(r.p90_abs), f(r.bias),
              f(r.within_5, 1), f(r.within_5_20, 1), f(r.coverage, 1), f(r.p99_ms)]
             for r in rows]  # fmt: skip
    widths = [max(len(x) for x in col) for col in zip(HEADER, *lines, strict=True)]
    out = []
    for cells in (HEADER, *lines):
        out.append(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            )
        )
    return "\n".join(out)
