"""The benchmark on an exported event log: fit on its first days, score the rest.

The log is what `montour export events` prints (or `montour simulate` writes): one JSON object
a line, `{"seq": N, **to_dict(event)}`, in seq order. It is cut into days by the office's local
date of each event, a time-ordered split: the first `fit_days` days fit the parameters, the
later ones are scored, each on its own (a fresh state, as the hub starts each day). There is no
oracle row: a real office's true parameters are unknown.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, tzinfo

from shared.core.events import Event, from_dict
from shared.core.model import Rules
from shared.core.waitparams import Params, fit
from shared.waitbench import bench
from shared.waitbench.harness import DayResult
from shared.waitbench.metrics import Row

Day = tuple[date, list[tuple[int, Event]]]


class LogError(ValueError):
    """The log cannot be read or split as asked; the message says why, for the user."""


@dataclass(frozen=True)
class LogRun:
    params: Params
    fitted: list[date]  # the days the parameters were fitted on
    scored: list[date]  # the days scored
    issue: list[Row]
    update: list[Row]


def parse_log(lines: Iterable[str], source: str = "log") -> list[tuple[int, Event]]:
    events = []
    for i, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            events.append((int(record["seq"]), from_dict(record)))
        except (KeyError, ValueError, TypeError) as exc:
            raise LogError(f"{source}:{i}: not an exported event ({exc!r})") from None
    return events


def split_days(events: Iterable[tuple[int, Event]], tz: tzinfo) -> list[Day]:
    """The events grouped by the office's local date, days in order, events in seq order."""
    days: dict[date, list[tuple[int, Event]]] = {}
    for seq, event in sorted(events, key=lambda e: e[0]):
        days.setdefault(event.at.astimezone(tz).date(), []).append((seq, event))
    return sorted(days.items())


def default_fit_days(n: int) -> int:
    """The first two thirds of the days (at least one fitted, at least one scored)."""
    return min(max(1, round(2 * n / 3)), n - 1)


def run_log(
    events: Iterable[tuple[int, Event]], rules: Rules, tz: tzinfo, fit_days: int | None,
    k: int, mapper: Callable[..., Iterable[DayResult]] = map,
    update_every: int = bench.UPDATE_EVERY,
) -> LogRun:  # fmt: skip
    days = split_days(events, tz)
    if len(days) < 2:
        raise LogError(f"the log holds {len(days)} day(s): at least 2 are needed (fit, score)")
    n_fit = default_fit_days(len(days)) if fit_days is None else fit_days
    if not 1 <= n_fit < len(days):
        raise LogError(f"--fit-days must be between 1 and {len(days) - 1} ({len(days)} days)")
    history, test = days[:n_fit], days[n_fit:]
    params = fit((e for _, day in history for e in day), rules, tz=tz)
    n = len(test)
    plan: Sequence[list[tuple[int, Event]]] = [day for _, day in test]
    # Seeds of the replay's random streams: the day's index, so the run is reproducible.
    results = mapper(bench.score_events, range(n_fit, n_fit + n), plan, [rules] * n, [tz] * n,
                     [params] * n, [k] * n, [update_every] * n)  # fmt: skip
    issue, update = bench.combine(results)
    return LogRun(params, [d for d, _ in history], [d for d, _ in test], issue, update)
