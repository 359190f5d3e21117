"""`montour simulate`: the reference office's days as an event log, like `montour export events`.

    montour simulate --days 40 --first-seed 1000 --out history.jsonl
    montour simulate --days 20 --first-seed 1 --start 2026-03-02 --stress --out stress.jsonl

Day i (0-based) plays seed first_seed + i on the i-th weekday from --start. One JSON object a
line, `{"seq": N, **to_dict(event)}`, seq counting on across days as in a hub's database;
times in UTC, as the hub stores them. The only module of shared/sim with I/O; it imports only
argparse until the command runs (`montour --help` stays quick).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from shared.sim.office import SimDay

START = date(2026, 1, 5)  # a Monday
TIMEZONE = "Europe/Paris"


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "simulate", help="the reference office's days as an event log (JSON lines)",
        description="Simulate days of the reference office (shared/reference/"
        "wait-estimation.md) through the production core and write their event log in the "
        "format of `montour export events`. Its configuration: assets/sim/reference-office.toml.",
    )  # fmt: skip
    p.add_argument("--days", type=int, required=True, help="how many days")
    p.add_argument("--first-seed", type=int, required=True,
                   help="the first day's seed (history: 1000, test: 1)")  # fmt: skip
    p.add_argument("--stress", action="store_true",
                   help="the stress set: service 10 %% slower, and on even seeds one counter "
                   "absent without notice")  # fmt: skip
    p.add_argument("--start", type=date.fromisoformat, default=START,
                   help=f"the first day's date (weekends skipped; default {START})")  # fmt: skip
    p.add_argument("--out", type=Path, required=True, help="the JSON-lines file to write")
    p.set_defaults(func=run)


def weekdays(start: date) -> Iterator[date]:
    d = start
    while True:
        if d.weekday() < 5:
            yield d
        d += timedelta(days=1)


def simulate_days(
    first_seed: int, days: int, start: date = START, stress: bool = False
) -> Iterator[SimDay]:
    from zoneinfo import ZoneInfo

    from shared.sim.office import simulate_day

    tz = ZoneInfo(TIMEZONE)
    seq = 1
    for i, day in zip(range(days), weekdays(start), strict=False):
        sim = simulate_day(first_seed + i, day, tz, stress, first_seq=seq)
        seq += len(sim.events)
        yield sim


def write_log(out: TextIO, sims: Iterator[SimDay]) -> int:
    from shared.core.events import to_dict

    count = 0
    for sim in sims:
        for seq, event in sim.events:
            out.write(json.dumps({"seq": seq, **to_dict(event)}, ensure_ascii=False) + "\n")
            count += 1
    return count


def run(args: argparse.Namespace) -> int:
    if args.days < 1:
        print("montour: --days must be at least 1")
        return 2
    with args.out.open("w", encoding="utf-8") as out:
        n = write_log(out, simulate_days(args.first_seed, args.days, args.start, args.stress))
    last = args.first_seed + args.days - 1
    kind = ", stress" if args.stress else ""
    print(f"{n} events, {args.days} days (seeds {args.first_seed}–{last}{kind}) → {args.out}")
    return 0
