"""The counter's main widgets: sign-in form, current ticket, action buttons, queue at a glance.
They render what they are given and emit intents; nothing here talks to the hub."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counter import glance as glances
from counter.session import Action, Phase, Session
from counter.texts import DOMAIN, LABELS, PHASES, SHORTCUTS, action_label
from shared.i18n import translator


def label(text: str = "", name: str = "", wrap: bool = True) -> QLabel:
    w = QLabel(text)
    w.setWordWrap(wrap)
    w.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByKeyboard
        | Qt.TextInteractionFlag.TextSelectableByMouse
    )
    if name:
        w.setObjectName(name)
    return w


def scaled(widget: QWidget, factor: float, bold: bool = False) -> None:
    font = widget.font()
    font.setPointSizeF(max(1.0, font.pointSizeF() * factor))
    font.setBold(bold)
    widget.setFont(font)


class SignInPanel(QFrame):
    signIn = Signal(str, str, list)  # agent, counter id, services

    def __init__(self, lang: str) -> None:
        super().__init__()
        _ = translator(lang, DOMAIN)
        self.lang, self._office = lang, None
        self.setObjectName("card")
        box = QVBoxLayout(self)
        self.title = label(_("Sign in to your counter"), "ticket")
        self.agent = QLineEdit()
        self.agent.setMaxLength(60)
        self.agent.setPlaceholderText(_("Your name or agent code"))
        self.agent.setAccessibleName(_("Your name or agent code"))
        self.counter = QComboBox()
        self.counter.setAccessibleName(_("Counter"))
        self.counter.currentIndexChanged.connect(self._preset)
        self.services_box = QVBoxLayout()
        self.services: dict[str, QCheckBox] = {}
        self.go = QPushButton(_("Open the counter") + "  (Enter)")
        self.go.setObjectName("primary")
        self.go.setAccessibleName(_("Open the counter"))
        self.go.clicked.connect(self._submit)
        self.agent.returnPressed.connect(self._submit)
        self.hint = label("", "muted")
        name_label = label(_("Name or code"))
        name_label.setBuddy(self.agent)
        counter_label = label(_("Counter"))
        counter_label.setBuddy(self.counter)
        for w in (
            self.title,
            name_label,
            self.agent,
            counter_label,
            self.counter,
            label(_("Services today")),
        ):
            box.addWidget(w)
        box.addLayout(self.services_box)
        box.addWidget(self.go)
        box.addWidget(self.hint)
        box.addStretch(1)

    def set_office(self, office: dict[str, Any] | None) -> None:
        if office is self._office:
            return
        self._office = office
        self.counter.blockSignals(True)
        self.counter.clear()
        for c in (office or {}).get("counters", []):
            self.counter.addItem(c["name"], c["id"])
        self.counter.blockSignals(False)
        self._preset()

    def _preset(self) -> None:
        """The counter's configured services, ticked; the agent may untick some for today."""
        for box in self.services.values():
            self.services_box.removeWidget(box)
            box.deleteLater()
        self.services = {}
        counters = {c["id"]: c for c in (self._office or {}).get("counters", [])}
        names = glances.service_names(self._office, self.lang)
        for code in counters.get(self.counter.currentData(), {}).get("services", []):
            box = QCheckBox(names.get(code, code))
            box.setChecked(True)
            box.setAccessibleName(names.get(code, code))
            self.services[code] = box
            self.services_box.addWidget(box)

    def _submit(self) -> None:
        chosen = [code for code, box in self.services.items() if box.isChecked()]
        self.signIn.emit(self.agent.text(), self.counter.currentData() or "", chosen)


class TicketCard(QFrame):
    """The ticket at the counter: its number, why it was chosen, its wait and the transfer note.
    Priority is a badge and nothing more (no reason is stored, none is shown)."""

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.setObjectName("card")
        self.lang = lang
        _ = translator(lang, DOMAIN)
        box = QVBoxLayout(self)
        top = QHBoxLayout()
        self.number = label("", "ticket", wrap=False)
        scaled(self.number, 2.4, bold=True)
        self.phase = label("", "muted")
        self.badge = label(_("Priority"), "badge", wrap=False)
        top.addWidget(self.number)
        top.addWidget(self.badge)
        top.addStretch(1)
        box.addLayout(top)
        self.reason, self.waited = label(), label("", "muted")
        self.note = label("", "note")
        self.calls = label("", "muted")
        for w in (self.phase, self.reason, self.waited, self.calls, self.note):
            box.addWidget(w)

    def render(self, s: Session, why: glances.Why | None, headline: str, detail: str = "") -> None:
        """`detail`: a line under the headline when there is no ticket (a break's end)."""
        _ = translator(self.lang, DOMAIN)
        t = s.ticket
        self.number.setText(t.label if t else headline)
        self.number.setAccessibleName(_("Ticket {label}", label=t.label) if t else headline)
        self.phase.setText(_(PHASES[s.phase]) if t else detail)
        # With no ticket the headline says the phase; the line only adds a detail.
        self.phase.setVisible(t is not None or bool(detail))
        self.badge.setVisible(bool(t and t.priority))
        self.reason.setText(why.reason if why else "")
        self.reason.setVisible(bool(why and why.reason))
        self.waited.setText(why.waited if why else "")
        self.waited.setVisible(why is not None)
        note = why.note if why else None
        self.note.setText(_("Transfer note: {note}", note=note) if note else "")
        self.note.setVisible(bool(note))
        calls = ""
        if t is not None and s.phase is Phase.CALLED:
            calls = _(
                "Calls: {calls} (recalls allowed: {limit})", calls=t.calls, limit=s.recall_limit
            )
            if s.recall_ends_call:
                calls += " — " + _("one more recall makes it a no-show")
        self.calls.setText(calls)
        self.calls.setVisible(bool(calls))


