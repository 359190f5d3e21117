"""The learned quieter hours through a real hub: a SQLite file filled with simulated days of the
reference office, GET /api/v1/hours and /api/v1/office, and the weekly cache."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared import config as config_mod
from shared.clock import ManualClock
from shared.config import OfficeConfig
from shared.hub import hours
from shared.hub.app import create_app
from tests import simdb

ROOT = Path(__file__).resolve().parents[2]
API = "/api/v1"
FIRST_MONDAY = date(2026, 1, 5)


@pytest.fixture(scope="module")
def ref_config() -> OfficeConfig:
    return config_mod.load(ROOT / "assets" / "sim" / "reference-office.toml")


def weekdays(n: int, start: date = FIRST_MONDAY) -> list[date]:
    return simdb.weekdays(n, start)


def fill(db_path: Path, config: OfficeConfig, days: list[date], first_seed: int = 1000) -> None:
    simdb.fill(db_path, days, config.tz, first_seed)


def next_monday(days: list[date]) -> date:
    return days[-1] + timedelta(days=7 - days[-1].weekday())


@contextmanager
def running(config: OfficeConfig, db_path: Path, today: date) -> Iterator[TestClient]:
    clock = ManualClock(datetime.combine(today, time(10), tzinfo=config.tz).astimezone(UTC))
    with TestClient(create_app(config, db_path, clock=clock)) as client:
        yield client


def get(client: TestClient, path: str) -> dict[str, Any]:
    r = client.get(API + path)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


@pytest.fixture(scope="module")
def forty_days(tmp_path_factory: pytest.TempPathFactory, ref_config: OfficeConfig) -> Path:
    """A pristine file with the 40 reference history days; tests work on copies."""
    path = tmp_path_factory.mktemp("hours") / "forty.db"
    fill(path, ref_config, weekdays(40))
    return path


def copy_of(source: Path, tmp_path: Path) -> Path:
    target = tmp_path / "office.db"
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()
    return target


def test_hours_and_office_publish_the_learned_hours(
    forty_days: Path, tmp_path: Path, ref_config: OfficeConfig
) -> None:
    db_path = copy_of(forty_days, tmp_path)
    today = next_monday(weekdays(40))
    with running(ref_config, db_path, today) as client:
        body = get(client, "/hours")
        office = get(client, "/office")
    assert (body["status"], body["history_days"], body["needed_days"]) == ("ok", 40, 20)
    assert body["computed_for"] == today.isoformat()
    learned = body["office"]
    assert set(learned["quieter"]) == {"mon", "tue", "wed", "thu", "fri"}
    for periods in learned["quieter"].values():
        assert periods[0][0] == "08:30" and periods[-1][1] == "16:30"
        assert not any(a < "14:00" and b > "12:00" for a, b in periods)  # never over lunch
    assert learned["busy"] and all(
        a >= "10:00" and b <= "13:00" for periods in learned["busy"].values() for a, b in periods
    )
    assert len(learned["cells"]) == 45
    # Nothing minute-precise to the public: bands and day counts only.
    assert all(set(c) == {"weekday", "hour", "band", "days"} for c in learned["cells"])
    assert {c["band"] for c in learned["cells"]} <= {
        "under_5", "under_10", "under_20", "under_30", "over_30"}  # fmt: skip
    assert set(body["services"]) == {"A", "B", "C", "D"}
    assert all(s["status"] == "ok" for s in body["services"].values())
    # /office gives the same learned hours to the apps.
    assert office["quieter_hours_source"] == "history"
    assert office["quieter_hours"] == learned["quieter"]
    assert office["busy_hours"] == learned["busy"]
    for service in office["services"]:
        assert service["quieter_hours_source"] == "history"
        assert service["quieter_hours"] == body["services"][service["code"]]["quieter"]


def test_ten_days_are_not_enough_and_office_falls_back(
    tmp_path: Path, ref_config: OfficeConfig
) -> None:
    days = weekdays(10)
    db_path = tmp_path / "office.db"
    fill(db_path, ref_config, days)
    with running(ref_config, db_path, next_monday(days)) as client:
        body = get(client, "/hours")
        office = get(client, "/office")
    assert (body["status"], body["history_days"], body["needed_days"]) == (
        "not_enough_history", 10, 20)  # fmt: skip
    assert body["office"] == {"status": "not_enough_history", "quieter": {}, "busy": {},
                              "cells": []}  # fmt: skip
    assert (office["quieter_hours_source"], office["quieter_hours"], office["busy_hours"]) == (
        "none", {}, {})  # fmt: skip
    assert all(s["quieter_hours_source"] == "none" for s in office["services"])
    # An office that declared its quieter hours keeps saying them.
    declared = dataclasses.replace(ref_config, quieter_hours={"mon": ((time(14), time(16)),)})
    with running(declared, db_path, next_monday(days)) as client:
        office = get(client, "/office")
    assert office["quieter_hours_source"] == "declared"
    assert office["quieter_hours"] == {"mon": [["14:00", "16:00"]]} == office["services"][0][
        "quieter_hours"]  # fmt: skip
    assert office["busy_hours"] == {}


def test_ensure_fresh_recomputes_only_weekly(
    forty_days: Path, tmp_path: Path, ref_config: OfficeConfig
) -> None:
    db_path = copy_of(forty_days, tmp_path)
    today = next_monday(weekdays(40))
    first = hours.ensure_fresh(db_path, ref_config, today)
    assert (first.computed_for, first.office.history_days) == (today, 40)
    with sqlite3.connect(db_path) as conn:
        (raw,) = conn.execute("SELECT value FROM meta WHERE key = ?", (hours.META_KEY,)).fetchone()
    conn.close()
    assert json.loads(raw)["computed_for"] == today.isoformat()
    fill(db_path, ref_config, weekdays(5, today), first_seed=1040)  # a new week happens
    cached = hours.ensure_fresh(db_path, ref_config, today + timedelta(days=6))
    assert cached == first  # within 7 days: the stored result, not a recomputation
    later = hours.ensure_fresh(db_path, ref_config, today + timedelta(days=7))
    assert (later.computed_for, later.office.history_days) == (today + timedelta(days=7), 45)
    # Another configuration (here its busy threshold) is not served a stale result.
    other = dataclasses.replace(ref_config, busy_threshold_min=5)
    assert hours.ensure_fresh(db_path, other, today + timedelta(days=8)).computed_for == (
        today + timedelta(days=8))  # fmt: skip


def test_refresh_from_several_threads_computes_once(
    forty_days: Path, tmp_path: Path, ref_config: OfficeConfig
) -> None:
    db_path = copy_of(forty_days, tmp_path)
    today = next_monday(weekdays(40))
    with running(ref_config, db_path, today) as client:
        app: Any = client.app
        results: list[hours.Learned] = []
        workers = [threading.Thread(target=lambda: results.append(hours.refresh(app, today)))
                   for _ in range(3)]  # fmt: skip
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        assert len(results) == 3 and results[0] is results[1] is results[2]
        assert app.state.hours == (today, results[0])
        assert get(client, "/hours")["computed_for"] == today.isoformat()


def test_the_offices_holidays_and_closures_are_not_learned_from(
    forty_days: Path, tmp_path: Path, ref_config: OfficeConfig
) -> None:
    """Days the office declared closed ([appointments] holidays and closures) are left out,
    and declaring one changes the configuration's fingerprint (the cache is recomputed)."""
    days = weekdays(40)
    plan = dataclasses.replace(ref_config.appointments, holidays=frozenset({days[3]}),
                   closures=((days[10], days[11]),))  # fmt: skip
    closed = dataclasses.replace(ref_config, appointments=plan)
    today = next_monday(days)
    db_path = copy_of(forty_days, tmp_path)
    assert hours.compute(db_path, ref_config, today).office.history_days == 40
    assert hours.compute(db_path, closed, today).office.history_days == 37
    assert hours.fingerprint(closed) != hours.fingerprint(ref_config)
