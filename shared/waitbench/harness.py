"""Replay one day's event log and collect every estimator's issue-time and update predictions.

Theory of operation
-------------------
The log is folded event by event with `lifecycle.evolve`, exactly as the hub folds it, so the
estimators see only what the hub would have known. Two kinds of prediction are collected:

* issue time: right after each TicketIssued is folded (the new ticket waiting, nothing later
  known), every estimator predicts that ticket's wait; remaining and total wait are the same;
* update: right after a TicketCalled is folded (every `update_every`-th one, to bound the run
  time), every estimator predicts the remaining wait of every ticket still waiting.

The compute time of each prediction (issue) or batch of predictions (update) is measured
(`clock` is passed in so that the module stays free of I/O and clocks).

Truth, once the whole log is read: the first TicketCalled minus the issue time (issue) or minus
the update's time (update), for visitors who were present. A ticket that ever got TicketNoShow
was called in vain (the visitor had left): its "wait" is not a wait anybody lived, so it is
left out, as the reference says. A ticket never called has no truth either.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, Protocol, TypeVar, runtime_checkable

from shared.core import lifecycle
from shared.core.events import Event, TicketCalled, TicketIssued, TicketNoShow
from shared.core.model import OfficeState, Ticket, TicketId

K = TypeVar("K", bound=Hashable)
UpdateKey = tuple[int, TicketId]  # (index of the update among the day's calls, ticket)


@dataclass(frozen=True)
class Prediction:
    mean_min: float  # predicted wait until the first call, in minutes
    p10_min: float | None = None  # a range, for the estimators that give one
    p90_min: float | None = None


class Estimator(Protocol):
    name: str

    def predict(self, state: OfficeState, ticket: Ticket, now: datetime) -> Prediction | None:
        """The remaining wait of waiting `ticket` at `now`; None when there is no honest figure.

        At issue time `ticket` was just issued; at an update it may have waited a while."""
        ...


@runtime_checkable
class BatchEstimator(Protocol):
    """An estimator that predicts every waiting ticket at once more cheaply (the replay)."""

    def predict_all(self, state: OfficeState, now: datetime) -> dict[TicketId, Prediction]: ...


def predict_all(
    estimator: Estimator, state: OfficeState, now: datetime
) -> dict[TicketId, Prediction]:
    if isinstance(estimator, BatchEstimator):
        return estimator.predict_all(state, now)
    found = {}
    for ticket in state.waiting():
        p = estimator.predict(state, ticket, now)
        if p is not None:
            found[ticket.id] = p
    return found


@dataclass
class Scored(Generic[K]):
    """One estimator's record over one or more days."""

    predictions: dict[K, Prediction] = field(default_factory=dict)
    seconds: list[float] = field(default_factory=list)  # compute time per scored event
    missing: int = 0  # tickets without a prediction


@dataclass
class DayResult:
    truth: dict[TicketId, float]  # minutes from issue to first call, present visitors only
    by_estimator: dict[str, Scored[TicketId]]
    update_truth: dict[UpdateKey, float] = field(default_factory=dict)  # update → first call
    updates: dict[str, Scored[UpdateKey]] = field(default_factory=dict)


def run_day(
    events: Iterable[tuple[int, Event]],
    estimators: Sequence[Estimator],
    clock: Callable[[], float],
    update_every: int = 0,
) -> DayResult:
    """Score one day; `update_every` = n: update predictions at every n-th call (0: none)."""
    state = OfficeState()
    scored: dict[str, Scored[TicketId]] = {e.name: Scored() for e in estimators}
    updates: dict[str, Scored[UpdateKey]] = {e.name: Scored() for e in estimators}
    issued: dict[TicketId, datetime] = {}
    first_call: dict[TicketId, datetime] = {}
    absent: set[TicketId] = set()
    asked: dict[UpdateKey, datetime] = {}  # update predictions wanted, and when
    calls = 0
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
                calls += 1
                if update_every and calls % update_every == 0:
                    _update(state, event.at, calls, estimators, updates, asked, clock)
            case TicketNoShow():
                absent.add(event.ticket)
            case _:
                pass
    truth = {
        tid: (first_call[tid] - at).total_seconds() / 60
        for tid, at in issued.items()
        if tid in first_call and tid not in absent
    }
    # A ticket recalled or put back may have been called before the update: no wait to come.
    update_truth = {
        key: (first_call[key[1]] - at).total_seconds() / 60
        for key, at in asked.items()
        if key[1] in first_call and key[1] not in absent and first_call[key[1]] >= at
    }
    return DayResult(truth, scored, update_truth, updates if update_every else {})


def _update(
    state: OfficeState,
    now: datetime,
    index: int,
    estimators: Sequence[Estimator],
    updates: dict[str, Scored[UpdateKey]],
    asked: dict[UpdateKey, datetime],
    clock: Callable[[], float],
) -> None:
    waiting = [t.id for t in state.waiting()]
    for tid in waiting:
        asked[(index, tid)] = now
    for estimator in estimators:
        record = updates[estimator.name]
        t0 = clock()
        found = predict_all(estimator, state, now)
        record.seconds.append(clock() - t0)
        for tid in waiting:
            if tid in found:
                record.predictions[(index, tid)] = found[tid]
            else:
                record.missing += 1
