"""Play one day of the reference office through the production core.

Theory of operation
-------------------
A discrete-event simulation over a heap of (minute, kind, order, counter) entries: counters
opening, visitors arriving, a counter finishing (a service or the short call of an absent
visitor), a break falling due or ending, a part-time counter's last call, closing time. After
each entry, every free open counter, longest-free first, acts as an agent would: take its due
break, else call the next ticket, else close if its day is over. Each act is a command given to
`lifecycle.decide` at the simulated time and folded with `evolve`, so every call is the
production policy's choice and the log is exactly what a hub would have stored. The random facts
were all drawn beforehand (shared/sim/draw.py): this module consumes no randomness.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from shared import const
from shared.core import lifecycle
from shared.core.events import Event, TicketCalled
from shared.core.lifecycle import Action
from shared.core.model import CounterId, CounterStatus, OfficeState, TicketId
from shared.sim import reference as ref
from shared.sim.draw import BreakPlan, DayDraw, Visitor, draw_day

# Heap kinds, in the order they apply at the same minute: a counter frees before a visitor
# arriving then is seen, so that a tie does not depend on the heap's insertion order.
_OPEN, _FINISH, _BREAK_END, _BREAK_DUE, _LAST_CALL, _ARRIVAL, _CLOSING = range(7)
OUTCOME = "done"


@dataclass(frozen=True)
class TakenBreak:
    counter: CounterId
    start_min: float
    until_min: float  # the planned end given with the pause (start + planned duration)
    end_min: float  # when it really ended


@dataclass(frozen=True)
class SimDay:
    day: date
    draw: DayDraw
    events: tuple[tuple[int, Event], ...]  # (seq, event), as the hub stores them
    visitors: dict[TicketId, Visitor]  # the truth behind each ticket
    breaks: tuple[TakenBreak, ...]
    state: OfficeState  # the fold at the end of the day


@dataclass
class _Desk:
    id: CounterId
    free_since: float = 0.0
    busy: bool = False  # calling or serving, or on a break
    last_call: float | None = None
    breaks: list[BreakPlan] = field(default_factory=list)
    stopping: bool = False


def ticket_id(day: date, n: int) -> TicketId:
    return TicketId(f"{day.isoformat()}-{n:04d}")


def simulate_day(
    seed: int, day: date, tz: tzinfo, stress: bool = False, first_seq: int = 1
) -> SimDay:
    """The reference office's day `seed` on `day` (office time zone `tz`)."""
    return _Play(draw_day(seed, stress), day, tz, first_seq).run()


