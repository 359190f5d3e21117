"""Run the display benchmark; see the package docstring."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.bench.display import feed, idle
from tests.hubproc import HubProcess


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.bench.display", description=__doc__)
    p.add_argument("--calls", type=int, default=500)
    p.add_argument("--soak", type=int, default=1000, help="tickets for the memory run (0: none)")
    p.add_argument("--idle-s", type=float, default=60.0)
    p.add_argument("--json", action="store_true", help="figures as JSON on stdout")
    args = p.parse_args(argv)
    out = sys.stderr if args.json else sys.stdout
    result: dict[str, object] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "qpa": os.environ["QT_QPA_PLATFORM"]},
    }  # fmt: skip
    with (
        tempfile.TemporaryDirectory(prefix="montour-bench-display-") as tmp,
        HubProcess(Path(tmp) / "hub.db") as hub,
    ):
        kiosk, counter = hub.token("kiosk", "bench"), hub.token("counter", "bench")
        a = feed.measure(hub.url, kiosk, counter, args.calls, args.soak)
        result["repaint"] = a
        print(f"A. Event received -> board repainted, {a['calls']} calls: p50 "
              f"{a['p50_ms']:.1f} ms, p99 {a['p99_ms']:.1f} ms, max {a['max_ms']:.1f} ms"
              "   goal p99 <= 100 ms", file=out)  # fmt: skip
        if args.soak:
            print(f"B. Resident memory after {args.soak} more tickets: "
                  f"{a['rss_last_mb']:.0f} MB; growth over the last half "
                  f"{a['rss_growth_last_half_mb']:+.1f} MB   goal <= 200 MB, no growth",
                  file=out)  # fmt: skip
            print("   samples (tickets, MB): " + ", ".join(
                f"{n} {mb:.0f}" for n, mb in a["rss_mb"]), file=out)  # type: ignore[attr-defined]  # fmt: skip
        if args.idle_s:
            c = idle.measure(hub.url, args.idle_s)
            result["idle"] = c
            print(f"C. Idle board, {c['seconds']:.0f} s: {100 * c['share_of_one_core']:.2f} % "
                  "of one core   goal <= 5 %", file=out)  # fmt: skip
    m = result["machine"]
    print(f"   machine: {m['cpus']} CPUs, Python {m['python']}, Qt platform {m['qpa']}", file=out)  # type: ignore[index]
    if args.json:
        print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
