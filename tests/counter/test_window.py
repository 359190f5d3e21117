"""The counter window offscreen: keys trigger actions, disabled buttons do nothing, nothing is
sent twice, destructive actions ask or wait with Undo, contrast, labels, 200 % text."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
)
from pytestqt.qtbot import QtBot

from counter import samples, style
from counter.desk import VisitorKey
from counter.dialogs import ChoiceDialog, TransferDialog
from counter.session import Action
from shared.ui.contrast import contrast
from tests.counter.counter_helpers import make


def test_f1_calls_next_once_and_the_answer_shows_the_ticket(qtbot: QtBot) -> None:
    window, _vm, link = make(qtbot, "idle")
    assert window.grid.buttons[Action.CALL_NEXT].isEnabled()
    assert "(F1)" in window.grid.buttons[Action.CALL_NEXT].text()
    qtbot.keyClick(window, Qt.Key.Key_F1)
    qtbot.keyClick(window, Qt.Key.Key_F1)  # a double press while the first is in flight
    assert link.names() == ["call_next"]
    assert not any(b.isEnabled() for b in window.grid.buttons.values())
    i, args, _ = link.last("call_next")
    assert args == ("G3",)
    link.callFinished.emit(i, {"id": "G3", "status": "open", "services": ["A", "C"],
                               "ticket": {"id": "t-A045", "label": "A045", "service": "A",
                                          "state": "called", "calls": 1}})  # fmt: skip
    assert window.card.number.text() == "A045"
    assert window.message.text() == "A045 appelé"
    assert window.grid.buttons[Action.START].isEnabled()


@pytest.mark.parametrize(("key", "name"), [
    (Qt.Key.Key_F2, "recall"), (Qt.Key.Key_F3, "start"), (Qt.Key.Key_F6, None),
])  # fmt: skip
def test_keys_in_the_called_state(qtbot: QtBot, key: Qt.Key, name: str | None) -> None:
    window, _vm, link = make(qtbot, "called")
    qtbot.keyClick(window, key)
    if name is None:  # F6 transfer opens its dialog first
        assert isinstance(window.dialog, TransferDialog)
        window.dialog.service.setCurrentIndex(window.dialog.service.findData("B"))
        window.dialog.note.setText("Pièce vue")
        window.dialog.head.setChecked(True)
        window.dialog.accept()
        _, args, kwargs = link.last("transfer")
        assert args == ("t-C012", "B") and kwargs == {"note": "Pièce vue", "head": True,
                                                      "counter": "G3"}  # fmt: skip
    else:
        assert link.names() == [name]
        assert link.last(name)[1] == ("t-C012",)


def test_buttons_that_cannot_apply_are_disabled_and_their_keys_do_nothing(qtbot: QtBot) -> None:
    window, _vm, link = make(qtbot, "called")
    assert not window.grid.buttons[Action.COMPLETE].isEnabled()
    assert not window.grid.buttons[Action.CALL_NEXT].isEnabled()
    for key in (Qt.Key.Key_F4, Qt.Key.Key_F1, Qt.Key.Key_F7, Qt.Key.Key_F8):
        qtbot.keyClick(window, key)
    assert link.names() == [] and window.dialog is None


def test_no_show_waits_for_undo_and_undo_never_sends_it(qtbot: QtBot) -> None:
    window, vm, link = make(qtbot, "called", undo_s=0.3)
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert window.undo.isVisible() and link.names() == []
    assert [a for a, ok in vm.actions.items() if ok] == [Action.UNDO]
    qtbot.keyClick(window, Qt.Key.Key_U, Qt.KeyboardModifier.ControlModifier)
    assert not window.undo.isVisible() and window.card.number.text() == "C012"
    assert not vm._undo_timer.isActive()  # nothing left to fire later
    assert link.names() == []
    qtbot.keyClick(window, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: link.names() == ["no_show"], timeout=2000)
    assert link.last("no_show")[1:] == (("t-C012",), {"counter": "G3"})


def test_close_and_cancel_ask_first_with_the_safe_button_as_default(qtbot: QtBot) -> None:
    window, _vm, link = make(qtbot, "idle")
    qtbot.keyClick(window, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    box = window.dialog
    assert isinstance(box, QMessageBox)
    assert box.defaultButton() is box.safe and box.escapeButton() is box.safe  # type: ignore[attr-defined]
    qtbot.keyClick(box, Qt.Key.Key_Return)  # Enter takes the safe answer
    assert link.names() == [] and window.dialog is None
    qtbot.keyClick(window, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    window.dialog.go.click()  # type: ignore[union-attr]
    assert link.names() == ["close_counter"]


def test_cancel_a_number_then_confirm(qtbot: QtBot) -> None:
    window, _vm, link = make(qtbot, "idle")
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    window.dialog.number.setText("a048")  # type: ignore[union-attr]
    window.dialog.accept()  # type: ignore[union-attr]
    box = window.dialog
    assert isinstance(box, QMessageBox) and "A048" in box.text()
    box.go.click()  # type: ignore[attr-defined]
    assert link.last("cancel")[1] == ("t-A048",)


def test_pause_with_a_reason_then_f8_resumes(qtbot: QtBot) -> None:
    window, _vm, link = make(qtbot, "idle")
    qtbot.keyClick(window, Qt.Key.Key_F8)
    assert isinstance(window.dialog, ChoiceDialog)
    window.dialog.choose("admin")
    window.dialog.accept()
    _, args, kwargs = link.last("pause")
    # The planned end goes with it (the hub's estimates count on the counter coming back).
    assert (args, kwargs) == (("G3", "admin"),
                              {"until": (samples.NOW + timedelta(minutes=30)).isoformat()})  # fmt: skip
    window, _vm, link = make(qtbot, "paused")
    assert window.grid.buttons[Action.PAUSE].text() == "Fin de pause  (F8)"
    qtbot.keyClick(window, Qt.Key.Key_F8)
    assert link.names() == ["resume"]


def test_a_lost_link_disables_everything_and_says_so(qtbot: QtBot) -> None:
    window, _vm, link = make(qtbot, "idle")
    link.statusChanged.emit("disconnected", "cut")
    assert window.banner.isVisible() and window.banner.text().startswith("Liaison perdue")
    assert not any(b.isEnabled() for b in window.grid.buttons.values())
    qtbot.keyClick(window, Qt.Key.Key_F1)
    assert link.names() == []
    link.statusChanged.emit("connected", "")
    assert not window.banner.isVisible() and window.grid.buttons[Action.CALL_NEXT].isEnabled()


def test_an_error_is_said_for_the_agent(qtbot: QtBot) -> None:
    window, _vm, link = make(qtbot, "idle")
    qtbot.keyClick(window, Qt.Key.Key_F1)
    link.callFailed.emit(link.last("call_next")[0], "nothing_waiting", "Nobody is waiting")
    assert window.error.isVisible()
    assert window.error_text.text() == "Personne n'attend pour vos services."
    assert window.grid.buttons[Action.CALL_NEXT].isEnabled()  # the agent may try again


@pytest.mark.parametrize("name", list(style.text_pairs()))
def test_text_contrast_is_at_least_45_to_1(name: str) -> None:
    fg, bg = style.text_pairs()[name]
    assert contrast(fg, bg) >= 4.5, (name, contrast(fg, bg))


def test_edges_and_the_focus_ring_reach_3_to_1() -> None:
    assert style.worst(style.edge_pairs()) >= 3.0


@pytest.mark.parametrize("state", ["signed-out", "called", "callbacks", "contacts"])
def test_every_control_has_an_accessible_name(qtbot: QtBot, state: str) -> None:
    window, vm, _link = make(qtbot, state)
    if state == "callbacks":
        vm.desk.taken = samples.TAKEN
        window.tabs.setCurrentWidget(window.callbacks)
    elif state == "contacts":  # a visitor found: the form to record a contact shows too
        vm.desk.visitor, vm.desk.contacts = VisitorKey("file", "AB-123"), samples.CONTACTS
        window.tabs.setCurrentWidget(window.contacts)
    vm.changed.emit()
    if state == "contacts":
        assert window.contacts.form.isVisibleTo(window)
    kinds = (QAbstractButton, QLineEdit, QComboBox, QCheckBox, QListWidget)
    controls = [w for k in kinds for w in window.findChildren(k) if w.isVisibleTo(window)]
    assert controls
    unnamed = [w for w in controls if not w.accessibleName() and not
               (isinstance(w, QAbstractButton) and w.text())]  # fmt: skip
    assert not unnamed, [type(w).__name__ for w in unnamed]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_at_normal_text_the_buttons_stand_in_two_columns_and_the_queue_shows(
    qtbot: QtBot, lang: str
) -> None:
    """The window stays compact: one column of 18 buttons would push the queue off screen."""
    window, _vm, _link = make(qtbot, "called", lang=lang)
    assert window.grid.columns == 2
    assert window.tabs.visibleRegion().boundingRect().height() > 100


def test_works_at_200_percent_text(qtbot: QtBot) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.font()
    big = QFont(before)
    big.setPointSizeF(before.pointSizeF() * 2)
    app.setFont(big)
    try:
        window, _vm, _link = make(qtbot, "called")
        qtbot.waitUntil(lambda: window.grid.columns == 1)  # the buttons reflow to one column
        for button in window.grid.buttons.values():
            assert button.width() >= button.sizeHint().width(), button.text()
        # Nothing wider than the window once the layout settled: no sideways scrolling.
        qtbot.waitUntil(lambda: not window.scroll.horizontalScrollBar().isVisible(), timeout=2000)
        for lbl in window.findChildren(QLabel):
            if lbl.isVisibleTo(window) and lbl.text() and not lbl.wordWrap():
                assert lbl.width() >= lbl.sizeHint().width(), lbl.text()
    finally:
        app.setFont(before)


def test_the_keyboard_reaches_the_contact_form_in_order(qtbot: QtBot) -> None:
    """Ctrl+F goes to the number; Tab then walks the search, the history and the form, down
    to "Record this contact", which Space presses (A1: keyboard operable)."""
    window, vm, link = make(qtbot, "idle")
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    panel = window.contacts
    assert window.tabs.currentWidget() is panel
    qtbot.waitUntil(lambda: panel.key.hasFocus())
    assert not panel.form.isVisibleTo(window)
    vm.desk.visitor, vm.desk.contacts = VisitorKey("phone", "0612345678"), samples.CONTACTS
    vm.changed.emit()
    reached = []
    for _ in range(12):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        reached.append(QApplication.focusWidget())
        if reached[-1] is panel.add:
            break
    form = [panel.channel, panel.service, panel.outcome, panel.note, panel.add]
    assert [w for w in reached if w in form] == form
    assert reached.index(panel.consent) < reached.index(panel.go) < reached.index(panel.channel)
    names = [w.accessibleName() for w in form]
    assert names == ["Canal", "Service", "Résultat", "Note", "Enregistrer ce contact"]
    panel.note.setText("Appel")
    qtbot.keyClick(panel.add, Qt.Key.Key_Space)
    _, args, kwargs = link.last("record_contact")
    assert args == ("phone", "0612345678") and kwargs["channel"] == "phone"
