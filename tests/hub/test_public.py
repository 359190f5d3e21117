"""Public read-only routes: health, the office's configuration, OpenAPI and the docs."""

from __future__ import annotations

import json
from datetime import datetime

from tests.hub.conftest import Office


def test_health(office: Office) -> None:
    health = office.ok(office.get("/health"))
    # The hub's clock, for a driver on an accelerated one (montour simulate --live).
    assert datetime.fromisoformat(health.pop("now")) == office.clock.now()
    assert health == {
        "status": "ok", "hub_id": office.hub.hub_id, "office": "fs-villeneuve", "api": "1",
        "seq": office.service.seq, "printers": [],
    }  # fmt: skip
    office.issue("A")
    assert office.ok(office.get("/health"))["seq"] == health["seq"] + 1


def test_office_holds_what_the_apps_need_and_nothing_secret(office: Office) -> None:
    data = office.ok(office.get("/office"))
    assert data["id"] == "fs-villeneuve" and data["timezone"] == "Europe/Paris"
    assert [s["code"] for s in data["services"]] == ["A", "B", "C", "D"]
    assert [c["id"] for c in data["counters"]] == ["G1", "G2", "G3", "G4", "G5", "G6"]
    assert data["policy"] == {
        "kind": "strict", "rate_ratio": 3.0, "recall_limit": 2, "no_show_grace_min": 15.0,
    }  # fmt: skip
    assert data["hours"]["mon"] == [["08:30", "12:00"], ["13:30", "16:30"]]
    assert {o["code"] for o in data["outcomes"]} == {"done", "incomplete", "redirected"}
    text = json.dumps(data)
    assert not any(token in text for token in office.tokens.values())


def test_the_public_queue_needs_no_token(office: Office) -> None:
    office.open("G1", "A")
    office.issue("B")
    queue = office.ok(office.get("/queue"))
    assert queue["seq"] == office.service.seq
    assert queue["services"]["B"] == {"waiting": 1, "open_counters": 0, "wait": None}
    assert queue["services"]["A"]["open_counters"] == 1
    assert queue["state"]["day"] == "2026-11-30"


def test_openapi_lists_every_route(office: Office) -> None:
    r = office.client.get("/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    expected = {
        "/api/v1/health": {"get"},
        "/api/v1/office": {"get"},
        "/api/v1/queue": {"get"},
        "/api/v1/state": {"get"},
        "/api/v1/status/{token}": {"get"},
        "/api/v1/tickets": {"post"},
        "/api/v1/tickets/{ticket_id}/complete": {"post"},
        "/api/v1/tickets/{ticket_id}/transfer": {"post"},
        "/api/v1/tickets/{ticket_id}/{action}": {"post"},
        "/api/v1/counters/{counter_id}/open": {"post"},
        "/api/v1/counters/{counter_id}/pause": {"post"},
        "/api/v1/counters/{counter_id}/resume": {"post"},
        "/api/v1/counters/{counter_id}/close": {"post"},
        "/api/v1/counters/{counter_id}/call-next": {"post"},
        "/api/v1/counters/{counter_id}/call": {"post"},
        "/api/v1/pair": {"post"},
        "/api/v1/pairing-codes": {"post"},
        "/api/v1/services/{code}/preview": {"get"},
        "/api/v1/callbacks": {"get", "post"},
        "/api/v1/callbacks/{callback_id}": {"get"},
        "/api/v1/callbacks/{callback_id}/take": {"post"},
        "/api/v1/callbacks/{callback_id}/release": {"post"},
        "/api/v1/callbacks/{callback_id}/outcome": {"post"},
        "/api/v1/contacts/search": {"post"},
        "/api/v1/contacts": {"post"},
        "/api/v1/devices/me/printer": {"post"},
        "/api/v1/status/{token}/events": {"get"},
        "/api/v1/board": {"get"},
        "/api/v1/board/events": {"get"},
        "/api/v1/hours": {"get"},
        "/api/v1/appointments": {"post"},
        "/api/v1/appointments/slots": {"get"},
        "/api/v1/appointments/{ref}": {"get"},
        "/api/v1/appointments/{ref}/cancel": {"post"},
        "/api/v1/appointments/{ref}/move": {"post"},
    }
    assert {path: set(ops) for path, ops in paths.items()} == expected
    issue = paths["/api/v1/tickets"]["post"]
    schema = issue["requestBody"]["content"]["application/json"]["schema"]
    assert schema["$ref"].endswith("/IssueRequest")
    models = r.json()["components"]["schemas"]
    assert models["IssueRequest"]["additionalProperties"] is False


def test_docs_page_is_served(office: Office) -> None:
    r = office.client.get("/docs")
    assert r.status_code == 200 and "openapi.json" in r.text


def test_the_queue_without_the_state_is_only_the_services_figures(office: Office) -> None:
    office.issue("B")
    full = office.ok(office.get("/queue"))
    light = office.ok(office.get("/queue?state=false"))
    assert "state" in full and "state" not in light
    assert light == {"seq": full["seq"], "services": full["services"]}
