"""Articles in and out of the library: File → Open, a dropped file, the clipboard, File → Export.

Reading a file and writing an export run in workers with their own database connection; an
imported article opens as soon as it is stored.  The formats come from ``reader.formats``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QMimeData
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QMessageBox

from reader import store
from reader.errors import StoreError
from reader.formats import (
    DEFAULT_EXPORT,
    EXPORT,
    export_choice,
    export_dialog_filter,
    files_to_import,
    import_dialog_filter,
)
from ui.status_text import READ_ONLY_REFUSAL, plural
from ui.tasks import Task, TaskContext

if TYPE_CHECKING:
    from ui.main_window import MainWindow

TEXT_FILTER = import_dialog_filter()  # from reader.formats.IMPORT
TEST_MODEL_EXPORT_NOTE = "the English is a TEST MODEL's gibberish, not a translation"
Import = Callable[[TaskContext], tuple[int, bool]]  # a worker storing an article: (document id, new?)


def export_format(path: str | Path, chosen_filter: str) -> str:
    """The export format: a known extension wins (the rule `bireader translate -o` follows too),
    else the save dialog's chosen filter (``reader.formats.export_choice``)."""
    return export_choice(str(path), chosen_filter)[1]


class ImportExport:
    """The window's import and export actions."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.pending = 0  # imports started and not finished yet
        self.last_error_dialog: QMessageBox | None = None

    # ----------------------------------------------------------------- importing

    def open_file_dialog(self) -> None:
        home = str(Path.home())
        paths, _ = QFileDialog.getOpenFileNames(self.window, "Open Dutch article", home, TEXT_FILTER)
        for path in paths:
            self.import_file(path)

    def import_file(self, path: str | Path) -> Task | None:
        """Import a file in a worker and open it; a failure shows the importer's message."""
        db_path = str(self.window.db_path) if self.window.db_path else None

        def work(ctx: TaskContext) -> tuple[int, bool]:
            from reader.pipeline import import_file

            with store.connection(db_path) as db:
                return import_file(db, path)

        return self._run_import(work, f"import:{path}", "Could not open the file")

    def paste_document(self) -> Task | None:
        """A new document from the clipboard's text; an empty clipboard only says so."""
        text = QGuiApplication.clipboard().text()
        if not text.strip():
            self.window.statusBar().showMessage(
                "The clipboard holds no text: copy an article's text first, then paste.", 6000
            )
            return None
        db_path = self.window.db_path

        def work(ctx: TaskContext) -> tuple[int, bool]:
            from reader.pipeline import import_text

            with store.connection(db_path) as db:
                return import_text(db, text, source_name="Pasted text")

        return self._run_import(work, "paste", "Could not import the pasted text")

    def _run_import(self, work: Import, label: str, title: str) -> Task | None:
        w = self.window
        if w.read_only:  # refused before reading anything: the store could not keep it
            err = StoreError(READ_ONLY_REFUSAL.format(what="a new article"))
            self.show_import_error(title, err)
            w.import_finished.emit(err)
            return None
        self.pending += 1
        w.statusBar().showMessage("Importing…")

        def done(result: tuple[int, bool]) -> None:
            doc_id, created = result
            self.pending -= 1
            w.statusBar().clearMessage()
            w.refresh_library()
            if not w.is_closed():
                w.open_document(doc_id)
                if not created:
                    w.statusBar().showMessage("Already in the library: opened it.", 6000)
            w.import_finished.emit(doc_id)

        def failed(err: BaseException) -> None:
            self.pending -= 1
            w.statusBar().clearMessage()
            self.show_import_error(title, err)
            w.import_finished.emit(err)

        def cancelled() -> None:
            self.pending -= 1

        return w.runner.run(work, label=label, on_done=done, on_error=failed, on_cancelled=cancelled)

    def show_import_error(self, title: str, err: BaseException) -> QMessageBox:
        ok = QMessageBox.StandardButton.Ok
        box = QMessageBox(QMessageBox.Icon.Warning, title, str(err), ok, self.window)
        box.setObjectName("importError")
        self.last_error_dialog = box
        box.open()
        return box

    @staticmethod
    def accepts_drop(mime: QMimeData) -> bool:
        return any(url.isLocalFile() for url in mime.urls())

    def drop(self, mime: QMimeData) -> bool:
        """Import the dropped files (a folder: the importable files in it); False if none."""
        paths = files_to_import([url.toLocalFile() for url in mime.urls() if url.isLocalFile()])
        for path in paths:
            self.import_file(path)
        return bool(paths)

    # ----------------------------------------------------------------- exporting

    def export_dialog(self) -> Task | None:
        """File → Export…: the format follows the typed extension, else the chosen filter."""
        w = self.window
        content = w.view.content()
        if w.doc_id is None or content is None:
            w.statusBar().showMessage("Open a document first, then export it.", 5000)
            return None
        if w.test_badge.isVisibleTo(w):
            answer = QMessageBox.warning(
                w,
                "Export",
                f"A test model is installed: {TEST_MODEL_EXPORT_NOTE}. Export anyway?",
                QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Save:
                return None
        name = "".join(c if c.isalnum() or c in " -_" else "_" for c in content.title).strip() or "article"
        suffix = EXPORT[DEFAULT_EXPORT].suffixes[0]
        path, chosen = QFileDialog.getSaveFileName(
            w, "Export document", str(Path.home() / f"{name[:80]}{suffix}"), export_dialog_filter()
        )
        if not path:
            return None
        path, fmt = export_choice(path, chosen)  # "notes" gets the filter's suffix, "x.markdown" none
        return self.export_document(path, fmt)

    def export_document(self, path: str | Path, fmt: str | None = None) -> Task | None:
        """Write the open document (the user's edits win) through ``reader.export`` in a worker."""
        w = self.window
        content = w.view.content()
        if w.doc_id is None or content is None:
            return None
        doc_id, db_path, model_key = w.doc_id, w.db_path, w.models.model_key_or_none()
        n = len(content.order)
        test_model = w.test_badge.isVisibleTo(w)

        def work(ctx: TaskContext) -> Path:
            from reader.export import export_to_file

            with store.connection(db_path) as db:
                return export_to_file(db, doc_id, model_key, path, fmt)

        def done(written: Path) -> None:
            msg = f"Exported {plural(n, 'sentence')} to {written}."
            if test_model:
                msg += f" Note: {TEST_MODEL_EXPORT_NOTE}."
            w.statusBar().showMessage(msg, 10000)
            w.exported.emit(written)

        def failed(err: BaseException) -> None:
            w.show_error(err)
            w.exported.emit(err)

        w.statusBar().showMessage("Exporting…")
        return w.runner.run(work, label=f"export:{path}", on_done=done, on_error=failed)
