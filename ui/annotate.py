"""The reader's own marks on the text: annotations, saved phrases and corrected links.

What a mark stands on comes from the view: the selected ranges (Ctrl adds a range: ``belde`` …
``op``, or a Dutch and an English word to link), else the phrase of the hovered word (its
alignment includes a separable verb's particle). A selection across sentences or paragraphs is
anchored to each sentence it covers (``add_annotation_range``: one piece per sentence, one group).

Annotations, saved phrases and link corrections go through the document session: its ``Changes``
repaint the view, have the saved phrases matched again (``reader.phrase_match``: only those
changed) and a corrected sentence aligned again (its word table then shows the corrected links).
Every change is recorded in the window's undo history.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QMenu

from reader import annotations as notes
from reader import phrase_match, phrases, store
from reader.annotations import Annotation
from reader.dictionary import SEPARABLE_PARTICLES
from reader.errors import ReaderError
from reader.hover import EN, FILL, NL
from reader.phrase_match import DocumentMarks
from reader.phrases import GAP, SavedPhrase
from ui.annotate_dialogs import AnnotationDialog, PhraseDialog, elide
from ui.status_text import READ_ONLY_REFUSAL
from ui.tasks import Task, TaskContext
from ui.undo import History

if TYPE_CHECKING:
    from reader.dictionary import Dictionary
    from reader.session import Changes, DocumentSession
    from ui.main_window import MainWindow

ANNOTATE_SHORTCUT = "Ctrl+Shift+A"
SAVE_PHRASE_SHORTCUT = "Ctrl+Shift+P"
LINK_SHORTCUT = "Ctrl+Shift+K"
UNLINK_SHORTCUT = "Ctrl+Shift+U"

NOTHING_TO_ANNOTATE = (
    "Nothing is selected: select the words to annotate (or point at a word), then press Ctrl+Shift+A."
)
NOTHING_TO_SAVE = (
    "No Dutch words are selected: select a Dutch word or phrase (Ctrl adds a part, as in “belde … op”) "
    "or point at one, then press Ctrl+Shift+P."
)
ONE_SENTENCE = (
    "A saved phrase lies within one sentence: select Dutch words of one sentence (Ctrl adds a part)."
)
LINK_NEEDS_BOTH = (
    "Select the Dutch words and, with Ctrl held, the English words of the same sentence, then link them."
)

Span = tuple[int, int]


@dataclass(frozen=True)
class Target:
    """Where an annotation goes: one side, from (sentence, offset) to (sentence, offset)."""

    side: str
    first: tuple[int, int]
    last: tuple[int, int]
    quote: str


@dataclass(frozen=True)
class PhraseTarget:
    sentence_id: int
    nl_spans: tuple[Span, ...]
    en_spans: tuple[Span, ...]


def _runs(ranges: Iterable[Span], text: str) -> list[Span]:
    """Sorted ranges with those separated by white space only joined (one run of words)."""
    out: list[list[int]] = []
    for s, e in sorted(ranges):
        if out and not text[out[-1][1] : s].strip():
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def _phrase_tip(nl: str, en: str, status: str) -> str:
    english = f" → “{en}”" if en else ""
    return f"Saved phrase: “{nl}”{english} ({status})"


# --------------------------------------------------------------------------- the room


class AnnotationActions:
    """The window's room for annotations, saved phrases and link corrections, with their undo."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.history = History(window, self._say)
        self.dialog: QDialog | None = None  # the last dialog opened (tests fill it in)
        self._marking: Task | None = None  # the worker matching saved phrases, while it runs
        self._marking_generation = 0  # a result of an older refresh is dropped
        window.document_opened.connect(self._document_opened)
        window.document_closed.connect(self._document_closed)

    # ----------------------------------------------------------------- helpers

    def _say(self, text: str, ms: int = 8000) -> None:
        self.window.statusBar().showMessage(text, ms)

    def _session(self) -> DocumentSession | None:
        w = self.window
        return w.session if w.doc_id is not None and w.db is not None else None

    def _writable(self, what: str) -> bool:
        if self.window.read_only:
            self._say(READ_ONLY_REFUSAL.format(what=what))
            return False
        return self._session() is not None

    def _failed(self, err: ReaderError) -> None:
        """A removed document closes its view; other refusals are one sentence in the status bar."""
        if self.window.check_document_still_exists():
            self._say(str(err))

    def _document_opened(self, _doc_id: int) -> None:
        self.history.clear()  # steps act on the open document's session
        session = self._session()
        if session is not None:
            session.subscribe(self._session_changed)  # goes with the session when it is closed
        self.refresh_phrase_marks()

    def _document_closed(self) -> None:
        self.history.clear()
        self.refresh_phrase_marks()  # no document: only drops a pending result

    def known_tags(self) -> list[str]:
        try:
            found = {t for a in notes.list_annotations(self.window.db) for t in a.tags}
        except ReaderError:
            return []
        return sorted(found, key=str.casefold)

    # ----------------------------------------------------------------- what a mark stands on

    def _hovered_ranges(self) -> tuple[int, dict[str, list[Span]]] | None:
        """The hovered (or pinned) word's phrase: (sentence id, {side: ranges})."""
        highlighter = self.window.words.highlighter
        ref = highlighter.current_word()
        if ref is None or ref.index < 0:
            return None
        table = highlighter.table(ref.sentence_id)
        info = table.hover(ref.side, ref.index) if table is not None else None
        ranges: dict[str, list[Span]] = {NL: [], EN: []}
        if info is not None:
            for shade in info.shades:
                if shade.style == FILL:
                    ranges[shade.side].extend(shade.ranges)
        if not ranges[ref.side]:
            ranges[ref.side] = [(ref.start, ref.end)]
        return ref.sentence_id, ranges

    def annotation_targets(self) -> list[Target]:
        """The selected ranges, else the hovered word's phrase on its side."""
        view = self.window.view
        targets = []
        for side, pieces in view.selected_pieces():
            first, last = pieces[0], pieces[-1]
            quote = " ".join(view.sentence_text(sid, side)[s:e] for sid, s, e in pieces)
            targets.append(Target(side, (first[0], first[1]), (last[0], last[2]), quote))
        if targets:
            return targets
        hovered = self._hovered_ranges()
        if hovered is None:
            return []
        sid, ranges = hovered
        ref = self.window.words.highlighter.current_word()
        assert ref is not None
        text = view.sentence_text(sid, ref.side)
        return [
            Target(ref.side, (sid, s), (sid, e), text[s:e]) for s, e in _runs(ranges[ref.side], text)
        ]

    def phrase_target(self) -> PhraseTarget | str:
        """The Dutch spans (and any English ones) to save, or why there are none."""
        view = self.window.view
        selected = view.selected_pieces()
        if selected:
            nl = [(sid, s, e) for side, pieces in selected if side == NL for sid, s, e in pieces]
            en = [(sid, s, e) for side, pieces in selected if side == EN for sid, s, e in pieces]
            if not nl:
                return NOTHING_TO_SAVE
            sids = {sid for sid, _, _ in nl}
            if len(sids) > 1:
                return ONE_SENTENCE
            sid = sids.pop()
            text = view.sentence_text(sid, NL)
            nl_spans = tuple(_runs(((s, e) for _, s, e in nl), text))
            en_spans = tuple(sorted((s, e) for i, s, e in en if i == sid))
            return PhraseTarget(sid, nl_spans, en_spans)
        hovered = self._hovered_ranges()
        if hovered is None or not hovered[1][NL]:
            return NOTHING_TO_SAVE
        sid, ranges = hovered
        text = view.sentence_text(sid, NL)
        english = view.sentence_text(sid, EN)
        return PhraseTarget(sid, tuple(_runs(ranges[NL], text)), tuple(_runs(ranges[EN], english)))

    # ----------------------------------------------------------------- annotations

    def annotate(self) -> AnnotationDialog | None:
        """Ctrl+Shift+A: the dialog for the selection (or the hovered phrase); nothing is saved
        without one."""
        if not self._writable("annotations"):
            return None
        targets = self.annotation_targets()
        if not targets:
            self._say(NOTHING_TO_ANNOTATE)
            return None
        quote = " … ".join(t.quote for t in targets)
        dialog = AnnotationDialog(quote, self.known_tags(), self.window)
        dialog.accepted.connect(lambda: self.create_annotations(targets, *dialog.values()))
        self.dialog = dialog
        dialog.open()
        return dialog

    def create_annotations(
        self, targets: Sequence[Target], note: str, colour: str, tags: Sequence[str]
    ) -> list[Annotation]:
        """Annotate each target (a selection across sentences becomes one piece per sentence)
        and record it for undo; a refusal changes nothing and says why."""
        session = self._session()
        if session is None or not self._writable("annotations"):
            return []
        db = self.window.db
        made: list[Annotation] = []
        try:
            for t in targets:
                changes = session.annotate_range(
                    db, t.side, t.first, t.last, note=note, colour=colour, tags=tags
                )
                made.extend(session.annotation(i) for i in sorted(changes.annotations))
        except ReaderError as err:
            self._failed(err)
            if not made:
                return []
        self.window.view.clear_selection()
        self._record_created(made)
        self._say("Annotation saved." if len(made) == 1 else f"Annotation saved on {len(made)} sentences.",
                  4000)
        return made

    def _record_created(self, made: list[Annotation]) -> None:
        doc_id = self.window.doc_id

        def remove() -> None:
            session = self._document(doc_id)
            for a in made:
                session.delete_annotation(self.window.db, a.id)

        def restore() -> None:
            session = self._document(doc_id)
            for a in made:
                session.restore_annotation(self.window.db, a)

        self.history.record("Annotate", restore, remove)

    def _document(self, doc_id: int | None) -> DocumentSession:
        """The session of the document a step was made in; a step of another one is refused."""
        session = self._session()
        if session is None or session.doc_id != doc_id:
            raise notes.AnnotationError("Its document is no longer open: open it again to change it.")
        return session

    def _group(self, ann_id: int) -> list[Annotation]:
        """An annotation and the other pieces of its selection."""
        session = self._session()
        assert session is not None
        a = session.annotation(ann_id)
        if a.group_id is None:
            return [a]
        return [b for b in session.annotations() if b.group_id == a.group_id]

    def edit_annotation(self, ann_id: int) -> AnnotationDialog | None:
        if not self._writable("annotations"):
            return None
        session = self._session()
        assert session is not None
        try:
            pieces = self._group(ann_id)
        except ReaderError as err:
            self._failed(err)
            return None
        a = pieces[0]
        dialog = AnnotationDialog(
            " … ".join(p.exact for p in pieces), self.known_tags(), self.window,
            note=a.note, colour=a.colour, tags=a.tags, editing=True,
        )
        dialog.accepted.connect(lambda: self.change_annotation(ann_id, *dialog.values()))
        self.dialog = dialog
        dialog.open()
        return dialog

    def change_annotation(self, ann_id: int, note: str, colour: str, tags: Sequence[str]) -> bool:
        session = self._session()
        if session is None or not self._writable("annotations"):
            return False
        db, doc_id = self.window.db, self.window.doc_id
        try:
            before = session.annotation(ann_id)
            session.edit_annotation(db, ann_id, note=note, colour=colour, tags=tags)
        except ReaderError as err:
            self._failed(err)
            return False
        after = session.annotation(ann_id)
        if (after.note, after.colour, after.tags) == (before.note, before.colour, before.tags):
            return True

        def put(a: Annotation) -> Callable[[], None]:
            return lambda: self._document(doc_id).edit_annotation(
                db, ann_id, note=a.note, colour=a.colour, tags=a.tags
            )

        self.history.record("Edit Annotation", put(after), put(before))
        self._say("Annotation saved.", 4000)
        return True

    def delete_annotation(self, ann_id: int) -> bool:
        """Delete an annotation with the other pieces of its selection (Undo brings them back)."""
        session = self._session()
        if session is None or not self._writable("annotations"):
            return False
        db, doc_id = self.window.db, self.window.doc_id
        try:
            pieces = self._group(ann_id)
            for a in pieces:
                session.delete_annotation(db, a.id)
        except ReaderError as err:
            self._failed(err)
            return False

        def remove() -> None:
            for a in pieces:
                self._document(doc_id).delete_annotation(db, a.id)

        def restore() -> None:
            for a in pieces:
                self._document(doc_id).restore_annotation(db, a)

        self.history.record("Delete Annotation", remove, restore)
        self._say("Annotation deleted (Edit → Undo brings it back).", 5000)
        return True

    # ----------------------------------------------------------------- saved phrases

    def _english_for(self, sid: int, nl_spans: Sequence[Span]) -> tuple[str, tuple[Span, ...]]:
        """The aligner's English for Dutch spans: the session's word table (the corrected links)
        when the sentence is aligned, else ``suggest_english``."""
        view, session = self.window.view, self._session()
        english = view.sentence_text(sid, EN)
        table = session.table(sid) if session is not None else None
        if table is None:
            try:
                return phrases.suggest_english(self.window.db, sid, nl_spans)
            except ReaderError:
                return "", ()
        ranges: list[Span] = []
        for i in range(table.token_count(NL)):
            s, e = table.span(NL, i)
            if any(s < b and a < e for a, b in nl_spans):
                ranges.extend(table.counterpart_ranges(NL, i))
        runs = _runs(ranges, english)
        return GAP.join(english[s:e] for s, e in runs), tuple(runs)

    def _gloss(self, words: list[str]) -> str:
        """The dictionary's first senses, when the dictionary is loaded (never loaded here)."""
        state = self.window.words.dictionary.peek()
        dictionary: Dictionary | None = state[0] if state else None
        if dictionary is None or not words:
            return ""
        particle = words[1].lower() if len(words) == 2 and words[1].lower() in SEPARABLE_PARTICLES else None
        try:
            results = dictionary.lookup(words[0], particle)
        except (ReaderError, OSError):
            return ""
        results.sort(key=lambda r: r.how != "separable")
        for result in results:
            for entry in result.entries:
                if entry.senses:
                    return "; ".join(entry.senses[:3])
        return ""

    def save_phrase(self) -> PhraseDialog | None:
        """Ctrl+Shift+P: the dialog for the selected (or hovered) Dutch phrase."""
        if not self._writable("saved phrases"):
            return None
        target = self.phrase_target()
        if isinstance(target, str):
            self._say(target)
            return None
        view = self.window.view
        text, english = view.sentence_text(target.sentence_id, NL), view.sentence_text(target.sentence_id, EN)
        parts = [text[s:e] for s, e in target.nl_spans]
        if target.en_spans:
            en_spans = target.en_spans
            en = GAP.join(english[s:e] for s, e in en_spans)
        else:
            en, en_spans = self._english_for(target.sentence_id, target.nl_spans)
        words = [w for part in parts for w in part.split()]
        dialog = PhraseDialog(
            GAP.join(parts), en, text, english, self._gloss(words), self.window,
            test_model=self.window.test_badge.isVisibleTo(self.window),
        )

        def accepted() -> None:
            en_text, gloss, note, status = dialog.values()
            # The aligner's spans only while its English is kept as it was.
            spans = en_spans if en_text == en else ()
            self.create_phrase(target.sentence_id, target.nl_spans, en_text, spans, gloss, note, status)

        dialog.accepted.connect(accepted)
        self.dialog = dialog
        dialog.open()
        return dialog

    def create_phrase(
        self,
        sentence_id: int,
        nl_spans: Sequence[Span],
        en: str,
        en_spans: Sequence[Span] = (),
        gloss: str = "",
        note: str = "",
        status: str = "new",
    ) -> SavedPhrase | None:
        session = self._session()
        if session is None or not self._writable("saved phrases"):
            return None
        db, doc_id = self.window.db, session.doc_id
        try:
            changes = session.save_phrase(
                db, sentence_id, nl_spans, en=en, en_spans=en_spans, gloss=gloss, note=note, status=status
            )
            phrase = phrases.get_phrase(db, next(iter(changes.phrases)))
        except ReaderError as err:
            self._failed(err)
            return None
        self.window.view.clear_selection()
        self.history.record(
            "Save Phrase",
            lambda: self._document(doc_id).restore_phrase(db, phrase),
            lambda: self._document(doc_id).delete_phrase(db, phrase.id),
        )
        self._say(f"Saved “{phrase.nl}”; it is underlined wherever it occurs.", 5000)
        return phrase

    def _session_changed(self, changes: Changes) -> None:
        if changes.phrases:  # saved, edited, deleted or restored: where they occur, again
            self.refresh_phrase_marks()

    def edit_phrase(self, phrase_id: int) -> PhraseDialog | None:
        if not self._writable("saved phrases"):
            return None
        try:
            p = phrases.get_phrase(self.window.db, phrase_id)
        except ReaderError as err:
            self._failed(err)
            return None
        dialog = PhraseDialog(
            p.nl, p.en, p.context_nl, p.context_en, p.gloss, self.window, status=p.status, note=p.note,
            editing=True, test_model=self.window.test_badge.isVisibleTo(self.window),
        )
        dialog.accepted.connect(lambda: self.change_phrase(phrase_id, *dialog.values()))
        self.dialog = dialog
        dialog.open()
        return dialog

    def change_phrase(self, phrase_id: int, en: str, gloss: str, note: str, status: str) -> bool:
        """Change a saved phrase, with or without a document open (the vocabulary lists every
        document's phrases); recorded in the undo history either way."""
        if self.window.read_only:
            self._say(READ_ONLY_REFUSAL.format(what="saved phrases"))
            return False
        db = self.window.db
        if db is None:
            return False
        try:
            before = phrases.get_phrase(db, phrase_id)
            self._put_phrase(phrase_id, en=en, gloss=gloss, note=note, status=status)
            after = phrases.get_phrase(db, phrase_id)
        except ReaderError as err:
            self._failed(err)
            return False

        def put(p: SavedPhrase) -> Callable[[], None]:
            return lambda: self._put_phrase(phrase_id, en=p.en, gloss=p.gloss, note=p.note, status=p.status)

        self.history.record("Edit Saved Phrase", put(after), put(before))
        return True

    def _put_phrase(self, phrase_id: int, **fields: str) -> None:
        """Through the open document's session (its subscribers follow); with none open, straight
        to the library and the panel."""
        session = self._session()
        if session is not None:
            session.edit_phrase(self.window.db, phrase_id, **fields)
        else:
            phrases.update_phrase(self.window.db, phrase_id, **fields)
            self.window.annotations_panel.schedule_reload()

    def delete_phrase(self, phrase_id: int) -> bool:
        session = self._session()
        if session is None or not self._writable("saved phrases"):
            return False
        db, doc_id = self.window.db, session.doc_id
        try:
            gone = phrases.get_phrase(db, phrase_id)
            session.delete_phrase(db, phrase_id)
        except ReaderError as err:
            self._failed(err)
            return False
        self.history.record(
            "Delete Saved Phrase",
            lambda: self._document(doc_id).delete_phrase(db, gone.id),
            lambda: self._document(doc_id).restore_phrase(db, gone),
        )
        self._say(f"Deleted the saved phrase “{gone.nl}” (Edit → Undo brings it back).", 5000)
        return True

    def refresh_phrase_marks(self) -> None:
        """Underline the saved phrases (of any article) found in the open document, by lemma.

        A worker with its own connection reads them (``reader.phrase_match`` keeps them with the
        document); opening never waits. The first time a long document is matched (about a
        second), the sentences on screen are matched first and shown at once. A newer refresh or
        another document drops them."""
        w = self.window
        self._marking_generation += 1
        if self._marking is not None:
            self._marking.cancel()  # its result is dropped; the worker ends on its own
            self._marking = None
        if w.doc_id is None or w.db is None:
            return
        if not phrases.any_saved(w.db):  # the usual case for a new reader: no worker at all
            if w.view.phrase_marks():
                w.view.set_phrase_marks({})
            return
        generation, doc_id = self._marking_generation, w.doc_id
        db_path = str(w.db_path) if w.db_path else None
        read_only = True if w.read_only else None
        on_screen = w.view.visible_sentence_ids()

        def work(ctx: TaskContext) -> tuple[DocumentMarks, dict[int, list[Span]]] | None:
            with closing(store.open_db(db_path, read_only=read_only)) as db:
                first = phrase_match.first_matches(db, doc_id, on_screen) if on_screen else None
                if first and not ctx.cancelled():
                    ctx.partial((first, first.ranges()))
                found = phrase_match.phrase_matches(db, doc_id)
            if ctx.cancelled():
                return None
            return found, found.ranges()  # what the view underlines, worked out here

        def current() -> bool:
            return generation == self._marking_generation and w.doc_id == doc_id

        def done(result: tuple[DocumentMarks, dict[int, list[Span]]] | None) -> None:
            if result is not None and current():
                w.view.set_phrase_marks(*result, tip=self.phrase_tip)

        def failed(err: BaseException) -> None:
            if current():
                what = str(err) if isinstance(err, ReaderError) else f"Could not mark saved phrases: {err}"
                self._say(what)

        def finished() -> None:
            if self._marking is task:
                self._marking = None

        task = w.runner.run(
            work, label=f"phrase-marks:{doc_id}", on_done=done, on_partial=done, on_error=failed,
            on_finished=finished,
        )
        self._marking = task

    def phrase_tip(self, phrase_id: int) -> str:
        """A saved phrase's tooltip, read when first hovered (a long document marks thousands)."""
        db = self.window.db
        label = phrases.phrase_labels(db, [phrase_id]).get(phrase_id) if db is not None else None
        return _phrase_tip(*label) if label else ""

    def marking_pending(self) -> bool:
        """True while the open document's saved phrases are being matched."""
        return self._marking is not None

    # ----------------------------------------------------------------- link corrections

    def link_selected(self, linked: bool = True) -> bool:
        """Link (or unlink) the selected Dutch words with the selected English words of one
        sentence, through the session: its ``Changes`` have the sentence aligned again, so the
        hover shows the correction."""
        what = "link corrections"
        if not self._writable(what):
            return False
        session = self._session()
        assert session is not None
        selected = self.window.view.selected_pieces()
        nl = [(sid, s, e) for side, pieces in selected if side == NL for sid, s, e in pieces]
        en = [(sid, s, e) for side, pieces in selected if side == EN for sid, s, e in pieces]
        sids = {sid for sid, _, _ in nl} | {sid for sid, _, _ in en}
        if not nl or not en or len(sids) != 1:
            self._say(LINK_NEEDS_BOTH)
            return False
        sid = sids.pop()
        db, doc_id = self.window.db, session.doc_id
        pairs = [((a, b), (c, d)) for _, a, b in nl for _, c, d in en]
        try:
            earlier = {(c.nl_span[0], c.en_span[0]): c for c in session.link_corrections(db, sid)}
            session.correct_links(db, sid, [(n, e, linked) for n, e in pairs])
        except ReaderError as err:
            self._failed(err)
            return False
        before: list[tuple[Span, Span, bool | None]] = []
        for nl_span, en_span in pairs:
            was = earlier.get((nl_span[0], en_span[0]))
            before.append((nl_span, en_span, None) if was is None else (was.nl_span, was.en_span, was.linked))
        self.window.view.clear_selection()
        self.history.record(
            "Link Words" if linked else "Unlink Words",
            lambda: self._document(doc_id).correct_links(db, sid, [(n, e, linked) for n, e in pairs]),
            lambda: self._document(doc_id).correct_links(db, sid, before),
        )
        self._say("Words linked." if linked else "Words unlinked.", 4000)
        return True

    # ----------------------------------------------------------------- the context menu

    def extend_menu(self, menu: QMenu, sid: int, global_pos: QPoint) -> None:
        """Annotate, save, link; and edit or delete the annotations and saved phrases under the pointer."""
        view = self.window.view
        writable = not self.window.read_only
        menu.addSeparator()
        for text, slot, keys in (
            ("Annotate…", self.annotate, ANNOTATE_SHORTCUT),
            ("Save Phrase…", self.save_phrase, SAVE_PHRASE_SHORTCUT),
            ("Link Selected Words", lambda: self.link_selected(True), LINK_SHORTCUT),
            ("Unlink Selected Words", lambda: self.link_selected(False), UNLINK_SHORTCUT),
        ):
            action = menu.addAction(text, slot)
            action.setShortcut(QKeySequence(keys))
            action.setEnabled(writable)
        found, phrase_ids = view.marks_at(view.viewport().mapFromGlobal(global_pos))
        for a in found:
            label = elide(a.exact, 24)
            edit = menu.addAction(f"Edit Annotation “{label}”…", lambda i=a.id: self.edit_annotation(i))
            delete = menu.addAction(f"Delete Annotation “{label}”", lambda i=a.id: self.delete_annotation(i))
            edit.setEnabled(writable)
            delete.setEnabled(writable)
        for pid in phrase_ids:
            menu.addAction("Edit Saved Phrase…", lambda i=pid: self.edit_phrase(i)).setEnabled(writable)
            menu.addAction("Delete Saved Phrase", lambda i=pid: self.delete_phrase(i)).setEnabled(writable)

