"""Pairing a kiosk with its hub: trade the one-time code for a token and keep it.

The set-up screen asks `Pairer.pair(code)`; the work (discovery, two HTTP calls, writing the
credentials file) runs on the pairer's own network thread and the answer is a Future, so the
GUI thread never waits. `--pair CODE` at start-up does the same through
`shared.client.pairing.pair_with_hub`.
"""

from __future__ import annotations

import concurrent.futures
from pathlib import Path

from shared.client.credentials import Credentials
from shared.client.netthread import NetThread
from shared.client.pairing import pair_with_hub
from shared.discovery import Interfaces


class Pairer:
    """Pairs from the set-up screen. Call `stop()` when the app closes."""

    def __init__(
        self, name: str, hub_url: str | None, discovery: Interfaces,
        directory: Path | None = None,
    ) -> None:  # fmt: skip
        self._args = (name, hub_url, discovery, directory)
        self._thread: NetThread | None = None

    def pair(self, code: str) -> concurrent.futures.Future[Credentials]:
        if self._thread is None:
            self._thread = NetThread("montour-pairing")
            self._thread.start()
            self._thread.wait_ready()
        name, hub_url, discovery, directory = self._args
        return self._thread.submit(
            pair_with_hub("kiosk", code, name, hub_url, discovery, directory)
        )

    def stop(self) -> None:
        if self._thread is not None:
            self._thread.stop()
            self._thread = None
