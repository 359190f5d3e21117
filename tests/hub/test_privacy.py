"""Public views carry no personal data (privacy P2, P3): no ticket token, no priority flag, no
call reason, no agent's note. Checked on the whole JSON of each view, for a priority visitor
who was called (so the hub did hold all of it), against the full view that does carry it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.hub.conftest import API, Office, leaf_values
from tests.hub.test_ws import events_until, receive

NOTE = "bring the MDPH card"


@pytest.fixture
def scene(office: Office) -> dict[str, Any]:
    """A regular and a priority visitor; the priority one is called, served and transferred."""
    office.open("G1", "A")
    office.issue("A")
    office.clock.advance(120)
    prio = office.issue("A", priority=True)
    called = office.call_next("G1")
    assert called["id"] == prio["id"] and "priority" in called["reason"]
    office.ok(office.act(prio["id"], "start"))
    new = office.ok(office.act(prio["id"], "transfer", {"service": "C", "note": NOTE}))
    return {"token": prio["token"], "reason": called["reason"], "new_id": new["id"]}


def leaks(document: Any, scene: dict[str, Any]) -> list[str]:
    """What of the priority visitor's private data shows in a JSON document."""
    text = json.dumps(document, ensure_ascii=False)
    found = []
    if scene["token"] in text:
        found.append("the ticket's token")
    if scene["reason"] in text:
        found.append("the call reason")
    if NOTE in text:
        found.append("the agent's note")
    for key, value in leaf_values(document):
        if key == "priority" and value is True:
            found.append('"priority": true')
        elif isinstance(value, str) and "priorit" in value.lower():
            found.append(f"{key}={value!r}")
    return found


def test_the_full_view_does_hold_what_is_private(office: Office, scene: dict[str, Any]) -> None:
    # Otherwise the checks below would pass for the wrong reason.
    assert leaks(office.snapshot(), scene)


def test_public_queue(office: Office, scene: dict[str, Any]) -> None:
    queue = office.ok(office.get("/queue"))
    assert leaks(queue, scene) == []
    assert len(queue["state"]["tickets"]) == 3  # the tickets are there, minus private fields


def test_the_reasons_kind_is_in_the_full_view_only(office: Office, scene: dict[str, Any]) -> None:
    """reason_kind "priority" would say who is disabled as surely as the sentence does."""
    full = {t["id"]: t for t in office.snapshot()["state"]["tickets"]}
    assert [t["reason_kind"] for t in full.values() if t["reason"]] == ["priority"]
    for t in office.ok(office.get("/queue"))["state"]["tickets"]:
        assert "reason_kind" not in t and "reason" not in t


def test_public_status_page(office: Office, scene: dict[str, Any]) -> None:
    status = office.status(scene["token"])
    assert status["label"] == "A002" and status["service"] == "C" and status["state"] == "waiting"
    assert set(status) == {
        "label",
        "state",
        "service",
        "service_names",
        "office",
        "estimate",
        "counter",
        "counter_name",
        "calls",  # how often it was called: the page alerts again on a recall
    }
    assert leaks(status, scene) == []


@pytest.mark.parametrize("who", [None, "kiosk"])
def test_public_event_stream(office: Office, who: str | None) -> None:
    url = API + "/events" + (f"?token={office.tokens[who]}" if who else "")
    with office.client.websocket_connect(url) as ws:
        first = receive(ws)
        assert first["view"] == "public"
        # The same scene as the fixture, played while this client listens.
        office.open("G1", "A")
        office.issue("A")
        office.clock.advance(120)
        prio = office.issue("A", priority=True)
        called = office.call_next("G1")
        office.ok(office.act(prio["id"], "start"))
        office.ok(office.act(prio["id"], "transfer", {"service": "C", "note": NOTE}))
        scene = {"token": prio["token"], "reason": called["reason"]}
        messages = events_until(ws, office.service.seq)
        ws.send_json({"type": "resync"})
        snapshot = receive(ws)
    assert snapshot["type"] == "snapshot" and len(snapshot["state"]["tickets"]) == 3
    for message in [*messages, snapshot]:
        assert leaks(message, scene) == [], message


def test_public_views_agree_on_a_counters_pause_reason(office: Office) -> None:
    """The public stream blanks a pause's reason (an agent's business, e.g. a medical
    appointment); the public snapshot must withhold it too, or a board folding the stream
    and one reading the snapshot disagree."""
    office.open("G1", "A")
    with office.client.websocket_connect(API + "/events") as ws:
        receive(ws)
        office.ok(office.post("/counters/G1/pause", "counter", {"reason": "doctor's appointment"}))
        (paused,) = events_until(ws, office.service.seq)
        ws.send_json({"type": "resync"})
        snapshot = receive(ws)
    assert paused["event"]["reason"] == ""
    for public in (snapshot["state"], office.ok(office.get("/queue"))["state"]):
        (g1,) = public["counters"]
        assert g1["status"] == "paused"
        assert "doctor" not in json.dumps(public), g1
