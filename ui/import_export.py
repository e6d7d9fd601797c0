"""Articles in and out of the library: File → Open, a dropped file, the clipboard, File → Export.

Reading a file and writing an export run in workers with their own database connection; an
imported article opens as soon as it is stored.  The formats come from ``reader.formats``.

A read-only library stores nothing, but an article it already holds (the same content, however it
arrives: file, paste, drop or address) is read as an import would read it and opened; a new one is
refused with ``READ_ONLY_REFUSAL``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QMimeData
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox
from sqlite_utils import Database

from reader import store
from reader.errors import StoreError
from reader.formats import export_choice, files_to_import, import_dialog_filter
from ui.status_text import READ_ONLY_REFUSAL, plural
from ui.tasks import Task, TaskContext

if TYPE_CHECKING:
    from reader.importer import ParsedArticle
    from ui.export_dialog import ExportDialog
    from ui.main_window import MainWindow

TEXT_FILTER = import_dialog_filter()  # from reader.formats.IMPORT
IMPORT_WARNING_BANNER = "import-warning"
TEST_MODEL_EXPORT_NOTE = "the English is a TEST MODEL's gibberish, not a translation"
Import = Callable[[TaskContext], tuple[int, bool]]  # a worker storing an article: (document id, new?)


@contextmanager
def _library(db_path: str | Path | None, read_only: bool) -> Iterator[Database]:
    """A worker's connection, read-only when the window's is (even on a file it could write)."""
    with closing(store.open_db(db_path, read_only=True if read_only else None)) as db:
        yield db


def _existing(found: int | None) -> tuple[int, bool]:
    """An article a read-only library already holds (opened, not new), or the refusal."""
    if found is None:
        raise StoreError(READ_ONLY_REFUSAL.format(what="a new article"))
    return found, False


def _store(db: Database, article: ParsedArticle) -> tuple[int, bool]:
    from reader.pipeline import find_article

    if store.is_read_only(db):
        return _existing(find_article(db, article))
    return store.add_document(db, article)


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
        self.export_dialog_widget: ExportDialog | None = None  # the last File → Export… dialog

    # ----------------------------------------------------------------- importing

    def open_file_dialog(self) -> None:
        home = str(Path.home())
        paths, _ = QFileDialog.getOpenFileNames(self.window, "Open Dutch article", home, TEXT_FILTER)
        for path in paths:
            self.import_file(path)

    def import_file(self, path: str | Path) -> Task | None:
        """Import a file in a worker and open it; a failure shows the importer's message."""
        db_path = str(self.window.db_path) if self.window.db_path else None
        read_only = self.window.read_only
        warnings: list[str] = []  # filled by the worker, shown once it has finished

        def work(ctx: TaskContext) -> tuple[int, bool]:
            from reader.pipeline import find_imported, import_file

            with _library(db_path, read_only) as db:
                if store.is_read_only(db):
                    return _existing(find_imported(db, path, warn=warnings.append))
                return import_file(db, path, warn=warnings.append)

        return self._run_import(work, f"import:{path}", "Could not open the file", warnings)

    def paste_document(self) -> Task | None:
        """A new document from the clipboard (a browser's HTML keeps headings, lists and quotes);
        an empty clipboard only says so."""
        mime = QGuiApplication.clipboard().mimeData()
        if mime is None or not (mime.text().strip() or (mime.hasHtml() and mime.html().strip())):
            self.window.statusBar().showMessage(
                "The clipboard holds no text: copy an article's text first, then paste.", 6000
            )
            return None
        link = mime.text().strip()
        if not mime.hasHtml() and link.startswith(("http://", "https://")) and len(link.split()) == 1:
            return self.import_url(link)  # a copied address: the page it names
        return self._import_selection(mime, "paste", "Could not import the pasted text")

    def _import_selection(self, mime: QMimeData, label: str, title: str) -> Task | None:
        """Pasted or dropped text, read by ``reader.import_html.read_clipboard`` in a worker."""
        html = mime.html() if mime.hasHtml() else ""
        text = mime.text()
        db_path = self.window.db_path
        read_only = self.window.read_only
        warnings: list[str] = []

        def work(ctx: TaskContext) -> tuple[int, bool]:
            from reader.import_html import read_clipboard

            article = read_clipboard(html, text, "Pasted text")
            warnings.extend(article.warnings)
            with _library(db_path, read_only) as db:
                return _store(db, article)

        return self._run_import(work, label, title, warnings)

    def open_url_dialog(self) -> QInputDialog:
        """File → Open URL…: asks for an address (not blocking: the answer starts the download)."""
        dialog = QInputDialog(self.window)
        dialog.setObjectName("openUrlDialog")
        dialog.setWindowTitle("Open URL")
        dialog.setLabelText("Address of a Dutch article (http:// or https://):")
        dialog.setTextEchoMode(QLineEdit.EchoMode.Normal)
        clip = QGuiApplication.clipboard().text().strip()
        if clip.startswith(("http://", "https://")) and len(clip.split()) == 1:
            dialog.setTextValue(clip)
        dialog.textValueSelected.connect(lambda url: url.strip() and self.import_url(url.strip()))
        dialog.open()
        return dialog

    def import_url(self, url: str) -> Task | None:
        """Download a page in a worker and open its article (limits in ``reader.import_url``)."""
        db_path = str(self.window.db_path) if self.window.db_path else None
        read_only = self.window.read_only
        warnings: list[str] = []

        def work(ctx: TaskContext) -> tuple[int, bool]:
            from reader.import_url import read_url

            article = read_url(url)  # the download happens before the library is opened
            warnings.extend(article.warnings)
            with _library(db_path, read_only) as db:
                return _store(db, article)

        return self._run_import(work, f"url:{url}", "Could not open the address", warnings)

    def _run_import(self, work: Import, label: str, title: str,
                    warnings: list[str] | None = None) -> Task | None:
        w = self.window
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
                if warnings:  # e.g. not Dutch: imported, but the translation will be poor
                    w.banners.show_banner(IMPORT_WARNING_BANNER, "warning", " ".join(warnings))
                else:
                    w.banners.remove(IMPORT_WARNING_BANNER)
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
        """Files, web links (a link dragged from a browser), or a dragged selection of text."""
        return (any(url.isLocalFile() or url.scheme() in ("http", "https") for url in mime.urls())
                or bool(mime.text().strip()) or (mime.hasHtml() and bool(mime.html().strip())))

    def drop(self, mime: QMimeData) -> bool:
        """Import the dropped files (a folder: the importable files in it), links or selected text;
        False if none."""
        paths = files_to_import([url.toLocalFile() for url in mime.urls() if url.isLocalFile()])
        for path in paths:
            self.import_file(path)
        links = [url.toString() for url in mime.urls() if url.scheme() in ("http", "https")]
        for link in links:
            self.import_url(link)
        if paths or links or mime.hasUrls():
            return bool(paths or links)
        if mime.text().strip() or (mime.hasHtml() and mime.html().strip()):
            return self._import_selection(mime, "drop", "Could not import the dropped text") is not None
        return False

    # ----------------------------------------------------------------- exporting

    def export_dialog(self) -> ExportDialog | None:
        """File → Export…: the open document, with a choice of format, layout and what to include."""
        w = self.window
        content = w.view.content()
        if w.doc_id is None or content is None:
            w.statusBar().showMessage("Open a document first, then export it.", 5000)
            return None
        return self.export_documents([w.doc_id])

    def export_selected(self) -> ExportDialog | None:
        """File → Export Selected…: the documents selected in the library sidebar."""
        ids = self.window.library.selected_ids()
        if not ids:
            self.window.statusBar().showMessage(
                "Select documents in the library first (Ctrl+click or Shift+click for several).", 6000
            )
            return None
        return self.export_documents(ids)

    def export_documents(self, doc_ids: list[int]) -> ExportDialog | None:
        """The export dialog for these documents (titles from the library list), opened without
        blocking the window."""
        from ui.export_dialog import ExportDialog

        titles = {d["id"]: d.get("title") or "(untitled)" for d in self.window.library.source.documents()}
        docs = [(doc_id, titles[doc_id]) for doc_id in dict.fromkeys(doc_ids) if doc_id in titles]
        if not docs:
            return None
        if self.export_dialog_widget is not None and self.export_dialog_widget.task is not None:
            self.export_dialog_widget.raise_()  # one export at a time: the running one is shown
            return self.export_dialog_widget
        if self.export_dialog_widget is not None:
            self.export_dialog_widget.deleteLater()
        dialog = ExportDialog(self.window, docs)
        self.export_dialog_widget = dialog
        dialog.open()
        return dialog

    def export_document(self, path: str | Path, fmt: str | None = None) -> Task | None:
        """Write the open document (the user's edits win) through ``reader.export`` in a worker."""
        w = self.window
        content = w.view.content()
        if w.doc_id is None or content is None:
            return None
        doc_id, db_path, model_key = w.doc_id, w.db_path, w.models.model_key_or_none()
        n = len(content.order)
        test_model = w.test_badge.isVisibleTo(w)

        warnings: list[str] = []  # filled by the worker, read in done() once it has finished

        def work(ctx: TaskContext) -> Path:
            from reader.export import export_to_file

            with store.connection(db_path) as db:
                return export_to_file(db, doc_id, model_key, path, fmt, warn=warnings.append)

        def done(written: Path) -> None:
            msg = f"Exported {plural(n, 'sentence')} to {written}."
            if warnings:  # e.g. not translated yet: the file holds what exists
                msg += " " + " ".join(f"{text[0].upper()}{text[1:]}." for text in warnings)
            if test_model:
                msg += f" Note: {TEST_MODEL_EXPORT_NOTE}."
            w.statusBar().showMessage(msg, 10000)
            w.exported.emit(written)

        def failed(err: BaseException) -> None:
            w.show_error(err)
            w.exported.emit(err)

        w.statusBar().showMessage("Exporting…")
        return w.runner.run(work, label=f"export:{path}", on_done=done, on_error=failed)
