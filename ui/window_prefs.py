"""How the window looks and where the reader left it: theme, layout, zoom, word highlighting, the
library sidebar, the window's place and each document's scroll position.

Everything here is a setting in the library's database (``ui.*``); ``MainWindow.set_setting``
decides whether it may be written (not for a read-only library, not for a screenshot window).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import QApplication

from ui import theme
from ui.reader_view import INTERLEAVED, SIDE_BY_SIDE

if TYPE_CHECKING:
    from ui.main_window import MainWindow

WORD_HIGHLIGHT_SETTING = "ui.word_highlight"
WORD_HIGHLIGHT_SHORTCUT = "Ctrl+Shift+H"
LIBRARY_SHORTCUT = "Ctrl+B"
LIBRARY_SETTING = "ui.library"  # {"width": pixels, "visible": bool}
LIBRARY_WIDTH = 290  # default sidebar width: a 40-character title fits on its two lines
LIBRARY_WIDTH_RANGE = (180, 900)


class Preferences:
    """The window's appearance and remembered state, applied to its widgets and saved."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.theme = "system"
        self.library_width = LIBRARY_WIDTH

    def restore(self) -> None:
        w = self.window
        name = w.setting("ui.theme", "system")
        self.set_theme(name if name in theme.THEMES else "system", save=False)
        self.set_layout_mode(w.setting("ui.layout", SIDE_BY_SIDE), save=False)
        self.set_word_highlighting(bool(w.setting(WORD_HIGHLIGHT_SETTING, True)), save=False)
        w.view.set_zoom(int(w.setting("ui.zoom", 0) or 0))
        self._restore_geometry(w.setting("ui.window"))
        self._restore_library(w.setting(LIBRARY_SETTING))

    def _restore_library(self, saved: object) -> None:
        """The sidebar's width and whether it was hidden, as the user left them."""
        w = self.window
        width, visible = LIBRARY_WIDTH, True
        if isinstance(saved, dict):
            try:
                width = int(saved.get("width", LIBRARY_WIDTH))
            except (TypeError, ValueError):
                width = LIBRARY_WIDTH
            visible = bool(saved.get("visible", True))
        self.library_width = min(max(width, LIBRARY_WIDTH_RANGE[0]), LIBRARY_WIDTH_RANGE[1])
        w.splitter.setSizes([self.library_width, max(w.width() - self.library_width, 1)])
        w.library.setVisible(visible)  # not shown yet: the splitter's sizes are not the user's
        w.library_action.setChecked(visible)

    def _restore_geometry(self, saved: object) -> None:
        """Size and place as last time; a position off every screen (a monitor gone) is dropped."""
        w = self.window
        try:
            x, y, width, height, maximized = saved
        except (TypeError, ValueError):
            w.resize(1400, 900)
            return
        w.resize(max(400, int(width)), max(300, int(height)))
        if QGuiApplication.screenAt(QPoint(int(x) + 40, int(y) + 40)) is not None:
            w.move(int(x), int(y))
        if maximized:
            w.setWindowState(w.windowState() | Qt.WindowState.WindowMaximized)

    def save_state(self) -> None:
        w = self.window
        g = w.normalGeometry() if w.isMaximized() else w.geometry()
        frame = w.frameGeometry()
        w.set_setting("ui.window", [frame.x(), frame.y(), g.width(), g.height(), w.isMaximized()])
        self.save_library()
        self.save_scroll()

    def save_scroll(self) -> None:
        w = self.window
        if w.doc_id is not None and w.view.content() is not None:
            row, frac = w.view.scroll_anchor()
            w.set_setting(f"ui.scroll.{w.doc_id}", [row, round(frac, 4)])

    # ----------------------------------------------------------------- appearance

    def set_theme(self, name: str, save: bool = True) -> None:
        w = self.window
        self.theme = name
        dark = theme.is_dark(name)
        app = QGuiApplication.instance()
        if isinstance(app, QApplication):
            theme.apply_app_palette(app, dark)
        colors = theme.colors_for(name)
        w.view.set_colors(colors)
        w.words.set_colors(colors)
        w.header.apply_colors(colors)
        self._style_placeholder(colors)
        w.banners.dark = dark
        if name in w.theme_actions:
            w.theme_actions[name].setChecked(True)
        if save:
            w.set_setting("ui.theme", name)

    def _style_placeholder(self, colors: theme.ReaderColors) -> None:
        """Explicit colours: a stylesheet's palette(...) is resolved once, so after a theme change
        it kept the light theme's grey, unreadable on the dark background."""
        text = QColor(colors.text)
        bg = colors.background
        # Softer than body text, still well above 4.5:1 contrast on either theme.
        mixed = QColor(
            round(text.red() * 0.75 + bg.red() * 0.25),
            round(text.green() * 0.75 + bg.green() * 0.25),
            round(text.blue() * 0.75 + bg.blue() * 0.25),
        )
        self.window.placeholder.setStyleSheet(
            f"QLabel#placeholder {{ color: {mixed.name()}; background: {bg.name()}; font-size: 13pt; }}"
        )

    def set_layout_mode(self, mode: str, save: bool = True) -> None:
        w = self.window
        if mode not in (SIDE_BY_SIDE, INTERLEAVED):
            mode = SIDE_BY_SIDE
        w.view.set_layout_mode(mode)
        (w.side_by_side_action if mode == SIDE_BY_SIDE else w.interleaved_action).setChecked(True)
        w.header.relayout()
        w.words.follow()
        if save:
            w.set_setting("ui.layout", mode)

    def set_zoom(self, zoom: int) -> None:
        w = self.window
        w.view.set_zoom(zoom)
        w.header.relayout()
        w.words.follow()
        w.set_setting("ui.zoom", w.view.zoom())

    def set_word_highlighting(self, on: bool, save: bool = True) -> None:
        """Word hover highlighting and click-to-look-up on or off (sentence hover stays)."""
        w = self.window
        w.words.set_enabled(on)
        w.word_highlight_action.setChecked(on)
        if save:
            w.set_setting(WORD_HIGHLIGHT_SETTING, on)
            w.statusBar().showMessage(
                "Word highlighting is on: hover a word, click a Dutch word to look it up."
                if on
                else f"Word highlighting is off ({WORD_HIGHLIGHT_SHORTCUT} turns it back on).",
                5000,
            )

    # ----------------------------------------------------------------- the library sidebar

    def library_visible(self) -> bool:
        return not self.window.library.isHidden()

    def set_library_visible(self, on: bool, save: bool = True) -> None:
        """Collapse or expand the sidebar (Ctrl+B); it comes back at the width it had."""
        w = self.window
        if not on:
            self.remember_library_width()
            if w.library.isAncestorOf(QApplication.focusWidget()):
                w.view.setFocus()
        w.library.setVisible(on)
        if on:
            w.splitter.refresh()  # take the shown sidebar into account now, not at the next layout
            total = sum(w.splitter.sizes()) or w.width()
            w.splitter.setSizes([self.library_width, max(total - self.library_width, 1)])
        w.library_action.setChecked(on)
        if save:
            self.save_library()

    def remember_library_width(self) -> None:
        w = self.window
        width = w.splitter.sizes()[0]
        if not w.library.isHidden() and width > 0:
            self.library_width = width

    def save_library(self) -> None:
        self.remember_library_width()
        self.window.set_setting(
            LIBRARY_SETTING, {"width": self.library_width, "visible": self.library_visible()}
        )
