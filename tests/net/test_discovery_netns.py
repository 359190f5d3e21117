"""Discovery across a real (virtual) network: hub advertised in namespace a, found from b.

Each side is its own process in its own namespace, so the packets cross a veth link exactly as
they would cross an office switch, and nothing reaches the host's network.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import pytest

from shared.discovery import API_VERSION
from tests.net.netns import VethPair, skip_without_netns, veth_pair

REPO_ROOT = Path(__file__).resolve().parents[2]
# Python start-up plus mDNS probing (~0.75 s) on a slow CI machine.
PUBLISH_READY_TIMEOUT_S = 15.0
# Across a veth pair discovery takes 0.03-0.12 s; the margin is for a loaded machine.
FIND_TIMEOUT_S = 5.0
# Without an office id find_hub watches the whole window. An answer can be held back ~1 s
# when the hub multicast its records in the last second (RFC 6762 §14), as it just did.
ONLY_HUB_WINDOW_S = 3.0
# A live hub answers in 0.03-0.12 s here; this is many times that, and keeps the test quick.
ABSENT_TIMEOUT_S = 1.5
PROCESS_EXIT_TIMEOUT_S = 10.0


class LineReader:
    """Reads a subprocess's stdout line by line with a deadline, never blocking past it."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._fd = stream.fileno()
        self._buffer = b""

    def read_line(self, timeout_s: float) -> str | None:
        """The next line, or None on EOF or when the deadline passes first."""
        deadline = time.monotonic() + timeout_s
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            readable, _, _ = select.select([self._fd], [], [], remaining)
            if not readable:
                continue
            chunk = os.read(self._fd, 4096)
            if not chunk:
                return None
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line.decode()


@contextmanager
def running(argv: list[str], stderr_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Start a process; whatever happens, it is killed and reaped on the way out."""
    with stderr_path.open("wb") as stderr:
        proc = subprocess.Popen(
            argv, cwd=REPO_ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr
        )
        try:
            yield proc
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=PROCESS_EXIT_TIMEOUT_S)
            for stream in (proc.stdin, proc.stdout):
                if stream is not None:
                    stream.close()


@pytest.fixture
def netns_pair() -> Iterator[VethPair]:
    """Fresh namespaces per test, removed afterwards; skips where they cannot be created."""
    skip_without_netns()
    with veth_pair() as pair:
        yield pair


def publisher_argv(pair: VethPair, *, office: str, hub_id: str, port: int) -> list[str]:
    return [
        *pair.exec_prefix(pair.ns_a),
        sys.executable,
        "-m",
        "tests.net._publish",
        "--office",
        office,
        "--name",
        f"Bureau {office}",
        "--hub",
        hub_id,
        "--port",
        str(port),
        "--bind",
        pair.addr_a,
    ]


def wait_ready(proc: subprocess.Popen[bytes], reader: LineReader, stderr_path: Path) -> None:
    line = reader.read_line(PUBLISH_READY_TIMEOUT_S)
    if line is None or not line.startswith("READY "):
        proc.kill()
        proc.wait(timeout=PROCESS_EXIT_TIMEOUT_S)
        pytest.fail(f"publisher not ready (got {line!r}); stderr:\n{stderr_path.read_text()}")


def browse_from_b(pair: VethPair, office: str | None, timeout_s: float) -> dict[str, Any]:
    """Run find_hub in namespace b, in its own process, and return its JSON verdict."""
    argv = [
        *pair.exec_prefix(pair.ns_b),
        sys.executable,
        "-m",
        "tests.net._browse",
        "--bind",
        pair.addr_b,
        "--timeout",
        str(timeout_s),
    ]
    if office is not None:
        argv += ["--office", office]
    # subprocess.run kills the child if it overruns.
    done = subprocess.run(
        argv, cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout_s + 15.0
    )
    assert done.returncode == 0, f"browser crashed:\n{done.stderr}"
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_hub_in_a_is_found_from_b_then_lost_when_killed(
    netns_pair: VethPair, tmp_path: Path
) -> None:
    stderr_path = tmp_path / "publisher.stderr"
    argv = publisher_argv(netns_pair, office="mairie-12", hub_id="c0ffee00ab", port=8431)
    with running(argv, stderr_path) as publisher:
        assert publisher.stdout is not None
        wait_ready(publisher, LineReader(publisher.stdout), stderr_path)

        found = browse_from_b(netns_pair, "mairie-12", FIND_TIMEOUT_S)
        assert "hub" in found, found
        assert found["hub"] == {
            "office_id": "mairie-12",
            "office_name": "Bureau mairie-12",
            "api_version": API_VERSION,
            "hub_id": "c0ffee00ab",
            "host": netns_pair.addr_a,
            "port": 8431,
        }

        # SIGKILL: no goodbye packet, the hub simply stops answering.
        publisher.kill()
        publisher.wait(timeout=PROCESS_EXIT_TIMEOUT_S)

    lost = browse_from_b(netns_pair, "mairie-12", ABSENT_TIMEOUT_S)
    assert lost["error"] == "NoHubFound", lost
    assert "'mairie-12'" in lost["message"]
    assert netns_pair.addr_b in lost["message"]
    assert "--hub" in lost["message"]


def test_only_hub_is_found_without_office_id_and_stops_cleanly(
    netns_pair: VethPair, tmp_path: Path
) -> None:
    stderr_path = tmp_path / "publisher.stderr"
    argv = publisher_argv(netns_pair, office="prefecture-3", hub_id="5eed5eed77", port=8432)
    with running(argv, stderr_path) as publisher:
        assert publisher.stdin is not None and publisher.stdout is not None
        reader = LineReader(publisher.stdout)
        wait_ready(publisher, reader, stderr_path)

        found = browse_from_b(netns_pair, None, ONLY_HUB_WINDOW_S)
        assert "hub" in found, found
        assert found["hub"]["office_id"] == "prefecture-3"
        assert found["hub"]["host"] == netns_pair.addr_a
        assert found["hub"]["port"] == 8432

        # Closing stdin is the publisher's "stop": it sends goodbyes and exits cleanly.
        publisher.stdin.close()
        assert reader.read_line(PROCESS_EXIT_TIMEOUT_S) == "STOPPED", stderr_path.read_text()
        assert publisher.wait(timeout=PROCESS_EXIT_TIMEOUT_S) == 0, stderr_path.read_text()
