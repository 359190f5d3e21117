"""The phone page in a real headless Chromium, against a real hub on loopback.

A visitor's phone (390×844) opens the page of a waiting ticket, sees its rank, then a counter
calls the ticket through the API and the page shows where to go, live (server-sent events).
axe-core checks the page against WCAG 2.2 AA in both states; what the script renders live must
equal what the server renders for the same state. Screenshots of each state in French and in
Arabic go to assets/screenshots/phone-*.png with MONTOUR_UPDATE_SCREENSHOTS=1. axe-core comes from `ensure_axe_core()` in
shared/bootstrap.py (fetched once at install time, never by this test).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared import bootstrap
from tests.browser import Chromium, chromium_path
from tests.hubproc import HubProcess

ROOT = Path(__file__).resolve().parents[2]
AXE = bootstrap.VENV / "share" / "axe-core" / "axe.min.js"
# The README's pictures are rewritten only on request (MONTOUR_UPDATE_SCREENSHOTS=1): a test run
# must not dirty the working tree (the board's pictures hold a clock).
SCREENSHOTS = (
    ROOT / "assets" / "screenshots"
    if os.environ.get("MONTOUR_UPDATE_SCREENSHOTS")
    else Path(tempfile.gettempdir()) / "montour-screenshots"
)
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
LIVE_TIMEOUT_S = 10.0

pytestmark = [
    pytest.mark.skipif(
        chromium_path() is None,
        reason="chromium is not installed (Debian package `chromium`; "
        "`python3 -m shared.bootstrap test` installs it)",
    ),
    pytest.mark.skipif(
        not AXE.is_file(),
        reason=f"axe-core is missing at {AXE}: run `python3 -m shared.bootstrap test`, "
        "or `.venv/bin/python -c 'from shared import bootstrap; bootstrap.ensure_axe_core()'`",
    ),
]

# Runs in every page before its own scripts: records Content-Security-Policy violations, and
# vibrations (headless Chromium has no vibrator; the page only has to ask for one).
RECORDER = """
window.__csp = [];
document.addEventListener("securitypolicyviolation",
    (e) => window.__csp.push(e.violatedDirective + " " + e.blockedURI));
window.__vibrations = [];
navigator.vibrate = (pattern) => { window.__vibrations.push(pattern); return true; };
"""

# The lines of the call and status blocks, live and as the server renders the same state now.
RENDERINGS = """(async () => {
    const lines = (root) => [...root.querySelectorAll("#call p, #status p")]
        .map((p) => [p.className, p.textContent]);
    const html = await (await fetch(location.href, {cache: "no-store"})).text();
    const served = new DOMParser().parseFromString(html, "text/html");
    return {live: lines(document), served: lines(served)};
})()"""


class Desk:
    """The kiosk and the counters, through the hub's API."""

    def __init__(self, hub: HubProcess) -> None:
        self.http = httpx.Client(base_url=hub.url, timeout=10)
        self.kiosk = {"Authorization": f"Bearer {hub.token('kiosk', 'K1')}"}
        self.counter = {"Authorization": f"Bearer {hub.token('counter', 'C1')}"}

    def issue(self, service: str = "A", lang: str = "fr") -> dict[str, Any]:
        body = {"service": service, "priority": False, "lang": lang}
        return self._ok(self.http.post("/api/v1/tickets", json=body, headers=self.kiosk), 201)

    def open(self, counter: str, *services: str) -> None:
        path = f"/api/v1/counters/{counter}/open"
        self._ok(self.http.post(path, json={"services": list(services)}, headers=self.counter))

    def call(self, counter: str, label: str | None = None) -> dict[str, Any]:
        if label is None:
            r = self.http.post(f"/api/v1/counters/{counter}/call-next", headers=self.counter)
        else:
            path = f"/api/v1/counters/{counter}/call"
            r = self.http.post(path, json={"label": label}, headers=self.counter)
        ticket: dict[str, Any] = self._ok(r)["ticket"]
        return ticket

    def act(self, ticket_id: str, action: str) -> dict[str, Any]:
        path = f"/api/v1/tickets/{ticket_id}/{action}"
        return self._ok(self.http.post(path, json={}, headers=self.counter))

    @staticmethod
    def _ok(r: httpx.Response, status: int = 200) -> dict[str, Any]:
        assert r.status_code == status, r.text
        body: dict[str, Any] = r.json()
        return body


@pytest.fixture
def desk(hub: HubProcess) -> Iterator[Desk]:
    desk = Desk(hub)
    try:
        yield desk
    finally:
        desk.http.close()


@pytest.fixture
def browser() -> Iterator[Chromium]:
    with Chromium(width=390, height=844) as browser:
        browser.on_new_document(RECORDER)
        yield browser


def open_page(browser: Chromium, hub: HubProcess, ticket: dict[str, Any]) -> None:
    assert ticket["page_url"].endswith(f"/t/{ticket['token']}")
    browser.navigate(f"{hub.url}/t/{ticket['token']}")
    served = browser.evaluate("document.getElementById('montour-data') !== null")
    assert served, "the hub does not serve /t/{token}: app.py must include pages.phone.router"
    assert browser.evaluate("document.querySelector('h1 .number')?.textContent") == ticket["label"]
    # Following the live feed, not polling: what changes next arrives through EventSource.
    browser.wait_for("document.documentElement.dataset.live === 'events'", LIVE_TIMEOUT_S)


