"""The hub in-process: FastAPI's TestClient (lifespan included), a real SQLite file, a manual clock.

`office` is a running hub with the example configuration, its clock stopped at Monday
2026-11-30 09:00 Europe/Paris, and one device token per role (provisioned in the database
before the hub starts, as `montour hub token` does). `Office` wraps the client with the few
calls every test makes, and `office.unchanged()` checks that a refused request changed nothing.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi.testclient import TestClient

from shared import config as config_mod
from shared.clock import ManualClock
from shared.config import OfficeConfig
from shared.hub import auth
from shared.hub.app import create_app
from shared.hub.context import Hub
from shared.hub.service import HubService
from shared.hub.store import Store

ROOT = Path(__file__).resolve().parents[2]
API = "/api/v1"
PARIS = ZoneInfo("Europe/Paris")
# A Monday; the hub's system clock answers in UTC, so the manual one does too.
START = datetime(2026, 11, 30, 9, 0, tzinfo=PARIS).astimezone(UTC)

DEVICES: dict[str, auth.Role] = {
    "kiosk": auth.Role.KIOSK,
    "kiosk2": auth.Role.KIOSK,
    "counter": auth.Role.COUNTER,
    "counter2": auth.Role.COUNTER,
    "display": auth.Role.DISPLAY,
    "admin": auth.Role.ADMIN,
}


def assert_error(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """The hub's one error shape: exactly `{"error": code, "message": text}`."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "message"}, body
    assert isinstance(body["message"], str) and body["message"].strip(), body
    if code is not None:
        assert body["error"] == code, body
    return body


def leaf_values(data: Any, key: str = "") -> Iterator[tuple[str, Any]]:
    """Every (key, scalar) pair in a JSON document, however deep."""
    if isinstance(data, dict):
        for k, v in data.items():
            yield from leaf_values(v, str(k))
    elif isinstance(data, list):
        for v in data:
            yield from leaf_values(v, key)
    else:
        yield key, data


class Office:
    def __init__(
        self, client: TestClient, clock: ManualClock, tokens: dict[str, str], db_path: Path
    ) -> None:
        self.client = client
        self.clock = clock
        self.tokens = tokens
        self.db_path = db_path

    @property
    def hub(self) -> Hub:
        hub: Hub = self.client.app.state.hub  # type: ignore[attr-defined]
        return hub

    @property
    def service(self) -> HubService:
        return self.hub.service

    # --- HTTP ---------------------------------------------------------------------------

    def headers(self, who: str | None = None, key: str | None = None) -> dict[str, str]:
        out = {}
        if who is not None:
            out["Authorization"] = f"Bearer {self.tokens.get(who, who)}"
        if key is not None:
            out["Idempotency-Key"] = key
        return out

    def post(
        self, path: str, who: str | None = None, json: Any = None, key: str | None = None
    ) -> httpx.Response:
        return self.client.post(API + path, json=json, headers=self.headers(who, key))

    def get(self, path: str, who: str | None = None) -> httpx.Response:
        return self.client.get(API + path, headers=self.headers(who))

    # --- the usual moves ----------------------------------------------------------------

    def issue(
        self, service: str = "A", priority: bool = False, who: str = "kiosk", key: str | None = None
    ) -> dict[str, Any]:
        r = self.post("/tickets", who, {"service": service, "priority": priority}, key)
        assert r.status_code == 201, r.text
        body: dict[str, Any] = r.json()
        return body

    def open(self, counter: str, *services: str) -> dict[str, Any]:
        r = self.post(f"/counters/{counter}/open", "counter", {"services": list(services)})
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    def call_next(self, counter: str) -> dict[str, Any]:
        """Call next and return the called ticket (asserts the call succeeded)."""
        r = self.post(f"/counters/{counter}/call-next", "counter")
        assert r.status_code == 200, r.text
        ticket: dict[str, Any] = r.json()["ticket"]
        assert ticket is not None and ticket["state"] == "called", r.text
        return ticket

    def act(self, ticket_id: str, action: str, body: Any = None) -> httpx.Response:
        return self.post(f"/tickets/{ticket_id}/{action}", "counter", {} if body is None else body)

    def ok(self, response: httpx.Response) -> dict[str, Any]:
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def snapshot(self) -> dict[str, Any]:
        """The full snapshot `{"seq", "state", "services"}` a counter reads."""
        return self.ok(self.get("/state", "counter"))

    def ticket(self, ticket_id: str) -> dict[str, Any]:
        for t in self.snapshot()["state"]["tickets"]:
            if t["id"] == ticket_id:
                return dict(t)
        raise AssertionError(f"no ticket {ticket_id} in the hub's state")

    def status(self, token: str) -> dict[str, Any]:
        return self.ok(self.get(f"/status/{token}"))

    # --- the store, read from outside ---------------------------------------------------

    def events(self) -> list[dict[str, Any]]:
        """The event log as stored, read through a connection of our own."""
        with sqlite3.connect(self.db_path) as conn:
            rows = conn.execute("SELECT seq, day, data FROM events ORDER BY seq").fetchall()
        conn.close()
        return [{"seq": seq, "day": day, **json.loads(data)} for seq, day, data in rows]

    def capture(self) -> tuple[Any, ...]:
        """All a client or the disk can see of the queue: to compare before and after (once the
        estimates were computed for the latest event: they follow it by milliseconds)."""
        estimator = self.hub.estimator
        assert estimator is not None and estimator.wait_for(self.service.seq)
        return (self.snapshot(), self.ok(self.get("/queue")), self.service.seq, self.events())

    @contextmanager
    def unchanged(self) -> Iterator[None]:
        """Assert that whatever the block does leaves the queue, its seq and the log alone."""
        before = self.capture()
        yield
        assert self.capture() == before


@pytest.fixture(scope="session")
def config() -> OfficeConfig:
    return config_mod.load(ROOT / "assets" / "office.example.toml")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "office.db"


@pytest.fixture
def tokens(db_path: Path, clock: ManualClock) -> dict[str, str]:
    """One device per entry of DEVICES, created before the hub starts."""
    store = Store(db_path)
    try:
        with store.transaction() as db:
            return {
                name: auth.create_device(db, role, name, clock.now())
                for name, role in DEVICES.items()
            }
    finally:
        store.close()


StartHub = Callable[[], AbstractContextManager[Office]]


@pytest.fixture
def start_hub(
    config: OfficeConfig, db_path: Path, clock: ManualClock, tokens: dict[str, str]
) -> StartHub:
    """A hub on the test's database; call it again after the first one stopped to restart."""

    @contextmanager
    def start() -> Iterator[Office]:
        app = create_app(config, db_path, clock=clock)
        with TestClient(app) as client:
            yield Office(client, clock, tokens, db_path)

    return start


@pytest.fixture
def office(start_hub: StartHub) -> Iterator[Office]:
    with start_hub() as running:
        yield running
