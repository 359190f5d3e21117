"""C: `montour display` as a process, connected and idle: its CPU over a while."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

from tests.hubproc import REPO_ROOT

TICK = os.sysconf("SC_CLK_TCK")


def cpu_s(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def measure(url: str, seconds: float) -> dict[str, float]:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "shared.cli", "display", "--hub", url, "--windowed",
         "--no-sound"],
        cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            if "display ready" in line:
                break
        else:
            raise RuntimeError("the display never said it was ready")
        # Keep reading its log so that a full pipe never blocks it.
        threading.Thread(target=proc.stderr.read, name="display-log", daemon=True).start()
        start_cpu, start = cpu_s(proc.pid), time.monotonic()
        try:
            proc.wait(seconds)  # the measuring window: the process must stay up through it
            raise RuntimeError(f"the display exited during the idle measure ({proc.returncode})")
        except subprocess.TimeoutExpired:
            pass
        used, wall = cpu_s(proc.pid) - start_cpu, time.monotonic() - start
        return {"seconds": wall, "cpu_s": used, "share_of_one_core": used / wall}
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
