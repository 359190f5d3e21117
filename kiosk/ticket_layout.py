"""The printed ticket as data: what it says, in the visitor's language, and in what order.

Pure: no Qt, no python-escpos, no IO. `ticket_info()` reads the hub's JSON (the answer to
POST /tickets and GET /office) into a `TicketInfo`; `layout()` turns it into a tuple of small
blocks (`Text`, `QR`, `Rule`, `Feed`, `Cut`) that a printer back-end renders (ESC/POS bytes or a
preview PNG); `summary()` gives the same content as plain sentences for the kiosk's screen and
its speech (K1), so the screen, the voice and the paper never disagree.

Privacy (P1-P3): the ticket never says whether it is a priority ticket; every ticket carries
the same generic line that priority visitors may be called first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, get_day_names
from babel.lists import format_list

from shared.i18n import is_rtl, translator

DOMAIN = "ticket"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
NUMBER_SIZE = 6  # the ticket's number: 6× the normal glyph (72×144 dots, 18 mm high)
HEADING_SIZE = 2
QR_MODULE_DOTS = 6  # one QR module is 6 dots (0.75 mm): phones read it from arm's length

Align = Literal["left", "center", "right"]
Week = Mapping[str, Sequence[tuple[str, str]]]


# --- blocks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """One paragraph; the back-end wraps it to the paper's width. `size` multiplies the normal
    glyph in both directions (1-8, the ESC/POS range)."""

    text: str
    size: int = 1
    align: Align = "left"
    bold: bool = False

    def __post_init__(self) -> None:
        if not 1 <= self.size <= 8:
            raise ValueError(f"Text size must be 1 to 8, not {self.size}")
        if self.align not in ("left", "center", "right"):
            raise ValueError(f"Text align must be left, center or right, not {self.align!r}")


@dataclass(frozen=True)
class QR:
    data: str
    size: int = QR_MODULE_DOTS

    def __post_init__(self) -> None:
        if not self.data:
            raise ValueError("a QR code needs data")
        if not 1 <= self.size <= 16:
            raise ValueError(f"QR module size must be 1 to 16 dots, not {self.size}")


@dataclass(frozen=True)
class Rule:
    """A horizontal line across the paper."""


@dataclass(frozen=True)
class Feed:
    n: int = 1


@dataclass(frozen=True)
class Cut:
    """Feed past the cutter and cut: always the last block."""


Block = Text | QR | Rule | Feed | Cut
BLOCK_TYPES = (Text, QR, Rule, Feed, Cut)


# --- what the ticket says -------------------------------------------------------------------


class TicketDataError(ValueError):
    """The hub's ticket or office JSON lacks something the ticket needs."""


@dataclass(frozen=True)
class TicketInfo:
    office_name: str
    service_name: str
    label: str
    position: int | None
    wait_low_min: int | None
    wait_high_min: int | None
    issued_at: datetime  # aware, in the office time zone
    page_url: str
    valid_until: datetime | None
    quieter_hours: Week  # "tue" -> [("14:00", "16:30")]
    opening_hours: Week
    phone: str
    website: str
    appointment_url: str
    lang: str
    # "history" | "declared" | "none" (the hub's `quieter_hours_source`; "" from an older hub):
    # "none" prints that the hours are not known yet rather than nothing.
    quieter_source: str = ""


def ticket_info(ticket: Mapping[str, Any], office: Mapping[str, Any], lang: str) -> TicketInfo:
    """Read the hub's answer to POST /tickets and its GET /office into a TicketInfo."""
    for key in ("label", "service", "issued_at"):
        if not ticket.get(key):
            raise TicketDataError(f"the hub's ticket has no {key!r}: {sorted(ticket)}")
    tz = _zone(str(office.get("timezone") or "UTC"))
    code = str(ticket["service"])
    services: Sequence[Mapping[str, Any]] = office.get("services") or ()
    service: Mapping[str, Any] = next((s for s in services if s.get("code") == code), {})
    names = service.get("names") or {}
    estimate = ticket.get("estimate") or {}
    wait = estimate.get("wait") or {}
    valid = ticket.get("valid_until")
    return TicketInfo(
        office_name=str(office.get("name") or ""),
        service_name=str(names.get(lang) or names.get("en") or next(iter(names.values()), code)),
        label=str(ticket["label"]),
        position=_int_or_none(estimate.get("position")),
        wait_low_min=_int_or_none(wait.get("low_min")),
        wait_high_min=_int_or_none(wait.get("high_min")),
        issued_at=_moment(ticket["issued_at"], "issued_at").astimezone(tz),
        page_url=str(ticket.get("page_url") or ""),
        valid_until=_moment(valid, "valid_until").astimezone(tz) if valid else None,
        quieter_hours=_week(service.get("quieter_hours") or office.get("quieter_hours") or {}),
        opening_hours=_week(office.get("hours") or {}),
        phone=str(office.get("phone") or ""),
        website=str(office.get("website") or ""),
        appointment_url=str(office.get("appointment_url") or ""),
        lang=lang,
        quieter_source=str(
            service.get("quieter_hours_source") or office.get("quieter_hours_source") or ""
        ),
    )


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise TicketDataError(f"unknown office time zone {name!r}") from exc


