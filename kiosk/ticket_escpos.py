"""A ticket's blocks as ESC/POS bytes, built with python-escpos' `Dummy` printer.

The whole job is built in memory first and then written in one go: the bytes sent are known
exactly (golden-file tests compare them), and a printer never receives half a ticket because
building it failed. python-escpos is imported here, lazily, so that importing the kiosk does
not run its import-time side effects (see `escpos_module`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import platformdirs

from kiosk.ticket_layout import QR, Block, Cut, Feed, Rule, Text
from kiosk.ticket_render import COLUMNS, native_lines, needs_raster, text_image

PROFILE = "TM-T20II"  # without a profile python-escpos silently ignores image centring
RULE_CHAR = "─"  # box drawing: in every Latin code page of the profile, a continuous line


def escpos_module() -> ModuleType:
    """`escpos.printer`, imported without letting it change our logging or litter /tmp.

    At import python-escpos calls `logging.basicConfig()` (a no-op once the root logger has a
    handler, so a NullHandler stands in while it imports) and pickles its printer profiles
    into `ESCPOS_CAPABILITIES_PICKLE_DIR` (a fresh temporary directory when unset).
    """
    import sys

    if "escpos.printer" in sys.modules:
        return sys.modules["escpos.printer"]
    cache = Path(platformdirs.user_cache_dir("montour")) / "escpos"
    if "ESCPOS_CAPABILITIES_PICKLE_DIR" not in os.environ:
        cache.mkdir(parents=True, exist_ok=True)
        os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = str(cache)
    root = logging.getLogger()
    guard = logging.NullHandler() if not root.handlers else None
    if guard is not None:
        root.addHandler(guard)
    try:
        import escpos.printer
    finally:
        if guard is not None:
            root.removeHandler(guard)
    module: ModuleType = escpos.printer
    return module


def new_dummy() -> Any:
    return escpos_module().Dummy(profile=PROFILE)


def render(printer: Any, blocks: Sequence[Block]) -> None:
    """Send the blocks' commands to a python-escpos printer object."""
    from escpos.constants import QR_ECLEVEL_M

    printer.hw("INIT")  # ESC @: each job starts from the printer's defaults, whatever came before
    for block in blocks:
        match block:
            case Text(text, size, align, bold) if needs_raster(text):
                printer.image(text_image(text, size, align, bold), center=False)
            case Text(text, size, align, bold):
                printer.set(align=align, bold=bold, custom_size=True, width=size, height=size,
                            smooth=size >= 4)  # fmt: skip
                printer.text("".join(f"{line}\n" for line in native_lines(text, size)))
            case QR(data, size):
                printer.set(align="center")  # native QR codes cannot take center=True
                printer.qr(data, native=True, size=size, ec=QR_ECLEVEL_M)
                printer.set(align="left")
            case Rule():
                printer.set(align="left", bold=False, custom_size=True, width=1, height=1,
                            smooth=False)  # fmt: skip
                printer.text(RULE_CHAR * COLUMNS + "\n")
            case Feed(n):
                printer.ln(n)
            case Cut():
                printer.cut()
            case _:
                raise TypeError(f"not a ticket block: {block!r}")


def escpos_bytes(blocks: Sequence[Block]) -> bytes:
    """The whole job as the printer will receive it."""
    dummy = new_dummy()
    render(dummy, blocks)
    output: bytes = dummy.output
    return output
