"""The raw limit of the disk: a bare sqlite3 loop, one ~300-byte row per COMMIT.

`BEGIN IMMEDIATE; INSERT; COMMIT` with the hub's pragmas (WAL, synchronous=FULL), in the
directory of the hub's database: what the hub's durable writes are measured against.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

from tests.bench.hub.machine import CpuMeter

RAW_ROW = json.dumps(
    {
        "type": "TicketIssued", "at": "2026-03-02T09:41:07.123456+00:00",
        "ticket": "3f9c0a7d51e24b6a", "token": "kR2vP9xW4qL7mN1sT8yB3cF6hJ0dG5aZ",
        "service": "A", "number": 42, "label": "A042", "priority": False, "lang": "fr",
        "counter": "G3", "reason_kind": "oldest",
        "reason": "oldest waiting for Identity papers, 12 min", "pad": "x" * 24,
    }
)  # fmt: skip


def raw_sqlite(path: Path, duration_s: float) -> dict[str, Any]:
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, data TEXT NOT NULL)")

        def one() -> None:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO t (data) VALUES (?)", (RAW_ROW,))
            conn.execute("COMMIT")

        for _ in range(50):  # warm-up: file growth, page cache, WAL creation
            one()
        cpu = CpuMeter(None)
        n, t0 = 0, time.perf_counter()
        deadline = t0 + duration_s
        while time.perf_counter() < deadline:
            one()
            n += 1
        elapsed = time.perf_counter() - t0
    finally:
        conn.close()
    return {"ops": n, "seconds": round(elapsed, 3), "ops_per_s": round(n / elapsed, 1),
            "cpu_percent_of_one_core": cpu.stop()}  # fmt: skip
