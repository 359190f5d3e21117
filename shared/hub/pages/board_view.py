"""The web board's HTML, rendered on the server from the board's JSON (board_state.py).

board.js renders the live parts (calls, waiting, today's hours) again at every update with the
same texts, which it gets whole in the page's JSON block; the browser test compares both
renderings. The quieter-hours chart is an inline SVG (attributes, no style: the CSP forbids
inline styles) with a visible text alternative beside it; when no quieter hours are known (not
enough history, none declared) there is no chart, only the sentence saying so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from importlib import resources
from string import Template
from typing import Any

from babel.dates import get_day_names

from shared import i18n
from shared.hub.pages.board_chart import chart
from shared.hub.pages.status import WEEKDAYS
from shared.i18n import N_

DOMAIN = "board"
MESSAGES: dict[str, str] = {
    "title": N_("Calls"),
    "now_calling": N_("Now calling"),
    "none_yet": N_("No call yet"),
    "recent": N_("Last calls"),
    "ticket": N_("Ticket"),
    "counter": N_("Counter"),
    "queue": N_("Waiting now"),
    "service": N_("Service"),
    "waiting": N_("Waiting"),
    "estimate": N_("Estimated wait"),
    "wait": N_("{low} to {high} min"),
    "wait_short": N_("less than {high} min"),
    "no_counter": N_("no counter open"),
    "open_today": N_("Open today"),
    "closed_today": N_("Closed today"),
    "quieter": N_("Quieter hours"),
    "quieter_none": N_("Not known yet (not enough history)."),
    "channels": N_("Without waiting"),
    "phone": N_("Phone: {phone}"),
    "website": N_("Website: {url}"),
    "appointment": N_("Appointment: {url}"),
    "sound_on": N_("Turn sound on"),
    "stale": N_("Connection lost — information may be out of date"),
}
_TEMPLATE = Template(resources.files(__package__).joinpath("board.html").read_text("utf-8"))


def texts(lang: str) -> dict[str, str]:
    _ = i18n.translator(lang, DOMAIN)
    return {key: _(message) for key, message in MESSAGES.items()}


def day_names(lang: str) -> dict[str, str]:
    names = get_day_names("abbreviated", locale=lang if lang != "en" else "en_GB")
    return {day: str(names[i]).rstrip(".") for i, day in enumerate(WEEKDAYS)}


def fill(text: str, **values: object) -> str:
    return text.format(**values)


def periods(found: list[list[str]]) -> str:
    return ", ".join(f"{a}–{b}" for a, b in found)


def wait_text(service: dict[str, Any], t: dict[str, str]) -> str:
    wait = service["wait"]
    if wait is None:
        return t["no_counter"]
    if wait["low_min"] <= 0:
        return fill(t["wait_short"], high=wait["high_min"])
    return fill(t["wait"], low=wait["low_min"], high=wait["high_min"])


def url_text(url: str) -> str:
    """Addresses without their scheme: shorter to read from a chair, and to type."""
    return url.removeprefix("https://").removeprefix("http://").rstrip("/")


@dataclass(frozen=True)
class Page:
    lang: str
    board: dict[str, Any]
    assets: dict[str, str]  # file name -> its URL (versioned)
    events_url: str
    board_url: str
    animation: bool
    timing: dict[str, float]  # what board.js needs from shared/const.py, in ms


def render(page: Page) -> str:
    b, t, lang = page.board, texts(page.lang), page.lang
    days = day_names(lang)
    data = {
        "lang": lang, "texts": t, "days": days, "board": b, "events_url": page.events_url,
        "board_url": page.board_url, "timing": page.timing,
    }  # fmt: skip
    return _TEMPLATE.substitute(
        lang=lang,
        dir="rtl" if i18n.is_rtl(lang) else "ltr",
        html_class="" if page.animation else "no-animation",
        title=escape(f"{t['title']} · {b['office']}"),
        css=escape(page.assets["board.css"]),
        js=escape(page.assets["board.js"]),
        data=_json_for_script(data),
        office=escape(b["office"]),
        sound_on=escape(t["sound_on"]),
        stale=escape(t["stale"]),
        now_calling=escape(t["now_calling"]),
        current=current_html(b, t),
        recent_title=escape(t["recent"]),
        recent=recent_html(b, t),
        queue_title=escape(t["queue"]),
        services=services_html(b, t),
        hours_title=escape(t["open_today"] if b["hours_today"] else t["closed_today"]),
        hours=escape(periods(b["hours_today"])),
        quieter_title=escape(t["quieter"]),
        chart=quieter_chart(b, t, days),
        quieter=quieter_text(b, t, days),
        channels_title=escape(t["channels"]),
        channels=channels_html(b, t),
    )


def current_html(b: dict[str, Any], t: dict[str, str]) -> str:
    if not b["calls"]:
        return f'<p class="none">{escape(t["none_yet"])}</p>'
    call = b["calls"][0]
    return (
        f'<p class="number">{escape(call["label"])}</p>'
        f'<p class="where"><span class="arrow" aria-hidden="true">→</span> '
        f"{escape(call['counter_name'])}</p>"
    )


def recent_html(b: dict[str, Any], t: dict[str, str]) -> str:
    rows = "".join(
        f'<li><span class="number">{escape(c["label"])}</span> '
        f'<span class="where">{escape(c["counter_name"])}</span></li>'
        for c in b["calls"][1:]
    )
    return rows


def services_html(b: dict[str, Any], t: dict[str, str]) -> str:
    head = (
        f'<thead><tr><th scope="col">{escape(t["service"])}</th>'
        f'<th scope="col">{escape(t["waiting"])}</th>'
        f'<th scope="col">{escape(t["estimate"])}</th></tr></thead>'
    )
    rows = "".join(
        f'<tr><th scope="row">{escape(s["name"])}</th><td class="count">{s["waiting"]}</td>'
        f"<td>{escape(wait_text(s, t))}</td></tr>"
        for s in b["services"]
    )
    return f"{head}<tbody>{rows}</tbody>"


def quieter_chart(b: dict[str, Any], t: dict[str, str], days: dict[str, str]) -> str:
    """No chart when nothing is known: the opening hours alone would look like "no quieter
    hour at all"; the text beside it says why instead."""
    if b.get("quieter_hours_source") == "none" or not b["quieter_hours"]:
        return ""
    return chart(b["hours"], b["quieter_hours"], days, t["quieter"])


def quieter_text(b: dict[str, Any], t: dict[str, str], days: dict[str, str]) -> str:
    week = b["quieter_hours"]
    if not week:  # source "none": not enough history yet, and none declared
        return f"<li>{escape(t['quieter_none'])}</li>"
    return "".join(
        f"<li>{escape(days[day])} {escape(periods(found))}</li>" for day, found in week.items()
    )


def channels_html(b: dict[str, Any], t: dict[str, str]) -> str:
    c = b["channels"]
    items = []
    if c["phone"]:
        items.append(fill(t["phone"], phone=c["phone"]))
    if c["appointment_url"]:
        items.append(fill(t["appointment"], url=url_text(c["appointment_url"])))
    if c["website"]:
        items.append(fill(t["website"], url=url_text(c["website"])))
    return "".join(f"<li>{escape(item)}</li>" for item in items)


def _json_for_script(data: dict[str, Any]) -> str:
    # Inside <script>, "</script>" or "<!--" in a value would end or change the block.
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
