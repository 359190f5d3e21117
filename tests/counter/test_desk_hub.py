"""Call-backs and contact history through the counter's view model and window, against a REAL
hub on loopback: a kiosk's request reaches the agents' lists, one agent takes it and alone sees
the number, the other is told; the outcome puts it back or closes it; a consenting visitor's
history is found, grows with the visit just completed, and nothing is searched without consent.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from counter.dialogs import CompleteDialog
from counter.session import Action, Phase
from counter.viewmodel import CounterViewModel
from shared import const
from tests.counter.hub_helpers import CounterApp, access_log, api, settled
from tests.hubproc import HubProcess

PHONE = "06 12 34 56 78"


@pytest.fixture(autouse=True)
def quick_list(monkeypatch: pytest.MonkeyPatch) -> None:
    """The call-back list is fetched again every 0.3 s (30 s in an office): a request left at
    the kiosk reaches the lists without any event, like in the office, only sooner."""
    monkeypatch.setattr(const, "COUNTER_CALLBACKS_REFRESH_S", 0.3)


def listed(vm: CounterViewModel, cid: str) -> dict[str, object] | None:
    return next((c for c in vm.desk.callbacks if c["id"] == cid), None)


def signed_in(qtbot: QtBot, app: CounterApp, agent: str, counter: str, services: list[str]) -> None:
    assert app.vm.sign_in(agent, counter, services)
    qtbot.waitUntil(lambda: app.vm.session.phase is Phase.IDLE and settled(app.vm), timeout=5000)


def test_a_call_back_from_the_kiosk_to_one_agent_and_back(
    qtbot: QtBot, hub: HubProcess, apps: list[CounterApp]
) -> None:
    g1 = CounterApp(qtbot, hub.url, hub.token("counter", "Desk G1"))
    g3 = CounterApp(qtbot, hub.url, hub.token("counter", "Desk G3"))
    apps += [g1, g3]
    signed_in(qtbot, g1, "Nadia", "G1", ["A", "B"])
    signed_in(qtbot, g3, "Karim", "G3", ["A", "C"])
    left = api(hub, "kiosk", "K1", "request_callback", "A", PHONE, True, "fr")
    cid = left["id"]

    # Both lists show it to call, and never a number.
    for app in (g1, g3):
        qtbot.waitUntil(lambda app=app: listed(app.vm, cid) is not None, timeout=5000)
        assert listed(app.vm, cid)["state"] == "open"  # type: ignore[index]
        assert "phone" not in listed(app.vm, cid)  # type: ignore[operator]
    panel = g1.window.callbacks
    for app in (g1, g3):  # the agents open the call-backs tab (Ctrl+2)
        app.window.tabs.setCurrentWidget(app.window.callbacks)
    assert panel.list.count() == 1 and panel.list.item(0).text().endswith("à rappeler")
    assert g1.window.tabs.tabText(1).startswith("Rappels (1)")

    # Nadia takes it: the number shows, for her.
    panel.take_button.click()
    qtbot.waitUntil(lambda: g1.vm.desk.taken is not None, timeout=5000)
    assert panel.phone.text() == PHONE and panel.phone.isVisibleTo(g1.window)
    assert not panel.list.isVisibleTo(g1.window)
    assert access_log(hub, "callback.phone") == [("Nadia", cid)]

    # Karim's list says who has it; taking it anyway is refused, and said.
    qtbot.waitUntil(lambda: (listed(g3.vm, cid) or {}).get("state") == "taken", timeout=5000)
    assert g3.window.callbacks.list.item(0).text().endswith("pris par Nadia")
    assert g3.vm.desk.take(cid)
    qtbot.waitUntil(lambda: g3.vm.error is not None, timeout=5000)
    assert g3.window.error_text.text() == "Un autre agent a déjà pris ce rappel."
    assert g3.vm.desk.taken is None and "06" not in g3.window.callbacks.phone.text()
    assert access_log(hub, "callback.phone") == [("Nadia", cid)]  # Karim read nothing

    # No answer: back in both lists, to call again, with one attempt counted.
    g1.window.callbacks.outcome_buttons["no_answer"].click()
    qtbot.waitUntil(lambda: g1.vm.desk.taken is None and not g1.vm.desk.busy, timeout=5000)
    assert g1.window.callbacks.phone.text() == ""  # not even hidden in a label
    for app in (g1, g3):
        qtbot.waitUntil(lambda app=app: (listed(app.vm, cid) or {}).get("state") == "open",
                        timeout=5000)  # fmt: skip
        assert listed(app.vm, cid)["attempts"] == 1  # type: ignore[index]

    # Karim tries again and reaches the visitor: the request leaves every list.
    g3.vm.dismiss_error()
    assert g3.vm.desk.take(cid)
    qtbot.waitUntil(lambda: g3.vm.desk.taken is not None, timeout=5000)
    assert g3.window.callbacks.phone.text() == PHONE
    g3.window.callbacks.note.setText("RDV fixé")
    g3.window.callbacks.outcome_buttons["reached"].click()
    qtbot.waitUntil(lambda: g3.vm.desk.taken is None and not g3.vm.desk.busy, timeout=5000)
    assert g3.window.callbacks.note.text() == ""  # the next call starts with an empty note
    for app in (g1, g3):
        qtbot.waitUntil(lambda app=app: listed(app.vm, cid) is None, timeout=5000)
    assert g3.window.callbacks.empty.isVisibleTo(g3.window)
    assert g3.vm.desk.notice == "Rappel enregistré."


def test_after_a_restart_the_agent_finds_the_request_they_hold(
    qtbot: QtBot, hub: HubProcess, apps: list[CounterApp]
) -> None:
    """GET /callbacks/{id}: the app was closed mid-call; the request is still the agent's on
    this device, so the number comes back (a read, logged) and the call can be finished."""
    token = hub.token("counter", "Desk G1")
    cid = api(hub, "kiosk", "K1", "request_callback", "B", PHONE, True, "ar")["id"]
    first = CounterApp(qtbot, hub.url, token)
    apps.append(first)
    signed_in(qtbot, first, "Nadia", "G1", ["A", "B"])
    qtbot.waitUntil(lambda: listed(first.vm, cid) is not None, timeout=5000)
    assert first.vm.desk.take(cid)
    qtbot.waitUntil(lambda: first.vm.desk.taken is not None, timeout=5000)
    first.close()
    apps.remove(first)

    # Another agent on this device: the request is not theirs, nothing is read for them.
    again = CounterApp(qtbot, hub.url, token)
    apps.append(again)
    signed_in(qtbot, again, "Karim", "G1", ["A", "B"])
    qtbot.waitUntil(lambda: (listed(again.vm, cid) or {}).get("taken_by") == "Nadia",
                    timeout=5000)  # fmt: skip
    assert again.vm.desk.taken is None
    assert again.vm.close_counter()  # the end of Karim's shift
    qtbot.waitUntil(lambda: again.vm.session.phase is Phase.CLOSED and settled(again.vm),
                    timeout=5000)  # fmt: skip
    assert again.vm.sign_out()

    # Nadia again: her request, number included, ready for its outcome.
    signed_in(qtbot, again, "Nadia", "G1", ["A", "B"])
    qtbot.waitUntil(lambda: again.vm.desk.taken is not None, timeout=5000)
    panel = again.window.callbacks
    assert again.vm.desk.taken["id"] == cid and panel.phone.text() == PHONE  # type: ignore[index]
    assert access_log(hub, "callback.phone") == [("Nadia", cid), ("Nadia", cid)]
    panel.outcome_buttons["wrong_number"].click()
    qtbot.waitUntil(lambda: listed(again.vm, cid) is None and not again.vm.desk.busy,
                    timeout=5000)  # fmt: skip
    assert again.vm.desk.taken is None and panel.phone.text() == ""


def test_the_visitors_history_with_consent_and_the_visit_added(
    qtbot: QtBot, hub: HubProcess, apps: list[CounterApp]
) -> None:
    api(hub, "counter", "Phone desk", "record_contact", "file", "2024-0042", "phone", "B", "done",
        "Renseignement par téléphone", agent="Julie")  # fmt: skip
    ticket = api(hub, "kiosk", "K1", "issue", "A", False, "fr")
    g1 = CounterApp(qtbot, hub.url, hub.token("counter", "Desk G1"))
    apps.append(g1)
    vm, window = g1.vm, g1.window
    signed_in(qtbot, g1, "Nadia", "G1", ["A", "B"])
    qtbot.waitUntil(lambda: vm.actions[Action.CALL_NEXT], timeout=5000)
    assert vm.call_next()
    qtbot.waitUntil(lambda: vm.session.phase is Phase.CALLED and settled(vm), timeout=5000)
    assert vm.start_service()
    qtbot.waitUntil(lambda: vm.session.phase is Phase.SERVING and settled(vm), timeout=5000)
    panel = window.contacts
    window.tabs.setCurrentWidget(panel)

    # The box not ticked: refused, said, and nothing reaches the hub.
    panel.kind.setCurrentIndex(panel.kind.findData("file"))
    panel.key.setText("2024-0042")
    panel.go.click()
    assert window.error_text.text() == "Cochez la case quand le visiteur est d'accord."
    assert not vm.desk.busy and vm.desk.contacts is None

    # Ticked; an event arrives meanwhile (a ticket at the kiosk): the redraw keeps the box.
    panel.consent.setChecked(True)
    seen = len(vm.state.tickets) if vm.state else 0
    api(hub, "kiosk", "K1", "issue", "B", False, "fr")
    qtbot.waitUntil(lambda: vm.state is not None and len(vm.state.tickets) > seen, timeout=5000)
    assert panel.consent.isChecked() and panel.key.text() == "2024-0042"
    panel.go.click()
    qtbot.waitUntil(lambda: vm.desk.contacts is not None, timeout=5000)
    assert access_log(hub, "contacts.search") == [("Nadia", vm.desk.subject)]
    assert panel.summary.text() == "Un contact précédent"
    line = panel.results.item(0).text()
    assert "Téléphone" in line and "Information" in line and "Renseignement par" in line

    # Complete, adding this visit to the history (the box is offered, and ticked).
    window.trigger(Action.COMPLETE)  # F4
    dialog = window.dialog
    assert isinstance(dialog, CompleteDialog) and dialog.record.isVisibleTo(dialog)
    assert dialog.record.isChecked()
    dialog.choose("incomplete")
    dialog.note.setText("Justificatif de domicile manquant")
    dialog.accept()
    qtbot.waitUntil(lambda: vm.session.phase is Phase.IDLE and settled(vm), timeout=5000)
    qtbot.waitUntil(lambda: vm.desk.notice == "Visite ajoutée à l'historique du visiteur.",
                    timeout=5000)  # fmt: skip
    # The visitor left: their number, their agreement and their history leave the screen.
    assert vm.desk.visitor is None and vm.desk.contacts is None
    assert panel.key.text() == "" and not panel.consent.isChecked()

    # The next search (another visit, the same person) finds both, newest first.
    panel.key.setText("2024-0042")
    panel.consent.setChecked(True)
    panel.go.click()
    qtbot.waitUntil(lambda: vm.desk.contacts is not None, timeout=5000)
    assert [(c["channel"], c["outcome"], c["agent"]) for c in vm.desk.contacts] == [
        ("counter", "incomplete", "Nadia"),
        ("phone", "done", "Julie"),
    ]
    assert vm.desk.contacts[0]["service"] == ticket["service"]
    assert vm.desk.contacts[0]["note"] == "Justificatif de domicile manquant"
    assert panel.summary.text() == "2 contacts précédents"


def test_completing_without_a_search_records_nothing(
    qtbot: QtBot, hub: HubProcess, apps: list[CounterApp]
) -> None:
    api(hub, "kiosk", "K1", "issue", "A", False, "fr")
    g1 = CounterApp(qtbot, hub.url, hub.token("counter", "Desk G1"))
    apps.append(g1)
    vm, window = g1.vm, g1.window
    signed_in(qtbot, g1, "Nadia", "G1", ["A"])
    qtbot.waitUntil(lambda: vm.actions[Action.CALL_NEXT], timeout=5000)
    vm.call_next()
    qtbot.waitUntil(lambda: vm.session.phase is Phase.CALLED and settled(vm), timeout=5000)
    vm.start_service()
    qtbot.waitUntil(lambda: vm.actions[Action.COMPLETE], timeout=5000)
    window.trigger(Action.COMPLETE)
    dialog = window.dialog
    assert isinstance(dialog, CompleteDialog) and not dialog.record.isVisibleTo(dialog)
    dialog.accept()
    qtbot.waitUntil(lambda: vm.session.phase is Phase.IDLE and settled(vm), timeout=5000)
    found = api(hub, "counter", "G9", "search_contacts", "file", "2024-0042", agent="Audit")
    assert found["contacts"] == [] and vm.desk.notice == ""


def test_signing_out_gives_back_the_call_backs_the_agent_holds(
    qtbot: QtBot, hub: HubProcess, apps: list[CounterApp]
) -> None:
    g1 = CounterApp(qtbot, hub.url, hub.token("counter", "Desk G1"))
    g3 = CounterApp(qtbot, hub.url, hub.token("counter", "Desk G3"))
    apps += [g1, g3]
    signed_in(qtbot, g1, "Nadia", "G1", ["A", "B"])
    signed_in(qtbot, g3, "Karim", "G3", ["A", "C"])
    cid = api(hub, "kiosk", "K1", "request_callback", "A", PHONE, True, "fr")["id"]
    qtbot.waitUntil(lambda: listed(g1.vm, cid) is not None, timeout=5000)
    assert g1.vm.desk.take(cid)
    qtbot.waitUntil(lambda: g1.vm.desk.taken is not None, timeout=5000)
    qtbot.waitUntil(lambda: (listed(g3.vm, cid) or {}).get("state") == "taken", timeout=5000)

    assert g1.vm.close_counter()  # the end of Nadia's day: close, then sign out
    qtbot.waitUntil(lambda: g1.vm.session.phase is Phase.CLOSED and settled(g1.vm), timeout=5000)
    assert g1.vm.sign_out()
    # Back in Karim's list, to call; he can take it now.
    qtbot.waitUntil(lambda: (listed(g3.vm, cid) or {}).get("state") == "open", timeout=5000)
    assert g3.vm.desk.take(cid)
    qtbot.waitUntil(lambda: g3.vm.desk.taken is not None, timeout=5000)
    assert access_log(hub, "callback.phone") == [("Nadia", cid), ("Karim", cid)]


def test_a_phone_contact_recorded_with_no_ticket_at_hand(
    qtbot: QtBot, hub: HubProcess, apps: list[CounterApp]
) -> None:
    """Issue 5 point 6: an agent on the phone with a visitor, no ticket: the history is found
    with consent, a phone contact with a note is recorded, and the history read again (logged)
    shows it first. Before a search there is no form; a note over 140 characters is not sent."""
    api(hub, "counter", "Phone desk", "record_contact", "file", "2024-0042", "counter", "A",
        "done", "", agent="Julie")  # fmt: skip
    g1 = CounterApp(qtbot, hub.url, hub.token("counter", "Desk G1"))
    apps.append(g1)
    vm, window = g1.vm, g1.window
    signed_in(qtbot, g1, "Nadia", "G1", ["A", "B"])
    panel = window.contacts
    window.tabs.setCurrentWidget(panel)
    assert vm.session.ticket is None

    # No search yet: no form, and a record asked anyway is refused, said, and never sent.
    assert panel.isVisibleTo(window) and not panel.form.isVisibleTo(window)
    assert not vm.desk.record("phone", "B", "done", "Appel")
    assert window.error_text.text().startswith("Trouvez d'abord le visiteur")
    assert not vm.desk.busy and access_log(hub, "contacts.search") == []
    vm.dismiss_error()

    panel.key.setText("2024-0042")
    panel.consent.setChecked(True)
    panel.go.click()
    qtbot.waitUntil(lambda: vm.desk.contacts is not None and not vm.desk.busy, timeout=5000)
    assert panel.form.isVisibleTo(window) and panel.add.isEnabled()
    assert panel.channel.currentData() == "phone"  # no ticket at hand: on the phone, likely
    assert [panel.channel.itemText(i) for i in range(panel.channel.count())] == [
        "Guichet", "Téléphone", "Courriel", "Rappel"]  # fmt: skip
    assert [panel.service.itemData(i) for i in range(panel.service.count())][:2] == ["A", "B"]

    # The call-back outcomes are offered for the call-back channel only.
    def codes() -> list[str]:
        return [panel.outcome.itemData(i) for i in range(panel.outcome.count())]

    panel.channel.setCurrentIndex(panel.channel.findData("callback"))
    assert codes() == ["done", "incomplete", "redirected", "reached", "no_answer", "wrong_number"]
    panel.channel.setCurrentIndex(panel.channel.findData("phone"))
    assert codes() == ["done", "incomplete", "redirected"]
    panel.service.setCurrentIndex(panel.service.findData("B"))
    panel.outcome.setCurrentIndex(panel.outcome.findData("incomplete"))

    # 141 characters: the button is off, the count says why, Enter is refused and said.
    panel.note.setText("x" * 141)
    assert not panel.add.isEnabled()
    assert panel.count.text() == "La note est trop longue : 141 caractères, 140 au plus."
    qtbot.keyClick(panel.note, Qt.Key.Key_Return)
    assert window.error_text.text() == panel.count.text()
    assert not vm.desk.busy and access_log(hub, "contacts.search") == [("Nadia", vm.desk.subject)]
    assert panel.note.text() == "x" * 141  # nothing the agent typed is lost
    vm.dismiss_error()

    note = "Rendez-vous fixé par téléphone"
    panel.note.setText(note)
    assert panel.add.isEnabled() and panel.count.text() == f"{len(note)}/140"
    panel.add.click()
    qtbot.waitUntil(lambda: len(vm.desk.contacts or []) == 2 and not vm.desk.busy, timeout=5000)
    first = vm.desk.contacts[0]  # type: ignore[index]
    assert (first["channel"], first["service"], first["outcome"], first["note"],
            first["agent"]) == ("phone", "B", "incomplete", note, "Nadia")  # fmt: skip
    line = panel.results.item(0).text()
    assert "Téléphone" in line and "Dossier incomplet" in line and note in line
    assert panel.summary.text() == "2 contacts précédents"
    assert access_log(hub, "contacts.search") == [("Nadia", vm.desk.subject)] * 2  # read again
    assert window.message.text() == "Contact enregistré." and vm.error is None
    assert panel.note.text() == "" and panel.channel.currentData() == "phone"

    # The agent signs out: the visitor's number, the form and its note leave the screen.
    panel.note.setText("Brouillon")
    assert vm.close_counter()
    qtbot.waitUntil(lambda: vm.session.phase is Phase.CLOSED and settled(vm), timeout=5000)
    assert vm.sign_out()
    assert vm.desk.visitor is None and not panel.form.isVisibleTo(panel)
    assert panel.note.text() == "" and panel.key.text() == ""
