"""The phone page's words, in the visitor's language, and the choice of that language.

Every text is marked here (domain "phone") and handed whole to the page: the server renders
with it, and the page's script gets the same dictionary in a JSON block to render live updates,
so both always say the same thing. Placeholders stay in the texts given to the script; each
side fills them the same way (`fill`).
"""

from __future__ import annotations

from shared import i18n
from shared.config import OfficeConfig
from shared.i18n import N_

DOMAIN = "phone"
DEFAULT_LANGUAGE = "fr"

MESSAGES: dict[str, str] = {
    "your_ticket": N_("Your ticket"),
    "title": N_("Ticket {number}"),
    "languages": N_("Language"),
    "next": N_("You are next."),
    "rank": N_("You are number {position} in line."),
    "wait": N_("Estimated wait: {low} to {high} min"),
    "wait_short": N_("Estimated wait: less than {high} min"),
    "no_counter": N_("No counter is open for this service yet. Please wait."),
    "priority_note": N_("Priority visitors may be called first."),
    "your_turn": N_("It is your turn!"),
    "go_to": N_("Go to {counter}"),
    "serving": N_("You are being served at {counter}."),
    "parked": N_("Please stay close. The agent will call you again."),
    "transferred": N_("Your request goes on at another service. Please wait."),
    "done": N_("Your visit is over. Thank you!"),
    "done_help": N_("Need something else? Take a new ticket at the kiosk."),
    "no_show": N_("You were called, but you did not come."),
    "no_show_help": N_("Ask an agent quickly, or take a new ticket at the kiosk."),
    "cancelled": N_("This ticket was cancelled."),
    "new_ticket": N_("Take a new ticket at the kiosk."),
    "expired": N_("This ticket is no longer valid."),
    "expired_help": N_("A ticket is valid until the office closes."),
    "updates": N_("This page updates by itself."),
    "offline": N_("Connection lost. Trying again…"),
    "quieter": N_("Quieter hours"),
    "quieter_none": N_("Not known yet (not enough history)."),
}

# Unicode isolates keep a value's own direction inside a sentence of the other direction
# ("Guichet 3" in Arabic, "A042" anywhere); they are invisible and not spoken.
ISOLATE_START, ISOLATE_END = "\u2068", "\u2069"


def texts(lang: str) -> dict[str, str]:
    """Every message in `lang`, placeholders left in."""
    _ = i18n.translator(lang, DOMAIN)
    return {key: _(message) for key, message in MESSAGES.items()}


def fill(text: str, **values: object) -> str:
    return text.format(**{k: f"{ISOLATE_START}{v}{ISOLATE_END}" for k, v in values.items()})


def languages(config: OfficeConfig) -> list[str]:
    """The office's languages that the page can speak, in the office's order."""
    have = set(i18n.available(DOMAIN))
    found = [lang for lang in config.languages if lang in have]
    return found or [DEFAULT_LANGUAGE]


def choose(
    offered: list[str], asked: str | None, ticket_lang: str | None, accept: str | None
) -> str:
    """`?lang=` (the visible switch), else the ticket's language, else the browser's, else
    French (or the office's first language when it does not offer French)."""
    for candidate in (asked, ticket_lang):
        if candidate in offered:
            return candidate
    for lang in accepted(accept or ""):
        if lang in offered:
            return lang
    return DEFAULT_LANGUAGE if DEFAULT_LANGUAGE in offered else offered[0]


def accepted(header: str) -> list[str]:
    """The primary language tags of an Accept-Language header, most wanted first."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        primary = tag.strip().split("-")[0].lower()
        if primary and primary != "*" and quality > 0:
            ranked.append((-quality, index, primary))
    return [lang for _, _, lang in sorted(ranked)]
