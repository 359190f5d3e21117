"""A built-in sample office, as the hub would describe it: screenshots and tests render the
kiosk from it without a hub, so README pictures are reproducible."""

from __future__ import annotations

from datetime import date
from typing import Any

from shared import config, protocol

TODAY = date(2025, 3, 11)  # a Tuesday: the sample ticket's day, for reproducible screenshots

# The example office, exactly as its hub describes it in GET /office.
OFFICE: dict[str, Any] = protocol.office_to_dict(config.load(config.EXAMPLE))

QUEUE: dict[str, Any] = {
    "seq": 42,
    "state": {},
    "services": {
        "A": {"waiting": 3, "open_counters": 2,
              "wait": {"mean_min": 19.0, "low_min": 15, "high_min": 25}},
        "B": {"waiting": 1, "open_counters": 2,
              "wait": {"mean_min": 4.0, "low_min": 0, "high_min": 5}},
        "C": {"waiting": 0, "open_counters": 0, "wait": None},
        "D": {"waiting": 6, "open_counters": 1,
              "wait": {"mean_min": 41.0, "low_min": 30, "high_min": 50}},
    },
}  # fmt: skip

PREVIEW_CALM: dict[str, Any] = {
    "service": "A", "position": 4, "ahead": 3, "busy": False, "open": True,
    "wait": {"mean_min": 19.0, "low_min": 15, "high_min": 25},
}  # fmt: skip

PREVIEW_BUSY: dict[str, Any] = {
    "service": "A", "position": 12, "ahead": 11, "busy": True, "open": True,
    "wait": {"mean_min": 52.0, "low_min": 40, "high_min": 65},
}  # fmt: skip

TICKET: dict[str, Any] = {
    "id": "t-sample", "token": "sample-token", "service": "A", "number": 42, "label": "A042",
    "priority": False, "lang": "fr", "issued_at": "2025-03-11T09:41:00+01:00", "state": "waiting",
    "estimate": {"ahead": 3, "position": 4,
                 "wait": {"mean_min": 19.0, "low_min": 15, "high_min": 25}},
    "status_url": "/api/v1/status/sample-token",
    "page_url": "http://127.0.0.1:8470/t/sample-token",
    "valid_until": "2025-03-11T16:30:00+01:00",
}  # fmt: skip
