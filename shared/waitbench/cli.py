"""`montour bench-wait`: score the wait estimators on simulated days of the reference office.

    montour bench-wait --days 20
    montour bench-wait --days 20 --stress --json

Prints one row per estimator (NAIVE, QL, LES, HOL, our replay, the oracle); minutes unless
said. Imports only argparse until the command runs (`montour --help` stays quick).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

TEST_DAYS = 20


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "bench-wait", help="benchmark the wait estimators on the simulated reference office",
        description="Simulate the reference office's 40 history days, fit the estimator's "
        "parameters on them, and score NAIVE, QL, LES, HOL, the replay and its oracle on the "
        "test days (shared/reference/wait-estimation.md, 'Protocol and metrics').",
    )  # fmt: skip
    p.add_argument("--days", type=int, default=TEST_DAYS, help="test days (seeds 1…, max 20)")
    p.add_argument(
        "--stress",
        action="store_true",
        help="the stress test set (slower service, a counter absent on half the days)",
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--k", type=int, default=48, help="continuations of our replay")
    p.add_argument("--oracle-k", type=int, default=200, help="continuations of the oracle")
    p.add_argument(
        "--jobs",
        type=int,
        default=0,
        help="processes to spread the days over (default: one per CPU)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import os
    import time
    from concurrent.futures import ProcessPoolExecutor

    from shared.waitbench import bench
    from shared.waitbench.metrics import table

    if not 1 <= args.days <= TEST_DAYS:
        print(f"montour: --days must be between 1 and {TEST_DAYS}")
        return 2
    jobs = args.jobs or os.cpu_count() or 1
    t0 = time.perf_counter()
    if jobs > 1:
        with ProcessPoolExecutor(min(jobs, args.days)) as pool:
            _, rows = bench.run(args.days, args.stress, args.k, args.oracle_k, pool.map)
    else:
        _, rows = bench.run(args.days, args.stress, args.k, args.oracle_k)
    elapsed = time.perf_counter() - t0
    if args.json:
        print(json.dumps({"days": args.days, "stress": args.stress, "k": args.k,
                          "oracle_k": args.oracle_k, "jobs": jobs, "seconds": elapsed,
                          "rows": [r.as_dict() for r in rows]}, indent=2))  # fmt: skip
    else:
        kind = "stress" if args.stress else "test"
        print(
            f"{args.days} {kind} days, K={args.k}, oracle K={args.oracle_k}, "
            f"{jobs} process(es), {elapsed:.0f} s"
        )
        print(table(rows))
    return 0
