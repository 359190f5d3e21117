from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from shared.core import policy
from shared.core.model import (
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
