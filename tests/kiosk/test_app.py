"""`montour kiosk`: screenshots without a hub, and a real start (pairing, first screen) timed."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QImage

from kiosk.commands import SCREENS
from shared.cli import main
from tests.hubproc import REPO_ROOT, HubProcess

READY = re.compile(r"kiosk ready with the office's services ([\d.]+) s after the process started")


@pytest.mark.parametrize(("args", "size"), [
    ([], (1080, 1920)),
    (["--size", "1920x1080", "--lang", "ar", "--accessible"], (1920, 1080)),
    (["--high-contrast", "--large-text", "--reach"], (1080, 1920)),
])  # fmt: skip
def test_screenshot_of_every_screen_without_a_hub(
    qapp, tmp_path: Path, args: list[str], size: tuple[int, int]
) -> None:  # type: ignore[no-untyped-def]
    for screen in SCREENS:
        path = tmp_path / f"{screen}.png"
        assert main(["kiosk", "--screenshot", str(path), "--screen", screen, *args]) == 0
        image = QImage(str(path))
        assert (image.width(), image.height()) == size, screen


def test_bad_size_is_a_clear_error(qapp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit, match="--size must look like 1080x1920"):
        main(["kiosk", "--screenshot", str(tmp_path / "x.png"), "--size", "big"])


def test_unpaired_kiosk_shows_the_set_up_screen_instead_of_exiting(tmp_path: Path) -> None:
    proc = _kiosk(tmp_path, "--hub", "http://127.0.0.1:9")
    seen: list[str] = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:  # ends when the process does: no sleeping
            seen.append(line)
            if "not paired: showing the set-up screen" in line:
                break
        else:
            raise AssertionError("the kiosk exited instead of showing the set-up screen")
        assert proc.poll() is None  # still running, waiting for a code
    finally:
        proc.terminate()
        seen.append(proc.communicate(timeout=30)[0])
    # The speech engine of each language is logged at start.
    assert any("speech for fr: none" in line for line in seen), seen


def _kiosk_args(tmp_path: Path, *extra: str) -> Any:
    from shared.cli import _parser

    return _parser().parse_args(["kiosk", "--windowed", "--speech", "none", "--size", "1080x1920",
                                 "--printer", f"preview:{tmp_path}", *extra])  # fmt: skip


def test_pairing_on_the_set_up_screen_against_a_real_hub(qtbot, tmp_path: Path) -> None:
    """An installer types the code on the screen's keypad (keys here); a wrong code says so,
    the right one is saved and the kiosk starts normally."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from kiosk.app import Kiosk
    from kiosk.flow import Access, Screen
    from shared.client import credentials

    with HubProcess(tmp_path / "hub.db") as hub:
        kiosk = Kiosk(_kiosk_args(tmp_path, "--hub", hub.url), Access(), creds_dir=tmp_path)
        qtbot.addWidget(kiosk.window)
        kiosk.window.resize(1080, 1920)
        kiosk.window.show()
        try:
            kiosk.start()
            vm, window = kiosk.vm, kiosk.window
            assert vm.state.screen is Screen.SETUP
            for digit in "00000000":
                qtbot.mouseClick(window.buttons[f"digit:{digit}"], Qt.MouseButton.LeftButton)
            qtbot.mouseClick(window.buttons["pair"], Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: vm.state.setup_error == "wrong", timeout=10_000)
            assert vm.current is not None and "faux ou a expiré" in vm.current.error
            assert credentials.load("kiosk", tmp_path) is None
            for digit in hub.pairing_code("kiosk").replace("-", ""):
                QTest.keyClicks(window, digit)
            assert window.buttons["pair"].isEnabled()
            window.setFocus()
            qtbot.mouseClick(window.buttons["pair"], Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: vm.state.screen is Screen.WELCOME, timeout=15_000)
            saved = credentials.load("kiosk", tmp_path)
            assert saved is not None and saved.hub_url == hub.url and saved.token
            assert vm.current is not None and vm.current.header == vm.office["name"]
        finally:
            kiosk.close()


def test_pairs_then_starts_with_the_stored_pairing_and_is_ready_fast(tmp_path: Path) -> None:
    with HubProcess(tmp_path / "hub.db") as hub:
        for extra in (["--pair", hub.pairing_code("kiosk")], []):
            started = time.monotonic()
            proc = _kiosk(tmp_path, "--hub", hub.url, *extra)
            try:
                seconds = _wait_ready(proc)
                wall = time.monotonic() - started
            finally:
                proc.terminate()
                proc.communicate(timeout=30)
            print(f"kiosk start to first screen with services: {seconds:.2f} s "
                  f"(measured outside: {wall:.2f} s)")  # fmt: skip
            assert (tmp_path / "config" / "montour" / "kiosk.json").is_file()
            assert seconds < 10  # the goal is 3 s; this only catches a hang


def _kiosk(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_DATA_HOME=str(tmp_path / "data"), PYTHONPATH=str(REPO_ROOT))  # fmt: skip
    cmd = [sys.executable, "-c", "import sys; from shared.cli import main; sys.exit(main())",
           "kiosk", "--windowed", "--speech", "none", "--printer",
           f"preview:{tmp_path}", *args]  # fmt: skip
    return subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)  # fmt: skip


def _wait_ready(proc: subprocess.Popen[str]) -> float:
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:  # ends when the process does: no sleeping
        lines.append(line)
        if m := READY.search(line):
            return float(m.group(1))
    raise AssertionError("the kiosk never became ready:\n" + "".join(lines))


def test_a_given_token_is_used_without_pairing(tmp_path: Path) -> None:
    """What `montour demo` does: --hub URL --token=TOKEN."""
    with HubProcess(tmp_path / "hub.db") as hub:
        proc = _kiosk(tmp_path, "--hub", hub.url, f"--token={hub.token('kiosk', 'Demo kiosk')}")
        try:
            assert _wait_ready(proc) < 10
        finally:
            proc.terminate()
            proc.communicate(timeout=30)
        assert not (tmp_path / "config" / "montour" / "kiosk.json").exists()


def test_the_command_offers_every_screen_the_flow_has() -> None:
    from kiosk.shots import SCREENS as FLOW_SCREENS

    assert tuple(SCREENS) == tuple(FLOW_SCREENS)
