"""The visitor's path as pure data: every screen and transition, without Qt or a hub."""

from __future__ import annotations

from dataclasses import replace
from datetime import time
from typing import Any

import pytest

from kiosk import flow
from kiosk.flow import (
    ArmIdle,
    CallbackFailed,
    CallbackStored,
    Countdown,
    HubStatus,
    IdleTimeout,
    Issue,
    Issued,
    IssueFailed,
    Loaded,
    Press,
    PreviewReady,
    Print,
    Printed,
    ReportPrinter,
    RequestCallback,
    RequestPreview,
    Screen,
    Speak,
    State,
    Tick,
)
from kiosk.samples import OFFICE, PREVIEW_BUSY, PREVIEW_CALM, QUEUE, TICKET
from kiosk.screens import utterances, view
from shared import config, const, protocol
from shared.core.hours import Hours


def run(state: State, *intents: Any, now: float = 0.0, key: str = "k1") -> tuple[State, list[Any]]:
    effects: list[Any] = []
    for intent in intents:
        state, new = flow.handle(state, intent, now, key)
        effects += new
    return state, effects


def ready() -> State:
    return run(flow.initial(), Loaded())[0]


def at_confirm(priority: bool = False, busy: bool = False) -> State:
    s, _ = run(ready(), Press("take"), Press("service:A"), Press("yes" if priority else "no"))
    return run(s, PreviewReady(PREVIEW_BUSY if busy else PREVIEW_CALM))[0]


def test_starts_waiting_then_welcomes_once_the_office_is_loaded() -> None:
    s = flow.initial()
    assert s.screen is Screen.STARTING
    s, effects = run(s, Loaded())
    assert s.screen is Screen.WELCOME and Speak() in effects


def test_the_whole_path_to_a_printed_ticket() -> None:
    s, fx = run(ready(), Press("take"))
    assert s.screen is Screen.SERVICES
    s, fx = run(s, Press("service:A"))
    assert s.screen is Screen.PRIORITY and s.service == "A"
    s, fx = run(s, Press("yes"))
    assert s.screen is Screen.CONFIRM and s.priority is True
    assert RequestPreview("A", True) in fx
    s, fx = run(s, PreviewReady(PREVIEW_CALM))
    assert s.preview == PREVIEW_CALM
    s, fx = run(s, Press("issue"), key="key-1")
    assert s.screen is Screen.PRINTING
    assert Issue("A", True, "fr", "key-1") in fx
    s, fx = run(s, Issued(TICKET))
    assert Print(TICKET, "fr") in fx and s.issue_key is None
    s, fx = run(s, Printed(True, "unknown"))
    assert s.screen is Screen.TAKE_TICKET
    assert ArmIdle(const.KIOSK_TAKE_TICKET_S) in fx
    assert not [e for e in fx if isinstance(e, ReportPrinter)]
    s, fx = run(s, IdleTimeout())
    assert s.screen is Screen.WELCOME and s.ticket is None and s.service is None


def test_priority_no_is_stored_as_a_flag_and_nothing_else() -> None:
    s = at_confirm(priority=False)
    assert s.priority is False
    fields = set(vars(s))
    assert not {f for f in fields if "reason" in f or "disab" in f}


def test_back_goes_one_step_back_from_every_step() -> None:
    s = at_confirm()
    for expected in (Screen.PRIORITY, Screen.SERVICES, Screen.WELCOME):
        s, _ = run(s, Press("back"))
        assert s.screen is expected
    s, _ = run(s, Press("back"))
    assert s.screen is Screen.WELCOME


def test_language_changes_on_every_screen_and_is_spoken() -> None:
    for s in (ready(), run(ready(), Press("take"))[0], at_confirm(busy=True)):
        new, fx = run(s, Press("lang:ar"))
        assert new.lang == "ar" and new.screen is s.screen and Speak() in fx
        assert view(new, OFFICE, QUEUE).rtl
    s, _ = run(ready(), Press("lang:xx"))
    assert s.lang == "fr"


