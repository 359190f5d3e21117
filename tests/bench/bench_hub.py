"""Hub benchmark: durable ticket operations per second, and event latency under fan-out.

Run from the repository root:  .venv/bin/python -m tests.bench.bench_hub [--quick] [--json]

A. Throughput. A real hub (`montour hub`, uvicorn) on a loopback port with a fresh database,
   driven through its HTTP API by concurrent clients (one httpx.AsyncClient, so one keep-alive
   connection, and one counter per worker), each living full tickets: issue (kiosk) → call next
   → start → complete "done" (counter): four durable writes. Every write carries an
   Idempotency-Key, as a real client's does. Measured against the raw limit of the same disk in
   the same run: a bare sqlite3 loop, one ~300-byte row per `BEGIN IMMEDIATE … COMMIT`, with
   the hub's pragmas (WAL, synchronous=FULL), in the same directory, right before and right
   after the timed concurrent phase (the disk is shared with whatever else runs on the
   machine, so the two are measured close together). Also one sequential client
   (no concurrency, so no group commit) to show what batching buys. Warm-up is not timed.
   Events per COMMIT come from the database afterwards: the writer stamps every event of a
   batch with the same `at`, so distinct `at` values in a seq range count the commits.

B. Fan-out latency. A fresh hub, 200 counter clients (an open session and a keep-alive
   connection each, kept alive by a GET /health every few seconds because uvicorn closes
   connections idle for 5 s) and 50 display WebSockets. Paced calls rotate over the counters;
   for each, the time from just before sending "call next" until its TicketCalled event has
   reached every subscriber (per call: the max over subscribers), and each subscriber's own
   latency. Each called ticket is then started and completed (untimed), as at a real counter.

Every client runs in this one asyncio process, on the same cores as the hub: the figures
include the client's own CPU use, and arrival times include the time this process takes to
read the other subscribers' copies first. The output says how busy the CPUs were.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import importlib.util
import json
import math
import os
import platform
import queue
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
import websockets
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

REPO = Path(__file__).resolve().parents[2]
API = "/api/v1"
SERVICES = ("A", "B", "C", "D")
RATIO_GOAL = 0.3
P99_GOAL_MS = 50.0
READY_TIMEOUT_S = 30.0
DELIVERY_TIMEOUT_S = 5.0
KEEPALIVE_EVERY_S = 2.0  # below uvicorn's 5 s idle keep-alive timeout
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


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    s = sorted(values)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


def dist_ms(values_s: list[float]) -> dict[str, float]:
    ms = [v * 1000 for v in values_s]
    return {"p50": round(pct(ms, 50), 2), "p99": round(pct(ms, 99), 2), "max": round(max(ms), 2)}


# --- machine and load ---------------------------------------------------------------------------


def _mount_of(path: Path) -> dict[str, str]:
    real, best = os.path.realpath(path), ("", "", "", "")
    for line in Path("/proc/mounts").read_text().splitlines():
        dev, mnt, fstype, opts = line.split()[:4]
        mnt = mnt.replace("\\040", " ")
        inside = real == mnt or real.startswith(mnt.rstrip("/") + "/")
        if inside and len(mnt) >= len(best[1]):
            best = (dev, mnt, fstype, opts)
    return dict(zip(("device", "mount", "fstype", "options"), best, strict=True))


def describe_code() -> dict[str, Any]:
    """Which hub code ran: the commit, and the files of shared/ changed since (if any)."""

    def git(*args: str) -> str:
        try:
            out = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)
        except OSError:  # no git here
            return ""
        return out.stdout.strip() if out.returncode == 0 else ""

    changed = git("status", "--porcelain", "--", "shared", "pyproject.toml").splitlines()
    return {"commit": git("rev-parse", "--short", "HEAD") or "unknown",
            "changed_since": [line[3:] for line in changed]}  # fmt: skip


def describe_machine(workdir: Path) -> dict[str, Any]:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")), platform.processor() or "unknown",
    )  # fmt: skip
    return {
        "cpu_model": cpu,
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)),
        "kernel": platform.release(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "sqlite": sqlite3.sqlite_version,
        "db_dir": str(workdir),
        "db_dir_base": str(workdir.parent),
        "filesystem": _mount_of(workdir),
        "loadavg_start": [round(x, 2) for x in os.getloadavg()],
    }


class CpuMeter:
    """CPU used during a phase by the hub, by this process, and by everything else."""

    TICK = os.sysconf("SC_CLK_TCK")

    def __init__(self, hub_pid: int | None) -> None:
        self.hub_pid = hub_pid
        self.start = self._sample()

    def _sample(self) -> tuple[float, float, float, float]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        busy = (sum(fields[:8]) - fields[3] - fields[4]) / self.TICK  # minus idle, iowait
        hub = 0.0
        if self.hub_pid is not None:
            stat = Path(f"/proc/{self.hub_pid}/stat").read_text()
            rest = stat[stat.rindex(")") + 2 :].split()
            hub = (int(rest[11]) + int(rest[12])) / self.TICK
        me = os.times()
        return time.perf_counter(), busy, hub, me.user + me.system

    def stop(self) -> dict[str, float]:
        end = self._sample()
        wall, busy, hub, me = (b - a for a, b in zip(self.start, end, strict=True))
        share = {"hub": hub, "bench": me, "other": max(0.0, busy - hub - me)}
        # Percent of ONE core; the machine has os.cpu_count() × 100 %.
        return {k: round(100 * v / wall, 1) for k, v in share.items()}


# --- the raw limit ------------------------------------------------------------------------------

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
        n, t0 = 0, time.perf_counter()
        deadline = t0 + duration_s
        while time.perf_counter() < deadline:
            one()
            n += 1
        elapsed = time.perf_counter() - t0
    finally:
        conn.close()
    return {"ops": n, "seconds": round(elapsed, 3), "ops_per_s": round(n / elapsed, 1)}


# --- the hub process ----------------------------------------------------------------------------


def write_office(path: Path, n_counters: int) -> None:
    lines = ['[office]\nid = "bench"\nname = "Montour benchmark office"\n'
             'timezone = "Europe/Paris"\nlanguages = ["fr", "en"]\n']  # fmt: skip
    for code in SERVICES:
        lines.append(f'[[services]]\ncode = "{code}"\nname = {{ fr = "Service {code}" }}\n'
                     "mean_service_min = 8\n")  # fmt: skip
    for i in range(1, n_counters + 1):
        lines.append(f'[[counters]]\nid = "G{i}"\nname = "Guichet {i}"\n'
                     f"services = {json.dumps(list(SERVICES))}\n")  # fmt: skip
    lines.append('[[outcomes]]\ncode = "done"\nlabel = { fr = "Traité", en = "Done" }\n')
    path.write_text("\n".join(lines), encoding="utf-8")


def _montour() -> list[str]:
    script = Path(sys.executable).parent / "montour"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from shared.cli import main; sys.exit(main())"]


class HubProcess:
    """`montour hub` on 127.0.0.1, a free port, discovery off; stopped by stop(), always."""

    def __init__(self, workdir: Path, name: str, office: Path, command: list[str]) -> None:
        self.db = workdir / f"{name}.db"
        self.log = workdir / f"{name}.log"
        cmd = [*command, "hub", "--config", str(office), "--db", str(self.db),
               "--host", "127.0.0.1", "--port", "0", "--discovery", "off"]  # fmt: skip
        self._stderr = self.log.open("wb")
        self.proc = subprocess.Popen(
            cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=self._stderr, text=True
        )
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._drain, daemon=True).start()
        self.url = self._ready_url()
        self.port = int(self.url.rsplit(":", 1)[1])

    def _drain(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def _ready_url(self) -> str:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._lines.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                raise BenchError(f"the hub exited ({self.proc.wait()}): {self._log_tail()}")
            if line.startswith("Montour hub ready: "):
                return line.split()[3]
        raise BenchError(f"no ready line from the hub in {READY_TIMEOUT_S} s: {self._log_tail()}")

    def _log_tail(self) -> str:
        self._stderr.flush()
        return self.log.read_text(errors="replace")[-2000:]

    def token(self, role: str) -> str:
        cmd = [*_montour(), "hub", "token", "--db", str(self.db), "--role", role,
               "--name", f"bench {role}"]  # fmt: skip
        out = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=60)
        if out.returncode != 0 or not out.stdout.strip():
            raise BenchError(f"`montour hub token --role {role}` failed: {out.stderr}")
        return out.stdout.strip()

    def tokens(self, *roles: str) -> dict[str, str]:
        """One token a role, from `montour hub token` run beside the live hub (in parallel)."""
        with concurrent.futures.ThreadPoolExecutor(len(roles)) as pool:
            return dict(zip(roles, pool.map(self.token, roles), strict=True))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(15)
        self._stderr.close()


def commits_between(db: Path, after: int, upto: int) -> dict[str, Any]:
    """Events and COMMITs in a seq range (a batch's events share the writer's `at`)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        events, commits = conn.execute(
            "SELECT count(*), count(DISTINCT at) FROM events WHERE seq > ? AND seq <= ?",
            (after, upto),
        ).fetchone()
    finally:
        conn.close()
    return {"events": events, "commits": commits,
            "events_per_commit": round(events / commits, 2) if commits else 0.0}  # fmt: skip


