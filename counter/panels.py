"""The side panels: call-backs (take one, call, record the outcome) and the visitor's contact
history (asked only with the visitor's agreement). They render the Desk and emit intents."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from counter import style
from counter.desk import NOTE_MAX, Desk, VisitorKey
from counter.glance import service_names
from counter.texts import CALLBACK_OUTCOMES, CHANNELS, DOMAIN
from counter.widgets import label, scaled
from shared.i18n import translator


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
    record = Signal(str, str, str, str)  # channel, service, outcome, note

    def __init__(self, lang: str) -> None:
        super().__init__()
        _ = translator(lang, DOMAIN)
        self.lang = lang
        self._visit = self._added = 0
        self._shown_for: VisitorKey | None = None
        self._can_record = False
        self._outcomes: list[tuple[str, str]] = []  # the office's (code, label)
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
        # As tall as its lines, not more: the form to record a contact follows right after.
        self.results.setSizeAdjustPolicy(QListWidget.SizeAdjustPolicy.AdjustToContents)
        self.results.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        line = self.results.fontMetrics().lineSpacing()
        self.results.setMinimumHeight(line * 5)  # wrapped lines at 200 % text still show
        self.results.setMaximumHeight(line * 12)  # a long history scrolls
        self.summary = label("", "muted")
        self.rule = label(_("Notes stay short and neutral: no medical or social details."), "muted")
        row = QHBoxLayout()
        row.addWidget(self.kind)
        row.addWidget(self.key, 1)
        box.addLayout(row)
        for w in (self.consent, self.go, self.summary, self.results, self._form(), self.rule):
            box.addWidget(w)

    def _form(self) -> QWidget:
        """A contact of any channel for the visitor found: shown only once found (with their
        agreement), and it needs no ticket (an agent on the phone with a visitor)."""
        _ = translator(self.lang, DOMAIN)
        self.form = QWidget()
        fields = QFormLayout(self.form)
        fields.setContentsMargins(0, 8, 0, 0)
        fields.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # 200 % text
        heading = label(_("Record a contact"))
        scaled(heading, 1.1, bold=True)
        fields.addRow(heading)
        self.channel = QComboBox()
        for code in ("counter", "phone", "email", "callback"):  # the likelier first
            self.channel.addItem(_(CHANNELS[code]), code)
        self.channel.currentIndexChanged.connect(self._fill_outcomes)
        self.service = QComboBox()
        self.outcome = QComboBox()
        self.note = QLineEdit()  # no max length: a pasted note is not cut, the count says why
        self.note.setPlaceholderText(_("Short neutral note (optional)"))
        self.note.textChanged.connect(self._note_changed)
        self.note.returnPressed.connect(self._record)
        self.count = label("", "muted")
        self.add = _button(_("Record this contact"), "primary")
        self.add.clicked.connect(self._record)
        for text, w in (
            (_("Channel"), self.channel),
            (_("Service"), self.service),
            (_("Outcome"), self.outcome),
            (_("Note"), self.note),
        ):
            w.setAccessibleName(text)
            name = label(text)
            name.setBuddy(w)
            fields.addRow(name, w)
        fields.addRow(self.count)
        fields.addRow(self.add)
        return self.form

    def _search(self) -> None:
        self.search.emit(self.kind.currentData(), self.key.text(), self.consent.isChecked())

    def _record(self) -> None:
        self.record.emit(
            self.channel.currentData() or "",
            self.service.currentData() or "",
            self.outcome.currentData() or "",
            self.note.text(),
        )

    def _note_changed(self) -> None:
        _ = translator(self.lang, DOMAIN)
        n = len(self.note.text().strip())
        over = n > NOTE_MAX
        self.count.setText(
            _("The note is too long: {count} characters, {limit} at most.", count=n, limit=NOTE_MAX)
            if over
            else f"{n}/{NOTE_MAX}"
        )
        self.count.setStyleSheet(f"color: {style.PALETTE.danger_text};" if over else "")
        self.add.setEnabled(self._can_record and not over and self.outcome.count() > 0)

    def _fill_outcomes(self) -> None:
        _ = translator(self.lang, DOMAIN)
        options = list(self._outcomes)
        if self.channel.currentData() == "callback":
            options += [(code, _(text)) for code, text in CALLBACK_OUTCOMES]
        _fill(self.outcome, options)
        self._note_changed()

    def _reset_form(self, channel: str, service: str | None) -> None:
        self.channel.setCurrentIndex(max(self.channel.findData(channel), 0))
        self.service.setCurrentIndex(max(self.service.findData(service), 0))
        self.outcome.setCurrentIndex(0)
        self.note.clear()

    def render(
        self,
        desk: Desk,
        office: dict[str, Any] | None,
        enabled: bool,
        services: tuple[str, ...] = (),
        ticket_service: str | None = None,
    ) -> None:
        _ = translator(self.lang, DOMAIN)
        names = service_names(office, self.lang)
        self._outcomes = [
            (o["code"], (o.get("labels") or {}).get(self.lang, o["code"]))
            for o in (office or {}).get("outcomes", [])
        ]
        outcomes = dict(self._outcomes)
        outcomes.update({code: _(text) for code, text in CALLBACK_OUTCOMES})
        busy = "contacts" in desk.busy
        self.go.setEnabled(enabled and not busy)
        # The agent's services first, then the office's others: a question may be about any.
        ordered = [s for s in services if s in names] + [s for s in names if s not in services]
        _fill(self.service, [(code, names[code]) for code in ordered])
        self._fill_outcomes()
        if desk.visit != self._visit:
            # The visitor left (or the agent signed out): their number and their agreement go
            # too. Only then: a redraw for any other reason keeps what the agent is typing.
            self._visit = desk.visit
            self.key.clear()
            self.consent.setChecked(False)
            self.note.clear()
        if desk.visitor != self._shown_for:
            self._shown_for = desk.visitor
            # A visitor at the counter, or one on the phone: the likelier channel comes first.
            self._reset_form("counter" if ticket_service else "phone", ticket_service)
        if desk.added != self._added:  # recorded: the next contact starts with an empty note
            self._added = desk.added
            self.note.clear()
        self.form.setVisible(desk.visitor is not None and desk.contacts is not None)
        self._can_record = enabled and not busy
        self._note_changed()
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


def _fill(combo: QComboBox, options: list[tuple[str, str]]) -> None:
    """Refill a choice only when its options changed, keeping the agent's pick: the panel is
    redrawn at every event of the office and every tick of the clock."""
    if [(combo.itemData(i), combo.itemText(i)) for i in range(combo.count())] == options:
        return
    keep = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    for code, text in options:
        combo.addItem(text, code)
    combo.setCurrentIndex(max(combo.findData(keep), 0))
    combo.blockSignals(False)
