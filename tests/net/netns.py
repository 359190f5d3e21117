"""Two throw-away network namespaces joined by a veth pair, for tests that need a real network.

Everything lives inside namespaces this helper creates: the host's own interfaces, routes and
multicast never see the traffic. Names carry the pid and a random token so parallel runs do
not collide, and everything is removed in ``finally`` even when setup fails half-way.
Needs root and iproute2 (``ip``).
"""

from __future__ import annotations

import os
import random
import secrets
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

# Setup is a handful of netlink calls; anything slower means a wedged system.
IP_COMMAND_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class VethPair:
    """Namespace ``ns_a`` holds ``addr_a`` and ``ns_b`` holds ``addr_b``, on one /24."""

    ns_a: str
    ns_b: str
    addr_a: str
    addr_b: str

    def exec_prefix(self, ns: str) -> list[str]:
        """The argv prefix that runs a command inside namespace ``ns``."""
        return ["ip", "netns", "exec", ns]


def _ip(*args: str) -> None:
    subprocess.run(
        ["ip", *args], check=True, capture_output=True, text=True, timeout=IP_COMMAND_TIMEOUT_S
    )


def _ip_quiet(*args: str) -> None:
    # Cleanup must go on past a step that fails (the thing may never have been created).
    subprocess.run(["ip", *args], check=False, capture_output=True, timeout=IP_COMMAND_TIMEOUT_S)


def skip_without_netns() -> None:
    """Skip the calling test, saying why, where namespaces cannot be created."""
    reason = netns_unavailable_reason()
    if reason is not None:
        pytest.skip(reason)


def netns_unavailable_reason() -> str | None:
    """Why namespaces cannot be used here, or None when they can."""
    if os.geteuid() != 0:
        return "network namespace tests need root (ip netns add)"
    if shutil.which("ip") is None:
        return "network namespace tests need iproute2 ('ip' not found)"
    probe = subprocess.run(
        ["ip", "netns", "list"], check=False, capture_output=True, timeout=IP_COMMAND_TIMEOUT_S
    )
    if probe.returncode != 0:
        return f"'ip netns' is unavailable: {probe.stderr.decode(errors='replace').strip()}"
    return None


@contextmanager
def veth_pair() -> Iterator[VethPair]:
    """Create namespaces a and b joined by veth on a random 10.200-250.x.0/24, then remove them."""
    token = f"{os.getpid()}{secrets.token_hex(2)}"
    ns_a, ns_b = f"montour-{token}-a", f"montour-{token}-b"
    # Interface names are limited to 15 characters.
    veth_a, veth_b = f"mt{token}a"[:15], f"mt{token}b"[:15]
    subnet = f"10.{random.randint(200, 250)}.{random.randint(0, 255)}"
    pair = VethPair(ns_a=ns_a, ns_b=ns_b, addr_a=f"{subnet}.1", addr_b=f"{subnet}.2")
    created: list[str] = []
    try:
        for ns in (ns_a, ns_b):
            _ip("netns", "add", ns)
            created.append(ns)
        _ip("link", "add", veth_a, "type", "veth", "peer", "name", veth_b)
        _ip("link", "set", veth_a, "netns", ns_a)
        _ip("link", "set", veth_b, "netns", ns_b)
        for ns, veth, addr in ((ns_a, veth_a, pair.addr_a), (ns_b, veth_b, pair.addr_b)):
            _ip("-n", ns, "addr", "add", f"{addr}/24", "dev", veth)
            _ip("-n", ns, "link", "set", "lo", "up")
            _ip("-n", ns, "link", "set", veth, "up")
        yield pair
    finally:
        # A veth still in the host namespace (setup failed before the move) needs its own
        # delete; once moved, deleting the namespace deletes it and its peer.
        _ip_quiet("link", "del", veth_a)
        for ns in reversed(created):
            _ip_quiet("netns", "del", ns)
    # Reached only when nothing else is propagating: never mask the test's own failure.
    leftovers = _existing_namespaces(created)
    if leftovers:
        raise RuntimeError(f"could not remove network namespaces {leftovers}")


def _existing_namespaces(names: Sequence[str]) -> list[str]:
    listing = subprocess.run(
        ["ip", "netns", "list"],
        check=False,
        capture_output=True,
        text=True,
        timeout=IP_COMMAND_TIMEOUT_S,
    ).stdout
    present = {line.split()[0] for line in listing.splitlines() if line.strip()}
    return [name for name in names if name in present]
