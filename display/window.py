"""The wall display's window: it draws a BoardState and does nothing else.

Every text is at least the 0.7° size for the configured distance and screen (display/theme.py);
the current call is larger. A repaint is asked for only when the board changed, the clock's
minute turned, a page turned or the current call pulses (that panel alone).
`repainted(seq)` is emitted once the window's backing store was painted after a board change:
the benchmark measures event → repaint with it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, tzinfo

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QFontMetrics, QShowEvent
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from display import texts
from display.board import DEFAULT_RECENT, BoardState
from display.chart import QuieterChart
from display.theme import Palette, Viewing, palette
from display.waiting import WaitingTable
from display.widgets import (
    Block,
    CallPanel,
    Pager,
    RecentList,
    Text,
    breakable,
    font_for_cap,
)

CALL_SCALE = 2.0  # the current ticket number: capitals 2× the call tier's (larger if room)
CLOCK_SCALE = 1.4  # the clock, in the header band: a little above the information tier

log = logging.getLogger(__name__)


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
        call, lst, info = viewing.min_cap_px, viewing.list_cap_px, viewing.info_cap_px
        self.font_text = font_for_cap(info)
        self.font_bold = font_for_cap(info, bold=True)
        self.board: BoardState | None = None
        self._pending_seq: int | None = None
        self._highlight_key: tuple[str, int] | None = None
        self._pages_key: object = None
        self._warned = False
        self.palette_: Palette = palette(high_contrast, False)

        self.banner = Text(self.font_bold, "banner")
        self.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.banner.hide()
        self.office = Text(self.font_bold, "band")
        self.office.setWordWrap(False)
        self.clock = Text(font_for_cap(info * CLOCK_SCALE, bold=True), "band")
        self.clock.setWordWrap(False)
        # The band's own layout would size the clock only at the next event loop turn.
        self.clock.setMinimumWidth(QFontMetrics(self.clock.font()).horizontalAdvance("00:00") + 4)
        self.date = Text(self.font_text, "band")
        self.date.setWordWrap(False)
        self.call = CallPanel(font_for_cap(call * CALL_SCALE, bold=True),
                              font_for_cap(call, bold=True), self.font_bold, animate)  # fmt: skip
        self.recent_title = Text(self.font_bold, "heading")
        # The current call is recent[0] and is already shown large: the list holds the others.
        self.recent = RecentList(font_for_cap(lst), font_for_cap(lst, bold=True),
                                 max(0, recent - 1))  # fmt: skip
        self.waiting_title = Text(self.font_bold, "heading")
        self.waiting = WaitingTable(self.font_bold, self.font_bold, self.font_text)
        self.chart_title = Text(self.font_bold, "heading")
        self.chart = QuieterChart(self.font_text)
        # Its width is given by the board. On a landscape board its height is never less than
        # its hour labels need (a 43" screen at 3 m would squeeze them into each other); the
        # portrait layout gives it a fixed share, with the text list of quieter hours below.
        vertical = QSizePolicy.Policy.Ignored if self.portrait else QSizePolicy.Policy.Expanding
        self.chart.setSizePolicy(QSizePolicy.Policy.Ignored, vertical)
        # The chart's facts in words, under it; a landscape board has no room for them at the
        # default distances (the chart's accessible description holds them there).
        self.quieter_text = Text(self.font_text)
        self.pager = Pager(
            {"title": self.font_bold, "bold": self.font_bold, "text": self.font_text}
        )
        self._layout(info)
        self._clock_timer = QTimer(self)
        self._clock_timer.setSingleShot(True)
        self._clock_timer.timeout.connect(self._tick)
        self.now: Callable[[tzinfo | None], datetime] = datetime.now

    def _layout(self, cap: int) -> None:
        m = cap
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        root.addWidget(self.banner)
        band = QWidget()
        band.setObjectName("bandRow")
        top = self._band = QHBoxLayout(band)
        top.setContentsMargins(m, m // 4, m, m // 4)
        top.addWidget(self.office, 1)
        top.addWidget(self.clock)
        top.addWidget(self.date)
        root.addWidget(band)
        body = QWidget()
        root.addWidget(body, 1)
        grid = QGridLayout(body)
        grid.setContentsMargins(m, m // 2, m, m // 2)
        grid.setHorizontalSpacing(m)
        grid.setVerticalSpacing(m // 2)
        recent = _column(self.recent_title, self.recent)
        waiting = _column(self.waiting_title, self.waiting)
        chart = _column(self.chart_title, self.chart)
        chart.addWidget(self.quieter_text)
        # Takes the room only when the chart is hidden (nothing known yet): the sentence then
        # stays under its heading instead of floating mid-column.
        chart.addStretch(0)
        self.quieter_text.setVisible(self.portrait)
        if self.portrait:
            grid.addWidget(self.call, 0, 0, 1, 2)
            grid.addLayout(recent, 1, 0, 1, 2)
            grid.addLayout(waiting, 2, 0, 1, 2)
            grid.addLayout(chart, 3, 0)
            grid.addWidget(self.pager, 3, 1)
            for row, stretch in enumerate((46, 46, 30, 54)):
                grid.setRowStretch(row, stretch)
            return
        top_row, bottom_row = QHBoxLayout(), QHBoxLayout()
        for row, parts in (
            (top_row, ((self.call, 12), (recent, 8))),
            (bottom_row, ((waiting, 15), (chart, 7), (self.pager, 8))),
        ):
            row.setSpacing(m)
            for part, stretch in parts:
                if isinstance(part, QWidget):
                    row.addWidget(part, stretch)
                else:
                    row.addLayout(part, stretch)
        grid.addLayout(top_row, 0, 0)
        grid.addLayout(bottom_row, 1, 0)
        grid.setRowStretch(0, 12)
        grid.setRowStretch(1, 9)

    # --- drawing a board ----------------------------------------------------------------------

    def show_board(self, board: BoardState) -> None:
        self.board = board
        stale = not board.connected
        p = palette(self.high_contrast, stale)
        if p is not self.palette_ or not self.styleSheet():
            self.palette_ = p
            self.setStyleSheet(_style(p))
            self.call.set_palette(p)
            self.recent.set_line(p.line)
        h = texts.headings(board)
        self.banner.setText(texts.banner(board))
        self.banner.setVisible(stale)
        self.office.setText(board.office_name)
        self.date.setText(texts.date_text(board))
        self.date.setMinimumWidth(
            QFontMetrics(self.date.font()).horizontalAdvance(self.date.text()) + 4
        )
        current = board.current
        key = current.key if current else None
        fresh = board.connected and key is not None and key != self._highlight_key
        if board.connected:
            self._highlight_key = key
        self.call.show_call(current, texts.no_call(board), h["current"], highlight=fresh)
        self.recent_title.setText(h["recent"])
        self.recent.show_calls(board.recent[1:])
        self.waiting_title.setText(h["waiting"])
        self.waiting.set_rows((h["service"], h["people"], h["estimate"]),
                              [(s.name, texts.people(s), texts.wait_text(board, s))
                               for s in board.services])  # fmt: skip
        self._pages(board, h)
        self._show_clock(board.now)
        self._pending_seq = board.seq
        layout = self.layout()
        if layout is not None:
            self._band.activate()
            layout.activate()  # new texts get their room now, before the next paint
        self.update()

    def _pages(self, board: BoardState, h: dict[str, str]) -> None:
        """Rebuilt only when their content changed, so pages (if any) keep turning steadily."""
        key = (board.lang, board.hours_today, board.channels, board.quieter, board.quieter_source,
               tuple(board.week_hours.items()), self.palette_.name)  # fmt: skip
        if key == self._pages_key:
            return
        self._pages_key = key
        _ = texts.tr(board)
        self.chart_title.setText(h["quieter"])
        days = [(d, _(texts.DAY_SHORT[d])) for d in texts.chart_days(board.week_hours,
                                                                       board.quieter)]  # fmt: skip
        self.chart.set_data(days, board.week_hours, board.quieter,
                            (_("Quieter"), _("Open"), _("Closed")),
                            texts.quieter_description(board), self.palette_)  # fmt: skip
        blocks: list[Block] = [[("title", h["hours"])]
                               + [("text", line) for line in texts.hours_today(board)]]  # fmt: skip
        self.quieter_text.setText("\n".join(texts.quieter_lines(board)))
        # Nothing known yet (not enough history, none declared): a chart of the opening hours
        # alone would read as "never quieter"; the sentence saying so takes its place.
        unknown = board.quieter_source == "none" and not board.quieter
        self.chart.setVisible(not unknown)
        self.quieter_text.setVisible(self.portrait or unknown)
        channels = texts.channels(board)
        if channels:
            blocks.append([("title", h["channels"])]
                          + [("text", breakable(c)) for c in channels])  # fmt: skip
        self.pager.set_content(blocks, [])

    def settle(self) -> bool:
        """Run the pending layout work (the waiting table's re-fit after a layout pass) until the
        board stops moving, before a screenshot or a test looks at it. False if it never did."""
        for _ in range(10):
            before = self.waiting.fit_state()
            QCoreApplication.sendPostedEvents()
            QCoreApplication.processEvents()
            if self.waiting.fit_state() == before:
                return True
        return False

    def paged(self) -> bool:
        """True when some information turns in pages (it does not fit at these settings)."""
        return self.pager.count() > 1 or self.waiting.pages() > 1

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self._warn_if_paged)

    def _warn_if_paged(self) -> None:
        if self.board is not None and self.paged() and not self._warned:
            self._warned = True
            log.warning(
                "the board's information does not fit at these distances: it turns in "
                "pages (try a larger --info-distance-m budget or a larger screen)"
            )

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
        QLabel#title, QLabel#heading {{ color: {p.muted}; }}
        QWidget#bandRow {{ background: {p.band_bg}; }}
        QLabel#band {{ color: {p.band_text}; }}
        QLabel#recentLabel {{ color: {p.text}; }}
        QLabel#recentCounter {{ color: {p.muted}; }}
    """


def _column(title: QWidget, body: QWidget) -> QVBoxLayout:
    col = QVBoxLayout()
    col.setSpacing(0)
    col.addWidget(title)
    col.addWidget(body, 1)
    return col
