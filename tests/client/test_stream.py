"""EventStream against a real hub: folding, gaps, a crashed hub, a frozen hub, stop()."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Any

import pytest
import pytest_asyncio

from shared import protocol
from shared.client.api import HubClient
from shared.client.stream import EventStream, fixed_hub
from shared.core.events import Event, TicketIssued
from shared.core.model import OfficeState
from tests.client.conftest import Tokens
from tests.hubproc import HubProcess

# The hub pings every 2 s (const.WS_PING_INTERVAL_S in the hub process): 3.5 s of silence is death.
HEARTBEAT_S = 3.5
WAIT_S = 10.0
FAST: dict[str, Any] = {
    "heartbeat_timeout_s": HEARTBEAT_S,
    "reconnect_initial_s": 0.05,
    "reconnect_max_s": 0.5,
}


class Recorder:
    """The stream's callbacks, recorded, with a way to wait for a condition on them."""

    def __init__(self) -> None:
        self.statuses: list[tuple[str, str, float]] = []
        self.snapshots: list[int] = []
        self.events: list[tuple[int, Event]] = []
        self.state: OfficeState | None = None
        self._changed = asyncio.Event()

    def on_status(self, status: str, detail: str) -> None:
        self.statuses.append((status, detail, time.monotonic()))
        self._changed.set()

    def on_snapshot(self, state: OfficeState, seq: int) -> None:
        self.state = state
        self.snapshots.append(seq)
        self._changed.set()

    def on_event(self, state: OfficeState, event: Event, seq: int) -> None:
        self.state = state
        self.events.append((seq, event))
        self._changed.set()

    def kinds(self) -> list[str]:
        return [status for status, _, _ in self.statuses]

    async def wait_until(self, predicate: Callable[[], bool], timeout_s: float = WAIT_S) -> None:
        async with asyncio.timeout(timeout_s):
            while not predicate():
                self._changed.clear()
                await self._changed.wait()


Start = Callable[..., tuple[EventStream, Recorder]]


@pytest.fixture
def tokens(hub: HubProcess) -> Tokens:
    """Provisioned up front: the CLI blocks, and must not stall the loop of a running stream."""
    ready = Tokens(hub)
    _ = ready.kiosk, ready.display
    return ready


@pytest_asyncio.fixture
async def start_stream() -> AsyncIterator[Start]:
    """Starts streams (EventStream or a subclass) and always stops them at the end."""
    running: list[tuple[EventStream, asyncio.Task[None]]] = []

    def start(url: str, token: str | None, cls: type[EventStream] = EventStream,
              **options: Any) -> tuple[EventStream, Recorder]:  # fmt: skip
        rec = Recorder()
        locate = options.pop("locate", fixed_hub(url))
        stream = cls(
            locate, token, on_snapshot=rec.on_snapshot, on_event=rec.on_event,
            on_status=rec.on_status, **(FAST | options),
        )  # fmt: skip
        running.append((stream, asyncio.create_task(stream.run())))
        return stream, rec

    try:
        yield start
    finally:
        for stream, task in running:
            stream.stop()
            async with asyncio.timeout(WAIT_S):
                await task


async def hub_state(hub: HubProcess, token: str) -> tuple[OfficeState, int]:
    async with HubClient(hub.url, token) as client:
        snapshot = await client.state()
    return protocol.state_from_dict(snapshot["state"]), snapshot["seq"]


async def issue(hub: HubProcess, token: str, *services: str) -> list[dict[str, Any]]:
    async with HubClient(hub.url, token) as kiosk:
        return [await kiosk.issue(s) for s in services]


