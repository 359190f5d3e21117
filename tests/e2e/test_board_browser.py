"""The web board (/board) in a real headless Chromium, against a real hub on loopback.

A TV (1920×1080, then turned to 1080×1920) opens the board; counters call tickets through the
API and the page shows each call live (server-sent events); the announcement queue logs one
chime and the speech per call, in order and never overlapping; the stale banner comes within
5 s of the hub stopping and goes when it is back; axe-core finds no WCAG 2.2 AA violation; the
capital letters of the current call are at least 97 px. Screenshots go to
assets/screenshots/board-*.png with MONTOUR_UPDATE_SCREENSHOTS=1 (else to a temporary folder).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser import Chromium
from tests.e2e.test_phone_browser import (
    AXE,
    RECORDER,
    SCREENSHOTS,
    Desk,
    check_accessibility,
    check_clean,
    pytestmark,  # noqa: F401  (the same skips: chromium and axe-core must be there)
)
from tests.hubproc import HubProcess

LIVE_TIMEOUT_S = 10.0
CAPITAL_MIN_PX = 97  # 61 mm on a 55" 1080p TV: 0.7° at 5 m (D3)
CURRENT = "document.querySelector('#current .number')?.textContent"

# The height of a capital "H" in an element's own font, measured by the browser.
CAPITAL_PX = """((selector) => {
    const node = document.querySelector(selector);
    const ctx = document.createElement("canvas").getContext("2d");
    ctx.font = getComputedStyle(node).font;
    return ctx.measureText("H").actualBoundingBoxAscent;
})"""


@pytest.fixture
def desk(hub: HubProcess) -> Iterator[Desk]:
    desk = Desk(hub)
    try:
        yield desk
    finally:
        desk.http.close()


@pytest.fixture
def tv() -> Iterator[Chromium]:
    with Chromium(width=1920, height=1080) as browser:
        browser.on_new_document(RECORDER)
        yield browser


def open_board(tv: Chromium, hub: HubProcess, query: str = "") -> None:
    tv.navigate(f"{hub.url}/board{query}")
    tv.wait_for("document.documentElement.dataset.live === 'events'", LIVE_TIMEOUT_S)


def press_sound_button(tv: Chromium) -> None:
    """As a TV remote does: the button has the focus; OK (Enter) presses it (a real gesture)."""
    assert tv.evaluate("document.activeElement.id") == "sound"
    key = {"key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13}
    tv.send("Input.dispatchKeyEvent", {"type": "keyDown", "text": "\r", **key})
    tv.send("Input.dispatchKeyEvent", {"type": "keyUp", **key})
    tv.wait_for("window.montourBoard.soundOn && document.getElementById('sound').hidden")
    assert tv.evaluate("localStorage.getItem('montour.board.sound')") == "on"


def log(tv: Chromium) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = tv.evaluate("window.montourBoard.log")
    return entries


def capital(tv: Chromium, selector: str) -> float:
    return float(tv.evaluate(f"{CAPITAL_PX}({json.dumps(selector)})"))


def test_calls_are_shown_and_announced_in_order(hub: HubProcess, desk: Desk, tv: Chromium) -> None:
    desk.open("G1", "A", "B")
    desk.open("G3", "A", "C")
    desk.open("G4", "B", "D")
    desk.open("G5", "C")
    for service, lang in (("A", "fr"), ("A", "ar"), ("B", "en"), ("C", "fr"), ("D", "fr")):
        desk.issue(service, lang=lang)
    open_board(tv, hub)
    press_sound_button(tv)
    first = desk.call("G1")
    tv.wait_for(f"{CURRENT} === {json.dumps(first['label'])}", LIVE_TIMEOUT_S)
    assert "Guichet 1" in tv.evaluate("document.querySelector('#current .where').textContent")

    # Three quick calls: three announcements, each a chime then its sentences, in call order.
    quick = [desk.call(counter) for counter in ("G3", "G4", "G5")]
    labels = [t["label"] for t in quick]
    tv.wait_for(f"{CURRENT} === {json.dumps(labels[-1])}", LIVE_TIMEOUT_S)
    tv.wait_for("window.montourBoard.log.filter((e) => e.type === 'chime').length === 4")
    tv.wait_for("window.montourBoard.log.every((e) => e.end !== null)")
    entries = log(tv)
    steps = [(e["type"], e["label"], e.get("lang")) for e in entries]
    expected = [("chime", first["label"], None), ("speech", first["label"], "fr")]
    tickets = {t: lang for t, lang in zip(labels, ("ar", "en", "fr"), strict=True)}
    for label in labels:
        expected += [("chime", label, None), ("speech", label, "fr")]
        if tickets[label] != "fr":  # then again in the visitor's language
            expected.append(("speech", label, tickets[label]))
    assert steps == expected
    assert entries[1]["text"] == f"Ticket {first['label'][0]} {int(first['label'][1:])}, Guichet 1"
    for before, after in itertools.pairwise(entries):
        assert after["start"] >= before["end"], "announcements overlap"
    recent = tv.evaluate(
        "[...document.querySelectorAll('#recent .number')].map(e => e.textContent)"
    )
    assert recent == [labels[1], labels[0], first["label"]]

    # A recall repeats the highlight and the announcement.
    last = quick[0]  # no longer the current call: a recall makes it current again
    desk.act(last["id"], "recall")
    tv.wait_for(
        f"window.montourBoard.log.filter((e) => e.type === 'chime' && e.label === "
        f"{json.dumps(last['label'])}).length === 2",
        LIVE_TIMEOUT_S,
    )
    assert tv.evaluate("document.querySelector('.current').classList.contains('pulse')")
    check_clean(tv)


def test_landscape_and_portrait_read_from_the_back_of_the_room(
    hub: HubProcess, desk: Desk, tv: Chromium
) -> None:
    desk.open("G1", "A", "B")
    desk.open("G2", "A", "D")
    desk.open("G3", "A", "C")
    for service in "AAAAABBCDAAB":
        desk.issue(service)
    desk.open("G6", "A", "B", "C", "D")
    desk.open("G4", "B", "D")
    desk.open("G5", "B", "C")
    first = [desk.call(counter) for counter in ("G1", "G2", "G3", "G4", "G5", "G6")]
    desk.act(first[0]["id"], "start")
    r = desk.http.post(f"/api/v1/tickets/{first[0]['id']}/complete", json={"outcome": "done"},
                       headers=desk.counter)  # fmt: skip
    assert r.status_code == 200, r.text
    desk.call("G1")  # seven calls: the current one and six before it
    open_board(tv, hub, "?animation=off")
    press_sound_button(tv)
    assert capital(tv, "#current .number") >= CAPITAL_MIN_PX
    assert capital(tv, "#current .where") >= CAPITAL_MIN_PX
    assert tv.evaluate("document.querySelectorAll('#recent li').length") == 6
    check_accessibility(tv, "landscape board")
    tv.screenshot(SCREENSHOTS / "board-landscape.png")
    check_fits(tv)

    tv.send("Emulation.setDeviceMetricsOverride",
            {"width": 1080, "height": 1920, "deviceScaleFactor": 1, "mobile": False})  # fmt: skip
    tv.wait_for("innerWidth === 1080")
    assert capital(tv, "#current .number") >= CAPITAL_MIN_PX
    assert capital(tv, "#current .where") >= CAPITAL_MIN_PX
    check_accessibility(tv, "portrait board")
    tv.screenshot(SCREENSHOTS / "board-portrait.png")
    check_fits(tv)
    check_clean(tv)


def check_fits(tv: Chromium) -> None:
    """Nothing cut off: the page does not scroll, and no text overflows its box."""
    size = tv.evaluate("[document.documentElement.scrollHeight, innerHeight, "
                       "document.documentElement.scrollWidth, innerWidth]")  # fmt: skip
    assert size[0] <= size[1] and size[2] <= size[3], f"the board overflows the screen: {size}"


def test_stale_banner_when_the_hub_goes_and_recovery(
    hub: HubProcess, desk: Desk, tv: Chromium
) -> None:
    desk.open("G1", "A")
    desk.issue("A")
    open_board(tv, hub)
    assert tv.evaluate("document.getElementById('stale').hidden")
    hub.stop()
    tv.wait_for("!document.getElementById('stale').hidden", 5.0)
    assert tv.evaluate("document.documentElement.classList.contains('stale')")
    tv.screenshot(SCREENSHOTS / "board-stale.png")
    hub.restart()
    tv.wait_for("document.getElementById('stale').hidden", LIVE_TIMEOUT_S)
    desk.open("G1", "A")
    called = desk.call("G1")  # after the restart: the board follows the new feed
    tv.wait_for(f"{CURRENT} === {json.dumps(called['label'])}", LIVE_TIMEOUT_S)
    assert not tv.evaluate("document.documentElement.classList.contains('stale')")


def test_a_board_for_one_room_shows_only_its_services(
    hub: HubProcess, desk: Desk, tv: Chromium
) -> None:
    desk.open("G1", "A", "B")
    desk.open("G4", "B", "D")
    desk.issue("A")
    desk.issue("D")
    open_board(tv, hub, "?services=D")
    services = tv.evaluate(
        "[...document.querySelectorAll('#services tbody th')].map(e => e.textContent)"
    )
    assert services == ["Paiements"]
    desk.call("G1")  # an A ticket: not for this room
    called = desk.call("G4")
    tv.wait_for(f"{CURRENT} === {json.dumps(called['label'])}", LIVE_TIMEOUT_S)
    assert tv.evaluate("document.querySelectorAll('#recent li').length") == 0
    assert AXE.is_file()
