"""The wall display's window: the 0.7° rule from the real widgets' fonts, contrast, nothing
cut, the stale board, priority never shown, the repaint signal and a calm highlight."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtGui import QFontMetrics, QImage
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from display import samples, theme
from display.chart import QuieterChart
from display.theme import Viewing
from display.window import DisplayWindow
from shared import const
from shared.core.model import OfficeState
from tests.display.display_helpers import (
    LANDSCAPE,
    PORTRAIT,
    clipped,
    settle,
    show,
    visible_labels,
)
from tests.display.test_board import office_with_learned_hours, office_without_quieter_hours

# A 43" screen in a 3 m room: the waiting table's heading "Attente estimée" wraps on two lines.
SMALL_ROOM = Viewing(3.0, 43.0, 1920, 1080)
SETUPS = [LANDSCAPE, PORTRAIT, SMALL_ROOM, Viewing(6.0, 65.0, 3840, 2160)]


def test_the_rule_itself() -> None:
    v = Viewing()
    assert math.isclose(v.min_cap_mm, 61.09, abs_tol=0.01)  # ≈ 61 mm at 5 m (D3)
    assert math.isclose(Viewing(3.0).min_cap_mm, 36.65, abs_tol=0.01)  # ≈ 37 mm at 3 m
    assert math.isclose(v.pixel_pitch_mm, 0.634, abs_tol=0.001)  # 55" Full HD
    assert v.min_cap_px == 97
    with pytest.raises(ValueError, match="positive"):
        Viewing(distance_m=0)


def _tier(window: DisplayWindow, label: QLabel) -> int:
    """The smallest capital height the label's tier must reach at its own distance."""
    v = window.viewing
    if window.call.isAncestorOf(label) and label is not window.call.title:
        return v.min_cap_px
    return v.list_cap_px if window.recent.isAncestorOf(label) else v.info_cap_px


@pytest.mark.parametrize("viewing", SETUPS, ids=lambda v: f"{v.distance_m}m-{v.screen_inches}in-"
                         f"{v.width_px}x{v.height_px}")  # fmt: skip
def test_every_text_meets_the_07_degree_rule_for_its_tier_and_none_is_cut(
    qtbot: QtBot, viewing: Viewing
) -> None:
    window, _ = show(qtbot, viewing)
    if viewing in (LANDSCAPE, PORTRAIT):
        assert not window.paged()  # 55" at the default tiers: everything fits on one screen
    seen: set[str] = set()
    # Every page of the information pager and of the waiting table, each once laid out.
    for _page in range(window.pager.count() * window.waiting.pages()):
        settle(window)
        for label in visible_labels(window):
            cap = QFontMetrics(label.font()).capHeight()
            assert cap >= _tier(window, label), (label.text(), cap, _tier(window, label))
            assert not clipped(label), (label.text(), label.size())
            seen.add(label.text())
        window.pager.turn()
        window.waiting.turn()
    assert QFontMetrics(window.chart.font()).capHeight() >= viewing.info_cap_px
    seen.update(window.chart.texts())
    # Everything the board is meant to show is on the screen at once.
    for text in ("A042", "→ Guichet 3", "B017", "10:42", "mardi 11 mars", "Plus calme",
                 "Horaires du jour", "13 h 30 à 16 h 30", "Derniers appels", "Appel en cours",
                 "Papiers d'identité", "15 à 25 min", "Aucun guichet ouvert", "Paiements",
                 "France Services Villeneuve"):  # fmt: skip
        assert text in seen, text


def test_the_tiers_at_the_defaults_on_a_55_inch_full_hd_screen() -> None:
    v = Viewing()
    assert (v.min_cap_px, v.list_cap_px, v.info_cap_px) == (97, 58, 29)
    assert math.isclose(v.cap_mm_at(1.5), 18.33, abs_tol=0.01)


def test_extreme_distances_turn_the_information_in_pages(qtbot: QtBot) -> None:
    window, _ = show(qtbot, Viewing(info_distance=4.0))
    assert window.paged()
    assert window.pager.timer.isActive() or window.waiting.timer.isActive()


def test_a_service_with_nobody_waiting_says_no_wait(qtbot: QtBot) -> None:
    queue = {**samples.QUEUE, "services": {**samples.QUEUE["services"],
             "B": {"waiting": 0, "open_counters": 2, "wait": None}}}  # fmt: skip
    window, vm = show(qtbot)
    vm.queue = queue
    vm.rebuild()
    assert "Pas d'attente" in [label.text() for label in visible_labels(window)]


@pytest.mark.parametrize("p", theme.PALETTES, ids=lambda p: p.name)
def test_every_text_and_background_pair_has_at_least_45_to_1(p: theme.Palette) -> None:
    for name, (fg, bg) in theme.text_pairs(p).items():
        assert theme.contrast(fg, bg) >= 4.5, (p.name, name, theme.contrast(fg, bg))


