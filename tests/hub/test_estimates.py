"""The hub's estimator: fitted on the office's history at start-up and each new day, recomputed
after every event off the writer thread, announced to the clients (shared/hub/estimates.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared import const
from shared.clock import ManualClock
from shared.config import OfficeConfig
from shared.core.model import ServiceCode
from shared.hub.app import create_app
from tests import simdb
from tests.hub.conftest import API, PARIS, START, Office

EVENTS = f"{API}/events"
A = ServiceCode("A")


def fill_history(db_path: Path, days: int) -> None:
    """The reference office's days (seeds 1000…) on the weekdays before START."""
    played: list[date] = []
    day = START.astimezone(PARIS).date()
    while len(played) < days:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            played.append(day)
    simdb.fill(db_path, sorted(played), PARIS)


def wait_for_estimates(ws: Any) -> dict[str, Any]:
    """The next estimates announcement (events and pings in between are skipped)."""
    while True:
        message = json.loads(ws.receive_text())
        if message["type"] == "estimates":
            return message


@pytest.fixture
def history_office(
    config: OfficeConfig, db_path: Path, clock: ManualClock, tokens: dict[str, str]
) -> Iterator[Office]:
    fill_history(db_path, 5)
    app = create_app(config, db_path, clock=clock)
    with TestClient(app) as client:
        yield Office(client, clock, tokens, db_path)


def test_the_hub_fits_its_parameters_on_its_history_at_start_up(history_office: Office) -> None:
    estimator = history_office.hub.estimator
    assert estimator is not None
    assert estimator.fitted_for == START.astimezone(PARIS).date()
    # The reference office's identity papers take 10 min on average (lognormal, CV 0.5).
    assert A in estimator.params.services
    assert 8.5 < estimator.params.service_time(A, False).mean < 11.5
    assert estimator.params.priority_rates  # priority arrivals learnt per slot


def test_without_history_the_configured_times_are_used(office: Office) -> None:
    estimator = office.hub.estimator
    assert estimator is not None and not estimator.params.services
    configured = office.hub.config.rules.services[A].mean_service_min
    assert estimator.params.service_time(A, False).mean == pytest.approx(configured)


def test_every_change_is_announced_and_the_queue_then_shows_the_new_range(office: Office) -> None:
    with office.client.websocket_connect(f"{EVENTS}?token={office.tokens['display']}") as ws:
        assert json.loads(ws.receive_text())["type"] == "snapshot"
        assert office.get("/queue?state=false").json()["services"]["A"]["wait"] is None
        office.open("G1", "A")
        seen = wait_for_estimates(ws)
        assert seen["seq"] >= 1
        before = office.get("/queue?state=false").json()["services"]["A"]["wait"]
        assert before is not None
        for _ in range(6):
            office.issue("A")
        while True:  # the estimates computed for a state with the six tickets
            seen = wait_for_estimates(ws)
            after = office.get("/queue?state=false").json()["services"]["A"]["wait"]
            if after["mean_min"] > before["mean_min"] + 30:
                break
        assert after["low_min"] % 5 == 0 and after["high_min"] % 5 == 0
        assert after["low_min"] <= after["mean_min"] <= after["high_min"]


def test_a_ticket_is_printed_with_the_range_its_preview_showed(office: Office) -> None:
    office.open("G1", "A")
    for _ in range(3):
        office.issue("A")
    estimator = office.hub.estimator
    assert estimator is not None
    assert estimator.wait_for(office.service.seq)  # the book holds the three tickets
    preview = office.get("/services/A/preview").json()
    printed = office.issue("A")
    assert printed["estimate"]["wait"] == preview["wait"]
    assert printed["estimate"]["position"] == preview["position"] == 4
    # Once recomputed with the ticket in it, its figures start from the printed ones (they
    # move only by 2 min or more).
    assert estimator.wait_for(office.service.seq)
    status = office.status(printed["token"])["estimate"]["wait"]
    moved = abs(status["mean_min"] - preview["wait"]["mean_min"])
    assert moved == 0 or moved >= 2


def test_remaining_waits_shrink_as_time_passes_without_any_event(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    estimator = office.hub.estimator
    assert estimator is not None
    office.open("G1", "A")
    tickets = [office.issue("A") for _ in range(4)]
    office.call_next("G1")  # the first visitor is served; three wait
    last = tickets[-1]["token"]
    assert estimator.wait_for(office.service.seq)
    before = office.status(last)["estimate"]["wait"]["mean_min"]
    # Fifteen minutes of service at G1 and no event at all: the periodic recomputation (made
    # frequent here) catches up with the clock.
    monkeypatch.setattr(const, "ESTIMATE_REFRESH_S", 0.01)
    later = office.clock.advance(15 * 60)
    estimator.notify(office.service.state, office.service.seq)  # wake it from its 30 s wait
    assert estimator.wait_for(office.service.seq, at=later)
    assert office.status(last)["estimate"]["wait"]["mean_min"] <= before - 2


def test_a_new_day_refits_and_runs_the_nightly_hooks(office: Office) -> None:
    estimator = office.hub.estimator
    assert estimator is not None
    days: list[date] = []
    estimator.on_new_day.append(days.append)
    office.clock.advance(24 * 3600)
    office.open("G1", "A")  # an event: the estimator wakes on the new day
    assert estimator.wait_for(office.service.seq)  # the hooks run before that book
    assert days == [(START + timedelta(days=1)).astimezone(PARIS).date()]
    assert estimator.fitted_for == days[0]


def test_a_slow_replay_switches_to_the_deterministic_pass(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    estimator = office.hub.estimator
    assert estimator is not None
    monkeypatch.setattr(const, "ESTIMATE_SLOW_S", 0.0)  # every replay is "too slow"
    office.open("G1", "A")
    assert estimator.wait_for(office.service.seq)  # a full replay, found "too slow"
    office.issue("A")
    assert estimator.wait_for(office.service.seq)
    assert estimator.book.degraded
    preview = office.get("/services/A/preview").json()
    assert preview["wait"] is not None  # degraded, not silent
