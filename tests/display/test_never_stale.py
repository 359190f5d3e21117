"""Issue 4, point 4: a display is never silently stale. A real hub process, a real public
ServerLink, and a loopback proxy between them that the test cuts and restores."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from display.board import Filters
from display.theme import Viewing
from display.viewmodel import DisplayViewModel
from display.window import DisplayWindow
from shared import const
from shared.client.api import HubClient
from shared.client.link import ServerLink
from shared.client.stream import fixed_hub
from tests.display.display_helpers import Recorder
from tests.hubproc import HubProcess
from tests.tcpproxy import TcpProxy

BANNER_LIMIT_S = 5.0  # issue 4: the display says it lost the hub within 5 s


def api(hub: HubProcess, role: str, name: str, method: str, *args: Any) -> Any:
    async def go() -> Any:
        async with HubClient(hub.url, token=hub.token(role, name)) as client:
            return await getattr(client, method)(*args)

    return asyncio.run(go())


@pytest.fixture
def proxy(hub: HubProcess) -> Iterator[TcpProxy]:
    with TcpProxy(hub.url) as p:
        yield p


def test_cut_banner_call_while_cut_restore_shows_that_call(
    qtbot: QtBot, hub: HubProcess, proxy: TcpProxy
) -> None:
    first = api(hub, "kiosk", "K1", "issue", "A", False, "fr")
    second = api(hub, "kiosk", "K1", "issue", "A", False, "ar")
    api(hub, "counter", "G1", "open_counter", "G1", ["A"])
    api(hub, "counter", "G2", "open_counter", "G2", ["A"])

    link = ServerLink(fixed_hub(proxy.url), None,
                      heartbeat_timeout_s=const.DISPLAY_HEARTBEAT_TIMEOUT_S)  # fmt: skip
    announcer = Recorder()
    vm = DisplayViewModel(link, announcer, Filters())
    window = DisplayWindow(Viewing(), animate=False)
    qtbot.addWidget(window)
    window.resize(1920, 1080)
    vm.boardChanged.connect(window.show_board)
    window.show()
    link.start()
    try:
        vm.start()
        qtbot.waitUntil(lambda: vm.board is not None and vm.board.connected
                        and vm.office is not None, timeout=10_000)  # fmt: skip
        api(hub, "counter", "G1", "call_next", "G1")
        qtbot.waitUntil(lambda: window.call.label.text() == first["label"], timeout=5000)
        assert window.call.counter.text() == "→ Guichet 1"
        assert [a.label for a in announcer.announced] == [first["label"]]

        proxy.cut()  # silence, not a closed socket: only the heartbeat can notice
        cut_at = time.monotonic()
        qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=int(BANNER_LIMIT_S * 1000))
        lost_after = time.monotonic() - cut_at
        assert lost_after <= BANNER_LIMIT_S
        assert window.banner.text().startswith("Liaison perdue")

        api(hub, "counter", "G2", "call_next", "G2")  # made while the display cannot hear
        assert window.call.label.text() == first["label"]  # nothing invented meanwhile

        proxy.restore()
        qtbot.waitUntil(lambda: window.call.label.text() == second["label"]
                        and not window.banner.isVisible(), timeout=30_000)  # fmt: skip
        assert window.call.counter.text() == "→ Guichet 2"
        # Young enough to be announced after the reconnection, in the visitor's language too.
        assert [(a.label, a.lang) for a in announcer.announced] == [
            (first["label"], "fr"),
            (second["label"], "ar"),
        ]
        print(f"banner {lost_after:.2f} s after the cut")
    finally:
        vm.stop()
        link.stop()
