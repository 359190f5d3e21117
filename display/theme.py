"""The display's look: palettes, the contrast arithmetic that proves them, and the 0.7° rule.

D3: a capital letter must subtend at least 0.7° at the back of the room, so its height is at
least 2·d·tan(0.35°) (61 mm at 5 m). The pixel pitch comes from the panel's diagonal and its
resolution (square pixels), so the smallest capital in pixels follows from three settings:
distance, screen size and resolution. On the default 55" Full HD panel at 5 m that is ~97 px,
so a landscape board holds about seven lines of text: the layout is sparse on purpose, and the
secondary information turns in pages.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

FONT_FAMILY = "DejaVu Sans"  # drawn condensed: more characters a line at the same height
CAP_HEIGHT_EM = 0.729  # DejaVu Sans: capital height / pixel size (a first guess, Qt refines)
MIN_ANGLE_DEG = 0.7
MM_PER_INCH = 25.4


@dataclass(frozen=True)
class Viewing:
    distance_m: float = 5.0
    screen_inches: float = 55.0
    width_px: int = 1920
    height_px: int = 1080

    def __post_init__(self) -> None:
        if self.distance_m <= 0 or self.screen_inches <= 0:
            raise ValueError("the viewing distance and the screen size must be positive")
        if self.width_px <= 0 or self.height_px <= 0:
            raise ValueError("the resolution must be positive")

    @property
    def pixel_pitch_mm(self) -> float:
        return self.screen_inches * MM_PER_INCH / math.hypot(self.width_px, self.height_px)

    @property
    def min_cap_mm(self) -> float:
        return 2 * self.distance_m * 1000 * math.tan(math.radians(MIN_ANGLE_DEG / 2))

    @property
    def min_cap_px(self) -> int:
        return math.ceil(self.min_cap_mm / self.pixel_pitch_mm)

    def cap_mm(self, cap_px: float) -> float:
        return cap_px * self.pixel_pitch_mm


@dataclass(frozen=True)
class Palette:
    name: str
    bg: str
    text: str
    muted: str  # secondary text (still ≥ 4.5:1)
    band_bg: str
    band_text: str
    call_bg: str  # the current call: the one highlight colour
    call_text: str
    call_pulse_bg: str  # the other end of the gentle pulse (text stays readable on both)
    line: str  # separators and chart edges
    chart_open: str  # chart cells: open hours
    chart_quiet: str  # quieter hours (also hatched: never colour alone)
    chart_closed: str
    banner_bg: str  # "connection lost"
    banner_text: str


# French public-service blue and white; the current call in blue, pulsing to a lighter blue.
NORMAL = Palette(
    name="normal", bg="#FFFFFF", text="#161616", muted="#3A3A3A",
    band_bg="#000091", band_text="#FFFFFF",
    call_bg="#000091", call_text="#FFFFFF", call_pulse_bg="#2323B4",
    line="#000091", chart_open="#FFFFFF", chart_quiet="#6A6AF4", chart_closed="#DDDDDD",
    banner_bg="#A80400", banner_text="#FFFFFF",
)  # fmt: skip

HIGH_CONTRAST = Palette(
    name="high-contrast", bg="#000000", text="#FFFFFF", muted="#FFFFFF",
    band_bg="#000000", band_text="#FFFF00",
    call_bg="#FFFF00", call_text="#000000", call_pulse_bg="#E6E600",
    line="#FFFF00", chart_open="#000000", chart_quiet="#FFFF00", chart_closed="#5C5C5C",
    banner_bg="#FFFFFF", banner_text="#000000",
)  # fmt: skip

# The stale board: everything greyed, so that nobody trusts an old call; the banner says why.
STALE = Palette(
    name="stale", bg="#F0F0F0", text="#4A4A4A", muted="#4A4A4A",
    band_bg="#5C5C5C", band_text="#FFFFFF",
    call_bg="#5C5C5C", call_text="#FFFFFF", call_pulse_bg="#5C5C5C",
    line="#5C5C5C", chart_open="#F0F0F0", chart_quiet="#9A9A9A", chart_closed="#D0D0D0",
    banner_bg="#A80400", banner_text="#FFFFFF",
)  # fmt: skip

PALETTES = (NORMAL, HIGH_CONTRAST, STALE)


def palette(high_contrast: bool, stale: bool) -> Palette:
    if stale:
        return STALE
    return HIGH_CONTRAST if high_contrast else NORMAL


def text_pairs(p: Palette) -> dict[str, tuple[str, str]]:
    """Every text colour on every background the window draws it on (each ≥ 4.5:1)."""
    return {
        "text": (p.text, p.bg), "muted": (p.muted, p.bg), "band": (p.band_text, p.band_bg),
        "call": (p.call_text, p.call_bg), "call at pulse peak": (p.call_text, p.call_pulse_bg),
        "banner": (p.banner_text, p.banner_bg), "chart labels": (p.text, p.bg),
    }  # fmt: skip


def luminance(colour: str) -> float:
    """WCAG 2 relative luminance of "#RRGGBB"."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)
