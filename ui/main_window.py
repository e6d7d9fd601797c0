"""The main window: library sidebar, banners, the reader view, menus and the status bar.

Everything that takes time (loading the engine, translating, importing, downloading a model) runs
through one ``TaskRunner``; callbacks arrive on the GUI thread.  Workers open their own database
connection (``store.open_db()``): SQLite connections belong to one thread.

The window builds the widgets and owns the open document; its rooms do the rest:
``SentenceActions`` (context menu, edit, revert, retranslate, alternatives), ``ImportExport``
(open, drop, paste, export), ``ModelManager`` (model menu and banner, dictionary),
``TranslationController`` (background translation, progress, cancel, translate the rest) and
``Preferences`` (theme, layout, zoom, sidebar, remembered state).  The window's own methods of the
same names stay its public API.
"""

from __future__ import annotations

import gc
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QDialog,
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
from reader.errors import ModelError, ReaderError, StoreError
from reader.services import EngineHolder
from reader.session import DocumentSession
from ui.alternatives import AlternativesDialog
from ui.annotate import AnnotationActions
from ui.annotations_panel import AnnotationsPanel, removal_question
from ui.banner import BannerArea
from ui.column_header import TEST_BADGE_TEXT, TEST_BADGE_TOOLTIP, ColumnHeader
from ui.find_bar import FindBar
from ui.import_export import TEXT_FILTER, ImportExport, export_format
from ui.library import LibraryView
from ui.model_manager import FROM, TO, ModelManager, installed_message
from ui.reader_view import INTERLEAVED, SIDE_BY_SIDE, ReaderView
from ui.search_panel import SearchPanel
from ui.sentence_actions import SentenceActions
from ui.status_text import ERROR_BANNER, MODEL_BANNER, READ_ONLY_BANNER, READ_ONLY_REFUSAL, READ_ONLY_TEXT
from ui.tasks import Task, TaskRunner
from ui.translation_controller import TRANSLATE_REST, TranslationController, translation_summary
from ui.window_menus import build_menus
from ui.window_prefs import LIBRARY_SHORTCUT, LIBRARY_WIDTH, LIBRARY_WIDTH_RANGE, Preferences
from ui.words import WordTools

__all__ = [  # names tests and other modules import from here
    "MODEL_BANNER", "READ_ONLY_BANNER", "TEXT_FILTER", "MainWindow",
    "export_format", "installed_message", "translation_summary",
]

