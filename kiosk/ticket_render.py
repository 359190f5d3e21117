"""Paper geometry and text rendering shared by the ESC/POS output and the PNG preview.

An 80 mm receipt printer at 203 dpi prints 576 dots a line; its font A is 12×24 dots, 48
characters a line. Text the printer can encode in one of its code pages is sent as text
(sharper and far smaller than an image). Text it cannot print properly is drawn here with
Pillow and sent as a raster image: Arabic (and any right-to-left script), because receipt
printers' Arabic code pages hold only isolated letter forms, with no shaping and no
bidirectional ordering; and any character no code page holds. Pillow lays out with libraqm
(shaping and bidi), so the raster lines are joined and right-to-left.
"""

from __future__ import annotations

import functools
import textwrap
import unicodedata
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, features

from kiosk.ticket_layout import Align

PAPER_DOTS = 576  # 72 mm printable at 203 dpi (an 80 mm roll)
COLUMNS = 48  # font A, 12 dots a character
GLYPH_W, GLYPH_H = 12, 24  # font A's cell, in dots
LINE_DOTS = 34  # the printer's default line feed: 1/6 inch
RASTER_PX = 24  # raster text: font size in pixels for size 1 (the height of font A)
RASTER_LINE = 1.5  # raster line height / font size: Arabic has tall ascenders and descenders
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")  # Debian fonts-dejavu-core: has Arabic
FONTS = {
    (False, False): "DejaVuSans.ttf",
    (True, False): "DejaVuSans-Bold.ttf",
    (False, True): "DejaVuSansMono.ttf",
    (True, True): "DejaVuSansMono-Bold.ttf",
}
# The Latin, Greek and Cyrillic code pages of the TM-T20II profile that python-escpos can
# switch between. The Arabic and Hebrew ones are left out on purpose: they cannot shape.
CODE_PAGES = (
    "cp437", "cp850", "cp858", "cp860", "cp863", "cp865", "cp852", "cp857", "cp737", "cp866",
    "cp1252", "cp1250", "cp1251", "cp1253", "cp1254", "cp1257", "cp1258", "iso8859_2",
    "iso8859_7", "iso8859_15", "cp775", "cp855", "cp861", "cp869",
)  # fmt: skip


class RenderError(RuntimeError):
    """The ticket cannot be drawn here (a font or Pillow's text layout is missing)."""


def needs_raster(text: str) -> bool:
    """True when the printer cannot print this text as text (decided by script, then by
    whether any of its code pages holds every character)."""
    return any(unicodedata.bidirectional(c) in ("R", "AL", "AN") for c in text) or not all(
        _encodable(c) for c in text
    )


@functools.cache
def _encodable(char: str) -> bool:
    if char in "\n\t":
        return True
    for codec in CODE_PAGES:
        try:
            char.encode(codec)
            return True
        except UnicodeEncodeError:
            continue
    return False


def is_rtl_text(text: str) -> bool:
    """The paragraph direction: that of its first strong character (Unicode rule P2)."""
    for c in text:
        kind = unicodedata.bidirectional(c)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def native_lines(text: str, size: int) -> list[str]:
    """Printer text wrapped at word boundaries to the columns left at this size."""
    width = max(1, COLUMNS // size)
    out: list[str] = []
    for paragraph in text.split("\n"):
        out += textwrap.wrap(paragraph, width, break_on_hyphens=False) or [""]
    return out


@functools.cache
def font(bold: bool, px: float, mono: bool = False) -> ImageFont.FreeTypeFont:
    name = FONTS[(bold, mono)]
    path = FONT_DIR / name
    try:
        return ImageFont.truetype(str(path) if path.is_file() else name, px)
    except OSError as exc:
        raise RenderError(f"font {name} not found (Debian: apt install fonts-dejavu-core)") from exc


def text_image(text: str, size: int, align: Align, bold: bool) -> Image.Image:
    """A paragraph drawn as a 1-bit image as wide as the paper, wrapped to it."""
    if not features.check("raqm"):
        raise RenderError("Pillow has no libraqm: it cannot shape Arabic (apt install libraqm0)")
    face = font(bold, RASTER_PX * size)
    rtl = is_rtl_text(text)
    direction = "rtl" if rtl else "ltr"
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines += _wrap_px(paragraph, face, direction)
    pitch = round(RASTER_PX * size * RASTER_LINE)
    image = Image.new("L", (PAPER_DOTS, pitch * len(lines)), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        width = draw.textlength(line, font=face, direction=direction)
        x = {"left": 0.0, "center": (PAPER_DOTS - width) / 2, "right": PAPER_DOTS - width}[align]
        y = i * pitch + (pitch - RASTER_PX * size) / 2
        draw.text((x, y), line, font=face, fill=0, direction=direction)
    # A threshold, not dithering: text edges stay crisp on a thermal head.
    return image.point(lambda v: 0 if v < 160 else 255, mode="1")


def _wrap_px(paragraph: str, face: ImageFont.FreeTypeFont, direction: str) -> list[str]:
    def fits(line: str) -> bool:
        return face.getlength(line, direction=direction) <= PAPER_DOTS

    lines: list[str] = []
    current = ""
    for word in paragraph.split(" "):
        candidate = f"{current} {word}" if current else word
        if fits(candidate):
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        while not fits(current) and len(current) > 1:  # a word wider than the paper: cut it
            cut = len(current) - 1
            while cut > 1 and not fits(current[:cut]):
                cut -= 1
            lines.append(current[:cut])
            current = current[cut:]
    lines.append(current)
    return lines


def warm_up() -> None:
    """Load the fonts and libraqm once, before the first ticket needs them."""
    for bold in (False, True):
        font(bold, RASTER_PX)
    if features.check("raqm"):
        text_image("\u0627", 1, "right", False)
