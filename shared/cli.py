"""`montour …`: one command for every part of an office.

montour hub      run the office's hub (HTTP + WebSocket, advertised by zeroconf)
montour hub pair       print a one-time pairing code for a device
montour hub token      print a device token directly (provisioning scripts)
montour kiosk    the visitors' touchscreen kiosk
montour ticket   issue and print one ticket from the shell (to test a printer)
montour display  the waiting room's wall display
montour counter  the agent's counter client
montour demo     the whole office on one machine, on loopback
montour export events  the event log as JSON lines
montour simulate       the reference office's days as an event log (JSON lines)
montour bench-wait     score the wait estimators (simulated reference office, or --log)
montour report         the office's statistics over a period (CSV and PNG charts)
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import socket
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import platformdirs

from shared import const
from shared.clock import Clock
from shared.core.errors import MontourError

ASSETS = Path(__file__).resolve().parent.parent / "assets"
EXAMPLE_CONFIG = ASSETS / "office.example.toml"  # shared.config.EXAMPLE, without importing pydantic


def default_db() -> Path:
    return Path(platformdirs.user_data_dir("montour")) / "office.db"


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=getattr(logging, args.log_level.upper()),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        result: int = args.func(args)
        return result
    except MontourError as exc:
        print(f"montour: {exc.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="montour",
        description="Montour: queue management for public offices (kiosk, displays, counters, "
        "and one hub per office found on the network by zeroconf).",
    )
    p.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    p.set_defaults(func=lambda a: _help(p))
    sub = p.add_subparsers(title="commands", metavar="COMMAND")

    hub = sub.add_parser(
        "hub",
        help="run the office's hub",
        description="Run the hub: the one server of an office, owner of the queue database.",
    )
    _hub_options(hub)
    hub.set_defaults(func=cmd_hub)
    hub_sub = hub.add_subparsers(title="hub commands", metavar="HUB_COMMAND")
    pair = hub_sub.add_parser(
        "pair", help="print a one-time pairing code for a device",
        description="Create a one-time code (valid 10 minutes) that a device trades for its "
        "token at pairing. Run it on the hub machine.",
    )  # fmt: skip
    pair.add_argument("--db", type=Path, default=default_db(), help="the hub's database file")
    pair.add_argument("--role", required=True, help="kiosk, counter, display or admin")
    pair.add_argument("--name", default="", help="a name for the device (e.g. 'Kiosk hall')")
    pair.set_defaults(func=cmd_pair)
    token = hub_sub.add_parser(
        "token", help="print a device token directly (provisioning)",
        description="Create a device and print its token, for provisioning scripts on the hub "
        "machine. The token is shown once; keep it secret.",
    )  # fmt: skip
    token.add_argument("--db", type=Path, default=default_db(), help="the hub's database file")
    token.add_argument("--role", required=True, help="kiosk, counter, display or admin")
    token.add_argument("--name", required=True, help="a name for the device")
    token.set_defaults(func=cmd_token)

    demo = sub.add_parser(
        "demo", help="the whole office on this machine (loopback only)",
        description="Start a hub on 127.0.0.1 with the example office, discovery bound to "
        "loopback, and a database in your data directory.",
    )  # fmt: skip
    demo.add_argument("--port", type=int, default=8470)
    demo.add_argument("--db", type=Path, default=Path(platformdirs.user_data_dir("montour"))
                      / "demo.db")  # fmt: skip
    demo.add_argument(
        "--no-apps",
        action="store_true",
        help="only the hub: do not open the kiosk, display and counter windows",
    )
    demo.add_argument("--simulate", action="store_true",
                      help="a busy office working by itself: the reference office on an "
                      "accelerated clock (from 08:25 on the next weekday), its day played "
                      "through the API by `montour simulate --hub`")  # fmt: skip
    demo.add_argument(
        "--speed",
        type=float,
        default=60.0,
        help="with --simulate: the clock's speed (default 60: a day in ~8 min)",
    )
    demo.add_argument("--seed", type=int, default=1, help="with --simulate: the day's seed")
    demo.set_defaults(func=cmd_demo)

    # The apps' commands; their modules import only argparse here, Qt when a command runs.
    from counter import commands as counter_commands
    from display import commands as display_commands
    from kiosk import commands as kiosk_commands
    from kiosk import ticket_cli

    kiosk_commands.register(sub)
    ticket_cli.register(sub)
    display_commands.register(sub)
    counter_commands.register(sub)

    export = sub.add_parser("export", help="export data from a hub database")
    export_sub = export.add_subparsers(title="what", metavar="WHAT")
    events = export_sub.add_parser(
        "events", help="the event log as JSON lines (one event a line, with its seq and day)"
    )
    events.add_argument("--db", type=Path, default=default_db())
    events.add_argument("--since", type=int, default=0, help="only events after this seq")
    events.set_defaults(func=cmd_export_events)

    from shared.sim import cli as sim_cli  # argparse only until the command runs

    sim_cli.register(sub)
    from shared.waitbench import cli as waitbench_cli  # argparse only until it runs

    waitbench_cli.register(sub)
    from shared.report import cli as report_cli  # argparse only until it runs

    report_cli.register(sub)

    return p


def _help(p: argparse.ArgumentParser) -> int:
    p.print_help()
    return 0


def _hub_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", type=Path, default=EXAMPLE_CONFIG, help="office TOML file")
    p.add_argument("--db", type=Path, default=default_db(), help="SQLite database file")
    p.add_argument("--host", default="0.0.0.0", help="address to listen on")
    p.add_argument("--port", type=int, default=8470, help="port (0: any free port)")
    p.add_argument(
        "--discovery", choices=["all", "loopback", "off"], default="loopback",
        help="advertise with zeroconf on all interfaces (production: the systemd unit passes "
        "it), on loopback only (the default, safe on a development machine), or not at all",
    )  # fmt: skip
    # Simulation and demo aids (`montour simulate --live`, `montour demo --simulate`).
    p.add_argument("--clock-start", metavar="ISO", default=None,
                   help="simulation only (loopback): start the hub's clock at this time, with "
                   "its offset (e.g. 2026-03-02T08:25:00+01:00)")  # fmt: skip
    p.add_argument("--clock-speed", metavar="N", type=float, default=None,
                   help="simulation only (loopback): run the hub's clock N times faster than "
                   "real time (N ≥ 1)")  # fmt: skip


# --- hub ------------------------------------------------------------------------------------


def cmd_hub(args: argparse.Namespace) -> int:
    make_clock = None
    if args.clock_start is not None or args.clock_speed is not None:
        make_clock = _scaled_clock(args.host, args.clock_start, args.clock_speed)
        if make_clock is None:
            return 2
    return run_hub(
        args.config, args.db, args.host, args.port, args.discovery, make_clock=make_clock
    )


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _scaled_clock(host: str, start: str | None, speed: float | None) -> Callable[[], Clock] | None:
    """What makes the hub's accelerated clock, or None (and a message) when it must not be."""
    from datetime import UTC, datetime

    from shared.clock import ScaledClock

    if not _is_loopback(host):
        # An office's devices would see times hours ahead and numbers of the wrong day.
        print(f"montour: --clock-start and --clock-speed are a simulation aid: the hub must "
              f"listen on loopback only (--host 127.0.0.1), not on {host}.",
              file=sys.stderr)  # fmt: skip
        return None
    try:
        when = datetime.now(UTC) if start is None else datetime.fromisoformat(start)
    except ValueError:
        print(f"montour: --clock-start {start!r} is not an ISO date and time.", file=sys.stderr)
        return None
    if when.tzinfo is None:
        print("montour: --clock-start needs its offset (e.g. +01:00 or Z).", file=sys.stderr)
        return None
    if speed is not None and not speed >= 1.0:
        print("montour: --clock-speed must be at least 1.", file=sys.stderr)
        return None
    return lambda: ScaledClock(when, 1.0 if speed is None else speed)


