"""The lean load client: HTTP/1.1 keep-alive over raw asyncio streams.

Why: the load clients run on the same cores as the hub, so every millisecond of CPU a client
spends is taken from the hub it measures. httpx costs about as much CPU a request as the hub
itself; this client does only what a request needs:

- one request in flight per connection (no pipelining: a real client waits for its answer);
- requests rendered to bytes in advance (method, path, Host, Authorization, Content-Type,
  Content-Length, body); only the Idempotency-Key, and the ticket id in a path, change;
- answers parsed minimally: the status line, the headers up to the blank line, then exactly
  Content-Length bytes of body (the hub always sends it: an answer without it is an error);
  `Connection: close` is honoured by reconnecting for the next request; JSON is decoded only
  where an id is needed (issue, call next) and for GETs;
- a request that meets a connection the server closed while it was idle (uvicorn closes them
  after 5 s) is sent once more on a new connection, with the same Idempotency-Key, so it can
  never be applied twice (httpx does the same); every such retry is recorded.

Every status is checked by the caller (desk.check); a broken answer raises OpError.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import secrets
from typing import Any
from urllib.parse import urlsplit

from tests.bench.hub.common import (
    API,
    REQUEST_TIMEOUT_S,
    SERVICES,
    BenchError,
)
from tests.bench.hub.desk import OpError, called_ticket, check, hub_seq

_END = b"\r\n\r\n"
_LENGTH = b"\r\ncontent-length:"
_CLOSE = b"\r\nconnection: close"


def _what(request: bytes) -> str:
    """The method and path of a rendered request (POST /api/v1/…), for messages only."""
    return request.split(b" HTTP/1.1", 1)[0].decode("ascii", "replace")


class LeanConnection:
    """One keep-alive connection to the hub, opened on first use and after a close."""

    def __init__(self, host: str, port: int, retries: list[str]) -> None:
        self.host, self.port = host, port
        self.retries = retries
        self.connects = 0
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._lock = asyncio.Lock()  # a keep-alive ping must wait for a timed request

    async def request(self, data: bytes) -> tuple[int, bytes]:
        """Send one rendered request; (status, body) of its answer."""
        async with self._lock:
            try:
                async with asyncio.timeout(REQUEST_TIMEOUT_S):
                    return await self._request(data)
            except TimeoutError as exc:
                self._drop()
                raise OpError(f"{_what(data)}: no answer in {REQUEST_TIMEOUT_S} s") from exc

    async def _request(self, data: bytes) -> tuple[int, bytes]:
        for attempt in (1, 2):
            if self._reader is not None and self._reader.at_eof():
                self._drop()  # closed by the server while idle, and we already know it
            reused = self._writer is not None
            try:
                if self._writer is None:
                    self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
                    self.connects += 1
                assert self._reader is not None and self._writer is not None
                self._writer.write(data)
                head = await self._reader.readuntil(_END)
            except (OSError, asyncio.IncompleteReadError) as exc:
                self._drop()
                nothing_back = not getattr(exc, "partial", b"")
                if attempt == 1 and reused and nothing_back:
                    self.retries.append(f"{_what(data)}: {exc!r}")
                    continue
                raise OpError(f"{_what(data)}: connection failed: {exc!r}") from exc
            except asyncio.LimitOverrunError as exc:
                self._drop()
                raise OpError(f"{_what(data)}: answer headers too long") from exc
            return await self._answer(data, head)
        raise AssertionError("unreachable")

    async def _answer(self, data: bytes, head: bytes) -> tuple[int, bytes]:
        assert self._reader is not None
        lower = head.lower()
        start = lower.find(_LENGTH)
        if not head.startswith(b"HTTP/1.1 ") or start < 0:
            self._drop()
            raise OpError(f"{_what(data)}: not an HTTP/1.1 answer with a Content-Length: "
                          f"{head[:300]!r}")  # fmt: skip
        start += len(_LENGTH)
        try:
            status = int(head[9:12])
            length = int(head[start : lower.index(b"\r\n", start)])
            body = await self._reader.readexactly(length) if length else b""
        except (ValueError, OSError, asyncio.IncompleteReadError) as exc:
            self._drop()
            raise OpError(f"{_what(data)}: broken answer: {exc!r}") from exc
        if _CLOSE in lower:
            self._drop()
        return status, body

    def _drop(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None

    async def aclose(self) -> None:
        writer, self._reader, self._writer = self._writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _tail(body: Any) -> bytes:
    """The end of a request after its Idempotency-Key value: length, blank line, body."""
    data = b"" if body is None else _json(body)
    return b"\r\nContent-Length: %d\r\n\r\n%s" % (len(data), data)


class LeanDesk:
    """A desk (see desk.py) on a LeanConnection."""

    def __init__(self, url: str, tokens: dict[str, str], cid: str, retries: list[str]) -> None:
        parts = urlsplit(url)
        if parts.hostname != "127.0.0.1" or parts.port is None:
            raise BenchError(f"the benchmark only talks to 127.0.0.1, not {url}")
        self.conn = LeanConnection(parts.hostname, parts.port, retries)
        host = f"Host: {parts.hostname}:{parts.port}\r\n"
        self._get_tail = f"{host}\r\n".encode()

        def headers(role: str) -> bytes:  # up to the Idempotency-Key's value
            return (f"{host}Authorization: Bearer {tokens.get(role, '')}\r\n"
                    "Content-Type: application/json\r\nIdempotency-Key: ").encode()  # fmt: skip

        self._kiosk, self._counter = headers("kiosk"), headers("counter")
        self._keys = itertools.count()
        self._key_prefix = secrets.token_hex(8).encode()  # keys are 32 hex digits, like uuid4
        self._issue_line = f"POST {API}/tickets HTTP/1.1\r\n".encode()
        self._issue_tails = {s: _tail({"service": s}) for s in SERVICES}
        counter = f"POST {API}/counters/{cid}"
        self._open = f"{counter}/open HTTP/1.1\r\n".encode()
        self._open_tail = _tail({"services": list(SERVICES)})
        self._call = f"{counter}/call-next HTTP/1.1\r\n".encode()
        self._no_body = _tail(None)
        self._start_tail = _tail({"counter": cid})
        self._complete_tail = _tail({"outcome": "done", "counter": cid})

    async def _post(self, line: bytes, headers: bytes, tail: bytes, wanted: int) -> bytes:
        key = b"%s%016x" % (self._key_prefix, next(self._keys))
        data = b"".join((line, headers, key, tail))
        status, body = await self.conn.request(data)
        if status != wanted:
            check(_what(data), status, wanted, body)
        return body

    async def open(self) -> None:
        await self._post(self._open, self._counter, self._open_tail, 200)

    async def issue(self, service: str) -> str:
        body = await self._post(self._issue_line, self._kiosk, self._issue_tails[service], 201)
        tid = json.loads(body).get("id")
        if not isinstance(tid, str):
            raise OpError(f"POST {API}/tickets answered without an id: {body[:300]!r}")
        return tid

    async def call_next(self) -> str:
        return called_ticket(json.loads(await self._post(self._call, self._counter,
                                                         self._no_body, 200)))  # fmt: skip

    async def start(self, tid: str) -> None:
        line = b"POST %s/tickets/%s/start HTTP/1.1\r\n" % (API.encode(), tid.encode())
        await self._post(line, self._counter, self._start_tail, 200)

    async def complete(self, tid: str) -> None:
        line = b"POST %s/tickets/%s/complete HTTP/1.1\r\n" % (API.encode(), tid.encode())
        await self._post(line, self._counter, self._complete_tail, 200)

    async def get(self, path: str) -> Any:
        data = b"GET %s%s HTTP/1.1\r\n%s" % (API.encode(), path.encode(), self._get_tail)
        status, body = await self.conn.request(data)
        check(f"GET {API}{path}", status, 200, body)
        return json.loads(body)

    async def aclose(self) -> None:
        await self.conn.aclose()


async def wait_listening(url: str) -> None:
    """The hub answers (it listens before it prints its ready line: no retry needed)."""
    desk = LeanDesk(url, {}, "", [])
    try:
        await hub_seq(desk)
    finally:
        await desk.aclose()
