"""Receipt printers by address: `usb:`, `serial:`, `tcp://`, `file:`, `cups:` and `preview:`.

Every printer renders a job to bytes first (ESC/POS built by python-escpos' Dummy, or a PNG)
and then delivers them. Printers on USB, serial and TCP can answer ESC/POS real-time status
queries (DLE EOT): they are asked before the job (a printer offline or out of paper gets
nothing) and after it (the paper ran out, the cover opened). A file, the CUPS spooler and the
preview cannot answer: their state is UNKNOWN, which the worker treats as printable.
Nothing here raises for a printer's failure: `print_job` returns a PrintResult.
"""

from __future__ import annotations

import errno
import logging
import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import platformdirs

from kiosk.printer_links import SerialLink, TcpLink, UsbLink, query_status
from kiosk.printer_sinks import CupsSink, FileSink, PreviewSink, Sink
from kiosk.printing import PrinterState, PrinterUriError, PrintResult
from kiosk.ticket_escpos import escpos_bytes
from kiosk.ticket_layout import Block
from kiosk.ticket_render import RenderError

FORMS = (
    "usb:VID:PID (hexadecimal, e.g. usb:04b8:0e15)",
    "serial:/dev/ttyUSB0?baudrate=19200",
    "tcp://HOST:9100 (the port defaults to 9100)",
    "file:/dev/usb/lp0",
    "cups:NAME (a raw CUPS queue, printed with `lp`)",
    "preview:DIR (a PNG of each ticket in DIR)",
)
OPTIONS = {"usb": {"status", "in_ep", "out_ep"}, "serial": {"status", "baudrate"},
           "tcp": {"status"}}  # fmt: skip
State = tuple[PrinterState, str]
log = logging.getLogger(__name__)