# --- HTTP helpers -------------------------------------------------------------------------------


def _client(url: str, connections: int = 1) -> httpx.AsyncClient:
    limits = httpx.Limits(
        max_connections=connections, max_keepalive_connections=connections, keepalive_expiry=60
    )
    return httpx.AsyncClient(base_url=url, limits=limits, timeout=30.0)


async def _ok(response: Awaitable[httpx.Response], status: int = 200) -> Any:
    r = await response
    if r.status_code != status:
        raise BenchError(f"{r.request.method} {r.request.url.path}: {r.status_code} {r.text[:300]}")
    return r.json()


def _h(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex}


RETRIES: list[str] = []  # writes sent again, as a real client would


async def _post(c: httpx.AsyncClient, path: str, body: Any, token: str, status: int = 200) -> Any:
    """A write; sent once more (same Idempotency-Key, so never applied twice) if the server
    closed the idle keep-alive connection just as the request went out."""
    headers = _h(token)
    try:
        return await _ok(c.post(f"{API}{path}", json=body, headers=headers), status)
    except httpx.RemoteProtocolError as exc:
        RETRIES.append(f"{path}: {exc!r}")
        return await _ok(c.post(f"{API}{path}", json=body, headers=headers), status)


async def hub_seq(c: httpx.AsyncClient) -> int:
    return int((await _ok(c.get(f"{API}/health")))["seq"])


