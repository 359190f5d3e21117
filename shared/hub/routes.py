"""REST routes under /api/v1: the office, tickets, counters and pairing."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from shared import const, protocol
from shared.core import estimate, lifecycle
from shared.core.errors import InvalidInput, NotFound
from shared.core.lifecycle import Action
from shared.core.model import CounterId, ServiceCode, Ticket, TicketId, TicketState
from shared.hub import auth, estimates, hours, kiosk_api
from shared.hub.context import hub_of, require_device, write
from shared.hub.pages import status as public_status
from shared.hub.service import Tx

router = APIRouter(prefix=const.API_PREFIX)
R = auth.Role


def _new_id() -> TicketId:
    return TicketId(secrets.token_hex(8))


def _ticket_view(tx: Tx, tid: TicketId) -> dict[str, Any]:
    """A ticket as its counter or kiosk sees it, with its rank and estimate at commit time."""
    ticket = tx.state.tickets[tid]
    view = protocol.ticket_to_dict(ticket, public=False)
    # The book is current if computed for the state before this job (the printed range is
    # then the kiosk's preview); after other changes in between, the fallback answers.
    seen = estimates.view_of(tx.estimator, tx.state, tx.config, tx.now, tx.before)
    est = estimate.for_ticket(tx.state, ticket, tx.config.rules, tx.now, seen)
    view["estimate"] = protocol.ticket_estimate_to_dict(est)
    return view


def _by_label(tx: Tx, label: str) -> Ticket:
    """The current leg of the ticket whose number the visitor shows ("A042")."""
    legs = [t for t in tx.state.tickets.values() if t.label == label.strip().upper()]
    live = [t for t in legs if t.state is not TicketState.TRANSFERRED]
    if not live:
        raise NotFound(f"There is no ticket {label} today.")
    return live[-1]


# --- public reads -----------------------------------------------------------------------------


@router.get("/health", tags=["public"])
async def health(request: Request) -> dict[str, Any]:
    hub = hub_of(request)
    return {
        "status": "ok",
        "hub_id": hub.hub_id,
        "office": hub.config.id,
        "api": const.API_VERSION,
        "seq": hub.broadcaster.seq,
        # The hub's clock: a simulation driver aligns with it when the hub runs accelerated.
        "now": hub.service.clock.now().isoformat(),
        "printers": kiosk_api.printers(hub),
    }


@router.get("/office", tags=["public"])
async def office(request: Request) -> dict[str, Any]:
    """The office's configuration as the apps need it (nothing secret, nothing personal)."""
    learned = await hours.current(request.app)  # the quieter hours learned, when published
    return protocol.office_to_dict(hub_of(request).config, learned.office, learned.services)


@router.get("/queue", tags=["public"])
async def queue(request: Request, state: bool = True) -> dict[str, Any]:
    """The public snapshot: no token, no priority flag, no call reason. `state=false`: only
    the services' figures, for the apps that already fold the state from the event stream (the
    day's state grows with every ticket; parsing it at every refresh would grow their memory)."""
    return _snapshot(request, public=True, with_state=state)


@router.get("/state", tags=["counter"])
async def state(request: Request) -> dict[str, Any]:
    """The full snapshot, for paired counters, displays and admins."""
    require_device(request, R.COUNTER, R.DISPLAY)
    return _snapshot(request, public=False)


def _snapshot(request: Request, public: bool, with_state: bool = True) -> dict[str, Any]:
    hub = hub_of(request)
    st, seq = hub.broadcaster.state, hub.broadcaster.seq
    now = hub.service.clock.now()
    services = estimate.for_services(st, hub.config.rules, now, hub.estimates(st, now))
    answer: dict[str, Any] = {"seq": seq}
    if with_state:
        answer["state"] = protocol.state_to_dict(st, public)
    answer["services"] = {k: protocol.service_estimate_to_dict(v) for k, v in services.items()}
    return answer


@router.get("/status/{token}", tags=["public"])
async def status(request: Request, token: str) -> dict[str, Any]:
    """A ticket's public status, by the random token printed in its QR code (P3: its number,
    rank and estimate, and the counter once called; nothing else)."""
    hub = hub_of(request)
    st = hub.broadcaster.state
    ticket = public_status.find_valid(st, token, hub.config, hub.service.clock.now())
    if ticket is None:
        raise NotFound("This ticket is unknown or has expired (tickets are valid for one day).")
    now = hub.service.clock.now()
    return public_status.public_status(st, hub.config, ticket, now, hub.estimates(st, now))


