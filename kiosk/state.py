"""The kiosk's screen state: the screens, the accessible-mode settings and one frozen `State`
that the pure flow (kiosk/flow.py) moves from screen to screen."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any


class Screen(StrEnum):
    SETUP = "setup"  # staff only: the kiosk is not paired with its hub (yet, or any more)
    STARTING = "starting"
    WELCOME = "welcome"
    SERVICES = "services"
    PRIORITY = "priority"
    CONFIRM = "confirm"
    PHONE = "phone"
    CONSENT = "consent"
    CALLBACK_DONE = "callback_done"
    PRINTING = "printing"
    TAKE_TICKET = "take_ticket"
    PRINT_FAILED = "print_failed"
    HUB_DOWN = "hub_down"


# Screens a visitor may be on with nothing chosen yet: no idle timer, no reset needed.
AT_REST = (Screen.SETUP, Screen.STARTING, Screen.WELCOME)
PAIRING_CODE_DIGITS = 8  # `montour hub pair` shows "1234-5678"


@dataclass(frozen=True)
class Access:
    """The accessible-mode settings; `speech` may be turned on by a key at any time."""

    speech: bool = False
    reach: bool = False
    large_text: bool = False
    high_contrast: bool = False


@dataclass(frozen=True)
class State:
    screen: Screen = Screen.STARTING
    lang: str = "fr"
    default_lang: str = "fr"
    languages: tuple[str, ...] = ("fr", "en", "ar")
    access: Access = field(default_factory=Access)
    default_access: Access = field(default_factory=Access)
    paired: bool = True  # False: the set-up screen until a pairing code is accepted
    setup_code: str = ""  # the digits the installer typed
    setup_error: str = ""  # "wrong" | "unreachable" | ""
    pairing: bool = False  # a pairing request is on its way
    ready: bool = False  # the office and the queue are loaded
    hub_online: bool = True
    notice: str = ""  # "service_gone": the hub refused the chosen service
    service: str | None = None
    priority: bool | None = None
    preview: dict[str, Any] | None = None
    issue_key: str | None = None  # kept until a ticket comes back (no duplicates, no losses)
    issuing: bool = False
    ticket: dict[str, Any] | None = None
    printer_state: str = "unknown"
    phone: str = ""
    phone_error: str = ""  # "invalid" | "refused" | "unreachable" | ""
    callback: dict[str, Any] | None = None
    sending_callback: bool = False
    idle_deadline: float | None = None  # set while the "Do you need more time?" warning shows
    seconds_left: int = 0


def initial(
    lang: str = "fr", languages: tuple[str, ...] = ("fr", "en", "ar"), access: Access | None = None,
    paired: bool = True,
) -> State:  # fmt: skip
    access = access or Access()
    return State(screen=Screen.STARTING if paired else Screen.SETUP, lang=lang, default_lang=lang,
                 languages=languages, access=access, default_access=access,
                 paired=paired)  # fmt: skip


def reset(state: State) -> State:
    """A fresh start for the next visitor: nothing of this visitor is kept."""
    screen = Screen.STARTING if not state.ready else Screen.WELCOME
    if not state.hub_online:
        screen = Screen.HUB_DOWN
    if not state.paired:
        screen = Screen.SETUP
    return replace(
        initial(state.default_lang, state.languages, state.default_access, state.paired),
        screen=screen, ready=state.ready, hub_online=state.hub_online,
        printer_state=state.printer_state, setup_code=state.setup_code,
        setup_error=state.setup_error, pairing=state.pairing,
    )  # fmt: skip
