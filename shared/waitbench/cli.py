"""`montour bench-wait`: score the wait estimators on simulated days or on an exported log.

    montour bench-wait --days 20
    montour bench-wait --days 20 --stress --json
    montour bench-wait --log events.jsonl --config office.toml --fit-days 30

Prints two tables, one row per estimator (NAIVE, QL, LES, HOL, our replay, the oracle on
simulated days): the issue-time predictions and the update predictions (at each call, the
remaining wait of every ticket still waiting); minutes unless said. Imports only argparse
until the command runs (`montour --help` stays quick).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shared.waitbench.metrics import Row

TEST_DAYS = 20

_EPILOG = """\
With --log, the log is the output of `montour export events` (or of `montour simulate`): one
JSON object a line, {"seq": N, "type": "TicketIssued", "at": "2026-03-02T07:31:05+00:00", ...}
(the fields of each event of shared/core/events.py), in seq order. It is cut into days by the
office's local date (the timezone of --config); the first --fit-days days fit the parameters
and the later days are scored. There is no oracle row (a real office's true parameters are
unknown)."""


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "bench-wait", help="benchmark the wait estimators (simulated office or an exported log)",
        description="Simulate the reference office's 40 history days, fit the estimator's "
        "parameters on them, and score NAIVE, QL, LES, HOL, the replay and its oracle on the "
        "test days (shared/reference/wait-estimation.md, 'Protocol and metrics'); or, with "
        "--log and --config, do the same on an office's own exported event log.",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    p.add_argument("--days", type=int, default=TEST_DAYS, help="test days (seeds 1…, max 20)")
    p.add_argument(
        "--stress",
        action="store_true",
        help="the stress test set (slower service, a counter absent on half the days)",
    )
    p.add_argument("--log", type=Path, help="an exported event log (JSON lines) to score")
    p.add_argument("--config", type=Path, help="the office's configuration (TOML), with --log")
    p.add_argument("--fit-days", type=int,
                   help="with --log: days fitted (default: the first 2/3 of the days)")  # fmt: skip
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")
    p.add_argument("--k", type=int, default=48, help="continuations of our replay")
    p.add_argument("--oracle-k", type=int, default=200, help="continuations of the oracle")
    p.add_argument("--update-every", type=int, default=1,
                   help="update predictions at every n-th call (0: none)")  # fmt: skip
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

    if (args.log is None) != (args.config is None):
        print("montour: --log and --config go together")
        return 2
    if args.log is None and not 1 <= args.days <= TEST_DAYS:
        print(f"montour: --days must be between 1 and {TEST_DAYS}")
        return 2
    if args.update_every < 0:
        print("montour: --update-every must be 0 or more")
        return 2
    jobs = args.jobs or os.cpu_count() or 1
    t0 = time.perf_counter()
    with ProcessPoolExecutor(jobs) if jobs > 1 else _Serial() as pool:
        found = _log(args, pool.map) if args.log else _simulated(args, pool.map)
    if isinstance(found, int):
        return found
    title, issue, update = found
    elapsed = time.perf_counter() - t0
    every = args.update_every
    if args.json:
        print(json.dumps({"source": title, "k": args.k, "oracle_k": args.oracle_k, "jobs": jobs,
                          "update_every": every, "seconds": elapsed,
                          "rows": [r.as_dict() for r in issue],
                          "update_rows": [r.as_dict() for r in update]}, indent=2))  # fmt: skip
        return 0
    from shared.waitbench.metrics import table

    print(f"{title}, K={args.k}, {jobs} process(es), {elapsed:.0f} s")
    print("\nissue-time predictions (each new ticket's wait)")
    print(table(issue))
    if every:
        sampled = "every call" if every == 1 else f"every {every}th call (sampled)"
        print(f"\nupdate predictions (remaining wait of every waiting ticket, at {sampled}; "
              "p99 ms per update of all tickets)")  # fmt: skip
        print(table(update))
    return 0


def _simulated(args: argparse.Namespace, mapper: Any) -> tuple[str, list[Row], list[Row]]:
    from shared.waitbench import bench

    _, issue, update = bench.run(args.days, args.stress, args.k, args.oracle_k, mapper,
                                 args.update_every)  # fmt: skip
    kind = "stress" if args.stress else "test"
    return f"{args.days} {kind} days, oracle K={args.oracle_k}", issue, update


def _log(args: argparse.Namespace, mapper: Any) -> tuple[str, list[Row], list[Row]] | int:
    from shared import config
    from shared.core.errors import ConfigError
    from shared.waitbench import logbench

    try:
        office = config.load(args.config)
        with args.log.open(encoding="utf-8") as f:
            events = logbench.parse_log(f, str(args.log))
        found = logbench.run_log(events, office.rules, office.tz, args.fit_days, args.k, mapper,
                                 args.update_every)  # fmt: skip
    except (OSError, ConfigError, logbench.LogError) as exc:
        print(f"montour: {exc}")
        return 2
    title = (f"{args.log}: fitted on {len(found.fitted)} days ({found.fitted[0]}…"
             f"{found.fitted[-1]}), scored {len(found.scored)} days ({found.scored[0]}…"
             f"{found.scored[-1]})")  # fmt: skip
    return title, found.issue, found.update


class _Serial:
    """map in this process, shaped like a pool (one job: easier to profile and debug)."""

    def __enter__(self) -> _Serial:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    map = staticmethod(map)
