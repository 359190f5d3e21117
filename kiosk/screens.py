"""Every text of every kiosk screen: `view(state, office, queue) -> ScreenView` (pure).

The window draws only a ScreenView and the speech reads only `utterances(view)`, so what is
spoken covers what is shown by construction (K1); tests/kiosk/test_accessibility.py checks it on
the real widgets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from kiosk.state import Screen, State
from kiosk.wording import bare_url as _bare_url
from kiosk.wording import group as _group
from kiosk.wording import isolate_all as _isolate_all
from kiosk.wording import name as _name
from kiosk.wording import open_today, pairing_code, plain
from kiosk.wording import retention as _retention
from kiosk.wording import service as _service
from kiosk.wording import shown_phone as _shown_phone
from kiosk.wording import summary as _summary
from kiosk.wording import wait_range as _range
from kiosk.wording import wait_text as _wait_text
from kiosk.wording import week_hours as _hours
from shared.i18n import Translator, is_rtl, native_name, translator

KEYPAD = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "+", "0")
SETUP_KEYPAD = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0")


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
    header: str = ""  # the office's name, in the band at the top

    @property
    def rtl(self) -> bool:
        return is_rtl(self.lang)

    def controls(self) -> tuple[Button, ...]:
        """Every button in focus order (the order speech numbers them)."""
        return (*self.keypad, *self.buttons, *self.languages, *self.tools)


def view(
    state: State, office: Mapping[str, Any] | None, queue: Mapping[str, Any] | None,
    today: date | None = None,
) -> ScreenView:  # fmt: skip
    """`today` is the office's date (its time zone): the welcome screen shows today's hours."""
    _ = translator(state.lang, "kiosk")
    office = office or {}
    header = str(office.get("name", "")) if state.paired else ""
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
            warning=True, header=header,
        )  # fmt: skip
    body = _BODIES[state.screen](state, office, queue or {}, _)
    if state.screen is Screen.WELCOME:
        hours = open_today(office, today, _, state.lang)
        body["lines"] = (*body.get("lines", ()), hours) if hours else body.get("lines", ())
    if state.notice == "service_gone":
        body["error"] = _("This service is not available now. Please choose again.")
    if is_rtl(state.lang):
        body = {k: _isolate_all(v) for k, v in body.items()}
    return ScreenView(screen=state.screen.value, lang=state.lang, languages=langs,
                      tools=tuple(tools), header=header, **body)  # fmt: skip


def utterances(v: ScreenView) -> list[str]:
    """What speech says for a screen: title, the big text, information, then every control
    with its place in the focus order."""
    _ = translator(v.lang, "kiosk")
    out = [v.title]
    if v.header and v.screen == "welcome":  # where the visitor arrives; elsewhere said last
        out.append(v.header)
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
    if v.header and v.screen != "welcome":
        out.append(v.header)
    return [plain(t) for t in out]


def focus_utterance(v: ScreenView, button_id: str) -> str:
    """What speech says when focus moves to a control."""
    for b in v.controls():
        if b.id == button_id:
            return plain(f"{b.label}. {b.detail}" if b.detail else b.label)
    return ""


# --- the screens ---------------------------------------------------------------------------

Body = dict[str, Any]


def _setup(s: State, office: Mapping[str, Any], queue: Mapping[str, Any], _: Translator) -> Body:
    keys = [Button(f"digit:{k}", k, kind="key", enabled=not s.pairing) for k in SETUP_KEYPAD]
    keys.append(Button("erase", _("Erase"), kind="key", enabled=bool(s.setup_code)
                       and not s.pairing))  # fmt: skip
    # The command on a line of its own, so that it is never cut in two.
    lines = [_("On the hub machine, run this command:"), "montour hub pair --role kiosk",
             _("Then type the 8-digit code here.")]  # fmt: skip
    if s.pairing:
        lines.append(_("One moment, please."))
    errors = {
        "wrong": _("This code is wrong or has expired. Ask the hub for a new code, then type it."),
        "unreachable": _("The hub does not answer. Check the network, then press Pair again."),
    }
    ready = len(s.setup_code) == 8 and not s.pairing
    return {
        "title": _("This kiosk is not set up yet"), "big": pairing_code(s.setup_code),
        "lines": tuple(lines), "error": errors.get(s.setup_error, ""), "keypad": tuple(keys),
        "buttons": (Button("pair", _("Pair"), enabled=ready),),
    }  # fmt: skip


def _starting(s: State, office: Mapping[str, Any], queue: Mapping[str, Any], _: Translator) -> Body:
    return {"title": _("One moment, please"), "lines": (_("The kiosk is starting."),)}


def _welcome(s: State, office: Mapping[str, Any], queue: Mapping[str, Any], _: Translator) -> Body:
    lines = [_("Take a ticket to be served at a counter.")]
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
        elif (svc.get("quieter_hours_source") or office.get("quieter_hours_source")) == "none":
            # Nothing learned yet, nothing declared: say so rather than guess (issue 6).
            lines.append(_("Quieter hours: not known yet (not enough history)."))
        if office.get("appointment_url"):
            url = _bare_url(office["appointment_url"])
            lines.append(_("Make an appointment: {url}").format(url=url))
        if office.get("phone"):
            lines.append(_("Call us: {phone}").format(phone=office["phone"]))
        if office.get("website"):
            lines.append(_("Website: {url}").format(url=_bare_url(office["website"])))
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
    Screen.SETUP: _setup, Screen.STARTING: _starting, Screen.WELCOME: _welcome,
    Screen.SERVICES: _services,
    Screen.PRIORITY: _priority, Screen.CONFIRM: _confirm, Screen.PHONE: _phone,
    Screen.CONSENT: _consent, Screen.CALLBACK_DONE: _callback_done, Screen.PRINTING: _printing,
    Screen.TAKE_TICKET: _take, Screen.PRINT_FAILED: _failed, Screen.HUB_DOWN: _hub_down,
}  # fmt: skip
