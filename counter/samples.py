"""A sample morning at Guichet 3 for `--screenshot`: the example office as GET /office gives it,
a queue with a priority visitor, a transfer with its note, call-backs and a contact history.
Every name and number here is invented."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from counter.session import Action, CurrentTicket, PendingUndo, Session
from shared import config, protocol
from shared.core.model import (
    CounterId,
    CounterSession,
    CounterStatus,
    OfficeState,
    ServiceCode,
    Ticket,
    TicketId,
    TicketState,
)

TZ = ZoneInfo("Europe/Paris")
NOW = datetime(2025, 3, 11, 10, 42, tzinfo=TZ)
OFFICE: dict[str, Any] = protocol.office_to_dict(config.load(config.EXAMPLE))
G3 = CounterId("G3")

QUEUE: dict[str, Any] = {
    "seq": 42,
    "state": {},
    "services": {
        "A": {
            "waiting": 4,
            "open_counters": 2,
            "wait": {"mean_min": 19.0, "low_min": 15, "high_min": 25},
        },
        "C": {
            "waiting": 2,
            "open_counters": 1,
            "wait": {"mean_min": 24.0, "low_min": 20, "high_min": 30},
        },
    },
}


def _t(label: str, ago: int, state: TicketState = TicketState.WAITING, **kw: Any) -> Ticket:
    return Ticket(
        TicketId(f"t-{label}"),
        "",
        ServiceCode(label[0]),
        int(label[1:]),
        label,
        bool(kw.pop("priority", False)),
        "fr",
        NOW - timedelta(minutes=ago),
        state,
        **kw,
    )


def _done(label: str, ago: int, waited: int) -> Ticket:
    issued = NOW - timedelta(minutes=ago)
    return replace(
        _t(label, ago, TicketState.DONE),
        first_called_at=issued + timedelta(minutes=waited),
        finished_at=issued + timedelta(minutes=waited + 9),
    )


CALLED = _t(
    "C012",
    31,
    TicketState.CALLED,
    counter=G3,
    calls=1,
    called_at=NOW,
    first_called_at=NOW,
    reason="priority visitor and oldest waiting, 31 min",
    reason_kind="priority",
    note="Pièces d'identité vérifiées au guichet 1",
    previous=TicketId("t-x"),
    priority=True,
)


def state(
    ticket: Ticket | None = CALLED, status: CounterStatus = CounterStatus.OPEN
) -> OfficeState:
    tickets = [
        _t("A045", 23),
        _t("A047", 12, priority=True),
        _t("A048", 6),
        _t("A049", 2),
        _t("C013", 18),
        _t("C014", 4),
        _t("A040", 50, TicketState.PARKED, counter=G3),
        _done("A031", 120, 14),
        _done("A033", 100, 19),
        _done("C008", 95, 11),
        _done("A036", 80, 22),
        _done("C010", 60, 16),
        _t("A038", 55, TicketState.NO_SHOW, finished_at=NOW - timedelta(minutes=6)),
    ]
    if ticket is not None:
        tickets.append(ticket)
    paused = status is CounterStatus.PAUSED
    counters = {G3: CounterSession(G3, status, (ServiceCode("A"), ServiceCode("C")),
                                   "lunch" if paused else None, NOW if paused else None,
                                   NOW + timedelta(minutes=45) if paused else None)}  # fmt: skip
    return OfficeState(day=NOW.date(), tickets={t.id: t for t in tickets}, counters=counters)


def session(name: str) -> tuple[Session, OfficeState]:
    """The sample session and state for one of the `--state` names."""
    base = Session(
        agent="Nadia B.",
        counter="G3",
        services=("A", "C"),
        status=CounterStatus.OPEN,
        recall_limit=2,
        waiting=6,
        parked=1,
        no_shows=1,
        connected=True,
    )
    called = CurrentTicket(CALLED.id, CALLED.label, "C", TicketState.CALLED, 1, True)
    if name == "signed-out":
        return Session(connected=True), state(None)
    if name == "called":
        return replace(base, ticket=called), state()
    if name == "serving":
        serving = replace(CALLED, state=TicketState.SERVING, started_at=NOW)
        return replace(base, ticket=replace(called, state=TicketState.SERVING)), state(serving)
    if name == "paused":
        return replace(base, status=CounterStatus.PAUSED), state(None, CounterStatus.PAUSED)
    if name == "undo":
        undo = PendingUndo(Action.NO_SHOW, CALLED.id, CALLED.label, 0.0)
        return replace(base, ticket=called, undo=undo), state()
    return base, state(None)


CALLBACKS: list[dict[str, Any]] = [
    {
        "id": "cb1",
        "service": "A",
        "lang": "fr",
        "created_at": "2025-03-11T08:55:00+01:00",
        "state": "taken",
        "taken_by": "Karim",
        "taken_at": "2025-03-11T09:40:00+01:00",
        "outcome": None,
        "mine": False,
    },
    {
        "id": "cb2",
        "service": "C",
        "lang": "ar",
        "created_at": "2025-03-11T09:20:00+01:00",
        "state": "open",
        "taken_by": None,
        "taken_at": None,
        "outcome": None,
        "mine": False,
    },
    {
        "id": "cb3",
        "service": "A",
        "lang": "fr",
        "created_at": "2025-03-11T10:05:00+01:00",
        "state": "open",
        "taken_by": None,
        "taken_at": None,
        "outcome": None,
        "mine": False,
    },
]

TAKEN: dict[str, Any] = {
    **CALLBACKS[1],
    "state": "taken",
    "taken_by": "Nadia B.",
    "mine": True,
    "phone": "06 12 34 56 78",
}

CONTACTS: list[dict[str, Any]] = [
    {
        "at": "2025-02-27T14:10:00+01:00",
        "channel": "phone",
        "service": "C",
        "outcome": "incomplete",
        "note": "Pièce manquante",
        "agent": "Karim",
    },
    {
        "at": "2025-02-12T09:35:00+01:00",
        "channel": "counter",
        "service": "C",
        "outcome": "done",
        "note": "",
        "agent": "Nadia B.",
    },
    {
        "at": "2025-01-20T16:02:00+01:00",
        "channel": "callback",
        "service": "A",
        "outcome": "reached",
        "note": "",
        "agent": "Léa",
    },
]
