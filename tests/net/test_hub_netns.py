"""The real hub in namespace a, a real client in namespace b, joined by a veth pair.

The hub is the `montour hub` command with discovery on every interface, which inside namespace
a means its loopback and its end of the veth, nothing of the host. The client
(tests/net/_client.py) finds it by office id, keeps the live feed open and issues one ticket; it
prints one JSON line per thing it sees, and the test reads those lines with deadlines.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from shared import config
from shared.cli import EXAMPLE_CONFIG
from shared.discovery import API_VERSION
from tests.net.netns import VethPair, skip_without_netns, veth_pair
from tests.net.test_discovery_netns import LineReader, running

pytestmark = [pytest.mark.net, pytest.mark.timeout(60)]

OFFICE_ID = config.load(EXAMPLE_CONFIG).id
# The console script of this venv: the CLI as an office runs it.
MONTOUR = Path(sys.executable).with_name("montour")
# Python start-up, opening the database and mDNS probing (~1 s) on a slow CI machine.
HUB_READY_TIMEOUT_S = 15.0
CLI_TIMEOUT_S = 30.0
PROCESS_EXIT_TIMEOUT_S = 10.0
# Start-up, a browse (0.03-0.12 s across a veth), the WebSocket and the first snapshot.
CLIENT_CONNECT_TIMEOUT_S = 10.0
# The issued ticket and its event come back in milliseconds; this is margin for a loaded machine.
TICKET_TIMEOUT_S = 5.0
# Once the new hub is ready: one browse window (6 s) that may have started before it was
# announced, then a retry after the client's short backoff (1 s at most).
REHOME_TIMEOUT_S = 15.0
_READY = re.compile(r"Montour hub ready: (http://\S+)")

# Shorter than const's defaults, so that a lost hub is noticed and found again quickly.
CLIENT_TIMING = ["--heartbeat", "3.5", "--reconnect-initial", "0.2", "--reconnect-max", "1"]


@dataclass(frozen=True)
class Hub:
    proc: subprocess.Popen[bytes]
    url: str

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])


@pytest.fixture
def netns_pair() -> Iterator[VethPair]:
    """Fresh namespaces per test, removed afterwards; skips where they cannot be created."""
    skip_without_netns()
    with veth_pair() as pair:
        yield pair


def start_hub(stack: ExitStack, pair: VethPair, db: Path, stderr_path: Path) -> Hub:
    """`montour hub` in namespace a on a free port; killed when ``stack`` closes."""
    assert MONTOUR.exists(), f"the montour console script is not installed next to {sys.executable}"
    argv = [
        *pair.exec_prefix(pair.ns_a),
        str(MONTOUR),
        "hub",
        "--config", str(EXAMPLE_CONFIG),
        "--db", str(db),
        "--host", pair.addr_a,
        "--port", "0",
        "--discovery", "all",
    ]  # fmt: skip
    proc = stack.enter_context(running(argv, stderr_path))
    assert proc.stdout is not None
    # The ready line is all the hub prints on stdout (its logs go to stderr), so the pipe
    # cannot fill up once it has been read.
    line = LineReader(proc.stdout).read_line(HUB_READY_TIMEOUT_S)
    match = _READY.search(line or "")
    if match is None:
        proc.kill()
        proc.wait(timeout=PROCESS_EXIT_TIMEOUT_S)
        pytest.fail(f"hub not ready (got {line!r}); stderr:\n{stderr_path.read_text()}")
    return Hub(proc, match.group(1))


def has(line: dict[str, Any], **fields: object) -> bool:
    """Whether a client line holds all these fields with these values."""
    return all(line.get(key) == value for key, value in fields.items())


def device_token(db: Path, role: str, name: str) -> str:
    """`montour hub token`: it only touches the database file, so it runs in the host namespace."""
    done = subprocess.run(
        [str(MONTOUR), "hub", "token", "--db", str(db), "--role", role, "--name", name],
        capture_output=True, text=True, timeout=CLI_TIMEOUT_S, check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"montour hub token failed:\n{done.stdout}{done.stderr}"
    return done.stdout.strip().splitlines()[-1]


class Client:
    """tests/net/_client.py in namespace b, and every line it printed so far."""

    def __init__(self, stack: ExitStack, pair: VethPair, db: Path, stderr_path: Path) -> None:
        argv = [
            *pair.exec_prefix(pair.ns_b),
            sys.executable, "-m", "tests.net._client",
            "--bind", pair.addr_b,
            "--office", OFFICE_ID,
            # "=": a url-safe token may start with "-", which argparse takes for an option.
            f"--counter-token={device_token(db, 'counter', 'Guichet 1')}",
            f"--kiosk-token={device_token(db, 'kiosk', 'Borne hall')}",
            *CLIENT_TIMING,
        ]  # fmt: skip
        self.proc = stack.enter_context(running(argv, stderr_path))
        assert self.proc.stdout is not None
        self._reader = LineReader(self.proc.stdout)
        self._stderr_path = stderr_path
        self.lines: list[dict[str, Any]] = []

    def wait_for(
        self, what: str, predicate: Callable[[dict[str, Any]], bool], timeout_s: float,
        after: int = -1,
    ) -> int:  # fmt: skip
        """Index of the first line after index ``after`` that satisfies ``predicate``."""
        deadline = time.monotonic() + timeout_s
        checked = after + 1
        while True:
            for index in range(checked, len(self.lines)):
                if predicate(self.lines[index]):
                    return index
            checked = len(self.lines)
            line = self._reader.read_line(max(0.0, deadline - time.monotonic()))
            if line is None:
                pytest.fail(
                    f"the client printed no {what} within {timeout_s:g} s.\n"
                    f"Its lines:\n{self.transcript()}\nIts stderr:\n{self._stderr_path.read_text()}"
                )
            try:
                self.lines.append(json.loads(line))
            except ValueError:
                pytest.fail(f"the client printed a line that is not JSON: {line!r}")

    def status(self, status: str, what: str, timeout_s: float, after: int = -1) -> int:
        return self.wait_for(
            what, lambda line: has(line, kind="status", status=status), timeout_s, after
        )

    def stop(self) -> None:
        """Close stdin, the client's "stop": it must end its stream and exit cleanly."""
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.wait_for(
            "stopped line", lambda line: line["kind"] == "stopped", PROCESS_EXIT_TIMEOUT_S
        )
        assert self.proc.wait(timeout=PROCESS_EXIT_TIMEOUT_S) == 0, self._stderr_path.read_text()

    def transcript(self, after: int = -1) -> str:
        return "\n".join(
            f"  {i}: {json.dumps(line)}" for i, line in enumerate(self.lines) if i > after
        )


