"""The view model with real parts: a hub process, the ServerLink, a real PrintWorker."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest

from kiosk.flow import Screen, initial
from kiosk.printing import PrintWorker
from kiosk.viewmodel import KioskViewModel
from shared.client.link import ServerLink
from shared.client.stream import fixed_hub
from shared.ui.speech import Speaker
from tests.hubproc import HubProcess

WAIT_MS = 15_000


@pytest.fixture
def kiosk(qtbot, hub: HubProcess, request: pytest.FixtureRequest) -> Iterator[KioskViewModel]:  # type: ignore[no-untyped-def]
    uri = getattr(request, "param", None) or f"preview:{hub.db.parent}"
    link = ServerLink(fixed_hub(hub.url), hub.token("kiosk", "Kiosk hall"),
                      reconnect_initial_s=0.05, reconnect_max_s=0.2, heartbeat_timeout_s=1.0)  # fmt: skip
    printer = PrintWorker(uri)
    speaker = Speaker(engine="none")
    vm = KioskViewModel(link, printer, speaker, initial())
    link.start()
    printer.start()
    vm.start()
    try:
        qtbot.waitUntil(lambda: vm.state.screen is Screen.WELCOME, timeout=WAIT_MS)
        yield vm
    finally:
        vm.stop()
        link.stop()
        printer.stop()


def _to_confirm(qtbot, vm: KioskViewModel, service: str = "A") -> None:  # type: ignore[no-untyped-def]
    for button in ("take", f"service:{service}", "no"):
        vm.press(button)
    qtbot.waitUntil(lambda: vm.state.preview is not None, timeout=WAIT_MS)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_office_languages_and_services_come_from_the_hub(kiosk: KioskViewModel) -> None:
    assert kiosk.state.languages == ("fr", "en", "ar")
    assert kiosk.office is not None and kiosk.office["name"] == "France Services Villeneuve"
    assert kiosk.queue is not None and "A" in kiosk.queue["services"]


def test_hub_down_then_back_recovers_by_itself(
    qtbot, kiosk: KioskViewModel, hub: HubProcess
) -> None:  # type: ignore[no-untyped-def]
    hub.stop()
    qtbot.waitUntil(lambda: kiosk.state.screen is Screen.HUB_DOWN, timeout=WAIT_MS)
    assert kiosk.current is not None
    assert kiosk.current.title == "Nous ne pouvons pas donner de ticket pour le moment"
    hub.start()
    qtbot.waitUntil(lambda: kiosk.state.screen is Screen.WELCOME, timeout=WAIT_MS)


def test_issue_while_the_hub_is_down_then_retry_gives_one_ticket(
    qtbot, kiosk: KioskViewModel, hub: HubProcess
) -> None:  # type: ignore[no-untyped-def]
    _to_confirm(qtbot, kiosk)
    hub.stop()
    kiosk.press("issue")
    qtbot.waitUntil(lambda: kiosk.state.screen is Screen.HUB_DOWN, timeout=WAIT_MS)
    key = kiosk.state.issue_key
    assert key and kiosk.state.ticket is None
    hub.start()
    qtbot.waitUntil(lambda: kiosk.state.screen is Screen.CONFIRM, timeout=WAIT_MS)
    assert kiosk.state.issue_key == key  # the same key for the same visitor's action
    kiosk.press("issue")
    qtbot.waitUntil(lambda: kiosk.state.screen is Screen.TAKE_TICKET, timeout=WAIT_MS)
    queue = httpx.get(f"{hub.url}/api/v1/queue", trust_env=False).json()
    assert queue["services"]["A"]["waiting"] == 1


@pytest.mark.parametrize("kiosk", [f"tcp://127.0.0.1:{_closed_port()}"], indirect=True)
def test_printer_failure_shows_the_ticket_and_reports_to_the_hub(
    qtbot, kiosk: KioskViewModel, hub: HubProcess
) -> None:  # type: ignore[no-untyped-def]
    _to_confirm(qtbot, kiosk)
    kiosk.press("issue")
    qtbot.waitUntil(lambda: kiosk.state.screen is Screen.PRINT_FAILED, timeout=WAIT_MS)
    view = kiosk.current
    assert view is not None and kiosk.state.ticket is not None
    assert view.big == kiosk.state.ticket["label"] and view.qr == kiosk.state.ticket["page_url"]
    assert kiosk.state.printer_state == "offline"

    def reported() -> bool:
        health = httpx.get(f"{hub.url}/api/v1/health", trust_env=False).json()
        return [p["state"] for p in health.get("printers", [])] == ["offline"]

    qtbot.waitUntil(reported, timeout=WAIT_MS)
    kiosk.press("reprint")  # still offline: the on-screen ticket stays, nothing is lost
    qtbot.waitUntil(lambda: kiosk.state.screen is Screen.PRINT_FAILED, timeout=WAIT_MS)


def test_call_back_is_stored_on_the_hub(qtbot, kiosk: KioskViewModel) -> None:  # type: ignore[no-untyped-def]
    _to_confirm(qtbot, kiosk)
    kiosk.press("callback")
    for digit in "0612345678":
        kiosk.press(f"digit:{digit}")
    kiosk.press("next")
    assert kiosk.state.screen is Screen.CONSENT
    kiosk.press("agree")
    qtbot.waitUntil(lambda: kiosk.state.screen is Screen.CALLBACK_DONE, timeout=WAIT_MS)
    assert kiosk.state.callback is not None and "delete_after" in kiosk.state.callback
