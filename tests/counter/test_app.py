"""`montour counter --screenshot`: one PNG per main state, through the real command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from counter.commands import STATES
from shared.cli import main


@pytest.mark.parametrize("state", STATES)
def test_screenshot_of_every_state(tmp_path: Path, state: str) -> None:
    path = tmp_path / f"counter-{state}.png"
    assert main(["counter", "--screenshot", str(path), "--state", state]) == 0
    image = QImage(str(path))
    assert (image.width(), image.height()) == (420, 720)


def test_an_unpaired_counter_says_how_to_pair(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))  # no stored credentials there
    assert main(["counter", "--hub", "http://127.0.0.1:9"]) == 2
    assert "montour hub pair --role counter" in capsys.readouterr().err
