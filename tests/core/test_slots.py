from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared.core.errors import InvalidInput, SlotFull
from shared.core.slots import AppointmentPlan, AppointmentService, Slot, bookable, day_slots, slots

PARIS = ZoneInfo("Europe/Paris")
WEEK = {d: ((time(9, 0), time(12, 0)),) for d in ("mon", "tue", "wed", "thu", "fri")}


def plan(**changes) -> AppointmentPlan:
    a = AppointmentService("A", ("site", "phone"), 30, 2, WEEK, "")
    values = {"horizon_days": 3, "min_notice_min": 60, "holidays": frozenset(), "closures": (),
              "services": {"A": a}}  # fmt: skip
    values.update(changes)
    return AppointmentPlan(**values)


def service(hours, slot_min=30, capacity=2) -> dict:
    return {"A": AppointmentService("A", ("site", "phone"), slot_min, capacity, hours, "")}


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def starts(found) -> list[str]:
    return [f"{s.astimezone(PARIS):%H:%M}-{e.astimezone(PARIS):%H:%M}" for s, e in found]


def test_each_period_is_cut_into_whole_slots_from_its_start() -> None:
    hours = {"mon": ((time(14, 0), time(15, 10)), (time(9, 0), time(10, 0)))}
    p = plan(services=service(hours, slot_min=20))
    found = day_slots(p, "A", date(2026, 12, 14), PARIS)  # a Monday in winter (UTC+1)
    assert starts(found) == ["09:00-09:20", "09:20-09:40", "09:40-10:00",
                             "14:00-14:20", "14:20-14:40", "14:40-15:00"]  # fmt: skip
    assert found[0] == (utc(2026, 12, 14, 8, 0), utc(2026, 12, 14, 8, 20))
    assert all(s.tzinfo is UTC for s, _ in found)


def test_no_slots_on_holidays_closures_days_without_hours_or_other_services() -> None:
    p = plan(holidays=frozenset({date(2026, 12, 14)}),
             closures=((date(2026, 12, 21), date(2026, 12, 23)),))  # fmt: skip
    assert day_slots(p, "A", date(2026, 12, 14), PARIS) == []
    for closed in (21, 22, 23):  # both ends of a closure are closed
        assert day_slots(p, "A", date(2026, 12, closed), PARIS) == []
    assert len(day_slots(p, "A", date(2026, 12, 24), PARIS)) == 6
    assert day_slots(p, "A", date(2026, 12, 19), PARIS) == []  # Saturday: no hours
    assert day_slots(p, "B", date(2026, 12, 15), PARIS) == []
    assert day_slots(AppointmentPlan(), "A", date(2026, 12, 15), PARIS) == []


def test_spring_change_keeps_wall_clock_times_and_skips_the_missing_hour() -> None:
    # Europe/Paris, Sunday 29 March 2026: 02:00 CET becomes 03:00 CEST.
    hours = {"sat": ((time(9, 0), time(9, 30)),),
             "sun": ((time(1, 0), time(4, 0)), (time(9, 0), time(9, 30)))}  # fmt: skip
    p = plan(services=service(hours))
    before = day_slots(p, "A", date(2026, 3, 28), PARIS)
    found = day_slots(p, "A", date(2026, 3, 29), PARIS)
    assert before == [(utc(2026, 3, 28, 8, 0), utc(2026, 3, 28, 8, 30))]  # 09:00 at UTC+1
    # 01:30-02:00 ends in the gap, 02:00 and 02:30 do not exist.
    assert starts(found) == ["01:00-01:30", "03:00-03:30", "03:30-04:00", "09:00-09:30"]
    assert found[1] == (utc(2026, 3, 29, 1, 0), utc(2026, 3, 29, 1, 30))
    assert found[3] == (utc(2026, 3, 29, 7, 0), utc(2026, 3, 29, 7, 30))  # 09:00 at UTC+2
    assert all(e - s == timedelta(minutes=30) for s, e in found)


def test_autumn_change_offers_no_ambiguous_slot() -> None:
    # Europe/Paris, Sunday 25 October 2026: 03:00 CEST becomes 02:00 CET (02:00-03:00 twice).
    hours = {"sun": ((time(1, 0), time(4, 0)), (time(9, 0), time(9, 30)))}
    found = day_slots(plan(services=service(hours)), "A", date(2026, 10, 25), PARIS)
    assert starts(found) == ["01:00-01:30", "03:00-03:30", "03:30-04:00", "09:00-09:30"]
    assert found[0][0] == utc(2026, 10, 24, 23, 0)  # UTC+2
    assert found[1][0] == utc(2026, 10, 25, 2, 0)  # UTC+1
    assert found[3][0] == utc(2026, 10, 25, 8, 0)
    assert len({s for s, _ in found}) == len(found)
    assert all(e - s == timedelta(minutes=30) for s, e in found)


