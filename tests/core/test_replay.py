from __future__ import annotations

import heapq
import math
import random
from dataclasses import replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared.core import lifecycle as lc
from shared.core import policy, replay, replay_draw
from shared.core.errors import NothingWaiting
from shared.core.model import (
    Counter,
    CounterId,
    CounterStatus,
    OfficeState,
    Policy,
    PolicyKind,
    Rules,
    Service,
    ServiceCode,
    Ticket,
    TicketId,
)
from shared.core.waitparams import LogNormal, Params
from tests.bench.replay.office import apply, busy_office
from tests.core.conftest import T0

A = ServiceCode("A")
G1 = CounterId("G1")
ONE = Rules({A: Service(A, "A", {"en": "A"}, 10.0)}, {G1: Counter(G1, "G1", (A,))})
# Exact service times, no no-shows, breaks exactly as planned: waits computable by hand.
FIXED = Params(cells={(A, False): LogNormal(math.log(10), 0.0),
                      (A, True): LogNormal(math.log(10), 0.0)}, no_show_curve=(),
               break_offset_min=(0.0, 0.0), break_stretch=(1.0, 1.0))  # fmt: skip


def one_counter(n: int) -> OfficeState:
    state = apply(OfficeState(), lc.OpenDay(T0.date()), ONE, T0)
    state = apply(state, lc.OpenCounter(G1, (A,)), ONE, T0)
    for i in range(n):
        state = apply(state, lc.IssueTicket(TicketId(f"t{i}"), "", A, False, "fr"), ONE,
                      T0 + timedelta(minutes=i))  # fmt: skip
    return state


def serving_first(state: OfficeState, at: datetime) -> OfficeState:
    state = apply(state, lc.CallNext(G1), ONE, at)
    return apply(state, lc.TicketCommand(lc.Action.START, state.active[G1], G1), ONE, at)


def test_one_counter_fixed_service_time_gives_exact_remaining_waits() -> None:
    state = serving_first(one_counter(4), T0 + timedelta(minutes=4))
    now = T0 + timedelta(minutes=7)  # the service under way has 10 - 3 = 7 min left
    for result in (
        replay.deterministic(state, ONE, FIXED, now),
        replay.replay(state, ONE, FIXED, now, k=5, rng=random.Random(0)),
    ):
        assert {t: round(e.mean_min, 9) for t, e in result.items()} == {"t1": 7, "t2": 17, "t3": 27}
        assert all(e.p10_min == pytest.approx(e.mean_min) == e.p90_min for e in result.values())
        assert [result[TicketId(t)].rank for t in ("t1", "t2", "t3")] == [0, 1, 2]


def test_a_later_priority_ticket_waits_less_than_the_regular_ones_ahead() -> None:
    state = serving_first(one_counter(4), T0 + timedelta(minutes=4))
    cmd = lc.IssueTicket(TicketId("t4"), "", A, True, "fr")
    state = apply(state, cmd, ONE, T0 + timedelta(minutes=5))
    result = replay.deterministic(state, ONE, FIXED, T0 + timedelta(minutes=5))
    assert result[TicketId("t4")].mean_min == pytest.approx(9)  # next, as soon as G1 frees
    assert result[TicketId("t4")].rank == 0
    assert result[TicketId("t1")].mean_min == pytest.approx(19)
    assert result[TicketId("t1")].rank == 1


def test_a_break_until_10_30_delays_the_call_until_then() -> None:
    now = T0.replace(hour=10, minute=0)
    state = one_counter(1)
    assert replay.deterministic(state, ONE, FIXED, now)[TicketId("t0")].mean_min == 0
    state = apply(state, lc.PauseCounter(G1, "break", now.replace(minute=30)), ONE, now)
    assert replay.deterministic(state, ONE, FIXED, now)[TicketId("t0")].mean_min == pytest.approx(
        30
    )
    # Without a planned end, the default break length runs from the break's start.
    state = apply(one_counter(1), lc.PauseCounter(G1, "break"), ONE, now)
    late = replay.deterministic(state, ONE, FIXED, now + timedelta(minutes=5))
    assert late[TicketId("t0")].mean_min == pytest.approx(10)  # REPLAY_DEFAULT_BREAK_MIN = 15


def test_a_closed_counter_gives_no_estimate() -> None:
    state = apply(one_counter(2), lc.CloseCounter(G1), ONE, T0 + timedelta(minutes=3))
    assert replay.replay(state, ONE, FIXED, T0 + timedelta(minutes=3), rng=random.Random(1)) == {}


