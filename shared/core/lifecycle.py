"""The ticket's life and the counters' sessions: every legal move, in one table.

Theory of operation
-------------------
Everything that affects the queue's state machine lives in this file (after h11/_state.py).
`TRANSITIONS[state][command]` is the ticket's next state; a pair missing from it raises
`IllegalTransition` (HTTP 409) and changes nothing. `decide(state, command, rules, now)`
checks a command against the table and the guards (counter open, recall limit, grace period…)
and returns the events it causes, without changing anything. `evolve(state, event)` applies
one event and returns the new state. The hub stores events, never states: the state of the
day is `fold(events)`, which is also how the hub rebuilds itself after a crash.

Guards that depend on more than a ticket's state (which counter, how many recalls, the
no-show grace period) are checked in `decide`, never in `evolve`: an event, once stored, is a
fact and always applies.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from shared.core import policy
from shared.core.errors import Conflict, IllegalTransition, InvalidInput, NotFound, NothingWaiting
from shared.core.events import (
    CounterClosed,
    CounterOpened,
    CounterPaused,
    CounterResumed,
    CounterServicesChanged,
    DayOpened,
    Event,
    ServiceStarted,
    TicketCalled,
    TicketCancelled,
    TicketCompleted,
    TicketIssued,
    TicketNoShow,
    TicketParked,
    TicketReactivated,
    TicketRecalled,
    TicketTransferred,
)
from shared.core.model import (
    CounterId,
    CounterSession,
    CounterStatus,
    OfficeState,
    Rules,
    ServiceCode,
    Ticket,
    TicketId,
    TicketState,
)
from shared.core.numbering import label_for


class Action(StrEnum):
    CALL = "call"
    RECALL = "recall"
    START = "start"
    NO_SHOW = "no_show"
    REACTIVATE = "reactivate"
    CANCEL = "cancel"
    TRANSFER = "transfer"
    PARK = "park"
    COMPLETE = "complete"


S, A = TicketState, Action

TRANSITIONS: dict[TicketState, dict[Action, TicketState]] = {
    S.WAITING: {A.CALL: S.CALLED, A.CANCEL: S.CANCELLED},
    # A recall past the office's recall limit becomes a no-show (guard in decide).
    S.CALLED: {A.RECALL: S.CALLED, A.START: S.SERVING, A.NO_SHOW: S.NO_SHOW,
               A.TRANSFER: S.TRANSFERRED},
    S.SERVING: {A.TRANSFER: S.TRANSFERRED, A.PARK: S.PARKED, A.COMPLETE: S.DONE},
    S.PARKED: {A.CALL: S.CALLED},  # only by the counter that parked it (guard)
    S.NO_SHOW: {A.REACTIVATE: S.WAITING},  # within the grace period (guard)
    S.DONE: {},
    S.CANCELLED: {},
    S.TRANSFERRED: {},
}  # fmt: skip


# --- commands ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenDay:
    day: date


@dataclass(frozen=True)
class IssueTicket:
    ticket: TicketId
    token: str
    service: ServiceCode
    priority: bool
    lang: str


@dataclass(frozen=True)
class CallNext:
    counter: CounterId


@dataclass(frozen=True)
class CallTicket:
    """Call a given waiting ticket, or call back a ticket this counter parked."""

    counter: CounterId
    ticket: TicketId


@dataclass(frozen=True)
class TicketCommand:
    """recall, start, no_show, reactivate, cancel, park: one ticket, maybe from a counter."""

    action: Action
    ticket: TicketId
    counter: CounterId | None = None


@dataclass(frozen=True)
class Complete:
    ticket: TicketId
    outcome: str
    counter: CounterId | None = None


@dataclass(frozen=True)
class Transfer:
    ticket: TicketId
    service: ServiceCode
    new_ticket: TicketId
    note: str = ""
    head: bool = False
    counter: CounterId | None = None


@dataclass(frozen=True)
class OpenCounter:
    counter: CounterId
    services: tuple[ServiceCode, ...]


@dataclass(frozen=True)
class PauseCounter:
    counter: CounterId
    reason: str
    until: datetime | None = None  # the planned end of the break (the estimates use it)


@dataclass(frozen=True)
class ResumeCounter:
    counter: CounterId


@dataclass(frozen=True)
class CloseCounter:
    counter: CounterId


Command = (
    OpenDay
    | IssueTicket
    | CallNext
    | CallTicket
    | TicketCommand
    | Complete
    | Transfer
    | OpenCounter
    | PauseCounter
    | ResumeCounter
    | CloseCounter
)


# --- decide ---------------------------------------------------------------------------------


def next_state(state: TicketState, action: Action) -> TicketState:
    """The table lookup: raises IllegalTransition and changes nothing for a missing pair."""
    try:
        return TRANSITIONS[state][action]
    except KeyError:
        raise IllegalTransition(
            f"A ticket that is {state.value.replace('_', ' ')} cannot be {_PAST[action]}."
        ) from None


_PAST = {
    A.CALL: "called",
    A.RECALL: "recalled",
    A.START: "started",
    A.NO_SHOW: "marked as a no-show",
    A.REACTIVATE: "reactivated",
    A.CANCEL: "cancelled",
    A.TRANSFER: "transferred",
    A.PARK: "parked",
    A.COMPLETE: "completed",
}


def decide(state: OfficeState, command: Command, rules: Rules, now: datetime) -> list[Event]:
    """The events `command` causes now; raises a MontourError and changes nothing if illegal."""
    match command:
        case OpenDay(day=day):
            return [] if state.day == day else [DayOpened(now, day)]
        case IssueTicket():
            return [_issue(state, command, rules, now)]
        case CallNext(counter=cid):
            session = _open_counter(state, cid, rules)
            choice = policy.choose(state.waiting(), session.services, rules, now)
            if choice is None:
                raise NothingWaiting(f"Nobody is waiting for the services of {cid}.")
            return [TicketCalled(now, choice.ticket.id, cid, choice.reason_kind, choice.reason)]
        case CallTicket(counter=cid, ticket=tid):
            return [_call_given(state, cid, _ticket(state, tid), rules, now)]
        case TicketCommand():
            return _ticket_command(state, command, rules, now)
        case Complete(ticket=tid, outcome=outcome, counter=cid):
            ticket = _at_counter(_ticket(state, tid), cid)
            next_state(ticket.state, A.COMPLETE)
            if not outcome.strip():
                raise InvalidInput("Choose an outcome to complete the ticket.")
            assert ticket.counter is not None
            return [TicketCompleted(now, tid, ticket.counter, outcome)]
        case Transfer():
            return [_transfer(state, command, rules, now)]
        case OpenCounter(counter=cid, services=services):
            _known_counter(cid, rules)
            _known_services(services, rules)
            if not services:
                raise InvalidInput(f"Choose at least one service to open {cid}.")
            allowed = rules.counters[cid].services
            if not set(services) <= set(allowed):
                raise InvalidInput(
                    f"{cid} may serve only {', '.join(allowed)} (office configuration)."
                )
            session = state.counter(cid)
            if session.status is CounterStatus.CLOSED:
                return [CounterOpened(now, cid, services)]
            return (
                [] if session.services == services else [CounterServicesChanged(now, cid, services)]
            )
        case PauseCounter(counter=cid, reason=reason, until=until):
            _open_counter(state, cid, rules)  # paused only from open and free
            if until is not None and until <= now:
                raise InvalidInput("The end of the break must be later than now.")
            return [CounterPaused(now, cid, reason, until)]
        case ResumeCounter(counter=cid):
            _known_counter(cid, rules)
            session = state.counter(cid)
            if session.status is not CounterStatus.PAUSED:
                raise Conflict(f"{cid} is not paused.")
            return [CounterResumed(now, cid)]
        case CloseCounter(counter=cid):
            _known_counter(cid, rules)
            if state.counter(cid).status is CounterStatus.CLOSED:
                return []
            active = state.active_ticket(cid)
            if active is not None:
                raise Conflict(
                    f"{cid} still has ticket {active.label}: complete, park or transfer it "
                    "before closing."
                )
            return [CounterClosed(now, cid)]
    raise InvalidInput(f"Unknown command {type(command).__name__}.")  # pragma: no cover


def _issue(state: OfficeState, cmd: IssueTicket, rules: Rules, now: datetime) -> TicketIssued:
    service = rules.services.get(cmd.service)
    if service is None:
        raise NotFound(f"There is no service {cmd.service!r} in this office.")
    if cmd.ticket in state.tickets:
        raise Conflict(f"Ticket id {cmd.ticket} is already used.")
    number = state.last_number.get(cmd.service, 0) + 1
    return TicketIssued(
        now, cmd.ticket, cmd.token, cmd.service, number, label_for(service.prefix, number),
        cmd.priority, cmd.lang,
    )  # fmt: skip


def _call_given(
    state: OfficeState, cid: CounterId, ticket: Ticket, rules: Rules, now: datetime
) -> TicketCalled:
    next_state(ticket.state, A.CALL)  # the table first: a wrong move is a 409 whatever else
    session = _open_counter(state, cid, rules)
    waited = int((now - ticket.issued_at).total_seconds() // 60)
    if ticket.state is TicketState.PARKED:
        if ticket.counter != cid:
            raise Conflict(
                f"{ticket.label} was parked by {ticket.counter}; only it can call it back."
            )
        return TicketCalled(now, ticket.id, cid, "parked", "called back after stepping aside")
    if ticket.service not in session.services:
        raise Conflict(f"{cid} does not serve the service of {ticket.label} today.")
    return TicketCalled(now, ticket.id, cid, "chosen", f"called by number, waiting {waited} min")


def _ticket_command(
    state: OfficeState, cmd: TicketCommand, rules: Rules, now: datetime
) -> list[Event]:
    ticket = _at_counter(_ticket(state, cmd.ticket), cmd.counter)
    if cmd.action in (A.CALL, A.COMPLETE, A.TRANSFER):
        raise InvalidInput(f"Use the {cmd.action.value} command for that.")
    next_state(ticket.state, cmd.action)
    counter = ticket.counter or CounterId("")
    match cmd.action:
        case A.RECALL:
            if ticket.calls > rules.recall_limit:
                return [TicketNoShow(now, ticket.id, counter, True)]
            return [TicketRecalled(now, ticket.id, counter, ticket.calls + 1)]
        case A.START:
            return [ServiceStarted(now, ticket.id, counter)]
        case A.NO_SHOW:
            return [TicketNoShow(now, ticket.id, counter, False)]
        case A.REACTIVATE:
            since = ticket.finished_at or now
            if (now - since).total_seconds() > rules.no_show_grace_s:
                minutes = int(rules.no_show_grace_s // 60)
                raise Conflict(
                    f"{ticket.label} was a no-show more than {minutes} min ago; "
                    "the visitor needs a new ticket."
                )
            return [TicketReactivated(now, ticket.id)]
        case A.CANCEL:
            return [TicketCancelled(now, ticket.id)]
        case _:  # A.PARK
            return [TicketParked(now, ticket.id, counter)]


def _transfer(state: OfficeState, cmd: Transfer, rules: Rules, now: datetime) -> TicketTransferred:
    ticket = _at_counter(_ticket(state, cmd.ticket), cmd.counter)
    next_state(ticket.state, A.TRANSFER)
    _known_services((cmd.service,), rules)
    if cmd.new_ticket in state.tickets:
        raise Conflict(f"Ticket id {cmd.new_ticket} is already used.")
    return TicketTransferred(now, ticket.id, cmd.new_ticket, cmd.service, cmd.note, cmd.head)


def _ticket(state: OfficeState, tid: TicketId) -> Ticket:
    ticket = state.tickets.get(tid)
    if ticket is None:
        raise NotFound(f"There is no ticket {tid} today.")
    return ticket


def _at_counter(ticket: Ticket, cid: CounterId | None) -> Ticket:
    if cid is not None and ticket.counter is not None and ticket.counter != cid:
        raise Conflict(f"{ticket.label} is at {ticket.counter}, not at {cid}.")
    return ticket


def _known_counter(cid: CounterId, rules: Rules) -> None:
    if cid not in rules.counters:
        raise NotFound(f"There is no counter {cid!r} in this office.")


def _known_services(services: Iterable[ServiceCode], rules: Rules) -> None:
    unknown = [s for s in services if s not in rules.services]
    if unknown:
        raise NotFound(f"Unknown service(s): {', '.join(unknown)}.")


def _open_counter(state: OfficeState, cid: CounterId, rules: Rules) -> CounterSession:
    _known_counter(cid, rules)
    session = state.counter(cid)
    if session.status is CounterStatus.CLOSED:
        raise Conflict(f"{cid} is closed: open it first.")
    if session.status is CounterStatus.PAUSED:
        raise Conflict(f"{cid} is paused: resume it first.")
    active = state.active_ticket(cid)
    if active is not None:
        raise Conflict(f"{cid} is busy with {active.label}: complete, park or transfer it first.")
    return session


# --- evolve ---------------------------------------------------------------------------------


def evolve(state: OfficeState, event: Event) -> OfficeState:
    """Apply one stored event. Never raises for an event `decide` produced."""
    match event:
        case DayOpened(day=day):
            return OfficeState(day=day)
        case TicketIssued():
            ticket = Ticket(
                event.ticket, event.token, event.service, event.number, event.label,
                event.priority, event.lang, event.at,
            )  # fmt: skip
            last = max(state.last_number.get(event.service, 0), event.number)
            return replace(
                state.with_ticket(ticket), last_number={**state.last_number, event.service: last}
            )
        case TicketCalled():
            t = state.tickets[event.ticket]
            return _put(state, replace(
                t, state=S.CALLED, counter=event.counter, calls=1, called_at=event.at,
                first_called_at=t.first_called_at or event.at, reason=event.reason,
                reason_kind=event.reason_kind,
            ))  # fmt: skip
        case TicketRecalled():
            t = state.tickets[event.ticket]
            return _put(state, replace(t, calls=event.calls, called_at=event.at))
        case ServiceStarted():
            t = state.tickets[event.ticket]
            return _put(state, replace(t, state=S.SERVING, started_at=event.at))
        case TicketCompleted():
            t = state.tickets[event.ticket]
            return _put(
                state, replace(t, state=S.DONE, finished_at=event.at, outcome=event.outcome)
            )
        case TicketNoShow():
            t = state.tickets[event.ticket]
            return _put(state, replace(t, state=S.NO_SHOW, finished_at=event.at))
        case TicketReactivated():
            t = state.tickets[event.ticket]
            return _put(state, replace(
                t, state=S.WAITING, counter=None, calls=0, called_at=None, finished_at=None,
            ))  # fmt: skip
        case TicketCancelled():
            t = state.tickets[event.ticket]
            return _put(state, replace(t, state=S.CANCELLED, finished_at=event.at))
        case TicketParked():
            t = state.tickets[event.ticket]
            return _put(state, replace(t, state=S.PARKED))
        case TicketTransferred():
            old = state.tickets[event.ticket]
            new = Ticket(
                event.new_ticket, old.token, event.service, old.number, old.label, old.priority,
                old.lang, old.issued_at, note=event.note or None, previous=old.id,
                head=event.head,
            )  # fmt: skip
            moved = replace(old, state=S.TRANSFERRED, finished_at=event.at)
            return state.with_ticket(moved).with_ticket(new)
        case CounterOpened():
            session = CounterSession(event.counter, CounterStatus.OPEN, event.services, None,
                                     event.at)  # fmt: skip
            return _put_counter(state, session)
        case CounterServicesChanged():
            # Only the services: a paused counter stays paused, with its reason and time.
            session = replace(state.counter(event.counter), services=event.services)
            return _put_counter(state, session)
        case CounterPaused():
            session = state.counter(event.counter)
            return _put_counter(state, replace(
                session, status=CounterStatus.PAUSED, pause_reason=event.reason, since=event.at,
                pause_until=event.until,
            ))  # fmt: skip
        case CounterResumed():
            session = state.counter(event.counter)
            return _put_counter(state, replace(
                session, status=CounterStatus.OPEN, pause_reason=None, since=event.at,
                pause_until=None,
            ))  # fmt: skip
        case CounterClosed():
            return _put_counter(state, CounterSession(event.counter, since=event.at))
    raise TypeError(f"not an event: {event!r}")  # pragma: no cover


def fold(events: Iterable[Event], state: OfficeState | None = None) -> OfficeState:
    for event in events:
        state = evolve(state or OfficeState(), event)
    return state or OfficeState()


def _put(state: OfficeState, ticket: Ticket) -> OfficeState:
    return state.with_ticket(ticket)


def _put_counter(state: OfficeState, session: CounterSession) -> OfficeState:
    return replace(state, counters={**state.counters, session.id: session})


def mermaid() -> str:
    """The ticket's life as a Mermaid state diagram, generated from TRANSITIONS (README)."""
    lines = ["stateDiagram-v2", "    [*] --> waiting: issue"]
    for source, moves in TRANSITIONS.items():
        for action, target in moves.items():
            lines.append(f"    {source.value} --> {target.value}: {action.value}")
    lines += [f"    {s.value} --> [*]" for s, moves in TRANSITIONS.items() if not moves]
    return "\n".join(lines)
