"""Time, injected: the hub and the apps ask a Clock; tests hand them one they control."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that moves only when told to (tests, simulations, accelerated replays)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> datetime:
        self._now += timedelta(seconds=seconds)
        return self._now

    def set(self, when: datetime) -> None:
        self._now = when


class ScaledClock:
    """An accelerated clock for simulations and demos: `start` + real time elapsed × `speed`.

    now() = start + (monotonic() − t0) × speed, t0 being the moment of construction: a hub on
    ScaledClock(08:25, 60) lives through a busy office day in eight real minutes. Monotonic, so
    a change of the system time does not make it jump. Never for a real office (the CLI refuses
    it unless the hub listens on loopback only).
    """

    def __init__(
        self, start: datetime, speed: float, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        if not speed >= 1.0:  # also refuses NaN
            raise ValueError("speed must be at least 1")
        # In UTC, as SystemClock: what the hub stores, and no wall-clock arithmetic across a
        # change to summer time.
        self.start, self.speed = start.astimezone(UTC), speed
        self._monotonic = monotonic
        self._t0 = monotonic()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(self._monotonic() - self._t0) * self.speed)
