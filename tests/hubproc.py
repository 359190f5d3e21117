"""A real hub in a subprocess, on a loopback port, for tests that need the real thing.

    hub = HubProcess(tmp_path / "hub.db", config=None)   # None: the example office
    hub.start()                  # returns once the hub printed its ready line
    token = hub.token("counter", "G1")
    hub.kill(); hub.restart()    # a crash, then the same port and database again
    hub.stop()                   # SIGTERM, wait; always safe to call

The hub's output (stdout and stderr, merged) is read by a thread for the whole life of the
process: it finds the ready line without sleeping, keeps the pipe from filling up and blocking
a chatty hub, and is kept in `output` so that a failure can show what the hub said. Every
process still alive when the interpreter exits is killed, so a test that forgets `stop()` (or
dies half-way) leaves no hub behind.
"""

from __future__ import annotations

import atexit
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from shared.cli import EXAMPLE_CONFIG

REPO_ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 15.0
STOP_TIMEOUT_S = 10.0
CLI_TIMEOUT_S = 30.0
_READY = re.compile(r"Montour hub ready: (http://\S+)")
# Runs the CLI from this checkout whether or not the `montour` script is installed.
_CLI = [sys.executable, "-c", "import sys; from shared.cli import main; sys.exit(main())"]

_alive: set[subprocess.Popen[str]] = set()


@atexit.register
def _kill_leftovers() -> None:
    for proc in list(_alive):
        if proc.poll() is None:
            proc.kill()
            proc.wait()


class HubStartError(RuntimeError):
    """The hub did not print its ready line in time; the message holds its output."""


class HubProcess:
    def __init__(
        self,
        db: Path,
        config: Path | None = None,
        port: int = 0,
        discovery: str = "off",
    ) -> None:
        self.db = Path(db).resolve()
        self.config = Path(config).resolve() if config is not None else EXAMPLE_CONFIG
        self.port = port
        self.discovery = discovery
        self._proc: subprocess.Popen[str] | None = None
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._reader: threading.Thread | None = None
        self._output: list[str] = []
        self._url: str | None = None
        self._deadline = 0.0

    # --- life cycle ---------------------------------------------------------------------------

    def start(self) -> Self:
        """Launch the hub and wait for its ready line."""
        return self.launch().wait_ready()

    def launch(self) -> Self:
        """Launch the hub without waiting (start several at once, or prepare one in advance);
        `wait_ready()` then waits for it, within START_TIMEOUT_S of the launch."""
        if self._proc is not None and self._proc.poll() is None:
            raise RuntimeError("the hub is already running")
        self._lines = queue.Queue()
        self._url = None
        self._deadline = time.monotonic() + START_TIMEOUT_S
        proc = subprocess.Popen(
            [*_CLI, "hub", "--config", str(self.config), "--db", str(self.db),
             "--host", "127.0.0.1", "--port", str(self.port), "--discovery", self.discovery],
            cwd=REPO_ROOT, env=self._env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, bufsize=1,
        )  # fmt: skip
        self._proc = proc
        _alive.add(proc)
        assert proc.stdout is not None
        self._reader = threading.Thread(
            target=self._read, args=(proc.stdout, self._lines), name="hub-output", daemon=True
        )
        self._reader.start()
        return self

    def wait_ready(self) -> Self:
        """Wait for the ready line; on failure, kill the hub and raise with its output."""
        if self._url is not None:
            return self
        if self._proc is None:
            raise RuntimeError("the hub was not launched")
        try:
            self._url = self._wait_ready()
        except BaseException:
            self.kill()
            raise
        self.port = int(self._url.rsplit(":", 1)[1])
        return self

    def _wait_ready(self) -> str:
        while (remaining := self._deadline - time.monotonic()) > 0:
            try:
                line = self._lines.get(timeout=remaining)
            except queue.Empty:
                break
            if line is None:  # end of output: the process is gone
                assert self._proc is not None
                code = self._proc.wait()
                raise HubStartError(f"the hub exited with code {code}:\n{self.output}")
            if match := _READY.search(line):
                return match.group(1)
        raise HubStartError(f"the hub was not ready within {START_TIMEOUT_S:g} s:\n{self.output}")

    def kill(self) -> None:
        """SIGKILL, like a crash or a power cut: no clean-up at all in the hub."""
        self._end(signal.SIGKILL)

    def stop(self) -> None:
        """SIGTERM and wait for a clean exit (SIGKILL if it does not come in time)."""
        self._end(signal.SIGTERM)

    def restart(self) -> Self:
        """Start again on the same port and database (stopping the hub first if it runs)."""
        self.stop()
        return self.start()

    def freeze(self) -> None:
        """SIGSTOP: the hub keeps its sockets open but answers nothing (a hung machine)."""
        self._signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self._signal(signal.SIGCONT)

    def _signal(self, sig: signal.Signals) -> None:
        if not self.running:
            raise RuntimeError("the hub is not running")
        assert self._proc is not None
        self._proc.send_signal(sig)

    def _end(self, sig: signal.Signals) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            if proc.poll() is None:
                proc.send_signal(sig)
                if sig != signal.SIGKILL:
                    proc.send_signal(signal.SIGCONT)  # a frozen hub cannot handle SIGTERM
                try:
                    proc.wait(STOP_TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        finally:
            _alive.discard(proc)
            if self._reader is not None:
                self._reader.join(STOP_TIMEOUT_S)  # EOF follows the exit at once
                self._reader = None
            if proc.stdout is not None:
                proc.stdout.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:  # fmt: skip
        self.stop()

    # --- what tests use -----------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int:
        if self._proc is None:
            raise RuntimeError("the hub is not running")
        return self._proc.pid

    @property
    def url(self) -> str:
        if self._url is None:
            raise RuntimeError("the hub has not started")
        return self._url

    @property
    def output(self) -> str:
        return "".join(self._output)

    def token(self, role: str, name: str) -> str:
        """A device token from `montour hub token` (the database must exist: start first)."""
        out = self._cli("token", "--role", role, "--name", name)
        return out.strip().splitlines()[-1]

    def pairing_code(self, role: str, name: str = "") -> str:
        """A one-time pairing code from `montour hub pair`, e.g. "1234-5678"."""
        out = self._cli("pair", "--role", role, "--name", name)
        match = re.search(r"\b(\d{4}-\d{4})\b", out)
        if match is None:
            raise RuntimeError(f"no pairing code in the output of `montour hub pair`:\n{out}")
        return match.group(1)

    def _cli(self, command: str, *args: str) -> str:
        result = subprocess.run(
            [*_CLI, "hub", command, "--db", str(self.db), *args],
            cwd=REPO_ROOT, env=self._env(), stdin=subprocess.DEVNULL, capture_output=True,
            text=True, timeout=CLI_TIMEOUT_S, check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(
                f"`montour hub {command}` failed ({result.returncode}):\n"
                f"{result.stdout}{result.stderr}"
            )
        return result.stdout

    # --- inside ------------------------------------------------------------------------------

    def _read(self, stream: IO[str], lines: queue.Queue[str | None]) -> None:
        try:
            for line in stream:
                self._output.append(line)
                lines.put(line)
        except (OSError, ValueError):  # the pipe was closed under us during clean-up
            pass
        finally:
            lines.put(None)

    @staticmethod
    def _env() -> dict[str, str]:
        env = dict(os.environ)
        env["PYTHONUNBUFFERED"] = "1"
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
        return env
