"""Hub benchmark: durable ticket operations per second, and event latency under fan-out.

Run from the repository root:

    .venv/bin/python -m tests.bench.hub [--quick] [--json] [--client lean|httpx|both]
                                        [--hub-cmd CMD] [--dir DIR]

A. Throughput (throughput.py). A real hub (`montour hub`, uvicorn) on a loopback port with a
   fresh database, driven through its HTTP API by concurrent desks (one keep-alive connection
   and one counter each), each living full tickets: issue (kiosk) → call next → start →
   complete "done" (counter): four durable writes, each with an Idempotency-Key. Measured
   against the raw limit of the same disk in the same run (raw.py): a bare sqlite3 loop, one
   ~300-byte row per `BEGIN IMMEDIATE … COMMIT`, with the hub's pragmas (WAL,
   synchronous=FULL), in the same directory, right before and right after the timed
   concurrent phase. Also one sequential desk (no concurrency, so no group commit) to show
   what batching buys. Events per COMMIT come from the database afterwards: the writer stamps
   every event of a batch with the same `at`, so distinct `at` values in a seq range count
   the commits. The goal: concurrent ops/s >= 0.3 × the raw limit.

B. Fan-out latency (fanout.py). A fresh hub, 200 counter desks (an open session and a
   keep-alive connection each, kept alive by a GET /health every few seconds because uvicorn
   closes connections idle for 5 s) and 50 display WebSockets. Paced calls rotate over the
   counters; for each, the time from just before sending "call next" until its TicketCalled
   event has reached every subscriber, and each subscriber's own latency. Goal: p99 <= 50 ms.

The load client (desk.py): `lean` by default (lean.py: raw asyncio streams, requests rendered
in advance, minimal parsing, every status checked), or `httpx` (httpx_desk.py, what the apps
use). Every client runs in this one asyncio process, on the same cores as the hub, so the
client's own CPU is taken from the hub: the output says how busy the CPUs were (hub / this
benchmark / everything else) and what each costs per operation. Failed requests are counted
and shown, never ignored.

Modules: common (sizes, goals), machine (machine, code, CPU accounting), raw, process (the hub
subprocess), desk / lean / httpx_desk (load clients), throughput (A), fanout (B), report
(table), __main__ (CLI).
"""