# The buttons, in reading order; F8 is one button, "Pause" or "Resume" as the state says.
BUTTONS: tuple[Action, ...] = (
    Action.CALL_NEXT,
    Action.RECALL,
    Action.START,
    Action.COMPLETE,
    Action.NO_SHOW,
    Action.TRANSFER,
    Action.PARK,
    Action.PAUSE,
    Action.CALL_PARKED,
    Action.REACTIVATE,
    Action.CALL_NUMBER,
    Action.CANCEL,
    Action.SERVICES,
    Action.OPEN,
    Action.CLOSE,
    Action.SIGN_OUT,
)


class ActionGrid(QWidget):
    triggered = Signal(object)  # Action

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.buttons: dict[Action, QPushButton] = {}
        for action in BUTTONS:
            button = QPushButton(action_label(action, lang))
            if action is Action.CALL_NEXT:
                button.setObjectName("primary")
                scaled(button, 1.3, bold=True)
            button.clicked.connect(lambda _=False, a=action: self.triggered.emit(self.which(a)))
            self.buttons[action] = button
        self.columns = 0
        self.layout_for(2)

    def which(self, action: Action) -> Action:
        """F8's button means Resume while paused."""
        if action is Action.PAUSE and self.buttons[action].property("resume"):
            return Action.RESUME
        return action

    def layout_for(self, columns: int) -> bool:
        if columns == self.columns:
            return False
        self.columns = columns
        for i, action in enumerate(BUTTONS):
            button = self.buttons[action]
            self.grid.removeWidget(button)
            if action is Action.CALL_NEXT:
                self.grid.addWidget(button, 0, 0, 1, columns)
            else:
                self.grid.addWidget(button, 1 + (i - 1) // columns, (i - 1) % columns)
        return True

    def widest(self) -> int:
        """The widest button of the two columns (the call button spans both)."""
        return max(
            b.sizeHint().width() for a, b in self.buttons.items() if a is not Action.CALL_NEXT
        )

    def render(self, allowed: dict[Action, bool]) -> None:
        _ = translator(self.lang, DOMAIN)
        resume = allowed[Action.RESUME]
        for action, button in self.buttons.items():
            shown = Action.RESUME if action is Action.PAUSE and resume else action
            button.setProperty("resume", shown is Action.RESUME)
            text = action_label(shown, self.lang)
            if self.columns == 1 and action is Action.CALL_NEXT:  # large text: key below
                text = text.replace("  (", "\n(")
            button.setText(text)
            key = SHORTCUTS.get(shown, "")
            button.setAccessibleName(_(LABELS[shown]))
            button.setAccessibleDescription(_("Shortcut: {key}", key=key) if key else "")
            button.setEnabled(allowed[shown])


class GlancePanel(QWidget):
    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang
        box = QVBoxLayout(self)
        self.summary = label("", "ticket")
        self.lines = label()
        self.parked = label("", "muted")
        self.team = label("", "muted")
        for w in (self.summary, self.lines, self.parked, self.team):
            box.addWidget(w)
        box.addStretch(1)

    def render(self, g: glances.Glance) -> None:
        _ = translator(self.lang, DOMAIN)
        longest = "—" if g.longest_min is None else _("{minutes} min", minutes=g.longest_min)
        self.summary.setText(
            _(
                "{waiting} waiting · priority: {priority} · longest wait {longest}",
                waiting=g.waiting,
                priority=g.priority,
                longest=longest,
            )
        )
        rows = [
            _(
                "{service}: {waiting} waiting, estimate {range}",
                service=line.name,
                waiting=line.waiting,
                range=glances.range_text(line, self.lang),
            )
            for line in g.lines
        ]
        self.lines.setText("\n".join(rows))
        parked = ", ".join(p.label for p in g.parked) or _("none")
        self.parked.setText(_("Stepped aside here: {tickets}", tickets=parked))
        mean = (
            "—"
            if g.team.mean_wait_min is None
            else _("{minutes} min", minutes=g.team.mean_wait_min)
        )
        self.team.setText(
            _(
                "Team today: served {served}, mean wait {mean}, no-shows {no_shows}",
                served=g.team.served,
                mean=mean,
                no_shows=g.team.no_shows,
            )
        )
