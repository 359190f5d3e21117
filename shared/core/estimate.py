"""Rank and estimated wait, as the hub publishes them: the replay's ranges, steadied.

Theory of operation
-------------------
The estimator is the replay of the calling policy (shared/core/replay.py, method in
../shared/reference/wait-estimation.md), with parameters fitted on the office's history
(shared/core/waitparams.py). `compute` runs it for a state and returns a `Book`:

- per waiting ticket, the mean, p10 and p90 of its REMAINING wait (from the book's moment);
- per service and class, the same for a ticket taken now: a "phantom" regular ticket per
  service joins the replay at the back of its line. It is the newest ticket of the day, so any
  counter calls every real ticket it serves before it: the phantoms do not move the real
  tickets' estimates (only through drawn future priority arrivals, a second-order effect). A
  priority phantom would overtake real tickets, so the priority phantoms get their own, smaller
  replay (REPLAY_PREVIEW_K continuations) whose real-ticket figures are thrown away.

What visitors see is steadied (the reference's "change the shown value only when it moves by
≥ 2 min"): each figure of a ticket keeps its previous value until the new one differs by
ESTIMATE_HYSTERESIS_MIN or more. A new ticket starts from the figures of its service's phantom
in the previous book, the ones printed on it. The range shown is p10 rounded down and p90
rounded up to 5 minutes (`WaitRange`). The rank is never steadied or frozen: it comes from the
policy at the moment asked (`policy.rank`), as it can grow when a priority visitor arrives.

A ticket that no open or paused counter serves has no estimate (None): there is no honest
figure to give. `deterministic=True` is the degraded mode (one pass with mean values): the hub
uses it when a replay would be too slow, and for a state its last book predates (a burst of
tickets faster than the estimator). One pass has no spread: its p10 and p90 are the mean times
ESTIMATE_DEGRADED_SPREAD, the replay's usual ratios, so a degraded range is not falsely narrow.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from shared.const import (
    ESTIMATE_DEGRADED_SPREAD,
    ESTIMATE_HYSTERESIS_MIN,
    REPLAY_K,
    REPLAY_PREVIEW_K,
)
from shared.core import policy, replay
from shared.core.model import CounterStatus, OfficeState, Rules, ServiceCode, Ticket, TicketId
from shared.core.waitparams import Params

ROUND_MIN = 5
NewKey = tuple[ServiceCode, bool]  # (service, priority): a ticket taken now


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


@dataclass(frozen=True)
class Figures:
    """A wait's mean, p10 and p90 in minutes, remaining from the book's moment."""

    mean: float
    p10: float
    p90: float

    def range(self) -> WaitRange:
        low = ROUND_MIN * math.floor(max(0.0, self.p10) / ROUND_MIN + 1e-9)
        high = ROUND_MIN * math.ceil(max(0.0, self.p90) / ROUND_MIN - 1e-9)
        return WaitRange(self.mean, low, max(high, low + ROUND_MIN))


@dataclass(frozen=True)
class Book:
    """The estimates of one moment; the hub publishes the latest one."""

    at: datetime | None = None
    seq: int = 0
    tickets: Mapping[TicketId, Figures] = field(default_factory=dict)
    new: Mapping[NewKey, Figures] = field(default_factory=dict)
    degraded: bool = False  # the deterministic single pass


EMPTY = Book()


def open_counters(state: OfficeState, service: ServiceCode) -> int:
    return sum(
        1
        for c in state.counters.values()
        if c.status is not CounterStatus.CLOSED and service in c.services
    )


def _phantom(service: ServiceCode, priority: bool, now: datetime) -> Ticket:
    # Numbers grow through the day: the would-be ticket comes after any issued at this moment.
    return Ticket(
        id=TicketId(f"\x00new:{service}:{int(priority)}"), token="", service=service,
        number=2**31, label="", priority=priority, lang="", issued_at=now,
    )  # fmt: skip


def compute(
    state: OfficeState,
    rules: Rules,
    params: Params,
    now: datetime,
    *,
    rng: random.Random | None = None,  # required unless deterministic
    tz: tzinfo | None = None,
    seq: int = 0,
    previous: Book = EMPTY,
    deterministic: bool = False,
    k: int = REPLAY_K,
    preview_k: int = REPLAY_PREVIEW_K,
    between: Callable[[], None] | None = None,
) -> Book:
    """Every waiting ticket's figures and a new ticket's per service and class, steadied
    against `previous`. `between`: see replay.replay."""
    if rng is None and not deterministic:
        raise ValueError("a replay needs its random.Random")
    raw: dict[TicketId, Figures] = {}
    new: dict[NewKey, Figures] = {}
    for priority, runs in ((False, k), (True, preview_k)):
        phantoms = [_phantom(code, priority, now) for code in rules.services]
        with_new = state
        for p in phantoms:
            with_new = with_new.with_ticket(p)
        if deterministic:
            found = replay.deterministic(with_new, rules, params, now, tz=tz)
        else:
            assert rng is not None
            # The priority preview needs only its phantoms: its continuations stop once they
            # are called (priority waits are short), a fraction of a whole replay.
            only = [p.id for p in phantoms] if priority else None
            found = replay.replay(with_new, rules, params, now, k=runs, rng=rng, tz=tz,
                                  only=only, between=between)  # fmt: skip
        for tid, e in found.items():
            figures = Figures(e.mean_min, e.p10_min, e.p90_min)
            if deterministic:  # one pass has no spread: give it the replay's usual one
                low, high = ESTIMATE_DEGRADED_SPREAD
                figures = Figures(e.mean_min, e.mean_min * low, e.mean_min * high)
            if tid.startswith("\x00new:"):
                new[(ServiceCode(tid.split(":")[1]), priority)] = figures
            elif not priority:
                raw[tid] = figures
    tickets = {}
    for tid, figures in raw.items():
        before = previous.tickets.get(tid)
        if before is None:
            t = state.tickets[tid]
            before = previous.new.get((t.service, t.priority))
        tickets[tid] = steady(before, figures)
    news = {key: steady(previous.new.get(key), f) for key, f in new.items()}
    return Book(now, seq, tickets, news, deterministic)


def steady(before: Figures | None, now: Figures) -> Figures:
    """Each figure keeps its previous value until it moves by ESTIMATE_HYSTERESIS_MIN."""
    if before is None:
        return now

    def keep(old: float, new: float) -> float:
        return old if abs(new - old) < ESTIMATE_HYSTERESIS_MIN else new

    return Figures(keep(before.mean, now.mean), keep(before.p10, now.p10),
                   keep(before.p90, now.p90))  # fmt: skip


# --- what the routes publish ------------------------------------------------------------------


@dataclass(frozen=True)
class View:
    """A published book, and a book for the very state it is read against when the published
    one has nothing for a service (a counter opened since): computed only if asked."""

    book: Book
    fallback: Callable[[], Book] | None = None
    # The book was computed for the state read (or a later one). When it was not, a ticket it
    # does not know came after several changes: its service's "ticket taken now" figures are
    # out of date, and the fallback answers for this very state instead.
    current: bool = True


def for_ticket(
    state: OfficeState, ticket: Ticket, rules: Rules, now: datetime, view: View
) -> TicketEstimate:
    """A waiting ticket's rank (now) and range (the book's; a ticket newer than the book gets
    its service's figures for a new ticket, the ones it was printed with)."""
    ahead = policy.rank(ticket, state.waiting((ticket.service,)), rules.policy, now)
    figures = view.book.tickets.get(ticket.id)
    if figures is None and view.current:
        figures = view.book.new.get((ticket.service, ticket.priority))
    if open_counters(state, ticket.service) == 0:
        figures = None  # the book may predate the last counter closing
    elif figures is None and view.fallback is not None:
        figures = _figures(view.fallback(), ticket)
    return TicketEstimate(ahead, figures.range() if figures is not None else None)


