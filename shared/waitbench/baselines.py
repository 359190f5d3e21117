"""The reference rows of the benchmark: NAIVE, QL, LES and HOL, as the reference defines them.

Each baseline sees only what the hub knows at the moment a ticket is issued (the folded state)
and the means fitted on history. With n = waiting tickets of the same service the policy calls
first, m_k = the historical mean service time of service k, s = open counters able to serve k:

* NAIVE: (tickets of the service issued earlier and still waiting) × the office's overall mean
  service time ÷ counters staffed for k (open or on a break: on duty today);
* QL (Ibrahim & Whitt): (n + 1) · m_k / max(1, s);
* LES: the wait of the last ticket of the same service and class to be called;
* HOL: the elapsed wait of the oldest waiting ticket of the same service and class.

LES and HOL fall back to QL when undefined (nobody called yet, nobody else waiting). They give
a point, not a range: their p10 and p90 are None.

At an update (a ticket that has already waited e minutes), NAIVE counts only the tickets issued
before it, QL is unchanged (it already counts who is ahead), and LES and HOL, which estimate a
total wait, give what is left of it: max(0, total − e). At issue time e = 0: the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.core import policy
from shared.core.model import CounterStatus, OfficeState, Rules, ServiceCode, Ticket
from shared.core.waitparams import Params
from shared.waitbench.harness import Prediction


@dataclass(frozen=True)
class Means:
    """m_k per service and the office's overall mean, from the fitted parameters."""

    per_service: dict[ServiceCode, float]
    overall: float

    @classmethod
    def from_params(cls, params: Params, rules: Rules) -> Means:
        per = {}
        for code in rules.services:
            fitted = params.services.get(code)  # both classes pooled: "mean per service"
            per[code] = (fitted or params.service_time(code, False)).mean
        overall = params.office.mean if params.office is not None else (
            sum(per.values()) / max(1, len(per))
        )  # fmt: skip
        return cls(per, overall)


def _open(state: OfficeState, service: ServiceCode, *, staffed: bool) -> int:
    ok = (CounterStatus.OPEN, CounterStatus.PAUSED) if staffed else (CounterStatus.OPEN,)
    return sum(1 for c in state.counters.values() if c.status in ok and service in c.services)


def _minutes(a: datetime, b: datetime) -> float:
    return (b - a).total_seconds() / 60


@dataclass
class Naive:
    means: Means
    name: str = "NAIVE"

    def predict(self, state: OfficeState, ticket: Ticket, now: datetime) -> Prediction:
        earlier = sum(
            1 for t in state.waiting((ticket.service,))
            if t.id != ticket.id and t.issued_at <= ticket.issued_at
        )  # fmt: skip
        staffed = max(1, _open(state, ticket.service, staffed=True))
        return Prediction(earlier * self.means.overall / staffed)


@dataclass
class QL:
    rules: Rules
    means: Means
    name: str = "QL"

    def predict(self, state: OfficeState, ticket: Ticket, now: datetime) -> Prediction:
        waiting = state.waiting((ticket.service,))
        n = policy.rank(ticket, waiting, self.rules.policy, now)
        s = _open(state, ticket.service, staffed=False)
        return Prediction((n + 1) * self.means.per_service[ticket.service] / max(1, s))


@dataclass
class LES:
    ql: QL
    name: str = "LES"

    def predict(self, state: OfficeState, ticket: Ticket, now: datetime) -> Prediction:
        last: Ticket | None = None
        for t in state.tickets.values():
            # Transfer legs keep the first issue time but were called as a new leg: skip them.
            if (t.service, t.priority) != (ticket.service, ticket.priority) or t.previous:
                continue
            if t.first_called_at is not None and (
                last is None or t.first_called_at > last.first_called_at  # type: ignore[operator]
            ):
                last = t
        if last is None or last.first_called_at is None:
            return self.ql.predict(state, ticket, now)
        return _left(_minutes(last.issued_at, last.first_called_at), ticket, now)


@dataclass
class HOL:
    ql: QL
    name: str = "HOL"

    def predict(self, state: OfficeState, ticket: Ticket, now: datetime) -> Prediction:
        others = [
            t for t in state.waiting((ticket.service,))
            if t.id != ticket.id and t.priority == ticket.priority
        ]  # fmt: skip
        if not others:
            return self.ql.predict(state, ticket, now)
        oldest = min(others, key=lambda t: (t.issued_at, t.number))
        return _left(_minutes(oldest.issued_at, now), ticket, now)


def _left(total_min: float, ticket: Ticket, now: datetime) -> Prediction:
    """What is left of a predicted total wait for a ticket issued before `now`."""
    return Prediction(max(0.0, total_min - _minutes(ticket.issued_at, now)))
