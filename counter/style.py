"""The counter's colours and style sheet. Sizes follow the window's font (no pixel font sizes),
so the whole window scales with the agent's text size (200 % included)."""

from __future__ import annotations

from dataclasses import dataclass

from shared.ui.contrast import contrast


@dataclass(frozen=True)
class Palette:
    bg: str = "#FFFFFF"
    text: str = "#1A1A1A"
    muted: str = "#4D4D4D"
    panel: str = "#F3F5F8"
    edge: str = "#6B7280"  # control edges: ≥ 3:1 on the background
    button_bg: str = "#E8EEF5"
    button_text: str = "#10243A"
    primary_bg: str = "#0B5CAD"
    primary_text: str = "#FFFFFF"
    disabled_bg: str = "#EDEDED"
    disabled_text: str = "#5C5C5C"
    danger_bg: str = "#FCEBEA"
    danger_text: str = "#8A1C1C"
    banner_bg: str = "#8A1C1C"
    banner_text: str = "#FFFFFF"
    undo_bg: str = "#FFF4CE"
    undo_text: str = "#3D2E00"
    badge_bg: str = "#5B2A86"
    badge_text: str = "#FFFFFF"
    note_bg: str = "#E7F3EC"
    note_text: str = "#14532D"
    focus: str = "#C2410C"  # the focus ring: ≥ 3:1 on every background it sits on


PALETTE = Palette()


def text_pairs(p: Palette = PALETTE) -> dict[str, tuple[str, str]]:
    """Every (text, background) pair the window uses: each must reach 4.5:1."""
    return {
        "body": (p.text, p.bg),
        "muted": (p.muted, p.bg),
        "panel": (p.text, p.panel),
        "panel muted": (p.muted, p.panel),
        "button": (p.button_text, p.button_bg),
        "primary": (p.primary_text, p.primary_bg),
        "disabled": (p.disabled_text, p.disabled_bg),
        "error": (p.danger_text, p.danger_bg),
        "banner": (p.banner_text, p.banner_bg),
        "undo": (p.undo_text, p.undo_bg),
        "badge": (p.badge_text, p.badge_bg),
        "note": (p.note_text, p.note_bg),
    }


def edge_pairs(p: Palette = PALETTE) -> dict[str, tuple[str, str]]:
    """Control edges and the focus ring against what surrounds them: each must reach 3:1."""
    return {
        "edge": (p.edge, p.bg),
        "edge on panel": (p.edge, p.panel),
        "focus": (p.focus, p.bg),
        "focus on panel": (p.focus, p.panel),
        "focus on button": (p.focus, p.button_bg),
    }


def worst(pairs: dict[str, tuple[str, str]]) -> float:
    return min(contrast(a, b) for a, b in pairs.values())


def stylesheet(p: Palette = PALETTE) -> str:
    return f"""
    #counter, #page {{ background: {p.bg}; }}
    QWidget {{ color: {p.text}; }}
    QLabel#muted {{ color: {p.muted}; }}
    QLabel#ticket {{ font-weight: bold; }}
    QFrame#card {{ background: {p.panel}; border: 1px solid {p.edge}; border-radius: 8px; }}
    QFrame#card QLabel {{ background: transparent; }}
    QFrame#card QLabel#badge {{ background: {p.badge_bg}; color: {p.badge_text}; border-radius: 4px;
                    padding: 2px 6px; font-weight: bold; }}
    QFrame#card QLabel#note {{ background: {p.note_bg}; color: {p.note_text}; border-radius: 4px;
                   padding: 4px; }}
    QLabel#banner {{ background: {p.banner_bg}; color: {p.banner_text}; padding: 6px;
                     font-weight: bold; }}
    QFrame#error {{ background: {p.danger_bg}; border-radius: 4px; }}
    QFrame#error QLabel {{ color: {p.danger_text}; font-weight: bold; background: transparent; }}
    QFrame#undo {{ background: {p.undo_bg}; border-radius: 4px; }}
    QFrame#undo QLabel {{ color: {p.undo_text}; background: transparent; }}
    QPushButton {{ background: {p.button_bg}; color: {p.button_text}; border: 1px solid {p.edge};
                   border-radius: 6px; padding: 4px 6px; text-align: left; }}
    QPushButton#primary {{ background: {p.primary_bg}; color: {p.primary_text};
                           border-color: {p.primary_bg}; font-weight: bold; }}
    QPushButton:disabled, QPushButton#primary:disabled {{ background: {p.disabled_bg};
        color: {p.disabled_text}; border-color: {p.disabled_bg}; }}
    QPushButton:focus, QLineEdit:focus, QComboBox:focus, QCheckBox:focus, QListWidget:focus,
    QTabBar::tab:focus, QRadioButton:focus {{ outline: none; border: 3px solid {p.focus}; }}
    QLineEdit, QComboBox, QListWidget {{ border: 1px solid {p.edge}; border-radius: 4px;
                                         padding: 3px; background: {p.bg}; }}
    """
