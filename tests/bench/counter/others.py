"""The other counters: `python -m tests.bench.counter.others`, a CHILD of the benchmark, so that
the measured process holds only the counter app.

It reads one JSON line on stdin: {"url", "kiosk": token | null, "counters": [[id, token], …],
"every_s": [low, high], "waiting": n}. Each counter opens its desk with its own token, keeps a
full-view EventStream (what a counter app folds), and loops call next → start → complete, one
action every uniform(low, high) seconds. With a kiosk token, a kiosk (with its own stream)
keeps at least `waiting` tickets waiting in every service, so that no counter, the measured
one included, runs dry. It prints "ready" once every stream is live and
every counter open; then each "mark" line on stdin prints the counts so far as JSON, and "stop"
(or the end of stdin) ends everything and prints the final counts.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from shared.client.api import ClientError, HubClient
from shared.client.stream import EventStream, fixed_hub
from shared.core.model import ServiceCode

KIOSK_CHECK_S = 0.1  # how often the kiosk looks at the queue (a busy kiosk: several visitors)
PRIORITY_EVERY = 10  # one ticket in ten is a priority ticket, as the kiosk would see


@dataclass
class Counts:
    actions: int = 0
    issued: int = 0
    errors: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {"t": time.monotonic(), "actions": self.actions, "issued": self.issued,
                "errors": dict(self.errors)}  # fmt: skip


class Device:
    """A client of the hub with its own live stream (counter apps and kiosks keep one)."""

    def __init__(self, url: str, token: str, agent: str | None = None) -> None:
        self.client = HubClient(url, token, agent=agent)
        self.live = asyncio.Event()
        self.stream = EventStream(fixed_hub(url), token, on_status=self._status)

    def _status(self, status: str, detail: str) -> None:
        if status == "connected":
            self.live.set()


class Desk(Device):
    """One other counter: call next, start, complete, one action every uniform(low, high) s."""

    def __init__(self, url: str, cid: str, token: str, counts: Counts) -> None:
        super().__init__(url, token, agent=f"bench {cid}")
        self.cid, self.counts = cid, counts
        self.ticket: str | None = None
        self.serving = False

    async def open(self, services: list[str]) -> None:
        try:
            await self.client.open_counter(self.cid, services)
        except ClientError as exc:
            if exc.status != 409:  # already open from an earlier run
                raise

    async def step(self) -> None:
        cid, client = self.cid, self.client
        try:
            if self.ticket is None:
                answer = await client.call_next(cid)
                self.ticket, self.serving = answer["ticket"]["id"], False
            elif not self.serving:
                await client.start(self.ticket, counter=cid)
                self.serving = True
            else:
                await client.complete(self.ticket, "done", counter=cid)
                self.ticket = None
            self.counts.actions += 1
        except ClientError as exc:  # counted and shown: "nothing_waiting" means a dry queue
            self.counts.errors[exc.code] += 1

    async def loop(self, every_s: tuple[float, float], stop: asyncio.Event) -> None:
        rng = random.Random(self.cid)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), rng.uniform(*every_s))
            if not stop.is_set():
                await self.step()


class Kiosk(Device):
    """Keeps at least `waiting` tickets waiting in every service, as its stream shows them."""

    def __init__(self, url: str, token: str, waiting: int, counts: Counts) -> None:
        super().__init__(url, token)
        self.waiting, self.counts = waiting, counts

    async def loop(self, codes: list[str], stop: asyncio.Event) -> None:
        counts = self.counts
        while not stop.is_set():
            state = self.stream.state
            missing = {} if state is None else {
                code: self.waiting - len(state.waiting((ServiceCode(code),))) for code in codes
            }  # fmt: skip
            for code, n in missing.items():
                for _ in range(n):
                    priority = counts.issued % PRIORITY_EVERY == 0
                    try:
                        await self.client.issue(code, priority, "fr")
                        counts.issued += 1
                    except ClientError as exc:
                        counts.errors["kiosk " + exc.code] += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), KIOSK_CHECK_S)


async def lines() -> asyncio.StreamReader:
    reader = asyncio.StreamReader()
    loop = asyncio.get_running_loop()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    return reader


async def main() -> None:
    stdin = await lines()
    job = json.loads(await stdin.readline())
    url, every = job["url"], (float(job["every_s"][0]), float(job["every_s"][1]))
    counts, stop = Counts(), asyncio.Event()
    desks = [Desk(url, cid, token, counts) for cid, token in job["counters"]]
    kiosks = [Kiosk(url, job["kiosk"], int(job["waiting"]), counts)] if job["kiosk"] else []
    devices: list[Device] = [*desks, *kiosks]
    tasks = [asyncio.create_task(d.stream.run()) for d in devices]
    try:
        async with HubClient(url) as anonymous:
            office = await anonymous.office()
        services = {c["id"]: c["services"] for c in office["counters"]}
        codes = [s["code"] for s in office["services"]]
        await asyncio.gather(*(d.open(services[d.cid]) for d in desks))
        await asyncio.gather(*(d.live.wait() for d in devices))
        tasks += [asyncio.create_task(d.loop(every, stop)) for d in desks]
        tasks += [asyncio.create_task(k.loop(codes, stop)) for k in kiosks]
        print("ready", flush=True)
        while (line := (await stdin.readline()).decode().strip()) not in ("stop", ""):
            if line == "mark":
                print(json.dumps(counts.as_dict()), flush=True)
        print(json.dumps(counts.as_dict()), flush=True)
    finally:
        stop.set()
        for d in devices:
            d.stream.stop()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.gather(*(d.client.aclose() for d in devices))


if __name__ == "__main__":
    asyncio.run(main())
