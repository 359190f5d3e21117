"""Pairing a kiosk with its hub: trade the one-time code for a token and keep it.

The set-up screen asks `Pairer.pair(code)`; the work (discovery, two HTTP calls, writing the
credentials file) runs on the pairer's own network thread and the answer is a Future, so the
GUI thread never waits. `pair_with_hub` is the same work for `--pair CODE` at start-up.
"""

from __future__ import annotations

import concurrent.futures
from pathlib import Path

from shared.client import credentials
from shared.client.api import ClientError, HubClient
from shared.client.credentials import Credentials
from shared.client.netthread import NetThread
from shared.discovery import DiscoveryError, Interfaces, find_hub


async def pair_with_hub(
    code: str, name: str, hub_url: str | None, discovery: Interfaces,
    directory: Path | None = None,
) -> Credentials:  # fmt: skip
    """Pair, save the credentials, and return them. Raises ClientError: the hub's refusal
    ("unauthorized" for a wrong, used or expired code) or "unreachable" (no hub found)."""
    try:
        url = hub_url or (await find_hub(None, discovery)).url
    except DiscoveryError as exc:
        raise ClientError(0, "unreachable", str(exc)) from exc
    async with HubClient(url) as hub:
        answer = await hub.pair(code, name)
        office = str((await hub.office())["id"])
    creds = Credentials("kiosk", office, url, str(answer["token"]), name)
    # Written here, on the network thread: a small file, and the GUI thread never waits for it.
    credentials.save(creds, directory)
    return creds


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
        return self._thread.submit(pair_with_hub(code, name, hub_url, discovery, directory))

    def stop(self) -> None:
        if self._thread is not None:
            self._thread.stop()
            self._thread = None
