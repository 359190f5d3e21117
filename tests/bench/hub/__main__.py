"""python -m tests.bench.hub [--quick] [--json] [--client lean|httpx|both] [--hub-cmd CMD]

Runs part A (throughput, once per client asked for, each on a fresh hub with its own raw
limit) and part B (fan-out, with the first client), then prints the table (or JSON).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shlex
import shutil
import sys
import tempfile
from dataclasses import asdict
from importlib.metadata import version
from pathlib import Path
from typing import Any

import httpx

from tests.bench.hub import __doc__ as ABOUT
from tests.bench.hub.common import CLIENTS, FULL, LOG, P99_GOAL_MS, QUICK, RATIO_GOAL, Clock, Sizes
from tests.bench.hub.fanout import part_b
from tests.bench.hub.httpx_desk import short_circuit_sniffio
from tests.bench.hub.machine import code_state, describe_machine
from tests.bench.hub.process import HubProcess, commits_between, montour, write_office
from tests.bench.hub.raw import RAW_ROW
from tests.bench.hub.report import table
from tests.bench.hub.throughput import part_a


def throughput(
    clock: Clock, kind: str, workdir: Path, office: Path, sizes: Sizes, hub_cmd: list[str],
    hubs: list[HubProcess],
) -> dict[str, Any]:  # fmt: skip
    """Part A with one client kind, on a fresh hub, and what it makes of the raw limit."""
    clock.say(f"A ({kind}): hub throughput, and the raw sqlite3 loop before and after its "
              "concurrent phase…")  # fmt: skip
    hubs.append(hub := HubProcess(workdir, f"hub-a-{kind}", office, hub_cmd))
    tokens = hub.tokens("kiosk", "counter")
    clock.say(f"A ({kind}): hub ready at {hub.url}, tokens made")
    a = asyncio.run(part_a(hub, tokens, sizes, workdir, kind))
    hub.stop()
    for phase in ("sequential", "concurrent"):
        a[phase].update(commits_between(hub.db, *a[phase].pop("seq_range")))
    before, after = a.pop("raw_before"), a.pop("raw_after")
    same_fs = os.stat(workdir / f"raw-after-{kind}.db").st_dev == os.stat(hub.db).st_dev
    raw_ops = (before["ops_per_s"] + after["ops_per_s"]) / 2
    conc, seq = a["concurrent"], a["sequential"]
    ratio = conc["ops_per_s"] / raw_ops
    # The hub's Python work runs on one core at a time (GIL): its CPU per op bounds what it
    # could do with a core to itself, whatever the clients and the rest of the machine.
    hub_ms = conc["cpu_ms_per_op"]["hub"]
    return {
        "client": kind,
        "raw": {"before": before, "after": after, "ops_per_s": round(raw_ops, 1),
                "row_bytes": len(RAW_ROW), "same_filesystem_as_hub_db": same_fs},
        "hub": a,
        "ratio_hub_to_raw": round(ratio, 3), "ratio_goal": RATIO_GOAL,
        "ratio_met": ratio >= RATIO_GOAL,
        "batching_speedup": round(conc["ops_per_s"] / max(seq["ops_per_s"], 0.1), 2),
        "hub_one_core_ops_per_s": round(1000 / hub_ms, 1) if hub_ms else 0.0,
        "hub_one_core_ratio": round(1000 / hub_ms / raw_ops, 3) if hub_ms else 0.0,
    }  # fmt: skip


def run(
    sizes: Sizes, base: Path, mode: str, hub_cmd: list[str], clients: list[str]
) -> dict[str, Any]:
    clock = Clock()
    workdir = Path(tempfile.mkdtemp(prefix="montour-bench-", dir=base))
    hubs: list[HubProcess] = []
    try:
        result: dict[str, Any] = {"mode": mode, "sizes": asdict(sizes), "hub_command": hub_cmd}
        result["machine"] = describe_machine(workdir)
        result["code"] = code_state()
        office = workdir / "office.toml"
        write_office(office, max(sizes.workers, sizes.counters))

        by_client = {k: throughput(clock, k, workdir, office, sizes, hub_cmd, hubs)
                     for k in clients}  # fmt: skip
        main = by_client[clients[0]]  # the figures at the top level are the first client's

        clock.say(f"B ({clients[0]}): fan-out latency…")
        hubs.append(hub := HubProcess(workdir, "hub-b", office, hub_cmd))
        tokens = hub.tokens("kiosk", "counter", "display")
        clock.say(f"B: hub ready at {hub.url}, tokens made")
        b = asyncio.run(part_b(hub, tokens, sizes, clients[0]))
        hub.stop()

        result.update({k: v for k, v in main.items() if k != "client"})
        result["throughput_by_client"] = by_client
        result["fanout"] = b
        result["p99_goal_ms"] = P99_GOAL_MS
        result["p99_met"] = b["all_subscribers_ms"]["p99"] <= P99_GOAL_MS
        result["http_retries"] = [*(r for x in by_client.values() for r in x["hub"]["retries"]),
                                  *b["retries"]]  # fmt: skip
        result["hub_logs"] = {h.name: h.log_report() for h in hubs}
        digests = {h.name: h.code["digest"] for h in hubs}
        result["code"]["digest_at_hub_starts"] = digests
        result["code"]["changed_during_run"] = (
            len({result["code"]["digest"], *digests.values()}) > 1
        )
        result["machine"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
        result["elapsed_s"] = round(clock.elapsed(), 1)
        return result
    finally:
        for hub in hubs:
            hub.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m tests.bench.hub",
        description=(ABOUT or "").split("\n\n")[0],
    )
    p.add_argument("--quick", action="store_true", help="a small run (smoke test, < 20 s)")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout "
                   "(the table then goes to stderr)")  # fmt: skip
    p.add_argument("--client", choices=[*CLIENTS, "both"], default="lean",
                   help="the load client: lean (raw asyncio streams, the cheapest), httpx "
                   "(what the apps use), or both (part A once with each; part B with lean) "
                   "(default: %(default)s)")  # fmt: skip
    p.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()),
                   help="where to make the temporary directory (default: %(default)s)")  # fmt: skip
    p.add_argument("--hub-cmd", type=shlex.split, default=montour(),
                   help="command that stands for `montour` to start the hub, to compare a "
                   "variant of the hub (default: the venv's montour)")  # fmt: skip
    args = p.parse_args(argv)
    mode = "quick" if args.quick else "full"
    clients = list(CLIENTS) if args.client == "both" else [args.client]
    sniffio_stubbed = short_circuit_sniffio() if "httpx" in clients else False
    result = run(QUICK if args.quick else FULL, args.dir, mode, args.hub_cmd, clients)
    result["client"] = {"http": clients, "httpx": httpx.__version__,
                        "websockets": version("websockets"),
                        "sniffio_import_short_circuited": sniffio_stubbed}  # fmt: skip
    if args.json:
        print(table(result), file=LOG)
        print(json.dumps(result, indent=2))
    else:
        print(table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
