"""The kiosk's full-screen window: draws a ScreenView, emits intents. No decisions here.

Keys (a keyboard or a tactile keypad, K3): arrows move the focus (a thick ring), Enter or
Space activates, Escape goes back, F1 / "*" / Help starts speech mode (or repeats once it is
on); on the phone keypad screen, digits, "+" and Backspace type. The focus order is the
ScreenView's order (keypad, choices and actions, languages, tools), which speech also uses.

Layout: a band at the top; the screen's texts; the controls. In reach mode (K4) the controls,
the languages and the tools all sit in the lower `theme.REACH_FRACTION` of the window.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QVBoxLayout,
    QWidget,
)

from kiosk import theme
from kiosk.flow import Access
from kiosk.screens import Button, ScreenView
from kiosk.style import stylesheet as _style
from kiosk.widgets import KButton, clipped_labels, qr_pixmap
from kiosk.widgets import error_box as _error_box
from kiosk.widgets import label as _label

_SHRINK = (1.0, 0.92, 0.85, 0.78, 0.72, 0.66, 0.6, 0.55)
_NEXT = (Qt.Key.Key_Down, Qt.Key.Key_Right, Qt.Key.Key_Tab)
_PREV = (Qt.Key.Key_Up, Qt.Key.Key_Left, Qt.Key.Key_Backtab)
_ACTIVATE = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space, Qt.Key.Key_Select)
_HELP = (Qt.Key.Key_F1, Qt.Key.Key_Asterisk, Qt.Key.Key_Help)


class KioskWindow(QWidget):
    intent = Signal(str)  # a button id: "take", "service:A", "back", "help", …
    focusMoved = Signal(str)  # the id of the control the keyboard moved to (speech reads it)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kiosk")
        self.setWindowTitle("Montour")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self._root = QVBoxLayout(self)
        self._root.setContentsMargins(0, 0, 0, 0)
        # The window keeps the screen's size; content is made to fit (see render), never the
        # window grown past the screen.
        self._root.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self._page: QWidget | None = None
        self._view: ScreenView | None = None
        self._access = Access()
        self.buttons: dict[str, KButton] = {}
        self._order: list[str] = []
        self.focus_id = ""
        # The focus ring shows once a key was used (or in speech mode): on a touchscreen a ring
        # on the first button would read as "already chosen".
        self.keyboard = False

    # --- rendering ------------------------------------------------------------------------------

    def render(self, view: ScreenView, access: Access) -> None:
        same_screen = self._view is not None and self._view.screen == view.screen
        self._view, self._access = view, access
        keep = self.focus_id if same_screen else ""
        self.setLayoutDirection(
            Qt.LayoutDirection.RightToLeft if view.rtl else Qt.LayoutDirection.LeftToRight
        )
        portrait = self.height() >= self.width()
        pal = theme.palette(access.high_contrast)
        for shrink in _SHRINK:  # a crowded screen gets smaller type and pictures until it fits
            size = theme.sizes(min(self.width(), self.height()), access.large_text, shrink)
            style = _style(pal, size)
            if style != self.styleSheet():  # restyling is the costly part of a redraw
                self.setStyleSheet(style)
            if self._page is not None:
                # Out of the window at once: a page waiting for deleteLater would still be
                # restyled and found among the window's children.
                self._root.removeWidget(self._page)
                self._page.hide()
                self._page.setParent(None)
                self._page.deleteLater()
            self.buttons, self._order = {}, []
            self._page = self._build(view, access, size, portrait)
            self._root.addWidget(self._page)
            self._page.show()  # a child added to a visible window is shown only when asked
            if self._fits(self._page):
                break
        self._order = [b.id for b in view.controls() if b.id in self.buttons]
        enabled = [i for i in self._order if self.buttons[i].isEnabled()]
        main = [b.id for b in view.buttons if b.id in enabled]
        self._set_focus(keep if keep in enabled else (main or enabled or [""])[0], announce=False)

    def _fits(self, page: QWidget) -> bool:
        layout = page.layout()
        layout.activate()
        w, h = self.width(), self.height()
        need = layout.totalHeightForWidth(w) if layout.hasHeightForWidth() else 0
        need = max(need, layout.totalMinimumSize().height())
        if need > h or layout.totalMinimumSize().width() > w:
            return False
        # Nested rows and columns of wrapped labels can report a fit while a label gets less
        # height than its text needs (its last line cut): lay the page out and ask each label.
        self._root.activate()
        layout.activate()
        return not clipped_labels(page)

    def _build(self, v: ScreenView, access: Access, size: theme.Sizes, portrait: bool) -> QWidget:
        """Portrait: texts, then controls. Landscape: the screen's head (title, number, QR) on
        the left, its information on the right with the controls under it. Reach mode: the
        same texts on top, and every control across the lower part."""
        page = QWidget(self)
        col = QVBoxLayout(page)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(0)
        band = QFrame(page)
        band.setObjectName("band")
        # The office's name on the start side, languages and tools on the other; on a portrait
        # screen the name has a line of its own above them (beside them it would wrap).
        band_col = QVBoxLayout(band)
        top = size.margin * 2 // 3 if portrait else size.spacing
        band_col.setContentsMargins(size.margin, top, size.margin, size.spacing)
        band_col.setSpacing(size.spacing // 2)
        band_row = QHBoxLayout()
        band_row.setSpacing(size.spacing)
        header = _label(v.header, "header", band) if v.header else None
        if header is not None and v.rtl:  # a Latin name would align by its own direction
            header.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignAbsolute
                                | Qt.AlignmentFlag.AlignVCenter)  # fmt: skip
        if header is not None and (portrait or access.reach):
            band_col.addWidget(header)
        elif header is not None:
            band_row.addWidget(header, 1)
        if header is None or portrait or access.reach:
            band_row.addStretch(1)
        band_col.addLayout(band_row)
        col.addWidget(band)

        body = QFrame(page)
        body.setObjectName("panel" if v.warning else "body")
        grid = QGridLayout(body)
        grid.setContentsMargins(size.margin, size.margin, size.margin, size.margin)
        grid.setHorizontalSpacing(size.margin)
        grid.setVerticalSpacing(size.spacing)
        # Landscape reach with much to read: the texts keep the whole height on the left, the
        # controls sit in the lower part of a right-hand column.
        side = access.reach and not portrait and len(v.lines) > 8
        column = self.width() - 2 * size.margin
        if not portrait:
            column = (column - size.margin) * (6 if side else 4) // 9
        lines = self._lines(v, body, size)
        # Landscape reach with little to read (the keypad, now at the bottom): the message goes
        # to the roomier column on the right.
        error_right = (access.reach and not portrait and not side and bool(v.error)
                       and not v.qr and len(v.lines) <= 4)  # fmt: skip
        if error_right:
            lines.insertWidget(0, _error_box(v.error, body))
        head = QVBoxLayout() if side else self._head(v, body, size, column, error=not error_right)
        controls = QWidget(page)
        ctl = QVBoxLayout(controls)
        ctl.setContentsMargins(size.margin, 0, size.margin, size.margin)
        ctl.setSpacing(size.spacing)
        wide_reach = access.reach and not portrait
        grids = (6, 4) if wide_reach else (3, 2 if access.reach else 1)
        # In reach mode two actions share one row ([Print again][Finish]): the lower part of
        # the screen is for controls, the upper part keeps room for what the visitor reads.
        actions = [b for b in v.buttons if b.kind != "choice"]
        one_row = wide_reach or (access.reach and len(actions) == 2)
        self._controls(v, ctl, controls, size, grids, one_row=one_row)
        bar = [*v.languages, *v.tools]
        if side:
            # The long information keeps the whole height on the left; the on-screen ticket
            # (number, QR, what to do) sits above the controls on the right.
            grid.addWidget(_label(v.title, "title", body), 0, 0)
            grid.addLayout(lines, 1, 0)
            grid.setRowStretch(2, 1)
            self._bar(bar, ctl, controls, size, 2)
            controls.setMaximumHeight(int(self.height() * theme.REACH_FRACTION))
            right = QVBoxLayout()
            right.setContentsMargins(size.margin, size.margin, size.margin, 0)
            narrow = (self.width() - 3 * size.margin) // 3
            right.addLayout(self._head(v, page, size, narrow, title=False))
            right.addStretch(1)
            right.addWidget(controls)
            columns = QHBoxLayout()
            columns.addWidget(body, 2)
            columns.addLayout(right, 1)
            col.addLayout(columns, 1)
            return page
        if portrait:
            grid.addLayout(head, 0, 0)
            grid.addLayout(lines, 1, 0)
        else:
            # No cell alignment: an aligned cell gets its size hint, which ignores how tall
            # its wrapped labels are at the column's width (a title lost its last line).
            grid.addLayout(head, 0, 0)
            grid.addLayout(lines, 0, 1)
            grid.setColumnStretch(0, 4)
            grid.setColumnStretch(1, 5)
        if access.reach:
            self._bar(bar, ctl, controls, size, len(bar) if not portrait else len(v.languages))
            col.addWidget(body)
            col.addStretch(1)
            controls.setMaximumHeight(int(self.height() * theme.REACH_FRACTION))
            col.addWidget(controls)
            return page
        for b in bar:
            band_row.addWidget(self._button(b, band, size.lang_h))
        if portrait:
            # A short screen sits in the upper middle rather than against the band.
            col.addStretch(1)
            col.addWidget(body)
            col.addWidget(controls)
            col.addStretch(3)
            return page
        # The controls go under the shorter column: the information when there is little of it
        # (services, keypad), else the title (confirm, the ticket's summary).
        ctl.setContentsMargins(0, 0, 0, 0)
        under = head if len(v.lines) > 4 else lines
        under.addSpacing(size.spacing)
        under.addWidget(controls)
        head.addStretch(1)
        lines.addStretch(1)
        col.addWidget(body)
        col.addStretch(1)
        return page

    def _bar(
        self, bar: list[Button], ctl: QVBoxLayout, parent: QWidget, size: theme.Sizes, per_row: int
    ) -> None:
        grid = QGridLayout()
        grid.setSpacing(size.spacing)
        per_row = max(per_row, 2)
        for i, b in enumerate(bar):
            grid.addWidget(self._button(b, parent, size.lang_h), i // per_row, i % per_row)
        ctl.addLayout(grid)

    def _head(
        self, v: ScreenView, parent: QWidget, size: theme.Sizes, width: int, title: bool = True,
        error: bool = True,
    ) -> QVBoxLayout:  # fmt: skip
        head = QVBoxLayout()
        head.setSpacing(size.spacing)
        if title:
            head.addWidget(_label(v.title, "title", parent))
        row = QHBoxLayout()  # the number and its QR side by side: the on-screen ticket
        row.setSpacing(size.margin)
        if v.big:
            big = _label(v.big, "big", parent, center=True)
            big.setWordWrap(False)  # a number is never cut in two: its type is made to fit
            room = width - (size.qr + size.margin if v.qr else 0)
            px = min(size.big, int(room / (0.66 * max(len(v.big), 3))))
            big.setStyleSheet(f"font-size: {px}px;")
            row.addWidget(big, 1)
        if v.qr:
            qr = QLabel(parent)
            qr.setObjectName("qr")
            qr.setPixmap(qr_pixmap(v.qr, size.qr))
            qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
            qr.setAccessibleName(v.error)
            row.addWidget(qr, 0)
        if v.big or v.qr:
            head.addLayout(row)
        if v.error and error:
            head.addWidget(_error_box(v.error, parent))
        return head

    def _lines(self, v: ScreenView, parent: QWidget, size: theme.Sizes) -> QVBoxLayout:
        lines = QVBoxLayout()
        lines.setSpacing(max(6, size.spacing // 2))
        for line in v.lines:
            lines.addWidget(_label(line, "line", parent))
        return lines

    def _controls(
        self, v: ScreenView, ctl: QVBoxLayout, parent: QWidget, size: theme.Sizes,
        grids: tuple[int, int], one_row: bool,
    ) -> None:  # fmt: skip
        if v.keypad:
            grid = QGridLayout()
            grid.setSpacing(size.spacing)
            cols = grids[0]
            for i, b in enumerate(v.keypad):
                grid.addWidget(self._button(b, parent, size.key_h), i // cols, i % cols)
            ctl.addLayout(grid)
        choices = [b for b in v.buttons if b.kind == "choice"]
        if choices:
            grid = QGridLayout()
            grid.setSpacing(size.spacing)
            cols = grids[1]
            for i, b in enumerate(choices):
                grid.addWidget(self._button(b, parent, size.choice_h), i // cols, i % cols)
            ctl.addLayout(grid)
        # Consecutive buttons of one kind share a row: [Yes][No], [Call back][Back].
        row: QHBoxLayout | None = None
        last = ""
        for b in (b for b in v.buttons if b.kind != "choice"):
            if row is None or (b.kind != last and not one_row):
                row = QHBoxLayout()
                row.setSpacing(size.spacing)
                ctl.addLayout(row)
            hero = len(v.buttons) == 1 and v.screen == "welcome"  # the one thing to do here
            w = self._button(b, parent, size.button_h * (2 if hero else 1))
            w.setProperty("hero", hero)
            row.addWidget(w)
            last = b.kind

    def _button(self, b: Button, parent: QWidget, height: int) -> KButton:
        w = KButton(b, height, parent)
        w.clicked.connect(lambda _=False, bid=b.id: self.intent.emit(bid))
        w.installEventFilter(self)
        self.buttons[b.id] = w
        return w

    # --- focus and keys -------------------------------------------------------------------------

    def _set_focus(self, button_id: str, announce: bool) -> None:
        old = self.buttons.get(self.focus_id)
        if old is not None and self.focus_id != button_id:
            old.setProperty("kfocus", False)
            old.style().polish(old)
        self.focus_id = button_id
        new = self.buttons.get(button_id)
        if new is None:
            self.setFocus()
            return
        new.setProperty("kfocus", self.keyboard or self._access.speech)
        new.style().polish(new)
        new.setFocus(Qt.FocusReason.OtherFocusReason)
        if announce:
            self.focusMoved.emit(button_id)

    def move_focus(self, step: int) -> None:
        enabled = [i for i in self._order if self.buttons[i].isEnabled()]
        if not enabled:
            return
        at = enabled.index(self.focus_id) if self.focus_id in enabled else -step
        self._set_focus(enabled[(at + step) % len(enabled)], announce=True)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.FocusIn
            and isinstance(watched, KButton)
            and watched.button_id != self.focus_id
            and watched.button_id in self.buttons
        ):
            self._set_focus(watched.button_id, announce=True)
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            return self._key(event)
        return False

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self._key(event):
            super().keyPressEvent(event)

    def _key(self, event: QKeyEvent) -> bool:
        key, text = event.key(), event.text()
        if not self.keyboard:
            self.keyboard = True
            self._set_focus(self.focus_id, announce=False)
        rtl = self._view is not None and self._view.rtl
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right) and rtl:  # left is "next" in Arabic
            self.move_focus(1 if key == Qt.Key.Key_Left else -1)
        elif key in _NEXT:
            self.move_focus(1)
        elif key in _PREV:
            self.move_focus(-1)
        elif key in _ACTIVATE:
            button = self.buttons.get(self.focus_id)
            if button is not None and button.isEnabled():
                button.click()
        elif key == Qt.Key.Key_Escape:
            self.intent.emit("back")
        elif key in _HELP:
            self.intent.emit("help")
        elif self._view is not None and self._view.keypad and (text.isdigit() or text == "+"):
            self.intent.emit(f"digit:{text}")
        elif self._view is not None and self._view.keypad and key == Qt.Key.Key_Backspace:
            self.intent.emit("erase")
        else:
            return False
        return True

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._view is not None and event.oldSize() != event.size():
            self.render(self._view, self._access)