def test_a_long_service_under_way_ends_sooner_than_a_fresh_one_as_the_theory_says() -> None:
    dist = LogNormal.from_mean_cv(10.0, 0.5)
    params = Params(cells={(A, False): dist}, no_show_curve=())
    state = serving_first(one_counter(2), T0 + timedelta(minutes=2))
    now = T0 + timedelta(minutes=22)  # the service has lasted 20 min
    est = replay.replay(state, ONE, params, now, k=4000, rng=random.Random(3))[TicketId("t1")]
    expected = dist.residual_mean(20.0)  # E[X - 20 | X > 20], the truncated lognormal's
    assert expected < 10.0 / 2
    assert est.mean_min == pytest.approx(expected, rel=0.05)
    assert replay.deterministic(state, ONE, params, now)[TicketId("t1")].mean_min == pytest.approx(
        expected
    )


def test_ranges_are_ordered_and_the_same_seed_gives_the_same_answer(rules: Rules) -> None:
    now = T0 + timedelta(hours=2)
    state = busy_office(rules, now, random.Random(5))
    params = Params.from_rules(rules)
    first = replay.replay(state, rules, params, now, rng=random.Random(42))
    assert len(first) == len(state.waiting()) >= 55
    assert all(e.p10_min <= e.mean_min <= e.p90_min for e in first.values())
    assert any(e.p10_min < e.p90_min for e in first.values())
    assert replay.replay(state, rules, params, now, rng=random.Random(42)) == first
    ranks = {t.id: policy.rank(t, state.waiting(), rules.policy, now) for t in state.waiting()}
    assert {t: e.rank for t, e in first.items()} == ranks


def test_only_some_tickets_gives_their_figures_of_the_whole_replay(rules: Rules) -> None:
    """`only` stops a continuation once the wanted tickets are called: their call times are the
    very ones of the whole continuation (same draws up to that point; later continuations then
    draw from another point of the stream); the others are left out."""
    now = T0 + timedelta(hours=2)
    state = busy_office(rules, now, random.Random(5))
    params = Params.from_rules(rules)
    for seed in range(5):
        whole = replay.replay(state, rules, params, now, k=1, rng=random.Random(seed))
        early = [t.id for t in state.waiting()[:3]]
        part = replay.replay(state, rules, params, now, k=1, rng=random.Random(seed), only=early)
        assert part == {tid: whole[tid] for tid in early}


def test_priority_arrivals_lengthen_regular_waits(rules: Rules) -> None:
    now = T0 + timedelta(hours=2)
    state = busy_office(rules, now, random.Random(5))
    quiet = Params.from_rules(rules)
    rates = {(A, now.weekday(), s): 0.5 for s in range(48)}  # one priority A every 2 min
    busy = replace(quiet, priority_rates=rates)
    last_a = max((t for t in state.waiting() if t.service == A and not t.priority),
                 key=lambda t: t.issued_at)  # fmt: skip
    waits = [replay.replay(state, rules, p, now, rng=random.Random(9))[last_a.id].mean_min
             for p in (quiet, busy)]  # fmt: skip
    assert waits[1] > waits[0] + 10
    assert replay.deterministic(state, rules, busy, now)[last_a.id].mean_min > (
        replay.deterministic(state, rules, quiet, now)[last_a.id].mean_min + 10
    )


def reference_calls(
    state: OfficeState, rules: Rules, params: Params, now: datetime
) -> dict[TicketId, float]:
    """A slow replay with fixed times through lifecycle.decide, i.e. policy.choose itself."""
    heap: list[tuple[float, int, CounterId]] = []
    for i, (cid, session) in enumerate(state.counters.items()):
        active = state.active_ticket(cid)
        if session.status is CounterStatus.PAUSED:
            assert session.pause_until is not None
            heap.append(((session.pause_until - now).total_seconds() / 60, i, cid))
        elif active is not None:
            assert active.started_at is not None
            done = params.service_time(active.service, active.priority).mean
            # An overrun fixed-length service ends now, as in the replay.
            heap.append((max(0.0, done - (now - active.started_at).total_seconds() / 60), i, cid))
        else:
            heap.append((0.0, i, cid))
    heapq.heapify(heap)
    calls: dict[TicketId, float] = {}
    while heap:
        t, i, cid = heapq.heappop(heap)
        at = now + timedelta(minutes=t)
        if state.counters[cid].status is CounterStatus.PAUSED:
            state = apply(state, lc.ResumeCounter(cid), rules, at)
        if (active := state.active_ticket(cid)) is not None:
            state = apply(state, lc.Complete(active.id, "done", cid), rules, at)
        try:
            state = apply(state, lc.CallNext(cid), rules, at)
        except NothingWaiting:
            continue
        ticket = state.tickets[state.active[cid]]
        state = apply(state, lc.TicketCommand(lc.Action.START, ticket.id, cid), rules, at)
        calls[ticket.id] = t
        heapq.heappush(
            heap, (t + params.service_time(ticket.service, ticket.priority).mean, i, cid)
        )
    return calls


