"""What the routes share: the running hub's parts, and the helpers to read and write them."""

from __future__ import annotations

import asyncio
import hashlib
import json
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from fastapi import Request
from fastapi.responses import Response

from shared import const, protocol
from shared.config import OfficeConfig
from shared.core import estimate, lifecycle
from shared.core.errors import AgentRequired, InvalidInput, Unauthorized
from shared.core.events import Event
from shared.core.model import OfficeState
from shared.hub import auth
from shared.hub.broadcast import Broadcaster
from shared.hub.estimates import Estimator, view_of
from shared.hub.service import HubService, Tx


@dataclass
class Hub:
    config: OfficeConfig
    service: HubService
    broadcaster: Broadcaster
    reader: sqlite3.Connection  # loop-thread connection for device look-ups
    hub_id: str
    devices: dict[str, tuple[auth.Device, float]] = field(default_factory=dict)
    estimator: Estimator | None = None

    def estimates(self, state: OfficeState, now: datetime) -> estimate.View:
        """Estimates for the published state (`broadcaster.state`, as every reader reads)."""
        return view_of(self.estimator, state, self.config, now, self.broadcaster.seq)


def hub_of(request: Request) -> Hub:
    hub: Hub = request.app.state.hub
    return hub


def device_from_token(hub: Hub, token: str | None) -> auth.Device | None:
    """The paired device holding `token`; found devices are cached for DEVICE_CACHE_TTL_S.

    The cache spares a SQL look-up on every request; its short life bounds how long a token
    revoked from another process (the CLI) keeps working.
    """
    if not token:
        return None
    now = time.monotonic()
    hit = hub.devices.get(token)
    if hit is not None and hit[1] > now:
        return hit[0]
    device = auth.lookup(hub.reader, token)
    if device is None:
        hub.devices.pop(token, None)
    else:
        if len(hub.devices) > 10_000:  # bounded: stale entries of revoked tokens go too
            hub.devices.clear()
        hub.devices[token] = (device, now + const.DEVICE_CACHE_TTL_S)
    return device


def require_device(request: Request, *roles: auth.Role) -> auth.Device:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized(
            "This needs a paired device: send 'Authorization: Bearer <token>' "
            "(pair with `montour hub pair`)."
        )
    device = device_from_token(hub_of(request), token.strip())
    if device is None:
        raise Unauthorized("Unknown or revoked device token; pair this device again.")
    device.require(*roles)
    return device


def require_agent(request: Request) -> str:
    """The agent signed in on the counter app (`X-Montour-Agent`, percent-encoded UTF-8).

    No password: the paired device is the security boundary; the name is what the access log
    records and what decides who holds a call-back.
    """
    raw = request.headers.get(protocol.AGENT_HEADER, "")
    try:
        agent = unquote(raw, errors="strict").strip()
    except UnicodeDecodeError:
        agent = ""
    if not 0 < len(agent) <= protocol.AGENT_MAX_LEN or not agent.isprintable():
        raise AgentRequired(
            f"Sign in first: this needs the agent's name or code (1 to {protocol.AGENT_MAX_LEN} "
            f"characters) in the {protocol.AGENT_HEADER} header."
        )
    return agent


Render = Callable[[Tx, list[tuple[int, Event]]], dict[str, Any]]


async def write(
    request: Request,
    device: auth.Device,
    build: Callable[[Tx], lifecycle.Command],
    render: Render,
    status: int = 200,
) -> Response:
    """Run one command through the writer, idempotently when the client sent a key."""

    def act(tx: Tx) -> dict[str, Any]:
        return render(tx, tx.apply(build(tx)))

    return await write_job(request, device, act, status)


async def write_job(
    request: Request,
    device: auth.Device | None,
    act: Callable[[Tx], dict[str, Any]],
    status: int = 200,
) -> Response:
    """Run one write job through the writer, idempotently when the client sent a key.

    The key is scoped by device ("public" for the public routes: the booking page), and the
    stored answer is written in the same transaction as the job's changes: a retried request
    gets exactly the first answer, never a second ticket.
    """
    client_key = request.headers.get("idempotency-key")
    if client_key is not None and not 0 < len(client_key) <= const.IDEMPOTENCY_KEY_MAX_LEN:
        raise InvalidInput(
            f"Idempotency-Key must be 1 to {const.IDEMPOTENCY_KEY_MAX_LEN} characters."
        )
    scope = device.id if device is not None else "public"
    key = f"{scope}:{client_key}" if client_key else None
    # scope["path"], not request.url: building a URL object costs more than the hash
    digest = hashlib.sha256(f"{request.method} {request.scope['path']}\n".encode())
    digest.update(await request.body())
    fingerprint = digest.hexdigest()

    def job(tx: Tx) -> tuple[int, str]:
        if key is not None:
            hit = tx.store.idempotent_response(key)
            if hit is not None:
                if hit[2] != fingerprint:
                    raise InvalidInput(
                        "This Idempotency-Key was already used for another request; "
                        "send a new key with each new request."
                    )
                return hit[0], hit[1]
        body = json.dumps(act(tx), ensure_ascii=False)
        if key is not None:
            day = tx.state.day.isoformat() if tx.state.day else ""
            tx.store.remember_response(key, day, status, body, fingerprint)
        return status, body

    code, body = await asyncio.wrap_future(hub_of(request).service.submit(job))
    return Response(body, status_code=code, media_type="application/json")
