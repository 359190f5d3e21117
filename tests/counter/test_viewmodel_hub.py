"""The counter's view model against a REAL hub on loopback: sign in, open, call next with its
reason, start, complete; a transfer's note reaches the other service's counter; a cut link
disables everything, and restoring it resumes without a duplicate call."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from counter.session import Action, Phase
from tests.counter.hub_helpers import CounterApp, api, settled
from tests.hubproc import HubProcess
from tests.tcpproxy import TcpProxy


def test_a_day_at_the_counter(qtbot: QtBot, hub: HubProcess, apps: list[CounterApp]) -> None:
    first = api(hub, "kiosk", "K1", "issue", "A", False, "fr")
    g1 = CounterApp(qtbot, hub.url, hub.token("counter", "Desk G1"))
    apps.append(g1)
    vm = g1.vm
    assert vm.sign_in("Nadia", "G1", ["A", "B"])
    qtbot.waitUntil(lambda: vm.session.phase is Phase.IDLE and settled(vm), timeout=5000)
    qtbot.waitUntil(lambda: vm.actions[Action.CALL_NEXT], timeout=5000)

    pressed = time.perf_counter()
    assert vm.call_next()
    qtbot.waitUntil(lambda: g1.window.card.number.text() == first["label"], timeout=5000)
    print(f"call next → ticket shown: {1000 * (time.perf_counter() - pressed):.1f} ms")
    qtbot.waitUntil(lambda: vm.why is not None and vm.why.reason != "", timeout=5000)
    assert vm.why is not None
    assert vm.why.reason.startswith("Le plus ancien en attente pour Papiers d'identité")
    assert g1.window.card.reason.text() == vm.why.reason

    # A priority visitor arrives later and is called first, with the reason saying so.
    assert vm.start_service()
    qtbot.waitUntil(lambda: vm.session.phase is Phase.SERVING and settled(vm), timeout=5000)
    assert vm.complete("done")
    qtbot.waitUntil(lambda: vm.session.phase is Phase.IDLE and settled(vm), timeout=5000)
    assert g1.window.message.text() == f"{first['label']} terminé"
    api(hub, "kiosk", "K1", "issue", "A", False, "fr")
    prio = api(hub, "kiosk", "K1", "issue", "A", True, "fr")
    qtbot.waitUntil(lambda: vm.actions[Action.CALL_NEXT] and vm.session.waiting == 2,
                    timeout=5000)  # fmt: skip
    assert vm.call_next()
    qtbot.waitUntil(lambda: vm.why is not None and vm.session.ticket is not None
                    and vm.session.ticket.label == prio["label"], timeout=5000)  # fmt: skip
    assert vm.why is not None and vm.why.priority
    assert vm.why.reason.startswith("Visiteur prioritaire, en attente depuis")
    assert g1.window.card.badge.isVisibleTo(g1.window)

    state = api(hub, "counter", "G1", "state")["state"]
    done = next(t for t in state["tickets"] if t["id"] == first["id"])
    assert (done["state"], done["outcome"]) == ("done", "done")


def test_a_transfer_reaches_the_other_service_with_its_note(
    qtbot: QtBot, hub: HubProcess, apps: list[CounterApp]
) -> None:
    ticket = api(hub, "kiosk", "K1", "issue", "A", False, "fr")
    g1 = CounterApp(qtbot, hub.url, hub.token("counter", "Desk G1"))
    g5 = CounterApp(qtbot, hub.url, hub.token("counter", "Desk G5"))
    apps += [g1, g5]
    g1.vm.sign_in("Nadia", "G1", ["A"])
    g5.vm.sign_in("Karim", "G5", ["C"])
    for d in (g1, g5):
        qtbot.waitUntil(lambda d=d: d.vm.session.phase is Phase.IDLE and settled(d.vm),
                        timeout=5000)  # fmt: skip
    qtbot.waitUntil(lambda: g1.vm.actions[Action.CALL_NEXT], timeout=5000)
    g1.vm.call_next()
    qtbot.waitUntil(lambda: g1.vm.session.phase is Phase.CALLED and settled(g1.vm), timeout=5000)
    g1.vm.start_service()
    qtbot.waitUntil(lambda: g1.vm.session.phase is Phase.SERVING and settled(g1.vm),
                    timeout=5000)  # fmt: skip
    assert g1.vm.transfer("C", head=True, note="Pièce d'identité vue")
    qtbot.waitUntil(lambda: g1.vm.session.phase is Phase.IDLE and settled(g1.vm), timeout=5000)

    qtbot.waitUntil(lambda: g5.vm.actions[Action.CALL_NEXT], timeout=5000)
    g5.vm.call_next()
    qtbot.waitUntil(lambda: g5.vm.why is not None and g5.vm.why.note is not None, timeout=5000)
    assert g5.vm.session.ticket is not None and g5.vm.session.ticket.label == ticket["label"]
    assert g5.vm.why is not None
    assert g5.vm.why.note == "Pièce d'identité vue"
    assert g5.vm.why.reason.startswith("Transféré en tête de file")
    assert g5.window.card.note.text() == "Note de transfert : Pièce d'identité vue"


def test_a_cut_link_disables_everything_and_restoring_it_calls_once(
    qtbot: QtBot, hub: HubProcess, apps: list[CounterApp]
) -> None:
    for _ in range(2):
        api(hub, "kiosk", "K1", "issue", "A", False, "fr")
    with TcpProxy(hub.url) as proxy:
        g1 = CounterApp(qtbot, proxy.url, hub.token("counter", "Desk G1"))
        apps.append(g1)
        vm, window = g1.vm, g1.window
        window.show()
        vm.sign_in("Nadia", "G1", ["A"])
        qtbot.waitUntil(lambda: vm.actions[Action.CALL_NEXT], timeout=5000)

        proxy.cut()  # silence: the request below is swallowed, only the heartbeat notices
        assert vm.call_next()
        assert not vm.call_next()  # in flight: never sent twice
        qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=10_000)
        assert window.banner.text().startswith("Liaison perdue")
        assert not any(b.isEnabled() for b in window.grid.buttons.values())
        qtbot.keyClick(window, Qt.Key.Key_F1)  # refused while the link is down

        proxy.restore()
        # The client's own retry (same idempotency key) goes through once the link is back.
        qtbot.waitUntil(lambda: vm.session.connected and vm.session.ticket is not None
                        and settled(vm), timeout=60_000)  # fmt: skip
        assert not window.banner.isVisible()
        state = api(hub, "counter", "G1", "state")["state"]
        called = [t for t in state["tickets"] if t["state"] == "called"]
        waiting = [t for t in state["tickets"] if t["state"] == "waiting"]
        assert len(called) == 1 and len(waiting) == 1
        assert called[0]["label"] == vm.session.ticket.label


def test_services_change_while_the_counter_stays_open(
    qtbot: QtBot, hub: HubProcess, apps: list[CounterApp]
) -> None:
    social = api(hub, "kiosk", "K1", "issue", "C", False, "fr")
    g3 = CounterApp(qtbot, hub.url, hub.token("counter", "Desk G3"))
    apps.append(g3)
    vm = g3.vm
    vm.sign_in("Karim", "G3", ["A"])
    qtbot.waitUntil(lambda: vm.session.phase is Phase.IDLE and settled(vm), timeout=5000)
    assert not vm.actions[Action.CALL_NEXT]  # nobody waits for A
    assert vm.change_services(["A", "C"])
    qtbot.waitUntil(lambda: vm.actions[Action.CALL_NEXT], timeout=5000)
    assert vm.session.services == ("A", "C") and g3.window.message.text() == "Services modifiés."
    assert [line.code for line in vm.glance.lines] == ["A", "C"]
    counters = api(hub, "counter", "G3", "state")["state"]["counters"]
    assert [(c["status"], c["services"]) for c in counters if c["id"] == "G3"] == [
        ("open", ["A", "C"])
    ]
    assert vm.call_next()
    qtbot.waitUntil(lambda: vm.session.ticket is not None and settled(vm), timeout=5000)
    assert vm.session.ticket is not None and vm.session.ticket.label == social["label"]


def test_a_lunch_break_tells_the_hub_when_the_counter_comes_back(
    qtbot: QtBot, hub: HubProcess, apps: list[CounterApp]
) -> None:
    g1 = CounterApp(qtbot, hub.url, hub.token("counter", "Desk G1"))
    apps.append(g1)
    vm = g1.vm
    vm.sign_in("Nadia", "G1", ["A"])
    qtbot.waitUntil(lambda: vm.session.phase is Phase.IDLE and settled(vm), timeout=5000)
    before = datetime.now(UTC)
    assert vm.pause("lunch")
    qtbot.waitUntil(lambda: vm.session.phase is Phase.PAUSED and settled(vm), timeout=5000)
    counters = api(hub, "counter", "G1", "state")["state"]["counters"]
    until = datetime.fromisoformat(next(c for c in counters if c["id"] == "G1")["pause_until"])
    assert timedelta(minutes=44) < until - before < timedelta(minutes=46)
