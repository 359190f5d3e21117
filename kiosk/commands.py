"""`montour kiosk`: argparse only here; Qt is imported when the command runs."""

from __future__ import annotations

import argparse
from typing import Any

SCREENS = (
    "setup", "starting", "welcome", "services", "priority", "confirm", "confirm-busy", "callback",
    "callback-error", "consent", "callback-done", "printing", "take-ticket", "print-failed",
    "hub-down", "idle",
)  # fmt: skip


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "kiosk", help="the visitors' touchscreen kiosk",
        description="Run the kiosk: find the office's hub, pair once, and issue tickets. "
        "Keys: arrows move, Enter chooses, Escape goes back, F1 or * starts spoken help "
        "(or repeats the screen once it is on).",
    )  # fmt: skip
    p.add_argument("--hub", metavar="URL", help="the hub's address (default: find it by zeroconf)")
    p.add_argument(
        "--discovery", choices=["all", "loopback"], default="all",
        help="where to look for the hub: all interfaces (a real kiosk) or loopback (demo, tests)",
    )  # fmt: skip
    p.add_argument("--pair", metavar="CODE", help="pair with the hub using this one-time code")
    p.add_argument("--token", help="use this device token (provisioning, the demo); not stored")
    p.add_argument("--name", default="Kiosk", help="this kiosk's name when pairing")
    p.add_argument("--printer", metavar="URI",
                   help="usb:VID:PID, serial:/dev/ttyUSB0, tcp://HOST:9100, file:PATH, cups:NAME, "
                   "preview:DIR (default: preview: into the user data directory)")  # fmt: skip
    p.add_argument("--windowed", action="store_true", help="a window instead of full screen")
    p.add_argument("--size", default="1080x1920", help="window or screenshot size, WxH")
    p.add_argument("--accessible", action="store_true",
                   help="spoken help, reach layout and large text together")  # fmt: skip
    p.add_argument("--high-contrast", action="store_true")
    p.add_argument("--large-text", action="store_true")
    p.add_argument("--reach", action="store_true", help="every control in the lower screen")
    p.add_argument("--lang", default=None, help="the screens' default language (default: the "
                   "office's first language)")  # fmt: skip
    p.add_argument("--speech", choices=["auto", "espeak", "qt", "none"], default="auto")
    p.add_argument("--screenshot", metavar="PATH", help="render one screen to PNG and exit "
                   "(with a built-in sample office; no hub needed)")  # fmt: skip
    p.add_argument("--screen", choices=SCREENS, default="welcome", help="the screen to render")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from kiosk import app

    return app.run(args)