@pytest.mark.parametrize("kind", [PolicyKind.STRICT, PolicyKind.ACCUMULATING])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_fast_path_calls_what_the_production_policy_calls(
    rules: Rules, kind: PolicyKind, seed: int
) -> None:
    rules = replace(rules, policy=Policy(kind, 3.0))
    now = T0 + timedelta(hours=2)
    state = busy_office(rules, now, random.Random(seed), waiting=40)
    means = {
        ServiceCode("A"): 10.0,
        ServiceCode("B"): 4.0,
        ServiceCode("C"): 14.0,
        ServiceCode("D"): 6.0,
    }
    params = Params(cells={(s, p): LogNormal(math.log(m * (1.3 if p else 1)), 0.0)
                           for s, m in means.items() for p in (False, True)},
                    no_show_curve=(), break_offset_min=(0.0, 0.0),
                    break_stretch=(1.0, 1.0))  # fmt: skip
    expected = reference_calls(state, rules, params, now)
    got = replay.deterministic(state, rules, params, now)
    assert {t: round(e.mean_min, 6) for t, e in got.items()} == {
        t: round(v, 6) for t, v in expected.items()
    }


# Planned breaks and shift ends (Counter.breaks, Counter.shift: office-local times; T0 is UTC).
G2 = CounterId("G2")


def two_counters(rules: Rules, waiting: int, at: datetime) -> OfficeState:
    """G1 and G2 open at T0 and idle; `waiting` A tickets issued at `at`, one a second apart."""
    state = apply(OfficeState(), lc.OpenDay(T0.date()), rules, T0)
    for cid in rules.counters:
        state = apply(state, lc.OpenCounter(cid, (A,)), rules, T0)
    for i in range(waiting):
        state = apply(state, lc.IssueTicket(TicketId(f"t{i}"), "", A, False, "fr"), rules,
                      at + timedelta(seconds=i))  # fmt: skip
    return state


def with_counter(**fields: object) -> Rules:
    return replace(ONE, counters={G1: replace(ONE.counters[G1], **fields)})


def test_a_planned_break_at_10_30_delays_a_call_due_at_10_35() -> None:
    rules = with_counter(breaks=((time(10, 30), 15),))
    now = T0.replace(hour=10, minute=25)
    # t0 is served from 10:25 to 10:35; t1 would be called at 10:35, but the break falls due.
    state = serving_first(two_counters(rules, 2, now), now)
    for plain, planned in (
        (replay.deterministic(state, ONE, FIXED, now), replay.deterministic(state, rules, FIXED, now)),
        (replay.replay(state, ONE, FIXED, now, k=3, rng=random.Random(0)),
         replay.replay(state, rules, FIXED, now, k=3, rng=random.Random(0))),
    ):  # fmt: skip
        assert plain[TicketId("t1")].mean_min == pytest.approx(10)
        assert planned[TicketId("t1")].mean_min == pytest.approx(10 + 15)


def test_a_break_is_taken_in_office_local_time() -> None:
    rules = with_counter(breaks=((time(11, 30), 15),))  # 10:30 UTC in Paris in winter
    now = T0.replace(hour=10, minute=25)
    state = serving_first(two_counters(rules, 2, now), now)
    est = replay.deterministic(state, rules, FIXED, now, tz=ZoneInfo("Europe/Paris"))
    assert est[TicketId("t1")].mean_min == pytest.approx(25)
    assert replay.deterministic(state, rules, FIXED, now)[TicketId("t1")].mean_min == pytest.approx(
        10
    )


