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
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from sqlite_utils import Database

from reader import store
from reader.document import ALTERNATIVE, MODEL, USER, DocumentView, SentenceView, document_view
from reader.errors import StoreError
from reader.store import CachedText

if TYPE_CHECKING:
    from reader.hover import SentenceWords
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
    ``document``: everything (the document was loaded again).
    """

    text: frozenset[int] = frozenset()
    origin: frozenset[int] = frozenset()
    machine: frozenset[int] = frozenset()
    alignment: frozenset[int] = frozenset()
    document: bool = False

    def __bool__(self) -> bool:
        return self.document or bool(self.text or self.origin or self.machine or self.alignment)

    def sentences(self) -> frozenset[int]:
        """Every sentence this touched."""
        return self.text | self.origin | self.machine | self.alignment


@dataclass(slots=True)
class _Delta:
    text: set[int] = field(default_factory=set)
    origin: set[int] = field(default_factory=set)
    machine: set[int] = field(default_factory=set)
    alignment: set[int] = field(default_factory=set)

    def freeze(self) -> Changes:
        return Changes(
            frozenset(self.text), frozenset(self.origin), frozenset(self.machine), frozenset(self.alignment)
        )


Subscriber = Callable[[Changes], None]


class DocumentSession:
    """The open document: paragraphs, sentences, the model's and the reader's English, word tables."""

    def __init__(self, view: DocumentView) -> None:
        self.document = view
        self._sentences: dict[int, SentenceView] = {s.id: s for s in view.sentences()}
        self._tables: dict[int, SentenceWords] = {}
        self._subscribers: list[Subscriber] = []

    @classmethod
    def open(cls, db: Database, doc_id: int, model_key: str | None) -> DocumentSession:
        """Load a document (English text only: no tokens, no attention). An unknown or removed
        document raises ``StoreError``."""
        return cls(document_view(db, doc_id, model_key))

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

    def translations_arrived(self, results: Mapping[int, MachineTranslation]) -> Changes:
        """The model's translations of some sentences (a finished batch, already saved by the
        worker). A sentence showing the reader's version keeps showing it. Sentences of other
        documents and empty translations are ignored."""
        delta = _Delta()
        for sid, result in results.items():
            s = self._sentences.get(sid)
            if s is None or not result.target.strip() or s.machine == result.target:
                continue
            self._change(s, delta, translation=_text_of(result))
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
        return self._publish(self._apply(s, user_text=text, user_origin=USER))

    def revert_to_machine(self, db: Database, sentence_id: int) -> Changes:
        """Drop the reader's version: the model's translation is shown again (or none yet)."""
        s = self.sentence(sentence_id)
        store.set_user_translation(db, sentence_id, None)
        if s.user_text is None:
            return Changes()
        return self._publish(self._apply(s, user_text=None, user_origin=USER))

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
        return self._publish(self._apply(s, user_text=text, user_origin=ALTERNATIVE))

    def retranslated(self, result: RetranslateResult) -> Changes:
        """A retranslation the worker saved: the model's new text, and the reader's version
        removed if the reader asked to replace it."""
        s = self.sentence(result.sentence_id)
        delta = _Delta()
        translation = s.translation
        if s.machine != result.target:
            translation = CachedText(result.target)  # its score is the worker's, not shown
        user_text, user_origin = s.user_text, s.user_origin
        if result.edit_replaced:
            user_text, user_origin = None, USER
        self._change(s, delta, translation=translation, user_text=user_text, user_origin=user_origin)
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
        self._tables = {
            sid: t
            for sid, t in self._tables.items()
            if (s := self._sentences.get(sid)) is not None and t.nl_text == s.text and t.en_text == s.final
        }
        return self._publish(Changes(document=True))

    # ----------------------------------------------------------------- state changes

    def _apply(self, s: SentenceView, **values) -> Changes:
        delta = _Delta()
        self._change(s, delta, **values)
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


def _text_of(result: MachineTranslation) -> CachedText:
    """Only the text of an engine's result: the session never holds tokens or attention."""
    if isinstance(result, CachedText):
        return result
    return CachedText(result.target, result.score, tuple(result.alternatives))
