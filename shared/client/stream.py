"""`EventStream`: the hub's live feed, kept as an `OfficeState` that is never silently stale.

Theory of operation
-------------------
`run()` loops until `stop()`: find the hub (`locate()` is called again before EVERY connection,
so a hub that moved or restarted elsewhere is found again), open `/api/v1/events`, and read.
The hub first sends a snapshot with its `seq`: it replaces the state whole. Each event after it
carries the next `seq`: `seq <= current` is a duplicate (events queued before a resync) and is
dropped; `current + 1` is folded with `lifecycle.evolve`; anything beyond means events were
lost, so the stream asks for a fresh snapshot (`{"type": "resync"}`) and ignores events until
it comes. The hub's pings carry its `seq` too, which reveals a loss even in a quiet office.

Liveness is ours to judge: the hub pings every `WS_PING_INTERVAL_S`, so hearing nothing at all
for `heartbeat_timeout_s` means the link is dead (a frozen hub, a pulled cable: TCP alone may
not notice for minutes). The socket is then dropped without a closing handshake, and the
stream reconnects after an exponential, jittered delay, reset once a snapshot arrived.

Callbacks run on the event loop's thread, in order: `on_status("connecting"|"connected"|
"disconnected", detail)`, `on_snapshot(state, seq)`, `on_event(state, event, seq)`,
`on_estimates(seq)` (the hub's estimates changed: fetch GET /queue). The status
is "connected" only once a snapshot arrived, i.e. once what the callbacks hold is live.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Awaitable, Callable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException

from shared import const, protocol
from shared.core import events, lifecycle
from shared.core.events import Event
from shared.core.model import OfficeState
from shared.discovery import DiscoveryError, Interfaces, find_hub

log = logging.getLogger(__name__)

Locate = Callable[[], Awaitable[str]]


def fixed_hub(url: str) -> Locate:
    """`locate` for an app started with `--hub URL`."""

    async def locate() -> str:
        return url

    return locate


def discovered_hub(
    office_id: str | None, interfaces: Interfaces, timeout_s: float | None = None
) -> Locate:
    """`locate` that browses with zeroconf each time: a hub that moved is found again."""

    async def locate() -> str:
        return (await find_hub(office_id, interfaces, timeout_s)).url

    return locate


class LinkLost(Exception):
    """The link is dead although the socket may look open; the message is for people."""


class EventStream:
    def __init__(
        self,
        locate: Locate,
        token: str | None = None,
        *,
        on_snapshot: Callable[[OfficeState, int], None] = lambda state, seq: None,
        on_event: Callable[[OfficeState, Event, int], None] = lambda state, event, seq: None,
        on_status: Callable[[str, str], None] = lambda status, detail: None,
        on_estimates: Callable[[int], None] = lambda seq: None,
        heartbeat_timeout_s: float | None = None,
        reconnect_initial_s: float | None = None,
        reconnect_max_s: float | None = None,
        reconnect_jitter: float | None = None,
        forget: Callable[[OfficeState], OfficeState] | None = None,
    ) -> None:
        self.locate, self.token = locate, token
        # A client that needs only part of the day (the display: the waiting line and its last
        # calls) drops the rest, so its memory does not grow with the day's tickets. An event
        # about a forgotten ticket then resyncs from a snapshot.
        self.forget = forget
        self._forget_at = 0
        self.on_snapshot, self.on_event, self.on_status = on_snapshot, on_event, on_status
        self.on_estimates = on_estimates
        # Read from const now, not at import, so that a test fixture may shorten them.
        self.heartbeat_timeout_s = heartbeat_timeout_s or const.HEARTBEAT_TIMEOUT_S
        self.reconnect_initial_s = reconnect_initial_s or const.RECONNECT_INITIAL_S
        self.reconnect_max_s = reconnect_max_s or const.RECONNECT_MAX_S
        self.reconnect_jitter = (
            const.RECONNECT_JITTER if reconnect_jitter is None else reconnect_jitter
        )
        self.state: OfficeState | None = None
        self.seq = -1
        self.view = ""  # "full" or "public": an unknown or revoked token gets the public view
        self._stopped = False
        self._task: asyncio.Task[Any] | None = None
        self._ws: ClientConnection | None = None
        self._live = False  # a snapshot arrived on the current connection
        self._resyncing = False

    def stop(self) -> None:
        """End `run()` promptly, closing the socket. Call it on the loop's thread."""
        self._stopped = True
        if self._task is not None:
            self._task.cancel()

    async def resync(self) -> None:
        """Ask for a fresh snapshot; events are ignored until it comes."""
        if self._ws is not None and not self._resyncing:
            self._resyncing = True
            await self._ws.send(json.dumps({"type": "resync"}))

    async def run(self) -> None:
        self._task = asyncio.current_task()
        delay, url = self.reconnect_initial_s, ""
        try:
            while not self._stopped:
                # Say what is really happening: a browse may find the hub somewhere else.
                self.on_status("connecting", "finding the hub")
                try:
                    url = await self.locate()
                    log.info("connecting to the hub at %s", url)
                    await self._session(url)
                    reason = "the hub closed the connection"
                except (LinkLost, OSError, TimeoutError, WebSocketException, DiscoveryError) as e:
                    reason = _describe(e, url)
                except Exception as exc:  # a bug must not end the feed for good: log, go on
                    log.exception("event stream from %s failed", url)
                    reason = _describe(exc, url)
                if self._live:
                    delay, self._live = self.reconnect_initial_s, False
                self.on_status("disconnected", reason)
                jitter = random.uniform(1 - self.reconnect_jitter, 1 + self.reconnect_jitter)
                await asyncio.sleep(delay * jitter)
                delay = min(delay * 2, self.reconnect_max_s)
        except asyncio.CancelledError:
            if not self._stopped:
                raise
        finally:
            self._task = None

    async def _session(self, url: str) -> None:
        """One connection, from opening to its end (an exception says why it ended)."""
        self._resyncing = False
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else None
        ws = await connect(
            url.replace("http", "ws", 1).rstrip("/") + f"{const.API_PREFIX}/events",
            additional_headers=headers,
            open_timeout=self.heartbeat_timeout_s,
            ping_interval=None,  # the hub's own pings (with their seq) are our heartbeat
            close_timeout=const.WS_CLOSE_TIMEOUT_S,
            max_size=const.WS_MAX_MESSAGE_BYTES,
            proxy=None,  # the hub is on the office network, never behind a proxy
        )
        self._ws = ws
        dead = False
        try:
            while True:
                try:
                    async with asyncio.timeout(self.heartbeat_timeout_s):
                        raw = await ws.recv()
                except TimeoutError:
                    dead = True
                    raise LinkLost(
                        f"nothing heard from the hub for {self.heartbeat_timeout_s:g} s"
                    ) from None
                await self._receive(json.loads(raw), url)
        finally:
            self._ws = None
            if dead:  # a closing handshake with a hub that does not answer would only wait
                ws.transport.abort()
            else:
                await ws.close()

    def _forget(self, state: OfficeState, force: bool = False) -> OfficeState:
        """Apply `forget` on a snapshot, then each time the state grew by 64 tickets."""
        if self.forget is None or not (force or len(state.tickets) >= self._forget_at):
            return state
        state = self.forget(state)
        self._forget_at = len(state.tickets) + 64
        return state

    async def _receive(self, message: dict[str, Any], url: str) -> None:
        kind = message.get("type")
        if kind == "snapshot":
            self.state = self._forget(protocol.state_from_dict(message["state"]), force=True)
            self.seq, self._resyncing = int(message["seq"]), False
            self.view = str(message.get("view", ""))
            if not self._live:
                self._live = True
                self.on_status("connected", url)
            self.on_snapshot(self.state, self.seq)
        elif kind == "event":
            seq = int(message["seq"])
            if self._resyncing or self.state is None or seq <= self.seq:
                return
            if seq > self.seq + 1:
                log.info("missed events %d to %d: resync", self.seq + 1, seq - 1)
                await self.resync()
                return
            try:
                event = events.from_dict(message["event"])
                ticket = getattr(event, "ticket", None)
                forgotten = ticket and not isinstance(event, events.TicketIssued)
                if self.forget is not None and forgotten and ticket not in self.state.tickets:
                    log.info("event %d is about a ticket this client forgot: resync", seq)
                    await self.resync()
                    return
                state = self._forget(lifecycle.evolve(self.state, event))
            except (KeyError, ValueError, TypeError):
                log.exception("cannot apply event %d: resync", seq)
                await self.resync()
                return
            self.state, self.seq = state, seq
            self.on_event(state, event, seq)
        elif kind == "estimates":
            self.on_estimates(int(message.get("seq", 0)))
        elif kind == "ping":
            if self.state is not None and int(message.get("seq", -1)) > self.seq:
                await self.resync()
        elif kind == "error":
            log.warning("the hub says: %s", message.get("message"))


def _describe(exc: Exception, url: str) -> str:
    """Why the link is down, for the person looking at the screen or the log."""
    where = f"the hub at {url}" if url else "the hub"
    if isinstance(exc, ConnectionClosed):
        return f"the connection to {where} was lost ({exc})"
    if isinstance(exc, InvalidStatus):
        return f"{where} refused the connection (HTTP {exc.response.status_code})"
    if isinstance(exc, TimeoutError):
        return f"{where} did not answer in time"
    if isinstance(exc, OSError):
        return f"cannot reach {where}: {exc.strerror or exc}"
    return str(exc) or type(exc).__name__
