"""The benchmark's lean HTTP client against a scripted server: what it sends, and what it
makes of keep-alive, `Connection: close`, a connection closed under it, and bad answers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.bench.hub.desk import OpError
from tests.bench.hub.lean import LeanDesk

TOKENS = {"kiosk": "k-token", "counter": "c-token"}


@dataclass
class Seen:
    line: str
    headers: dict[str, str]
    body: bytes
    connection: int


@dataclass
class Server:
    """Answers each request with the next scripted action; records what it received."""

    script: list[str]
    seen: list[Seen] = field(default_factory=list)
    connections: int = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        number = self.connections
        try:
            while self.script:
                head = await reader.readuntil(b"\r\n\r\n")
                line, *rest = head.decode().split("\r\n")
                headers = {k.lower(): v.strip() for k, _, v in
                           (h.partition(":") for h in rest if h)}  # fmt: skip
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                self.seen.append(Seen(line, headers, body, number))
                action = self.script.pop(0)
                if action == "drop":  # closed as the request arrived: no answer at all
                    break
                status = 201 if line.startswith("POST /api/v1/tickets ") else 200
                answer = json.dumps({"id": "t1", "ticket": {"id": "t2"}, "seq": 7}).encode()
                extra = ""
                if action.isdigit():
                    status = int(action)
                elif action == "close":
                    extra = "Connection: close\r\n"
                length = "" if action == "no-length" else f"Content-Length: {len(answer)}\r\n"
                writer.write(f"HTTP/1.1 {status} X\r\n{length}{extra}\r\n".encode() + answer)
                await writer.drain()
                if action in ("close", "no-length"):
                    break
        except asyncio.IncompleteReadError:
            pass
        writer.close()


def run(script: list[str], work: Callable[[LeanDesk], Awaitable[Any]]) -> tuple[Server, Any]:
    server = Server(script)

    async def main() -> Any:
        listener = await asyncio.start_server(server.handle, "127.0.0.1", 0)
        port = listener.sockets[0].getsockname()[1]
        desk = LeanDesk(f"http://127.0.0.1:{port}", TOKENS, "G1", retries := [])
        try:
            return await work(desk), retries
        finally:
            await desk.aclose()
            listener.close()
            await listener.wait_closed()

    return server, asyncio.run(main())


def test_requests_are_complete_and_share_one_connection() -> None:
    async def work(desk: LeanDesk) -> Any:
        return [await desk.issue("B"), await desk.call_next(), await desk.start("t2"),
                await desk.complete("t2"), await desk.get("/health")]  # fmt: skip

    server, (answers, retries) = run(["ok"] * 5, work)
    assert answers == ["t1", "t2", None, None, {"id": "t1", "ticket": {"id": "t2"}, "seq": 7}]
    assert server.connections == 1 and retries == []
    issue, call, start, complete, health = server.seen
    assert issue.line == "POST /api/v1/tickets HTTP/1.1"
    assert issue.headers["authorization"] == "Bearer k-token"
    assert issue.headers["content-type"] == "application/json"
    assert issue.headers["host"].startswith("127.0.0.1:")
    assert json.loads(issue.body) == {"service": "B"}
    assert call.line == "POST /api/v1/counters/G1/call-next HTTP/1.1" and call.body == b""
    assert call.headers["authorization"] == "Bearer c-token"
    assert start.line == "POST /api/v1/tickets/t2/start HTTP/1.1"
    assert json.loads(start.body) == {"counter": "G1"}
    assert json.loads(complete.body) == {"outcome": "done", "counter": "G1"}
    assert health.line == "GET /api/v1/health HTTP/1.1" and "authorization" not in health.headers
    keys = [s.headers["idempotency-key"] for s in server.seen[:4]]
    assert len(set(keys)) == 4 and all(len(k) == 32 for k in keys)


def test_connection_close_is_honoured_by_reconnecting() -> None:
    async def work(desk: LeanDesk) -> Any:
        await desk.start("t2")
        await desk.start("t2")

    server, (_, retries) = run(["close", "ok"], work)
    assert [s.connection for s in server.seen] == [1, 2]
    assert retries == []


def test_a_reused_connection_closed_under_a_request_is_retried_with_the_same_key() -> None:
    async def work(desk: LeanDesk) -> Any:
        await desk.start("t2")
        return await desk.issue("A")

    server, (tid, retries) = run(["ok", "drop", "ok"], work)
    assert tid == "t1"
    assert [s.connection for s in server.seen] == [1, 1, 2]
    assert server.seen[1].headers["idempotency-key"] == server.seen[2].headers["idempotency-key"]
    assert len(retries) == 1 and retries[0].startswith("POST /api/v1/tickets:")


def test_a_new_connection_that_answers_nothing_is_an_error_not_a_retry() -> None:
    async def work(desk: LeanDesk) -> Any:
        with pytest.raises(OpError, match="connection failed"):
            await desk.start("t2")

    server, (_, retries) = run(["drop"], work)
    assert retries == [] and len(server.seen) == 1


@pytest.mark.parametrize(
    ("script", "call", "message"),
    [
        (["409"], "call_next", r"call-next: 409 \(wanted 200\)"),
        (["200"], "issue", r"tickets: 200 \(wanted 201\)"),  # issue must answer 201 Created
        (["no-length"], "call_next", "Content-Length"),
    ],
)
def test_wrong_answers_raise(script: list[str], call: str, message: str) -> None:
    async def work(desk: LeanDesk) -> Any:
        with pytest.raises(OpError, match=message):
            await (desk.call_next() if call == "call_next" else desk.issue("A"))

    run(script, work)
