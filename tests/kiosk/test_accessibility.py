"""K1-K8 on the real widgets: speech covers every visible text, keyboard alone does the whole
path against a real hub and a real (preview) printer, contrast and text size by arithmetic."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from kiosk import theme
from kiosk.flow import Access, Screen, initial
from kiosk.printing import PrintWorker
from kiosk.screens import utterances
from kiosk.shots import SCREENS
from kiosk.viewmodel import KioskViewModel
from kiosk.window import KioskWindow
from kiosk.wording import plain
from shared.client.link import ServerLink
from shared.client.stream import fixed_hub
from shared.ui.speech import Speaker
from tests.hubproc import HubProcess
from tests.kiosk.kiosk_helpers import build, show, visible_texts

ACCESS_MODES = {
    "normal": Access(speech=True),
    "accessible": Access(speech=True, reach=True, large_text=True),
    "high-contrast": Access(speech=True, high_contrast=True),
}


def uncovered(texts: list[str], said: list[str]) -> list[str]:
    """The visible texts (without the bidi marks that only steer their drawing) not spoken."""
    spoken = "\n".join(said)
    return [t for t in texts if plain(t) not in spoken]


@pytest.mark.parametrize("mode", sorted(ACCESS_MODES))
@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_speech_covers_every_visible_text_of_every_screen(qtbot, lang: str, mode: str) -> None:
    window, vm = build(qtbot)
    heard: list[str] = []
    vm.speaker.started.connect(heard.append)  # type: ignore[attr-defined]
    for screen in SCREENS:
        show(vm, screen, lang, ACCESS_MODES[mode])
        assert vm.spoken == utterances(vm.current)  # type: ignore[arg-type]
        missing = uncovered(visible_texts(window), vm.spoken)
        assert not missing, f"{screen} ({lang}, {mode}): not spoken: {missing}"
    qtbot.waitUntil(lambda: bool(heard))  # the Speaker itself was asked, and spoke


BIDI_CONTROLS = {"\u200e", "\u200f", *map(chr, range(0x202A, 0x202F)),
                 *map(chr, range(0x2066, 0x206A))}  # fmt: skip


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_no_bidi_control_reaches_the_speaker(qtbot, lang: str) -> None:
    """The Arabic screens wrap phone numbers and addresses in LRE…PDF for drawing; a speech
    engine must get the plain text (on screen the marks stay)."""
    window, vm = build(qtbot)
    said: list[list[str]] = []
    vm.speaker.say = lambda lang, texts: said.append(list(texts))  # type: ignore[method-assign]
    marked = 0
    for screen in SCREENS:
        show(vm, screen, lang, Access(speech=True))
        marked += sum(any(c in BIDI_CONTROLS for c in t) for t in visible_texts(window))
        for button in list(window.buttons)[:3]:
            vm.focus_moved(button)
    assert said
    for texts in said:
        for text in texts:
            assert not BIDI_CONTROLS & set(text), (lang, text)
    assert (marked > 0) == (lang == "ar")  # the Arabic screens do carry marks


def test_moving_focus_speaks_the_focused_control(qtbot) -> None:
    window, vm = build(qtbot)
    show(vm, "services", access=Access(speech=True))
    QTest.keyClick(window, Qt.Key.Key_Down)
    assert window.focus_id == "service:B"
    assert vm.spoken == ["Information. 1 en attente · moins de 5 min"]


def test_the_help_key_starts_speech_and_repeats(qtbot) -> None:
    window, vm = build(qtbot)
    show(vm, "welcome", speak=False)
    vm.state = initial()  # speech off
    vm.dispatch(__import__("kiosk.flow", fromlist=["Loaded"]).Loaded())
    assert not vm.state.access.speech
    QTest.keyClick(window, Qt.Key.Key_F1)
    assert vm.state.access.speech and vm.spoken[0] == "Bienvenue"
    vm.spoken = []
    QTest.keyClick(window, Qt.Key.Key_Asterisk)
    assert vm.spoken and vm.spoken[0] == "Bienvenue"  # repeated


@pytest.mark.parametrize("pal", theme.PALETTES, ids=lambda p: p.name)
def test_contrast_of_every_pair_in_every_theme(pal: theme.Palette) -> None:
    for name, (fg, bg) in theme.text_pairs(pal).items():
        assert theme.contrast(fg, bg) >= 4.5, (pal.name, name, fg, bg)
    for name, (fg, bg) in theme.edge_pairs(pal).items():
        assert theme.contrast(fg, bg) >= 3.0, (pal.name, name, fg, bg)


def test_contrast_arithmetic_matches_wcag() -> None:
    assert theme.contrast("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert theme.contrast("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize("short_side", [1080])
def test_text_size_normal_and_large(short_side: int) -> None:
    normal, large = theme.sizes(short_side), theme.sizes(short_side, large_text=True)
    assert normal.cap_height_mm() >= 6.0  # K5: ~6 mm capitals at 50 cm
    assert large.body >= normal.body * 1.25
    assert theme.sizes(short_side, True, shrink=0.5).cap_height_mm() >= 6.0  # crowded: still K5


# --- the whole path by keyboard alone, against a real hub --------------------------------------


def test_whole_path_by_keyboard_alone_issues_and_prints(
    qtbot, hub: HubProcess, tmp_path: Path
) -> None:
    token = hub.token("kiosk", "Kiosk hall")
    link = ServerLink(fixed_hub(hub.url), token)
    printer = PrintWorker(f"preview:{tmp_path / 'tickets'}")
    (tmp_path / "tickets").mkdir()
    window = KioskWindow()
    qtbot.addWidget(window)
    window.resize(1080, 1920)
    speaker = Speaker(window, engine="none")
    vm = KioskViewModel(link, printer, speaker, initial(), parent=window)
    vm.viewChanged.connect(window.render)
    window.intent.connect(vm.press)
    window.focusMoved.connect(vm.focus_moved)
    window.show()
    link.start()
    printer.start()
    try:
        vm.start()
        qtbot.waitUntil(lambda: vm.state.screen is Screen.WELCOME, timeout=10_000)

        def key(k: Qt.Key, expect: Screen | None = None) -> None:
            QTest.keyClick(window, k)
            if expect is not None:
                qtbot.waitUntil(lambda: vm.state.screen is expect, timeout=10_000)
            missing = uncovered(visible_texts(window), vm.screen_spoken)
            assert not missing, f"{vm.state.screen}: not spoken: {missing}"

        key(Qt.Key.Key_F1)  # speech mode, without seeing the screen
        assert vm.state.access.speech
        key(Qt.Key.Key_Return, Screen.SERVICES)
        key(Qt.Key.Key_Escape, Screen.WELCOME)  # Escape goes back
        key(Qt.Key.Key_Return, Screen.SERVICES)
        assert window.focus_id == "service:A"
        key(Qt.Key.Key_Down)
        assert window.focus_id == "service:B"
        key(Qt.Key.Key_Return, Screen.PRIORITY)
        assert vm.state.service == "B"
        key(Qt.Key.Key_Down)
        assert window.focus_id == "no"
        key(Qt.Key.Key_Return, Screen.CONFIRM)
        qtbot.waitUntil(lambda: vm.state.preview is not None, timeout=10_000)
        assert window.focus_id == "issue"
        key(Qt.Key.Key_Return, Screen.TAKE_TICKET)
        ticket = vm.state.ticket
        assert ticket is not None and ticket["label"].startswith("B")
        assert any(ticket["label"] in line for line in vm.screen_spoken)
        pngs = list((tmp_path / "tickets").glob("*.png"))
        assert len(pngs) == 1 and ticket["label"] in pngs[0].name
        queue = httpx.get(f"{hub.url}/api/v1/queue", trust_env=False).json()
        assert queue["services"]["B"]["waiting"] == 1
    finally:
        vm.stop()
        link.stop()
        printer.stop()
