"""`montour ticket` end to end: a real hub process on loopback, the real command, real output.

Every run gets its own configuration, data and cache directories (XDG_*), so the pairing it
stores never touches the developer's own.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from kiosk.ticket_render import PAPER_DOTS
from tests.hubproc import REPO_ROOT, HubProcess

CLI_TIMEOUT_S = 60


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    process = HubProcess(tmp_path_factory.mktemp("hub") / "hub.db")
    process.start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def home(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        env[name] = str(tmp_path / name.lower())
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return env


def montour(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "shared.cli", "--log-level", "warning", "ticket", *args],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=CLI_TIMEOUT_S,
        check=False,
    )  # fmt: skip


def waiting(hub: HubProcess, service: str) -> int:
    queue = httpx.get(f"{hub.url}/api/v1/queue", timeout=10).json()
    count: int = queue["services"][service]["waiting"]
    return count


def issued_label(stdout: str) -> str:
    match = re.search(r"Ticket ([A-Z]\d{3,}) issued", stdout)
    assert match, stdout
    return match.group(1)


def test_issue_and_preview_a_ticket_with_a_token(
    hub: HubProcess, home: dict[str, str], tmp_path: Path
) -> None:
    before = waiting(hub, "B")
    token = hub.token("kiosk", "installer")
    run = montour(home, "--hub", hub.url, f"--token={token}", "--service", "B",
                  "--printer", f"preview:{tmp_path / 'previews'}")  # fmt: skip
    assert run.returncode == 0, run.stderr
    label = issued_label(run.stdout)
    assert "printer state unknown" in run.stdout
    (png,) = (tmp_path / "previews").iterdir()
    assert png.name.startswith(f"{label}-") and png.name.endswith(".png")
    with Image.open(png) as image:
        assert image.width == PAPER_DOTS and image.height > 1000
    assert waiting(hub, "B") == before + 1  # a real ticket, in the real queue


def test_print_to_a_file_in_arabic(hub: HubProcess, home: dict[str, str], tmp_path: Path) -> None:
    token = hub.token("kiosk", "installer")
    out = tmp_path / "lp0"
    run = montour(home, "--hub", hub.url, f"--token={token}", "--service", "C", "--lang", "ar",
                  "--printer", f"file:{out}")  # fmt: skip
    assert run.returncode == 0, run.stderr
    label = issued_label(run.stdout)
    data = out.read_bytes()
    assert data.startswith(b"\x1b@") and data.endswith(b"\x1dV\x00")
    assert f"{label}\n".encode() in data  # the number stays printer text
    assert re.search(rb"\x1d\(k..1P0" + re.escape(hub.url.encode()) + rb"/t/[\w-]{20,}", data)
    assert b"\x1dv0" in data  # the Arabic lines as raster images
    assert f"{len(data)} bytes" in run.stdout


def test_pair_once_then_use_the_stored_pairing(
    hub: HubProcess, home: dict[str, str], tmp_path: Path
) -> None:
    code = hub.pairing_code("kiosk")
    first = montour(home, "--hub", hub.url, "--pair", code, "--service", "A",
                    "--printer", f"preview:{tmp_path}")  # fmt: skip
    assert first.returncode == 0, first.stderr
    stored = Path(home["XDG_CONFIG_HOME"]) / "montour" / "kiosk.json"
    assert "Paired with" in first.stdout and stored.is_file()
    assert stored.stat().st_mode & 0o077 == 0  # the token is readable by its owner only
    again = montour(home, "--service", "A", "--printer", f"preview:{tmp_path}")  # no --hub
    assert again.returncode == 0, again.stderr
    assert issued_label(again.stdout) != issued_label(first.stdout)
    assert len(list(tmp_path.glob("A*.png"))) == 2


def test_a_code_for_another_role_pairs_nothing(
    hub: HubProcess, home: dict[str, str], tmp_path: Path
) -> None:
    code = hub.pairing_code("counter")
    run = montour(home, "--hub", hub.url, "--pair", code, "--service", "A",
                  "--printer", f"preview:{tmp_path}")  # fmt: skip
    assert run.returncode == 2 and "pairs a counter, not a kiosk" in run.stderr
    assert not (Path(home["XDG_CONFIG_HOME"]) / "montour" / "kiosk.json").exists()


def test_a_failing_printer_says_the_ticket_was_issued_anyway(
    hub: HubProcess, home: dict[str, str]
) -> None:
    with socket.socket() as s:  # a port nobody listens on any more
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    before = waiting(hub, "D")
    token = hub.token("kiosk", "installer")
    run = montour(home, "--hub", hub.url, f"--token={token}", "--service", "D",
                  "--printer", f"tcp://127.0.0.1:{port}")  # fmt: skip
    assert run.returncode == 2
    label = issued_label(run.stdout)
    assert "the printer failed (offline)" in run.stderr
    assert f"Ticket {label} was issued anyway: give the visitor the number {label}." in run.stderr
    assert waiting(hub, "D") == before + 1


def test_a_bad_printer_address_issues_no_ticket(hub: HubProcess, home: dict[str, str]) -> None:
    before = waiting(hub, "A")
    token = hub.token("kiosk", "installer")
    run = montour(home, "--hub", hub.url, f"--token={token}", "--service", "A",
                  "--printer", "lpt1:")  # fmt: skip
    assert run.returncode == 2 and "Bad printer address 'lpt1:'" in run.stderr
    assert "tcp://HOST:9100" in run.stderr and run.stdout == ""
    assert waiting(hub, "A") == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--service", "A"], "Which hub? Give --hub URL"),
        (["--hub", "HUB", "--service", "A"], "not paired as a kiosk: give --pair CODE"),
        (["--hub", "HUB", "--token=not-a-token", "--service", "A"], "pair this machine again"),
        (["--hub", "HUB", "--token=TOKEN", "--service", "Z"], "No ticket was issued"),
    ],
)
def test_what_stops_a_ticket_is_said_plainly(
    hub: HubProcess, home: dict[str, str], tmp_path: Path, args: list[str], message: str
) -> None:
    token = hub.token("kiosk", "installer") if "--token=TOKEN" in args else ""
    args = [hub.url if a == "HUB" else a.replace("TOKEN", token) for a in args]
    run = montour(home, *args, "--printer", f"preview:{tmp_path}")
    assert run.returncode == 2 and message in run.stderr, run.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_unreachable_hub_issues_nothing(home: dict[str, str], tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    run = montour(home, "--hub", f"http://127.0.0.1:{port}", "--token=t", "--service", "A",
                  "--printer", f"preview:{tmp_path}")  # fmt: skip
    assert run.returncode == 2 and "No ticket was issued" in run.stderr
    assert "does not answer" in run.stderr


def test_help_lists_the_options() -> None:
    run = subprocess.run([sys.executable, "-m", "shared.cli", "ticket", "--help"], cwd=REPO_ROOT,
                         capture_output=True, text=True, timeout=CLI_TIMEOUT_S, check=False)  # fmt: skip
    assert run.returncode == 0
    for option in ("--hub", "--service", "--priority", "--lang", "--printer", "--token", "--pair"):
        assert option in run.stdout


def test_a_token_that_starts_with_a_dash_is_read_with_an_equals_sign() -> None:
    from shared.cli import _parser

    args = _parser().parse_args(["ticket", "--token=-x9", "--service", "A", "--printer", "file:x"])
    assert args.token == "-x9"
