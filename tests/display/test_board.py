"""The board's state and which calls to announce: pure, no Qt."""

from __future__ import annotations

from dataclasses import replace
from datetime import time, timedelta
from typing import Any

import pytest

from display import board as boards
from display import samples, texts
from display.board import NO_FILTERS, FilterError, Filters
from shared import config, const, protocol
from shared.core.hours import Hours
from shared.core.model import OfficeState, Ticket, TicketState

NOW = samples.NOW


def office_state(*tickets: Ticket) -> OfficeState:
    return OfficeState(day=NOW.date(), tickets={t.id: t for t in tickets})


def build(state: OfficeState | None = None, filters: Filters = NO_FILTERS, **kw):  # type: ignore[no-untyped-def]
    return boards.build(state or samples.state(), samples.OFFICE, samples.QUEUE, filters, NOW,
                        connected=True, **kw)  # fmt: skip


def test_the_current_call_is_the_latest_and_recent_calls_are_newest_first() -> None:
    b = build()
    assert b.current is not None
    assert (b.current.label, b.current.counter_name, b.current.at) == ("A042", "Guichet 3", NOW)
    assert [c.label for c in b.recent] == ["A042", "B017", "D008", "A041", "C012", "B016"]
    assert b.recent[0] == b.current


@pytest.mark.parametrize("n", [1, 3, 6, 7, 50])
def test_the_number_of_recent_calls_is_a_setting(n: int) -> None:
    assert len(build(recent=n).recent) == min(n, 7)


def test_a_recall_moves_the_ticket_to_the_top_once_and_is_a_new_highlight() -> None:
    state = samples.state()
    old = state.tickets["t-D008"]  # type: ignore[index]
    recalled = replace(old, calls=2, called_at=NOW + timedelta(seconds=30))
    b = build(state.with_ticket(recalled))
    assert b.current is not None and b.current.label == "D008" and b.current.calls == 2
    labels = [c.label for c in b.recent]
    assert labels.count("D008") == 1 and labels[:2] == ["D008", "A042"]
    assert b.current.key != boards.calls_of(state, samples.OFFICE, Filters())[2].key


def test_no_call_yet_and_no_state_yet() -> None:
    b = boards.build(None, None, None, Filters(), NOW)
    assert b.current is None and b.recent == () and b.services == () and not b.connected
    assert texts.banner(b) == "Connexion à la file…"
    empty = build(office_state())
    assert empty.current is None and texts.no_call(empty) == "Aucun ticket appelé pour l'instant"


def test_filters_keep_one_rooms_services_and_counters() -> None:
    only_a = build(filters=Filters.parse("A", None))
    assert {c.label[0] for c in only_a.recent} == {"A"}
    assert [s.code for s in only_a.services] == ["A"]
    g3 = build(filters=Filters.parse(None, "G3,G1"))
    assert [c.label for c in g3.recent] == ["A042", "A041", "A040"]
    both = build(filters=Filters.parse("A", "G1"))
    assert [c.label for c in both.recent] == ["A041"]


def test_unknown_filter_codes_are_refused_with_a_clear_message() -> None:
    with pytest.raises(FilterError, match="unknown service Z; this office has A, B, C, D"):
        Filters.parse("A, Z", None).check(samples.OFFICE)
    with pytest.raises(FilterError, match="unknown counter G9"):
        Filters.parse(None, "G9").check(samples.OFFICE)
    Filters.parse(" A ,B,", "G1").check(samples.OFFICE)


def test_each_service_shows_its_waiting_count_and_range_honestly() -> None:
    b = build()
    by_code = {s.code: s for s in b.services}
    assert texts.wait_text(b, by_code["A"]) == "15 à 25 min"
    assert texts.wait_text(b, by_code["B"]) == "moins de 5 min"
    assert texts.wait_text(b, by_code["C"]) == "Aucun guichet ouvert"
    assert [texts.people(s) for s in b.services] == ["3", "1", "2", "6"]
    nobody = boards.build(samples.state(), samples.OFFICE,
                          {"services": {"B": {"waiting": 0, "open_counters": 1, "wait": None}}},
                          Filters(), NOW)  # fmt: skip
    lines = {s.code: texts.wait_text(nobody, s) for s in nobody.services}
    assert lines["B"] == "Pas d'attente"  # as the web board says, rather than nothing
    assert lines["A"] == "Pas encore connu"  # not in that queue answer
    assert texts.people(next(s for s in nobody.services if s.code == "A")) == "–"


