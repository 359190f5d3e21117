"""The other counters' child processes, seen from the benchmark: start them, wait until they
are ready, mark the start of the timed part, stop them and add up what they did.

Each child's stdout is read by a thread into a queue (a line is awaited with a time-out, never
by a blocking read that a stuck child could hold for ever); its stderr goes to a file whose end
is shown if it fails.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any

from tests.hubproc import REPO_ROOT

READY_TIMEOUT_S = 60.0  # 50 desks open and 50 streams live, on a loaded machine
ANSWER_TIMEOUT_S = 30.0
TICK = os.sysconf("SC_CLK_TCK")


class Child:
    def __init__(self, job: dict[str, Any], log: Path) -> None:
        self.log = log
        self._err = log.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.bench.counter.others"], cwd=REPO_ROOT,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._err, text=True,
        )  # fmt: skip
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, args=(self.proc.stdout,),
                                        name="bench-others-out", daemon=True)  # fmt: skip
        self._reader.start()
        self.send(json.dumps(job))  # the tokens travel on stdin, never on a command line

    def _read(self, stream: IO[str]) -> None:
        try:
            for line in stream:
                self._lines.put(line.strip())
        except (OSError, ValueError):
            pass
        finally:
            self._lines.put(None)

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def answer(self, timeout_s: float = ANSWER_TIMEOUT_S) -> str:
        try:
            line = self._lines.get(timeout=timeout_s)
        except queue.Empty:
            raise RuntimeError(f"the other counters did not answer:\n{self.tail()}") from None
        if line is None:
            raise RuntimeError(f"the other counters stopped:\n{self.tail()}")
        return line

    def tail(self) -> str:
        self._err.flush()
        return self.log.read_text(errors="replace")[-3000:]

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.proc.stdin.close()  # type: ignore[union-attr]  # the end of stdin: stop
        try:
            self.proc.wait(ANSWER_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._reader.join(ANSWER_TIMEOUT_S)
        self._err.close()


class Others:
    """The kiosk in a child of its own (a busy child must not starve the queue), then `procs`
    children sharing `counters` ([id, token] pairs)."""

    def __init__(self, url: str, kiosk: str, counters: list[list[str]], procs: int,
                 every_s: tuple[float, float], waiting: int, workdir: Path) -> None:  # fmt: skip
        procs = max(1, min(procs, len(counters)))
        job = {"url": url, "every_s": list(every_s), "waiting": waiting}
        self.children = [Child(job | {"kiosk": kiosk, "counters": []}, workdir / "kiosk.log")]
        for i in range(procs):
            self.children.append(Child(job | {"kiosk": None, "counters": counters[i::procs]},
                                       workdir / f"others-{i}.log"))  # fmt: skip

    @property
    def pids(self) -> list[int]:
        return [c.proc.pid for c in self.children]

    def cpu_s(self) -> float:
        """CPU seconds the children used so far (user + system, from /proc)."""
        total = 0.0
        for pid in self.pids:
            stat = Path(f"/proc/{pid}/stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            total += (int(fields[11]) + int(fields[12])) / TICK
        return total

    def wait_ready(self) -> None:
        for child in self.children:
            if (line := child.answer(READY_TIMEOUT_S)) != "ready":
                raise RuntimeError(f"the other counters said {line!r}:\n{child.tail()}")

    def counts(self, command: str) -> list[dict[str, Any]]:
        for child in self.children:
            child.send(command)
        return [json.loads(child.answer()) for child in self.children]

    def close(self) -> None:
        for child in self.children:
            child.close()


def rates(start: list[dict[str, Any]], end: list[dict[str, Any]]) -> dict[str, Any]:
    """What the others did between two counts: actions and tickets a second, and errors."""
    pairs = list(zip(start, end, strict=True))
    seconds = max(e["t"] - s["t"] for s, e in pairs)
    errors: dict[str, int] = {}
    for s, e in pairs:
        for code, n in e["errors"].items():
            if more := n - s["errors"].get(code, 0):
                errors[code] = errors.get(code, 0) + more
    return {
        "seconds": seconds,
        "actions_per_s": sum(e["actions"] - s["actions"] for s, e in pairs) / seconds,
        "tickets_per_s": sum(e["issued"] - s["issued"] for s, e in pairs) / seconds,
        "errors": errors,
    }
