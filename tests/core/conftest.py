from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from shared import config
from shared.core.model import Rules

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)


@pytest.fixture(scope="session")
def rules() -> Rules:
    return config.load(ROOT / "assets" / "office.example.toml").rules