def test_services_show_waiting_and_range_or_no_counter_open() -> None:
    s, _ = run(ready(), Press("take"))
    v = view(s, OFFICE, QUEUE)
    details = {b.id: b.detail for b in v.buttons}
    assert details["service:A"] == "3 en attente · 15 à 25 min"
    assert details["service:C"] == "0 en attente · aucun guichet ouvert"
    assert next(b.label for b in v.buttons) == "Papiers d'identité"


def test_confirm_shows_rank_estimate_and_priority_line() -> None:
    v = view(at_confirm(), OFFICE, QUEUE)
    assert v.title == "Vous serez le numéro 4"
    assert "Attente estimée : 15 à 25 min." in v.lines
    assert "Les personnes prioritaires peuvent passer avant vous." in v.lines
    assert [b.id for b in v.buttons] == ["issue", "back"]


def test_confirm_when_busy_offers_quieter_hours_channels_and_call_back() -> None:
    v = view(at_confirm(busy=True), OFFICE, QUEUE)
    text = " ".join(v.lines)
    assert "mar. 14:00–16:30" in text and "jeu. 15:00–18:00" in text
    assert "rdv.villeneuve.example.fr" in text and "01 23 45 67 89" in text
    assert [b.id for b in v.buttons] == ["issue", "callback", "back"]


def test_confirm_before_the_preview_uses_the_queue_figures() -> None:
    s, _ = run(ready(), Press("take"), Press("service:A"), Press("no"))
    v = view(s, OFFICE, QUEUE)
    assert v.title == "Vous serez le numéro 4"


def test_call_back_keypad_validation_consent_and_storage() -> None:
    s, _ = run(at_confirm(busy=True), Press("callback"))
    assert s.screen is Screen.PHONE
    s, _ = run(s, *[Press(f"digit:{d}") for d in "061234"])
    assert view(s, OFFICE, QUEUE).big == "06 12 34"
    s, fx = run(s, Press("next"))
    assert s.screen is Screen.PHONE and s.phone_error == "invalid"
    assert "n'est pas valide" in view(s, OFFICE, QUEUE).error
    s, _ = run(s, Press("erase"), *[Press(f"digit:{d}") for d in "45678"])
    assert s.phone == "0612345678" and s.phone_error == ""
    s, _ = run(s, Press("next"))
    assert s.screen is Screen.CONSENT
    assert "30 jours" in " ".join(view(s, OFFICE, QUEUE).lines)
    s, fx = run(s, Press("agree"))
    assert RequestCallback("A", "0612345678", "fr", None) in fx
    _s2, fx = run(s, Press("agree"))
    assert not [e for e in fx if isinstance(e, RequestCallback)]  # one request at a time
    s, _ = run(s, CallbackStored({"id": "cb1"}))
    assert s.screen is Screen.CALLBACK_DONE
    assert [b.id for b in view(s, OFFICE, QUEUE).buttons] == ["issue", "finish"]
    s, fx = run(s, Press("issue"), key="k9")
    assert s.screen is Screen.PRINTING and Issue("A", False, "fr", "k9") in fx


def test_international_numbers_and_plus_only_first() -> None:
    s, _ = run(at_confirm(busy=True), Press("callback"), Press("digit:+"), Press("digit:+"))
    assert s.phone == "+"
    s, _ = run(s, *[Press(f"digit:{d}") for d in "442079460958"], Press("next"))
    assert s.screen is Screen.CONSENT


def test_consent_cancel_forgets_the_number() -> None:
    s, _ = run(at_confirm(busy=True), Press("callback"),
               *[Press(f"digit:{d}") for d in "0612345678"], Press("next"), Press("cancel"))  # fmt: skip
    assert s.screen is Screen.CONFIRM and s.phone == ""


@pytest.mark.parametrize(("code", "screen", "error"), [
    ("phone_invalid", Screen.PHONE, "invalid"),
    ("unreachable", Screen.CONSENT, "unreachable"),
    ("consent_required", Screen.CONSENT, "refused"),
])  # fmt: skip
def test_call_back_failures_say_so_and_keep_the_number(
    code: str, screen: Screen, error: str
) -> None:
    s, _ = run(at_confirm(busy=True), Press("callback"),
               *[Press(f"digit:{d}") for d in "0612345678"], Press("next"), Press("agree"))  # fmt: skip
    s, _ = run(s, CallbackFailed(code))
    assert s.screen is screen and s.phone_error == error and s.phone == "0612345678"
    assert not s.sending_callback


