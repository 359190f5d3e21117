"""`montour counter` finds its hub with zeroconf (bound to loopback), pairs once with a one-time
code, keeps the pairing, and starts again with it alone; a used code is refused clearly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from shared.client import credentials
from tests.hubproc import HubProcess

REPO_ROOT = Path(__file__).resolve().parents[2]


def _counter(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_DATA_HOME=str(tmp_path / "data"), PYTHONPATH=str(REPO_ROOT))  # fmt: skip
    cmd = [sys.executable, "-c", "import sys; from shared.cli import main; sys.exit(main())",
           "counter", "--discovery", "loopback", *args]  # fmt: skip
    return subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)  # fmt: skip


def _wait_for(proc: subprocess.Popen[str], text: str) -> str:
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:  # ends when the process does: no sleeping
        lines.append(line)
        if text in line:
            return line
    raise AssertionError(f"never said {text!r}:\n" + "".join(lines))


def test_pairs_through_discovery_then_starts_with_the_stored_pairing(tmp_path: Path) -> None:
    config = tmp_path / "config" / "montour"
    with HubProcess(tmp_path / "hub.db", discovery="loopback") as hub:
        code = hub.pairing_code("counter")
        for extra in (["--pair", code, "--name", "Guichet 1 PC"], []):
            proc = _counter(tmp_path, *extra)
            try:
                _wait_for(proc, "counter ready")
            finally:
                proc.terminate()
                proc.communicate(timeout=30)
            saved = credentials.load("counter", config)
            assert saved is not None and saved.role == "counter" and saved.hub_url == hub.url
            assert saved.office == "fs-villeneuve" and saved.token
        # The code was single-use: pairing again with it is refused, and says so.
        proc = _counter(tmp_path, "--pair", code)
        out, _ = proc.communicate(timeout=60)
        assert proc.returncode == 2 and "pairing with code failed" in out
