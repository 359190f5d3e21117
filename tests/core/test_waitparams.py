from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared.core import lifecycle as lc
from shared.core.events import Event
from shared.core.model import CounterId, OfficeState, Rules, ServiceCode, TicketId
from shared.core.waitparams import (
    DEFAULT_CV,
    DEFAULT_NO_SHOW_CURVE,
    LogNormal,
    Params,
    curve_at,
    fit,
)
from tests.core.conftest import T0

A, B = ServiceCode("A"), ServiceCode("B")
G1 = CounterId("G1")
REGULAR, PRIORITY = LogNormal(math.log(8.0), 0.5), LogNormal(math.log(12.0), 0.4)


def synthetic_log(rules: Rules, days: int, rng: random.Random) -> list[tuple[int, Event]]:
    """`days` days at G1 (A only): known service times, 10 % no-shows costing 1.5 min.

    Every event comes from lifecycle.decide.
    """
    log: list[tuple[int, Event]] = []

    def do(state: OfficeState, command: lc.Command, at: object) -> OfficeState:
        events = lc.decide(state, command, rules, at)  # type: ignore[arg-type]
        log.extend((len(log) + i, e) for i, e in enumerate(events))
        return lc.fold(events, state)

    for d in range(days):
        start = T0 + timedelta(days=d)  # 08:30
        state = do(OfficeState(), lc.OpenDay(start.date()), start)
        state = do(state, lc.OpenCounter(G1, (A,)), start)
        t = start
        for n in range(40):
            priority = n % 5 == 0
            tid = TicketId(f"d{d}n{n}")
            wait = timedelta(minutes=rng.uniform(0, 60))
            state = do(state, lc.IssueTicket(tid, "", A, priority, "fr"), t - wait)
            state = do(state, lc.CallTicket(G1, tid), t)
            if rng.random() < 0.10:
                t += timedelta(minutes=1.5)
                state = do(state, lc.TicketCommand(lc.Action.NO_SHOW, tid, G1), t)
                continue
            state = do(state, lc.TicketCommand(lc.Action.START, tid, G1), t)
            dist = PRIORITY if priority else REGULAR
            t += timedelta(minutes=rng.lognormvariate(dist.mu, dist.sigma))
            state = do(state, lc.Complete(tid, "done", G1), t)
    return log


def test_fit_recovers_known_lognormal_parameters_and_no_show_figures(rules: Rules) -> None:
    params = fit(synthetic_log(rules, 20, random.Random(4)), rules)
    regular, priority = params.service_time(A, False), params.service_time(A, True)
    assert regular.mu == pytest.approx(REGULAR.mu, abs=0.06)
    assert regular.sigma == pytest.approx(REGULAR.sigma, abs=0.05)
    assert priority.mu == pytest.approx(PRIORITY.mu, abs=0.1)
    assert priority.sigma == pytest.approx(PRIORITY.sigma, abs=0.08)
    assert params.no_show_cost_min == pytest.approx(1.5)
    assert all(p == pytest.approx(0.10, abs=0.04) for _, p in params.no_show_curve)
    # B was never served here: the office-wide fit stands in.
    assert params.service_time(B, False) == params.office


def test_fit_counts_priority_arrivals_per_weekday_and_local_half_hour(rules: Rules) -> None:
    paris = ZoneInfo("Europe/Paris")
    log: list[tuple[int, Event]] = []
    for d in range(10):  # Monday 30 Nov to Wednesday 9 Dec: one or two days of each weekday
        day = datetime(2026, 11, 30, 9, 0, tzinfo=paris) + timedelta(days=d)
        state = lc.fold(lc.decide(OfficeState(), lc.OpenDay(day.date()), rules, day))
        for n, minutes in enumerate([0, 5, 10, 15, 20, 25, 300, 310, 320]):
            cmd = lc.IssueTicket(TicketId(f"d{d}n{n}"), "", A, n % 2 == 0 or n >= 6, "fr")
            at = (day + timedelta(minutes=minutes)).astimezone(UTC)  # the log is UTC
            events = lc.decide(state, cmd, rules, at)
            state = lc.fold(events, state)
            log.extend((len(log), e) for e in events)
    params = fit(log, rules, tz=paris)
    for weekday in range(7):
        assert params.priority_rate(A, weekday, 18) == pytest.approx(3 / 30)  # 09:00-09:30
        assert params.priority_rate(A, weekday, 28) == pytest.approx(3 / 30)  # 14:00-14:30
        assert params.priority_rate(A, weekday, 17) == 0.0
        assert params.priority_rate(B, weekday, 18) == 0.0


def test_fallbacks_without_history_use_the_configuration(rules: Rules) -> None:
    params = Params.from_rules(rules)
    for code, service in rules.services.items():
        for priority in (False, True):
            d = params.service_time(code, priority)
            assert d.mean == pytest.approx(service.mean_service_min)
            assert math.sqrt(math.exp(d.sigma**2) - 1) == pytest.approx(DEFAULT_CV)
    assert params.no_show_curve == DEFAULT_NO_SHOW_CURVE
    assert params.priority_rate(A, 0, 20) == 0.0
    assert fit([], rules) == params


def test_a_thin_priority_cell_falls_back_to_the_service(rules: Rules) -> None:
    params = fit(synthetic_log(rules, 3, random.Random(5)), rules)  # 24 priority < 30 samples
    assert (A, True) not in params.cells
    assert params.service_time(A, True) == params.services[A]


def test_the_no_show_curve_is_monotone_in_the_wait() -> None:
    from shared.core.waitparams import _no_show_curve

    rng = random.Random(2)
    calls = [(w, rng.random() < 0.02 + w / 300) for w in (rng.uniform(0, 120) for _ in range(3000))]
    curve = _no_show_curve(calls)
    ps = [p for _, p in curve]
    assert ps == sorted(ps) and ps[0] < 0.08 < ps[-1]
    assert curve_at(curve, -5) == ps[0] and curve_at(curve, 500) == ps[-1]


@pytest.mark.parametrize("elapsed", [0.0, 5.0, 10.0, 20.0, 40.0])
def test_residual_mean_matches_numerical_integration(elapsed: float) -> None:
    d = LogNormal.from_mean_cv(10.0, 0.5)
    assert d.mean == pytest.approx(10.0)
    # E[X - e | X > e] = ∫_e^∞ (1 - F(x)) dx / (1 - F(e)), by the trapezoid rule.
    step, xs = 0.01, []
    x = elapsed
    while x < 400:
        xs.append(1 - d.cdf(x))
        x += step
    integral = step * (sum(xs) - (xs[0] + xs[-1]) / 2)
    assert d.residual_mean(elapsed) == pytest.approx(integral / (1 - d.cdf(elapsed)), rel=1e-3)