def test_a_shift_ending_at_16_00_leaves_the_last_ticket_to_the_other_counter() -> None:
    g1 = replace(ONE.counters[G1], shift=(time(8, 30), time(16, 0)))
    rules = replace(ONE, counters={G1: g1, G2: Counter(G2, "G2", (A,))})
    all_day = replace(rules, counters={G1: ONE.counters[G1], G2: rules.counters[G2]})
    now = T0.replace(hour=15, minute=55)
    state = two_counters(rules, 2, now - timedelta(minutes=10))
    for cid, start in ((G1, now - timedelta(minutes=5)), (G2, now)):  # free at 16:00 and 16:05
        state = apply(state, lc.CallNext(cid), rules, start)
        state = apply(state, lc.TicketCommand(lc.Action.START, state.active[cid], cid), rules,
                      start)  # fmt: skip
    state = apply(state, lc.IssueTicket(TicketId("last"), "", A, False, "fr"), rules, now)
    last = TicketId("last")
    assert replay.deterministic(state, all_day, FIXED, now)[last].mean_min == pytest.approx(5)
    # G1 frees at its last call and stops: the last ticket waits for G2.
    assert replay.deterministic(state, rules, FIXED, now)[last].mean_min == pytest.approx(10)
    sampled = replay.replay(state, rules, FIXED, now, k=3, rng=random.Random(2))
    assert sampled[last].mean_min == pytest.approx(10)


def test_a_break_already_taken_or_long_overdue_is_not_replayed() -> None:
    rules = with_counter(breaks=((time(10, 0), 15), (time(12, 0), 45)))
    start = T0.replace(hour=10, minute=2)
    state = two_counters(rules, 0, start)
    state = apply(state, lc.PauseCounter(G1, "break", start + timedelta(minutes=15)), rules, start)
    state = apply(state, lc.ResumeCounter(G1), rules, start + timedelta(minutes=16))
    now = start + timedelta(minutes=20)  # 10:22, the 10:00 break is behind it
    state = apply(state, lc.IssueTicket(TicketId("t0"), "", A, False, "fr"), rules, now)
    assert replay.deterministic(state, rules, FIXED, now)[TicketId("t0")].mean_min == 0
    # Paused now, a little before its planned time: this pause IS the 10:00 break.
    early = two_counters(rules, 1, T0.replace(hour=9, minute=55))
    early = apply(early, lc.PauseCounter(G1, "break", T0.replace(hour=10, minute=10)), rules,
                  T0.replace(hour=9, minute=55))  # fmt: skip
    est = replay.deterministic(early, rules, FIXED, T0.replace(hour=9, minute=56))
    assert est[TicketId("t0")].mean_min == pytest.approx(14)
    # Open since the morning, never paused: at 11:30 the 10:00 break was skipped, not owed.
    late = T0.replace(hour=11, minute=30)
    state = two_counters(rules, 1, late)
    assert replay.deterministic(state, rules, FIXED, late)[TicketId("t0")].mean_min == 0
    # ... but at 10:40 it is only late: the counter takes it when it frees (now).
    state = two_counters(rules, 1, late.replace(hour=10, minute=40))
    due = replay.deterministic(state, rules, FIXED, late.replace(hour=10, minute=40))
    assert due[TicketId("t0")].mean_min == pytest.approx(15)


# Breaks drift (wait-estimation.md: due at planned + U(-5, +10) min, lasting planned × U(0.9,
# 1.2)): the replay draws both in every continuation, so its ranges include the drift.
DRIFT = replace(FIXED, break_offset_min=(-5.0, 10.0), break_stretch=(0.9, 1.2))


def test_a_planned_break_drifts_in_each_continuation() -> None:
    rules = with_counter(breaks=((time(10, 30), 15),))
    now = T0.replace(hour=10, minute=25)
    state = serving_first(two_counters(rules, 2, now), now)  # G1 frees at 10:35
    est = replay.replay(state, rules, DRIFT, now, k=400, rng=random.Random(3))[TicketId("t1")]
    # Due by 10:35 in 2/3 of the runs (offset ≤ +5): t1 waits 10 + 15 × U(0.9, 1.2) minutes;
    # otherwise the break comes after t1's call, at 10 minutes.
    assert est.p10_min == pytest.approx(10)
    assert 24.5 < est.p90_min <= 28
    assert est.mean_min == pytest.approx(10 / 3 + 2 / 3 * (10 + 15.75), abs=1.0)
    # The degraded mode takes the mean drift: due 10:32.5, 15 × 1.05 minutes long.
    assert replay.deterministic(state, rules, DRIFT, now)[TicketId("t1")].mean_min == (
        pytest.approx(10 + 15.75)
    )


