"""A. From the click on "Take my ticket" to the ticket's bytes handed to the printer."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from kiosk import flow
from kiosk.flow import Screen
from kiosk.printing import PrintWorker
from kiosk.viewmodel import KioskViewModel
from kiosk.window import KioskWindow
from shared.client.link import ServerLink
from shared.client.stream import fixed_hub

TIMEOUT_S = 15.0


class Silent:
    def say(self, lang: str, texts: list[str]) -> None:
        pass

    def stop(self) -> None:
        pass


def wait(app: QApplication, done: Callable[[], bool], what: str) -> None:
    """Run Qt's event loop until `done()`; it sleeps between events, it never spins."""
    deadline = time.monotonic() + TIMEOUT_S
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError(f"the kiosk did not reach: {what}")
        app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 20)


def run(
    hub_url: str, token: str, lp: Path, tickets: int, lang: str = "fr"
) -> tuple[list[float], int]:
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    link = ServerLink(fixed_hub(hub_url), token)
    printer = PrintWorker(f"file:{lp}")
    vm = KioskViewModel(link, printer, Silent(), flow.initial(lang), prefer_lang=lang)
    window = KioskWindow()
    vm.viewChanged.connect(window.render)
    window.intent.connect(vm.press)
    window.resize(1080, 1920)
    window.show()
    link.start()
    printer.start()
    vm.start()
    latencies: list[float] = []
    try:
        wait(app, lambda: vm.state.screen is Screen.WELCOME and vm.office is not None, "welcome")
        for _ in range(tickets):
            vm.press("take")
            vm.press("service:B")
            vm.press("no")  # no priority
            wait(app, lambda: "issue" in window.buttons and window.buttons["issue"].isEnabled(),
                 "the confirm screen with its rank")  # fmt: skip
            before = lp.stat().st_size if lp.exists() else 0
            started = time.perf_counter()
            QTest.mouseClick(window.buttons["issue"], Qt.MouseButton.LeftButton)
            wait(app, lambda: vm.state.screen in (Screen.TAKE_TICKET, Screen.PRINT_FAILED),
                 "take your ticket")  # fmt: skip
            latencies.append((time.perf_counter() - started) * 1000)
            if vm.state.screen is not Screen.TAKE_TICKET or lp.stat().st_size <= before:
                raise RuntimeError("a ticket was not printed: the benchmark measures nothing")
            vm.press("finish")
        size = lp.stat().st_size // tickets
    finally:
        vm.stop()
        link.stop()
        printer.stop()
        window.close()
    return latencies, size
