"""One record per visit, rebuilt from the event log (pure: no I/O, no clock).

A visit is a visitor's ticket from issue to its end. Choices, so the figures mean one thing:

- A transfer hands the visitor on under a new ticket (a new *leg*). The visit is counted once,
  under the service of its FIRST ticket (the queue the visitor chose at the kiosk); its wait is
  the first call of any leg minus the first issue (the wait the visitor lived before anyone saw
  them), `transfers` counts the hand-overs and `final_service` names the last leg's service.
- `outcome` is how the whole visit ended: the last leg's end — "done", "no_show", "cancelled" —
  or "transferred" when the log stops right after a transfer (the new leg's end is not in the
  period read), or "open" when the ticket was still waiting, called or parked at the log's end.
  A no-show reactivated and then served is "done"; its wait stays its first call's.
- `service_min` is the time spent at counters: from each leg's first ServiceStarted to that
  leg's end, summed over the legs (None when the visitor was never served).
- `day` and `hour` are the office-local date and hour of the first issue: the day the visit
  belongs to in every table.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, tzinfo

from shared.core import events as ev
from shared.core.events import Event

OUTCOMES = ("done", "no_show", "cancelled", "transferred", "open")


@dataclass(frozen=True)
class Visit:
    ticket: str  # the first leg's ticket id
    service: str  # the first leg's service: the visit is counted under it
    final_service: str
    priority: bool
    day: date  # office-local date of the first issue
    hour: int  # office-local hour of the first issue
    issued_at: datetime
    called_at: datetime | None  # first call of any leg
    started_at: datetime | None  # first ServiceStarted of any leg
    finished_at: datetime | None  # the last leg's end
    outcome: str  # one of OUTCOMES
    counter: str | None  # the counter of the last call
    transfers: int
    service_min: float | None

    @property
    def wait_min(self) -> float | None:
        """First call − first issue, in minutes; None for a visitor never called."""
        if self.called_at is None:
            return None
        return max(0.0, (self.called_at - self.issued_at).total_seconds() / 60.0)


def _minutes(a: datetime, b: datetime) -> float:
    return max(0.0, (b - a).total_seconds() / 60.0)


class _Builder:
    def __init__(self, tz: tzinfo) -> None:
        self.tz = tz
        self.visits: dict[str, Visit] = {}  # by first ticket id, in issue order
        self.root: dict[str, str] = {}  # any leg's ticket id -> the visit's first ticket id
        self.leg_start: dict[str, datetime] = {}  # root -> current leg's ServiceStarted

    def _get(self, ticket: str) -> Visit | None:
        root = self.root.get(ticket)
        return None if root is None else self.visits[root]

    def _set(self, visit: Visit) -> None:
        self.visits[visit.ticket] = visit

    def _end_leg(self, visit: Visit, at: datetime, outcome: str) -> Visit:
        served = visit.service_min
        start = self.leg_start.pop(visit.ticket, None)
        if start is not None:
            served = (served or 0.0) + _minutes(start, at)
        return replace(visit, finished_at=at, outcome=outcome, service_min=served)

    def apply(self, event: Event) -> None:
        if isinstance(event, ev.TicketIssued):
            local = event.at.astimezone(self.tz)
            self.root[event.ticket] = event.ticket
            self._set(Visit(
                event.ticket, event.service, event.service, event.priority, local.date(),
                local.hour, event.at, None, None, None, "open", None, 0, None,
            ))  # fmt: skip
            return
        if isinstance(event, ev.DayOpened | ev.CounterOpened | ev.CounterServicesChanged
                      | ev.CounterPaused | ev.CounterResumed | ev.CounterClosed):  # fmt: skip
            return
        visit = self._get(event.ticket)
        if visit is None:  # a ticket issued before the period read: not a visit of it
            return
        match event:
            case ev.TicketCalled():
                self._set(replace(visit, called_at=visit.called_at or event.at,
                                  counter=event.counter, outcome="open"))  # fmt: skip
            case ev.ServiceStarted():
                self.leg_start.setdefault(visit.ticket, event.at)
                self._set(replace(visit, started_at=visit.started_at or event.at))
            case ev.TicketCompleted():
                self._set(self._end_leg(visit, event.at, "done"))
            case ev.TicketNoShow():
                self._set(self._end_leg(visit, event.at, "no_show"))
            case ev.TicketCancelled():
                self._set(self._end_leg(visit, event.at, "cancelled"))
            case ev.TicketReactivated():
                self._set(replace(visit, finished_at=None, outcome="open"))
            case ev.TicketTransferred():
                self.root[event.new_ticket] = visit.ticket
                ended = self._end_leg(visit, event.at, "transferred")
                self._set(replace(ended, final_service=event.service,
                                  transfers=visit.transfers + 1))  # fmt: skip
            case _:  # TicketRecalled, TicketParked: no change to the visit's record
                pass


def visits(events: Iterable[Event], tz: tzinfo) -> list[Visit]:
    """The visits of a log (in seq order), in issue order; `tz` is the office's time zone."""
    builder = _Builder(tz)
    for event in events:
        builder.apply(event)
    return list(builder.visits.values())
