"""`WS /api/v1/events`: a snapshot with its seq, then every event with its seq, and pings.

Messages from the hub: `{"type": "snapshot", "seq": N, "state": {...}, "view": "full"|"public"}`,
`{"type": "event", "seq": N, "event": {...}}`, `{"type": "ping", "seq": N}` every
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
from shared.hub.broadcast import Subscriber
from shared.hub.context import Hub, device_from_token

router = APIRouter(prefix=const.API_PREFIX)


@router.websocket("/events")
async def events(websocket: WebSocket) -> None:
    hub: Hub = websocket.app.state.hub
    token = websocket.query_params.get("token")
    header = websocket.headers.get("authorization", "")
    if not token and header.lower().startswith("bearer "):
        token = header[7:].strip()
    device = device_from_token(hub, token)
    public = device is None or device.role is auth.Role.KIOSK
    await websocket.accept()
    sub, state, seq = hub.broadcaster.subscribe()
    resync = asyncio.Event()
    pusher = asyncio.create_task(_push(websocket, hub, sub, public, resync))
    try:
        await _send_snapshot(websocket, state, seq, public)
        resync.set()  # tell the pusher the snapshot is out
        while True:
            message = await websocket.receive_text()
            try:
                kind = json.loads(message).get("type")
            except (ValueError, AttributeError):
                kind = None
            if kind == "resync":
                await _resubscribe(websocket, hub, pusher, sub, public, resync)
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


async def _resubscribe(
    websocket: WebSocket, hub: Hub, pusher: asyncio.Task[None], sub: Subscriber, public: bool,
    ready: asyncio.Event,
) -> None:  # fmt: skip
    # Drain what is queued and send a fresh snapshot; events after it follow from the queue.
    ready.clear()
    while not sub.queue.empty():
        sub.queue.get_nowait()
    await _send_snapshot(websocket, hub.broadcaster.state, hub.broadcaster.seq, public)
    ready.set()


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
    websocket: WebSocket, hub: Hub, sub: Subscriber, public: bool, ready: asyncio.Event
) -> None:
    last_ping = asyncio.get_running_loop().time()
    while True:
        await ready.wait()
        timeout = max(0.0, last_ping + const.WS_PING_INTERVAL_S - asyncio.get_running_loop().time())
        try:
            seq, event = await asyncio.wait_for(sub.queue.get(), timeout)
        except TimeoutError:
            await websocket.send_json({"type": "ping", "seq": hub.broadcaster.seq})
            last_ping = asyncio.get_running_loop().time()
            continue
        if sub.lagging:
            await websocket.close(code=1013, reason="too slow; reconnect for a fresh snapshot")
            return
        if not ready.is_set():
            continue
        await websocket.send_json(
            {"type": "event", "seq": seq, "event": protocol.event_to_dict(event, public)}
        )
