"""Waiting-time estimates by replaying the calling policy over simulated continuations of the day.

Theory of operation
-------------------
From the state the hub knows at `now`, `replay` plays the rest of the day K times (method in
../shared/reference/wait-estimation.md):

* an OPEN counter busy with a ticket (CALLED or SERVING) frees after that ticket's lognormal
  service time conditioned on the time already spent (measured from the start of service, or
  from the call when it has not started): the total is drawn from the distribution truncated
  below at the elapsed time, by inverse CDF from U(F(elapsed), 1);
* an idle OPEN counter frees now; a PAUSED one after its break's planned length (to
  `pause_until`, or `REPLAY_DEFAULT_BREAK_MIN` when no end was given) × a stretch drawn from
  U(`params.break_stretch`) conditioned on the time already spent (an overdue break ends
  now); a CLOSED counter stays closed, unless its configured shift starts later today and it
  has not opened today: then it opens at its shift's start (a part-time counter; one whose
  start passed unopened is taken as absent);
* planned breaks and shift ends come from the configuration (`Counter.breaks`, `.shift`, in
  office-local time): a planned break falls due at its time + an offset drawn from
  U(`params.break_offset_min`) in each continuation; a counter that frees at or after that
  takes it (free again after its planned minutes × U(`params.break_stretch`)) before calling
  anyone, and a counter that frees at or after
  its last call stops. A planned break is already TAKEN when it is planned before the counter's
  last opening or resumption (`since`), or, for a counter paused now, before the pause's start
  + `REPLAY_BREAK_EARLY_MIN` (the current pause is that break); one still untaken
  `REPLAY_BREAK_STALE_MIN` after its planned end was skipped. Neither is replayed;
* each time a counter frees it calls what `policy.choose` would call among the tickets of its
  session's services: the waiting line is split by `policy.group_key` into groups whose order
  never changes, and the groups' heads are compared with `policy.order_key` itself;
* the called visitor is absent with probability `params.no_show(wait at call)`, which costs
  the counter `params.no_show_cost_min`; otherwise the counter serves for a lognormal time;
* future PRIORITY arrivals are drawn from `params.priority_rates` (a Poisson process with a
  rate per half-hour slot of the local day): they overtake regular tickets. Regular arrivals
  go behind every waiting ticket of their group and are not drawn.

The wait reported is the REMAINING wait until the ticket is first called, in minutes from
`now` (what a visitor standing in the office wants to know); add `now − issued_at` for the
total. A ticket that no open, paused or expected counter serves gets no estimate (it is left
out), as with estimate.py: there is no honest figure to give. `deterministic` is the degraded
mode: one pass with mean values (expected remaining service, expected cost of a possible no-show,
priority arrivals where their expected count reaches each whole number).
"""

from __future__ import annotations

import bisect
import heapq
import math
import random
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta, tzinfo
from statistics import NormalDist

from shared.const import (
    REPLAY_BREAK_EARLY_MIN,
    REPLAY_BREAK_STALE_MIN,
    REPLAY_DEFAULT_BREAK_MIN,
    REPLAY_SLOT_MIN,
)
from shared.core import policy
from shared.core.model import (
    Counter,
    CounterSession,
    CounterStatus,
    OfficeState,
    Rules,
    ServiceCode,
    Ticket,
    TicketId,
)
from shared.core.replay_draw import Mean, Random, curve, pct
from shared.core.waitparams import LogNormal, Params, today_pace

_INV = NormalDist().inv_cdf
_DAY_SLOTS = 24 * 60 // REPLAY_SLOT_MIN
_U_MAX = 1.0 - 1e-12  # inv_cdf(1) is infinite


@dataclass(frozen=True)
class Estimate:
    mean_min: float  # remaining wait until the first call, from `now`
    p10_min: float
    p90_min: float
    rank: int  # waiting tickets of the same service the policy would call first


# One waiting ticket in the simulation: (key, index or -1 for a drawn arrival, minutes already
# waited at `now`, service time, the ticket for order_key under a time-dependent policy).
_Entry = tuple[tuple[object, ...], int, float, LogNormal, Ticket]


@dataclass
class _Counter:
    groups: list[int]  # indexes into _Sim.groups of the groups this counter serves
    free_at: float | None  # minutes from now; None: busy with `busy`
    busy: tuple[LogNormal, float] | None = None  # (service time, minutes elapsed)
    breaks: tuple[tuple[float, float], ...] = ()  # planned breaks to come: (start, minutes)
    last_call: float = math.inf  # minutes from now; it calls no one once freed at or after
    pause: tuple[float, float] | None = None  # on a break: (planned minutes, minutes elapsed)


