"""A recording stand-in for the ServerLink (the Link protocol) and a window built on it."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import QObject, Signal
from pytestqt.qtbot import QtBot

from counter import samples
from counter.session import Session
from counter.viewmodel import CounterViewModel
from counter.window import CounterWindow


class RecordingLink(QObject):
    """Records every request; a test answers with `answer(i, …)` or `fail(i, …)`."""

    callFinished = Signal(int, object)
    callFailed = Signal(int, str, str)
    statusChanged = Signal(str, str)
    snapshotReceived = Signal(object, int)
    eventReceived = Signal(object, object, int)
    estimatesChanged = Signal(int)

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[tuple[int, str, tuple[Any, ...], dict[str, Any]]] = []
        self.agent: str | None = None

    def request(self, name: str, *args: Any, **kwargs: Any) -> int:
        self.sent.append((len(self.sent) + 1, name, args, kwargs))
        return len(self.sent)

    def set_agent(self, name: str | None) -> None:
        self.agent = name

    def names(self) -> list[str]:
        """The commands sent (the background reads left out)."""
        return [n for _, n, _, _ in self.sent if n not in ("office", "queue", "callbacks")]

    def last(self, name: str) -> tuple[int, tuple[Any, ...], dict[str, Any]]:
        i, _, args, kwargs = [s for s in self.sent if s[1] == name][-1]
        return i, args, kwargs


def make(
    qtbot: QtBot, state: str = "idle", undo_s: float = 5.0, lang: str = "fr"
) -> tuple[CounterWindow, CounterViewModel, RecordingLink]:
    link = RecordingLink()
    vm = CounterViewModel(link, lang, now=lambda: samples.NOW, undo_s=undo_s)
    window = CounterWindow(vm)
    qtbot.addWidget(window)
    window.resize(420, 720)
    vm.office, vm.queue = samples.OFFICE, samples.QUEUE
    session, office_state = samples.session(state)
    vm.session, vm.state = session, office_state
    with qtbot.waitActive(window):  # shortcuts reach the active window only
        window.show()
        window.activateWindow()
    vm.changed.emit()
    return window, vm, link


def set_session(vm: CounterViewModel, **changes: Any) -> Session:
    vm.session = replace(vm.session, **changes)
    vm.changed.emit()
    return vm.session
