"""The report's input: the visits and call-backs of a period, read from a hub's database.

The connection is read-only (`mode=ro`): the report may run beside a live hub, and must never
change its file. Of the call-backs only the service and the date are read — never the phone
number. Call-backs older than the office's `[callbacks] retention_days` are already deleted
by the hub, so a period further back counts none.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path

from shared.hub.store import read_days
from shared.report.visits import Visit, visits


def read(
    db: Path, tz: tzinfo, start: date, end: date
) -> tuple[list[Visit], list[tuple[str, date]]]:
    """The visits issued from `start` to `end` (office-local days, both included), and the
    call-backs `(service, office-local day)` requested in that period."""
    conn = sqlite3.connect(db.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        calls: list[tuple[str, date]] = []
        if "callbacks" in tables:
            for service, created in conn.execute("SELECT service, created_at FROM callbacks"):
                day = datetime.fromisoformat(created).astimezone(tz).date()
                if start <= day <= end:
                    calls.append((str(service), day))
    finally:
        conn.close()
    # The events' `day` column is the hub's office day; one day more on each side costs little
    # and keeps a visit whose events straddle a day boundary whole.
    log = read_days(db, start - timedelta(days=1), end + timedelta(days=2))
    found = visits((e for _, e in log), tz)
    return [v for v in found if start <= v.day <= end], calls
