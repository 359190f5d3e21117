"""ServerLink with pytest-qt: signals reach the GUI thread, requests answer by id, stop() ends all."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from shared.client.link import ServerLink
from shared.client.netthread import NetThread
from shared.client.stream import fixed_hub
from shared.core.events import TicketIssued
from shared.core.model import OfficeState
from tests.client.conftest import Tokens
from tests.hubproc import HubProcess

WAIT_MS = 10_000


class Seen:
    """Every signal of a link, recorded by slots that also check they run on the GUI thread."""

    def __init__(self, link: ServerLink) -> None:
        self.statuses: list[tuple[str, str]] = []
        self.snapshots: list[tuple[OfficeState, int]] = []
        self.events: list[tuple[OfficeState, Any, int]] = []
        self.finished: dict[int, Any] = {}
        self.failed: dict[int, tuple[str, str]] = {}
        self.off_gui_thread = 0
        link.statusChanged.connect(lambda *a: self._add(self.statuses, a))
        link.snapshotReceived.connect(lambda *a: self._add(self.snapshots, a))
        link.eventReceived.connect(lambda *a: self._add(self.events, a))
        link.callFinished.connect(lambda rid, result: self._put(self.finished, rid, result))
        link.callFailed.connect(lambda rid, code, msg: self._put(self.failed, rid, (code, msg)))

    def _on_gui_thread(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            self.off_gui_thread += 1

    def _add(self, into: list[Any], args: tuple[Any, ...]) -> None:
        self._on_gui_thread()
        into.append(args)

    def _put(self, into: dict[int, Any], rid: int, value: Any) -> None:
        self._on_gui_thread()
        into[rid] = value


@pytest.fixture
def make_link() -> Iterator[Any]:
    """Builds links and always stops them, even when a test fails half-way."""
    links: list[ServerLink] = []

    def make(url: str, token: str | None) -> tuple[ServerLink, Seen]:
        link = ServerLink(fixed_hub(url), token, heartbeat_timeout_s=3.5)
        links.append(link)
        return link, Seen(link)

    try:
        yield make
    finally:
        for link in links:
            link.stop()


def test_status_snapshot_request_and_event(
    qtbot: QtBot, hub: HubProcess, tokens: Tokens, make_link: Any
) -> None:
    link, seen = make_link(hub.url, tokens.kiosk)
    with qtbot.waitSignal(
        link.statusChanged, timeout=WAIT_MS, check_params_cb=lambda s, d: s == "connected"
    ):
        link.start()
    qtbot.waitUntil(lambda: len(seen.snapshots) == 1, timeout=WAIT_MS)
    state, seq = seen.snapshots[0]
    assert isinstance(state, OfficeState) and state.tickets == {} and seq >= 1

    request_id = link.request("issue", "A", lang="en")
    qtbot.waitUntil(lambda: request_id in seen.finished, timeout=WAIT_MS)
    ticket = seen.finished[request_id]
    assert ticket["label"] == "A001" and ticket["lang"] == "en" and ticket["state"] == "waiting"
    qtbot.waitUntil(lambda: len(seen.events) == 1, timeout=WAIT_MS)
    after, event, event_seq = seen.events[0]
    assert isinstance(event, TicketIssued) and event.ticket == ticket["id"]
    assert event_seq == seq + 1 and ticket["id"] in after.tickets

    assert [s for s, _ in seen.statuses] == ["connecting", "connected"]
    assert seen.failed == {} and seen.off_gui_thread == 0


def test_a_refused_request_fails_with_the_hubs_message(
    qtbot: QtBot, hub: HubProcess, tokens: Tokens, make_link: Any
) -> None:
    link, seen = make_link(hub.url, tokens.counter)
    link.start()
    first = link.request("call_next", "G1")
    second = link.request("complete", "no-such-ticket", "done")
    assert second == first + 1
    qtbot.waitUntil(lambda: {first, second} <= seen.failed.keys(), timeout=WAIT_MS)
    assert seen.failed[first] == ("conflict", "G1 is closed: open it first.")
    assert seen.failed[second] == ("not_found", "There is no ticket no-such-ticket today.")
    assert seen.finished == {} and seen.off_gui_thread == 0


def test_bad_requests(qtbot: QtBot, dead_url: str, make_link: Any) -> None:
    link, seen = make_link(dead_url, None)
    link.start()
    with pytest.raises(ValueError, match="not a hub request"):
        link.request("_request", "GET", "/health")
    unreachable = link.request("health")
    wrong_args = link.request("issue")  # a programming error still gets an answer
    qtbot.waitUntil(lambda: {unreachable, wrong_args} <= seen.failed.keys(), timeout=WAIT_MS)
    assert seen.failed[unreachable][0] == "unreachable"
    assert seen.failed[wrong_args][0] == "client_error"
    qtbot.waitUntil(lambda: "disconnected" in [s for s, _ in seen.statuses], timeout=WAIT_MS)


def test_stop_leaves_no_thread_running(
    qtbot: QtBot, hub: HubProcess, tokens: Tokens, make_link: Any
) -> None:
    before = set(threading.enumerate())
    link, seen = make_link(hub.url, tokens.display)
    link.start()
    qtbot.waitUntil(lambda: len(seen.snapshots) == 1, timeout=WAIT_MS)
    thread = link.net_thread
    assert thread.is_alive()

    link.stop()
    assert not thread.is_alive()
    assert set(threading.enumerate()) <= before
    link.stop()  # twice is harmless
    with pytest.raises(RuntimeError):
        link.request("health")


def test_net_thread_runs_coroutines_and_cancels_what_is_left_at_stop() -> None:
    thread = NetThread()
    thread.start()
    thread.wait_ready(5.0)
    try:
        assert thread.submit(asyncio.sleep(0, result=42)).result(timeout=5.0) == 42
        started, cleaned_up = threading.Event(), threading.Event()

        async def forever() -> None:
            started.set()
            try:
                await asyncio.Event().wait()
            finally:
                cleaned_up.set()

        pending = thread.submit(forever())
        assert started.wait(5.0)
    finally:
        thread.stop()
    assert not thread.is_alive() and cleaned_up.is_set() and pending.cancelled()
    coro = asyncio.sleep(0)
    with pytest.raises(RuntimeError):
        thread.submit(coro)
