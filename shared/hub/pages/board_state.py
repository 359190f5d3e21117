"""The web board's content as JSON: what a TV in the waiting room shows, and nothing more.

Built from the hub's folded state, the office's configuration and the time: the calls (newest
first; the first is the current call), the waiting count and range per service, today's
opening hours, the week's quieter hours (learned, declared, or "none": not enough history yet)
and the other channels. A ticket appears only by its number, service, counter and the language
its visitor chose (for the spoken announcement): never its token, priority flag, call reason
or note (D4, P2).

A `Filter` narrows the board to some services and counters (one TV per room).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared import const, i18n, protocol
from shared.config import OfficeConfig, Periods
from shared.core import estimate
from shared.core.errors import InvalidInput
from shared.core.model import OfficeState, Ticket
from shared.hub.hours import Learned
from shared.hub.pages.status import WEEKDAYS

DOMAIN = "board"
SAY = i18n.N_("Ticket {number}, {counter}")
_LABEL = re.compile(r"([A-Za-z]*)0*(\d+)")


@dataclass(frozen=True)
class Filter:
    services: tuple[str, ...] = ()  # empty: every service
    counters: tuple[str, ...] = ()  # empty: every counter

    @classmethod
    def parse(cls, config: OfficeConfig, services: str | None, counters: str | None) -> Filter:
        """`?services=A,B&counters=G1,G2`; an unknown code is a clear error, not an empty board."""
        return cls(
            _codes(services, tuple(config.rules.services), "service"),
            _codes(counters, tuple(config.rules.counters), "counter"),
        )

    def query(self) -> str:
        parts = [f"services={','.join(self.services)}"] if self.services else []
        parts += [f"counters={','.join(self.counters)}"] if self.counters else []
        return "&".join(parts)


def _codes(raw: str | None, known: tuple[str, ...], what: str) -> tuple[str, ...]:
    asked = tuple(dict.fromkeys(c.strip() for c in (raw or "").split(",") if c.strip()))
    unknown = [c for c in asked if c not in known]
    if unknown:
        raise InvalidInput(
            f"Unknown {what} {', '.join(unknown)}; this office has: {', '.join(known)}."
        )
    return asked


def spoken_label(label: str) -> str:
    """ "A042" -> "A 42": a voice then says the letter and the number, not "A zero forty-two"."""
    match = _LABEL.fullmatch(label)
    return f"{match.group(1)} {int(match.group(2))}".strip() if match else label


def speech(ticket: Ticket, counter: str, board_lang: str) -> list[list[str]]:
    """[[lang, text], …]: the board's language, then the visitor's when it differs."""
    langs = [board_lang]
    if ticket.lang != board_lang and ticket.lang in i18n.available(DOMAIN):
        langs.append(ticket.lang)
    number = spoken_label(ticket.label)
    return [
        [lang, i18n.translator(lang, DOMAIN)(SAY, number=number, counter=counter)] for lang in langs
    ]


def calls(
    state: OfficeState, config: OfficeConfig, only: Filter, lang: str
) -> list[dict[str, Any]]:
    """The current call and the recent ones, newest first (a recall moves a ticket up)."""
    called = [
        t
        for t in state.tickets.values()
        if t.called_at is not None
        and t.counter is not None
        and (not only.services or t.service in only.services)
        and (not only.counters or t.counter in only.counters)
    ]
    called.sort(key=lambda t: t.called_at or datetime.min, reverse=True)
    out = []
    for t in called[: const.BOARD_RECENT_CALLS + 1]:
        assert t.counter is not None and t.called_at is not None
        counter = config.rules.counters.get(t.counter)
        name = counter.name if counter is not None else t.counter
        out.append({
            "key": f"{t.label}|{t.called_at.isoformat()}|{t.calls}",  # a recall is a new call
            "label": t.label, "service": t.service, "counter": t.counter,
            "counter_name": name, "calls": t.calls, "lang": t.lang,
            "called_at": t.called_at.isoformat(), "say": speech(t, name, lang),
        })  # fmt: skip
    return out


def services(
    state: OfficeState, config: OfficeConfig, only: Filter, lang: str, now: datetime,
    view: estimate.View,
) -> list[dict[str, Any]]:  # fmt: skip
    found = estimate.for_services(state, config.rules, now, view)
    out = []
    for code, service in config.rules.services.items():
        if only.services and code not in only.services:
            continue
        est = found[code]
        wait = (
            None
            if est.wait is None
            else {"low_min": est.wait.low_min, "high_min": est.wait.high_min}
        )
        out.append({
            "code": code, "name": service.name(lang), "waiting": est.waiting,
            "open_counters": est.open_counters, "wait": wait,
        })  # fmt: skip
    return out


def week(periods: Mapping[str, Periods]) -> dict[str, list[list[str]]]:
    return {
        day: [[a.strftime("%H:%M"), b.strftime("%H:%M")] for a, b in periods.get(day, ())]
        for day in WEEKDAYS
        if periods.get(day)
    }


def quieter_hours(
    config: OfficeConfig, only: Filter, learned: Learned | None = None
) -> tuple[str, dict[str, list[list[str]]]]:
    """(source, week): the very choice `GET /office` makes (protocol.office_to_dict): the hours
    learned from the history once published, else the declared ones, else none ("history",
    "declared", "none"). A board for one service shows that service's, else the office's."""
    office = protocol.office_to_dict(
        config, learned.office if learned else None, learned.services if learned else None
    )
    chosen: dict[str, Any] = office
    if len(only.services) == 1:
        chosen = next(s for s in office["services"] if s["code"] == only.services[0])
    found = chosen["quieter_hours"]
    return chosen["quieter_hours_source"], {d: found[d] for d in WEEKDAYS if found.get(d)}


def board(
    state: OfficeState, config: OfficeConfig, only: Filter, lang: str, now: datetime,
    view: estimate.View, learned: Learned | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The whole board; the live feed sends it again whenever it changes ("now" aside).
    `learned`: the hub's learned hours (shared/hub/hours.py), None before they are known."""
    local = now.astimezone(config.tz)
    today = WEEKDAYS[local.weekday()]
    source, quieter = quieter_hours(config, only, learned)
    return {
        "office": config.name,
        "lang": lang,
        "timezone": config.timezone,
        "today": today,
        "calls": calls(state, config, only, lang),
        "services": services(state, config, only, lang, now, view),
        "hours_today": week(config.hours).get(today, []),
        "hours": week(config.hours),
        "quieter_hours": quieter,
        "quieter_hours_source": source,  # "history" | "declared" | "none" (not enough history)
        "channels": {
            "phone": config.phone or "",
            "website": config.website or "",
            "appointment_url": config.appointment_url or "",
        },
        "now": local.isoformat(timespec="seconds"),
    }
