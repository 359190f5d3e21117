"""`montour display`: its options, and `--screenshot` rendering the sample board offscreen."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from display import app
from display.theme import Viewing
from shared.cli import main


def test_a_screenshot_is_rendered_offscreen_at_the_screens_size(
    qtbot: QtBot, tmp_path: Path
) -> None:
    for name, viewing, stale in (("l.png", Viewing(), False),
                                 ("p.png", Viewing(width_px=1080, height_px=1920), True)):  # fmt: skip
        assert app.screenshot(tmp_path / name, viewing, stale=stale) == 0
        image = QImage(str(tmp_path / name))
        assert (image.width(), image.height()) == (viewing.width_px, viewing.height_px)


@pytest.mark.parametrize("argv, message", [
    (["--volume", "2"], "the volume goes from 0 to 1"),
    (["--distance-m", "0"], "must be more than 0"),
    (["--recent", "x"], "not a number"),
])  # fmt: skip
def test_bad_options_are_refused_with_a_clear_error(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main(["display", *argv])
    assert message in capsys.readouterr().err


def test_a_bad_size_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="--size must look like 1920x1080"):
        main(["display", "--size", "big", "--screenshot", str(tmp_path / "x.png")])