def test_the_stale_board_says_so_and_is_greyed(qtbot: QtBot) -> None:
    window, vm = show(qtbot, connected=False)
    assert window.banner.isVisibleTo(window)
    assert window.banner.text() == ("Liaison perdue — informations peut-être périmées")
    assert window.palette_ is theme.STALE
    vm.connected = True
    vm.rebuild()
    assert not window.banner.isVisibleTo(window) and window.palette_ is theme.NORMAL


def test_a_priority_call_renders_exactly_like_another(qtbot: QtBot) -> None:
    state = samples.state()
    current = state.tickets["t-A042"]  # type: ignore[index]
    urgent = OfficeState(
        day=state.day, tickets={**state.tickets, current.id: replace(current, priority=True)}
    )
    window, vm = show(qtbot)

    def painted(board: OfficeState) -> QImage:
        # Grab once the window has painted the new board: its layout settles in that pass.
        vm.state = board
        with qtbot.waitSignal(window.repainted, timeout=2000):
            vm.rebuild()
        return window.grab().toImage()

    assert painted(urgent) == painted(state)


def test_repainted_carries_the_seq_of_the_board_just_painted(qtbot: QtBot) -> None:
    window, vm = show(qtbot)
    vm.seq = 77
    with qtbot.waitSignal(window.repainted, timeout=2000) as blocker:
        vm.rebuild()
    assert blocker.args == [77]


def test_the_highlight_pulses_slower_than_3_hz_and_can_be_turned_off(qtbot: QtBot) -> None:
    window, vm = show(qtbot, animate=True)
    pulse = window.call.pulse
    assert pulse.duration() / 1000 >= 1 / 3
    assert pulse.duration() * pulse.loopCount() / 1000 == pytest.approx(const.DISPLAY_HIGHLIGHT_S)
    assert pulse.state() == pulse.State.Running  # the first call seen
    still, _vm2 = show(qtbot, animate=False)
    assert still.call.pulse.state() == still.call.pulse.State.Stopped
    # A recall is a new highlight (D2).
    pulse.stop()
    t = vm.state.tickets["t-A042"]  # type: ignore[union-attr,index]
    vm.state = vm.state.with_ticket(replace(t, calls=2))  # type: ignore[union-attr]
    vm.rebuild()
    assert pulse.state() == pulse.State.Running


def test_the_chart_has_a_legend_and_a_text_alternative(qtbot: QtBot) -> None:
    window, _ = show(qtbot)
    chart = window.findChild(QuieterChart)
    assert chart is not None
    assert chart.legend == ("Plus calme", "Ouvert", "Fermé")
    description = chart.accessibleDescription()
    assert description.startswith("Heures plus calmes cette semaine.")
    for day in ("mardi\u00a0: 14 h à 16 h 30", "mercredi\u00a0: 10 h 30 à 12 h", "jeudi"):
        assert day in description


def test_the_recent_list_holds_the_calls_before_the_current_one(qtbot: QtBot) -> None:
    window, _ = show(qtbot, PORTRAIT)
    assert window.recent.visible_calls() == ["B017", "D008", "A041", "C012", "B016"]
    wide, _ = show(qtbot)
    assert wide.recent.visible_calls() == ["B017", "D008", "A041", "C012", "B016"]
    few, _ = show(qtbot, PORTRAIT, recent=2)
    assert few.recent.visible_calls() == ["B017"]


def test_the_clock_shows_hours_and_minutes(qtbot: QtBot) -> None:
    window, _ = show(qtbot)
    assert window.clock.text() == "10:42"
    assert window._clock_timer.isActive() and window._clock_timer.interval() > 50_000


@pytest.mark.parametrize("viewing", [LANDSCAPE, PORTRAIT], ids=["landscape", "portrait"])
def test_not_enough_history_replaces_the_chart_by_a_sentence(
    qtbot: QtBot, viewing: Viewing, tmp_path: Path
) -> None:
    window, vm = show(qtbot, viewing)
    vm.office = office_without_quieter_hours()
    vm.rebuild()
    settle(window)
    assert not window.chart.isVisibleTo(window)  # no chart of opening hours only
    assert window.quieter_text.isVisibleTo(window)
    assert window.quieter_text.text() == "Pas encore assez d'historique pour les connaître."
    assert window.chart_title.text() == "Heures plus calmes"
    assert not clipped(window.quieter_text) and not clipped(window.chart_title)
    assert window.grab().save(str(tmp_path / "not-enough-history.png"))
    # Once the hub publishes learned hours, the chart comes back with them.
    vm.office = office_with_learned_hours()
    vm.rebuild()
    settle(window)
    assert window.chart.isVisibleTo(window)
    assert window.quieter_text.isVisibleTo(window) == (viewing is PORTRAIT)
    assert window.chart.quieter == {"mon": (("09:00", "10:30"),)}
