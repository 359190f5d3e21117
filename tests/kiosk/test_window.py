"""The real window, offscreen: what it draws for each screen, RTL, geometry (K4, K6)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from kiosk import theme
from kiosk.flow import Access, Screen
from kiosk.shots import SCREENS
from kiosk.window import clipped_labels
from tests.kiosk.kiosk_helpers import (
    LANDSCAPE,
    PORTRAIT,
    build,
    geometry,
    show,
    visible_buttons,
    visible_texts,
)


def test_welcome_draws_the_view_and_clicks_emit_intents(qtbot) -> None:
    window, vm = build(qtbot)
    show(vm, "welcome")
    texts = visible_texts(window)
    assert "Bienvenue" in texts and "France Services Villeneuve" in texts
    assert "Prendre un ticket" in texts and "Français" in texts
    with qtbot.waitSignal(window.intent) as sent:
        qtbot.mouseClick(window.buttons["take"], Qt.MouseButton.LeftButton)
    assert sent.args == ["take"]
    assert vm.state.screen is Screen.SERVICES
    assert "Papiers d'identité" in visible_texts(window)


def test_language_change_redraws_in_arabic_right_to_left(qtbot) -> None:
    window, vm = build(qtbot)
    show(vm, "priority")
    qtbot.mouseClick(window.buttons["lang:ar"], Qt.MouseButton.LeftButton)
    assert vm.state.lang == "ar" and vm.state.screen is Screen.PRIORITY
    assert window.layoutDirection() == Qt.LayoutDirection.RightToLeft
    yes, no = geometry(window, window.buttons["yes"]), geometry(window, window.buttons["no"])
    assert yes.left() > no.left()  # the first choice is on the reading side: the right
    assert "هل لديك إعاقة أو صعوبة في الحركة؟" in visible_texts(window)
    qtbot.mouseClick(window.buttons["lang:fr"], Qt.MouseButton.LeftButton)
    assert window.layoutDirection() == Qt.LayoutDirection.LeftToRight


def test_print_failure_screen_shows_number_and_qr(qtbot) -> None:
    window, vm = build(qtbot)
    show(vm, "print-failed")
    qr = [q for q in window.findChildren(QLabel, "qr") if q.isVisibleTo(window)]
    assert "A042" in visible_texts(window)
    assert len(qr) == 1 and qr[0].pixmap().width() >= 190  # ~5 cm on the reference panel
    assert "Imprimer à nouveau" in visible_texts(window)


@pytest.mark.parametrize("size", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
@pytest.mark.parametrize("large", [False, True], ids=["normal", "large-text"])
def test_touch_targets_are_big_and_spaced(qtbot, size: tuple[int, int], large: bool) -> None:
    window, vm = build(qtbot, size)
    for screen in SCREENS:
        show(vm, screen, access=Access(large_text=large))
        rects = [geometry(window, b) for b in visible_buttons(window)]
        for r in rects:
            assert r.width() >= theme.MIN_TARGET_PX and r.height() >= theme.MIN_TARGET_PX, screen
            assert window.rect().contains(r), (screen, r)
        for i, a in enumerate(rects):
            for b in rects[i + 1 :]:
                assert not a.adjusted(-8, -8, 8, 8).intersects(b), (screen, a, b)


@pytest.mark.parametrize("size", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_reach_mode_puts_every_control_in_the_lower_part(
    qtbot, size: tuple[int, int], lang: str
) -> None:
    window, vm = build(qtbot, size)
    height = size[1]
    floor = height * (1 - theme.REACH_FRACTION)
    for screen in SCREENS:
        show(vm, screen, lang, Access(reach=True, large_text=True, speech=True))
        buttons = visible_buttons(window)
        assert buttons, screen
        for b in buttons:
            r = geometry(window, b)
            assert r.top() >= floor and r.bottom() <= height, (screen, b.button_id, r, floor)


def test_without_reach_languages_sit_in_the_top_band(qtbot) -> None:
    window, vm = build(qtbot)
    show(vm, "welcome")
    assert geometry(window, window.buttons["lang:en"]).top() < 200


@pytest.mark.parametrize("size", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
@pytest.mark.parametrize(
    "access", [Access(), Access(reach=True, large_text=True)], ids=["normal", "accessible"]
)
def test_every_text_and_control_of_every_screen_is_inside_the_window(
    qtbot, size: tuple[int, int], access: Access
) -> None:
    window, vm = build(qtbot, size)
    for screen in SCREENS:
        show(vm, screen, access=access)
        assert vm.current is not None
        assert vm.current.title in visible_texts(window), screen
        shown = {b.button_id for b in visible_buttons(window)}
        assert shown == {b.id for b in vm.current.controls()}, screen
        for label in window.findChildren(QLabel):
            if label.isVisibleTo(window) and label.text():
                assert window.rect().contains(geometry(window, label)), (screen, label.text())
        # No text cut: each label got the height its wrapped text needs (landscape + accessible
        # print-failed used to lose its last summary line).
        assert not [label.text() for label in clipped_labels(window)], screen


def test_the_office_name_is_in_the_band_on_the_start_side(qtbot) -> None:
    for size in (PORTRAIT, LANDSCAPE):
        window, vm = build(qtbot, size)
        for lang in ("fr", "ar"):
            show(vm, "services", lang)
            header = next(h for h in window.findChildren(QLabel, "header") if h.isVisible())
            band = header.parentWidget()
            assert band.objectName() == "band" and header.text() == "France Services Villeneuve"
            r, lang_button = geometry(window, header), geometry(window, window.buttons["lang:fr"])
            assert lang_button.top() < 300
            if lang == "fr":
                assert r.left() < lang_button.left() and r.left() < 100
            else:  # right to left: the start side is the right
                text_right = r.left() + header.contentsRect().left() + header.width()
                assert header.alignment() & Qt.AlignmentFlag.AlignRight
                assert text_right >= window.width() - 100
