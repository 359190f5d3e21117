"""The week's quieter hours as a small SVG chart: one row per opening day, the opening hours
as an outlined bar, the quieter hours as a filled one (shape, not colour alone, tells them
apart). Decorative for assistive technology (aria-hidden): the same facts are in the visible
text beside it. Positions are SVG attributes, which the page's CSP allows (no inline style).
"""

from __future__ import annotations

from html import escape

from shared.hub.pages.status import WEEKDAYS

WIDTH, ROW, LABEL_W, TOP, AXIS = 600, 30, 70, 4, 28


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def chart(
    hours: dict[str, list[list[str]]],
    quieter: dict[str, list[list[str]]],
    days: dict[str, str],
    label: str,
) -> str:
    open_days = [d for d in WEEKDAYS if hours.get(d) or quieter.get(d)]
    if not open_days:
        return ""
    spans = [p for d in open_days for p in (*hours.get(d, []), *quieter.get(d, []))]
    first = min(_minutes(a) for a, _ in spans) // 60 * 60
    last = -(-max(_minutes(b) for _, b in spans) // 60) * 60
    scale = (WIDTH - LABEL_W - 26) / max(last - first, 60)

    def x(hhmm: str) -> float:
        return round(LABEL_W + (_minutes(hhmm) - first) * scale, 1)

    parts = []
    for row, day in enumerate(open_days):
        y = TOP + row * ROW
        parts.append(
            f'<text class="day" x="{LABEL_W - 8}" y="{y + ROW * 0.7:.0f}" '
            f'text-anchor="end">{escape(days[day])}</text>'
        )
        for a, b in hours.get(day, []):
            parts.append(
                f'<rect class="open" x="{x(a)}" y="{y + 5}" width="{x(b) - x(a):.1f}" '
                f'height="{ROW - 10}" rx="3"/>'
            )
        for a, b in quieter.get(day, []):
            parts.append(
                f'<rect class="calm" x="{x(a)}" y="{y + 2}" width="{x(b) - x(a):.1f}" '
                f'height="{ROW - 4}" rx="3"/>'
            )
    axis_y = TOP + len(open_days) * ROW + AXIS - 6
    for minute in range(first, last + 1, 120):
        hhmm = f"{minute // 60:02d}:00"
        parts.append(
            f'<text class="hour" x="{x(hhmm)}" y="{axis_y}" text-anchor="middle">'
            f"{minute // 60}h</text>"
        )
    height = TOP + len(open_days) * ROW + AXIS
    return (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" aria-hidden="true" '
        f'focusable="false" data-label="{escape(label)}">{"".join(parts)}</svg>'
    )
