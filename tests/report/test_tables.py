"""The pure parts: one visit per transferred visitor, and the suppression rule."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from shared.core import events as ev
from shared.core.model import CounterId, ServiceCode, TicketId
from shared.report.tables import ALL, protect
from shared.report.visits import visits

T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)  # 09:00 in Paris


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_a_transferred_visitor_is_one_visit_with_the_first_wait() -> None:
    a, b, g1, g2 = TicketId("t1"), TicketId("t2"), CounterId("G1"), CounterId("G2")
    log = [
        ev.TicketIssued(at(0), a, "tok", ServiceCode("A"), 1, "A001", False, "fr"),
        ev.TicketCalled(at(12), a, g1, "oldest", ""),
        ev.ServiceStarted(at(13), a, g1),
        ev.TicketTransferred(at(18), a, b, ServiceCode("C"), "", True),
        ev.TicketCalled(at(30), b, g2, "head", ""),
        ev.ServiceStarted(at(31), b, g2),
        ev.TicketCompleted(at(41), b, g2, "done"),
    ]
    (visit,) = visits(log, ZoneInfo("Europe/Paris"))
    assert (visit.service, visit.final_service, visit.transfers) == ("A", "C", 1)
    assert visit.wait_min == 12 and visit.outcome == "done" and visit.counter == "G2"
    assert visit.service_min == 5 + 10  # both legs at a counter
    assert (visit.day, visit.hour) == (date(2026, 1, 5), 9)


def test_no_show_reactivated_then_served_keeps_its_first_wait() -> None:
    a, g1 = TicketId("t1"), CounterId("G1")
    log = [
        ev.TicketIssued(at(0), a, "tok", ServiceCode("B"), 1, "B001", True, "fr"),
        ev.TicketCalled(at(5), a, g1, "priority", ""),
        ev.TicketNoShow(at(8), a, g1, False),
        ev.TicketReactivated(at(10), a),
        ev.TicketCalled(at(20), a, g1, "reactivated", ""),
        ev.ServiceStarted(at(21), a, g1),
        ev.TicketCompleted(at(25), a, g1, "done"),
    ]
    (visit,) = visits(log, ZoneInfo("Europe/Paris"))
    assert visit.wait_min == 5 and visit.outcome == "done" and visit.service_min == 4


def _grid(cells: dict[tuple[str, str], int]) -> dict[tuple[str, str], int]:
    """A table with its margins (service totals, day totals, grand total)."""
    out = dict(cells)
    for (s, d), n in cells.items():
        for key in ((s, ALL), (ALL, d), (ALL, ALL)):
            out[key] = out.get(key, 0) + n
    return out


def test_a_lone_small_cell_takes_a_second_cell_with_it_in_every_line() -> None:
    bases = _grid(
        {
            ("A", "d1"): 40,
            ("A", "d2"): 50,
            ("B", "d1"): 3,
            ("B", "d2"): 30,
            ("C", "d1"): 20,
            ("C", "d2"): 25,
        }
    )
    hidden = protect(bases, ["A", "B", "C"], ["d1", "d2"])
    assert ("B", "d1") in hidden
    # Day d1: C (20) is the smallest other; service B: its other day goes; and then every
    # line with a suppressed cell has at least two, so nothing can be solved for.
    assert {("C", "d1"), ("B", "d2")} <= hidden
    lines = [[(s, d) for d in ("d1", "d2")] for s in "ABC"]
    lines += [[(s, d) for s in "ABC"] for d in ("d1", "d2")]
    for line in lines:
        assert sum(k in hidden for k in line) != 1


def test_nothing_is_suppressed_when_every_cell_is_large_enough_and_zero_is_published() -> None:
    bases = _grid({("A", "d1"): 5, ("A", "d2"): 0, ("B", "d1"): 12, ("B", "d2"): 9})
    assert protect(bases, ["A", "B"], ["d1", "d2"]) == set()


def test_a_small_total_is_suppressed_itself() -> None:
    bases = _grid({("A", "d1"): 2, ("A", "d2"): 0, ("B", "d1"): 12, ("B", "d2"): 9})
    hidden = protect(bases, ["A", "B"], ["d1", "d2"])
    assert {("A", "d1"), ("A", ALL)} <= hidden
    assert ("B", "d1") in hidden  # else d1's total − B's would give A's
