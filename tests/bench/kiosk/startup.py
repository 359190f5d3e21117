"""B. `montour kiosk` as a process: from its launch to its "kiosk ready" log line."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

from shared.client import credentials
from tests.hubproc import REPO_ROOT

OFFICE = "fs-villeneuve"  # the example office the benchmark's hub runs

READY = re.compile(r"kiosk ready")
TIMEOUT_S = 30.0


def once(hub_url: str, token: str, base: Path, mode: str) -> float:
    """Seconds from launch to the first screen with the services; the kiosk is then stopped.

    The kiosk starts as it does every morning: paired, its pairing (office id and token) read
    from its configuration directory, the hub found by zeroconf ("discovery", on loopback) or
    given with --hub.
    """
    config = base / "config"
    credentials.save(
        credentials.Credentials("kiosk", OFFICE, hub_url, token, "bench kiosk"),
        directory=config / "montour",
    )
    where = ["--hub", hub_url] if mode == "hub-url" else ["--discovery", "loopback"]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "XDG_CONFIG_HOME": str(config), "XDG_DATA_HOME": str(base / "data")}  # fmt: skip
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "shared.cli", "kiosk", *where, "--windowed",
         "--speech", "none", "--printer", f"file:{base / 'lp-start'}"],
        cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stderr is not None
        for line in proc.stderr:  # ends if the kiosk dies: then no ready line, an error below
            if READY.search(line):
                return time.perf_counter() - started
            if time.perf_counter() - started > TIMEOUT_S:
                break
        raise RuntimeError(f"the kiosk never said it was ready ({mode})")
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
