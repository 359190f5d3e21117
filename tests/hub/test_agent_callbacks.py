"""Agents work the call-back requests: list, take (one agent only), read, release, outcome.

The phone number is personal data (P4): shown only to the agent who took the request, on the
device they took it on; every read is a row in the access log, checked here row by row.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import sqlite_utils
from pytestqt.qtbot import QtBot

from shared.client.api import HubClient, HubError
from shared.client.link import ServerLink
from shared.client.stream import fixed_hub
from shared.hub import store as store_mod
from tests.hub.conftest import API, Office, assert_error
from tests.hubproc import HubProcess

PHONE = "06 12 34 56 78"  # as the visitor typed it, and as the hub shows it to the agent
DIGITS = "0612345678"


# --- helpers (test_contacts.py uses them too) -------------------------------------------------


def as_agent(office: Office, who: str | None, agent: str | None) -> dict[str, str]:
    headers = office.headers(who)
    if agent is not None:
        # As HubClient sends it: percent-encoded UTF-8 (a header is ASCII on the wire).
        headers["X-Montour-Agent"] = agent if agent.isascii() else quote(agent)
    return headers


def get(
    office: Office, path: str, who: str | None = "counter", agent: str | None = "Alice"
) -> httpx.Response:
    return office.client.get(API + path, headers=as_agent(office, who, agent))


def post(
    office: Office, path: str, body: Any = None, who: str | None = "counter",
    agent: str | None = "Alice",
) -> httpx.Response:  # fmt: skip
    return office.client.post(API + path, json=body, headers=as_agent(office, who, agent))


def device_id(office: Office, name: str) -> str:
    with sqlite3.connect(office.db_path) as conn:
        (found,) = conn.execute("SELECT id FROM devices WHERE name = ?", (name,)).fetchone()
    conn.close()
    return str(found)


def access_log(office: Office) -> list[tuple[str, str, str, str]]:
    with sqlite3.connect(office.db_path) as conn:
        rows = conn.execute(
            "SELECT device, agent, kind, ref FROM access_log ORDER BY id"
        ).fetchall()
    conn.close()
    return rows


def leave_callback(office: Office, service: str = "A", phone: str = PHONE) -> str:
    body = {"service": service, "phone": phone, "consent": True}
    r = office.post("/callbacks", "kiosk", body)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def listed(office: Office, agent: str = "Alice", query: str = "") -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = office.ok(get(office, "/callbacks" + query, agent=agent))[
        "callbacks"
    ]
    return items


# --- 1. one request, one agent --------------------------------------------------------------


@pytest.mark.asyncio
async def test_agents_racing_for_one_request_one_gets_it(hub: HubProcess) -> None:
    """A real hub on loopback; eight agents on two counter devices press "take" together."""
    kiosk, counters = hub.token("kiosk", "Kiosk"), [hub.token("counter", f"C{i}") for i in (1, 2)]
    async with HubClient(hub.url, kiosk) as k:
        cid = (await k.request_callback("A", PHONE, consent=True))["id"]
    agents = [HubClient(hub.url, counters[i % 2], agent=f"Agent {i}") for i in range(8)]
    try:
        results = await asyncio.gather(
            *(a.take_callback(cid) for a in agents), return_exceptions=True
        )
        lists = [await a.callbacks(["A"]) for a in agents]
    finally:
        for a in agents:
            await a.aclose()
    won = [r for r in results if isinstance(r, dict)]
    lost = [r for r in results if isinstance(r, HubError)]
    assert len(won) == 1 and len(lost) == 7, results
    assert won[0]["phone"] == PHONE and won[0]["mine"] is True
    assert {(e.status, e.code) for e in lost} == {(409, "callback_taken")}
    winner = results.index(won[0])
    for i, answer in enumerate(lists):
        (item,) = answer["callbacks"]
        assert item["state"] == "taken" and item["taken_by"] == f"Agent {winner}"
        assert item["mine"] is (i == winner)
        assert "phone" not in item and DIGITS[1:] not in json.dumps(answer)
    # P6: the hub's own output (logs) never carried the number.
    assert DIGITS[1:] not in hub.output.replace(" ", "")


def test_the_list_never_shows_a_number_and_filters_by_service(office: Office) -> None:
    first = leave_callback(office, "A")
    office.clock.advance(60)
    second = leave_callback(office, "C", "+44 20 7183 8750")
    office.clock.advance(60)
    third = leave_callback(office, "A", "07 00 00 00 01")
    everything = listed(office)
    assert [c["id"] for c in everything] == [first, second, third]  # oldest first
    assert [c["id"] for c in listed(office, query="?services=A")] == [first, third]
    assert [c["id"] for c in listed(office, query="?services=C,A")] == [first, second, third]
    text = json.dumps(everything)
    assert "phone" not in text and "612345678" not in text and "71838750" not in text
    assert set(everything[0]) == {
        "id", "service", "lang", "created_at", "state", "taken_by", "taken_at", "outcome",
        "note", "attempts", "mine",
    }  # fmt: skip
    assert_error(get(office, "/callbacks?services=Z"), 422, "invalid_input")


# --- 2. the number for the holder only; every read logged -----------------------------------


def test_the_number_only_for_the_agent_and_device_that_took_it(office: Office) -> None:
    cid = leave_callback(office)
    assert office.ok(post(office, f"/callbacks/{cid}/take"))["phone"] == PHONE
    assert office.ok(get(office, f"/callbacks/{cid}"))["phone"] == PHONE
    assert_error(get(office, f"/callbacks/{cid}", agent="Bob"), 403, "not_yours")
    assert_error(get(office, f"/callbacks/{cid}", who="counter2"), 403, "not_yours")
    assert_error(post(office, f"/callbacks/{cid}/take", agent="Bob"), 409, "callback_taken")
    assert_error(post(office, f"/callbacks/{cid}/take", who="counter2"), 409, "callback_taken")
    again = office.ok(post(office, f"/callbacks/{cid}/take"))  # one's own: returned again
    assert again["phone"] == PHONE and again["state"] == "taken" and again["mine"] is True
    alice = (device_id(office, "counter"), "Alice", "callback.phone", cid)
    assert access_log(office) == [alice, alice, alice]  # the three reads; refusals read nothing
    assert_error(get(office, "/callbacks/nope"), 404, "not_found")


def test_an_agents_name_is_percent_encoded_utf8(office: Office) -> None:
    cid = leave_callback(office)
    answer = office.ok(post(office, f"/callbacks/{cid}/take", agent="H%C3%A9l%C3%A8ne%20D."))
    assert answer["taken_by"] == "Hélène D."
    assert access_log(office)[0][1] == "Hélène D."
    # Spaces around the name are not part of it.
    assert office.ok(get(office, f"/callbacks/{cid}", agent=" H%C3%A9l%C3%A8ne D. "))["mine"]


# --- 3. outcomes, release ---------------------------------------------------------------------


def test_reached_and_wrong_number_close_the_request(office: Office) -> None:
    for outcome in ("reached", "wrong_number"):
        cid = leave_callback(office)
        office.ok(post(office, f"/callbacks/{cid}/take"))
        body = {"outcome": outcome, "note": "ok"}
        done = office.ok(post(office, f"/callbacks/{cid}/outcome", body))
        assert (done["state"], done["outcome"], done["attempts"]) == ("done", outcome, 1)
        assert "phone" not in done
        assert cid not in [c["id"] for c in listed(office)]
        assert_error(post(office, f"/callbacks/{cid}/take", agent="Bob"), 409, "callback_done")
        for action in ("outcome", "release"):  # the holder too: it is over
            again = post(office, f"/callbacks/{cid}/{action}", {"outcome": "reached"})
            assert_error(again, 409, "callback_done")
        assert office.ok(get(office, f"/callbacks/{cid}"))["phone"] == PHONE  # still theirs


def test_no_answer_puts_the_request_back_with_one_more_attempt(office: Office) -> None:
    cid = leave_callback(office)
    for attempt in (1, 2):
        office.ok(post(office, f"/callbacks/{cid}/take", agent=f"Agent {attempt}"))
        body = {"outcome": "no_answer"}
        back = office.ok(post(office, f"/callbacks/{cid}/outcome", body, agent=f"Agent {attempt}"))
        assert (back["state"], back["attempts"], back["taken_by"]) == ("open", attempt, None)
        (item,) = listed(office)
        assert (item["state"], item["attempts"], item["outcome"]) == ("open", attempt, "no_answer")
    # The last agent no longer holds it: the number is not theirs any more.
    assert_error(get(office, f"/callbacks/{cid}", agent="Agent 2"), 403, "not_yours")


def test_release_puts_the_request_back_untouched(office: Office) -> None:
    cid = leave_callback(office)
    assert_error(post(office, f"/callbacks/{cid}/release"), 403, "not_yours")  # not taken
    office.ok(post(office, f"/callbacks/{cid}/take"))
    assert_error(post(office, f"/callbacks/{cid}/release", agent="Bob"), 403, "not_yours")
    back = office.ok(post(office, f"/callbacks/{cid}/release"))
    assert (back["state"], back["taken_by"], back["attempts"]) == ("open", None, 0)
    assert office.ok(post(office, f"/callbacks/{cid}/take", agent="Bob"))["phone"] == PHONE


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"outcome": "busy"}, "reached, no_answer, wrong_number"),
        ({"outcome": "reached", "note": "x" * 141}, "note"),
        ({"outcome": "reached", "extra": 1}, "extra"),
        ({}, "outcome"),
    ],
)
def test_a_bad_outcome_is_refused_and_changes_nothing(
    office: Office, body: dict[str, Any], words: str
) -> None:
    cid = leave_callback(office)
    office.ok(post(office, f"/callbacks/{cid}/take"))
    before = listed(office)
    error = assert_error(post(office, f"/callbacks/{cid}/outcome", body), 422, "invalid_input")
    assert words in error["message"]
    assert listed(office) == before


# --- 6. who may -------------------------------------------------------------------------------

ROUTES = [
    ("GET", "/callbacks"),
    ("POST", "/callbacks/{id}/take"),
    ("GET", "/callbacks/{id}"),
    ("POST", "/callbacks/{id}/release"),
    ("POST", "/callbacks/{id}/outcome"),
    ("POST", "/contacts/search"),
    ("POST", "/contacts"),
]
BODIES = {
    "/callbacks/{id}/outcome": {"outcome": "reached"},
    "/contacts/search": {"kind": "file", "key": "AB-123", "consent": True},
    "/contacts": {"kind": "file", "key": "AB-123", "consent": True, "channel": "counter",
                  "service": "A", "outcome": "done"},
}  # fmt: skip


def _call(
    office: Office, method: str, path: str, cid: str, who: str | None, agent: str | None
) -> httpx.Response:
    url = API + path.replace("{id}", cid)
    headers = as_agent(office, who, agent)
    return office.client.request(method, url, json=BODIES.get(path), headers=headers)


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_kiosks_and_displays_are_refused_and_an_agent_is_required(
    office: Office, method: str, path: str
) -> None:
    cid = leave_callback(office)
    for who in ("kiosk", "display"):
        assert_error(_call(office, method, path, cid, who, "Alice"), 403, "forbidden")
    assert_error(_call(office, method, path, cid, None, "Alice"), 401, "unauthorized")
    for agent in (None, "", "   ", "x" * 61, "Al%0Aice", "%FF"):
        assert_error(_call(office, method, path, cid, "counter", agent), 400, "agent_required")
    assert access_log(office) == []


# --- the client and the store -----------------------------------------------------------------


@pytest.mark.asyncio
async def test_hub_client_sends_the_agent_and_works_the_list(hub: HubProcess) -> None:
    kiosk, counter = hub.token("kiosk", "Kiosk"), hub.token("counter", "C1")
    async with HubClient(hub.url, kiosk) as k:
        cid = (await k.request_callback("B", "+44 20 7183 8750", consent=True))["id"]
    async with HubClient(hub.url, counter) as c:
        with pytest.raises(HubError) as refused:
            await c.callbacks()
        assert refused.value.code == "agent_required"
        c.agent = "Zoé 100%"  # sent percent-encoded: a header is ASCII on the wire
        assert [x["id"] for x in (await c.callbacks(["B"]))["callbacks"]] == [cid]
        assert (await c.callbacks(["A"]))["callbacks"] == []
        assert (await c.take_callback(cid))["phone"] == "+442071838750"
        assert (await c.callback(cid))["taken_by"] == "Zoé 100%"
        assert (await c.release_callback(cid))["state"] == "open"
        await c.take_callback(cid)
        done = await c.callback_outcome(cid, "reached", note="rappel fait")
        assert (done["state"], done["note"]) == ("done", "rappel fait")
        contact = await c.record_contact("file", "ab-1", "callback", "B", "reached")
        found = await c.search_contacts("file", "AB-1")
        assert (
            found["contacts"][0]["id"] == contact["id"] and found["subject"] == contact["subject"]
        )


def test_migration_v4_keeps_v3_call_backs_and_makes_a_secret(tmp_path: Path) -> None:
    path = tmp_path / "v3.db"
    conn = sqlite3.connect(path, isolation_level=None)
    db = sqlite_utils.Database(conn)
    for step in store_mod.MIGRATIONS[:3]:
        step(db)
    conn.execute("PRAGMA user_version=3")
    db.table("callbacks").insert(
        {
            "id": "c1",
            "service": "A",
            "phone": DIGITS,
            "lang": "fr",
            "created_at": "x",
            "delete_after": "y",
            "state": "open",
        }
    )
    conn.close()
    store = store_mod.Store(path)
    try:
        assert store.schema_version() == len(store_mod.MIGRATIONS) >= 4
        row = store.conn.execute("SELECT state, attempts, taken_by FROM callbacks").fetchone()
        assert row == ("open", 0, None)
        (secret,) = store.conn.execute("SELECT value FROM secrets").fetchone()
        assert isinstance(secret, bytes) and len(secret) == 32
    finally:
        store.close()


def test_server_link_names_its_agent_once_set(qtbot: QtBot, hub: HubProcess) -> None:
    """The counter app signs an agent in on its link; every later request names them."""
    link = ServerLink(fixed_hub(hub.url), hub.token("counter", "C1"))
    answers: dict[int, Any] = {}
    link.callFinished.connect(lambda rid, result: answers.__setitem__(rid, ("ok", result)))
    link.callFailed.connect(lambda rid, code, message: answers.__setitem__(rid, ("err", code)))
    try:
        link.start()
        first = link.request("callbacks")
        qtbot.waitUntil(lambda: first in answers, timeout=10_000)
        link.set_agent("Zoé")
        second = link.request("callbacks", ["A"])
        qtbot.waitUntil(lambda: second in answers, timeout=10_000)
        link.set_agent(None)
        third = link.request("callbacks")
        qtbot.waitUntil(lambda: third in answers, timeout=10_000)
        # A request names the agent signed in when it was made, even if it runs after a
        # sign-out (and a later one the agent of its own time).
        link.set_agent("Zoé")
        fourth = link.request("callbacks")
        link.set_agent(None)
        fifth = link.request("callbacks")
        qtbot.waitUntil(lambda: fourth in answers and fifth in answers, timeout=10_000)
    finally:
        link.stop()
    assert answers[first] == ("err", "agent_required")
    assert answers[second] == ("ok", {"callbacks": []})
    assert answers[third] == ("err", "agent_required")
    assert (answers[fourth], answers[fifth]) == (("ok", {"callbacks": []}),
                                                 ("err", "agent_required"))  # fmt: skip
