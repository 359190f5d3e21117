"""The hub under test: `montour hub` (or a variant given with --hub-cmd) in a subprocess.

tests/hubproc.py's HubProcess always runs this checkout's CLI; the benchmark must also run a
variant of the hub (`--hub-cmd`), and keeps the hub's stderr in a file it reads afterwards
(every error the hub logged during a run is reported with the figures).
"""

from __future__ import annotations

import concurrent.futures
import json
import queue
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from tests.bench.hub.common import READY_TIMEOUT_S, REPO, SERVICES, BenchError
from tests.bench.hub.machine import code_state

STOP_TIMEOUT_S = 15.0


def write_office(path: Path, n_counters: int) -> None:
    lines = ['[office]\nid = "bench"\nname = "Montour benchmark office"\n'
             'timezone = "Europe/Paris"\nlanguages = ["fr", "en"]\n']  # fmt: skip
    for code in SERVICES:
        lines.append(f'[[services]]\ncode = "{code}"\nname = {{ fr = "Service {code}" }}\n'
                     "mean_service_min = 8\n")  # fmt: skip
    for i in range(1, n_counters + 1):
        lines.append(f'[[counters]]\nid = "G{i}"\nname = "Guichet {i}"\n'
                     f"services = {json.dumps(list(SERVICES))}\n")  # fmt: skip
    lines.append('[[outcomes]]\ncode = "done"\nlabel = { fr = "Traité", en = "Done" }\n')
    path.write_text("\n".join(lines), encoding="utf-8")


def montour() -> list[str]:
    script = Path(sys.executable).parent / "montour"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from shared.cli import main; sys.exit(main())"]


class HubProcess:
    """`montour hub` on 127.0.0.1, a free port, discovery off; stopped by stop(), always."""

    def __init__(self, workdir: Path, name: str, office: Path, command: list[str]) -> None:
        self.name = name
        self.db = workdir / f"{name}.db"
        self.log = workdir / f"{name}.log"
        self.code = code_state()  # what this hub started from (the code may be edited later)
        self.clean_close = False
        cmd = [*command, "hub", "--config", str(office), "--db", str(self.db),
               "--host", "127.0.0.1", "--port", "0", "--discovery", "off"]  # fmt: skip
        self._stderr = self.log.open("wb")
        self.proc = subprocess.Popen(
            cmd, cwd=REPO, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=self._stderr, text=True,
        )  # fmt: skip
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._drain, name=f"{name}-stdout", daemon=True).start()
        try:
            self.url = self._ready_url()
        except BaseException:
            self.stop()
            raise
        self.port = int(self.url.rsplit(":", 1)[1])

    def _drain(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def _ready_url(self) -> str:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._lines.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                raise BenchError(f"the hub exited ({self.proc.wait()}): {self._log_tail()}")
            if line.startswith("Montour hub ready: "):
                return line.split()[3]
        raise BenchError(f"no ready line from the hub in {READY_TIMEOUT_S} s: {self._log_tail()}")

    def _log_tail(self) -> str:
        if not self._stderr.closed:
            self._stderr.flush()
        return self.log.read_text(errors="replace")[-2000:]

    def token(self, role: str) -> str:
        cmd = [*montour(), "hub", "token", "--db", str(self.db), "--role", role,
               "--name", f"bench {role}"]  # fmt: skip
        out = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=60)
        if out.returncode != 0 or not out.stdout.strip():
            raise BenchError(f"`montour hub token --role {role}` failed: {out.stderr}")
        return out.stdout.strip()

    def tokens(self, *roles: str) -> dict[str, str]:
        """One token a role, from `montour hub token` run beside the live hub (in parallel)."""
        with concurrent.futures.ThreadPoolExecutor(len(roles)) as pool:
            return dict(zip(roles, pool.map(self.token, roles), strict=True))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(STOP_TIMEOUT_S)
            # SQLite removes the WAL file when the last connection closes: the hub shut down
            # cleanly (uvicorn then re-raises SIGTERM, so the exit code is -15 either way).
            self.clean_close = not Path(f"{self.db}-wal").exists()
        self._stderr.close()

    def log_report(self) -> dict[str, Any]:
        """What the hub wrote on stderr (it logs at warning level and above): a quiet hub
        writes nothing; tracebacks and errors are shown with the figures."""
        if not self._stderr.closed:
            self._stderr.flush()
        lines = self.log.read_text(errors="replace").splitlines()
        bad = [line for line in lines if "ERROR" in line or line.startswith("Traceback")]
        return {"lines": len(lines), "errors": len(bad), "first_errors": bad[:3],
                "exit_code": self.proc.poll(), "clean_close": self.clean_close}  # fmt: skip


def commits_between(db: Path, after: int, upto: int) -> dict[str, Any]:
    """Events and COMMITs in a seq range (a batch's events share the writer's `at`)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        events, commits = conn.execute(
            "SELECT count(*), count(DISTINCT at) FROM events WHERE seq > ? AND seq <= ?",
            (after, upto),
        ).fetchone()
    finally:
        conn.close()
    return {"events": events, "commits": commits,
            "events_per_commit": round(events / commits, 2) if commits else 0.0}  # fmt: skip