class TicketPrinter(ABC):
    def __init__(self, uri: str) -> None:
        self.uri = uri

    @abstractmethod
    def check(self) -> State:
        """The printer's state and a word on it, without printing."""

    @abstractmethod
    def print_job(self, blocks: Sequence[Block]) -> PrintResult:
        """Print one ticket; never raises for the printer's failures."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.uri!r})"


class StatusPrinter(TicketPrinter):
    """A printer on a link that answers status queries (unless told not to ask)."""

    def __init__(self, uri: str, link: TcpLink | SerialLink | UsbLink, ask: bool) -> None:
        super().__init__(uri)
        self.link, self.ask = link, ask

    def check(self) -> State:
        try:
            device = self.link.open()
        except Exception as exc:
            return PrinterState.OFFLINE, f"{self.uri}: cannot connect: {_why(exc)}"
        try:
            return self._status(device)
        finally:
            self._close(device)

    def print_job(self, blocks: Sequence[Block]) -> PrintResult:
        try:
            data = escpos_bytes(blocks)
        except RenderError as exc:
            return PrintResult(False, PrinterState.ERROR, f"{self.uri}: {exc}", 0)
        try:
            device = self.link.open()
        except Exception as exc:
            why = f"{self.uri}: cannot connect: {_why(exc)}"
            return PrintResult(False, PrinterState.OFFLINE, why, 0)
        try:
            before, word = self._status(device)
            if not before.printable:
                return PrintResult(False, before, f"{self.uri}: not printed: {word}", 0)
            try:
                self.link.write(device, data)
            except Exception as exc:
                state = PrinterState.OFFLINE if _is_gone(exc) else PrinterState.ERROR
                why = f"{self.uri}: writing the ticket failed: {_why(exc)}"
                return PrintResult(False, state, why, 0)
            after, word = self._status(device)
            note = "printed" if after.printable else "sent, but then the printer reported"
            return PrintResult(after.printable, after, f"{self.uri}: {note}: {word}", len(data))
        finally:
            self._close(device)

    def _close(self, device: object) -> None:
        try:
            self.link.close(device)
        except Exception:  # the job's outcome is known; a failed goodbye does not change it
            log.warning("closing %s failed", self.uri, exc_info=True)

    def _status(self, device: object) -> State:
        if not self.ask:
            return PrinterState.UNKNOWN, "status queries are off for this printer"
        try:
            self.link.reading(device)
            return query_status(device)
        except Exception as exc:
            return PrinterState.OFFLINE, f"no answer to the status query ({_why(exc)})"


class SinkPrinter(TicketPrinter):
    """A destination that takes bytes and cannot say how the printer is."""

    def __init__(self, uri: str, sink: Sink) -> None:
        super().__init__(uri)
        self.sink = sink

    def check(self) -> State:
        return PrinterState.UNKNOWN, f"{self.uri} cannot report the printer's state"

    def print_job(self, blocks: Sequence[Block]) -> PrintResult:
        try:
            sent, where = self.sink.deliver(blocks)
        except Exception as exc:
            state = PrinterState.OFFLINE if _is_gone(exc) else PrinterState.ERROR
            return PrintResult(False, state, f"{self.uri}: not printed: {_why(exc)}", 0)
        return PrintResult(True, PrinterState.UNKNOWN, f"{self.uri}: {where}", sent)


def _why(exc: BaseException) -> str:
    text = str(exc).strip().replace("\n", " ")
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _is_gone(exc: BaseException) -> bool:
    """The device is not there (unplugged, refused, timed out) rather than misbehaving."""
    if isinstance(exc, ConnectionError | TimeoutError | FileNotFoundError):
        return True
    return isinstance(exc, OSError) and exc.errno in (errno.ENODEV, errno.ENXIO, errno.EIO)


# --- addresses ------------------------------------------------------------------------------


def parse_uri(uri: str) -> TicketPrinter:
    scheme, colon, rest = uri.strip().partition(":")
    scheme = scheme.lower()
    if not colon or scheme not in ("usb", "serial", "tcp", "file", "cups", "preview"):
        raise _bad(uri, "unknown kind of printer")
    if scheme == "file":
        path = rest[2:] if rest.startswith("///") else rest
        if not path:
            raise _bad(uri, "file: needs a path")
        return SinkPrinter(uri, FileSink(Path(path)))
    if scheme == "cups":
        if not re.fullmatch(r"[^\s/#?]+", rest):
            raise _bad(uri, "cups: needs a queue name without spaces or slashes")
        return SinkPrinter(uri, CupsSink(rest))
    if scheme == "preview":
        folder = Path(rest) if rest else Path(platformdirs.user_data_dir("montour")) / "tickets"
        return SinkPrinter(uri, PreviewSink(folder))
    body, _, query = rest.partition("?")
    options = _options(uri, scheme, query)
    ask = _flag(uri, options.pop("status", "on"))
    if scheme == "usb":
        match = re.fullmatch(r"([0-9a-fA-F]{1,4}):([0-9a-fA-F]{1,4})", body)
        if not match:
            raise _bad(uri, "usb: needs the vendor and product ids in hexadecimal")
        ends = {k: _number(uri, k, v) for k, v in options.items()}
        link: TcpLink | SerialLink | UsbLink = UsbLink(
            int(match[1], 16), int(match[2], 16), ends.get("in_ep", 0x82), ends.get("out_ep", 0x01)
        )
    elif scheme == "serial":
        if not body:
            raise _bad(uri, "serial: needs a device path")
        link = SerialLink(body, _number(uri, "baudrate", options.get("baudrate", "9600")))
    else:
        link = _tcp(uri, body)
    return StatusPrinter(uri, link, ask)


def _tcp(uri: str, body: str) -> TcpLink:
    try:
        parts = urlsplit(f"tcp:{body}")
        host, port = parts.hostname, parts.port or 9100
    except ValueError as exc:
        raise _bad(uri, f"bad port ({exc})") from exc
    if not body.startswith("//") or not host or parts.path not in ("", "/"):
        raise _bad(uri, "tcp: is written tcp://HOST or tcp://HOST:PORT")
    return TcpLink(host, port)


def _options(uri: str, scheme: str, query: str) -> dict[str, str]:
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query))
    except ValueError as exc:
        raise _bad(uri, f"bad options {query!r}") from exc
    unknown = sorted({k for k, _ in pairs} - OPTIONS[scheme])
    if unknown:
        raise _bad(uri, f"unknown option {unknown[0]!r} (known: {sorted(OPTIONS[scheme])})")
    return dict(pairs)


def _flag(uri: str, value: str) -> bool:
    if value.lower() not in ("on", "off"):
        raise _bad(uri, f"status= takes on or off, not {value!r}")
    return value.lower() == "on"


def _number(uri: str, name: str, value: str) -> int:
    try:
        number = int(value, 0)
    except ValueError:
        number = 0
    if number <= 0:
        raise _bad(uri, f"{name}= takes a positive number, not {value!r}")
    return number


def _bad(uri: str, why: str) -> PrinterUriError:
    return PrinterUriError(
        f"Bad printer address {uri!r}: {why}. Accepted forms: " + "; ".join(FORMS)
    )
