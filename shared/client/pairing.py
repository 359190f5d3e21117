"""Pairing a device with its hub, once: find the hub (or take its address), trade the one-time
code for a token, check the code was made for this role, and keep the credentials."""

from __future__ import annotations

from pathlib import Path

from shared.client import credentials
from shared.client.api import ClientError, HubClient
from shared.client.credentials import Credentials
from shared.discovery import DiscoveryError, Interfaces, find_hub


async def pair_with_hub(
    role: str, code: str, name: str, hub_url: str | None, discovery: Interfaces,
    directory: Path | None = None,
) -> Credentials:  # fmt: skip
    """Pair, save the credentials, and return them. Raises ClientError: the hub's refusal
    ("unauthorized" for a wrong, used or expired code), "unreachable" (no hub found) or
    "wrong_role" (a code made for another kind of device)."""
    try:
        url = hub_url or (await find_hub(None, discovery)).url
    except DiscoveryError as exc:
        raise ClientError(0, "unreachable", str(exc)) from exc
    async with HubClient(url) as hub:
        answer = await hub.pair(code, name)
        if answer.get("role") != role:
            raise ClientError(
                0, "wrong_role", f"This code pairs a {answer.get('role')}, not a {role}."
            )
        office = str((await hub.office())["id"])
    creds = Credentials(role, office, url, str(answer["token"]), name)
    credentials.save(creds, directory)
    return creds
