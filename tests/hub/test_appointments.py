"""Appointments through the hub's API: free slots, booking, reading, cancelling and moving by
reference (shared/hub/appointments.py). The race for a slot's last place is in
tests/e2e/test_appointment_race.py (a real hub process under real concurrent clients)."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared import config as config_mod
from shared.clock import ManualClock
from shared.config import OfficeConfig
from shared.hub.app import create_app
from tests.hub.conftest import API, PARIS, ROOT, Office, assert_error

# Monday 2026-11-30 09:00 in Paris is START: the slots below are on Tuesday 1 December.
TUESDAY_0900 = datetime(2026, 12, 1, 9, 0, tzinfo=PARIS)

APPOINTMENTS = {
    "horizon_days": 30,
    "min_notice_min": 60,
    "holidays": ["2026-12-25"],
    "services": [
        {"service": "A", "modes": ["site", "video"], "slot_min": 20, "capacity": 2,
         "hours": {"tue": [["09:00", "10:00"]]},
         "video_link": "https://visio.example.fr/montour-{ref}"},
    ],
}  # fmt: skip


def appointment_config() -> OfficeConfig:
    raw = tomllib.loads((ROOT / "assets" / "office.example.toml").read_text(encoding="utf-8"))
    raw["appointments"] = APPOINTMENTS
    return config_mod.parse(raw)


@pytest.fixture
def office(db_path: Path, clock: ManualClock, tokens: dict[str, str]) -> Iterator[Office]:
    app = create_app(appointment_config(), db_path, clock=clock)
    with TestClient(app) as client:
        yield Office(client, clock, tokens, db_path)


def book(office: Office, start: datetime, mode: str = "site", who: str | None = None,
         key: str | None = None) -> Any:  # fmt: skip
    body = {"service": "A", "mode": mode, "start": start.isoformat(), "lang": "fr"}
    return office.client.post(f"{API}/appointments", json=body, headers=office.headers(who, key))


def slots(office: Office, **query: str) -> list[dict[str, Any]]:
    params = {"service": "A", "mode": "site", "first": "2026-12-01", "last": "2026-12-01"}
    r = office.client.get(f"{API}/appointments/slots", params={**params, **query})
    assert r.status_code == 200, r.text
    found: list[dict[str, Any]] = r.json()["slots"]
    return found


def test_free_slots_follow_the_plan_and_the_bookings(office: Office) -> None:
    found = slots(office)
    starts = [datetime.fromisoformat(s["start"]) for s in found]
    assert starts == [TUESDAY_0900 + timedelta(minutes=20 * i) for i in range(3)]
    assert all(s["free"] == 2 for s in found)
    assert book(office, TUESDAY_0900).status_code == 201
    assert [s["free"] for s in slots(office)] == [1, 2, 2]
    # Video shares the agents: one more booking fills the 09:00 slot for every mode.
    assert book(office, TUESDAY_0900, "video").status_code == 201
    assert [s["free"] for s in slots(office, mode="video")] == [0, 2, 2]
    full = book(office, TUESDAY_0900)
    assert_error(full, 409, "slot_full")


def test_a_booking_is_read_by_its_reference_and_carries_nothing_personal(office: Office) -> None:
    r = book(office, TUESDAY_0900 + timedelta(minutes=20), "video")
    assert r.status_code == 201, r.text
    booked = r.json()
    ref = booked["ref"]
    assert len(ref) == 9 and ref[4] == "-"
    assert booked["video_link"] == f"https://visio.example.fr/montour-{ref.replace('-', '')}"
    assert booked["channel"] == "web" and booked["status"] == "booked"
    # Typed in lower case, without the dash, or with spaces: the same booking.
    for typed in (ref, ref.lower().replace("-", ""), " ".join(ref)):
        got = office.client.get(f"{API}/appointments/{typed}")
        assert got.status_code == 200 and got.json() == booked
    assert set(booked) == {"ref", "service", "mode", "start", "end", "status", "channel",
                           "video_link"}  # fmt: skip
    assert_error(office.client.get(f"{API}/appointments/ZZZZ-ZZZZ"), 404, "not_found")
    assert_error(office.client.get(f"{API}/appointments/short"), 404, "not_found")


def test_an_agent_books_for_a_visitor_from_the_counter(office: Office) -> None:
    r = book(office, TUESDAY_0900, who="counter")
    assert r.status_code == 201 and r.json()["channel"] == "agent"


def test_a_retry_with_the_same_key_gives_the_same_booking(office: Office) -> None:
    first = book(office, TUESDAY_0900, key="k-1")
    again = book(office, TUESDAY_0900, key="k-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert slots(office)[0]["free"] == 1


def test_cancel_frees_the_place_and_cannot_be_done_twice(office: Office) -> None:
    ref = book(office, TUESDAY_0900).json()["ref"]
    book(office, TUESDAY_0900)
    r = office.client.post(f"{API}/appointments/{ref}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert slots(office)[0]["free"] == 1
    assert_error(office.client.post(f"{API}/appointments/{ref}/cancel"), 409, "conflict")
    moved = office.client.post(f"{API}/appointments/{ref}/move",
                               json={"start": TUESDAY_0900.isoformat()})  # fmt: skip
    assert_error(moved, 409, "conflict")


def test_move_keeps_the_reference_and_checks_the_new_slot(office: Office) -> None:
    ref = book(office, TUESDAY_0900).json()["ref"]
    later = TUESDAY_0900 + timedelta(minutes=40)
    for _ in range(2):
        book(office, later)  # the 09:40 slot is full
    r = office.client.post(f"{API}/appointments/{ref}/move", json={"start": later.isoformat()})
    assert_error(r, 409, "slot_full")
    middle = TUESDAY_0900 + timedelta(minutes=20)
    r = office.client.post(f"{API}/appointments/{ref}/move",
                           json={"start": middle.isoformat(), "mode": "video"})  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.json()["ref"] == ref and r.json()["mode"] == "video"
    assert datetime.fromisoformat(r.json()["start"]) == middle
    assert [s["free"] for s in slots(office)] == [2, 1, 0]
    # Moving within its own full slot is allowed: it does not count against itself.
    r = office.client.post(f"{API}/appointments/{ref}/move", json={"start": middle.isoformat()})
    assert r.status_code == 200


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"service": "B", "mode": "site", "start": "2026-12-01T09:00:00+01:00"}, "invalid_input"),
        ({"service": "A", "mode": "phone", "start": "2026-12-01T09:00:00+01:00"}, "invalid_input"),
        ({"service": "A", "mode": "site", "start": "2026-12-01T09:05:00+01:00"}, "invalid_input"),
        ({"service": "A", "mode": "site", "start": "2026-12-01T09:00:00"}, "invalid_input"),
        ({"service": "A", "mode": "site", "start": "2027-02-02T09:00:00+01:00"}, "invalid_input"),
        ({"service": "A", "mode": "site", "start": "2026-12-25T09:00:00+01:00"}, "invalid_input"),
        ({"service": "A", "mode": "fax", "start": "2026-12-01T09:00:00+01:00"}, "invalid_input"),
    ],
)
def test_bad_bookings_are_refused_with_a_reason_and_store_nothing(
    office: Office, body: dict[str, str], code: str
) -> None:
    r = office.client.post(f"{API}/appointments", json=body)
    assert_error(r, 422, code)
    assert [s["free"] for s in slots(office)] == [2, 2, 2]


def test_too_soon_is_refused(office: Office) -> None:
    office.clock.set(TUESDAY_0900 - timedelta(minutes=30))  # notice is 60 min
    assert_error(book(office, TUESDAY_0900), 422, "invalid_input")
    # Only the slots at least an hour away are offered: 09:40, not 09:00 or 09:20.
    starts = [datetime.fromisoformat(s["start"]) for s in slots(office)]
    assert starts == [TUESDAY_0900 + timedelta(minutes=40)]
