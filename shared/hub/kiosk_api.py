"""What the kiosk needs besides issuing tickets: a preview of the rank, call-back requests and
the state of its printer."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from shared import const, protocol
from shared.config import OfficeConfig
from shared.core import estimate
from shared.core.errors import FeatureOff, NotFound
from shared.core.model import ServiceCode
from shared.hub import auth, callbacks
from shared.hub.context import hub_of, require_device, write_job
from shared.hub.service import Tx

router = APIRouter(prefix=const.API_PREFIX)


@router.get("/services/{code}/preview", tags=["public"])
async def preview(request: Request, code: str, priority: bool = False) -> dict[str, Any]:
    """The rank and estimated wait a ticket taken now would get (shown before it is taken)."""
    hub = hub_of(request)
    if code not in hub.config.rules.services:
        raise NotFound(f"There is no service {code!r} in this office.")
    state, now = hub.broadcaster.state, hub.service.clock.now()
    est = estimate.for_new_ticket(state, hub.config.rules, ServiceCode(code), priority, now,
                                  hub.estimates(state, now))  # fmt: skip
    wait = est.wait
    return {
        "service": code,
        **protocol.ticket_estimate_to_dict(est),
        "open": estimate.open_counters(state, ServiceCode(code)) > 0,
        # Busy: the office commits to offer the other channels past its threshold.
        "busy": wait is not None and wait.mean_min > hub.config.busy_threshold_min,
    }


@router.post("/callbacks", status_code=201, tags=["kiosk"])
async def request_callback(request: Request, body: protocol.CallbackRequest) -> Response:
    """Leave a phone number to be called back (explicit consent; kept `retention_days`)."""
    device = require_device(request, auth.Role.KIOSK)
    config = hub_of(request).config
    if not config.callbacks_enabled:
        raise FeatureOff("This office does not take call-back requests.")
    if body.service not in config.rules.services:
        raise NotFound(f"There is no service {body.service!r} in this office.")

    def act(tx: Tx) -> dict[str, Any]:
        return callbacks.create(
            tx.db, service=body.service, number=body.phone, consent=body.consent, lang=body.lang,
            ticket=body.ticket, device=device.id, now=tx.now,
            retention_days=config.callback_retention_days,
        )  # fmt: skip

    return await write_job(request, device, act, status=201)


@router.post("/devices/me/printer", tags=["kiosk"])
async def report_printer(request: Request, body: protocol.PrinterReport) -> dict[str, Any]:
    """A kiosk reports its printer's state (after each job and when it changes)."""
    device = require_device(request, auth.Role.KIOSK)
    hub = hub_of(request)

    def job(tx: Tx) -> dict[str, Any]:
        at = tx.now.isoformat()
        tx.db.table("devices").update(
            device.id, {"printer_state": body.state, "printer_detail": body.detail,
                        "printer_at": at},
        )  # fmt: skip
        return {"state": body.state, "detail": body.detail, "at": at}

    return await asyncio.wrap_future(hub.service.submit(job))


def printers(hub: Any) -> list[dict[str, Any]]:
    """Every paired kiosk's last reported printer state (for /health)."""
    rows = hub.reader.execute(
        "SELECT name, printer_state, printer_detail, printer_at FROM devices "
        "WHERE role = 'kiosk' AND revoked_at IS NULL AND printer_state IS NOT NULL ORDER BY name"
    ).fetchall()
    return [{"device": n, "state": s, "detail": d or "", "at": a} for n, s, d, a in rows]


def page_url(config: OfficeConfig, request: Request, token: str) -> str:
    """The phone page's address printed in the QR code: the office's public address if it has
    one (phones on the public network), else the address the kiosk reached the hub at."""
    base = config.public_url or str(request.base_url).rstrip("/")
    return f"{base}/t/{token}"
