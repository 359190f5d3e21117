"""The queue at a glance for an agent's services, and why the called ticket was chosen. Pure.

Figures come from the folded state (the full view: priority flags, parked tickets) and from
GET /queue (the estimated range per service). Team figures are the whole office's day for the
agent's services: nothing is broken down by agent (P7).

`why()` renders the policy's reason for the agent. The hub stores it as an English sentence
(shared/core/policy.py, lifecycle._call_given); the patterns below turn the known sentences back
into their parts, and an unknown one is shown as it came rather than hidden.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.core.model import CounterId, OfficeState, Ticket, TicketState
from shared.i18n import N_, translator

DOMAIN = "counter"


@dataclass(frozen=True)
class ServiceLine:
    code: str
    name: str
    waiting: int
    priority: int
    longest_min: int | None
    range_min: tuple[int, int] | None  # the estimate's p10-p90 for a ticket taken now


@dataclass(frozen=True)
class Parked:
    id: str
    label: str
    service: str


@dataclass(frozen=True)
class Team:
    served: int
    mean_wait_min: int | None  # issue → first call, over today's called tickets
    no_shows: int


@dataclass(frozen=True)
class Glance:
    lines: tuple[ServiceLine, ...]
    parked: tuple[Parked, ...]
    team: Team

    @property
    def waiting(self) -> int:
        return sum(line.waiting for line in self.lines)

    @property
    def priority(self) -> int:
        return sum(line.priority for line in self.lines)

    @property
    def longest_min(self) -> int | None:
        waits = [line.longest_min for line in self.lines if line.longest_min is not None]
        return max(waits, default=None)


def _minutes(seconds: float) -> int:
    return int(max(0.0, seconds) // 60)


def service_names(office: Mapping[str, Any] | None, lang: str) -> dict[str, str]:
    names: dict[str, str] = {}
    for s in (office or {}).get("services", []):
        by_lang = s.get("names") or {}
        names[s["code"]] = by_lang.get(lang) or by_lang.get("en") or s["code"]
    return names


def glance(
    state: OfficeState | None,
    queue: Mapping[str, Any] | None,
    office: Mapping[str, Any] | None,
    services: tuple[str, ...],
    counter: str | None,
    now: datetime,
    lang: str = "fr",
) -> Glance:
    state = state or OfficeState()
    names = service_names(office, lang)
    estimates = (queue or {}).get("services", {})
    lines = []
    for code in services:
        waiting = state.waiting((code,))  # type: ignore[arg-type]
        longest = max((now - t.issued_at).total_seconds() for t in waiting) if waiting else None
        wait = (estimates.get(code) or {}).get("wait")
        lines.append(
            ServiceLine(
                code,
                names.get(code, code),
                len(waiting),
                sum(t.priority for t in waiting),
                None if longest is None else _minutes(longest),
                None if not wait else (int(wait["low_min"]), int(wait["high_min"])),
            )
        )
    parked = tuple(
        Parked(t.id, t.label, t.service)
        for t in state.tickets.values()
        if t.state is TicketState.PARKED and counter is not None and t.counter == CounterId(counter)
    )
    return Glance(tuple(lines), parked, team(state, services))


def team(state: OfficeState, services: tuple[str, ...]) -> Team:
    mine = [t for t in state.tickets.values() if t.service in services]
    served = sum(1 for t in mine if t.state is TicketState.DONE)
    no_shows = sum(1 for t in mine if t.state is TicketState.NO_SHOW)
    # A transferred visitor's next leg keeps the issue time: count each leg's own first call.
    waits = [
        (t.first_called_at - t.issued_at).total_seconds()
        for t in mine
        if t.first_called_at is not None and t.previous is None
    ]
    mean = _minutes(sum(waits) / len(waits)) if waits else None
    return Team(served, mean, no_shows)


# --- why this ticket -------------------------------------------------------------------------


# The hub's sentences (English, in shared/core) → the text the agent reads, per language.
_REASONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"^transferred at the head of the queue, waiting (?P<m>\d+) min$"),
        N_("Transferred to the head of the queue, waiting {minutes} min"),
    ),
    (
        re.compile(r"^priority visitor and oldest waiting, (?P<m>\d+) min$"),
        N_("Priority visitor and oldest waiting, {minutes} min"),
    ),
    (
        re.compile(r"^priority visitor, waiting (?P<m>\d+) min$"),
        N_("Priority visitor, waiting {minutes} min"),
    ),
    (
        re.compile(r"^highest accumulated priority, waiting (?P<m>\d+) min$"),
        N_("Highest accumulated priority, waiting {minutes} min"),
    ),
    (
        re.compile(r"^oldest waiting for (?P<s>.*), (?P<m>\d+) min$"),
        N_("Oldest waiting for {service}, {minutes} min"),
    ),
    (
        re.compile(r"^called by number, waiting (?P<m>\d+) min$"),
        N_("Called by number, waiting {minutes} min"),
    ),
    (re.compile(r"^called back after stepping aside$"), N_("Called back after stepping aside")),
)


@dataclass(frozen=True)
class Why:
    reason: str  # why the policy chose it, in the agent's language
    waited: str  # how long the visitor has waited since arriving
    note: str | None  # the transfer note from the previous agent
    priority: bool  # a badge: the flag only, never a reason (none is stored)


def reason_text(reason: str | None, office: Mapping[str, Any] | None, lang: str) -> str:
    if not reason:
        return ""
    _ = translator(lang, DOMAIN)
    english = {v: k for k, v in service_names(office, "en").items()}
    local = service_names(office, lang)
    for pattern, message in _REASONS:
        match = pattern.match(reason)
        if match is None:
            continue
        values = match.groupdict()
        service = values.get("s")
        service_name = local.get(english.get(service or "", ""), service or "")
        return _(message, minutes=values.get("m", ""), service=service_name)
    return reason


def why(
    ticket: Ticket, now: datetime, office: Mapping[str, Any] | None = None, lang: str = "fr"
) -> Why:
    _ = translator(lang, DOMAIN)
    waited = _minutes((now - ticket.issued_at).total_seconds())
    return Why(
        reason_text(ticket.reason, office, lang),
        _("Waited {minutes} min since arrival", minutes=waited),
        ticket.note or None,
        ticket.priority,
    )


def range_text(line: ServiceLine, lang: str) -> str:
    _ = translator(lang, DOMAIN)
    if line.range_min is None:
        return _("no estimate") if line.waiting else "—"
    low, high = line.range_min
    return _("{low} to {high} min", low=low, high=high)
