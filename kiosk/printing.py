"""The kiosk's print worker: one thread that prints tickets in order and never raises.

Qt-free. `PrintWorker(uri)` parses the printer's address at once (a bad address is a
`PrinterUriError` at start-up, not a lost ticket later); `print(blocks)` and `check()` return
`concurrent.futures.Future`s that complete on the worker thread. Each job asks the printer for
its status before and after sending the ticket (when the printer can answer): a printer that
is offline or out of paper gets nothing, and any failure comes back as a `PrintResult` with
`ok=False` and the printer's state, so the kiosk can show the ticket on screen, report the
state to the hub and offer a reprint. `message` is for the technician's log, in English.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from kiosk.ticket_layout import BLOCK_TYPES, Block
from shared import const

if TYPE_CHECKING:
    from kiosk.printers import TicketPrinter

log = logging.getLogger(__name__)


class PrinterState(StrEnum):
    OK = "ok"
    PAPER_NEAR_END = "paper_near_end"
    PAPER_OUT = "paper_out"
    OFFLINE = "offline"
    ERROR = "error"
    UNKNOWN = "unknown"  # the printer cannot answer (file:, cups:, preview:)

    @property
    def printable(self) -> bool:
        return self in (PrinterState.OK, PrinterState.PAPER_NEAR_END, PrinterState.UNKNOWN)


@dataclass(frozen=True)
class PrintResult:
    ok: bool
    state: PrinterState
    message: str
    bytes_sent: int


class PrinterUriError(ValueError):
    """A printer address that is not one of the accepted forms (the message lists them)."""


def open_printer(uri: str) -> TicketPrinter:
    """The printer at `uri` (not contacted yet); PrinterUriError for a bad address."""
    from kiosk.printers import parse_uri

    return parse_uri(uri)


Job = tuple[Callable[[], Any], Callable[[str], Any], Future[Any]]  # run, on failure, answer


class PrintWorker:
    """Prints on its own thread, one job at a time, in the order asked."""

    def __init__(self, uri: str) -> None:
        self.printer = open_printer(uri)
        self._jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._stopped = False
        self._lock = threading.Lock()

    @property
    def uri(self) -> str:
        return self.printer.uri

    def start(self) -> None:
        with self._lock:
            if self._thread is not None or self._stopped:
                raise RuntimeError("a PrintWorker starts once")
            self._thread = threading.Thread(target=self._run, name="print-worker", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Finish the job in progress, answer the queued ones as not done, join the thread."""
        with self._lock:
            self._stopped = True
            thread = self._thread
        self._drain("the print worker stopped before this job")
        self._jobs.put(None)
        if thread is not None:
            thread.join(const.PRINT_WORKER_STOP_TIMEOUT_S)
            if thread.is_alive():
                log.warning("the print worker for %s is still busy after %.0f s",
                            self.uri, const.PRINT_WORKER_STOP_TIMEOUT_S)  # fmt: skip

    def print(self, blocks: Sequence[Block]) -> Future[PrintResult]:
        job = tuple(blocks)
        bad = [b for b in job if not isinstance(b, BLOCK_TYPES)]
        if bad:
            raise TypeError(f"not ticket blocks: {bad!r}")
        return self._submit(lambda: self.printer.print_job(job), _not_printed)

    def check(self) -> Future[PrinterState]:
        """The printer's state now (nothing printed), once the jobs already asked are done."""
        return self._submit(lambda: self.printer.check()[0], lambda _why: PrinterState.ERROR)

    # --- inside ---------------------------------------------------------------------------

    def _submit(self, run: Callable[[], Any], failed: Callable[[str], Any]) -> Future[Any]:
        future: Future[Any] = Future()
        with self._lock:
            if not self._stopped:
                self._jobs.put((run, failed, future))
                return future
        future.set_running_or_notify_cancel()
        future.set_result(failed("the print worker is stopped"))
        return future

    def _run(self) -> None:
        try:  # ~0.2 s of imports and fonts now, rather than on the first visitor's ticket
            from kiosk.ticket_escpos import escpos_module
            from kiosk.ticket_render import warm_up

            escpos_module()
            warm_up()
        except Exception:
            log.exception("warming up the printer code failed; the first ticket will say why")
        while (item := self._jobs.get()) is not None:
            run, failed, future = item
            if not future.set_running_or_notify_cancel():
                continue  # the caller cancelled it while it waited
            try:
                result = run()
            except Exception as exc:  # the worker outlives any printer's surprise
                log.exception("print job on %s failed", self.uri)
                result = failed(f"{self.uri}: {type(exc).__name__}: {exc}")
            future.set_result(result)

    def _drain(self, why: str) -> None:
        while True:
            try:
                item = self._jobs.get_nowait()
            except queue.Empty:
                return
            if item is not None and item[2].set_running_or_notify_cancel():
                item[2].set_result(item[1](why))


def _not_printed(message: str) -> PrintResult:
    return PrintResult(False, PrinterState.ERROR, message, 0)
