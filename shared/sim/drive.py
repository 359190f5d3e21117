"""Drive a real hub through a reference day on its accelerated clock (`montour simulate --live`).

Theory of operation
-------------------
The random facts are the reference's: `draw_day(seed)` gives the visitors (arrival, service,
priority, true service time, patience) and the break plans, exactly as `simulate_day` plays
them. The CALLS are the hub's: each counter agent asks `call-next` and serves whatever the
hub's policy picked, so the hub's event log is the ground truth and may differ from the
offline play (concurrency, the hub's own timing).

One asyncio task is the kiosk (issues each visitor at their arrival), one task per counter is
its agent, acting like shared/sim/office.py's desks: open at the shift, take a due break when
free (pausing with its planned end), else call; a visitor whose patience ran out before the
call is marked no-show after the short call, anyone else is started and completed after their
drawn service time; close at last call, or after closing time once nothing is waiting. Each
act waits in REAL time for its moment on the hub's clock, which the driver follows with its
own ScaledClock anchored at the hub's `/health` "now". An idle agent sleeps until a ticket of
its services is issued, its next break falls due, or its day ends. Every device is a HubClient
(one kept-alive connection each, idempotency keys on writes), as real kiosks and counters are.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time as walltime
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from shared import const
from shared.client.api import HubClient, HubError
from shared.clock import ScaledClock
from shared.sim import reference as ref
from shared.sim.cli import TIMEZONE
from shared.sim.draw import DayDraw, Visitor

OUTCOME = "done"
Say = Callable[[str], None]


@dataclass
class DriveResult:
    day: date
    issued: int = 0
    called: int = 0
    served: int = 0
    no_shows: int = 0
    hub_start: datetime | None = None  # the hub's clock when the drive began and ended
    hub_end: datetime | None = None
    real_s: float = 0.0  # real time between those two readings
    issue_ms: list[float] = field(default_factory=list)
    call_ms: list[float] = field(default_factory=list)
    tickets: dict[str, int] = field(default_factory=dict)  # hub ticket id → visitor's n
    # The range printed on each ticket (the hub's answer to the kiosk), and the wait each
    # visitor who was there really had (first call − issue, hub clock): how honest the
    # printed figures were, end to end.
    printed: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    waits: dict[str, float] = field(default_factory=dict)

    def printed_score(self) -> dict[str, float]:
        """Over present visitors whose ticket had a printed range: how many were called within
        it, the mean error of its middle figure (the mean), and its bias (mean − truth)."""
        pairs = [(p, w) for t, w in self.waits.items() if (p := self.printed.get(t))]
        if not pairs:
            return {"n": 0}
        inside = sum(1 for p, w in pairs if p["low_min"] <= w <= p["high_min"])
        errors = [p["mean_min"] - w for p, w in pairs]
        return {"n": len(pairs), "within_range_pct": round(100.0 * inside / len(pairs), 1),
                "mae_min": round(sum(map(abs, errors)) / len(errors), 2),
                "bias_min": round(sum(errors) / len(errors), 2)}  # fmt: skip

    @property
    def speed(self) -> float:
        """The hub clock's achieved speed over the drive."""
        if self.hub_start is None or self.hub_end is None or self.real_s <= 0:
            return 0.0
        return (self.hub_end - self.hub_start).total_seconds() / self.real_s

    def summary(self) -> str:
        return (
            f"issued {self.issued}, called {self.called}, served {self.served}, "
            f"no-shows {self.no_shows}; {self.real_s:.1f} s real at ×{self.speed:.0f}; "
            f"latency issue p50 {pct(self.issue_ms, 50):.1f} ms p99 {pct(self.issue_ms, 99):.1f} "
            f"ms, call-next p50 {pct(self.call_ms, 50):.1f} ms p99 {pct(self.call_ms, 99):.1f} ms"
            + _printed_line(self.printed_score())
        )


def _printed_line(score: dict[str, float]) -> str:
    if not score.get("n"):
        return ""
    return (f"; printed ranges: {score['within_range_pct']:.1f} % of {score['n']:.0f} visitors "
            f"called within theirs, mean off by {score['mae_min']:.1f} min "
            f"(bias {score['bias_min']:+.1f})")  # fmt: skip


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    s = sorted(values)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


