"""Links to printers that answer status queries: TCP (port 9100), serial and USB.

Each link opens a python-escpos printer object for one job and closes it after: a network
printer serves one connection at a time, and a connection kept open across a printer's
reboot would fail on the next ticket. Every wait is bounded by a constant of shared/const.py
(read at call time, so tests can shorten them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.printing import PrinterState
from kiosk.ticket_escpos import PROFILE, escpos_module
from shared import const


def query_status(printer: Any) -> tuple[PrinterState, str]:
    """Ask the printer (DLE EOT 1 and 4) how it is. A printer goes offline when its paper
    ends, so the paper sensor speaks first."""
    online = printer.is_online()
    paper = printer.paper_status()  # 2 plenty, 1 near the end, 0 none
    if paper == 0:
        return PrinterState.PAPER_OUT, "paper out"
    if not online:
        return PrinterState.OFFLINE, "offline (cover open, an error, or no status answer)"
    if paper == 1:
        return PrinterState.PAPER_NEAR_END, "paper near end"
    return PrinterState.OK, "ok"


@dataclass(frozen=True)
class TcpLink:
    host: str
    port: int

    def open(self) -> Any:
        printer = escpos_module().Network(
            self.host, self.port, timeout=const.PRINTER_CONNECT_TIMEOUT_S, profile=PROFILE
        )
        printer.open()  # raises DeviceNotFoundError when refused or timed out
        return printer

    def reading(self, printer: Any) -> None:
        printer.device.settimeout(const.PRINTER_STATUS_TIMEOUT_S)

    def write(self, printer: Any, data: bytes) -> None:
        printer.device.settimeout(const.PRINTER_WRITE_TIMEOUT_S)
        printer._raw(data)

    def close(self, printer: Any) -> None:
        printer.close()


@dataclass(frozen=True)
class SerialLink:
    path: str
    baudrate: int

    def open(self) -> Any:
        printer = escpos_module().Serial(
            devfile=self.path, baudrate=self.baudrate, timeout=const.PRINTER_STATUS_TIMEOUT_S,
            profile=PROFILE,
        )  # fmt: skip
        printer.open()
        return printer

    def reading(self, printer: Any) -> None:
        printer.device.timeout = const.PRINTER_STATUS_TIMEOUT_S

    def write(self, printer: Any, data: bytes) -> None:
        # Without a write timeout a printer holding its flow-control line (paper out) blocks
        # write() forever. A serial line is slow: an Arabic ticket (~55 KB of raster lines)
        # takes ~60 s at 9600 baud, so the time allowed grows with the job (10 bits a byte).
        wire_s = len(data) * 10 / self.baudrate
        printer.device.write_timeout = const.PRINTER_WRITE_TIMEOUT_S + 1.5 * wire_s
        printer._raw(data)

    def close(self, printer: Any) -> None:
        printer.close()


@dataclass(frozen=True)
class UsbLink:
    vendor: int
    product: int
    in_ep: int = 0x82
    out_ep: int = 0x01

    def open(self) -> Any:
        printer = escpos_module().Usb(
            self.vendor, self.product, timeout=int(const.PRINTER_WRITE_TIMEOUT_S * 1000),
            in_ep=self.in_ep, out_ep=self.out_ep, profile=PROFILE,
        )  # fmt: skip
        try:
            printer.open()
        except Exception as exc:
            if type(exc).__name__ == "NoBackendError":
                raise OSError("no USB library (Debian: apt install libusb-1.0-0)") from exc
            raise
        return printer

    def reading(self, printer: Any) -> None:
        printer.device.default_timeout = int(const.PRINTER_STATUS_TIMEOUT_S * 1000)

    def write(self, printer: Any, data: bytes) -> None:
        printer._raw(data)

    def close(self, printer: Any) -> None:
        printer.close()
