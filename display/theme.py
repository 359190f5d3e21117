"""The display's look: palettes, the contrast arithmetic that proves them, and the 0.7° rule.

D3: a capital letter must subtend at least 0.7° at its reader's distance, so its height is at
least 2·d·tan(0.35°) (61 mm at 5 m). The pixel pitch comes from the panel's diagonal and its
resolution (square pixels). Texts come in three tiers, each read from its own distance: the
current call from the back of the room (default 5 m: ~97 px on a 55" Full HD panel), the recent
calls from the middle (3 m: ~58 px), the information by a visitor who steps closer (1.5 m:
~29 px). Like the web board for TVs (shared/hub/pages/board.css), whose look this follows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from shared.ui.contrast import contrast, luminance  # noqa: F401 - part of this theme's API

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
    # The recent calls are read from the middle of the room: by default 0.6× the current call's
    # distance (3 m in a 5 m room), so a smaller room's screen keeps its proportions. The
    # waiting times, hours and channels are read by a visitor who steps up to the screen:
    # 1.5 m whatever the room.
    list_distance: float | None = None
    info_distance: float | None = None

    @property
    def list_distance_m(self) -> float:
        return self.list_distance if self.list_distance is not None else 0.6 * self.distance_m

    @property
    def info_distance_m(self) -> float:
        return self.info_distance if self.info_distance is not None else 1.5

    def __post_init__(self) -> None:
        distances = (self.distance_m, self.list_distance_m, self.info_distance_m)
        if min(distances) <= 0 or self.screen_inches <= 0:
            raise ValueError("the viewing distance and the screen size must be positive")
        if self.width_px <= 0 or self.height_px <= 0:
            raise ValueError("the resolution must be positive")

    @property
    def pixel_pitch_mm(self) -> float:
        return self.screen_inches * MM_PER_INCH / math.hypot(self.width_px, self.height_px)

    @staticmethod
    def cap_mm_at(distance_m: float) -> float:
        return 2 * distance_m * 1000 * math.tan(math.radians(MIN_ANGLE_DEG / 2))

    def cap_px_at(self, distance_m: float) -> int:
        return math.ceil(self.cap_mm_at(distance_m) / self.pixel_pitch_mm)

    @property
    def min_cap_mm(self) -> float:
        """The current call's tier (the farthest reader)."""
        return self.cap_mm_at(self.distance_m)

    @property
    def min_cap_px(self) -> int:
        return self.cap_px_at(self.distance_m)

    @property
    def list_cap_px(self) -> int:
        return self.cap_px_at(self.list_distance_m)

    @property
    def info_cap_px(self) -> int:
        return self.cap_px_at(self.info_distance_m)

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


# The web board's palette (board.css): a dark blue band, the current call on dark green
# (pulsing to a lighter green that white text still reads on), grey rules.
NORMAL = Palette(
    name="normal", bg="#FFFFFF", text="#111111", muted="#3D3D3D",
    band_bg="#0B2F5B", band_text="#FFFFFF",
    call_bg="#0D5C2E", call_text="#FFFFFF", call_pulse_bg="#1B7A43",
    line="#6B7280", chart_open="#FFFFFF", chart_quiet="#0D5C2E", chart_closed="#DDDDDD",
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
