"""The hub benchmark runs end to end in its quick mode and reports every figure.

It checks that the figures exist and are sane, never how fast they are: the goals (ratio
hub/raw >= 0.3, fan-out p99 <= 50 ms) are reported by the benchmark, not enforced here.
Part A runs with both load clients (lean and httpx), so neither path rots.
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
        [sys.executable, "-m", "tests.bench.hub", "--quick", "--json", "--client", "both",
         "--dir", str(base)],
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
    assert result["client"]["http"] == ["lean", "httpx"]
    code = result["code"]
    assert code["commit"] and isinstance(code["changed_since"], list)
    assert all(name and not name.startswith(" ") for name in code["changed_since"])
    assert set(code["digest_at_hub_starts"]) == {"hub-a-lean", "hub-a-httpx", "hub-b"}
    assert isinstance(code["changed_during_run"], bool)


def test_hubs_stopped_cleanly_and_logged_no_error(result: dict[str, Any]) -> None:
    assert set(result["hub_logs"]) == {"hub-a-lean", "hub-a-httpx", "hub-b"}
    for name, log in result["hub_logs"].items():
        assert log["errors"] == 0, (name, log["first_errors"])
        assert log["clean_close"] is True, name
        assert log["exit_code"] is not None, name


def _runs(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Part A with each client; the top level repeats the first one's (lean's) figures."""
    runs = result["throughput_by_client"]
    assert list(runs) == ["lean", "httpx"]
    assert result["hub"] == runs["lean"]["hub"] and result["raw"] == runs["lean"]["raw"]
    return list(runs.values())


@pytest.mark.parametrize("client", [0, 1])
def test_raw_limit(result: dict[str, Any], client: int) -> None:
    raw = _runs(result)[client]["raw"]
    for run in (raw["before"], raw["after"]):
        assert _positive(run["ops"]) and _positive(run["seconds"]) and _positive(run["ops_per_s"])
        assert set(run["cpu_percent_of_one_core"]) == {"hub", "bench", "other"}
    assert _positive(raw["ops_per_s"])
    assert 250 <= raw["row_bytes"] <= 400
    assert raw["same_filesystem_as_hub_db"] is True


@pytest.mark.parametrize("client", [0, 1])
@pytest.mark.parametrize("phase", ["sequential", "concurrent"])
def test_hub_throughput(result: dict[str, Any], phase: str, client: int) -> None:
    x = _runs(result)[client]["hub"][phase]
    assert x["errors"] == {"count": 0, "first": []}  # every answer had the right status
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


@pytest.mark.parametrize("client", [0, 1])
def test_ratio_and_batching(result: dict[str, Any], client: int) -> None:
    run = _runs(result)[client]
    hub, raw = run["hub"], run["raw"]
    # Each figure is rounded (ops/s to 0.1, the ratio to 0.001): a relative tolerance too.
    assert run["ratio_hub_to_raw"] == pytest.approx(
        hub["concurrent"]["ops_per_s"] / raw["ops_per_s"], rel=2e-3, abs=1e-3
    )
    assert run["ratio_goal"] == 0.3
    assert isinstance(run["ratio_met"], bool)
    assert _positive(run["batching_speedup"])
    assert _positive(run["hub_one_core_ops_per_s"]) and _positive(run["hub_one_core_ratio"])
    assert hub["concurrent"]["workers"] == result["sizes"]["workers"]
    assert hub["warmup_errors"]["count"] == 0
    assert isinstance(hub["retries"], list)
    assert _positive(hub["concurrent"]["tickets_per_s_first_quarter"])
    assert _positive(hub["concurrent"]["tickets_per_s_last_quarter"])
    assert hub["tickets_in_day"] >= hub["sequential"]["tickets"] + hub["concurrent"]["tickets"]


def test_fanout_latency(result: dict[str, Any]) -> None:
    b, sizes = result["fanout"], result["sizes"]
    assert (b["counters"], b["subscribers"], b["calls"]) == (
        sizes["counters"], sizes["subscribers"], sizes["calls"],
    )  # fmt: skip
    assert b["client"] == "lean"
    assert b["missing_deliveries"] == 0 and b["seq_gaps"] == 0 and b["sockets_closed"] == 0
    assert b["errors"]["count"] == 0, b["errors"]["first"]
    assert isinstance(b["keepalive_failures"], list)
    for key in ("all_subscribers_ms", "per_subscriber_ms", "call_http_answer_ms"):
        d = b[key]
        assert 0 < d["p50"] <= d["p99"] <= d["max"], key
    # The call reaches all subscribers no sooner than it reaches one of them.
    assert b["all_subscribers_ms"]["p50"] >= b["per_subscriber_ms"]["p50"]
    assert b["hub_connections_at_start"] >= b["counters"] + b["subscribers"]
    assert result["p99_goal_ms"] == 50.0
    assert isinstance(result["p99_met"], bool)


def test_the_former_command_still_runs() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "tests.bench.bench_hub", "--help"],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "--client" in out.stdout and "--hub-cmd" in out.stdout
