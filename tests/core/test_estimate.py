"""The published estimates: the replay's figures per ticket and for a ticket taken now, steadied
(shared/core/estimate.py)."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta

from shared import const
from shared.core import estimate, replay
from shared.core.estimate import Book, Figures, View
from shared.core.model import (
    CounterId,
    CounterSession,
    CounterStatus,
    OfficeState,
    Rules,
    ServiceCode,
    Ticket,
    TicketId,
)
from shared.core.waitparams import Params
from tests.core.conftest import T0

A, B, C = ServiceCode("A"), ServiceCode("B"), ServiceCode("C")
G1 = CounterId("G1")


def ticket(n: int, service: ServiceCode = A, priority: bool = False, ago: float = 0.0) -> Ticket:
    return Ticket(
        TicketId(f"t{n}"), "", service, n, f"{service}{n:03d}", priority, "fr",
        T0 - timedelta(minutes=ago),
    )  # fmt: skip


def office(*tickets: Ticket, open_: bool = True) -> OfficeState:
    counters = {G1: CounterSession(G1, CounterStatus.OPEN, (A, B), since=T0)} if open_ else {}
    return OfficeState(tickets={t.id: t for t in tickets}, counters=counters)


def book(state: OfficeState, rules: Rules, previous: Book = estimate.EMPTY, **kw: object) -> Book:
    params = Params.from_rules(rules)
    return estimate.compute(state, rules, params, T0, rng=random.Random(7), previous=previous,
                            **kw)  # type: ignore[arg-type]  # fmt: skip


def test_each_waiting_ticket_gets_a_rank_and_a_range_that_grow_down_the_line(rules: Rules) -> None:
    t = [ticket(i, ago=10 - i) for i in range(1, 5)]
    state = office(*t)
    view = View(book(state, rules))
    found = [estimate.for_ticket(state, x, rules, T0, view) for x in t]
    assert [e.ahead for e in found] == [0, 1, 2, 3]
    means = [e.wait.mean_min for e in found if e.wait is not None]
    assert len(means) == 4 and means == sorted(means) and means[3] > means[0] + 15
    for e in found:
        assert e.wait is not None
        assert e.wait.low_min % 5 == 0 and e.wait.high_min % 5 == 0
        assert e.wait.low_min <= e.wait.mean_min <= e.wait.high_min


def test_no_counter_open_for_the_service_means_no_estimate_not_a_guess(rules: Rules) -> None:
    t = [ticket(1), ticket(2, C)]
    state = office(*t)  # G1 serves A and B: nobody serves C
    view = View(book(state, rules))
    assert estimate.for_ticket(state, t[0], rules, T0, view).wait is not None
    assert estimate.for_ticket(state, t[1], rules, T0, view).wait is None
    per_service = estimate.for_services(state, rules, T0, view)
    assert per_service[C].wait is None and per_service[A].wait is not None
    # The counter closes: the book predates it, the answer does not.
    closed = replace(state, counters={})
    assert estimate.for_ticket(closed, t[0], rules, T0, view).wait is None


def test_a_ticket_taken_now_is_estimated_behind_everyone_and_does_not_move_the_others(
    rules: Rules,
) -> None:
    t = [ticket(i, ago=20 - i) for i in range(1, 4)]
    state = office(*t)
    params = Params.from_rules(rules)
    alone = replay.deterministic(state, rules, params, T0)
    found = book(state, rules, deterministic=True)
    low, high = const.ESTIMATE_DEGRADED_SPREAD
    for tid, e in alone.items():  # the phantoms come after every real ticket
        # (one pass has no spread of its own: it gets the replay's usual one)
        assert found.tickets[tid] == Figures(e.mean_min, e.mean_min * low, e.mean_min * high)
    last = max(e.mean_min for e in alone.values())
    assert found.new[(A, False)].mean > last
    # A priority ticket taken now overtakes the regular line.
    assert found.new[(A, True)].mean < found.new[(A, False)].mean
    preview = estimate.for_new_ticket(state, rules, A, False, T0, View(found))
    assert preview.ahead == 3


def test_shown_figures_change_only_when_they_move_by_two_minutes() -> None:
    before = Figures(10.0, 5.0, 16.0)
    assert estimate.steady(before, Figures(11.5, 6.9, 14.1)) == before
    moved = estimate.steady(before, Figures(12.0, 5.5, 19.0))
    assert moved == Figures(12.0, 5.0, 19.0)
    assert estimate.steady(None, Figures(1.0, 0.0, 2.0)) == Figures(1.0, 0.0, 2.0)


def test_ranges_round_outward_to_five_minutes() -> None:
    assert Figures(8.0, 3.0, 12.0).range() == estimate.WaitRange(8.0, 0, 15)
    assert Figures(1.0, 0.0, 0.0).range() == estimate.WaitRange(1.0, 0, 5)
    assert Figures(20.0, 15.0, 25.0).range() == estimate.WaitRange(20.0, 15, 25)


def test_a_new_ticket_starts_from_the_figures_it_was_printed_with(rules: Rules) -> None:
    t = [ticket(i, ago=10 - i) for i in range(1, 4)]
    state = office(*t)
    first = book(state, rules)
    printed = first.new[(A, False)]
    mine = ticket(9)
    second = book(state.with_ticket(mine), rules, previous=first)
    got = second.tickets[mine.id]
    # Steadied from the printed figures: a figure differs only if it moved by 2 min or more.
    for old, new in zip((printed.mean, printed.p10, printed.p90), (got.mean, got.p10, got.p90),
                        strict=True):  # fmt: skip
        assert new == old or abs(new - old) >= 2


def test_a_counter_opened_since_the_book_falls_back_to_a_pass_for_this_state(
    rules: Rules,
) -> None:
    t = [ticket(1), ticket(2)]
    stale = estimate.EMPTY  # the book of a moment when nothing was estimated yet
    state = office(*t)
    assert estimate.for_ticket(state, t[1], rules, T0, View(stale)).wait is None
    asked: list[int] = []

    def fallback() -> Book:
        asked.append(1)
        return book(state, rules, deterministic=True)

    view = View(stale, fallback)
    assert estimate.for_ticket(state, t[1], rules, T0, view).wait is not None
    assert estimate.for_services(state, rules, T0, view)[A].wait is not None
    assert asked


def test_a_book_older_than_the_state_does_not_lend_its_new_ticket_figures(rules: Rules) -> None:
    """Three tickets issued since the book: the third is not "a ticket taken" at the book's
    moment; the pass for this very state answers, and the services' figures come from it."""
    old = book(office(), rules)  # nobody waiting then: a new ticket would be called at once
    t = [ticket(i) for i in range(1, 4)]
    state = office(*t)
    fresh = book(state, rules, deterministic=True)
    view = View(old, lambda: fresh, current=False)
    got = estimate.for_ticket(state, t[2], rules, T0, view)
    assert got.wait == fresh.tickets[t[2].id].range() and got.wait.mean_min > 15
    assert estimate.for_services(state, rules, T0, view)[A].wait == fresh.new[(A, False)].range()
    # The same book, current, lends its figures (the printed range is the preview's).
    assert (
        estimate.for_ticket(state, t[2], rules, T0, View(old)).wait == old.new[(A, False)].range()
    )
