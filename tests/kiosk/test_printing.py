"""Printers by address, the print worker, and what reaches each kind of printer.

Real parts: a TCP "printer" on 127.0.0.1 (a socket server thread that records every byte and
answers ESC/POS status queries with the bytes a test chooses), a serial printer on a real
pseudo-terminal, real files, a real PNG. The one fake is `lp` (CUPS cannot run here): a
script on PATH that records what it was sent.
"""

from __future__ import annotations

import os
import pty
import re
import selectors
import socket
import stat
import threading
import tty
from collections.abc import Iterator
from concurrent.futures import Future
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import qrcode
from PIL import Image

from kiosk.printer_sinks import PreviewSink
from kiosk.printers import SinkPrinter, StatusPrinter, TicketPrinter
from kiosk.printing import (
    PrinterState,
    PrinterUriError,
    PrintResult,
    PrintWorker,
    open_printer,
)
from kiosk.ticket_escpos import escpos_bytes
from kiosk.ticket_layout import Block, layout
from kiosk.ticket_render import PAPER_DOTS, text_image
from shared import const
from tests.kiosk.test_ticket_layout import info_for

WAIT_S = 20.0  # a bound on Future.result(): a hung worker fails the test instead of hanging it
QUERIES = b"\x10\x04\x01\x10\x04\x04"  # DLE EOT 1 (printer status), DLE EOT 4 (paper sensor)
ONLINE, OFFLINE = 0x12, 0x1A
PAPER_OK, PAPER_LOW, PAPER_OUT = 0x12, 0x1E, 0x72


@pytest.fixture(autouse=True)
def quick_timing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(const, "PRINTER_CONNECT_TIMEOUT_S", 2.0)
    monkeypatch.setattr(const, "PRINTER_STATUS_TIMEOUT_S", 0.3)
    monkeypatch.setattr(const, "PRINTER_WRITE_TIMEOUT_S", 5.0)


@pytest.fixture
def blocks() -> tuple[Block, ...]:
    return layout(info_for("fr"))


