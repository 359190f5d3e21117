"""The httpx load client: one httpx.AsyncClient (one keep-alive connection) a desk.

What the apps' client library uses, kept to compare with the lean client (`--client httpx`
or `both`): bodies are encoded by httpx (`json=`), keys are uuid4, and every answer is
decoded, as the benchmark did before it had a lean client.
"""

from __future__ import annotations

import importlib.util
import sys
import uuid
from typing import Any

import httpx

from tests.bench.hub.common import API, REQUEST_TIMEOUT_S, SERVICES
from tests.bench.hub.desk import OpError, called_ticket, check


def short_circuit_sniffio() -> bool:
    """httpcore runs `import sniffio` on every request; with sniffio not installed, each
    failed import searches sys.path again (a quarter of this client's CPU per request,
    measured). Marked absent in sys.modules, the import fails at once, with the same outcome
    (asyncio). True if it had to be done."""
    if importlib.util.find_spec("sniffio") is not None:
        return False
    sys.modules["sniffio"] = None  # type: ignore[assignment]
    return True


class HttpxDesk:
    """A desk (see desk.py) on its own httpx.AsyncClient."""

    def __init__(self, url: str, tokens: dict[str, str], cid: str, retries: list[str]) -> None:
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1, keepalive_expiry=60)
        self.c = httpx.AsyncClient(base_url=url, limits=limits, timeout=REQUEST_TIMEOUT_S)
        self.tokens, self.cid, self.retries = tokens, cid, retries

    async def _send(self, method: str, path: str, body: Any, token: str | None) -> httpx.Response:
        headers = {}
        if token is not None:
            headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex}
        try:
            return await self.c.request(method, f"{API}{path}", json=body, headers=headers)
        except httpx.RemoteProtocolError as exc:
            # The server closed the idle keep-alive connection just as the request went out:
            # sent once more, with the same Idempotency-Key, so never applied twice.
            self.retries.append(f"{method} {API}{path}: {exc!r}")
            return await self.c.request(method, f"{API}{path}", json=body, headers=headers)

    async def _call(
        self, method: str, path: str, body: Any, role: str | None, status: int = 200
    ) -> Any:
        token = None if role is None else self.tokens[role]
        try:
            r = await self._send(method, path, body, token)
        except httpx.HTTPError as exc:
            raise OpError(f"{method} {API}{path}: {exc!r}") from exc
        check(f"{method} {API}{path}", r.status_code, status, r.text)
        return r.json()

    async def open(self) -> None:
        await self._call("POST", f"/counters/{self.cid}/open", {"services": list(SERVICES)},
                         "counter")  # fmt: skip

    async def issue(self, service: str) -> str:
        return str((await self._call("POST", "/tickets", {"service": service}, "kiosk", 201))["id"])

    async def call_next(self) -> str:
        return called_ticket(await self._call("POST", f"/counters/{self.cid}/call-next", None,
                                              "counter"))  # fmt: skip

    async def start(self, tid: str) -> None:
        await self._call("POST", f"/tickets/{tid}/start", {"counter": self.cid}, "counter")

    async def complete(self, tid: str) -> None:
        await self._call("POST", f"/tickets/{tid}/complete",
                         {"outcome": "done", "counter": self.cid}, "counter")  # fmt: skip

    async def get(self, path: str) -> Any:
        return await self._call("GET", path, None, None)

    async def aclose(self) -> None:
        await self.c.aclose()