def test_a_break_under_way_ends_after_its_stretched_length_given_the_time_spent() -> None:
    start = T0.replace(hour=10, minute=0)
    state = apply(one_counter(1), lc.PauseCounter(G1, "break", start + timedelta(minutes=30)),
                  ONE, start)  # fmt: skip
    t0 = TicketId("t0")

    def waits(minutes: float) -> list[float]:
        got = replay.replay(state, ONE, DRIFT, start + timedelta(minutes=minutes), k=200,
                            rng=random.Random(5))[t0]  # fmt: skip
        return [got.p10_min, got.mean_min, got.p90_min]

    p10, mean, p90 = waits(0)  # 30 × U(0.9, 1.2): ends between 27 and 36 minutes from now
    assert 27 <= p10 < 28.5 and mean == pytest.approx(31.5, abs=0.7) and 34.5 < p90 <= 36
    # 35 minutes in, the stretch is at least 35/30: it ends within the next minute.
    assert all(0 <= w <= 1 for w in waits(35))
    assert waits(40) == [0, 0, 0]  # longer than any stretch: it ends now
    assert replay.deterministic(state, ONE, DRIFT, start)[t0].mean_min == pytest.approx(31.5)


def test_p10_and_p90_sit_at_the_n_plus_one_positions_so_k_draws_cover_80_percent() -> None:
    draws = [float(i) for i in range(48)]
    # A new draw falls between order statistics 4.9 and 44.1 (of 48) with probability 80 %.
    assert replay_draw.pct(draws, 0.1) == pytest.approx(3.9)
    assert replay_draw.pct(draws, 0.9) == pytest.approx(43.1)
    assert (replay_draw.pct([1.0, 2.0], 0.1), replay_draw.pct([1.0, 2.0], 0.9)) == (1.0, 2.0)


def served_for(n: int, minutes: float) -> OfficeState:
    """G1 has served `n` of `n + 2` A tickets today, `minutes` each; it now serves the next."""
    state = one_counter(n + 2)
    at = T0 + timedelta(minutes=n + 2)
    for _ in range(n + 1):
        state = serving_first(state, at)
        if len(state.waiting()) == 1:
            return state
        at += timedelta(minutes=minutes)
        state = apply(state, lc.Complete(state.active[G1], "done", G1), ONE, at)
    raise AssertionError("unreachable")


def test_todays_slower_services_lengthen_the_remaining_waits() -> None:
    state = served_for(30, 12.0)  # 20 % slower than the fitted 10 min
    now = max(t.started_at for t in state.tickets.values() if t.started_at is not None)
    last = TicketId("t31")
    plain = replace(FIXED, pace_shrink_n=0.0)
    assert replay.deterministic(state, ONE, plain, now)[last].mean_min == pytest.approx(10)
    # Shrunk twice by 30 / (30 + 30): the office's 1.2 → 1.1, the service's → 1.15.
    assert replace(FIXED, pace_shrink_n=30.0).service_time(A, False).mean == pytest.approx(10)
    assert replay.deterministic(state, ONE, replace(FIXED, pace_shrink_n=30.0), now)[
        last
    ].mean_min == pytest.approx(11.5)
    # No service finished yet today: nothing to correct.
    fresh = serving_first(one_counter(2), T0 + timedelta(minutes=2))
    fresh_est = replay.deterministic(fresh, ONE, FIXED, T0 + timedelta(minutes=2))
    assert fresh_est[TicketId("t1")].mean_min == pytest.approx(10)


def test_a_counter_whose_shift_starts_later_today_is_expected_then(rules: Rules) -> None:
    """G6 (example office: shift 09:00–16:00, all services) has not opened at 08:30: a ticket
    waiting for it is called when it opens, not never; once 09:00 has passed without it, it is
    taken as absent."""
    paris = ZoneInfo("Europe/Paris")
    early = datetime(2026, 11, 30, 8, 30, tzinfo=paris)
    waiting = Ticket(TicketId("t1"), "", ServiceCode("A"), 1, "A001", False, "fr", early)
    state = OfficeState(tickets={waiting.id: waiting})  # nobody open yet
    params = Params.from_rules(rules)
    found = replay.deterministic(state, rules, params, early, tz=paris)
    assert found[waiting.id].mean_min == pytest.approx(30.0)
    late = early + timedelta(minutes=45)  # 09:15: G6 never came
    assert replay.deterministic(state, rules, params, late, tz=paris) == {}
