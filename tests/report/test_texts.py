"""The charts' French catalogue holds every marked message, with the same placeholders."""

from __future__ import annotations

import string
from pathlib import Path

from babel.messages.extract import extract_python
from babel.messages.pofile import read_po

from shared import i18n
from shared.report.charts import _translator

ROOT = Path(__file__).resolve().parent.parent.parent


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_french_catalogue_is_complete_and_current() -> None:
    used: set[str] = set()
    for path in (ROOT / "shared" / "report").glob("*.py"):
        with path.open("rb") as f:
            for _line, _func, message, _comments in extract_python(f, ["_", "N_"], [], {}):
                text = message[0] if isinstance(message, tuple) else message
                if isinstance(text, str):
                    used.add(text)
    with (i18n.TRANSLATIONS / "fr" / "report.po").open("rb") as f:
        catalog = {m.id: m.string for m in read_po(f, locale="fr") if m.id}
    assert used and not used - {k for k, v in catalog.items() if v}
    assert not set(catalog) - used
    assert all(_fields(m) == _fields(str(catalog[m])) for m in used)


def test_french_by_default_english_on_request() -> None:
    assert _translator("fr")("Busy and quieter hours") == "Heures chargées et heures creuses"
    assert _translator("en")("Busy and quieter hours") == "Busy and quieter hours"