REMOVED_MESSAGE = "The open document was removed from the library."
Setting = str | int | float | bool | list | dict | None  # a JSON value in the settings table

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
        self.db_path = db_path
        # False for `open --screenshot`: a picture must not change the user's saved window state.
        self.remember_state = remember_state
        self.db = store.open_db(db_path, read_only=read_only)
        # A library this user cannot write (or BIREADER_READ_ONLY=1): reading works, writing is off.
        self.read_only = store.is_read_only(self.db)
        self.runner = TaskRunner(self)
        self.engines = EngineHolder(FROM, TO)
        self.doc_id: int | None = None
        # The open document's state: the view, the word tools and the sidebar follow its changes.
        self.session: DocumentSession | None = None
        self._closed = False
        self.help_dialog: QDialog | None = None
        self.theme_actions: dict[str, QAction] = {}
        self.sentences = SentenceActions(self)
        self.imports = ImportExport(self)
        self.models = ModelManager(self)
        self.translation = TranslationController(self)
        self.prefs = Preferences(self)
        self.annotating = AnnotationActions(self)  # annotations, saved phrases, links, undo

        self.setWindowTitle("Bilingual Reader")
        self.setAcceptDrops(True)
        self._build_widgets()
        self._build_status_bar()
        self._build_panels()
        build_menus(self)
        self._save_scroll_timer = QTimer(self, singleShot=True, interval=800)
        self._save_scroll_timer.timeout.connect(self.prefs.save_scroll)
        self.view.scrolled.connect(self._save_scroll_timer.start)
        self.prefs.restore()
        self.refresh_library()
        if self.read_only:
            self._enter_read_only()
        _freeze_startup_objects()

    def _enter_read_only(self) -> None:
        """Say once that nothing is saved, and switch off what would only fail: removing and
        editing. Reading, look-ups, export and (unsaved) translation stay; opening, pasting and
        dropping open an article the library already holds and refuse a new one."""
        self.banners.show_banner(READ_ONLY_BANNER, "warning", READ_ONLY_TEXT)
        writers = (
            self.remove_action, self.choose_dictionary_action,
            self.annotate_action, self.save_phrase_action, self.link_action, self.unlink_action,
        )
        for action in writers:
            action.setEnabled(False)
            action.setStatusTip("Not available: the library is read-only")
        self.library.set_removable(False)

    # ----------------------------------------------------------------- construction

    def _build_widgets(self) -> None:
        self.library = LibraryView()
        self.library.document_activated.connect(self.open_document)
        self.library.remove_requested.connect(lambda doc_id: self.remove_document(doc_id))
        self.library.hide_requested.connect(lambda: self.set_library_visible(False))
        self.library.set_hide_shortcut(LIBRARY_SHORTCUT)
        self.library.setMinimumWidth(LIBRARY_WIDTH_RANGE[0])

        self.view = ReaderView()
        self.view.context_menu_requested.connect(self.sentences.show_menu)
        self.view.translation_edited.connect(self.sentences.save_edit)
        self.words = WordTools(
            self.view,
            self.engines,
            self.db_path,
            status=lambda text, ms: self.statusBar().showMessage(text, ms),
            engine_free=lambda: not self.translation.running(),
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
        self.find_bar = FindBar(self.view)  # Ctrl+F, under the text
        box.addWidget(self.find_bar)
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
        self.splitter.splitterMoved.connect(lambda _pos, _index: self.prefs.remember_library_width())
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

    def _build_panels(self) -> None:
        """The annotations panel and the library search: docks, hidden until asked for; they and
        the find bar follow the open document's session."""
        self.annotations_panel = AnnotationsPanel(self)
        self.search_panel = SearchPanel(self)
        for dock in (self.annotations_panel, self.search_panel):
            self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
            dock.hide()
        followers = (self.find_bar, self.annotations_panel, self.search_panel)
        self.document_opened.connect(lambda _id: [f.set_session(self.session) for f in followers])
        self.document_closed.connect(lambda: [f.set_session(None) for f in followers])

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

    # ----------------------------------------------------------------- settings & preferences

    def setting(self, key: str, default: Setting = None) -> Setting:
        if self._closed:
            return default
        try:
            return store.get_setting(self.db, key, default)
        except ReaderError:
            return default

    def set_setting(self, key: str, value: Setting) -> None:
        if self.db is None or self.read_only or (not self.remember_state and key.startswith("ui.")):
            return  # read-only: the banner already says nothing is saved
        try:
            store.set_setting(self.db, key, value)
        except ReaderError as err:
            self.statusBar().showMessage(str(err), 8000)

    def save_state(self) -> None:
        self.prefs.save_state()

    def set_theme(self, name: str, save: bool = True) -> None:
        self.prefs.set_theme(name, save)

    def theme_name(self) -> str:
        return self.prefs.theme

    def set_layout_mode(self, mode: str, save: bool = True) -> None:
        self.prefs.set_layout_mode(mode, save)

    def toggle_layout(self) -> None:
        self.set_layout_mode(INTERLEAVED if self.view.layout_mode() == SIDE_BY_SIDE else SIDE_BY_SIDE)

    def set_zoom(self, zoom: int) -> None:
        self.prefs.set_zoom(zoom)

    def set_word_highlighting(self, on: bool, save: bool = True) -> None:
        """Word hover highlighting and click-to-look-up on or off (sentence hover stays)."""
        self.prefs.set_word_highlighting(on, save)

    def library_visible(self) -> bool:
        return self.prefs.library_visible()

    def set_library_visible(self, on: bool, save: bool = True) -> None:
        """Collapse or expand the sidebar (Ctrl+B); it comes back at the width it had."""
        self.prefs.set_library_visible(on, save)

    # ----------------------------------------------------------------- library

    def refresh_library(self) -> None:
        if self.db is None:
            return
        try:
            docs = store.list_documents(self.db, self.models.model_key_or_none())
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
                removal_question(self.db, doc_id, doc["title"]),
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
        self.annotations_panel.schedule_reload()
        self.statusBar().showMessage(f"Removed “{doc['title']}” from the library.", 5000)
        return True

    # ----------------------------------------------------------------- the open document

    def open_document(self, doc_id: int) -> bool:
        """Show a document at once with every cached translation; translate the rest in a worker."""
        if self.db is None:
            return False
        if doc_id == self.doc_id and self.view.content() is not None:
            return True
        self.prefs.save_scroll()
        self.translation.stop()
        model_key, model_error = None, None
        try:
            package = self.engines.package()
            model_key = self.engines.model_key()
        except ModelError as err:
            package, model_error = None, err
        try:
            session = DocumentSession.open(self.db, doc_id, model_key)
        except StoreError as err:
            self.statusBar().showMessage(str(err), 8000)
            self.refresh_library()
            return False
        self.doc_id, self.session = doc_id, session
        # Shown first, so the view lays the document out once, at its real width (shown after,
        # its first resize laid all 2,000 rows of a long document out a second time).
        self.stack.setCurrentIndex(1)
        self.view.set_missing_mode("pending" if package is not None else "none")
        self.view.set_session(session)  # first: the word highlights are drawn on its rows
        self.words.set_session(session)
        session.subscribe(self.translation.session_changed)
        self.header.relayout()
        self.setWindowTitle(f"{session.document.title} — Bilingual Reader")
        anchor = self.setting(f"ui.scroll.{doc_id}")
        if anchor:
            self.view.restore_anchor(int(anchor[0]), float(anchor[1]))
        self.set_setting("ui.last_document", doc_id)
        self.library.set_current(doc_id)
        self.models.show_state(package, model_error)
        self.banners.remove(ERROR_BANNER)
        translating = package is not None and bool(session.untranslated())
        if translating:
            self.translation.start(doc_id, len(session.sentence_ids()), self.view.visible_sentence_ids())
        self.words.align_document(use_engine=not translating)
        self.view.setFocus()
        self.document_opened.emit(doc_id)
        return True

    def close_document(self, message: str | None = None) -> None:
        """Back to the placeholder (the document was removed, or is gone from the database)."""
        self.prefs.save_scroll()
        self.translation.stop()
        self.doc_id = self.session = None
        self.view.set_session(None)
        self.words.set_session(None)
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

    def is_closed(self) -> bool:
        return self._closed

    # ----------------------------------------------------------------- status bar & errors

    def is_busy(self) -> bool:
        return bool(self.runner.active()) or self.imports.pending > 0

    def show_progress(self, text: str, done: int, total: int) -> None:
        self.progress_label.setText(text)
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(done)
        for w in (self.progress_label, self.progress_bar, self.cancel_button):
            w.show()
        self.cancel_button.setEnabled(True)

    def hide_progress(self) -> None:
        for w in (self.progress_label, self.progress_bar, self.cancel_button):
            w.hide()

    def cancel_background(self) -> None:
        """The status bar's Cancel: stops translation or a download, keeping what is done."""
        self.translation.cancel()
        self.models.cancel()
        self.cancel_button.setEnabled(False)
        self.progress_label.setText("Cancelling…")

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

    # ----------------------------------------------------------------- the rooms' actions

    @property
    def translation_task(self) -> Task | None:
        return self.translation.task

    @property
    def model_task(self) -> Task | None:
        return self.models.task

    @property
    def alternatives_dialog(self) -> AlternativesDialog | None:
        return self.sentences.alternatives_dialog

    @alternatives_dialog.setter
    def alternatives_dialog(self, dialog: AlternativesDialog | None) -> None:
        self.sentences.alternatives_dialog = dialog

    @property
    def last_error_dialog(self) -> QMessageBox | None:
        return self.imports.last_error_dialog

    @property
    def _menu(self) -> QMenu | None:  # the last sentence menu (tests read its actions)
        return self.sentences.menu

    def _sentence_menu(self, sid: int | None, global_pos: QPoint) -> None:
        self.sentences.show_menu(sid, global_pos)

    def translate_rest(self) -> Task | None:
        return self.translation.translate_rest()

    def save_user_translation(self, sid: int, text: str) -> None:
        self.sentences.save_edit(sid, text)

    def revert_user_translation(self, sid: int) -> None:
        self.sentences.revert(sid)

    def retranslate_sentence(self, sid: int, replace_edit: bool | None = None) -> Task | None:
        return self.sentences.retranslate(sid, replace_edit)

    def show_alternatives(self, sid: int) -> Task | None:
        return self.sentences.show_alternatives(sid)

    def export_dialog(self) -> Task | None:
        return self.imports.export_dialog()

    def export_document(self, path: str | Path, fmt: str | None = None) -> Task | None:
        return self.imports.export_document(path, fmt)

    def open_file_dialog(self) -> None:
        self.imports.open_file_dialog()

    def import_file(self, path: str | Path) -> Task | None:
        return self.imports.import_file(path)

    def paste_document(self) -> Task | None:
        return self.imports.paste_document()

    def show_import_error(self, title: str, err: BaseException) -> QMessageBox:
        return self.imports.show_import_error(title, err)

    def download_model(self) -> Task | None:
        return self.models.download()

    def install_model_dialog(self) -> None:
        self.models.install_dialog()

    def install_model_file(self, path: str | Path) -> Task:
        return self.models.install_file(path)

    def choose_dictionary(self, path: str | Path | None = None) -> bool:
        return self.models.choose_dictionary(path)

    # ----------------------------------------------------------------- window events

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if self.imports.accepts_drop(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        if self.imports.drop(event.mimeData()):
            event.acceptProposedAction()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if obj is self.view and event.type() == QEvent.Type.Resize:
            QTimer.singleShot(0, self.header.relayout)
        return super().eventFilter(obj, event)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            self.check_document_still_exists()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
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
