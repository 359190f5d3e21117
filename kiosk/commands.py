"""`montour kiosk`: argparse only here; Qt is imported when the command runs."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "kiosk", help="the visitors' touchscreen kiosk",
        description="Run the kiosk: find the office's hub, pair once, and issue tickets.",
    )  # fmt: skip
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from kiosk import app

    return app.run(args)
