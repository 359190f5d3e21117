"""The counter benchmark runs end to end in a short version and reports every figure.

It checks that the figures exist and are sane, never how fast they are (the goal, keypress F1
→ ticket shown p99 ≤ 100 ms with 50 other counters active, is reported by
`python -m tests.bench.counter`).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.bench, pytest.mark.slow, pytest.mark.timeout(240)]


def test_counter_benchmark_reports_its_figures() -> None:
    out = subprocess.run(
        # The others at a faster pace: the short timed part still sees some of their actions.
        [sys.executable, "-m", "tests.bench.counter", "--calls", "10", "--others", "5",
         "--warmup", "1", "--every-min-s", "0.1", "--every-max-s", "0.2", "--json"],
        cwd=REPO, capture_output=True, text=True, timeout=230,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    data = json.loads(out.stdout)
    press = data["press"]
    assert press["calls"] == 10 and press["warmup"] == 1 and press["tickets_per_s"] > 0
    assert press["day_tickets_at_end"] >= 11  # the measured counter's own, at least
    assert 0 < press["p50_ms"] <= press["p95_ms"] <= press["p99_ms"] <= press["max_ms"] < 30_000
    others = data["others"]
    assert others["counters"] == 5 and others["processes"] == 1 and others["seconds"] > 0
    assert others["actions_per_s"] > 0 and others["tickets_per_s"] > 0
    assert all(0 <= v < 100 * data["machine"]["cores"] + 50
               for v in data["cpu_percent_of_one_core"].values())  # fmt: skip
    assert data["machine"]["cores"] >= 1 and data["machine"]["python"]
    assert "Keypress F1 -> called ticket shown" in out.stderr and "machine:" in out.stderr