@pytest.mark.asyncio
async def test_snapshot_then_events_in_order_fold_to_the_hubs_state(
    hub: HubProcess, tokens: Tokens, start_stream: Start
) -> None:
    kiosk, counter = tokens.kiosk, tokens.counter
    stream, rec = start_stream(hub.url, tokens.display)
    await rec.wait_until(lambda: rec.kinds() == ["connecting", "connected"] and bool(rec.snapshots))
    assert rec.statuses[1][1] == hub.url
    async with HubClient(hub.url, counter) as g1:
        await g1.open_counter("G1", ["A", "B"])
        await issue(hub, kiosk, "A", "B", "A")
        called = await g1.call_next("G1")
        await g1.start(called["ticket"]["id"])
    expected, seq = await hub_state(hub, tokens.display)
    await rec.wait_until(lambda: stream.seq == seq)

    assert [s for s, _ in rec.events] == list(range(rec.snapshots[0] + 1, seq + 1))
    assert sum(isinstance(e, TicketIssued) for _, e in rec.events) == 3
    assert rec.state == stream.state == expected and stream.view == "full"


class DropOnce(EventStream):
    """Loses the first event whose seq is in `drop`, as a lossy link would."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.drop: set[int] = set()

    async def _receive(self, message: dict[str, Any], url: str) -> None:
        if message.get("type") == "event" and message["seq"] in self.drop:
            self.drop.discard(message["seq"])
            return
        await super()._receive(message, url)


@pytest.mark.asyncio
async def test_a_gap_brings_a_fresh_snapshot(
    hub: HubProcess, tokens: Tokens, start_stream: Start
) -> None:
    stream, rec = start_stream(hub.url, tokens.display, DropOnce)
    await rec.wait_until(lambda: bool(rec.snapshots))
    first = rec.snapshots[0]
    assert isinstance(stream, DropOnce)
    stream.drop = {first + 1}
    await issue(hub, tokens.kiosk, "A", "C", "D")
    expected, seq = await hub_state(hub, tokens.display)
    await rec.wait_until(lambda: stream.seq == seq)

    # The resync's snapshot (maybe more than one: the hub can drop an event published while it
    # sends a resync snapshot, which the next ping then reveals).
    assert len(rec.snapshots) >= 2 and rec.snapshots[1] > first + 1
    assert first + 1 not in [s for s, _ in rec.events]
    assert stream.state == expected


@pytest.mark.asyncio
async def test_a_lost_last_event_is_noticed_from_the_pings_seq(
    hub: HubProcess, tokens: Tokens, start_stream: Start
) -> None:
    stream, rec = start_stream(hub.url, tokens.display, DropOnce)
    await rec.wait_until(lambda: bool(rec.snapshots))
    assert isinstance(stream, DropOnce)
    stream.drop = {rec.snapshots[0] + 1}
    await issue(hub, tokens.kiosk, "B")  # the only event: no later event reveals the gap
    expected, seq = await hub_state(hub, tokens.display)
    await rec.wait_until(lambda: stream.seq == seq)  # within one ping interval

    assert rec.snapshots[1:] == [seq] and rec.events == []
    assert stream.state == expected


@pytest.mark.asyncio
async def test_a_killed_hub_restarted_on_the_same_port_is_found_again(
    hub: HubProcess, tokens: Tokens, start_stream: Start
) -> None:
    located = 0
    locate = fixed_hub(hub.url)

    async def counting_locate() -> str:
        nonlocal located
        located += 1
        return await locate()

    stream, rec = start_stream(hub.url, tokens.display, locate=counting_locate)
    await rec.wait_until(lambda: "connected" in rec.kinds())
    before = (await issue(hub, tokens.kiosk, "A"))[0]
    await rec.wait_until(lambda: stream.state is not None and before["id"] in stream.state.tickets)

    hub.kill()
    await rec.wait_until(lambda: rec.kinds()[-1] == "disconnected")
    await asyncio.to_thread(hub.restart)
    await rec.wait_until(lambda: rec.kinds()[-1] == "connected")
    after = (await issue(hub, tokens.kiosk, "A"))[0]
    await rec.wait_until(lambda: stream.state is not None and after["id"] in stream.state.tickets)

    kinds = rec.kinds()
    assert kinds[:2] == ["connecting", "connected"] and kinds.count("connected") == 2
    assert "disconnected" in kinds[2 : kinds.index("connected", 2)]
    assert stream.state is not None and before["id"] in stream.state.tickets
    assert after["label"] == "A002"
    assert located == kinds.count("connecting") >= 2  # located again before every attempt
    expected, _ = await hub_state(hub, tokens.display)
    assert stream.state == expected


@pytest.mark.asyncio
async def test_a_frozen_hub_is_declared_lost_by_the_heartbeat(
    hub: HubProcess, tokens: Tokens, start_stream: Start
) -> None:
    stream, rec = start_stream(hub.url, tokens.display)
    await rec.wait_until(lambda: "connected" in rec.kinds())
    frozen_at = time.monotonic()
    hub.freeze()
    try:
        await rec.wait_until(lambda: "disconnected" in rec.kinds(), HEARTBEAT_S + 2.0)
    finally:
        hub.thaw()
    _, detail, lost_at = next(s for s in rec.statuses if s[0] == "disconnected")
    assert lost_at - frozen_at <= HEARTBEAT_S + 1.0
    assert "nothing heard" in detail
    await rec.wait_until(lambda: rec.kinds()[-1] == "connected")
    ticket = (await issue(hub, tokens.kiosk, "D"))[0]
    await rec.wait_until(lambda: stream.state is not None and ticket["id"] in stream.state.tickets)


@pytest.mark.asyncio
async def test_an_unreachable_hub_is_reported_and_retried(
    dead_url: str, start_stream: Start
) -> None:
    stream, rec = start_stream(dead_url, None)
    await rec.wait_until(lambda: rec.kinds().count("disconnected") >= 2)
    assert rec.kinds()[:2] == ["connecting", "disconnected"]
    assert "cannot reach" in rec.statuses[1][1] and dead_url in rec.statuses[1][1]
    assert stream.state is None


@pytest.mark.asyncio
async def test_stop_ends_the_stream_promptly_and_closes_the_socket(hub: HubProcess) -> None:
    rec = Recorder()
    stream = EventStream(fixed_hub(hub.url), None, on_status=rec.on_status,
                         on_snapshot=rec.on_snapshot, **FAST)  # fmt: skip
    task = asyncio.create_task(stream.run())
    try:
        await rec.wait_until(lambda: bool(rec.snapshots))
        assert stream.state is not None and stream.seq == rec.snapshots[0]
        assert stream.view == "public"  # no token
    finally:
        stream.stop()
        async with asyncio.timeout(1.0):
            await task
    assert task.done() and not task.cancelled() and task.exception() is None
    assert stream._ws is None


@pytest.mark.asyncio
async def test_a_forgetful_stream_resyncs_on_an_event_about_a_forgotten_ticket(
    hub: HubProcess, tokens: Tokens, start_stream: Start
) -> None:
    def finished_only_kept_while_unfinished(state: OfficeState) -> OfficeState:
        live = {k: t for k, t in state.tickets.items() if t.finished_at is None}
        return replace(state, tickets=live, queue=None, active=None)

    stream, rec = start_stream(hub.url, tokens.display, forget=finished_only_kept_while_unfinished)
    await rec.wait_until(lambda: bool(rec.snapshots))
    async with HubClient(hub.url, tokens.counter) as g1:
        await g1.open_counter("G1", ["A"])
        (ticket,) = await issue(hub, tokens.kiosk, "A")
        tid = ticket["id"]
        await g1.call_next("G1")
        await g1.no_show(tid)
        _, seq = await hub_state(hub, tokens.display)
        await rec.wait_until(lambda: stream.seq == seq)
        # The snapshot came before the ticket, so the stream forgets it at its next pruning:
        # force one, as 64 more tickets would.
        assert stream.state is not None
        stream.state = finished_only_kept_while_unfinished(stream.state)
        assert tid not in stream.state.tickets
        snapshots = len(rec.snapshots)
        await g1.reactivate(tid)
    expected, seq = await hub_state(hub, tokens.display)
    await rec.wait_until(lambda: stream.seq == seq)
    assert len(rec.snapshots) == snapshots + 1  # the event could not be folded: a resync
    assert stream.state is not None and stream.state.tickets[tid].state.value == "waiting"
    assert stream.state == finished_only_kept_while_unfinished(expected)
