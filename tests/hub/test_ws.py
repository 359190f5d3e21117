"""`WS /api/v1/events`: snapshot first, then every event with consecutive seq; resync; errors."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from shared import protocol
from shared.core import events as ev
from shared.core import lifecycle
from tests.hub.conftest import API, Office

EVENTS = API + "/events"


def receive(ws: WebSocketTestSession) -> dict[str, Any]:
    """The next message that is not a heartbeat (the hub pings every couple of seconds) or an
    announcement of new estimates (they follow events by milliseconds; tests/hub/
    test_estimates.py is about them)."""
    while True:
        message: dict[str, Any] = ws.receive_json()
        if message["type"] not in ("ping", "estimates"):
            return message
        assert isinstance(message["seq"], int)


def events_until(ws: WebSocketTestSession, seq: int) -> list[dict[str, Any]]:
    out = []
    while not out or out[-1]["seq"] < seq:
        message = receive(ws)
        assert message["type"] == "event", message
        out.append(message)
    return out


def test_snapshot_first_with_the_current_seq(office: Office) -> None:
    office.open("G1", "A")
    office.issue("A")
    full = office.snapshot()
    with office.client.websocket_connect(f"{EVENTS}?token={office.tokens['counter']}") as ws:
        snap = receive(ws)
    assert snap["type"] == "snapshot"
    assert (snap["seq"], snap["view"]) == (full["seq"], "full")
    assert snap["state"] == full["state"]
    assert snap["seq"] == office.ok(office.get("/health"))["seq"] == office.service.seq


def test_events_follow_with_consecutive_seq_and_fold_to_the_hubs_state(office: Office) -> None:
    with office.client.websocket_connect(f"{EVENTS}?token={office.tokens['display']}") as ws:
        snap = receive(ws)
        assert snap["view"] == "full"
        office.open("G1", "A", "B")
        for service in "ABAB":
            office.issue(service)
        tid = office.call_next("G1")["id"]
        office.ok(office.act(tid, "start"))
        office.ok(office.act(tid, "complete", {"outcome": "done"}))
        last = office.service.seq
        received = events_until(ws, last)
    assert [m["seq"] for m in received] == list(range(snap["seq"] + 1, last + 1))
    # A client folding the stream onto the snapshot has the hub's state.
    state = protocol.state_from_dict(snap["state"])
    for m in received:
        state = lifecycle.evolve(state, ev.from_dict(m["event"]))
    assert protocol.state_to_dict(state, public=False) == office.snapshot()["state"]
    types = [m["event"]["type"] for m in received]
    assert types[0] == "CounterOpened" and types[-1] == "TicketCompleted"


def test_resync_sends_a_fresh_snapshot(office: Office) -> None:
    with office.client.websocket_connect(f"{EVENTS}?token={office.tokens['counter']}") as ws:
        first = receive(ws)
        office.issue("A")
        office.issue("B")
        ws.send_json({"type": "resync"})
        # Events published before the resync may or may not come first; the snapshot comes.
        message = receive(ws)
        while message["type"] == "event":
            message = receive(ws)
        assert message["type"] == "snapshot"
        assert message["seq"] == first["seq"] + 2 == office.service.seq
        assert message["state"] == office.snapshot()["state"]
        # And the stream goes on from there.
        office.issue("C")
        (event,) = events_until(ws, office.service.seq)
        assert event["seq"] == message["seq"] + 1
        assert event["event"]["label"] == "C001"


def test_garbage_gets_an_error_and_the_connection_stays_usable(office: Office) -> None:
    with office.client.websocket_connect(EVENTS) as ws:
        snap = receive(ws)
        for garbage in ("hello", "{not json", "null", "[1, 2]", '{"type": "dance"}', "42"):
            ws.send_text(garbage)
            error = receive(ws)
            assert error["type"] == "error" and error["message"], (garbage, error)
        ws.send_text('{"type": "pong"}')  # a pong is fine and answered by nothing
        ws.send_json({"type": "resync"})
        again = receive(ws)
        assert (again["type"], again["seq"]) == ("snapshot", snap["seq"])
        office.issue("A")
        (event,) = events_until(ws, office.service.seq)
        assert event["event"]["type"] == "TicketIssued"


def test_view_depends_on_the_token(office: Office) -> None:
    def view(url: str, headers: dict[str, str] | None = None) -> str:
        with office.client.websocket_connect(url, headers=headers or {}) as ws:
            return str(receive(ws)["view"])

    assert view(EVENTS) == "public"
    with pytest.raises(WebSocketDisconnect) as refused:
        view(f"{EVENTS}?token=not-a-token")  # a revoked counter must learn it
    assert refused.value.code == 1008
    assert view(f"{EVENTS}?token={office.tokens['kiosk']}") == "public"
    assert view(f"{EVENTS}?token={office.tokens['counter']}") == "full"
    assert view(f"{EVENTS}?token={office.tokens['display']}") == "full"
    assert view(f"{EVENTS}?token={office.tokens['admin']}") == "full"
    assert view(EVENTS, office.headers("counter")) == "full"


def test_two_clients_get_the_same_stream(office: Office) -> None:
    url = f"{EVENTS}?token={office.tokens['counter']}"
    with office.client.websocket_connect(url) as a, office.client.websocket_connect(url) as b:
        receive(a)
        receive(b)
        for _ in range(5):
            office.issue("A")
        seq = office.service.seq
        assert events_until(a, seq) == events_until(b, seq)


def test_a_refused_request_sends_no_event(office: Office) -> None:
    with office.client.websocket_connect(EVENTS) as ws:
        snap = receive(ws)
        office.post("/counters/G1/call-next", "counter")  # closed: 409
        office.issue("A")
        (event,) = events_until(ws, office.service.seq)
        assert event["seq"] == snap["seq"] + 1
        assert event["event"]["type"] == "TicketIssued"


N_EVENTS = 1000


def test_a_ping_never_announces_an_event_not_yet_sent(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ping says which seq the client must have. An event published while the pusher's wait
    was timing out is still in the client's queue: a ping that counted it made the client
    resync, and a resync sends the whole day's state. Pings every 0.5 ms here, against
    N_EVENTS events, so that the two meet (without the fix this failed every time)."""
    monkeypatch.setattr("shared.const.WS_PING_INTERVAL_S", 0.0005)
    with office.client.websocket_connect(f"{EVENTS}?token={office.tokens['display']}") as ws:
        have = ws.receive_json()["seq"]  # the snapshot's
        for i in range(N_EVENTS):
            office.issue("AB"[i % 2])
        last, pings, ahead = office.service.seq, 0, []
        while have < last:
            message = ws.receive_json()
            if message["type"] == "ping":
                pings += 1
                if message["seq"] > have:
                    ahead.append((message["seq"], have))
            else:
                assert message["seq"] == have + 1
                have = message["seq"]
    assert pings > 0 and ahead == [], ahead[:5]
