"""A busy moment of the reference office, built with the real lifecycle (no hand-made state)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from shared.core import lifecycle as lc
from shared.core.model import CounterId, OfficeState, Rules, ServiceCode, TicketId

SHARES = {"A": 0.30, "B": 0.30, "C": 0.15, "D": 0.25}  # the reference office's mix
PRIORITY_SHARE = 0.12


def apply(state: OfficeState, command: lc.Command, rules: Rules, at: datetime) -> OfficeState:
    return lc.fold(lc.decide(state, command, rules, at), state)


def busy_office(
    rules: Rules, now: datetime, rng: random.Random, waiting: int = 60, pause: str = "G6"
) -> OfficeState:
    """`waiting` tickets waiting at `now`; every counter but `pause` busy, `pause` on a break."""
    start = now - timedelta(minutes=90)
    state = apply(OfficeState(), lc.OpenDay(now.date()), rules, start)
    for cid, counter in rules.counters.items():
        state = apply(state, lc.OpenCounter(cid, counter.services), rules, start)
    busy = [cid for cid in rules.counters if cid != pause]
    codes, weights = list(SHARES), list(SHARES.values())
    for n in range(waiting + len(busy)):
        at = start + timedelta(minutes=75 * n / (waiting + len(busy)))
        service = ServiceCode(rng.choices(codes, weights)[0])
        cmd = lc.IssueTicket(TicketId(f"t{n}"), f"k{n}", service, rng.random() < PRIORITY_SHARE,
                             "fr")  # fmt: skip
        state = apply(state, cmd, rules, at)
    for cid in busy:
        at = now - timedelta(minutes=rng.uniform(1, 15))
        state = apply(state, lc.CallNext(cid), rules, at)
        tid = state.active[cid]
        state = apply(state, lc.TicketCommand(lc.Action.START, tid, cid), rules, at)
    if pause in rules.counters:
        cmd = lc.PauseCounter(CounterId(pause), "break", now + timedelta(minutes=10))
        state = apply(state, cmd, rules, now - timedelta(minutes=5))
    return state
