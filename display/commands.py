"""`montour display`: argparse only here; Qt is imported when the command runs."""

from __future__ import annotations

import argparse
from typing import Any


def _volume(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"the volume goes from 0 to 1, not {value:g}")
    return value


def _positive(kind: type[float] | type[int]) -> Any:
    def parse(text: str) -> float | int:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be more than 0, not {text}")
        return value

    return parse


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "display", help="the waiting room's wall display",
        description="Run a wall display: find the office's hub, show and announce every call.",
    )  # fmt: skip
    p.add_argument("--hub", metavar="URL", help="the hub's address (default: find it by zeroconf)")
    p.add_argument(
        "--discovery", choices=["all", "loopback"], default="all",
        help="where to look for the hub: all interfaces (a real display) or loopback (demo, tests)",
    )  # fmt: skip
    p.add_argument("--services", metavar="A,B", help="show only these services (one per room)")
    p.add_argument("--counters", metavar="G1,G2", help="show only the calls to these counters")
    p.add_argument(
        "--recent",
        type=_positive(int),
        default=6,
        metavar="N",
        help="how many calls the board keeps, the current one included (default 6)",
    )
    p.add_argument("--portrait", action="store_true", help="a portrait screen (1080×1920)")
    p.add_argument(
        "--size",
        default=None,
        metavar="WxH",
        help="the screen's resolution (default 1920x1080, or 1080x1920 in portrait)",
    )
    p.add_argument(
        "--distance-m",
        type=_positive(float),
        default=5.0,
        help="the current call's reader distance; text follows the 0.7° rule (default 5)",
    )
    p.add_argument(
        "--list-distance-m",
        type=_positive(float),
        default=None,
        help="the recent calls' reader distance (default 0.6 × --distance-m: 3 m in a 5 m room)",
    )
    p.add_argument(
        "--info-distance-m",
        type=_positive(float),
        default=None,
        help="the waiting times, hours and channels' reader distance (default 1.5: a visitor "
        "who steps up to the screen)",
    )
    p.add_argument(
        "--screen-inches",
        type=_positive(float),
        default=55.0,
        help="the screen's diagonal in inches (default 55)",
    )
    p.add_argument("--volume", type=_volume, default=1.0, help="announcement volume, 0 to 1")
    p.add_argument("--no-sound", action="store_true", help="show calls without chime or speech")
    p.add_argument("--no-animation", action="store_true", help="a still highlight, no pulse")
    p.add_argument("--high-contrast", action="store_true")
    p.add_argument("--speech", choices=["auto", "espeak", "qt", "none"], default="auto")
    p.add_argument("--windowed", action="store_true", help="a window instead of full screen")
    p.add_argument("--screenshot", metavar="PATH", help="render the board with sample calls to "
                   "a PNG and exit (no hub needed)")  # fmt: skip
    p.add_argument("--stale", action="store_true", help="with --screenshot: the board as it "
                   "looks when the hub is out of reach")  # fmt: skip
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from display import app

    return app.run(args)
