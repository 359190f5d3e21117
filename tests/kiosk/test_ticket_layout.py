"""The ticket's content (pure layout, summary) and its ESC/POS bytes.

Golden files: `tests/kiosk/golden/ticket-<lang>.bin` are the exact bytes of the ticket built
from `golden/ticket.json` and `golden/office.json` (a fixed time and URL). After an intended
change of the ticket, rewrite them with

    MONTOUR_REGEN_GOLDEN=1 .venv/bin/python -m pytest tests/kiosk/test_ticket_layout.py

and look at the diff and at the previews it also rewrites (assets/screenshots/ticket-fr.png
and ticket-ar.png, for the README) before keeping them. The Arabic golden also depends on
Pillow, libraqm and the DejaVu fonts (its text is drawn); the structural tests below do not
depend on any golden file.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from kiosk.ticket_escpos import escpos_bytes
from kiosk.ticket_layout import (
    NUMBER_SIZE,
    QR,
    Cut,
    Feed,
    Rule,
    Text,
    TicketDataError,
    TicketInfo,
    layout,
    summary,
    ticket_info,
)
from kiosk.ticket_preview import preview_image
from kiosk.ticket_render import PAPER_DOTS, needs_raster

GOLDEN = Path(__file__).parent / "golden"
ROOT = Path(__file__).resolve().parents[2]
PARIS = ZoneInfo("Europe/Paris")
LANGS = ("fr", "en", "ar")
PRIORITY_WORDS = {"fr": "priorit", "en": "priorit", "ar": "الأولوية"}


def sample(**changes: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    ticket = json.loads((GOLDEN / "ticket.json").read_text(encoding="utf-8"))
    office = json.loads((GOLDEN / "office.json").read_text(encoding="utf-8"))
    ticket.update(changes)
    return ticket, office


def info_for(lang: str, **changes: Any) -> TicketInfo:
    ticket, office = sample(**changes)
    return ticket_info(ticket, office, lang)


def texts(blocks: tuple[Any, ...]) -> list[str]:
    return [b.text for b in blocks if isinstance(b, Text)]


# --- reading the hub's JSON -----------------------------------------------------------------


def test_ticket_info_reads_the_hubs_answer_in_the_office_time_zone() -> None:
    info = info_for("fr")
    assert info.label == "A042" and info.service_name == "Papiers d'identité"
    assert (info.position, info.wait_low_min, info.wait_high_min) == (5, 15, 25)
    assert info.issued_at == datetime(2026, 11, 30, 9, 41, tzinfo=PARIS)
    assert info.issued_at.utcoffset() == PARIS.utcoffset(info.issued_at)
    assert info.valid_until == datetime(2026, 11, 30, 16, 30, tzinfo=PARIS)
    assert info.page_url.endswith("/t/3q2Hk7bW0c1xVd9aLr5T8yPzQm4Nf6Ju")
    assert info.quieter_hours == {"tue": (("14:00", "16:30"),), "thu": (("15:00", "18:00"),)}
    assert info.opening_hours["wed"] == (("08:30", "12:00"),)
    assert info_for("ar").service_name == "وثائق الهوية"
    assert info_for("de").service_name == "Identity papers"  # English when the office has none


def test_a_service_without_its_own_quieter_hours_gets_the_offices() -> None:
    info = info_for("en", service="B", label="B007")
    assert set(info.quieter_hours) == {"tue", "wed", "thu"}


def test_missing_estimate_and_missing_optional_fields_are_not_errors() -> None:
    info = info_for("en", estimate=None, page_url=None, valid_until=None)
    assert (info.position, info.wait_low_min, info.page_url, info.valid_until) == (
        None, None, "", None)  # fmt: skip
    blocks = layout(info)
    assert not any(isinstance(b, QR) for b in blocks)
    assert "No wait estimate for now." in texts(blocks)


@pytest.mark.parametrize(
    ("changes", "office_changes", "error"),
    [
        ({"label": None}, {}, "no 'label'"),
        ({"issued_at": "yesterday"}, {}, "not an ISO time"),
        ({}, {"timezone": "Mars/Olympus"}, "unknown office time zone"),
        ({}, {"hours": {"mon": "08:30"}}, "hours must be"),
    ],
)
def test_bad_hub_data_is_a_clear_error(
    changes: dict[str, Any], office_changes: dict[str, Any], error: str
) -> None:
    ticket, office = sample(**changes)
    office.update(office_changes)
    with pytest.raises(TicketDataError, match=error):
        ticket_info(ticket, office, "fr")


def test_blocks_refuse_sizes_the_printer_cannot_do() -> None:
    with pytest.raises(ValueError, match="1 to 8"):
        Text("A042", size=9)
    with pytest.raises(ValueError, match="align"):
        Text("x", align="middle")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="needs data"):
        QR("")


# --- what the paper says --------------------------------------------------------------------


def test_the_french_ticket_carries_everything_issue_3_asks_for() -> None:
    blocks = layout(info_for("fr"))
    lines = texts(blocks)
    assert blocks[0] == Text("France Services Villeneuve", align="center", bold=True)
    assert Text("Papiers d'identité", 2, "center", bold=True) in blocks
    assert Text("A042", NUMBER_SIZE, "center", bold=True) in blocks and NUMBER_SIZE >= 4
    assert "Vous êtes le numéro 5 dans la file." in lines
    assert "Attente estimée : de 15 à 25 minutes." in lines
    assert "Les personnes prioritaires peuvent être appelées avant vous." in lines
    assert "Ticket pris le 30 nov. 2026 à 09:41." in lines
    assert [b for b in blocks if isinstance(b, QR)] == [QR(info_for("fr").page_url)]
    qr_at = next(i for i, b in enumerate(blocks) if isinstance(b, QR))
    assert blocks[qr_at - 1] == Feed(1) and blocks[qr_at + 1] == Feed(1)  # quiet zone
    assert "Scannez le code QR pour voir votre place dans la file sur votre téléphone." in lines
    assert "Moins d'attente : mar. 14:00–16:30 et jeu. 15:00–18:00" in lines
    assert "lun.–mar. 08:30–12:00 et 13:30–16:30" in lines and "mer. 08:30–12:00" in lines
    assert "Téléphone : 01 23 45 67 89" in lines
    assert "Site internet : www.villeneuve.example.fr/france-services" in lines
    assert "Rendez-vous : rdv.villeneuve.example.fr" in lines
    assert "Ce ticket est anonyme. Le code est valable aujourd'hui jusqu'à 16:30." in lines
    assert isinstance(blocks[-1], Cut) and sum(isinstance(b, Cut) for b in blocks) == 1
    assert sum(isinstance(b, Rule) for b in blocks) == 3


def test_english_opening_hours_group_consecutive_days() -> None:
    lines = texts(layout(info_for("en")))
    assert lines[lines.index("Opening hours:") + 1 :][:4] == [
        "Mon–Tue 08:30–12:00 and 13:30–16:30", "Wed 08:30–12:00",
        "Thu 08:30–12:00 and 13:30–18:00", "Fri 08:30–12:00 and 13:30–16:30",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("wait", "line"),
    [
        (None, "No wait estimate for now."),
        ({"low_min": 0, "high_min": 0}, "Estimated wait: a few minutes."),
        ({"low_min": 10, "high_min": 10}, "Estimated wait: about 10 minutes."),
        ({"low_min": 5, "high_min": 15}, "Estimated wait: 5 to 15 minutes."),
    ],
)
def test_the_estimate_reads_plainly(wait: dict[str, int] | None, line: str) -> None:
    info = info_for("en", estimate={"ahead": 0, "position": 1, "wait": wait})
    assert line in texts(layout(info)) and line in summary(info)


def test_after_hours_the_code_is_valid_until_closing_not_midnight() -> None:
    info = info_for("en", issued_at="2026-11-28T15:09:00+00:00",
                    valid_until="2026-11-29T00:00:00+01:00")  # fmt: skip
    assert texts(layout(info))[-1] == (
        "This ticket is anonymous. The code is valid until closing time.")  # fmt: skip


def test_arabic_reads_right_to_left_and_keeps_numbers_in_order() -> None:
    blocks = layout(info_for("ar"))
    body = [b for b in blocks if isinstance(b, Text) and b.size == 1 and b.align != "center"]
    assert body and all(b.align == "right" for b in body)
    # The phone number is isolated left to right inside the Arabic line.
    assert "الهاتف: \u206601 23 45 67 89\u2069" in texts(blocks)
    assert Text("A042", NUMBER_SIZE, "center", bold=True) in blocks


@pytest.mark.parametrize("lang", LANGS)
def test_a_priority_ticket_looks_exactly_like_any_other(lang: str) -> None:
    """P2: nothing on the paper tells a priority ticket apart; only the generic line."""
    plain, office = sample(priority=False)
    priority, _ = sample(priority=True)
    assert layout(ticket_info(plain, office, lang)) == layout(ticket_info(priority, office, lang))
    assert escpos_bytes(layout(ticket_info(priority, office, lang))) == escpos_bytes(
        layout(ticket_info(plain, office, lang)))  # fmt: skip
    mentions = [t for t in texts(layout(ticket_info(priority, office, lang)))
                if PRIORITY_WORDS[lang] in t.lower()]  # fmt: skip
    assert len(mentions) == 1


@pytest.mark.parametrize("lang", LANGS)
def test_the_summary_says_what_the_ticket_says(lang: str) -> None:
    info = info_for(lang)
    said = summary(info)
    assert said and all(s.strip() for s in said)
    paper = set(texts(layout(info)))
    # Every sentence of the summary is on the paper, except those spelled out for speech.
    spoken_only = [s for s in said if s not in paper]
    assert len(spoken_only) == 3, spoken_only  # number, service, quieter hours
    assert "A042" in said[0] and info.service_name in said[1]
    if lang == "fr":
        assert "Moins d'attente : mardi de 14:00 à 16:30 et jeudi de 15:00 à 18:00" in said
    if lang == "ar":
        assert all(re.search(r"[\u0600-\u06ff]", s) for s in said)


# --- the bytes ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_escpos_bytes_equal_the_golden_file(lang: str) -> None:
    data = escpos_bytes(layout(info_for(lang)))
    golden = GOLDEN / f"ticket-{lang}.bin"
    if os.environ.get("MONTOUR_REGEN_GOLDEN") == "1":
        golden.write_bytes(data)
    assert golden.is_file(), f"no golden file {golden}: run with MONTOUR_REGEN_GOLDEN=1"
    assert data == golden.read_bytes(), f"{golden.name} differs; see this module's docstring"


@pytest.mark.parametrize("lang", LANGS)
def test_escpos_structure_without_the_golden(lang: str) -> None:
    info = info_for(lang)
    data = escpos_bytes(layout(info))
    assert data.startswith(b"\x1b@")  # ESC @: a known state whatever the last job left
    url = info.page_url.encode()
    store = b"\x1d(k" + (len(url) + 3).to_bytes(2, "little") + b"1P0" + url
    assert data.count(store) == 1  # the QR code is native: GS ( k stores the URL
    assert b"\x1d(k\x03\x001Q0" in data[data.index(store) :]  # ... and prints it
    at = data.index(store)
    assert data.rindex(b"\x1ba\x01", 0, at) > data.rindex(b"\x1ba\x00", 0, at)  # centred
    big = data.index(b"\x1d!\x55")  # 6×6 characters
    assert data.index(b"A042\n", big) < data.index(b"\x1d!", big + 3)
    assert data.endswith(b"\x1bd\x06\x1dV\x00") and data.count(b"\x1dV") == 1  # cut last
    assert b"France Services Villeneuve\n" in data  # Latin stays printer text in every language
    if lang == "ar":
        assert b"\x1dv0" in data  # Arabic lines go as raster images ...
        for arabic_code_page in (b"\x1bt\x20", b"\x1bt\x25", b"\x1bt\x32"):  # CP720/864/1256
            assert arabic_code_page not in data  # ... never as unshaped code-page text
    else:
        assert b"\x1dv0" not in data  # and French or English never need an image
        assert len(data) < 4000


@pytest.mark.parametrize(
    ("text", "raster"),
    [
        ("Papiers d'identité – 14:00–16:30", False),  # Latin code pages hold all of it
        ("Документы", False),  # Cyrillic: CP866 holds it
        ("وثائق الهوية", True),  # Arabic: no code page can shape it
        ("שלום", True),  # Hebrew: right to left
        ("身份证件", True),  # in no code page of the profile
    ],
)
def test_which_text_is_drawn_as_an_image(text: str, raster: bool) -> None:
    assert needs_raster(text) is raster


def test_importing_escpos_leaves_our_logging_alone() -> None:
    """python-escpos calls logging.basicConfig() at import; it must not install a handler."""
    code = (
        "import logging; from kiosk.ticket_escpos import escpos_module; escpos_module(); "
        "print(len(logging.getLogger().handlers))"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=60, check=True)  # fmt: skip
    assert run.stdout.strip() == "0"


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_readme_screenshots_of_the_ticket(lang: str) -> None:
    """assets/screenshots/ticket-<lang>.png: the golden ticket's preview, rewritten with the
    golden files (MONTOUR_REGEN_GOLDEN=1)."""
    shot = ROOT / "assets" / "screenshots" / f"ticket-{lang}.png"
    if os.environ.get("MONTOUR_REGEN_GOLDEN") == "1":
        preview_image(layout(info_for(lang))).save(shot, optimize=True)
    with Image.open(shot) as image:
        assert image.width == PAPER_DOTS and image.height > 1200


# --- quieter hours: learned, or "not known yet" ---------------------------------------------


def with_quieter(source: str, week: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The golden ticket and office, the office's and every service's quieter hours being
    `week` from `source`, as GET /office gives them ("history", "declared" or "none")."""
    ticket, office = sample()
    for where in (office, *office["services"]):
        where["quieter_hours"], where["quieter_hours_source"] = week, source
    return ticket, office


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        ("fr", "Heures plus calmes : pas encore assez d'historique pour les connaître."),
        ("en", "Quieter hours: not known yet (not enough history)."),
        ("ar", "أوقات أقل ازدحامًا: غير معروفة بعد (لا يوجد سجلّ كافٍ لمعرفتها)."),
    ],
)
def test_not_enough_history_is_printed_and_said_rather_than_nothing(lang: str, line: str) -> None:
    info = ticket_info(*with_quieter("none", {}), lang)
    assert (info.quieter_hours, info.quieter_source) == ({}, "none")
    assert line in texts(layout(info)) and line in summary(info)


def test_learned_quieter_hours_are_printed_as_the_quieter_hours() -> None:
    info = ticket_info(*with_quieter("history", {"mon": [["09:00", "10:30"]]}), "fr")
    assert (info.quieter_hours, info.quieter_source) == ({"mon": (("09:00", "10:30"),)}, "history")
    assert "Moins d'attente : lundi de 09:00 à 10:30" in summary(info)
    assert not any("historique" in t for t in texts(layout(info)))
    # An older hub (no source) with no quieter hours: nothing claimed either way.
    ticket, office = sample()
    for where in (office, *office["services"]):
        where.pop("quieter_hours", None)
    assert not any("calmes" in t or "attente :" in t for t in texts(layout(
        ticket_info(ticket, office, "fr"))))  # fmt: skip
