"""Every sentence the board shows, from a BoardState, in the board's language (no Qt here)."""

from __future__ import annotations

from collections.abc import Mapping

from babel.dates import format_date

from display.board import WEEKDAYS, BoardState, Periods, ServiceLine
from shared.i18n import N_, Translator, translator

DAY_NAMES = {
    "mon": N_("Monday"), "tue": N_("Tuesday"), "wed": N_("Wednesday"), "thu": N_("Thursday"),
    "fri": N_("Friday"), "sat": N_("Saturday"), "sun": N_("Sunday"),
}  # fmt: skip
DAY_SHORT = {
    "mon": N_("Mon"), "tue": N_("Tue"), "wed": N_("Wed"), "thu": N_("Thu"), "fri": N_("Fri"),
    "sat": N_("Sat"), "sun": N_("Sun"),
}  # fmt: skip


def tr(board: BoardState) -> Translator:
    return translator(board.lang, "display")


def banner(board: BoardState) -> str:
    """The stale banner's text, or "" when the board is live."""
    _ = tr(board)
    if board.connected:
        return ""
    if board.ever_connected:
        return _("Connection to the queue lost — information may be out of date")
    return _("Connecting to the queue…")


def no_call(board: BoardState) -> str:
    _ = tr(board)
    return _("No ticket called yet")


def wait_text(board: BoardState, s: ServiceLine) -> str:
    """The waiting table's estimate column (the people column says how many)."""
    _ = tr(board)
    if s.waiting is None:
        return _("Not known yet")
    if s.waiting == 0:
        return _("No wait")
    if s.open_counters == 0:
        return _("No counter open")
    if s.low_min is None or s.high_min is None:
        return _("Not known yet")
    if s.low_min <= 0:
        return _("under {high} min", high=s.high_min)
    return _("{low} to {high} min", low=s.low_min, high=s.high_min)


def people(s: ServiceLine) -> str:
    return "–" if s.waiting is None else str(s.waiting)


def headings(board: BoardState) -> dict[str, str]:
    """The section titles, as on the web board."""
    _ = tr(board)
    return {
        "current": _("Current call"), "recent": _("Recent calls"), "waiting": _("Waiting"),
        "service": _("Service"), "people": _("People"), "estimate": _("Estimated wait"),
        "quieter": _("Quieter hours"), "hours": _("Opening hours today"),
        "channels": _("Other ways to reach us"),
    }  # fmt: skip


def date_text(board: BoardState) -> str:
    """The date as "samedi 28 novembre": the day's name helps a visitor more than the year."""
    return format_date(board.now.date(), "EEEE d MMMM", locale=board.lang)


def periods(board: BoardState, ps: Periods) -> str:
    _ = tr(board)
    return _(" and ").join(_("{start} to {end}", start=_hm(a), end=_hm(b)) for a, b in ps)


def hours_today(board: BoardState) -> list[str]:
    """Today's opening hours, one period a line (a line must fit a narrow column)."""
    _ = tr(board)
    if not board.hours_today:
        return [_("Closed today")]
    return [_("{start} to {end}", start=_hm(a), end=_hm(b)) for a, b in board.hours_today]


def channels(board: BoardState) -> list[str]:
    """The other ways to reach the office, one line each (addresses without their scheme)."""
    _ = tr(board)
    c, lines = board.channels, []
    if c.appointment_url:
        lines.append(_("Appointments: {url}", url=_bare(c.appointment_url)))
    if c.phone:
        lines.append(_("Phone: {phone}", phone=c.phone))
    if c.website:
        lines.append(_("Website: {url}", url=_bare(c.website)))
    return lines


def chart_days(week_hours: Mapping[str, Periods], quieter: Mapping[str, Periods]) -> list[str]:
    return [d for d in WEEKDAYS if d in week_hours or d in quieter]


def quieter_description(board: BoardState) -> str:
    """The chart's text alternative: the same facts in words (accessible description)."""
    _ = tr(board)
    days = [d for d in WEEKDAYS if board.quieter.get(d)]
    if not days and board.quieter_source == "none":
        return _("Quieter hours: not known yet (not enough history).")
    if not days:
        return _("No quieter hours are known for this week.")
    parts = [_("{day}: {hours}", day=_(DAY_NAMES[d]), hours=periods(board, board.quieter[d]))
             for d in days]  # fmt: skip
    return _("Quieter hours this week. {days}.", days="; ".join(parts))


def quieter_lines(board: BoardState) -> list[str]:
    """The chart's facts as short lines beside it: "mar : 14 h à 16 h 30"; when no quieter
    hours are known (not enough history, none declared), the line that says so."""
    _ = tr(board)
    if board.quieter_source == "none" and not board.quieter:
        return [_("Not known yet (not enough history).")]
    return [_("{day}: {hours}", day=_(DAY_SHORT[d]), hours=periods(board, board.quieter[d]))
            for d in WEEKDAYS if board.quieter.get(d)]  # fmt: skip


def _hm(hhmm: str) -> str:
    """French-style times: 08:30 → 8 h 30, 14:00 → 14 h."""
    h, m = hhmm.split(":")
    return f"{int(h)} h {m}" if m != "00" else f"{int(h)} h"


def _bare(url: str) -> str:
    for scheme in ("https://", "http://"):
        if url.startswith(scheme):
            url = url[len(scheme) :]
    return url.rstrip("/")
