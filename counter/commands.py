"""`montour counter`: argparse only here; Qt is imported when the command runs."""

from __future__ import annotations

import argparse
from typing import Any

STATES = (
    "signed-out",
    "idle",
    "called",
    "serving",
    "paused",
    "callbacks",
    "contacts",
)


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "counter",
        help="the agent's counter client",
        description="Run the counter client: find the office's hub, pair once as a counter, "
        "sign in, then call and serve visitors from the keyboard (F1 calls the next visitor; "
        "every button shows its key).",
    )
    p.add_argument("--hub", metavar="URL", help="the hub's address (default: find it by zeroconf)")
    p.add_argument(
        "--discovery",
        choices=["all", "loopback"],
        default="all",
        help="where to look for the hub: all interfaces (a real counter) or loopback (demo, tests)",
    )
    p.add_argument("--pair", metavar="CODE", help="pair with the hub using this one-time code")
    p.add_argument("--token", help="use this device token (provisioning, the demo); not stored")
    p.add_argument("--name", default="Counter", help="this device's name when pairing")
    p.add_argument("--lang", choices=["fr", "en"], default="fr", help="the window's language")
    p.add_argument("--on-top", action="store_true", help="keep the window above other windows")
    p.add_argument(
        "--screenshot",
        metavar="PATH",
        help="render one state with sample data to a PNG and exit (no hub needed)",
    )
    p.add_argument("--state", choices=STATES, default="idle", help="the state to render")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from counter import app

    return app.run(args)
