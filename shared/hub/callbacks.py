"""Call-back requests: a visitor facing a long wait leaves a phone number for the agents.

The number is personal data (P4): stored only with the visitor's explicit consent, never in
the event log, never in logs, and deleted by the retention job once its `delete_after` time has
passed (the office's `[callbacks] retention_days`).

Agents work the list in the counter app. A request is `open` until an agent takes it; the one
who took it (the agent *and* the device they are signed in on) is the only one shown the
number, and every such read writes a row in the access log. Taking is a conditional write in
the single writer, so of two agents pressing "take" together exactly one gets it. The call ends
with an outcome: `reached` and `wrong_number` close the request (`done`, no longer listed);
`no_answer` puts it back in the list with one more attempt, since an office calls back more
than once; `release` puts it back untouched (the agent could not call now).
"""

from __future__ import annotations

import secrets
import sqlite3
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from shared.core import phone
from shared.core.errors import (
    CallbackDone,
    CallbackTaken,
    ConsentRequired,
    InvalidInput,
    NotFound,
    NotYours,
    PhoneInvalid,
)
from shared.hub import audit

OUTCOMES = ("reached", "no_answer", "wrong_number")
_FIELDS = ("id, service, lang, created_at, state, taken_by, taken_device, taken_at, outcome, "
           "note, attempts")  # fmt: skip


def create(
    db: sqlite_utils.Database,
    *,
    service: str,
    number: str,
    consent: bool,
    lang: str,
    ticket: str | None,
    device: str,
    now: datetime,
    retention_days: int,
) -> dict[str, Any]:
    if not consent:
        raise ConsentRequired(
            "The visitor must agree that the number is kept to call them back (consent: true)."
        )
    stored = phone.normalise(number)
    if stored is None:
        raise PhoneInvalid(
            "This is not a phone number: give 10 digits starting with 0, or '+' and the "
            "international number."
        )
    row = {
        "id": secrets.token_hex(8), "service": service, "phone": stored, "lang": lang,
        "ticket": ticket, "created_at": now.isoformat(),
        "delete_after": (now + timedelta(days=retention_days)).isoformat(),
        "state": "open", "device": device,
    }  # fmt: skip
    db.table("callbacks").insert(row)
    return {k: row[k] for k in ("id", "service", "created_at", "delete_after")}


def purge_expired(db: sqlite_utils.Database, now: datetime) -> int:
    """Delete every request past its retention time; returns how many went."""
    cursor = db.execute("DELETE FROM callbacks WHERE delete_after <= ?", [now.isoformat()])
    return int(cursor.rowcount)


def _item(row: dict[str, Any], device: str, agent: str) -> dict[str, Any]:
    """A request as an agent sees it in the list: never the number (nor the holder's device)."""
    item = {k: v for k, v in row.items() if k not in ("taken_device", "phone")}
    item["mine"] = row["taken_by"] == agent and row["taken_device"] == device
    return item


def listing(
    conn: sqlite3.Connection, services: list[str] | None, device: str, agent: str
) -> list[dict[str, Any]]:
    """Open and taken requests, oldest first (of `services` when given)."""
    sql = f"SELECT {_FIELDS} FROM callbacks WHERE state IN ('open', 'taken')"
    params: list[str] = []
    if services:
        sql += f" AND service IN ({', '.join('?' * len(services))})"
        params += services
    cursor = conn.execute(sql + " ORDER BY created_at, id", params)
    names = [d[0] for d in cursor.description]
    return [_item(dict(zip(names, row, strict=True)), device, agent) for row in cursor]


def _get(db: sqlite_utils.Database, cid: str) -> dict[str, Any]:
    row = db.conn.execute(f"SELECT {_FIELDS}, phone FROM callbacks WHERE id = ?", (cid,))
    found = row.fetchone()
    if found is None:
        raise NotFound("This call-back request does not exist (any more).")
    return dict(zip([d[0] for d in row.description], found, strict=True))


def _holds(row: dict[str, Any], device: str, agent: str) -> bool:
    return row["state"] != "open" and (row["taken_by"], row["taken_device"]) == (agent, device)


def _held(row: dict[str, Any], device: str, agent: str, doing: str) -> None:
    """Refuse a change to a request that is closed, or that this agent does not hold."""
    if row["state"] == "done":
        raise CallbackDone("This call-back request is already closed.")
    if not _holds(row, device, agent):
        raise NotYours(f"Only the agent holding this call-back request {doing}.")


def _with_phone(
    db: sqlite_utils.Database, row: dict[str, Any], device: str, agent: str, now: datetime
) -> dict[str, Any]:
    audit.record(db, now=now, device=device, agent=agent, kind="callback.phone", ref=row["id"])
    return _item(row, device, agent) | {"phone": phone.display(row["phone"])}


def take(
    db: sqlite_utils.Database, cid: str, *, device: str, agent: str, now: datetime
) -> dict[str, Any]:
    """Take an open request and read its number; taking one's own again reads it again."""
    row = _get(db, cid)
    if row["state"] == "done":
        raise CallbackDone("This call-back request is already closed.")
    if row["state"] == "taken" and not _holds(row, device, agent):
        raise CallbackTaken(f"{row['taken_by']} has already taken this call-back request.")
    if row["state"] == "open":
        change = {"state": "taken", "taken_by": agent, "taken_device": device,
                  "taken_at": now.isoformat()}  # fmt: skip
        db.table("callbacks").update(cid, change)
        row |= change
    return _with_phone(db, row, device, agent, now)


def read(
    db: sqlite_utils.Database, cid: str, *, device: str, agent: str, now: datetime
) -> dict[str, Any]:
    """The request with its number, for the agent and device holding it only."""
    row = _get(db, cid)
    if not _holds(row, device, agent):
        raise NotYours("Only the agent who took this call-back request, on that device, sees it.")
    return _with_phone(db, row, device, agent, now)


def release(db: sqlite_utils.Database, cid: str, *, device: str, agent: str) -> dict[str, Any]:
    """Put a request one holds back in the list, untouched."""
    row = _get(db, cid)
    _held(row, device, agent, "can give it back")
    change = {"state": "open", "taken_by": None, "taken_device": None, "taken_at": None}
    db.table("callbacks").update(cid, change)
    return _item(row | change, device, agent)


def record_outcome(
    db: sqlite_utils.Database, cid: str, outcome: str, note: str, *, device: str, agent: str,
    now: datetime,
) -> dict[str, Any]:  # fmt: skip
    """End a call: `no_answer` puts the request back in the list; the others close it."""
    if outcome not in OUTCOMES:
        raise InvalidInput(f"Unknown outcome {outcome!r}; a call-back ends with: "
                           f"{', '.join(OUTCOMES)}.")  # fmt: skip
    row = _get(db, cid)
    _held(row, device, agent, "records how the call went")
    change: dict[str, Any] = {"outcome": outcome, "note": note, "attempts": row["attempts"] + 1}
    if outcome == "no_answer":
        change |= {"state": "open", "taken_by": None, "taken_device": None, "taken_at": None}
    else:
        change |= {"state": "done", "done_at": now.isoformat()}
    db.table("callbacks").update(cid, change)
    return _item(row | change, device, agent)
