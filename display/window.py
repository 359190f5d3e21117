"""The wall display's window: it draws a BoardState and does nothing else.

Every text is at least the 0.7° size for the configured distance and screen (display/theme.py);
the current call is larger. A repaint is asked for only when the board changed, the clock's
minute turned, a page turned or the current call pulses (that panel alone).
`repainted(seq)` is emitted once the window's backing store was painted after a board change:
the benchmark measures event → repaint with it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from display import texts
from display.board import DEFAULT_RECENT, BoardState
from display.chart import QuieterChart
from display.theme import Palette, Viewing, palette
from display.widgets import (
    PAD_X,
    Block,
    CallPanel,
    Pager,
    RecentList,
    Text,
    breakable,
    font_for_cap,
)

CALL_SCALE = 2.3  # the current ticket number: capitals 2.6× the minimum (it shrinks to fit)
CALL_COUNTER_SCALE = 1.25


class DisplayWindow(QWidget):
    repainted = Signal(int)

    def __init__(
        self, viewing: Viewing, *, animate: bool = True, high_contrast: bool = False,
        recent: int = DEFAULT_RECENT, parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.viewing, self.high_contrast = viewing, high_contrast
        self.portrait = viewing.height_px > viewing.width_px
        self.setWindowTitle("Montour")
        cap = viewing.min_cap_px
        self.font_text = font_for_cap(cap)
        self.font_bold = font_for_cap(cap, bold=True)
        self.board: BoardState | None = None
        self._pending_seq: int | None = None
        self._highlight_key: tuple[str, int] | None = None
        self._pages_key: object = None
        self.palette_: Palette = palette(high_contrast, False)

        self.banner = Text(self.font_text, "banner")
        self.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.banner.hide()
        self.clock = Text(self.font_bold, "clock")
        self.clock.setWordWrap(False)
        self.clock.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.call = CallPanel(font_for_cap(cap * CALL_SCALE, bold=True),
                              font_for_cap(cap * CALL_COUNTER_SCALE, bold=True),
                              animate)  # fmt: skip
        # The current call is recent[0] and is already shown large: the list holds the others.
        self.recent = RecentList(self.font_text, max(0, recent - 1))
        self.pager = Pager(
            {"title": self.font_bold, "bold": self.font_bold, "text": self.font_text}
        )
        self._layout(cap)
        self._clock_timer = QTimer(self)
        self._clock_timer.setSingleShot(True)
        self._clock_timer.timeout.connect(self._tick)
        self.now: Callable[[tzinfo | None], datetime] = datetime.now

    def _layout(self, cap: int) -> None:
        margin = cap // 2
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        root.addWidget(self.banner)
        body = QWidget()
        root.addWidget(body, 1)
        if self.portrait:
            col = QVBoxLayout(body)
            col.setContentsMargins(margin, margin // 2, margin, margin)
            col.setSpacing(margin // 2)
            col.addWidget(self.clock)
            col.addWidget(self.call, 4)
            col.addWidget(self.recent, 4)
            col.addWidget(self.pager, 6)
            return
        row = QHBoxLayout(body)
        row.setContentsMargins(margin, margin // 2, margin, margin)
        row.setSpacing(margin)
        left, right = QVBoxLayout(), QVBoxLayout()
        left.setSpacing(margin // 2)
        left.addWidget(self.call, 5)
        left.addWidget(self.recent, 4)
        right.addWidget(self.clock)
        right.addWidget(self.pager, 1)
        row.addLayout(left, 12)
        row.addLayout(right, 8)

    # --- drawing a board ----------------------------------------------------------------------

    def show_board(self, board: BoardState) -> None:
        self.board = board
        stale = not board.connected
        p = palette(self.high_contrast, stale)
        if p is not self.palette_ or not self.styleSheet():
            self.palette_ = p
            self.setStyleSheet(_style(p))
            self.call.set_palette(p)
        self.banner.setText(texts.banner(board))
        self.banner.setVisible(stale)
        current = board.current
        key = current.key if current else None
        fresh = board.connected and key is not None and key != self._highlight_key
        if board.connected:
            self._highlight_key = key
        self.call.show_call(current, texts.no_call(board), highlight=fresh)
        self.recent.show_calls(board.recent[1:])
        self._pages(board)
        self._show_clock(board.now)
        self._pending_seq = board.seq
        self.update()

    def _pages(self, board: BoardState) -> None:
        """Rebuilt only when their content changed, so the pages keep turning steadily."""
        key = (board.lang, board.services, board.hours_today, board.channels, board.quieter,
               tuple(board.week_hours.items()), self.palette_.name)  # fmt: skip
        if key == self._pages_key:
            return
        self._pages_key = key
        _ = texts.tr(board)
        blocks: list[Block] = []
        for s in board.services:
            blocks.append([("bold", texts.service_title(board, s)),
                           ("text", texts.service_detail(board, s))])  # fmt: skip
        blocks.append([("bold", _("Opening hours today"))]
                      + [("text", line) for line in texts.hours_today(board)])  # fmt: skip
        channels = texts.channels(board)
        if channels:
            blocks.append([("bold", _("Other ways to reach us"))]
                          + [("text", breakable(c)) for c in channels])  # fmt: skip
        extra = [self._chart_page(board)] if board.quieter else []
        self.pager.set_content(blocks, extra)

    def _chart_page(self, board: BoardState) -> QWidget:
        _ = texts.tr(board)
        page = QWidget()
        col = QVBoxLayout(page)
        col.setContentsMargins(0, 0, 0, 0)
        title = Text(self.font_bold, "title")
        title.setText(_("Quieter hours"))
        col.addWidget(title)
        chart = QuieterChart(self.font_text)
        days = [(d, _(texts.DAY_SHORT[d])) for d in texts.chart_days(board.week_hours,
                                                                       board.quieter)]  # fmt: skip
        chart.set_data(days, board.week_hours, board.quieter,
                       (_("Quieter"), _("Open"), _("Closed")),
                       texts.quieter_description(board), self.palette_)  # fmt: skip
        col.addWidget(chart, 1)
        return page

    # --- the clock: one repaint a minute ---------------------------------------------------------

    def _show_clock(self, now: datetime) -> None:
        self.clock.setText(now.strftime("%H:%M"))
        self._clock_timer.start(int((60 - now.second - now.microsecond / 1e6) * 1000) + 50)

    def _tick(self) -> None:
        if self.board is not None:
            self._show_clock(self.now(self.board.now.tzinfo))

    # --- the repaint signal ----------------------------------------------------------------------

    def event(self, e: QEvent) -> bool:
        # The top-level window paints itself and all its children while it handles this event:
        # when it returns, what the board state asked for is on the backing store.
        handled = super().event(e)
        if e.type() == QEvent.Type.UpdateRequest and self._pending_seq is not None:
            seq, self._pending_seq = self._pending_seq, None
            self.repainted.emit(seq)
        return handled


def _style(p: Palette) -> str:
    return f"""
        DisplayWindow {{ background: {p.bg}; }}
        QLabel {{ color: {p.text}; background: transparent; }}
        QLabel#banner {{ color: {p.banner_text}; background: {p.banner_bg}; padding: 8px; }}
        QLabel#callText {{ color: {p.call_text}; }}
        QLabel#clock {{ color: {p.text}; }}
        QLabel#title {{ color: {p.band_text}; background: {p.band_bg}; padding: 0px {PAD_X}px; }}
        QLabel#recentLabel {{ color: {p.text}; }}
        QLabel#recentCounter {{ color: {p.muted}; }}
    """
