"""Who is called next, and why.

Theory of operation
-------------------
A counter serves a set of services. Among the waiting tickets of those services the policy
orders tickets by a key and calls the smallest:

* strict priority (the legal default): transferred-at-head tickets first, then priority
  visitors, then the oldest issue time;
* accumulating priority (Kleinrock): a ticket's priority grows linearly with its wait, a
  priority ticket `rate_ratio` times faster than a regular one; the highest is called. A long
  regular wait can thus overtake a fresh priority ticket, which bounds regular visitors' waits.

The same key orders a service's queue for the rank, so the rank shown to a visitor is exactly
"how many tickets this policy would call before yours". The estimator replays this very
function; never duplicate its logic elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from shared.core.model import Policy, PolicyKind, Rules, ServiceCode, Ticket


@dataclass(frozen=True)
class Choice:
    ticket: Ticket
    reason_kind: str
    reason: str


def order_key(ticket: Ticket, policy: Policy, now: datetime) -> tuple[object, ...]:
    # Strict keys do not depend on `now`: no arithmetic on the hot path of every call.
    if policy.kind is PolicyKind.ACCUMULATING:
        waited = max(0.0, (now - ticket.issued_at).total_seconds())
        rate = policy.rate_ratio if ticket.priority else 1.0
        return (not ticket.head, -waited * rate, ticket.issued_at, ticket.number)
    return (not ticket.head, not ticket.priority, ticket.issued_at, ticket.number)


def ordered(tickets: Iterable[Ticket], policy: Policy, now: datetime) -> list[Ticket]:
    return sorted(tickets, key=lambda t: order_key(t, policy, now))


def choose(
    waiting: Iterable[Ticket], services: tuple[ServiceCode, ...], rules: Rules, now: datetime
) -> Choice | None:
    """The ticket a counter serving `services` calls next, with a reason an agent can read."""
    candidates = [t for t in waiting if t.service in services]
    if not candidates:
        return None
    best = min(candidates, key=lambda t: order_key(t, rules.policy, now))
    return Choice(best, *_reason(best, candidates, rules, now))


def _reason(best: Ticket, candidates: list[Ticket], rules: Rules, now: datetime) -> tuple[str, str]:
    minutes = int(max(0.0, (now - best.issued_at).total_seconds()) // 60)
    service = rules.services[best.service].name("en") if best.service in rules.services else ""
    if best.head:
        return "head", f"transferred at the head of the queue, waiting {minutes} min"
    oldest = min(candidates, key=lambda t: (t.issued_at, t.number))
    if best.priority and best is not oldest:
        return "priority", f"priority visitor, waiting {minutes} min"
    if rules.policy.kind is PolicyKind.ACCUMULATING and best is not oldest:
        return "accumulated", f"highest accumulated priority, waiting {minutes} min"
    if best.priority:
        return "priority", f"priority visitor and oldest waiting, {minutes} min"
    return "oldest", f"oldest waiting for {service}, {minutes} min"


def rank(ticket: Ticket, waiting: Iterable[Ticket], policy: Policy, now: datetime) -> int:
    """Waiting tickets of the same service that the policy would call before this one."""
    key = order_key(ticket, policy, now)
    service = ticket.service
    return sum(
        1
        for t in waiting
        if t.service == service and t.id != ticket.id and order_key(t, policy, now) < key
    )


# --- the estimator's fast path (shared/core/replay.py) -----------------------------------------
# The replay calls thousands of times per estimate; `choose` over the whole waiting line each
# time would cost 50× its budget. These two facts about `order_key` let it keep each group
# sorted once and compare only the groups' heads, with `order_key` itself: any change to the
# key must keep them true (tests/core/test_replay.py checks the replay against `choose`).


def group_key(ticket: Ticket) -> tuple[ServiceCode, bool, bool]:
    """Within one group, `order_key` orders tickets by (issued_at, number) at every `now`."""
    return (ticket.service, ticket.head, ticket.priority)


def time_invariant(policy: Policy) -> bool:
    """Whether `order_key` ignores `now`, so that a key computed once stays valid."""
    return policy.kind is not PolicyKind.ACCUMULATING
