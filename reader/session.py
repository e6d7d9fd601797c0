"""One open document's state, changed only through named operations that say what they changed.

The window, the word highlighter and the sidebar used to keep their own copies of which English
each sentence shows (and drifted apart). Here one ``DocumentSession`` holds, per sentence, the
model's translation, the reader's version (typed, or one of the model's alternatives) and the
word-alignment table that fits the English shown. Every operation returns a ``Changes`` value and
hands it to the subscribers, synchronously, on the calling (GUI) thread, in the spirit of Anki's
``OpChanges``: a subscriber re-reads what changed from the session and keeps no copy.

Operations that write the library take the caller's ``db`` (the GUI thread's connection) and
change the state only after the write succeeded; results of workers (translations, alignment
tables) arrive after the worker saved them. Qt-free.

Annotations are part of the state: ``annotate``, ``edit_annotation``, ``delete_annotation``,
``restore_annotation`` and ``reattach`` write them; when an operation changes a sentence's English,
its English annotations are re-anchored (``reader.annotations.reanchor``) and the ``Changes`` name
them. Operations that learn of new English from a worker take an optional ``db``: without it (or
on a read-only library) the annotations move in memory only, and opening the document again
re-anchors them in the library.

Saved phrases (``save_phrase`` … ``restore_phrase``) and link corrections (``correct_links``) go
through the session too: their ``Changes`` tell the window to mark the phrases again (in a worker,
``reader.phrase_match``) and to align a corrected sentence again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from sqlite_utils import Database

from reader import annotations as notes
from reader import links, store
from reader import phrases as vocab
from reader.annotations import Annotation
from reader.document import ALTERNATIVE, MODEL, USER, DocumentView, SentenceView, document_view
from reader.errors import ReaderError, StoreError
from reader.store import CachedText

if TYPE_CHECKING:
    from reader.hover import SentenceWords
    from reader.links import LinkCorrection
    from reader.phrases import SavedPhrase
    from reader.pipeline import RetranslateResult

__all__ = ["ALTERNATIVE", "MODEL", "USER", "Changes", "DocumentSession", "MachineTranslation"]


class MachineTranslation(Protocol):
    """What the session keeps of a model translation: ``CachedText`` or an engine's result."""

    target: str
    score: float | None
    alternatives: Iterable[tuple[str, float]]


@dataclass(frozen=True, slots=True)
class Changes:
    """What one operation changed, by sentence id; empty when it changed nothing.

    ``text``: the English shown. ``origin``: whose English is shown (model, user, alternative,
    none). ``machine``: the model's translation, shown or not (an edit may hide it).
    ``alignment``: the word table (installed, or dropped because the English changed).
    ``document``: everything (the document was loaded again). ``annotations``: by annotation id,
    those added, edited, deleted, restored or re-anchored. ``phrases``: by phrase id, the saved
    phrases saved, edited, deleted or restored (where they are marked follows). ``links``: the
    sentences whose link corrections changed (their word tables are dropped: align them again).
    """

    text: frozenset[int] = frozenset()
    origin: frozenset[int] = frozenset()
    machine: frozenset[int] = frozenset()
    alignment: frozenset[int] = frozenset()
    document: bool = False
    annotations: frozenset[int] = frozenset()
    phrases: frozenset[int] = frozenset()
    links: frozenset[int] = frozenset()

    def __bool__(self) -> bool:
        return self.document or bool(
            self.text or self.origin or self.machine or self.alignment or self.annotations
            or self.phrases or self.links
        )

    def sentences(self) -> frozenset[int]:
        """Every sentence this touched."""
        return self.text | self.origin | self.machine | self.alignment


@dataclass(slots=True)
class _Delta:
    text: set[int] = field(default_factory=set)
    origin: set[int] = field(default_factory=set)
    machine: set[int] = field(default_factory=set)
    alignment: set[int] = field(default_factory=set)
    annotations: set[int] = field(default_factory=set)

    def freeze(self) -> Changes:
        return Changes(
            frozenset(self.text), frozenset(self.origin), frozenset(self.machine), frozenset(self.alignment),
            annotations=frozenset(self.annotations),
        )


Subscriber = Callable[[Changes], None]


