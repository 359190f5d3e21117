"""A and B: the display in this process, fed by a real hub that another thread drives."""

from __future__ import annotations

import argparse
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QApplication

from display import commands
from display.app import Display, viewing_of
from display.board import Filters
from shared.core.events import TicketCalled


def rss_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * 4096 / 1e6


class Driver(threading.Thread):
    """Plays the office through the API in a child process (tests.bench.display.drive), so
    that the resident memory measured here is the display's own, not the HTTP client's."""

    def __init__(self, url: str, kiosk: str, counter: str, tickets: int) -> None:
        super().__init__(name="bench-driver", daemon=True)
        self.argv = [sys.executable, "-m", "tests.bench.display.drive", url, kiosk, counter,
                     str(tickets)]  # fmt: skip
        self.done = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            done = subprocess.run(self.argv, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise RuntimeError(f"the driver failed: {done.stderr.strip()[-2000:]}")
        except BaseException as exc:  # reported by the benchmark, which then fails
            self.error = exc
        finally:
            self.done.set()


def build(url: str) -> tuple[QApplication, Display]:
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    parser = argparse.ArgumentParser()
    commands.register(parser.add_subparsers())
    args = parser.parse_args(["display", "--hub", url, "--no-sound", "--windowed"])
    viewing = viewing_of(args)
    display = Display(args, viewing, Filters.parse(args.services, args.counters))
    display.window.resize(viewing.width_px, viewing.height_px)
    display.window.show()
    return app, display


def run_until(app: QApplication, done: Callable[[], bool], timeout_s: float) -> None:
    # processEvents(flags, maxtime) drops WaitForMoreEvents and would spin a core the hub
    # needs: this blocks until events come, a 50 ms timer's at the latest.
    wake = QTimer()
    wake.start(50)
    deadline = time.monotonic() + timeout_s
    try:
        while not done():
            if time.monotonic() > deadline:
                raise TimeoutError("the display benchmark did not finish in time")
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
    finally:
        wake.stop()


def measure(url: str, kiosk: str, counter: str, calls: int, soak: int) -> dict[str, object]:
    app, display = build(url)
    arrived: dict[int, float] = {}
    latencies: list[float] = []

    def on_event(state: object, event: object, seq: int) -> None:  # on the network thread
        if isinstance(event, TicketCalled):
            arrived[seq] = time.perf_counter()

    def on_repaint(seq: int) -> None:
        # A repaint covers every event up to its seq: each call is counted once, when the
        # first repaint that includes it ends.
        now = time.perf_counter()
        for s in [s for s in arrived if s <= seq]:
            latencies.append((now - arrived.pop(s)) * 1000)

    display.link.eventReceived.connect(on_event, Qt.ConnectionType.DirectConnection)
    display.window.repainted.connect(on_repaint)
    display.start()
    try:
        run_until(app, lambda: display.vm.board is not None and display.vm.connected, 15)
        driver = Driver(url, kiosk, counter, calls)
        driver.start()
        run_until(app, lambda: driver.done.is_set() and not arrived, 600)
        if driver.error:
            raise driver.error
        part_a = sorted(latencies)  # the soak's repaints are not counted
        samples: list[tuple[int, float]] = []
        if soak:
            step = max(1, soak // 10)
            for part in range(10):
                d = Driver(url, kiosk, counter, step)
                d.start()
                run_until(app, d.done.is_set, 900)
                if d.error:
                    raise d.error
                app.processEvents()
                samples.append(((part + 1) * step, rss_mb()))
    finally:
        display.close()
        display.window.close()
    n = len(part_a)
    result: dict[str, object] = {
        "calls": n,
        "p50_ms": part_a[n // 2], "p99_ms": part_a[min(n - 1, round(0.99 * (n - 1)))],
        "max_ms": part_a[-1],
    }  # fmt: skip
    if samples:
        half = samples[len(samples) // 2 - 1][1]
        result["rss_mb"] = samples
        result["rss_last_mb"] = samples[-1][1]
        result["rss_growth_last_half_mb"] = samples[-1][1] - half
    return result
