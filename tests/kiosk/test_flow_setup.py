"""The set-up screen, refusals from the hub, the header, today's hours and bare addresses:
pure flow and screen texts, without Qt or a hub."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from kiosk import flow
from kiosk.flow import (
    CallbackFailed,
    IssueFailed,
    Loaded,
    Pair,
    Paired,
    PairFailed,
    Press,
    PreviewReady,
    ReloadOffice,
    Screen,
    Speak,
    State,
    Unpair,
    Unpaired,
)
from kiosk.samples import OFFICE, PREVIEW_BUSY, QUEUE
from kiosk.screens import utterances, view

TUESDAY, SUNDAY = date(2025, 3, 11), date(2025, 3, 16)


def run(state: State, *intents: Any, key: str = "k1") -> tuple[State, list[Any]]:
    effects: list[Any] = []
    for intent in intents:
        state, new = flow.handle(state, intent, 0.0, key)
        effects += new
    return state, effects


def typed(code: str) -> list[Press]:
    return [Press(f"digit:{d}") for d in code]


def unpaired() -> State:
    return flow.initial(paired=False)


def at_confirm() -> State:
    s, _ = run(flow.initial(), Loaded(), Press("take"), Press("service:A"), Press("no"))
    return run(s, PreviewReady(PREVIEW_BUSY))[0]


# --- 1. not paired: the set-up screen --------------------------------------------------------


def test_an_unpaired_kiosk_starts_on_the_set_up_screen_and_ignores_the_hub() -> None:
    s = unpaired()
    assert s.screen is Screen.SETUP
    s, fx = run(s, Loaded())
    assert s.screen is Screen.SETUP and fx == []
    v = view(s, None, None)
    assert v.title == "Cette borne n'est pas encore installée"
    assert "montour hub pair --role kiosk" in v.lines
    assert [b.label for b in v.keypad][:10] == list("1234567890")
    assert not next(b for b in v.buttons if b.id == "pair").enabled


def test_eight_digits_then_pair_asks_the_hub_once() -> None:
    s, fx = run(unpaired(), *typed("1234567"), Press("pair"))
    assert not any(isinstance(e, Pair) for e in fx)  # 7 digits: not yet
    s, fx = run(s, *typed("89"))  # a ninth digit is not taken
    assert s.setup_code == "12345678" and view(s, None, None).big == "1234-5678"
    assert next(b for b in view(s, None, None).buttons if b.id == "pair").enabled
    s, fx = run(s, Press("pair"))
    assert Pair("12345678") in fx and s.pairing
    s, fx = run(s, Press("pair"), Press("erase"))  # a second press while pairing: nothing
    assert not any(isinstance(e, Pair) for e in fx) and s.setup_code == "12345678"


def test_a_wrong_code_says_so_and_clears_it_a_silent_hub_keeps_it() -> None:
    s, _ = run(unpaired(), *typed("12345678"), Press("pair"), PairFailed("unauthorized"))
    assert s.screen is Screen.SETUP and s.setup_code == "" and not s.pairing
    assert "faux ou a expiré" in view(s, None, None).error
    s, _ = run(s, *typed("12345678"), Press("pair"), PairFailed("unreachable"))
    assert s.setup_code == "12345678" and "ne répond pas" in view(s, None, None).error
    s, _ = run(s, Press("erase"))
    assert view(s, None, None).error == ""  # typing again clears the message


def test_once_paired_the_kiosk_starts_normally() -> None:
    s, _ = run(unpaired(), *typed("12345678"), Press("pair"), Paired())
    assert s.screen is Screen.STARTING and s.paired and s.setup_code == ""
    s, _ = run(s, Loaded())
    assert s.screen is Screen.WELCOME


def test_finish_or_idle_never_leaves_the_set_up_screen() -> None:
    s, _ = run(unpaired(), Press("finish"), Press("back"), Press("take"))
    assert s.screen is Screen.SETUP


# --- 2. a refused ticket is not "hub down" -----------------------------------------------------


def test_a_revoked_token_leads_to_the_set_up_screen() -> None:
    s, fx = run(at_confirm(), Press("issue"), IssueFailed("unauthorized"))
    assert s.screen is Screen.SETUP and not s.paired and not s.ready
    assert Unpair() in fx and s.service is None and s.issue_key is None
    s, fx = run(s, Loaded())
    assert s.screen is Screen.SETUP


def test_a_revoked_token_on_a_call_back_request_too() -> None:
    s, _ = run(at_confirm(), Press("callback"), *typed("0612345678"), Press("next"),
               Press("agree"), CallbackFailed("unauthorized"))  # fmt: skip
    assert s.screen is Screen.SETUP


def test_the_view_model_turns_any_other_refused_token_into_unpaired() -> None:
    s, fx = run(flow.initial(), Loaded(), Unpaired())
    assert s.screen is Screen.SETUP and Unpair() in fx


@pytest.mark.parametrize("code", ["not_found", "invalid_input"])
def test_a_refused_service_reloads_the_office_and_asks_to_choose_again(code: str) -> None:
    s, fx = run(at_confirm(), Press("issue"), IssueFailed(code))
    assert s.screen is Screen.SERVICES and ReloadOffice() in fx and Speak() in fx
    assert s.service is None and s.priority is None and s.issue_key is None
    v = view(s, OFFICE, QUEUE)
    assert v.error == "Ce service n'est pas disponible pour le moment. Choisissez à nouveau."
    assert v.error in utterances(v)
    s, _ = run(s, Press("service:B"))
    assert view(s, OFFICE, QUEUE).error == ""  # the message goes with the next step


@pytest.mark.parametrize("code", ["conflict", "storage_unavailable", "client_error"])
def test_any_other_refusal_is_the_hub_down_screen_with_a_fresh_key(code: str) -> None:
    s, _ = run(at_confirm(), Press("issue"), IssueFailed(code))
    assert s.screen is Screen.HUB_DOWN and s.issue_key is None


def test_no_answer_keeps_the_key_for_the_retry() -> None:
    s, _ = run(at_confirm(), Press("issue"), IssueFailed("unreachable"), key="first")
    assert s.screen is Screen.HUB_DOWN and s.issue_key == "first"


# --- 3, 4, 5: header, today's hours, addresses ------------------------------------------------


def test_every_screen_has_the_office_name_in_its_header_and_speech() -> None:
    from kiosk.shots import SCREENS, sample_state

    for name in SCREENS:
        v = view(sample_state(name), OFFICE, QUEUE, TUESDAY)
        expected = "" if name == "setup" else OFFICE["name"]
        assert v.header == expected, name
        assert not expected or expected in utterances(v), name


@pytest.mark.parametrize(("lang", "day", "text"), [
    ("fr", TUESDAY, "Ouvert aujourd'hui : 08:30–12:00 et 13:30–16:30"),
    ("en", TUESDAY, "Open today: 08:30–12:00 and 13:30–16:30"),
    ("en", date(2025, 3, 12), "Open today: 08:30–12:00"),
    ("fr", SUNDAY, "Fermé aujourd'hui"),
    ("ar", TUESDAY, "مفتوح اليوم: من 08:30 إلى 12:00 ومن 13:30 إلى 16:30"),
])  # fmt: skip
def test_welcome_shows_and_speaks_todays_opening_hours(lang: str, day: date, text: str) -> None:
    s = flow.handle(flow.initial(lang), Loaded(), 0.0)[0]
    v = view(s, OFFICE, QUEUE, day)
    assert text in v.lines and text in utterances(v)
    assert text not in view(s, OFFICE, QUEUE, None).lines  # no date known: nothing made up


def test_busy_confirm_shows_addresses_without_scheme_or_trailing_slash() -> None:
    office = dict(
        OFFICE, website="https://www.example.fr/mairie/", appointment_url="http://rdv.example.fr/"
    )
    v = view(at_confirm(), office, QUEUE)
    assert "Prendre rendez-vous : rdv.example.fr" in v.lines
    assert any(line.endswith(": www.example.fr/mairie") for line in v.lines)
    assert not any("http" in line for line in v.lines)
