"""`montour demo`: the whole office on this machine (loopback only), and its simulated variant.

`montour demo` starts a hub on 127.0.0.1 with the example office and opens the kiosk, display
and counter windows; `--simulate` runs the hub on the reference office with an accelerated clock
and lets `montour simulate --hub` play a reference day against it (shared/sim/drive.py).
Imported only when the command runs.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from shared import const
from shared.cli import EXAMPLE_CONFIG, _store, run_hub
from shared.clock import Clock


def run(args: argparse.Namespace) -> int:
    config, db, make_clock = EXAMPLE_CONFIG, args.db, None
    if args.simulate:
        if not args.speed >= 1.0:
            print("montour: --speed must be at least 1.", file=sys.stderr)
            return 2
        config, db, make_clock = _demo_simulation(args)
        print(f"Montour demo: the reference office at ×{args.speed:g}, working by itself "
              "(discovery on loopback only).")  # fmt: skip
    else:
        print("Montour demo: the example office on this machine (discovery on loopback only).")
    print(f"  database: {db}")
    apps: list[subprocess.Popen[bytes]] = []
    tickets = db.parent / "demo-tickets"

    def ready(url: str) -> None:
        print(f"  API docs: {url}/docs")
        print(f"  queue:    {url}/api/v1/queue")
        if args.simulate:
            kiosk, counter = (_demo_token(db, r, f"Simulated {r}") for r in ("kiosk", "counter"))
            apps.append(subprocess.Popen([
                sys.executable, "-m", "shared.cli", "simulate", "--hub", url,
                "--token-kiosk", kiosk, "--token-counter", counter, "--speed", repr(args.speed),
                "--seed", str(args.seed),
            ], preexec_fn=_die_with_parent))  # fmt: skip
            print(f"  visitors: the reference day {args.seed}, played by `montour simulate`")
        if args.no_apps:
            pass
        elif not any(map(os.environ.get, ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))):
            print("  No screen here ($DISPLAY is empty): the apps are not opened.")
        else:
            token = _demo_token(db, "kiosk", "Demo kiosk")
            apps.append(subprocess.Popen([
                sys.executable, "-m", "shared.cli", "kiosk", "--hub", url, f"--token={token}",
                "--windowed", "--printer", f"preview:{tickets}",
            ], preexec_fn=_die_with_parent))  # fmt: skip
            print(f"  kiosk:    opened in a window; tickets are written as PNG to {tickets}")
            apps.append(subprocess.Popen([
                sys.executable, "-m", "shared.cli", "display", "--hub", url, "--windowed",
            ], preexec_fn=_die_with_parent))  # fmt: skip
            print("  display:  opened in a window (read-only: it needs no pairing)")
            token = _demo_token(db, "counter", "Demo counter")
            apps.append(subprocess.Popen([
                sys.executable, "-m", "shared.cli", "counter", "--hub", url, f"--token={token}",
            ], preexec_fn=_die_with_parent))  # fmt: skip
            print("  counter:  opened in a window; sign in with any name, then F1 calls")
        print("  Stop with Ctrl+C.", flush=True)

    # uvicorn ends by raising the SIGTERM it caught again: with the default action the demo
    # would die there, before closing its apps. Turned into SystemExit, the `finally` runs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        return run_hub(config, db, "127.0.0.1", args.port, "loopback", ready, make_clock)
    finally:
        for app in apps:
            app.terminate()
        for app in apps:
            try:
                app.wait(timeout=10)
            except subprocess.TimeoutExpired:
                app.kill()


def _demo_simulation(args: argparse.Namespace) -> tuple[Path, Path, Callable[[], Clock]]:
    """The simulated demo's configuration, its database (new each run: a simulated day starts
    empty), and its clock: 08:25 in the office on the next weekday (earlier above ×60, so that
    the driver is up before 08:30), `--speed` times faster."""
    from datetime import datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from shared.clock import ScaledClock
    from shared.sim import cli as sim_cli
    from shared.sim import reference as ref

    db = args.db.with_name(f"{args.db.stem}-sim.db")
    for path in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        path.unlink(missing_ok=True)
    tz = ZoneInfo(sim_cli.TIMEZONE)
    day = sim_cli.next_weekday(datetime.now(tz).date())
    lead = max(const.SIM_LIVE_LEAD_MIN, args.speed * const.SIM_DEMO_LEAD_REAL_S / 60.0)
    start = datetime.combine(day, time(0), tzinfo=tz) + timedelta(minutes=ref.OPEN_MIN - lead)
    return sim_cli.CONFIG, db, lambda: ScaledClock(start, args.speed)


def _die_with_parent() -> None:
    """In the demo's apps (Linux): end when the demo ends, even if it is killed outright."""
    import ctypes

    pr_set_pdeathsig = 1
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _demo_token(db: Path, role: str, name: str) -> str:
    """A fresh token for a demo app; the previous demo run's device of that name is revoked."""
    from datetime import UTC, datetime

    from shared.hub import auth

    now = datetime.now(UTC)
    store = _store(db)
    with store.transaction() as tx:
        tx.execute(
            "UPDATE devices SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
            [now.isoformat(), name],
        )
        token = auth.create_device(tx, auth.parse_role(role), name, now)
    store.close()
    return token