class FakePrinter:
    """A network receipt printer on 127.0.0.1: one connection at a time, like the real ones."""

    def __init__(self, port: int = 0) -> None:
        self.listener = socket.create_server(("127.0.0.1", port))
        self.port = self.listener.getsockname()[1]
        self.online = [ONLINE]  # answers in turn; the last one stays
        self.paper = [PAPER_OK]
        self.answer = True
        self.received = bytearray()
        self.jobs_ended = 0  # connections the client closed
        self._changed = threading.Condition()
        self._wake_r, self._wake_w = socket.socketpair()
        self._thread = threading.Thread(target=self._serve, name="fake-printer")
        self._thread.start()

    @property
    def uri(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def wait_for_jobs(self, count: int) -> None:
        """Wait until `count` connections have ended: every byte sent has then arrived."""
        with self._changed:
            assert self._changed.wait_for(lambda: self.jobs_ended >= count, WAIT_S)

    def close(self) -> None:
        self._wake_w.send(b"x")
        self._thread.join()
        for s in (self.listener, self._wake_r, self._wake_w):
            s.close()

    def _serve(self) -> None:
        with selectors.DefaultSelector() as sel:
            sel.register(self.listener, selectors.EVENT_READ)
            sel.register(self._wake_r, selectors.EVENT_READ)
            client: socket.socket | None = None
            while True:
                for key, _ in sel.select():
                    if key.fileobj is self._wake_r:
                        if client is not None:
                            client.close()
                        return
                    if key.fileobj is self.listener:
                        client, _addr = self.listener.accept()
                        sel.unregister(self.listener)  # one job at a time
                        sel.register(client, selectors.EVENT_READ)
                    elif client is not None:
                        chunk = client.recv(65536)
                        if chunk:
                            self._take(client, chunk)
                            continue
                        sel.unregister(client)
                        client.close()
                        client = None
                        with self._changed:
                            self.jobs_ended += 1
                            self._changed.notify_all()
                        sel.register(self.listener, selectors.EVENT_READ)

    def _take(self, client: socket.socket, chunk: bytes) -> None:
        start = max(0, len(self.received) - 2)
        self.received += chunk
        for match in re.finditer(rb"\x10\x04([\x01-\x04])", bytes(self.received[start:])):
            if not self.answer:
                continue
            n = match.group(1)[0]
            answers = {1: self.online, 4: self.paper}.get(n, [0x12])
            client.sendall(bytes([answers.pop(0) if len(answers) > 1 else answers[0]]))


@pytest.fixture
def printer() -> Iterator[FakePrinter]:
    fake = FakePrinter()
    yield fake
    fake.close()


@pytest.fixture
def worker_for() -> Iterator[Any]:
    workers: list[PrintWorker] = []

    def make(uri: str) -> PrintWorker:
        worker = PrintWorker(uri)
        worker.start()
        workers.append(worker)
        return worker

    yield make
    for worker in workers:
        worker.stop()


def result_of(future: Future[Any]) -> Any:
    return future.result(timeout=WAIT_S)


# --- TCP ------------------------------------------------------------------------------------


def test_tcp_printer_gets_exactly_the_dummy_bytes_between_two_status_queries(
    printer: FakePrinter, worker_for: Any, blocks: tuple[Block, ...]
) -> None:
    result = result_of(worker_for(printer.uri).print(blocks))
    data = escpos_bytes(blocks)
    assert result == PrintResult(True, PrinterState.OK, result.message, len(data))
    assert bytes(printer.received) == QUERIES + data + QUERIES


def test_tcp_paper_out_prints_nothing_and_the_next_job_after_refill_prints(
    printer: FakePrinter, worker_for: Any, blocks: tuple[Block, ...]
) -> None:
    worker = worker_for(printer.uri)
    printer.online, printer.paper = [OFFLINE], [PAPER_OUT]
    result = result_of(worker.print(blocks))
    assert (result.ok, result.state, result.bytes_sent) == (False, PrinterState.PAPER_OUT, 0)
    assert bytes(printer.received) == QUERIES  # asked, and sent nothing
    assert result_of(worker.check()) is PrinterState.PAPER_OUT
    printer.online, printer.paper = [ONLINE], [PAPER_OK]
    printer.received.clear()
    assert result_of(worker.print(blocks)).ok
    assert bytes(printer.received) == QUERIES + escpos_bytes(blocks) + QUERIES


def test_tcp_paper_near_end_prints_and_says_so(
    printer: FakePrinter, worker_for: Any, blocks: tuple[Block, ...]
) -> None:
    printer.paper = [PAPER_LOW]
    result = result_of(worker_for(printer.uri).print(blocks))
    assert (result.ok, result.state) == (True, PrinterState.PAPER_NEAR_END)
    assert result.bytes_sent == len(escpos_bytes(blocks))


def test_tcp_paper_running_out_during_the_job_is_a_failure(
    printer: FakePrinter, worker_for: Any, blocks: tuple[Block, ...]
) -> None:
    printer.online, printer.paper = [ONLINE, OFFLINE], [PAPER_OK, PAPER_OUT]
    result = result_of(worker_for(printer.uri).print(blocks))
    assert (result.ok, result.state) == (False, PrinterState.PAPER_OUT)
    assert result.bytes_sent > 0 and "sent, but then" in result.message


def test_tcp_offline_printer_gets_nothing(
    printer: FakePrinter, worker_for: Any, blocks: tuple[Block, ...]
) -> None:
    printer.online = [OFFLINE]  # cover open
    result = result_of(worker_for(printer.uri).print(blocks))
    assert (result.ok, result.state, bytes(printer.received)) == (
        False, PrinterState.OFFLINE, QUERIES)  # fmt: skip


def test_tcp_printer_that_never_answers_its_status_is_offline(
    printer: FakePrinter, worker_for: Any, blocks: tuple[Block, ...]
) -> None:
    printer.answer = False
    result = result_of(worker_for(printer.uri).print(blocks))
    assert (result.ok, result.state, result.bytes_sent) == (False, PrinterState.OFFLINE, 0)
    assert "no answer to the status query" in result.message


def test_tcp_printer_with_status_off_prints_blind(
    printer: FakePrinter, worker_for: Any, blocks: tuple[Block, ...]
) -> None:
    printer.answer = False
    result = result_of(worker_for(printer.uri + "?status=off").print(blocks))
    assert (result.ok, result.state) == (True, PrinterState.UNKNOWN)
    printer.wait_for_jobs(1)  # nothing was asked, so nothing told us the bytes had arrived
    assert bytes(printer.received) == escpos_bytes(blocks)


def test_tcp_printer_gone_is_offline_and_back_prints_again(worker_for: Any, blocks: Any) -> None:
    fake = FakePrinter()
    port, uri = fake.port, fake.uri
    worker = worker_for(uri)
    assert result_of(worker.print(blocks)).ok
    fake.close()
    gone = result_of(worker.print(blocks))
    assert (gone.ok, gone.state, gone.bytes_sent) == (False, PrinterState.OFFLINE, 0)
    assert "cannot connect" in gone.message
    assert result_of(worker.check()) is PrinterState.OFFLINE
    back = FakePrinter(port)  # the printer is switched on again
    try:
        assert result_of(worker.print(blocks)).ok  # the same worker, still running
        assert bytes(back.received) == QUERIES + escpos_bytes(blocks) + QUERIES
    finally:
        back.close()


# --- the worker -----------------------------------------------------------------------------


def test_jobs_run_one_after_another_in_order(printer: FakePrinter, worker_for: Any) -> None:
    worker = worker_for(printer.uri)
    tickets = [layout(info_for("en", label=f"A00{n}")) for n in range(1, 4)]
    futures = [worker.print(t) for t in tickets]
    check = worker.check()
    assert [result_of(f).ok for f in futures] == [True, True, True]
    assert result_of(check) is PrinterState.OK
    expected = b"".join(QUERIES + escpos_bytes(t) + QUERIES for t in tickets) + QUERIES
    assert bytes(printer.received) == expected


class Exploding(TicketPrinter):
    """A printer whose driver raises something nobody expected."""

    def check(self) -> tuple[PrinterState, str]:
        raise ZeroDivisionError("check")

    def print_job(self, blocks: Any) -> PrintResult:
        raise ZeroDivisionError("print")


def test_the_worker_survives_a_driver_that_raises(tmp_path: Path, blocks: Any) -> None:
    worker = PrintWorker(f"preview:{tmp_path}")
    real = worker.printer
    worker.printer = Exploding("exploding:")
    worker.start()
    try:
        failed = result_of(worker.print(blocks))
        assert (failed.ok, failed.state) == (False, PrinterState.ERROR)
        assert "ZeroDivisionError" in failed.message
        assert result_of(worker.check()) is PrinterState.ERROR
        worker.printer = real
        assert result_of(worker.print(blocks)).ok
    finally:
        worker.stop()


def test_stop_answers_queued_jobs_and_later_ones(tmp_path: Path, blocks: Any) -> None:
    worker = PrintWorker(f"preview:{tmp_path}")
    queued = worker.print(blocks)  # never started: it waits in the queue
    worker.stop()
    assert result_of(queued) == PrintResult(
        False, PrinterState.ERROR, "the print worker stopped before this job", 0)  # fmt: skip
    late = result_of(worker.print(blocks))
    assert (late.ok, late.message) == (False, "the print worker is stopped")
    assert result_of(worker.check()) is PrinterState.ERROR
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(RuntimeError, match="starts once"):
        worker.start()


def test_print_refuses_what_is_not_a_ticket(tmp_path: Path) -> None:
    worker = PrintWorker(f"preview:{tmp_path}")
    with pytest.raises(TypeError, match="not ticket blocks"):
        worker.print(["A042"])  # type: ignore[list-item]
    worker.stop()


# --- serial, file, cups, usb ----------------------------------------------------------------


def test_serial_printer_on_a_pseudo_terminal(worker_for: Any, blocks: Any) -> None:
    main, device = pty.openpty()
    tty.setraw(device)
    got = bytearray()

    def printer_side() -> None:  # answers every status query "online, paper ok"
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # the test closed the terminal
                return
            got.extend(chunk)
            os.write(main, bytes([ONLINE]) * chunk.count(b"\x10\x04"))
            if got.endswith(b"\x1dV\x00" + QUERIES):
                return

    thread = threading.Thread(target=printer_side, name="fake-serial-printer")
    thread.start()
    try:
        uri = f"serial:{os.ttyname(device)}?baudrate=19200"
        result = result_of(worker_for(uri).print(blocks))
        thread.join(WAIT_S)
    finally:
        os.close(device)
        os.close(main)
    assert (result.ok, result.state) == (True, PrinterState.OK)
    assert bytes(got) == QUERIES + escpos_bytes(blocks) + QUERIES


def test_file_printer_appends_each_ticket(tmp_path: Path, worker_for: Any, blocks: Any) -> None:
    path = tmp_path / "lp0"
    worker = worker_for(f"file:{path}")
    first, second = result_of(worker.print(blocks)), result_of(worker.print(blocks))
    assert first.ok and second.ok and first.state is PrinterState.UNKNOWN
    assert path.read_bytes() == escpos_bytes(blocks) * 2
    assert result_of(worker.check()) is PrinterState.UNKNOWN


def test_a_missing_device_file_is_offline_and_never_created(worker_for: Any, blocks: Any) -> None:
    result = result_of(worker_for("file:/dev/montour-no-such-printer").print(blocks))
    assert (result.ok, result.state) == (False, PrinterState.OFFLINE)
    assert not Path("/dev/montour-no-such-printer").exists()


@pytest.fixture
def fake_lp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`lp` on PATH that records its arguments and stdin (CUPS cannot run here)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    lp = bin_dir / "lp"
    lp.write_text(
        '#!/bin/sh\nprintf "%s\\n" "$@" > "$0.args"\ncat > "$0.data"\n'
        'if [ "$2" = broken ]; then echo "lp: The printer or class does not exist." >&2; '
        "exit 1; fi\necho 'request id is broken-1 (1 file(s))'\n"
    )
    lp.chmod(lp.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return lp


def test_cups_queue_gets_the_raw_bytes_through_lp(
    fake_lp: Path, worker_for: Any, blocks: Any
) -> None:
    result = result_of(worker_for("cups:TM-T20II").print(blocks))
    assert (result.ok, result.state) == (True, PrinterState.UNKNOWN)
    assert Path(f"{fake_lp}.data").read_bytes() == escpos_bytes(blocks)
    assert Path(f"{fake_lp}.args").read_text().split("\n")[:4] == ["-d", "TM-T20II", "-o", "raw"]
    refused = result_of(worker_for("cups:broken").print(blocks))
    assert (refused.ok, refused.state) == (False, PrinterState.ERROR)
    assert "does not exist" in refused.message


def test_cups_without_lp_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, worker_for: Any, blocks: Any
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    result = result_of(worker_for("cups:TM-T20II").print(blocks))
    assert (result.ok, result.state) == (False, PrinterState.ERROR)
    assert "cups-client" in result.message and "file:/dev/usb/lp0" in result.message


def test_a_usb_printer_that_is_not_plugged_in_is_offline(worker_for: Any, blocks: Any) -> None:
    result = result_of(worker_for("usb:0000:0001").print(blocks))  # no such device anywhere
    assert (result.ok, result.state, result.bytes_sent) == (False, PrinterState.OFFLINE, 0)


# --- preview --------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_preview_writes_a_png_as_wide_as_the_paper(
    tmp_path: Path, worker_for: Any, lang: str
) -> None:
    info = info_for(lang)
    result = result_of(worker_for(f"preview:{tmp_path}").print(layout(info)))
    (png,) = tmp_path.iterdir()
    assert result.ok and result.bytes_sent == png.stat().st_size and str(png) in result.message
    assert re.fullmatch(r"A042-\d{8}-\d{6}\.png", png.name)
    with Image.open(png) as image:
        assert image.format == "PNG" and image.width == PAPER_DOTS
        assert 1200 < image.height < 2200
        paper = image.convert("1")
    # The QR code in the picture is the phone page's address, as the printer would draw it.
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=6, border=0)
    code.add_data(info.page_url)
    symbol = code.make_image().get_image().convert("1")
    x = (PAPER_DOTS - symbol.width) // 2
    rows = [paper.crop((x, y, x + symbol.width, y + 1)).tobytes() for y in range(paper.height)]
    top = rows.index(symbol.crop((0, 0, symbol.width, 1)).tobytes())
    assert paper.crop((x, top, x + symbol.width, top + symbol.height)).tobytes() == symbol.tobytes()


