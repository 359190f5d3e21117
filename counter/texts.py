"""The counter's wording and keys: labels, shortcuts, pause reasons and the hub's errors said
so that an agent knows what to do next. French first, English (domain "counter")."""

from __future__ import annotations

from counter.session import Action, Phase
from shared.i18n import N_, translator

DOMAIN = "counter"
A = Action

# Function keys for the actions of every minute; Ctrl+letter for the rarer ones. None of the
# business software's Ctrl+C/V/X/Z/A/S/P, so a reflex in the wrong window does no harm here.
SHORTCUTS: dict[Action, str] = {
    A.CALL_NEXT: "F1",
    A.RECALL: "F2",
    A.START: "F3",
    A.COMPLETE: "F4",
    A.NO_SHOW: "F5",
    A.TRANSFER: "F6",
    A.PARK: "F7",
    A.PAUSE: "F8",
    A.RESUME: "F8",
    A.CALL_PARKED: "F9",
    A.REACTIVATE: "F10",
    A.CALL_NUMBER: "Ctrl+K",
    A.CANCEL: "Ctrl+E",
    A.OPEN: "Ctrl+O",
    A.CLOSE: "Ctrl+W",
    A.SERVICES: "Ctrl+G",
    A.SIGN_OUT: "Ctrl+L",
    A.UNDO: "Ctrl+U",
}

LABELS: dict[Action, str] = {
    A.SIGN_IN: N_("Sign in"),
    A.SIGN_OUT: N_("Sign out"),
    A.OPEN: N_("Open the counter"),
    A.CALL_NEXT: N_("Call next"),
    A.CALL_NUMBER: N_("Call a number"),
    A.RECALL: N_("Recall"),
    A.START: N_("Start"),
    A.COMPLETE: N_("Complete"),
    A.NO_SHOW: N_("No-show"),
    A.REACTIVATE: N_("Bring back a no-show"),
    A.TRANSFER: N_("Transfer"),
    A.PARK: N_("Step aside"),
    A.CALL_PARKED: N_("Call back from aside"),
    A.CANCEL: N_("Cancel a ticket"),
    A.PAUSE: N_("Pause"),
    A.RESUME: N_("Resume"),
    A.CLOSE: N_("Close the counter"),
    A.SERVICES: N_("My services"),  # short: the buttons stand in two columns
    A.UNDO: N_("Undo"),
}

PHASES: dict[Phase, str] = {
    Phase.SIGNED_OUT: N_("Signed out"),
    Phase.CLOSED: N_("Counter closed"),
    Phase.IDLE: N_("Open: no visitor"),
    Phase.CALLED: N_("Visitor called"),
    Phase.SERVING: N_("Serving"),
    Phase.PAUSED: N_("Paused"),
}

PAUSE_REASONS: tuple[tuple[str, str], ...] = (
    ("break", N_("Break, 15 min")),
    ("lunch", N_("Lunch, 45 min")),
    ("admin", N_("Admin work, 30 min")),
    ("other", N_("Other, no set end")),
)
# The planned length of each kind of pause: the hub's wait estimates count on the counter
# coming back then (an agent back earlier or later just resumes; nothing is enforced).
PAUSE_MINUTES: dict[str, int] = {"break": 15, "lunch": 45, "admin": 30}

CALLBACK_OUTCOMES: tuple[tuple[str, str], ...] = (
    ("reached", N_("Reached")),
    ("no_answer", N_("No answer")),
    ("wrong_number", N_("Wrong number")),
)

CHANNELS: dict[str, str] = {
    "counter": N_("Counter"),
    "callback": N_("Call-back"),
    "phone": N_("Phone"),
    "email": N_("E-mail"),
}

# The hub's error codes, said for the agent; the hub's own sentence (English, for technicians)
# follows in the details when it adds something.
ERRORS: dict[str, str] = {
    "nothing_waiting": N_("Nobody is waiting for your services."),
    "unreachable": N_("The server does not answer. Check the network; nothing was lost."),
    "illegal_transition": N_("Not possible for this ticket now. The screen is up to date."),
    "conflict": N_("Not possible now. The screen is up to date."),
    "not_found": N_("Unknown ticket number. Check the number on the visitor's ticket."),
    "invalid_input": N_("Please check what you typed."),
    "unauthorized": N_("This counter is no longer paired. Ask for a new pairing code."),
    "forbidden": N_("This device may not do that."),
    "agent_required": N_("Sign in first."),
    "callback_taken": N_("Another agent already took this call-back."),
    "callback_done": N_("This call-back is already done."),
    "not_yours": N_("Only the agent who took this call-back can see the number."),
    "consent_required": N_("Tick the box once the visitor agrees."),
    "key_invalid": N_("This file or phone number is not valid."),
    "feature_off": N_("This office has turned this feature off."),
}


def error_text(code: str, message: str, lang: str) -> str:
    _ = translator(lang, DOMAIN)
    known = ERRORS.get(code)
    if known is None:
        return _("The server refused: {message}", message=message)
    return _(known)


def action_label(action: Action, lang: str, *, with_key: bool = True) -> str:
    _ = translator(lang, DOMAIN)
    text = _(LABELS[action])
    key = SHORTCUTS.get(action)
    return f"{text}  ({key})" if with_key and key else text
