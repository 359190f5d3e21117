"""HubClient against a real hub: idempotency, errors as the hub words them, a ticket's life."""

from __future__ import annotations

import httpx
import pytest

from shared.client.api import HubClient, HubError, HubUnreachable
from tests.client.conftest import Tokens
from tests.hubproc import HubProcess


class LoseFirstAnswer(httpx.AsyncBaseTransport):
    """Forwards to the hub, but loses the answer to the first POST (the hub did the write)."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.keys: list[str | None] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method == "POST":
            self.keys.append(request.headers.get("idempotency-key"))
            if len(self.keys) == 1:
                await response.aread()
                await response.aclose()
                raise httpx.ReadTimeout("the answer was lost", request=request)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.mark.asyncio
async def test_same_idempotency_key_gives_the_same_ticket(hub: HubProcess, tokens: Tokens) -> None:
    async with HubClient(hub.url, tokens.kiosk) as kiosk:
        first = await kiosk.issue("A", idempotency_key="tap-1")
        again = await kiosk.issue("A", idempotency_key="tap-1")
        other = await kiosk.issue("A")
    assert again["id"] == first["id"] and again["label"] == first["label"]
    assert other["id"] != first["id"]


@pytest.mark.asyncio
async def test_a_retry_after_a_lost_answer_returns_the_first_answer(
    hub: HubProcess, tokens: Tokens
) -> None:
    transport = LoseFirstAnswer()
    async with HubClient(hub.url, tokens.kiosk, transport=transport) as kiosk:
        ticket = await kiosk.issue("B")
    async with HubClient(hub.url, tokens.display) as display:
        state = (await display.state())["state"]
    assert len(transport.keys) == 2 and transport.keys[0] == transport.keys[1]
    assert transport.keys[0]
    assert [t["id"] for t in state["tickets"]] == [ticket["id"]]  # one ticket, not two


@pytest.mark.asyncio
async def test_errors_carry_the_hubs_status_code_and_message(
    hub: HubProcess, tokens: Tokens
) -> None:
    async with HubClient(hub.url, tokens.counter) as counter:
        with pytest.raises(HubError) as closed:
            await counter.call_next("G1")
    assert (closed.value.status, closed.value.code) == (409, "conflict")
    assert closed.value.message == "G1 is closed: open it first."

    async with HubClient(hub.url) as anonymous:
        with pytest.raises(HubError) as unpaired:
            await anonymous.issue("A")
    assert (unpaired.value.status, unpaired.value.code) == (401, "unauthorized")
    assert "Bearer" in unpaired.value.message

    async with HubClient(hub.url, tokens.kiosk) as kiosk:
        with pytest.raises(HubError) as wrong_role:
            await kiosk.call_next("G1")
        with pytest.raises(HubError) as bad_body:
            await kiosk.issue("A", lang="french")
    assert (wrong_role.value.status, wrong_role.value.code) == (403, "forbidden")
    assert "paired as kiosk" in wrong_role.value.message
    assert (bad_body.value.status, bad_body.value.code) == (422, "invalid_input")
    assert bad_body.value.message.startswith("lang:")
    assert str(bad_body.value) == bad_body.value.message


@pytest.mark.asyncio
async def test_a_ticket_from_issue_to_done(hub: HubProcess, tokens: Tokens) -> None:
    async with HubClient(hub.url, tokens.kiosk) as kiosk, HubClient(hub.url, tokens.counter) as g1:
        opened = await g1.open_counter("G1", ["A", "B"])
        assert (opened["status"], opened["services"], opened["ticket"]) == (
            "open",
            ["A", "B"],
            None,
        )
        ticket = await kiosk.issue("A", priority=True, lang="en")
        assert (ticket["state"], ticket["label"], ticket["priority"]) == ("waiting", "A001", True)
        assert ticket["estimate"]["position"] == 1

        called = await g1.call_next("G1")
        assert called["ticket"]["id"] == ticket["id"]
        assert called["ticket"]["state"] == "called" and called["ticket"]["reason"]
        assert (await g1.recall(ticket["id"], counter="G1"))["calls"] == 2
        assert (await g1.start(ticket["id"], counter="G1"))["state"] == "serving"
        done = await g1.complete(ticket["id"], "done", counter="G1")
        assert (done["state"], done["outcome"]) == ("done", "done")

        public = await kiosk.status(ticket["token"])
        assert public["state"] == "done" and "token" not in public
        assert (await g1.close_counter("G1"))["status"] == "closed"


@pytest.mark.asyncio
async def test_counter_moves_and_transfer(hub: HubProcess, tokens: Tokens) -> None:
    async with HubClient(hub.url, tokens.kiosk) as kiosk, HubClient(hub.url, tokens.counter) as g2:
        await g2.open_counter("G2", ["A", "D"])
        assert (await g2.pause("G2", "coffee"))["status"] == "paused"
        assert (await g2.resume("G2"))["status"] == "open"
        first = await kiosk.issue("D")
        second = await kiosk.issue("D")
        called = await g2.call("G2", label=second["label"])
        assert called["ticket"]["id"] == second["id"]
        assert (await g2.no_show(second["id"]))["state"] == "no_show"
        assert (await g2.reactivate(second["id"]))["state"] == "waiting"
        assert (await g2.cancel(second["id"]))["state"] == "cancelled"

        await g2.call("G2", ticket=first["id"])
        await g2.start(first["id"])
        assert (await g2.park(first["id"]))["state"] == "parked"
        await g2.call("G2", ticket=first["id"])
        await g2.start(first["id"])
        moved = await g2.transfer(first["id"], "A", note="needs ID renewal", head=True)
        assert (moved["service"], moved["state"], moved["previous"]) == (
            "A",
            "waiting",
            first["id"],
        )
        assert moved["note"] == "needs ID renewal" and moved["head"] is True


@pytest.mark.asyncio
async def test_reads(hub: HubProcess, tokens: Tokens) -> None:
    async with HubClient(hub.url, tokens.display) as display:
        health = await display.health()
        office = await display.office()
        queue = await display.queue()
        state = await display.state()
    assert health["status"] == "ok" and health["seq"] == state["seq"] == queue["seq"]
    assert office["id"] == "fs-villeneuve" and office["services"][0]["code"] == "A"
    assert state["state"]["tickets"] == [] and set(queue["services"]) == {"A", "B", "C", "D"}


@pytest.mark.asyncio
async def test_pairing_gives_a_working_token_once(hub: HubProcess) -> None:
    code = hub.pairing_code("display", "Hall screen")
    async with HubClient(hub.url) as device:
        paired = await device.pair(code, "Hall screen")
        assert paired["role"] == "display" and paired["token"]
        device.token = paired["token"]
        assert (await device.state())["state"]["tickets"] == []
        with pytest.raises(HubError) as used:
            await device.pair(code, "Hall screen")
    assert (used.value.status, used.value.code) == (401, "unauthorized")


@pytest.mark.asyncio
async def test_unreachable_hub(dead_url: str) -> None:
    async with HubClient(dead_url, "token", retries=1) as client:
        with pytest.raises(HubUnreachable) as gone:
            await client.issue("A")
    assert gone.value.code == "unreachable" and dead_url in gone.value.message
    async with HubClient() as nowhere:
        with pytest.raises(HubUnreachable):
            await nowhere.health()
