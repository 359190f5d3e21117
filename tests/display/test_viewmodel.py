"""The display's view model with a recording link: snapshots, events, status, /queue refresh."""

from __future__ import annotations

from datetime import timedelta

from pytestqt.qtbot import QtBot

from display import samples
from display.board import Filters
from display.viewmodel import DisplayViewModel
from shared import const
from shared.core.model import OfficeState
from tests.display.display_helpers import FakeLink, Recorder

NOW = samples.NOW


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def make(link: FakeLink, announcer: Recorder, clock: Clock | None = None) -> DisplayViewModel:
    return DisplayViewModel(link, announcer, Filters(), now=lambda tz: NOW,
                            clock=clock or Clock())  # fmt: skip


def test_calls_wait_for_the_counter_names_then_only_young_ones_are_announced(
    qtbot: QtBot,
) -> None:
    link, rec = FakeLink(), Recorder()
    vm = make(link, rec)
    boards = []
    vm.boardChanged.connect(boards.append)
    vm.start()
    assert [n for _, n in link.requests] == ["office", "queue"]
    with qtbot.waitSignal(vm.ready):
        link.statusChanged.emit("connected", "http://hub")
        link.snapshotReceived.emit(samples.state(), 10)
    assert rec.announced == []  # the office (counter names) is not here yet
    link.answer("office", samples.OFFICE)
    # The sample morning: only A042 (called at NOW) is younger than the limit.
    assert [(a.label, a.counter_name) for a in rec.announced] == [("A042", "Guichet 3")]
    assert boards[-1].connected and boards[-1].current.label == "A042"


def test_an_event_is_announced_and_a_lost_link_marks_the_board_stale_at_once(
    qtbot: QtBot,
) -> None:
    link, rec = FakeLink(), Recorder()
    vm = make(link, rec)
    vm.start()
    link.answer("office", samples.OFFICE)
    link.statusChanged.emit("connected", "http://hub")
    link.snapshotReceived.emit(samples.state(), 10)
    rec.announced.clear()
    t = samples.ticket("B020", "G5", NOW + timedelta(seconds=3))
    after = samples.state().with_ticket(t)
    link.eventReceived.emit(after, object(), 11)
    assert [a.label for a in rec.announced] == ["B020"]
    assert vm.board is not None and vm.board.current is not None
    assert vm.board.current.label == "B020" and vm.board.seq == 11
    with qtbot.waitSignal(vm.boardChanged) as blocker:
        link.statusChanged.emit("disconnected", "nothing heard from the hub for 4 s")
    assert not blocker.args[0].connected and blocker.args[0].ever_connected
    # Back: a fresh snapshot with nothing new is not announced again.
    link.statusChanged.emit("connected", "http://hub")
    link.snapshotReceived.emit(after, 12)
    assert [a.label for a in rec.announced] == ["B020"]


def test_the_queue_is_refreshed_after_changes_but_never_more_often_than_the_limit(
    qtbot: QtBot,
) -> None:
    link, rec, clock = FakeLink(), Recorder(), Clock()
    vm = make(link, rec, clock)
    vm.start()
    link.answer("office", samples.OFFICE)
    link.answer("queue", samples.QUEUE)
    state = OfficeState(day=NOW.date())
    for seq in range(5):  # a burst of events: one request at most while one is in flight
        link.eventReceived.emit(state, object(), seq)
    assert [n for _, n in link.requests] == []  # the last answer came just now
    assert vm._queue_timer.isActive()
    clock.t += const.DISPLAY_QUEUE_REFRESH_MIN_S
    qtbot.waitUntil(lambda: [n for _, n in link.requests] == ["queue"], timeout=5000)
    link.answer("queue", samples.QUEUE)
    assert vm.board is not None and vm.board.services[0].waiting == 3
    vm.stop()
