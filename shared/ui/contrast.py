"""Colour contrast by WCAG 2's formula: the apps' themes are checked with it in their tests."""

from __future__ import annotations


def luminance(colour: str) -> float:
    """WCAG 2 relative luminance of "#RRGGBB"."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    """The contrast ratio of two colours, 1 to 21 (text needs 4.5, edges and icons 3)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)
