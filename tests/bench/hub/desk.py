"""What the load clients do, whatever HTTP client they use: a `Desk`.

A desk is one keep-alive connection to the hub with the kiosk's and the counter's tokens
and one counter id: it issues tickets and serves them. Two implementations: `LeanDesk`
(lean.py: raw asyncio streams, requests rendered in advance, the cheapest client this
process can be) and `HttpxDesk` (httpx_desk.py: what the apps use). Every answer's status is
checked: a wrong one raises OpError, which the caller counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

ERROR_SAMPLES = 5


class OpError(Exception):
    """A request that failed: wrong status, broken connection, an answer that makes no sense."""


class Desk(Protocol):
    async def open(self) -> None: ...
    async def issue(self, service: str) -> str: ...
    async def call_next(self) -> str: ...
    async def start(self, tid: str) -> None: ...
    async def complete(self, tid: str) -> None: ...
    async def get(self, path: str) -> Any: ...
    async def aclose(self) -> None: ...


@dataclass
class Errors:
    """Failed requests of a phase: how many, and the first few (the benchmark goes on)."""

    count: int = 0
    first: list[str] = field(default_factory=list)

    def add(self, exc: BaseException) -> None:
        self.count += 1
        if len(self.first) < ERROR_SAMPLES:
            self.first.append(str(exc) or repr(exc))

    def as_dict(self) -> dict[str, Any]:
        return {"count": self.count, "first": list(self.first)}


def check(what: str, status: int, wanted: int, body: bytes | str) -> None:
    """`what` is "POST /api/v1/tickets" or the like, for the message."""
    if status != wanted:
        text = body if isinstance(body, str) else body.decode("utf-8", "replace")
        raise OpError(f"{what}: {status} (wanted {wanted}) {text[:300]}")


def called_ticket(answer: Any) -> str:
    """The ticket id in a call-next answer (the counter's view, with its active ticket)."""
    ticket = answer.get("ticket") if isinstance(answer, dict) else None
    tid = ticket.get("id") if isinstance(ticket, dict) else None
    if not isinstance(tid, str):
        raise OpError(f"call-next answered without a ticket: {str(answer)[:300]}")
    return tid


async def hub_seq(desk: Desk) -> int:
    return int((await desk.get("/health"))["seq"])


def new_desk(kind: str, url: str, tokens: dict[str, str], cid: str, retries: list[str]) -> Desk:
    """A desk of the given client kind ("lean" or "httpx") for counter `cid`."""
    if kind == "lean":
        from tests.bench.hub.lean import LeanDesk

        return LeanDesk(url, tokens, cid, retries)
    if kind == "httpx":
        from tests.bench.hub.httpx_desk import HttpxDesk

        return HttpxDesk(url, tokens, cid, retries)
    raise ValueError(f"unknown client {kind!r}")