def _moment(value: Any, key: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise TicketDataError(f"the hub's {key} is not an ISO time: {value!r}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _int_or_none(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _week(raw: Mapping[str, Any]) -> dict[str, tuple[tuple[str, str], ...]]:
    try:
        return {
            day: tuple((str(a), str(b)) for a, b in raw[day]) for day in WEEKDAYS if raw.get(day)
        }
    except (TypeError, ValueError) as exc:
        raise TicketDataError(f"hours must be {{day: [[start, end], …]}}, not {raw!r}") from exc


# --- the paper ------------------------------------------------------------------------------


def layout(info: TicketInfo) -> tuple[Block, ...]:
    """The ticket, top to bottom. Body text starts on the reading side of the language."""
    _ = translator(info.lang, DOMAIN)
    start: Align = "right" if is_rtl(info.lang) else "left"
    blocks: list[Block] = [
        Text(info.office_name, align="center", bold=True),
        Text(info.service_name, HEADING_SIZE, "center", bold=True),
        Feed(1),
        Text(_("Your number"), align="center"),
        Text(info.label, NUMBER_SIZE, "center", bold=True),
        Feed(1),
    ]
    blocks += [Text(line, align=start) for line in _queue_lines(info)]
    blocks.append(Text(_issued(info), align=start))
    if info.page_url:
        # A blank line each side: the code's quiet zone (4 modules) that readers need.
        blocks += [Rule(), Feed(1), QR(info.page_url), Feed(1)]
        blocks.append(Text(_scan_line(info.lang), align="center"))
    blocks.append(Rule())
    if info.quieter_hours or info.quieter_source == "none":
        blocks.append(Text(_quieter_line(info, compact=True), align=start))
    if info.opening_hours:
        blocks.append(Text(_("Opening hours:"), align=start, bold=True))
        blocks += [Text(line, align=start) for line in _opening_lines(info)]
    blocks += [Text(line, align=start) for line in _contact_lines(info)]
    blocks += [Rule(), Text(_privacy(info), align=start), Cut()]
    return tuple(blocks)


def summary(info: TicketInfo) -> list[str]:
    """What the ticket says, as sentences to show on screen and to speak (K1)."""
    _ = translator(info.lang, DOMAIN)
    lines = [_("Your number is {label}.").format(label=info.label),
             _("Service: {service}.").format(service=info.service_name)]  # fmt: skip
    lines += _queue_lines(info)
    if info.page_url:
        lines.append(_scan_line(info.lang))
    if info.quieter_hours or info.quieter_source == "none":
        lines.append(_quieter_line(info, compact=False))
    lines += _contact_lines(info)
    lines.append(_privacy(info))
    return lines


def _queue_lines(info: TicketInfo) -> list[str]:
    _ = translator(info.lang, DOMAIN)
    lines = []
    if info.position is not None:
        lines.append(_("You are number {position} in line.").format(position=info.position))
    low, high = info.wait_low_min, info.wait_high_min
    if low is None or high is None:
        lines.append(_("No wait estimate for now."))
    elif high <= 0:
        lines.append(_("Estimated wait: a few minutes."))
    elif low >= high:
        lines.append(_("Estimated wait: about {minutes} minutes.").format(minutes=high))
    else:
        lines.append(_("Estimated wait: {low} to {high} minutes.").format(low=low, high=high))
    lines.append(_("Priority visitors may be called first."))
    return lines


def _issued(info: TicketInfo) -> str:
    _ = translator(info.lang, DOMAIN)
    date = format_date(info.issued_at, "medium", locale=_locale(info.lang))
    at = info.issued_at.strftime("%H:%M")
    return _("Issued on {date} at {time}.").format(date=date, time=at)


def _scan_line(lang: str) -> str:
    _ = translator(lang, DOMAIN)
    return _("Scan the QR code to see your place in line on your phone.")


def _quieter_line(info: TicketInfo, compact: bool) -> str:
    _ = translator(info.lang, DOMAIN)
    if not info.quieter_hours:  # none learned yet, none declared: say so rather than guess
        return _("Quieter hours: not known yet (not enough history).")
    hours = _week_text(info.quieter_hours, info.lang, compact)
    return _("Quieter hours: {hours}").format(hours=hours)


def _opening_lines(info: TicketInfo) -> list[str]:
    """One line per run of consecutive days with the same hours: "Mon–Tue 08:30–12:00 and …"."""
    names = _day_names(info.lang, "abbreviated")
    runs: list[tuple[list[str], Sequence[tuple[str, str]]]] = []
    open_yesterday = False
    for day in WEEKDAYS:
        periods = info.opening_hours.get(day)
        if periods and open_yesterday and runs[-1][1] == periods:
            runs[-1][0].append(day)
        elif periods:
            runs.append(([day], periods))
        open_yesterday = bool(periods)
    out = []
    for days, periods in runs:
        span = names[days[0]] if len(days) == 1 else f"{names[days[0]]}–{names[days[-1]]}"
        hours = format_list([f"{a}–{b}" for a, b in periods], locale=_locale(info.lang))
        out.append(f"{span} {hours}")
    return out


def _contact_lines(info: TicketInfo) -> list[str]:
    _ = translator(info.lang, DOMAIN)
    lines = []
    if info.phone:
        lines.append(_("Phone: {phone}").format(phone=_ltr(info.phone, info.lang)))
    if info.website:
        website = _ltr(_bare_url(info.website), info.lang)
        lines.append(_("Website: {website}").format(website=website))
    if info.appointment_url and info.appointment_url != info.website:
        url = _ltr(_bare_url(info.appointment_url), info.lang)
        lines.append(_("Appointments: {url}").format(url=url))
    return lines


def _ltr(text: str, lang: str) -> str:
    """Left-to-right data inside right-to-left text, isolated: without it the bidi algorithm
    prints "01 23 45 67 89" as "89 67 45 23 01"."""
    return f"\u2066{text}\u2069" if is_rtl(lang) else text


def _bare_url(url: str) -> str:
    """An address as people type it: no scheme, no trailing slash (and it fits 48 columns)."""
    for scheme in ("https://", "http://"):
        if url.lower().startswith(scheme):
            url = url[len(scheme) :]
    return url.rstrip("/")


def _privacy(info: TicketInfo) -> str:
    _ = translator(info.lang, DOMAIN)
    # Outside opening hours the hub says "midnight", which is no closing time to print.
    if info.valid_until is None or info.valid_until.date() != info.issued_at.date():
        return _("This ticket is anonymous. The code is valid until closing time.")
    until = info.valid_until.strftime("%H:%M")
    return _("This ticket is anonymous. The code is valid until {time} today.").format(time=until)


def _week_text(week: Week, lang: str, compact: bool) -> str:
    """Compact for paper ("Tue 14:00–16:30"), spelled out for speech ("Tuesday 14:00 to …")."""
    _ = translator(lang, DOMAIN)
    names = _day_names(lang, "abbreviated" if compact else "wide")
    items = []
    for day in WEEKDAYS:
        for a, b in week.get(day, ()):
            span = f"{a}–{b}" if compact else _("{start} to {end}").format(start=a, end=b)
            items.append(f"{names[day]} {span}")
    return format_list(items, locale=_locale(lang)) if items else ""


def _day_names(lang: str, width: Literal["abbreviated", "wide"]) -> dict[str, str]:
    names = get_day_names(width, locale=_locale(lang))
    return {day: str(names[i]) for i, day in enumerate(WEEKDAYS)}


def _locale(lang: str) -> str:
    """Babel's locale for a language code, English when Babel does not know it."""
    try:
        Locale.parse(lang)
    except (UnknownLocaleError, ValueError):
        return "en"
    return lang