def test_printer_failure_shows_the_ticket_reports_and_reprints() -> None:
    s, _ = run(at_confirm(), Press("issue"), Issued(TICKET))
    s, fx = run(s, Printed(False, "paper_out", "paper out"))
    assert s.screen is Screen.PRINT_FAILED
    assert ReportPrinter("paper_out", "paper out") in fx
    s, fx = run(s, Press("reprint"))
    assert s.screen is Screen.PRINTING and Print(TICKET, "fr") in fx
    s, fx = run(s, Printed(True, "ok"))
    assert s.screen is Screen.TAKE_TICKET and ReportPrinter("ok", "") in fx


def test_paper_near_end_is_reported_but_the_ticket_is_given() -> None:
    s, _ = run(at_confirm(), Press("issue"), Issued(TICKET))
    s, fx = run(s, Printed(True, "paper_near_end", "low"))
    assert s.screen is Screen.TAKE_TICKET and ReportPrinter("paper_near_end", "low") in fx


def test_hub_unreachable_while_issuing_then_retry_reuses_the_key() -> None:
    s, fx = run(at_confirm(), Press("issue"), key="first")
    assert Issue("A", False, "fr", "first") in fx
    s, _ = run(s, IssueFailed("unreachable"))
    assert s.screen is Screen.HUB_DOWN and s.issue_key == "first"
    v = view(s, OFFICE, QUEUE)
    assert v.title == "Nous ne pouvons pas donner de ticket pour le moment"
    s, fx = run(s, Press("retry"), key="second")
    assert Issue("A", False, "fr", "first") in fx  # the SAME key: never two tickets


def test_hub_back_returns_to_confirm_keeping_the_key() -> None:
    s, _ = run(at_confirm(), Press("issue"), IssueFailed("unreachable"), HubStatus(False), key="k")
    s, _ = run(s, HubStatus(True))
    assert s.screen is Screen.CONFIRM and s.issue_key == "k"
    s, fx = run(s, Press("issue"), key="other")
    assert Issue("A", False, "fr", "k") in fx


def test_hub_down_at_rest_and_recovery_by_itself() -> None:
    s, _ = run(ready(), HubStatus(False))
    assert s.screen is Screen.HUB_DOWN and view(s, OFFICE, QUEUE).buttons == ()
    s, _ = run(s, HubStatus(True))
    assert s.screen is Screen.WELCOME


def test_a_hub_blip_does_not_interrupt_a_visitor_mid_path() -> None:
    s, _ = run(at_confirm(), HubStatus(False))
    assert s.screen is Screen.CONFIRM


def test_answer_after_the_visitor_left_is_not_printed() -> None:
    s, _ = run(at_confirm(), Press("issue"), Press("finish"))
    s, fx = run(s, Issued(TICKET))
    assert not [e for e in fx if isinstance(e, Print)] and s.screen is Screen.WELCOME


def test_idle_warning_counts_down_at_least_20_s_then_resets() -> None:
    s = at_confirm()
    s, fx = run(s, IdleTimeout(), now=100.0)
    assert s.idle_deadline == 100.0 + const.KIOSK_IDLE_WARNING_S >= 120.0
    assert Countdown(True) in fx and Speak() in fx
    v = view(s, OFFICE, QUEUE)
    assert v.warning and v.title == "Avez-vous besoin de plus de temps ?"
    assert [b.id for b in v.buttons] == ["continue"]
    s, fx = run(s, Tick(), now=110.0)
    assert s.seconds_left == 20 and "20 secondes" in view(s, OFFICE, QUEUE).lines[0]
    s, _ = run(s, Tick(), now=100.0 + const.KIOSK_IDLE_WARNING_S)
    assert s.screen is Screen.WELCOME and s.service is None and s.idle_deadline is None


