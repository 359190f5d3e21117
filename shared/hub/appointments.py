"""Appointments: free slots, booking, cancelling and moving by reference (issue 7).

Theory of operation
-------------------
The office's plan (`[appointments]` in its configuration; shared/core/slots.py) says which
services take appointments, in which modes, how long a slot is and how many agents each slot
can use. A booking is a row of the `appointments` table, not an event of the day's queue: it
lives weeks ahead and belongs to no office day yet (checking in at the kiosk will issue the
day's ticket).

Two visitors can never take the last place of a slot: a booking is a job of the hub's single
writer, which counts the slot's active bookings and inserts in one transaction, and jobs run
one after another. A move is the same job for the new slot, the booking itself left out of
the count. A retried request with the same `Idempotency-Key` gets the first answer (the key is
scoped by device, or "public" for the booking page).

A reference is 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L), shown as
`XXXX-XXXX`; it is the only key to a booking, which carries nothing personal.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from shared import const
from shared.core import slots
from shared.core.errors import Conflict, InvalidInput, NotFound
from shared.hub import auth
from shared.hub.context import device_from_token, hub_of, write_job
from shared.hub.service import Tx

router = APIRouter(prefix=const.API_PREFIX)
REF_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
REF_LENGTH = 8
ACTIVE = "booked"
CANCELLED = "cancelled"


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class BookRequest(_Body):
    service: str = Field(min_length=1, max_length=16)
    mode: str = Field(pattern="^(site|phone|video)$")
    start: datetime = Field(strict=False)  # ISO 8601 with its offset
    lang: str = Field(default="fr", pattern="^[a-z]{2}$")


class MoveRequest(_Body):
    start: datetime = Field(strict=False)
    mode: str | None = Field(default=None, pattern="^(site|phone|video)$")


def new_ref() -> str:
    return "".join(secrets.choice(REF_ALPHABET) for _ in range(REF_LENGTH))


def shown_ref(ref: str) -> str:
    return f"{ref[:4]}-{ref[4:]}"


def parse_ref(text: str) -> str:
    """A reference as typed or scanned: case, spaces and dashes do not matter."""
    ref = "".join(ch for ch in text.upper() if ch.isalnum())
    if len(ref) != REF_LENGTH or any(ch not in REF_ALPHABET for ch in ref):
        raise NotFound("No appointment has this reference; check the 8 characters (XXXX-XXXX).")
    return ref


def _aware(when: datetime, what: str) -> datetime:
    if when.tzinfo is None:
        raise InvalidInput(f"{what} needs its UTC offset (e.g. 2026-12-01T09:20:00+01:00).")
    return when.astimezone(UTC)


def booked_counts(tx_or_db: Any, service: str, first: datetime, last: datetime,
                  leave_out: str | None = None) -> dict[datetime, int]:  # fmt: skip
    """Active bookings per slot start (UTC) of a service between two instants."""
    rows = tx_or_db.execute(
        "SELECT start, count(*) FROM appointments WHERE service = ? AND status = ? "
        "AND start >= ? AND start <= ? AND ref != ? GROUP BY start",
        (service, ACTIVE, first.isoformat(), last.isoformat(), leave_out or ""),
    ).fetchall()
    return {datetime.fromisoformat(start): int(n) for start, n in rows}


def view(row: dict[str, Any], config: Any) -> dict[str, Any]:
    plan = config.appointments.services.get(row["service"])
    link = ""
    if row["mode"] == "video" and plan is not None and plan.video_link:
        link = plan.video_link.replace("{ref}", row["ref"])
    return {
        "ref": shown_ref(row["ref"]), "service": row["service"], "mode": row["mode"],
        "start": row["start"], "end": row["end"], "status": row["status"],
        "channel": row["channel"], "video_link": link,
    }  # fmt: skip


def _row(tx: Tx, ref: str) -> dict[str, Any]:
    rows = list(tx.db.query("SELECT * FROM appointments WHERE ref = ?", [ref]))
    if not rows:
        raise NotFound("No appointment has this reference; check the 8 characters (XXXX-XXXX).")
    return rows[0]


def _slot(tx: Tx, service: str, mode: str, start: datetime, leave_out: str | None) -> slots.Slot:
    count = booked_counts(tx.db.conn, service, start, start, leave_out).get(start, 0)
    return slots.bookable(tx.config.appointments, service, mode, start, count, tx.now,
                          tx.config.tz)  # fmt: skip


def _channel(request: Request) -> tuple[str, str]:
    """("agent", device id) for a paired counter booking for a visitor, else ("web", "")."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    bearer = scheme.lower() == "bearer"
    device = device_from_token(hub_of(request), token.strip()) if bearer else None
    if device is not None and device.role in (auth.Role.COUNTER, auth.Role.ADMIN):
        return "agent", device.id
    return "web", ""


