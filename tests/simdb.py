"""A hub database filled with simulated days of the reference office, as the hub stores them.

The estimator's fit, the learned hours, the report and `bench-wait --log` all read a hub's
history; their tests share this one way of making it: `simulate_day` for each day (seeds from
`first_seed`), each event appended with `Store.append` under the office-local day, seq counting
on across days as in a hub that ran those days.
"""

from __future__ import annotations

from datetime import date, timedelta, tzinfo
from pathlib import Path

from shared.hub.store import Store
from shared.sim.office import SimDay, simulate_day


def weekdays(n: int, start: date) -> list[date]:
    """`n` consecutive weekdays from `start` (weekends skipped, as the reference office)."""
    out: list[date] = []
    day = start
    while len(out) < n:
        if day.weekday() < 5:
            out.append(day)
        day += timedelta(days=1)
    return out


def fill(db_path: Path, days: list[date], tz: tzinfo, first_seed: int = 1000) -> list[SimDay]:
    """Play and store the days (in one transaction); returns them for independent counts."""
    store = Store(db_path)
    played: list[SimDay] = []
    try:
        seq = store.last_seq()
        with store.transaction():
            for seed, day in enumerate(days, first_seed):
                sim = simulate_day(seed, day, tz, first_seq=seq + 1)
                for seq, event in sim.events:  # seq counts on into the next day
                    store.append(seq, day.isoformat(), event)
                played.append(sim)
    finally:
        store.close()
    return played
