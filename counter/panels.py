"""The side panels: call-backs (take one, call, record the outcome) and the visitor's contact
history (asked only with the visitor's agreement). They render the Desk and emit intents."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counter.desk import NOTE_MAX, Desk
from counter.glance import service_names
from counter.texts import CALLBACK_OUTCOMES, CHANNELS, DOMAIN
from counter.widgets import label, scaled
from shared.i18n import N_, translator


def _time(iso: str | None) -> str:
    if not iso:
        return ""
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%d/%m %H:%M")
    except ValueError:
        return iso


def _wrapping(name: str) -> QListWidget:
    """A list whose long lines wrap instead of being cut (narrow window, 200 % text)."""
    w = QListWidget()
    w.setAccessibleName(name)
    w.setWordWrap(True)
    w.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    w.setResizeMode(QListWidget.ResizeMode.Adjust)
    return w


def _button(text: str, name: str = "") -> QPushButton:
    b = QPushButton(text)
    b.setAccessibleName(text)
    if name:
        b.setObjectName(name)
    return b


class CallbacksPanel(QWidget):
    take = Signal(str)
    release = Signal()
    outcome = Signal(str, str)  # outcome code, note

    def __init__(self, lang: str) -> None:
        super().__init__()
        _ = translator(lang, DOMAIN)
        self.lang = lang
        box = QVBoxLayout(self)
        self.list = _wrapping(_("Call-back requests"))
        self.list.itemActivated.connect(
            lambda item: self.take.emit(item.data(Qt.ItemDataRole.UserRole))
        )
        self.take_button = _button(_("Take this call-back"), "primary")
        self.take_button.clicked.connect(self._take)
        self.empty = label(_("No call-back request for your services."), "muted")
        self.phone = label("", "ticket")
        scaled(self.phone, 1.6, bold=True)
        self.detail = label("", "muted")
        self.note = QLineEdit()
        self.note.setMaxLength(NOTE_MAX)
        self.note.setPlaceholderText(_("Short neutral note (optional)"))
        self.note.setAccessibleName(_("Short neutral note (optional)"))
        self.outcomes = QVBoxLayout()  # one under the other: they fit at 200 % text too
        self.outcome_buttons: dict[str, QPushButton] = {}
        for code, text in CALLBACK_OUTCOMES:
            b = _button(_(text))
            b.clicked.connect(lambda _=False, c=code: self.outcome.emit(c, self.note.text()))
            self.outcome_buttons[code] = b
            self.outcomes.addWidget(b)
        self.release_button = _button(_("Give it back to the list"))
        self.release_button.clicked.connect(self.release.emit)
        for w in (self.empty, self.list, self.take_button, self.phone, self.detail, self.note):
            box.addWidget(w)
        box.addLayout(self.outcomes)
        box.addWidget(self.release_button)

    def _take(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.take.emit(item.data(Qt.ItemDataRole.UserRole))

    def render(self, desk: Desk, office: dict[str, Any] | None, enabled: bool) -> None:
        _ = translator(self.lang, DOMAIN)
        names = service_names(office, self.lang)
        taken = desk.taken
        current = self.list.currentItem()
        keep = current.data(Qt.ItemDataRole.UserRole) if current else None
        self.list.clear()
        for cb in desk.callbacks:
            state = (
                _("taken by you")
                if cb.get("mine")
                else _("taken by {agent}", agent=cb.get("taken_by") or "?")
                if cb.get("state") == "taken"
                else _("to call")
            )
            text = f"{_time(cb.get('created_at'))} · {names.get(cb['service'], cb['service'])}"
            text += f" · {cb.get('lang', '')} · {state}"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, cb["id"])
            self.list.addItem(item)
            if cb["id"] == keep:
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)
        busy = "callbacks" in desk.busy
        self.empty.setVisible(not desk.callbacks and taken is None)
        self.list.setVisible(taken is None and bool(desk.callbacks))
        self.take_button.setVisible(taken is None and bool(desk.callbacks))
        self.take_button.setEnabled(enabled and not busy)
        for w in (
            self.phone,
            self.detail,
            self.note,
            self.release_button,
            *self.outcome_buttons.values(),
        ):
            w.setVisible(taken is not None)
            w.setEnabled(enabled and not busy)
        if taken is None:  # the number leaves the screen with the request, and its note too
            self.phone.setText("")
            self.phone.setAccessibleName("")
            self.detail.setText("")
            self.note.clear()
        else:
            self.phone.setText(taken.get("phone", ""))
            self.phone.setAccessibleName(_("Phone number {phone}", phone=taken.get("phone", "")))
            service = names.get(taken.get("service", ""), "")
            self.detail.setText(
                _(
                    "{service}, asked at {time}, language {lang}. Call, then say how it went.",
                    service=service,
                    time=_time(taken.get("created_at")),
                    lang=taken.get("lang", ""),
                )
            )


class ContactsPanel(QWidget):
    search = Signal(str, str, bool)  # kind, key, consent

    def __init__(self, lang: str) -> None:
        super().__init__()
        _ = translator(lang, DOMAIN)
        self.lang = lang
        self._visit = 0
        box = QVBoxLayout(self)
        self.kind = QComboBox()
        self.kind.addItem(_("File number"), "file")
        self.kind.addItem(_("Phone number"), "phone")
        self.kind.setAccessibleName(_("What the visitor gives"))
        self.key = QLineEdit()
        self.key.setMaxLength(40)
        self.key.setPlaceholderText(_("Number given by the visitor"))
        self.key.setAccessibleName(_("Number given by the visitor"))
        self.consent = QCheckBox(_("The visitor agrees"))
        self.consent.setAccessibleName(_("The visitor agrees"))
        self.go = _button(_("Show history"), "primary")
        self.go.clicked.connect(self._search)
        self.key.returnPressed.connect(self._search)
        self.results = _wrapping(_("Earlier contacts"))
        self.summary = label("", "muted")
        self.rule = label(_("Notes stay short and neutral: no medical or social details."), "muted")
        row = QHBoxLayout()
        row.addWidget(self.kind)
        row.addWidget(self.key, 1)
        box.addLayout(row)
        for w in (self.consent, self.go, self.summary, self.results, self.rule):
            box.addWidget(w)

    def _search(self) -> None:
        self.search.emit(self.kind.currentData(), self.key.text(), self.consent.isChecked())

    def render(self, desk: Desk, office: dict[str, Any] | None, enabled: bool) -> None:
        _ = translator(self.lang, DOMAIN)
        names = service_names(office, self.lang)
        outcomes = {
            o["code"]: (o.get("labels") or {}).get(self.lang, o["code"])
            for o in (office or {}).get("outcomes", [])
        }
        outcomes.update(
            {
                code: _(text)
                for code, text in (
                    ("reached", N_("Reached")),
                    ("no_answer", N_("No answer")),
                    ("wrong_number", N_("Wrong number")),
                )
            }
        )
        self.go.setEnabled(enabled and "contacts" not in desk.busy)
        if desk.visit != self._visit:
            # The visitor left (or the agent signed out): their number and their agreement go
            # too. Only then: a redraw for any other reason keeps what the agent is typing.
            self._visit = desk.visit
            self.key.clear()
            self.consent.setChecked(False)
        self.results.clear()
        if desk.contacts is None:
            self.summary.setText(
                _("Ask the visitor first. Nothing is searched without their agreement.")
            )
            self.results.setVisible(False)
            return
        self.results.setVisible(bool(desk.contacts))
        count = len(desk.contacts)
        self.summary.setText(
            _("No earlier contact.")
            if not count
            else _("One earlier contact")
            if count == 1
            else _("{count} earlier contacts", count=count)
        )
        for c in desk.contacts:
            channel = _(CHANNELS.get(c.get("channel", ""), c.get("channel", "")))
            parts = [
                _time(c.get("at")),
                channel,
                names.get(c.get("service", ""), ""),
                outcomes.get(c.get("outcome", ""), c.get("outcome", "")),
                c.get("note", ""),
            ]
            self.results.addItem(" · ".join(p for p in parts if p))
