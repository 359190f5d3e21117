"""Small widgets of the kiosk: a big button whose label wraps, a QR code picture, labels and
the message box, and the check that no label was given less room than its text needs."""

from __future__ import annotations

import qrcode
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.screens import Button


class KButton(QPushButton):
    """A QPushButton drawn with labels inside, so long labels wrap instead of being cut.

    `button_id` is the intent it emits; its accessible name is its whole text (K1 for screen
    readers too)."""

    def __init__(self, button: Button, height: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.button_id = button.id
        self.setObjectName(button.kind)
        self.setProperty("selected", button.selected)
        self.setProperty("short", len(button.label) <= 2)
        self.setEnabled(button.enabled)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumHeight(height)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        self.setAccessibleName(
            f"{button.label}. {button.detail}" if button.detail else button.label
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 8, 16, 8)
        layout.setSpacing(2)
        wrap = button.kind not in ("lang", "tool", "key")  # short labels: never cut in two
        self.labels = [self._label(button.label, "label", wrap)]
        if button.selected:  # a check mark, not only a colour, says which language is in use
            row = QHBoxLayout()
            row.addStretch(1)
            mark = self._label("✓", "label", False)
            mark.setProperty("decorative", True)
            row.addWidget(mark)
            row.addWidget(self.labels[0])
            row.addStretch(1)
            layout.addLayout(row)
        else:
            layout.addWidget(self.labels[0])
        if button.detail:
            self.labels.append(self._label(button.detail, "detail", True))
            layout.addWidget(self.labels[-1])

    def _label(self, text: str, name: str, wrap: bool) -> QLabel:
        label = QLabel(text, self)
        label.setObjectName(name)
        label.setWordWrap(wrap)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        return label

    def sizeHint(self):  # type: ignore[no-untyped-def]  # Qt's signature
        hint = self.layout().sizeHint()
        hint.setHeight(max(hint.height(), self.minimumHeight()))
        return hint


def qr_pixmap(data: str, size: int) -> QPixmap:
    """The QR code of `data`, black on white with its quiet zone, scaled without blurring."""
    code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    n = len(matrix)
    image = QImage(n, n, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    black = QColor("black").rgb()
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                image.setPixel(x, y, black)
    side = max(n, size // n * n)
    return QPixmap.fromImage(
        image.scaled(side, side, mode=Qt.TransformationMode.FastTransformation)
    )


def clipped_labels(page: QWidget) -> list[QLabel]:
    """The visible labels of `page` whose text needs more room than they were given."""
    out = []
    for label in page.findChildren(QLabel):
        if label.isHidden() or not label.text() or isinstance(label.parentWidget(), KButton):
            continue
        if label.wordWrap():
            short = label.height() < label.heightForWidth(label.width())
        else:
            hint = label.sizeHint()
            short = label.height() < hint.height() or label.width() < hint.width()
        if short:
            out.append(label)
    return out


def error_box(text: str, parent: QWidget) -> QFrame:
    box = QFrame(parent)
    box.setObjectName("error")
    row = QHBoxLayout(box)
    icon = label("⚠", "icon", box)  # the sign says "attention" without colour (K8)
    icon.setProperty("decorative", True)
    row.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
    row.addWidget(label(text, "errortext", box), 1)
    return box


def label(text: str, name: str, parent: QWidget, center: bool = False) -> QLabel:
    widget = QLabel(text, parent)
    widget.setObjectName(name)
    widget.setWordWrap(True)
    widget.setTextFormat(Qt.TextFormat.PlainText)
    if center:
        widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return widget