def test_continue_brings_the_screen_back_and_rearms() -> None:
    s, _ = run(at_confirm(), IdleTimeout(), now=5.0)
    s, fx = run(s, Press("continue"), now=6.0)
    assert s.screen is Screen.CONFIRM and s.idle_deadline is None
    assert ArmIdle(const.KIOSK_IDLE_S) in fx and Countdown(False) in fx


def test_reset_restores_language_and_speech_defaults() -> None:
    s, _ = run(ready(), Press("lang:en"), Press("help"), Press("take"), IdleTimeout())
    assert s.access.speech and s.lang == "en"
    s, _ = run(s, Tick(), now=999.0)
    assert s.screen is Screen.WELCOME and s.lang == "fr" and not s.access.speech


def test_nothing_armed_at_rest_and_speech_mode_gets_longer_timers() -> None:
    _s0, fx = run(ready(), Press("repeat"))
    assert not [e for e in fx if isinstance(e, ArmIdle)]
    _s, fx = run(ready(), Press("help"), Press("take"))
    assert ArmIdle(const.KIOSK_IDLE_SPEECH_S) in fx


def test_speech_toggle_and_help_key() -> None:
    s, fx = run(ready(), Press("help"))
    assert s.access.speech and Speak() in fx
    s, fx = run(s, Press("help"))
    assert s.access.speech and Speak() in fx  # the help key repeats once speech is on
    s, fx = run(s, Press("speech"))
    assert not s.access.speech and flow.StopSpeech() in fx
    v = view(run(s, Press("speech"))[0], OFFICE, QUEUE)
    assert [b.id for b in v.tools] == ["speech", "repeat"]


def test_every_screen_has_a_view_and_utterances_in_three_languages() -> None:
    states = {
        "starting": flow.initial(),
        "welcome": ready(),
        "services": run(ready(), Press("take"))[0],
        "priority": run(ready(), Press("take"), Press("service:A"))[0],
        "confirm": at_confirm(busy=True),
        "phone": run(at_confirm(busy=True), Press("callback"))[0],
        "consent": run(at_confirm(busy=True), Press("callback"),
                       *[Press(f"digit:{d}") for d in "0612345678"], Press("next"))[0],
        "hub_down": run(ready(), HubStatus(False))[0],
        "idle": run(at_confirm(), IdleTimeout())[0],
    }  # fmt: skip
    for lang in ("fr", "en", "ar"):
        for name, s in states.items():
            v = view(run(s, Press(f"lang:{lang}"))[0], OFFICE, QUEUE)
            said = utterances(v)
            assert v.title and said[0] == v.title, name
            for b in (*v.buttons, *v.tools):
                assert any(b.label in u for u in said), (name, lang, b.label)


def test_confirm_when_busy_says_when_quieter_hours_are_not_known_yet() -> None:
    bare = replace(config.load(config.EXAMPLE), quieter_hours={}, service_quieter_hours={})
    office = protocol.office_to_dict(bare)  # GET /office with too little history, none declared
    lines = view(at_confirm(busy=True), office, QUEUE).lines
    assert "Heures plus calmes : pas encore assez d'historique pour les connaître." in lines
    assert not any("Moments plus calmes" in line for line in lines)
    arabic = view(run(at_confirm(busy=True), Press("lang:ar"))[0], office, QUEUE).lines
    assert "الأوقات الأهدأ: غير معروفة بعد (لا يوجد سجلّ كافٍ لمعرفتها)." in arabic
    calm = view(at_confirm(busy=False), office, QUEUE).lines  # not busy: no advice at all
    assert not any("historique" in line for line in calm)


def test_confirm_when_busy_gives_the_quieter_hours_learned_from_the_history() -> None:
    learned = Hours("ok", 20, 20, (), {"mon": ((time(9), time(10, 30)),)}, {})
    office = protocol.office_to_dict(config.load(config.EXAMPLE), learned, {})
    text = " ".join(view(at_confirm(busy=True), office, QUEUE).lines)
    assert "Moments plus calmes pour ce service : lun. 09:00–10:30." in text
    assert "historique" not in text and "mar. 14:00" not in text  # not the declared ones