def test_todays_hours_the_weeks_quieter_hours_and_the_other_channels() -> None:
    b = build()
    assert b.hours_today == (("08:30", "12:00"), ("13:30", "16:30"))  # a Tuesday
    assert texts.hours_today(b) == ["8 h 30 à 12 h", "13 h 30 à 16 h 30"]
    sunday = boards.build(None, samples.OFFICE, None, Filters(), NOW + timedelta(days=5))
    assert texts.hours_today(sunday) == ["Fermé aujourd'hui"]
    assert set(b.quieter) == {"tue", "wed", "thu"}  # the office's
    only_a = build(filters=Filters.parse("A", None))
    assert dict(only_a.quieter) == {"tue": (("14:00", "16:30"),), "thu": (("15:00", "18:00"),)}
    assert texts.channels(b) == [
        "Rendez-vous\u00a0: rdv.villeneuve.example.fr",
        "Téléphone\u00a0: 01 23 45 67 89",
        "Site\u00a0: www.villeneuve.example.fr/france-services",
    ]
    description = texts.quieter_description(b)
    assert "mardi\u00a0: 14 h à 16 h 30" in description and "jeudi" in description


def test_a_priority_call_is_a_call_like_any_other() -> None:
    plain = samples.ticket("A050", "G1", NOW)
    urgent = replace(plain, priority=True)
    a = build(office_state(plain))
    b = build(office_state(urgent))
    assert a == b
    assert "priority" not in repr(a.current)


# --- calls to announce ---------------------------------------------------------------------------


def test_a_new_call_and_a_recall_are_announced_in_the_order_they_happened() -> None:
    before = office_state(samples.ticket("A001", None, None), samples.ticket("B001", None, None))
    first = before.with_ticket(samples.ticket("B001", "G4", NOW))
    second = first.with_ticket(samples.ticket("A001", "G1", NOW - timedelta(seconds=5)))
    got = boards.calls_to_announce(before, second, samples.OFFICE, Filters(), NOW)
    assert [(c.label, c.counter_name, c.calls) for c in got] == [
        ("A001", "Guichet 1", 1),
        ("B001", "Guichet 4", 1),
    ]
    recall = second.with_ticket(samples.ticket("B001", "G4", NOW + timedelta(seconds=40), calls=2))
    again = boards.calls_to_announce(second, recall, samples.OFFICE, Filters(), NOW)
    assert [(c.label, c.calls) for c in again] == [("B001", 2)]
    assert boards.calls_to_announce(recall, recall, samples.OFFICE, Filters(), NOW) == []


def test_serving_or_finishing_a_called_ticket_is_not_a_new_call() -> None:
    from shared.core.model import TicketState

    called = office_state(samples.ticket("A001", "G1", NOW))
    t = called.tickets["t-A001"]  # type: ignore[index]
    served = called.with_ticket(replace(t, state=TicketState.SERVING))
    done = served.with_ticket(replace(t, state=TicketState.DONE))
    assert boards.calls_to_announce(called, served, samples.OFFICE, Filters(), NOW) == []
    assert boards.calls_to_announce(served, done, samples.OFFICE, Filters(), NOW) == []


def test_after_a_reconnection_only_young_calls_are_announced() -> None:
    age = const.DISPLAY_ANNOUNCE_MAX_AGE_S
    old = samples.ticket("A001", "G1", NOW - timedelta(seconds=age + 1))
    young = samples.ticket("A002", "G2", NOW - timedelta(seconds=age - 1))
    state = office_state(old, young)
    fresh = boards.calls_to_announce(None, state, samples.OFFICE, Filters(), NOW, fresh=True)
    assert [c.label for c in fresh] == ["A002"]
    # The whole sample morning after an hour away: nothing is replayed.
    later = NOW + timedelta(hours=1)
    assert boards.calls_to_announce(None, samples.state(), samples.OFFICE, Filters(), later,
                                    fresh=True) == []  # fmt: skip
    # A live event is announced whatever the clock says (a call is a call).
    live = boards.calls_to_announce(office_state(), state, samples.OFFICE, Filters(), later)
    assert [c.label for c in live] == ["A001", "A002"]
    # Seen before the loss and unchanged: not announced again.
    assert boards.calls_to_announce(state, state, samples.OFFICE, Filters(), NOW, fresh=True) == []


