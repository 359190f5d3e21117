"""Publish one hub advert via shared.discovery until stdin closes or SIGTERM arrives.

Run by the discovery tests, inside a network namespace or on loopback:

    python -m tests.net._publish --office OFFICE --name NAME --hub HUB_ID --port PORT --bind ADDR

Prints ``READY <announcement JSON>`` once the service is registered, ``STOPPED`` after the
goodbyes went out; the test waits for those lines instead of sleeping.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys

from shared.discovery import HubPublisher


async def _publish(args: argparse.Namespace) -> None:
    loop = asyncio.get_running_loop()
    done = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, done.set)
    loop.add_signal_handler(signal.SIGINT, done.set)

    def on_stdin() -> None:
        # Only EOF matters: the parent closing our stdin (or dying) means "stop".
        if not os.read(sys.stdin.fileno(), 4096):
            done.set()

    loop.add_reader(sys.stdin.fileno(), on_stdin)

    publisher = HubPublisher(
        office_id=args.office,
        office_name=args.name,
        hub_id=args.hub,
        port=args.port,
        interfaces=[args.bind],
    )
    await publisher.start()
    try:
        ready = {"name": publisher.info.name, "host": args.bind, "port": args.port}
        print("READY", json.dumps(ready), flush=True)
        await done.wait()
    finally:
        loop.remove_reader(sys.stdin.fileno())
        await publisher.stop()
    print("STOPPED", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--office", required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--hub", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--bind", required=True, help="address of the one interface to use")
    asyncio.run(_publish(parser.parse_args()))


if __name__ == "__main__":
    main()
