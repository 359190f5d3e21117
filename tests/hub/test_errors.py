"""Refused requests: the right status, the one error shape, and nothing changed.

Every refusal is checked with `office.unchanged()`: the full snapshot, the public queue, the
writer's seq and the stored event log are identical before and after.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.hub.conftest import API, Office, assert_error

ACTIONS = ("recall", "start", "no-show", "reactivate", "park", "cancel")


def protected_routes(tid: str) -> list[tuple[str, str, Any, set[str]]]:
    """(method, path, valid body, roles allowed besides admin) for every route needing a token."""
    return [
        ("POST", "/tickets", {"service": "A"}, {"kiosk"}),
        ("GET", "/state", None, {"counter", "display"}),
        ("POST", f"/tickets/{tid}/complete", {"outcome": "done"}, {"counter"}),
        ("POST", f"/tickets/{tid}/transfer", {"service": "B"}, {"counter"}),
        *[("POST", f"/tickets/{tid}/{action}", {}, {"counter"}) for action in ACTIONS],
        ("POST", "/counters/G1/open", {"services": ["A"]}, {"counter"}),
        ("POST", "/counters/G1/pause", {"reason": "break"}, {"counter"}),
        ("POST", "/counters/G1/resume", None, {"counter"}),
        ("POST", "/counters/G1/close", None, {"counter"}),
        ("POST", "/counters/G1/call-next", None, {"counter"}),
        ("POST", "/counters/G1/call", {"label": "A001"}, {"counter"}),
        ("POST", "/pairing-codes", {"role": "kiosk"}, set()),
    ]


def send(office: Office, method: str, path: str, body: Any, headers: dict[str, str]) -> Any:
    return office.client.request(method, API + path, json=body, headers=headers)


# --- 401 / 403 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer not-a-token-of-this-hub"},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic a2lvc2s6a2lvc2s="},
    ],
    ids=["none", "unknown", "empty", "basic"],
)
def test_every_protected_route_refuses_a_missing_or_unknown_token(
    office: Office, headers: dict[str, str]
) -> None:
    tid = office.issue("A")["id"]
    for method, path, body, _ in protected_routes(tid):
        with office.unchanged():
            r = send(office, method, path, body, headers)
            assert_error(r, 401, "unauthorized")


def test_every_protected_route_refuses_the_wrong_role(office: Office) -> None:
    tid = office.issue("A")["id"]
    for method, path, body, allowed in protected_routes(tid):
        for who in {"kiosk", "counter", "display"} - allowed:
            with office.unchanged():
                r = send(office, method, path, body, office.headers(who))
                assert_error(r, 403, "forbidden")


def test_kiosk_cannot_operate_a_counter_and_counter_cannot_issue(office: Office) -> None:
    office.open("G1", "A")
    office.issue("A")
    with office.unchanged():
        assert_error(office.post("/counters/G1/call-next", "kiosk"), 403, "forbidden")
        assert_error(office.post("/tickets", "counter", {"service": "A"}), 403, "forbidden")
        assert_error(office.post("/tickets", "display", {"service": "A"}), 403, "forbidden")
        assert_error(office.get("/state", "kiosk"), 403, "forbidden")


def test_admin_may_do_what_kiosk_and_counter_do(office: Office) -> None:
    r = office.post("/tickets", "admin", {"service": "A"})
    assert r.status_code == 201, r.text
    assert office.post("/counters/G1/open", "admin", {"services": ["A"]}).status_code == 200
    called = office.post("/counters/G1/call-next", "admin")
    assert called.status_code == 200, called.text
    assert called.json()["ticket"]["id"] == r.json()["id"]
    assert office.get("/state", "admin").status_code == 200


# --- 404 ------------------------------------------------------------------------------------


def test_unknown_ticket_is_404_on_every_ticket_route(office: Office) -> None:
    office.open("G1", "A")
    office.issue("A")
    routes = [
        ("complete", {"outcome": "done"}),
        ("transfer", {"service": "B"}),
        *[(action, {}) for action in ACTIONS],
    ]
    for action, body in routes:
        with office.unchanged():
            assert_error(office.act("0123456789abcdef", action, body), 404, "not_found")
    with office.unchanged():
        r = office.post("/counters/G1/call", "counter", {"ticket": "0123456789abcdef"})
        assert_error(r, 404, "not_found")
        r = office.post("/counters/G1/call", "counter", {"label": "A999"})
        assert_error(r, 404, "not_found")
        assert_error(office.get("/status/no-such-token"), 404, "not_found")


def test_unknown_service_is_404(office: Office) -> None:
    office.open("G1", "A")
    office.issue("A")
    tid = office.call_next("G1")["id"]
    with office.unchanged():
        assert_error(office.post("/tickets", "kiosk", {"service": "Z"}), 404, "not_found")
        assert_error(office.act(tid, "transfer", {"service": "Z"}), 404, "not_found")
        r = office.post("/counters/G2/open", "counter", {"services": ["A", "Z"]})
        assert_error(r, 404, "not_found")


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("open", {"services": ["A"]}),
        ("pause", {"reason": "break"}),
        ("resume", None),
        ("close", None),
        ("call-next", None),
        ("call", {"label": "A001"}),
    ],
)
def test_unknown_counter_is_404(office: Office, action: str, body: Any) -> None:
    office.issue("A")
    with office.unchanged():
        r = office.post(f"/counters/G99/{action}", "counter", body)
        assert_error(r, 404, "not_found")


def test_unknown_outcome_is_refused(office: Office) -> None:
    office.open("G1", "A")
    office.issue("A")
    tid = office.call_next("G1")["id"]
    office.ok(office.act(tid, "start"))
    with office.unchanged():
        r = office.act(tid, "complete", {"outcome": "lunch"})
        body = assert_error(r, 422, "invalid_input")
        assert "done" in body["message"]  # the message lists the office's outcomes


def test_unknown_address_and_method(office: Office) -> None:
    assert_error(office.client.get("/nowhere"), 404, "not_found")
    assert_error(office.get("/nowhere"), 404, "not_found")
    assert_error(office.post("/counters/G1/dance", "counter"), 404, "not_found")
    tid = office.issue("A")["id"]
    with office.unchanged():
        assert_error(office.act(tid, "dance"), 404, "not_found")
        assert_error(office.client.get(API + "/tickets"), 405, "method_not_allowed")


# --- 409 ------------------------------------------------------------------------------------


def test_start_a_waiting_ticket_is_409(office: Office) -> None:
    tid = office.issue("A")["id"]
    with office.unchanged():
        assert_error(office.act(tid, "start"), 409, "illegal_transition")


def test_complete_a_called_ticket_is_409(office: Office) -> None:
    office.open("G1", "A")
    office.issue("A")
    tid = office.call_next("G1")["id"]
    with office.unchanged():
        assert_error(office.act(tid, "complete", {"outcome": "done"}), 409, "illegal_transition")


def test_call_from_a_closed_counter_is_409(office: Office) -> None:
    office.issue("A")
    with office.unchanged():
        assert_error(office.post("/counters/G1/call-next", "counter"), 409, "conflict")
        r = office.post("/counters/G1/call", "counter", {"label": "A001"})
        assert_error(r, 409, "conflict")


def test_call_from_a_paused_counter_is_409(office: Office) -> None:
    office.open("G1", "A")
    office.issue("A")
    office.ok(office.post("/counters/G1/pause", "counter", {"reason": "coffee"}))
    with office.unchanged():
        assert_error(office.post("/counters/G1/call-next", "counter"), 409, "conflict")
        r = office.post("/counters/G1/call", "counter", {"label": "A001"})
        assert_error(r, 409, "conflict")
        # A paused counter cannot be paused again either.
        r = office.post("/counters/G1/pause", "counter", {"reason": "again"})
        assert_error(r, 409, "conflict")


def test_close_a_busy_counter_is_409(office: Office) -> None:
    office.open("G1", "A")
    office.issue("A")
    tid = office.call_next("G1")["id"]
    with office.unchanged():
        body = assert_error(office.post("/counters/G1/close", "counter"), 409, "conflict")
        assert "A001" in body["message"]
    office.ok(office.act(tid, "start"))
    with office.unchanged():
        assert_error(office.post("/counters/G1/close", "counter"), 409, "conflict")


def test_call_next_while_busy_is_409(office: Office) -> None:
    office.open("G1", "A")
    office.issue("A")
    office.issue("A")
    office.call_next("G1")
    with office.unchanged():
        assert_error(office.post("/counters/G1/call-next", "counter"), 409, "conflict")


def test_call_next_with_nobody_waiting_is_409(office: Office) -> None:
    office.open("G1", "A", "B")
    office.issue("C")  # G1 does not serve C
    with office.unchanged():
        r = office.post("/counters/G1/call-next", "counter")
        assert_error(r, 409, "nothing_waiting")


def test_resume_an_open_counter_is_409(office: Office) -> None:
    office.open("G1", "A")
    with office.unchanged():
        assert_error(office.post("/counters/G1/resume", "counter"), 409, "conflict")


def test_acting_for_another_counter_is_409(office: Office) -> None:
    office.open("G1", "A")
    office.open("G2", "A")
    office.issue("A")
    tid = office.call_next("G1")["id"]
    with office.unchanged():
        assert_error(office.act(tid, "start", {"counter": "G2"}), 409, "conflict")
        assert_error(office.act(tid, "no-show", {"counter": "G2"}), 409, "conflict")


def test_call_a_ticket_of_a_service_the_counter_does_not_serve_is_409(office: Office) -> None:
    office.open("G1", "A", "B")
    office.issue("C")
    with office.unchanged():
        r = office.post("/counters/G1/call", "counter", {"label": "C001"})
        assert_error(r, 409, "conflict")


# --- 422 ------------------------------------------------------------------------------------

INVALID_BODIES: list[tuple[str, str, Any]] = [
    # (route, device, body)
    ("/tickets", "kiosk", {"service": "A", "priority": "yes"}),
    ("/tickets", "kiosk", {"service": "A", "priority": 1}),
    ("/tickets", "kiosk", {"service": "A", "priority": None}),
    ("/tickets", "kiosk", {"service": 1}),
    ("/tickets", "kiosk", {"service": ""}),
    ("/tickets", "kiosk", {"service": "A B"}),
    ("/tickets", "kiosk", {"service": "A", "lang": "french"}),
    ("/tickets", "kiosk", {"service": "A", "name": "Dupont"}),
    ("/tickets", "kiosk", {"priority": True}),
    ("/tickets", "kiosk", {}),
    ("/tickets", "kiosk", None),
    ("/tickets", "kiosk", ["A"]),
    ("/tickets", "kiosk", "A"),
    ("/tickets/{tid}/no-show", "counter", {"counter": False}),
    ("/tickets/{tid}/no-show", "counter", {"counter": 1}),
    ("/tickets/{tid}/no-show", "counter", {"counter": "G1", "why": "late"}),
    ("/tickets/{tid}/complete", "counter", {}),
    ("/tickets/{tid}/complete", "counter", {"outcome": True}),
    ("/tickets/{tid}/complete", "counter", {"outcome": "done", "extra": 1}),
    ("/tickets/{tid}/transfer", "counter", {}),
    ("/tickets/{tid}/transfer", "counter", {"service": "B", "head": "true"}),
    ("/tickets/{tid}/transfer", "counter", {"service": "B", "note": "x" * 201}),
    ("/counters/G1/open", "counter", {}),
    ("/counters/G1/open", "counter", {"services": []}),
    ("/counters/G1/open", "counter", {"services": "A"}),
    ("/counters/G1/open", "counter", {"services": ["A"], "accessible": True}),
    ("/counters/G1/pause", "counter", {"reason": 5}),
    ("/counters/G1/pause", "counter", {"reason": "x" * 201}),
    ("/counters/G1/call", "counter", {}),
    ("/counters/G1/call", "counter", {"ticket": "{tid}", "label": "A001"}),
    ("/counters/G1/call", "counter", {"label": 1}),
    ("/pairing-codes", "admin", {}),
    ("/pairing-codes", "admin", {"role": "janitor"}),
    ("/pairing-codes", "admin", {"role": 3}),
    ("/pair", "kiosk", {"code": "1234-5678"}),
    ("/pair", "kiosk", {"code": 12345678, "name": "x"}),
    ("/pair", "kiosk", {"code": "1", "name": "x"}),
]


def test_invalid_bodies_are_422_and_change_nothing(office: Office) -> None:
    office.open("G1", "A")
    office.issue("A")
    tid = office.call_next("G1")["id"]
    for route, who, body in INVALID_BODIES:
        path = route.replace("{tid}", tid)
        if isinstance(body, dict):
            body = {
                k: (v.replace("{tid}", tid) if isinstance(v, str) else v) for k, v in body.items()
            }
        with office.unchanged():
            r = office.post(path, who, body)
            assert r.status_code == 422, (route, body, r.text)
            assert_error(r, 422)


def test_body_that_is_not_json_is_422(office: Office) -> None:
    with office.unchanged():
        r = office.client.post(
            API + "/tickets",
            content=b"{service: A",
            headers={**office.headers("kiosk"), "Content-Type": "application/json"},
        )
        assert_error(r, 422, "invalid_input")


def test_validation_message_names_the_field(office: Office) -> None:
    body = assert_error(office.post("/tickets", "kiosk", {"service": "A", "priority": "yes"}), 422)
    assert "priority" in body["message"]


def test_idempotency_key_too_long_is_422(office: Office) -> None:
    with office.unchanged():
        r = office.post("/tickets", "kiosk", {"service": "A"}, key="k" * 129)
        assert_error(r, 422, "invalid_input")
