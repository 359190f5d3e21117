from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from shared.sim import reference as ref
from shared.sim.cli import simulate_days
from shared.sim.office import SimDay

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(scope="session")
def history() -> list[SimDay]:
    """The 40 history days (≈ 1.5 s): shared by the statistical tests."""
    seeds = ref.HISTORY_SEEDS
    return list(simulate_days(seeds.start, len(seeds)))


@pytest.fixture(scope="session")
def stress() -> list[SimDay]:
    seeds = ref.TEST_SEEDS
    return list(simulate_days(seeds.start, len(seeds), stress=True))
