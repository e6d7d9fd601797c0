"""Words in the reader window: background alignment, hover highlighting, the dictionary popup.

``WordTools`` glues the Qt-free core (``reader.alignments``, ``reader.dictionary``) to the view.
Alignment runs in workers of its own ``TaskRunner`` (so translation state and ``window.runner``
stay about translation), each worker with its own database connection; the tables it builds
reach the GUI thread only if the texts they were built for are still the ones shown.

The engine is shared with translation: alignment asks for forced decoding (edited sentences, and
those a read-only library could not save the translation of) when no translation is running;
during translation it aligns lexically and realigns at the end. Workers align the English the
session shows, so a read-only library's unsaved translations are aligned too, in memory only.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QRectF, Qt, QTimer, Signal

from reader import store
from reader.align import Alignment
from reader.errors import Cancelled, DictionaryError, ReaderError, StoreError
from reader.hover import SentenceWords, WordRef, build_tables
from reader.services import DICTIONARY_SETTING as DICTIONARY_SETTING  # the window's and tests' name
from reader.services import DictionaryHolder, EngineHolder, LazyEngine, align_pair
from reader.session import Changes, DocumentSession
from ui import theme
from ui.dictionary_popup import DictionaryPopup, PopupContent
from ui.reader_view import EN, NL, ReaderView
from ui.tasks import Task, TaskContext, TaskRunner
from ui.word_hover import WordHighlighter

LOADING_MESSAGE = "Opening the dictionary…"
CHOOSE_HINT = "Or choose it with Model → Choose Dictionary…"


def _freeze_heap() -> None:
    """Keep what already lives (the open document, its rows and tables) out of garbage collection
    while an alignment worker runs: the worker allocates fast, and each full collection it sets
    off walks the whole heap holding the GIL, a GUI-thread stall of hundreds of milliseconds on a
    20,000-sentence document. ``gc.unfreeze`` when the alignment is done makes it collectable again."""
    gc.freeze()
    young, middle, _old = gc.get_threshold()
    gc.set_threshold(young, middle, _NO_FULL_COLLECTION)


def _thaw_heap() -> None:
    """The alignment is done: back to the usual collections, over everything."""
    gc.unfreeze()
    young, middle, _old = gc.get_threshold()
    gc.set_threshold(young, middle, _FULL_COLLECTION)


_FULL_COLLECTION = gc.get_threshold()[2]
_NO_FULL_COLLECTION = 1_000_000  # young collections still free the worker's short-lived cycles


READER_PAUSE_S = 0.25  # the alignment waits this long after the reader's last scroll step


class ReaderActivity:
    """When the reader last scrolled, for a worker to give way: a worker holding the GIL makes
    the GUI thread wait for it at every call into Qt, which stretches a frame of scrolling past
    50 ms on two cores. Written on the GUI thread, read by workers (one float, under a lock)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._until = 0.0

    def scrolled(self) -> None:
        with self._lock:
            self._until = time.monotonic() + READER_PAUSE_S

    def busy(self) -> bool:
        with self._lock:
            return time.monotonic() < self._until

    def wait(self, cancelled: Callable[[], bool]) -> None:
        """Return once the reader has stopped scrolling for a moment (or the work is cancelled)."""
        while not cancelled():
            with self._lock:
                left = self._until - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(left, 0.05))


