"""The kiosk's extra routes: preview of the rank, call-back requests, printer reports."""

from __future__ import annotations

import sqlite3
from datetime import datetime

import pytest

from shared.hub.app import housekeeping
from tests.hub.conftest import PARIS, Office, assert_error


def callbacks_rows(office: Office) -> list[tuple[str, ...]]:
    with sqlite3.connect(office.db_path) as conn:
        rows = conn.execute("SELECT service, phone, lang, state FROM callbacks").fetchall()
    conn.close()
    return rows


def test_preview_gives_the_rank_the_ticket_then_gets(office: Office) -> None:
    office.open("G1", "A")
    for _ in range(3):
        office.issue("A")
    office.issue("A", priority=True)
    regular = office.ok(office.get("/services/A/preview"))
    assert regular["position"] == 5 and regular["open"] is True
    priority = office.ok(office.get("/services/A/preview?priority=true"))
    assert priority["position"] == 2
    # The ticket then taken gets the rank that was announced.
    assert office.issue("A")["estimate"]["position"] == regular["position"]
    assert office.issue("A", priority=True)["estimate"]["position"] == priority["position"]


def test_preview_says_busy_past_the_office_threshold(office: Office) -> None:
    office.open("G1", "A")
    assert office.ok(office.get("/services/A/preview"))["busy"] is False
    for _ in range(3):  # 3 × 10 min with one counter: mean 40 min > 20
        office.issue("A")
    busy = office.ok(office.get("/services/A/preview"))
    assert busy["busy"] is True and busy["wait"]["mean_min"] > 20


def test_preview_with_no_counter_open_is_honest(office: Office) -> None:
    answer = office.ok(office.get("/services/B/preview"))
    assert answer["open"] is False and answer["wait"] is None and answer["busy"] is False
    assert_error(office.get("/services/Z/preview"), 404, "not_found")


def test_issued_ticket_carries_its_page_url_and_validity(office: Office) -> None:
    ticket = office.issue("A")
    assert ticket["page_url"].endswith(f"/t/{ticket['token']}")
    assert ticket["page_url"].startswith("http")
    # Monday: the office closes at 16:30.
    until = datetime.fromisoformat(ticket["valid_until"]).astimezone(PARIS)
    assert (until.hour, until.minute) == (16, 30)


def test_office_publishes_quieter_hours_and_call_back_rules(office: Office) -> None:
    body = office.ok(office.get("/office"))
    services = {s["code"]: s for s in body["services"]}
    assert services["A"]["quieter_hours"] == {
        "tue": [["14:00", "16:30"]],
        "thu": [["15:00", "18:00"]],
    }
    assert services["B"]["quieter_hours"] == body["quieter_hours"]
    assert body["callbacks"] == {"enabled": True, "retention_days": 30}


def test_callback_is_stored_normalised_and_idempotent(office: Office) -> None:
    body = {"service": "A", "phone": "06 12 34 56 78", "consent": True, "lang": "ar"}
    first = office.post("/callbacks", "kiosk", body, key="cb-1")
    assert first.status_code == 201, first.text
    again = office.post("/callbacks", "kiosk", body, key="cb-1")
    assert again.json() == first.json()
    assert callbacks_rows(office) == [("A", "0612345678", "ar", "open")]
    assert "phone" not in first.json()  # the answer does not echo personal data


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"consent": False}, 422, "consent_required"),
        ({"phone": "12"}, 422, "phone_invalid"),
        ({"phone": "+33 6 12"}, 422, "phone_invalid"),
        ({"service": "Z"}, 404, "not_found"),
        ({"consent": "yes"}, 422, "invalid_input"),
    ],
)
def test_bad_callbacks_are_refused_and_store_nothing(
    office: Office, change: dict[str, object], status: int, code: str
) -> None:
    body = {"service": "A", "phone": "+44 20 7183 8750", "consent": True, **change}
    assert_error(office.post("/callbacks", "kiosk", body), status, code)
    assert callbacks_rows(office) == []


def test_only_a_kiosk_leaves_callbacks(office: Office) -> None:
    body = {"service": "A", "phone": "0612345678", "consent": True}
    assert_error(office.post("/callbacks", None, body), 401)
    assert_error(office.post("/callbacks", "counter", body), 403)


def test_retention_job_deletes_callbacks_past_their_time(office: Office) -> None:
    body = {"service": "A", "phone": "0612345678", "consent": True}
    assert office.post("/callbacks", "kiosk", body).status_code == 201
    office.clock.advance(29 * 86400)
    assert office.service.run(housekeeping) == 0
    assert len(callbacks_rows(office)) == 1
    office.clock.advance(1 * 86400)
    assert office.service.run(housekeeping) == 1
    assert callbacks_rows(office) == []


def test_printer_reports_show_in_health(office: Office) -> None:
    assert office.ok(office.get("/health"))["printers"] == []
    r = office.post("/devices/me/printer", "kiosk", {"state": "paper_out", "detail": "cover"})
    assert office.ok(r)["state"] == "paper_out"
    printers = office.ok(office.get("/health"))["printers"]
    assert [(p["state"], p["detail"]) for p in printers] == [("paper_out", "cover")]
    assert_error(office.post("/devices/me/printer", "kiosk", {"state": "on fire"}), 422)
    assert_error(office.post("/devices/me/printer", "display", {"state": "ok"}), 403)


def test_a_finished_tickets_page_expires_at_closing_time_a_live_one_does_not(
    office: Office,
) -> None:
    office.open("G1", "A")
    done, waiting = office.issue("A"), office.issue("A")
    office.call_next("G1")
    office.ok(office.act(done["id"], "start"))
    office.ok(office.act(done["id"], "complete", {"outcome": "done"}))
    assert office.get(f"/status/{done['token']}").status_code == 200
    # Monday 09:00 → 16:30 closing: 7 h 30 later the doors are shut.
    office.clock.advance(7.5 * 3600)
    assert_error(office.get(f"/status/{done['token']}"), 404, "not_found")
    assert office.client.get(f"/t/{done['token']}").status_code == 404
    # The visitor still waiting inside is served after closing: their page still works.
    assert office.status(waiting["token"])["state"] == "waiting"
