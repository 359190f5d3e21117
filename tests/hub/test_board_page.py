"""The web board (`/board`), its JSON route and its live feed, on the in-process hub: what the
page shows, filters, the feed's first message and its updates after a call and a recall, the
heartbeat the page's script can see, the cap, the end at shutdown, and privacy (no token, no
priority, no reason anywhere). The same page in a real browser: tests/e2e/test_board_browser.py.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared import config as config_mod
from shared import const
from shared.clock import ManualClock
from shared.config import OfficeConfig
from shared.hub.app import create_app
from shared.hub.pages import board_feed, board_state, feed
from tests.hub import test_hours as hours_test
from tests.hub.conftest import API, Office, assert_error, leaf_values
from tests.hub.test_phone_feed import sse

EVENTS = f"{API}/board/events"


def board(office: Office, query: str = "") -> dict[str, Any]:
    return office.ok(office.client.get(f"{API}/board{query}"))


def page_data(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="montour-data">(.*?)</script>', html)
    assert found is not None
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def messages(office: Office, query: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    with office.client.stream("GET", EVENTS + query) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        for kind, text in sse(r):
            if kind not in ("retry", "comment"):
                yield kind, json.loads(text)


def test_page_shows_the_current_call_and_the_queue(office: Office) -> None:
    office.open("G3", "A")
    first = office.issue("A")
    office.issue("A")
    office.call_next("G3")
    r = office.client.get("/board")
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    html = r.text
    assert '<html lang="fr" dir="ltr"' in html
    current = re.search(r'<div id="current"[^>]*>(.*?)</div>', html)
    assert current is not None
    assert f'<p class="number">{first["label"]}</p>' in current.group(1)
    assert "Guichet 3" in current.group(1)
    assert "Papiers d&#x27;identité" in html
    assert re.search(r"<td>(\d+ à \d+ min|moins de \d+ min)</td>", html)
    assert "aucun guichet ouvert" in html  # services without an open counter
    assert "Activer le son" in html and "Connexion perdue" in html
    assert "<style" not in html and "style=" not in html  # CSP: no inline style
    assert re.search(r"<script>(?!</script>)", html) is None  # CSP: no inline script
    assert page_data(html)["board"]["calls"][0]["label"] == first["label"]
    assert office.client.get("/board?animation=off").text.count('class="no-animation"') == 1


def test_board_json_and_filters(office: Office) -> None:
    office.open("G1", "A", "B")
    office.open("G4", "B", "D")
    office.issue("A")
    office.issue("D")
    a = office.call_next("G1")
    office.clock.advance(5)
    d = office.call_next("G4")
    everything = board(office)
    assert [c["label"] for c in everything["calls"]] == [d["label"], a["label"]]
    assert [s["code"] for s in everything["services"]] == ["A", "B", "C", "D"]
    only_d = board(office, "?services=D")
    assert [c["label"] for c in only_d["calls"]] == [d["label"]]
    assert [s["code"] for s in only_d["services"]] == ["D"]
    assert [c["label"] for c in board(office, "?counters=G1")["calls"]] == [a["label"]]
    # A board for one service shows that service's own quieter hours.
    assert board(office, "?services=A")["quieter_hours"] == {
        "tue": [["14:00", "16:30"]], "thu": [["15:00", "18:00"]],
    }  # fmt: skip
    assert everything["calls"][0]["say"] == [["fr", f"Ticket D {int(d['label'][1:])}, Guichet 4"]]
    body = assert_error(office.client.get(f"{API}/board?services=A,Z"), 422, "invalid_input")
    assert "Z" in body["message"] and "A, B, C, D" in body["message"]
    assert_error(office.client.get("/board?counters=G9"), 422, "invalid_input")
    assert_error(office.client.get(f"{EVENTS}?services=Q"), 422, "invalid_input")


def test_speech_in_french_then_in_the_visitors_language() -> None:
    assert board_state.spoken_label("A042") == "A 42"
    assert board_state.spoken_label("B100") == "B 100"


def test_feed_sends_the_board_at_once_then_after_a_call_and_a_recall(office: Office) -> None:
    office.open("G1", "A")
    ticket = office.issue("A")
    stream = messages(office)
    kind, first = next(stream)
    assert kind == "message" and first["calls"] == []
    assert first["services"][0]["waiting"] == 1
    called = office.call_next("G1")
    kind, after_call = next(stream)
    assert kind == "message" and after_call["calls"][0]["label"] == ticket["label"]
    assert after_call["calls"][0]["calls"] == 1
    office.ok(office.act(called["id"], "recall"))
    # The call moved the estimate for a ticket taken now (the counter is busy): that board may
    # come first, then the recall's.
    while (after_recall := next(stream)[1])["calls"][0]["calls"] == 1:
        assert after_recall["services"][0]["waiting"] == 0
    assert after_recall["calls"][0]["calls"] == 2
    assert after_recall["calls"][0]["key"] != after_call["calls"][0]["key"]  # a new call
    stream.close()


def test_feed_pings_the_page_when_nothing_changes(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(const, "BOARD_SSE_HEARTBEAT_S", 0.05)
    stream = messages(office)
    assert next(stream)[0] == "message"
    kind, ping = next(stream)
    assert kind == "ping" and set(ping) == {"now"}  # an event the script sees, not a comment
    stream.close()


def test_feeds_are_capped_and_end_when_the_hub_stops(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(const, "BOARD_SSE_MAX_SUBSCRIBERS", 1)
    app = office.client.app
    with office.client.stream("GET", EVENTS) as r:
        events = sse(r)
        next(events), next(events)
        assert_error(office.client.get(EVENTS), 503, "busy")
        assert office.client.portal is not None
        office.client.portal.call(feed.end_all, app)  # as the hub's shutdown does
        assert list(events) == [("reconnect", "{}")]
    assert board_feed.active_feeds(app) == 0  # type: ignore[arg-type]
    assert not feed.feeds_of(app).subscribers  # type: ignore[arg-type]
    assert_error(office.client.get(EVENTS), 503, "stopping")


def test_nothing_personal_in_any_output(office: Office) -> None:
    office.open("G1", "A")
    office.open("G3", "A")
    secret = office.issue("A", priority=True)
    plain = office.issue("A")
    office.call_next("G1")  # the priority ticket, with a recorded reason for the choice
    office.clock.advance(5)
    office.call_next("G3")
    outputs = {
        "page": office.client.get("/board").text,
        "json": json.dumps(board(office)),
        "feed": json.dumps(next(messages(office))[1]),
    }
    for name, text in outputs.items():
        for t in (secret, plain):
            assert t["token"] not in text, f"a token in the board's {name}"
            assert t["id"] not in text, f"a ticket id in the board's {name}"
        for word in ("priority", "prioritaire", "reason", "token", "note"):
            assert word not in text.lower(), f"{word!r} in the board's {name}"
    keys = {k for k, _ in leaf_values(board(office))}
    assert not keys & {"priority", "reason", "token", "note", "id", "outcome"}


# --- quieter hours: learned from the history, or "not known yet" --------------------------------


@pytest.fixture(scope="module")
def forty_days(tmp_path_factory: pytest.TempPathFactory) -> tuple[OfficeConfig, Path]:
    """The reference office with 40 simulated days of history (tests/hub/test_hours.py's)."""
    ref = config_mod.load(hours_test.ROOT / "assets" / "sim" / "reference-office.toml")
    path = tmp_path_factory.mktemp("board-hours") / "forty.db"
    hours_test.fill(path, ref, hours_test.weekdays(40))
    return ref, path


def test_the_board_shows_the_quieter_hours_learned_from_the_history(
    forty_days: tuple[OfficeConfig, Path], tmp_path: Path
) -> None:
    ref, pristine = forty_days
    today = hours_test.next_monday(hours_test.weekdays(40))
    with hours_test.running(ref, hours_test.copy_of(pristine, tmp_path), today) as client:
        learned = hours_test.get(client, "/hours")
        everything = hours_test.get(client, "/board")
        only_b = hours_test.get(client, "/board?services=B")
        html = client.get("/board").text
        first = json.loads(next(m for k, m in sse_of(client, f"{EVENTS}") if k == "message"))
    assert everything["quieter_hours_source"] == only_b["quieter_hours_source"] == "history"
    assert everything["quieter_hours"] == learned["office"]["quieter"]
    assert list(everything["quieter_hours"]) == ["mon", "tue", "wed", "thu", "fri"]
    assert only_b["quieter_hours"] == learned["services"]["B"]["quieter"]
    assert first["quieter_hours"] == everything["quieter_hours"]  # the live feed says the same
    quieter = quieter_section(html)
    assert '<svg class="chart"' in quieter and "historique" not in quieter
    monday = everything["quieter_hours"]["mon"][0]
    assert f"<li>lun {monday[0]}–{monday[1]}" in quieter


def test_the_board_says_when_there_is_not_enough_history(
    config: OfficeConfig, db_path: Path, clock: ManualClock, tokens: dict[str, str]
) -> None:
    bare = dataclasses.replace(config, quieter_hours={}, service_quieter_hours={})
    with TestClient(create_app(bare, db_path, clock=clock)) as client:
        office = Office(client, clock, tokens, db_path)
        for query in ("", "?services=A"):
            found = board(office, query)
            assert (found["quieter_hours_source"], found["quieter_hours"]) == ("none", {})
        first = json.loads(next(m for k, m in sse_of(client, EVENTS) if k == "message"))
        assert first["quieter_hours_source"] == "none"
        html = client.get("/board").text
        arabic = client.get("/board?lang=ar").text
    quieter = quieter_section(html)
    assert "<svg" not in quieter  # no chart of opening hours only, which would read as "never"
    assert "<li>Pas encore assez d&#x27;historique pour les connaître.</li>" in quieter
    assert "غير معروفة بعد (لا يوجد سجلّ كافٍ لمعرفتها)." in quieter_section(arabic)


def test_declared_quieter_hours_stay_as_they_were(office: Office) -> None:
    found = board(office)
    assert found["quieter_hours_source"] == "declared"
    assert found["quieter_hours"] == {
        "tue": [["14:00", "16:30"]], "wed": [["10:30", "12:00"]], "thu": [["15:00", "18:00"]]
    }  # fmt: skip


def sse_of(client: TestClient, url: str) -> Iterator[tuple[str, str]]:
    with client.stream("GET", url) as r:
        assert r.status_code == 200
        yield from sse(r)


def quieter_section(html: str) -> str:
    found = re.search(r'<section class="quieter".*?</section>', html, flags=re.S)
    assert found is not None
    return found.group(0)
