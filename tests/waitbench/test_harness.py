"""The harness and metrics on a hand-built log whose every figure is known."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from shared.core import lifecycle as lc
from shared.core.events import Event
from shared.core.model import (
    Counter,
    CounterId,
    OfficeState,
    Rules,
    Service,
    ServiceCode,
    Ticket,
    TicketId,
)
from shared.waitbench import baselines as bl
from shared.waitbench.harness import Prediction, run_day
from shared.waitbench.metrics import score

A = ServiceCode("A")
G1 = CounterId("G1")
RULES = Rules({A: Service(A, "A", {"en": "A"}, 10.0)}, {G1: Counter(G1, "G1", (A,))})
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def tid(n: int) -> TicketId:
    return TicketId(f"t{n}")


def tiny_log() -> list[tuple[int, Event]]:
    """One counter: t1 called at once, t2 after 10 min, t3 absent, t4 called after 28 min."""
    state, log = OfficeState(), list[tuple[int, Event]]()

    def do(command: lc.Command, minute: float) -> None:
        nonlocal state
        for event in lc.decide(state, command, RULES, T0 + timedelta(minutes=minute)):
            state = lc.evolve(state, event)
            log.append((len(log) + 1, event))

    do(lc.OpenDay(T0.date()), 0)
    do(lc.OpenCounter(G1, (A,)), 0)
    do(lc.IssueTicket(tid(1), "k1", A, False, "en"), 0)
    do(lc.CallNext(G1), 0)
    do(lc.TicketCommand(lc.Action.START, tid(1), G1), 0)
    do(lc.IssueTicket(tid(2), "k2", A, False, "en"), 0)
    do(lc.IssueTicket(tid(3), "k3", A, False, "en"), 1)
    do(lc.IssueTicket(tid(4), "k4", A, False, "en"), 2)
    do(lc.Complete(tid(1), "done", G1), 10)
    do(lc.CallNext(G1), 10)
    do(lc.TicketCommand(lc.Action.START, tid(2), G1), 10)
    do(lc.Complete(tid(2), "done", G1), 20)
    do(lc.CallNext(G1), 20)
    do(lc.TicketCommand(lc.Action.NO_SHOW, tid(3), G1), 21.5)
    do(lc.CallNext(G1), 30)
    return log


@dataclass
class Fixed:
    """Predicts what it is told, per ticket; None for the others."""

    table: dict[TicketId, Prediction]
    name: str = "fixed"

    def predict(self, state: OfficeState, ticket: Ticket, now: datetime) -> Prediction | None:
        return self.table.get(ticket.id)


class Ticks:
    """A clock that advances 1 ms at each reading: every prediction 'costs' exactly 1 ms."""

    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        self.t += 0.001
        return self.t


def test_truth_is_first_call_minus_issue_for_present_visitors_only() -> None:
    result = run_day(tiny_log(), [], Ticks())
    assert result.truth == {tid(1): 0.0, tid(2): 10.0, tid(4): 28.0}  # t3 was a no-show


def test_metrics_on_known_errors() -> None:
    fixed = Fixed({
        tid(1): Prediction(2.0, 0.0, 0.0),  # error +2; truth 0: left out of coverage
        tid(2): Prediction(7.0, 5.0, 9.0),  # error −3; 10 outside [5, 9]
        tid(3): Prediction(99.0, 0.0, 1.0),  # a no-show: not scored at all
        tid(4): Prediction(33.5, 20.0, 30.0),  # error +5.5; 28 inside [20, 30]; 5.5 ≤ 20 % × 28
    })  # fmt: skip
    result = run_day(tiny_log(), [fixed], Ticks())
    row = score("fixed", result.by_estimator["fixed"], result.truth)
    assert row.n == 3 and row.missing == 0
    assert row.mae == pytest.approx(10.5 / 3)
    assert row.rmse == pytest.approx(math.sqrt((4 + 9 + 30.25) / 3))
    assert row.bias == pytest.approx(4.5 / 3)
    assert row.p90_abs == pytest.approx(5.0)  # |e| = 2, 3, 5.5: interpolated at 1.8
    assert row.within_5 == pytest.approx(200 / 3)
    assert row.within_5_20 == pytest.approx(100.0)
    assert row.coverage == pytest.approx(50.0)
    assert row.p99_ms == pytest.approx(1.0)


def test_a_missing_prediction_is_counted_not_scored() -> None:
    result = run_day(tiny_log(), [Fixed({tid(2): Prediction(10.0)})], Ticks())
    row = score("fixed", result.by_estimator["fixed"], result.truth)
    assert (row.n, row.missing, row.mae, row.coverage) == (1, 3, 0.0, None)


def test_baselines_at_the_fourth_ticket() -> None:
    # At 8:02 t1 is served (called at once), t2, t3 and t4 wait; one counter, m_A = 10 min.
    means = bl.Means({A: 10.0}, 10.0)
    ql = bl.QL(RULES, means)
    result = run_day(tiny_log(), [bl.Naive(means), ql, bl.LES(ql), bl.HOL(ql)], Ticks())
    at_t4 = {name: s.predictions[tid(4)].mean_min for name, s in result.by_estimator.items()}
    assert at_t4 == {"NAIVE": 20.0, "QL": 30.0, "LES": 0.0, "HOL": 2.0}
    # t1 had nobody called before it and nobody else waiting: LES and HOL fall back to QL.
    at_t1 = {name: s.predictions[tid(1)].mean_min for name, s in result.by_estimator.items()}
    assert at_t1 == {"NAIVE": 0.0, "QL": 10.0, "LES": 10.0, "HOL": 10.0}
