"""`montour ticket`: issue and print one ticket from the shell (installers test a printer).

    montour ticket --service A --printer tcp://192.168.1.50:9100            # stored pairing
    montour ticket --hub http://hub:8470 --pair 1234-5678 --service A --printer usb:04b8:0e15

The ticket is issued on the hub first (it is real: it joins the queue), then printed through
the kiosk's print worker. Exit 0 when printed; 2 with a message otherwise, saying whether a
ticket was issued and its number, so that nobody waits for a ticket that never printed.
Only argparse is imported until the command runs.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

PRINTER_HELP = ("usb:VID:PID, serial:/dev/ttyUSB0?baudrate=19200, tcp://HOST:9100, "
                "file:/dev/usb/lp0, cups:NAME or preview:DIR")  # fmt: skip
DEVICE_NAME = "montour ticket"


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "ticket", help="issue and print one ticket from the shell (to test a printer)",
        description="Issue one real ticket on the hub and print it, to test a printer. Uses "
        "this machine's kiosk pairing, or --token, or pairs now with --pair.",
    )  # fmt: skip
    p.add_argument("--hub", help="the hub's address (default: the one stored at pairing)")
    p.add_argument("--service", required=True, help="the service's code, e.g. A")
    p.add_argument("--priority", action="store_true", help="issue a priority ticket")
    p.add_argument("--lang", default="fr", help="the ticket's language (default: fr)")
    p.add_argument("--printer", required=True, help=f"the printer's address: {PRINTER_HELP}")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--token", help="a kiosk token (from `montour hub token --role kiosk`); "
                     "write --token=TOKEN, as a token may start with '-'")  # fmt: skip
    who.add_argument("--pair", metavar="CODE", help="pair as a kiosk with this one-time code "
                     "(from `montour hub pair --role kiosk`) and keep the pairing")  # fmt: skip
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import asyncio

    from kiosk.printing import PrinterUriError, PrintWorker
    from kiosk.ticket_layout import TicketDataError, layout, ticket_info
    from shared.client.api import ClientError
    from shared.core.errors import MontourError

    try:
        worker = PrintWorker(args.printer)  # a bad address fails before any ticket is issued
    except PrinterUriError as exc:
        raise MontourError(str(exc)) from exc
    try:
        ticket, office = asyncio.run(_issue(args))
    except ClientError as exc:
        raise MontourError(f"No ticket was issued: {exc.message}{_hint(exc)}") from exc
    label = ticket.get("label", "?")
    try:
        info = ticket_info(ticket, office, args.lang)
    except TicketDataError as exc:
        raise MontourError(f"Ticket {label} was issued, but cannot be printed: {exc}") from exc
    print(f"Ticket {label} issued: {info.service_name}, number {info.position} in line.")
    if not info.page_url:
        print("The hub gave no phone page address: the ticket has no QR code.")
    worker.start()
    try:
        result = worker.print(layout(info)).result()
    finally:
        worker.stop()
    if not result.ok:
        print(f"montour: the printer failed ({result.state}): {result.message}\n"
              f"Ticket {label} was issued anyway: give the visitor the number {label}.",
              file=sys.stderr)  # fmt: skip
        return 2
    print(f"Printed: {result.message} (printer state {result.state}, {result.bytes_sent} bytes).")
    return 0


async def _issue(args: argparse.Namespace) -> tuple[dict[str, Any], dict[str, Any]]:
    from shared.client.api import HubClient

    hub_url, token = await _pairing(args)
    async with HubClient(hub_url, token) as hub:
        ticket = await hub.issue(args.service, priority=args.priority, lang=args.lang)
        office = await hub.office()
    return ticket, office


async def _pairing(args: argparse.Namespace) -> tuple[str, str]:
    """The hub and token to use: given, paired now, or stored at an earlier pairing."""
    from shared.client import credentials
    from shared.client.api import HubClient
    from shared.core.errors import MontourError

    stored = credentials.load("kiosk")
    hub_url = (args.hub or (stored.hub_url if stored else "")).rstrip("/")
    if not hub_url:
        raise MontourError("Which hub? Give --hub URL (this machine has no stored pairing).")
    if args.token:
        return hub_url, args.token
    if args.pair:
        async with HubClient(hub_url) as hub:
            answer = await hub.pair(args.pair, DEVICE_NAME)
        if answer.get("role") != "kiosk":
            raise MontourError(f"That code pairs a {answer.get('role')}, not a kiosk: make one "
                               "with `montour hub pair --role kiosk`.")  # fmt: skip
        saved = credentials.save(credentials.Credentials(
            "kiosk", str(answer.get("office", "")), hub_url, str(answer["token"]), DEVICE_NAME
        ))  # fmt: skip
        print(f"Paired with {hub_url} as a kiosk; pairing kept in {saved}.")
        return hub_url, str(answer["token"])
    if stored is None:
        raise MontourError("This machine is not paired as a kiosk: give --pair CODE (from "
                           "`montour hub pair --role kiosk`) or --token TOKEN.")  # fmt: skip
    return hub_url, stored.token


def _hint(exc: Any) -> str:
    if getattr(exc, "status", 0) in (401, 403):
        return " (pair this machine again with --pair CODE, or give a kiosk --token)"
    return ""
