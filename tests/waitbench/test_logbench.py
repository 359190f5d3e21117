"""`montour bench-wait --log`: the benchmark on an exported event log (≈ 15 s)."""

from __future__ import annotations

import io
import random
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from shared.cli import main
from shared.core.events import Event
from shared.core.waitparams import Params
from shared.sim import reference as ref
from shared.sim.cli import TIMEZONE, simulate_days, write_log
from shared.waitbench import baselines as bl
from shared.waitbench.estimators import Replay
from shared.waitbench.harness import run_day
from shared.waitbench.logbench import LogError, default_fit_days, parse_log, split_days

CONFIG = Path(__file__).resolve().parents[2] / "assets" / "sim" / "reference-office.toml"
TZ = ZoneInfo(TIMEZONE)


@pytest.fixture(scope="module")
def six_days(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("log") / "six.jsonl"
    with path.open("w", encoding="utf-8") as out:
        write_log(out, simulate_days(1000, 6))
    return path


def test_the_cli_fits_on_the_first_days_and_scores_the_rest(
    six_days: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["bench-wait", "--log", str(six_days), "--config", str(CONFIG), "--fit-days", "4",
            "--k", "8", "--jobs", "1"]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "fitted on 4 days (2026-01-05…2026-01-08)" in out
    assert "scored 2 days (2026-01-09…2026-01-12)" in out
    issue, update = out.split("update predictions")
    for part in (issue, update):
        rows = part.split("estimator")[1].splitlines()[1:]
        names = [line.split()[0] for line in rows if line.strip()]
        assert names == ["NAIVE", "QL", "LES", "HOL", "replay"]  # no oracle
    replay = next(line for line in update.splitlines() if line.startswith("replay")).split()
    assert int(replay[1]) > 1000  # ≈ 270 tickets a day, each updated at several calls
    assert replay[2] == "0"  # nothing missing


def test_the_log_round_trip_changes_no_prediction(six_days: Path) -> None:
    with six_days.open(encoding="utf-8") as f:
        days = split_days(parse_log(f), TZ)
    assert [d for d, _ in days] == [date(2026, 1, d) for d in (5, 6, 7, 8, 9, 12)]
    sim = next(simulate_days(1000, 1))
    assert days[0][1] == list(sim.events)  # the day read back is the day simulated, seq too

    def rows(events: Sequence[tuple[int, Event]]) -> dict[str, object]:
        means = bl.Means({s.code: s.mean_min for s in ref.SERVICES}, 10.0)
        ql = bl.QL(ref.rules(), means)
        params = Params.from_rules(ref.rules())
        replay = Replay("replay", ref.rules(), params, 4, random.Random(7), TZ)
        result = run_day(events, [bl.Naive(means), ql, bl.HOL(ql), replay],
                         time.perf_counter, 3)  # fmt: skip
        return {n: s.predictions for n, s in result.updates.items()}

    assert rows(days[0][1]) == rows(sim.events)


def test_bad_input_is_refused_with_a_reason(
    six_days: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(LogError, match="log:2: not an exported event"):
        parse_log(io.StringIO('{"seq": 1, "type": "DayOpened", "at": "2026-01-05T07:00:00+00:00", '
                              '"day": "2026-01-05"}\n{"seq": 2}\n'))  # fmt: skip
    base = ["bench-wait", "--log", str(six_days), "--config", str(CONFIG), "--jobs", "1"]
    assert main([*base, "--fit-days", "6"]) == 2
    assert "--fit-days must be between 1 and 5" in capsys.readouterr().out
    assert main(["bench-wait", "--log", str(six_days), "--jobs", "1"]) == 2
    assert "--log and --config go together" in capsys.readouterr().out
    assert main(["bench-wait", "--log", str(tmp_path / "none.jsonl"), "--config", str(CONFIG),
                 "--jobs", "1"]) == 2  # fmt: skip


def test_default_split_is_two_thirds_and_leaves_a_day_each_side() -> None:
    assert [default_fit_days(n) for n in (2, 3, 6, 30, 31)] == [1, 2, 4, 20, 21]


def test_a_hub_database_exported_with_montour_export_is_scored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The path an office takes: its hub's database → `montour export events` → bench-wait."""
    from tests import simdb

    db = tmp_path / "hub.db"
    simdb.fill(db, simdb.weekdays(3, date(2026, 1, 5)), TZ)  # as the hub's writer stores them
    assert main(["export", "events", "--db", str(db)]) == 0
    exported = tmp_path / "events.jsonl"
    exported.write_text(capsys.readouterr().out, encoding="utf-8")
    argv = ["bench-wait", "--log", str(exported), "--config", str(CONFIG), "--fit-days", "2",
            "--k", "8", "--jobs", "1"]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "fitted on 2 days (2026-01-05…2026-01-06)" in out
    assert "scored 1 days (2026-01-07…2026-01-07)" in out
    replay = next(line for line in out.splitlines() if line.startswith("replay")).split()
    assert int(replay[1]) > 150 and replay[2] == "0"  # every ticket of the day predicted
