"""Fixtures for the client tests: real hub subprocesses on loopback, and their devices' tokens."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from functools import cached_property

import pytest

from tests.hubproc import HubProcess


class HubPool:
    """Hands out fresh hubs, each with its own database, and launches the next one while the
    current test runs: a hub spends ~0.6 s importing its way up, which is then not waited for."""

    def __init__(self, tmp: pytest.TempPathFactory) -> None:
        self._tmp = tmp
        self._spare: HubProcess | None = None

    def take(self) -> HubProcess:
        hub, self._spare = self._spare or self._launch(), None
        hub.wait_ready()  # on failure it is killed, and the error shows the hub's output
        self._spare = self._launch()
        return hub

    def close(self) -> None:
        spare, self._spare = self._spare, None
        if spare is not None:
            spare.kill()

    def _launch(self) -> HubProcess:
        return HubProcess(self._tmp.mktemp("hub") / "hub.db").launch()


@pytest.fixture(scope="package")
def hub_pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubPool]:
    pool = HubPool(tmp_path_factory)
    try:
        yield pool
    finally:
        pool.close()


@pytest.fixture
def hub(hub_pool: HubPool) -> Iterator[HubProcess]:
    """A hub of the example office on a random loopback port, with a fresh database."""
    proc = hub_pool.take()
    try:
        yield proc
    finally:
        proc.kill()  # its database is thrown away: a clean shutdown would only cost time


class Tokens:
    """One device of each role, provisioned on first use (each is a CLI run: ~0.2 s)."""

    def __init__(self, hub: HubProcess) -> None:
        self._hub = hub

    @cached_property
    def kiosk(self) -> str:
        return self._hub.token("kiosk", "Kiosk hall")

    @cached_property
    def counter(self) -> str:
        return self._hub.token("counter", "Counter 1")

    @cached_property
    def display(self) -> str:
        return self._hub.token("display", "Display hall")


@pytest.fixture
def tokens(hub: HubProcess) -> Tokens:
    return Tokens(hub)


@pytest.fixture
def dead_url() -> Iterator[str]:
    """An address where nothing listens: the port stays bound (so that no other process can
    take it meanwhile) but not listening, so every connection is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
