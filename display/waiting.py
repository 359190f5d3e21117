"""The waiting table (service, people, estimated wait), as on the web board.

It shows as many service rows as its height holds; when some do not fit (only at extreme
distance settings) the rows turn in pages every DISPLAY_PAGE_S, so no service is ever lost."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QGridLayout, QSizePolicy, QWidget

from display.widgets import Text
from shared import const

Row = tuple[str, str, str]  # service name, people, estimated wait


class WaitingTable(QWidget):
    def __init__(self, head: QFont, bold: QFont, text: QFont, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("waiting")
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.fonts = (bold, bold, text)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(QFontMetrics(text).horizontalAdvance("00"))
        self.grid.setVerticalSpacing(QFontMetrics(text).height() // 6)
        self.head = [Text(head, "heading", self) for _ in range(3)]
        # The cell's alignment would size a wrapped heading by its hint (one line too short):
        # the label fills its cell and aligns its own text to the bottom instead.
        bottom = Qt.AlignmentFlag.AlignBottom
        for i, label in enumerate(self.head):
            self.grid.addWidget(label, 0, i)
            label.setAlignment(bottom | Qt.AlignmentFlag.AlignLeading)
        self.head[1].setAlignment(bottom | Qt.AlignmentFlag.AlignHCenter)
        self.grid.setColumnStretch(2, 1)
        self.row_h = QFontMetrics(bold).height() + self.grid.verticalSpacing()
        self.cells: list[tuple[Text, Text, Text]] = []
        self.rows: list[Row] = []
        self.page = 0
        self.timer = QTimer(self)
        self.timer.setInterval(int(const.DISPLAY_PAGE_S * 1000))
        self.timer.timeout.connect(self.turn)

    def set_rows(self, headings: tuple[str, str, str], rows: list[Row]) -> None:
        for label, text in zip(self.head, headings, strict=True):
            label.setText(text)
        self.rows = rows
        self._fill()

    def fitting(self) -> int:
        head = max(label.heightForWidth(max(1, label.width())) for label in self.head)
        return max(1, (self.height() - head) // self.row_h)

    def pages(self) -> int:
        return -(-len(self.rows) // self.fitting()) if self.rows else 1

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fill()

    def turn(self) -> None:
        self.page = (self.page + 1) % self.pages()
        self._fill()

    def _fill(self) -> None:
        # A heading that wraps ("Attente estimée" on a small screen) needs its two lines.
        head = max(label.heightForWidth(max(1, label.width())) for label in self.head)
        self.grid.setRowMinimumHeight(0, max(0, head))
        n = self.fitting()
        self.page = min(self.page, self.pages() - 1)
        shown = self.rows[self.page * n : (self.page + 1) * n]
        while len(self.cells) < len(shown):
            i = len(self.cells) + 1
            cells = tuple(Text(f, role, self) for f, role in
                          zip(self.fonts, ("bold", "bold", "text"), strict=True))  # fmt: skip
            for col, label in enumerate(cells):
                label.setWordWrap(col != 1)  # a long name or estimate takes two lines
                self.grid.addWidget(label, i, col, Qt.AlignmentFlag.AlignTop)
            cells[1].setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.cells.append((cells[0], cells[1], cells[2]))
        for i, cells in enumerate(self.cells):
            row = shown[i] if i < len(shown) else ("", "", "")
            for label, text in zip(cells, row, strict=True):
                label.setText(text)
                label.setVisible(bool(text))
        for row in range(len(self.cells) + 1):
            self.grid.setRowStretch(row, 0)
        self.grid.setRowStretch(len(self.cells) + 1, 1)
        if self.pages() > 1 and not self.timer.isActive():
            self.timer.start()
        elif self.pages() <= 1:
            self.timer.stop()
