"""The benchmark run: simulate history and test days, fit once, score every estimator.

History (seeds 1000–1039) is played on the 40 weekdays from sim.cli.START; test days (seeds
1–20) on the weekdays after it, so that weekday-dependent rates are learnt on earlier weeks.
Each test day is scored independently (its own random streams, seeded by the day's seed), so
days can run in parallel processes and the result does not depend on how they were shared out.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Hashable, Iterable, Sequence
from datetime import date, timedelta, tzinfo
from typing import TypeVar
from zoneinfo import ZoneInfo

from shared.core.events import Event
from shared.core.model import Rules, TicketId
from shared.core.waitparams import Params, fit
from shared.sim import reference as ref
from shared.sim.cli import START, TIMEZONE, simulate_days, weekdays
from shared.sim.office import simulate_day
from shared.waitbench import baselines as bl
from shared.waitbench.estimators import Replay, oracle_params
from shared.waitbench.harness import DayResult, Estimator, Scored, UpdateKey, run_day
from shared.waitbench.metrics import Row, score

ORDER = ("NAIVE", "QL", "LES", "HOL", "replay", "oracle")
TEST_START = START + timedelta(weeks=len(ref.HISTORY_SEEDS) // 5)  # the Monday after history
UPDATE_EVERY = 1  # update predictions at every call (see cli.py for the measured cost)

K = TypeVar("K", bound=Hashable)
J = TypeVar("J", bound=Hashable)


def fit_history() -> Params:
    seeds = ref.HISTORY_SEEDS
    events = (e for sim in simulate_days(seeds.start, len(seeds)) for e in sim.events)
    return fit(events, ref.rules(), tz=ZoneInfo(TIMEZONE))


def estimators(
    seed: int, rules: Rules, tz: tzinfo, params: Params, k: int,
    oracle: Params | None = None, oracle_k: int = 0,
) -> list[Estimator]:  # fmt: skip
    """The baselines and the replay; the oracle too when its true parameters are known."""
    means = bl.Means.from_params(params, rules)
    ql = bl.QL(rules, means)
    found: list[Estimator] = [
        bl.Naive(means), ql, bl.LES(ql), bl.HOL(ql),
        Replay("replay", rules, params, k, random.Random(seed * 2 + 1), tz),
    ]  # fmt: skip
    if oracle is not None:
        found.append(Replay("oracle", rules, oracle, oracle_k, random.Random(seed * 2 + 2), tz))
    return found


def score_day(
    seed: int, day: date, params: Params, stress: bool, k: int, oracle_k: int,
    update_every: int = UPDATE_EVERY,
) -> DayResult:  # fmt: skip
    rules, tz = ref.rules(), ZoneInfo(TIMEZONE)
    sim = simulate_day(seed, day, tz, stress)
    found = estimators(seed, rules, tz, params, k, oracle_params(rules, stress), oracle_k)
    return run_day(sim.events, found, time.perf_counter, update_every)


def score_events(
    seed: int, events: Sequence[tuple[int, Event]], rules: Rules, tz: tzinfo, params: Params,
    k: int, update_every: int = UPDATE_EVERY,
) -> DayResult:  # fmt: skip
    """One day of a real log: no oracle (its true parameters are unknown)."""
    found = estimators(seed, rules, tz, params, k)
    return run_day(events, found, time.perf_counter, update_every)


def test_days(n: int) -> list[tuple[int, date]]:
    seeds = ref.TEST_SEEDS
    return list(zip(range(seeds.start, seeds.start + n), weekdays(TEST_START), strict=False))


def combine(results: Iterable[DayResult]) -> tuple[list[Row], list[Row]]:
    """The issue-time rows and the update rows, over all the days."""
    truth: dict[TicketId, float] = {}
    update_truth: dict[tuple[int, UpdateKey], float] = {}
    merged: dict[str, Scored[TicketId]] = {}
    updates: dict[str, Scored[tuple[int, UpdateKey]]] = {}
    for day, r in enumerate(results):
        truth.update(r.truth)
        _merge(merged, r.by_estimator, lambda tid: tid)
        # Update keys count calls within a day: make them unique across days.
        update_truth.update({(day, key): v for key, v in r.update_truth.items()})
        _merge(updates, r.updates, _tagged(day))
    return _rows(merged, truth), _rows(updates, update_truth)


def _tagged(day: int) -> Callable[[UpdateKey], tuple[int, UpdateKey]]:
    return lambda key: (day, key)


def _merge(into: dict[str, Scored[K]], found: dict[str, Scored[J]], key: Callable[[J], K]) -> None:
    for name, s in found.items():
        m = into.setdefault(name, Scored())
        m.predictions.update({key(k): p for k, p in s.predictions.items()})
        m.seconds.extend(s.seconds)
        m.missing += s.missing


def _rows(merged: dict[str, Scored[K]], truth: dict[K, float]) -> list[Row]:
    return [score(name, merged[name], truth) for name in ORDER if name in merged]


def run(
    days: int,
    stress: bool,
    k: int,
    oracle_k: int,
    mapper: Callable[..., Iterable[DayResult]] = map,
    update_every: int = UPDATE_EVERY,
) -> tuple[Params, list[Row], list[Row]]:
    """Fit on history, score `days` test days; `mapper` may spread the days over processes."""
    params = fit_history()
    plan: Sequence[tuple[int, date]] = test_days(days)
    n = len(plan)
    results = mapper(score_day, [s for s, _ in plan], [d for _, d in plan], [params] * n,
                     [stress] * n, [k] * n, [oracle_k] * n, [update_every] * n)  # fmt: skip
    issue, update = combine(results)
    return params, issue, update
