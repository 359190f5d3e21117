"""Part B: event latency under fan-out.

A fresh hub, many counter desks (an open session and a keep-alive connection each, kept
alive by a GET /health every few seconds because uvicorn closes connections idle for 5 s) and
display WebSockets (the websockets library, as the apps use). Paced calls rotate over the
counters; for each, the time from just before sending "call next" until its TicketCalled event
has reached every subscriber (per call: the max over subscribers), and each subscriber's own
latency. Each called ticket is then started and completed (untimed), as at a real counter.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import defaultdict
from collections.abc import Awaitable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.bench.hub.common import (
    API,
    DELIVERY_TIMEOUT_S,
    KEEPALIVE_EVERY_S,
    SERVICES,
    BenchError,
    Sizes,
    dist_ms,
)  # fmt: skip
from tests.bench.hub.desk import Desk, Errors, OpError, hub_seq, new_desk
from tests.bench.hub.lean import wait_listening
from tests.bench.hub.machine import CpuMeter, established
from tests.bench.hub.process import HubProcess

KIOSK_CONNECTIONS = 16
SETUP_CONCURRENCY = 32


class Subscribers:
    """Display WebSockets; records when each TicketCalled reaches each of them."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.arrivals: dict[str, dict[int, float]] = defaultdict(dict)
        self.complete: dict[str, asyncio.Event] = defaultdict(asyncio.Event)
        self.gaps = 0
        self.closed = 0
        self.sockets: list[ClientConnection] = []
        self.tasks: list[asyncio.Task[None]] = []

    async def connect(self, url: str, token: str) -> None:
        ws_url = url.replace("http://", "ws://") + f"{API}/events?token={token}"
        for i in range(self.n):
            ws = await connect(ws_url, max_size=None)
            snapshot = json.loads(await ws.recv())
            if snapshot["type"] != "snapshot":
                raise BenchError(f"expected a snapshot first, got {snapshot['type']}")
            self.sockets.append(ws)
            self.tasks.append(asyncio.create_task(self._read(i, ws, snapshot["seq"])))

    async def _read(self, i: int, ws: ClientConnection, last: int) -> None:
        try:
            async for message in ws:
                t = time.perf_counter()
                m = json.loads(message)
                if m["type"] != "event":
                    continue
                self.gaps += m["seq"] != last + 1
                last = m["seq"]
                event = m["event"]
                if event["type"] == "TicketCalled":
                    seen = self.arrivals[event["ticket"]]
                    seen[i] = t
                    if len(seen) == self.n:
                        self.complete[event["ticket"]].set()
        except ConnectionClosed:
            pass
        self.closed += 1

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await asyncio.gather(*(ws.close() for ws in self.sockets), return_exceptions=True)


class KeepAlive:
    """uvicorn closes a connection idle for 5 s: ping the desks idle for KEEPALIVE_EVERY_S,
    except the next few in the rotation (so that a ping seldom holds the connection a timed
    call is about to use; if it does, the call waits for it)."""

    def __init__(self, desks: list[Desk]) -> None:
        self.desks = desks
        self.last_used = [time.perf_counter()] * len(desks)
        self.position = 0
        self.failures: list[str] = []
        self.stop = asyncio.Event()
        self._pings: set[asyncio.Task[Any]] = set()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def _ping(self, desk: Desk) -> None:
        try:
            await hub_seq(desk)
        except OpError as exc:
            self.failures.append(str(exc))

    async def _run(self) -> None:
        n = len(self.desks)
        while not self.stop.is_set():
            now = time.perf_counter()
            for i, desk in enumerate(self.desks):
                soon = (i - self.position) % n < 3
                if not soon and now - self.last_used[i] > KEEPALIVE_EVERY_S:
                    self.last_used[i] = now
                    self._pings.add(task := asyncio.create_task(self._ping(desk)))
                    task.add_done_callback(self._pings.discard)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), 0.02)
        await asyncio.gather(*self._pings)

    async def close(self) -> None:
        self.stop.set()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)


