"""The kiosk's Qt style sheet, made from a palette and sizes (kiosk/theme.py)."""

from __future__ import annotations

from kiosk import theme


def stylesheet(p: theme.Palette, s: theme.Sizes) -> str:
    f = theme.FONT_FAMILY
    # The ring outranks each kind's own border (an id selector beats a bare property one).
    ring = "".join(
        f'{band}QPushButton#{kind}[kfocus="true"] {{ border: {s.focus_w}px solid {colour}; }}\n'
        for band, colour in (("", p.focus), ("#band ", p.band_focus))
        for kind in ("primary", "secondary", "choice", "key", "lang", "tool")
    )
    return (
        ring
        + f"""
    QWidget {{ font-family: "{f}"; font-size: {s.body}px; color: {p.text}; }}
    #kiosk {{ background: {p.bg}; }}
    #band {{ background: {p.band_bg}; border-bottom: {s.edge_w}px solid {p.edge}; }}
    #header {{ color: {p.band_text}; background: {p.band_bg}; font-size: {s.button_font}px;
               font-weight: bold; }}
    #body {{ background: {p.bg}; }}
    #panel {{ background: {p.panel_bg}; border: {s.edge_w}px solid {p.edge}; border-radius: 16px;
              margin: {s.margin}px; }}
    #title {{ font-size: {s.title}px; font-weight: bold; color: {p.text}; }}
    #big {{ font-size: {s.big}px; font-weight: bold; color: {p.text}; }}
    #line {{ color: {p.muted}; }}
    #error {{ background: {p.error_bg}; border-left: {s.focus_w}px solid {p.error_text};
              border-radius: 8px; }}
    #errortext, #icon {{ color: {p.error_text}; font-weight: bold; }}
    #icon {{ font-size: {s.title}px; }}
    QPushButton {{ border-radius: 14px; border: {s.edge_w}px solid {p.edge};
                   background: {p.secondary_bg}; }}
    QPushButton QLabel {{ background: transparent; border: none; }}
    QPushButton #label {{ font-size: {s.button_font}px; font-weight: bold; }}
    QPushButton #detail {{ font-size: {s.detail_font}px; }}
    QPushButton#primary {{ background: {p.primary_bg}; border-color: {p.primary_bg}; }}
    QPushButton#primary QLabel {{ color: {p.primary_text}; }}
    QPushButton#secondary QLabel, QPushButton#choice QLabel, QPushButton#key QLabel
        {{ color: {p.secondary_text}; }}
    QPushButton[hero="true"] #label {{ font-size: {s.title}px; }}
    QPushButton#key[short="true"] #label {{ font-size: {s.title}px; }}
    QPushButton#lang QLabel, QPushButton#tool QLabel {{ color: {p.secondary_text}; }}
    QPushButton#lang #label, QPushButton#tool #label {{ font-size: {s.detail_font}px; }}
    QPushButton#lang[selected="true"] {{ background: {p.primary_bg}; }}
    QPushButton#lang[selected="true"] QLabel {{ color: {p.primary_text}; }}
    #band QPushButton#lang, #band QPushButton#tool {{ background: {p.band_bg};
        border-color: {p.band_text}; }}
    #band QPushButton#lang QLabel, #band QPushButton#tool QLabel {{ color: {p.band_text}; }}
    #band QPushButton#lang[selected="true"] {{ background: {p.band_text}; }}
    #band QPushButton#lang[selected="true"] QLabel {{ color: {p.band_bg}; }}
    QPushButton:disabled {{ background: {p.disabled_bg}; border-color: {p.disabled_text}; }}
    QPushButton:disabled QLabel {{ color: {p.disabled_text}; }}
    """
    )
