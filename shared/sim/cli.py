"""`montour simulate`: the reference office's days as an event log, like `montour export events`.

    montour simulate --days 40 --first-seed 1000 --out history.jsonl
    montour simulate --days 20 --first-seed 1 --start 2026-03-02 --stress --out stress.jsonl
    montour simulate --live --speed 60 --seed 1 [--db sim.db] [--until 12:00]
    montour simulate --hub URL --token-kiosk T --token-counter T --speed 60 --seed 1

--live starts a real hub on loopback (its clock accelerated: `montour hub --clock-start …
--clock-speed …`) on a new database and drives the reference day `--seed` through its API
(shared/sim/drive.py); --hub drives a hub already running on such a clock (one counter token
serves all six counters).

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
    from shared.sim.drive import DriveResult
    from shared.sim.office import SimDay

START = date(2026, 1, 5)  # a Monday
CONFIG = Path(__file__).resolve().parents[2] / "assets" / "sim" / "reference-office.toml"
TIMEZONE = "Europe/Paris"


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "simulate", help="the reference office's days as an event log (JSON lines)",
        description="Simulate days of the reference office (shared/reference/"
        "wait-estimation.md) through the production core and write their event log in the "
        "format of `montour export events`. Its configuration: assets/sim/reference-office.toml.",
    )  # fmt: skip
    p.add_argument("--days", type=int, help="how many days (the event-log mode)")
    p.add_argument("--first-seed", type=int,
                   help="the first day's seed (history: 1000, test: 1)")  # fmt: skip
    p.add_argument("--stress", action="store_true",
                   help="the stress set: service 10 %% slower, and on even seeds one counter "
                   "absent without notice")  # fmt: skip
    p.add_argument("--start", type=date.fromisoformat, default=START,
                   help=f"the first day's date (weekends skipped; default {START})")  # fmt: skip
    p.add_argument("--out", type=Path, help="the JSON-lines file to write")
    live = p.add_argument_group("driving a real hub on an accelerated clock")
    live.add_argument(
        "--live",
        action="store_true",
        help="start a hub on 127.0.0.1 and drive the day --seed through its API",
    )
    live.add_argument(
        "--hub", metavar="URL", help="drive a hub already running on an accelerated clock instead"
    )
    live.add_argument("--seed", type=int, default=1, help="the day's seed (default 1)")
    live.add_argument(
        "--speed",
        type=float,
        default=60.0,
        help="the clock's speed, simulated seconds per real second (default 60)",
    )
    live.add_argument(
        "--until",
        metavar="HH:MM",
        type=_minute,
        help="stop at this simulated time (default: the end of the day)",
    )
    live.add_argument(
        "--db",
        type=Path,
        help="--live: the hub's new database (default: one in a new temporary "
        "directory, kept and printed)",
    )
    live.add_argument("--config", type=Path, default=CONFIG, help="--live: the office's TOML")
    live.add_argument("--port", type=int, default=0, help="--live: the hub's port (0: any)")
    live.add_argument("--token-kiosk", help="--hub: a kiosk token")
    live.add_argument("--token-counter", help="--hub: a counter token (for every counter)")
    live.add_argument("--json", action="store_true", help="the summary as JSON")
    p.set_defaults(func=run)  # fmt: skip


def _minute(text: str) -> float:
    hours, _, minutes = text.partition(":")
    try:
        return int(hours) * 60 + int(minutes or 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a time HH:MM") from None


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
    if args.live or args.hub:
        return run_drive(args)
    if args.days is None or args.first_seed is None or args.out is None:
        print("montour: give --days, --first-seed and --out (or --live, or --hub)")
        return 2
    if args.days < 1:
        print("montour: --days must be at least 1")
        return 2
    with args.out.open("w", encoding="utf-8") as out:
        n = write_log(out, simulate_days(args.first_seed, args.days, args.start, args.stress))
    last = args.first_seed + args.days - 1
    kind = ", stress" if args.stress else ""
    print(f"{n} events, {args.days} days (seeds {args.first_seed}–{last}{kind}) → {args.out}")
    return 0


# --- driving a real hub (shared/sim/drive.py) -------------------------------------------------


def run_drive(args: argparse.Namespace) -> int:
    import asyncio
    import logging

    from shared.client.api import ClientError
    from shared.sim import drive
    from shared.sim.draw import draw_day

    if not args.speed >= 1.0:
        print("montour: --speed must be at least 1")
        return 2
    if args.hub and not (args.token_kiosk and args.token_counter):
        print("montour: --hub needs --token-kiosk and --token-counter (`montour hub token`)")
        return 2
    draw = draw_day(args.seed, args.stress)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request drowns progress
    say = None if args.json else (lambda line: print(line, flush=True))
    try:
        if args.hub:
            tokens = {c: args.token_counter for c in _counter_ids()}
            driver = drive.Driver(args.hub, args.token_kiosk, tokens, draw, args.speed,
                                  args.until, say)  # fmt: skip
            result = asyncio.run(driver.run())
        else:
            result = asyncio.run(drive_live(draw, args.db, args.config, args.speed, args.until,
                                            args.port, say))  # fmt: skip
    except (ClientError, ExceptionGroup) as exc:
        # The driver's TaskGroup wraps an agent's error in a group: show the first cause.
        while isinstance(exc, ExceptionGroup):
            exc = exc.exceptions[0]
        if not isinstance(exc, ClientError):
            raise
        print(f"montour: the simulation stopped: {exc}")
        return 1
    if args.json:
        print(json.dumps(drive.describe(result)))
    else:
        print(f"Simulated {result.day} (seed {args.seed}): {result.summary()}")
    return 0


def _counter_ids() -> list[str]:
    from shared.sim import reference as ref

    return [c.id for c in ref.COUNTERS]


def next_weekday(today: date) -> date:
    return next(weekdays(today + timedelta(days=1)))


async def drive_live(
    draw: Any, db: Path | None, config: Path, speed: float, until_min: float | None,
    port: int = 0, say: Any = None, day: date | None = None,
) -> DriveResult:  # fmt: skip
    """Start a hub on loopback on an accelerated clock (a new database), drive the day, stop
    the hub. The database is kept: `montour export events --db` reads the hub's log."""
    import asyncio
    import sys
    import tempfile
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from shared import const
    from shared.core.errors import MontourError
    from shared.sim import reference as ref
    from shared.sim.drive import Driver

    if db is None:
        db = Path(tempfile.mkdtemp(prefix="montour-sim-")) / "hub.db"
    db = db.resolve()
    if db.exists():
        raise MontourError(f"{db} exists: a simulated day needs a new database.")
    tokens = _provision(db)
    tz = ZoneInfo(TIMEZONE)
    day = day or next_weekday(datetime.now(tz).date())
    lead = max(const.SIM_LIVE_LEAD_MIN, speed * const.SIM_LIVE_LEAD_REAL_S / 60.0)
    start = datetime.combine(day, time(0), tzinfo=tz) + timedelta(minutes=ref.OPEN_MIN - lead)
    if say is not None:
        say(f"hub database: {db}")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "shared.cli", "hub", "--config", str(config.resolve()),
        "--db", str(db), "--host", "127.0.0.1", "--port", str(port), "--discovery", "off",
        "--clock-start", start.isoformat(), "--clock-speed", repr(speed),
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT, cwd=str(CONFIG.parents[2]),
    )  # fmt: skip
    said: list[str] = []
    try:
        url = await asyncio.wait_for(_ready(proc, said), const.SIM_HUB_READY_TIMEOUT_S)
        if url is None:
            raise MontourError("The hub did not start:\n" + "".join(said[-20:]))
        drain = asyncio.create_task(_ready(proc, said))  # keeps the pipe from filling up
        tokens_by_counter = {c: tokens[c] for c in _counter_ids()}
        result = await Driver(url, tokens["kiosk"], tokens_by_counter, draw, speed, until_min,
                              say).run()  # fmt: skip
        drain.cancel()
        return result
    finally:
        if proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), const.SIM_HUB_STOP_TIMEOUT_S)
            except TimeoutError:
                proc.kill()
                await proc.wait()


async def _ready(proc: Any, said: list[str]) -> str | None:
    """The hub's URL from its ready line (None if it ended first); keeps what it said."""
    import re

    while line := await proc.stdout.readline():
        text = line.decode(errors="replace")
        said.append(text)
        del said[:-50]
        if match := re.search(r"Montour hub ready: (http://\S+)", text):
            return match.group(1)
    return None


def _provision(db: Path) -> dict[str, str]:
    """A kiosk token and one counter token per counter, written before the hub starts."""
    from datetime import UTC, datetime

    from shared.hub import auth
    from shared.hub.store import Store

    store = Store(db)
    now = datetime.now(UTC)
    try:
        with store.transaction() as tx:
            tokens = {"kiosk": auth.create_device(tx, auth.Role.KIOSK, "Sim kiosk", now)}
            for cid in _counter_ids():
                tokens[cid] = auth.create_device(tx, auth.Role.COUNTER, f"Sim {cid}", now)
    finally:
        store.close()
    return tokens
