"""The agent's session at a counter, as plain values, and which actions it allows now.

Theory of operation
-------------------
A `Session` holds what the counter app knows: who is signed in, which counter and services,
the counter's status on the hub, the ticket it calls or serves, how many tickets it could act
on (waiting, parked here, recent no-shows), the request in flight and a pending undo.

Which buttons are enabled is data, not scattered `if`s: `ALLOWED[phase]` lists the actions of
each phase, `NEEDS` the extra fact an action needs (somebody waiting, a parked visitor…), and
three global rules come first: no hub → nothing but a local undo; a request in flight →
nothing (a second press never sends twice); an undo window open → only Undo.

The hub stays the source of truth: `observe()` takes the facts folded from its state, and
`settle()` the answer to our own request (which may arrive before the matching event).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from shared.core.model import ACTIVE_STATES, CounterId, CounterStatus, OfficeState, TicketState


class Action(StrEnum):
    SIGN_IN = "sign_in"
    SIGN_OUT = "sign_out"
    OPEN = "open"
    CALL_NEXT = "call_next"
    CALL_NUMBER = "call_number"
    RECALL = "recall"
    START = "start"
    COMPLETE = "complete"
    NO_SHOW = "no_show"
    REACTIVATE = "reactivate"
    TRANSFER = "transfer"
    PARK = "park"
    CALL_PARKED = "call_parked"
    CANCEL = "cancel"
    PAUSE = "pause"
    RESUME = "resume"
    CLOSE = "close"
    SERVICES = "services"  # change the services served, the counter staying open
    UNDO = "undo"


class Phase(StrEnum):
    SIGNED_OUT = "signed_out"
    CLOSED = "closed"  # signed in, counter closed
    IDLE = "idle"  # open, no ticket
    CALLED = "called"
    SERVING = "serving"
    PAUSED = "paused"


@dataclass(frozen=True)
class CurrentTicket:
    id: str
    label: str
    service: str
    state: TicketState  # called or serving
    calls: int = 1
    priority: bool = False


@dataclass(frozen=True)
class PendingUndo:
    """A destructive action held back for a few seconds: sent when `deadline` passes."""

    action: Action  # NO_SHOW, or a RECALL that the recall limit turns into a no-show
    ticket: str
    label: str
    deadline: float  # monotonic seconds


@dataclass(frozen=True)
class Facts:
    """What the hub's folded state says about one counter and its services."""

    status: CounterStatus = CounterStatus.CLOSED
    services: tuple[str, ...] = ()
    ticket: CurrentTicket | None = None
    waiting: int = 0
    parked: int = 0
    no_shows: int = 0


@dataclass(frozen=True)
class Session:
    agent: str | None = None
    counter: str | None = None
    services: tuple[str, ...] = ()
    status: CounterStatus = CounterStatus.CLOSED
    ticket: CurrentTicket | None = None
    recall_limit: int = 2  # recalls allowed after the first call (office policy)
    waiting: int = 0  # tickets waiting for this counter's services
    parked: int = 0  # tickets this counter parked
    no_shows: int = 0  # recent no-shows of its services that may still be reactivated
    pending: Action | None = None  # the request in flight
    undo: PendingUndo | None = None
    connected: bool = False
    observed: Facts | None = None  # the last facts taken from the hub's state

    @property
    def phase(self) -> Phase:
        if self.agent is None:
            return Phase.SIGNED_OUT
        if self.status is CounterStatus.CLOSED:
            return Phase.CLOSED
        if self.status is CounterStatus.PAUSED:
            return Phase.PAUSED
        if self.ticket is None:
            return Phase.IDLE
        return Phase.SERVING if self.ticket.state is TicketState.SERVING else Phase.CALLED

    @property
    def recalls_done(self) -> int:
        return 0 if self.ticket is None else max(0, self.ticket.calls - 1)

    @property
    def recall_ends_call(self) -> bool:
        """The next recall passes the office's limit: the hub makes it a no-show."""
        return self.ticket is not None and self.ticket.calls > self.recall_limit


A, P = Action, Phase
# Local actions: no request to the hub (sign in/out only change who is at the desk).
LOCAL = frozenset({A.SIGN_IN, A.SIGN_OUT, A.UNDO})
_ANYTIME = (A.REACTIVATE, A.CANCEL)  # act on other tickets, whatever this counter does

ALLOWED: dict[Phase, frozenset[Action]] = {
    P.SIGNED_OUT: frozenset({A.SIGN_IN}),
    P.CLOSED: frozenset({A.OPEN, A.SIGN_OUT}),
    P.IDLE: frozenset(
        {A.CALL_NEXT, A.CALL_NUMBER, A.CALL_PARKED, A.PAUSE, A.CLOSE, A.SERVICES, *_ANYTIME}
    ),
    # Not while paused: the hub's CounterServicesChanged would open (un-pause) the counter.
    P.CALLED: frozenset({A.RECALL, A.START, A.NO_SHOW, A.TRANSFER, A.SERVICES, *_ANYTIME}),
    P.SERVING: frozenset({A.COMPLETE, A.TRANSFER, A.PARK, A.SERVICES, *_ANYTIME}),
    P.PAUSED: frozenset({A.RESUME, A.CLOSE, *_ANYTIME}),
}

