"""Every visitor-facing message is translated, with the same placeholders, in every language."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_python
from babel.messages.pofile import read_po

from shared import i18n

ROOT = Path(__file__).resolve().parent.parent


def _sources(domain: str) -> set[Path]:
    found: set[Path] = set()
    for pattern in i18n.DOMAINS[domain]:
        found |= set(ROOT.glob(pattern))
    for other, patterns in i18n.DOMAINS.items():  # files another domain names specifically
        if other != domain:
            for pattern in patterns:
                if "**" not in pattern:
                    found -= set(ROOT.glob(pattern))
    return found


def extracted(domain: str) -> dict[str, str]:
    """msgid -> where it is used, for every `_("…")` / `N_("…")` in the domain's sources."""
    out: dict[str, str] = {}
    for path in sorted(_sources(domain)):
        with path.open("rb") as f:
            for lineno, _func, message, _comments in extract_python(f, list(i18n.KEYWORDS), [], {}):
                if isinstance(message, tuple):  # `_("… {x}", x=v)`: the msgid comes first
                    message = message[0]
                if isinstance(message, str):
                    out.setdefault(message, f"{path.relative_to(ROOT)}:{lineno}")
    return out


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _catalog(lang: str, domain: str) -> dict[str, str]:
    path = i18n.TRANSLATIONS / lang / f"{domain}.po"
    with path.open("rb") as f:
        catalog = read_po(f, locale=lang)
    return {m.id: m.string for m in catalog if m.id and isinstance(m.id, str)}  # type: ignore[misc]


@pytest.mark.parametrize(
    ("domain", "lang"),
    [(d, lang) for d in sorted(i18n.DOMAINS) for lang in i18n.required_languages(d)],
)
def test_catalogue_is_complete_and_current(domain: str, lang: str) -> None:
    used = extracted(domain)
    if not used:
        pytest.skip(f"no messages in domain {domain!r} yet")
    catalog = _catalog(lang, domain)
    missing = [f"{m!r} ({where})" for m, where in used.items() if not catalog.get(m)]
    assert not missing, f"{lang}/{domain}.po lacks translations for: " + "; ".join(missing)
    stale = sorted(set(catalog) - set(used))
    assert not stale, f"{lang}/{domain}.po has messages no code uses: {stale}"
    wrong = [m for m in used if _fields(m) != _fields(catalog[m])]
    assert not wrong, f"{lang}/{domain}.po changes the {{placeholders}} of: {wrong}"


def test_translator_translates_and_falls_back_to_english(tmp_path: Path) -> None:
    assert i18n.translator("en", "kiosk")("Anything {n}", n=3) == "Anything 3"
    assert i18n.translator("xx", "kiosk")("Not translated") == "Not translated"
    with pytest.raises(ValueError, match="unknown translation domain"):
        i18n.translator("fr", "nope")


def test_right_to_left_and_native_names() -> None:
    assert i18n.is_rtl("ar") and not i18n.is_rtl("fr")
    assert i18n.native_name("fr") == "Français"
    assert re.fullmatch(r"[\u0600-\u06ff ]+", i18n.native_name("ar"))