@dataclass
class _Sim:
    """Everything a continuation starts from, built once per estimate."""

    now: datetime
    rules: Rules
    params: Params
    tickets: list[Ticket]  # the waiting tickets, indexed as in _Entry
    groups: list[list[_Entry]]
    arrival_groups: list[int]  # per stream of priority arrivals (one per service): its group
    arrival_services: dict[int, ServiceCode]  # group → service, for the arrival groups
    arrival_rates: list[list[float]]  # per stream, per slot from `now`'s slot on: per minute
    start_min: float  # `now`'s minute in its slot
    counters: list[_Counter]
    reachable: int  # waiting tickets some counter serves (of `targets`, when given)
    served: set[object]  # the services some open, paused or expected counter serves
    targets: list[bool] | None = None  # per ticket: a continuation may stop once all are called


def replay(
    state: OfficeState,
    rules: Rules,
    params: Params,
    now: datetime,
    *,
    k: int = 48,
    rng: random.Random,
    tz: tzinfo | None = None,
    only: Collection[TicketId] | None = None,
    between: Callable[[], None] | None = None,
) -> dict[TicketId, Estimate]:
    """Mean, p10 and p90 of each waiting ticket's remaining wait over `k` continuations.

    `tz` is the office's zone, for the slots of priority arrivals (as given to waitparams.fit).
    `only`: the tickets whose figures are wanted; each continuation stops once they are all
    called (the others' figures, cut short, are left out). `between` is called after each
    continuation (the hub yields the GIL there, so that its requests never wait for a whole
    replay).
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    sim = _build(state, rules, params, now, tz)
    if only is not None:
        wanted = set(only)
        targets = [t.id in wanted for t in sim.tickets]
        reachable = sum(1 for t, w in zip(sim.tickets, targets, strict=True)
                        if w and t.service in sim.served)  # fmt: skip
        sim = replace(sim, targets=targets, reachable=reachable)
    samples: list[list[float]] = [[] for _ in sim.tickets]
    for _ in range(k):
        _run(sim, Random(rng, params), samples)
        if between is not None:
            between()
    if sim.targets is not None:
        samples = [s if w else [] for s, w in zip(samples, sim.targets, strict=True)]
    return _estimates(sim, samples, lambda s: (pct(s, 0.1), pct(s, 0.9)))


def deterministic(
    state: OfficeState, rules: Rules, params: Params, now: datetime, *, tz: tzinfo | None = None
) -> dict[TicketId, Estimate]:
    """One continuation with mean values: the degraded mode (p10 = p90 = mean)."""
    sim = _build(state, rules, params, now, tz)
    samples: list[list[float]] = [[] for _ in sim.tickets]
    _run(sim, Mean(params), samples)
    return _estimates(sim, samples, lambda s: (s[0], s[0]))


def _build(
    state: OfficeState, rules: Rules, params: Params, now: datetime, tz: tzinfo | None
) -> _Sim:
    static = policy.time_invariant(rules.policy)
    pace = today_pace(state.tickets.values(), params, params.pace_shrink_n)
    if pace:
        params = replace(params, pace=pace)
    tickets = state.waiting()
    by_group: dict[tuple[object, ...], list[_Entry]] = {}
    for i, t in enumerate(tickets):
        key = policy.order_key(t, rules.policy, now) if static else ()
        waited = (now - t.issued_at).total_seconds() / 60
        entry = (key, i, waited, params.service_time(t.service, t.priority), t)
        by_group.setdefault(policy.group_key(t), []).append(entry)
    local = now.astimezone(tz) if tz is not None else now
    minute = local.hour * 60 + local.minute + local.second / 60
    slot = int(minute // REPLAY_SLOT_MIN)
    arrival_rates: list[list[float]] = []
    arrival_keys: list[tuple[object, ...]] = []
    for code in rules.services:
        rates = [params.priority_rate(code, local.weekday(), s) for s in range(slot, _DAY_SLOTS)]
        if any(rates):
            arrival_rates.append(rates)
            arrival_keys.append((code, False, True))
            by_group.setdefault((code, False, True), [])
    keys = list(by_group)
    for entries in by_group.values():
        entries.sort(key=lambda e: (e[4].issued_at, e[4].number))
    counters: list[_Counter] = []
    served: set[object] = set()
    for session in state.counters.values():
        if session.status is CounterStatus.CLOSED:
            continue
        groups = [g for g, key in enumerate(keys) if key[0] in session.services]
        planned = _planned(rules.counters.get(session.id), session, minute, local, tz)
        served.update(session.services)
        active = state.active_ticket(session.id)
        if session.status is CounterStatus.PAUSED:
            until = session.pause_until or (
                session.since + timedelta(minutes=REPLAY_DEFAULT_BREAK_MIN)
                if session.since is not None
                else now
            )
            since = session.since or now
            length = max(0.0, (until - since).total_seconds() / 60)
            spent = max(0.0, (now - since).total_seconds() / 60)
            counters.append(_Counter(groups, 0.0, None, *planned, pause=(length, spent)))
        elif active is not None:
            began = active.started_at or active.called_at or now
            busy = (params.service_time(active.service, active.priority),
                    max(0.0, (now - began).total_seconds() / 60))  # fmt: skip
            counters.append(_Counter(groups, None, busy, *planned))
        else:
            counters.append(_Counter(groups, 0.0, None, *planned))
    for counter in rules.counters.values():
        # A counter whose shift starts later today and that has not opened yet will open then
        # (a part-time counter); one whose start has passed unopened is taken as absent.
        session = state.counter(counter.id)
        if counter.shift is None or session.status is not CounterStatus.CLOSED:
            continue
        opens = _clock(counter.shift[0]) - minute
        last = session.since.astimezone(tz) if tz and session.since else session.since
        if opens <= 0 or (last is not None and last.date() == local.date()):
            continue
        groups = [g for g, key in enumerate(keys) if key[0] in counter.services]
        planned = _planned(counter, CounterSession(counter.id), minute, local, tz)
        served.update(counter.services)
        counters.append(_Counter(groups, opens, None, *planned))
    return _Sim(
        now, rules, params, tickets, [by_group[k] for k in keys],
        [keys.index(k) for k in arrival_keys],
        {keys.index(k): ServiceCode(str(k[0])) for k in arrival_keys}, arrival_rates,
        minute - slot * REPLAY_SLOT_MIN, counters,
        sum(1 for t in tickets if t.service in served), served,
    )  # fmt: skip


def _planned(
    counter: Counter | None,
    session: CounterSession,
    minute: float,
    local: datetime,
    tz: tzinfo | None,
) -> tuple[tuple[tuple[float, float], ...], float]:
    """The counter's planned breaks still to take and its last call, in minutes from now."""
    if counter is None:
        return (), math.inf
    last_call = math.inf
    if counter.shift is not None:
        last_call = _clock(counter.shift[1]) - minute
    taken_before = -math.inf  # minute of the day: breaks planned before it are taken
    if session.since is not None:
        since = session.since.astimezone(tz) if tz is not None else session.since
        if since.date() == local.date():
            taken_before = since.hour * 60 + since.minute + since.second / 60
            if session.status is CounterStatus.PAUSED:
                taken_before += REPLAY_BREAK_EARLY_MIN
    breaks = tuple(
        (at - minute, float(length))
        for at, length in ((_clock(b), m) for b, m in counter.breaks)
        if at > taken_before and minute <= at + length + REPLAY_BREAK_STALE_MIN
    )
    return breaks, last_call


