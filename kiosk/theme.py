"""The kiosk's look: palettes, sizes and the contrast arithmetic that proves them (K5, K6).

Sizes scale with the screen's short side (1080 px on the reference kiosks, portrait
1080×1920 or landscape 1920×1080). The reference panel is 21.5" Full HD: 0.248 mm a pixel,
so body text of 36 px has capitals of ~6.5 mm (K5 asks for ~6 mm at 50 cm).
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.ui.contrast import contrast, luminance  # noqa: F401 - part of this theme's API

PIXEL_PITCH_MM = 0.248  # 21.5" 1920×1080 panel
CAP_HEIGHT_EM = 0.729  # DejaVu Sans: capital height / font size
FONT_FAMILY = "DejaVu Sans"  # covers Latin and Arabic
REACH_FRACTION = 0.45  # K4: in reach mode every control sits in the lower 45 % of the screen
LARGE_TEXT_FACTOR = 1.3
MIN_TARGET_PX = 44  # K6
MIN_TEXT_FACTOR = 0.95  # the smallest a crowded screen may make text (34 px: K5 holds)


@dataclass(frozen=True)
class Palette:
    name: str
    bg: str
    text: str
    muted: str
    band_bg: str  # the top band with the office's name
    band_text: str
    primary_bg: str
    primary_text: str
    secondary_bg: str
    secondary_text: str
    edge: str  # edges of secondary buttons and keys
    focus: str  # the focus ring
    band_focus: str  # the focus ring on the band
    error_bg: str
    error_text: str
    panel_bg: str  # the idle warning's panel and the ticket card
    disabled_bg: str
    disabled_text: str


# French public-service blue with white; red only as a second signal (an icon comes first).
NORMAL = Palette(
    name="normal", bg="#FFFFFF", text="#161616", muted="#3A3A3A",
    band_bg="#000091", band_text="#FFFFFF",
    primary_bg="#000091", primary_text="#FFFFFF",
    secondary_bg="#FFFFFF", secondary_text="#000091", edge="#000091",
    focus="#EB0000", band_focus="#FFCA00", error_bg="#FFE9E9", error_text="#A80400",
    panel_bg="#ECECFE", disabled_bg="#E5E5E5", disabled_text="#5C5C5C",
)  # fmt: skip

HIGH_CONTRAST = Palette(
    name="high-contrast", bg="#000000", text="#FFFFFF", muted="#FFFFFF",
    band_bg="#000000", band_text="#FFFF00",
    primary_bg="#FFFF00", primary_text="#000000",
    secondary_bg="#000000", secondary_text="#FFFF00", edge="#FFFF00",
    focus="#FF3B3B", band_focus="#00FFFF", error_bg="#000000", error_text="#FFFF00",
    panel_bg="#000000", disabled_bg="#000000", disabled_text="#C0C0C0",
)  # fmt: skip

PALETTES = (NORMAL, HIGH_CONTRAST)


def palette(high_contrast: bool) -> Palette:
    return HIGH_CONTRAST if high_contrast else NORMAL


# Text/background pairs (≥ 4.5:1) and edge/neighbour pairs (≥ 3:1) of a palette: every one
# the window draws. The test computes all of them for every palette.
def text_pairs(p: Palette) -> dict[str, tuple[str, str]]:
    return {
        "text": (p.text, p.bg), "muted": (p.muted, p.bg), "band": (p.band_text, p.band_bg),
        "primary": (p.primary_text, p.primary_bg), "secondary": (p.secondary_text, p.secondary_bg),
        "error": (p.error_text, p.error_bg), "panel": (p.text, p.panel_bg),
        "disabled": (p.disabled_text, p.disabled_bg), "language on band": (p.band_text, p.band_bg),
        "selected language": (p.band_bg, p.band_text),
    }  # fmt: skip


def edge_pairs(p: Palette) -> dict[str, tuple[str, str]]:
    return {
        "primary button": (p.primary_bg, p.bg), "secondary edge": (p.edge, p.bg),
        "focus ring": (p.focus, p.bg), "error edge": (p.error_text, p.bg),
        "panel edge": (p.edge, p.bg), "disabled edge": (p.disabled_text, p.bg),
        "language edge": (p.band_text, p.band_bg), "focus on band": (p.band_focus, p.band_bg),
        "focus on primary": (p.focus, p.primary_bg) if p.primary_bg != p.bg else (p.focus, p.bg),
    }  # fmt: skip


@dataclass(frozen=True)
class Sizes:
    body: int  # font pixel sizes
    title: int
    big: int
    button_font: int
    detail_font: int
    button_h: int  # heights of controls
    choice_h: int
    key_h: int
    lang_h: int
    margin: int
    spacing: int  # between controls (K6: targets are spaced)
    qr: int
    focus_w: int
    edge_w: int

    def cap_height_mm(self, px: int | None = None) -> float:
        return (px or self.body) * CAP_HEIGHT_EM * PIXEL_PITCH_MM


def sizes(short_side: int, large_text: bool = False, shrink: float = 1.0) -> Sizes:
    """`shrink` (≤ 1) makes a crowded screen fit; text never gets smaller than normal mode."""
    k = short_side / 1080
    # Normal text may shrink a little (36 → 34 px keeps ~6 mm capitals), large text down to it.
    t = k * max(MIN_TEXT_FACTOR, (LARGE_TEXT_FACTOR if large_text else 1.0) * shrink)
    return Sizes(
        body=round(36 * t), title=round(58 * t), big=round(190 * k * shrink),
        button_font=round(40 * t),
        detail_font=round(30 * t), button_h=round(118 * k * (1.1 if large_text else 1)),
        choice_h=round(150 * k * (1.1 if large_text else 1)), key_h=round(100 * k),
        lang_h=round(84 * k), margin=round(48 * k), spacing=round(22 * k),
        qr=round(max(220, 300 * shrink) * k),
        focus_w=max(4, round(7 * k)), edge_w=max(3, round(4 * k)),
    )  # fmt: skip
