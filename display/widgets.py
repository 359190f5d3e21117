"""The board's parts: text at the 0.7° size, the current call's panel with its gentle pulse, the
list of recent calls, and the pages of secondary information."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEasingCurve, QRectF, Qt, QTimer, QVariantAnimation
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from display.board import Call
from display.theme import CAP_HEIGHT_EM, FONT_FAMILY, Palette
from shared import const

# Where a long address may break: a URL has no spaces for word wrap to use.
ZWSP = "\u200b"
PAD_X = 12  # the titles' side padding (in the window's style sheet)


def font_for_cap(cap_px: float, bold: bool = False) -> QFont:
    """The smallest pixel size whose real capital height (Qt's metrics) is at least cap_px."""
    font = QFont(FONT_FAMILY)
    font.setStretch(QFont.Stretch.SemiCondensed)
    font.setBold(bold)
    size = max(1, int(cap_px / CAP_HEIGHT_EM) - 2)
    while True:
        font.setPixelSize(size)
        if QFontMetrics(font).capHeight() >= cap_px:
            return font
        size += 1


def breakable(text: str) -> str:
    return text.replace("/", "/" + ZWSP).replace(".", "." + ZWSP)


class Text(QLabel):
    """A word-wrapped label at a given font; its colour comes from the window's style sheet."""

    def __init__(self, font: QFont, role: str = "text", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFont(font)
        self.setWordWrap(True)
        self.setObjectName(role)
        self.setTextFormat(Qt.TextFormat.PlainText)


class CallPanel(QFrame):
    """The current call, very large, on the highlight colour. A new call pulses gently (one
    cycle per DISPLAY_PULSE_PERIOD_S, well under 3 Hz) for DISPLAY_HIGHLIGHT_S, then stays
    still; with animation off it is simply highlighted. Only this panel repaints while it
    pulses, not the whole board."""

    def __init__(self, big: QFont, name: QFont, title: QFont, animate: bool,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setObjectName("call")
        # Its size comes from the board's layout; it fits its text to that, never the reverse.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.animate = animate
        self.big_font = QFont(big)
        self.min_big = big.pixelSize()
        self.title = Text(title, "callText", self)
        self.label = Text(big, "callText", self)
        self.label.setWordWrap(False)
        self.counter = Text(name, "callText", self)
        self.counter.setWordWrap(False)
        # Capitals and digits have no descenders: a line box a little taller than the capitals
        # keeps the panel compact (the font's full height would add a third of empty space).
        for w in (self.label, self.counter):
            w.setFixedHeight(int(QFontMetrics(w.font()).capHeight() * 1.3))
        pad = QFontMetrics(title).height() // 2
        layout = QVBoxLayout(self)
        layout.setContentsMargins(pad, pad // 2, pad, pad)
        layout.setSpacing(0)
        layout.addWidget(self.title)
        layout.addStretch(1)
        layout.addWidget(self.label)
        layout.addWidget(self.counter)
        layout.addStretch(1)
        self._colours = (QColor("#000091"), QColor("#000091"))
        self._phase = 0.0
        self.pulse = QVariantAnimation(self)
        self.pulse.setStartValue(0.0)
        self.pulse.setKeyValueAt(0.5, 1.0)
        self.pulse.setEndValue(0.0)
        self.pulse.setEasingCurve(QEasingCurve.Type.InOutSine)
        self.pulse.setDuration(int(const.DISPLAY_PULSE_PERIOD_S * 1000))
        self.pulse.setLoopCount(max(1, round(const.DISPLAY_HIGHLIGHT_S
                                             / const.DISPLAY_PULSE_PERIOD_S)))  # fmt: skip
        self.pulse.valueChanged.connect(self._pulse)

    def set_palette(self, p: Palette) -> None:
        self._colours = (QColor(p.call_bg), QColor(p.call_pulse_bg))
        self.update()

    def show_call(self, call: Call | None, empty_text: str, title: str, highlight: bool) -> None:
        self.title.setText(title)
        self.label.setText(call.label if call else "")
        self.label.setVisible(call is not None)
        self.counter.setText(f"→ {call.counter_name}" if call else empty_text)
        self.counter.setWordWrap(call is None)
        self._fit()
        if highlight and self.animate:
            self.pulse.stop()
            self.pulse.start()

    def _pulse(self, value: object) -> None:
        self._phase = float(value)  # type: ignore[arg-type]
        self.update()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        """The ticket number as large as the panel allows, never below its tier's size."""
        font = QFont(self.big_font)
        margins = self.layout().contentsMargins()
        room = self.width() - margins.left() - margins.right() - 4
        size = font.pixelSize()
        while size > self.min_big:
            font.setPixelSize(size)
            if QFontMetrics(font).horizontalAdvance(self.label.text()) <= room:
                break
            size -= 4
        self.label.setFont(font)

    def paintEvent(self, event: QPaintEvent) -> None:
        a, b = self._colours
        t = self._phase
        colour = QColor.fromRgbF(a.redF() + (b.redF() - a.redF()) * t,
                                 a.greenF() + (b.greenF() - a.greenF()) * t,
                                 a.blueF() + (b.blueF() - a.blueF()) * t)  # fmt: skip
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        radius = self.layout().contentsMargins().left() / 2
        painter.drawRoundedRect(QRectF(self.rect()), radius, radius)
        painter.end()


class RecentList(QWidget):
    """The calls before the current one, newest first: as many rows as fit, at most `limit`."""

    def __init__(self, font: QFont, bold: QFont, limit: int,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setObjectName("recent")
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self._font, self._bold, self.limit = font, bold, limit
        self.line = QColor("#6B7280")
        self._calls: tuple[Call, ...] = ()
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setColumnStretch(1, 1)
        self.grid.setHorizontalSpacing(QFontMetrics(font).horizontalAdvance("0"))
        self.grid.setVerticalSpacing(0)
        self.rows: list[tuple[Text, Text]] = []
        # A row: the capitals and a rule below them (labels and counters have no descenders).
        self.row_h = int(QFontMetrics(bold).capHeight() * 1.35)

    def set_line(self, colour: str) -> None:
        self.line = QColor(colour)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setPen(QPen(self.line, 2))
        for label, _counter in self.rows[:-1]:
            if not label.isHidden():
                y = label.geometry().bottom() + 1
                painter.drawLine(0, y, self.width(), y)
        painter.end()

    def show_calls(self, calls: Sequence[Call]) -> None:
        self._calls = tuple(calls)
        self._fill()

    def fitting(self) -> int:
        return max(0, self.height() // self.row_h)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fill()

    def _fill(self) -> None:
        shown = self._calls[: min(self.limit, self.fitting())]
        while len(self.rows) < len(shown):
            i = len(self.rows)
            row = (Text(self._bold, "recentLabel", self), Text(self._font, "recentCounter", self))
            for label in row:
                label.setWordWrap(False)
                label.setFixedHeight(self.row_h)
            row[1].setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.grid.addWidget(row[0], i, 0)
            self.grid.addWidget(row[1], i, 1)
            self.rows.append(row)
        for i, (label, counter) in enumerate(self.rows):
            call = shown[i] if i < len(shown) else None
            label.setText(call.label if call else "")
            counter.setText(call.counter_name if call else "")
            label.setVisible(call is not None)
            counter.setVisible(call is not None)
        self.grid.setRowStretch(len(shown), 1)
        self.grid.activate()  # the rules under the rows follow the rows' geometry

    def visible_calls(self) -> list[str]:
        return [label.text() for label, _ in self.rows if not label.isHidden()]


Block = list[tuple[str, str]]  # (role, text) lines that stay together on one page


class Pager(QStackedWidget):
    """Secondary information, one page at a time, turning every DISPLAY_PAGE_S (no faster:
    people read at their own pace; nothing here moves between turns).

    The blocks of text are packed onto pages by measuring their wrapped height at the pager's
    real width, so no text is ever cut, whatever the distance rule makes of the font size.
    Extra pages (the chart) take a page each."""

    def __init__(self, fonts: dict[str, QFont], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fonts = fonts
        # Its pages never push the board's layout around: it takes the room it is given.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.blocks: list[Block] = []
        self.extra: list[QWidget] = []
        self.timer = QTimer(self)
        self.timer.setInterval(int(const.DISPLAY_PAGE_S * 1000))
        self.timer.timeout.connect(self.turn)
        self._laid_out_for = (-1, -1)
        self._probe: dict[str, Text] = {}  # hidden labels that measure wrapped text exactly
        self._busy = False  # removing pages may resize this widget while it paginates

    def set_content(self, blocks: list[Block], extra: list[QWidget]) -> None:
        for old in self.extra:
            old.deleteLater()
        self.blocks, self.extra = blocks, extra
        self._laid_out_for = (-1, -1)
        self._paginate()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._paginate()

    def _height(self, role: str, text: str, width: int) -> int:
        probe = self._probe.setdefault(role, Text(self.fonts[role], role, self))
        probe.hide()
        probe.setText(text)
        return probe.heightForWidth(width)

    def _paginate(self) -> None:
        size = (self.width(), self.height())
        if self._busy or size == self._laid_out_for or self.width() <= 0 or self.height() <= 0:
            return
        self._busy = True
        try:
            # Removing and adding pages may resize this widget: lay out again for the new size.
            for _ in range(3):
                self._laid_out_for = (self.width(), self.height())
                self._repage()
                if self._laid_out_for == (self.width(), self.height()):
                    break
        finally:
            self._busy = False

    def _repage(self) -> None:
        keep = self.currentIndex()
        while self.count():
            old = self.widget(0)
            assert old is not None
            self.removeWidget(old)
            if old not in self.extra:
                old.deleteLater()
        pages: list[Block] = [[]]
        used = 0
        for block in self.blocks:
            heights = [self._height(role, text, self.width()) for role, text in block]
            # A block that fits a page is never split; a longer one breaks between lines.
            if pages[-1] and used + sum(heights) > self.height():
                pages.append([])
                used = 0
            for line, h in zip(block, heights, strict=True):
                if pages[-1] and used + h > self.height():
                    pages.append([])
                    used = 0
                pages[-1].append(line)
                used += h
        for lines in pages:
            self.addWidget(self._page(lines))
        for widget in self.extra:
            self.addWidget(widget)
        self.setCurrentIndex(max(0, min(keep, self.count() - 1)))
        if self.count() > 1 and not self.timer.isActive():
            self.timer.start()
        elif self.count() <= 1:
            self.timer.stop()

    def _page(self, lines: Block) -> QWidget:
        page = QWidget()
        col = QVBoxLayout(page)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(0)
        for role, text in lines:
            label = Text(self.fonts[role], role)
            label.setText(text)
            col.addWidget(label)
        col.addStretch(1)
        return page

    def labels(self) -> list[QLabel]:
        page = self.currentWidget()
        return list(page.findChildren(QLabel)) if page is not None else []

    def turn(self) -> None:
        if self.count():
            self.setCurrentIndex((self.currentIndex() + 1) % self.count())
