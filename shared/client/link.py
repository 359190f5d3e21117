"""`ServerLink`: the apps' one bridge to the hub (a QObject owning the asyncio side).

It owns a NetThread, a HubClient and an EventStream. Everything network runs on the
NetThread; results come back as Qt signals emitted there, which Qt delivers to receivers on the
GUI thread through queued connections (stack-notes). So the GUI thread only ever calls
`request()` (which returns at once with an id) and reacts to signals; it never waits.

Call `stop()` before the link is destroyed. A signal emitted just before `stop()` may still be
delivered after it returns: receivers must not assume the link is running.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import inspect
import itertools
import logging
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal

from shared import const
from shared.client.api import REQUEST_AGENT, ClientError, HubClient
from shared.client.netthread import NetThread
from shared.client.stream import EventStream, Locate
from shared.core.model import OfficeState

log = logging.getLogger(__name__)

# Every public coroutine of HubClient may be requested by name; nothing else.
REQUESTS = frozenset(
    name
    for name, value in vars(HubClient).items()
    if not name.startswith("_") and inspect.iscoroutinefunction(value) and name != "aclose"
)


class Link(Protocol):
    """What an app's view model needs of a ServerLink (tests hand it a recording stand-in)."""

    callFinished: Any
    callFailed: Any
    statusChanged: Any
    snapshotReceived: Any
    eventReceived: Any

    def request(self, name: str, *args: Any, **kwargs: Any) -> int: ...


class ServerLink(QObject):
    statusChanged = Signal(str, str)  # "connecting" | "connected" | "disconnected", detail
    snapshotReceived = Signal(object, int)  # OfficeState, seq
    eventReceived = Signal(object, object, int)  # OfficeState after the event, Event, seq
    estimatesChanged = Signal(int)  # the hub's estimates changed (seq they were computed at)
    callFinished = Signal(int, object)  # request id, the hub's answer (dict)
    callFailed = Signal(int, str, str)  # request id, error code, message for people

    def __init__(
        self,
        locate: Locate,
        token: str | None = None,
        parent: QObject | None = None,
        *,
        heartbeat_timeout_s: float | None = None,
        reconnect_initial_s: float | None = None,
        reconnect_max_s: float | None = None,
        forget: Callable[[OfficeState], OfficeState] | None = None,
    ) -> None:
        super().__init__(parent)
        self._locate = locate
        self._thread = NetThread()
        self._client = HubClient(token=token)
        self._stream = EventStream(
            functools.partial(self._hub_url, True),
            token,
            on_snapshot=self.snapshotReceived.emit,
            on_event=self.eventReceived.emit,
            on_status=self.statusChanged.emit,
            on_estimates=self.estimatesChanged.emit,
            heartbeat_timeout_s=heartbeat_timeout_s,
            reconnect_initial_s=reconnect_initial_s,
            reconnect_max_s=reconnect_max_s,
            forget=forget,
        )
        self._locating = asyncio.Lock()
        self._ids = itertools.count(1)
        self._stream_future: concurrent.futures.Future[None] | None = None

    @property
    def net_thread(self) -> NetThread:
        return self._thread

    def start(self) -> None:
        self._thread.start()
        self._thread.wait_ready()
        self._stream_future = self._thread.submit(self._stream.run())

    def stop(self) -> None:
        """Close the stream and the HTTP client, then end the thread. Safe to call twice."""
        if not self._thread.is_alive():
            return
        try:
            done = self._thread.submit(self._shutdown())
            done.result(timeout=2 * const.WS_CLOSE_TIMEOUT_S)
        except (RuntimeError, concurrent.futures.TimeoutError):
            log.warning("the network thread did not close cleanly")
        self._thread.stop()  # cancels requests still in flight, then joins

    def set_agent(self, name: str | None) -> None:
        """The agent now signed in (None: signed out), named on every later request."""
        self._client.agent = name or None

    def request(self, name: str, *args: Any, **kwargs: Any) -> int:
        """Run `HubClient.<name>(*args, **kwargs)`; the answer comes as callFinished/Failed."""
        if name not in REQUESTS:
            raise ValueError(f"{name!r} is not a hub request; use one of {sorted(REQUESTS)}")
        request_id = next(self._ids)
        self._thread.submit(self._run(request_id, name, args, kwargs, self._client.agent))
        return request_id

    async def _run(
        self, request_id: int, name: str, args: tuple[Any, ...], kwargs: dict[str, Any],
        agent: str | None,
    ) -> None:  # fmt: skip
        REQUEST_AGENT.set(agent)  # this task's own context: the agent when it was asked
        try:
            await self._hub_url(False)
            result = await getattr(self._client, name)(*args, **kwargs)
        except ClientError as exc:
            self.callFailed.emit(request_id, exc.code, exc.message)
        except Exception as exc:  # a bad argument, an app bug: the caller still gets an answer
            log.exception("request %s failed", name)
            self.callFailed.emit(request_id, "client_error", str(exc) or type(exc).__name__)
        else:
            self.callFinished.emit(request_id, result)

    async def _hub_url(self, fresh: bool) -> str:
        """The hub's address: looked up again for each stream connection (`fresh`), and for a
        request only when none is known yet. One look-up at a time (discovery takes seconds)."""
        async with self._locating:
            if fresh or not self._client.base_url:
                self._client.base_url = await self._locate()
            return self._client.base_url

    async def _shutdown(self) -> None:
        self._stream.stop()
        if self._stream_future is not None:
            with contextlib.suppress(BaseException):
                await asyncio.wrap_future(self._stream_future)
        await self._client.aclose()
