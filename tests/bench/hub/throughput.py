"""Part A: durable ticket operations per second through the hub's HTTP API.

Concurrent desks (one keep-alive connection and one counter each) live full tickets: issue
(kiosk) → call next → start → complete "done" (counter): four durable writes, each with an
Idempotency-Key, as a real client sends. First one desk alone (no concurrency, so no group
commit), then all of them released together. The raw sqlite3 limit of the same disk is
measured right before and right after the concurrent phase, while the hub idles (the disk is
shared with whatever else runs on the machine, so the two are measured close together).
Warm-up is not timed.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from tests.bench.hub.common import SERVICES, Sizes, dist_ms
from tests.bench.hub.desk import Desk, Errors, OpError, hub_seq, new_desk
from tests.bench.hub.lean import wait_listening
from tests.bench.hub.machine import CpuMeter
from tests.bench.hub.process import HubProcess
from tests.bench.hub.raw import raw_sqlite

STALL_S = 0.035  # a lone request this slow is a Nagle + delayed-ACK stall (~40 ms)


async def life(desk: Desk, n: int, lat: list[float] | None, errors: Errors) -> int:
    """One ticket's life: four durable writes, each timed into `lat` if given. Returns how
    many writes succeeded; a failed one is counted in `errors` and ends this life."""
    done = 0
    try:
        t0 = time.perf_counter()
        await desk.issue(SERVICES[n % 4])
        t1 = time.perf_counter()
        done = 1
        tid = await desk.call_next()
        t2 = time.perf_counter()
        done = 2
        await desk.start(tid)
        t3 = time.perf_counter()
        done = 3
        await desk.complete(tid)
        t4 = time.perf_counter()
    except OpError as exc:
        errors.add(exc)
        return done
    if lat is not None:
        lat += (t1 - t0, t2 - t1, t3 - t2, t4 - t3)
    return 4


async def part_a(
    hub: HubProcess, tokens: dict[str, str], sizes: Sizes, workdir: Path, kind: str
) -> dict[str, Any]:
    await wait_listening(hub.url)
    retries: list[str] = []
    desks = [new_desk(kind, hub.url, tokens, f"G{i + 1}", retries) for i in range(sizes.workers)]
    first = desks[0]
    out: dict[str, Any] = {"client": kind, "retries": retries}
    warm_errors = Errors()

    async def warm_up(rounds: int) -> None:
        """Untimed lives on every desk: connections, code paths and caches all used."""
        for k in range(rounds):
            await asyncio.gather(*(life(d, k, None, warm_errors) for d in desks))

    try:
        await asyncio.gather(*(d.open() for d in desks))
        await warm_up(sizes.warmup_lives)

        # One sequential client: no concurrency, so every write is its own COMMIT.
        seq0 = await hub_seq(first)
        lat: list[float] = []
        errors = Errors()
        cpu = CpuMeter(hub.proc.pid)
        t0, ops, lives = time.perf_counter(), 0, 0
        while time.perf_counter() - t0 < sizes.seq_s:
            ops += (done := await life(first, lives, lat, errors))
            lives += done == 4
        elapsed = time.perf_counter() - t0
        out["sequential"] = _rates(ops, lives, elapsed, lat, cpu.stop(), errors)
        out["sequential"]["seq_range"] = [seq0, await hub_seq(first)]

        # The raw limit right before and right after the concurrent phase (the hub idles).
        out["raw_before"] = raw_sqlite(workdir / f"raw-before-{kind}.db", sizes.raw_s)
        await warm_up(1)

        # Concurrent desks, released together; the clock stops when the last one is done.
        per_worker = max(1, sizes.lives // sizes.workers)
        done_at: list[float] = []
        lat, errors = [], Errors()
        counts = [0, 0]  # ops, lives
        start = asyncio.Event()

        async def worker(desk: Desk) -> None:
            await start.wait()
            for n in range(per_worker):
                done = await life(desk, n, lat, errors)
                counts[0] += done
                if done == 4:
                    counts[1] += 1
                    done_at.append(time.perf_counter())

        tasks = [asyncio.create_task(worker(d)) for d in desks]
        await asyncio.sleep(0)  # let every worker reach start.wait()
        seq1 = await hub_seq(first)
        cpu = CpuMeter(hub.proc.pid)
        t0 = time.perf_counter()
        start.set()
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - t0
        ops, lives = counts
        conc = out["concurrent"] = _rates(ops, lives, elapsed, lat, cpu.stop(), errors)
        conc["seq_range"] = [seq1, await hub_seq(first)]
        conc["workers"] = sizes.workers
        state = await first.get("/queue")
        out["tickets_in_day"] = len(state["state"]["tickets"])
        out["raw_after"] = raw_sqlite(workdir / f"raw-after-{kind}.db", sizes.raw_s)
        # Does it slow down as the day's state grows? Tickets/s in the first and last quarter.
        ends = sorted(t - t0 for t in done_at) or [elapsed]
        q = max(1, len(ends) // 4)
        conc["tickets_per_s_first_quarter"] = round(q / ends[q - 1], 1)
        last = ends[-1] - ends[-q - 1] if len(ends) > q else ends[-1]
        conc["tickets_per_s_last_quarter"] = round(q / last, 1)
        out["warmup_errors"] = warm_errors.as_dict()
    finally:
        await asyncio.gather(*(d.aclose() for d in desks))
    return out


def _rates(
    ops: int, lives: int, elapsed: float, lat: list[float], cpu: dict[str, float], errors: Errors
) -> dict[str, Any]:
    per_op = {k: round(10 * v * elapsed / max(1, ops), 3) for k, v in cpu.items() if k != "other"}
    return {
        "ops": ops, "tickets": lives, "seconds": round(elapsed, 3),
        "ops_per_s": round(ops / elapsed, 1), "tickets_per_s": round(lives / elapsed, 1),
        "op_latency_ms": dist_ms(lat), "cpu_percent_of_one_core": cpu, "cpu_ms_per_op": per_op,
        # A lone request taking 40 ms or so is the signature of Nagle + delayed ACK on
        # loopback (a response written in two parts to a socket without TCP_NODELAY).
        "ops_35ms_or_more": sum(x >= STALL_S for x in lat),
        "errors": errors.as_dict(),
    }  # fmt: skip