NEEDS: dict[Action, Callable[[Session], bool]] = {
    A.CALL_NEXT: lambda s: s.waiting > 0,
    A.CALL_NUMBER: lambda s: s.waiting > 0,
    A.CANCEL: lambda s: s.waiting > 0,
    A.CALL_PARKED: lambda s: s.parked > 0,
    A.REACTIVATE: lambda s: s.no_shows > 0,
}


def actions(s: Session) -> dict[Action, bool]:
    """Every action, and whether it may be started now."""
    if s.undo is not None:
        return {a: a is A.UNDO for a in Action}
    # Without the hub nothing can be done (signing in needs the office's counters too).
    if s.pending is not None or not s.connected:
        return dict.fromkeys(Action, False)
    allowed = ALLOWED[s.phase]
    return {a: a in allowed and NEEDS.get(a, _yes)(s) for a in Action}


def _yes(s: Session) -> bool:
    return True


# --- moves ----------------------------------------------------------------------------------


def sign_in(
    s: Session, agent: str, counter: str, services: tuple[str, ...], recall_limit: int
) -> Session:
    name = " ".join(agent.split())
    if not name:
        raise ValueError("the agent's name or code is empty")
    if not services:
        raise ValueError("choose at least one service")
    return replace(
        s,
        agent=name,
        counter=counter,
        services=tuple(services),
        recall_limit=recall_limit,
        observed=None,
    )


def sign_out(s: Session) -> Session:
    return Session(connected=s.connected)


def begin(s: Session, action: Action) -> Session:
    """The request for `action` is sent: everything waits for its answer."""
    return replace(s, pending=action)


def hold(s: Session, undo: PendingUndo) -> Session:
    return replace(s, undo=undo)


def release(s: Session) -> Session:
    """The undo window closed (undone, or its action is now sent)."""
    return replace(s, undo=None)


def connection(s: Session, connected: bool) -> Session:
    return replace(s, connected=connected)


def observe(s: Session, facts: Facts) -> Session:
    """Take the hub's view of this counter. Facts equal to the last ones observed change
    nothing: an older event arriving after our own answer must not undo what it showed."""
    if s.agent is None or facts == s.observed:
        return s
    changed = s.observed is None or facts.ticket != s.observed.ticket
    ticket = facts.ticket if changed else s.ticket
    status_changed = s.observed is None or facts.status is not s.observed.status
    return replace(
        s,
        status=facts.status if status_changed else s.status,
        ticket=ticket,
        services=facts.services or s.services,
        waiting=facts.waiting,
        parked=facts.parked,
        no_shows=facts.no_shows,
        observed=facts,
    )


def settle(s: Session, answer: Mapping[str, Any] | None) -> Session:
    """Our request was answered (`answer`), or failed (None): the buttons come back."""
    action, s = s.pending, replace(s, pending=None)
    if answer is None or action is None:
        return s
    if "status" in answer and "ticket" in answer:  # a counter command's answer
        raw = answer["ticket"]
        return replace(
            s,
            status=CounterStatus(answer["status"]),
            services=tuple(answer.get("services") or s.services),
            ticket=None if raw is None else current(raw),
        )
    if action in (A.REACTIVATE, A.CANCEL):  # another ticket: ours is unchanged
        return s
    mine = answer.get("counter") == s.counter and answer.get("state") in ACTIVE_STATES
    return replace(s, ticket=current(answer) if mine else None)


def current(raw: Mapping[str, Any]) -> CurrentTicket:
    return CurrentTicket(
        str(raw["id"]),
        str(raw["label"]),
        str(raw["service"]),
        TicketState(raw["state"]),
        int(raw.get("calls") or 1),
        bool(raw.get("priority")),
    )


def facts(
    state: OfficeState, counter: str, services: tuple[str, ...], now: datetime, grace_s: float
) -> Facts:
    cid = CounterId(counter)
    session = state.counter(cid)
    serving = session.services if session.status is not CounterStatus.CLOSED else ()
    codes = tuple(serving) or services
    active = state.active_ticket(cid)
    ticket = (
        None
        if active is None
        else CurrentTicket(
            active.id, active.label, active.service, active.state, active.calls, active.priority
        )
    )
    parked = sum(
        1 for t in state.tickets.values() if t.state is TicketState.PARKED and t.counter == cid
    )
    return Facts(
        session.status,
        tuple(serving),
        ticket,
        len(state.waiting(codes)),
        parked,
        len(recent_no_shows(state, codes, now, grace_s)),
    )


def recent_no_shows(
    state: OfficeState, services: tuple[str, ...], now: datetime, grace_s: float
) -> list[Any]:
    """Today's no-shows of these services still within the grace period, newest first."""
    found = [
        t
        for t in state.tickets.values()
        if t.state is TicketState.NO_SHOW
        and t.service in services
        and t.finished_at is not None
        and (now - t.finished_at).total_seconds() <= grace_s
    ]
    return sorted(found, key=lambda t: t.finished_at, reverse=True)
