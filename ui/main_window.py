"""The main window: library sidebar, banners, the reader view, menus and the status bar.

Everything that takes time (loading the engine, translating, importing, downloading a model) runs
through one ``TaskRunner``; callbacks arrive on the GUI thread.  Workers open their own database
connection (``store.open_db()``): SQLite connections belong to one thread.
"""

from __future__ import annotations

import gc
import threading
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QColor, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from reader import store
from reader.errors import DictionaryError, ModelError, ReaderError, StoreError
from ui import theme
from ui.alternatives import AlternativesDialog
from ui.banner import BannerArea
from ui.library import LibraryView
from ui.reader_view import EN, INTERLEAVED, NL, SIDE_BY_SIDE, DocumentContent, ReaderView
from ui.tasks import Task, TaskContext, TaskRunner
from ui.words import DICTIONARY_SETTING, WordTools

FROM, TO = "nl", "en"
MODEL_BANNER = "model"
ERROR_BANNER = "error"
READ_ONLY_BANNER = "read-only"
READ_ONLY_TEXT = (
    "This library is read-only: changes cannot be saved. You can read and export; sentences "
    "without a translation are translated for this session only."
)
READ_ONLY_REFUSAL = "This library is read-only: {what} cannot be saved. Open a library you can write to."
TRANSLATE_REST = "Translate the rest"
TEST_BADGE_TEXT = "TEST MODEL: output is not a translation"
TEST_BADGE_SHORT = "TEST MODEL"
TEST_BADGE_TOOLTIP = (
    "A test model is installed: its output is gibberish, not a translation. "
    "Install the real Dutch → English model from the Model menu."
)
BADGE_MARGIN = 8  # pixels between the header's badge and the window's edge
TEXT_FILTER = "Text files (*.txt *.text *.md);;All files (*)"
DICTIONARY_FILTER = "dictd dictionaries (*.index *.dict.dz *.dict);;All files (*)"
WORD_HIGHLIGHT_SETTING = "ui.word_highlight"
WORD_HIGHLIGHT_SHORTCUT = "Ctrl+Shift+H"
LOOK_UP_SHORTCUT = "D"
LIBRARY_SHORTCUT = "Ctrl+B"
LIBRARY_SETTING = "ui.library"  # {"width": pixels, "visible": bool}
LIBRARY_WIDTH = 290  # default sidebar width: a 40-character title fits on its two lines
LIBRARY_WIDTH_RANGE = (180, 900)
ALTERNATIVES = 5  # translations in the n-best list
REMOVED_MESSAGE = "The open document was removed from the library."
LIBRARY_REFRESH_MS = 500  # the open document's "Done" share, at most this often while translating
EXPORT_FILTERS = {  # save-dialog filter -> export format (reader.export.FORMATS)
    "Tab-separated values (*.tsv)": "tsv",
    "Markdown (*.md)": "md",
    "Plain text (*.txt)": "txt",
    "JSON (*.json)": "json",
}
EXPORT_SUFFIXES = {"tsv": ".tsv", "md": ".md", "txt": ".txt", "json": ".json"}
TEST_MODEL_EXPORT_NOTE = "the English is a TEST MODEL's gibberish, not a translation"
REPLACE_EDIT, KEEP_EDIT = "replace", "keep"
OFFLINE_GUI_TEXT = (
    "{what}: check your internet connection, or use Install from file… with a "
    "translate-nl_en .argosmodel downloaded elsewhere."
)


def plural(n: int, word: str) -> str:
    """ "1 sentence", "2 sentences": status messages count things."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def translation_summary(stats: Any) -> str:
    """What opening a document did, unambiguously: how many came from the cache, how many were new."""
    total = getattr(stats, "total", stats.cached + stats.translated)
    if not stats.cached:
        return f"Translated {plural(stats.translated, 'sentence')}."
    if not stats.translated:
        return f"{plural(total, 'sentence')}, all from the cache."
    return f"{plural(total, 'sentence')}: {stats.cached} from the cache, {stats.translated} translated."


def installed_message(package: Any) -> str:
    version = getattr(package, "package_version", None)
    message = f"Installed Dutch → English model ({version})" if version else "Installed Dutch → English model"
    replaced = getattr(package, "replaces", None)  # set by models.packages.install_file
    return f"{message}, replacing {', '.join(replaced)}." if replaced else f"{message}."


def export_format(path: str | Path, chosen_filter: str) -> str:
    """The export format: a known extension wins (the rule `bireader translate -o` follows too),
    else the save dialog's chosen filter."""
    from reader.export import format_for_path

    return format_for_path(path, default=EXPORT_FILTERS.get(chosen_filter, "tsv"))


def gui_model_error(err: BaseException) -> str:
    """A download failure in GUI words: no raw socket error, no command line to type."""
    text = str(err)
    if isinstance(err, ModelError) and text.startswith("Could not reach "):
        what = text.split(" (", 1)[0]
        return OFFLINE_GUI_TEXT.format(what=what)
    return text if isinstance(err, ReaderError) else f"The model could not be installed: {err!r}."


# --------------------------------------------------------------------------- engine access