# --- tickets --------------------------------------------------------------------------------


@router.post("/tickets", status_code=201, tags=["kiosk"])
async def issue(request: Request, body: protocol.IssueRequest) -> Response:
    """Issue a ticket. Send an `Idempotency-Key` header: a retry returns the same ticket."""
    device = require_device(request, R.KIOSK)
    tid, token = _new_id(), secrets.token_urlsafe(24)  # 192 bits

    def build(tx: Tx) -> lifecycle.Command:
        return lifecycle.IssueTicket(
            tid, token, ServiceCode(body.service), body.priority, body.lang
        )

    def render(tx: Tx, events: Any) -> dict[str, Any]:
        view = _ticket_view(tx, tid)
        view["status_url"] = f"{const.API_PREFIX}/status/{token}"
        view["page_url"] = kiosk_api.page_url(tx.config, request, token)
        view["valid_until"] = public_status.valid_until(tx.config, tx.now).isoformat()
        return view

    return await write(request, device, build, render, status=201)


async def _ticket_write(
    request: Request, device: auth.Device, answer_for: TicketId, command: lifecycle.Command
) -> Response:
    """Run a ticket command; the answer is the ticket `answer_for` (the new leg of a transfer)."""

    def render(tx: Tx, events: Any) -> dict[str, Any]:
        return _ticket_view(tx, answer_for)

    return await write(request, device, lambda tx: command, render)


_ACTIONS = {
    "recall": Action.RECALL, "start": Action.START, "no-show": Action.NO_SHOW,
    "reactivate": Action.REACTIVATE, "park": Action.PARK, "cancel": Action.CANCEL,
}  # fmt: skip


@router.post("/tickets/{ticket_id}/complete", tags=["counter"])
async def complete(request: Request, ticket_id: str, body: protocol.CompleteRequest) -> Response:
    device = require_device(request, R.COUNTER)
    hub = hub_of(request)
    if body.outcome not in {o.code for o in hub.config.outcomes}:
        known = ", ".join(o.code for o in hub.config.outcomes)
        raise InvalidInput(f"Unknown outcome {body.outcome!r}; this office uses: {known}.")
    tid = TicketId(ticket_id)
    counter = CounterId(body.counter) if body.counter else None
    return await _ticket_write(request, device, tid, lifecycle.Complete(tid, body.outcome, counter))


@router.post("/tickets/{ticket_id}/transfer", tags=["counter"])
async def transfer(request: Request, ticket_id: str, body: protocol.TransferRequest) -> Response:
    """End this leg and queue the visitor for another service, keeping the issue time."""
    device = require_device(request, R.COUNTER)
    tid, new = TicketId(ticket_id), _new_id()
    counter = CounterId(body.counter) if body.counter else None
    command = lifecycle.Transfer(tid, ServiceCode(body.service), new, body.note, body.head, counter)
    return await _ticket_write(request, device, new, command)


@router.post("/tickets/{ticket_id}/{action}", tags=["counter"])
async def ticket_action(
    request: Request,
    ticket_id: str,
    action: str,
    body: protocol.TicketActionRequest | None = None,
) -> Response:
    """recall, start, no-show, reactivate, park or cancel a ticket."""
    if action not in _ACTIONS:
        raise NotFound(f"Unknown ticket action {action!r}; use one of {', '.join(_ACTIONS)}.")
    device = require_device(request, R.COUNTER)
    tid = TicketId(ticket_id)
    counter = CounterId(body.counter) if body and body.counter else None
    return await _ticket_write(
        request, device, tid, lifecycle.TicketCommand(_ACTIONS[action], tid, counter)
    )


# --- counters -------------------------------------------------------------------------------


