"""The reference office of shared/reference/wait-estimation.md, as data.

Everything the simulator draws from is here, in minutes after midnight (office time), so that
the oracle of the benchmark can read the TRUE parameters of the office from the same place the
simulator does. assets/sim/reference-office.toml is the configuration the hub sees of it; a
test keeps the two in step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import time

from shared import const
from shared.core.model import (
    Counter,
    CounterId,
    Policy,
    PolicyKind,
    Rules,
    Service,
    ServiceCode,
)

OPEN_MIN = 8 * 60 + 30.0
CLOSE_MIN = 16 * 60 + 30.0

# (start, end, tickets per hour): a non-homogeneous Poisson process, piecewise constant.
ARRIVAL_PROFILE: tuple[tuple[float, float, float], ...] = (
    (8 * 60 + 30, 9 * 60, 30.0),
    (9 * 60, 10 * 60, 48.0),
    (10 * 60, 11 * 60, 52.0),
    (11 * 60, 12 * 60, 40.0),
    (12 * 60, 13 * 60, 22.0),
    (13 * 60, 14 * 60, 28.0),
    (14 * 60, 15 * 60, 36.0),
    (15 * 60, 16 * 60, 30.0),
    (16 * 60, 16 * 60 + 30, 20.0),
)
DAILY_FACTOR_CV = 0.10  # each day's volume × Gamma(mean 1, this CV)

PRIORITY_SHARE = 0.12
PRIORITY_SERVICE_FACTOR = 1.3
IMPATIENT_SHARE = 0.18


@dataclass(frozen=True)
class SimService:
    code: ServiceCode
    name_fr: str
    name_en: str
    share: float
    mean_min: float
    cv: float


SERVICES: tuple[SimService, ...] = (
    SimService(ServiceCode("A"), "Papiers d'identité", "Identity papers", 0.30, 10.0, 0.5),
    SimService(ServiceCode("B"), "Information", "Information", 0.30, 4.0, 0.7),
    SimService(ServiceCode("C"), "Dossier social", "Social file", 0.15, 14.0, 0.6),
    SimService(ServiceCode("D"), "Paiements", "Payments", 0.25, 6.0, 0.5),
)


@dataclass(frozen=True)
class PlannedBreak:
    at_min: float  # planned start, minutes after midnight
    duration_min: float


@dataclass(frozen=True)
class SimCounter:
    id: CounterId
    services: tuple[ServiceCode, ...]
    opens_min: float
    last_call_min: float | None  # None: serves until its queues are empty after closing time
    breaks: tuple[PlannedBreak, ...]


def _c(cid: str, services: str, opens: float, ends: float | None,
       *breaks: tuple[float, float]) -> SimCounter:  # fmt: skip
    return SimCounter(
        CounterId(cid), tuple(ServiceCode(s) for s in services), opens, ends,
        tuple(PlannedBreak(at, d) for at, d in breaks),
    )  # fmt: skip


COUNTERS: tuple[SimCounter, ...] = (
    _c("G1", "AB", OPEN_MIN, None, (10 * 60 + 15, 15), (12 * 60, 45)),
    _c("G2", "AD", OPEN_MIN, None, (10 * 60 + 30, 15), (12 * 60 + 15, 45)),
    _c("G3", "AC", OPEN_MIN, None, (10 * 60 + 45, 15), (12 * 60 + 45, 45)),
    _c("G4", "BD", OPEN_MIN, None, (13 * 60, 45), (15 * 60, 15)),
    _c("G5", "BC", OPEN_MIN, None, (13 * 60 + 15, 45), (15 * 60 + 15, 15)),
    _c("G6", "ABCD", 9 * 60, 16 * 60, (11 * 60 + 30, 30), (14 * 60 + 30, 15)),
)

HISTORY_SEEDS = range(1000, 1040)
TEST_SEEDS = range(1, 21)


def service(code: ServiceCode) -> SimService:
    return next(s for s in SERVICES if s.code == code)


def lognormal_params(code: ServiceCode, priority: bool, stress: bool) -> tuple[float, float]:
    """The TRUE (mu, sigma) of a service time in minutes: mean and CV as the reference says."""
    s = service(code)
    mean = s.mean_min * (PRIORITY_SERVICE_FACTOR if priority else 1.0)
    mean *= const.SIM_STRESS_SLOWDOWN if stress else 1.0
    sigma2 = math.log(1.0 + s.cv * s.cv)
    return math.log(mean) - sigma2 / 2.0, math.sqrt(sigma2)


def arrival_rate_per_min(minute: float) -> float:
    """Mean arrivals per minute at `minute` (before the daily factor); 0 when closed."""
    for start, end, per_hour in ARRIVAL_PROFILE:
        if start <= minute < end:
            return per_hour / 60.0
    return 0.0


def expected_daily_volume() -> float:
    return sum((end - start) / 60.0 * rate for start, end, rate in ARRIVAL_PROFILE)


def rules() -> Rules:
    """What the core needs of the reference office (equal to the TOML's; see the tests)."""
    services = {
        s.code: Service(s.code, s.code, {"fr": s.name_fr, "en": s.name_en}, s.mean_min)
        for s in SERVICES
    }
    counters = {
        c.id: Counter(
            c.id, f"Guichet {c.id[1:]}", c.services, False,
            None if c.last_call_min is None else (_clock(c.opens_min), _clock(c.last_call_min)),
            tuple((_clock(b.at_min), round(b.duration_min)) for b in c.breaks),
        )
        for c in COUNTERS
    }  # fmt: skip
    return Rules(services, counters, Policy(PolicyKind.STRICT))


def _clock(minute: float) -> time:
    return time(int(minute // 60), int(minute % 60))
