"""A real hub on a loopback port under real concurrent HTTP: the single writer's promises.

- two counters racing "call next" never get the same ticket;
- a double tap (the same Idempotency-Key twice at once) gives one ticket;
- kiosks issuing at once get unique, gap-free numbers.

Each test starts its own hub subprocess (tests/hubproc.py) on a fresh database. Devices are
provisioned the way an office does it: one admin token from `montour hub token`, then pairing
codes over the API for the others.
"""

from __future__ import annotations

import statistics
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import httpx
import pytest

from tests.hubproc import HubProcess

pytestmark = pytest.mark.timeout(60)
API = "/api/v1"
T = TypeVar("T")


class Devices:
    """Tokens for a running hub, paired over the API with codes made by an admin."""

    def __init__(self, hub: HubProcess) -> None:
        self.url = hub.url
        self.admin = hub.token("admin", "test admin")

    def pair(self, role: str, name: str) -> str:
        with self.client(self.admin) as admin:
            r = admin.post(f"{API}/pairing-codes", json={"role": role, "name": name})
            assert r.status_code == 201, r.text
            r = admin.post(f"{API}/pair", json={"code": r.json()["code"], "name": name})
            assert r.status_code == 200, r.text
            return str(r.json()["token"])

    def client(self, token: str) -> httpx.Client:
        return httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {token}"}, timeout=20.0
        )


@pytest.fixture
def devices(hub: HubProcess) -> Devices:
    return Devices(hub)


def together(*jobs: Callable[[], T]) -> list[T]:
    """Run the jobs on threads released at the same instant; re-raise the first error."""
    barrier = threading.Barrier(len(jobs))

    def run(job: Callable[[], T]) -> T:
        barrier.wait(10)
        return job()

    with ThreadPoolExecutor(len(jobs)) as pool:
        futures = [pool.submit(run, job) for job in jobs]
        return [f.result() for f in futures]


def issue_many(devices: Devices, token: str, count: int, threads: int = 8) -> list[dict[str, Any]]:
    """`count` A tickets from one kiosk device, `threads` requests in flight at a time."""
    local = threading.local()
    clients: list[httpx.Client] = []
    lock = threading.Lock()

    def issue(_: int) -> dict[str, Any]:
        if not hasattr(local, "client"):
            local.client = devices.client(token)
            with lock:
                clients.append(local.client)
        r = local.client.post(f"{API}/tickets", json={"service": "A"},
                              headers={"Idempotency-Key": uuid.uuid4().hex})  # fmt: skip
        assert r.status_code == 201, r.text
        body: dict[str, Any] = r.json()
        return body

    try:
        with ThreadPoolExecutor(threads) as pool:
            return list(pool.map(issue, range(count)))
    finally:
        for client in clients:
            client.close()


def full_state(devices: Devices, token: str) -> dict[str, Any]:
    with devices.client(token) as client:
        r = client.get(f"{API}/state")
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body


def test_two_counters_racing_call_next_never_share_a_ticket(devices: Devices) -> None:
    kiosk = devices.pair("kiosk", "kiosk hall")
    counter = devices.pair("counter", "agents")
    issued = issue_many(devices, kiosk, 1000)
    assert len({t["id"] for t in issued}) == 1000
    for cid in ("G1", "G2"):  # G1 serves A and B, G2 A and D: both open on A
        with devices.client(counter) as c:
            assert c.post(f"{API}/counters/{cid}/open", json={"services": ["A"]}).status_code == 200

    def race(cid: str) -> tuple[list[str], list[str]]:
        called: list[str] = []
        refused: list[str] = []
        with devices.client(counter) as c:
            for _ in range(500):
                r = c.post(f"{API}/counters/{cid}/call-next")
                if r.status_code == 409:
                    code = r.json()["error"]
                    assert code in ("nothing_waiting", "conflict"), r.text
                    refused.append(code)
                    continue
                assert r.status_code == 200, r.text
                ticket = r.json()["ticket"]
                assert (ticket["state"], ticket["counter"]) == ("called", cid)
                called.append(ticket["id"])
                # Free the counter for its next call.
                r = c.post(f"{API}/tickets/{ticket['id']}/no-show", json={"counter": cid})
                assert r.status_code == 200, r.text
        return called, refused

    (g1, refused1), (g2, refused2) = together(lambda: race("G1"), lambda: race("G2"))
    assert not set(g1) & set(g2), "a ticket was called by both counters"
    assert len(g1) + len(g2) == len(set(g1) | set(g2))
    # 1000 waiting, 1000 presses, one counter never busy with itself: every press calls.
    assert (len(g1) + len(g2), refused1, refused2) == (1000, [], [])
    assert g1 and g2, "one counter never got a ticket: there was no race"
    state = full_state(devices, counter)["state"]
    by_id = {t["id"]: t for t in state["tickets"]}
    for cid, ids in (("G1", g1), ("G2", g2)):
        assert all(by_id[i]["counter"] == cid and by_id[i]["state"] == "no_show" for i in ids)


def test_double_tap_with_the_same_key_gives_one_ticket(devices: Devices) -> None:
    kiosk = devices.pair("kiosk", "kiosk hall")
    counter = devices.pair("counter", "agents")
    keys = [uuid.uuid4().hex for _ in range(20)]
    with devices.client(kiosk) as a, devices.client(kiosk) as b:
        for key in keys:

            def tap(client: httpx.Client, key: str = key) -> tuple[int, dict[str, Any]]:
                r = client.post(f"{API}/tickets", json={"service": "B"},
                                headers={"Idempotency-Key": key})  # fmt: skip
                return r.status_code, r.json()

            (s1, t1), (s2, t2) = together(lambda: tap(a), lambda: tap(b))
            assert (s1, s2) == (201, 201), (t1, t2)
            assert t1 == t2
    tickets = full_state(devices, counter)["state"]["tickets"]
    assert len(tickets) == len(keys)
    assert sorted(t["number"] for t in tickets) == list(range(1, len(keys) + 1))


def test_four_kiosks_at_once_get_unique_gap_free_numbers(devices: Devices) -> None:
    kiosks = [devices.pair("kiosk", f"kiosk {i}") for i in range(4)]
    counter = devices.pair("counter", "agents")
    batches = together(*(lambda token=token: issue_many(devices, token, 150, 2)
                         for token in kiosks))  # fmt: skip
    numbers = [t["number"] for batch in batches for t in batch]
    assert len(numbers) == 600
    assert sorted(numbers) == list(range(1, 601))
    assert all(t["label"] == f"A{t['number']:03d}" for batch in batches for t in batch)
    state = full_state(devices, counter)["state"]
    assert state["last_number"] == {"A": 600}
    assert sorted(t["number"] for t in state["tickets"]) == list(range(1, 601))


def test_answers_on_a_kept_alive_connection_are_not_held_back(hub: HubProcess) -> None:
    """Counters and kiosks keep their connection open. An answer written in two parts
    (headers, then body) on a socket without TCP_NODELAY waits for the client's delayed ACK:
    40 ms on Linux, against ~1 ms for /health otherwise."""
    with httpx.Client(base_url=hub.url, timeout=10.0) as client:
        assert client.get(f"{API}/health").status_code == 200  # connect
        times = []
        for _ in range(20):
            start = time.perf_counter()
            assert client.get(f"{API}/health").status_code == 200
            times.append(time.perf_counter() - start)
    stalled = [t for t in times if t >= 0.035]
    median_ms = statistics.median(times) * 1000
    assert len(stalled) < 5, f"{len(stalled)}/20 answers took >= 35 ms (median {median_ms:.0f} ms)"
