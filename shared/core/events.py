"""What happened, in the past tense: one frozen dataclass per event, no subclassing.

Events are the only thing the hub stores (see hub/store.py); today's state is their fold
(lifecycle.evolve). `to_dict` / `from_dict` give the JSON shape of the event log and of the
wire protocol: `{"type": "TicketCalled", "at": "2026-11-28T09:12:03+00:00", ...}`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from shared.core.model import CounterId, ServiceCode, TicketId


@dataclass(frozen=True)
class DayOpened:
    at: datetime
    day: date


@dataclass(frozen=True)
class TicketIssued:
    at: datetime
    ticket: TicketId
    token: str
    service: ServiceCode
    number: int
    label: str
    priority: bool
    lang: str


@dataclass(frozen=True)
class TicketCalled:
    at: datetime
    ticket: TicketId
    counter: CounterId
    reason_kind: str  # priority | oldest | accumulated | head | chosen | parked | reactivated
    reason: str


@dataclass(frozen=True)
class TicketRecalled:
    at: datetime
    ticket: TicketId
    counter: CounterId
    calls: int


@dataclass(frozen=True)
class ServiceStarted:
    at: datetime
    ticket: TicketId
    counter: CounterId


@dataclass(frozen=True)
class TicketCompleted:
    at: datetime
    ticket: TicketId
    counter: CounterId
    outcome: str


@dataclass(frozen=True)
class TicketNoShow:
    at: datetime
    ticket: TicketId
    counter: CounterId
    automatic: bool  # True when the recall limit was passed


@dataclass(frozen=True)
class TicketReactivated:
    at: datetime
    ticket: TicketId


@dataclass(frozen=True)
class TicketCancelled:
    at: datetime
    ticket: TicketId


@dataclass(frozen=True)
class TicketTransferred:
    at: datetime
    ticket: TicketId
    new_ticket: TicketId
    service: ServiceCode
    note: str
    head: bool


@dataclass(frozen=True)
class TicketParked:
    at: datetime
    ticket: TicketId
    counter: CounterId


@dataclass(frozen=True)
class CounterOpened:
    at: datetime
    counter: CounterId
    services: tuple[ServiceCode, ...]


@dataclass(frozen=True)
class CounterServicesChanged:
    at: datetime
    counter: CounterId
    services: tuple[ServiceCode, ...]


@dataclass(frozen=True)
class CounterPaused:
    at: datetime
    counter: CounterId
    reason: str
    until: datetime | None = None  # the planned end of a break, when the agent gave one


@dataclass(frozen=True)
class CounterResumed:
    at: datetime
    counter: CounterId


@dataclass(frozen=True)
class CounterClosed:
    at: datetime
    counter: CounterId


Event = (
    DayOpened
    | TicketIssued
    | TicketCalled
    | TicketRecalled
    | ServiceStarted
    | TicketCompleted
    | TicketNoShow
    | TicketReactivated
    | TicketCancelled
    | TicketTransferred
    | TicketParked
    | CounterOpened
    | CounterServicesChanged
    | CounterPaused
    | CounterResumed
    | CounterClosed
)

EVENT_TYPES: dict[str, type[Event]] = {
    cls.__name__: cls
    for cls in (
        DayOpened,
        TicketIssued,
        TicketCalled,
        TicketRecalled,
        ServiceStarted,
        TicketCompleted,
        TicketNoShow,
        TicketReactivated,
        TicketCancelled,
        TicketTransferred,
        TicketParked,
        CounterOpened,
        CounterServicesChanged,
        CounterPaused,
        CounterResumed,
        CounterClosed,
    )
}


def to_dict(event: Event) -> dict[str, Any]:
    out: dict[str, Any] = {"type": type(event).__name__}
    for f in dataclasses.fields(event):
        value = getattr(event, f.name)
        if isinstance(value, datetime | date):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        out[f.name] = value
    return out


def from_dict(data: dict[str, Any]) -> Event:
    """Inverse of to_dict; raises KeyError/ValueError/TypeError on a malformed record."""
    cls = EVENT_TYPES[data["type"]]
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name not in data and f.default is not dataclasses.MISSING:
            continue  # a field added later, with a default: older logs lack it
        value = data[f.name]
        if f.name == "until" and value is not None:
            value = datetime.fromisoformat(value)
        if f.name == "at":
            value = datetime.fromisoformat(value)
            if value.tzinfo is None:
                raise ValueError("event time must carry its UTC offset")
        elif f.name == "day":
            value = date.fromisoformat(value)
        elif f.name == "services":
            value = tuple(value)
        kwargs[f.name] = value
    return cls(**kwargs)
