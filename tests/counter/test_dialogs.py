"""The dialogs of the rarer actions, offscreen, from their keys: bring back a no-show (F10),
call back a parked visitor (F9), call a given number (Ctrl+K), change the services (Ctrl+G);
and the card's headline said once whatever the counter's state."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from counter.dialogs import ChoiceDialog, NumberDialog, ServicesDialog
from counter.session import Action
from shared.core.model import CounterStatus
from tests.counter.counter_helpers import make, set_session

CTRL = Qt.KeyboardModifier.ControlModifier
OPEN_G3 = {"id": "G3", "status": "open", "services": ["A", "C"]}


def test_f10_brings_back_a_recent_no_show(qtbot: QtBot) -> None:
    window, vm, link = make(qtbot, "idle")
    qtbot.keyClick(window, Qt.Key.Key_F10)
    dialog = window.dialog
    assert isinstance(dialog, ChoiceDialog)
    assert [r.text() for r in dialog.radios.values()] == ["A038"]  # within the grace period
    assert dialog.ok.text() == "Remettre dans la file"
    dialog.accept()
    assert link.names() == ["reactivate"] and link.last("reactivate")[1] == ("t-A038",)
    assert window.dialog is None or not window.dialog.isVisible()
    link.callFinished.emit(link.last("reactivate")[0], {"id": "t-A038", "label": "A038",
                                                        "service": "A", "state": "waiting"})  # fmt: skip
    assert vm.session.ticket is None and vm.session.pending is None  # ours is unchanged


def test_back_on_the_no_show_dialog_sends_nothing(qtbot: QtBot) -> None:
    window, _vm, link = make(qtbot, "idle")
    qtbot.keyClick(window, Qt.Key.Key_F10)
    assert isinstance(window.dialog, ChoiceDialog)
    qtbot.keyClick(window.dialog, Qt.Key.Key_Escape)
    assert link.names() == [] and window.dialog is None


def test_f9_calls_back_the_visitor_parked_here(qtbot: QtBot) -> None:
    window, _vm, link = make(qtbot, "idle")
    qtbot.keyClick(window, Qt.Key.Key_F9)
    dialog = window.dialog
    assert isinstance(dialog, ChoiceDialog)
    assert [r.text() for r in dialog.radios.values()] == ["A040"]
    dialog.accept()
    _, args, kwargs = link.last("call")
    assert (args, kwargs) == (("G3",), {"ticket": "t-A040"})
    ticket = {"id": "t-A040", "label": "A040", "service": "A", "state": "called", "calls": 1}
    link.callFinished.emit(link.last("call")[0], {**OPEN_G3, "ticket": ticket})
    assert window.card.number.text() == "A040" and window.message.text() == "A040 appelé"


def test_ctrl_k_calls_a_given_number(qtbot: QtBot) -> None:
    window, _vm, link = make(qtbot, "idle")
    qtbot.keyClick(window, Qt.Key.Key_K, CTRL)
    dialog = window.dialog
    assert isinstance(dialog, NumberDialog)
    qtbot.keyClicks(dialog.number, " a048 ")
    qtbot.keyClick(dialog.number, Qt.Key.Key_Return)  # Enter accepts
    _, args, kwargs = link.last("call")
    assert (args, kwargs) == (("G3",), {"label": "A048"})
    ticket = {"id": "t-A048", "label": "A048", "service": "A", "state": "called", "calls": 1}
    link.callFinished.emit(link.last("call")[0], {**OPEN_G3, "ticket": ticket})
    assert window.card.number.text() == "A048"


def test_an_empty_or_unknown_number_is_said_and_nothing_is_lost(qtbot: QtBot) -> None:
    window, vm, link = make(qtbot, "idle")
    qtbot.keyClick(window, Qt.Key.Key_K, CTRL)
    window.dialog.accept()  # type: ignore[union-attr]
    assert link.names() == []
    assert window.error_text.text() == "Saisissez le numéro du ticket."
    qtbot.keyClick(window, Qt.Key.Key_K, CTRL)
    window.dialog.number.setText("Z999")  # type: ignore[union-attr]
    window.dialog.accept()  # type: ignore[union-attr]
    link.callFailed.emit(link.last("call")[0], "not_found", "There is no ticket Z999 today.")
    assert window.error_text.text().startswith("Numéro de ticket inconnu")
    assert vm.actions[Action.CALL_NUMBER]  # the agent may type it again


def test_ctrl_g_changes_the_services_while_open(qtbot: QtBot) -> None:
    window, vm, link = make(qtbot, "serving")
    qtbot.keyClick(window, Qt.Key.Key_G, CTRL)
    dialog = window.dialog
    assert isinstance(dialog, ServicesDialog)
    # The counter's configured services (G3: A and C), the ones served now ticked.
    assert {c: b.isChecked() for c, b in dialog.services.items()} == {"A": True, "C": True}
    dialog.services["C"].setChecked(False)
    dialog.accept()
    assert link.names() == ["open_counter"] and link.last("open_counter")[1] == ("G3", ["A"])
    ticket = vm.session.ticket
    answer = {**OPEN_G3, "services": ["A"], "ticket": {"id": "t-C012", "label": "C012",
              "service": "C", "state": "serving", "calls": 1, "priority": True}}  # fmt: skip
    link.callFinished.emit(link.last("open_counter")[0], answer)
    assert vm.session.services == ("A",) and vm.session.ticket == ticket  # the visitor stays
    assert window.message.text() == "Services modifiés."


def test_no_service_left_is_refused(qtbot: QtBot) -> None:
    window, _vm, link = make(qtbot, "idle")
    qtbot.keyClick(window, Qt.Key.Key_G, CTRL)
    for box in window.dialog.services.values():  # type: ignore[union-attr]
        box.setChecked(False)
    window.dialog.accept()  # type: ignore[union-attr]
    assert link.names() == []
    assert window.error_text.text() == "Choisissez au moins un service."


def test_services_cannot_change_while_paused(qtbot: QtBot) -> None:
    window, _vm, link = make(qtbot, "paused")
    assert not window.grid.buttons[Action.SERVICES].isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_G, CTRL)
    assert window.dialog is None and link.names() == []


@pytest.mark.parametrize(("state", "status", "lines"), [
    ("paused", None, ["En pause", "Retour prévu à 11:27"]),  # a 45 min lunch from 10:42
    ("idle", None, ["Aucun visiteur"]),
    ("idle", CounterStatus.CLOSED, ["Guichet fermé"]),
])  # fmt: skip
def test_the_card_says_the_counters_state_once(
    qtbot: QtBot, state: str, status: CounterStatus | None, lines: list[str]
) -> None:
    window, vm, _link = make(qtbot, state)
    if status is not None:
        set_session(vm, status=status)
    shown = [w.text() for w in window.card.findChildren(QLabel) if w.isVisibleTo(window)]
    assert shown == lines


def test_the_card_of_a_called_ticket_says_its_phase(qtbot: QtBot) -> None:
    window, _vm, _link = make(qtbot, "called")
    assert window.card.phase.isVisibleTo(window) and window.card.phase.text() == "Visiteur appelé"
