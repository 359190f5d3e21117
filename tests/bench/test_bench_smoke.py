"""The hub benchmark runs end to end in its quick mode and reports every figure.

It checks that the figures exist and are sane, never how fast they are: the goals (ratio
hub/raw >= 0.3, fan-out p99 <= 50 ms) are reported by the benchmark, not enforced here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.bench, pytest.mark.slow, pytest.mark.timeout(120)]


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("bench")
    out = subprocess.run(
        [sys.executable, "-m", "tests.bench.bench_hub", "--quick", "--json", "--dir", str(base)],
        cwd=REPO, capture_output=True, text=True, timeout=110,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    assert "A. Durable ticket operations" in out.stderr  # the table goes to stderr with --json
    assert list(base.iterdir()) == [], "the benchmark left its temporary directory behind"
    data: dict[str, Any] = json.loads(out.stdout)
    return data


def _positive(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


def test_machine_is_described(result: dict[str, Any]) -> None:
    m = result["machine"]
    assert result["mode"] == "quick"
    assert m["cpu_model"] and m["python"] and m["sqlite"]
    assert _positive(m["cores"])
    assert m["filesystem"]["fstype"] and m["filesystem"]["mount"]
    assert len(m["loadavg_start"]) == len(m["loadavg_end"]) == 3
    assert result["client"]["httpx"] and result["client"]["websockets"]
    assert result["code"]["commit"] and isinstance(result["code"]["changed_since"], list)


def test_raw_limit(result: dict[str, Any]) -> None:
    raw = result["raw"]
    for run in (raw["before"], raw["after"]):
        assert _positive(run["ops"]) and _positive(run["seconds"]) and _positive(run["ops_per_s"])
    assert _positive(raw["ops_per_s"])
    assert 250 <= raw["row_bytes"] <= 400
    assert raw["same_filesystem_as_hub_db"] is True


@pytest.mark.parametrize("phase", ["sequential", "concurrent"])
def test_hub_throughput(result: dict[str, Any], phase: str) -> None:
    x = result["hub"][phase]
    for key in ("ops", "tickets", "seconds", "ops_per_s", "tickets_per_s", "events", "commits"):
        assert _positive(x[key]), key
    assert x["ops"] == 4 * x["tickets"]  # issue, call, start, complete
    assert x["events"] == x["ops"]  # every timed write stored exactly one event
    assert 1 <= x["events_per_commit"] <= x["events"]
    lat = x["op_latency_ms"]
    assert 0 < lat["p50"] <= lat["p99"] <= lat["max"]
    assert 0 <= x["ops_35ms_or_more"] <= x["ops"]
    assert set(x["cpu_percent_of_one_core"]) == {"hub", "bench", "other"}
    assert x["cpu_percent_of_one_core"]["hub"] > 0
    assert _positive(x["cpu_ms_per_op"]["hub"]) and _positive(x["cpu_ms_per_op"]["bench"])


def test_ratio_and_batching(result: dict[str, Any]) -> None:
    hub, raw = result["hub"], result["raw"]
    assert result["ratio_hub_to_raw"] == pytest.approx(
        hub["concurrent"]["ops_per_s"] / raw["ops_per_s"], abs=1e-3
    )
    assert result["ratio_goal"] == 0.3
    assert isinstance(result["ratio_met"], bool)
    assert _positive(result["batching_speedup"])
    assert _positive(result["hub_one_core_ops_per_s"]) and _positive(result["hub_one_core_ratio"])
    assert result["hub"]["concurrent"]["workers"] == result["sizes"]["workers"]
    assert _positive(hub["concurrent"]["tickets_per_s_first_quarter"])
    assert _positive(hub["concurrent"]["tickets_per_s_last_quarter"])
    assert hub["tickets_in_day"] >= hub["sequential"]["tickets"] + hub["concurrent"]["tickets"]


def test_fanout_latency(result: dict[str, Any]) -> None:
    b, sizes = result["fanout"], result["sizes"]
    assert (b["counters"], b["subscribers"], b["calls"]) == (
        sizes["counters"], sizes["subscribers"], sizes["calls"],
    )  # fmt: skip
    assert b["missing_deliveries"] == 0 and b["seq_gaps"] == 0 and b["sockets_closed"] == 0
    assert isinstance(b["keepalive_failures"], list)
    for key in ("all_subscribers_ms", "per_subscriber_ms", "call_http_answer_ms"):
        d = b[key]
        assert 0 < d["p50"] <= d["p99"] <= d["max"], key
    # The call reaches all subscribers no sooner than it reaches one of them.
    assert b["all_subscribers_ms"]["p50"] >= b["per_subscriber_ms"]["p50"]
    assert b["hub_connections_at_start"] >= b["counters"] + b["subscribers"]
    assert result["p99_goal_ms"] == 50.0
    assert isinstance(result["p99_met"], bool)
