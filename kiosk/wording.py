"""How the kiosk words data on screen: names, waits, hours, addresses, phone numbers, and the
bidi marks that keep left-to-right data readable inside Arabic (stripped again for speech)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from babel.dates import get_day_names

from shared.core.phone import display as display_phone
from shared.core.phone import normalise as normalise_phone
from shared.i18n import Translator, is_rtl, translator

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# Phone numbers and addresses are left-to-right islands in Arabic text; without an embedding
# the bidi algorithm shows "01 23 45 67 89" as "89 67 45 23 01". LRE…PDF, because Qt's layout
# did not honour the newer isolates (LRI…PDI) here.
_LTR_RUN = re.compile(r"https?://\S+|[\w.-]+\.[a-z]{2,}(?:/\S*)?|\+?\d+(?:[ .]\d+)+")
# Every bidi control: they steer the drawing, and a speech engine may read them out or stumble.
_BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def plain(text: str) -> str:
    """`text` without bidi controls: what goes to the Speaker."""
    return _BIDI.sub("", text)


def isolate(text: str) -> str:
    return _LTR_RUN.sub(lambda m: f"\u202a{m.group(0)}\u202c", text)


def isolate_all(value: Any) -> Any:
    if isinstance(value, str):
        return isolate(value)
    if isinstance(value, tuple) and all(isinstance(v, str) for v in value):
        return tuple(isolate(v) for v in value)
    return value


def bare_url(url: str) -> str:
    """An address as people type it, as the ticket prints it: no scheme, no trailing slash."""
    for scheme in ("https://", "http://"):
        if url.lower().startswith(scheme):
            url = url[len(scheme) :]
    return url.rstrip("/")


def name(svc: Mapping[str, Any], lang: str) -> str:
    names = svc.get("names", {})
    return str(names.get(lang) or names.get("en") or next(iter(names.values()), svc.get("code")))


def service(office: Mapping[str, Any], code: str | None) -> Mapping[str, Any]:
    return next((s for s in office.get("services", []) if s["code"] == code), {"code": code})


def wait_range(wait: Mapping[str, Any], _: Translator) -> str:
    low, high = int(wait.get("low_min", 0)), int(wait.get("high_min", 0))
    if high <= 0:
        return _("almost no wait")
    if low <= 0:
        return _("less than {high} min").format(high=high)
    if low == high:
        return _("about {minutes} min").format(minutes=high)
    return _("{low} to {high} min").format(low=low, high=high)


def wait_text(q: Mapping[str, Any], _: Translator) -> str:
    if q.get("wait"):
        return wait_range(q["wait"], _)
    if not q.get("open_counters", 0):
        return _("no counter open")
    return _("wait not known")


def week_hours(hours: Mapping[str, Sequence[Sequence[str]]], lang: str) -> str:
    _ = translator(lang, "kiosk")
    names = get_day_names("abbreviated", locale=lang if lang != "en" else "en_GB")
    parts = []
    for i, day in enumerate(DAYS):
        for a, b in hours.get(day, []):
            # In words for right-to-left scripts, where "14:00–16:30" would read backwards.
            parts.append(_("{day} {start}–{end}").format(day=names[i], start=a, end=b))
    return ("، " if is_rtl(lang) else ", ").join(parts)


def open_today(office: Mapping[str, Any], today: date | None, _: Translator, lang: str) -> str:
    """ "Open today: 08:30–12:00 and 13:30–16:30", or "Closed today"; "" when not known."""
    hours = office.get("hours")
    if today is None or not isinstance(hours, Mapping):
        return ""
    day = hours.get(DAYS[today.weekday()], [])
    spans = [_("{start}–{end}").format(start=a, end=b) for a, b in day]
    if not spans:
        return _("Closed today")
    text = spans[0]
    if len(spans) > 1:
        head = ("، " if is_rtl(lang) else ", ").join(spans[:-1])
        text = _("{first} and {last}").format(first=head, last=spans[-1])
    return _("Open today: {hours}").format(hours=text)


def retention(office: Mapping[str, Any]) -> int:
    return int(office.get("callbacks", {}).get("retention_days", 30))


def group(typed: str) -> str:
    """Digits grouped by two while typing: "06 12 34", "+44 20 79"."""
    head, rest = ("+", typed[1:]) if typed.startswith("+") else ("", typed)
    return head + " ".join(rest[i : i + 2] for i in range(0, len(rest), 2))


def shown_phone(typed: str) -> str:
    number = normalise_phone(typed)
    return display_phone(number) if number else group(typed)


def pairing_code(typed: str) -> str:
    """The code as `montour hub pair` shows it: "1234-5678"."""
    return typed if len(typed) <= 4 else f"{typed[:4]}-{typed[4:]}"


def summary(ticket: Mapping[str, Any], office: Mapping[str, Any], lang: str) -> list[str]:
    if not ticket:
        return []
    from kiosk.ticket_layout import summary as ticket_summary
    from kiosk.ticket_layout import ticket_info

    return list(ticket_summary(ticket_info(ticket, office, lang)))
