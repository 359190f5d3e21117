"""`GET /api/v1/board/events`: the web board as server-sent events.

Theory of operation
-------------------
The phone feed's machinery (feed.py), for a board instead of a ticket: any event of the office
is a cue to recompute the board from the broadcaster's current state, and a board is sent only
when it differs from the last one sent (its clock aside), so a feed that fell behind loses
nothing. Subscribing and reading the state happen in one synchronous step.

Unlike the phone's, the heartbeat is an `event: ping` carrying the hub's time, not a comment:
the page's script cannot see comments, and it must notice within seconds that the hub went
silent (the stale banner). Its subscription joins the phone feeds' set, so `feed.end_all` at
the hub's shutdown ends board feeds too; the cap on boards (BOARD_SSE_MAX_SUBSCRIBERS) is
counted apart from the phones'.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Any

from fastapi import FastAPI

from shared import const
from shared.hub import hours
from shared.hub.context import Hub
from shared.hub.pages import board_state, feed


def board_now(
    hub: Hub, only: board_state.Filter, lang: str, learned: hours.Learned | None = None
) -> dict[str, Any]:
    state = hub.broadcaster.state
    now = hub.service.clock.now()
    view = hub.estimates(state, now)
    return board_state.board(state, hub.config, only, lang, now, view, learned)


def _active(app: FastAPI) -> list[int]:
    # A one-item list: a mutable count that lives on app.state (two hubs never mix).
    found: list[int] | None = getattr(app.state, "board_feeds", None)
    if found is None:
        found = app.state.board_feeds = [0]
    return found


def active_feeds(app: FastAPI) -> int:
    return _active(app)[0]


def open_feed(app: FastAPI, hub: Hub, only: board_state.Filter, lang: str) -> feed.EventStream:
    feeds = feed.feeds_of(app)
    if feeds.closing:
        raise feed.HubStopping("The hub is stopping; this board will try again in a moment.")
    active = _active(app)
    if active[0] >= const.BOARD_SSE_MAX_SUBSCRIBERS:
        raise feed.TooManyFeeds("Too many boards are open; this board will check every second.")
    active[0] += 1

    def release() -> None:
        active[0] -= 1

    return feed.EventStream(_events(app, hub, feeds, only, lang), release)


def _now(hub: Hub) -> str:
    now: datetime = hub.service.clock.now()
    return now.astimezone(hub.config.tz).isoformat(timespec="seconds")


async def _events(
    app: FastAPI, hub: Hub, feeds: feed.Feeds, only: board_state.Filter, lang: str
) -> AsyncGenerator[str]:
    loop = asyncio.get_running_loop()
    sub, _, _ = hub.broadcaster.subscribe()
    feeds.subscribers.add(sub)
    try:
        yield f"retry: {round(const.BOARD_SSE_RETRY_S * 1000)}\n\n"
        ends = loop.time() + const.BOARD_SSE_MAX_AGE_S
        last_write, last_sent = loop.time(), None
        while True:
            # The learned hours are held for the day: asking is free, except on a new day.
            board = board_now(hub, only, lang, await hours.current(app))
            now = board.pop("now")
            if board != last_sent:
                yield feed._message({**board, "now": now})
                last_sent, last_write = board, loop.time()
            if feeds.closing or loop.time() >= ends:
                yield feed._message({}, "reconnect")
                return
            if loop.time() - last_write >= const.BOARD_SSE_HEARTBEAT_S:
                yield feed._message({"now": _now(hub)}, "ping")
                last_write = loop.time()
            wake = min(last_write + const.BOARD_SSE_HEARTBEAT_S, ends)
            # On time-out, recompute anyway: the day (and its opening hours) can change.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(sub.queue.get(), max(0.0, wake - loop.time()))
            feed._drain(sub)
    finally:
        feeds.subscribers.discard(sub)
        hub.broadcaster.unsubscribe(sub)
