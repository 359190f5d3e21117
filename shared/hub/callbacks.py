"""Call-back requests: a visitor facing a long wait leaves a phone number for the agents.

The number is personal data (P4): stored only with the visitor's explicit consent, never in
the event log, never in logs, and deleted by the retention job once its `delete_after` time has
passed (the office's `[callbacks] retention_days`). Agents list and take requests in the counter
app (issue 5); every read of a number will be logged there.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from shared.core import phone
from shared.core.errors import ConsentRequired, PhoneInvalid


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
