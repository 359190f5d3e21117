"""What the counter app needs besides the queue: call-back requests and contact history.

Every route needs a counter device and the agent signed in on it (`X-Montour-Agent`). Reads
of personal data (a call-back's number, a contact history) run through the single writer,
because each writes its row in the access log in the same transaction. Their answers are
never stored under an idempotency key (they hold the personal data itself): taking a request
is idempotent by nature, and a search repeated is only a new search, logged again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import Response

from shared import const, protocol
from shared.core.errors import FeatureOff, InvalidInput, NotFound
from shared.hub import auth, callbacks, contacts
from shared.hub.context import hub_of, require_agent, require_device, write_job
from shared.hub.service import Tx

router = APIRouter(prefix=const.API_PREFIX)
T = TypeVar("T")


def _agent(request: Request) -> tuple[auth.Device, str]:
    """The counter device and its agent (403 for other roles before 400 for no agent)."""
    device = require_device(request, auth.Role.COUNTER)
    return device, require_agent(request)


async def _run(request: Request, job: Callable[[Tx], T]) -> T:
    return await asyncio.wrap_future(hub_of(request).service.submit(job))


# --- call-back requests -----------------------------------------------------------------------


@router.get("/callbacks", tags=["counter"])
async def list_callbacks(request: Request, services: str = "") -> dict[str, Any]:
    """Open and taken call-back requests, oldest first; `services=A,B` keeps those services.
    Never a phone number: only the agent who took a request reads it."""
    device, agent = _agent(request)
    hub = hub_of(request)
    wanted = [s.strip() for s in services.split(",") if s.strip()]
    unknown = [s for s in wanted if s not in hub.config.rules.services]
    if unknown:
        known = ", ".join(hub.config.rules.services)
        raise InvalidInput(f"Unknown service {unknown[0]!r}; this office has: {known}.")
    return {"callbacks": callbacks.listing(hub.reader, wanted or None, device.id, agent)}


@router.post("/callbacks/{callback_id}/take", tags=["counter"])
async def take_callback(request: Request, callback_id: str) -> dict[str, Any]:
    """Take a request to call the visitor: the answer holds the number (the read is logged).
    409 callback_taken when another agent holds it; taking one's own again returns it."""
    device, agent = _agent(request)
    return await _run(
        request,
        lambda tx: callbacks.take(tx.db, callback_id, device=device.id, agent=agent, now=tx.now),
    )


@router.get("/callbacks/{callback_id}", tags=["counter"])
async def read_callback(request: Request, callback_id: str) -> dict[str, Any]:
    """A request with its number, for the agent (on the device) who took it; logged."""
    device, agent = _agent(request)
    return await _run(
        request,
        lambda tx: callbacks.read(tx.db, callback_id, device=device.id, agent=agent, now=tx.now),
    )


@router.post("/callbacks/{callback_id}/release", tags=["counter"])
async def release_callback(request: Request, callback_id: str) -> Response:
    """Give a request back to the list, untouched (the agent cannot call now)."""
    device, agent = _agent(request)
    return await write_job(
        request,
        device,
        lambda tx: callbacks.release(tx.db, callback_id, device=device.id, agent=agent),
    )


@router.post("/callbacks/{callback_id}/outcome", tags=["counter"])
async def callback_outcome(
    request: Request, callback_id: str, body: protocol.CallbackOutcomeRequest
) -> Response:
    """How the call went: `reached` or `wrong_number` close the request; `no_answer` puts it
    back in the list with one more attempt."""
    device, agent = _agent(request)

    def act(tx: Tx) -> dict[str, Any]:
        return callbacks.record_outcome(
            tx.db, callback_id, body.outcome, body.note.strip(), device=device.id, agent=agent,
            now=tx.now,
        )  # fmt: skip

    return await write_job(request, device, act)


# --- contact history --------------------------------------------------------------------------


def _contacts_on(request: Request) -> None:
    if not hub_of(request).config.contacts_enabled:
        raise FeatureOff("This office does not keep a contact history.")


@router.post("/contacts/search", tags=["counter"])
async def search_contacts(request: Request, body: protocol.ContactSearchRequest) -> dict[str, Any]:
    """A consenting visitor's earlier contacts, newest first, by file or phone number (the
    number is not stored; the search is logged). A POST, so the number stays out of URLs."""
    device, agent = _agent(request)
    _contacts_on(request)
    return await _run(
        request,
        lambda tx: contacts.search(
            tx.db, body.kind, body.key, body.consent, device=device.id, agent=agent, now=tx.now
        ),
    )


@router.post("/contacts", status_code=201, tags=["counter"])
async def record_contact(request: Request, body: protocol.ContactRequest) -> Response:
    """Add a contact (any channel) to a consenting visitor's history: an outcome code of the
    office or of a call-back, and a short neutral note."""
    device, agent = _agent(request)
    _contacts_on(request)
    config = hub_of(request).config
    if body.service not in config.rules.services:
        raise NotFound(f"There is no service {body.service!r} in this office.")
    outcomes = [o.code for o in config.outcomes] + list(callbacks.OUTCOMES)

    def act(tx: Tx) -> dict[str, Any]:
        return contacts.record(
            tx.db, body.kind, body.key, body.consent, channel=body.channel, service=body.service,
            outcome=body.outcome, note=body.note, outcomes=outcomes, device=device.id,
            agent=agent, now=tx.now, retention_days=config.contacts_retention_days,
        )  # fmt: skip

    return await write_job(request, device, act, status=201)
