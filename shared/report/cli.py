"""`montour report`: the office's statistics over a period, as CSV files and PNG charts.

    montour report --db office.db --from 2026-01-05 --to 2026-02-27 --out report/
    montour report --db office.db --from 2026-01-01 --to 2026-01-31 --out jan/ --lang en

Reads the hub's database read-only (it may run beside a live hub). Imports only argparse
until the command runs (`montour --help` stays quick); matplotlib only when charts are drawn.
"""

from __future__ import annotations

import argparse
import csv
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shared.config import OfficeConfig
    from shared.core.hours import Hours
    from shared.report.tables import Table, Value
    from shared.report.visits import Visit

_EPILOG = """\
Writes into --out: per_service_day.csv (one row per service and day, with "*" rows for all
services and for the whole period), per_service.csv (the period's totals per service),
heatmap.csv (mean wait per weekday and hour of issue), hours.csv (busy and quieter hours
learned from the period) and the charts (PNG). Any figure computed from fewer than 5 visitors
is written "suppressed"; see README, "Office statistics"."""


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "report", help="the office's statistics over a period (CSV and PNG charts)",
        description="Per service and per day: tickets, mean and p90 wait, share served within "
        "the office's target wait, no-shows, service times, call-backs; a weekday × hour heat "
        "map of waits; busy and quieter hours. Written as CSV files and charts.",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    p.add_argument("--db", type=Path, help="the hub's database (default: the hub's)")
    p.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
    p.add_argument("--to", dest="end", required=True, help="last day (included), YYYY-MM-DD")
    p.add_argument("--out", type=Path, required=True, help="the folder to write into")
    p.add_argument("--config", type=Path,
                   help="the office's configuration (default: the hub's)")  # fmt: skip
    p.add_argument("--lang", choices=["fr", "en"], default="fr", help="the charts' language")
    p.set_defaults(func=run)


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{option} {text!r} is not a date (YYYY-MM-DD)") from None


def run(args: argparse.Namespace) -> int:
    from shared.cli import EXAMPLE_CONFIG, default_db
    from shared.config import load
    from shared.report import source

    try:
        start, end = _day(args.start, "--from"), _day(args.end, "--to")
    except ValueError as exc:
        print(f"montour: {exc}", file=sys.stderr)
        return 2
    if start > end:
        print(f"montour: --from {start} is after --to {end}", file=sys.stderr)
        return 2
    db = args.db or default_db()
    if not db.is_file():
        print(f"montour: no hub database at {db}; give --db", file=sys.stderr)
        return 2
    office = load(args.config or EXAMPLE_CONFIG)
    visits, callbacks = source.read(db, office.tz, start, end)
    if not visits and not callbacks:
        print(f"montour: no visits and no call-backs from {start} to {end} in {db}; "
              "nothing to report", file=sys.stderr)  # fmt: skip
        return 1
    written = write(office, visits, callbacks, start, end, args.out, args.lang)
    print(f"{len(visits)} visits from {start} to {end} → {args.out}: " + ", ".join(written))
    return 0


def write(
    office: OfficeConfig,
    visits: list[Visit],
    callbacks: list[tuple[str, date]],
    start: date,
    end: date,
    out: Path,
    lang: str,
) -> list[str]:
    """Write the CSV files and the charts into `out`; the names of the files written."""
    from shared.core import hours as hours_mod
    from shared.report import charts, tables

    services = list(office.rules.services)
    table = tables.build(visits, callbacks, services, office.target_wait_min)
    heat = tables.heatmap(visits)
    samples = [hours_mod.Sample(v.day, v.hour, w) for v in visits if (w := v.wait_min) is not None]
    hours = hours_mod.learn(samples, office.hours, busy_threshold_min=office.busy_threshold_min)
    out.mkdir(parents=True, exist_ok=True)
    _csv(out / "per_service_day.csv", ["service", "day", *tables.COLUMNS],
         [[s, d, *_row(table, s, d)] for d in (*table.days, tables.ALL)
          for s in (*table.services, tables.ALL)])  # fmt: skip
    _csv(out / "per_service.csv", ["service", *tables.COLUMNS],
         [[s, *_row(table, s, tables.ALL)] for s in (*table.services, tables.ALL)])  # fmt: skip
    _csv(out / "heatmap.csv", ["weekday", "hour", "mean_wait_min"],
         [[hours_mod.WEEKDAYS[wd], str(h), tables.fmt(v)]
          for (wd, h), v in heat.items()])  # fmt: skip
    _csv(out / "hours.csv", ["status", "history_days", "needed_days", "kind", "weekday",
                             "from", "to"], _hours_rows(hours))  # fmt: skip
    names = ["per_service_day.csv", "per_service.csv", "heatmap.csv", "hours.csv"]
    context = charts.Context(office, start, end, lang)
    return names + [p.name for p in charts.draw_all(context, table, heat, hours, out)]


def _row(table: Table, service: str, day: str) -> list[str]:
    from shared.report.tables import COLUMNS, fmt

    cell: dict[str, Value] = dict(table.cells[(service, day)])
    return [fmt(cell[c]) for c in COLUMNS]


def _hours_rows(hours: Hours) -> list[list[str]]:
    head = [hours.status, str(hours.history_days), str(hours.needed_days)]
    rows = [[*head, kind, day, a.strftime("%H:%M"), b.strftime("%H:%M")]
            for kind, week in (("busy", hours.busy), ("quieter", hours.quieter))
            for day, periods in week.items() for a, b in periods]  # fmt: skip
    return rows or [[*head, "", "", "", ""]]


def _csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
