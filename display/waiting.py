"""The waiting table (service, people, estimated wait), as on the web board.

It shows as many service rows as its height holds; when some do not fit (only at extreme
distance settings) the rows turn in pages every DISPLAY_PAGE_S, so no service is ever lost."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer
from PySide6.QtGui import QFont, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QGridLayout, QLayout, QSizePolicy, QWidget

from display.widgets import Text
from shared import const

Row = tuple[str, str, str]  # service name, people, estimated wait


class WaitingTable(QWidget):
    def __init__(self, head: QFont, bold: QFont, text: QFont, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("waiting")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        self.fonts = (bold, bold, text)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        # The table's height is given by the board; its rows never push the board's layout.
        self.grid.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self.grid.setHorizontalSpacing(QFontMetrics(text).horizontalAdvance("00"))
        self.grid.setVerticalSpacing(QFontMetrics(text).height() // 6)
        self.head = [Text(head, "heading", self) for _ in range(3)]
        # The cell's alignment would size a wrapped heading by its hint (one line too short):
        # the label fills its cell and aligns its own text to the bottom instead.
        bottom = Qt.AlignmentFlag.AlignBottom
        for i, label in enumerate(self.head):
            self.grid.addWidget(label, 0, i)
            label.setAlignment(bottom | Qt.AlignmentFlag.AlignLeading)
            label.installEventFilter(self)
        self.head[1].setAlignment(bottom | Qt.AlignmentFlag.AlignHCenter)
        self.grid.setColumnStretch(2, 1)
        self.row_h = QFontMetrics(bold).height() + self.grid.verticalSpacing()
        self.cells: list[tuple[Text, Text, Text]] = []
        self.rows: list[Row] = []
        self.page = 0
        # The grid's final column widths are only known once it has laid the rows out, and a
        # heading or a cell may then wrap on two lines ("Attente estimée" on a 43" screen). A
        # check after each layout pass raises the heading row and lowers the rows per page
        # until everything fits. Both only move one way (so the layout cannot oscillate) until
        # the table's size, its headings or its number of rows change.
        self.head_h = 0
        self.cap: int | None = None
        self._key: object = None
        self._checking = False
        self.timer = QTimer(self)
        self.timer.setInterval(int(const.DISPLAY_PAGE_S * 1000))
        self.timer.timeout.connect(self.turn)

    def set_rows(self, headings: tuple[str, str, str], rows: list[Row]) -> None:
        for label, text in zip(self.head, headings, strict=True):
            label.setText(text)
        self.rows = rows
        self._fill()

    def _heading_needs(self) -> int:
        return max(label.heightForWidth(max(1, label.width())) for label in self.head)

    def _rows_need(self) -> int:
        """The height the shown rows need at the columns' current widths."""
        spacing = self.grid.verticalSpacing()
        need = 0
        for cells in self.cells:
            if cells[0].isVisible():
                need += spacing + max(
                    c.heightForWidth(max(1, c.width())) if c.wordWrap() else c.sizeHint().height()
                    for c in cells
                )
        return need

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and not self._checking:
            self._checking = True
            QTimer.singleShot(0, self._check)  # after the layout pass, not inside it
        return False

    def _check(self) -> None:
        self._checking = False
        head = self._heading_needs()
        over = max(self.head_h, head) + self._rows_need() > self.height()
        shown = sum(1 for cells in self.cells if cells[0].isVisible())
        if head > self.head_h or (over and shown > 1):
            self.head_h = max(self.head_h, head)
            if over and shown > 1:
                self.cap = shown - 1
            self._fill()

    def sizeHint(self) -> QSize:  # its room is given by the board, whatever its rows
        return QSize(0, 0)

    def minimumSizeHint(self) -> QSize:
        """As wide as its longest words need (so the board gives it that); any height."""
        cols = (self.grid.columnMinimumWidth(0), self.head[1].sizeHint().width(),
                self.grid.columnMinimumWidth(2))  # fmt: skip
        return QSize(sum(cols) + 2 * self.grid.horizontalSpacing(), 0)

    def fit_state(self) -> tuple[int, int | None, int]:
        return self.head_h, self.cap, self.height()

    def fitting(self) -> int:
        n = max(1, (self.height() - max(self.head_h, self._heading_needs())) // self.row_h)
        return n if self.cap is None else max(1, min(n, self.cap))

    def pages(self) -> int:
        return -(-len(self.rows) // self.fitting()) if self.rows else 1

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fill()

    def turn(self) -> None:
        self.page = (self.page + 1) % self.pages()
        self._fill()

    def _fill(self) -> None:
        # A column is never narrower than its longest word (a name may wrap, never be cut).
        for col in (0, 2):
            words = [w for row in self.rows for w in row[col].split()]
            heads = self.head[col].text().split()
            fm, fh = QFontMetrics(self.fonts[col]), QFontMetrics(self.head[col].font())
            self.grid.setColumnMinimumWidth(col, max([fm.horizontalAdvance(w) for w in words]
                                                     + [fh.horizontalAdvance(w) for w in heads]
                                                     + [0]))  # fmt: skip
        self.updateGeometry()
        key = (self.width(), tuple(label.text() for label in self.head), len(self.rows))
        if key != self._key:
            self._key, self.head_h, self.cap = key, 0, None
        self.head_h = max(self.head_h, self._heading_needs())
        self.grid.setRowMinimumHeight(0, self.head_h)
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
                label.installEventFilter(self)
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
