"""Run the counter benchmark; see the package docstring."""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import math
import os
import sys
import tempfile
import tomllib
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.bench.counter.load import Others, rates
from tests.bench.counter.press import Press
from tests.bench.hub.machine import CpuMeter, describe_machine
from tests.hubproc import HubProcess

OFFICE = Path(__file__).resolve().parent / "office.toml"
MEASURED, MEASURED_SERVICES = "G1", ["A", "B"]
COUNTERS_IN_OFFICE = len(tomllib.loads(OFFICE.read_text(encoding="utf-8"))["counters"])
DESKS_PER_PROCESS = 25  # other counters in one child process, unless --procs says
TOKEN_WORKERS = 4  # `montour hub token` processes at once


def pct(values: list[float], p: float) -> float:
    """Nearest rank."""
    s = sorted(values)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


def tokens(hub: HubProcess, names: list[str]) -> list[str]:
    with concurrent.futures.ThreadPoolExecutor(TOKEN_WORKERS) as pool:
        return list(pool.map(lambda n: hub.token("counter", f"bench {n}"), names))


def timed(press: Press, calls: int, pause_s: float) -> list[float]:
    """`calls` timed presses; a refused press (nobody left waiting) is pressed again."""
    samples: list[float] = []
    while len(samples) < calls:
        if (ms := press.sample()) is not None:
            samples.append(ms)
        elif sum(press.failed.values()) > calls:
            raise RuntimeError(f"most presses were refused: {press.failed}")
        press.idle(pause_s)
    return samples


def run(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    every = (args.every_min_s, args.every_max_s)
    with HubProcess(tmp / "hub.db", OFFICE) as hub:
        others_ids = [f"G{i}" for i in range(2, args.others + 2)]
        measured, *theirs = tokens(hub, [MEASURED, *others_ids])
        kiosk = hub.token("kiosk", "bench kiosk")
        desks = [[c, t] for c, t in zip(others_ids, theirs, strict=True)]
        procs = args.procs or math.ceil(args.others / DESKS_PER_PROCESS)
        others = Others(hub.url, kiosk, desks, procs, every, args.waiting, tmp)
        press: Press | None = None
        try:
            others.wait_ready()
            press = Press(hub.url, measured, MEASURED, MEASURED_SERVICES)
            for _ in range(args.warmup):
                press.sample()
            start, cpu, others_cpu_s = others.counts("mark"), CpuMeter(hub.pid), others.cpu_s()
            samples = timed(press, args.calls, args.pause_s)
            used, others_cpu_s = cpu.stop(), others.cpu_s() - others_cpu_s
            end = others.counts("stop")
            refused = press.summary()
        finally:
            if press is not None:
                press.close()
            others.close()
    load = rates(start, end)
    others_pct = round(100 * others_cpu_s / load["seconds"], 1)
    return {
        "press": {
            "calls": len(samples), "warmup": args.warmup, "pause_s": args.pause_s,
            "tickets_per_s": len(samples) / load["seconds"],
            "p50_ms": pct(samples, 50), "p95_ms": pct(samples, 95), "p99_ms": pct(samples, 99),
            "max_ms": max(samples), **refused,
        },
        "others": {"counters": args.others, "processes": len(others.children) - 1,
                   "every_s": list(every), "waiting_at_least": args.waiting,
                   **load},
        "cpu_percent_of_one_core": {"hub": used["hub"], "counter_app": used["bench"],
                                    "others": others_pct,
                                    "rest_of_machine": max(0.0, used["other"] - others_pct)},
    }  # fmt: skip


def report(result: dict[str, Any], out: Any) -> None:
    p, o, c, m = (result[k] for k in ("press", "others", "cpu_percent_of_one_core", "machine"))
    errors = ", ".join(f"{k} {v}" for k, v in sorted(o["errors"].items())) or "none"
    refused = ", ".join(f"{k!r} {v}" for k, v in p["refused_presses"].items()) or "none"
    lines = [
        f"Keypress F1 -> called ticket shown on the counter, {p['calls']} calls "
        f"({p['warmup']} warm-up calls not counted), {o['counters']} other counters active:",
        f"   p50 {p['p50_ms']:.1f} ms, p95 {p['p95_ms']:.1f} ms, p99 {p['p99_ms']:.1f} ms, "
        f"max {p['max_ms']:.1f} ms   goal p99 <= 100 ms",
        f"   others: {o['counters']} counters in {o['processes']} process"
        f"{'es' if o['processes'] > 1 else ''}, each one action "
        f"(call next, start, complete) every {o['every_s'][0]:g}-{o['every_s'][1]:g} s, a "
        f"live event stream each: {o['actions_per_s']:.1f} actions/s over {o['seconds']:.0f} s; "
        f"a kiosk (own process, own stream) {o['tickets_per_s']:.1f} tickets/s "
        f"(>= {o['waiting_at_least']} waiting per service); their errors: {errors}",
        "   the measured counter itself: press, start, complete, "
        + (f"then {p['pause_s']:g} s idle: " if p["pause_s"] else "back to back: ")
        + f"{p['tickets_per_s']:.1f} tickets/s; refused presses (pressed again): {refused}; "
        f"the day's tickets at the end: {p['day_tickets_at_end']}",
        f"   CPU over the timed part, % of one core: hub {c['hub']:.0f} %, counter app "
        f"{c['counter_app']:.0f} %, the others and the kiosk {c['others']:.0f} %, the rest "
        f"of the machine {c['rest_of_machine']:.0f} %",
        f"   machine: {m['cores']} CPUs ({m['cpu_model']}), {m['python']}, Qt platform "
        f"{m['qpa']}, load average at start {m['loadavg_start']}",
    ]
    print("\n".join(lines), file=out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.bench.counter", description=__doc__)
    p.add_argument("--calls", type=int, default=300, help="timed presses of F1")
    p.add_argument("--others", type=int, default=50, help="other counters active")
    p.add_argument("--every-min-s", type=float, default=1.0, help="the others' pace, low end")
    p.add_argument("--every-max-s", type=float, default=2.0, help="the others' pace, high end")
    p.add_argument("--waiting", type=int, default=8, help="tickets kept waiting per service")
    p.add_argument("--procs", type=int, default=0, help="child processes (0: one per 25 counters)")
    p.add_argument("--warmup", type=int, default=5, help="untimed presses first")
    p.add_argument(
        "--pause-s",
        type=float,
        default=0.0,
        help="the measured agent's pause after each completed ticket (0: none)",
    )
    p.add_argument("--json", action="store_true", help="figures as JSON on stdout")
    args = p.parse_args(argv)
    if not 1 <= args.others < COUNTERS_IN_OFFICE or args.calls < 1:
        p.error(f"--calls >= 1 and 1 <= --others <= {COUNTERS_IN_OFFICE - 1} (office.toml)")
    if not 0 <= args.pause_s <= 10:
        p.error("0 <= --pause-s <= 10")
    if not 0 < args.every_min_s <= args.every_max_s:
        p.error("0 < --every-min-s <= --every-max-s")
    out = sys.stderr if args.json else sys.stdout
    with tempfile.TemporaryDirectory(prefix="montour-bench-counter-") as tmp:
        machine = describe_machine(Path(tmp))
        machine["qpa"] = os.environ["QT_QPA_PLATFORM"]
        result = {**run(args, Path(tmp)), "machine": machine}
    report(result, out)
    if args.json:
        print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