async def wait_listening(url: str) -> None:
    """The hub answers. Its ready line is printed from the app's lifespan, just before uvicorn
    calls listen(): a connection in that (tiny) gap is refused, so retry on exactly that."""
    deadline = time.monotonic() + READY_TIMEOUT_S
    async with _client(url) as c:
        while True:
            try:
                await hub_seq(c)
                return
            except httpx.ConnectError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.005)


async def open_counter(c: httpx.AsyncClient, token: str, cid: str) -> None:
    await _post(c, f"/counters/{cid}/open", {"services": list(SERVICES)}, token)


async def issue(c: httpx.AsyncClient, kiosk: str, service: str) -> str:
    return str((await _post(c, "/tickets", {"service": service}, kiosk, 201))["id"])


async def finish(c: httpx.AsyncClient, token: str, cid: str, tid: str) -> None:
    await _post(c, f"/tickets/{tid}/start", {"counter": cid}, token)
    await _post(c, f"/tickets/{tid}/complete", {"outcome": "done", "counter": cid}, token)


async def life(
    c: httpx.AsyncClient, tokens: dict[str, str], cid: str, n: int, lat: list[float] | None
) -> None:
    """One ticket's life: four durable writes, each timed into `lat` if given."""

    async def write(path: str, body: Any, token: str, status: int = 200) -> Any:
        t0 = time.perf_counter()
        out = await _post(c, path, body, token, status)
        if lat is not None:
            lat.append(time.perf_counter() - t0)
        return out

    kiosk, counter = tokens["kiosk"], tokens["counter"]
    await write("/tickets", {"service": SERVICES[n % 4]}, kiosk, 201)
    tid = (await write(f"/counters/{cid}/call-next", None, counter))["ticket"]["id"]
    await write(f"/tickets/{tid}/start", {"counter": cid}, counter)
    await write(f"/tickets/{tid}/complete", {"outcome": "done", "counter": cid}, counter)


# --- A. throughput ------------------------------------------------------------------------------


