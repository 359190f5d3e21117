"""The office's vocabulary as frozen values: services, counters, tickets and the day's state."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import NewType

ServiceCode = NewType("ServiceCode", str)
CounterId = NewType("CounterId", str)
TicketId = NewType("TicketId", str)


class TicketState(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    PARKED = "parked"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    TRANSFERRED = "transferred"


class CounterStatus(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    PAUSED = "paused"


class PolicyKind(StrEnum):
    STRICT = "strict"
    ACCUMULATING = "accumulating"


@dataclass(frozen=True)
class Service:
    code: ServiceCode
    prefix: str
    names: Mapping[str, str]
    mean_service_min: float

    def name(self, lang: str) -> str:
        return self.names.get(lang) or next(iter(self.names.values()), self.code)


@dataclass(frozen=True)
class Counter:
    id: CounterId
    name: str
    services: tuple[ServiceCode, ...]
    accessible: bool = False


@dataclass(frozen=True)
class Policy:
    kind: PolicyKind = PolicyKind.STRICT
    # Accumulating priority: a priority ticket's priority grows this many times faster.
    rate_ratio: float = 3.0


@dataclass(frozen=True)
class Rules:
    """What the core needs to know of the office's configuration to decide anything."""

    services: Mapping[ServiceCode, Service]
    counters: Mapping[CounterId, Counter]
    policy: Policy = Policy()
    recall_limit: int = 2
    no_show_grace_s: float = 15 * 60.0


@dataclass(frozen=True)
class Ticket:
    id: TicketId
    token: str
    service: ServiceCode
    number: int
    label: str
    priority: bool
    lang: str
    issued_at: datetime  # kept across transfers: the visitor's real arrival
    state: TicketState = TicketState.WAITING
    counter: CounterId | None = None
    calls: int = 0
    called_at: datetime | None = None
    first_called_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    reason: str | None = None
    note: str | None = None
    outcome: str | None = None
    previous: TicketId | None = None  # the leg this one was transferred from
    head: bool = False  # transferred "at the head of the queue"


@dataclass(frozen=True)
class CounterSession:
    id: CounterId
    status: CounterStatus = CounterStatus.CLOSED
    services: tuple[ServiceCode, ...] = ()
    pause_reason: str | None = None
    since: datetime | None = None


@dataclass(frozen=True)
class OfficeState:
    """Today's queue: the fold of today's events (see lifecycle.evolve)."""

    day: date | None = None
    tickets: Mapping[TicketId, Ticket] = field(default_factory=dict)
    counters: Mapping[CounterId, CounterSession] = field(default_factory=dict)
    last_number: Mapping[ServiceCode, int] = field(default_factory=dict)

    def counter(self, counter_id: CounterId) -> CounterSession:
        return self.counters.get(counter_id) or CounterSession(counter_id)

    def active_ticket(self, counter_id: CounterId) -> Ticket | None:
        """The ticket a counter is calling or serving now, if any."""
        for t in self.tickets.values():
            if t.counter == counter_id and t.state in (TicketState.CALLED, TicketState.SERVING):
                return t
        return None

    def waiting(self, services: tuple[ServiceCode, ...] | None = None) -> list[Ticket]:
        return [
            t
            for t in self.tickets.values()
            if t.state is TicketState.WAITING and (services is None or t.service in services)
        ]
