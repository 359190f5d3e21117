"""The visitor's contact history across channels ("Services Publics+"), opt-in (P4).

A visitor who agrees to be identified gives a file number or a phone number. The hub never
stores that key: it keeps `subject`, an HMAC-SHA256 of the normalised key under a random
per-hub secret (table `secrets`, made by the v4 migration). The same person is found again
whatever the spelling ("06 12 34 56 78" and "+33612345678"; "ab-123" and "AB-123"), and no
number is in the file in clear. The secret lives in the same file (a restored backup still
finds its visitors): whoever holds the whole file could still try every phone number against
a subject. The HMAC keeps identifiers out of exports, logs and casual reads, not more.

A contact is a date, a channel, a service, an outcome code and a short neutral note (no
medical or social details: the counter app says so). Every search is logged in the access log;
contacts are deleted after the office's `[contacts] retention_days`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any, Literal

import sqlite_utils

from shared.core import phone
from shared.core.errors import ConsentRequired, InvalidInput, KeyInvalid
from shared.hub import audit

KeyKind = Literal["file", "phone"]
_FILE_NUMBER = re.compile(r"[A-Z0-9/-]{3,30}")
_VIEW = ("id", "at", "channel", "service", "outcome", "note", "agent")


def normalise_key(kind: KeyKind, key: str) -> str:
    """The one spelling of an identifier; KeyInvalid when it cannot be one (the message never
    repeats the key: it may end up in a client's log)."""
    if kind == "phone":
        number = phone.normalise(key)
        if number is None:
            raise KeyInvalid(
                "This is not a phone number: give 10 digits starting with 0, or '+' and the "
                "international number."
            )
        return number
    file_number = key.strip().upper()
    if not _FILE_NUMBER.fullmatch(file_number):
        raise KeyInvalid("A file number has 3 to 30 characters: letters, digits, '-' and '/' only.")
    return file_number


def _secret(db: sqlite_utils.Database) -> bytes:
    row = db.conn.execute("SELECT value FROM secrets WHERE name = 'contacts_hmac'").fetchone()
    if row is None:  # only if someone deleted it by hand: refuse rather than make a new one
        raise RuntimeError("the contacts secret is missing from the database")
    return bytes(row[0])


def subject_of(db: sqlite_utils.Database, kind: KeyKind, key: str) -> str:
    """The opaque id of the person behind `key` (128 bits of the HMAC, as hex)."""
    message = f"{kind}:{normalise_key(kind, key)}".encode()
    return hmac.new(_secret(db), message, hashlib.sha256).hexdigest()[:32]


def _consented(consent: bool) -> None:
    if not consent:
        raise ConsentRequired(
            "The visitor must agree to be identified before their contacts are looked up or "
            "recorded (consent: true)."
        )


def search(
    db: sqlite_utils.Database, kind: KeyKind, key: str, consent: bool, *, device: str,
    agent: str, now: datetime,
) -> dict[str, Any]:  # fmt: skip
    """The person's contacts, newest first; the search is logged even when it finds none."""
    _consented(consent)
    subject = subject_of(db, kind, key)
    cursor = db.conn.execute(
        f"SELECT {', '.join(_VIEW)} FROM contacts WHERE subject = ? ORDER BY at DESC, rowid DESC",
        (subject,),
    )
    found = [dict(zip(_VIEW, row, strict=True)) for row in cursor]
    audit.record(db, now=now, device=device, agent=agent, kind="contacts.search", ref=subject)
    return {"subject": subject, "contacts": found}


def record(
    db: sqlite_utils.Database, kind: KeyKind, key: str, consent: bool, *, channel: str,
    service: str, outcome: str, note: str, outcomes: Collection[str], device: str, agent: str,
    now: datetime, retention_days: int,
) -> dict[str, Any]:  # fmt: skip
    """Add a contact to the person's history; `outcomes` are the codes allowed."""
    _consented(consent)
    if outcome not in outcomes:
        raise InvalidInput(f"Unknown outcome {outcome!r}; use one of: {', '.join(outcomes)}.")
    row = {
        "id": secrets.token_hex(8), "subject": subject_of(db, kind, key), "at": now.isoformat(),
        "channel": channel, "service": service, "outcome": outcome, "note": note.strip(),
        "agent": agent, "device": device,
        "delete_after": (now + timedelta(days=retention_days)).isoformat(),
    }  # fmt: skip
    db.table("contacts").insert(row)
    return {"subject": row["subject"], **{k: row[k] for k in _VIEW}}


def purge_expired(db: sqlite_utils.Database, now: datetime) -> int:
    """Delete every contact past its retention time; returns how many went."""
    cursor = db.conn.execute("DELETE FROM contacts WHERE delete_after <= ?", (now.isoformat(),))
    return int(cursor.rowcount)
