"""Ticket numbers: a service prefix and a sequence that restarts each opening day.

The day is the office's local calendar day, not UTC's: an office in Nouméa or Cayenne starts
its numbers at its own midnight. The sequence itself is `last_number + 1` in the day's state,
so a number can never repeat within a day (the hub's single writer serialises issues).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo


def label_for(prefix: str, number: int) -> str:
    """'A' and 42 give 'A042'; past 999 the number simply grows ('A1000'), never wraps."""
    return f"{prefix}{number:03d}"


def office_day(now: datetime, tz: ZoneInfo) -> date:
    """The opening day `now` falls in, in the office's time zone."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(tz).date()
