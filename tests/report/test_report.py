"""`montour report` run for real on a hub database of 40 simulated reference-office days."""

from __future__ import annotations

import csv
import shutil
import statistics
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PIL import Image

from shared.cli import main
from shared.core import events as ev
from shared.core.events import Event
from shared.hub import callbacks
from shared.hub.store import Store
from tests.report.conftest import FIRST_DAY, REFERENCE

CHARTS = (
    "tickets_per_day.png",
    "wait_per_day.png",
    "within_target.png",
    "heatmap.png",
    "hours.png",
)
HubDays = tuple[Path, dict[date, list[Event]]]


def rows(path: Path) -> dict[tuple[str, ...], dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        reader = list(csv.DictReader(f))
    keys = [k for k in ("service", "day", "weekday", "hour") if k in reader[0]]
    return {tuple(r[k] for k in keys): r for r in reader}


def report(db: Path, out: Path, start: date, end: date, *extra: str) -> int:
    return main(
        [
            "report",
            "--db",
            str(db),
            "--from",
            start.isoformat(),
            "--to",
            end.isoformat(),
            "--out",
            str(out),
            "--config",
            str(REFERENCE),
            *extra,
        ]
    )


def test_tickets_and_mean_wait_equal_counts_from_the_log(
    hub_days: HubDays, report_dir: Path
) -> None:
    table = rows(report_dir / "per_service_day.csv")
    for day in sorted(hub_days[1])[::13]:  # a few days across the period
        events = hub_days[1][day]
        issued = {e.ticket: e for e in events if isinstance(e, ev.TicketIssued)}
        first_call: dict[str, datetime] = {}
        for e in events:
            if isinstance(e, ev.TicketCalled):
                first_call.setdefault(e.ticket, e.at)
        for service in ("A", "C"):
            mine = [t for t, e in issued.items() if e.service == service]
            waits = [
                (first_call[t] - issued[t].at).total_seconds() / 60 for t in mine if t in first_call
            ]
            row = table[(service, day.isoformat())]
            assert int(row["tickets"]) == len(mine)
            assert float(row["mean_wait_min"]) == pytest.approx(statistics.fmean(waits), abs=0.05)
            no_shows = sum(
                1
                for e in events
                if isinstance(e, ev.TicketNoShow) and issued[e.ticket].service == service
            )
            assert int(row["no_shows"]) == no_shows
    total = sum(sum(isinstance(e, ev.TicketIssued) for e in es) for es in hub_days[1].values())
    assert int(rows(report_dir / "per_service.csv")[("*",)]["tickets"]) == total


def test_within_target_share_and_p90_are_consistent(report_dir: Path) -> None:
    for row in rows(report_dir / "per_service.csv").values():
        share = float(row["within_target_pct"])
        assert 0 < share < 100
        # Below the target (20 min) for more than half: the mean is then under the p90.
        assert float(row["mean_wait_min"]) < float(row["p90_wait_min"])
        assert int(row["served"]) + int(row["no_shows"]) <= int(row["tickets"])


def test_three_tickets_of_a_service_are_suppressed_and_cannot_be_subtracted_back(
    hub_days: HubDays, tmp_path: Path
) -> None:
    day = FIRST_DAY
    events = hub_days[1][day]
    c_tickets = [e.ticket for e in events if isinstance(e, ev.TicketIssued) and e.service == "C"]
    dropped = set(c_tickets[3:])  # keep 3 visitors of service C
    kept = [e for e in events if getattr(e, "ticket", None) not in dropped]
    store = Store(tmp_path / "small.db")
    with store.transaction():
        for seq, event in enumerate(kept, start=1):
            store.append(seq, day.isoformat(), event)
    store.close()
    assert report(tmp_path / "small.db", tmp_path / "out", day, day) == 0
    daily = rows(tmp_path / "out" / "per_service_day.csv")
    c = daily[("C", day.isoformat())]
    assert c["tickets"] == c["mean_wait_min"] == c["p90_wait_min"] == "suppressed"
    # The day's total is published, so one more service is suppressed with C: the total
    # minus the published services no longer gives C's count.
    assert daily[("*", day.isoformat())]["tickets"] != "suppressed"
    hidden = [s for s in "ABD" if daily[(s, day.isoformat())]["tickets"] == "suppressed"]
    assert len(hidden) == 1
    totals = rows(tmp_path / "out" / "per_service.csv")
    assert totals[("C",)]["tickets"] == "suppressed"
    assert sum(totals[(s,)]["tickets"] == "suppressed" for s in "ABCD") == 2


def test_charts_are_valid_images_of_a_printable_size(report_dir: Path) -> None:
    for name in CHARTS:
        with Image.open(report_dir / name) as image:
            image.verify()
        with Image.open(report_dir / name) as image:
            width, height = image.size
            assert 1000 <= width <= 1400 and 600 <= height <= 1000  # A4 width at 150 dpi
            colours = image.convert("L").getcolors(maxcolors=1 << 16)
            assert colours is None or len(colours) > 20  # something drawn, not a blank page


def test_hours_are_learned_from_the_period(report_dir: Path) -> None:
    found = list(csv.DictReader((report_dir / "hours.csv").open(encoding="utf-8")))
    assert {r["status"] for r in found} == {"ok"}
    busy = [r for r in found if r["kind"] == "busy"]
    assert busy and all("10:00" <= r["from"] < "13:00" for r in busy)
    assert {r["kind"] for r in found} == {"busy", "quieter"}


def test_a_short_period_says_there_is_not_enough_history(hub_days: HubDays, tmp_path: Path) -> None:
    assert report(hub_days[0], tmp_path, date(2026, 1, 5), date(2026, 1, 16), "--lang", "en") == 0
    found = list(csv.DictReader((tmp_path / "hours.csv").open(encoding="utf-8")))
    assert [(r["status"], r["history_days"], r["kind"]) for r in found] == [
        ("not_enough_history", "10", "")
    ]
    assert (tmp_path / "hours.png").stat().st_size > 10_000


def test_heatmap_has_every_open_weekday_and_hour(report_dir: Path) -> None:
    heat = rows(report_dir / "heatmap.csv")
    assert {k[0] for k in heat} == {"mon", "tue", "wed", "thu", "fri"}
    assert {int(k[1]) for k in heat} == set(range(8, 17))
    assert all(r["mean_wait_min"] != "suppressed" for r in heat.values())


def test_callbacks_are_counted_per_service_and_day(hub_days: HubDays, tmp_path: Path) -> None:
    db = tmp_path / "office.db"
    shutil.copy(hub_days[0], db)
    store = Store(db)
    at = datetime(2026, 1, 7, 10, 0, tzinfo=UTC)
    with store.transaction() as tx:
        for service, count in (("A", 9), ("B", 2), ("C", 6)):
            for _ in range(count):
                callbacks.create(
                    tx,
                    service=service,
                    number="0612345678",
                    consent=True,
                    lang="fr",
                    ticket=None,
                    device="kiosk",
                    now=at,
                    retention_days=30,
                )
    store.close()
    assert report(db, tmp_path / "out", date(2026, 1, 5), date(2026, 1, 9)) == 0
    daily = rows(tmp_path / "out" / "per_service_day.csv")
    day = {s: daily[(s, "2026-01-07")]["callbacks"] for s in "ABCD*"}
    # B's 2 are suppressed; the day's total (17) is published, so the smallest other count
    # (C's 6) goes too: 17 − 9 − 0 no longer tells B's.
    assert day == {"A": "9", "B": "suppressed", "C": "suppressed", "D": "0", "*": "17"}
    assert daily[("A", "2026-01-08")]["callbacks"] == "0"


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-02-30", "2026-03-01", "--from '2026-02-30' is not a date"),
        ("2026-01-05", "soon", "--to 'soon' is not a date"),
        ("2026-02-27", "2026-01-05", "--from 2026-02-27 is after --to 2026-01-05"),
    ],
)
def test_bad_dates_exit_2_with_a_message(
    hub_days: HubDays,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    start: str,
    end: str,
    message: str,
) -> None:
    rc = main(
        [
            "report",
            "--db",
            str(hub_days[0]),
            "--from",
            start,
            "--to",
            end,
            "--out",
            str(tmp_path / "out"),
            "--config",
            str(REFERENCE),
        ]
    )
    assert rc == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_an_empty_period_writes_no_charts(
    hub_days: HubDays, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert report(hub_days[0], tmp_path / "out", date(2025, 6, 1), date(2025, 6, 30)) == 1
    assert "no visits and no call-backs from 2025-06-01 to 2025-06-30" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