def test_announcements_follow_the_rooms_filters_and_keep_the_visitors_language() -> None:
    state = office_state(samples.ticket("A001", "G1", NOW, lang="ar"),
                         samples.ticket("B001", "G4", NOW))  # fmt: skip
    got = boards.calls_to_announce(None, state, samples.OFFICE, Filters.parse("A", None), NOW)
    assert [(c.label, c.lang) for c in got] == [("A001", "ar")]
    assert boards.calls_to_announce(None, state, None, Filters(), NOW)[0].counter_name == "G1"


def test_forget_keeps_the_unfinished_tickets_and_the_rooms_latest_calls_only() -> None:
    state = samples.state()  # seven calls, A042 (G3) the latest; plus two waiting tickets
    waiting = [samples.ticket(label, None, None) for label in ("A043", "B018")]
    done = [replace(t, state=TicketState.DONE) for t in state.tickets.values()
            if t.label != "A042"]  # fmt: skip
    finished = office_state(*state.tickets.values(), *done, *waiting)
    kept = boards.forget(finished, NO_FILTERS, recent=3)
    assert sorted(t.label for t in kept.tickets.values()) == ["A042", "A043", "B017", "B018",
                                                               "D008"]  # fmt: skip
    # The board is the same: its calls, and the waiting line with its index.
    assert build(kept, recent=3).recent == build(finished, recent=3).recent
    assert kept.waiting() == finished.waiting() and len(kept.waiting()) == 2
    # A room showing counter G1 only keeps its own latest call (A041, 6 min ago).
    room = Filters(counters=frozenset({"G1"}))
    mine = boards.forget(finished, room, recent=1)
    assert sorted(t.label for t in mine.tickets.values()) == ["A041", "A042", "A043", "B018"]
    assert build(mine, room, recent=1).recent == build(finished, room, recent=1).recent
    # Nothing to forget: the same object back.
    assert boards.forget(kept, NO_FILTERS, recent=3) is kept


# --- quieter hours: learned, or "not known yet" ----------------------------------------------


def office_without_quieter_hours() -> dict[str, Any]:
    """GET /office of an office with too little history and no declared quieter hours."""
    bare = replace(config.load(config.EXAMPLE), quieter_hours={}, service_quieter_hours={})
    return protocol.office_to_dict(bare)


def office_with_learned_hours() -> dict[str, Any]:
    """GET /office once the hub published quieter hours learned from the history."""
    learned = Hours("ok", 20, 20, (), {"mon": ((time(9), time(10, 30)),)}, {})
    return protocol.office_to_dict(config.load(config.EXAMPLE), learned, {})


def test_not_enough_history_is_said_plainly_rather_than_an_empty_week() -> None:
    for filters in (NO_FILTERS, Filters.parse("A", None)):
        b = boards.build(samples.state(), office_without_quieter_hours(), samples.QUEUE,
                         filters, NOW, connected=True)  # fmt: skip
        assert (dict(b.quieter), b.quieter_source) == ({}, "none")
        assert texts.quieter_lines(b) == ["Pas encore assez d'historique pour les connaître."]
        assert texts.quieter_description(b) == (
            "Heures plus calmes\u00a0: pas encore assez d'historique pour les connaître."
        )
    arabic = replace(b, lang="ar")
    assert texts.quieter_lines(arabic) == ["غير معروفة بعد (لا يوجد سجلّ كافٍ لمعرفتها)."]
    # Before the hub answered, the board knows nothing either way: no claim about history.
    unknown = boards.build(None, None, None, NO_FILTERS, NOW)
    assert unknown.quieter_source == "" and texts.quieter_lines(unknown) == []


def test_learned_quieter_hours_are_shown_as_the_quieter_hours() -> None:
    for filters in (NO_FILTERS, Filters.parse("A", None)):
        b = boards.build(samples.state(), office_with_learned_hours(), samples.QUEUE,
                         filters, NOW, connected=True)  # fmt: skip
        assert (dict(b.quieter), b.quieter_source) == ({"mon": (("09:00", "10:30"),)}, "history")
        assert texts.quieter_lines(b) == ["lun\u00a0: 9 h à 10 h 30"]
        assert texts.quieter_description(b) == (
            "Heures plus calmes cette semaine. lundi\u00a0: 9 h à 10 h 30."
        )
    declared = build()
    assert declared.quieter_source == "declared" and set(declared.quieter) == {"tue", "wed", "thu"}
