"""Helpers for the kiosk's widget tests: a real window and view model on sample data."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from kiosk import samples, shots
from kiosk.flow import Access
from kiosk.viewmodel import KioskViewModel
from kiosk.widgets import KButton
from kiosk.window import KioskWindow
from shared.ui.speech import Speaker

PORTRAIT = (1080, 1920)
LANDSCAPE = (1920, 1080)


def build(qtbot, size: tuple[int, int] = PORTRAIT) -> tuple[KioskWindow, KioskViewModel]:  # type: ignore[no-untyped-def]
    window = KioskWindow()
    qtbot.addWidget(window)
    window.resize(*size)
    speaker = Speaker(window, engine="none")
    vm = KioskViewModel(None, None, speaker, shots.sample_state("welcome"), parent=window,
                        today=lambda _tz: samples.TODAY)  # fmt: skip
    vm.office, vm.queue = samples.OFFICE, samples.QUEUE
    vm.viewChanged.connect(window.render)
    window.intent.connect(vm.press)
    window.focusMoved.connect(vm.focus_moved)
    window.show()
    qtbot.waitExposed(window)
    return window, vm


def show(vm: KioskViewModel, screen: str, lang: str = "fr", access: Access | None = None,
         speak: bool = True) -> None:  # fmt: skip
    vm.state = shots.sample_state(screen, lang, access)
    vm._emit(speak=speak)


def visible_texts(window: QWidget) -> list[str]:
    """Every text a visitor can see: visible labels (buttons draw theirs with labels)."""
    return [
        label.text()
        for label in window.findChildren(QLabel)
        if label.isVisibleTo(window) and label.text().strip() and not label.property("decorative")
    ]


def visible_buttons(window: QWidget) -> list[KButton]:
    return [b for b in window.findChildren(KButton) if b.isVisibleTo(window)]


def geometry(window: QWidget, widget: QWidget):  # type: ignore[no-untyped-def]
    top_left = widget.mapTo(window, widget.rect().topLeft())
    return widget.rect().translated(top_left)
