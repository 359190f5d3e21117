"""Time `replay` (K=48) on a busy moment of the reference office; prints p50/p99 ms.

Rows: `replay` alone (what bench-wait scores), `hub book` (what the hub computes after each
event: the replay with a phantom ticket per service, plus the priority preview at
REPLAY_PREVIEW_K, steadied against the previous book), and `deterministic` (the degraded mode).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from shared import config
from shared.core import estimate, replay
from shared.core.waitparams import Params
from tests.bench.replay.office import busy_office

ROOT = Path(__file__).resolve().parents[3]
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--k", type=int, default=48)
    parser.add_argument("--waiting", type=int, default=60)
    args = parser.parse_args()
    rules = config.load(ROOT / "assets" / "office.example.toml").rules
    state = busy_office(rules, NOW, random.Random(7), args.waiting)
    # Priority arrivals on every slot, as fitted history would give (12 % of ~40 an hour).
    rates = {(code, NOW.weekday(), s): 0.08 / len(rules.services)
             for code in rules.services for s in range(48)}  # fmt: skip
    params = Params(**{**vars(Params.from_rules(rules)), "priority_rates": rates})
    rng = random.Random(1)
    waiting = len(state.waiting())
    book = estimate.compute(state, rules, params, NOW, k=args.k, rng=rng)
    for name, run in (
        ("replay", lambda: replay.replay(state, rules, params, NOW, k=args.k, rng=rng)),
        (
            "hub book",
            lambda: estimate.compute(state, rules, params, NOW, k=args.k, rng=rng, previous=book),
        ),
        ("deterministic", lambda: replay.deterministic(state, rules, params, NOW)),
    ):
        run()  # warm-up
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            run()
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        p99 = times[min(len(times) - 1, int(0.99 * len(times)))]
        print(f"{name:14s} waiting={waiting} counters={len(state.counters)} k={args.k}: "
              f"p50 {statistics.median(times):.2f} ms  p99 {p99:.2f} ms  "
              f"({args.runs} runs)")  # fmt: skip


if __name__ == "__main__":
    main()
