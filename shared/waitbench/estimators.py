"""Our estimator (the replay with parameters fitted on history) and its oracle.

The oracle is the same replay given the simulator's TRUE parameters (shared/sim/reference.py)
and many continuations: its error is the floor no estimator can beat with what the log shows.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, tzinfo

from shared import const
from shared.core import replay
from shared.core.model import OfficeState, Rules, Ticket, TicketId
from shared.core.waitparams import ClassKey, LogNormal, Params, SlotKey, configured
from shared.sim import reference as ref
from shared.waitbench.harness import Prediction

# The true no-show curve is sampled at these waits (minutes); beyond, it is flat at its limit.
_CURVE_STEP_MIN, _CURVE_END_MIN = 5.0, 240.0


@dataclass
class Replay:
    name: str
    rules: Rules
    params: Params
    k: int
    rng: random.Random
    tz: tzinfo

    def predict(self, state: OfficeState, ticket: Ticket, now: datetime) -> Prediction | None:
        found = replay.replay(state, self.rules, self.params, now, k=self.k, rng=self.rng,
                              tz=self.tz).get(ticket.id)  # fmt: skip
        if found is None:
            return None
        return Prediction(found.mean_min, found.p10_min, found.p90_min)

    def predict_all(self, state: OfficeState, now: datetime) -> dict[TicketId, Prediction]:
        # One replay estimates every waiting ticket: an update costs what an issue costs.
        found = replay.replay(state, self.rules, self.params, now, k=self.k, rng=self.rng,
                              tz=self.tz)  # fmt: skip
        return {tid: Prediction(e.mean_min, e.p10_min, e.p90_min) for tid, e in found.items()}


def oracle_params(rules: Rules, stress: bool) -> Params:
    """The reference office's true parameters, in the form `replay` reads."""
    cells: dict[ClassKey, LogNormal] = {
        (s.code, prio): LogNormal(*ref.lognormal_params(s.code, prio, stress))
        for s in ref.SERVICES
        for prio in (False, True)
    }
    rates: dict[SlotKey, float] = {}
    slot = const.REPLAY_SLOT_MIN
    for s in ref.SERVICES:
        for slot_i in range(24 * 60 // slot):
            # The profile is piecewise constant on 30-minute steps: its mid-slot value is exact.
            per_min = ref.arrival_rate_per_min(slot_i * slot + slot / 2)
            if per_min > 0:
                for weekday in range(5):
                    rates[(s.code, weekday, slot_i)] = per_min * ref.PRIORITY_SHARE * s.share
    # An impatient visitor (share q) has left after a wait w with probability 1 − exp(−w / mean).
    curve = tuple(
        (w, ref.IMPATIENT_SHARE * (1.0 - math.exp(-w / const.SIM_PATIENCE_MEAN_MIN)))
        for w in _frange(0.0, _CURVE_END_MIN, _CURVE_STEP_MIN)
    )
    return Params(
        cells=cells, configured=configured(rules), no_show_curve=curve,
        no_show_cost_min=const.SIM_NO_SHOW_CALL_MIN, priority_rates=rates,
        pace_shrink_n=0.0,  # it knows the true times: no correction from today's pace
    )  # fmt: skip


def _frange(start: float, stop: float, step: float) -> list[float]:
    return [start + i * step for i in range(int((stop - start) / step) + 1)]