async def part_b(
    hub: HubProcess, tokens: dict[str, str], sizes: Sizes, kind: str
) -> dict[str, Any]:
    await wait_listening(hub.url)
    retries: list[str] = []
    desks = [new_desk(kind, hub.url, tokens, f"G{i + 1}", retries) for i in range(sizes.counters)]
    kiosks = [new_desk(kind, hub.url, tokens, "", retries) for _ in range(KIOSK_CONNECTIONS)]
    subs = Subscribers(sizes.subscribers)
    keeper = KeepAlive(desks)
    try:
        gate = asyncio.Semaphore(SETUP_CONCURRENCY)

        async def gated(work: Awaitable[Any]) -> Any:  # a coroutine runs once awaited
            async with gate:
                return await work

        # Every counter desk opens its session on its own connection, and is then kept alive.
        await asyncio.gather(*(gated(d.open()) for d in desks))
        await asyncio.gather(*(gated(hub_seq(d)) for d in desks))
        keeper.start()
        n_tickets = sizes.calls + sizes.warmup_calls
        await asyncio.gather(*(gated(kiosks[k % KIOSK_CONNECTIONS].issue(SERVICES[k % 4]))
                               for k in range(n_tickets)))  # fmt: skip
        await asyncio.gather(*(k.aclose() for k in kiosks))  # left: counters' and displays'

        await subs.connect(hub.url, tokens["display"])

        per_call: list[float] = []
        per_sub: list[float] = []
        http: list[float] = []
        missing = 0
        errors = Errors()
        cpu: CpuMeter | None = None
        conns_start = 0
        for k in range(sizes.warmup_calls + sizes.calls):
            timed = k >= sizes.warmup_calls
            if k == sizes.warmup_calls:
                conns_start = established(hub.port)
                cpu = CpuMeter(hub.proc.pid)
            position = keeper.position = k % len(desks)
            desk = desks[position]
            t_send = keeper.last_used[position] = time.perf_counter()
            try:
                tid = await desk.call_next()
            except OpError as exc:
                errors.add(exc)
                continue
            t_answer = time.perf_counter()
            try:
                await asyncio.wait_for(subs.complete[tid].wait(), DELIVERY_TIMEOUT_S)
            except TimeoutError:
                missing += 1
            if timed:
                seen = subs.arrivals[tid]
                per_call.append(max(seen.values(), default=t_send) - t_send)
                per_sub += [t - t_send for t in seen.values()]
                http.append(t_answer - t_send)
            try:  # the counter serves the visitor (untimed)
                await desk.start(tid)
                await desk.complete(tid)
            except OpError as exc:
                errors.add(exc)
            await asyncio.sleep(max(0.0, t_send + sizes.interval_s - time.perf_counter()))
        assert cpu is not None
        usage = cpu.stop()
        conns_end = established(hub.port)
        return {
            "client": kind,
            "counters": sizes.counters, "subscribers": sizes.subscribers, "calls": sizes.calls,
            "interval_ms": sizes.interval_s * 1000,
            "all_subscribers_ms": dist_ms(per_call), "per_subscriber_ms": dist_ms(per_sub),
            "call_http_answer_ms": dist_ms(http),
            "missing_deliveries": missing, "seq_gaps": subs.gaps, "sockets_closed": subs.closed,
            "errors": errors.as_dict(), "retries": retries,
            "hub_connections_at_start": conns_start, "hub_connections_at_end": conns_end,
            "keepalive_every_s": KEEPALIVE_EVERY_S, "keepalive_failures": keeper.failures,
            "cpu_percent_of_one_core": usage,
        }  # fmt: skip
    finally:
        await keeper.close()
        await subs.close()
        await asyncio.gather(*(d.aclose() for d in [*desks, *kiosks]))
