"""The office's vocabulary as frozen values: services, counters, tickets and the day's state."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
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
    # (opening, last call), office-local; None: the office hours, serving until queues are empty.
    shift: tuple[time, time] | None = None
    breaks: tuple[tuple[time, int], ...] = ()  # planned breaks: (start, minutes), in time order


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
    reason_kind: str | None = None  # TicketCalled.reason_kind: the reason as data, for the UI
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
    pause_until: datetime | None = None  # a break's planned end, when given


ACTIVE_STATES = (TicketState.CALLED, TicketState.SERVING)

Queue = Mapping[ServiceCode, Mapping[TicketId, None]]


@dataclass(frozen=True)
class OfficeState:
    """Today's queue: the fold of today's events (see lifecycle.evolve).

    `queue` (waiting ticket ids per service) and `active` (the ticket each counter calls or
    serves) are indexes derived from `tickets`, kept up to date by `with_ticket`, so that a call
    or a rank costs what the waiting line costs, not what the whole day's tickets cost. Built
    without them, they are computed once.
    """

    day: date | None = None
    tickets: Mapping[TicketId, Ticket] = field(default_factory=dict)
    counters: Mapping[CounterId, CounterSession] = field(default_factory=dict)
    last_number: Mapping[ServiceCode, int] = field(default_factory=dict)
    # None only while being built: __post_init__ computes them then.
    queue: Queue = field(default=None, compare=False, repr=False)  # type: ignore[arg-type]
    active: Mapping[CounterId, TicketId] = field(default=None, compare=False, repr=False)  # type: ignore[arg-type]

    def __post_init__(self) -> None:
        if self.queue is None or self.active is None:
            queue: dict[ServiceCode, dict[TicketId, None]] = {}
            active: dict[CounterId, TicketId] = {}
            for t in self.tickets.values():
                if t.state is TicketState.WAITING:
                    queue.setdefault(t.service, {})[t.id] = None
                elif t.state in ACTIVE_STATES and t.counter is not None:
                    active[t.counter] = t.id
            object.__setattr__(self, "queue", queue)
            object.__setattr__(self, "active", active)

    def counter(self, counter_id: CounterId) -> CounterSession:
        return self.counters.get(counter_id) or CounterSession(counter_id)

    def active_ticket(self, counter_id: CounterId) -> Ticket | None:
        """The ticket a counter is calling or serving now, if any."""
        tid = self.active.get(counter_id)
        return None if tid is None else self.tickets[tid]

    def waiting(self, services: tuple[ServiceCode, ...] | None = None) -> list[Ticket]:
        codes = self.queue.keys() if services is None else services
        return [self.tickets[tid] for code in codes for tid in self.queue.get(code, ())]

    def with_ticket(self, ticket: Ticket) -> OfficeState:
        """This state with `ticket` added or replaced, indexes updated incrementally."""
        old = self.tickets.get(ticket.id)
        queue, active = self.queue, self.active
        was_waiting = old is not None and old.state is TicketState.WAITING
        if was_waiting or ticket.state is TicketState.WAITING:
            q = {k: v for k, v in queue.items()}
            if old is not None and was_waiting:
                q[old.service] = {k: None for k in q[old.service] if k != old.id}
            if ticket.state is TicketState.WAITING:
                q[ticket.service] = {**q.get(ticket.service, {}), ticket.id: None}
            queue = q
        old_holder = old.counter if old is not None and old.state in ACTIVE_STATES else None
        new_holder = ticket.counter if ticket.state in ACTIVE_STATES else None
        if old_holder != new_holder:
            a = dict(active)
            if old_holder is not None:
                del a[old_holder]
            if new_holder is not None:
                a[new_holder] = ticket.id
            active = a
        return replace(
            self, tickets={**self.tickets, ticket.id: ticket}, queue=queue, active=active
        )