def text_of(browser: Chromium, selector: str) -> str:
    value = browser.evaluate(f"document.querySelector({json.dumps(selector)})?.textContent ?? ''")
    return str(value).replace("\u2068", "").replace("\u2069", "")


def check_accessibility(browser: Chromium, state: str) -> None:
    if not browser.evaluate("typeof window.axe === 'object'"):
        browser.evaluate(AXE.read_text())
    options = {"runOnly": {"type": "tag", "values": WCAG_22_AA}, "resultTypes": ["violations"]}
    found = browser.evaluate(
        f"axe.run(document, {json.dumps(options)}).then((r) => r.violations.map((v) => ({{"
        "id: v.id, impact: v.impact, help: v.help, "
        "nodes: v.nodes.map((n) => n.target.join(' ') + ' → ' + n.failureSummary)})))",
        timeout_s=30,
    )
    readable = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in found
    )
    assert not found, f"axe-core: WCAG 2.2 AA violations on the {state} page:\n{readable}"


def check_renderings_agree(browser: Chromium) -> None:
    both = browser.evaluate(RENDERINGS)
    assert both["live"] == both["served"], "phone.js and view.py render this state differently"


def check_clean(browser: Chromium) -> None:
    assert browser.evaluate("window.__csp") == [], "Content-Security-Policy violations"
    assert browser.exceptions() == []


def test_a_waiting_visitor_sees_the_call_live_in_french(
    hub: HubProcess, desk: Desk, browser: Chromium
) -> None:
    desk.open("G3", "A")
    desk.issue("A")
    mine = desk.issue("A")
    open_page(browser, hub, mine)
    assert browser.evaluate("document.documentElement.lang") == "fr"
    assert text_of(browser, "#status .rank") == "Votre place dans la file : 2"
    assert text_of(browser, "#status .wait").startswith("Attente estimée : ")
    assert browser.evaluate("innerWidth") == 390  # laid out for the phone, not zoomed out
    check_accessibility(browser, "waiting")
    browser.screenshot(SCREENSHOTS / "phone-waiting-fr.png")

    desk.call("G3")  # the visitor before us: we are next
    browser.wait_for("document.querySelector('#status .rank').textContent.includes('bientôt')")
    check_renderings_agree(browser)

    desk.open("G1", "A")
    called = desk.call("G1")
    assert called["id"] == mine["id"]
    browser.wait_for("document.querySelector('#call').textContent.includes('Guichet')")
    assert text_of(browser, "#call .call-where") == "Allez au Guichet 1"
    assert text_of(browser, "#call .call-title") == "C'est votre tour !"
    assert text_of(browser, "#status") == ""
    assert str(browser.evaluate("document.title")).startswith("Allez au")
    assert browser.evaluate("window.__vibrations.length") == 1
    check_renderings_agree(browser)
    check_accessibility(browser, "called")
    browser.screenshot(SCREENSHOTS / "phone-called-fr.png")

    desk.act(mine["id"], "recall")  # the visitor did not come yet: the phone alerts again
    browser.wait_for("window.__vibrations.length === 2")
    check_clean(browser)


def test_an_arabic_ticket_reads_right_to_left_live(
    hub: HubProcess, desk: Desk, browser: Chromium
) -> None:
    desk.open("G3", "A")
    for _ in range(2):
        desk.issue("A")
    mine = desk.issue("A", lang="ar")
    open_page(browser, hub, mine)
    assert browser.evaluate("[document.documentElement.lang, document.dir]") == ["ar", "rtl"]
    assert text_of(browser, "#status .rank") == "ترتيبك في الطابور: 3"
    check_accessibility(browser, "Arabic waiting")
    browser.screenshot(SCREENSHOTS / "phone-waiting-ar.png")

    desk.open("G1", "A")
    desk.call("G1", label=mine["label"])  # an agent calls this number
    browser.wait_for("document.querySelector('#call').textContent.includes('Guichet 1')")
    assert text_of(browser, "#call .call-where") == "توجّه إلى Guichet 1"
    check_renderings_agree(browser)
    check_accessibility(browser, "Arabic called")
    browser.screenshot(SCREENSHOTS / "phone-called-ar.png")
    check_clean(browser)


def test_without_event_source_the_page_polls_and_still_updates(
    hub: HubProcess, desk: Desk, browser: Chromium
) -> None:
    browser.on_new_document("delete window.EventSource;")
    desk.open("G3", "A")
    mine = desk.issue("A", lang="en")
    browser.navigate(f"{hub.url}/t/{mine['token']}")
    browser.wait_for("document.documentElement.dataset.live === 'polling'")
    assert text_of(browser, "#status .rank") == "You are next."
    desk.call("G3")
    # One poll interval at most (PHONE_POLL_INTERVAL_S), plus margin.
    browser.wait_for("document.querySelector('#call').textContent.includes('Guichet 3')", 15)
    assert text_of(browser, "#call .call-where") == "Go to Guichet 3"
    check_renderings_agree(browser)
    check_clean(browser)
