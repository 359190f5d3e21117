"""The visitor's phone page (`/t/{token}`) and its live feed, on the in-process hub.

The page is read as a browser would get it without JavaScript (the server-rendered state). Its
live feed is tested in test_phone_feed.py; the same page in a real browser, live, with an
accessibility check, in tests/e2e/test_phone_browser.py.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from shared import config as config_mod
from shared import const
from shared.clock import ManualClock
from shared.config import OfficeConfig
from shared.hub import auth
from shared.hub.app import create_app
from shared.hub.pages import phone, texts
from shared.hub.store import Store
from tests.hub import test_hours as hours_test
from tests.hub.conftest import API, Office, assert_error

ISOLATES = str.maketrans("", "", "\u2068\u2069")


@contextmanager
def hub_with_the_page(
    config: OfficeConfig, db_path: Path, clock: ManualClock, tokens: dict[str, str]
) -> Iterator[Office]:
    """The hub, with the page's routes mounted here if app.py does not mount them yet."""
    app = create_app(config, db_path, clock=clock)
    if not _serves_the_page(app):
        app.router.routes.extend(phone.router.routes)
    with TestClient(app) as client:
        yield Office(client, clock, tokens, db_path)


@pytest.fixture
def office(
    config: OfficeConfig, db_path: Path, clock: ManualClock, tokens: dict[str, str]
) -> Iterator[Office]:
    with hub_with_the_page(config, db_path, clock, tokens) as running:
        yield running


def _serves_the_page(app: Any) -> bool:
    return any(getattr(r, "path", None) == "/t/{token}" for r in app.router.routes)


# --- reading a page -------------------------------------------------------------------------


