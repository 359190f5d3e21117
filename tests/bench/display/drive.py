"""The display benchmark's office: `python -m tests.bench.display.drive URL KIOSK COUNTER N`
issues, calls, starts and completes N tickets back to back through the hub's API (the display
sees a busier office than any real one)."""

from __future__ import annotations

import sys

import httpx

from shared import const

SERVICES = ("A", "B", "C", "D")


def drive(url: str, kiosk_token: str, counter_token: str, tickets: int) -> None:
    kiosk = {"Authorization": f"Bearer {kiosk_token}"}
    counter = {"Authorization": f"Bearer {counter_token}"}
    with httpx.Client(base_url=url + const.API_PREFIX, timeout=10) as http:
        counters = http.get("/office").raise_for_status().json()["counters"]
        serving: dict[str, list[str]] = {}
        for c in counters:
            answer = http.post(
                f"/counters/{c['id']}/open", json={"services": c["services"]}, headers=counter
            )
            if answer.status_code != 409:  # 409: already open from an earlier run
                answer.raise_for_status()
            for code in c["services"]:
                serving.setdefault(code, []).append(c["id"])
        for i in range(tickets):
            service = SERVICES[i % len(SERVICES)]
            cid = serving[service][i % len(serving[service])]
            body = {"service": service, "priority": False, "lang": "fr"}
            http.post("/tickets", json=body, headers=kiosk).raise_for_status()
            called = http.post(f"/counters/{cid}/call-next", headers=counter)
            ticket = called.raise_for_status().json()["ticket"]["id"]
            for action in ("start", "complete"):
                answer = http.post(f"/tickets/{ticket}/{action}", headers=counter,
                                   json={"outcome": "done"} if action == "complete"
                                   else {})  # fmt: skip
                answer.raise_for_status()


if __name__ == "__main__":
    drive(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
