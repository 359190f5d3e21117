"""The queue at a glance for an agent's services, and why the called ticket was chosen. Pure.

Figures come from the folded state (the full view: priority flags, parked tickets) and from
GET /queue (the estimated range per service). Team figures are the whole office's day for the
agent's services: nothing is broken down by agent (P7).

`why()` renders the policy's reason for the agent from its kind (Ticket.reason_kind), the
minutes the visitor had waited when called and the service's name: no parsing of the hub's
English sentence, which is shown as it came only for a kind this version does not know.
"""

from __future__ import annotations

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

# The policy's reason as data (TicketCalled.reason_kind, folded into Ticket.reason_kind) → the
# text the agent reads. The minutes are the wait when the ticket was called, as the hub's own
# sentence says them; the service is the ticket's, named as GET /office names it.
_REASONS: dict[str, str] = {
    "head": N_("Transferred to the head of the queue, waiting {minutes} min"),
    "priority": N_("Priority visitor, waiting {minutes} min"),
    "accumulated": N_("Highest accumulated priority, waiting {minutes} min"),
    "oldest": N_("Oldest waiting for {service}, {minutes} min"),
    "chosen": N_("Called by number, waiting {minutes} min"),
    "parked": N_("Called back after stepping aside"),
    "reactivated": N_("Back in the queue after missing the call, waiting {minutes} min"),
}


@dataclass(frozen=True)
class Why:
    reason: str  # why the policy chose it, in the agent's language
    waited: str  # how long the visitor has waited since arriving
    note: str | None  # the transfer note from the previous agent
    priority: bool  # a badge: the flag only, never a reason (none is stored)


def reason_text(ticket: Ticket, office: Mapping[str, Any] | None, lang: str) -> str:
    """The reason in the agent's language; a kind this version does not know (a newer hub)
    shows the hub's English sentence rather than nothing."""
    message = _REASONS.get(ticket.reason_kind or "")
    if message is None:
        return ticket.reason or ""
    _ = translator(lang, DOMAIN)
    called = ticket.called_at or ticket.issued_at
    service = service_names(office, lang).get(ticket.service, ticket.service)
    minutes = _minutes((called - ticket.issued_at).total_seconds())
    return _(message, minutes=minutes, service=service)


def why(
    ticket: Ticket, now: datetime, office: Mapping[str, Any] | None = None, lang: str = "fr"
) -> Why:
    _ = translator(lang, DOMAIN)
    waited = _minutes((now - ticket.issued_at).total_seconds())
    return Why(
        reason_text(ticket, office, lang),
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
