"""Speech tests' helpers. The PulseAudio fixtures (`pulse`, `recorder`) live in tests/conftest.py
(shared with tests/display), their machinery in tests/pulse.py; the names the tests of this folder
import from here are re-exported below."""

from __future__ import annotations

import array
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import shiboken6

from shared.ui.speech import Speaker
from tests.pulse import (  # noqa: F401  (re-exported for the tests of this folder)
    RATE,
    SOUND_RMS,
    PulseServer,
    Recorder,
    end_process,
    first_sound,
    last_sound,
    window_rms,
)


class SpeechdSandbox:
    """Where Qt's speechd engine (when speech-dispatcher is installed) puts the daemons it spawns.

    libspeechd spawns speech-dispatcher with its socket under $XDG_RUNTIME_DIR, and the daemon
    outlives its client (for ever when its audio hangs). GLib caches that directory at its first
    use in a process, and killing this process's daemon mid-session makes its next spawn fail
    ("Connection to speech-dispatcher failed"): this process's daemon lives in one directory made
    here, until the session ends; then every daemon naming one of these directories is ended
    by its pid.
    """

    def __init__(self, factory: pytest.TempPathFactory) -> None:
        self._factory = factory
        self.dirs: list[Path] = []

    def new_dir(self) -> Path:
        runtime = self._factory.mktemp("xdg-runtime")
        runtime.chmod(0o700)  # what Qt and libspeechd require of a runtime directory
        self.dirs.append(runtime)
        return runtime

    def end(self, runtime: Path) -> None:
        for pid in _pids_naming(str(runtime)):
            end_process(pid)

    def end_all(self) -> None:
        for runtime in self.dirs:
            self.end(runtime)


@pytest.fixture(scope="session")
def speechd_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SpeechdSandbox]:
    sandbox = SpeechdSandbox(tmp_path_factory)
    try:
        yield sandbox
    finally:
        sandbox.end_all()


@pytest.fixture(scope="session")
def _shared_runtime(speechd_sandbox: SpeechdSandbox) -> Path:
    return speechd_sandbox.new_dir()


@pytest.fixture(autouse=True)
def _speechd_runtime(_shared_runtime: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The runtime directory of this process's speech-dispatcher, if a test here spawns it first."""
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(_shared_runtime))
    return _shared_runtime


def _pids_naming(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if text in cmdline:
                found.append(int(entry.name))
    return found


# --- speakers and what they let out, for the tests of this folder ---------------------------------

SPOKEN_MS = 20_000  # the longest a test waits for speech to end
LAST_WINDOW = RATE // 50  # the latest 20 ms of a recording
LOUD = int(SOUND_RMS * 32768)  # a sample this loud is sound, not the null sink's silence

needs_espeak = pytest.mark.skipif(
    shutil.which("espeak-ng") is None, reason="espeak-ng is not installed (Debian: espeak-ng)"
)

Events = list[tuple[str, ...]]
MakeSpeaker = Callable[..., tuple[Speaker, Events]]


@pytest.fixture
def make_speaker(tmp_path: Path) -> Iterator[MakeSpeaker]:
    """Speakers that write down their signals, and are silenced and destroyed after the test."""
    made: list[Speaker] = []

    def make(engine: str = "espeak", cache_dir: Path | None = None) -> tuple[Speaker, Events]:
        speaker = Speaker(engine=engine, cache_dir=cache_dir or tmp_path / "cache")
        events: Events = []
        speaker.started.connect(lambda text: events.append(("started", text)))
        speaker.finished.connect(lambda: events.append(("finished",)))
        made.append(speaker)
        return speaker, events

    yield make
    for speaker in made:
        speaker.stop()
        shiboken6.delete(speaker)  # its espeak-ng run, if any, is ended with it


def onset_s(samples: array.array[int], mark: int) -> float:
    """Seconds from the sample `mark` to the first loud sample after it."""
    for i in range(mark, len(samples)):
        if abs(samples[i]) > LOUD:
            return (i - mark) / RATE
    raise AssertionError("no sound after the mark")


def heard(samples: array.array[int]) -> bool:
    return max(window_rms(samples), default=0.0) > SOUND_RMS
