"""`montour display`: argparse only here; Qt is imported when the command runs."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "display", help="the waiting room's wall display",
        description="Run a wall display: find the office's hub, show and announce every call.",
    )  # fmt: skip
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from display import app

    return app.run(args)
