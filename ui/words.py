"""Words in the reader window: background alignment, hover highlighting, the dictionary popup.

``WordTools`` glues the Qt-free core (``reader.alignments``, ``reader.dictionary``) to the view.
Alignment runs in workers of its own ``TaskRunner`` (so translation state and ``window.runner``
stay about translation), each worker with its own database connection; the tables it builds
reach the GUI thread only if the texts they were built for are still the ones shown.

The engine is shared with translation: alignment asks for forced decoding (edited sentences only)
when no translation is running; during translation it aligns lexically and realigns at the end.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QRectF, Qt, QTimer, Signal

from reader import store
from reader.errors import Cancelled, DictionaryError, ReaderError, StoreError
from ui import theme
from ui.dictionary_popup import DictionaryPopup, PopupContent
from ui.reader_view import EN, NL, ReaderView
from ui.tasks import Task, TaskContext, TaskRunner
from ui.word_hover import SentenceWords, WordHighlighter, WordRef, build_tables

LOADING_MESSAGE = "Opening the dictionary…"
DICTIONARY_SETTING = "dictionary.path"
CHOOSE_HINT = "Or choose it with Model → Choose Dictionary…"
WARM_UP_WORD = "huis"  # the first lookup loads the lemmatiser (about 0.5 s): done in the worker


class DictionaryHolder:
    """The optional dictionary, opened and warmed up once, off the GUI thread.

    Where it is: the ``dictionary.path`` setting, else ``BIREADER_DICT``, else /usr/share/dictd.
    "Not found" is not final: ``appeared()`` notices a dictionary installed since.
    """

    def __init__(self, db_path: str | Path | None = None) -> None:
        self._db_path = db_path
        self._lock = threading.Lock()
        self._state: tuple[Any, str | None] | None = None
        self._generation = 0  # bumped by reset(): a load started before it is not kept
        self._path: str | None = None  # the configured path, as last read
        self._files_missing = False  # the last load found no dictionary files at all

    def get(self) -> tuple[Any, str | None]:
        """(Dictionary or None, why not): worker threads only, the first call takes ~0.5 s."""
        with self._lock:
            state = self._state
            if state is None:
                generation = self._generation
                state = self._load()
                if generation == self._generation:
                    self._state = state
            return state

    def _load(self) -> tuple[Any, str | None]:
        from reader.alignments import open_dictionary_or_none

        self._path = self.configured_path()
        self._files_missing = not _files_present(self._path)
        dictionary, error = open_dictionary_or_none(self._path)
        if dictionary is not None:
            try:
                dictionary.lookup(WARM_UP_WORD)
            except DictionaryError as err:
                dictionary, error = None, str(err)
        return dictionary, error

    def configured_path(self) -> str | None:
        """The ``dictionary.path`` setting (None: the default places)."""
        try:
            with store.connection(self._db_path) as db:
                value = store.get_setting(db, DICTIONARY_SETTING)
        except ReaderError:
            return None
        return str(value) if value else None

    def peek(self) -> tuple[Any, str | None] | None:
        """The state if already loaded (GUI thread: never blocks)."""
        return self._state

    def reset(self) -> None:
        """Forget the loaded state (another dictionary was chosen): the next ``get`` loads again."""
        self._generation += 1
        self._state = None

    def appeared(self) -> bool:
        """No dictionary was found before, but its files are there now: forget "not found".
        A few stat calls, so the GUI thread may ask at every lookup."""
        state = self._state
        if state is None or state[0] is not None or not self._files_missing:
            return False
        if not _files_present(self._path):
            return False
        self.reset()
        return True


def _files_present(path: str | None) -> bool:
    from reader.dictionary import find_files

    try:
        find_files(path)
    except DictionaryError:
        return False
    return True


class _LazyEngine:
    """Forced decoding through the window's engine, loaded only if an edited sentence needs it."""

    def __init__(self, engines: Any, model_key: str) -> None:
        self.model_key = model_key
        self._engines = engines

    def force(self, source: str, target: str) -> Any:
        return self._engines.get().force(source, target)


