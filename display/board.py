"""What the wall display shows, as one frozen value computed from the hub's state (pure).

`build()` folds the public `OfficeState`, the office's description (GET /office), the queue's
estimates (GET /queue), the room's filters and `now` into a `BoardState`; the window only draws
it. `calls_to_announce()` compares two states and says which calls must be spoken, in order.

A call is a ticket that has been called at least once: `called_at` is its latest call and
`calls` how many times it was called. A recall raises `calls` and moves `called_at`, so the
ticket goes back to the top of the recent calls and is announced again (D2). Priority is not
in the public view and nothing here would look at it: a priority call is a call like any other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from shared import const
from shared.core.model import OfficeState, Ticket, TicketState

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_RECENT = 6
LIVE = (TicketState.WAITING, TicketState.CALLED, TicketState.SERVING, TicketState.PARKED)

Periods = tuple[tuple[str, str], ...]


class FilterError(ValueError):
    """A --services or --counters value the office does not know; the message is for people."""


@dataclass(frozen=True)
class Filters:
    """One display per room: only these services and/or counters (empty: all of them)."""

    services: frozenset[str] = frozenset()
    counters: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, services: str | None, counters: str | None) -> Filters:
        def codes(text: str | None) -> frozenset[str]:
            return frozenset(c.strip() for c in (text or "").split(",") if c.strip())

        return cls(codes(services), codes(counters))

    def check(self, office: Mapping[str, Any]) -> None:
        """Raise FilterError for a code the office does not have (a typo would show nothing)."""
        known_s = {s["code"] for s in office.get("services", [])}
        known_c = {c["id"] for c in office.get("counters", [])}
        for kind, asked, known in (("service", self.services, known_s),
                                   ("counter", self.counters, known_c)):  # fmt: skip
            unknown = sorted(asked - known)
            if unknown:
                has = ", ".join(sorted(known)) or "none"
                raise FilterError(f"unknown {kind} {', '.join(unknown)}; this office has {has}")

    def accepts(self, ticket: Ticket) -> bool:
        if self.services and ticket.service not in self.services:
            return False
        return not self.counters or (ticket.counter or "") in self.counters


NO_FILTERS = Filters()


@dataclass(frozen=True)
class Call:
    ticket: str  # the ticket's id: one line per ticket in the recent calls
    label: str
    counter: str
    counter_name: str
    at: datetime
    calls: int  # 1 for the first call, 2 after one recall…
    lang: str  # the visitor's language (for the announcement only: the board stays French)

    @property
    def key(self) -> tuple[str, int]:
        """Changes at every call and recall: a new key is a new highlight."""
        return (self.ticket, self.calls)


@dataclass(frozen=True)
class ServiceLine:
    code: str
    prefix: str
    name: str
    waiting: int | None  # None: the queue is not known yet
    open_counters: int
    low_min: int | None  # the range of the wait; None when no estimate (no counter open)
    high_min: int | None


@dataclass(frozen=True)
class Channels:
    phone: str = ""
    website: str = ""
    appointment_url: str = ""


@dataclass(frozen=True)
class BoardState:
    seq: int
    now: datetime
    lang: str  # the office's first language: the board's language
    connected: bool
    ever_connected: bool = False
    current: Call | None = None
    recent: tuple[Call, ...] = ()  # newest first, each ticket once; current is recent[0]
    services: tuple[ServiceLine, ...] = ()
    hours_today: Periods = ()
    week_hours: Mapping[str, Periods] = field(default_factory=dict)
    quieter: Mapping[str, Periods] = field(default_factory=dict)
    # Where `quieter` comes from (the hub's `quieter_hours_source`): "history", "declared", or
    # "none" (not enough history yet, none declared: the board says so); "" before /office.
    quieter_source: str = ""
    channels: Channels = Channels()
    office_name: str = ""


def build(
    state: OfficeState | None,
    office: Mapping[str, Any] | None,
    queue: Mapping[str, Any] | None,
    filters: Filters,
    now: datetime,
    *,
    seq: int = -1,
    connected: bool = False,
    ever_connected: bool = False,
    recent: int = DEFAULT_RECENT,
) -> BoardState:
    office = office or {}
    calls = calls_of(state, office, filters)[: max(1, recent)]
    week = _week(office.get("hours"))
    quieter, source = _quieter(office, filters)
    return BoardState(
        seq=seq, now=now, lang=(office.get("languages") or ["fr"])[0], connected=connected,
        ever_connected=ever_connected or connected, current=calls[0] if calls else None,
        recent=tuple(calls), services=_services(office, queue, filters),
        hours_today=week.get(WEEKDAYS[now.weekday()], ()), week_hours=week,
        quieter=quieter, quieter_source=source,
        channels=Channels(office.get("phone") or "", office.get("website") or "",
                          office.get("appointment_url") or ""),
        office_name=office.get("name") or "",
    )  # fmt: skip


def calls_of(state: OfficeState | None, office: Mapping[str, Any], filters: Filters) -> list[Call]:
    """Every call of the day that this display shows, newest first, one per ticket."""
    if state is None:
        return []
    names = counter_names(office)
    calls = [_call(t, names) for t in state.tickets.values() if _called(t) and filters.accepts(t)]
    calls.sort(key=lambda c: (c.at, c.calls), reverse=True)
    return calls


def forget(state: OfficeState, filters: Filters, recent: int) -> OfficeState:
    """`state` without the finished tickets this display will never show again: it keeps the
    unfinished ones and its `recent` latest calls, so its memory does not grow with the day.
    An event about a forgotten ticket (a no-show reactivated) makes the link resync."""
    kept = {t.id for t in state.tickets.values() if t.state in LIVE}
    calls = [t for t in state.tickets.values() if _called(t) and filters.accepts(t)]
    calls.sort(key=lambda t: (t.called_at, t.calls), reverse=True)
    kept.update(t.id for t in calls[: max(1, recent)])
    if len(kept) == len(state.tickets):
        return state
    return replace(state, tickets={k: t for k, t in state.tickets.items() if k in kept},
                   queue=None, active=None)  # fmt: skip


def calls_to_announce(
    before: OfficeState | None,
    after: OfficeState,
    office: Mapping[str, Any] | None,
    filters: Filters,
    now: datetime,
    *,
    fresh: bool = False,
) -> list[Call]:
    """The calls in `after` that `before` had not seen, oldest first (the order they happened).

    `fresh`: `after` is a new snapshot (start-up, reconnection) rather than one event folded in.
    Calls made while the display was away are then announced only when younger than
    DISPLAY_ANNOUNCE_MAX_AGE_S: a display back after an hour must not replay the morning.
    """
    names = counter_names(office or {})
    old = before.tickets if before is not None else {}
    out = []
    for t in after.tickets.values():
        if not (_called(t) and filters.accepts(t)):
            continue
        prev = old.get(t.id)
        if prev is not None and prev.calls >= t.calls and prev.called_at == t.called_at:
            continue
        assert t.called_at is not None
        if fresh and (now - t.called_at).total_seconds() > const.DISPLAY_ANNOUNCE_MAX_AGE_S:
            continue
        out.append(_call(t, names))
    out.sort(key=lambda c: (c.at, c.calls))
    return out


def counter_names(office: Mapping[str, Any]) -> dict[str, str]:
    return {c["id"]: c.get("name") or c["id"] for c in office.get("counters", [])}


def _called(t: Ticket) -> bool:
    return t.calls > 0 and t.called_at is not None and t.counter is not None


def _call(t: Ticket, names: Mapping[str, str]) -> Call:
    assert t.called_at is not None and t.counter is not None
    return Call(t.id, t.label, t.counter, names.get(t.counter, t.counter), t.called_at,
                t.calls, t.lang)  # fmt: skip


def _services(
    office: Mapping[str, Any], queue: Mapping[str, Any] | None, filters: Filters
) -> tuple[ServiceLine, ...]:
    lang = (office.get("languages") or ["fr"])[0]
    live = (queue or {}).get("services", {})
    lines = []
    for s in office.get("services", []):
        if filters.services and s["code"] not in filters.services:
            continue
        q = live.get(s["code"])
        wait = (q or {}).get("wait") or {}
        names = s.get("names") or {}
        lines.append(ServiceLine(
            code=s["code"], prefix=s.get("prefix") or s["code"],
            name=names.get(lang) or next(iter(names.values()), s["code"]),
            waiting=None if q is None else int(q.get("waiting", 0)),
            open_counters=int((q or {}).get("open_counters", 0)),
            low_min=wait.get("low_min"), high_min=wait.get("high_min"),
        ))  # fmt: skip
    return tuple(lines)


def _week(raw: Mapping[str, Sequence[Sequence[str]]] | None) -> dict[str, Periods]:
    return {d: tuple((str(a), str(b)) for a, b in (raw or {}).get(d, ())) for d in WEEKDAYS
            if (raw or {}).get(d)}  # fmt: skip


def _quieter(office: Mapping[str, Any], filters: Filters) -> tuple[dict[str, Periods], str]:
    """A room showing one service shows that service's quieter hours; else the office's.
    The hub already chose them (learned, else declared, else none): with their source."""
    chosen = [s for s in office.get("services", []) if s["code"] in filters.services]
    if len(chosen) == 1 and (chosen[0].get("quieter_hours") or "quieter_hours_source" in chosen[0]):
        return _week(chosen[0].get("quieter_hours")), str(chosen[0].get("quieter_hours_source", ""))
    return _week(office.get("quieter_hours")), str(office.get("quieter_hours_source", ""))
