"""`GET /api/v1/status/{token}/events`: a ticket's public status as server-sent events.

Theory of operation
-------------------
The feed subscribes to the hub's Broadcaster like a WebSocket client does, but it does not
forward events: any event (or a quiet heartbeat interval) is only a cue to recompute this
ticket's status from the broadcaster's current state, and a status is sent only when it differs
from the last one sent. So a feed that fell behind loses nothing: it drains its queue and
recomputes once. Subscribing and reading the state happen in one synchronous step, so no event
can fall between the first status and the ones that follow.

Messages: `retry: MS` once; `data: {status JSON}` at once and at every change; a `: ping`
comment after PHONE_SSE_HEARTBEAT_S of silence; `event: gone` when the ticket is no longer
known (the day changed), then the end; `event: reconnect` when the feed reaches its maximum
age (PHONE_SSE_MAX_AGE_S) or the hub stops (`end_all`), then the end, and the browser's
EventSource reconnects by itself. Both matter because uvicorn waits for open streaming
responses before it stops: `end_all` ends them at once, the bounded age is the fallback.

The client leaving is noticed at once: Starlette listens for `http.disconnect` beside the
stream and cancels it; the generator's `finally` unsubscribes. At most
PHONE_SSE_MAX_SUBSCRIBERS feeds run at once; beyond that the hub answers 503 and the page
falls back to polling the JSON status route.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from fastapi import FastAPI
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from shared import const
from shared.core.errors import MontourError, NotFound
from shared.core.events import DayOpened
from shared.core.model import TicketId
from shared.hub.broadcast import Subscriber
from shared.hub.context import Hub
from shared.hub.pages import status

GONE_MESSAGE = "This ticket is unknown or has expired (tickets are valid until closing)."


class TooManyFeeds(MontourError):
    http_status, code = 503, "busy"


class HubStopping(MontourError):
    http_status, code = 503, "stopping"


# Put in a feed's queue to wake it (see end_all); never read, as a feed only drains its queue.
_WAKE = (-1, DayOpened(datetime.min.replace(tzinfo=UTC), date.min))


@dataclass
class Feeds:
    """The live feeds of one app (kept on `app.state`, so two hubs in one process do not mix)."""

    active: int = 0
    subscribers: set[Subscriber] = field(default_factory=set)
    closing: bool = False


def end_all(app: FastAPI) -> None:
    """End every feed now, each with `event: reconnect`, and refuse new ones (503).

    For the server's shutdown: uvicorn waits for open streaming responses before it stops, so
    it must call this first (e.g. from an overridden `uvicorn.Server.shutdown`).
    """
    feeds = feeds_of(app)
    feeds.closing = True
    for sub in feeds.subscribers:
        with contextlib.suppress(asyncio.QueueFull):  # a full queue wakes its feed anyway
            sub.queue.put_nowait(_WAKE)


def feeds_of(app: FastAPI) -> Feeds:
    feeds: Feeds | None = getattr(app.state, "phone_feeds", None)
    if feeds is None:
        feeds = app.state.phone_feeds = Feeds()
    return feeds


class EventStream(StreamingResponse):
    """A streaming response that gives its slot back however it ends."""

    media_type = "text/event-stream"

    def __init__(self, content: AsyncGenerator[str], release: Callable[[], None]) -> None:
        headers = {
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "X-Accel-Buffering": "no",  # a reverse proxy must not hold the events back
        }
        super().__init__(content, headers=headers)
        self._content = content
        self._release = release

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            # A stream cancelled while it waits to send leaves the generator suspended; close
            # it now so that it unsubscribes at once, not whenever it is garbage-collected.
            try:
                await self._content.aclose()
            finally:
                self._release()


def open_feed(app: FastAPI, hub: Hub, token: str) -> EventStream:
    ticket = status.find_valid(hub.broadcaster.state, token, hub.config, hub.service.clock.now())
    if ticket is None:
        raise NotFound(GONE_MESSAGE)
    feeds = feeds_of(app)
    if feeds.closing:
        raise HubStopping("The hub is stopping; this page will try again in a moment.")
    if feeds.active >= const.PHONE_SSE_MAX_SUBSCRIBERS:
        raise TooManyFeeds("Too many live pages are open; this page will check every few seconds.")
    feeds.active += 1

    def release() -> None:
        feeds.active -= 1

    return EventStream(_events(hub, feeds, token, ticket.id), release)


def _message(data: dict[str, Any], event: str | None = None) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return (f"event: {event}\n" if event else "") + f"data: {text}\n\n"


async def _events(hub: Hub, feeds: Feeds, token: str, known: TicketId) -> AsyncGenerator[str]:
    loop = asyncio.get_running_loop()
    sub, _, _ = hub.broadcaster.subscribe()
    feeds.subscribers.add(sub)
    try:
        yield f"retry: {round(const.PHONE_SSE_RETRY_S * 1000)}\n\n"
        ends = loop.time() + const.PHONE_SSE_MAX_AGE_S
        last_write, last_sent = loop.time(), ""
        while True:
            state = hub.broadcaster.state
            ticket = status.refresh(state, token, known)
            if ticket is None:
                yield _message({"error": "not_found", "message": GONE_MESSAGE}, "gone")
                return
            known = ticket.id
            now = hub.service.clock.now()
            view = hub.estimates(state, now)
            text = _message(status.public_status(state, hub.config, ticket, now, view))
            if text != last_sent:
                yield text
                last_sent, last_write = text, loop.time()
            if feeds.closing or loop.time() >= ends:
                yield _message({}, "reconnect")
                return
            if loop.time() - last_write >= const.PHONE_SSE_HEARTBEAT_S:
                yield ": ping\n\n"
                last_write = loop.time()
            wake = min(last_write + const.PHONE_SSE_HEARTBEAT_S, ends)
            # On time-out, recompute anyway: with accumulating priority, time moves a rank.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(sub.queue.get(), max(0.0, wake - loop.time()))
            _drain(sub)
    finally:
        feeds.subscribers.discard(sub)
        hub.broadcaster.unsubscribe(sub)


def _drain(sub: Subscriber) -> None:
    """Forget the queued events: the broadcaster's state already holds them all."""
    while not sub.queue.empty():
        sub.queue.get_nowait()
    sub.lagging = False
