"""The hub's learned quieter hours: computed weekly from the event log, served at /api/v1/hours.

Theory of operation
-------------------
`compute` reads the ticket events of the HOURS_HISTORY_DAYS before `today` through a read-only
connection of its own (the writer thread owns the store's) and learns the office's hours
(shared/core/hours.py) and each service's, on that service's tickets only.

`ensure_fresh` keeps the result in the `meta` table under META_KEY, with the day it was
computed for and a fingerprint of what it depends on in the configuration (opening hours,
services, busy threshold): it recomputes when the result is HOURS_RECOMPUTE_DAYS old, absent,
or computed for another configuration ("recompute weekly"). It writes with a short-lived
connection, in one transaction.

The running app keeps `(checked_on, Learned)` on `app.state.hours`. `refresh(app, today)` may
be called from any thread (the nightly job); the routes call `current(app)`, which refreshes
in a worker thread, off the event loop, the first time it is asked on a new office day (this
also covers start-up). The public sees bands and periods, never minutes.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sqlite3
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request

from shared import const
from shared.config import OfficeConfig
from shared.core import events as ev
from shared.core.hours import Cell, Hours, Periods, learn, samples_from_events
from shared.core.numbering import office_day
from shared.hub import store
from shared.hub.context import Hub

META_KEY = "hours.learned.v1"
router = APIRouter(prefix=const.API_PREFIX)
_lock = threading.Lock()  # one refresh at a time: a second caller then finds the fresh result


@dataclass(frozen=True)
class Learned:
    computed_for: date
    fingerprint: str
    office: Hours
    services: Mapping[str, Hours]


def fingerprint(config: OfficeConfig) -> str:
    week = {k: [[a.isoformat(), b.isoformat()] for a, b in v] for k, v in config.hours.items()}
    plan = config.appointments
    basis = [sorted(week.items()), sorted(config.rules.services), config.busy_threshold_min,
             const.HOURS_HISTORY_DAYS, sorted(d.isoformat() for d in plan.holidays),
             sorted([a.isoformat(), b.isoformat()] for a, b in plan.closures)]  # fmt: skip
    return hashlib.sha256(json.dumps(basis).encode()).hexdigest()[:16]


def compute(db_path: Path, config: OfficeConfig, today: date) -> Learned:
    """The office's and each service's hours, learned on the days before `today`."""
    start = today - timedelta(days=const.HOURS_HISTORY_DAYS)
    events = store.read_days(db_path, start, today, ("TicketIssued", "TicketCalled"))

    # The office's declared holidays and closures ([appointments]) are not typical days.
    days = (start + timedelta(days=i) for i in range((today - start).days))
    excluded = {d for d in days if config.appointments.closed(d)}

    def hours_of(log: list[tuple[int, ev.Event]]) -> Hours:
        samples = samples_from_events(log, config.tz)
        return learn(samples, config.hours, excluded=excluded,
                     busy_threshold_min=config.busy_threshold_min)  # fmt: skip

    services = {}
    for code in config.rules.services:
        mine = {e.ticket for _, e in events if isinstance(e, ev.TicketIssued) and e.service == code}
        services[str(code)] = hours_of([(s, e) for s, e in events if _ticket(e) in mine])
    return Learned(today, fingerprint(config), hours_of(events), services)


def _ticket(event: ev.Event) -> str | None:
    return event.ticket if isinstance(event, ev.TicketIssued | ev.TicketCalled) else None


def ensure_fresh(db_path: Path, config: OfficeConfig, today: date) -> Learned:
    """The cached result, unless it is a week old, absent, or of another configuration."""
    cached = _load(db_path)
    if (
        cached is not None
        and cached.fingerprint == fingerprint(config)
        and 0 <= (today - cached.computed_for).days < const.HOURS_RECOMPUTE_DAYS
    ):
        return cached
    learned = compute(db_path, config, today)
    conn = sqlite3.connect(str(db_path), isolation_level=None, timeout=5.0)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (META_KEY, json.dumps(_to_json(learned))),
        )
        conn.execute("COMMIT")
    finally:
        conn.close()
    return learned


def refresh(app: FastAPI, today: date | None = None) -> Learned:
    """Bring `app.state.hours` up to `today` (default: the hub's office day); any thread."""
    hub: Hub = app.state.hub
    day = today or office_day(hub.service.clock.now(), hub.config.tz)
    with _lock:
        held: tuple[date, Learned] | None = getattr(app.state, "hours", None)
        if held is not None and held[0] == day:
            return held[1]
        learned = ensure_fresh(hub.service.store.path, hub.config, day)
        app.state.hours = (day, learned)
        return learned


async def current(app: FastAPI) -> Learned:
    """Today's learned hours, refreshed off the event loop when the office day changed."""
    hub: Hub = app.state.hub
    today = office_day(hub.service.clock.now(), hub.config.tz)
    held: tuple[date, Learned] | None = getattr(app.state, "hours", None)
    if held is not None and held[0] == today:
        return held[1]
    return await asyncio.to_thread(refresh, app, today)


@router.get("/hours", tags=["public"])
async def hours(request: Request) -> dict[str, Any]:
    """The quieter and busy hours learned from the office's history (bands, not minutes)."""
    learned = await current(request.app)
    return {
        "status": learned.office.status,
        "history_days": learned.office.history_days,
        "needed_days": learned.office.needed_days,
        "computed_for": learned.computed_for.isoformat(),
        "office": public(learned.office),
        "services": {code: public(h) for code, h in learned.services.items()},
    }


def public(h: Hours) -> dict[str, Any]:
    return {
        "status": h.status, "quieter": week(h.quieter), "busy": week(h.busy),
        "cells": [{"weekday": c.weekday, "hour": c.hour, "band": c.band, "days": c.days}
                  for c in h.cells],
    }  # fmt: skip


def week(w: Mapping[str, Periods]) -> dict[str, list[list[str]]]:
    return {k: [[a.strftime("%H:%M"), b.strftime("%H:%M")] for a, b in v] for k, v in w.items()}


# --- the cache's JSON (full precision: it is ours, not the public's) ----------------------------


def _to_json(learned: Learned) -> dict[str, Any]:
    def one(h: Hours) -> dict[str, Any]:
        def periods(w: Mapping[str, Periods]) -> dict[str, Any]:
            return {k: [[a.isoformat(), b.isoformat()] for a, b in v] for k, v in w.items()}

        return {
            "status": h.status, "history_days": h.history_days, "needed_days": h.needed_days,
            "cells": [[c.weekday, c.hour, c.wait_min, c.days, c.band] for c in h.cells],
            "quieter": periods(h.quieter), "busy": periods(h.busy),
        }  # fmt: skip

    return {
        "computed_for": learned.computed_for.isoformat(), "fingerprint": learned.fingerprint,
        "office": one(learned.office), "services": {k: one(h) for k, h in learned.services.items()},
    }  # fmt: skip


def _from_json(data: dict[str, Any]) -> Learned:
    def one(d: dict[str, Any]) -> Hours:
        def periods(w: dict[str, Any]) -> dict[str, Periods]:
            return {k: tuple((time.fromisoformat(a), time.fromisoformat(b)) for a, b in v)
                    for k, v in w.items()}  # fmt: skip

        cells = tuple(
            Cell(int(wd), int(h), float(w), int(n), str(b)) for wd, h, w, n, b in d["cells"]
        )
        return Hours(str(d["status"]), int(d["history_days"]), int(d["needed_days"]), cells,
                     periods(d["quieter"]), periods(d["busy"]))  # fmt: skip

    return Learned(
        date.fromisoformat(data["computed_for"]),
        str(data["fingerprint"]),
        one(data["office"]),
        {str(k): one(v) for k, v in data["services"].items()},
    )


def _load(db_path: Path) -> Learned | None:
    conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (META_KEY,)).fetchone()
    finally:
        conn.close()
    if row is None:
        return None
    try:
        return _from_json(json.loads(row[0]))
    except (KeyError, TypeError, ValueError):
        return None  # an older or damaged cache: recompute
