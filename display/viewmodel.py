"""The display's view model: the hub link, the board state, the estimates and the announcements.

The link (public view, no token) delivers snapshots and events as folded OfficeStates on the GUI
thread. Each one rebuilds the BoardState (display/board.py) and emits `boardChanged`; the calls
that are new are handed to the Announcer, which plays them strictly one after another. The live
feed carries no estimates, so /queue is fetched after changes, at most one request in flight and
not more often than DISPLAY_QUEUE_REFRESH_MIN_S. When the link says it is no longer connected,
the board is marked stale at once (the stream's heartbeat makes that happen within ~4 s of a
loss); the ServerLink re-snapshots on reconnection and the board is rebuilt from it.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, tzinfo
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import QObject, QTimer, Signal

from display import board as boards
from display.board import NO_FILTERS, BoardState, Call, Filters
from shared import const
from shared.client.link import Link
from shared.core.model import OfficeState

log = logging.getLogger(__name__)


class Announcer(Protocol):
    def announce(self, a: Any) -> None: ...


def make_announcement(call: Call) -> Any:
    from display.announcer import Announcement  # written alongside; imported when used

    return Announcement(label=call.label, counter_name=call.counter_name, lang=call.lang,
                        recall=call.calls > 1)  # fmt: skip


class DisplayViewModel(QObject):
    boardChanged = Signal(object)  # BoardState
    ready = Signal()  # the first live board (a snapshot) was handed to the window

    def __init__(
        self, link: Link | None, announcer: Announcer | None, filters: Filters = NO_FILTERS,
        *, recent: int = boards.DEFAULT_RECENT, parent: QObject | None = None,
        now: Callable[[tzinfo | None], datetime] = datetime.now,
        clock: Callable[[], float] = time.monotonic,
        announcement: Callable[[Call], Any] = make_announcement,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.link, self.announcer, self.filters, self.recent = link, announcer, filters, recent
        self._now, self._clock, self._announcement = now, clock, announcement
        self.office: dict[str, Any] | None = None
        self.queue: dict[str, Any] | None = None
        self.state: OfficeState | None = None
        self.seq = -1
        self.connected = self.ever_connected = False
        self.board: BoardState | None = None
        # The last calls handed to the announcer (for the log and tests), bounded: a display
        # runs all day and must not grow with it.
        self.announced: deque[Call] = deque(maxlen=const.DISPLAY_RECENT_LOG)
        self._fresh = True  # the next state is a snapshot after a (re)connection
        self._calls: dict[int, str] = {}
        self._queue_busy = self._queue_dirty = False
        self._last_queue = -1e9
        self._queue_timer = QTimer(self)
        self._queue_timer.setSingleShot(True)
        self._queue_timer.timeout.connect(self._refresh_queue)
        self._ready_sent = False
        self._pending: list[Call] = []
        if link is not None:
            link.callFinished.connect(self._finished)
            link.callFailed.connect(self._failed)
            link.statusChanged.connect(self._status)
            link.snapshotReceived.connect(self._snapshot)
            link.eventReceived.connect(self._event)
            link.estimatesChanged.connect(self._refresh_queue)

    def start(self) -> None:
        self._request("office", "office")
        self._refresh_queue()
        self.rebuild()

    def stop(self) -> None:
        self._queue_timer.stop()

    # --- the hub's feed -------------------------------------------------------------------------

    def _status(self, status: str, detail: str) -> None:
        connected = status == "connected"
        if connected == self.connected:
            return
        self.connected = connected
        if not connected:
            log.warning("display: the queue is out of reach (%s): showing the stale banner",
                        detail)  # fmt: skip
            self._fresh = True  # whatever comes next is a snapshot: do not replay the morning
        else:
            self.ever_connected = True
            self._request("office", "office")  # the office may have been reconfigured
        self.rebuild()

    def _snapshot(self, state: OfficeState, seq: int) -> None:
        self._apply(state, seq, fresh=True)

    def _event(self, state: OfficeState, event: Any, seq: int) -> None:
        self._apply(state, seq, fresh=self._fresh)

    def _apply(self, state: OfficeState, seq: int, fresh: bool) -> None:
        before, self.state, self.seq = self.state, state, seq
        now = self._now_office()
        calls = boards.calls_to_announce(before, state, self.office, self.filters, now,
                                         fresh=fresh)  # fmt: skip
        if self.office is None:  # counter names unknown yet: announce once the office is here
            self._pending += calls
        else:
            self._announce(calls)
        self._fresh = False
        if fresh:
            self.connected = self.ever_connected = True
        self.rebuild()
        self._refresh_queue()
        if fresh and not self._ready_sent:
            self._ready_sent = True
            self.ready.emit()

    def _announce(self, calls: list[Call]) -> None:
        names = boards.counter_names(self.office or {})
        for call in calls:
            call = replace(call, counter_name=names.get(call.counter, call.counter_name))
            self.announced.append(call)
            if self.announcer is not None:
                self.announcer.announce(self._announcement(call))

    def rebuild(self) -> None:
        self.board = boards.build(
            self.state, self.office, self.queue, self.filters, self._now_office(), seq=self.seq,
            connected=self.connected, ever_connected=self.ever_connected, recent=self.recent,
        )  # fmt: skip
        self.boardChanged.emit(self.board)

    def _now_office(self) -> datetime:
        return self._now(self.timezone())

    def timezone(self) -> tzinfo | None:
        try:
            return ZoneInfo((self.office or {}).get("timezone") or "UTC")
        except (ZoneInfoNotFoundError, ValueError):
            return None

    # --- requests ---------------------------------------------------------------------------------

    def _request(self, kind: str, name: str, **kwargs: Any) -> None:
        if self.link is not None:
            self._calls[self.link.request(name, **kwargs)] = kind

    def _refresh_queue(self, *_: Any) -> None:
        """At most one /queue in flight, and no more often than the minimum interval."""
        if self.link is None:
            return
        wait = self._last_queue + const.DISPLAY_QUEUE_REFRESH_MIN_S - self._clock()
        if self._queue_busy or wait > 0:
            self._queue_dirty = True
            if not self._queue_busy and not self._queue_timer.isActive():
                self._queue_timer.start(int(wait * 1000) + 1)
            return
        self._queue_busy, self._queue_dirty = True, False
        self._last_queue = self._clock()
        self._request("queue", "queue", state=False)  # the stream gives the state

    def _finished(self, call_id: int, answer: dict[str, Any]) -> None:
        kind = self._calls.pop(call_id, None)
        if kind == "office":
            self.office = answer
            try:
                self.filters.check(answer)
            except boards.FilterError as exc:
                log.error("display: %s", exc)
            pending, self._pending = self._pending, []
            self._announce(pending)
            self.rebuild()
        elif kind == "queue":
            # Only the services' figures (asked without the state, which the stream gives).
            self.queue = {"services": answer.get("services", {})}
            self._queue_done()
            self.rebuild()

    def _failed(self, call_id: int, code: str, message: str) -> None:
        kind = self._calls.pop(call_id, None)
        log.warning("display: %s request failed: %s (%s)", kind, message, code)
        if kind == "queue":
            self._queue_done()

    def _queue_done(self) -> None:
        self._queue_busy = False
        if self._queue_dirty:
            self._refresh_queue()