class EngineHolder:
    """The translation engine, loaded once off the GUI thread and kept warm across documents."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._engine: Any = None

    def package(self) -> Any:
        """The installed nl→en package (raises ``ModelError`` when there is none)."""
        from models.packages import find_package

        return find_package(FROM, TO)

    def model_key(self) -> str:
        """The cache key of the current package, without loading the model."""
        engine = self._engine
        if engine is not None:
            return engine.model_key
        package = self.package()
        from models.engine import model_key_for

        return model_key_for(package)

    def loaded(self) -> bool:
        return self._engine is not None

    def get(self) -> Any:
        """The engine (worker thread only: loading takes a while for a real model)."""
        with self._lock:
            if self._engine is None:
                from models.engine import Engine

                self._engine = Engine(self.package())
            return self._engine

    def reset(self) -> None:
        """Forget the loaded engines (a package was installed or removed)."""
        with self._lock:
            self._engine = None


def is_test_package(package: Any) -> bool:
    try:
        from models.packages import is_test_package as check
    except ImportError:  # pragma: no cover - models.packages always has it per the contract
        return "test" in str(getattr(package, "package_path", ""))
    return bool(check(package))


def _retranslate_message(result: Any) -> str:
    """What a retranslation did, in the status bar: "retranslated" only when something changed."""
    if result.edit_replaced:
        return "Your version is replaced by the machine translation."
    if result.user_text is not None:
        if result.changed:
            return "Retranslated; your own version is still shown (Use Machine Translation shows it)."
        return "The model gives the same translation; your own version is still shown."
    return "Sentence retranslated." if result.changed else "The model gives the same translation."


_FROZEN = False


def _freeze_startup_objects() -> None:
    """Move what start-up made (modules, Qt wrappers: they live as long as the app) out of the
    cyclic garbage collector's sight, once. A full collection otherwise scans them all and pauses
    the GUI thread for ~25 ms, in the middle of a mouse move (bench/gui_hover.py). Objects are
    still freed by reference counting; only cycles among them are never collected."""
    global _FROZEN
    if not _FROZEN:
        _FROZEN = True
        gc.collect()
        gc.freeze()


# --------------------------------------------------------------------------- small widgets


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


# --------------------------------------------------------------------------- the window


class MainWindow(QMainWindow):
    document_opened = Signal(int)
    document_closed = Signal()
    translation_started = Signal(int)
    translation_ended = Signal(str)  # "done", "cancelled" or "failed"
    import_finished = Signal(object)  # document id, or the error
    model_installed = Signal()
    retranslated = Signal(int)
    exported = Signal(object)  # the written path, or the error

    def __init__(
        self, db_path: str | Path | None = None, *, remember_state: bool = True, read_only: bool | None = None
    ) -> None:
        super().__init__()
        self._db_path = db_path
        # False for `open --screenshot`: a picture must not change the user's saved window state.
        self.remember_state = remember_state
        self.db = store.open_db(db_path, read_only=read_only)
        # A library this user cannot write (or BIREADER_READ_ONLY=1): reading works, writing is off.
        self.read_only = store.is_read_only(self.db)
        self.runner = TaskRunner(self)
        self.engines = EngineHolder()
        self.doc_id: int | None = None
        self.translation_task: Task | None = None
        self.model_task: Task | None = None
        self._machine: dict[int, str] = {}
        self._pending_imports = 0
        self._closed = False
        self.last_error_dialog: QMessageBox | None = None
        self.alternatives_dialog: AlternativesDialog | None = None
        self.help_dialog: QDialog | None = None

        self.setWindowTitle("Bilingual Reader")
        self.setAcceptDrops(True)
        self._build_widgets()
        self._build_status_bar()
        self._build_menus()
        self._library_timer = QTimer(self, singleShot=True)
        self._library_timer.timeout.connect(self._show_library_progress)
        self._library_shown_at = 0.0
        self._save_scroll_timer = QTimer(self, singleShot=True, interval=800)
        self._save_scroll_timer.timeout.connect(self._save_scroll)
        self.view.scrolled.connect(self._save_scroll_timer.start)
        self._restore_preferences()
        self.refresh_library()
        if self.read_only:
            self._enter_read_only()
        _freeze_startup_objects()

    def _enter_read_only(self) -> None:
        """Say once that nothing is saved, and switch off what would only fail: adding, removing
        and editing. Reading, look-ups, export and (unsaved) translation stay."""
        self.banners.show_banner(READ_ONLY_BANNER, "warning", READ_ONLY_TEXT)
        writers = (self.open_action, self.paste_action, self.remove_action, self.choose_dictionary_action)
        for action in writers:
            action.setEnabled(False)
            action.setStatusTip("Not available: the library is read-only")
        self.library.set_removable(False)
        self.setAcceptDrops(False)

    # ----------------------------------------------------------------- construction

    def _build_widgets(self) -> None:
        self.library = LibraryView()
        self.library.document_activated.connect(self.open_document)
        self.library.remove_requested.connect(lambda doc_id: self.remove_document(doc_id))
        self.library.hide_requested.connect(lambda: self.set_library_visible(False))
        self.library.set_hide_shortcut(LIBRARY_SHORTCUT)
        self.library.setMinimumWidth(LIBRARY_WIDTH_RANGE[0])
        self._library_width = LIBRARY_WIDTH

        self.view = ReaderView()
        self.view.context_menu_requested.connect(self._sentence_menu)
        self.view.translation_edited.connect(self.save_user_translation)
        self.words = WordTools(
            self.view,
            self.engines,
            self._db_path,
            status=lambda text, ms: self.statusBar().showMessage(text, ms),
            engine_free=self._engine_free,
            is_test_model=lambda: self.test_badge.isVisibleTo(self),
            document_exists=self.check_document_still_exists,
            parent=self,
        )
        self.header = ColumnHeader(self.view)
        self.banners = BannerArea()
        self.placeholder = QLabel(
            "Open a Dutch article with File → Open (Ctrl+O),\n"
            "drop a text file here, or paste its text with Ctrl+V."
        )
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setObjectName("placeholder")

        reading = QWidget()
        box = QVBoxLayout(reading)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(self.header)
        box.addWidget(self.view, 1)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(reading)

        right = QWidget()
        rbox = QVBoxLayout(right)
        rbox.setContentsMargins(0, 0, 0, 0)
        rbox.setSpacing(0)
        rbox.addWidget(self.banners)
        rbox.addWidget(self.stack, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.library)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([LIBRARY_WIDTH, 1400 - LIBRARY_WIDTH])  # the text gets the room
        self.splitter.setChildrenCollapsible(False)
        self.splitter.splitterMoved.connect(lambda _pos, _index: self._remember_library_width())
        self.setCentralWidget(self.splitter)
        self.view.installEventFilter(self)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.progress_label = QLabel()
        self.progress_bar = QProgressBar()
        self.progress_bar.setMaximumWidth(180)
        self.progress_bar.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel_background)
        self.test_badge = QLabel(TEST_BADGE_TEXT)
        self.test_badge.setObjectName("statusTestBadge")
        self.test_badge.setToolTip(TEST_BADGE_TOOLTIP)
        self.test_badge.setStyleSheet(
            "QLabel { background: #b3261e; color: white; border-radius: 3px; padding: 1px 8px;"
            " font-weight: bold; }"
        )
        self.resume_button = QPushButton(TRANSLATE_REST)
        self.resume_button.setToolTip("Translate the sentences of this document that have no translation yet")
        self.resume_button.clicked.connect(self.translate_rest)
        for w in (self.progress_label, self.progress_bar, self.cancel_button, self.resume_button):
            bar.addPermanentWidget(w)
            w.hide()
        bar.addPermanentWidget(self.test_badge)
        self.test_badge.hide()

    def _build_menus(self) -> None:
        m = self.menuBar().addMenu("&File")
        self.open_action = self._action(m, "&Open…", self.open_file_dialog, QKeySequence.StandardKey.Open)
        self.paste_action = self._action(
            m, "New from &Clipboard", self.paste_document, QKeySequence.StandardKey.Paste
        )
        self.export_action = self._action(m, "&Export…", self.export_dialog, "Ctrl+E")
        self.export_action.setStatusTip(
            "Save the open document with its translation (TSV, Markdown, text, JSON)"
        )
        m.addSeparator()
        self.remove_action = self._action(
            m, "&Remove Document…", lambda: self.doc_id is not None and self.remove_document(self.doc_id)
        )
        m.addSeparator()
        self._action(m, "&Quit", self.close, QKeySequence.StandardKey.Quit)

        m = self.menuBar().addMenu("&View")
        group = QActionGroup(self)
        self.side_by_side_action = self._action(
            m, "&Side by Side", lambda: self.set_layout_mode(SIDE_BY_SIDE), "Ctrl+1", checkable=True
        )
        self.interleaved_action = self._action(
            m, "&Interleaved", lambda: self.set_layout_mode(INTERLEAVED), "Ctrl+2", checkable=True
        )
        for a in (self.side_by_side_action, self.interleaved_action):
            group.addAction(a)
        self.toggle_layout_action = self._action(m, "&Toggle Layout", self.toggle_layout, "Ctrl+L")
        m.addSeparator()
        self._action(
            m,
            "Zoom &In",
            lambda: self.set_zoom(self.view.zoom() + 1),
            [QKeySequence.StandardKey.ZoomIn, QKeySequence("Ctrl+=")],
        )
        self._action(
            m, "Zoom &Out", lambda: self.set_zoom(self.view.zoom() - 1), QKeySequence.StandardKey.ZoomOut
        )
        self._action(m, "&Actual Size", lambda: self.set_zoom(0), "Ctrl+0")
        m.addSeparator()
        tm = m.addMenu("&Theme")
        tgroup = QActionGroup(self)
        self.theme_actions = {}
        for name, label in (("system", "Follow &System"), ("light", "&Light"), ("dark", "&Dark")):
            a = self._action(tm, label, lambda n=name: self.set_theme(n), checkable=True)
            tgroup.addAction(a)
            self.theme_actions[name] = a
        m.addSeparator()
        self.library_action = self._action(
            m, "Show &Library", self._toggle_library, LIBRARY_SHORTCUT, checkable=True
        )
        self.library_action.setStatusTip("Show or hide the library sidebar; its width is remembered")
        self.library_action.setChecked(True)
        m.addSeparator()
        self.word_highlight_action = self._action(
            m,
            "Highlight Aligned &Words",
            lambda: self.set_word_highlighting(self.word_highlight_action.isChecked()),
            WORD_HIGHLIGHT_SHORTCUT,
            checkable=True,
        )
        self.word_highlight_action.setChecked(True)
        self.word_highlight_action.setStatusTip(
            "Hovering a word highlights its translation; clicking a Dutch word pins it and opens "
            "the dictionary"
        )
        self.look_up_action = self._action(m, "&Look Up Word", self.words.look_up_current, LOOK_UP_SHORTCUT)
        self.look_up_action.setStatusTip(
            "Dictionary entry of the Dutch word under the mouse (or the pinned one)"
        )
        # Only while reading: typing "d" in the library or the inline editor stays typing.
        self.look_up_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.view.addAction(self.look_up_action)

        m = self.menuBar().addMenu("&Model")
        self._action(m, "&Download Dutch → English Model", self.download_model)
        self._action(m, "&Install from File…", self.install_model_dialog)
        m.addSeparator()
        self.choose_dictionary_action = self._action(m, "Choose &Dictionary…", self.choose_dictionary)
        self.choose_dictionary_action.setStatusTip(
            "Where the FreeDict Dutch–English dictionary (freedict-nld-eng.index) is"
        )

        m = self.menuBar().addMenu("&Help")
        self.shortcuts_action = self._action(
            m, "&Keyboard Shortcuts", self.show_shortcuts, QKeySequence.StandardKey.HelpContents
        )
        self.about_action = self._action(m, "&About Bilingual Reader", self.show_about)

        hints = QGuiApplication.styleHints()
        if hasattr(hints, "colorSchemeChanged"):
            hints.colorSchemeChanged.connect(lambda _s: self._theme == "system" and self.set_theme("system"))

    def show_shortcuts(self) -> QDialog:
        """Help → Keyboard Shortcuts: listed from the menus' own actions, so it cannot drift."""
        from ui.help import ShortcutsDialog

        self.help_dialog = ShortcutsDialog(self)
        self.help_dialog.open()
        return self.help_dialog

    def show_about(self) -> QDialog:
        """Help → About: version, the model in use and the licences."""
        from ui.help import AboutDialog

        self.help_dialog = AboutDialog(self)
        self.help_dialog.open()
        return self.help_dialog

    def _action(self, menu: QMenu, text: str, slot, shortcut=None, checkable: bool = False) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            if isinstance(shortcut, list):
                action.setShortcuts(shortcut)
            else:
                action.setShortcut(QKeySequence(shortcut))
        action.setCheckable(checkable)
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        return action

    # ----------------------------------------------------------------- preferences & state

    def setting(self, key: str, default: Any = None) -> Any:
        if self._closed:
            return default
        try:
            return store.get_setting(self.db, key, default)
        except ReaderError:
            return default

    def set_setting(self, key: str, value: Any) -> None:
        if self.db is None or self.read_only or (not self.remember_state and key.startswith("ui.")):
            return  # read-only: the banner already says nothing is saved
        try:
            store.set_setting(self.db, key, value)
        except ReaderError as err:
            self.statusBar().showMessage(str(err), 8000)

    def _restore_preferences(self) -> None:
        self._theme = self.setting("ui.theme", "system")
        if self._theme not in theme.THEMES:
            self._theme = "system"
        self.set_theme(self._theme, save=False)
        self.set_layout_mode(self.setting("ui.layout", SIDE_BY_SIDE), save=False)
        self.set_word_highlighting(bool(self.setting(WORD_HIGHLIGHT_SETTING, True)), save=False)
        self.view.set_zoom(int(self.setting("ui.zoom", 0) or 0))
        self._restore_geometry(self.setting("ui.window"))
        self._restore_library(self.setting(LIBRARY_SETTING))

    def _restore_library(self, saved: Any) -> None:
        """The sidebar's width and whether it was hidden, as the user left them."""
        width, visible = LIBRARY_WIDTH, True
        if isinstance(saved, dict):
            try:
                width = int(saved.get("width", LIBRARY_WIDTH))
            except (TypeError, ValueError):
                width = LIBRARY_WIDTH
            visible = bool(saved.get("visible", True))
        self._library_width = min(max(width, LIBRARY_WIDTH_RANGE[0]), LIBRARY_WIDTH_RANGE[1])
        self.splitter.setSizes([self._library_width, max(self.width() - self._library_width, 1)])
        self.library.setVisible(visible)  # not shown yet: the splitter's sizes are not the user's
        self.library_action.setChecked(visible)

    def _restore_geometry(self, saved: Any) -> None:
        """Size and place as last time; a position off every screen (a monitor gone) is dropped."""
        try:
            x, y, w, h, maximized = saved
        except (TypeError, ValueError):
            self.resize(1400, 900)
            return
        self.resize(max(400, int(w)), max(300, int(h)))
        if QGuiApplication.screenAt(QPoint(int(x) + 40, int(y) + 40)) is not None:
            self.move(int(x), int(y))
        if maximized:
            self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)

    def save_state(self) -> None:
        g = self.normalGeometry() if self.isMaximized() else self.geometry()
        frame = self.frameGeometry()
        self.set_setting("ui.window", [frame.x(), frame.y(), g.width(), g.height(), self.isMaximized()])
        self._save_library()
        self._save_scroll()

    def _save_scroll(self) -> None:
        if self.doc_id is not None and self.view.content() is not None:
            row, frac = self.view.scroll_anchor()
            self.set_setting(f"ui.scroll.{self.doc_id}", [row, round(frac, 4)])

    def set_theme(self, name: str, save: bool = True) -> None:
        self._theme = name
        dark = theme.is_dark(name)
        app = QGuiApplication.instance()
        from PySide6.QtWidgets import QApplication

        if isinstance(app, QApplication):
            theme.apply_app_palette(app, dark)
        colors = theme.colors_for(name)
        self.view.set_colors(colors)
        self.words.set_colors(colors)
        self.header.apply_colors(colors)
        self._style_placeholder(colors)
        self.banners.dark = dark
        if name in getattr(self, "theme_actions", {}):
            self.theme_actions[name].setChecked(True)
        if save:
            self.set_setting("ui.theme", name)

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
        self.placeholder.setStyleSheet(
            f"QLabel#placeholder {{ color: {mixed.name()}; background: {bg.name()}; font-size: 13pt; }}"
        )

    def theme_name(self) -> str:
        return self._theme

    def set_layout_mode(self, mode: str, save: bool = True) -> None:
        if mode not in (SIDE_BY_SIDE, INTERLEAVED):
            mode = SIDE_BY_SIDE
        self.view.set_layout_mode(mode)
        (self.side_by_side_action if mode == SIDE_BY_SIDE else self.interleaved_action).setChecked(True)
        self.header.relayout()
        self.words.follow()
        if save:
            self.set_setting("ui.layout", mode)

    def toggle_layout(self) -> None:
        self.set_layout_mode(INTERLEAVED if self.view.layout_mode() == SIDE_BY_SIDE else SIDE_BY_SIDE)

    def set_zoom(self, zoom: int) -> None:
        self.view.set_zoom(zoom)
        self.header.relayout()
        self.words.follow()
        self.set_setting("ui.zoom", self.view.zoom())

    def set_word_highlighting(self, on: bool, save: bool = True) -> None:
        """Word hover highlighting and click-to-look-up on or off (sentence hover stays)."""
        self.words.set_enabled(on)
        self.word_highlight_action.setChecked(on)
        if save:
            self.set_setting(WORD_HIGHLIGHT_SETTING, on)
            self.statusBar().showMessage(
                "Word highlighting is on: hover a word, click a Dutch word to look it up."
                if on
                else f"Word highlighting is off ({WORD_HIGHLIGHT_SHORTCUT} turns it back on).",
                5000,
            )

    def _toggle_library(self) -> None:
        self.set_library_visible(self.library.isHidden())

    def library_visible(self) -> bool:
        return not self.library.isHidden()

    def set_library_visible(self, on: bool, save: bool = True) -> None:
        """Collapse or expand the sidebar (Ctrl+B); it comes back at the width it had."""
        if not on:
            self._remember_library_width()
            if self.library.isAncestorOf(QApplication.focusWidget()):
                self.view.setFocus()
        self.library.setVisible(on)
        if on:
            self.splitter.refresh()  # take the shown sidebar into account now, not at the next layout
            total = sum(self.splitter.sizes()) or self.width()
            self.splitter.setSizes([self._library_width, max(total - self._library_width, 1)])
        self.library_action.setChecked(on)
        if save:
            self._save_library()

    def _remember_library_width(self) -> None:
        width = self.splitter.sizes()[0]
        if not self.library.isHidden() and width > 0:
            self._library_width = width

    def _save_library(self) -> None:
        self._remember_library_width()
        self.set_setting(LIBRARY_SETTING, {"width": self._library_width, "visible": self.library_visible()})

    # ----------------------------------------------------------------- library

    def _model_key_or_none(self) -> str | None:
        try:
            return self.engines.model_key()
        except ReaderError:
            return None

    def refresh_library(self) -> None:
        if self.db is None:
            return
        try:
            docs = store.list_documents(self.db, self._model_key_or_none())
        except ReaderError as err:
            self.statusBar().showMessage(str(err), 8000)
            return
        if self.doc_id is not None and all(d["id"] != self.doc_id for d in docs):
            self.close_document(REMOVED_MESSAGE)  # removed by another process
        self.library.set_documents(docs)
        self.library.set_current(self.doc_id)

    def restore_last_document(self) -> bool:
        """Open the document that was open when the window last closed (``bireader``)."""
        doc_id = self.setting("ui.last_document")
        if doc_id is None:
            return False
        try:
            store.get_document(self.db, int(doc_id))
        except StoreError:
            self.set_setting("ui.last_document", None)
            return False
        return self.open_document(int(doc_id))

    def remove_document(self, doc_id: int, confirm: bool = True) -> bool:
        if self.read_only:
            self.statusBar().showMessage(READ_ONLY_REFUSAL.format(what="removing a document"), 8000)
            return False
        try:
            doc = store.get_document(self.db, doc_id)
        except StoreError as err:
            self.statusBar().showMessage(str(err), 8000)
            self.refresh_library()
            return False
        if confirm:
            answer = QMessageBox.question(
                self,
                "Remove document",
                f"Remove “{doc['title']}” from the library?\n\n"
                "Your edited translations of it are removed too; cached machine translations stay.",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return False
        if doc_id == self.doc_id:
            self.close_document()
        store.remove_document(self.db, doc_id)
        self.set_setting(f"ui.scroll.{doc_id}", None)
        self.refresh_library()
        self.statusBar().showMessage(f"Removed “{doc['title']}” from the library.", 5000)
        return True

    # ----------------------------------------------------------------- opening documents

    def open_document(self, doc_id: int) -> bool:
        """Show a document at once with every cached translation; translate the rest in a worker."""
        if self.db is None:
            return False
        if doc_id == self.doc_id and self.view.content() is not None:
            return True
        from reader.pipeline import document_view

        self._save_scroll()
        self._stop_translation()
        model_key, model_error = None, None
        try:
            package = self.engines.package()
            model_key = self.engines.model_key()
        except ModelError as err:
            package, model_error = None, err
        try:
            dv = document_view(self.db, doc_id, model_key)
        except StoreError as err:
            self.statusBar().showMessage(str(err), 8000)
            self.refresh_library()
            return False
        content = DocumentContent.build(
            dv.id,
            dv.title,
            dv.date,
            [(p.kind, p.text, [(s.id, s.start, s.end) for s in p.sentences]) for p in dv.paragraphs],
        )
        sentences = dv.sentences()
        self._machine = {s.id: s.translation.target for s in sentences if s.translation}
        shown = {s.id: s.final for s in sentences if s.final}
        edited = {s.id: s.origin for s in sentences if s.user_text is not None}
        self.doc_id = doc_id
        self.view.set_missing_mode("pending" if package is not None else "none")
        self.view.set_document(content, shown, edited)
        self.words.document_opened(doc_id)
        self.stack.setCurrentIndex(1)
        self.header.relayout()
        self.setWindowTitle(f"{dv.title} — Bilingual Reader")
        anchor = self.setting(f"ui.scroll.{doc_id}")
        if anchor:
            self.view.restore_anchor(int(anchor[0]), float(anchor[1]))
        self.set_setting("ui.last_document", doc_id)
        self.library.set_current(doc_id)
        self._show_model_state(package, model_error)
        self.banners.remove(ERROR_BANNER)
        missing = [s.id for s in sentences if not s.final]
        translating = package is not None and bool(missing)
        if translating:
            self._start_translation(doc_id, len(sentences), self.view.visible_sentence_ids())
        self.words.align_document(use_engine=not translating)
        self.view.setFocus()
        self.document_opened.emit(doc_id)
        return True

    def close_document(self, message: str | None = None) -> None:
        """Back to the placeholder (the document was removed, or is gone from the database)."""
        self._save_scroll()
        self._stop_translation()
        self.doc_id = None
        self._machine = {}
        self.view.set_document(None)
        self.words.document_opened(None)
        self.stack.setCurrentIndex(0)
        self.setWindowTitle("Bilingual Reader")
        self.set_setting("ui.last_document", None)
        self.library.set_current(None)
        if message:
            self.statusBar().showMessage(message, 8000)
        self.document_closed.emit()

    def check_document_still_exists(self) -> bool:
        """A document deleted by another process (e.g. ``bireader library remove``) closes cleanly;
        returns whether the open document is still there."""
        if self.doc_id is None or self._closed:
            return False
        try:
            store.get_document(self.db, self.doc_id)
        except StoreError:
            self.close_document(REMOVED_MESSAGE)
            self.refresh_library()
            return False
        return True

    def _show_model_state(self, package: Any, error: ReaderError | None) -> None:
        test = package is not None and is_test_package(package)
        self.test_badge.setVisible(test)
        self.header.set_test_model(test)
        if package is not None:
            self.banners.remove(MODEL_BANNER)
            return
        text = (
            "No Dutch → English translation model is installed, so only the Dutch text is "
            "shown. Download the model (about 100 MB) or install an .argosmodel file."
        )
        if error is not None and "download" not in str(error):
            text = str(error)
        self.banners.show_banner(
            MODEL_BANNER,
            "warning",
            text,
            [
                ("Download Dutch → English model", self.download_model),
                ("Install from file…", self.install_model_dialog),
            ],
            closable=True,
        )

    # ----------------------------------------------------------------- background translation

    def _start_translation(self, doc_id: int, total: int, priority: list[int]) -> None:
        """Translate in a worker, the sentences on (or just below) the screen first. A read-only
        library still gets its translations on screen, only not cached."""
        engines, db_path, save = self.engines, self._db_path, not self.read_only
        self.resume_button.hide()

        def work(ctx: TaskContext) -> Any:
            from reader.pipeline import translate_document

            engine = engines.get()
            with store.connection(db_path) as db:
                return translate_document(
                    db,
                    doc_id,
                    engine,
                    progress=ctx.progress,
                    cancelled=ctx.cancelled,
                    on_results=lambda results: ctx.partial({sid: r.target for sid, r in results.items()}),
                    priority=priority,
                    save=save,
                )

        self._show_progress(f"Translating 0 / {total} sentences", 0, total)
        task = self.runner.run(
            work,
            label=f"translate:{doc_id}",
            on_progress=lambda done, n, d=doc_id: self._translation_progress(d, done, n),
            on_partial=lambda results, d=doc_id: self._translation_results(d, results),
            on_done=lambda stats, d=doc_id: self._translation_done(d, stats),
            on_error=lambda err, d=doc_id: self._translation_failed(d, err),
            on_cancelled=lambda d=doc_id: self._translation_cancelled(d),
        )
        self.translation_task = task
        self.translation_started.emit(doc_id)

    def _translation_progress(self, doc_id: int, done: int, total: int) -> None:
        if doc_id == self.doc_id:
            self._show_progress(f"Translating {done} / {total} sentences", done, total)

    def _translation_results(self, doc_id: int, results: dict[int, str]) -> None:
        if doc_id != self.doc_id:
            return
        self._machine.update(results)
        self.view.set_translations({sid: t for sid, t in results.items() if not self.view.is_edited(sid)})
        self._schedule_library_progress()
        self.words.align_document(use_engine=False)  # the engine is busy translating

    def _schedule_library_progress(self) -> None:
        """The open document's "Done" share follows the translation, at most every 500 ms."""
        if self._library_timer.isActive():
            return
        wait_ms = LIBRARY_REFRESH_MS - (time.monotonic() - self._library_shown_at) * 1000
        if wait_ms <= 0:
            self._show_library_progress()
        else:
            self._library_timer.start(int(wait_ms) + 1)

    def _show_library_progress(self) -> None:
        self._library_shown_at = time.monotonic()
        if self.doc_id is not None and self.view.content() is not None:
            self.library.set_translated(self.doc_id, self.view.translated_count())

    def _translation_done(self, doc_id: int, stats: Any) -> None:
        self._end_translation(doc_id)
        if doc_id == self.doc_id:
            failed = getattr(stats, "failed", 0)
            msg = translation_summary(stats)
            if failed:
                msg += f" The model gave no output for {failed}; retranslate them to try again."
            if self.read_only and getattr(stats, "translated", 0):
                msg += " They are not saved: the library is read-only."
            self.statusBar().showMessage(msg, 6000)
        self.translation_ended.emit("done")

    def _translation_cancelled(self, doc_id: int) -> None:
        """What is done is kept (and shown); "Translate the rest" in the status bar resumes."""
        self._end_translation(doc_id)
        if doc_id == self.doc_id:
            content = self.view.content()
            total = len(content.order) if content is not None else 0
            done = self.view.translated_count()
            message = f"Cancelled: {done} of {plural(total, 'sentence')} translated."
            self.statusBar().showMessage(message, 10000)
            self.resume_button.setVisible(done < total)
        self.translation_ended.emit("cancelled")

    def translate_rest(self) -> Task | None:
        """Resume after a cancel: the open document's sentences that still have no translation
        (the cache answers for the others)."""
        self.resume_button.hide()
        content = self.view.content()
        if self.doc_id is None or content is None or not self.check_document_still_exists():
            return None
        if self.translation_task is not None and self.translation_task.is_running():
            return self.translation_task
        if not self._has_package():
            self.statusBar().showMessage(
                "No translation model is installed: install one from the Model menu.", 8000
            )
            return None
        self._start_translation(self.doc_id, len(content.order), self.view.visible_sentence_ids())
        return self.translation_task

    def _translation_failed(self, doc_id: int, err: BaseException) -> None:
        self._end_translation(doc_id)
        if isinstance(err, StoreError) and doc_id == self.doc_id:
            self.check_document_still_exists()
        if doc_id == self.doc_id:
            self.show_error(err)
        self.translation_ended.emit("failed")

    def _end_translation(self, doc_id: int) -> None:
        if self.translation_task is not None and not self.translation_task.is_running():
            self.translation_task = None
        if doc_id == self.doc_id or self.translation_task is None:
            self._hide_progress()
        self.refresh_library()
        if doc_id == self.doc_id:
            self.words.align_document(use_engine=True)  # edits made meanwhile: forced decoding now

    def _stop_translation(self) -> None:
        self.resume_button.hide()  # it belongs to the document being left
        task, self.translation_task = self.translation_task, None
        if task is not None and task.is_running():
            task.cancel()
            task.detach()  # its batches are saved; this window no longer shows its document
            self._hide_progress()

    def cancel_background(self) -> None:
        """The status bar's Cancel: stops translation or a download, keeping what is done."""
        for task in (self.translation_task, self.model_task):
            if task is not None and task.is_running():
                task.cancel()
        self.cancel_button.setEnabled(False)
        self.progress_label.setText("Cancelling…")

    def is_busy(self) -> bool:
        return bool(self.runner.active()) or self._pending_imports > 0

    def _show_progress(self, text: str, done: int, total: int) -> None:
        self.progress_label.setText(text)
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(done)
        for w in (self.progress_label, self.progress_bar, self.cancel_button):
            w.show()
        self.cancel_button.setEnabled(True)

    def _hide_progress(self) -> None:
        for w in (self.progress_label, self.progress_bar, self.cancel_button):
            w.hide()

    def show_error(self, err: BaseException) -> None:
        """Engine and store errors go to a non-modal banner, never a crash."""
        text = (
            str(err)
            if isinstance(err, ReaderError)
            else (
                f"Something went wrong: {type(err).__name__}: {err}. The text stays readable; "
                "try again, and report the problem if it persists."
            )
        )
        self.banners.show_banner(ERROR_BANNER, "error", text)

    # ----------------------------------------------------------------- sentence actions

    def _sentence_menu(self, sid: int | None, global_pos) -> None:
        if sid is None or self.view.content() is None:
            return
        menu = QMenu(self)
        menu.addAction("Copy Dutch", lambda: self._copy(sid, NL))
        en = menu.addAction("Copy English", lambda: self._copy(sid, EN))
        both = menu.addAction("Copy Both", lambda: self._copy(sid, None))
        has_en = bool(self.view.translation(sid))
        en.setEnabled(has_en)
        both.setEnabled(has_en)
        menu.addSeparator()
        can_translate = self._has_package()
        writable = not self.read_only  # each of these saves a translation
        a = menu.addAction("Retranslate", lambda: self.retranslate_sentence(sid))
        a.setEnabled(can_translate and writable)
        a = menu.addAction("Edit Translation…", lambda: self.view.edit_translation(sid))
        a.setEnabled(writable)
        a = menu.addAction("Show Alternatives…", lambda: self.show_alternatives(sid))
        a.setEnabled(can_translate and writable)
        if self.view.is_edited(sid):
            a = menu.addAction("Use Machine Translation", lambda: self.revert_user_translation(sid))
            a.setEnabled(writable)
        if not writable:
            menu.addSeparator()
            menu.addAction("Read-only library: translations cannot be changed").setEnabled(False)
        word = self._dutch_word_at(global_pos)
        if word is not None:
            menu.addSeparator()
            a = menu.addAction(f"Look Up “{word.text}”", lambda: self.words.look_up(word))
            a.setShortcut(QKeySequence(LOOK_UP_SHORTCUT))
        menu.popup(global_pos)
        self._menu = menu

    def _dutch_word_at(self, global_pos: QPoint) -> Any:
        """The Dutch word under a point of the screen (for the context menu), if any."""
        hit = self.view.hit_test(self.view.viewport().mapFromGlobal(global_pos))
        if hit is None or not hit.on_text or hit.side != NL:
            return None
        return self.words.highlighter.ref_at(hit, tokenize_missing=True)

    def _engine_free(self) -> bool:
        """No translation is using the engine (alignment may then force-decode edits)."""
        return not (self.translation_task is not None and self.translation_task.is_running())

    def _has_package(self) -> bool:
        try:
            self.engines.package()
        except ReaderError:
            return False
        return True

    def _copy(self, sid: int, side: str | None) -> str:
        nl, en = self.view.sentence_text(sid, NL), self.view.sentence_text(sid, EN)
        text = {NL: nl, EN: en}.get(side) if side else f"{nl}\n{en}"
        QGuiApplication.clipboard().setText(text or "")
        return text or ""

    def save_user_translation(self, sid: int, text: str) -> None:
        """The inline editor's result: stored as the user's version, marked in the view."""
        if self.read_only:
            self.statusBar().showMessage(READ_ONLY_REFUSAL.format(what="your translation"), 8000)
            return
        try:
            store.set_user_translation(self.db, sid, text)
        except StoreError as err:
            if self.check_document_still_exists():
                self.show_error(err)
            return
        self.view.set_translation(sid, text, edited=True)
        self.words.align_sentence(sid)
        self.statusBar().showMessage("Your translation is saved.", 4000)

    def revert_user_translation(self, sid: int) -> None:
        try:
            store.set_user_translation(self.db, sid, None)
        except StoreError as err:
            if self.check_document_still_exists():
                self.show_error(err)
            return
        self.view.set_translation(sid, self._machine.get(sid, ""), edited=False)
        self.words.align_sentence(sid)

    def _ask_replace_edit(self) -> str | None:
        """REPLACE_EDIT, KEEP_EDIT (retranslate, keep showing the user's text) or None (Cancel)."""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Retranslate",
            "You edited this translation. Retranslate and replace your version, or retranslate "
            "and keep showing your version?",
            QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("retranslateQuestion")
        replace = box.addButton("Replace my version", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("Keep my version", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(keep)
        box.exec()
        clicked = box.clickedButton()
        return REPLACE_EDIT if clicked is replace else KEEP_EDIT if clicked is keep else None

    def retranslate_sentence(self, sid: int, replace_edit: bool | None = None) -> Task | None:
        """Translate one sentence again (bypassing the cache); an edit is kept unless replaced."""
        content = self.view.content()
        if content is None or sid not in content.sentences or not self.check_document_still_exists():
            return None
        if self.view.is_edited(sid) and replace_edit is None:
            answer = self._ask_replace_edit()
            if answer is None:
                return None
            replace_edit = answer == REPLACE_EDIT
        replace = bool(replace_edit)
        engines, db_path, doc_id = self.engines, self._db_path, self.doc_id

        def work(ctx: TaskContext) -> Any:
            from reader.pipeline import retranslate_sentence

            engine = engines.get()
            with store.connection(db_path) as db:
                return retranslate_sentence(db, sid, engine, replace_edit=replace)

        def done(result: Any) -> None:
            if doc_id != self.doc_id:
                return
            self._machine[sid] = result.target
            if result.user_text is None and (result.changed or result.edit_replaced):
                self.view.set_translation(sid, result.target, edited=False)
                self.words.align_sentence(sid)
            self.statusBar().showMessage(_retranslate_message(result), 5000)
            self.retranslated.emit(sid)

        return self.runner.run(
            work,
            label=f"retranslate:{sid}",
            on_done=done,
            on_error=lambda err, d=doc_id: self._sentence_task_failed(d, err),
        )

    def show_alternatives(self, sid: int) -> Task | None:
        """The engine's n-best list for a sentence, in a dialog; the chosen one is kept."""
        content = self.view.content()
        if content is None or sid not in content.sentences or not self.check_document_still_exists():
            return None
        text = content.sentences[sid].text
        engines, doc_id = self.engines, self.doc_id

        def work(ctx: TaskContext) -> list[tuple[str, float]]:
            from reader.pipeline import alternatives

            return alternatives(engines.get(), text, n=ALTERNATIVES)

        def done(found: list[tuple[str, float]]) -> None:
            if self.view.content() is not content or not self.check_document_still_exists():
                return
            current = self.view.translation(sid) or ""
            dialog = AlternativesDialog(
                text, found, current, self, machine=self._machine.get(sid), origin=self.view.origin(sid)
            )
            dialog.accepted.connect(lambda: self._keep_alternative(sid, dialog.chosen()))
            self.alternatives_dialog = dialog
            dialog.open()

        self.statusBar().showMessage("Looking for alternative translations…", 3000)
        return self.runner.run(
            work,
            label=f"alternatives:{sid}",
            on_done=done,
            on_error=lambda err, d=doc_id: self._sentence_task_failed(d, err),
        )

    def _keep_alternative(self, sid: int, text: str | None) -> None:
        """The machine's own text reverts a version of the reader's; another choice is kept as
        the model's alternative (marked as such, not as the reader's writing)."""
        from reader.pipeline import keep_alternative

        if not text or text == self.view.translation(sid):
            return
        machine = self._machine.get(sid)
        try:
            origin = keep_alternative(self.db, sid, text, machine=machine)
        except StoreError as err:
            if self.check_document_still_exists():
                self.show_error(err)
            return
        if origin is None:
            self.view.set_translation(sid, machine or "", edited=False)
            self.statusBar().showMessage("The machine translation is shown again.", 4000)
        else:
            self.view.set_translation(sid, text, edited=True, origin=origin)
            self.statusBar().showMessage("The model's alternative is kept.", 4000)
        self.words.align_sentence(sid)

    def _sentence_task_failed(self, doc_id: int | None, err: BaseException) -> None:
        """A removed document closes its view; other errors go to the banner."""
        if doc_id != self.doc_id:
            return
        if isinstance(err, StoreError) and not self.check_document_still_exists():
            return
        self.show_error(err)

    # ----------------------------------------------------------------- exporting

    def export_dialog(self) -> Task | None:
        """File → Export…: the format follows the typed extension, else the chosen filter."""
        content = self.view.content()
        if self.doc_id is None or content is None:
            self.statusBar().showMessage("Open a document first, then export it.", 5000)
            return None
        if self.test_badge.isVisibleTo(self):
            answer = QMessageBox.warning(
                self,
                "Export",
                f"A test model is installed: {TEST_MODEL_EXPORT_NOTE}. Export anyway?",
                QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Save:
                return None
        name = "".join(c if c.isalnum() or c in " -_" else "_" for c in content.title).strip() or "article"
        path, chosen = QFileDialog.getSaveFileName(
            self, "Export document", str(Path.home() / f"{name[:80]}.tsv"), ";;".join(EXPORT_FILTERS)
        )
        if not path:
            return None
        fmt = export_format(path, chosen)
        if Path(path).suffix.lower() not in EXPORT_SUFFIXES.values():
            path += EXPORT_SUFFIXES[fmt]
        return self.export_document(path, fmt)

    def export_document(self, path: str | Path, fmt: str | None = None) -> Task | None:
        """Write the open document (the user's edits win) through ``reader.export`` in a worker."""
        content = self.view.content()
        if self.doc_id is None or content is None:
            return None
        doc_id, db_path, model_key = self.doc_id, self._db_path, self._model_key_or_none()
        n = len(content.order)
        test_model = self.test_badge.isVisibleTo(self)

        def work(ctx: TaskContext) -> Path:
            from reader.export import export_to_file

            with store.connection(db_path) as db:
                return export_to_file(db, doc_id, model_key, path, fmt)

        def done(written: Path) -> None:
            msg = f"Exported {plural(n, 'sentence')} to {written}."
            if test_model:
                msg += f" Note: {TEST_MODEL_EXPORT_NOTE}."
            self.statusBar().showMessage(msg, 10000)
            self.exported.emit(written)

        def failed(err: BaseException) -> None:
            self.show_error(err)
            self.exported.emit(err)

        self.statusBar().showMessage("Exporting…")
        return self.runner.run(work, label=f"export:{path}", on_done=done, on_error=failed)

    # ----------------------------------------------------------------- importing

    def open_file_dialog(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Open Dutch article", str(Path.home()), TEXT_FILTER)
        for path in paths:
            self.import_file(path)

    def import_file(self, path: str | Path) -> Task | None:
        """Import a file in a worker and open it; a failure shows the importer's message."""
        db_path = str(self._db_path) if self._db_path else None

        def work(ctx: TaskContext) -> tuple[int, bool]:
            from reader.pipeline import import_file

            with store.connection(db_path) as db:
                return import_file(db, path)

        return self._run_import(work, f"import:{path}", "Could not open the file")

    def paste_document(self) -> Task | None:
        """A new document from the clipboard's text; an empty clipboard only says so."""
        text = QGuiApplication.clipboard().text()
        if not text.strip():
            self.statusBar().showMessage(
                "The clipboard holds no text: copy an article's text first, then paste.", 6000
            )
            return None
        db_path = self._db_path

        def work(ctx: TaskContext) -> tuple[int, bool]:
            from reader.pipeline import import_text

            with store.connection(db_path) as db:
                return import_text(db, text, source_name="Pasted text")

        return self._run_import(work, "paste", "Could not import the pasted text")

    def _run_import(self, work, label: str, title: str) -> Task | None:
        if self.read_only:  # refused before reading anything: the store could not keep it
            err = StoreError(READ_ONLY_REFUSAL.format(what="a new article"))
            self.show_import_error(title, err)
            self.import_finished.emit(err)
            return None
        self._pending_imports += 1
        self.statusBar().showMessage("Importing…")

        def done(result: tuple[int, bool]) -> None:
            doc_id, created = result
            self._pending_imports -= 1
            self.statusBar().clearMessage()
            self.refresh_library()
            if not self._closed:
                self.open_document(doc_id)
                if not created:
                    self.statusBar().showMessage("Already in the library: opened it.", 6000)
            self.import_finished.emit(doc_id)

        def failed(err: BaseException) -> None:
            self._pending_imports -= 1
            self.statusBar().clearMessage()
            self.show_import_error(title, err)
            self.import_finished.emit(err)

        return self.runner.run(
            work,
            label=label,
            on_done=done,
            on_error=failed,
            on_cancelled=lambda: setattr(self, "_pending_imports", self._pending_imports - 1),
        )

    def show_import_error(self, title: str, err: BaseException) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Warning, title, str(err), QMessageBox.StandardButton.Ok, self)
        box.setObjectName("importError")
        self.last_error_dialog = box
        box.open()
        return box

    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event) -> None:  # noqa: N802
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        for path in paths:
            self.import_file(path)
        if paths:
            event.acceptProposedAction()

    # ----------------------------------------------------------------- models

    def download_model(self) -> Task | None:
        if self.model_task is not None and self.model_task.is_running():
            return self.model_task

        def work(ctx: TaskContext) -> Any:
            from models.packages import download

            return download(FROM, TO, progress=ctx.progress, cancelled=ctx.cancelled)

        self._show_progress("Downloading the Dutch → English model…", 0, 0)
        self.model_task = self.runner.run(
            work,
            label="download",
            on_progress=lambda done, total: self._show_progress(
                f"Downloading the Dutch → English model: {done * 100 // max(total, 1)}%", done, total
            ),
            on_done=lambda pkg: self._model_ready(installed_message(pkg)),
            on_error=self._model_failed,
            on_cancelled=lambda: self._model_failed(None),
        )
        return self.model_task

    def install_model_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Install translation model", str(Path.home()), "Argos models (*.argosmodel);;All files (*)"
        )
        if path:
            self.install_model_file(path)

    def install_model_file(self, path: str | Path) -> Task:
        def work(ctx: TaskContext) -> Any:
            from models.packages import install_file

            return install_file(path, expect_pair=(FROM, TO))

        self._show_progress("Installing the model…", 0, 0)
        self.model_task = self.runner.run(
            work,
            label="install",
            on_done=lambda pkg: self._model_ready(installed_message(pkg)),
            on_error=self._model_failed,
        )
        return self.model_task

    def choose_dictionary(self, path: str | Path | None = None) -> bool:
        """Remember where the dictionary is (a folder, its .index or its .dict.dz file); a
        place without one is refused with the dictionary's own message, the setting unchanged."""
        if path is None:
            from reader.dictionary import DEFAULT_DIR

            start = self.setting(DICTIONARY_SETTING) or str(
                DEFAULT_DIR if DEFAULT_DIR.is_dir() else Path.home()
            )
            path, _ = QFileDialog.getOpenFileName(
                self, "Choose the Dutch–English dictionary", start, DICTIONARY_FILTER
            )
            if not path:
                return False
        from reader.dictionary import find_files

        path = Path(path).expanduser().resolve()
        try:
            index, _data = find_files(path)
        except DictionaryError as err:
            self.show_error(err)
            return False
        self.set_setting(DICTIONARY_SETTING, str(path))
        self.banners.remove(ERROR_BANNER)
        self.words.dictionary_changed()
        self.statusBar().showMessage(f"Looking words up in {index}.", 6000)
        return True

    def _model_ready(self, message: str) -> None:
        self.model_task = None
        self._hide_progress()
        self.engines.reset()
        self.banners.remove(MODEL_BANNER)
        self.statusBar().showMessage(message, 6000)
        doc_id = self.doc_id
        if doc_id is not None:
            self.doc_id = None
            self.open_document(doc_id)
        self.refresh_library()
        self.model_installed.emit()

    def _model_failed(self, err: BaseException | None) -> None:
        self.model_task = None
        self._hide_progress()
        if err is None:
            self.statusBar().showMessage("Model download cancelled.", 5000)
            return
        text, detail = gui_model_error(err), str(err) if isinstance(err, ReaderError) else repr(err)
        banner = self.banners.banner(MODEL_BANNER)
        if banner is not None:
            banner.set_text(text)
            banner.set_kind("error")
        else:
            self.banners.show_banner(ERROR_BANNER, "error", text)
            banner = self.banners.banner(ERROR_BANNER)
        banner.setToolTip(detail)
        banner.label.setToolTip(detail)

    # ----------------------------------------------------------------- window events

    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        if obj is self.view and event.type() == QEvent.Type.Resize:
            QTimer.singleShot(0, self.header.relayout)
        return super().eventFilter(obj, event)

    def changeEvent(self, event) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            self.check_document_still_exists()

    def closeEvent(self, event) -> None:  # noqa: N802
        """Save state, cancel and join every worker, close the database."""
        if not self._closed:
            self._closed = True
            self._save_scroll_timer.stop()
            self.save_state()
            self.words.shutdown()
            self.runner.shutdown()
            self.db.close()
            self.db = None
        super().closeEvent(event)
