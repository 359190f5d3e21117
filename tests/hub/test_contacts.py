"""The visitor's contact history: opt-in, found by a key that is never stored, every search
logged; and the retention job for everything personal the hub keeps (P4, P6)."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.clock import ManualClock
from shared.config import OfficeConfig
from shared.hub.app import create_app, housekeeping
from tests.hub.conftest import Office, assert_error
from tests.hub.test_agent_callbacks import (
    access_log,
    device_id,
    get,
    leave_callback,
    listed,
    post,
)

DAY_S = 86400


def contact(kind: str = "phone", key: str = "06 12 34 56 78", **change: Any) -> dict[str, Any]:
    return {"kind": kind, "key": key, "consent": True, "channel": "counter", "service": "A",
            "outcome": "done", "note": "", **change}  # fmt: skip


def record(office: Office, agent: str = "Alice", **body: Any) -> dict[str, Any]:
    r = post(office, "/contacts", contact(**body), agent=agent)
    assert r.status_code == 201, r.text
    answer: dict[str, Any] = r.json()
    return answer


def search(office: Office, kind: str, key: str, agent: str = "Alice") -> dict[str, Any]:
    body = {"kind": kind, "key": key, "consent": True}
    return office.ok(post(office, "/contacts/search", body, agent=agent))


def stored_contacts(office: Office) -> int:
    return len(office.service.run(lambda tx: list(tx.db.query("SELECT id FROM contacts"))))


# --- 5. contacts ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/contacts/search", "/contacts"])
@pytest.mark.parametrize("consent", [False, None])
def test_no_consent_no_search_and_no_record(
    office: Office, path: str, consent: bool | None
) -> None:
    body = contact()
    if consent is None:
        del body["consent"]
    else:
        body["consent"] = consent
    if path.endswith("search"):
        body = {k: body[k] for k in ("kind", "key", "consent") if k in body}
    assert_error(post(office, path, body), 422, "consent_required")
    assert stored_contacts(office) == 0 and access_log(office) == []


@pytest.mark.parametrize(
    ("kind", "key"),
    [
        ("phone", "12345"),
        ("phone", "06 12"),
        ("phone", "AB-123"),
        ("file", "ab"),
        ("file", "A" * 31),
        ("file", "AB 123"),
        ("file", "AB_123"),
        ("file", "é123"),
        ("file", "   "),
    ],
)
def test_a_bad_key_is_refused_without_being_repeated(office: Office, kind: str, key: str) -> None:
    for path, body in (("/contacts/search", {"kind": kind, "key": key, "consent": True}),
                       ("/contacts", contact(kind, key))):  # fmt: skip
        error = assert_error(post(office, path, body), 422, "key_invalid")
        assert not key.strip() or key.strip() not in error["message"]
    assert stored_contacts(office) == 0 and access_log(office) == []


def test_the_key_is_not_in_the_database_in_clear(office: Office, db_path: Path) -> None:
    record(office, "Alice", kind="phone", key="06 98 76 54 32")
    record(office, "Alice", kind="file", key="cnaf-7781/2024")
    search(office, "phone", "+33 6 98 76 54 32")
    search(office, "file", "CNAF-7781/2024")
    files = [p for p in db_path.parent.iterdir() if p.name.startswith(db_path.name)]
    assert {p.name for p in files} >= {"office.db", "office.db-wal"}
    raw = b"".join(p.read_bytes() for p in files)
    for clear in ("0698765432", "698765432", "06 98 76 54 32", "7781/2024", "7781"):
        assert clear.encode() not in raw, clear
        assert clear.encode("utf-16-le") not in raw, clear


def test_the_same_person_whatever_the_spelling(office: Office) -> None:
    by_phone = record(office, kind="phone", key="06 12 34 56 78")
    by_file = record(office, kind="file", key="ab-123", channel="email")
    for spelling in ("+33612345678", "0033 6 12 34 56 78", "+33 (0)6.12.34.56.78", "0612345678"):
        found = search(office, "phone", spelling)
        assert found["subject"] == by_phone["subject"]
        assert [c["id"] for c in found["contacts"]] == [by_phone["id"]]
    for spelling in ("AB-123", " ab-123 ", "Ab-123"):
        assert [c["id"] for c in search(office, "file", spelling)["contacts"]] == [by_file["id"]]
    # A file number that reads like a phone number is another key: another person.
    assert search(office, "file", "0612345678")["contacts"] == []
    assert by_phone["subject"] != by_file["subject"]


def test_contacts_newest_first_across_channels_and_agents(office: Office) -> None:
    made = []
    for channel, agent, outcome in [("phone", "Alice", "done"), ("counter", "Bob", "incomplete"),
                                    ("callback", "Alice", "no_answer"),
                                    ("email", "Chloé", "redirected")]:  # fmt: skip
        made.append(record(office, agent, channel=channel, outcome=outcome, note=f"n {agent}"))
        office.clock.advance(3 * DAY_S)
    found = search(office, "phone", "0612345678")["contacts"]
    assert [c["id"] for c in found] == [c["id"] for c in reversed(made)]
    assert found[0] == {k: made[-1][k] for k in found[0]}
    assert set(found[0]) == {"id", "at", "channel", "service", "outcome", "note", "agent"}
    assert (found[0]["channel"], found[0]["agent"], found[0]["note"]) == (
        "email", "Chloé", "n Chloé")  # fmt: skip
    assert found[0]["at"] > found[1]["at"]


@pytest.mark.parametrize(
    ("change", "status", "code", "words"),
    [
        ({"note": "x" * 141}, 422, "invalid_input", "note"),
        ({"outcome": "cured"}, 422, "invalid_input", "done, incomplete, redirected, reached"),
        ({"channel": "fax"}, 422, "invalid_input", "channel"),
        ({"service": "Z"}, 404, "not_found", "Z"),
        ({"kind": "name"}, 422, "invalid_input", "kind"),
        ({"consent": "yes"}, 422, "invalid_input", "consent"),
    ],
)
def test_a_bad_contact_is_refused_and_stores_nothing(
    office: Office, change: dict[str, Any], status: int, code: str, words: str
) -> None:
    error = assert_error(post(office, "/contacts", contact(**change)), status, code)
    assert words in error["message"]
    assert stored_contacts(office) == 0


def test_a_note_of_140_characters_is_fine(office: Office) -> None:
    assert len(record(office, note="x" * 140)["note"]) == 140


def test_every_search_is_logged_with_the_subject_never_the_key(office: Office) -> None:
    subject = record(office)["subject"]
    search(office, "phone", "0612345678", agent="Alice")
    nobody = search(office, "file", "XYZ-9", agent="Bob")  # no contacts: still a search
    assert nobody["contacts"] == []
    assert_error(post(office, "/contacts/search", {"kind": "file", "key": "X"}), 422)
    counter = device_id(office, "counter")
    assert access_log(office) == [
        (counter, "Alice", "contacts.search", subject),
        (counter, "Bob", "contacts.search", nobody["subject"]),
    ]


def test_the_office_says_whether_it_keeps_contacts(office: Office) -> None:
    assert office.ok(office.get("/office"))["contacts"] == {"enabled": True, "retention_days": 365}


def test_an_office_without_contact_history_refuses_both(
    config: OfficeConfig, db_path: Path, clock: ManualClock, tokens: dict[str, str]
) -> None:
    off = dataclasses.replace(config, contacts_enabled=False)
    with TestClient(create_app(off, db_path, clock=clock)) as client:
        office = Office(client, clock, tokens, db_path)
        assert_error(post(office, "/contacts", contact()), 409, "feature_off")
        body = {"kind": "file", "key": "AB-1", "consent": True}
        assert_error(post(office, "/contacts/search", body), 409, "feature_off")
        assert office.ok(office.get("/office"))["contacts"]["enabled"] is False


# --- 4. retention -----------------------------------------------------------------------------


def test_housekeeping_deletes_personal_data_past_its_retention(office: Office) -> None:
    """Example office: call-backs 30 days, contacts and the access log 365 days."""
    old_cb = leave_callback(office)
    office.ok(post(office, f"/callbacks/{old_cb}/take"))  # an access-log row, day 0
    record(office, key="0611111111")  # a contact, day 0
    office.clock.advance(20 * DAY_S)
    leave_callback(office)  # deleted after day 50
    office.clock.advance(200 * DAY_S)
    record(office, key="0622222222")  # day 220
    search(office, "phone", "0622222222")  # an access-log row, day 220

    assert office.service.run(housekeeping) == 2  # both call-backs (30 days) are past
    assert listed(office) == []
    office.clock.advance((365 - 220) * DAY_S - 1)  # 1 s before the first year is over
    assert office.service.run(housekeeping) == 0
    assert stored_contacts(office) == 2 and len(access_log(office)) == 2
    office.clock.advance(2)
    assert office.service.run(housekeeping) == 2  # the day-0 contact and access-log row
    assert stored_contacts(office) == 1
    assert [row[2] for row in access_log(office)] == ["contacts.search"]
    assert search(office, "phone", "0622222222")["contacts"] != []


def test_callbacks_younger_than_their_retention_remain(office: Office) -> None:
    leave_callback(office)
    office.clock.advance(10 * DAY_S)
    young = leave_callback(office)
    office.clock.advance(25 * DAY_S)  # the first is 35 days old, the second 25
    assert office.service.run(housekeeping) == 1
    assert [c["id"] for c in listed(office)] == [young]


# --- 7. nothing personal in the hub's logs ----------------------------------------------------


@pytest.fixture
def every_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    with caplog.at_level(logging.DEBUG):
        yield caplog


def test_no_phone_number_or_key_in_the_hubs_logs(
    office: Office, every_log: pytest.LogCaptureFixture
) -> None:
    cid = leave_callback(office, phone="06 55 44 33 22")
    office.ok(post(office, f"/callbacks/{cid}/take"))
    office.ok(get(office, f"/callbacks/{cid}"))
    assert_error(get(office, f"/callbacks/{cid}", agent="Bob"), 403)
    record(office, kind="file", key="dossier-4471")
    search(office, "file", "DOSSIER-4471")
    search(office, "phone", "07 66 55 44 33")
    post(office, "/contacts/search", {"kind": "phone", "key": "07 66 55", "consent": True})
    post(office, "/contacts", contact(key="06 55 44 33 22", note="x" * 200))
    text = every_log.text.replace(" ", "").upper()
    for clear in ("0655443322", "655443322", "DOSSIER-4471", "4471", "0766554433", "07665"):
        assert clear not in text, clear
