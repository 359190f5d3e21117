from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from shared.core import estimate, policy
from shared.core.model import (
    CounterId,
    CounterSession,
    CounterStatus,
    OfficeState,
    Policy,
    PolicyKind,
    Rules,
    ServiceCode,
    Ticket,
    TicketId,
)
from tests.core.conftest import T0

A, B = ServiceCode("A"), ServiceCode("B")


def ticket(n: int, service=A, priority=False, minutes_ago=0.0, head=False) -> Ticket:
    return Ticket(
        TicketId(f"t{n}"), "", service, n, f"{service}{n:03d}", priority, "fr",
        T0 - timedelta(minutes=minutes_ago), head=head,
    )  # fmt: skip


def test_strict_priority_then_oldest_across_services(rules: Rules) -> None:
    waiting = [ticket(1, A, minutes_ago=30), ticket(2, B, minutes_ago=40), ticket(3, A, True, 1)]
    choice = policy.choose(waiting, (A, B), rules, T0)
    assert choice and choice.ticket.id == "t3" and choice.reason_kind == "priority"
    assert choice.reason == "priority visitor, waiting 1 min"
    choice = policy.choose(waiting[:2], (A, B), rules, T0)
    assert choice and choice.ticket.id == "t2"
    assert choice.reason == "oldest waiting for Information, 40 min"
    assert policy.choose(waiting, (ServiceCode("C"),), rules, T0) is None


def test_head_of_queue_transfer_goes_first(rules: Rules) -> None:
    waiting = [ticket(1, priority=True, minutes_ago=50), ticket(2, minutes_ago=1, head=True)]
    choice = policy.choose(waiting, (A,), rules, T0)
    assert choice and choice.ticket.id == "t2" and choice.reason_kind == "head"


def test_accumulating_priority_lets_a_long_wait_overtake(rules: Rules) -> None:
    acc = replace(rules, policy=Policy(PolicyKind.ACCUMULATING, rate_ratio=3.0))
    old_regular, fresh_priority = (
        ticket(1, minutes_ago=40),
        ticket(2, priority=True, minutes_ago=10),
    )
    choice = policy.choose([old_regular, fresh_priority], (A,), acc, T0)
    assert choice and choice.ticket.id == "t1"  # 40 × 1 > 10 × 3
    newer_priority = ticket(3, priority=True, minutes_ago=14)  # 14 × 3 > 40
    choice = policy.choose([old_regular, newer_priority], (A,), acc, T0)
    assert choice and choice.ticket.id == "t3" and choice.reason_kind == "priority"


def test_rank_counts_who_the_policy_calls_first_and_can_grow(rules: Rules) -> None:
    mine = ticket(2, minutes_ago=5)
    waiting = [ticket(1, minutes_ago=10), mine, ticket(9, B, minutes_ago=30)]
    assert policy.rank(mine, waiting, rules.policy, T0) == 1
    waiting.append(ticket(3, priority=True))  # a priority visitor arrives after me
    assert policy.rank(mine, waiting, rules.policy, T0) == 2


def test_ql_estimate_is_a_range_and_none_without_counters(rules: Rules) -> None:
    t = [ticket(i, minutes_ago=10 - i) for i in range(1, 5)]
    state = OfficeState(tickets={x.id: x for x in t})
    est = estimate.for_ticket(state, t[3], rules, T0)
    assert est.ahead == 3 and est.wait is None  # no counter open: no honest estimate
    open_ab = CounterSession(CounterId("G1"), CounterStatus.OPEN, (A, B))
    open_a = CounterSession(CounterId("G2"), CounterStatus.PAUSED, (A,))
    state = replace(state, counters={open_ab.id: open_ab, open_a.id: open_a})
    est = estimate.for_ticket(state, t[3], rules, T0)
    # (3 ahead + 1) × 10 min ÷ 2 counters = 20 min, shown as 10–30.
    assert est.wait is not None and est.wait.mean_min == 20
    assert (est.wait.low_min, est.wait.high_min) == (10, 30)
    per_service = estimate.for_services(state, rules, T0)
    assert per_service[A].waiting == 4 and per_service[A].open_counters == 2
    assert per_service[ServiceCode("C")].wait is None


def test_wait_range_rounds_outward_to_five_minutes() -> None:
    assert estimate.wait_range(0, 4, 1) == estimate.WaitRange(4, 0, 5)
    r = estimate.wait_range(6, 6, 2)  # 21 min
    assert r is not None and (r.low_min, r.high_min) == (10, 35)
    assert r.low_min % 5 == 0 and r.high_min % 5 == 0
