"""The phone page's live feed (`GET /api/v1/status/{token}/events`), read as a stream of
server-sent events from the in-process hub: first status, changes only, heartbeat, end of
life, the ticket gone, the cap, and a client or the hub leaving."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest

from shared import const
from shared.clock import ManualClock
from shared.config import OfficeConfig
from shared.core.events import DayOpened
from shared.hub.broadcast import Subscriber
from shared.hub.pages import feed
from tests.hub.conftest import API, Office, assert_error
from tests.hub.test_phone_page import hub_with_the_page, issue, page


@pytest.fixture
def office(
    config: OfficeConfig, db_path: Path, clock: ManualClock, tokens: dict[str, str]
) -> Iterator[Office]:
    with hub_with_the_page(config, db_path, clock, tokens) as running:
        yield running


def sse(response: httpx.Response) -> Iterator[tuple[str, str]]:
    """(event, data) for each message; ("comment", text) for a comment; ("retry", ms)."""
    event, data = "message", []
    for line in response.iter_lines():
        if line == "":
            if data:
                yield event, "\n".join(data)
            event, data = "message", []
        elif line.startswith(":"):
            yield "comment", line[1:].strip()
        else:
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "data":
                data.append(value)
            elif name == "event":
                event = value
            elif name == "retry":
                yield "retry", value


def feed_url(token: str) -> str:
    return f"{API}/status/{token}/events"


def test_feed_sends_the_status_at_once_then_each_change_only(office: Office) -> None:
    office.open("G1", "A")
    first = issue(office)
    mine = issue(office)
    with office.client.stream("GET", feed_url(mine["token"])) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        assert r.headers["cache-control"] == "no-store"
        messages = sse(r)
        assert next(messages) == ("retry", str(round(const.PHONE_SSE_RETRY_S * 1000)))
        event, data = next(messages)
        status = json.loads(data)
        assert event == "message" and status["state"] == "waiting"
        assert status["estimate"]["position"] == 2 and status["calls"] == 0
        # The JSON route (what a page that polls reads) says the same.
        assert status == office.status(mine["token"])

        issue(office)  # behind us: our place does not change
        office.call_next("G1")  # the first ticket: we move up
        # Before that, only our estimate may have changed (recomputed a moment after a change).
        while (status := json.loads(next(messages)[1]))["estimate"]["position"] == 2:
            assert status["state"] == "waiting"
        assert status["estimate"]["position"] == 1
        office.ok(office.act(first["id"], "start"))
        office.ok(office.act(first["id"], "complete", {"outcome": "done"}))
        called = office.call_next("G1")
        assert called["id"] == mine["id"]
        # Our estimate may have moved meanwhile (the first visitor's service ended): each
        # change is sent, then the call.
        while (status := json.loads(next(messages)[1]))["state"] == "waiting":
            assert status["estimate"]["position"] == 1
        assert status["state"] == "called" and status["counter_name"] == "Guichet 1"
        assert status["estimate"] is None and status["calls"] == 1
        office.ok(office.act(mine["id"], "recall"))
        assert json.loads(next(messages)[1])["calls"] == 2  # a recall alerts the phone again


def test_feed_heartbeat_after_silence(office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(const, "PHONE_SSE_HEARTBEAT_S", 0.05)
    mine = issue(office)
    with office.client.stream("GET", feed_url(mine["token"])) as r:
        kinds = []
        for kind, text in sse(r):
            kinds.append(kind)
            if kind == "comment":
                assert text == "ping"
                break
        assert kinds == ["retry", "message", "comment"]


def test_feed_ends_at_its_maximum_age_and_says_to_reconnect(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(const, "PHONE_SSE_MAX_AGE_S", 0.05)
    mine = issue(office)
    with office.client.stream("GET", feed_url(mine["token"])) as r:
        messages = list(sse(r))  # ends by itself
    assert [k for k, _ in messages] == ["retry", "message", "reconnect"]
    assert feed.feeds_of(office.client.app).active == 0  # type: ignore[arg-type]


def test_feed_says_gone_when_the_day_changes(office: Office) -> None:
    mine = issue(office)
    with office.client.stream("GET", feed_url(mine["token"])) as r:
        messages = sse(r)
        assert [next(messages)[0], next(messages)[0]] == ["retry", "message"]
        office.clock.advance(24 * 3600)
        issue(office)  # the first write of the new day opens it: yesterday's tickets are gone
        event, data = next(messages)
        assert event == "gone" and json.loads(data)["error"] == "not_found"
        assert list(messages) == []  # and the stream ends
    assert page(office, mine["token"])[0].status_code == 404


def test_feed_of_an_unknown_ticket_is_a_404(office: Office) -> None:
    assert_error(office.client.get(feed_url("z" * 32)), 404, "not_found")
    assert_error(office.client.get(feed_url("é" * 20)), 404, "not_found")


def test_feeds_are_capped_and_each_leaves_cleanly(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(const, "PHONE_SSE_MAX_SUBSCRIBERS", 1)
    mine = issue(office)
    broadcaster = office.hub.broadcaster
    before = len(broadcaster.subscribers)
    with office.client.stream("GET", feed_url(mine["token"])) as r:
        messages = sse(r)
        next(messages), next(messages)
        assert len(broadcaster.subscribers) == before + 1
        body = assert_error(office.client.get(feed_url(mine["token"])), 503, "busy")
        assert "every few seconds" in body["message"]
    # The client left: its subscription and its slot are given back at once.
    assert len(broadcaster.subscribers) == before
    assert feed.feeds_of(office.client.app).active == 0  # type: ignore[arg-type]
    with office.client.stream("GET", feed_url(mine["token"])) as r:
        assert r.status_code == 200


def test_a_feed_that_fell_behind_forgets_its_queue_and_recomputes() -> None:
    """Only the current state matters to a feed: queued events are dropped, lagging cleared."""
    sub = Subscriber()
    for seq in range(3):
        sub.queue.put_nowait(
            (seq, DayOpened(datetime(2026, 11, 30, tzinfo=UTC), date(2026, 11, 30)))
        )
    sub.lagging = True
    feed._drain(sub)
    assert sub.queue.empty() and not sub.lagging


def test_end_all_ends_every_feed_for_the_hub_to_stop(office: Office) -> None:
    """uvicorn waits for open streams before it stops: the server ends the feeds first."""
    mine = issue(office)
    app = office.client.app
    with office.client.stream("GET", feed_url(mine["token"])) as r:
        messages = sse(r)
        next(messages), next(messages)
        assert office.client.portal is not None
        office.client.portal.call(feed.end_all, app)  # on the hub's event loop, as uvicorn would
        assert list(messages) == [("reconnect", "{}")]
    assert_error(office.client.get(feed_url(mine["token"])), 503, "stopping")
    assert feed.feeds_of(app).active == 0 and not feed.feeds_of(app).subscribers  # type: ignore[arg-type]
