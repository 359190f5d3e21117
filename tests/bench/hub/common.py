"""What every part of the hub benchmark shares: sizes, goals, statistics, the log."""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
API = "/api/v1"
SERVICES = ("A", "B", "C", "D")
RATIO_GOAL = 0.3
P99_GOAL_MS = 50.0
READY_TIMEOUT_S = 30.0
DELIVERY_TIMEOUT_S = 5.0
REQUEST_TIMEOUT_S = 30.0
KEEPALIVE_EVERY_S = 2.0  # below uvicorn's 5 s idle keep-alive timeout
CLIENTS = ("lean", "httpx")
LOG = sys.stderr


@dataclass(frozen=True)
class Sizes:
    raw_s: float  # each of the two raw runs (right before and after A's concurrent phase)
    seq_s: float  # how long the sequential client runs (whole tickets)
    workers: int  # concurrent clients in A, one counter each
    lives: int  # timed tickets in A's concurrent phase, over all workers
    warmup_lives: int  # untimed tickets per worker before timing
    counters: int  # B: connected counter clients
    subscribers: int  # B: display WebSockets
    calls: int  # B: timed calls
    warmup_calls: int
    interval_s: float  # B: pace of the calls


FULL = Sizes(5.0, 5.0, 64, 2560, 2, 200, 50, 300, 10, 0.02)
QUICK = Sizes(1.0, 1.0, 8, 48, 1, 20, 10, 40, 2, 0.02)


class BenchError(RuntimeError):
    pass


class Clock:
    """Progress lines on stderr, stamped with the time since the run began."""

    def __init__(self) -> None:
        self.began = time.perf_counter()

    def elapsed(self) -> float:
        return time.perf_counter() - self.began

    def say(self, what: str) -> None:
        print(f"[{self.elapsed():5.1f} s] {what}", file=LOG, flush=True)


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    s = sorted(values)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


def dist_ms(values_s: list[float]) -> dict[str, float]:
    if not values_s:  # every request of the phase failed: the errors say why
        return {"p50": 0.0, "p99": 0.0, "max": 0.0}
    ms = [v * 1000 for v in values_s]
    return {"p50": round(pct(ms, 50), 2), "p99": round(pct(ms, 99), 2), "max": round(max(ms), 2)}
