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
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import logging
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import platformdirs

from shared import const
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


# --- hub ------------------------------------------------------------------------------------


def cmd_hub(args: argparse.Namespace) -> int:
    return run_hub(args.config, args.db, args.host, args.port, args.discovery)


def run_hub(
    config_path: Path,
    db: Path,
    host: str,
    port: int,
    discovery: str,
    on_ready: Callable[[str], None] | None = None,
) -> int:
    """Serve until stopped; `on_ready(url)` runs once the hub listens and is advertised."""
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

    app = create_app(office, db, on_started=on_started)

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
    print("Montour demo: the example office on this machine (discovery on loopback only).")
    print(f"  database: {args.db}")
    apps: list[subprocess.Popen[bytes]] = []
    tickets = args.db.parent / "demo-tickets"

    def ready(url: str) -> None:
        print(f"  API docs: {url}/docs")
        print(f"  queue:    {url}/api/v1/queue")
        if args.no_apps:
            pass
        elif not any(map(os.environ.get, ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))):
            print("  No screen here ($DISPLAY is empty): the apps are not opened.")
        else:
            token = _demo_token(args.db, "kiosk", "Demo kiosk")
            apps.append(subprocess.Popen([
                sys.executable, "-m", "shared.cli", "kiosk", "--hub", url, f"--token={token}",
                "--windowed", "--printer", f"preview:{tickets}",
            ], preexec_fn=_die_with_parent))  # fmt: skip
            print(f"  kiosk:    opened in a window; tickets are written as PNG to {tickets}")
            apps.append(subprocess.Popen([
                sys.executable, "-m", "shared.cli", "display", "--hub", url, "--windowed",
            ], preexec_fn=_die_with_parent))  # fmt: skip
            print("  display:  opened in a window (read-only: it needs no pairing)")
            token = _demo_token(args.db, "counter", "Demo counter")
            apps.append(subprocess.Popen([
                sys.executable, "-m", "shared.cli", "counter", "--hub", url, f"--token={token}",
            ], preexec_fn=_die_with_parent))  # fmt: skip
            print("  counter:  opened in a window; sign in with any name, then F1 calls")
        print("  Stop with Ctrl+C.", flush=True)

    # uvicorn ends by raising the SIGTERM it caught again: with the default action the demo
    # would die there, before closing its apps. Turned into SystemExit, the `finally` runs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        return run_hub(EXAMPLE_CONFIG, args.db, "127.0.0.1", args.port, "loopback", ready)
    finally:
        for app in apps:
            app.terminate()
        for app in apps:
            try:
                app.wait(timeout=10)
            except subprocess.TimeoutExpired:
                app.kill()


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


if __name__ == "__main__":
    sys.exit(main())
