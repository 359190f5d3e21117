"""`WS /api/v1/events`: a snapshot with its seq, then every event with its seq, and pings.

Messages from the hub: `{"type": "snapshot", "seq": N, "state": {...}, "view": "full"|"public"}`,
`{"type": "event", "seq": N, "event": {...}}`, `{"type": "estimates", "seq": N}` when the
estimates shown to visitors changed (computed for the state at seq N; fetch GET /queue), and
`{"type": "ping", "seq": N}` every
WS_PING_INTERVAL_S (so a client can tell a quiet office from a dead link, and see from the
ping's seq that it missed nothing). A client that sees a gap sends `{"type": "resync"}` and
gets a fresh snapshot. Anything else it sends is answered with an error message.

A paired counter, display or admin (token in `?token=` or `Authorization`) gets the full view;
anyone else the public one (no tokens, priority flags or call reasons).

The handler loops on `receive()` until the client leaves and pushes from a separate task, so a
departed client is noticed at once (stack-notes: a push-only handler never notices).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from shared import const, protocol
from shared.hub import auth
from shared.hub.broadcast import ESTIMATES, Subscriber
from shared.hub.context import Hub, device_from_token

router = APIRouter(prefix=const.API_PREFIX)


class _Cursor:
    """Events at or below `floor` are already in the snapshot the client holds."""

    def __init__(self, floor: int) -> None:
        self.floor = floor
        self.ready = asyncio.Event()  # cleared while a snapshot is being sent


@router.websocket("/events")
async def events(websocket: WebSocket) -> None:
    hub: Hub = websocket.app.state.hub
    token = websocket.query_params.get("token")
    header = websocket.headers.get("authorization", "")
    if not token and header.lower().startswith("bearer "):
        token = header[7:].strip()
    device = device_from_token(hub, token)
    if token and device is None:
        # A revoked counter must learn it, not silently get the public view.
        await websocket.close(code=1008, reason="unknown or revoked device token; pair again")
        return
    public = device is None or device.role is auth.Role.KIOSK
    await websocket.accept()
    sub, state, seq = hub.broadcaster.subscribe()
    cursor = _Cursor(seq)
    pusher = asyncio.create_task(_push(websocket, hub, sub, public, cursor))
    try:
        await _send_snapshot(websocket, state, seq, public)
        cursor.ready.set()
        while True:
            message = await websocket.receive_text()
            try:
                kind = json.loads(message).get("type")
            except (ValueError, AttributeError):
                kind = None
            if kind == "resync":
                cursor.ready.clear()
                cursor.floor = hub.broadcaster.seq
                await _send_snapshot(websocket, hub.broadcaster.state, cursor.floor, public)
                cursor.ready.set()
            elif kind != "pong":
                await websocket.send_json(
                    {"type": "error", "message": 'Unknown message; send {"type": "resync"}.'}
                )
    except WebSocketDisconnect:
        pass
    finally:
        pusher.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await pusher
        hub.broadcaster.unsubscribe(sub)


async def _send_snapshot(websocket: WebSocket, state: Any, seq: int, public: bool) -> None:
    await websocket.send_json(
        {
            "type": "snapshot",
            "seq": seq,
            "view": "public" if public else "full",
            "state": protocol.state_to_dict(state, public),
        }
    )


async def _push(
    websocket: WebSocket, hub: Hub, sub: Subscriber, public: bool, cursor: _Cursor
) -> None:
    loop = asyncio.get_running_loop()
    last_ping = loop.time()
    sent = 0  # the last event sent to this client
    while True:
        timeout = max(0.0, last_ping + const.WS_PING_INTERVAL_S - loop.time())
        try:
            seq, event = await asyncio.wait_for(sub.queue.get(), timeout)
        except TimeoutError:
            await cursor.ready.wait()
            # What this client must have by now: the snapshot and the events sent after it. Not
            # the broadcaster's seq: an event published while wait_for was timing out is still
            # in this queue, and a ping ahead of it made the client resync for nothing (a
            # snapshot of the whole day, several times an hour in a busy office).
            await websocket.send_json({"type": "ping", "seq": max(sent, cursor.floor)})
            last_ping = loop.time()
            continue
        if sub.lagging:
            await websocket.close(code=1013, reason="too slow; reconnect for a fresh snapshot")
            return
        # Hold events while a snapshot is on its way, then send only what it does not hold.
        await cursor.ready.wait()
        if event is ESTIMATES:  # whatever the floor: the snapshot carries no estimates
            await websocket.send_text(f'{{"type":"estimates","seq":{seq}}}')
            continue
        if seq <= cursor.floor:
            continue
        await websocket.send_text(hub.broadcaster.encoded(seq, event, public))
        sent = seq
