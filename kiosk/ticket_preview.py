"""A ticket's blocks drawn as the printer would print them: a PNG 576 dots wide.

Used by the `preview:` printer (the demo, screenshots, a kiosk without a printer). Printer
text is drawn in a monospaced font with font A's 12×24-dot cell, so lines wrap and align as
on paper; raster text is the very image the printer would receive; the QR code is drawn by
the `qrcode` library with the module size and error correction of the native one.
"""

from __future__ import annotations

from collections.abc import Sequence

import qrcode
from PIL import Image, ImageDraw

from kiosk.ticket_layout import QR, Block, Cut, Feed, Rule, Text
from kiosk.ticket_render import (
    GLYPH_H,
    GLYPH_W,
    LINE_DOTS,
    PAPER_DOTS,
    font,
    native_lines,
    needs_raster,
    text_image,
)

MARGIN_DOTS = 24  # white paper above the first line, as a printed ticket starts
CUT_FEED_LINES = 6  # python-escpos feeds six lines before it cuts
MONO_ADVANCE = 0.6021  # DejaVu Sans Mono's advance width, per em


def preview_image(blocks: Sequence[Block]) -> Image.Image:
    """The ticket as a white strip of paper with black print (mode "1")."""
    pieces: list[Image.Image | int] = [MARGIN_DOTS]  # an int is blank paper of that height
    for block in blocks:
        match block:
            case Text(text, size, align, bold) if needs_raster(text):
                pieces.append(text_image(text, size, align, bold))
            case Text(text, size, align, bold):
                pieces += [_native_line(line, size, align, bold)
                           for line in native_lines(text, size)]  # fmt: skip
            case QR(data, size):
                pieces.append(_qr(data, size))
            case Rule():
                rule = Image.new("1", (PAPER_DOTS, LINE_DOTS), 1)
                ImageDraw.Draw(rule).line([(0, LINE_DOTS // 2), (PAPER_DOTS, LINE_DOTS // 2)],
                                          fill=0, width=2)  # fmt: skip
                pieces.append(rule)
            case Feed(n):
                pieces.append(n * LINE_DOTS)
            case Cut():
                pieces += [CUT_FEED_LINES * LINE_DOTS, _cut_mark()]
            case _:
                raise TypeError(f"not a ticket block: {block!r}")
    height = sum(p if isinstance(p, int) else p.height for p in pieces)
    paper = Image.new("1", (PAPER_DOTS, height), 1)
    y = 0
    for piece in pieces:
        if isinstance(piece, int):
            y += piece
        else:
            paper.paste(piece, (0, y))
            y += piece.height
    return paper


def _native_line(line: str, size: int, align: str, bold: bool) -> Image.Image:
    """One line of printer text; its line feed is the taller of the glyph and 1/6 inch."""
    pitch = max(LINE_DOTS, GLYPH_H * size + LINE_DOTS - GLYPH_H)
    image = Image.new("L", (PAPER_DOTS, pitch), 255)
    face = font(bold, GLYPH_W * size / MONO_ADVANCE, mono=True)
    width = len(line) * GLYPH_W * size
    x = {"left": 0, "center": (PAPER_DOTS - width) // 2, "right": PAPER_DOTS - width}[align]
    # The glyph cell sits on the line's baseline; the printer's extra spacing goes below it.
    ImageDraw.Draw(image).text((x, GLYPH_H * size * 0.8), line, font=face, fill=0, anchor="ls")
    return image.point(lambda v: 0 if v < 160 else 255, mode="1")


def _qr(data: str, module: int) -> Image.Image:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=module,
                         border=0)  # fmt: skip
    code.add_data(data)
    code.make(fit=True)
    symbol = code.make_image().get_image().convert("1")
    image = Image.new("1", (PAPER_DOTS, symbol.height), 1)
    image.paste(symbol, ((PAPER_DOTS - symbol.width) // 2, 0))
    return image


def _cut_mark() -> Image.Image:
    """A dashed line where the cutter cuts (the preview's only mark that is not print)."""
    mark = Image.new("1", (PAPER_DOTS, 4), 1)
    draw = ImageDraw.Draw(mark)
    for x in range(0, PAPER_DOTS, 16):
        draw.line([(x, 2), (x + 8, 2)], fill=0, width=1)
    return mark