def test_preview_names_a_reprint_in_the_same_second_apart(tmp_path: Path, blocks: Any) -> None:
    sink = PreviewSink(tmp_path, now=lambda: datetime(2026, 11, 30, 9, 41, 7))
    sink.deliver(blocks)
    sink.deliver(blocks)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "A042-20261130-094107-2.png", "A042-20261130-094107.png"]  # fmt: skip


def test_preview_into_a_file_instead_of_a_folder_fails_cleanly(
    tmp_path: Path, worker_for: Any, blocks: Any
) -> None:
    (tmp_path / "taken").write_text("not a folder")
    result = result_of(worker_for(f"preview:{tmp_path / 'taken'}").print(blocks))
    assert (result.ok, result.state) == (False, PrinterState.ERROR)


def test_arabic_is_shaped_and_laid_out_right_to_left() -> None:
    def ink(image: Image.Image) -> tuple[int, int, int, int]:
        box = image.point(lambda v: 255 - v).getbbox()
        assert box is not None
        return box

    joined = ink(text_image("ببب", 1, "right", False))
    alone = ink(text_image("ب", 1, "right", False))
    # Joined letters take their narrow initial and medial forms: shaping happened.
    assert joined[2] - joined[0] < 2.5 * (alone[2] - alone[0])
    assert joined[2] >= PAPER_DOTS - 2  # right-aligned
    # "ا ب": alef (the tall stroke) comes first, so it is drawn on the right.
    pair = text_image("ا ب", 1, "right", False).point(lambda v: 255 - v)
    left, top, right, _bottom = ink(text_image("ا ب", 1, "right", False))
    tallest_x = next(x for y in range(top, top + 3) for x in range(left, right + 1)
                     if pair.getpixel((x, y)))  # fmt: skip
    assert tallest_x > (left + right) / 2


