"""The visitor's path through the kiosk, as data: a frozen state and pure transitions.

Theory of operation. `handle(state, intent, now)` returns the next state and the effects the
view model must run (ask the hub, print, speak, arm a timer). Nothing here touches Qt, the
network or a clock: `now` is a monotonic time in seconds given by the caller. `view(...)` (in
`kiosk.screens`, re-exported here) turns a state into every text of the screen, so the window
and the speech both render the same `ScreenView`.

Idle: every intent from the visitor re-arms a quiet timer; when it fires, a warning with a
countdown of `const.KIOSK_IDLE_WARNING_S` (≥ 20 s, K7) replaces the screen; [Continue] brings
the screen back, the end of the countdown resets the kiosk for the next visitor.

Issuing never loses or duplicates a ticket: the idempotency key is made once per visitor's
decision ("Take my ticket") and kept until a ticket comes back, so pressing again after a
failure reuses it and the hub answers with the same ticket if the first request got through.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from kiosk.messages import (  # re-exported: flow.Press, flow.Issue, …
    ArmIdle,
    CallbackFailed,
    CallbackStored,
    Countdown,
    DisarmIdle,
    Effect,
    HubStatus,
    IdleTimeout,
    Intent,
    Issue,
    Issued,
    IssueFailed,
    Loaded,
    Pair,
    Paired,
    PairFailed,
    Press,
    PreviewFailed,
    PreviewReady,
    Print,
    Printed,
    RefreshQueue,
    ReloadOffice,
    ReportPrinter,
    RequestCallback,
    RequestPreview,
    Speak,
    StopSpeech,
    Tick,
    Unpair,
    Unpaired,
)
from kiosk.state import (  # re-exported: flow.State, flow.Screen, …
    AT_REST,
    PAIRING_CODE_DIGITS,
    Access,
    Screen,
    State,
    initial,
    reset,
)
from shared import const
from shared.core.phone import normalise as normalise_phone

__all__ = ["Access", "Screen", "State", "initial", "reset"]

# Where Escape / [Back] leads.
_BACK = {
    Screen.SERVICES: Screen.WELCOME,
    Screen.PRIORITY: Screen.SERVICES,
    Screen.CONFIRM: Screen.PRIORITY,
    Screen.PHONE: Screen.CONFIRM,
    Screen.CONSENT: Screen.PHONE,
}
PHONE_MAX_DIGITS = 16
# The hub refused the chosen service (its configuration changed): choose again.
_SERVICE_GONE = ("not_found", "invalid_input")


# --- transitions -----------------------------------------------------------------------------


def handle(state: State, intent: Intent, now: float, key: str = "") -> tuple[State, list[Effect]]:
    """The next state and its effects. `key` is a fresh idempotency key (the caller makes it,
    so this stays pure); it is used only when the visitor asks for a new ticket."""
    if isinstance(intent, Press):
        return _press(state, intent.button, now, key)
    if isinstance(intent, Tick):
        return _tick(state, now)
    if isinstance(intent, IdleTimeout):
        return _idle_timeout(state, now)
    return _answer(state, intent)


def idle_seconds(state: State) -> float:
    if state.screen is Screen.TAKE_TICKET:
        return (
            const.KIOSK_TAKE_TICKET_SPEECH_S if state.access.speech else const.KIOSK_TAKE_TICKET_S
        )
    return const.KIOSK_IDLE_SPEECH_S if state.access.speech else const.KIOSK_IDLE_S


def _go(state: State, screen: Screen, **changes: Any) -> tuple[State, list[Effect]]:
    changes.setdefault("notice", "")  # a notice is about the screen it was shown on
    new = replace(state, screen=screen, idle_deadline=None, **changes)
    return new, [*_timers(new), Speak()]


def _timers(state: State) -> list[Effect]:
    if (state.screen in AT_REST and state == reset(state)) or state.screen is Screen.PRINTING:
        return [DisarmIdle(), Countdown(False)]
    return [ArmIdle(idle_seconds(state)), Countdown(False)]


def _press(state: State, button: str, now: float, key: str) -> tuple[State, list[Effect]]:
    if state.idle_deadline is not None:  # any action answers "Do you need more time?"
        state = replace(state, idle_deadline=None)
        if button in ("continue", "back"):
            return state, [*_timers(state), Speak()]
    kind, _, arg = button.partition(":")
    s = state.screen
    if kind == "lang" and arg in state.languages:
        return replace(state, lang=arg), [*_timers(state), Speak()]
    if kind == "speech":
        access = replace(state.access, speech=not state.access.speech)
        new = replace(state, access=access)
        return new, [*_timers(new), Speak() if access.speech else StopSpeech()]
    if kind == "repeat":
        return state, [*_timers(state), Speak()]
    if kind == "help":  # the physical speech key: turn speech on, or repeat when it is on
        new = replace(state, access=replace(state.access, speech=True))
        return new, [*_timers(new), Speak()]
    if kind == "back" and s in _BACK:
        if s is Screen.CONSENT:
            return _go(state, Screen.PHONE, phone_error="")
        return _go(state, _BACK[s], phone_error="")
    if kind in ("finish", "cancel_all"):
        return _go(reset(state), reset(state).screen)
    return _screen_press(state, s, kind, arg, key)


def _screen_press(
    state: State, s: Screen, kind: str, arg: str, key: str
) -> tuple[State, list[Effect]]:
    same: tuple[State, list[Effect]] = (state, _timers(state))
    if s is Screen.SETUP:
        return _setup_press(state, kind, arg) or same
    if s is Screen.WELCOME and kind == "take":
        return _go(state, Screen.SERVICES)
    if s is Screen.SERVICES and kind == "service" and arg:
        return _go(state, Screen.PRIORITY, service=arg, priority=None, preview=None,
                   issue_key=None)  # fmt: skip
    if s is Screen.PRIORITY and kind in ("yes", "no") and state.service:
        new, effects = _go(state, Screen.CONFIRM, priority=kind == "yes", preview=None,
                           issue_key=None)  # fmt: skip
        return new, [RequestPreview(state.service, kind == "yes"), *effects]
    if s in (Screen.CONFIRM, Screen.CALLBACK_DONE, Screen.HUB_DOWN) and kind in ("issue", "retry"):
        return _issue(state, key)
    if s is Screen.CONFIRM and kind == "callback":
        return _go(state, Screen.PHONE, phone="", phone_error="")
    if s is Screen.PHONE:
        return _phone_press(state, kind, arg) or same
    if s is Screen.CONSENT and kind == "agree" and state.service and not state.sending_callback:
        number = normalise_phone(state.phone) or state.phone
        ticket = state.ticket["id"] if state.ticket else None
        new = replace(state, sending_callback=True, phone_error="")
        return new, [RequestCallback(state.service, number, state.lang, ticket), *_timers(new)]
    if s is Screen.CONSENT and kind == "cancel":
        return _go(state, Screen.CONFIRM, phone="", phone_error="")
    if s is Screen.PRINT_FAILED and kind == "reprint" and state.ticket:
        new, effects = _go(state, Screen.PRINTING)
        return new, [Print(state.ticket, state.lang), *effects]
    return same


def _issue(state: State, key: str) -> tuple[State, list[Effect]]:
    if not state.service or state.issuing:
        return state, _timers(state)
    issue_key = state.issue_key or key
    new, effects = _go(state, Screen.PRINTING, issue_key=issue_key, issuing=True)
    return new, [Issue(state.service, bool(state.priority), state.lang, issue_key), *effects]


def _phone_press(state: State, kind: str, arg: str) -> tuple[State, list[Effect]] | None:
    if kind == "digit" and len(state.phone) < PHONE_MAX_DIGITS:
        if arg == "+" and state.phone:
            return None  # "+" only starts an international number
        new = replace(state, phone=state.phone + arg, phone_error="")
        return new, _timers(new)
    if kind == "erase":
        new = replace(state, phone=state.phone[:-1], phone_error="")
        return new, _timers(new)
    if kind == "next":
        if normalise_phone(state.phone) is None:
            new = replace(state, phone_error="invalid")
            return new, [*_timers(new), Speak()]
        return _go(state, Screen.CONSENT, phone_error="")
    return None


def _setup_press(state: State, kind: str, arg: str) -> tuple[State, list[Effect]] | None:
    code = state.setup_code
    if kind == "digit" and arg.isdigit() and len(code) < PAIRING_CODE_DIGITS:
        return replace(state, setup_code=code + arg, setup_error=""), []
    if kind == "erase" and not state.pairing:
        return replace(state, setup_code=code[:-1], setup_error=""), []
    if kind == "pair" and len(code) == PAIRING_CODE_DIGITS and not state.pairing:
        new = replace(state, pairing=True, setup_error="")
        return new, [Pair(code), Speak()]
    return None


def _unpaired(state: State) -> tuple[State, list[Effect]]:
    """The hub refused the token: nothing of the visitor is kept; staff must pair again."""
    new = replace(reset(state), paired=False, ready=False, screen=Screen.SETUP, setup_code="",
                  setup_error="", pairing=False)  # fmt: skip
    return new, [Unpair(), *_timers(new), Speak() if new.access.speech else StopSpeech()]


def _tick(state: State, now: float) -> tuple[State, list[Effect]]:
    if state.idle_deadline is None:
        return state, [Countdown(False)]
    left = math.ceil(state.idle_deadline - now)
    if left <= 0:
        new = reset(state)
        return new, [*_timers(new), StopSpeech(), RefreshQueue()]
    return replace(state, seconds_left=left), []


def _idle_timeout(state: State, now: float) -> tuple[State, list[Effect]]:
    if state.screen in (Screen.TAKE_TICKET, Screen.CALLBACK_DONE) or (
        state.screen is Screen.HUB_DOWN and not state.service
    ):
        # A visitor who has their ticket (or call-back) is done: no question, a fresh start.
        new = reset(state)
        return new, [*_timers(new), StopSpeech(), RefreshQueue()]
    if state.screen in AT_REST and state == reset(state):
        return state, [DisarmIdle()]
    secs = const.KIOSK_IDLE_WARNING_S
    new = replace(state, idle_deadline=now + secs, seconds_left=math.ceil(secs))
    return new, [DisarmIdle(), Countdown(True), Speak()]


def _answer(state: State, intent: Intent) -> tuple[State, list[Effect]]:
    s = state.screen
    if isinstance(intent, Unpaired):
        return _unpaired(state)
    if not state.paired:
        return _setup_answer(state, intent)
    if isinstance(intent, Loaded):
        new = replace(state, ready=True)
        if s is Screen.STARTING:
            return _go(new, Screen.WELCOME if state.hub_online else Screen.HUB_DOWN)
        return new, []
    if isinstance(intent, HubStatus):
        new = replace(state, hub_online=intent.online)
        if not intent.online and s in (Screen.STARTING, Screen.WELCOME, Screen.SERVICES):
            return _go(new, Screen.HUB_DOWN)
        if intent.online and s is Screen.HUB_DOWN and state.ready:
            # Back where the visitor was: with a service chosen, the confirm screen (the same
            # idempotency key is reused if they press "Take my ticket" again).
            back = Screen.CONFIRM if state.service and state.priority is not None else None
            new, effects = _go(new, back or Screen.WELCOME)
            return new, [*effects, RefreshQueue()]
        return new, []
    if isinstance(intent, PreviewReady):
        if s is Screen.CONFIRM and intent.preview.get("service") in (None, state.service):
            return replace(state, preview=intent.preview), [Speak()]
        return state, []
    if isinstance(intent, PreviewFailed):
        # The confirm screen falls back on the queue's figures; nothing to change here.
        return state, []
    if isinstance(intent, Issued):
        new = replace(state, ticket=intent.ticket, issuing=False, issue_key=None)
        if s is Screen.PRINTING:
            return new, [Print(intent.ticket, state.lang)]
        return new, []  # the visitor left (reset) before the answer: the ticket is not printed
    if isinstance(intent, IssueFailed):
        new = replace(state, issuing=False)
        if s is not Screen.PRINTING:
            return new, []
        if intent.code == "unreachable":
            return _go(new, Screen.HUB_DOWN)
        if intent.code == "unauthorized":
            return _unpaired(new)
        if intent.code in _SERVICE_GONE:
            new, effects = _go(new, Screen.SERVICES, service=None, priority=None, preview=None,
                               issue_key=None, notice="service_gone")  # fmt: skip
            return new, [ReloadOffice(), *effects]
        # Any other refusal: the key is spent on a refusal, a new try is a new request.
        return _go(new, Screen.HUB_DOWN, issue_key=None)
    if isinstance(intent, Printed):
        return _printed(state, intent)
    if isinstance(intent, CallbackStored):
        if s is Screen.CONSENT:
            return _go(state, Screen.CALLBACK_DONE, callback=intent.answer, sending_callback=False)
        return replace(state, sending_callback=False), []
    if isinstance(intent, CallbackFailed):
        if s is not Screen.CONSENT:
            return replace(state, sending_callback=False), []
        if intent.code == "unauthorized":
            return _unpaired(state)
        if intent.code == "phone_invalid":
            return _go(state, Screen.PHONE, phone_error="invalid", sending_callback=False)
        error = "unreachable" if intent.code == "unreachable" else "refused"
        new = replace(state, phone_error=error, sending_callback=False)
        return new, [Speak()]
    return state, []


def _setup_answer(state: State, intent: Intent) -> tuple[State, list[Effect]]:
    """Before pairing only the pairing's answer matters (there is no link to the hub yet)."""
    if isinstance(intent, Paired):
        new = replace(state, paired=True, pairing=False, setup_code="", setup_error="")
        return _go(new, Screen.STARTING)
    if isinstance(intent, PairFailed) and state.pairing:
        unreachable = intent.code == "unreachable"
        new = replace(state, pairing=False, setup_error="unreachable" if unreachable else "wrong",
                      setup_code=state.setup_code if unreachable else "")  # fmt: skip
        return new, [Speak()]
    return state, []


def _printed(state: State, intent: Printed) -> tuple[State, list[Effect]]:
    report: list[Effect] = []
    if intent.state != state.printer_state and (intent.state != "unknown" or not intent.ok):
        report = [ReportPrinter(intent.state, intent.message)]
    new = replace(state, printer_state=intent.state)
    if state.screen is not Screen.PRINTING:
        return new, report
    new, effects = _go(new, Screen.TAKE_TICKET if intent.ok else Screen.PRINT_FAILED)
    return new, [*report, *effects]


def __getattr__(name: str) -> Any:
    # `flow.view` is the brief's name; the texts live in kiosk.screens to keep modules small.
    if name == "view":
        from kiosk.screens import view

        return view
    raise AttributeError(name)
