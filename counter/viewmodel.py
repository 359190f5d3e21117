"""The counter's view model: the agent's session, the hub link, and what the window shows.

The link (a counter token: the full view with priority flags and reasons) delivers folded
OfficeStates on the GUI thread; each one is turned into the session's facts (session.observe)
and the queue at a glance. Commands go out with `link.request(...)`: while one is in flight the
session is `pending` and every action is refused, so a double press never sends twice, and the
HubClient's idempotency key makes its own retries harmless. A lost link disables everything
and raises the banner; the stream's fresh snapshot on reconnection brings the session back.

The agent's intents (the commands, the undo window) are the Intents mixin (intents.py); this
module is the link side: the answers, the hub's feed and the refreshes of /queue.
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
from counter.intents import Intents
from counter.session import Session
from counter.texts import DOMAIN, error_text
from shared import const
from shared.client.link import Link
from shared.core.model import OfficeState, TicketState
from shared.i18n import translator

log = logging.getLogger(__name__)


class CounterViewModel(Intents, QObject):
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
        # Other counters' events only change the figures at a glance: redrawn at most this
        # often (a busy office sends dozens a second); the agent's own counter at once.
        self._soon = self._timer(True, self._emit, const.COUNTER_GLANCE_REDRAW_S)
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
            link.estimatesChanged.connect(lambda seq: self._schedule_refresh())

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
        for timer in (self._undo_timer, self._refresh_timer, self._tick, self._callbacks_timer,
                      self._soon):  # fmt: skip
            timer.stop()
        self.link = None

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

    def _send(
        self, kind: str, extra: Any, name: str, /, *args: Any, **kwargs: Any
    ) -> int | None:  # positional only: a request's own arguments may be called `kind`
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
        before = self._mine()
        self.state = state
        self._observe()
        self._schedule_refresh()
        if self._mine() != before:
            self._emit()
        elif not self._soon.isActive():
            self._soon.start()

    def _mine(self) -> tuple[Any, ...]:
        """What the agent acts on: a change there is drawn at once (the rest can wait)."""
        s = self.session
        return (s.phase, s.ticket, s.pending, s.connected, tuple(self.actions.values()))

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
        self._soon.stop()  # this redraw covers what it was waiting for
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
