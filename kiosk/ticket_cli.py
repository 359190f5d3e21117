"""`montour ticket`: issue and print one ticket from the shell (installers test a printer)."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "ticket", help="issue and print one ticket from the shell (to test a printer)",
    )  # fmt: skip
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    raise NotImplementedError