# --- routes ---------------------------------------------------------------------------------


@router.get("/appointments/slots", tags=["appointments"])
async def free_slots(
    request: Request, service: str, mode: str = "site", first: date | None = None,
    last: date | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The slots of a service and mode from `first` to `last` (office-local dates, default:
    the next 7 days), with how many places are free in each."""
    hub = hub_of(request)
    now = hub.service.clock.now()
    today = now.astimezone(hub.config.tz).date()
    first = first or today
    last = last or first + timedelta(days=6)
    if last < first or (last - first).days > 62:
        raise InvalidInput("Ask for 1 to 63 days at a time, `first` no later than `last`.")
    start = datetime.combine(first, datetime.min.time(), hub.config.tz) - timedelta(days=1)
    end = datetime.combine(last, datetime.min.time(), hub.config.tz) + timedelta(days=2)
    counts = booked_counts(hub.reader, service, start.astimezone(UTC),
                           end.astimezone(UTC))  # fmt: skip
    found = slots.slots(hub.config.appointments, service, mode, first, last, counts, now,
                        hub.config.tz)  # fmt: skip
    return {
        "service": service, "mode": mode,
        "slots": [{"start": s.start.isoformat(), "end": s.end.isoformat(), "free": s.free}
                  for s in found],
    }  # fmt: skip


@router.post("/appointments", status_code=201, tags=["appointments"])
async def book(request: Request, body: BookRequest) -> Response:
    """Book a slot: on the public booking page, through the API, or by an agent (a counter's
    token). Send an `Idempotency-Key`: a retry gets the same booking, never a second one."""
    start = _aware(body.start, "start")
    channel, device = _channel(request)

    def act(tx: Tx) -> dict[str, Any]:
        slot = _slot(tx, body.service, body.mode, start, None)
        ref = new_ref()
        while list(tx.db.query("SELECT 1 FROM appointments WHERE ref = ?", [ref])):
            ref = new_ref()
        row = {
            "ref": ref, "service": body.service, "mode": body.mode,
            "start": slot.start.isoformat(), "end": slot.end.isoformat(), "status": ACTIVE,
            "channel": channel, "device": device, "lang": body.lang,
            "created_at": tx.now.isoformat(), "updated_at": tx.now.isoformat(),
        }  # fmt: skip
        tx.db.table("appointments").insert(row)
        return view(row, tx.config)

    return await write_job(request, None, act, status=201)


@router.get("/appointments/{ref}", tags=["appointments"])
async def read(request: Request, ref: str) -> dict[str, Any]:
    hub = hub_of(request)
    key = parse_ref(ref)
    rows = hub.reader.execute(
        "SELECT ref, service, mode, start, end, status, channel FROM appointments WHERE ref = ?",
        (key,),
    ).fetchall()
    if not rows:
        raise NotFound("No appointment has this reference; check the 8 characters (XXXX-XXXX).")
    names = ("ref", "service", "mode", "start", "end", "status", "channel")
    return view(dict(zip(names, rows[0], strict=True)), hub.config)


@router.post("/appointments/{ref}/cancel", tags=["appointments"])
async def cancel(request: Request, ref: str) -> Response:
    key = parse_ref(ref)

    def act(tx: Tx) -> dict[str, Any]:
        row = _row(tx, key)
        if row["status"] != ACTIVE:
            raise Conflict("This appointment is already cancelled.")
        changes = {"status": CANCELLED, "updated_at": tx.now.isoformat()}
        tx.db.table("appointments").update(key, changes)
        return view({**row, **changes}, tx.config)

    return await write_job(request, None, act)


@router.post("/appointments/{ref}/move", tags=["appointments"])
async def move(request: Request, ref: str, body: MoveRequest) -> Response:
    """Another slot (and mode) for the same booking; the reference stays."""
    key = parse_ref(ref)
    start = _aware(body.start, "start")

    def act(tx: Tx) -> dict[str, Any]:
        row = _row(tx, key)
        if row["status"] != ACTIVE:
            raise Conflict("A cancelled appointment cannot be moved; book a new one.")
        mode = body.mode or row["mode"]
        slot = _slot(tx, row["service"], mode, start, key)
        changes = {"mode": mode, "start": slot.start.isoformat(), "end": slot.end.isoformat(),
                   "updated_at": tx.now.isoformat()}  # fmt: skip
        tx.db.table("appointments").update(key, changes)
        return view({**row, **changes}, tx.config)

    return await write_job(request, None, act)
