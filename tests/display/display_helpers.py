"""Helpers for the display's widget tests: a real window fed by a real view model."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QLabel, QWidget

from display import samples
from display.board import Filters
from display.theme import Viewing
from display.viewmodel import DisplayViewModel
from display.window import DisplayWindow
from shared.core.model import OfficeState

LANDSCAPE = Viewing()
PORTRAIT = Viewing(width_px=1080, height_px=1920)


class FakeLink(QObject):
    """The ServerLink's signals, and a record of the requests made (the boundary here)."""

    statusChanged = Signal(str, str)
    snapshotReceived = Signal(object, int)
    eventReceived = Signal(object, object, int)
    estimatesChanged = Signal(int)
    callFinished = Signal(int, object)
    callFailed = Signal(int, str, str)

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[tuple[int, str]] = []

    def request(self, name: str, *args: Any, **kwargs: Any) -> int:
        self.requests.append((len(self.requests) + 1, name))
        return len(self.requests)

    def answer(self, name: str, body: Any) -> None:
        """Answer the oldest unanswered request of that name."""
        for i, (rid, n) in enumerate(self.requests):
            if n == name:
                del self.requests[i]
                self.callFinished.emit(rid, body)
                return
        raise AssertionError(f"no {name} request pending")


class Recorder:
    """Stands in for the Announcer where only the calls handed to it matter."""

    def __init__(self) -> None:
        self.announced: list[Any] = []

    def announce(self, a: Any) -> None:
        self.announced.append(a)


def sample_vm(state: OfficeState | None = None, connected: bool = True,
              recent: int = 6) -> DisplayViewModel:  # fmt: skip
    vm = DisplayViewModel(None, None, Filters(), recent=recent, now=lambda tz: samples.NOW)
    vm.office, vm.queue = samples.OFFICE, samples.QUEUE
    vm.state, vm.seq = (state or samples.state()), 42
    vm.connected, vm.ever_connected = connected, True
    return vm


def show(qtbot: Any, viewing: Viewing = LANDSCAPE, *, state: OfficeState | None = None,
         connected: bool = True, animate: bool = False, high_contrast: bool = False,
         recent: int = 6) -> tuple[DisplayWindow, DisplayViewModel]:  # fmt: skip
    window = DisplayWindow(viewing, animate=animate, high_contrast=high_contrast, recent=recent)
    qtbot.addWidget(window)
    window.resize(viewing.width_px, viewing.height_px)
    vm = sample_vm(state, connected, recent)
    vm.boardChanged.connect(window.show_board)
    window.show()
    qtbot.waitExposed(window)
    vm.rebuild()
    return window, vm


def settle(window: DisplayWindow) -> None:
    assert window.settle(), "the board's layout does not settle"


def visible_labels(window: QWidget) -> list[QLabel]:
    return [label for label in window.findChildren(QLabel)
            if label.isVisibleTo(window) and label.text().strip()]  # fmt: skip


def clipped(label: QLabel) -> bool:
    """True when a label's text does not fit the room it was given."""
    fm = QFontMetrics(label.font())
    if label.wordWrap():
        longest = max((fm.horizontalAdvance(w) for w in re.split(r"[ \n\t\u200b]+", label.text())),
                      default=0)  # fmt: skip
        return (label.heightForWidth(label.width()) > label.height() + 1
                or longest > label.contentsRect().width() + 1)  # fmt: skip
    return fm.horizontalAdvance(label.text()) > label.contentsRect().width() + 1