def _clock(t: time) -> float:
    return t.hour * 60 + t.minute + t.second / 60


def _run(sim: _Sim, draw: Random | Mean, samples: list[list[float]]) -> None:
    """One continuation: appends each reachable waiting ticket's call time to its samples."""
    pol, now, params = sim.rules.policy, sim.now, sim.params
    static = policy.time_invariant(pol)
    knots_x = [x for x, _ in params.no_show_curve]
    knots = params.no_show_curve
    lists = list(sim.groups)
    for g in sim.arrival_groups:
        lists[g] = list(lists[g])  # this continuation's arrivals are appended to a copy
    pos = [0] * len(lists)
    next_break = [0] * len(sim.counters)  # per counter: its first planned break not yet taken
    due = [counter.breaks[0][0] + draw.offset() if counter.breaks else math.inf
           for counter in sim.counters]  # fmt: skip
    heap: list[tuple[float, int]] = []
    for i, counter in enumerate(sim.counters):
        if counter.busy is not None:
            heap.append((draw.rest(*counter.busy), i))
        elif counter.pause is not None:
            length, spent = counter.pause
            end = length * draw.stretch(spent / length) if length > 0 else 0.0
            heap.append((max(0.0, end - spent), i))
        elif counter.free_at is not None:
            heap.append((counter.free_at, i))
    heapq.heapify(heap)
    arrivals: list[tuple[float, int]] = []
    for stream, rates in enumerate(sim.arrival_rates):
        at = _next_arrival(rates, sim.start_min, 0.0, draw.gap())
        if at is not None:
            arrivals.append((at, stream))
    heapq.heapify(arrivals)
    left, number, targets = sim.reachable, 2**31, sim.targets
    while left and heap:
        t, c = heapq.heappop(heap)
        while arrivals and arrivals[0][0] <= t:
            at, stream = heapq.heappop(arrivals)
            g = sim.arrival_groups[stream]
            number += 1
            lists[g].append(_arrival(sim, g, at, number, static))
            nxt = _next_arrival(sim.arrival_rates[stream], sim.start_min, at, draw.gap())
            if nxt is not None:
                heapq.heappush(arrivals, (nxt, stream))
        counter = sim.counters[c]
        if t >= counter.last_call:
            continue  # past its last call: it calls no one more
        b = next_break[c]
        if due[c] <= t:
            next_break[c] = b + 1  # the break is due: it takes it before its next call
            nb = counter.breaks[b + 1][0] + draw.offset() if b + 1 < len(counter.breaks) else None
            due[c] = math.inf if nb is None else nb
            heapq.heappush(heap, (t + counter.breaks[b][1] * draw.stretch(), c))
            continue
        best: _Entry | None = None
        best_key: tuple[object, ...] = ()
        best_group = -1
        moment = now + timedelta(minutes=t) if not static else now
        for g in counter.groups:
            p, entries = pos[g], lists[g]
            if p < len(entries):
                entry = entries[p]
                key = entry[0] if static else policy.order_key(entry[4], pol, moment)
                if best is None or key < best_key:
                    best, best_key, best_group = entry, key, g
        if best is None:
            continue  # nothing this counter serves is left: it plays no further part
        pos[best_group] += 1
        if best[1] >= 0:
            samples[best[1]].append(t)
            if targets is None or targets[best[1]]:
                left -= 1
        wait = t + best[2]
        p_absent = curve(knots_x, knots, wait)
        heapq.heappush(heap, (t + draw.call(best[3], p_absent), c))


