"""A ticket's public status, found by the random token printed in its QR code (privacy P3).

Only what the visitor holding the ticket may see: number, state, service, office, rank and
estimate while waiting, the counter once called, and how many times it was called (so that a
recall alerts the phone again). Never the priority flag, the call reason or another ticket.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, time, timedelta
from typing import Any

from shared import protocol
from shared.config import OfficeConfig
from shared.core import estimate
from shared.core.model import OfficeState, Ticket, TicketId, TicketState

# Hub tokens are `secrets.token_urlsafe`; anything else cannot match, and compare_digest
# raises TypeError on non-ASCII text, so such a token is refused before comparing.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,128}")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def valid_token(token: str) -> bool:
    return _TOKEN.fullmatch(token) is not None


def find(state: OfficeState, token: str) -> Ticket | None:
    """The live leg of the ticket holding `token` (a transfer keeps the token on a new leg)."""
    if not valid_token(token):
        return None
    legs = [t for t in state.tickets.values() if secrets.compare_digest(t.token, token)]
    if not legs:
        return None
    return next((t for t in legs if t.state is not TicketState.TRANSFERRED), legs[-1])


_LIVE = (TicketState.WAITING, TicketState.CALLED, TicketState.SERVING, TicketState.PARKED)


def find_valid(
    state: OfficeState, token: str, config: OfficeConfig, now: datetime
) -> Ticket | None:
    """`find`, for the visitor's pages: a token expires at the office's closing time (P3),
    unless its visit is still going on (an office serves the visitors already inside after it
    closes its doors). At the office's midnight the day's tokens all go with the day."""
    ticket = find(state, token)
    if ticket is None or ticket.state in _LIVE:
        return ticket
    return ticket if now < valid_until(config, ticket.issued_at) else None


def valid_until(config: OfficeConfig, issued: datetime) -> datetime:
    """When a ticket issued at `issued` stops being valid: that day's closing time, or the
    next midnight for a ticket taken after closing (or on a day without opening hours)."""
    local = issued.astimezone(config.tz)
    periods = config.hours.get(WEEKDAYS[local.weekday()], ())
    closing = max((b for _, b in periods), default=None)
    if closing is not None and local.time() < closing:
        return datetime.combine(local.date(), closing, config.tz)
    return datetime.combine(local.date() + timedelta(days=1), time(0), config.tz)


def refresh(state: OfficeState, token: str, known: TicketId | None) -> Ticket | None:
    """`find`, but by id when the leg found last time is still current (one look-up, not a
    scan of the day: a live feed recomputes at every event of the office)."""
    if known is not None:
        ticket = state.tickets.get(known)
        if ticket is not None and ticket.state is not TicketState.TRANSFERRED:
            return ticket
    return find(state, token)


def public_status(
    state: OfficeState, config: OfficeConfig, ticket: Ticket, now: datetime,
    view: estimate.View,
) -> dict[str, Any]:  # fmt: skip
    """The JSON the phone page shows; the live feed sends it again whenever it changes."""
    rules = config.rules
    waiting = ticket.state is TicketState.WAITING
    called = ticket.state in (TicketState.CALLED, TicketState.SERVING) and ticket.counter
    est = estimate.for_ticket(state, ticket, rules, now, view) if waiting else None
    counter = rules.counters.get(ticket.counter) if called and ticket.counter else None
    return {
        "label": ticket.label,
        "state": ticket.state.value,
        "service": ticket.service,
        "service_names": dict(rules.services[ticket.service].names),
        "office": config.name,
        "estimate": protocol.ticket_estimate_to_dict(est) if est is not None else None,
        "counter": ticket.counter if called else None,
        "counter_name": (counter.name if counter else ticket.counter) if called else None,
        "calls": ticket.calls,
    }