def connect_and_issue(client: Client, hub: Hub) -> tuple[int, str]:
    """Wait for the client to be live on ``hub`` and to see its own ticket issued.

    Returns the index of the TicketIssued event line and the ticket's id.
    """
    connected = client.status("connected", "'connected' status", CLIENT_CONNECT_TIMEOUT_S)
    assert client.lines[connected]["detail"] == hub.url, client.transcript()
    snapshot = client.wait_for(
        "snapshot", lambda line: line["kind"] == "snapshot", TICKET_TIMEOUT_S, after=connected
    )
    issued = client.wait_for(
        "issue outcome", lambda line: line["kind"] in ("issued", "issue_error"), TICKET_TIMEOUT_S
    )
    assert client.lines[issued]["kind"] == "issued", client.transcript()
    ticket = client.lines[issued]["id"]

    event = client.wait_for(
        "TicketIssued event",
        lambda line: has(line, kind="event", type="TicketIssued", ticket=ticket),
        TICKET_TIMEOUT_S,
        after=snapshot,
    )
    assert client.lines[event]["seq"] > client.lines[snapshot]["seq"]
    assert not [line for line in client.lines[connected + 1 : event] if line["kind"] == "status"], (
        f"the link did not stay up:\n{client.transcript()}"
    )
    return event, ticket


def test_client_in_b_discovers_the_hub_in_a_and_follows_its_events(
    netns_pair: VethPair, tmp_path: Path
) -> None:
    db = tmp_path / "hub.db"
    with ExitStack() as stack:
        hub = start_hub(stack, netns_pair, db, tmp_path / "hub.stderr")
        client = Client(stack, netns_pair, db, tmp_path / "client.stderr")

        found = client.wait_for(
            "discovery result", lambda line: line["kind"] == "found", CLIENT_CONNECT_TIMEOUT_S
        )
        announcement = client.lines[found]["hub"]
        assert announcement["office_id"] == OFFICE_ID
        assert announcement["api_version"] == API_VERSION
        assert (announcement["host"], announcement["port"]) == (netns_pair.addr_a, hub.port)

        _, ticket = connect_and_issue(client, hub)
        # The database was new: the first snapshot held nothing, the ticket came as an event.
        first_snapshot = next(line for line in client.lines if line["kind"] == "snapshot")
        assert ticket not in first_snapshot["tickets"]

        client.stop()


def test_client_finds_the_hub_again_after_it_restarts_on_another_port(
    netns_pair: VethPair, tmp_path: Path
) -> None:
    db = tmp_path / "hub.db"
    with ExitStack() as stack:
        old = start_hub(stack, netns_pair, db, tmp_path / "hub-1.stderr")
        client = Client(stack, netns_pair, db, tmp_path / "client.stderr")
        before_kill, ticket = connect_and_issue(client, old)

        # A crash: no goodbye packet, so the old advert (old port) would live on in caches.
        old.proc.kill()
        old.proc.wait(timeout=PROCESS_EXIT_TIMEOUT_S)
        new = start_hub(stack, netns_pair, db, tmp_path / "hub-2.stderr")
        # bind(0) picks a random free port; the same one twice is a ~1 in 10,000 chance.
        assert new.port != old.port, "the kernel gave the same port again: rerun the test"

        lost = client.status("disconnected", "'disconnected' status", TICKET_TIMEOUT_S, before_kill)
        back = client.status("connected", "'connected' status", REHOME_TIMEOUT_S, lost)
        located = [line["url"] for line in client.lines[lost:back] if line["kind"] == "locate"]
        assert client.lines[back]["detail"] == new.url, (
            f"reconnected to {client.lines[back]['detail']}, not to the new hub at {new.url};"
            f" locate returned {located}"
        )
        assert located[-1] == new.url, located

        snapshot = client.wait_for(
            "snapshot", lambda line: line["kind"] == "snapshot", TICKET_TIMEOUT_S, after=back
        )
        # The ticket was committed before the crash, so the new hub still has it.
        assert ticket in client.lines[snapshot]["tickets"], client.transcript(before_kill)

        client.stop()
