"""A real hub database holding 40 simulated days of the reference office (seeds 1000–1039)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from shared.config import OfficeConfig, load
from shared.core.events import Event
from tests import simdb

ROOT = Path(__file__).resolve().parent.parent.parent
REFERENCE = ROOT / "assets" / "sim" / "reference-office.toml"
FIRST_DAY = date(2026, 1, 5)  # a Monday
DAYS = 40


@pytest.fixture(scope="session")
def office() -> OfficeConfig:
    return load(REFERENCE)


@pytest.fixture(scope="session")
def hub_days(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[date, list[Event]]]:
    """The database file, and each day's events as stored (for independent counts)."""
    path = tmp_path_factory.mktemp("hub") / "office.db"
    played = simdb.fill(path, simdb.weekdays(DAYS, FIRST_DAY), ZoneInfo("Europe/Paris"))
    return path, {sim.day: [e for _, e in sim.events] for sim in played}


@pytest.fixture(scope="session")
def report_dir(
    hub_days: tuple[Path, dict[date, list[Event]]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """`montour report` run once on the whole 40 days, in French."""
    from shared.cli import main

    out = tmp_path_factory.mktemp("report")
    last = max(hub_days[1])
    rc = main(
        [
            "report",
            "--db",
            str(hub_days[0]),
            "--from",
            FIRST_DAY.isoformat(),
            "--to",
            last.isoformat(),
            "--out",
            str(out),
            "--config",
            str(REFERENCE),
        ]
    )
    assert rc == 0
    yield out
