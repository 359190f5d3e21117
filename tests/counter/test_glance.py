"""The queue at a glance and "why this ticket", pure, from real policy reasons."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from counter import glance as g
from shared import config, protocol
from shared.core.model import CounterId, OfficeState, ServiceCode, Ticket, TicketId, TicketState
from shared.core.policy import choose

OFFICE = protocol.office_to_dict(config.load(config.EXAMPLE))
RULES = config.load(config.EXAMPLE).rules
NOW = datetime(2025, 3, 11, 10, 0, tzinfo=UTC)
G1 = CounterId("G1")


def t(n: int, service: str, state: TicketState, ago_min: float, **kw: object) -> Ticket:
    return Ticket(TicketId(f"{service}{n}"), "", ServiceCode(service), n, f"{service}{n:03d}",
                  bool(kw.pop("priority", False)), "fr", NOW - timedelta(minutes=ago_min), state,
                  **kw)  # type: ignore[arg-type]  # fmt: skip


def state_of(*tickets: Ticket) -> OfficeState:
    return OfficeState(day=NOW.date(), tickets={x.id: x for x in tickets})


QUEUE = {"services": {"A": {"waiting": 3, "open_counters": 1,
                            "wait": {"mean_min": 19.0, "low_min": 15, "high_min": 25}},
                      "B": {"waiting": 0, "open_counters": 1, "wait": None}}}  # fmt: skip


def test_figures_for_the_agents_services_only() -> None:
    first = NOW - timedelta(minutes=20)
    st = state_of(
        t(1, "A", TicketState.WAITING, 23), t(2, "A", TicketState.WAITING, 5, priority=True),
        t(3, "A", TicketState.WAITING, 2), t(4, "C", TicketState.WAITING, 60),
        t(5, "A", TicketState.PARKED, 40, counter=G1), t(6, "A", TicketState.PARKED, 40,
                                                          counter=CounterId("G2")),
        t(7, "A", TicketState.DONE, 50, first_called_at=first - timedelta(minutes=10)),
        t(8, "B", TicketState.DONE, 30, first_called_at=first),  # waited 10 min
        t(9, "A", TicketState.NO_SHOW, 45, first_called_at=NOW - timedelta(minutes=35)),
        t(10, "C", TicketState.DONE, 30, first_called_at=first),  # not the agent's service
    )  # fmt: skip
    seen = g.glance(st, QUEUE, OFFICE, ("A", "B"), "G1", NOW, "fr")
    a, b = seen.lines
    assert (a.name, a.waiting, a.priority, a.longest_min, a.range_min) == (
        "Papiers d'identité",
        3,
        1,
        23,
        (15, 25),
    )
    assert (b.name, b.waiting, b.longest_min, b.range_min) == ("Information", 0, None, None)
    assert (seen.waiting, seen.priority, seen.longest_min) == (3, 1, 23)
    assert [p.label for p in seen.parked] == ["A005"]  # only this counter's
    # Team-level (P7): no agent anywhere. Waits 20, 10, 10 min → mean 13.
    assert seen.team == g.Team(served=2, mean_wait_min=13, no_shows=1)
    assert g.range_text(a, "fr") == "15 à 25 min" and g.range_text(b, "fr") == "—"


def test_an_empty_office() -> None:
    seen = g.glance(None, None, None, ("A",), None, NOW)
    assert seen.waiting == 0 and seen.longest_min is None and seen.team.mean_wait_min is None


def _called_by_policy(*waiting: Ticket) -> Ticket:
    """Call next with the real policy, so the reason is the hub's own sentence."""
    choice = choose(list(waiting), (ServiceCode("A"),), RULES, NOW)
    assert choice is not None
    return replace(choice.ticket, reason=choice.reason, reason_kind=choice.reason_kind,
                   state=TicketState.CALLED, called_at=NOW)  # fmt: skip


