"""Every text of every kiosk screen: `view(state, office, queue) -> ScreenView` (pure).

The window draws only a ScreenView and the speech reads only `utterances(view)`, so what is
spoken covers what is shown by construction (K1); tests/kiosk/test_accessibility.py checks it on
the real widgets.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from babel.dates import get_day_names

from kiosk.flow import Screen, State
from shared.core.phone import display as display_phone
from shared.core.phone import normalise as normalise_phone
from shared.i18n import Translator, is_rtl, native_name, translator

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
KEYPAD = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "+", "0")


@dataclass(frozen=True)
class Button:
    id: str
    label: str
    detail: str = ""
    enabled: bool = True
    kind: str = "primary"  # primary | secondary | choice | key | lang | tool
    selected: bool = False  # the language in use (shown by a check mark and weight, not colour)


@dataclass(frozen=True)
class ScreenView:
    screen: str
    lang: str
    title: str
    lines: tuple[str, ...] = ()
    big: str = ""  # the ticket number or the typed phone number, very large
    qr: str = ""  # the phone page's address, drawn as a QR code
    error: str = ""
    buttons: tuple[Button, ...] = ()  # choices and actions, in focus order
    keypad: tuple[Button, ...] = ()
    languages: tuple[Button, ...] = ()
    tools: tuple[Button, ...] = ()
    warning: bool = False  # the idle warning: drawn as a panel over a calm background

    @property
    def rtl(self) -> bool:
        return is_rtl(self.lang)

    def controls(self) -> tuple[Button, ...]:
        """Every button in focus order (the order speech numbers them)."""
        return (*self.keypad, *self.buttons, *self.languages, *self.tools)


def view(
    state: State, office: Mapping[str, Any] | None, queue: Mapping[str, Any] | None
) -> ScreenView:
    _ = translator(state.lang, "kiosk")
    office = office or {}
    langs = tuple(
        Button(f"lang:{code}", native_name(code), kind="lang", selected=code == state.lang)
        for code in state.languages
    )
    tools = [Button("speech", _("Stop spoken help") if state.access.speech else _("Spoken help"),
                    kind="tool")]  # fmt: skip
    if state.access.speech:
        tools.append(Button("repeat", _("Repeat"), kind="tool"))
    if state.idle_deadline is not None:
        return ScreenView(
            "idle", state.lang, _("Do you need more time?"), big=str(state.seconds_left),
            lines=(_("Back to the start in {seconds} seconds.").format(
                seconds=state.seconds_left),),
            buttons=(Button("continue", _("Continue")),), languages=langs, tools=tuple(tools),
            warning=True,
        )  # fmt: skip
    body = _BODIES[state.screen](state, office, queue or {}, _)
    if is_rtl(state.lang):
        body = {k: _isolate_all(v) for k, v in body.items()}
    return ScreenView(screen=state.screen.value, lang=state.lang, languages=langs,
                      tools=tuple(tools), **body)  # fmt: skip


def utterances(v: ScreenView) -> list[str]:
    """What speech says for a screen: title, the big text, information, then every control
    with its place in the focus order."""
    _ = translator(v.lang, "kiosk")
    out = [v.title]
    out += [t for t in (v.big, v.error, *v.lines) if t]
    if v.keypad:
        keys = ", ".join(b.label for b in v.keypad)
        out.append(_("Keypad: {keys}.").format(keys=keys))
    rest = (*v.buttons, *v.tools)
    for i, b in enumerate(rest, 1):
        label = f"{b.label}. {b.detail}" if b.detail else b.label
        out.append(
            _("Button {number} of {count}: {label}.").format(number=i, count=len(rest), label=label)
        )
    if v.languages:
        out.append(_("Languages: {names}.").format(names=", ".join(b.label for b in v.languages)))
    return out


def focus_utterance(v: ScreenView, button_id: str) -> str:
    """What speech says when focus moves to a control."""
    for b in v.controls():
        if b.id == button_id:
            return f"{b.label}. {b.detail}" if b.detail else b.label
    return ""


# --- the screens ---------------------------------------------------------------------------

Body = dict[str, Any]


def _starting(s: State, office: Mapping[str, Any], queue: Mapping[str, Any], _: Translator) -> Body:
    return {"title": _("One moment, please"), "lines": (_("The kiosk is starting."),)}


def _welcome(s: State, office: Mapping[str, Any], queue: Mapping[str, Any], _: Translator) -> Body:
    lines = [str(office.get("name", "")), _("Take a ticket to be served at a counter.")]
    if s.access.speech:
        lines.append(_("Use the arrows to move, Enter to choose, Escape to go back."))
    return {"title": _("Welcome"), "lines": tuple(t for t in lines if t),
            "buttons": (Button("take", _("Take a ticket")),)}  # fmt: skip


def _services(s: State, office: Mapping[str, Any], queue: Mapping[str, Any], _: Translator) -> Body:
    figures = queue.get("services", {})
    choices = []
    for svc in office.get("services", []):
        q = figures.get(svc["code"], {})
        detail = " · ".join(
            (_("{count} waiting").format(count=q.get("waiting", 0)), _wait_text(q, _))
        )
        choices.append(Button(f"service:{svc['code']}", _name(svc, s.lang), detail, kind="choice"))
    back = Button("back", _("Back"), kind="secondary")
    return {"title": _("Choose a service"), "buttons": (*choices, back)}


def _priority(s: State, office: Mapping[str, Any], queue: Mapping[str, Any], _: Translator) -> Body:
    return {
        "title": _("Do you have a disability or reduced mobility?"),
        "lines": (_("If you do, you may be called first."), _("No proof is needed.")),
        "buttons": (Button("yes", _("Yes")), Button("no", _("No")),
                    Button("back", _("Back"), kind="secondary")),
    }  # fmt: skip


def _confirm(s: State, office: Mapping[str, Any], queue: Mapping[str, Any], _: Translator) -> Body:
    svc = _service(office, s.service)
    q = queue.get("services", {}).get(s.service or "", {})
    p = s.preview or {}
    position = p.get("position") or int(q.get("waiting", 0)) + 1
    wait = p["wait"] if "wait" in p else q.get("wait")
    opened = p.get("open", bool(q.get("open_counters", 1)))
    lines = [_("Service: {name}").format(name=_name(svc, s.lang))]
    if not opened:
        lines.append(_("No counter is open for this service right now."))
    elif wait:
        lines.append(_("Estimated wait: {wait}.").format(wait=_range(wait, _)))
    lines.append(_("Priority visitors may be called first."))
    buttons = [Button("issue", _("Take my ticket"), enabled=not s.issuing)]
    if p.get("busy"):
        lines.append(_("It is busy right now."))
        hours = _hours(svc.get("quieter_hours") or office.get("quieter_hours") or {}, s.lang)
        if hours:
            lines.append(_("Quieter times for this service: {hours}.").format(hours=hours))
        if office.get("appointment_url"):
            lines.append(_("Make an appointment: {url}").format(url=office["appointment_url"]))
        if office.get("phone"):
            lines.append(_("Call us: {phone}").format(phone=office["phone"]))
        if office.get("website"):
            lines.append(_("Website: {url}").format(url=office["website"]))
        if office.get("callbacks", {}).get("enabled"):
            buttons.append(Button("callback", _("Ask to be called back"), kind="secondary"))
    buttons.append(Button("back", _("Back"), kind="secondary"))
    title = _("You will be number {position}").format(position=position)
    return {"title": title, "lines": tuple(lines), "buttons": tuple(buttons)}


def _phone(s: State, office: Mapping[str, Any], queue: Mapping[str, Any], _: Translator) -> Body:
    keys = [Button(f"digit:{k}", k, kind="key") for k in KEYPAD]
    keys.append(Button("erase", _("Erase"), kind="key", enabled=bool(s.phone)))
    error = ""
    if s.phone_error == "invalid":
        error = _("This number is not valid. Type 10 digits, like 06 12 34 56 78, "
                  "or + and the country code.")  # fmt: skip
    return {
        "title": _("Your phone number"),
        "big": _group(s.phone),
        "lines": (_("Type your number with the keys."),),
        "error": error,
        "keypad": tuple(keys),
        "buttons": (Button("next", _("Continue"), enabled=bool(s.phone)),
                    Button("back", _("Back"), kind="secondary")),
    }  # fmt: skip


def _consent(s: State, office: Mapping[str, Any], queue: Mapping[str, Any], _: Translator) -> Body:
    days = _retention(office)
    error = ""
    if s.phone_error in ("refused", "unreachable"):
        error = _("We could not save your request. Try again, or go to the reception desk.")
    keep = _("We keep your number {days} days to call you back, for nothing else.")
    lines = [keep.format(days=days), _("Then we delete it.")]
    if s.sending_callback:
        lines.append(_("One moment, please."))
    return {
        "title": _("May we keep your number?"), "big": _shown_phone(s.phone),
        "lines": tuple(lines), "error": error,
        "buttons": (Button("agree", _("I agree"), enabled=not s.sending_callback),
                    Button("cancel", _("Cancel"), kind="secondary")),
    }  # fmt: skip


def _callback_done(
    s: State, office: Mapping[str, Any], queue: Mapping[str, Any], _: Translator
) -> Body:
    buttons = [] if s.ticket else [Button("issue", _("Also take a ticket"), kind="secondary")]
    buttons.append(Button("finish", _("Finish")))
    return {
        "title": _("An agent will call you back"), "big": _shown_phone(s.phone),
        "lines": (_("We will call you at this number."),
                  _("Your number will be deleted after {days} days.").format(
                      days=_retention(office))),
        "buttons": tuple(buttons),
    }  # fmt: skip


def _printing(s: State, office: Mapping[str, Any], queue: Mapping[str, Any], _: Translator) -> Body:
    return {"title": _("Printing your ticket"), "lines": (_("Please wait."),)}


def _take(s: State, office: Mapping[str, Any], queue: Mapping[str, Any], _: Translator) -> Body:
    ticket = s.ticket or {}
    lines = (*_summary(ticket, office, s.lang),
             _("Please sit in the waiting room. Your number will be called and shown on the "
               "screen."))  # fmt: skip
    return {"title": _("Take your ticket"), "big": str(ticket.get("label", "")),
            "lines": lines, "buttons": (Button("finish", _("Finish")),)}  # fmt: skip


def _failed(s: State, office: Mapping[str, Any], queue: Mapping[str, Any], _: Translator) -> Body:
    ticket = s.ticket or {}
    return {
        "title": _("The printer does not work"), "big": str(ticket.get("label", "")),
        "qr": str(ticket.get("page_url", "")),
        "error": _("Scan this code with your phone or note your number."),
        "lines": tuple(_summary(ticket, office, s.lang)),
        "buttons": (Button("reprint", _("Print again")),
                    Button("finish", _("Finish"), kind="secondary")),
    }  # fmt: skip


def _hub_down(s: State, office: Mapping[str, Any], queue: Mapping[str, Any], _: Translator) -> Body:
    buttons = ()
    if s.service and s.priority is not None:
        buttons = (Button("retry", _("Try again")), Button("finish", _("Finish"), kind="secondary"))
    return {
        "title": _("We cannot give tickets right now"),
        "lines": (
            _("Please go to the reception desk."),
            _("This screen will come back by itself."),
        ),
        "buttons": buttons,
    }


_BODIES = {
    Screen.STARTING: _starting, Screen.WELCOME: _welcome, Screen.SERVICES: _services,
    Screen.PRIORITY: _priority, Screen.CONFIRM: _confirm, Screen.PHONE: _phone,
    Screen.CONSENT: _consent, Screen.CALLBACK_DONE: _callback_done, Screen.PRINTING: _printing,
    Screen.TAKE_TICKET: _take, Screen.PRINT_FAILED: _failed, Screen.HUB_DOWN: _hub_down,
}  # fmt: skip


# --- helpers ---------------------------------------------------------------------------------

# Phone numbers and addresses are left-to-right islands in Arabic text; without an embedding
# the bidi algorithm shows "01 23 45 67 89" as "89 67 45 23 01". LRE…PDF, because Qt's layout
# did not honour the newer isolates (LRI…PDI) here.
_LTR_RUN = re.compile(r"https?://\S+|[\w.-]+\.[a-z]{2,}(?:/\S*)?|\+?\d+(?:[ .]\d+)+")


def _isolate(text: str) -> str:
    return _LTR_RUN.sub(lambda m: f"\u202a{m.group(0)}\u202c", text)


def _isolate_all(value: Any) -> Any:
    if isinstance(value, str):
        return _isolate(value)
    if isinstance(value, tuple) and all(isinstance(v, str) for v in value):
        return tuple(_isolate(v) for v in value)
    return value


def _name(svc: Mapping[str, Any], lang: str) -> str:
    names = svc.get("names", {})
    return str(names.get(lang) or names.get("en") or next(iter(names.values()), svc.get("code")))


def _service(office: Mapping[str, Any], code: str | None) -> Mapping[str, Any]:
    return next((s for s in office.get("services", []) if s["code"] == code), {"code": code})


def _range(wait: Mapping[str, Any], _: Translator) -> str:
    low, high = int(wait.get("low_min", 0)), int(wait.get("high_min", 0))
    if high <= 0:
        return _("almost no wait")
    if low <= 0:
        return _("less than {high} min").format(high=high)
    if low == high:
        return _("about {minutes} min").format(minutes=high)
    return _("{low} to {high} min").format(low=low, high=high)


def _wait_text(q: Mapping[str, Any], _: Translator) -> str:
    if q.get("wait"):
        return _range(q["wait"], _)
    if not q.get("open_counters", 0):
        return _("no counter open")
    return _("wait not known")


def _hours(hours: Mapping[str, Sequence[Sequence[str]]], lang: str) -> str:
    _ = translator(lang, "kiosk")
    names = get_day_names("abbreviated", locale=lang if lang != "en" else "en_GB")
    parts = []
    for i, day in enumerate(DAYS):
        for a, b in hours.get(day, []):
            # In words for right-to-left scripts, where "14:00–16:30" would read backwards.
            parts.append(_("{day} {start}–{end}").format(day=names[i], start=a, end=b))
    return ("، " if is_rtl(lang) else ", ").join(parts)


def _retention(office: Mapping[str, Any]) -> int:
    return int(office.get("callbacks", {}).get("retention_days", 30))


def _group(typed: str) -> str:
    """Digits grouped by two while typing: "06 12 34", "+44 20 79"."""
    head, rest = ("+", typed[1:]) if typed.startswith("+") else ("", typed)
    return head + " ".join(rest[i : i + 2] for i in range(0, len(rest), 2))


def _shown_phone(typed: str) -> str:
    number = normalise_phone(typed)
    return display_phone(number) if number else _group(typed)


def _summary(ticket: Mapping[str, Any], office: Mapping[str, Any], lang: str) -> list[str]:
    if not ticket:
        return []
    from kiosk.ticket_layout import summary, ticket_info

    return list(summary(ticket_info(ticket, office, lang)))
