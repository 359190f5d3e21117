"""The `montour` command as an installer or technician uses it."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
from pathlib import Path

import httpx

from tests.hubproc import REPO_ROOT, HubProcess

CLI = [sys.executable, "-m", "shared.cli"]


def montour(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, check=False
    )


def test_help_describes_every_command() -> None:
    top = montour("--help")
    assert top.returncode == 0
    for command in ("hub", "demo", "export"):
        assert command in top.stdout
    hub = montour("hub", "--help")
    for option in ("--config", "--db", "--host", "--port", "--discovery", "pair", "token"):
        assert option in hub.stdout


def processes_mentioning(text: str) -> list[int]:
    """The pids whose command line contains `text` (the demo's apps name its hub's URL)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if text in cmdline:
                found.append(int(entry.name))
    return found


def exited_within(pid: int, timeout_s: float) -> bool:
    """Wait for a process that is not our child to end (a pidfd becomes readable then)."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        return bool(select.select([fd], [], [], timeout_s)[0])
    finally:
        os.close(fd)


def test_demo_serves_the_example_office_on_loopback(tmp_path: Path) -> None:
    demo = subprocess.Popen(
        [*CLI, "demo", "--port", "0", "--db", str(tmp_path / "demo.db")],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert demo.stdout is not None
        url = None
        for line in demo.stdout:  # ends when the process does: a dead demo fails the test
            if line.startswith("Montour hub ready: "):
                url = line.split()[3]
                break
        assert url is not None and url.startswith("http://127.0.0.1:")
        assert "discovery loopback" in line
        office = httpx.get(f"{url}/api/v1/office", timeout=10).json()
        assert office["id"] == "fs-villeneuve" and len(office["counters"]) == 6
        # The demo opens the kiosk (offscreen here), paired with a fresh token: it says when
        # it shows the office's services (its log goes to the same output).
        waiting = {"kiosk ready", "counter ready"}
        for line in demo.stdout:
            waiting -= {w for w in waiting if w in line}
            if not waiting:
                break
        else:
            raise AssertionError(f"the demo's apps never became ready: {waiting}")
        apps = processes_mentioning(url)
        assert len(apps) == 3, apps  # the kiosk, the display and the counter
    finally:
        demo.terminate()
        demo.wait(10)
    # Stopping the demo stops its apps: none is left behind.
    for pid in apps:
        assert exited_within(pid, 10), f"the demo left process {pid} running"


def test_pair_token_and_export_on_the_hubs_database(tmp_path: Path) -> None:
    db = tmp_path / "hub.db"
    assert "No hub database" in montour("hub", "token", "--db", str(db), "--role", "kiosk",
                                        "--name", "k").stderr  # fmt: skip
    with HubProcess(db) as hub:
        code = montour("hub", "pair", "--db", str(db), "--role", "counter").stdout.split()[5]
        paired = httpx.post(f"{hub.url}/api/v1/pair", json={"code": code, "name": "G1"}).json()
        assert paired["role"] == "counter"
        kiosk = montour("hub", "token", "--db", str(db), "--role", "kiosk", "--name", "Hall")
        token = kiosk.stdout.strip()
        r = httpx.post(
            f"{hub.url}/api/v1/tickets", json={"service": "B"},
            headers={"Authorization": f"Bearer {token}"},
        )  # fmt: skip
        assert r.status_code == 201 and r.json()["label"] == "B001"
        bad = montour("hub", "token", "--db", str(db), "--role", "janitor", "--name", "x")
        assert bad.returncode == 2 and "Unknown role 'janitor'" in bad.stderr
    lines = montour("export", "events", "--db", str(db)).stdout.splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["seq"] for r in records] == list(range(1, len(records) + 1))
    assert records[0]["type"] == "DayOpened" and records[-1]["type"] == "TicketIssued"
    assert "token" in records[-1] and records[-1]["label"] == "B001"
