"""Update predictions (the remaining wait of every waiting ticket at each call), by hand."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pytest

from shared.core.model import OfficeState, Ticket, TicketId
from shared.waitbench import baselines as bl
from shared.waitbench.harness import Prediction, run_day
from shared.waitbench.metrics import score
from tests.waitbench.test_harness import RULES, A, Fixed, Ticks, tid, tiny_log

# tiny_log's calls: #1 t1 at 8:00, #2 t2 at 8:10, #3 t3 at 8:20 (a no-show), #4 t4 at 8:30.
# Waiting right after each: #1 nobody, #2 t3 and t4, #3 t4, #4 nobody.


def test_update_truth_is_first_call_minus_now_for_present_visitors() -> None:
    result = run_day(tiny_log(), [], Ticks(), update_every=1)
    # t3 waits at #2 but had left (no-show): left out, as at issue time.
    assert result.update_truth == {(2, tid(4)): 20.0, (3, tid(4)): 10.0}
    assert result.truth == {tid(1): 0.0, tid(2): 10.0, tid(4): 28.0}  # unchanged


def test_sampling_takes_every_nth_call_and_zero_takes_none() -> None:
    assert run_day(tiny_log(), [], Ticks(), update_every=2).update_truth == {(2, tid(4)): 20.0}
    fixed = Fixed({tid(4): Prediction(1.0)})
    none = run_day(tiny_log(), [fixed], Ticks())
    assert none.update_truth == {} and none.updates == {}


def test_baselines_give_what_is_left_of_their_wait() -> None:
    means = bl.Means({A: 10.0}, 10.0)
    ql = bl.QL(RULES, means)
    result = run_day(tiny_log(), [bl.Naive(means), ql, bl.LES(ql), bl.HOL(ql)], Ticks(), 1)
    at = {name: {k: p.mean_min for k, p in s.predictions.items()}
          for name, s in result.updates.items()}  # fmt: skip
    # At 8:10 t3 (issued 8:01) and t4 (8:02) wait; t2 waited 10 min; t4 has waited 8.
    assert at["NAIVE"][(2, tid(4))] == 10.0  # t3 before it
    assert at["QL"][(2, tid(4))] == 20.0  # (1 + 1) × 10
    assert at["LES"][(2, tid(4))] == pytest.approx(2.0)  # t2's 10 min − 8 waited
    assert at["HOL"][(2, tid(4))] == pytest.approx(1.0)  # t3's 9 min − 8 waited
    # At 8:20 only t4 waits (18 min so far); t3, called last, had waited 19.
    assert at["NAIVE"][(3, tid(4))] == 0.0
    assert at["QL"][(3, tid(4))] == 10.0
    assert at["LES"][(3, tid(4))] == pytest.approx(1.0)
    assert at["HOL"][(3, tid(4))] == 10.0  # nobody else waiting: QL
    # t3 is predicted too (the hub did not know it had left), but has no truth.
    assert (2, tid(3)) in result.updates["QL"].predictions


def test_update_rows_score_against_update_truth() -> None:
    fixed = Fixed({tid(3): Prediction(5.0), tid(4): Prediction(15.0, 12.0, 18.0)})
    result = run_day(tiny_log(), [fixed], Ticks(), update_every=1)
    row = score("fixed", result.updates["fixed"], result.update_truth)
    # (2, t4): 15 vs 20, error −5; (3, t4): 15 vs 10, error +5 (Fixed ignores the time).
    assert (row.n, row.missing, row.mae, row.bias) == (2, 0, 5.0, 0.0)
    assert row.coverage == pytest.approx(0.0)  # 20 above [12, 18], 10 below it


@dataclass
class Batch:
    """Predicts all waiting tickets at once, and records how often it was asked."""

    name: str = "batch"
    asked: list[datetime] = field(default_factory=list)

    def predict(self, state: OfficeState, ticket: Ticket, now: datetime) -> Prediction | None:
        return Prediction(0.0)

    def predict_all(self, state: OfficeState, now: datetime) -> dict[TicketId, Prediction]:
        self.asked.append(now)
        return {t.id: Prediction(7.0) for t in state.waiting()}


def test_a_batch_estimator_is_asked_once_per_update_and_timed_once() -> None:
    batch = Batch()
    result = run_day(tiny_log(), [batch], Ticks(), update_every=1)
    assert len(batch.asked) == 4  # one per call, even with nobody waiting
    record = result.updates["batch"]
    assert record.seconds == pytest.approx([0.001] * 4)
    assert {k: p.mean_min for k, p in record.predictions.items()} == {
        (2, tid(3)): 7.0, (2, tid(4)): 7.0, (3, tid(4)): 7.0,
    }  # fmt: skip
    # The issue-time predictions still go through predict.
    assert all(p.mean_min == 0.0 for p in result.by_estimator["batch"].predictions.values())


def test_a_ticket_without_an_update_figure_is_missing() -> None:
    result = run_day(tiny_log(), [Fixed({tid(4): Prediction(1.0)})], Ticks(), update_every=1)
    assert result.updates["fixed"].missing == 1  # t3 at #2
