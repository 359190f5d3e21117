"""Pairing: an admin creates a one-time code, a device trades it for a token with that role."""

from __future__ import annotations

import re
import sqlite3

import pytest

from shared import const
from tests.hub.conftest import Office, assert_error


def new_code(office: Office, role: str, name: str = "") -> str:
    r = office.post("/pairing-codes", "admin", {"role": role, "name": name})
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["role"], body["expires_in_s"]) == (role, const.PAIRING_CODE_TTL_S)
    assert re.fullmatch(r"\d{4}-\d{4}", body["code"]), body
    return str(body["code"])


def test_a_paired_kiosk_issues_and_is_refused_counter_work(office: Office) -> None:
    code = new_code(office, "kiosk", "Kiosk hall")
    r = office.post("/pair", None, {"code": code, "name": "Kiosk hall"})
    assert r.status_code == 200, r.text
    paired = r.json()
    assert paired["role"] == "kiosk"
    assert paired["hub_id"] == office.hub.hub_id and paired["office"] == "fs-villeneuve"
    token = paired["token"]
    assert office.post("/tickets", token, {"service": "A"}).status_code == 201
    assert_error(office.post("/counters/G1/open", token, {"services": ["A"]}), 403, "forbidden")


@pytest.mark.parametrize("role", ["counter", "display", "admin"])
def test_the_token_has_the_codes_role(office: Office, role: str) -> None:
    code = new_code(office, role)
    token = office.ok(office.post("/pair", None, {"code": code, "name": "device"}))["token"]
    assert office.get("/state", token).status_code == 200
    with office.client.websocket_connect(f"/api/v1/events?token={token}") as ws:
        assert ws.receive_json()["view"] == "full"


def test_the_code_is_accepted_without_its_dash_or_with_spaces(office: Office) -> None:
    code = new_code(office, "counter")
    spaced = code.replace("-", " ")
    assert office.post("/pair", None, {"code": spaced, "name": "G1"}).status_code == 200


def test_the_code_is_single_use(office: Office) -> None:
    code = new_code(office, "counter")
    assert office.post("/pair", None, {"code": code, "name": "G1"}).status_code == 200
    r = office.post("/pair", None, {"code": code, "name": "G2"})
    assert_error(r, 401, "unauthorized")


def test_a_wrong_code_is_401(office: Office) -> None:
    new_code(office, "counter")
    assert_error(office.post("/pair", None, {"code": "0000-0000", "name": "x"}), 401)


def test_an_expired_code_is_401(office: Office) -> None:
    code = new_code(office, "counter")
    office.clock.advance(const.PAIRING_CODE_TTL_S + 1)
    body = assert_error(office.post("/pair", None, {"code": code, "name": "G1"}), 401)
    assert "expired" in body["message"]


def test_a_code_is_good_until_it_expires(office: Office) -> None:
    code = new_code(office, "display")
    office.clock.advance(const.PAIRING_CODE_TTL_S - 1)
    assert office.post("/pair", None, {"code": code, "name": "TV"}).status_code == 200


def test_unknown_role_is_422(office: Office) -> None:
    body = assert_error(office.post("/pairing-codes", "admin", {"role": "janitor"}), 422)
    assert "kiosk" in body["message"]  # it lists the roles


def test_only_an_admin_creates_codes(office: Office) -> None:
    for who in ("kiosk", "counter", "display"):
        assert_error(office.post("/pairing-codes", who, {"role": "admin"}), 403, "forbidden")
    assert_error(office.post("/pairing-codes", None, {"role": "admin"}), 401, "unauthorized")


def test_pairing_stores_only_hashes(office: Office) -> None:
    code = new_code(office, "kiosk")
    token = office.ok(office.post("/pair", None, {"code": code, "name": "k"}))["token"]
    conn = sqlite3.connect(office.db_path)
    try:
        dump = "\n".join(conn.iterdump())
    finally:
        conn.close()
    assert token not in dump
    assert code.replace("-", "") not in dump
