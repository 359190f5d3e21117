"""Run find_hub once and print the outcome as one JSON line.

    python -m tests.net._browse --bind ADDR [--office OFFICE] [--timeout SECONDS]

Prints ``{"hub": {...announcement...}, "elapsed_s": ...}`` on success, or
``{"error": "NoHubFound", "message": ..., "elapsed_s": ...}``; exits 0 either way so that the
test reads the answer rather than guessing from an exit code. Anything else is a crash.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import time

from shared.discovery import DiscoveryError, find_hub


async def _browse(args: argparse.Namespace) -> dict[str, object]:
    started = time.monotonic()
    try:
        hub = await find_hub(args.office, [args.bind], timeout_s=args.timeout)
    except DiscoveryError as exc:
        return {
            "error": type(exc).__name__,
            "message": str(exc),
            "elapsed_s": time.monotonic() - started,
        }
    return {"hub": dataclasses.asdict(hub), "elapsed_s": time.monotonic() - started}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bind", required=True, help="address of the one interface to use")
    parser.add_argument("--office", default=None)
    parser.add_argument("--timeout", type=float, required=True)
    print(json.dumps(asyncio.run(_browse(parser.parse_args()))), flush=True)


if __name__ == "__main__":
    main()
