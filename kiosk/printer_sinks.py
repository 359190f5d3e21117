"""Destinations that take a ticket but cannot tell how the printer is: a device file (or any
file), a raw CUPS queue through `lp`, and the PNG preview."""

from __future__ import annotations

import io
import os
import re
import select
import shutil
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

from kiosk.ticket_escpos import escpos_bytes
from kiosk.ticket_layout import Block, Text
from kiosk.ticket_preview import preview_image
from shared import const


class SinkError(RuntimeError):
    """The destination refused the ticket; the message says what to do."""


class Sink(Protocol):
    def deliver(self, blocks: Sequence[Block]) -> tuple[int, str]:
        """Hand the ticket over; return the bytes written and where they went."""
        ...


@dataclass(frozen=True)
class FileSink:
    path: Path

    def deliver(self, blocks: Sequence[Block]) -> tuple[int, str]:
        data = escpos_bytes(blocks)
        # A device node is never created (a missing /dev/usb/lp0 means an unplugged printer);
        # a plain file collects the day's tickets one after the other.
        flags = os.O_WRONLY | os.O_APPEND | os.O_NONBLOCK
        if not str(self.path).startswith("/dev/"):
            flags |= os.O_CREAT
        fd = os.open(self.path, flags, 0o644)
        try:
            _write_all(fd, data, const.PRINTER_WRITE_TIMEOUT_S)
        finally:
            os.close(fd)
        return len(data), f"wrote {len(data)} bytes to {self.path}"


def _write_all(fd: int, data: bytes, timeout_s: float) -> None:
    """Write everything, waiting for a busy device (usblp says EAGAIN) at most timeout_s: a
    blocking write to a printer out of paper would never return."""
    deadline = time.monotonic() + timeout_s
    view = memoryview(data)
    while view:
        try:
            view = view[os.write(fd, view) :]
        except BlockingIOError:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"the printer took no data for {timeout_s:g} s") from None
            select.select([], [fd], [], remaining)


@dataclass(frozen=True)
class CupsSink:
    """A raw CUPS queue, through the `lp` command (no pycups, which builds from source)."""

    queue: str

    def deliver(self, blocks: Sequence[Block]) -> tuple[int, str]:
        lp = shutil.which("lp")
        if lp is None:
            raise SinkError("cups: needs the `lp` command (Debian: apt install cups-client), "
                            "or print straight to the device with file:/dev/usb/lp0")  # fmt: skip
        data = escpos_bytes(blocks)
        try:
            done = subprocess.run(
                [lp, "-d", self.queue, "-o", "raw", "-t", "Montour ticket"], input=data,
                capture_output=True, timeout=const.PRINTER_LP_TIMEOUT_S, check=False,
            )  # fmt: skip
        except subprocess.TimeoutExpired as exc:
            raise TimeoutError(f"lp did not finish in {const.PRINTER_LP_TIMEOUT_S:g} s") from exc
        said = (done.stderr or done.stdout).decode(errors="replace").strip()
        if done.returncode != 0:
            raise SinkError(f"lp -d {self.queue} failed (exit {done.returncode}): {said}")
        return len(data), f"queued {len(data)} bytes on CUPS queue {self.queue} ({said})"


@dataclass(frozen=True)
class PreviewSink:
    """Each ticket as `<label>-<timestamp>.png` in `folder`."""

    folder: Path
    now: Callable[[], datetime] = field(default=datetime.now)

    def deliver(self, blocks: Sequence[Block]) -> tuple[int, str]:
        buffer = io.BytesIO()
        preview_image(blocks).save(buffer, "PNG", optimize=True)
        data = buffer.getvalue()
        self.folder.mkdir(parents=True, exist_ok=True)
        stem = f"{ticket_label(blocks)}-{self.now():%Y%m%d-%H%M%S}"
        for n in range(1, 1000):  # a reprint within the same second gets its own file
            path = self.folder / (f"{stem}.png" if n == 1 else f"{stem}-{n}.png")
            try:
                with path.open("xb") as f:
                    f.write(data)
            except FileExistsError:
                continue
            return len(data), f"wrote {path}"
        raise SinkError(f"too many previews named {stem} in {self.folder}")


def ticket_label(blocks: Sequence[Block]) -> str:
    """The ticket's number: its largest text, made safe for a file name."""
    texts = [b for b in blocks if isinstance(b, Text)]
    if not texts:
        return "ticket"
    biggest = max(texts, key=lambda b: b.size)
    return re.sub(r"[^A-Za-z0-9_-]", "", biggest.text)[:32] or "ticket"
