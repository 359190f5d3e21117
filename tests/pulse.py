"""Real sound for the tests: a PulseAudio daemon with a null sink, and a recorder on it.

The fixtures (`pulse`, `recorder`) and the hook that starts the daemon are in tests/conftest.py:
at the root, so that every folder's sound tests (tests/ui, tests/display) share one daemon that
started before anything in the process touched QtMultimedia.

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
from dataclasses import dataclass
from pathlib import Path

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


def start_pulse() -> PulseServer:
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


def stop_pulse(server: PulseServer) -> None:
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
