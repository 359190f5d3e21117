"""What happens to the kiosk (intents) and what it must do (effects): plain frozen values
exchanged between the pure flow (kiosk/flow.py) and the view model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# --- intents (what happened) ---------------------------------------------------------------


@dataclass(frozen=True)
class Press:
    """A button or a key: "take", "service:A", "yes", "digit:7", "lang:ar", "back", …"""

    button: str


@dataclass(frozen=True)
class Loaded:
    """The office and the queue are known (or known again)."""


@dataclass(frozen=True)
class HubStatus:
    online: bool


@dataclass(frozen=True)
class PreviewReady:
    preview: dict[str, Any]


@dataclass(frozen=True)
class PreviewFailed:
    code: str


@dataclass(frozen=True)
class Issued:
    ticket: dict[str, Any]


@dataclass(frozen=True)
class IssueFailed:
    code: str  # "unreachable" for no answer; the hub's error code otherwise


@dataclass(frozen=True)
class Printed:
    ok: bool
    state: str
    message: str = ""


@dataclass(frozen=True)
class CallbackStored:
    answer: dict[str, Any]


@dataclass(frozen=True)
class CallbackFailed:
    code: str


@dataclass(frozen=True)
class Paired:
    """The hub accepted the pairing code; the credentials are saved."""


@dataclass(frozen=True)
class PairFailed:
    code: str  # "unreachable" for no hub found or no answer; the hub's error code otherwise


@dataclass(frozen=True)
class Unpaired:
    """The hub no longer knows this kiosk's token (revoked): it must be paired again."""


@dataclass(frozen=True)
class IdleTimeout:
    """The quiet timer fired (or, on the "take your ticket" screen, its display time ended)."""


@dataclass(frozen=True)
class Tick:
    """One second of the idle countdown."""


Intent = (
    Press | Loaded | HubStatus | PreviewReady | PreviewFailed | Issued | IssueFailed | Printed
    | CallbackStored | CallbackFailed | Paired | PairFailed | Unpaired | IdleTimeout | Tick
)  # fmt: skip


# --- effects (what to do) ------------------------------------------------------------------


@dataclass(frozen=True)
class RequestPreview:
    service: str
    priority: bool


@dataclass(frozen=True)
class Issue:
    service: str
    priority: bool
    lang: str
    key: str


@dataclass(frozen=True)
class RequestCallback:
    service: str
    phone: str
    lang: str
    ticket: str | None


@dataclass(frozen=True)
class Print:
    ticket: dict[str, Any]
    lang: str


@dataclass(frozen=True)
class ReportPrinter:
    state: str
    detail: str


@dataclass(frozen=True)
class RefreshQueue:
    pass


@dataclass(frozen=True)
class ReloadOffice:
    """Ask the hub for /office again (its configuration changed), then the queue."""


@dataclass(frozen=True)
class Pair:
    code: str  # 8 digits


@dataclass(frozen=True)
class Unpair:
    """Drop the refused token and its link: the kiosk shows the set-up screen."""


@dataclass(frozen=True)
class Speak:
    """Speak the current screen (from its start), if speech is on."""


@dataclass(frozen=True)
class StopSpeech:
    pass


@dataclass(frozen=True)
class ArmIdle:
    seconds: float


@dataclass(frozen=True)
class Countdown:
    """Run (True) or stop (False) the one-second ticks of the idle warning."""

    on: bool


@dataclass(frozen=True)
class DisarmIdle:
    pass


Effect = (
    RequestPreview | Issue | RequestCallback | Print | ReportPrinter | RefreshQueue
    | ReloadOffice | Pair | Unpair | Speak | StopSpeech | ArmIdle | Countdown | DisarmIdle
)  # fmt: skip