class WordTools(QObject):
    """Alignment tasks, the word highlighter and the dictionary popup of one reader view."""

    aligned = Signal(object)  # set of sentence ids whose word tables were installed

    def __init__(
        self,
        view: ReaderView,
        engines: Any,
        db_path: str | Path | None,
        *,
        status: Callable[[str, int], None],
        engine_free: Callable[[], bool],
        is_test_model: Callable[[], bool] = lambda: False,
        document_exists: Callable[[], bool] = lambda: True,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.view = view
        self.engines = engines
        self.db_path = str(db_path) if db_path is not None else None
        self.runner = TaskRunner(self)
        self.highlighter = WordHighlighter(view)
        self.popup = DictionaryPopup(view)
        self.dictionary = DictionaryHolder(self.db_path)
        self._status = status
        self._engine_free = engine_free
        self._is_test_model = is_test_model
        self._document_exists = document_exists
        self.doc_id: int | None = None
        self._doc_task: Task | None = None
        self._again: bool | None = None  # a document alignment was asked for while one ran
        self._dictionary_task: Task | None = None
        self._popup_word: WordRef | None = None

        self.highlighter.hovered.connect(self._on_hovered)
        self.highlighter.clicked.connect(self._on_clicked)
        self.highlighter.dismissed.connect(self.close_popup)
        self.popup.closed.connect(self._on_popup_closed)
        view.scrolled.connect(self.follow)
        view.installEventFilter(self)

    # ----------------------------------------------------------------- document lifecycle

    def document_opened(self, doc_id: int | None) -> None:
        """A new document is shown: forget the old one's tables, tasks and popup."""
        self._cancel_tasks()
        self.doc_id = doc_id
        self.highlighter.set_tables({})
        self.close_popup()

    def shutdown(self) -> None:
        self.popup.close_popup()
        self.runner.shutdown()

    def _cancel_tasks(self) -> None:
        """Stop the old document's alignments (the dictionary keeps loading: any text needs it)."""
        for task in self.runner.active():
            if task is not self._dictionary_task:
                task.cancel()
                task.detach()
        self._doc_task = None
        self._again = None

    def busy(self) -> bool:
        return bool(self.runner.active())

    # ----------------------------------------------------------------- aligning

    def _texts(self, ids: list[int] | None = None) -> dict[int, tuple[str, str]]:
        """The (Dutch, English) texts shown now: a worker's tables must fit them."""
        content = self.view.content()
        if content is None:
            return {}
        out = {}
        for sid in ids if ids is not None else content.order:
            en = self.view.translation(sid)
            if en and sid in content.sentences:
                out[sid] = (content.sentences[sid].text, en)
        return out

    def _model(self, use_engine: bool) -> tuple[str | None, _LazyEngine | None]:
        try:
            model_key = self.engines.model_key()
        except ReaderError:
            return None, None
        engine = _LazyEngine(self.engines, model_key) if use_engine and self._engine_free() else None
        return model_key, engine

    def align_document(self, use_engine: bool = True) -> Task | None:
        """Align every shown sentence of the open document in the background (stored ones are
        read back at once); asked again while running, it runs once more when done."""
        doc_id = self.doc_id
        if doc_id is None:
            return None
        if self._doc_task is not None and self._doc_task.is_running():
            self._again = bool(self._again) or use_engine
            return self._doc_task
        texts = self._texts()
        if not texts:
            return None
        model_key, engine = self._model(use_engine)
        db_path, holder = self.db_path, self.dictionary

        def work(ctx: TaskContext) -> dict[int, SentenceWords]:
            from reader.alignments import document_alignments

            dictionary, _ = holder.get()
            with store.connection(db_path) as db:
                alignments = document_alignments(
                    db, doc_id, model_key, engine=engine, dictionary=dictionary, cancelled=ctx.cancelled
                )
            return build_tables(alignments, texts)

        task = self.runner.run(
            work,
            label=f"align:{doc_id}",
            on_done=lambda tables, d=doc_id: self._install(d, tables),
            on_error=lambda err, d=doc_id: self._failed(d, err),
            on_finished=self._document_task_finished,
        )
        self._doc_task = task
        return task

    def _document_task_finished(self) -> None:
        again, self._again = self._again, None
        self._doc_task = None
        if again is not None:
            self.align_document(use_engine=again)

    def align_sentence(self, sentence_id: int) -> Task | None:
        """Realign one sentence whose English changed (an edit, a revert, a retranslation)."""
        doc_id = self.doc_id
        self.highlighter.invalidate(sentence_id)  # its shown highlight no longer fits the text
        texts = self._texts([sentence_id])
        if doc_id is None or sentence_id not in texts:
            return None
        nl, en = texts[sentence_id]
        model_key, engine = self._model(True)
        db_path, holder = self.db_path, self.dictionary

        def work(ctx: TaskContext) -> dict[int, SentenceWords]:
            from reader.alignments import sentence_alignment

            dictionary, _ = holder.get()
            with store.connection(db_path) as db:
                cached = None
                if model_key is not None:
                    key = store.source_hash(nl)
                    cached = store.get_cached(db, model_key, [key]).get(key)
                alignment = sentence_alignment(
                    db, nl, en, cached=cached, engine=engine, dictionary=dictionary, model_key=model_key
                )
            return build_tables({sentence_id: alignment}, texts)

        return self.runner.run(
            work,
            label=f"align-sentence:{sentence_id}",
            on_done=lambda tables, d=doc_id: self._install(d, tables),
            on_error=lambda err, d=doc_id: self._failed(d, err),
        )

    def _install(self, doc_id: int, tables: dict[int, SentenceWords]) -> None:
        if doc_id != self.doc_id:
            return
        fresh = {
            sid: t
            for sid, t in tables.items()
            if t.en_text == self.view.translation(sid) and t.nl_text == self.view.sentence_text(sid, NL)
        }
        self.highlighter.update_tables(fresh)
        self.aligned.emit(set(fresh))

    def _failed(self, doc_id: int | None, err: BaseException) -> None:
        """Alignment is a nicety: its failure is a status-bar line, never a dialog. A document
        removed meanwhile is the window's to close (``document_exists``), with no line here."""
        if isinstance(err, Cancelled) or doc_id != self.doc_id:
            return
        if isinstance(err, StoreError) and not self._document_exists():
            return
        text = str(err) if isinstance(err, ReaderError) else f"{type(err).__name__}: {err}"
        self._status(f"Could not align the words of this text: {text}", 8000)

    # ----------------------------------------------------------------- hover hints

    def _on_hovered(self, shown: tuple[WordRef, Any] | None) -> None:
        if shown is None:
            return
        ref, info = shown
        if info.counterpart is None:
            where = "English translation" if ref.side == NL else "Dutch text"
            hint = f"“{ref.text}”: no counterpart in the {where}"
        else:
            table = self.highlighter.table(ref.sentence_id)
            far = table.text(EN if ref.side == NL else NL) if table is not None else ""
            start, end = info.counterpart
            counterpart = far[start:end]
            if len(counterpart) > 48:
                counterpart = counterpart[:47] + "…"
            hint = f"“{ref.text}” ↔ “{counterpart}”"
        if ref.side == NL and not self._popup_open_for(ref):
            hint += "  ·  click to look it up (D)"
        self._status(hint, 5000)

    def _popup_open_for(self, ref: WordRef) -> bool:
        """The popup already shows this word: offering to look it up again would be noise."""
        shown = self._popup_word
        return (
            shown is not None
            and self.popup.isVisible()
            and (shown.sentence_id, shown.start, shown.end) == (ref.sentence_id, ref.start, ref.end)
        )

    # ----------------------------------------------------------------- the dictionary popup

    def set_enabled(self, on: bool) -> None:
        self.highlighter.set_enabled(on)
        if not on:
            self.close_popup()

    def set_colors(self, colors: theme.ReaderColors) -> None:
        self.highlighter.set_colors(colors)
        self.popup.set_colors(colors)

    def _on_clicked(self, ref: WordRef | None) -> None:
        if ref is not None and ref.side == NL:
            self.look_up(ref)
        else:
            self.close_popup()

    def look_up_current(self) -> bool:
        """The D shortcut: the Dutch word under the mouse or pinned (an English word: its
        Dutch counterpart). Returns whether a popup opened."""
        ref = self.highlighter.current_word()
        if ref is not None and ref.side == EN:
            table = self.highlighter.table(ref.sentence_id)
            index = table.best_counterpart(EN, ref.index) if table is not None else None
            ref = self.highlighter.ref(ref.sentence_id, NL, index) if index is not None else None
            if ref is None:
                self._status("This English word has no Dutch counterpart to look up.", 4000)
                return False
        if ref is None:
            self._status("Point at a Dutch word (or click it) to look it up.", 4000)
            return False
        if self.highlighter.enabled():
            self.highlighter.pin(ref)
        self.look_up(ref)
        return True

    def look_up(self, ref: WordRef) -> None:
        """Open the popup for a Dutch word: its entries, how they were found, its English."""
        self._popup_word = ref
        rects = self.view.range_rects(ref.sentence_id, NL, ref.start, ref.end)
        if not rects:
            return
        content = self._content(ref)
        self.popup.show_for(rects[0], content, self._counterpart_rects(ref.sentence_id, content.bold))
        self._status(f"“{ref.text}” in the dictionary  ·  Esc closes it", 5000)

    def _counterpart_rects(self, sentence_id: int, ranges: list[tuple[int, int]]) -> list[QRectF]:
        return [r for s, e in ranges for r in self.view.range_rects(sentence_id, EN, s, e)]

    def _content(self, ref: WordRef) -> PopupContent:
        table = self.highlighter.table(ref.sentence_id)
        if table is not None and ref.index >= 0:
            label, word, particle = table.lookup_key(ref.index)
            bold = table.counterpart_ranges(NL, ref.index)
        else:
            label, word, particle, bold = ref.text, ref.text, None, []
        content = PopupContent(
            label=label,
            english=self.view.translation(ref.sentence_id) or "",
            bold=bold,
            test_model=self._is_test_model(),
        )
        state = self.dictionary.peek()
        if state is None or self.dictionary.appeared():
            content.message = LOADING_MESSAGE
            self._load_dictionary()
            return content
        dictionary, error = state
        if dictionary is None:
            content.message = f"{error} {CHOOSE_HINT}"
            return content
        try:
            results = dictionary.lookup(word, particle)
        except DictionaryError as err:
            content.message = str(err)
            return content
        # With a particle the separable reading is the one meant: show it first.
        content.results = sorted(results, key=lambda r: r.how != "separable") if particle else results
        return content

    def _load_dictionary(self) -> None:
        if self._dictionary_task is not None and self._dictionary_task.is_running():
            return
        holder = self.dictionary

        def done(_state: Any) -> None:
            self._dictionary_task = None
            ref = self._popup_word
            if ref is not None and self.popup.isVisible():
                self.popup.update_content(self._content(ref))

        self._dictionary_task = self.runner.run(
            lambda ctx: holder.get(),
            label="dictionary",
            on_done=done,
            on_error=lambda err, d=self.doc_id: self._failed(d, err),
        )

    def dictionary_changed(self) -> None:
        """Another dictionary was chosen: load it at the next lookup, realign with it."""
        self.dictionary.reset()
        self.close_popup()
        self.align_document(use_engine=False)

    def close_popup(self) -> None:
        self.popup.close_popup()

    def _on_popup_closed(self) -> None:
        self._popup_word = None

    def follow(self) -> None:
        """Keep the popup on its word when the text scrolls, re-lays out or zooms."""
        ref = self._popup_word
        if ref is None or not self.popup.isVisible():
            return
        rects = self.view.range_rects(ref.sentence_id, NL, ref.start, ref.end)
        content = self.popup.content()
        avoid = self._counterpart_rects(ref.sentence_id, content.bold) if content is not None else []
        self.popup.follow(rects[0] if rects else None, avoid)

    def popup_anchor(self) -> QRectF | None:
        ref = self._popup_word
        if ref is None:
            return None
        rects = self.view.range_rects(ref.sentence_id, NL, ref.start, ref.end)
        return rects[0] if rects else None

    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        if obj is self.view and event.type() == QEvent.Type.KeyPress and self.popup.isVisible():
            if event.key() == Qt.Key.Key_Escape:
                self.highlighter.clear()
                self.close_popup()
                return True
        if obj is self.view and event.type() == QEvent.Type.Resize and self.popup.isVisible():
            QTimer.singleShot(0, self.follow)  # after the view has laid out again
        return False
