"""The whole path through the three apps' view models and windows, against a real hub process on
loopback: a visitor takes a ticket at the kiosk, an agent calls it at the counter, the wall
display shows and announces the call, the agent completes it; a priority visitor who arrives
later is called first with the reason saying so; a transfer reaches the other service's counter
with its note."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from counter.session import Action, Phase
from counter.viewmodel import CounterViewModel
from counter.window import CounterWindow
from display.board import Filters
from display.theme import Viewing
from display.viewmodel import DisplayViewModel
from display.window import DisplayWindow
from kiosk.flow import Screen, initial
from kiosk.printing import PrintWorker
from kiosk.viewmodel import KioskViewModel
from kiosk.window import KioskWindow
from shared.client.link import ServerLink
from shared.client.stream import fixed_hub
from shared.ui.speech import Speaker
from tests.hubproc import HubProcess

WAIT_MS = 10_000


class Announced:
    """The display's announcer, recording what it was asked to say (the sound itself is tested
    with a PulseAudio null sink in tests/display/test_announcer_sound.py)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def announce(self, a: Any) -> None:
        self.calls.append((a.label, a.counter_name))


class Office:
    """A kiosk, a wall display and counters, each with its own link to the hub."""

    def __init__(self, qtbot: QtBot, hub: HubProcess, tickets: Path) -> None:
        self.qtbot, self.hub = qtbot, hub
        self.links: list[ServerLink] = []
        self.stoppers: list[Any] = []
        # The kiosk, printing to PNG files.
        link = self._link(hub.token("kiosk", "Kiosk hall"))
        self.printer = PrintWorker(f"preview:{tickets}")
        self.kiosk_window = KioskWindow()
        qtbot.addWidget(self.kiosk_window)
        speaker = Speaker(self.kiosk_window, engine="none")
        self.kiosk = KioskViewModel(link, self.printer, speaker, initial(),
                                    parent=self.kiosk_window)  # fmt: skip
        self.kiosk.viewChanged.connect(self.kiosk_window.render)
        self.printer.start()
        self.stoppers.append(self.printer.stop)
        # The wall display (read-only: no token).
        self.announced = Announced()
        self.display = DisplayViewModel(self._link(None), self.announced, Filters())
        self.board = DisplayWindow(Viewing(), animate=False)
        qtbot.addWidget(self.board)
        self.board.resize(1920, 1080)
        self.display.boardChanged.connect(self.board.show_board)
        for link in self.links:
            link.start()
        self.kiosk.start()
        self.display.start()
        self.stoppers.append(self.display.stop)
        qtbot.waitUntil(lambda: self.kiosk.state.screen is Screen.WELCOME, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: self.display.board is not None and self.display.board.connected,
                        timeout=WAIT_MS)  # fmt: skip

    def _link(self, token: str | None) -> ServerLink:
        link = ServerLink(fixed_hub(self.hub.url), token)
        self.links.append(link)
        return link

    def counter(self, name: str, counter: str, services: list[str]) -> CounterViewModel:
        link = self._link(self.hub.token("counter", f"Desk {counter}"))
        vm = CounterViewModel(link, "fr")
        window = CounterWindow(vm)
        self.qtbot.addWidget(window)
        link.start()
        vm.start()
        self.stoppers.append(vm.stop)
        self.qtbot.waitUntil(lambda: vm.session.connected and vm.office is not None,
                             timeout=WAIT_MS)  # fmt: skip
        assert vm.sign_in(name, counter, services)
        self.idle(vm)
        return vm

    def idle(self, vm: CounterViewModel) -> None:
        self.qtbot.waitUntil(lambda: vm.session.phase is Phase.IDLE and vm.session.pending is None,
                             timeout=WAIT_MS)  # fmt: skip

    def take_ticket(self, service: str, priority: bool = False) -> dict[str, Any]:
        """A visitor at the kiosk: take, the service, priority or not, take my ticket."""
        for button, screen in (("take", Screen.SERVICES), (f"service:{service}", Screen.PRIORITY),
                               ("yes" if priority else "no", Screen.CONFIRM)):  # fmt: skip
            self.kiosk.press(button)
            self.qtbot.waitUntil(lambda s=screen: self.kiosk.state.screen is s, timeout=WAIT_MS)
        self.qtbot.waitUntil(lambda: self.kiosk.state.preview is not None, timeout=WAIT_MS)
        self.kiosk.press("issue")
        self.qtbot.waitUntil(lambda: self.kiosk.state.ticket is not None, timeout=WAIT_MS)
        ticket = self.kiosk.state.ticket
        assert ticket is not None
        self.kiosk.press("finish")  # the next visitor starts from the welcome screen
        self.qtbot.waitUntil(lambda: self.kiosk.state.screen is Screen.WELCOME, timeout=WAIT_MS)
        return dict(ticket)

    def call(self, vm: CounterViewModel) -> None:
        self.qtbot.waitUntil(lambda: vm.actions[Action.CALL_NEXT], timeout=WAIT_MS)
        assert vm.call_next()
        self.qtbot.waitUntil(lambda: vm.session.phase is Phase.CALLED and vm.why is not None
                             and vm.session.pending is None, timeout=WAIT_MS)  # fmt: skip

    def close(self) -> None:
        for stop in self.stoppers:
            stop()
        for link in self.links:
            link.stop()


