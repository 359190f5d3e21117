"""Two visitors can never take the last place of a slot: a real hub process, real concurrent
clients released at the same instant (issue 7, point 1)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.e2e.test_concurrency import together
from tests.hubproc import EXAMPLE_CONFIG, HubProcess

pytestmark = pytest.mark.timeout(60)
API = "/api/v1"
PARIS = ZoneInfo("Europe/Paris")
RACERS = 12
# The example office, and appointments for service A every day from 09:00 to 10:00.
APPOINTMENTS = """
[appointments]
horizon_days = 30
min_notice_min = 60

[[appointments.services]]
service = "A"
modes = ["site", "phone"]
slot_min = 20
capacity = 2

[appointments.services.hours]
mon = [["09:00", "10:00"]]
tue = [["09:00", "10:00"]]
wed = [["09:00", "10:00"]]
thu = [["09:00", "10:00"]]
fri = [["09:00", "10:00"]]
sat = [["09:00", "10:00"]]
sun = [["09:00", "10:00"]]
"""


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[HubProcess]:
    path = tmp_path / "office.toml"
    path.write_text(EXAMPLE_CONFIG.read_text(encoding="utf-8") + APPOINTMENTS, encoding="utf-8")
    hub = HubProcess(tmp_path / "hub.db", config=path).start()
    yield hub
    hub.stop()


def test_racing_visitors_never_overbook_the_last_places(hub: HubProcess) -> None:
    day = date.today() + timedelta(days=2)
    start = datetime.combine(day, time(9, 20), PARIS).isoformat()

    def attempt(i: int) -> httpx.Response:
        with httpx.Client(base_url=hub.url, timeout=20.0) as client:
            body = {"service": "A", "mode": "site" if i % 2 else "phone", "start": start}
            return client.post(f"{API}/appointments", json=body)

    answers = together(*(lambda i=i: attempt(i) for i in range(RACERS)))
    codes = sorted(r.status_code for r in answers)
    assert codes == [201, 201] + [409] * (RACERS - 2), [r.text for r in answers]
    assert {r.json()["error"] for r in answers if r.status_code == 409} == {"slot_full"}
    refs = {r.json()["ref"] for r in answers if r.status_code == 201}
    assert len(refs) == 2
    with httpx.Client(base_url=hub.url, timeout=20.0) as client:
        r = client.get(
            f"{API}/appointments/slots",
            params={"service": "A", "first": day.isoformat(), "last": day.isoformat()},
        )
    (slot,) = [
        s
        for s in r.json()["slots"]
        if datetime.fromisoformat(s["start"]) == datetime.fromisoformat(start)
    ]
    assert slot["free"] == 0
