"""The access log: every read of personal data, kept to answer "who saw this number?" (P4).

A row says who (the device and the agent signed in on it), what (`kind`: a call-back's phone
number, or a search of a visitor's contact history), which (the call-back's id or the opaque
subject id; never the number or the identifier itself) and when. A row is written in the same
transaction as the read it records: a read whose answer was refused leaves no row, and no read
goes unlogged. Rows are deleted after the office's `[audit] retention_days`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

import sqlite_utils

Kind = Literal["callback.phone", "contacts.search"]


def record(
    db: sqlite_utils.Database, *, now: datetime, device: str, agent: str, kind: Kind, ref: str
) -> None:
    db.conn.execute(
        "INSERT INTO access_log (at, device, agent, kind, ref) VALUES (?, ?, ?, ?, ?)",
        (now.isoformat(), device, agent, kind, ref),
    )


def rows(db: sqlite_utils.Database, since: datetime | None = None) -> list[dict[str, Any]]:
    """The log, oldest first (for an administrator's export and for tests)."""
    where, params = ("WHERE at >= ?", [since.isoformat()]) if since else ("", [])
    return list(db.query(f"SELECT at, device, agent, kind, ref FROM access_log {where} "
                         "ORDER BY at, id", params))  # fmt: skip


def purge(db: sqlite_utils.Database, now: datetime, retention_days: int) -> int:
    """Delete the rows older than the retention period; returns how many went."""
    limit = (now - timedelta(days=retention_days)).isoformat()
    return int(db.conn.execute("DELETE FROM access_log WHERE at < ?", (limit,)).rowcount)