def run_hub(
    config_path: Path,
    db: Path,
    host: str,
    port: int,
    discovery: str,
    on_ready: Callable[[str], None] | None = None,
    make_clock: Callable[[], Clock] | None = None,
) -> int:
    """Serve until stopped; `on_ready(url)` runs once the hub listens and is advertised.
    `make_clock`: the hub's clock (default the system's; a ScaledClock in simulations), made
    once the slow imports are done, so an accelerated day does not start a second early."""
    import uvicorn

    from shared import config as config_mod
    from shared.hub.app import create_app
    from shared.hub.pages import feed

    office = config_mod.load(config_path)
    # IPPROTO_TCP, not 0: asyncio turns Nagle off only on sockets it knows are TCP; with it
    # on, each answer on a kept-alive connection waited ~40 ms for the client's delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)  # before the ready line: a client that hears it is never refused
    except OSError as exc:
        print(f"montour: cannot listen on {host}:{port}: {exc.strerror}", file=sys.stderr)
        return 2
    bound_port = sock.getsockname()[1]
    url_host = "127.0.0.1" if host in ("0.0.0.0", "127.0.0.1") else host

    async def on_started(hub: Any) -> Callable[[], Awaitable[None]] | None:
        stop = None
        if discovery != "off":
            stop = await _advertise(hub, bound_port, discovery, host)
        print(
            f"Montour hub ready: http://{url_host}:{bound_port} "
            f"(office {office.id}, docs at /docs, discovery {discovery})",
            flush=True,
        )
        if on_ready is not None:
            on_ready(f"http://{url_host}:{bound_port}")
        return stop

    clock = None if make_clock is None else make_clock()
    app = create_app(office, db, clock=clock, on_started=on_started)

    class HubServer(uvicorn.Server):
        async def shutdown(self, sockets: Any = None) -> None:
            # uvicorn waits for open streaming responses: without this, one open phone page
            # held a stopping hub for its feed's whole life (measured 10 s, up to 120 s).
            feed.end_all(app)
            await super().shutdown(sockets=sockets)

    server = HubServer(
        uvicorn.Config(
            app,
            http="httptools",  # C parser; h11 (pure Python) cost ~40 % of the hub's CPU
            loop="uvloop",
            ws="websockets-sansio",  # the default "websockets" is the deprecated legacy one
            ws_per_message_deflate=False,  # a LAN does not need it; it cost ~30 % of fan-out
            proxy_headers=False,  # devices talk to the hub directly, never through a proxy
            access_log=False,  # per-request lines would log device tokens' traffic patterns
            timeout_keep_alive=75,  # kiosks and counters keep one connection for the day
            log_level="warning",
            lifespan="on",
        )
    )
    # The day's state is rebuilt as new immutable values at every event: lots of short-lived,
    # acyclic objects that reference counting frees. The cyclic collector's full passes over
    # a big heap were the hub's longest pauses; run it rarely, and never over start-up objects.
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    server.run(sockets=[sock])
    return 0


