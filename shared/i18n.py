"""Texts for visitors, in their language: gettext catalogues read at run time with Babel.

Theory of operation. Messages are written in the code in plain English (the msgid) and marked
with `_("…")`, or `N_("…")` where the text is only named and translated later (tables of
labels). Each *domain* is one catalogue per language:
`assets/translations/<lang>/<domain>.po`. English needs no catalogue: its text is the msgid.

The `.po` files are the only source: Babel parses them and compiles them in memory (no `.mo`
build step, nothing binary in the repository). A missing catalogue or message falls back to
English rather than failing; `tests/test_i18n.py` keeps every catalogue complete, with the same
`{placeholders}` as its msgid, and free of messages the code no longer uses.

Placeholders use `str.format` names: `_("Ticket {number}", number="A042")`.
"""

from __future__ import annotations

import functools
import gettext
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parent.parent / "assets" / "translations"
SOURCE_LANGUAGE = "en"

# Which source files each domain's messages come from (for extraction and the completeness test),
# and the languages whose catalogue must be complete. A file named by a pattern without "**"
# belongs to that domain only, even when another domain's "**" pattern also matches it.
REQUIRED_LANGUAGES = ("fr", "ar")
DOMAINS: dict[str, tuple[str, ...]] = {
    "kiosk": ("kiosk/**/*.py",),
    "ticket": ("kiosk/ticket_layout.py", "kiosk/printing.py"),
    "phone": ("shared/hub/pages/texts.py",),  # the page's script gets its texts from Python
    "display": ("display/**/*.py",),
    "announce": ("display/announcer.py",),  # what the wall display says aloud
    "board": ("shared/hub/pages/board*.py",),  # the web board for TVs
    "counter": ("counter/**/*.py",),  # the agents' counter client (French first, English)
    "report": ("shared/report/**/*.py",),  # the manager's statistics (`montour report`)
}
# Staff-only domains whose readers are the office's own (French first, English at least): the
# visitors' languages (Arabic…) are not required there.
STAFF_ONLY: dict[str, tuple[str, ...]] = {"report": ("fr",)}


def required_languages(domain: str) -> tuple[str, ...]:
    return STAFF_ONLY.get(domain, REQUIRED_LANGUAGES)


KEYWORDS = {"_": None, "N_": None}


def N_(message: str) -> str:
    """Mark a message for extraction without translating it here."""
    return message


@dataclass(frozen=True)
class Translator:
    """`_ = translator("fr", "kiosk")`; then `_("Take your ticket")`."""

    lang: str
    domain: str
    _catalog: gettext.NullTranslations

    def __call__(self, message: str, /, **values: Any) -> str:
        text = self._catalog.gettext(message)
        return text.format(**values) if values else text

    @property
    def rtl(self) -> bool:
        return is_rtl(self.lang)


@functools.cache
def translator(lang: str, domain: str) -> Translator:
    if domain not in DOMAINS:
        raise ValueError(f"unknown translation domain {domain!r}; known: {sorted(DOMAINS)}")
    return Translator(lang, domain, _load(lang, domain))


def _load(lang: str, domain: str) -> gettext.NullTranslations:
    path = TRANSLATIONS / lang / f"{domain}.po"
    if lang == SOURCE_LANGUAGE or not path.is_file():
        return gettext.NullTranslations()
    with path.open("rb") as f:
        catalog = read_po(f, locale=lang, domain=domain)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def available(domain: str) -> tuple[str, ...]:
    """The languages that have a catalogue for `domain`, English included."""
    found = {p.parent.name for p in TRANSLATIONS.glob(f"*/{domain}.po")}
    return tuple(sorted(found | {SOURCE_LANGUAGE}))


@functools.cache
def _locale(lang: str) -> Locale | None:
    try:
        return Locale.parse(lang)
    except (UnknownLocaleError, ValueError):
        return None


def is_rtl(lang: str) -> bool:
    loc = _locale(lang)
    return loc is not None and loc.character_order == "right-to-left"


def native_name(lang: str) -> str:
    """The language's name in itself ("Français", "English", "العربية"), for language buttons."""
    loc = _locale(lang)
    name = loc.get_display_name(lang) if loc is not None else None
    return (name[:1].upper() + name[1:]) if name else lang