def _figures(book: Book, ticket: Ticket) -> Figures | None:
    return book.tickets.get(ticket.id) or book.new.get((ticket.service, ticket.priority))


def for_services(
    state: OfficeState, rules: Rules, now: datetime, view: View, priority: bool = False
) -> Mapping[ServiceCode, ServiceEstimate]:
    """Per service: who waits, and the range for a ticket taken now (regular by default)."""
    out: dict[ServiceCode, ServiceEstimate] = {}
    book = view.book if view.current or view.fallback is None else view.fallback()
    for code in rules.services:
        waiting = state.waiting((code,))
        prio = sum(1 for t in waiting if t.priority)
        counters = open_counters(state, code)
        figures = book.new.get((code, priority)) if counters else None
        if counters and figures is None and view.fallback is not None:
            book = view.fallback()  # for the other services too: it is this state's
            figures = book.new.get((code, priority))
        out[code] = ServiceEstimate(
            len(waiting), prio, counters, figures.range() if figures is not None else None
        )
    return out


def for_new_ticket(
    state: OfficeState, rules: Rules, service: ServiceCode, priority: bool, now: datetime,
    view: View,
) -> TicketEstimate:  # fmt: skip
    """The rank and range a ticket taken now would get: shown before the visitor takes it."""
    return for_ticket(state, _phantom(service, priority, now), rules, now, view)