# --- addresses ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("uri", "kind", "detail"),
    [
        ("usb:04b8:0e15", StatusPrinter, "UsbLink(vendor=1208, product=3605, in_ep=130, out_ep=1)"),
        ("usb:4b8:e15?in_ep=0x81&out_ep=2&status=off", StatusPrinter, "in_ep=129, out_ep=2"),
        (
            "serial:/dev/ttyUSB0?baudrate=19200",
            StatusPrinter,
            "SerialLink(path='/dev/ttyUSB0', baudrate=19200)",
        ),
        ("serial:/dev/ttyS0", StatusPrinter, "baudrate=9600"),
        ("tcp://192.168.1.50:9100", StatusPrinter, "TcpLink(host='192.168.1.50', port=9100)"),
        ("tcp://printer.local", StatusPrinter, "TcpLink(host='printer.local', port=9100)"),
        ("tcp://[::1]:9101?status=off", StatusPrinter, "TcpLink(host='::1', port=9101)"),
        ("file:/dev/usb/lp0", SinkPrinter, "FileSink(path=PosixPath('/dev/usb/lp0'))"),
        ("file:///dev/usb/lp0", SinkPrinter, "FileSink(path=PosixPath('/dev/usb/lp0'))"),
        ("cups:TM-T20II", SinkPrinter, "CupsSink(queue='TM-T20II')"),
        ("preview:/tmp/tickets", SinkPrinter, "PreviewSink(folder=PosixPath('/tmp/tickets')"),
        ("preview:", SinkPrinter, "tickets"),
    ],
)
def test_accepted_printer_addresses(uri: str, kind: type, detail: str) -> None:
    printer = open_printer(uri)
    assert isinstance(printer, kind) and printer.uri == uri
    assert isinstance(printer, StatusPrinter | SinkPrinter)
    assert detail in repr(printer.link if isinstance(printer, StatusPrinter) else printer.sink)
    if "status=off" in uri:
        assert isinstance(printer, StatusPrinter) and not printer.ask


