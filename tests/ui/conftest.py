"""Real sound for the speech tests: a PulseAudio daemon with a null sink, and a recorder on it.

QtMultimedia connects to PulseAudio once, the first time anything asks it for a device, and never
retries: a daemon started later is never seen by this process. So the daemon starts while the
session is still collecting, as soon as some selected test asks for the `pulse` fixture, before
any test (of this folder or another) can touch QtMultimedia; `PULSE_SERVER` then points this
process, and every process it starts (espeak-ng, speech-dispatcher, parec), at it.

`pulseaudio --daemonize=yes` returns only once the daemon has loaded its modules: a readiness
event, no polling. The daemon stops at the end of the session (SIGTERM, its exit awaited
through a pidfd). A "keeper" recorder with a 10 ms latency runs all along: the null sink
otherwise renders in 2 s blocks, which delays the first samples of every recording and the end
of every sound by up to 2 s; a real sound card behaves like the kept null sink.

Each test's `recorder` runs `parec` into its own WAV file, which grows in real time:
`Recorder.frames()` tells which sample is being recorded now (give or take parec's ~10-20 ms of
latency), so a test can measure when sound came out after a call.
"""

from __future__ import annotations

import array
import atexit
import math
import os
import select
import shutil
import signal
import subprocess
import tempfile
import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import shiboken6
from pytestqt.qtbot import QtBot

from shared.ui.speech import Speaker

SINK = "nullsink"
RATE = 44100  # the recording's sample rate (mono, 16 bit)
FRAME_BYTES = 2
WINDOW_S = 0.02  # RMS is measured over windows this long
SOUND_RMS = 0.02  # a window is sound above this RMS (full scale 1.0); the null sink gives 0
START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 5.0
RECORD_START_TIMEOUT_MS = 5000

_started: set[subprocess.Popen[bytes]] = set()
_daemons: set[int] = set()  # pids of PulseAudio daemons not yet stopped


@atexit.register
def _kill_leftovers() -> None:
    """A session that dies half-way still leaves no recorder and no daemon behind."""
    for process in list(_started):
        if process.poll() is None:
            process.kill()
            process.wait()
    for pid in list(_daemons):
        end_process(pid)


@dataclass
class PulseServer:
    runtime_dir: Path
    pid: int
    keeper: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"unix:{self.runtime_dir / 'native'}"

    def client_env(self) -> dict[str, str]:
        # PULSE_COOKIE: libpulse clients would otherwise create ~/.config/pulse/cookie.
        return {"PULSE_SERVER": self.address, "PULSE_COOKIE": str(self.runtime_dir / "cookie")}


def _start_pulse() -> PulseServer:
    runtime = Path(tempfile.mkdtemp(prefix="montour-pulse-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULSE_")}
    env.update(XDG_RUNTIME_DIR=str(runtime), HOME=str(runtime))  # nothing in the real home
    command = [
        "pulseaudio", "--daemonize=yes", "--use-pid-file=yes", "--exit-idle-time=-1",
        "--disallow-exit", "-n", "--realtime=no", "--high-priority=no",
        f"--log-target=file:{runtime / 'pulse.log'}",
        f"--load=module-null-sink sink_name={SINK}",
        # Anonymous: the clients need no cookie shared with the daemon.
        f"--load=module-native-protocol-unix auth-anonymous=1 socket={runtime / 'native'}",
    ]  # fmt: skip
    result = subprocess.run(command, env=env, capture_output=True, timeout=START_TIMEOUT_S)
    log = runtime / "pulse.log"
    if result.returncode != 0:
        said = log.read_text(errors="replace") if log.exists() else result.stderr.decode()
        shutil.rmtree(runtime, ignore_errors=True)
        raise RuntimeError(f"pulseaudio did not start (exit {result.returncode}):\n{said}")
    server = PulseServer(runtime, int((runtime / "pulse" / "pid").read_text()))
    _daemons.add(server.pid)
    server.keeper = subprocess.Popen(
        ["parec", "-d", f"{SINK}.monitor", "--latency-msec=10", "--raw"],
        env={**os.environ, **server.client_env()},
        stdout=subprocess.DEVNULL,
    )
    _started.add(server.keeper)
    return server


def _stop_pulse(server: PulseServer) -> None:
    if server.keeper is not None:
        server.keeper.terminate()
        server.keeper.wait(STOP_TIMEOUT_S)
        _started.discard(server.keeper)
    end_process(server.pid)
    _daemons.discard(server.pid)
    shutil.rmtree(server.runtime_dir, ignore_errors=True)


