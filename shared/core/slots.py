"""Appointment slots: the office's plan and the free slots computed from it (issue 7).

A slot is a wall-clock interval of the office's day: the service's hours for that weekday,
cut into `slot_min` pieces from the start of each period (a last piece that would run past
the period's end is not offered). Each slot has `capacity` places, shared by every mode of
the service: a phone appointment uses an agent as much as one on site does.

Daylight saving: slots are local times, converted to UTC one by one, so 09:00 stays 09:00 on
both sides of a change. A slot whose local start or end does not exist (the spring gap) or
happens twice (the autumn fold) is not offered: it would be either impossible or ambiguous
to the visitor, and its UTC start would no longer name one slot.

The horizon counts local days from the day of `now`: `horizon_days = 1` is today only.
Pure: no clock (`now` is passed in), no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from shared.core.errors import InvalidInput, SlotFull

MODES = ("site", "phone", "video")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Periods = tuple[tuple[time, time], ...]  # as shared.config.Periods (core does not import it)


@dataclass(frozen=True)
class AppointmentService:
    service: str
    modes: tuple[str, ...]
    slot_min: int
    capacity: int  # agents per slot, all modes together
    hours: Mapping[str, Periods]  # weekday key -> periods; config fills in the office hours
    video_link: str = ""  # template with "{ref}", or empty


@dataclass(frozen=True)
class AppointmentPlan:
    """An empty plan (the default) takes no appointments."""

    horizon_days: int = 30
    min_notice_min: int = 60
    holidays: frozenset[date] = frozenset()
    closures: tuple[tuple[date, date], ...] = ()  # inclusive (first, last) local dates
    services: Mapping[str, AppointmentService] = field(default_factory=dict)

    def closed(self, day: date) -> bool:
        """Whether the whole day is closed to appointments (a holiday or within a closure)."""
        return day in self.holidays or any(a <= day <= b for a, b in self.closures)


@dataclass(frozen=True)
class Slot:
    service: str
    mode: str
    start: datetime  # aware, UTC
    end: datetime  # aware, UTC
    capacity: int
    booked: int

    @property
    def free(self) -> int:
        # A capacity lowered after bookings were taken can leave a slot overbooked: none free.
        return max(0, self.capacity - self.booked)


def day_slots(
    plan: AppointmentPlan, service: str, day: date, tz: tzinfo
) -> list[tuple[datetime, datetime]]:
    """The (start, end) in UTC of the slots of `service` on the office-local `day`; empty on a
    holiday, in a closure, on a day without hours, or for a service without appointments."""
    s = plan.services.get(service)
    if s is None or plan.closed(day):
        return []
    step = timedelta(minutes=s.slot_min)
    out: list[tuple[datetime, datetime]] = []
    for a, b in sorted(s.hours.get(WEEKDAYS[day.weekday()], ())):
        start, stop = datetime.combine(day, a), datetime.combine(day, b)
        while start + step <= stop:
            first, last = _exact(start, tz), _exact(start + step, tz)
            if first is not None and last is not None:
                out.append((first, last))
            start += step
    return out


def slots(
    plan: AppointmentPlan,
    service: str,
    mode: str,
    first: date,
    last: date,
    booked: Mapping[datetime, int],
    now: datetime,
    tz: tzinfo,
) -> list[Slot]:
    """Every slot from local day `first` to `last` inclusive, within the horizon, that starts
    no sooner than `now` + the minimum notice; `booked` counts the active bookings of the
    service (every mode) per slot start in UTC. Full slots are included (`free == 0`)."""
    s = _offered(plan, service, mode)
    today, earliest = _today(now, tz), now + timedelta(minutes=plan.min_notice_min)
    day, last = max(first, today), min(last, today + timedelta(days=plan.horizon_days - 1))
    out: list[Slot] = []
    while day <= last:
        for start, end in day_slots(plan, service, day, tz):
            if start >= earliest:
                out.append(Slot(service, mode, start, end, s.capacity, booked.get(start, 0)))
        day += timedelta(days=1)
    return out


def bookable(
    plan: AppointmentPlan,
    service: str,
    mode: str,
    start: datetime,
    booked: int,
    now: datetime,
    tz: tzinfo,
) -> Slot:
    """The slot of `service` starting exactly at `start`, with `booked` active bookings;
    InvalidInput if it cannot be booked now, SlotFull if it has no place left."""
    s = _offered(plan, service, mode)
    if start.tzinfo is None or start.utcoffset() is None:
        raise InvalidInput("The slot's start must carry its time zone (ISO 8601 with an offset).")
    today, local = _today(now, tz), start.astimezone(tz)
    when = f"{local:%Y-%m-%d %H:%M}"
    if start < now:
        raise InvalidInput(f"The slot of {when} has already passed; choose a later one.")
    if start < now + timedelta(minutes=plan.min_notice_min):
        raise InvalidInput(
            f"The slot of {when} starts too soon: appointments are booked at least "
            f"{plan.min_notice_min} minutes ahead; choose a later one."
        )
    if local.date() > today + timedelta(days=plan.horizon_days - 1):
        raise InvalidInput(
            f"The slot of {when} is too far ahead: appointments are booked at most "
            f"{plan.horizon_days} days ahead; choose an earlier one."
        )
    if plan.closed(local.date()):
        raise InvalidInput(
            f"The office takes no appointments on {local:%Y-%m-%d} (holiday or closure); "
            "choose another day."
        )
    for first, end in day_slots(plan, service, local.date(), tz):
        if first == start:
            slot = Slot(service, mode, first, end, s.capacity, booked)
            if slot.free == 0:
                raise SlotFull(
                    f"The slot of {when} for service {service} is full; choose another one."
                )
            return slot
    raise InvalidInput(
        f"{when} is not the start of an appointment slot for service {service} (slots last "
        f"{s.slot_min} minutes within the service's hours); choose one of the listed slots."
    )


def _offered(plan: AppointmentPlan, service: str, mode: str) -> AppointmentService:
    s = plan.services.get(service)
    if s is None:
        raise InvalidInput(f"Service {service!r} takes no appointments.")
    if mode not in s.modes:
        raise InvalidInput(
            f"Service {service} takes no {mode!r} appointments; choose one of: "
            + ", ".join(s.modes)
            + "."
        )
    return s


def _today(now: datetime, tz: tzinfo) -> date:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(tz).date()


def _exact(local: datetime, tz: tzinfo) -> datetime | None:
    """The UTC instant of a naive local time, or None if it is skipped or repeated there.

    PEP 495: both folds give the same offset only when the wall time happens exactly once."""
    early, late = local.replace(tzinfo=tz, fold=0), local.replace(tzinfo=tz, fold=1)
    if early.utcoffset() != late.utcoffset():
        return None
    return early.astimezone(UTC)
