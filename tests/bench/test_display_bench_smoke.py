"""The display benchmark runs end to end in a short version and reports every figure.

It checks that the figures exist and are sane, never how fast they are (the goals: repaint p99
≤ 100 ms, ≤ 200 MB without growth, idle CPU ≤ 5 % are reported by `python -m tests.bench.display`).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.bench, pytest.mark.slow, pytest.mark.timeout(240)]


def test_display_benchmark_reports_its_figures() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "tests.bench.display", "--calls", "20", "--soak", "40",
         "--idle-s", "3", "--json"],
        cwd=REPO, capture_output=True, text=True, timeout=230,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    data = json.loads(out.stdout)
    repaint = data["repaint"]
    assert repaint["calls"] == 20 and 0 < repaint["p50_ms"] <= repaint["p99_ms"]
    assert len(repaint["rss_mb"]) == 10 and repaint["rss_last_mb"] > 10
    assert 0 <= data["idle"]["share_of_one_core"] < 2 and data["idle"]["seconds"] >= 3
    assert "A. Event received" in out.stderr and "C. Idle board" in out.stderr