async def _counter_write(
    request: Request,
    device: auth.Device,
    cid: CounterId,
    build: Callable[[Tx], lifecycle.Command],
) -> Response:
    """Run a counter command; the answer is the counter's session and its ticket."""

    def render(tx: Tx, events: Any) -> dict[str, Any]:
        session = tx.state.counter(cid)
        active = tx.state.active_ticket(cid)
        return {
            "id": cid, "status": session.status.value, "services": list(session.services),
            "pause_reason": session.pause_reason,
            "ticket": None if active is None else protocol.ticket_to_dict(active, public=False),
        }  # fmt: skip

    return await write(request, device, build, render)


@router.post("/counters/{counter_id}/open", tags=["counter"])
async def open_counter(
    request: Request, counter_id: str, body: protocol.OpenCounterRequest
) -> Response:
    """Open (or change the services of) a counter's session for today."""
    device = require_device(request, R.COUNTER)
    cid = CounterId(counter_id)
    services = tuple(ServiceCode(s) for s in body.services)
    return await _counter_write(
        request, device, cid, lambda tx: lifecycle.OpenCounter(cid, services)
    )


@router.post("/counters/{counter_id}/pause", tags=["counter"])
async def pause(request: Request, counter_id: str, body: protocol.PauseRequest) -> Response:
    device = require_device(request, R.COUNTER)
    cid = CounterId(counter_id)
    return await _counter_write(
        request, device, cid, lambda tx: lifecycle.PauseCounter(cid, body.reason, body.until)
    )


@router.post("/counters/{counter_id}/resume", tags=["counter"])
async def resume(request: Request, counter_id: str) -> Response:
    device = require_device(request, R.COUNTER)
    cid = CounterId(counter_id)
    return await _counter_write(request, device, cid, lambda tx: lifecycle.ResumeCounter(cid))


@router.post("/counters/{counter_id}/close", tags=["counter"])
async def close(request: Request, counter_id: str) -> Response:
    device = require_device(request, R.COUNTER)
    cid = CounterId(counter_id)
    return await _counter_write(request, device, cid, lambda tx: lifecycle.CloseCounter(cid))


@router.post("/counters/{counter_id}/call-next", tags=["counter"])
async def call_next(request: Request, counter_id: str) -> Response:
    """Call the ticket the policy picks; the answer says why it was chosen."""
    device = require_device(request, R.COUNTER)
    cid = CounterId(counter_id)
    return await _counter_write(request, device, cid, lambda tx: lifecycle.CallNext(cid))


@router.post("/counters/{counter_id}/call", tags=["counter"])
async def call_given(request: Request, counter_id: str, body: protocol.CallRequest) -> Response:
    """Call a given ticket (by id or by number), or call back a ticket this counter parked."""
    device = require_device(request, R.COUNTER)
    cid = CounterId(counter_id)
    if (body.ticket is None) == (body.label is None):
        raise InvalidInput("Give either 'ticket' (an id) or 'label' (a number such as A042).")

    def build(tx: Tx) -> lifecycle.Command:
        # An unknown id is the core's 404; a number is looked up among today's tickets.
        tid = TicketId(body.ticket) if body.ticket else _by_label(tx, body.label or "").id
        return lifecycle.CallTicket(cid, tid)

    return await _counter_write(request, device, cid, build)


# --- pairing --------------------------------------------------------------------------------


@router.post("/pair", tags=["devices"])
async def pair(request: Request, body: protocol.PairRequest) -> dict[str, Any]:
    """Trade a one-time pairing code for this device's token (keep it; it is shown once)."""
    hub = hub_of(request)

    def job(tx: Tx) -> tuple[auth.Role, str]:
        return auth.redeem_pairing_code(tx.db, body.code, body.name, tx.now)

    role, token = await asyncio.wrap_future(hub.service.submit(job))
    return {"token": token, "role": role.value, "hub_id": hub.hub_id, "office": hub.config.id}


@router.post("/pairing-codes", status_code=201, tags=["admin"])
async def pairing_code(request: Request, body: protocol.PairingCodeRequest) -> dict[str, Any]:
    require_device(request, R.ADMIN)
    role = auth.parse_role(body.role)
    hub = hub_of(request)

    def job(tx: Tx) -> str:
        return auth.create_pairing_code(tx.db, role, body.name, tx.now, const.PAIRING_CODE_TTL_S)

    code = await asyncio.wrap_future(hub.service.submit(job))
    return {"code": code, "role": role.value, "expires_in_s": const.PAIRING_CODE_TTL_S}