class WordTools(QObject):
    """Alignment tasks, the word highlighter and the dictionary popup of one reader view."""

    aligned = Signal(object)  # set of sentence ids whose word tables were installed

    def __init__(
        self,
        view: ReaderView,
        engines: EngineHolder,
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
        self.session: DocumentSession | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._align_task: Task | None = None
        self._queued: set[int] = set()  # sentences to align when the running alignment is done
        self._queued_engine = False  # and whether that may use the engine (forced decoding)
        self._dictionary_task: Task | None = None
        self._popup_word: WordRef | None = None
        self.activity = ReaderActivity()

        self.highlighter.hovered.connect(self._on_hovered)
        self.highlighter.clicked.connect(self._on_clicked)
        self.highlighter.dismissed.connect(self.close_popup)
        self.popup.closed.connect(self._on_popup_closed)
        view.scrolled.connect(self.follow)
        view.scrolled.connect(self.activity.scrolled)
        view.installEventFilter(self)

    # ----------------------------------------------------------------- document lifecycle

    @property
    def doc_id(self) -> int | None:
        return self.session.doc_id if self.session is not None else None

    def set_session(self, session: DocumentSession | None) -> None:
        """A new document is shown: forget the old one's tasks and popup, and align the sentences
        whose English the new session changes (a translated batch, an edit, a retranslation).
        Subscribe the view to the session first: the highlights are drawn on its rows."""
        self._cancel_tasks()
        if self._unsubscribe is not None:
            self._unsubscribe()
        self.session, self._unsubscribe = session, None
        self.highlighter.set_session(session)
        if session is not None:
            self._unsubscribe = session.subscribe(self._session_changed)
        self.close_popup()

    def _session_changed(self, changes: Changes) -> None:
        if changes.document:
            self.align_document()
        elif len(changes.text) == 1:
            self.align_sentence(next(iter(changes.text)))  # an edit: at once, beside a running batch
        elif changes.text:
            self.align_sentences(changes.text, use_engine=False)  # a translated batch: only its own
        if changes.links and not changes.document:
            self.align_sentences(changes.links, use_engine=True)  # corrected links: read on aligning

    def shutdown(self) -> None:
        self.popup.close_popup()
        self.runner.shutdown()
        if self._align_task is not None:
            _thaw_heap()
            self._align_task = None

    def _cancel_tasks(self) -> None:
        """Stop the old document's alignments (the dictionary keeps loading: any text needs it)."""
        for task in self.runner.active():
            if task is not self._dictionary_task:
                task.cancel()
                task.detach()
        if self._align_task is not None:
            _thaw_heap()  # a detached task never reports finishing
        self._align_task = None
        self._queued = set()
        self._queued_engine = False

    def busy(self) -> bool:
        return bool(self.runner.active())

    # ----------------------------------------------------------------- aligning

    def _model(self, use_engine: bool) -> tuple[str | None, LazyEngine | None]:
        try:
            model_key = self.engines.model_key()
        except ReaderError:
            return None, None
        engine = LazyEngine(self.engines, model_key) if use_engine and self._engine_free() else None
        return model_key, engine

    def align_document(self, use_engine: bool = True) -> Task | None:
        """Align every translated sentence of the open document in the background (stored ones
        are read back at once)."""
        if self.session is None:
            return None
        return self.align_sentences(self.session.sentence_ids(), use_engine)

    def align_sentences(self, ids: Iterable[int], use_engine: bool = True) -> Task | None:
        """Align some sentences of the open document in one background task; asked while one
        runs, they are aligned together when it is done (so batches never pile up threads)."""
        if self.session is None:
            return None
        self._queued.update(ids)
        self._queued_engine = self._queued_engine or use_engine
        if self._align_task is not None and self._align_task.is_running():
            return self._align_task
        return self._start_alignment()

    def _start_alignment(self) -> Task | None:
        session = self.session
        ids, use_engine = self._queued, self._queued_engine
        self._queued, self._queued_engine = set(), False
        texts = session.pairs(ids) if session is not None else {}
        if session is None or not texts:
            return None
        doc_id = session.doc_id
        model_key, engine = self._model(use_engine)
        db_path, holder = self.db_path, self.dictionary
        wanted = None if len(texts) == len(session.sentence_ids()) else set(texts)
        # The English shown, which a read-only library may not hold (translated, never saved).
        shown = {sid: en for sid, (_, en) in texts.items()}

        activity = self.activity

        def work(ctx: TaskContext) -> dict[int, SentenceWords]:
            from reader.alignments import document_alignments

            dictionary, _ = holder.get()
            tables: dict[int, SentenceWords] = {}

            def keep(sid: int, alignment: Alignment) -> None:
                activity.wait(ctx.cancelled)  # scrolling goes first; aligning goes on after it
                # Each alignment becomes its compact table at once (see document_alignments' each).
                pair = texts.get(sid)
                table = SentenceWords.build(alignment, *pair) if pair is not None else None
                if table is not None:
                    tables[sid] = table

            with store.connection(db_path) as db:
                document_alignments(
                    db, doc_id, model_key, engine=engine, dictionary=dictionary, cancelled=ctx.cancelled,
                    sentence_ids=wanted, each=keep, shown=shown,
                )
            return tables

        _freeze_heap()
        task = self.runner.run(
            work,
            label=f"align:{doc_id}:{len(texts)}",
            on_done=lambda tables, s=session: self._install(s, tables),
            on_error=lambda err, d=doc_id: self._failed(d, err),
            on_finished=self._alignment_finished,
        )
        self._align_task = task
        return task

    def _alignment_finished(self) -> None:
        self._align_task = None
        _thaw_heap()
        if self._queued:
            self._start_alignment()
        else:
            self._collect_when_idle()

    def _collect_when_idle(self) -> None:
        """The heap is thawed: the next full collection walks all of it (about 150 ms on the GUI
        thread with a long document and a large library open). Run it now, while the reader is
        not scrolling, rather than let the allocator set it off in the middle of a scroll."""
        if self._align_task is not None:
            return  # another alignment froze the heap again
        if self.activity.busy():
            QTimer.singleShot(int(READER_PAUSE_S * 1000), self._collect_when_idle)
            return
        gc.collect()

    def align_sentence(self, sentence_id: int) -> Task | None:
        """Realign one sentence whose English changed (an edit, a revert, a retranslation)."""
        session = self.session
        texts = session.pairs([sentence_id]) if session is not None else {}
        if session is None or sentence_id not in texts:
            return None
        nl, en = texts[sentence_id]
        model_key, engine = self._model(True)
        db_path, holder, doc_id = self.db_path, self.dictionary, session.doc_id

        def work(ctx: TaskContext) -> dict[int, SentenceWords]:
            dictionary, _ = holder.get()
            with store.connection(db_path) as db:
                alignment = align_pair(
                    db, nl, en, model_key=model_key, engine=engine, dictionary=dictionary,
                    sentence_id=sentence_id,
                )
            return build_tables({sentence_id: alignment}, texts)

        return self.runner.run(
            work,
            label=f"align-sentence:{sentence_id}",
            on_done=lambda tables, s=session: self._install(s, tables),
            on_error=lambda err, d=doc_id: self._failed(d, err),
        )

    def _install(self, session: DocumentSession, tables: dict[int, SentenceWords]) -> None:
        """A worker's tables go to the session, which keeps those still fitting the English shown
        and tells the highlighter."""
        if session is not self.session:
            return
        changes = session.alignment_ready(tables)
        self.aligned.emit(set(changes.alignment))

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
