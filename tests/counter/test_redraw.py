"""Other counters' events redraw the agent's window at most every COUNTER_GLANCE_REDRAW_S; a
change to the agent's own counter is drawn at once (a busy office sends dozens a second)."""

from __future__ import annotations

from dataclasses import replace

from pytestqt.qtbot import QtBot

from counter import samples
from shared import const
from tests.counter.counter_helpers import make


def test_other_counters_events_are_drawn_together_and_ours_at_once(qtbot: QtBot) -> None:
    _window, vm, _link = make(qtbot, "idle")  # G3 serving A and C, six waiting
    drawn: list[int] = []
    vm.changed.connect(lambda: drawn.append(1))
    state = vm.state
    assert state is not None
    # Three tickets issued for service D, which this counter does not serve: nothing to do for
    # the agent, so no redraw yet, and then one for the three.
    for n in range(3):
        state = state.with_ticket(samples._t(f"D90{n}", 1))
        vm._event(state, None, 100 + n)
    assert drawn == []
    with qtbot.waitSignal(vm.changed, timeout=int(const.COUNTER_GLANCE_REDRAW_S * 4000)):
        pass
    assert drawn == [1]
    # The agent's own counter changes (its last waiting visitors leave): drawn at once.
    empty = replace(state, tickets={k: t for k, t in state.tickets.items()
                                    if t.service not in ("A", "C")}, queue=None, active=None)  # fmt: skip
    vm._event(empty, None, 200)
    assert drawn == [1, 1] and vm.session.waiting == 0