def _arrival(sim: _Sim, group: int, at: float, number: int, static: bool) -> _Entry:
    service = sim.arrival_services[group]
    ticket = Ticket(TicketId(""), "", service, number, "", True, "",
                    sim.now + timedelta(minutes=at))  # fmt: skip
    key = policy.order_key(ticket, sim.rules.policy, sim.now) if static else ()
    return (key, -1, -at, sim.params.service_time(service, True), ticket)


def _next_arrival(rates: Sequence[float], start: float, t: float, e: float) -> float | None:
    """The time (minutes from now) at which the integrated rate after `t` reaches `e`."""
    position = start + t  # minutes from the start of now's slot
    i = int(position // REPLAY_SLOT_MIN)
    while i < len(rates):
        end = (i + 1) * REPLAY_SLOT_MIN
        room = rates[i] * (end - position)
        if rates[i] > 0 and e <= room:
            return position + e / rates[i] - start
        e -= room
        position, i = end, i + 1
    return None  # the day ends first


def _estimates(
    sim: _Sim,
    samples: list[list[float]],
    band: Callable[[list[float]], tuple[float, float]],
) -> dict[TicketId, Estimate]:
    pol, now = sim.rules.policy, sim.now
    keys = [policy.order_key(t, pol, now) for t in sim.tickets]
    per_service: dict[str, list[tuple[object, ...]]] = {}
    for t, key in zip(sim.tickets, keys, strict=True):
        per_service.setdefault(t.service, []).append(key)
    for ks in per_service.values():
        ks.sort()
    out: dict[TicketId, Estimate] = {}
    for t, key, s in zip(sim.tickets, keys, samples, strict=True):
        if not s:
            continue
        s.sort()
        low, high = band(s)
        rank = bisect.bisect_left(per_service[t.service], key)
        out[t.id] = Estimate(sum(s) / len(s), low, high, rank)
    return out