class Doc(HTMLParser):
    """What the tests look at in a page: texts by element id and class, tags, attributes."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text_by_id: dict[str, str] = {}
        self.lines: list[tuple[str, str]] = []  # (class, text) of each <p> in #call / #status
        self._open: list[tuple[str, str | None, str | None]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        self.tags.append((tag, attributes))
        if tag not in ("meta", "link", "br", "img", "input"):
            self._open.append((tag, attributes.get("id"), attributes.get("class")))
            if attributes.get("id"):
                self.text_by_id[attributes["id"]] = ""

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        for _tag, ident, _cls in self._open:
            if ident is not None:
                self.text_by_id[ident] += data
        if (
            self._open
            and self._open[-1][0] == "p"
            and any(ident in ("call", "status") for _, ident, _ in self._open)
        ):
            self.lines.append((self._open[-1][2] or "", data.translate(ISOLATES)))

    def all(self, tag: str) -> list[dict[str, str]]:
        return [a for t, a in self.tags if t == tag]

    def text(self, ident: str) -> str:
        return self.text_by_id.get(ident, "").translate(ISOLATES).strip()

    def data(self) -> dict[str, Any]:
        found: dict[str, Any] = json.loads(self.text_by_id["montour-data"])
        return found


def page(office: Office, token: str, query: str = "", **headers: str) -> tuple[httpx.Response, Doc]:
    r = office.client.get(f"/t/{token}{query}", headers=headers)
    assert r.headers["content-type"].startswith("text/html"), r.text
    return r, Doc(r.text)


def issue(
    office: Office, service: str = "A", lang: str = "fr", priority: bool = False
) -> dict[str, Any]:
    r = office.post("/tickets", "kiosk", {"service": service, "priority": priority, "lang": lang})
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def visible(html: str) -> str:
    """The page without its data block (which holds every text the script may need)."""
    return re.sub(r'<script type="application/json".*?</script>', "", html, flags=re.S)


def outside_quieter(doc: Doc) -> list[str]:
    tags = [t for t, _ in doc.tags]
    start = next(i for i, (t, a) in enumerate(doc.tags) if a.get("id") == "quieter")
    return tags[:start] + tags[tags.index("footer", start) :]


def plain(text: str) -> str:
    return text.translate(ISOLATES)


# --- the page ---------------------------------------------------------------------------------


def test_the_hub_app_mounts_the_phone_page(
    config: OfficeConfig, db_path: Path, clock: ManualClock
) -> None:
    """Fails until shared/hub/app.py includes `pages.phone.router` (the lead's change)."""
    assert _serves_the_page(create_app(config, db_path, clock=clock))


def test_waiting_page_shows_number_service_rank_and_range(office: Office) -> None:
    office.open("G1", "A")
    issue(office)
    issue(office)
    mine = issue(office)
    assert office.hub.estimator is not None
    assert office.hub.estimator.wait_for(office.service.seq)  # page and status: one book
    r, doc = page(office, mine["token"])
    assert r.status_code == 200
    html_tag = doc.all("html")[0]
    assert html_tag == {"lang": "fr", "dir": "ltr"}
    assert len(doc.all("h1")) == 1 and len(doc.all("main")) == 1
    assert doc.text("call") == ""
    wait = office.status(mine["token"])["estimate"]["wait"]
    assert doc.lines == [
        ("rank", "Votre place dans la file : 3"),
        ("wait", f"Attente estimée : {wait['low_min']} à {wait['high_min']} min"),
        ("note", "Les personnes prioritaires peuvent être appelées avant vous."),
    ]
    assert mine["label"] in r.text and "Papiers d&#x27;identité" in r.text
    assert '<meta http-equiv="refresh" content="30">' in r.text  # inside <noscript>
    assert re.search(r"<noscript>\s*<meta http-equiv=\"refresh\"", r.text)
    status_block = next(a for a in doc.all("div") if a.get("id") == "status")
    call_block = next(a for a in doc.all("div") if a.get("id") == "call")
    assert status_block["aria-live"] == "polite" and call_block["aria-live"] == "assertive"


def test_next_in_line_and_no_counter_open(office: Office) -> None:
    mine = issue(office, "B")  # 4 minutes a visitor
    _, doc = page(office, mine["token"])
    assert [text for _, text in doc.lines[:2]] == [
        "C'est bientôt à vous.",
        "Aucun guichet n'est encore ouvert pour ce service. Merci de patienter.",
    ]
    office.open("G4", "B")
    _, doc = page(office, mine["token"])
    assert doc.lines[1] == ("wait", "Attente estimée : moins de 5 min")


def test_called_page_says_where_to_go(office: Office) -> None:
    office.open("G3", "A")
    mine = issue(office)
    office.call_next("G3")
    r, doc = page(office, mine["token"])
    assert doc.lines == [("call-title", "C'est votre tour !"), ("call-where", "Allez au Guichet 3")]
    assert "Allez au \u2068Guichet 3\u2069" in r.text  # the name is isolated (Arabic pages)
    assert plain(doc.text("call")) == "C'est votre tour !Allez au Guichet 3"
    title = re.search(r"<title>(.*)</title>", r.text)
    assert title and plain(title.group(1)) == f"Allez au Guichet 3 · {mine['label']}"


@pytest.mark.parametrize(
    ("moves", "expected"),
    [
        (["start"], [("info", "Vous êtes reçu au Guichet 3.")]),
        (["start", "park"], [("info", "Restez tout près. L'agent va vous rappeler.")]),
        (
            ["start", "complete"],
            [
                ("info", "Votre passage est terminé. Merci !"),
                ("help", "Besoin d'autre chose ? Prenez un nouveau ticket à la borne."),
            ],
        ),
        (
            ["no-show"],
            [
                ("info", "Vous avez été appelé, mais vous n'êtes pas venu."),
                ("help", "Allez vite voir un agent, ou prenez un nouveau ticket à la borne."),
            ],
        ),
    ],
)
def test_later_states_say_what_happens_and_what_to_do(
    office: Office, moves: list[str], expected: list[tuple[str, str]]
) -> None:
    office.open("G3", "A")
    mine = issue(office)
    office.call_next("G3")
    for move in moves:
        body = {"outcome": "done"} if move == "complete" else {}
        office.ok(office.act(mine["id"], move, body))
    r, doc = page(office, mine["token"])
    assert r.status_code == 200 and doc.lines == expected and doc.text("call") == ""
    assert ("http-equiv" in r.text) == ("complete" not in moves)  # a visit over: no reloading


def test_a_cancelled_ticket_points_to_the_kiosk(office: Office) -> None:
    mine = issue(office)
    office.ok(office.act(mine["id"], "cancel"))
    _, doc = page(office, mine["token"])
    assert doc.lines == [
        ("info", "Ce ticket a été annulé."),
        ("help", "Prenez un nouveau ticket à la borne."),
    ]


@pytest.mark.parametrize("token", ["x" * 32, "é" * 20, "a", "A" * 300, "<script>"])
def test_an_unknown_token_is_a_clear_404_page(office: Office, token: str) -> None:
    issue(office)
    r, doc = page(office, token)
    assert r.status_code == 404
    assert doc.text("main").startswith("Ce ticket n'est plus valable.")
    assert "Un ticket est valable jusqu'à la fermeture." in doc.text("main")
    assert "Prenez un nouveau ticket à la borne." in doc.text("main")
    assert doc.data()["status"] is None
    assert "http-equiv" not in r.text  # nothing to refresh for


def test_a_transferred_visitor_follows_the_new_service(office: Office) -> None:
    office.open("G3", "A", "C")
    mine = issue(office)
    office.call_next("G3")
    office.ok(office.act(mine["id"], "start"))
    office.ok(office.act(mine["id"], "transfer", {"service": "C"}))
    r, doc = page(office, mine["token"])
    assert r.status_code == 200 and "Dossier social" in r.text
    assert doc.lines[0] == ("rank", "C'est bientôt à vous.")


# --- languages --------------------------------------------------------------------------------


def test_the_ticket_language_then_the_switch(office: Office) -> None:
    mine = issue(office, lang="ar")
    r, doc = page(office, mine["token"], **{"Accept-Language": "en"})
    assert doc.all("html")[0] == {"lang": "ar", "dir": "rtl"}
    assert r.headers["content-language"] == "ar"
    assert "وثائق الهوية" in r.text and doc.lines[0] == ("rank", "دورك قريب جدا.")
    links = [a for a in doc.all("a") if "hreflang" in a]
    assert [(a["href"], a["lang"]) for a in links] == [
        ("?lang=fr", "fr"),
        ("?lang=en", "en"),
        ("?lang=ar", "ar"),
    ]
    assert [a.get("aria-current") for a in links] == [None, None, "true"]
    nav = doc.all("nav")[0]
    assert nav["aria-label"] == "اللغة"

    r, doc = page(office, mine["token"], "?lang=en")
    assert doc.all("html")[0] == {"lang": "en", "dir": "ltr"}
    assert doc.lines[0] == ("rank", "You are next.") and "Identity papers" in r.text
    _, doc = page(office, mine["token"], "?lang=de")  # not offered: the ticket's language
    assert doc.all("html")[0]["lang"] == "ar"


@pytest.mark.parametrize(
    ("accept", "lang"),
    [
        ("en-GB,en;q=0.9", "en"),
        ("de-DE, ar;q=0.5, en;q=0.4", "ar"),
        ("de", "fr"),
        ("", "fr"),
        ("en;q=0, fr;q=0.1", "fr"),
        ("*", "fr"),
        ("en;q=abc, ar", "ar"),
    ],
)
def test_without_a_ticket_the_browser_language_then_french(
    office: Office, accept: str, lang: str
) -> None:
    r, doc = page(office, "y" * 32, **{"Accept-Language": accept})
    assert doc.all("html")[0]["lang"] == lang and r.headers["vary"] == "Accept-Language"


def test_the_page_offers_only_the_office_languages(config: OfficeConfig) -> None:
    from dataclasses import replace

    assert texts.languages(replace(config, languages=("en", "de", "fr"))) == ["en", "fr"]
    assert texts.languages(replace(config, languages=("de",))) == ["fr"]


# --- privacy and security -----------------------------------------------------------------------


def test_nothing_of_priority_or_of_other_tickets_in_the_page(office: Office) -> None:
    office.open("G1", "A")
    office.open("G2", "D")
    others = [issue(office, "A") for _ in range(2)]
    prio = issue(office, "A", priority=True)
    plain_ticket = issue(office, "D")
    r_prio, doc_prio = page(office, prio["token"])
    r_plain, _ = page(office, plain_ticket["token"])
    for other in [*others, plain_ticket]:
        assert other["token"] not in r_prio.text and other["label"] not in r_prio.text
    assert prio["token"] not in r_plain.text
    data = doc_prio.data()
    assert "priority" not in json.dumps(data["status"]) and "token" not in data["status"]
    assert "reason" not in data["status"]
    # The priority visitor's page is the regular page of a ticket at the same rank: the only
    # mention of priority is the sentence every waiting visitor reads.
    for html in (r_prio.text, r_plain.text):
        assert visible(html).count("prioritaires") == 1


def test_a_priority_ticket_page_looks_like_any_other(office: Office) -> None:
    prio = issue(office, "A", priority=True)
    regular = issue(office, "C")
    (_, doc_prio), (_, doc_regular) = page(office, prio["token"]), page(office, regular["token"])
    assert doc_prio.lines == doc_regular.lines
    # The same tags, the quieter hours aside (a service of their own may declare other days).
    assert outside_quieter(doc_prio) == outside_quieter(doc_regular)
    skip = {"label", "service", "service_names"}
    status_prio, status_regular = doc_prio.data()["status"], doc_regular.data()["status"]
    assert {k: v for k, v in status_prio.items() if k not in skip} == {
        k: v for k, v in status_regular.items() if k not in skip
    }


def test_security_headers_and_no_inline_script_or_style(office: Office) -> None:
    mine = issue(office)
    r, doc = page(office, mine["token"])
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["cache-control"] == "no-store"
    for script in doc.all("script"):
        assert script.get("src") or script.get("type") == "application/json", script
    assert not doc.all("style")
    inline = [(t, k) for t, a in doc.tags for k in a if k == "style" or k.startswith("on")]
    assert not inline
    # A value cannot close the data block early.
    assert r.text.count("</script>") == len(doc.all("script"))


def test_script_and_style_are_served_as_files(office: Office) -> None:
    mine = issue(office)
    _, doc = page(office, mine["token"])
    js = next(s["src"] for s in doc.all("script") if s.get("src"))
    css = next(link["href"] for link in doc.all("link") if link.get("rel") == "stylesheet")
    r = office.client.get(js)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/javascript")
    assert "EventSource" in r.text and r.headers["x-content-type-options"] == "nosniff"
    r = office.client.get(css)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/css")
    assert_error(office.client.get("/t/static/secret.py"), 404, "not_found")


def test_the_page_data_block_gives_the_script_what_it_needs(office: Office) -> None:
    mine = issue(office, lang="en")
    _, doc = page(office, mine["token"])
    data = doc.data()
    assert data["lang"] == "en" and data["texts"] == texts.texts("en")
    assert data["events_url"] == f"{API}/status/{mine['token']}/events"
    assert data["status_url"] == f"{API}/status/{mine['token']}"
    assert data["poll_ms"] == const.PHONE_POLL_INTERVAL_S * 1000


# --- quieter hours: learned from the history, or "not known yet" ------------------------------


def test_the_page_gives_the_declared_quieter_hours_of_the_tickets_service(office: Office) -> None:
    a, b = issue(office, "A"), issue(office, "B")
    declared = page(office, a["token"])[1].text("quieter")  # service A declared its own
    assert declared == "Heures plus calmesmar 14:00–16:30jeu 15:00–18:00"
    own = page(office, b["token"])[1].text("quieter")
    assert own == "Heures plus calmesmar 14:00–16:30mer 10:30–12:00jeu 15:00–18:00"
    # Outside the live blocks: the script's updates never rewrite (or re-announce) them.
    assert "quieter" not in [cls for cls, _ in page(office, a["token"])[1].lines]


def test_the_page_says_when_there_is_not_enough_history(
    config: OfficeConfig, db_path: Path, clock: ManualClock, tokens: dict[str, str]
) -> None:
    bare = dataclasses.replace(config, quieter_hours={}, service_quieter_hours={})
    with hub_with_the_page(bare, db_path, clock, tokens) as office:
        mine = issue(office, "A")
        _, doc = page(office, mine["token"])
        _, arabic = page(office, mine["token"], "?lang=ar")
        r, gone = page(office, "no-such-token")
    assert doc.text("quieter") == (
        "Heures plus calmesPas encore assez d'historique pour les connaître."
    )
    assert arabic.text("quieter") == "الأوقات الأهدأغير معروفة بعد (لا يوجد سجلّ كافٍ لمعرفتها)."
    assert r.status_code == 404 and "Pas encore assez d'historique" in gone.text("quieter")


def test_the_page_gives_the_quieter_hours_learned_from_the_history(tmp_path: Path) -> None:
    ref = config_mod.load(hours_test.ROOT / "assets" / "sim" / "reference-office.toml")
    days = hours_test.weekdays(40)
    db = tmp_path / "office.db"
    hours_test.fill(db, ref, days)
    store = Store(db)
    try:
        with store.transaction() as conn:
            kiosk = auth.create_device(conn, auth.Role("kiosk"), "kiosk", datetime.now(UTC))
    finally:
        store.close()
    with hours_test.running(ref, db, hours_test.next_monday(days)) as client:
        learned = hours_test.get(client, "/hours")
        r = client.post(f"{API}/tickets", json={"service": "B", "lang": "fr"},
                        headers={"Authorization": f"Bearer {kiosk}"})  # fmt: skip
        assert r.status_code == 201, r.text
        html = client.get(f"/t/{r.json()['token']}").text
    week = learned["services"]["B"]["quieter"]
    assert set(week) == {"mon", "tue", "wed", "thu", "fri"}
    names = {"mon": "lun", "tue": "mar", "wed": "mer", "thu": "jeu", "fri": "ven"}
    expected = "".join(
        f"<li>{names[d]} {', '.join(f'{a}–{b}' for a, b in week[d])}</li>" for d in names
    )
    assert f'<ul class="periods">{expected}</ul>' in html
    assert "Pas encore assez" not in Doc(html).text("quieter")
