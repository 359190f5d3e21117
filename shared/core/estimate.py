"""Rank and a first estimate of the wait.

Theory of operation
-------------------
This is the classical queue-length estimate (Ibrahim & Whitt's QL) the hub publishes until the
replay estimator (see ../shared/reference/wait-estimation.md) replaces it:

    wait ≈ (tickets ahead + 1) × mean service time ÷ open counters able to serve

"Open counters able to serve" counts the counters whose session today includes the service and
that are open or paused (a pause ends); a closed counter does not count. With none, there is no
honest estimate: we say so (None) instead of inventing one. The range shown to visitors is
deliberately wide (×0.7 to ×1.5, rounded outward to 5 minutes): QL ignores elapsed service
times and breaks, and a range the visitor can trust beats a precise-looking number.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from shared.core import policy
from shared.core.model import CounterStatus, OfficeState, Rules, ServiceCode, Ticket, TicketId

LOW_FACTOR = 0.7
HIGH_FACTOR = 1.5
ROUND_MIN = 5


@dataclass(frozen=True)
class WaitRange:
    mean_min: float
    low_min: int
    high_min: int


@dataclass(frozen=True)
class TicketEstimate:
    ahead: int  # waiting tickets of the same service the policy would call first
    wait: WaitRange | None  # None: no counter open for the service


@dataclass(frozen=True)
class ServiceEstimate:
    waiting: int
    priority_waiting: int
    open_counters: int
    wait: WaitRange | None  # for a ticket taken now


def open_counters(state: OfficeState, service: ServiceCode) -> int:
    return sum(
        1
        for c in state.counters.values()
        if c.status is not CounterStatus.CLOSED and service in c.services
    )


def wait_range(ahead: int, mean_service_min: float, counters: int) -> WaitRange | None:
    if counters <= 0:
        return None
    mean = (ahead + 1) * mean_service_min / counters
    if ahead == 0 and mean <= ROUND_MIN:
        return WaitRange(mean, 0, ROUND_MIN)
    low = ROUND_MIN * math.floor(mean * LOW_FACTOR / ROUND_MIN)
    high = ROUND_MIN * math.ceil(mean * HIGH_FACTOR / ROUND_MIN)
    return WaitRange(mean, low, max(high, low + ROUND_MIN))


def for_ticket(state: OfficeState, ticket: Ticket, rules: Rules, now: datetime) -> TicketEstimate:
    ahead = policy.rank(ticket, state.waiting((ticket.service,)), rules.policy, now)
    service = rules.services[ticket.service]
    counters = open_counters(state, ticket.service)
    return TicketEstimate(ahead, wait_range(ahead, service.mean_service_min, counters))


def for_services(
    state: OfficeState, rules: Rules, now: datetime, priority: bool = False
) -> Mapping[ServiceCode, ServiceEstimate]:
    """Per service: who waits, and the range for a ticket taken now (regular by default)."""
    out: dict[ServiceCode, ServiceEstimate] = {}
    for code, service in rules.services.items():
        waiting = state.waiting((code,))
        prio = sum(1 for t in waiting if t.priority)
        # A new regular ticket goes behind everyone; a new priority one behind priority ones.
        ahead = prio if priority else len(waiting)
        counters = open_counters(state, code)
        out[code] = ServiceEstimate(
            len(waiting), prio, counters, wait_range(ahead, service.mean_service_min, counters)
        )
    return out


def for_new_ticket(
    state: OfficeState, rules: Rules, service: ServiceCode, priority: bool, now: datetime
) -> TicketEstimate:
    """The rank and range a ticket taken now would get: shown before the visitor takes it.

    The policy itself ranks a would-be ticket among the waiting ones, so the answer is the one
    the hub will give once the ticket exists (same policy, same moment).
    """
    # Numbers grow through the day: the would-be ticket comes after any issued at the same moment.
    phantom = Ticket(
        id=TicketId(""), token="", service=service, number=2**31, label="", priority=priority,
        lang="", issued_at=now,
    )  # fmt: skip
    return for_ticket(state, phantom, rules, now)