async def _advertise(hub: Any, port: int, mode: str, host: str) -> Callable[[], Awaitable[None]]:
    from shared.discovery import HubPublisher

    # A hub listening on one address advertises that one, not every address of the machine.
    addresses = [host] if mode == "all" and host not in ("0.0.0.0", "") else None
    publisher = HubPublisher(
        office_id=hub.config.id, office_name=hub.config.name, hub_id=hub.hub_id, port=port,
        interfaces="loopback" if mode == "loopback" else "all", addresses=addresses,
    )  # fmt: skip
    await publisher.start()
    return publisher.stop


def _store(db: Path) -> Any:
    from shared.hub.store import Store

    if not db.exists():
        raise MontourError(f"No hub database at {db}; start the hub once, or give --db.")
    return Store(db)


def cmd_pair(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from shared.hub import auth

    role = auth.parse_role(args.role)
    store = _store(args.db)
    with store.transaction() as db:
        code = auth.create_pairing_code(
            db, role, args.name, datetime.now(UTC), const.PAIRING_CODE_TTL_S
        )
    store.close()
    minutes = int(const.PAIRING_CODE_TTL_S // 60)
    print(f"Pairing code for a {role.value}: {code}  (valid {minutes} minutes, single use)")
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from shared.hub import auth

    role = auth.parse_role(args.role)
    store = _store(args.db)
    with store.transaction() as db:
        token = auth.create_device(db, role, args.name, datetime.now(UTC))
    store.close()
    print(token)
    return 0


def cmd_export_events(args: argparse.Namespace) -> int:
    store = _store(args.db)
    since = args.since
    while batch := store.events_since(since):
        for record in batch:
            print(json.dumps(record, ensure_ascii=False))
        since = batch[-1]["seq"]
    store.close()
    return 0


# --- demo -------------------------------------------------------------------------


def cmd_demo(args: argparse.Namespace) -> int:
    from shared import demo

    return demo.run(args)


if __name__ == "__main__":
    sys.exit(main())
