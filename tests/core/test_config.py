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
from shared.core.slots import AppointmentPlan
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


APPOINTMENTS = """
[appointments]
horizon_days = 14
min_notice_min = 120
holidays = ["2026-12-25", 2027-01-01]
closures = [{ from = "2026-12-28", to = "2026-12-31" }]
[[appointments.services]]
service = "A"
modes = ["site", "phone", "video"]
slot_min = 20
capacity = 2
hours = { mon = [["09:00", "12:00"]], thu = [["14:00", "16:30"]] }
video_link = "https://visio.example.fr/montour-{ref}"
[[appointments.services]]
service = "C"
modes = ["phone"]
slot_min = 30
"""


def with_appointments() -> dict:
    return raw() | tomllib.loads(APPOINTMENTS)


def test_an_appointments_section_is_read() -> None:
    plan = config.parse(with_appointments()).appointments
    assert (plan.horizon_days, plan.min_notice_min) == (14, 120)
    assert plan.holidays == {date(2026, 12, 25), date(2027, 1, 1)}  # quoted or bare TOML dates
    assert plan.closures == ((date(2026, 12, 28), date(2026, 12, 31)),)
    a, c = plan.services["A"], plan.services["C"]
    assert (a.modes, a.slot_min, a.capacity) == (("site", "phone", "video"), 20, 2)
    assert a.hours == {"mon": ((time(9, 0), time(12, 0)),), "thu": ((time(14, 0), time(16, 30)),)}
    assert a.video_link == "https://visio.example.fr/montour-{ref}"
    assert (c.modes, c.capacity, c.video_link) == (("phone",), 1, "")
    assert c.hours == config.load(EXAMPLE).hours  # no hours of its own: the office's
    assert plan.closed(date(2026, 12, 31)) and not plan.closed(date(2027, 1, 2))


def test_without_the_section_the_office_takes_no_appointments() -> None:
    assert config.load(EXAMPLE).appointments == AppointmentPlan()
    assert AppointmentPlan().services == {}


def test_the_documented_appointments_example_is_valid() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    block = text[text.index("# [appointments]") :].splitlines()
    uncommented = "\n".join(line.removeprefix("#").removeprefix(" ") for line in block)
    plan = config.parse(raw() | tomllib.loads(uncommented)).appointments
    assert sorted(plan.services) == ["A", "C"]
    assert "{ref}" in plan.services["A"].video_link


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda a: a["services"][0].update(service="Z"), r"appointments.services\[0\].service: unknown service 'Z'"),
        (lambda a: a["services"][1].update(service="A"), r"appointments.services\[1\].service: 'A' is planned more than once"),
        (lambda a: a["services"][0].update(modes=["site", "fax"]), r"appointments.services\[0\].modes\[1\]"),
        (lambda a: a["services"][0].update(modes=[]), r"appointments.services\[0\].modes: .*at least 1"),
        (lambda a: a["services"][0].update(modes=["site", "site"]), r"appointments.services\[0\].modes: a mode is listed more than once"),
        (lambda a: a["services"][0].update(slot_min=3), r"appointments.services\[0\].slot_min"),
        (lambda a: a["services"][0].update(capacity=0), r"appointments.services\[0\].capacity"),
        (lambda a: a["services"][0].update(hours={"mon": [["12:00", "09:00"]]}), r"appointments.services\[0\].hours.mon\[0\]: starts at 12:00"),
        (lambda a: a["services"][0].update(hours={"mon": [["09:00", "11:00"], ["10:00", "12:00"]]}), r"appointments.services\[0\].hours.mon: two periods overlap"),
        (lambda a: a["closures"][0].update({"from": "2026-12-31", "to": "2026-12-24"}), r"appointments.closures\[0\]: from 2026-12-31 is after to 2026-12-24"),
        (lambda a: a["closures"][0].update(until="2026-12-31"), r"appointments.closures\[0\].until: Extra inputs"),
        (lambda a: a["services"][0].update(video_link="https://visio.example.fr/montour"), r"appointments.services\[0\].video_link: must contain \{ref\}"),
        (lambda a: a["services"][0].update(video_link="https://v.example.fr/{ref}/{room}"), r"video_link: must contain \{ref\} .* and no other"),
        (lambda a: a["services"][0].update(video_link="https://v.example.fr/{ref"), r"video_link: unbalanced braces"),
        (lambda a: a["services"][0].update(video_link="visio.example.fr/{ref}"), r"appointments.services\[0\].video_link: String should match"),
        (lambda a: a.update(holidays=["2026-02-30"]), r"appointments.holidays\[0\]: .*day is out of range"),
        (lambda a: a.update(holidays=["25/12/2026"]), r"appointments.holidays\[0\]: .*'25/12/2026' is not a date"),
        (lambda a: a.update(horizon_days=0), r"appointments.horizon_days"),
        (lambda a: a.update(min_notice_min=20000), r"appointments.min_notice_min"),
        (lambda a: a.update(colour="blue"), r"appointments.colour: Extra inputs"),
    ],
)  # fmt: skip
def test_appointment_errors_name_the_key(mutate, message) -> None:
    r = with_appointments()
    mutate(r["appointments"])
    with pytest.raises(ConfigError, match=message):
        config.parse(r)
