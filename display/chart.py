"""The week's quieter hours as a small weekday × hour grid, drawn with QPainter.

Never colour alone (K8/D3): quieter cells are hatched as well as coloured, closed cells are
left blank and crossed out by a thin grey fill, and a legend names each kind. The same facts
in words are the widget's accessible description (and `description`)."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from display.board import Periods
from display.theme import NORMAL, Palette


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def _inside(minute: int, periods: Periods) -> bool:
    return any(_minutes(a) <= minute < _minutes(b) for a, b in periods)


class QuieterChart(QWidget):
    def __init__(self, font: QFont, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chart")
        self.setFont(font)
        self.palette_ = NORMAL
        self.days: list[tuple[str, str]] = []  # (weekday key, its short name)
        self.week_hours: Mapping[str, Periods] = {}
        self.quieter: Mapping[str, Periods] = {}
        self.legend: tuple[str, str, str] = ("", "", "")  # quieter, open, closed
        self.first_h, self.last_h = 8, 18
        self.description = ""

    def set_data(
        self, days: list[tuple[str, str]], week_hours: Mapping[str, Periods],
        quieter: Mapping[str, Periods], legend: tuple[str, str, str], description: str,
        p: Palette,
    ) -> None:  # fmt: skip
        self.days, self.week_hours, self.quieter = days, week_hours, quieter
        self.legend, self.palette_ = legend, p
        self.description = description
        self.setAccessibleName(legend[0])
        self.setAccessibleDescription(description)
        starts = [_minutes(a) for ps in week_hours.values() for a, _ in ps]
        ends = [_minutes(b) for ps in week_hours.values() for _, b in ps]
        self.first_h = min(starts) // 60 if starts else 8
        self.last_h = -(-max(ends) // 60) if ends else 18
        self.updateGeometry()
        self.update()

    def texts(self) -> list[str]:
        """Every text this widget draws (all at its font: the 0.7° test reads them)."""
        hours = [f"{h} h" for h in range(self.first_h, self.last_h + 1, self._step())]
        return [name for _, name in self.days] + hours + list(self.legend)

    def minimumSizeHint(self) -> QSize:
        """Room for the day names, hour labels that do not overlap, and the legend."""
        fm = QFontMetrics(self.font())
        line_h, pad = fm.height(), fm.height() // 4
        hours = len(range(self.first_h, self.last_h + 1, self._step()))
        label_w = fm.horizontalAdvance(f"{self.last_h} h")
        return QSize(label_w + 2 * pad + len(self.days) * fm.horizontalAdvance("MM"),
                     line_h + pad + hours * line_h + 3 * line_h + 3 * pad)  # fmt: skip

    def _step(self) -> int:
        return 3 if self.last_h - self.first_h > 6 else 2

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self.days:
            return
        p, fm = self.palette_, QFontMetrics(self.font())
        line_h, pad = fm.height(), fm.height() // 4
        label_w = max(fm.horizontalAdvance(f"{h} h") for h in range(self.first_h,
                                                                     self.last_h + 1))  # fmt: skip
        legend_h = 3 * line_h
        grid = QRectF(label_w + pad, line_h + pad, self.width() - label_w - 2 * pad,
                      self.height() - line_h - legend_h - 3 * pad)  # fmt: skip
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setFont(self.font())
        col_w = grid.width() / len(self.days)
        span = (self.last_h - self.first_h) * 60
        hatch = QBrush(QColor(p.chart_quiet), Qt.BrushStyle.BDiagPattern)
        # Day names that would touch their neighbours shrink to their initial ("L M M J V"):
        # the text list beside the chart and its description give the full names.
        fm = painter.fontMetrics()
        narrow = any(fm.horizontalAdvance(name) > col_w - 6 for _, name in self.days)
        for i, (key, name) in enumerate(self.days):
            x = grid.left() + i * col_w
            painter.setPen(QColor(p.text))
            label = name[:1].upper() if narrow else name
            painter.drawText(QRectF(x, 0, col_w, line_h), Qt.AlignmentFlag.AlignCenter, label)
            for minute in range(self.first_h * 60, self.last_h * 60, 30):
                y = grid.top() + (minute - self.first_h * 60) / span * grid.height()
                cell = QRectF(x + 2, y, col_w - 4, grid.height() * 30 / span)
                if _inside(minute, self.quieter.get(key, ())):
                    painter.fillRect(cell, QColor(p.chart_quiet))
                    painter.fillRect(cell, QBrush(QColor(p.text), Qt.BrushStyle.BDiagPattern))
                elif _inside(minute, self.week_hours.get(key, ())):
                    painter.fillRect(cell, QColor(p.chart_open))
                else:
                    painter.fillRect(cell, QColor(p.chart_closed))
        painter.setPen(QPen(QColor(p.line), 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(grid)
        painter.setPen(QColor(p.text))
        step = self._step()  # wider apart when the chart is short: labels never touch
        while step * 60 / span * grid.height() < line_h and step < self.last_h - self.first_h:
            step += 1
        for h in range(self.first_h, self.last_h + 1, step):
            y = grid.top() + (h - self.first_h) * 60 / span * grid.height()
            painter.drawText(QRectF(0, y - line_h / 2, label_w, line_h),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             f"{h} h")  # fmt: skip
        self._legend(painter, grid.bottom() + 2 * pad, line_h, hatch)
        painter.end()

    def _legend(self, painter: QPainter, top: float, line_h: int, hatch: QBrush) -> None:
        p = self.palette_
        fills = [(QColor(p.chart_quiet), True), (QColor(p.chart_open), False),
                 (QColor(p.chart_closed), False)]  # fmt: skip
        box = line_h * 0.7
        for i, (text, (colour, hatched)) in enumerate(zip(self.legend, fills, strict=True)):
            y = top + i * line_h
            r = QRectF(0, y + (line_h - box) / 2, box, box)
            painter.fillRect(r, colour)
            if hatched:
                painter.fillRect(r, QBrush(QColor(p.text), Qt.BrushStyle.BDiagPattern))
            painter.setPen(QPen(QColor(p.line), 2))
            painter.drawRect(r)
            painter.setPen(QColor(p.text))
            painter.drawText(
                QRectF(box * 1.4, y, self.width(), line_h), Qt.AlignmentFlag.AlignVCenter, text
            )
