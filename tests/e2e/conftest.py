from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hubproc import HubProcess


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[HubProcess]:
    """A real hub process on a loopback port with the example office and a fresh database."""
    process = HubProcess(tmp_path / "hub.db")
    process.start()
    try:
        yield process
    finally:
        process.stop()
