"""The `apps` fixture: counter apps on the real hub, all stopped when the test ends."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from tests.counter.hub_helpers import CounterApp
from tests.hubproc import HubProcess


@pytest.fixture
def apps(qtbot: QtBot, hub: HubProcess) -> Iterator[list[CounterApp]]:
    made: list[CounterApp] = []
    try:
        yield made
    finally:
        for app in made:
            app.close()
