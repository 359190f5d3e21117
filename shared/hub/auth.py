"""Devices, roles and pairing.

A device holds a random bearer token; the hub stores only its SHA-256. A device gets its token
either by pairing (an admin creates a one-time code with `montour hub pair`, the device trades
it at `POST /api/v1/pair`) or directly from `montour hub token` on the hub machine, for
provisioning scripts. Roles: kiosk issues tickets, counter operates counters, display only
reads (with the full stream), admin may do everything.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import sqlite_utils

from shared.core.errors import Forbidden, InvalidInput, Unauthorized


class Role(StrEnum):
    KIOSK = "kiosk"
    COUNTER = "counter"
    DISPLAY = "display"
    ADMIN = "admin"


@dataclass(frozen=True)
class Device:
    id: str
    name: str
    role: Role

    def require(self, *roles: Role) -> None:
        if self.role is not Role.ADMIN and self.role not in roles:
            wanted = " or ".join(r.value for r in roles)
            article = "an" if wanted[0] in "aeiou" else "a"
            raise Forbidden(
                f"This device is paired as {self.role.value}; this needs {article} {wanted} device."
            )


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        roles = ", ".join(r.value for r in Role)
        raise InvalidInput(f"Unknown role {value!r}; choose one of {roles}.") from None


def create_device(db: sqlite_utils.Database, role: Role, name: str, now: datetime) -> str:
    """Insert a device and return its token (shown once, never stored in clear)."""
    token = secrets.token_urlsafe(32)
    db.table("devices").insert(
        {
            "id": secrets.token_hex(8),
            "name": name,
            "role": role.value,
            "token_hash": hash_secret(token),
            "created_at": now.isoformat(),
        }
    )
    return token


def create_pairing_code(
    db: sqlite_utils.Database, role: Role, name: str, now: datetime, ttl_s: float
) -> str:
    """A one-time code of 8 digits shown as '1234-5678': easy to read out and to type."""
    digits = f"{secrets.randbelow(10**8):08d}"
    db.table("pairing_codes").insert(
        {
            "code_hash": hash_secret(digits),
            "role": role.value,
            "name": name,
            "expires_at": (now + timedelta(seconds=ttl_s)).isoformat(),
        }
    )
    return f"{digits[:4]}-{digits[4:]}"


def redeem_pairing_code(
    db: sqlite_utils.Database, code: str, name: str, now: datetime
) -> tuple[Role, str]:
    """Trade a one-time code for a device token; the code is burnt whatever happens next."""
    digits = code.replace("-", "").replace(" ", "")
    row = db.conn.execute(
        "SELECT role, name, expires_at, used_at FROM pairing_codes WHERE code_hash = ?",
        (hash_secret(digits),),
    ).fetchone()
    if row is None or row[3] is not None:
        raise Unauthorized("This pairing code is wrong or was already used; ask for a new one.")
    if datetime.fromisoformat(row[2]) < now:
        raise Unauthorized("This pairing code has expired; ask for a new one.")
    db.conn.execute(
        "UPDATE pairing_codes SET used_at = ? WHERE code_hash = ?",
        (now.isoformat(), hash_secret(digits)),
    )
    role = Role(row[0])
    return role, create_device(db, role, name or row[1] or role.value, now)


def lookup(conn: sqlite3.Connection, token: str) -> Device | None:
    row = conn.execute(
        "SELECT id, name, role FROM devices WHERE token_hash = ? AND revoked_at IS NULL",
        (hash_secret(token),),
    ).fetchone()
    return None if row is None else Device(row[0], row[1], Role(row[2]))