@pytest.mark.parametrize(("tickets", "fr", "en"), [
    ((t(1, "A", TicketState.WAITING, 23), t(2, "A", TicketState.WAITING, 4)),
     "Le plus ancien en attente pour Papiers d'identité, 23 min",
     "Oldest waiting for Identity papers, 23 min"),
    ((t(1, "A", TicketState.WAITING, 23), t(2, "A", TicketState.WAITING, 4, priority=True)),
     "Visiteur prioritaire, en attente depuis 4 min", "Priority visitor, waiting 4 min"),
    ((t(2, "A", TicketState.WAITING, 9, priority=True),),
     "Visiteur prioritaire, en attente depuis 9 min", "Priority visitor, waiting 9 min"),
    ((t(1, "A", TicketState.WAITING, 3), t(2, "A", TicketState.WAITING, 1, head=True)),
     "Transféré en tête de file, en attente depuis 1 min",
     "Transferred to the head of the queue, waiting 1 min"),
])  # fmt: skip
def test_why_renders_the_policys_reason(tickets: tuple[Ticket, ...], fr: str, en: str) -> None:
    called = _called_by_policy(*tickets)
    assert g.why(called, NOW, OFFICE, "fr").reason == fr
    assert g.why(called, NOW, OFFICE, "en").reason == en


def called(kind: str | None, waited_min: float, sentence: str = "", **kw: object) -> Ticket:
    """A ticket called `waited_min` after it was issued, 10 minutes ago (the wait said is the
    wait at the call, not now)."""
    issued = t(3, "A", TicketState.CALLED, waited_min + 10, **kw)
    return replace(issued, reason_kind=kind, reason=sentence or None,
                   called_at=NOW - timedelta(minutes=10))  # fmt: skip


@pytest.mark.parametrize(("kind", "fr", "en"), [
    ("accumulated", "Priorité accumulée la plus haute, en attente depuis 8 min",
     "Highest accumulated priority, waiting 8 min"),
    ("chosen", "Appelé par son numéro, en attente depuis 8 min",
     "Called by number, waiting 8 min"),
    ("parked", "Rappelé après s'être mis de côté", "Called back after stepping aside"),
    ("oldest", "Le plus ancien en attente pour Papiers d'identité, 8 min",
     "Oldest waiting for Identity papers, 8 min"),
    ("reactivated", "De retour dans la file après un appel manqué, en attente depuis 8 min",
     "Back in the queue after missing the call, waiting 8 min"),
])  # fmt: skip
def test_why_from_the_kind_the_wait_at_the_call_and_the_service(
    kind: str, fr: str, en: str
) -> None:
    # A misleading sentence: the text comes from the kind, never from parsing the sentence.
    ticket = called(kind, 8, "oldest waiting for Something else, 99 min")
    assert g.why(ticket, NOW, OFFICE, "fr").reason == fr
    assert g.why(ticket, NOW, OFFICE, "en").reason == en
    assert g.why(ticket, NOW, OFFICE, "fr").waited == "Attend depuis 18 min"


def test_an_unknown_kind_shows_the_hubs_sentence_and_no_kind_shows_nothing() -> None:
    newer = called("quantum", 8, "a reason from a newer hub")
    assert g.why(newer, NOW, OFFICE, "fr").reason == "a reason from a newer hub"
    older = called(None, 8, "oldest waiting for Identity papers, 8 min")  # a state without kinds
    assert g.why(older, NOW, OFFICE, "fr").reason == "oldest waiting for Identity papers, 8 min"
    assert g.why(called(None, 8), NOW, OFFICE, "fr").reason == ""


def test_an_unknown_service_is_named_by_its_code() -> None:
    ticket = replace(called("oldest", 5), service=ServiceCode("Z"))
    assert g.why(ticket, NOW, OFFICE, "en").reason == "Oldest waiting for Z, 5 min"
    assert g.why(ticket, NOW, None, "en").reason == "Oldest waiting for Z, 5 min"


def test_why_shows_the_wait_the_transfer_note_and_only_a_priority_flag() -> None:
    leg = replace(t(4, "C", TicketState.CALLED, 31, priority=True), note="Pièce d'identité vue",
                  reason_kind="oldest", called_at=NOW)  # fmt: skip
    why = g.why(leg, NOW, OFFICE, "fr")
    assert why.reason == "Le plus ancien en attente pour Dossier social, 31 min"
    assert why.waited == "Attend depuis 31 min"
    assert why.note == "Pièce d'identité vue"
    assert why.priority is True
    assert set(vars(why)) == {"reason", "waited", "note", "priority"}  # no room for a reason
