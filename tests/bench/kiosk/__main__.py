"""Run the kiosk benchmark; see the package docstring."""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.bench.kiosk import startup, touch
from tests.hubproc import HubProcess


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.bench.kiosk", description=__doc__)
    p.add_argument("--tickets", type=int, default=200)
    p.add_argument("--starts", type=int, default=5)
    p.add_argument("--lang", default="fr", help="the visitors' language (ar: raster lines)")
    p.add_argument("--json", action="store_true", help="figures as JSON on stdout")
    args = p.parse_args(argv)
    out = sys.stderr if args.json else sys.stdout
    result: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "processor": platform.processor() or platform.machine()},
    }  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="montour-bench-kiosk-") as tmp:
        base = Path(tmp)
        with HubProcess(base / "hub.db", discovery="loopback") as hub:
            token = hub.token("kiosk", "bench kiosk")
            lat, size = touch.run(hub.url, token, base / "lp0", args.tickets, args.lang)
            result["touch_to_bytes_ms"] = {
                "n": len(lat), "p50": percentile(lat, 0.5), "p95": percentile(lat, 0.95),
                "max": max(lat), "mean": statistics.fmean(lat), "bytes_per_ticket": size,
            }  # fmt: skip
            print(
                f"A. Touch 'Take my ticket' -> ticket bytes handed to the printer "
                f"(hub on loopback, file: printer), {len(lat)} tickets in {args.lang!r}:",
                file=out,
            )
            r = result["touch_to_bytes_ms"]
            print(f"   p50 {r['p50']:.1f} ms   p95 {r['p95']:.1f} ms   max {r['max']:.1f} ms   "
                  f"({size} bytes a ticket)   goal p95 <= 300 ms", file=out)  # fmt: skip
            result["startup_s"] = {}
            for mode in ("hub-url", "discovery"):
                times = [startup.once(hub.url, token, base, mode) for _ in range(args.starts)]
                result["startup_s"][mode] = {"n": len(times), "median": statistics.median(times),
                                             "max": max(times)}  # fmt: skip
                print(f"B. Kiosk start -> first screen with the services ({mode}), "
                      f"{len(times)} starts: median {statistics.median(times):.2f} s, "
                      f"max {max(times):.2f} s   goal <= 3 s", file=out)  # fmt: skip
    m = result["machine"]
    print(f"   machine: {m['cpus']} CPUs, {m['processor']}, Python {m['python']}", file=out)
    if args.json:
        print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
