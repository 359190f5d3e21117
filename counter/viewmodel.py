"""The counter's view model: the agent's session, the hub link, and what the window shows.

The link (a counter token: the full view with priority flags and reasons) delivers folded
OfficeStates on the GUI thread; each one is turned into the session's facts (session.observe)
and the queue at a glance. Commands go out with `link.request(...)`: while one is in flight the
session is `pending` and every action is refused, so a double press never sends twice, and the
HubClient's idempotency key makes its own retries harmless. A lost link disables everything
and raises the banner; the stream's fresh snapshot on reconnection brings the session back.

No-show (and the recall that the office's limit turns into one) is held back for
COUNTER_UNDO_S and sent only then: Undo simply never sends it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from counter import glance as glances
from counter import session as sessions
from counter.desk import Desk
from counter.session import Action, PendingUndo, Session
from counter.texts import DOMAIN, error_text
from shared import const
from shared.client.link import Link
from shared.core.model import OfficeState, TicketState
from shared.i18n import translator

log = logging.getLogger(__name__)
A = Action


class CounterViewModel(QObject):
    changed = Signal()  # redraw from the view model's attributes
    status = Signal(str)  # a short status message for the agent and assistive technology

    def __init__(
        self,
        link: Link | None,
        lang: str = "fr",
        parent: QObject | None = None,
        *,
        now: Callable[[], datetime] | None = None,
        clock: Callable[[], float] = time.monotonic,
        undo_s: float = const.COUNTER_UNDO_S,
    ) -> None:
        super().__init__(parent)
        self.link, self.lang = link, lang
        self._ = translator(lang, DOMAIN)
        self._now = now or (lambda: datetime.now(UTC))
        self._clock, self._undo_s = clock, undo_s
        self.office: dict[str, Any] | None = None
        self.queue: dict[str, Any] | None = None
        self.state: OfficeState | None = None
        self.session = Session()
        self.error: str | None = None
        self.error_detail = ""
        self.message = ""  # the last thing done, said once ("A042 called")
        self.desk = Desk(self._send, self._emit, self._fail, lambda: self.session, lang)
        self._calls: dict[int, tuple[str, Any]] = {}
        self._seen_ticket: str | None = None
        self._refresh_due = self._queue_busy = False
        self._last_refresh = -1e9
        self._undo_timer = self._timer(True, self._undo_expired)
        self._refresh_timer = self._timer(True, self._refresh)
        self._tick = self._timer(False, self._emit, const.COUNTER_CLOCK_TICK_S)
        self._callbacks_timer = self._timer(
            False, self.desk.refresh_callbacks, const.COUNTER_CALLBACKS_REFRESH_S
        )
        if link is not None:
            link.callFinished.connect(self._finished)
            link.callFailed.connect(self._failed)
            link.statusChanged.connect(self._status)
            link.snapshotReceived.connect(self._snapshot)
            link.eventReceived.connect(self._event)

    def _timer(self, single: bool, slot: Callable[[], Any], every_s: float = 0) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(single)
        if every_s:
            timer.setInterval(int(every_s * 1000))
        timer.timeout.connect(slot)
        return timer

    # --- life -----------------------------------------------------------------------------

    def start(self) -> None:
        self._send("office", None, "office")
        self._refresh()
        self._tick.start()
        self._callbacks_timer.start()
        self._emit()

    def stop(self) -> None:
        """Before the link stops. A no-show still held back is sent now, not lost."""
        if self.session.undo is not None:
            self._undo_expired()
        for timer in (self._undo_timer, self._refresh_timer, self._tick, self._callbacks_timer):
            timer.stop()
        self.link = None

    @property
    def actions(self) -> dict[Action, bool]:
        return sessions.actions(self.session)

    def now(self) -> datetime:
        return self._now()

    @property
    def glance(self) -> glances.Glance:
        s = self.session
        return glances.glance(
            self.state, self.queue, self.office, s.services, s.counter, self._now(), self.lang
        )

    @property
    def why(self) -> glances.Why | None:
        t = self.session.ticket
        full = None if t is None or self.state is None else self.state.tickets.get(t.id)  # type: ignore[call-overload]
        return None if full is None else glances.why(full, self._now(), self.office, self.lang)

    def recall_limit(self) -> int:
        return int(((self.office or {}).get("policy") or {}).get("recall_limit", 2))

    def grace_s(self) -> float:
        policy = (self.office or {}).get("policy") or {}
        return float(policy.get("no_show_grace_min", 15)) * 60

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
        return self._command(A.PAUSE, "pause", self.session.counter, reason)

    def resume(self) -> bool:
        return self._command(A.RESUME, "resume", self.session.counter)

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

    def _send(self, kind: str, extra: Any, name: str, *args: Any, **kwargs: Any) -> int | None:
        if self.link is None:
            return None
        try:
            call_id = self.link.request(name, *args, **kwargs)
        except ValueError:  # a request this HubClient does not know (an older shared/client)
            log.error("the hub client has no request %r", name)
            self._fail(self._("This version cannot do that yet."), name)
            return None
        except RuntimeError:  # the link is stopping: the app is closing
            return None
        self._calls[call_id] = (kind, extra)
        return call_id

    # --- answers --------------------------------------------------------------------------

    def _finished(self, call_id: int, answer: dict[str, Any]) -> None:
        kind, extra = self._calls.pop(call_id, ("", None))
        if kind == "cmd":
            self.session = sessions.settle(self.session, answer)
            self._said(extra, answer)
            self._schedule_refresh()
        elif kind == "office":
            self.office = answer
            self.session = replace(self.session, recall_limit=self.recall_limit())
        elif kind == "queue":
            self.queue = answer
            self._queue_busy = False
        elif kind:
            self.desk.finished(kind, extra, answer)
            return
        self._emit()

    def _failed(self, call_id: int, code: str, message: str) -> None:
        kind, extra = self._calls.pop(call_id, ("", None))
        log.warning("request %s failed: %s", kind or call_id, code)  # the message may name people
        if kind == "cmd":
            self.session = sessions.settle(self.session, None)
            self._fail(error_text(code, message, self.lang), message)
        elif kind == "queue":
            self._queue_busy = False
        elif kind and kind != "office":
            self.desk.failed(kind, extra, code, message)

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
        }
        self._say(texts.get(action, ""))

    def _say(self, text: str) -> None:
        self.message = text
        if text:
            self.status.emit(text)
        self._emit()

    # --- the hub's feed -------------------------------------------------------------------

    def _status(self, status: str, detail: str) -> None:
        connected = status == "connected"
        if connected == self.session.connected:
            return
        self.session = sessions.connection(self.session, connected)
        if connected:
            self._send("office", None, "office")
            self._refresh()
            self.desk.refresh_callbacks()
        else:
            log.warning("counter: the hub is out of reach: actions disabled")
        self._emit()

    def _snapshot(self, state: OfficeState, seq: int) -> None:
        self.state = state
        self._observe()
        self._schedule_refresh()
        self._emit()

    def _event(self, state: OfficeState, event: Any, seq: int) -> None:
        self._snapshot(state, seq)

    def _observe(self) -> None:
        s = self.session
        if self.state is None or s.counter is None:
            return
        facts = sessions.facts(self.state, s.counter, s.services, self._now(), self.grace_s())
        self.session = sessions.observe(s, facts)

    def _schedule_refresh(self) -> None:
        """/queue (the estimates) and the call-backs after changes, at most one of each in
        flight and not more often than COUNTER_REFRESH_MIN_S: a busy office's events must
        not become a storm of requests."""
        wait = self._last_refresh + const.COUNTER_REFRESH_MIN_S - self._clock()
        if wait <= 0 and not self._queue_busy:
            self._refresh()
        elif not self._refresh_timer.isActive():
            self._refresh_timer.start(int(max(wait, 0.1) * 1000))

    def _refresh(self) -> None:
        self._last_refresh = self._clock()
        if not self._queue_busy and self._send("queue", None, "queue", state=False) is not None:
            self._queue_busy = True
        self.desk.refresh_callbacks()

    def _emit(self) -> None:
        tid = None if self.session.ticket is None else self.session.ticket.id
        if tid != self._seen_ticket:
            if self._seen_ticket is not None:  # that visitor left the counter
                self.desk.forget_visitor()
            self._seen_ticket = tid
        self.changed.emit()

    def no_shows(self) -> list[Any]:
        if self.state is None:
            return []
        return sessions.recent_no_shows(
            self.state, self.session.services, self._now(), self.grace_s()
        )

    def parked(self) -> list[Any]:
        return [
            t
            for t in (self.state.tickets.values() if self.state else [])
            if t.state is TicketState.PARKED and t.counter == self.session.counter
        ]