async def part_a(
    hub: HubProcess, tokens: dict[str, str], sizes: Sizes, workdir: Path
) -> dict[str, Any]:
    await wait_listening(hub.url)
    clients = [_client(hub.url) for _ in range(sizes.workers)]
    cids = [f"G{i + 1}" for i in range(sizes.workers)]
    pairs = list(zip(clients, cids, strict=True))
    out: dict[str, Any] = {}

    async def warm_up(rounds: int) -> None:
        """Untimed lives on every worker: connections, code paths and caches all used."""
        for k in range(rounds):
            await asyncio.gather(*(life(c, tokens, cid, k, None) for c, cid in pairs))

    try:
        await asyncio.gather(*(open_counter(c, tokens["counter"], cid) for c, cid in pairs))
        await warm_up(sizes.warmup_lives)

        # One sequential client: no concurrency, so every write is its own COMMIT.
        seq0 = await hub_seq(clients[0])
        lat: list[float] = []
        cpu = CpuMeter(hub.proc.pid)
        t0, n = time.perf_counter(), 0
        while time.perf_counter() - t0 < sizes.seq_s:
            await life(clients[0], tokens, cids[0], n, lat)
            n += 1
        elapsed = time.perf_counter() - t0
        out["sequential"] = _rates(4 * n, n, elapsed, lat, cpu.stop())
        out["sequential"]["seq_range"] = [seq0, await hub_seq(clients[0])]

        # The raw limit right before and right after the concurrent phase (the hub idles):
        # the disk is shared with whatever else runs on this machine, so measure close by.
        out["raw_before"] = raw_sqlite(workdir / "raw-before.db", sizes.raw_s)
        await warm_up(1)

        # Concurrent workers, released together; the clock stops when the last one is done.
        per_worker = max(1, sizes.lives // sizes.workers)
        done_at: list[float] = []
        lat = []
        start = asyncio.Event()

        async def worker(c: httpx.AsyncClient, cid: str) -> None:
            await start.wait()
            for n in range(per_worker):
                await life(c, tokens, cid, n, lat)
                done_at.append(time.perf_counter())

        tasks = [asyncio.create_task(worker(c, cid)) for c, cid in pairs]
        await asyncio.sleep(0)  # let every worker reach start.wait()
        seq1 = await hub_seq(clients[0])
        cpu = CpuMeter(hub.proc.pid)
        t0 = time.perf_counter()
        start.set()
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - t0
        lives = per_worker * sizes.workers
        out["concurrent"] = _rates(4 * lives, lives, elapsed, lat, cpu.stop())
        out["concurrent"]["seq_range"] = [seq1, await hub_seq(clients[0])]
        state = await _ok(clients[0].get(f"{API}/queue"))
        out["tickets_in_day"] = len(state["state"]["tickets"])
        out["raw_after"] = raw_sqlite(workdir / "raw-after.db", sizes.raw_s)
        out["concurrent"]["workers"] = sizes.workers
        # Does it slow down as the day's state grows? Tickets/s in the first and last quarter.
        ends = sorted(t - t0 for t in done_at)
        q = max(1, len(ends) // 4)
        out["concurrent"]["tickets_per_s_first_quarter"] = round(q / ends[q - 1], 1)
        out["concurrent"]["tickets_per_s_last_quarter"] = round(q / (ends[-1] - ends[-q - 1]), 1)
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    return out


def _rates(
    ops: int, lives: int, elapsed: float, lat: list[float], cpu: dict[str, float]
) -> dict[str, Any]:
    per_op = {k: round(10 * v * elapsed / ops, 3) for k, v in cpu.items() if k != "other"}
    return {
        "ops": ops, "tickets": lives, "seconds": round(elapsed, 3),
        "ops_per_s": round(ops / elapsed, 1), "tickets_per_s": round(lives / elapsed, 1),
        "op_latency_ms": dist_ms(lat), "cpu_percent_of_one_core": cpu, "cpu_ms_per_op": per_op,
        # A lone request taking 40 ms or so is the signature of Nagle + delayed ACK on
        # loopback (a response written in two parts to a socket without TCP_NODELAY).
        "ops_35ms_or_more": sum(x >= 0.035 for x in lat),
    }  # fmt: skip


# --- B. fan-out latency -------------------------------------------------------------------------


def established(port: int) -> int:
    """Server-side TCP connections of the hub (both ends of a loopback pair are listed)."""
    n = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(FileNotFoundError):
            for line in Path(table).read_text().splitlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                n += state == "01" and int(local.rsplit(":", 1)[1], 16) == port
    return n


class Subscribers:
    """Display WebSockets; records when each TicketCalled reaches each of them."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.arrivals: dict[str, dict[int, float]] = defaultdict(dict)
        self.complete: dict[str, asyncio.Event] = defaultdict(asyncio.Event)
        self.gaps = 0
        self.closed = 0
        self.sockets: list[ClientConnection] = []
        self.tasks: list[asyncio.Task[None]] = []

    async def connect(self, url: str, token: str) -> None:
        ws_url = url.replace("http://", "ws://") + f"{API}/events?token={token}"
        for i in range(self.n):
            ws = await connect(ws_url, max_size=None)
            snapshot = json.loads(await ws.recv())
            if snapshot["type"] != "snapshot":
                raise BenchError(f"expected a snapshot first, got {snapshot['type']}")
            self.sockets.append(ws)
            self.tasks.append(asyncio.create_task(self._read(i, ws, snapshot["seq"])))

    async def _read(self, i: int, ws: ClientConnection, last: int) -> None:
        try:
            async for message in ws:
                t = time.perf_counter()
                m = json.loads(message)
                if m["type"] != "event":
                    continue
                self.gaps += m["seq"] != last + 1
                last = m["seq"]
                event = m["event"]
                if event["type"] == "TicketCalled":
                    seen = self.arrivals[event["ticket"]]
                    seen[i] = t
                    if len(seen) == self.n:
                        self.complete[event["ticket"]].set()
        except ConnectionClosed:
            pass
        self.closed += 1

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await asyncio.gather(*(ws.close() for ws in self.sockets), return_exceptions=True)


async def part_b(hub: HubProcess, tokens: dict[str, str], sizes: Sizes) -> dict[str, Any]:
    await wait_listening(hub.url)
    counter = tokens["counter"]
    cids = [f"G{i + 1}" for i in range(sizes.counters)]
    clients = [_client(hub.url) for _ in cids]
    kiosk_client = _client(hub.url, connections=16)
    subs = Subscribers(sizes.subscribers)
    stop = asyncio.Event()
    keepers: list[asyncio.Task[None]] = []
    try:
        gate = asyncio.Semaphore(32)

        async def gated(make: Callable[[], Awaitable[Any]]) -> Any:
            async with gate:
                return await make()

        # 200 counter clients: each opens its session and uses its own connection.
        await asyncio.gather(*(gated(lambda c=c, cid=cid: open_counter(c, counter, cid))
                               for c, cid in zip(clients, cids, strict=True)))  # fmt: skip
        await asyncio.gather(*(gated(lambda c=c: _ok(c.get(f"{API}/health"))) for c in clients))
        # uvicorn closes a connection idle for 5 s: ping the clients that have been idle for
        # KEEPALIVE_EVERY_S, except the next few in the rotation (so that a ping never holds
        # the connection a timed call is about to use).
        last_used = [time.perf_counter()] * len(clients)
        position = 0
        ping_failures: list[BaseException] = []

        def ping_done(task: asyncio.Task[Any]) -> None:
            pings.discard(task)
            if not task.cancelled() and task.exception() is not None:
                ping_failures.append(task.exception())  # type: ignore[arg-type]

        pings: set[asyncio.Task[Any]] = set()

        async def keep_alive() -> None:
            while not stop.is_set():
                now = time.perf_counter()
                for i, c in enumerate(clients):
                    soon = (i - position) % len(clients) < 3
                    if not soon and now - last_used[i] > KEEPALIVE_EVERY_S:
                        last_used[i] = now
                        pings.add(task := asyncio.create_task(_ok(c.get(f"{API}/health"))))
                        task.add_done_callback(ping_done)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), 0.02)
            await asyncio.gather(*pings)

        keepers = [asyncio.create_task(keep_alive())]
        n_tickets = sizes.calls + sizes.warmup_calls
        await asyncio.gather(*(gated(lambda k=k: issue(kiosk_client, tokens["kiosk"],
                                                       SERVICES[k % 4]))
                               for k in range(n_tickets)))  # fmt: skip
        await kiosk_client.aclose()  # the connections left are the counters' and displays'

        await subs.connect(hub.url, tokens["display"])

        per_call: list[float] = []
        per_sub: list[float] = []
        http: list[float] = []
        missing = 0
        cpu: CpuMeter | None = None
        conns_start = 0
        for k in range(sizes.warmup_calls + sizes.calls):
            timed = k >= sizes.warmup_calls
            if k == sizes.warmup_calls:
                conns_start = established(hub.port)
                cpu = CpuMeter(hub.proc.pid)
            position = k % len(clients)
            c, cid = clients[position], cids[position]
            t_send = last_used[position] = time.perf_counter()
            body = await _post(c, f"/counters/{cid}/call-next", None, counter)
            t_answer = time.perf_counter()
            tid = body["ticket"]["id"]
            try:
                await asyncio.wait_for(subs.complete[tid].wait(), DELIVERY_TIMEOUT_S)
            except TimeoutError:
                missing += 1
            if timed:
                seen = subs.arrivals[tid]
                per_call.append(max(seen.values(), default=t_send) - t_send)
                per_sub += [t - t_send for t in seen.values()]
                http.append(t_answer - t_send)
            await finish(c, counter, cid, tid)  # the counter serves the visitor (untimed)
            await asyncio.sleep(max(0.0, t_send + sizes.interval_s - time.perf_counter()))
        assert cpu is not None
        usage = cpu.stop()
        conns_end = established(hub.port)
        return {
            "counters": sizes.counters, "subscribers": sizes.subscribers, "calls": sizes.calls,
            "interval_ms": sizes.interval_s * 1000,
            "all_subscribers_ms": dist_ms(per_call), "per_subscriber_ms": dist_ms(per_sub),
            "call_http_answer_ms": dist_ms(http),
            "missing_deliveries": missing, "seq_gaps": subs.gaps, "sockets_closed": subs.closed,
            "hub_connections_at_start": conns_start, "hub_connections_at_end": conns_end,
            "keepalive_every_s": KEEPALIVE_EVERY_S,
            "keepalive_failures": [repr(e) for e in ping_failures],
            "cpu_percent_of_one_core": usage,
        }  # fmt: skip
    finally:
        stop.set()
        await asyncio.gather(*keepers, return_exceptions=True)
        await subs.close()
        await asyncio.gather(*(c.aclose() for c in [*clients, kiosk_client]))


# --- the run ------------------------------------------------------------------------------------


def run(sizes: Sizes, base: Path, mode: str, hub_cmd: list[str]) -> dict[str, Any]:
    began = time.perf_counter()

    def say(what: str) -> None:
        print(f"[{time.perf_counter() - began:5.1f} s] {what}", file=LOG, flush=True)

    workdir = Path(tempfile.mkdtemp(prefix="montour-bench-", dir=base))
    hubs: list[HubProcess] = []
    try:
        result: dict[str, Any] = {"mode": mode, "sizes": asdict(sizes), "hub_command": hub_cmd}
        result["machine"] = describe_machine(workdir)
        result["code"] = describe_code()
        office = workdir / "office.toml"
        write_office(office, max(sizes.workers, sizes.counters))

        say("A: hub throughput, and the raw sqlite3 loop before and after its concurrent phase…")
        hubs.append(hub := HubProcess(workdir, "hub-a", office, hub_cmd))
        tokens = hub.tokens("kiosk", "counter")
        say(f"A: hub ready at {hub.url}, tokens made")
        a = asyncio.run(part_a(hub, tokens, sizes, workdir))
        hub.stop()
        for phase in ("sequential", "concurrent"):
            a[phase].update(commits_between(hub.db, *a[phase].pop("seq_range")))
        raw_before, raw_after = a.pop("raw_before"), a.pop("raw_after")
        same_fs = os.stat(workdir / "raw-after.db").st_dev == os.stat(hub.db).st_dev

        say("B: fan-out latency…")
        hubs.append(hub := HubProcess(workdir, "hub-b", office, hub_cmd))
        tokens = hub.tokens("kiosk", "counter", "display")
        say(f"B: hub ready at {hub.url}, tokens made")
        b = asyncio.run(part_b(hub, tokens, sizes))
        hub.stop()

        raw_ops = (raw_before["ops_per_s"] + raw_after["ops_per_s"]) / 2
        result["raw"] = {"before": raw_before, "after": raw_after, "ops_per_s": round(raw_ops, 1),
                         "row_bytes": len(RAW_ROW), "same_filesystem_as_hub_db": same_fs}  # fmt: skip
        result["hub"] = a
        ratio = a["concurrent"]["ops_per_s"] / raw_ops
        seq_ops = a["sequential"]["ops_per_s"]
        result["ratio_hub_to_raw"] = round(ratio, 3)
        result["ratio_goal"] = RATIO_GOAL
        result["ratio_met"] = ratio >= RATIO_GOAL
        result["batching_speedup"] = round(a["concurrent"]["ops_per_s"] / seq_ops, 2)
        # The hub's Python work runs on one core at a time (GIL): its CPU per op bounds what
        # it could do with a core to itself, whatever the clients and the rest of the machine.
        hub_ms = a["concurrent"]["cpu_ms_per_op"]["hub"]
        result["hub_one_core_ops_per_s"] = round(1000 / hub_ms, 1)
        result["hub_one_core_ratio"] = round(1000 / hub_ms / raw_ops, 3)
        result["fanout"] = b
        result["p99_goal_ms"] = P99_GOAL_MS
        result["p99_met"] = b["all_subscribers_ms"]["p99"] <= P99_GOAL_MS
        result["http_retries"] = list(RETRIES)
        result["machine"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
        result["elapsed_s"] = round(time.perf_counter() - began, 1)
        return result
    finally:
        for hub in hubs:
            hub.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def _cpu(c: dict[str, float]) -> str:
    return f"{c['hub']:.0f}/{c['bench']:.0f}/{c['other']:.0f}"


def table(r: dict[str, Any]) -> str:
    m, a, b, raw = r["machine"], r["hub"], r["fanout"], r["raw"]
    fs = m["filesystem"]
    seq, conc = a["sequential"], a["concurrent"]
    lines = [
        f"Montour hub benchmark ({r['mode']}, {r['elapsed_s']} s), hub: "
        f"{shlex.join(r['hub_command'])}",
        f"  code     commit {r['code']['commit']}, changed since in shared/: "
        f"{', '.join(r['code']['changed_since']) or 'nothing'}",
        f"  machine  {m['cpu_model']}, {m['cores']} cores ({m['cores_usable']} usable), "
        f"Linux {m['kernel']}, {m['python']}, SQLite {m['sqlite']}",
        f"  db dir   {m['db_dir']} (temp dir under {m['db_dir_base']}) on {fs['device']} "
        f"{fs['fstype']} mounted at {fs['mount']} ({fs['options']}); raw and hub DBs on the "
        f"same filesystem: {raw['same_filesystem_as_hub_db']}",
        f"  load     loadavg {m['loadavg_start']} at start, {m['loadavg_end']} at end; CPU "
        "columns: % of one core used by hub / this benchmark / everything else "
        f"({m['cores']} cores = {100 * m['cores']} %)",
        "  note     all clients run in this one Python process on the same cores as the hub: "
        "the figures include the client's CPU use",
        f"  client   httpx {r['client']['httpx']}, websockets {r['client']['websockets']}; "
        "httpcore's per-request `import sniffio` short-circuited (sniffio not installed): "
        f"{r['client']['sniffio_import_short_circuited']}",
        "",
        "A. Durable ticket operations (issue + call next + start + complete = 4 writes a ticket,",
        "   each acknowledged after its COMMIT; WAL, synchronous=FULL)",
        f"  {'':38} {'ops/s':>8} {'tickets/s':>9} {'op p50':>8} {'op p99':>8} "
        f"{'ops':>6} {'ev/COMMIT':>9} {'CPU h/b/o':>11}",
    ]
    for label, run_ in (("raw sqlite3, 1 row a COMMIT, just before", raw["before"]),
                        ("raw sqlite3, 1 row a COMMIT, just after", raw["after"])):  # fmt: skip
        lines.append(f"  {label:38} {run_['ops_per_s']:>8.0f} {'':>9} {'':>8} {'':>8} "
                     f"{run_['ops']:>6}")  # fmt: skip
    for label, x in (("hub, 1 sequential client", seq),
                     (f"hub, {conc['workers']} concurrent clients", conc)):  # fmt: skip
        lines.append(
            f"  {label:38} {x['ops_per_s']:>8.0f} {x['tickets_per_s']:>9.1f} "
            f"{x['op_latency_ms']['p50']:>6.1f}ms {x['op_latency_ms']['p99']:>6.1f}ms "
            f"{x['ops']:>6} {x['events_per_commit']:>9.1f} {_cpu(x['cpu_percent_of_one_core']):>11}"
        )
    lines += [
        f"  raw limit (mean of before/after): {raw['ops_per_s']:.0f} ops/s, "
        f"row {raw['row_bytes']} bytes JSON",
        f"  ratio hub/raw = {r['ratio_hub_to_raw']:.3f}   goal >= {r['ratio_goal']}   "
        f"{'MET' if r['ratio_met'] else 'NOT MET'}",
        f"  group commit: {conc['workers']} clients give x{r['batching_speedup']} the ops/s of "
        "one sequential client",
        f"  CPU per op (ms): hub {seq['cpu_ms_per_op']['hub']} sequential, "
        f"{conc['cpu_ms_per_op']['hub']} concurrent; this benchmark's clients "
        f"{seq['cpu_ms_per_op']['bench']} / {conc['cpu_ms_per_op']['bench']}",
        f"  hub alone on one core (1000 / hub CPU ms per op): at most "
        f"{r['hub_one_core_ops_per_s']:.0f} ops/s, ratio {r['hub_one_core_ratio']:.3f}",
        f"  sequential ops taking >= 35 ms: {seq['ops_35ms_or_more']} of {seq['ops']} "
        "(~40 ms each = Nagle + delayed-ACK stall on a keep-alive connection)",
        f"  concurrent tickets/s, first quarter {conc['tickets_per_s_first_quarter']} vs last "
        f"quarter {conc['tickets_per_s_last_quarter']}; {a['tickets_in_day']} tickets in the "
        "day at the end",
        "",
        f"B. Event latency under fan-out: {b['counters']} counter clients (own keep-alive "
        f"connection each, GET /health every {b['keepalive_every_s']:.0f} s), "
        f"{b['subscribers']} display WebSockets,",
        f"   {b['calls']} timed calls, one every >= {b['interval_ms']:.0f} ms, rotating over "
        "the counters; each called ticket is then started and completed (untimed)",
        f"  {'':38} {'p50':>8} {'p99':>8} {'max':>8}",
    ]
    for label, d in (("call -> on ALL subscribers", b["all_subscribers_ms"]),
                     ("call -> on one subscriber", b["per_subscriber_ms"]),
                     ("call -> HTTP answer", b["call_http_answer_ms"])):  # fmt: skip
        lines.append(f"  {label:38} {d['p50']:>6.1f}ms {d['p99']:>6.1f}ms {d['max']:>6.1f}ms")
    lines += [
        f"  p99 (all subscribers) goal <= {r['p99_goal_ms']:.0f} ms   "
        f"{'MET' if r['p99_met'] else 'NOT MET'}",
        f"  missing deliveries {b['missing_deliveries']}, seq gaps {b['seq_gaps']}, sockets "
        f"closed {b['sockets_closed']}; hub connections {b['hub_connections_at_start']} at "
        f"start, {b['hub_connections_at_end']} at end; CPU h/b/o "
        f"{_cpu(b['cpu_percent_of_one_core'])}",
    ]
    if b["keepalive_failures"]:
        lines.append(f"  keep-alive GET /health failures: {b['keepalive_failures']}")
    if r["http_retries"]:
        lines.append(f"  writes sent twice (server closed an idle connection): {r['http_retries']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--quick", action="store_true", help="a small run (smoke test, < 20 s)")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout "
                   "(the table then goes to stderr)")  # fmt: skip
    p.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()),
                   help="where to make the temporary directory (default: %(default)s)")  # fmt: skip
    p.add_argument("--hub-cmd", type=shlex.split, default=_montour(),
                   help="command that stands for `montour` to start the hub, to compare a "
                   "variant of the hub (default: the venv's montour)")  # fmt: skip
    args = p.parse_args(argv)
    mode = "quick" if args.quick else "full"
    # httpcore runs `import sniffio` on every request; with sniffio not installed, each failed
    # import searches sys.path again (a quarter of this client's CPU per request, measured).
    # Marked absent in sys.modules, the import fails at once, with the same outcome (asyncio).
    sniffio_stubbed = importlib.util.find_spec("sniffio") is None
    if sniffio_stubbed:
        sys.modules["sniffio"] = None  # type: ignore[assignment]
    result = run(QUICK if args.quick else FULL, args.dir, mode, args.hub_cmd)
    result["client"] = {"httpx": httpx.__version__, "websockets": websockets.__version__,
                        "sniffio_import_short_circuited": sniffio_stubbed}  # fmt: skip
    if args.json:
        print(table(result), file=LOG)
        print(json.dumps(result, indent=2))
    else:
        print(table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