class DocumentSession:
    """The open document: paragraphs, sentences, the model's and the reader's English, word tables."""

    def __init__(self, view: DocumentView, annotations: Iterable[Annotation] = ()) -> None:
        self.document = view
        self._sentences: dict[int, SentenceView] = {s.id: s for s in view.sentences()}
        self._tables: dict[int, SentenceWords] = {}
        self._subscribers: list[Subscriber] = []
        self._order = {sid: k for k, sid in enumerate(self._sentences)}
        self._annotations: dict[int, Annotation] = {a.id: a for a in annotations}

    @classmethod
    def open(cls, db: Database, doc_id: int, model_key: str | None) -> DocumentSession:
        """Load a document (English text only: no tokens, no attention) and its annotations,
        re-anchoring those whose English changed while it was closed. An unknown or removed
        document raises ``StoreError``."""
        session = cls(document_view(db, doc_id, model_key), notes.document_annotations(db, doc_id))
        session._follow(db, notes.stale(db, doc_id, session._shown_texts()), _Delta())
        return session

    # ----------------------------------------------------------------- reading

    @property
    def doc_id(self) -> int:
        return self.document.id

    @property
    def model_key(self) -> str | None:
        return self.document.model_key

    def sentence(self, sentence_id: int) -> SentenceView:
        """The sentence, or ``StoreError`` when it is not in this document."""
        try:
            return self._sentences[sentence_id]
        except KeyError:
            raise StoreError(
                f"There is no sentence {sentence_id} in the open document “{self.document.title}”: "
                "reopen the document and try again"
            ) from None

    def __contains__(self, sentence_id: object) -> bool:
        return sentence_id in self._sentences

    def sentence_ids(self) -> list[int]:
        """Every sentence, in reading order."""
        return list(self._sentences)

    def shown(self, sentence_id: int) -> str:
        """The English shown for a sentence ("" when untranslated or unknown)."""
        s = self._sentences.get(sentence_id)
        return s.final if s is not None else ""

    def machine(self, sentence_id: int) -> str | None:
        """The model's translation of a sentence, shown or not."""
        s = self._sentences.get(sentence_id)
        return s.machine if s is not None else None

    def origin(self, sentence_id: int) -> str | None:
        """USER, ALTERNATIVE, MODEL, or None (untranslated or unknown)."""
        s = self._sentences.get(sentence_id)
        return s.origin if s is not None else None

    def is_edited(self, sentence_id: int) -> bool:
        """The sentence shows a version the reader chose (written, or picked among alternatives)."""
        s = self._sentences.get(sentence_id)
        return s is not None and s.user_text is not None

    def translated_count(self) -> int:
        return sum(1 for s in self._sentences.values() if s.final)

    def untranslated(self) -> list[int]:
        """The sentences with no English yet, in reading order."""
        return [sid for sid, s in self._sentences.items() if not s.final]

    def pairs(self, ids: Iterable[int] | None = None) -> dict[int, tuple[str, str]]:
        """(Dutch, English shown) of the translated sentences among ``ids`` (default: all): what an
        alignment worker's tables must fit."""
        chosen = self._sentences if ids is None else (i for i in ids if i in self._sentences)
        return {sid: (self._sentences[sid].text, e) for sid in chosen if (e := self._sentences[sid].final)}

    def table(self, sentence_id: int) -> SentenceWords | None:
        """The sentence's word-alignment table; it always fits the English shown."""
        return self._tables.get(sentence_id)

    def tables(self) -> dict[int, SentenceWords]:
        return dict(self._tables)

    def annotations(self, sentence_id: int | None = None) -> list[Annotation]:
        """The annotations (of one sentence, or all) in reading order: Dutch before English."""
        chosen = [a for a in self._annotations.values() if sentence_id in (None, a.sentence_id)]
        order = self._order
        return sorted(chosen, key=lambda a: (order.get(a.sentence_id, -1), a.side == "en", a.start, a.id))

    def annotation(self, ann_id: int) -> Annotation:
        """One annotation; ``AnnotationError`` when the document has none of that id."""
        try:
            return self._annotations[ann_id]
        except KeyError:
            raise notes.AnnotationError(
                f"There is no annotation {ann_id} in the open document “{self.document.title}”: "
                "refresh the list of annotations."
            ) from None

    # ----------------------------------------------------------------- observers

    def subscribe(self, fn: Subscriber) -> Callable[[], None]:
        """Call ``fn(changes)`` after every operation that changed something; returns the
        function that unsubscribes."""
        self._subscribers.append(fn)

        def unsubscribe() -> None:
            if fn in self._subscribers:
                self._subscribers.remove(fn)

        return unsubscribe

    def _publish(self, changes: Changes) -> Changes:
        if changes:
            for fn in list(self._subscribers):
                fn(changes)
        return changes

    # ----------------------------------------------------------------- operations

    def translations_arrived(
        self, results: Mapping[int, MachineTranslation], db: Database | None = None
    ) -> Changes:
        """The model's translations of some sentences (a finished batch, already saved by the
        worker). A sentence showing the reader's version keeps showing it. Sentences of other
        documents and empty translations are ignored. English annotations of sentences whose
        English changed are re-anchored (in the library through ``db`` when given)."""
        delta = _Delta()
        for sid, result in results.items():
            s = self._sentences.get(sid)
            if s is None or not result.target.strip() or s.machine == result.target:
                continue
            self._change(s, delta, translation=_text_of(result))
        self._follow(db, delta.text, delta)
        return self._publish(delta.freeze())

    def edit(self, db: Database, sentence_id: int, text: str) -> Changes:
        """The reader's own translation of a sentence, saved to the library; blank text reverts
        to the model's (as ``store.set_user_translation`` does)."""
        s = self.sentence(sentence_id)
        if not text.strip():
            return self.revert_to_machine(db, sentence_id)
        if s.user_text == text and s.user_origin == USER:
            return Changes()
        store.set_user_translation(db, sentence_id, text, origin=USER)
        return self._publish(self._apply(s, db, user_text=text, user_origin=USER))

    def revert_to_machine(self, db: Database, sentence_id: int) -> Changes:
        """Drop the reader's version: the model's translation is shown again (or none yet)."""
        s = self.sentence(sentence_id)
        store.set_user_translation(db, sentence_id, None)
        if s.user_text is None:
            return Changes()
        return self._publish(self._apply(s, db, user_text=None, user_origin=USER))

    def choose_alternative(self, db: Database, sentence_id: int, text: str) -> Changes:
        """Keep one of the model's alternatives as the sentence's translation.

        The model's own translation reverts any version of the reader's (it is not stored as
        one); another text is stored with origin ALTERNATIVE (shown as the model's, not as the
        reader's writing). Choosing the English already shown changes nothing.
        """
        s = self.sentence(sentence_id)
        if not text.strip():
            raise ValueError("an alternative translation cannot be empty")
        if text == s.final:
            return Changes()
        if text == s.machine:
            return self.revert_to_machine(db, sentence_id)
        store.set_user_translation(db, sentence_id, text, origin=ALTERNATIVE)
        return self._publish(self._apply(s, db, user_text=text, user_origin=ALTERNATIVE))

    def retranslated(self, result: RetranslateResult, db: Database | None = None) -> Changes:
        """A retranslation the worker saved: the model's new text, and the reader's version
        removed if the reader asked to replace it. English annotations follow the new English
        (in the library through ``db`` when given)."""
        s = self.sentence(result.sentence_id)
        delta = _Delta()
        translation = s.translation
        if s.machine != result.target:
            translation = CachedText(result.target)  # its score is the worker's, not shown
        user_text, user_origin = s.user_text, s.user_origin
        if result.edit_replaced:
            user_text, user_origin = None, USER
        self._change(s, delta, translation=translation, user_text=user_text, user_origin=user_origin)
        self._follow(db, delta.text, delta)
        return self._publish(delta.freeze())

    def alignment_ready(self, tables: Mapping[int, SentenceWords]) -> Changes:
        """Word tables from a worker: kept for the sentences whose texts they still fit (the
        English may have changed while the worker ran)."""
        fresh = {
            sid: t
            for sid, t in tables.items()
            if (s := self._sentences.get(sid)) is not None and t.nl_text == s.text and t.en_text == s.final
        }
        self._tables.update(fresh)
        return self._publish(Changes(alignment=frozenset(fresh)))

    def reload(self, db: Database, model_key: str | None) -> Changes:
        """Read the document again (another model was installed, or another process changed it).
        Word tables that still fit are kept."""
        view = document_view(db, self.doc_id, model_key)
        self.document = view
        self._sentences = {s.id: s for s in view.sentences()}
        self._order = {sid: k for k, sid in enumerate(self._sentences)}
        self._annotations = {a.id: a for a in notes.document_annotations(db, self.doc_id)}
        self._follow(db, notes.stale(db, self.doc_id, self._shown_texts()), _Delta())
        self._tables = {
            sid: t
            for sid, t in self._tables.items()
            if (s := self._sentences.get(sid)) is not None and t.nl_text == s.text and t.en_text == s.final
        }
        return self._publish(Changes(document=True))

    # ----------------------------------------------------------------- state changes

    def _apply(self, s: SentenceView, db: Database | None, **values) -> Changes:
        delta = _Delta()
        self._change(s, delta, **values)
        self._follow(db, delta.text, delta)
        return delta.freeze()

    def _change(self, s: SentenceView, delta: _Delta, **values) -> None:
        """Set a sentence's fields and record what that changed; a table that no longer fits the
        English shown is dropped."""
        before = (s.final, s.origin, s.machine)
        for name, value in values.items():
            setattr(s, name, value)
        if s.final != before[0]:
            delta.text.add(s.id)
            if self._tables.pop(s.id, None) is not None:
                delta.alignment.add(s.id)
        if s.origin != before[1]:
            delta.origin.add(s.id)
        if s.machine != before[2]:
            delta.machine.add(s.id)


    # ----------------------------------------------------------------- annotations

    def annotate(
        self,
        db: Database,
        sentence_id: int,
        side: str,
        start: int,
        end: int,
        *,
        note: str = "",
        colour: str = "yellow",
        tags: Iterable[str] = (),
    ) -> Changes:
        """Annotate ``start:end`` of a sentence's Dutch or (shown) English text."""
        s = self.sentence(sentence_id)
        a = notes.add_annotation(
            db, self.doc_id, sentence_id, side, start, end, note=note, colour=colour, tags=tags,
            text=s.final if side == "en" else None,
        )
        return self._annotations_changed([a])

    def annotate_range(
        self,
        db: Database,
        side: str,
        first: tuple[int, int],
        last: tuple[int, int],
        *,
        note: str = "",
        colour: str = "yellow",
        tags: Iterable[str] = (),
    ) -> Changes:
        """Annotate a selection across sentences (and paragraphs): one piece per sentence, one
        group (see ``reader.annotations.add_annotation_range``)."""
        for sid, _ in (first, last):
            self.sentence(sid)
        texts = {sid: s.final for sid, s in self._sentences.items() if s.final}
        pieces = notes.add_annotation_range(
            db, self.doc_id, side, first, last, note=note, colour=colour, tags=tags, texts=texts
        )
        return self._annotations_changed(pieces)

    def edit_annotation(
        self,
        db: Database,
        ann_id: int,
        *,
        note: str | None = None,
        colour: str | None = None,
        tags: Iterable[str] | None = None,
    ) -> Changes:
        """Change an annotation's note, colour or tags (None: unchanged); the other pieces of
        its selection change with it."""
        a = self.annotation(ann_id)
        notes.update_annotation(db, ann_id, note=note, colour=colour, tags=tags)
        ids = [ann_id] if a.group_id is None else [
            b.id for b in self._annotations.values() if b.group_id == a.group_id
        ]
        return self._annotations_changed([notes.get_annotation(db, i) for i in ids])

    def delete_annotation(self, db: Database, ann_id: int) -> Changes:
        """Delete one annotation; read ``annotation(ann_id)`` first to be able to restore it."""
        self.annotation(ann_id)
        notes.delete_annotation(db, ann_id)
        del self._annotations[ann_id]
        return self._publish(Changes(annotations=frozenset({ann_id})))

    def restore_annotation(self, db: Database, annotation: Annotation) -> Changes:
        """Undo a delete: the annotation comes back under its id, on the English shown now."""
        s = self.sentence(annotation.sentence_id)
        a = notes.restore_annotation(db, annotation, text=s.final if annotation.side == "en" else None)
        return self._annotations_changed([a])

    def reattach(self, db: Database, ann_id: int, start: int, end: int) -> Changes:
        """Put an annotation (a detached one) on newly selected text of its sentence and side."""
        a = self.annotation(ann_id)
        s = self.sentence(a.sentence_id)
        b = notes.reattach(db, ann_id, start, end, text=s.final if a.side == "en" else None)
        return self._annotations_changed([b])

    # ----------------------------------------------------------------- saved phrases

    def save_phrase(
        self,
        db: Database,
        sentence_id: int,
        nl_spans: Iterable[tuple[int, int]],
        *,
        en: str = "",
        en_spans: Iterable[tuple[int, int]] = (),
        gloss: str = "",
        note: str = "",
        status: str = "new",
    ) -> Changes:
        """Save the Dutch words under ``nl_spans`` of a sentence of this document (its context
        copied, see ``reader.phrases.save_phrase``); ``Changes.phrases`` holds the new id."""
        self.sentence(sentence_id)
        p = vocab.save_phrase(
            db, self.doc_id, sentence_id, nl_spans, en=en, en_spans=en_spans, gloss=gloss, note=note,
            status=status, dictionary=None,
        )
        return self._publish(Changes(phrases=frozenset({p.id})))

    def edit_phrase(
        self,
        db: Database,
        phrase_id: int,
        *,
        en: str | None = None,
        gloss: str | None = None,
        note: str | None = None,
        status: str | None = None,
    ) -> Changes:
        """Change a saved phrase (of any document: a phrase is marked wherever it occurs)."""
        vocab.update_phrase(db, phrase_id, en=en, gloss=gloss, note=note, status=status)
        return self._publish(Changes(phrases=frozenset({phrase_id})))

    def delete_phrase(self, db: Database, phrase_id: int) -> Changes:
        """Delete a saved phrase; read it first (``reader.phrases.get_phrase``) to restore it."""
        vocab.delete_phrase(db, phrase_id)
        return self._publish(Changes(phrases=frozenset({phrase_id})))

    def restore_phrase(self, db: Database, phrase: SavedPhrase) -> Changes:
        """Undo a delete: the phrase comes back under its id, with its dates."""
        vocab.restore_phrase(db, phrase)
        return self._publish(Changes(phrases=frozenset({phrase.id})))

    # ----------------------------------------------------------------- link corrections

    def link_corrections(self, db: Database, sentence_id: int) -> list[LinkCorrection]:
        """The reader's corrections of a sentence's links, for the English it shows."""
        return links.corrections(db, sentence_id, self.shown(sentence_id))

    def correct_links(
        self,
        db: Database,
        sentence_id: int,
        corrections: Iterable[tuple[tuple[int, int], tuple[int, int], bool | None]],
    ) -> Changes:
        """Link (True) or unlink (False) Dutch and English word spans of a sentence's English
        shown, or forget (None) a correction of those spans (undo); all or none, in one
        transaction. The sentence's word table is dropped: ``Changes.links`` asks for it again
        (the corrections are applied when it is read)."""
        target = self.shown(sentence_id)
        with store.write_transaction(db):
            for nl_span, en_span, linked in corrections:
                if linked is None:
                    links.clear_link(db, sentence_id, target, nl_span, en_span)
                else:
                    links.set_link(db, sentence_id, target, nl_span, en_span, linked)
        self._tables.pop(sentence_id, None)
        return self._publish(Changes(alignment=frozenset({sentence_id}), links=frozenset({sentence_id})))

    def _annotations_changed(self, changed: Iterable[Annotation]) -> Changes:
        ids = set()
        for a in changed:
            self._annotations[a.id] = a
            ids.add(a.id)
        return self._publish(Changes(annotations=frozenset(ids)))

    def _shown_texts(self) -> dict[int, str]:
        return {sid: s.final for sid, s in self._sentences.items() if s.final}

    def _follow(self, db: Database | None, sentence_ids: Iterable[int], delta: _Delta) -> None:
        """Re-anchor the English annotations of sentences whose English changed, in the library
        when ``db`` can write, else in memory (the library catches up when the document is
        opened again). A sentence showing no English keeps its annotations as they are."""
        for sid in sentence_ids:
            text = self.shown(sid)
            mine = [a for a in self._annotations.values() if a.sentence_id == sid and a.side == "en"]
            if not text or not mine:
                continue
            fresh: list[Annotation] | None = None
            if db is not None and not store.is_read_only(db):
                try:
                    notes.reanchor(db, self.doc_id, sid, text)
                    fresh = [notes.get_annotation(db, a.id) for a in mine]
                except ReaderError:
                    fresh = None  # e.g. a busy library: follow in memory, caught up on reopening
            if fresh is None:
                fresh = [notes.relocate(a, text) for a in mine]
            for b in fresh:
                if _anchor(b) != _anchor(self._annotations[b.id]):
                    delta.annotations.add(b.id)
                self._annotations[b.id] = b


def _anchor(a: Annotation) -> tuple:
    return a.start, a.end, a.exact, a.prefix, a.suffix, a.detached


def _text_of(result: MachineTranslation) -> CachedText:
    """Only the text of an engine's result: the session never holds tokens or attention."""
    if isinstance(result, CachedText):
        return result
    return CachedText(result.target, result.score, tuple(result.alternatives))
