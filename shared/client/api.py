"""`HubClient`: the hub's REST API as async methods that return the hub's JSON as dicts.

Every write carries an `Idempotency-Key`, made once per logical call and sent again by the
client's own retries (on connection errors and time-outs only): the hub stores the first
answer under that key, so a retried request gets that answer back instead of doing the write
twice (design §3, "a retried request returns the first answer").
"""

from __future__ import annotations

import asyncio
import contextvars
import uuid
from typing import Any
from urllib.parse import quote

import httpx

from shared import const
from shared.protocol import AGENT_HEADER

JSON = dict[str, Any]


# The agent a request is made for, when it differs from `HubClient.agent` at the time it runs:
# ServerLink queues requests on its network thread and names the agent signed in when the
# request was MADE (one queued just before a sign-out must not go out as the next agent).
REQUEST_AGENT: contextvars.ContextVar[str | None] = contextvars.ContextVar("agent")


class ClientError(Exception):
    """Base of the client's errors: `code` is stable, `message` is for people."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class HubError(ClientError):
    """The hub answered with an error (`status` is its HTTP status, `code` its error code)."""


class HubUnreachable(ClientError):
    """No answer from the hub (refused, reset, timed out), even after the retries."""


def _segment(value: str) -> str:
    return quote(value, safe="")


class HubClient:
    """One office's hub. Use as `async with HubClient(url, token) as hub:` or call `aclose()`.

    `base_url` may be changed at any time (a hub found again elsewhere); `token` too, and
    `agent`: the agent signed in on a counter app, named to the hub on every request.
    """

    def __init__(
        self,
        base_url: str = "",
        token: str | None = None,
        *,
        timeout_s: float | None = None,
        retries: int = 2,
        transport: httpx.AsyncBaseTransport | None = None,
        agent: str | None = None,
    ) -> None:
        self.token = token
        self.agent = agent
        self.retries = retries
        # trust_env=False: the hub is on the office LAN; a proxy from the environment must not
        # sit between a kiosk and its hub.
        self._http = httpx.AsyncClient(
            base_url=base_url,
            timeout=const.HTTP_TIMEOUT_S if timeout_s is None else timeout_s,
            transport=transport,
            trust_env=False,
        )

    @property
    def base_url(self) -> str:
        return str(self._http.base_url).rstrip("/")

    @base_url.setter
    def base_url(self, url: str) -> None:
        self._http.base_url = httpx.URL(url)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> HubClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # --- plumbing ---------------------------------------------------------------------------

    async def _request(
        self, method: str, path: str, body: JSON | None = None, key: str | None = None,
        retry: bool = True,
    ) -> JSON:  # fmt: skip
        if not self.base_url:
            raise HubUnreachable(0, "unreachable", "The hub's address is not known yet.")
        headers = {"Idempotency-Key": key} if key else {}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        agent = REQUEST_AGENT.get(self.agent)
        if agent:
            # Percent-encoded: a header is ASCII on the wire, and agents are called Hélène.
            headers[AGENT_HEADER] = quote(agent, safe=" !#$&'()*+,-./:;=?@[]^_`{|}~")
        url = f"{const.API_PREFIX}{path}"
        attempts = 1 + (self.retries if retry else 0)
        for attempt in range(attempts):
            try:
                response = await self._http.request(method, url, json=body, headers=headers)
                break
            except httpx.TransportError as exc:
                if attempt + 1 == attempts:
                    raise HubUnreachable(
                        0, "unreachable", f"The hub at {self.base_url} does not answer ({exc!r})."
                    ) from exc
                await asyncio.sleep(const.RECONNECT_INITIAL_S * 2**attempt)
        return _decode(response)

    async def _write(self, path: str, body: JSON | None = None, key: str | None = None) -> JSON:
        return await self._request("POST", path, body, key or str(uuid.uuid4()))

    async def _ticket(self, tid: str, action: str, counter: str | None) -> JSON:
        body = {} if counter is None else {"counter": counter}
        return await self._write(f"/tickets/{_segment(tid)}/{action}", body)

    async def _counter(self, cid: str, action: str, body: JSON | None = None) -> JSON:
        return await self._write(f"/counters/{_segment(cid)}/{action}", body)

    # --- reads ------------------------------------------------------------------------------

    async def health(self) -> JSON:
        return await self._request("GET", "/health")

    async def office(self) -> JSON:
        return await self._request("GET", "/office")

    async def queue(self, state: bool = True) -> JSON:
        """The services' figures, and the day's public state unless `state=False`."""
        return await self._request("GET", "/queue" if state else "/queue?state=false")

    async def state(self) -> JSON:
        return await self._request("GET", "/state")

    async def status(self, token: str) -> JSON:
        return await self._request("GET", f"/status/{_segment(token)}")

    # --- kiosk ------------------------------------------------------------------------------

    async def issue(
        self, service: str, priority: bool = False, lang: str = "fr",
        idempotency_key: str | None = None,
    ) -> JSON:  # fmt: skip
        body = {"service": service, "priority": priority, "lang": lang}
        return await self._write("/tickets", body, idempotency_key)

    async def preview(self, service: str, priority: bool = False) -> JSON:
        """The rank and estimate a ticket taken now would get (before the visitor takes it)."""
        flag = "true" if priority else "false"
        return await self._request("GET", f"/services/{_segment(service)}/preview?priority={flag}")

    async def request_callback(
        self, service: str, phone: str, consent: bool, lang: str = "fr",
        ticket: str | None = None, idempotency_key: str | None = None,
    ) -> JSON:  # fmt: skip
        body = {"service": service, "phone": phone, "consent": consent, "lang": lang,
                "ticket": ticket}  # fmt: skip
        return await self._write("/callbacks", body, idempotency_key)

    async def report_printer(self, state: str, detail: str = "") -> JSON:
        return await self._write("/devices/me/printer", {"state": state, "detail": detail})

    # --- counters ---------------------------------------------------------------------------

    async def open_counter(self, cid: str, services: list[str]) -> JSON:
        return await self._counter(cid, "open", {"services": list(services)})

    async def close_counter(self, cid: str) -> JSON:
        return await self._counter(cid, "close")

    async def pause(self, cid: str, reason: str = "", until: str | None = None) -> JSON:
        """`until`: the planned end of the break (ISO time with its offset), if known."""
        body: dict[str, Any] = {"reason": reason}
        if until is not None:
            body["until"] = until
        return await self._counter(cid, "pause", body)

    async def resume(self, cid: str) -> JSON:
        return await self._counter(cid, "resume")

    async def call_next(self, cid: str) -> JSON:
        return await self._counter(cid, "call-next")

    async def call(self, cid: str, ticket: str | None = None, label: str | None = None) -> JSON:
        body = {k: v for k, v in (("ticket", ticket), ("label", label)) if v is not None}
        return await self._counter(cid, "call", body)

    # --- tickets ----------------------------------------------------------------------------

    async def recall(self, tid: str, counter: str | None = None) -> JSON:
        return await self._ticket(tid, "recall", counter)

    async def start(self, tid: str, counter: str | None = None) -> JSON:
        return await self._ticket(tid, "start", counter)

    async def no_show(self, tid: str, counter: str | None = None) -> JSON:
        return await self._ticket(tid, "no-show", counter)

    async def reactivate(self, tid: str, counter: str | None = None) -> JSON:
        return await self._ticket(tid, "reactivate", counter)

    async def park(self, tid: str, counter: str | None = None) -> JSON:
        return await self._ticket(tid, "park", counter)

    async def cancel(self, tid: str, counter: str | None = None) -> JSON:
        return await self._ticket(tid, "cancel", counter)

    async def complete(self, tid: str, outcome: str, counter: str | None = None) -> JSON:
        body: JSON = {"outcome": outcome} | ({} if counter is None else {"counter": counter})
        return await self._write(f"/tickets/{_segment(tid)}/complete", body)

    async def transfer(
        self, tid: str, service: str, note: str = "", head: bool = False,
        counter: str | None = None,
    ) -> JSON:  # fmt: skip
        body: JSON = {"service": service, "note": note, "head": head}
        if counter is not None:
            body["counter"] = counter
        return await self._write(f"/tickets/{_segment(tid)}/transfer", body)

    # --- call-backs (counter; the agent must be set) ---------------------------------------

    async def callbacks(self, services: list[str] | None = None) -> JSON:
        """`{"callbacks": [...]}`: open and taken requests, oldest first, never a number."""
        query = f"?services={quote(','.join(services), safe=',')}" if services else ""
        return await self._request("GET", f"/callbacks{query}")

    async def take_callback(self, callback_id: str) -> JSON:
        """Take a request: the answer holds the visitor's number ("phone")."""
        return await self._write(f"/callbacks/{_segment(callback_id)}/take")

    async def callback(self, callback_id: str) -> JSON:
        """A request one took, with its number (403 not_yours for anybody else)."""
        return await self._request("GET", f"/callbacks/{_segment(callback_id)}")

    async def release_callback(self, callback_id: str) -> JSON:
        return await self._write(f"/callbacks/{_segment(callback_id)}/release")

    async def callback_outcome(self, callback_id: str, outcome: str, note: str = "") -> JSON:
        """reached | no_answer (back to the list) | wrong_number."""
        body = {"outcome": outcome, "note": note}
        return await self._write(f"/callbacks/{_segment(callback_id)}/outcome", body)

    # --- contact history (counter; the agent must be set) ---------------------------------

    async def search_contacts(self, kind: str, key: str, consent: bool = True) -> JSON:
        """`{"subject", "contacts": [...]}` newest first; kind is "file" or "phone"."""
        body = {"kind": kind, "key": key, "consent": consent}
        return await self._request("POST", "/contacts/search", body)

    async def record_contact(
        self, kind: str, key: str, channel: str, service: str, outcome: str, note: str = "",
        consent: bool = True,
    ) -> JSON:  # fmt: skip
        body = {"kind": kind, "key": key, "consent": consent, "channel": channel,
                "service": service, "outcome": outcome, "note": note}  # fmt: skip
        return await self._write("/contacts", body)

    # --- pairing ----------------------------------------------------------------------------

    async def pair(self, code: str, name: str) -> JSON:
        """Trade a one-time code for this device's token: `{"token", "role", ...}`.

        Never retried: the hub burns the code on first use and keeps no idempotency key for
        pairing, so a retry after a lost answer would only be told the code is used.
        """
        return await self._request("POST", "/pair", {"code": code, "name": name}, retry=False)


def _decode(response: httpx.Response) -> JSON:
    try:
        data = response.json()
    except ValueError:
        data = None
    if response.is_success and isinstance(data, dict):
        return data
    if response.is_success:
        raise HubError(response.status_code, "bad_response", "The hub's answer is not JSON.")
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        message = str(data.get("message") or data["error"])
        raise HubError(response.status_code, data["error"], message)
    text = response.text.strip()[:200] or response.reason_phrase
    raise HubError(response.status_code, "http_error", f"The hub refused: {text}")