@pytest.fixture
def office(qtbot: QtBot, hub: HubProcess, tmp_path: Path) -> Iterator[Office]:
    (tmp_path / "tickets").mkdir()
    made = Office(qtbot, hub, tmp_path / "tickets")
    try:
        yield made
    finally:
        made.close()


def test_kiosk_counter_display_through_a_day(qtbot: QtBot, office: Office, tmp_path: Path) -> None:
    first = office.take_ticket("A")
    assert first["label"].startswith("A")
    qtbot.waitUntil(lambda: any(first["label"] in p.name
                                for p in (tmp_path / "tickets").glob("*.png")),
                    timeout=WAIT_MS)  # fmt: skip

    g1 = office.counter("Nadia", "G1", ["A", "B"])
    office.call(g1)
    assert g1.session.ticket is not None and g1.session.ticket.label == first["label"]
    # The display shows the call to Guichet 1 and announces it once.
    qtbot.waitUntil(lambda: office.board.call.label.text() == first["label"], timeout=WAIT_MS)
    assert office.display.board is not None and office.display.board.current is not None
    assert office.display.board.current.counter_name == "Guichet 1"
    qtbot.waitUntil(lambda: office.announced.calls == [(first["label"], "Guichet 1")],
                    timeout=WAIT_MS)  # fmt: skip

    assert g1.start_service()
    qtbot.waitUntil(lambda: g1.session.phase is Phase.SERVING and g1.session.pending is None,
                    timeout=WAIT_MS)  # fmt: skip
    assert g1.complete("done")
    office.idle(g1)

    # Two visitors come: an ordinary one, then a priority one, who is called first.
    plain = office.take_ticket("A")
    urgent = office.take_ticket("A", priority=True)
    qtbot.waitUntil(lambda: g1.session.waiting == 2, timeout=WAIT_MS)
    office.call(g1)
    assert g1.session.ticket is not None and g1.session.ticket.label == urgent["label"]
    assert g1.why is not None and g1.why.priority and "prioritaire" in g1.why.reason.lower()
    # The display shows it like any other call: nothing says "priority" there.
    qtbot.waitUntil(lambda: office.board.call.label.text() == urgent["label"], timeout=WAIT_MS)
    assert office.announced.calls[-1] == (urgent["label"], "Guichet 1")

    # That visitor needs another service: transferred to C with a note, G5 receives it.
    assert g1.start_service()
    qtbot.waitUntil(lambda: g1.session.phase is Phase.SERVING and g1.session.pending is None,
                    timeout=WAIT_MS)  # fmt: skip
    assert g1.transfer("C", head=True, note="Pièce d'identité vue")
    office.idle(g1)
    g5 = office.counter("Karim", "G5", ["C"])
    office.call(g5)
    assert g5.session.ticket is not None and g5.session.ticket.label == urgent["label"]
    assert g5.why is not None and g5.why.note is not None and "Pièce d'identité vue" in g5.why.note
    qtbot.waitUntil(lambda: office.announced.calls[-1] == (urgent["label"], "Guichet 5"),
                    timeout=WAIT_MS)  # fmt: skip

    # The ordinary visitor is next at G1; the whole path left the queue consistent.
    office.call(g1)
    assert g1.session.ticket is not None and g1.session.ticket.label == plain["label"]
    assert [label for label, _ in office.announced.calls] == [
        first["label"],
        urgent["label"],
        urgent["label"],
        plain["label"],
    ]