@pytest.mark.parametrize(
    ("uri", "why"),
    [
        ("", "unknown kind of printer"),
        ("/dev/usb/lp0", "unknown kind of printer"),
        ("lpt1:", "unknown kind of printer"),
        ("usb:04b8", "vendor and product ids"),
        ("usb:04b8:zz15", "vendor and product ids"),
        ("usb:04b8:0e15?speed=1", "unknown option 'speed'"),
        ("serial:?baudrate=19200", "needs a device path"),
        ("serial:/dev/ttyUSB0?baudrate=fast", "baudrate= takes a positive number"),
        ("tcp:192.168.1.50", "tcp://HOST"),
        ("tcp://192.168.1.50:99999", "bad port"),
        ("tcp://printer:9100/queue", "tcp://HOST"),
        ("tcp://printer?status=maybe", "status= takes on or off"),
        ("file:", "needs a path"),
        ("cups:", "queue name"),
        ("cups:my printer", "queue name"),
    ],
)
def test_bad_printer_addresses_say_what_is_accepted(uri: str, why: str) -> None:
    with pytest.raises(PrinterUriError, match=re.escape(why)) as error:
        PrintWorker(uri)
    message = str(error.value)
    assert repr(uri) in message
    for form in ("usb:VID:PID", "serial:/dev/ttyUSB0?baudrate=19200", "tcp://HOST:9100",
                 "file:/dev/usb/lp0", "cups:NAME", "preview:DIR"):  # fmt: skip
        assert form in message
