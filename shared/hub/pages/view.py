"""The phone page's HTML, rendered on the server from a ticket's public status.

`lines()` decides what the page says for a status; phone.js holds the same decision, in the
same words (texts.py), for live updates. The browser test compares the two renderings.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from importlib import resources
from string import Template
from typing import Any

from babel.dates import get_day_names

from shared import const, i18n
from shared.hub.pages.status import WEEKDAYS
from shared.hub.pages.texts import fill

Line = tuple[str, str]  # (css class, text)
FINAL = ("done", "cancelled")  # nothing more will happen: no reason to reload without script

_TEMPLATE = Template(resources.files(__package__).joinpath("phone.html").read_text("utf-8"))


def lines(status: dict[str, Any] | None, t: dict[str, str]) -> tuple[list[Line], list[Line]]:
    """What the call block (announced at once) and the status block (announced politely) say."""
    if status is None:
        return [], [("info", t["expired"]), ("help", t["expired_help"]), ("help", t["new_ticket"])]
    state = status["state"]
    counter = status.get("counter_name") or status.get("counter") or ""
    if state == "called":
        where = fill(t["go_to"], counter=counter)
        return [("call-title", t["your_turn"]), ("call-where", where)], []
    if state == "waiting":
        est = status.get("estimate") or {}
        position = est.get("position", 1)
        rank = t["next"] if position <= 1 else fill(t["rank"], position=position)
        wait = est.get("wait")
        if wait is None:
            when = t["no_counter"]
        elif wait["low_min"] <= 0:
            when = fill(t["wait_short"], high=wait["high_min"])
        else:
            when = fill(t["wait"], low=wait["low_min"], high=wait["high_min"])
        return [], [("rank", rank), ("wait", when), ("note", t["priority_note"])]
    simple: dict[str, list[Line]] = {
        "serving": [("info", fill(t["serving"], counter=counter))],
        "parked": [("info", t["parked"])],
        "transferred": [("info", t["transferred"])],
        "done": [("info", t["done"]), ("help", t["done_help"])],
        "no_show": [("info", t["no_show"]), ("help", t["no_show_help"])],
        "cancelled": [("info", t["cancelled"]), ("help", t["new_ticket"])],
    }
    return [], simple.get(state, [("help", t["new_ticket"])])


def title(status: dict[str, Any] | None, t: dict[str, str], office: str) -> str:
    if status is None:
        return f"{t['expired']} · {office}"
    if status["state"] == "called":
        counter = status.get("counter_name") or status.get("counter") or ""
        return f"{fill(t['go_to'], counter=counter)} · {status['label']}"
    return f"{fill(t['title'], number=status['label'])} · {office}"


@dataclass(frozen=True)
class Quieter:
    """The quieter hours as GET /office chose them: `source` "history" | "declared" | "none"
    (not enough history yet, none declared), `week` {"tue": [["14:00", "16:30"]], …}."""

    source: str
    week: dict[str, list[list[str]]]


@dataclass(frozen=True)
class Page:
    token: str
    lang: str
    offered: list[str]
    office: str
    status: dict[str, Any] | None
    texts: dict[str, str]
    assets: dict[str, str]  # file name -> its URL (with a version, so it can be cached)
    events_url: str
    status_url: str
    quieter: Quieter | None = None  # None: the section is left out


def render(page: Page) -> str:
    t, status = page.texts, page.status
    call, info = lines(status, t)
    if status is None:
        heading = f'<h1 class="gone">{escape(t["expired"])}</h1>'
        service = ""
        info = info[1:]  # the heading already says it
    else:
        names = status["service_names"]
        name = names.get(page.lang) or next(iter(names.values()), status["service"])
        heading = (
            f'<h1 class="ticket"><span class="caption">{escape(t["your_ticket"])}</span> '
            f'<span class="number">{escape(status["label"])}</span></h1>'
        )
        service = f'<p class="service">{escape(name)}</p>'
    return _TEMPLATE.substitute(
        lang=page.lang,
        dir="rtl" if i18n.is_rtl(page.lang) else "ltr",
        title=escape(title(status, t, page.office)),
        css=escape(page.assets["phone.css"]),
        js=escape(page.assets["phone.js"]),
        noscript=_noscript_refresh() if status and status["state"] not in FINAL else "",
        data=_json_for_script(_data(page)),
        office=escape(page.office),
        nav_label=escape(t["languages"]),
        nav=_language_links(page),
        heading=heading,
        service=service,
        call=_paragraphs(call),
        status=_paragraphs(info),
        updates=escape(t["updates"]) if status is not None else "",
        quieter=quieter_html(page),
    )


def quieter_html(page: Page) -> str:
    """The week's quieter hours, or the plain word that they are not known yet. Static: they
    change at most once a day, so the script leaves them alone (outside the live blocks, a
    screen reader does not hear them again at each update)."""
    q, t = page.quieter, page.texts
    if q is None:
        return ""
    names = get_day_names("abbreviated", locale=page.lang if page.lang != "en" else "en_GB")
    found = [(day, q.week[day]) for day in WEEKDAYS if q.week.get(day)]
    if found:
        items = "".join(
            f"<li>{escape(str(names[WEEKDAYS.index(day)]).rstrip('.'))} "
            f"{escape(', '.join(f'{a}–{b}' for a, b in periods))}</li>"
            for day, periods in found
        )
        body = f'<ul class="periods">{items}</ul>'
    else:  # source "none" (or nothing to show): say so rather than guess
        body = f'<p class="help">{escape(t["quieter_none"])}</p>'
    return (
        f'<section id="quieter" class="quieter" aria-labelledby="quieter-title">'
        f'<h2 id="quieter-title">{escape(t["quieter"])}</h2>{body}</section>'
    )


def _noscript_refresh() -> str:
    # Only without JavaScript: the script follows the live feed instead of reloading.
    seconds = const.PHONE_NOSCRIPT_REFRESH_S
    return f'<noscript><meta http-equiv="refresh" content="{seconds}"></noscript>'


def _data(page: Page) -> dict[str, Any]:
    """What phone.js needs: the texts, the state it starts from, where to follow it."""
    return {
        "lang": page.lang,
        "texts": page.texts,
        "status": page.status,
        "office": page.office,
        "events_url": page.events_url,
        "status_url": page.status_url,
        "poll_ms": int(const.PHONE_POLL_INTERVAL_S * 1000),
    }


def _json_for_script(data: dict[str, Any]) -> str:
    # Inside <script>, "</script>" or "<!--" in a value would end or change the block.
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _paragraphs(found: list[Line]) -> str:
    return "".join(f'<p class="{cls}">{escape(text)}</p>' for cls, text in found)


def _language_links(page: Page) -> str:
    items = []
    for lang in page.offered:
        current = ' aria-current="true"' if lang == page.lang else ""
        name = escape(i18n.native_name(lang))
        items.append(
            f'<li><a href="?lang={lang}" lang="{lang}" hreflang="{lang}"{current}>{name}</a></li>'
        )
    return "".join(items)
