from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from shared import config
from shared.core.errors import ConfigError
from shared.core.model import CounterId
from shared.core.numbering import label_for, office_day
from tests.core.conftest import ROOT

EXAMPLE = ROOT / "assets" / "office.example.toml"


def raw() -> dict:
    return tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))


def test_the_example_office_loads() -> None:
    c = config.load(EXAMPLE)
    assert c.id == "fs-villeneuve" and c.languages[0] == "fr"
    assert len(c.rules.services) == 4 and len(c.rules.counters) == 6
    assert [k.id for k in c.rules.counters.values() if k.accessible] == ["G3"]
    assert c.hours["mon"] == ((time(8, 30), time(12, 0)), (time(13, 30), time(16, 30)))
    assert "sat" not in c.hours
    g6 = c.rules.counters[CounterId("G6")]
    assert g6.shift == (time(9, 0), time(16, 0))
    assert g6.breaks == ((time(10, 30), 15), (time(14, 30), 15))
    assert c.rules.counters[CounterId("G1")].shift is None  # the office hours
    assert c.rules.counters[CounterId("G1")].breaks == ()


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda r: r["services"][1].update(mean_service_min="4"), r"services\[1\].mean_service_min"),
        (lambda r: r["counters"][2].update(services=["A", "Z"]), r"counters\[2\].services: unknown service 'Z'"),
        (lambda r: r["office"].update(timezone="Europe/Nowhere"), r"office.timezone: .*unknown time zone"),
        (lambda r: r["office"].update(colour="blue"), r"office.colour: Extra inputs"),
        (lambda r: r["hours"].update(mon=[["12:00", "08:30"]]), r"hours.mon\[0\]: starts at 12:00"),
        (lambda r: r["hours"].update(mon=[["25:00", "26:00"]]), r"hours.mon\[0\]\[0\]"),
        (lambda r: r["services"][1].update(code="A"), r"services\[0\].code: 'A' is used by more"),
        (lambda r: r["policy"].update(kind="random"), r"policy.kind"),
        (lambda r: r.pop("counters"), r"counters: Field required"),
        (lambda r: r["counters"][0].update(shift=["16:00", "09:00"]), r"counters\[0\].shift: starts at 16:00"),
        (lambda r: r["counters"][0].update(shift=["09:00"]), r"counters\[0\].shift: .*at least 2"),
        (lambda r: r["counters"][5].update(breaks=[{"at": "08:00", "minutes": 15}]), r"counters\[5\].breaks\[0\].at: 08:00 is outside the shift"),
        (lambda r: r["counters"][0].update(breaks=[{"at": "12:00", "minutes": 45}, {"at": "12:30", "minutes": 15}]), r"counters\[0\].breaks\[1\].at: 12:30 overlaps"),
        (lambda r: r["counters"][0].update(breaks=[{"at": "10:00", "minutes": 0}]), r"counters\[0\].breaks\[0\].minutes"),
        (lambda r: r["counters"][0].update(breaks=[{"at": "10:00", "minutes": 15, "why": "x"}]), r"counters\[0\].breaks\[0\].why: Extra inputs"),
        (lambda r: r["counters"][0].update(breaks=[{"at": "10h00", "minutes": 15}]), r"counters\[0\].breaks\[0\].at"),
    ],
)  # fmt: skip
def test_validation_errors_name_the_key(mutate, message) -> None:
    r = raw()
    mutate(r)
    with pytest.raises(ConfigError, match=message):
        config.parse(r)


def test_unreadable_and_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        config.load(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[office\nid = 1", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        config.load(bad)


def test_the_opening_day_is_the_offices_not_utcs() -> None:
    paris, noumea = ZoneInfo("Europe/Paris"), ZoneInfo("Pacific/Noumea")
    late = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)  # 00:30 on Dec 1st in Paris
    assert office_day(late, paris) == date(2026, 12, 1)
    assert office_day(datetime(2026, 11, 30, 12, 30, tzinfo=UTC), noumea) == date(2026, 11, 30)
    with pytest.raises(ValueError):
        office_day(datetime(2026, 11, 30), paris)
    assert (label_for("A", 42), label_for("B", 1000)) == ("A042", "B1000")
