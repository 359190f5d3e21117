"""The agent's intents, as the window sends them: sign in, call, serve, transfer, pause…

A mixin of CounterViewModel (viewmodel.py keeps the link, its answers and the refreshes).
Every command goes through `_command`: refused unless the session allows the action now, then
the session is `pending` until the hub answers, so a double press never sends twice. No-show
(and the recall that the office's limit turns into one) is held back for COUNTER_UNDO_S and
sent only then: Undo simply never sends it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QTimer, SignalInstance

from counter import session as sessions
from counter.desk import Desk
from counter.session import Action, PendingUndo, Session
from counter.texts import DOMAIN, PAUSE_MINUTES
from shared.client.link import Link
from shared.core.model import OfficeState
from shared.i18n import Translator, translator

A = Action


class Intents:
    # The view model's side (viewmodel.py) that the intents use.
    link: Link | None
    lang: str
    _: Translator
    session: Session
    state: OfficeState | None
    error: str | None
    error_detail: str
    message: str
    desk: Desk
    status: SignalInstance
    _clock: Callable[[], float]
    _now: Callable[[], datetime]
    _undo_s: float
    _undo_timer: QTimer

    def _send(self, kind: str, extra: Any, name: str, /, *args: Any, **kwargs: Any) -> int | None:
        raise NotImplementedError

    def _emit(self) -> None:
        raise NotImplementedError

    def _observe(self) -> None:
        raise NotImplementedError

    def recall_limit(self) -> int:
        raise NotImplementedError

    @property
    def actions(self) -> dict[Action, bool]:
        return sessions.actions(self.session)

    # --- the agent's intents --------------------------------------------------------------

    def sign_in(self, agent: str, counter: str, services: list[str]) -> bool:
        if not self.actions[A.SIGN_IN]:
            return False
        try:
            self.session = sessions.sign_in(
                self.session, agent, counter, tuple(services), self.recall_limit()
            )
        except ValueError as exc:
            return self._refuse(str(exc))
        set_agent = getattr(self.link, "set_agent", None)
        if set_agent is not None:
            set_agent(self.session.agent)
        self._observe()
        s = self.session
        if s.status.value == "closed" or tuple(s.services) != tuple(services):
            self._command(A.OPEN, "open_counter", counter, list(services), force=True)
        self.desk.refresh_callbacks()
        self._emit()
        return True

    def sign_out(self) -> bool:
        if not self.actions[A.SIGN_OUT]:
            return False
        # The call-backs this agent holds go back to the list for the others (the requests
        # name the agent still signed in: a queued request keeps the agent of its time).
        held = {c["id"] for c in self.desk.callbacks if c.get("mine") and c["state"] == "taken"}
        if self.desk.taken is not None:
            held.add(self.desk.taken["id"])
        if self.link is not None:
            for cid in sorted(held):
                self.link.request("release_callback", cid)
        set_agent = getattr(self.link, "set_agent", None)
        if set_agent is not None:
            set_agent(None)
        self.session = sessions.sign_out(self.session)
        self.desk.clear()
        self._emit()
        return True

    def open_counter(self, services: list[str] | None = None) -> bool:
        s = self.session
        return self._command(A.OPEN, "open_counter", s.counter, list(services or s.services))

    def call_next(self) -> bool:
        return self._command(A.CALL_NEXT, "call_next", self.session.counter)

    def call_number(self, label: str) -> bool:
        label = label.strip().upper()
        if not label:
            return self._refuse(self._("Type the ticket's number."))
        return self._command(A.CALL_NUMBER, "call", self.session.counter, label=label)

    def recall(self) -> bool:
        if self.session.recall_ends_call and self.actions[A.RECALL]:
            return self._hold(A.RECALL)
        return self._ticket(A.RECALL, "recall")

    def start_service(self) -> bool:
        return self._ticket(A.START, "start")

    def complete(self, outcome: str, contact_note: str | None = None) -> bool:
        t = self.session.ticket
        if t is None or not self.actions[A.COMPLETE]:
            return False
        ok = self._command(A.COMPLETE, "complete", t.id, outcome, counter=self.session.counter)
        if ok and contact_note is not None:
            self.desk.record_after_complete(t.service, outcome, contact_note)
        return ok

    def no_show(self) -> bool:
        return self._hold(A.NO_SHOW)

    def undo(self) -> bool:
        if self.session.undo is None:
            return False
        self._undo_timer.stop()
        label = self.session.undo.label
        self.session = sessions.release(self.session)
        self._say(self._("Undone: {label} stays called.", label=label))
        return True

    def reactivate(self, ticket_id: str) -> bool:
        return self._command(A.REACTIVATE, "reactivate", ticket_id)

    def transfer(self, service: str, head: bool = False, note: str = "") -> bool:
        if len(note) > 140:
            return self._refuse(self._("The note is too long."))
        return self._ticket(A.TRANSFER, "transfer", service, note=note.strip(), head=head)

    def park(self) -> bool:
        return self._ticket(A.PARK, "park")

    def call_parked(self, ticket_id: str) -> bool:
        return self._command(A.CALL_PARKED, "call", self.session.counter, ticket=ticket_id)

    def cancel(self, label: str) -> bool:
        wanted = label.strip().upper()
        found = [
            t
            for t in (self.state.waiting() if self.state else [])
            if t.label == wanted and t.service in self.session.services
        ]
        if not found:
            _ = translator(self.lang, DOMAIN)
            return self._refuse(_("No ticket {label} waiting for your services.", label=wanted))
        return self._command(A.CANCEL, "cancel", found[0].id)

    def pause(self, reason: str) -> bool:
        minutes = PAUSE_MINUTES.get(reason)
        until = None if minutes is None else (self._now() + timedelta(minutes=minutes)).isoformat()
        return self._command(A.PAUSE, "pause", self.session.counter, reason, until=until)

    def resume(self) -> bool:
        return self._command(A.RESUME, "resume", self.session.counter)

    def change_services(self, services: list[str]) -> bool:
        """Serve other services from now on, the counter staying open (the hub records a
        CounterServicesChanged; the ticket at the counter, if any, stays)."""
        if not services:
            return self._refuse(self._("Choose at least one service."))
        s = self.session
        return self._command(A.SERVICES, "open_counter", s.counter, list(services))

    def close_counter(self) -> bool:
        return self._command(A.CLOSE, "close_counter", self.session.counter)

    def dismiss_error(self) -> None:
        self.error, self.error_detail = None, ""
        self._emit()

    # --- sending --------------------------------------------------------------------------

    def _ticket(self, action: Action, name: str, *args: Any, **kwargs: Any) -> bool:
        t = self.session.ticket
        if t is None:
            return False
        return self._command(action, name, t.id, *args, counter=self.session.counter, **kwargs)

    def _command(
        self, action: Action, name: str, *args: Any, force: bool = False, **kwargs: Any
    ) -> bool:
        if not force and not self.actions[action]:
            return False
        if self.link is None:
            return False
        self.error = None
        self.session = sessions.begin(self.session, action)
        if self._send("cmd", action, name, *args, **kwargs) is None:
            self.session = sessions.settle(self.session, None)
        self._emit()
        return True

    def _hold(self, action: Action) -> bool:
        t = self.session.ticket
        if t is None or not self.actions[action]:
            return False
        deadline = self._clock() + self._undo_s
        self.session = sessions.hold(self.session, PendingUndo(action, t.id, t.label, deadline))
        self._undo_timer.start(int(self._undo_s * 1000))
        self._emit()
        return True

    def _undo_expired(self) -> None:
        held = self.session.undo
        if held is None:
            return
        self.session = sessions.release(self.session)
        name = "no_show" if held.action is A.NO_SHOW else "recall"
        self._command(held.action, name, held.ticket, counter=self.session.counter, force=True)

    def _fail(self, text: str, detail: str = "") -> None:
        self.error, self.error_detail = text, detail
        self.status.emit(text)
        self._emit()

    def _refuse(self, text: str) -> bool:
        self._fail(text)
        return False

    def _said(self, action: Action, answer: dict[str, Any]) -> None:
        _ = translator(self.lang, DOMAIN)
        ticket = answer.get("ticket") if "status" in answer else answer
        label = (ticket or {}).get("label", "")
        texts = {
            A.CALL_NEXT: _("{label} called", label=label),
            A.CALL_NUMBER: _("{label} called", label=label),
            A.CALL_PARKED: _("{label} called", label=label),
            A.COMPLETE: _("{label} done", label=label),
            A.TRANSFER: _("{label} transferred", label=label),
            A.SERVICES: _("Services changed."),
        }
        self._say(texts.get(action, ""))

    def _say(self, text: str) -> None:
        self.message = text
        if text:
            self.status.emit(text)
        self._emit()