def test_slots_keep_to_the_horizon_and_the_minimum_notice() -> None:
    now = local(2026, 12, 14, 9, 10)  # Monday; earliest start 10:10, horizon Mon-Wed
    found = slots(plan(), "A", "phone", date(2026, 12, 10), date(2026, 12, 31), {}, now, PARIS)
    days = [s.start.astimezone(PARIS).date() for s in found]
    assert sorted(set(days)) == [date(2026, 12, 14), date(2026, 12, 15), date(2026, 12, 16)]
    assert [f"{s.start.astimezone(PARIS):%H:%M}" for s in found[:3]] == ["10:30", "11:00", "11:30"]
    assert len(found) == 3 + 6 + 6
    assert all(s.mode == "phone" and s.service == "A" and s.free == 2 for s in found)
    later = slots(plan(), "A", "site", date(2026, 12, 15), date(2026, 12, 15), {}, now, PARIS)
    assert len(later) == 6


def test_booked_counts_are_per_slot_start_and_full_slots_are_listed() -> None:
    now = local(2026, 12, 14, 8, 0)
    nine, half = utc(2026, 12, 14, 8, 0), utc(2026, 12, 14, 8, 30)
    p = plan(min_notice_min=0)
    found = slots(p, "A", "site", date(2026, 12, 14), date(2026, 12, 14), {nine: 2, half: 3},
                  now, PARIS)  # fmt: skip
    assert [(s.booked, s.free) for s in found[:3]] == [(2, 0), (3, 0), (0, 2)]
    assert Slot("A", "site", nine, half, 2, 1).free == 1


def test_listing_an_unplanned_service_or_mode_is_refused() -> None:
    now = local(2026, 12, 14, 8, 0)
    with pytest.raises(InvalidInput, match="'B' takes no appointments"):
        slots(plan(), "B", "site", date(2026, 12, 14), date(2026, 12, 14), {}, now, PARIS)
    with pytest.raises(InvalidInput, match="no 'video' appointments; choose one of: site, phone"):
        slots(plan(), "A", "video", date(2026, 12, 14), date(2026, 12, 14), {}, now, PARIS)


def test_a_free_slot_start_is_bookable() -> None:
    now = local(2026, 12, 14, 8, 0)
    slot = bookable(plan(), "A", "phone", local(2026, 12, 15, 11, 30), 1, now, PARIS)
    assert slot == Slot("A", "phone", utc(2026, 12, 15, 10, 30), utc(2026, 12, 15, 11, 0), 2, 1)
    assert slot.start.tzinfo is UTC


@pytest.mark.parametrize(
    ("service", "mode", "start", "message"),
    [
        ("B", "site", local(2026, 12, 15, 9, 0), "'B' takes no appointments"),
        ("A", "video", local(2026, 12, 15, 9, 0), "no 'video' appointments"),
        ("A", "site", local(2026, 12, 15, 9, 10), "09:10 is not the start of an appointment slot .* 30 minutes"),
        ("A", "site", local(2026, 12, 15, 12, 0), "12:00 is not the start"),
        ("A", "site", local(2026, 12, 19, 9, 0), "2026-12-19 09:00 is not the start"),  # Saturday
        ("A", "site", local(2026, 12, 14, 7, 30), "already passed"),
        ("A", "site", local(2026, 12, 14, 8, 30), "too soon: .* at least 60 minutes ahead"),
        ("A", "site", local(2026, 12, 21, 9, 0), "too far ahead: .* at most 7 days ahead"),
        ("A", "site", local(2026, 12, 16, 9, 0), "no appointments on 2026-12-16 .*holiday"),
        ("A", "site", datetime(2026, 12, 15, 9, 0), "time zone"),
    ],
)  # fmt: skip
def test_bookable_refuses_what_cannot_be_booked(service, mode, start, message) -> None:
    p = plan(horizon_days=7, holidays=frozenset({date(2026, 12, 16)}))
    now = local(2026, 12, 14, 8, 0)
    with pytest.raises(InvalidInput, match=message):
        bookable(p, service, mode, start, 0, now, PARIS)


def test_the_last_place_is_taken_once() -> None:
    now, start = local(2026, 12, 14, 8, 0), local(2026, 12, 15, 9, 0)
    assert bookable(plan(), "A", "site", start, 1, now, PARIS).free == 1
    with pytest.raises(SlotFull, match="2026-12-15 09:00 for service A is full") as full:
        bookable(plan(), "A", "phone", start, 2, now, PARIS)
    assert (full.value.http_status, full.value.code) == (409, "slot_full")


def test_every_listed_slot_of_a_year_is_bookable() -> None:
    # Every day of 2026 (both daylight-saving changes), hours that cross the changes' hours.
    hours = {d: ((time(0, 0), time(5, 0)), (time(8, 0), time(18, 0))) for d in ("sat", "sun")}
    p = AppointmentPlan(365, 0, frozenset(), (), service(hours, slot_min=45, capacity=1))
    now = utc(2025, 12, 31, 22, 0)  # 23:00 in Paris, the day before the year starts
    found = slots(p, "A", "site", date(2026, 1, 1), date(2026, 12, 30), {}, now, PARIS)
    assert len({s.start for s in found}) == len(found) > 100 * 6
    for s in found:
        assert bookable(p, "A", "site", s.start, 0, now, PARIS) == s
        assert s.end - s.start == timedelta(minutes=45)
