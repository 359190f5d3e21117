"""Replay one day's event log and collect every estimator's issue-time predictions.

Theory of operation
-------------------
The log is folded event by event with `lifecycle.evolve`, exactly as the hub folds it, so the
estimators see only what the hub would have known. Right after each TicketIssued is folded (the
new ticket waiting, nothing later known), every estimator predicts that ticket's wait; at issue
time the remaining wait and the total wait are the same thing. The compute time of each
prediction is measured (`clock` is passed in so that the module stays free of I/O and clocks).

Truth, once the whole log is read: the first TicketCalled minus the issue time, for visitors
who were present. A ticket that ever got TicketNoShow was called in vain (the visitor had
left): its "wait" is not a wait anybody lived, so it is left out, as the reference says. A
ticket never called has no truth either.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from shared.core import lifecycle
from shared.core.events import Event, TicketCalled, TicketIssued, TicketNoShow
from shared.core.model import OfficeState, Ticket, TicketId


@dataclass(frozen=True)
class Prediction:
    mean_min: float  # predicted wait until the first call, in minutes
    p10_min: float | None = None  # a range, for the estimators that give one
    p90_min: float | None = None


class Estimator(Protocol):
    name: str

    def predict(self, state: OfficeState, ticket: Ticket, now: datetime) -> Prediction | None:
        """The wait of `ticket`, just issued at `now`; None when there is no honest figure."""
        ...


@dataclass
class Scored:
    """One estimator's record over one or more days."""

    predictions: dict[TicketId, Prediction] = field(default_factory=dict)
    seconds: list[float] = field(default_factory=list)  # compute time per issue event
    missing: int = 0  # issue events without a prediction


@dataclass
class DayResult:
    truth: dict[TicketId, float]  # minutes from issue to first call, present visitors only
    by_estimator: dict[str, Scored]


def run_day(
    events: Iterable[tuple[int, Event]],
    estimators: Sequence[Estimator],
    clock: Callable[[], float],
) -> DayResult:
    state = OfficeState()
    scored = {e.name: Scored() for e in estimators}
    issued: dict[TicketId, datetime] = {}
    first_call: dict[TicketId, datetime] = {}
    absent: set[TicketId] = set()
    for _, event in events:
        state = lifecycle.evolve(state, event)
        match event:
            case TicketIssued():
                issued[event.ticket] = event.at
                ticket = state.tickets[event.ticket]
                for estimator in estimators:
                    record = scored[estimator.name]
                    t0 = clock()
                    prediction = estimator.predict(state, ticket, event.at)
                    record.seconds.append(clock() - t0)
                    if prediction is None:
                        record.missing += 1
                    else:
                        record.predictions[event.ticket] = prediction
            case TicketCalled():
                first_call.setdefault(event.ticket, event.at)
            case TicketNoShow():
                absent.add(event.ticket)
            case _:
                pass
    truth = {
        tid: (first_call[tid] - at).total_seconds() / 60
        for tid, at in issued.items()
        if tid in first_call and tid not in absent
    }
    return DayResult(truth, scored)
