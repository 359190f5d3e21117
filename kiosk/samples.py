"""A built-in sample office, as the hub would describe it: screenshots and tests render the
kiosk from it without a hub, so README pictures are reproducible."""

from __future__ import annotations

from datetime import date
from typing import Any

TODAY = date(2025, 3, 11)  # a Tuesday: the sample ticket's day, for reproducible screenshots
_HOURS = [["08:30", "12:00"], ["13:30", "16:30"]]

OFFICE: dict[str, Any] = {
    "id": "fs-villeneuve",
    "name": "France Services Villeneuve",
    "timezone": "Europe/Paris",
    "languages": ["fr", "en", "ar"],
    "phone": "01 23 45 67 89",
    "website": "https://www.villeneuve.example.fr/france-services",
    "appointment_url": "https://rdv.villeneuve.example.fr",
    "public_url": "",
    "busy_threshold_min": 20,
    "callbacks": {"enabled": True, "retention_days": 30},
    "services": [
        {"code": "A", "prefix": "A", "mean_service_min": 10,
         "names": {"fr": "Papiers d'identité", "en": "Identity papers", "ar": "وثائق الهوية"},
         "quieter_hours": {"tue": [["14:00", "16:30"]], "thu": [["15:00", "18:00"]]}},
        {"code": "B", "prefix": "B", "mean_service_min": 4,
         "names": {"fr": "Information", "en": "Information", "ar": "معلومات"}},
        {"code": "C", "prefix": "C", "mean_service_min": 14,
         "names": {"fr": "Dossier social", "en": "Social file", "ar": "ملف اجتماعي"}},
        {"code": "D", "prefix": "D", "mean_service_min": 6,
         "names": {"fr": "Paiements", "en": "Payments", "ar": "المدفوعات"}},
    ],
    "counters": [],
    "outcomes": [],
    "hours": {"mon": _HOURS, "tue": _HOURS, "wed": [["08:30", "12:00"]],
              "thu": [["08:30", "12:00"], ["13:30", "18:00"]], "fri": _HOURS},
    "quieter_hours": {"tue": [["14:00", "16:30"]], "wed": [["10:30", "12:00"]],
                      "thu": [["15:00", "18:00"]]},
}  # fmt: skip

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
