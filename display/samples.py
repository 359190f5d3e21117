"""A built-in sample office with a morning's calls: `--screenshot` renders the board from it
without a hub, so the README's pictures are reproducible, and the tests draw from it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from shared import config, protocol
from shared.core.model import CounterId, OfficeState, ServiceCode, Ticket, TicketId, TicketState

TZ = ZoneInfo("Europe/Paris")
NOW = datetime(2025, 3, 11, 10, 42, 5, tzinfo=TZ)  # a Tuesday morning

# The example office, exactly as its hub describes it in GET /office.
OFFICE: dict[str, Any] = protocol.office_to_dict(config.load(config.EXAMPLE))

QUEUE: dict[str, Any] = {
    "seq": 42,
    "state": {},
    "services": {
        "A": {"waiting": 3, "open_counters": 2,
              "wait": {"mean_min": 19.0, "low_min": 15, "high_min": 25}},
        "B": {"waiting": 1, "open_counters": 2,
              "wait": {"mean_min": 4.0, "low_min": 0, "high_min": 5}},
        "C": {"waiting": 2, "open_counters": 0, "wait": None},
        "D": {"waiting": 6, "open_counters": 1,
              "wait": {"mean_min": 41.0, "low_min": 30, "high_min": 50}},
    },
}  # fmt: skip

# (label, counter, minutes before NOW, visitor's language, calls)
_CALLS = [("A042", "G3", 0, "fr", 1), ("B017", "G4", 2, "fr", 1), ("D008", "G2", 4, "ar", 1),
          ("A041", "G1", 6, "en", 2), ("C012", "G6", 9, "fr", 1), ("B016", "G5", 11, "fr", 1),
          ("A040", "G3", 15, "fr", 1)]  # fmt: skip


def ticket(label: str, counter: str | None, at: datetime | None, lang: str = "fr",
           calls: int = 1, priority: bool = False) -> Ticket:  # fmt: skip
    called = at is not None and counter is not None
    return Ticket(
        id=TicketId(f"t-{label}"), token="", service=ServiceCode(label[0]), number=int(label[1:]),
        label=label, priority=priority, lang=lang,
        issued_at=(at or NOW) - timedelta(minutes=20),
        state=TicketState.CALLED if called else TicketState.WAITING,
        counter=CounterId(counter) if called and counter else None, calls=calls if called else 0,
        called_at=at if called else None, first_called_at=at if called else None,
    )  # fmt: skip


def state(arabic_current: bool = False) -> OfficeState:
    """The sample morning: seven calls, the latest at NOW (optionally by an Arabic reader)."""
    tickets = {}
    for i, (label, counter, ago, lang, calls) in enumerate(_CALLS):
        lang = "ar" if arabic_current and i == 0 else lang
        t = ticket(label, counter, NOW - timedelta(minutes=ago), lang, calls)
        tickets[t.id] = t
    return OfficeState(day=NOW.date(), tickets=tickets)
