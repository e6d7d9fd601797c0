"""Background translation of the open document: start, progress, batches on screen, cancel, resume.

One translation task at a time; a worker opens its own database connection and hands each
finished batch (its text only: no tokens or attention cross to the GUI thread) to the document
session, whose notification puts it on screen and has the batch's words aligned (the reader's own
versions stay shown).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer

from reader import store
from reader.errors import StoreError
from reader.store import CachedText
from ui.status_text import plural
from ui.tasks import Task, TaskContext

if TYPE_CHECKING:
    from reader.pipeline import TranslateStats
    from reader.session import Changes
    from ui.main_window import MainWindow

TRANSLATE_REST = "Translate the rest"
LIBRARY_REFRESH_MS = 500  # the open document's "Done" share, at most this often while translating


def translation_summary(stats: TranslateStats) -> str:
    """What opening a document did, unambiguously: how many came from the cache, how many were new."""
    total = getattr(stats, "total", stats.cached + stats.translated)
    if not stats.cached:
        return f"Translated {plural(stats.translated, 'sentence')}."
    if not stats.translated:
        return f"{plural(total, 'sentence')}, all from the cache."
    return f"{plural(total, 'sentence')}: {stats.cached} from the cache, {stats.translated} translated."


class TranslationController:
    """Translates the open document in a worker and reports on the window's status bar."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.task: Task | None = None
        self._library_timer = QTimer(window, singleShot=True)
        self._library_timer.timeout.connect(self._show_library_progress)
        self._library_shown_at = 0.0

    def running(self) -> bool:
        return self.task is not None and self.task.is_running()

    def start(self, doc_id: int, total: int, priority: list[int]) -> None:
        """Translate in a worker, the sentences on (or just below) the screen first. A read-only
        library still gets its translations on screen, only not cached."""
        w = self.window
        engines, db_path, save = w.engines, w.db_path, not w.read_only
        w.resume_button.hide()

        def work(ctx: TaskContext) -> TranslateStats:
            from reader.pipeline import translate_document

            engine = engines.get()
            with store.connection(db_path) as db:
                return translate_document(
                    db,
                    doc_id,
                    engine,
                    progress=ctx.progress,
                    cancelled=ctx.cancelled,
                    on_results=lambda results: ctx.partial({s: CachedText.of(r) for s, r in results.items()}),
                    priority=priority,
                    save=save,
                )

        w.show_progress(f"Translating 0 / {total} sentences", 0, total)
        self.task = w.runner.run(
            work,
            label=f"translate:{doc_id}",
            on_progress=lambda done, n, d=doc_id: self._progress(d, done, n),
            on_partial=lambda results, d=doc_id: self._results(d, results),
            on_done=lambda stats, d=doc_id: self._done(d, stats),
            on_error=lambda err, d=doc_id: self._failed(d, err),
            on_cancelled=lambda d=doc_id: self._cancelled(d),
        )
        w.translation_started.emit(doc_id)

    def translate_rest(self) -> Task | None:
        """Resume after a cancel: the open document's sentences that still have no translation
        (the cache answers for the others)."""
        w = self.window
        w.resume_button.hide()
        content = w.view.content()
        if w.doc_id is None or content is None or not w.check_document_still_exists():
            return None
        if self.running():
            return self.task
        if not w.models.has_package():
            w.statusBar().showMessage(
                "No translation model is installed: install one from the Model menu.", 8000
            )
            return None
        self.start(w.doc_id, len(content.order), w.view.visible_sentence_ids())
        return self.task

    def stop(self) -> None:
        """Leaving the document: its batches are saved by the worker, this window stops showing them."""
        self.window.resume_button.hide()  # it belongs to the document being left
        task, self.task = self.task, None
        if task is not None and task.is_running():
            task.cancel()
            task.detach()
            self.window.hide_progress()

    def cancel(self) -> None:
        if self.running():
            self.task.cancel()

    # ----------------------------------------------------------------- worker callbacks (GUI thread)

    def _progress(self, doc_id: int, done: int, total: int) -> None:
        if doc_id == self.window.doc_id:
            self.window.show_progress(f"Translating {done} / {total} sentences", done, total)

    def _results(self, doc_id: int, results: dict[int, CachedText]) -> None:
        w = self.window
        if doc_id == w.doc_id and w.session is not None:
            w.session.translations_arrived(results, db=None if w.read_only else w.db)

    def session_changed(self, changes: Changes) -> None:
        """Sentences gained or lost their English: the sidebar's "Done" share follows."""
        if changes.origin or changes.document:
            self._schedule_library_progress()

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
        w = self.window
        self._library_shown_at = time.monotonic()
        if w.doc_id is not None and w.view.content() is not None:
            w.library.set_translated(w.doc_id, w.view.translated_count())

    def _done(self, doc_id: int, stats: TranslateStats) -> None:
        w = self.window
        self._end(doc_id)
        if doc_id == w.doc_id:
            failed = getattr(stats, "failed", 0)
            msg = translation_summary(stats)
            if failed:
                msg += f" The model gave no output for {failed}; retranslate them to try again."
            if w.read_only and getattr(stats, "translated", 0):
                msg += " They are not saved: the library is read-only."
            w.statusBar().showMessage(msg, 6000)
        w.translation_ended.emit("done")

    def _cancelled(self, doc_id: int) -> None:
        """What is done is kept (and shown); "Translate the rest" in the status bar resumes."""
        w = self.window
        self._end(doc_id)
        if doc_id == w.doc_id:
            content = w.view.content()
            total = len(content.order) if content is not None else 0
            done = w.view.translated_count()
            w.statusBar().showMessage(f"Cancelled: {done} of {plural(total, 'sentence')} translated.", 10000)
            w.resume_button.setVisible(done < total)
        w.translation_ended.emit("cancelled")

    def _failed(self, doc_id: int, err: BaseException) -> None:
        w = self.window
        self._end(doc_id)
        if isinstance(err, StoreError) and doc_id == w.doc_id:
            w.check_document_still_exists()
        if doc_id == w.doc_id:
            w.show_error(err)
        w.translation_ended.emit("failed")

    def _end(self, doc_id: int) -> None:
        w = self.window
        if self.task is not None and not self.task.is_running():
            self.task = None
        if doc_id == w.doc_id or self.task is None:
            w.hide_progress()
        w.refresh_library()
        if doc_id == w.doc_id:
            w.words.align_document(use_engine=True)  # edits made meanwhile: forced decoding now
