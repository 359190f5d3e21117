"""The kiosk benchmark runs end to end in a short version and reports every figure.

It checks that the figures exist and are sane, never how fast they are (the goals, touch →
bytes p95 ≤ 300 ms and start ≤ 3 s, are reported by `python -m tests.bench.kiosk`).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.bench, pytest.mark.slow, pytest.mark.timeout(180)]


def test_kiosk_benchmark_reports_its_figures() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "tests.bench.kiosk", "--tickets", "5", "--starts", "1", "--json"],
        cwd=REPO, capture_output=True, text=True, timeout=170,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    data = json.loads(out.stdout)
    touch = data["touch_to_bytes_ms"]
    assert touch["n"] == 5 and 0 < touch["p50"] <= touch["p95"] <= touch["max"]
    assert touch["bytes_per_ticket"] > 500  # a real ticket went to the printer each time
    for mode in ("hub-url", "discovery"):
        assert 0 < data["startup_s"][mode]["median"] < 30
    assert "A. Touch" in out.stderr and "B. Kiosk start" in out.stderr
