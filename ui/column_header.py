"""The strip over the reading surface: "Nederlands" over the Dutch column, "English" over the
other, and the test-model badge, aligned to the view's columns as they move."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from ui import theme
from ui.reader_view import SIDE_BY_SIDE, ReaderView

TEST_BADGE_TEXT = "TEST MODEL: output is not a translation"
TEST_BADGE_SHORT = "TEST MODEL"
TEST_BADGE_TOOLTIP = (
    "A test model is installed: its output is gibberish, not a translation. "
    "Install the real Dutch → English model from the Model menu."
)
BADGE_MARGIN = 8  # pixels between the header's badge and the window's edge


class ColumnHeader(QWidget):
    """'Nederlands' over the Dutch column and 'English' (with the test-model badge) over the other."""

    def __init__(self, view: ReaderView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.nl = QLabel("Nederlands", self)
        self.en = QLabel("English · machine translation", self)
        self.badge = QLabel(TEST_BADGE_TEXT, self)
        self.badge.setObjectName("testBadge")
        self.badge.setToolTip(TEST_BADGE_TOOLTIP)
        self.badge.hide()
        for label in (self.nl, self.en):
            label.setObjectName("columnLabel")
        self.setFixedHeight(34)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)

    def set_test_model(self, on: bool) -> None:
        self.badge.setVisible(on)
        self.relayout()

    def apply_colors(self, colors: theme.ReaderColors) -> None:
        self.setStyleSheet(
            f"ColumnHeader {{ background: {colors.background.name()};"
            f" border-bottom: 1px solid {colors.divider.name()}; }}"
            f" QLabel#columnLabel {{ color: {colors.muted.name()}; font-size: 9pt;"
            " letter-spacing: 1px; font-weight: 600; }"
            f" QLabel#testBadge {{ background: {colors.badge_bg.name()};"
            f" color: {colors.badge_text.name()}; border-radius: 4px; padding: 2px 8px;"
            " font-size: 9pt; font-weight: bold; }"
        )
        pal = self.palette()
        pal.setColor(self.backgroundRole(), colors.background)
        self.setPalette(pal)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.relayout()

    def relayout(self) -> None:
        cols = self.view.columns()
        for label in (self.nl, self.en, self.badge):
            label.adjustSize()
        h = self.height()
        x0 = int(cols[0][0])
        if self.view.layout_mode() == SIDE_BY_SIDE:
            self.nl.setText("NEDERLANDS")
            self.en.setText("ENGLISH" if self.badge.isVisibleTo(self) else "ENGLISH · MACHINE TRANSLATION")
            self.en.adjustSize()
            self.en.show()
            x1 = int(cols[1][0])
        else:
            self.nl.setText("NEDERLANDS · ENGLISH")
            self.en.hide()
            x1 = x0 + self.nl.sizeHint().width() + 16
        self.nl.adjustSize()
        self.nl.move(x0, (h - self.nl.height()) // 2)
        self.en.move(x1, (h - self.en.height()) // 2)
        bx = x1 + (self.en.width() + 12 if self.en.isVisible() else 0)
        self._fit_badge(self.width() - bx - BADGE_MARGIN)
        self.badge.move(bx, (h - self.badge.height()) // 2)

    def _fit_badge(self, room: int) -> None:
        """The full warning when it fits, else "TEST MODEL" (elided if need be); the tooltip
        always has the whole sentence."""
        for text in (TEST_BADGE_TEXT, TEST_BADGE_SHORT):
            self.badge.setText(text)
            self.badge.adjustSize()
            if self.badge.width() <= room:
                return
        padding = self.badge.width() - self.badge.fontMetrics().horizontalAdvance(TEST_BADGE_SHORT)
        elided = self.badge.fontMetrics().elidedText(
            TEST_BADGE_SHORT, Qt.TextElideMode.ElideRight, max(0, room - padding)
        )
        self.badge.setText(elided or "TEST")
        self.badge.adjustSize()
