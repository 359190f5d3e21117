"""Answers that arrive too late for the person they were about: a call-back's number taken by
an agent who has signed out since, a history searched for a visitor who has left the counter.
(The normal flows run against a real hub in test_desk_hub.py; these races need the answer held
back, so the recording link stands in for the hub here.)"""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from counter import samples
from counter.session import Action
from shared.core.model import CounterStatus
from tests.counter.counter_helpers import make, set_session


def test_a_number_taken_by_an_agent_who_signed_out_since_is_never_shown(qtbot: QtBot) -> None:
    window, vm, link = make(qtbot, "idle")
    assert vm.desk.take("cb2")
    set_session(vm, status=CounterStatus.CLOSED)  # the counter closed, the agent leaves
    assert vm.sign_out()
    link.callFinished.emit(link.last("take_callback")[0], samples.TAKEN)
    assert vm.desk.taken is None and not vm.desk.busy
    assert window.callbacks.phone.text() == ""
    # Nor does a refusal meant for the previous agent show to the next one.
    link.callFailed.emit(link.last("take_callback")[0], "callback_taken", "Karim has it")
    assert vm.error is None


def test_a_history_that_arrives_after_the_visitor_left_is_not_kept(qtbot: QtBot) -> None:
    window, vm, link = make(qtbot, "serving")
    assert vm.desk.search("file", "2024-0042", True)
    assert vm.complete("done")
    ticket = {"id": samples.CALLED.id, "label": "C012", "service": "C", "state": "done",
              "counter": "G3"}  # fmt: skip
    link.callFinished.emit(link.last("complete")[0], ticket)
    assert vm.session.ticket is None  # the visitor left the counter
    link.callFinished.emit(link.last("search_contacts")[0],
                           {"subject": "s1", "contacts": samples.CONTACTS})  # fmt: skip
    assert vm.desk.contacts is None and vm.desk.visitor is None and not vm.desk.busy
    assert window.contacts.results.count() == 0
    assert vm.actions[Action.CALL_NEXT]


def test_the_consent_box_survives_a_redraw_and_goes_with_the_visitor(qtbot: QtBot) -> None:
    window, vm, link = make(qtbot, "serving")
    panel = window.contacts
    panel.key.setText("2024-0042")
    panel.consent.setChecked(True)
    vm.changed.emit()  # any event of the office, a tick of the clock
    assert panel.consent.isChecked() and panel.key.text() == "2024-0042"
    vm.complete("done")
    link.callFinished.emit(link.last("complete")[0], {"id": samples.CALLED.id, "state": "done",
                                                      "counter": "G3", "label": "C012"})  # fmt: skip
    assert panel.key.text() == "" and not panel.consent.isChecked()


def test_the_contact_form_goes_with_the_visitor_and_a_late_answer_reads_nothing(
    qtbot: QtBot,
) -> None:
    """A visitor at the counter: the form offers the counter channel and the ticket's service;
    the visitor leaves while their contact is on its way: the form empties, and the answer
    does not search a history for a visitor who is no longer there."""
    window, vm, link = make(qtbot, "serving")
    panel = window.contacts
    window.tabs.setCurrentWidget(panel)
    assert vm.desk.search("file", "2024-0042", True)
    link.callFinished.emit(link.last("search_contacts")[0],
                           {"subject": "s1", "contacts": samples.CONTACTS})  # fmt: skip
    assert panel.form.isVisibleTo(window)
    assert (panel.channel.currentData(), panel.service.currentData()) == ("counter", "C")
    panel.note.setText("Pièce vue")
    vm.changed.emit()  # a redraw keeps what the agent typed
    assert panel.note.text() == "Pièce vue"
    panel.add.click()
    _, args, kwargs = link.last("record_contact")
    assert args == ("file", "2024-0042")
    assert kwargs == {"channel": "counter", "service": "C", "outcome": "done",
                      "note": "Pièce vue", "consent": True}  # fmt: skip
    assert not panel.add.isEnabled()  # one at a time

    assert vm.complete("done")
    link.callFinished.emit(link.last("complete")[0], {"id": samples.CALLED.id, "state": "done",
                                                      "counter": "G3", "label": "C012"})  # fmt: skip
    assert not panel.form.isVisibleTo(window) and panel.note.text() == ""
    searches = len([s for s in link.sent if s[1] == "search_contacts"])
    link.callFinished.emit(link.last("record_contact")[0], {"id": "c9", "channel": "counter"})
    assert len([s for s in link.sent if s[1] == "search_contacts"]) == searches
    assert vm.desk.notice == "Contact enregistré." and not vm.desk.busy
    assert vm.desk.contacts is None
