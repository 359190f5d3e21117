"""The counter's window: compact (about 420×720), keyboard first, every action on a key shown
on its button. It renders the view model and turns keys, clicks and dialog answers into its
intents. Destructive actions: no-show waits COUNTER_UNDO_S with Undo; cancel and close the
counter ask first, with "Back" as the default button."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from counter import style
from counter.dialogs import (
    ChoiceDialog,
    CompleteDialog,
    NumberDialog,
    ServicesDialog,
    TransferDialog,
    confirm,
)
from counter.glance import service_names
from counter.panels import CallbacksPanel, ContactsPanel
from counter.session import Action, Phase
from counter.texts import DOMAIN, PAUSE_REASONS, SHORTCUTS, action_label
from counter.viewmodel import CounterViewModel
from counter.widgets import ActionGrid, GlancePanel, SignInPanel, TicketCard, label
from shared import const
from shared.core.model import CounterId
from shared.i18n import translator

A = Action


class CounterWindow(QWidget):
    def __init__(self, vm: CounterViewModel, on_top: bool = False) -> None:
        super().__init__()
        self.vm, self.lang = vm, vm.lang
        _ = self._ = translator(self.lang, DOMAIN)
        self.setObjectName("counter")
        self.setWindowTitle(_("Montour — counter"))
        self.setStyleSheet(style.stylesheet())
        if on_top:
            self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)
        self.dialog: QDialog | None = None
        self._seen = ("", "")  # the view model's message and the panels' notice, last drawn
        self._latest = ""
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.banner = label(
            _("Connection to the server lost: actions are disabled until it comes back."), "banner"
        )
        outer.addWidget(self.banner)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(self.scroll)
        page = QWidget()
        page.setObjectName("page")
        self.scroll.setWidget(page)
        box = QVBoxLayout(page)
        self.header = label("", "muted")
        self.error, self.error_text, self.error_ok = self._bar("error", _("OK"))
        self.error_ok.clicked.connect(vm.dismiss_error)
        self.undo, self.undo_text, self.undo_button = self._bar(
            "undo", action_label(A.UNDO, self.lang)
        )
        self.undo_button.clicked.connect(vm.undo)
        self.message = label("", "muted")
        self.message.setAccessibleName(_("Status"))
        self.signin = SignInPanel(self.lang)
        self.signin.signIn.connect(self._sign_in)
        self.card = TicketCard(self.lang)
        self.grid = ActionGrid(self.lang)
        self.grid.triggered.connect(self.trigger)
        self.tabs = QTabWidget()
        self.glance = GlancePanel(self.lang)
        self.callbacks = CallbacksPanel(self.lang)
        self.contacts = ContactsPanel(self.lang)
        self.callbacks.take.connect(vm.desk.take)
        self.callbacks.release.connect(vm.desk.release)
        self.callbacks.outcome.connect(vm.desk.outcome)
        self.contacts.search.connect(vm.desk.search)
        self.contacts.record.connect(vm.desk.record)
        self.tabs.addTab(self.glance, _("Queue") + " (Ctrl+1)")
        self.tabs.addTab(self.callbacks, _("Call-backs") + " (Ctrl+2)")
        self.tabs.addTab(self.contacts, _("History") + " (Ctrl+3)")
        desk = QWidget()
        desk_box = QVBoxLayout(desk)
        desk_box.setContentsMargins(0, 0, 0, 0)
        for w in (self.card, self.grid, self.tabs):
            desk_box.addWidget(w)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.signin)
        self.stack.addWidget(desk)
        for w in (self.header, self.error, self.undo, self.stack, self.message):
            box.addWidget(w)
        self._shortcuts()
        vm.changed.connect(self.render)
        vm.status.connect(self._announce)
        self.render()

    def _bar(self, name: str, button_text: str) -> tuple[QFrame, QLabel, QPushButton]:
        frame = QFrame()
        frame.setObjectName(name)
        row = QHBoxLayout(frame)
        text = label()
        button = QPushButton(button_text)
        button.setAccessibleName(button_text)
        row.addWidget(text, 1)
        row.addWidget(button)
        return frame, text, button

    def _shortcuts(self) -> None:
        self.shortcuts: dict[str, QShortcut] = {}
        keys: dict[str, list[Action]] = {}
        for action, key in SHORTCUTS.items():
            keys.setdefault(key, []).append(action)
        for key, candidates in keys.items():
            sc = QShortcut(QKeySequence(key), self)
            sc.activated.connect(lambda c=candidates: self._key(c))
            self.shortcuts[key] = sc
        for i in range(3):
            sc = QShortcut(QKeySequence(f"Ctrl+{i + 1}"), self)
            sc.activated.connect(lambda i=i: self.tabs.setCurrentIndex(i))
        find = QShortcut(QKeySequence("Ctrl+F"), self)
        find.activated.connect(self._find)

    def _key(self, candidates: list[Action]) -> None:
        allowed = self.vm.actions
        for action in candidates:
            if allowed[action]:
                self.trigger(action)
                return

    def _find(self) -> None:
        self.tabs.setCurrentWidget(self.contacts)
        self.contacts.key.setFocus()

    def _sign_in(self, agent: str, counter: str, services: list[str]) -> None:
        self.vm.sign_in(agent, counter, services)

    # --- intents ----------------------------------------------------------------------------

    def trigger(self, action: Action) -> None:
        """An action from a key or a button: only when the session allows it now."""
        vm, _ = self.vm, self._
        if not vm.actions.get(action, False):
            return
        simple = {
            A.CALL_NEXT: vm.call_next,
            A.RECALL: vm.recall,
            A.START: vm.start_service,
            A.NO_SHOW: vm.no_show,
            A.PARK: vm.park,
            A.RESUME: vm.resume,
            A.OPEN: vm.open_counter,
            A.SIGN_OUT: vm.sign_out,
            A.UNDO: vm.undo,
        }
        if action in simple:
            simple[action]()
        elif action is A.COMPLETE:
            outcomes = [
                (o["code"], (o.get("labels") or {}).get(self.lang, o["code"]))
                for o in (vm.office or {}).get("outcomes", [])
            ]
            self._open(
                CompleteDialog(self, self.lang, outcomes, vm.desk.visitor is not None),
                lambda a: vm.complete(a["value"], a["note"]),
            )
        elif action is A.TRANSFER:
            names = service_names(vm.office, self.lang)
            self._open(
                TransferDialog(self, self.lang, list(names.items())),
                lambda a: vm.transfer(a["service"], a["head"], a["note"]),
            )
        elif action is A.PAUSE:
            reasons = [(code, _(text)) for code, text in PAUSE_REASONS]
            self._open(
                ChoiceDialog(self, _("Pause"), self.lang, _("Why the pause?"), reasons, _("Pause")),
                lambda a: vm.pause(a["value"]),
            )
        elif action is A.REACTIVATE:
            options = [(t.id, t.label) for t in vm.no_shows()]
            self._open(
                ChoiceDialog(
                    self,
                    _("Bring back a no-show"),
                    self.lang,
                    _("The visitor came back. Which ticket?"),
                    options,
                    _("Back in the queue"),
                ),
                lambda a: vm.reactivate(a["value"]),
            )
        elif action is A.CALL_PARKED:
            options = [(t.id, t.label) for t in vm.parked()]
            self._open(
                ChoiceDialog(
                    self,
                    _("Call back from aside"),
                    self.lang,
                    _("Which visitor is back?"),
                    options,
                    _("Call"),
                ),
                lambda a: vm.call_parked(a["value"]),
            )
        elif action is A.CALL_NUMBER:
            self._open(
                NumberDialog(self, self.lang, _("Call a number"), _("Call")),
                lambda a: vm.call_number(a["value"]),
            )
        elif action is A.SERVICES:
            names = service_names(vm.office, self.lang)
            counter: dict[str, Any] = next(
                (c for c in (vm.office or {}).get("counters", []) if c["id"] == vm.session.counter),
                {},
            )
            allowed = [(code, names.get(code, code)) for code in counter.get("services", [])]
            self._open(
                ServicesDialog(self, self.lang, allowed, list(vm.session.services)),
                lambda a: vm.change_services(a["services"]),
            )
        elif action is A.CANCEL:
            self._open(
                NumberDialog(self, self.lang, _("Cancel a ticket"), _("Next")), self._confirm_cancel
            )
        elif action is A.CLOSE:
            box = confirm(
                self,
                self.lang,
                _("Close the counter? Visitors will no longer be called here."),
                _("Close the counter"),
            )
            self._open(box, lambda a: vm.close_counter())

    def _confirm_cancel(self, answer: dict[str, Any]) -> None:
        number = str(answer["value"]).strip().upper()
        text = self._("Cancel ticket {label}? The visitor will need a new ticket.", label=number)
        self._open(
            confirm(self, self.lang, text, self._("Cancel the ticket")),
            lambda a: self.vm.cancel(number),
        )

    def _open(self, dialog: QDialog, on_answer: Any) -> None:
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = dialog
        if isinstance(dialog, QMessageBox):
            dialog.buttonClicked.connect(lambda b: on_answer({}) if b is dialog.go else None)  # type: ignore[attr-defined]
        else:
            dialog.chosen.connect(on_answer)  # type: ignore[attr-defined]
        dialog.finished.connect(lambda _r, d=dialog: self._closed(d))
        dialog.open()

    def _closed(self, dialog: QDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    # --- rendering --------------------------------------------------------------------------

    def render(self) -> None:
        vm, _ = self.vm, self._
        s = vm.session
        allowed = vm.actions
        self.banner.setVisible(not s.connected)
        signed_in = s.phase is not Phase.SIGNED_OUT
        self.stack.setCurrentIndex(1 if signed_in else 0)
        self.signin.set_office(vm.office)
        self.signin.go.setEnabled(allowed[A.SIGN_IN])
        counters = {c["id"]: c["name"] for c in (vm.office or {}).get("counters", [])}
        self.header.setText(
            _(
                "{agent} at {counter}",
                agent=s.agent,
                counter=counters.get(s.counter or "", s.counter),
            )
            if signed_in
            else _("Not signed in")
        )
        self.error.setVisible(vm.error is not None)
        self.error_text.setText(vm.error or "")
        self.error_text.setToolTip(vm.error_detail)
        self.undo.setVisible(s.undo is not None)
        if s.undo is not None:
            self.undo_text.setText(
                _(
                    "{label}: no-show in {seconds} s.",
                    label=s.undo.label,
                    seconds=int(const.COUNTER_UNDO_S),
                )
            )
        self.message.setText(self._latest_status())
        headline = _("Paused") if s.phase is Phase.PAUSED else _("No visitor")
        if s.phase is Phase.CLOSED:
            headline = _("Counter closed")
        self.card.render(s, vm.why, headline, self._pause_detail())
        self.grid.render(allowed)
        self.glance.render(vm.glance)
        enabled = s.connected and signed_in
        self.callbacks.render(vm.desk, vm.office, enabled)
        ticket = s.ticket.service if s.ticket is not None else None
        self.contacts.render(vm.desk, vm.office, enabled, s.services, ticket)
        mine = sum(1 for c in vm.desk.callbacks if c.get("state") == "open")
        self.tabs.setTabText(1, _("Call-backs") + (f" ({mine})" if mine else "") + " (Ctrl+2)")
        self._reflow()

    def _pause_detail(self) -> str:
        """ "Back at 12:45" under "Paused", from the break's planned end, in the office's time."""
        vm, _ = self.vm, self._
        if vm.session.phase is not Phase.PAUSED or vm.state is None or not vm.session.counter:
            return ""
        until = vm.state.counter(CounterId(vm.session.counter)).pause_until
        if until is None:
            return ""
        zone = ZoneInfo((vm.office or {}).get("timezone") or "Europe/Paris")
        return _("Back at {time}", time=until.astimezone(zone).strftime("%H:%M"))

    def _latest_status(self) -> str:
        """The newer of the last thing done and the panels' last confirmation ("Contact
        recorded."): a notice is said once, like a status message, then stays until the next."""
        message, notice = self.vm.message, self.vm.desk.notice
        if message != self._seen[0]:
            self._latest = message
        if notice != self._seen[1] and notice:
            self._latest = notice
            QAccessible.updateAccessibility(QAccessibleAnnouncementEvent(self.message, notice))
        self._seen = (message, notice)
        return self._latest

    def _reflow(self) -> None:
        """Two columns of buttons when they fit, one at large text sizes (200 %)."""
        width = self.scroll.viewport().width() - 24
        if self.grid.layout_for(2 if 2 * self.grid.widest() + 8 <= width else 1):
            self.grid.render(self.vm.actions)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._reflow()

    def _announce(self, text: str) -> None:
        """Status messages reach assistive technology without moving the focus (A1)."""
        self.message.setText(text)
        QAccessible.updateAccessibility(QAccessibleAnnouncementEvent(self.message, text))