class Timeline:
    """Minutes after the office's midnight on the hub's clock, followed locally."""

    def __init__(self, hub_now: datetime, speed: float, tz: ZoneInfo) -> None:
        self.clock, self.speed, self.tz = ScaledClock(hub_now, speed), speed, tz
        self.day = hub_now.astimezone(tz).date()
        self._midnight = datetime.combine(self.day, time(0))  # naive: office wall-clock time

    def minute(self) -> float:
        wall = self.clock.now().astimezone(self.tz).replace(tzinfo=None)
        return (wall - self._midnight).total_seconds() / 60.0

    def at(self, minute: float) -> datetime:
        # Wall-clock arithmetic in the office's zone, as shared/sim/office.py does.
        return (self._midnight + timedelta(minutes=minute)).replace(tzinfo=self.tz)

    def real_s(self, minute: float) -> float:
        return max(0.0, (minute - self.minute()) * 60.0 / self.speed)


class Driver:
    def __init__(
        self, url: str, kiosk_token: str, counter_tokens: dict[str, str], draw: DayDraw,
        speed: float, until_min: float | None = None, say: Say | None = None,
    ) -> None:  # fmt: skip
        self.url, self.draw, self.speed, self.until_min = url, draw, speed, until_min
        self.say = say or (lambda line: None)
        self.kiosk = HubClient(url, kiosk_token, agent="sim-kiosk")
        self.desks = [c for c in ref.COUNTERS if c.id != draw.absent]
        self.clients = {c.id: HubClient(url, counter_tokens[c.id], agent=f"sim-{c.id}")
                        for c in self.desks}  # fmt: skip
        self.wake = {c.id: asyncio.Event() for c in self.desks}
        self.stop = asyncio.Event()
        self.kiosk_done = asyncio.Event()
        self.known: dict[str, asyncio.Future[Visitor]] = {}
        self.tz = ZoneInfo(TIMEZONE)
        self.t: Timeline
        self.result: DriveResult

    async def run(self) -> DriveResult:
        try:
            health = await self.kiosk.health()
            began = walltime.monotonic()
            hub_now = datetime.fromisoformat(health["now"])
            self.t = Timeline(hub_now, self.speed, self.tz)
            self.result = DriveResult(self.t.day, hub_start=hub_now)
            self.say(f"{self.t.day} on the hub's clock, from {_hhmm(self.t.minute())}, "
                     f"×{self.speed:g}; seed {self.draw.seed}")  # fmt: skip
            async with asyncio.TaskGroup() as group:
                kiosk = group.create_task(self._kiosk())
                agents = [group.create_task(self._agent(c)) for c in self.desks]
                progress = group.create_task(self._progress())
                if self.until_min is not None:
                    await asyncio.sleep(self.t.real_s(self.until_min))
                    await kiosk
                    self._halt()
                await asyncio.gather(kiosk, *agents)
                progress.cancel()
            end = await self.kiosk.health()
            self.result.real_s = walltime.monotonic() - began
            self.result.hub_end = datetime.fromisoformat(end["now"])
            return self.result
        finally:
            for client in (self.kiosk, *self.clients.values()):
                await client.aclose()

    def _halt(self) -> None:
        self.stop.set()
        for event in self.wake.values():
            event.set()

    async def _sleep_until(self, minute: float) -> bool:
        """Wait for `minute` on the hub's clock; False if the drive was stopped meanwhile."""
        try:
            await asyncio.wait_for(self.stop.wait(), self.t.real_s(minute))
        except TimeoutError:
            return True
        return False

    def _future(self, tid: str) -> asyncio.Future[Visitor]:
        return self.known.setdefault(tid, asyncio.get_running_loop().create_future())

    async def _kiosk(self) -> None:
        for v in self.draw.visitors:
            if self.until_min is not None and v.arrival_min >= self.until_min:
                break
            await asyncio.sleep(self.t.real_s(v.arrival_min))
            began = walltime.perf_counter()
            answer = await self.kiosk.issue(v.service, v.priority, "fr")
            self.result.issue_ms.append((walltime.perf_counter() - began) * 1000)
            self.result.issued += 1
            self.result.tickets[answer["id"]] = v.n
            self.result.printed[answer["id"]] = (answer.get("estimate") or {}).get("wait")
            self._future(answer["id"]).set_result(v)
            for c in self.desks:
                if v.service in c.services:
                    self.wake[c.id].set()
        self.kiosk_done.set()
        for event in self.wake.values():
            event.set()

    async def _agent(self, c: ref.SimCounter) -> None:
        hub = self.clients[c.id]
        if not await self._sleep_until(c.opens_min):
            return
        await hub.open_counter(c.id, list(c.services))
        breaks = sorted((b for b in self.draw.breaks if b.counter == c.id), key=lambda b: b.due_min)
        while not self.stop.is_set():
            now = self.t.minute()
            stopping = c.last_call_min is not None and now >= c.last_call_min
            due = [b for b in breaks if b.due_min <= now]
            if due and not stopping:
                breaks.remove(due[0])
                until = self.t.at(now + due[0].planned_min).astimezone(UTC).isoformat()
                await hub.pause(c.id, "break", until)
                if not await self._sleep_until(now + due[0].actual_min):
                    return
                await hub.resume(c.id)
                continue
            self.wake[c.id].clear()  # before asking: a ticket issued meanwhile wakes us again
            if not stopping and await self._call(c.id, hub):
                continue
            if stopping or (now >= ref.CLOSE_MIN and self.kiosk_done.is_set()):
                await hub.close_counter(c.id)
                return
            later = [b.due_min for b in breaks] + [c.last_call_min or ref.CLOSE_MIN, ref.CLOSE_MIN]
            wait_s = min((self.t.real_s(m) for m in later if m > now), default=None)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake[c.id].wait(), wait_s)

    async def _call(self, cid: str, hub: HubClient) -> bool:
        """Call the hub's choice and see the visit through; False if nobody waits."""
        began = walltime.perf_counter()
        try:
            answer = await hub.call_next(cid)
        except HubError as exc:
            if exc.code != "nothing_waiting":
                raise
            return False
        self.result.call_ms.append((walltime.perf_counter() - began) * 1000)
        self.result.called += 1
        tid = answer["ticket"]["id"]
        v = await self._future(tid)
        now = self.t.minute()
        if v.patience_min is not None and now - v.arrival_min >= v.patience_min:
            # They left long ago; the hub learns it only now, by calling in vain.
            if await self._sleep_until(now + const.SIM_NO_SHOW_CALL_MIN):
                await hub.no_show(tid, cid)
                self.result.no_shows += 1
            return True
        ticket = answer["ticket"]
        if ticket.get("calls") == 1 and ticket.get("called_at") and ticket.get("issued_at"):
            waited = datetime.fromisoformat(ticket["called_at"]) - datetime.fromisoformat(
                ticket["issued_at"])  # fmt: skip
            self.result.waits[tid] = waited.total_seconds() / 60
        await hub.start(tid, cid)
        if await self._sleep_until(now + v.service_min):
            await hub.complete(tid, OUTCOME, cid)
            self.result.served += 1
        return True

    async def _progress(self) -> None:
        step = const.SIM_PROGRESS_EVERY_MIN
        while True:
            await asyncio.sleep(self.t.real_s((self.t.minute() // step + 1) * step))
            r = self.result
            self.say(f"{_hhmm(self.t.minute())}  issued {r.issued:4d}  waiting "
                     f"{r.issued - r.called:3d}  called {r.called:4d}  served {r.served:4d}  "
                     f"no-shows {r.no_shows:3d}")  # fmt: skip


def _hhmm(minute: float) -> str:
    m = int(minute)
    return f"{m // 60:02d}:{m % 60:02d}"


def describe(result: DriveResult) -> dict[str, Any]:
    """The summary as data (for --json and tests)."""
    return {
        "day": result.day.isoformat(), "issued": result.issued, "called": result.called,
        "served": result.served, "no_shows": result.no_shows, "real_s": round(result.real_s, 2),
        "speed": round(result.speed, 1),
        "issue_ms": {"p50": pct(result.issue_ms, 50), "p99": pct(result.issue_ms, 99)},
        "call_ms": {"p50": pct(result.call_ms, 50), "p99": pct(result.call_ms, 99)},
        "printed": result.printed_score(),
    }  # fmt: skip
