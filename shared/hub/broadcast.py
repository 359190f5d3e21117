"""Fan-out of committed events to every connected WebSocket client.

Theory of operation
-------------------
Runs on the event loop thread only. The writer thread hands each committed batch over with
`loop.call_soon_threadsafe(broadcaster.publish, state, events)`; `publish` updates the
published state and seq and puts each event in every subscriber's own bounded queue, so one
slow client never stalls the others. `subscribe()` takes the snapshot and registers the queue
in the same synchronous step, so no event can fall between a snapshot and the stream that
follows it. A subscriber whose queue overflows is marked `lagging` and its handler closes the
socket: the client reconnects and starts again from a fresh snapshot, which is always correct.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from shared import const, protocol
from shared.core.events import DayOpened, Event
from shared.core.model import OfficeState

# Put in the subscribers' queues by announce_estimates: not an event, a cue (compared by
# identity; no real DayOpened is ever this object).
ESTIMATES: Event = DayOpened(datetime.min.replace(tzinfo=UTC), date.min)


@dataclass(eq=False)
class Subscriber:
    queue: asyncio.Queue[tuple[int, Event]] = field(
        default_factory=lambda: asyncio.Queue(const.WS_SEND_QUEUE_MAX)
    )
    lagging: bool = False


class Broadcaster:
    def __init__(self, state: OfficeState, seq: int) -> None:
        self.state = state
        self.seq = seq
        self.subscribers: set[Subscriber] = set()
        self._encoded: OrderedDict[tuple[int, bool], str] = OrderedDict()

    def publish(self, state: OfficeState, events: list[tuple[int, Event]]) -> None:
        self.state = state
        self.seq = events[-1][0] if events else self.seq
        for sub in self.subscribers:
            if sub.lagging:
                continue
            for item in events:
                try:
                    sub.queue.put_nowait(item)
                except asyncio.QueueFull:
                    sub.lagging = True
                    break

    def announce_estimates(self, seq: int) -> None:
        """New estimates, computed for the state at `seq`: clients fetch them (GET /queue) and
        the phone and board feeds recompute. Skipped for a full queue: that client lags anyway
        (and gets a snapshot, then the estimates, when it reconnects)."""
        for sub in self.subscribers:
            if not sub.lagging:
                with contextlib.suppress(asyncio.QueueFull):
                    sub.queue.put_nowait((seq, ESTIMATES))

    def encoded(self, seq: int, event: Event, public: bool) -> str:
        """The event's wire message, encoded once per view however many subscribers get it."""
        key = (seq, public)
        text = self._encoded.get(key)
        if text is None:
            message = {"type": "event", "seq": seq, "event": protocol.event_to_dict(event, public)}
            text = json.dumps(message, ensure_ascii=False, separators=(",", ":"))
            self._encoded[key] = text
            if len(self._encoded) > 2 * const.WS_SEND_QUEUE_MAX:
                self._encoded.popitem(last=False)
        return text

    def subscribe(self) -> tuple[Subscriber, OfficeState, int]:
        sub = Subscriber()
        self.subscribers.add(sub)
        return sub, self.state, self.seq

    def unsubscribe(self, sub: Subscriber) -> None:
        self.subscribers.discard(sub)