def end_process(pid: int) -> None:
    """SIGTERM a process that is not our child, wait for its end, SIGKILL it if it lingers."""
    try:
        pidfd = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    try:
        os.kill(pid, signal.SIGTERM)
        exited, _, _ = select.select([pidfd], [], [], STOP_TIMEOUT_S)  # wakes when it exits
        if not exited:
            os.kill(pid, signal.SIGKILL)
    finally:
        os.close(pidfd)


_SERVER = pytest.StashKey[PulseServer | str]()  # the server, or why there is none


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _SERVER in config.stash or not any("pulse" in item.fixturenames for item in items):
        return
    if shutil.which("pulseaudio") is None or shutil.which("parec") is None:
        config.stash[_SERVER] = (
            "pulseaudio and parec are not installed (Debian: pulseaudio pulseaudio-utils)"
        )
        return
    server = _start_pulse()
    config.stash[_SERVER] = server
    saved = {k: os.environ.get(k) for k in server.client_env()}
    os.environ.update(server.client_env())

    def stop() -> None:
        _stop_pulse(server)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value

    config.add_cleanup(stop)


@pytest.fixture(scope="session")
def pulse(request: pytest.FixtureRequest, qapp: object) -> PulseServer:
    """The session's PulseAudio daemon; QtMultimedia is checked to play into its null sink."""
    server = request.config.stash.get(_SERVER, "the PulseAudio fixture was not started")
    if isinstance(server, str):
        pytest.skip(server)
    from PySide6.QtMultimedia import QMediaDevices

    outputs = [device.description() for device in QMediaDevices.audioOutputs()]
    if not outputs:
        pytest.fail(
            "QtMultimedia sees no audio output: it was initialised before the PulseAudio "
            "fixture started (it never reconnects), or the daemon refused this process"
        )
    return server


class Recorder:
    """`parec` recording the null sink into a WAV file, for one test."""

    def __init__(self, server: PulseServer, path: Path) -> None:
        self.path = path
        self._process = subprocess.Popen(
            [
                "parec", "-d", f"{SINK}.monitor", "--latency-msec=10", "--file-format=wav",
                "--format=s16le", f"--rate={RATE}", "--channels=1", str(path),
            ],
            env={**os.environ, **server.client_env()},
        )  # fmt: skip
        _started.add(self._process)

    def frames(self) -> int:
        """Samples recorded so far (the file grows in real time; parec creates it late)."""
        try:
            return max(0, self.path.stat().st_size - self._header_bytes()) // FRAME_BYTES
        except FileNotFoundError:
            return 0

    def _header_bytes(self) -> int:
        with self.path.open("rb") as f:
            head = f.read(512)
        at = head.find(b"data")
        return at + 8 if at >= 0 else max(len(head), 44)

    def running_samples(self) -> array.array[int]:
        """The samples written so far, while the recording goes on."""
        data = self.path.read_bytes()[self._header_bytes() :]
        return array.array("h", data[: len(data) // FRAME_BYTES * FRAME_BYTES])

    def stop(self) -> array.array[int]:
        """End the recording; the samples, read back from the finished WAV file."""
        if self._process.poll() is None:
            self._process.terminate()
            self._process.wait(STOP_TIMEOUT_S)
        _started.discard(self._process)
        with wave.open(str(self.path), "rb") as wav:
            assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (RATE, 1, 2)
            return array.array("h", wav.readframes(wav.getnframes()))


def window_rms(samples: array.array[int]) -> list[float]:
    n = int(RATE * WINDOW_S)
    out = []
    for start in range(0, len(samples) - n + 1, n):
        window = samples[start : start + n]
        out.append(math.sqrt(sum(x * x for x in window) / n) / 32768)
    return out


def first_sound(samples: array.array[int], after: int = 0) -> int | None:
    """Index of the first sample of the first loud window at or after `after`."""
    n = int(RATE * WINDOW_S)
    for i, rms in enumerate(window_rms(samples[after:])):
        if rms > SOUND_RMS:
            return after + i * n
    return None


def last_sound(samples: array.array[int]) -> int | None:
    n = int(RATE * WINDOW_S)
    loud = [i for i, rms in enumerate(window_rms(samples)) if rms > SOUND_RMS]
    return (loud[-1] + 1) * n if loud else None


@pytest.fixture
def recorder(pulse: PulseServer, tmp_path: Path, qtbot: QtBot) -> Iterator[Recorder]:
    rec = Recorder(pulse, tmp_path / "recording.wav")
    try:
        # Returns once samples flow: whatever the test plays from now on is in the file.
        qtbot.waitUntil(lambda: rec.frames() > 0, timeout=RECORD_START_TIMEOUT_MS)
        yield rec
    finally:
        rec.stop()


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