class _Play:
    def __init__(self, draw: DayDraw, day: date, tz: tzinfo, first_seq: int) -> None:
        self.draw, self.day = draw, day
        self.midnight = datetime.combine(day, time(0), tzinfo=tz)
        self.rules = ref.rules()
        self.state = OfficeState()
        self.seq = first_seq - 1
        self.log: list[tuple[int, Event]] = []
        self.heap: list[tuple[float, int, int, CounterId | None]] = []
        self.visitors = {ticket_id(day, v.n): v for v in draw.visitors}
        self.taken: list[TakenBreak] = []
        self.desks = {
            c.id: _Desk(c.id, c.opens_min, last_call=c.last_call_min)
            for c in ref.COUNTERS if c.id != draw.absent
        }  # fmt: skip
        self.pending: dict[CounterId, tuple[str, TicketId]] = {}  # what a FINISH ends
        self.on_break: dict[CounterId, tuple[float, BreakPlan]] = {}

    def run(self) -> SimDay:
        self._do(lifecycle.OpenDay(self.day), ref.OPEN_MIN)
        for c in ref.COUNTERS:
            if c.id in self.desks:
                self._push(c.opens_min, _OPEN, 0, c.id)
                if c.last_call_min is not None:
                    self._push(c.last_call_min, _LAST_CALL, 0, c.id)
        for b in self.draw.breaks:
            if b.counter in self.desks:
                self.desks[b.counter].breaks.append(b)
                self._push(b.due_min, _BREAK_DUE, 0, b.counter)
        for v in self.draw.visitors:
            self._push(v.arrival_min, _ARRIVAL, v.n, None)
        self._push(ref.CLOSE_MIN, _CLOSING, 0, None)
        while self.heap:
            now, kind, n, cid = heapq.heappop(self.heap)
            self._handle(now, kind, n, cid)
            self._dispatch(now)
        return SimDay(self.day, self.draw, tuple(self.log), self.visitors, tuple(self.taken),
                      self.state)  # fmt: skip

    def _push(self, at: float, kind: int, n: int, cid: CounterId | None) -> None:
        heapq.heappush(self.heap, (at, kind, n, cid))

    def _handle(self, now: float, kind: int, n: int, cid: CounterId | None) -> None:
        if kind == _ARRIVAL:
            v = self.draw.visitors[n - 1]
            tid = ticket_id(self.day, v.n)
            token = f"sim-{self.draw.seed}-{v.n}"
            self._do(lifecycle.IssueTicket(tid, token, v.service, v.priority, "fr"), now)
            return
        if cid is None:
            return  # _CLOSING: only wakes the idle counters up, in _dispatch
        desk = self.desks[cid]
        if kind == _OPEN:
            services = next(c.services for c in ref.COUNTERS if c.id == cid)
            self._do(lifecycle.OpenCounter(cid, services), now)
            desk.free_since = now
        elif kind == _FINISH:
            what, tid = self.pending.pop(cid)
            if what == "no_show":
                self._do(lifecycle.TicketCommand(Action.NO_SHOW, tid, cid), now)
            else:
                self._do(lifecycle.Complete(tid, OUTCOME, cid), now)
            desk.busy, desk.free_since = False, now
        elif kind == _BREAK_END:
            start, plan = self.on_break.pop(cid)
            self._do(lifecycle.ResumeCounter(cid), now)
            self.taken.append(TakenBreak(cid, start, start + plan.planned_min, now))
            desk.busy, desk.free_since = False, now
        elif kind == _LAST_CALL:
            desk.stopping = True
        # _BREAK_DUE needs nothing here: _dispatch takes a due break as soon as the desk frees.

    def _dispatch(self, now: float) -> None:
        free = [d for d in self.desks.values() if not d.busy and self._is_open(d.id)]
        for desk in sorted(free, key=lambda d: (d.free_since, d.id)):
            due = [b for b in desk.breaks if b.due_min <= now]
            if due and not desk.stopping:
                self._pause(desk, due[0], now)
            elif not desk.stopping and self._has_work(desk.id):
                self._call(desk, now)
            elif desk.stopping or now >= ref.CLOSE_MIN:
                self._do(lifecycle.CloseCounter(desk.id), now)

    def _is_open(self, cid: CounterId) -> bool:
        return self.state.counter(cid).status is CounterStatus.OPEN

    def _has_work(self, cid: CounterId) -> bool:
        services = self.state.counter(cid).services
        return any(self.state.queue.get(s) for s in services)

    def _pause(self, desk: _Desk, plan: BreakPlan, now: float) -> None:
        desk.breaks.remove(plan)
        until = self._dt(now + plan.planned_min)
        self._do(lifecycle.PauseCounter(desk.id, "break", until), now)
        self.on_break[desk.id] = (now, plan)
        desk.busy = True
        self._push(now + plan.actual_min, _BREAK_END, 0, desk.id)

    def _call(self, desk: _Desk, now: float) -> None:
        (called,) = self._do(lifecycle.CallNext(desk.id), now)
        assert isinstance(called, TicketCalled)
        tid = called.ticket
        v = self.visitors[tid]
        desk.busy = True
        if v.patience_min is not None and now - v.arrival_min >= v.patience_min:
            # The visitor left long ago; the hub learns it only now, by calling in vain.
            self.pending[desk.id] = ("no_show", tid)
            self._push(now + const.SIM_NO_SHOW_CALL_MIN, _FINISH, 0, desk.id)
            return
        self._do(lifecycle.TicketCommand(Action.START, tid, desk.id), now)
        self.pending[desk.id] = ("done", tid)
        self._push(now + v.service_min, _FINISH, 0, desk.id)

    def _do(self, command: lifecycle.Command, now_min: float) -> list[Event]:
        events = lifecycle.decide(self.state, command, self.rules, self._dt(now_min))
        for event in events:
            self.state = lifecycle.evolve(self.state, event)
            self.seq += 1
            self.log.append((self.seq, event))
        return events

    def _dt(self, minute: float) -> datetime:
        # Wall-clock arithmetic in the office's zone, then UTC as the hub stores it.
        return (self.midnight + timedelta(minutes=minute)).astimezone(UTC)
