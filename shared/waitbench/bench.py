"""The benchmark run: simulate history and test days, fit once, score every estimator.

History (seeds 1000–1039) is played on the 40 weekdays from sim.cli.START; test days (seeds
1–20) on the weekdays after it, so that weekday-dependent rates are learnt on earlier weeks.
Each test day is scored independently (its own random streams, seeded by the day's seed), so
days can run in parallel processes and the result does not depend on how they were shared out.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from shared.core.model import TicketId
from shared.core.waitparams import Params, fit
from shared.sim import reference as ref
from shared.sim.cli import START, TIMEZONE, simulate_days, weekdays
from shared.sim.office import simulate_day
from shared.waitbench import baselines as bl
from shared.waitbench.estimators import Replay, oracle_params
from shared.waitbench.harness import DayResult, Estimator, Scored, run_day
from shared.waitbench.metrics import Row, score

ORDER = ("NAIVE", "QL", "LES", "HOL", "replay", "oracle")
TEST_START = START + timedelta(weeks=len(ref.HISTORY_SEEDS) // 5)  # the Monday after history


def fit_history() -> Params:
    seeds = ref.HISTORY_SEEDS
    events = (e for sim in simulate_days(seeds.start, len(seeds)) for e in sim.events)
    return fit(events, ref.rules(), tz=ZoneInfo(TIMEZONE))


def estimators(seed: int, params: Params, stress: bool, k: int, oracle_k: int) -> list[Estimator]:
    rules, tz = ref.rules(), ZoneInfo(TIMEZONE)
    means = bl.Means.from_params(params, rules)
    ql = bl.QL(rules, means)
    return [
        bl.Naive(means), ql, bl.LES(ql), bl.HOL(ql),
        Replay("replay", rules, params, k, random.Random(seed * 2 + 1), tz),
        Replay("oracle", rules, oracle_params(rules, stress), oracle_k,
               random.Random(seed * 2 + 2), tz),
    ]  # fmt: skip


def score_day(
    seed: int, day: date, params: Params, stress: bool, k: int, oracle_k: int
) -> DayResult:
    sim = simulate_day(seed, day, ZoneInfo(TIMEZONE), stress)
    return run_day(sim.events, estimators(seed, params, stress, k, oracle_k), time.perf_counter)


def test_days(n: int) -> list[tuple[int, date]]:
    seeds = ref.TEST_SEEDS
    return list(zip(range(seeds.start, seeds.start + n), weekdays(TEST_START), strict=False))


def combine(results: Iterable[DayResult]) -> list[Row]:
    truth: dict[TicketId, float] = {}
    merged: dict[str, Scored] = {}
    for r in results:
        truth.update(r.truth)
        for name, s in r.by_estimator.items():
            m = merged.setdefault(name, Scored())
            m.predictions.update(s.predictions)
            m.seconds.extend(s.seconds)
            m.missing += s.missing
    return [score(name, merged[name], truth) for name in ORDER if name in merged]


def run(
    days: int,
    stress: bool,
    k: int,
    oracle_k: int,
    mapper: Callable[..., Iterable[DayResult]] = map,
) -> tuple[Params, list[Row]]:
    """Fit on history, score `days` test days; `mapper` may spread the days over processes."""
    params = fit_history()
    plan: Sequence[tuple[int, date]] = test_days(days)
    n = len(plan)
    results = mapper(score_day, [s for s, _ in plan], [d for _, d in plan], [params] * n,
                     [stress] * n, [k] * n, [oracle_k] * n)  # fmt: skip
    return params, combine(results)
