"""A Montour client reduced to what the network tests watch: discovery, the live feed, one ticket.

Run by tests/net/test_hub_netns.py inside namespace b:

    python -m tests.net._client --bind ADDR --office OFFICE --counter-token T --kiosk-token T
        [--heartbeat S] [--reconnect-initial S] [--reconnect-max S]

Prints one JSON object a line (flushed), each with a ``kind``:

- ``found``: what a first ``find_hub`` resolved (the whole announcement);
- ``locate``: each URL the stream's ``locate`` returned (it browses again before every
  connection), or ``locate_error`` with the message when discovery failed;
- ``status``: every status change of the EventStream, with its detail (the URL once connected);
- ``snapshot``: its seq and the ids of the tickets in it;
- ``event``: its seq, type and ticket id;
- ``issued`` / ``issue_error``: the one ticket issued with the kiosk token at the first connection.

Closing stdin (or SIGTERM) stops the stream; ``stopped`` is the last line of a clean exit. The
test waits for lines instead of sleeping.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import logging
import os
import signal
import sys
from typing import Any

from shared.client.api import ClientError, HubClient
from shared.client.stream import EventStream, Locate, discovered_hub
from shared.core.events import Event
from shared.core.model import OfficeState
from shared.discovery import DiscoveryError, find_hub


def emit(kind: str, **fields: Any) -> None:
    print(json.dumps({"kind": kind, **fields}), flush=True)


def reporting(locate: Locate) -> Locate:
    """``locate`` that also says what it returned, so the test sees where each attempt goes."""

    async def wrapped() -> str:
        try:
            url = await locate()
        except DiscoveryError as exc:
            emit("locate_error", message=str(exc))
            raise
        emit("locate", url=url)
        return url

    return wrapped


async def _run(args: argparse.Namespace) -> None:
    loop = asyncio.get_running_loop()
    done = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, done.set)

    def on_stdin() -> None:
        # Only EOF matters: the test closing our stdin (or dying) means "stop".
        if not os.read(sys.stdin.fileno(), 4096):
            done.set()

    loop.add_reader(sys.stdin.fileno(), on_stdin)

    found = await find_hub(args.office, [args.bind])
    emit("found", hub=dataclasses.asdict(found))

    kiosk = HubClient(token=args.kiosk_token)
    issuing: asyncio.Task[None] | None = None

    async def issue(url: str) -> None:
        kiosk.base_url = url
        try:
            ticket = await kiosk.issue("A")
        except ClientError as exc:
            emit("issue_error", code=exc.code, message=exc.message)
            return
        emit("issued", id=ticket["id"], label=ticket["label"])

    def on_status(status: str, detail: str) -> None:
        nonlocal issuing
        emit("status", status=status, detail=detail)
        if status == "connected" and issuing is None:
            issuing = loop.create_task(issue(detail))

    def on_snapshot(state: OfficeState, seq: int) -> None:
        emit("snapshot", seq=seq, tickets=sorted(state.tickets))

    def on_event(state: OfficeState, event: Event, seq: int) -> None:
        emit("event", seq=seq, type=type(event).__name__, ticket=getattr(event, "ticket", None))

    stream = EventStream(
        reporting(discovered_hub(args.office, [args.bind])),
        args.counter_token,
        on_snapshot=on_snapshot,
        on_event=on_event,
        on_status=on_status,
        heartbeat_timeout_s=args.heartbeat,
        reconnect_initial_s=args.reconnect_initial,
        reconnect_max_s=args.reconnect_max,
    )
    running = loop.create_task(stream.run())
    try:
        await done.wait()
    finally:
        loop.remove_reader(sys.stdin.fileno())
        stream.stop()
        await running
        if issuing is not None:
            issuing.cancel()  # done long ago in a passing test; never wait on it here
            await asyncio.gather(issuing, return_exceptions=True)
        await kiosk.aclose()
    emit("stopped")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bind", required=True, help="address of the one interface to use")
    parser.add_argument("--office", required=True)
    parser.add_argument("--counter-token", required=True, help="token the event stream sends")
    parser.add_argument("--kiosk-token", required=True, help="token that issues the ticket")
    parser.add_argument("--heartbeat", type=float, default=3.5)
    parser.add_argument("--reconnect-initial", type=float, default=0.2)
    parser.add_argument("--reconnect-max", type=float, default=1.0)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    asyncio.run(_run(parser.parse_args()))


if __name__ == "__main__":
    main()
