"""Small dialogs, opened with `open()` (never a blocking `exec()`): the window keeps the open
one in `window.dialog`, and its `chosen` signal carries the answer. Confirmations make the safe
button the default, so Enter never destroys anything."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from counter.desk import NOTE_MAX
from counter.texts import DOMAIN
from counter.widgets import label
from shared.i18n import translator


class Dialog(QDialog):
    chosen = Signal(object)  # the answer: a dict of the fields

    def __init__(self, parent: QWidget, title: str, lang: str) -> None:
        super().__init__(parent)
        self._ = translator(lang, DOMAIN)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.box = QVBoxLayout(self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self._("Back"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.accepted.connect(lambda: self.chosen.emit(self.answer()))

    def finish(self, ok_text: str) -> None:
        self.ok.setText(ok_text)
        self.ok.setAccessibleName(ok_text)
        self.box.addWidget(self.buttons)

    def answer(self) -> dict[str, Any]:
        return {}


class ChoiceDialog(Dialog):
    """One choice in a short list (outcome, pause reason, a no-show or a parked ticket)."""

    def __init__(
        self,
        parent: QWidget,
        title: str,
        lang: str,
        prompt: str,
        options: list[tuple[str, str]],
        ok_text: str,
    ) -> None:
        super().__init__(parent, title, lang)
        self.box.addWidget(label(prompt))
        self.group = QButtonGroup(self)
        self.radios: dict[str, QRadioButton] = {}
        for i, (value, text) in enumerate(options):
            radio = QRadioButton(text)
            radio.setAccessibleName(text)
            radio.setChecked(i == 0)
            self.group.addButton(radio)
            self.radios[value] = radio
            self.box.addWidget(radio)
        self.extra = QVBoxLayout()
        self.box.addLayout(self.extra)
        self.finish(ok_text)

    def choose(self, value: str) -> None:
        self.radios[value].setChecked(True)

    def answer(self) -> dict[str, Any]:
        value = next((v for v, r in self.radios.items() if r.isChecked()), None)
        return {"value": value}


class CompleteDialog(ChoiceDialog):
    """The outcome, and (when the visitor agreed and was found) the visit added to their
    history with a short neutral note."""

    def __init__(
        self, parent: QWidget, lang: str, outcomes: list[tuple[str, str]], can_record: bool
    ) -> None:
        _ = translator(lang, DOMAIN)
        super().__init__(parent, _("Complete"), lang, _("How did it end?"), outcomes, _("Complete"))
        self.record = QCheckBox(_("Add this visit to the visitor's history"))
        self.record.setAccessibleName(self.record.text())
        self.note = QLineEdit()
        self.note.setMaxLength(NOTE_MAX)
        self.note.setPlaceholderText(_("Short neutral note (optional)"))
        self.note.setAccessibleName(_("Short neutral note (optional)"))
        self.record.setChecked(can_record)
        self.can_record = can_record
        for w in (self.record, self.note):
            w.setVisible(can_record)
            self.extra.addWidget(w)

    def answer(self) -> dict[str, Any]:
        # Whether it is offered, not whether it is on screen (a dialog answered unseen).
        note = self.note.text() if self.can_record and self.record.isChecked() else None
        return {**super().answer(), "note": note}


class TransferDialog(Dialog):
    def __init__(self, parent: QWidget, lang: str, services: list[tuple[str, str]]) -> None:
        _ = translator(lang, DOMAIN)
        super().__init__(parent, _("Transfer"), lang)
        self.service = QComboBox()
        for code, name in services:
            self.service.addItem(name, code)
        self.service.setAccessibleName(_("Service"))
        self.head = QCheckBox(_("At the head of its queue"))
        self.head.setAccessibleName(self.head.text())
        self.note = QLineEdit()
        self.note.setMaxLength(NOTE_MAX)
        self.note.setPlaceholderText(_("Note for the next agent (optional)"))
        self.note.setAccessibleName(_("Note for the next agent (optional)"))
        self.count = label("", "muted")
        self.note.textChanged.connect(self._count)
        self._count()
        for w in (
            label(_("To which service?")),
            self.service,
            self.head,
            self.note,
            self.count,
            label(_("No medical or social details."), "muted"),
        ):
            self.box.addWidget(w)
        self.finish(_("Transfer"))

    def _count(self) -> None:
        self.count.setText(self._("{left} characters left", left=NOTE_MAX - len(self.note.text())))

    def answer(self) -> dict[str, Any]:
        return {
            "service": self.service.currentData(),
            "head": self.head.isChecked(),
            "note": self.note.text(),
        }


class ServicesDialog(Dialog):
    """The services this counter may serve (office configuration), those served now ticked."""

    def __init__(
        self, parent: QWidget, lang: str, services: list[tuple[str, str]], serving: list[str]
    ) -> None:
        _ = translator(lang, DOMAIN)
        super().__init__(parent, _("Change services"), lang)
        self.box.addWidget(label(_("Services of this counter from now on")))
        self.services: dict[str, QCheckBox] = {}
        for code, name in services:
            box = QCheckBox(name)
            box.setAccessibleName(name)
            box.setChecked(code in serving)
            self.services[code] = box
            self.box.addWidget(box)
        self.finish(_("Change services"))

    def answer(self) -> dict[str, Any]:
        return {"services": [code for code, box in self.services.items() if box.isChecked()]}


class NumberDialog(Dialog):
    """A ticket number typed by the agent (call it, or cancel it)."""

    def __init__(self, parent: QWidget, lang: str, title: str, ok_text: str) -> None:
        _ = translator(lang, DOMAIN)
        super().__init__(parent, title, lang)
        self.number = QLineEdit()
        self.number.setMaxLength(16)
        self.number.setPlaceholderText("A042")
        self.number.setAccessibleName(_("Ticket number"))
        self.box.addWidget(label(_("Ticket number")))
        self.box.addWidget(self.number)
        self.finish(ok_text)

    def answer(self) -> dict[str, Any]:
        return {"value": self.number.text()}


def confirm(parent: QWidget, lang: str, text: str, yes: str) -> QMessageBox:
    """A question whose default (Enter, Escape) is the safe answer; opened, not exec'd."""
    _ = translator(lang, DOMAIN)
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        _("Please confirm"),
        text,
        QMessageBox.StandardButton.NoButton,
        parent,
    )
    box.setAccessibleName(text)
    go: QPushButton = box.addButton(yes, QMessageBox.ButtonRole.DestructiveRole)
    safe: QPushButton = box.addButton(_("Back"), QMessageBox.ButtonRole.RejectRole)
    go.setAccessibleName(yes)
    safe.setAccessibleName(_("Back"))
    box.setDefaultButton(safe)
    box.setEscapeButton(safe)
    box.go, box.safe = go, safe  # type: ignore[attr-defined]
    return box
