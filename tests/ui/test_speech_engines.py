"""Which engine speaks: Qt's (never `mock`), espeak-ng when Qt's fails, silence without sound.

The speechd tests run only where Debian's speech-dispatcher, speech-dispatcher-espeak-ng and
libspeechd2 are installed (the bootstrap does not install them); they are skipped otherwise.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from shared.ui.speech import Speaker
from tests.ui.conftest import (
    SPOKEN_MS,
    Events,
    MakeSpeaker,
    PulseServer,
    Recorder,
    SpeechdSandbox,
    heard,
    needs_espeak,
    onset_s,
)

REPO = Path(__file__).resolve().parents[2]


# In a process of its own: QtMultimedia connects once per process, and this one has a sound server.
_NO_SOUND_SCRIPT = """
import sys
from pathlib import Path
from PySide6.QtGui import QGuiApplication
from shared.ui.speech import Speaker
app = QGuiApplication([])
speaker = Speaker(engine="auto", cache_dir=Path(sys.argv[1]))
print("available", speaker.available(), speaker.engine_for("fr"), flush=True)
speaker.started.connect(lambda text: print("started", text, flush=True))
speaker.finished.connect(lambda: (print("finished", flush=True), app.quit()))
speaker.say("fr", ["Ticket A 42."])
app.exec()
"""


def test_without_a_sound_server_speech_is_silent_but_flows(tmp_path: Path) -> None:
    env = {**os.environ, "PULSE_SERVER": "unix:/nonexistent/native"}
    run = subprocess.run(
        [sys.executable, "-c", _NO_SOUND_SCRIPT, str(tmp_path / "cache")],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        "available False none", "started Ticket A 42.", "finished",
    ]  # fmt: skip
    assert "no engine or no audio output: silent" in run.stderr


# --- Qt's engine ---------------------------------------------------------------------------------


def test_auto_never_picks_the_mock_engine(
    qtbot: QtBot, make_speaker: MakeSpeaker, pulse: PulseServer
) -> None:
    from shared.ui.qtspeech import real_engines

    speaker, _ = make_speaker("auto")
    engine = speaker.engine_for("fr")
    assert engine != "qt:mock"
    if not real_engines() or engine == "espeak":
        assert engine == ("espeak" if shutil.which("espeak-ng") else "none")


def _speechd_speaker(make_speaker: MakeSpeaker, engine: str) -> tuple[Speaker, Events]:
    speaker, events = make_speaker(engine)
    if not speaker.engine_for("fr").startswith("qt:"):
        pytest.skip("no working Qt speech engine (speechd needs Debian speech-dispatcher, "
                    "speech-dispatcher-espeak-ng and libspeechd2)")  # fmt: skip
    return speaker, events


def test_qt_speechd_is_heard_on_the_null_sink(
    qtbot: QtBot, make_speaker: MakeSpeaker, recorder: Recorder
) -> None:
    speaker, events = _speechd_speaker(make_speaker, "qt")
    mark = recorder.frames()
    with qtbot.waitSignal(speaker.finished, timeout=SPOKEN_MS):
        speaker.say("fr", ["Ticket A 42."])
    samples = recorder.stop()
    assert events == [("started", "Ticket A 42."), ("finished",)]
    assert heard(samples)
    print(f"\nQt speechd: say() to first sound {onset_s(samples, mark) * 1000:.0f} ms")


@needs_espeak
def test_auto_falls_back_to_espeak_when_speechd_hangs(
    qtbot: QtBot,
    make_speaker: MakeSpeaker,
    recorder: Recorder,
    monkeypatch: pytest.MonkeyPatch,
    speechd_sandbox: SpeechdSandbox,
) -> None:
    from shared.ui.qtspeech import real_engines

    program = shutil.which("speech-dispatcher")
    if not real_engines() or program is None:
        pytest.skip("speech-dispatcher is not installed: Qt has no engine that could hang")
    # A speech-dispatcher of its own, with no audio server: it says Speaking for ever. (The
    # environment of the daemon this process spawned cannot be changed: GLib caches it.)
    runtime = speechd_sandbox.new_dir()
    socket = runtime / "speechd.sock"
    env = {**os.environ, "PULSE_SERVER": "unix:/nonexistent/native", "HOME": str(runtime)}
    daemon = subprocess.Popen(
        [program, "--run-single", "-c", "unix_socket", "-S", str(socket), "-t", "0",
         "-P", str(runtime / "pid"), "-L", str(runtime)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        qtbot.waitUntil(socket.exists, timeout=10_000)
        monkeypatch.setenv("SPEECHD_ADDRESS", f"unix_socket:{socket}")
        speaker, events = make_speaker("auto")
        assert speaker.engine_for("fr") == "qt:speechd"
        with qtbot.waitSignal(speaker.finished, timeout=SPOKEN_MS):
            speaker.say("fr", ["Ticket A 42."])
        assert events == [("started", "Ticket A 42."), ("finished",)]
        assert speaker.engine_for("fr") == "espeak"
        assert heard(recorder.stop())
    finally:
        daemon.terminate()
        try:
            daemon.wait(5)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait()
        speechd_sandbox.end(runtime)  # its output modules
