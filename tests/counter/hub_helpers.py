"""Counter apps on a REAL hub: a ServerLink with a counter token, its view model and window.

`api()` plays another device (a kiosk, a second counter) with a plain HubClient; `CounterApp`
is one counter app as `montour counter` builds it; the `apps` fixture (conftest.py) stops
every app a test made, so no network thread outlives the test.
"""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

from pytestqt.qtbot import QtBot

from counter.viewmodel import CounterViewModel
from counter.window import CounterWindow
from shared.client.api import HubClient
from shared.client.link import ServerLink
from shared.client.stream import fixed_hub
from tests.hubproc import HubProcess


def api(
    hub: HubProcess, role: str, name: str, method: str, *args: Any, agent: str | None = None,
    **kwargs: Any,
) -> Any:  # fmt: skip
    async def go() -> Any:
        async with HubClient(hub.url, token=hub.token(role, name), agent=agent) as client:
            return await getattr(client, method)(*args, **kwargs)

    return asyncio.run(go())


class CounterApp:
    """One counter app: a real ServerLink with a counter token, its view model and window."""

    def __init__(self, qtbot: QtBot, url: str, token: str) -> None:
        self.link = ServerLink(fixed_hub(url), token)
        self.vm = CounterViewModel(self.link, "fr")
        self.window = CounterWindow(self.vm)
        qtbot.addWidget(self.window)
        self.link.start()
        self.vm.start()
        qtbot.waitUntil(lambda: self.vm.session.connected and self.vm.office is not None,
                        timeout=10_000)  # fmt: skip

    def close(self) -> None:
        self.vm.stop()
        self.link.stop()


def settled(vm: CounterViewModel) -> bool:
    return vm.session.pending is None


def access_log(hub: HubProcess, kind: str) -> list[tuple[str, str]]:
    """(agent, ref) of every read of personal data of this kind the hub logged."""
    with sqlite3.connect(hub.db) as conn:
        rows = conn.execute("SELECT agent, ref FROM access_log WHERE kind = ? ORDER BY at, rowid",
                            (kind,)).fetchall()  # fmt: skip
    conn.close()
    return [(str(a), str(r)) for a, r in rows]
