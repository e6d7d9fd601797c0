"""Loading one document: its paragraphs and sentences with the model's and the reader's English.

Opening reads the English text only (``store.get_cached_texts``): tokens and attention, which
cost most of the time of reading the cache, are read only when alignment asks for them
(``store.get_cached``). ``reader.session`` keeps the loaded document while it is open; the
exporters render the same view.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlite_utils import Database

from reader import store
from reader.store import CachedText

USER, ALTERNATIVE, MODEL = "user", "alternative", "model"  # who wrote the English shown


@dataclass(slots=True)
class SentenceView:
    """A source sentence with the model's translation and the reader's version, if any."""

    id: int
    idx: int
    start: int
    end: int
    text: str
    source_hash: str
    translation: CachedText | None = None
    user_text: str | None = None
    user_origin: str = USER  # ALTERNATIVE: the reader chose one of the model's alternatives

    @property
    def origin(self) -> str | None:
        """Whose translation is shown: the reader's version (USER or ALTERNATIVE) wins over
        MODEL; None if untranslated."""
        if self.user_text is not None:
            return self.user_origin
        return MODEL if self.translation is not None else None

    @property
    def machine(self) -> str | None:
        """The model's translation, whether shown or not."""
        return self.translation.target if self.translation is not None else None

    @property
    def final(self) -> str:
        """The translation to show or export ("" when untranslated)."""
        if self.user_text is not None:
            return self.user_text
        return self.translation.target if self.translation is not None else ""


@dataclass(slots=True)
class ParagraphView:
    id: int
    idx: int
    kind: str
    text: str
    sentences: list[SentenceView] = field(default_factory=list)

    @property
    def final(self) -> str:
        """The paragraph's translation: its sentences' translations joined by spaces."""
        return " ".join(s.final for s in self.sentences if s.final)


@dataclass(slots=True)
class DocumentView:
    id: int
    title: str
    date: str | None
    source_path: str | None
    imported_at: str
    content_hash: str
    model_key: str | None
    paragraphs: list[ParagraphView]

    def sentences(self) -> list[SentenceView]:
        return [s for p in self.paragraphs for s in p.sentences]


def document_view(db: Database, doc_id: int, model_key: str | None) -> DocumentView:
    """Paragraphs with their sentences, the model's translations and the reader's versions.

    With ``model_key`` None only the reader's versions are filled in. An unknown or removed
    document raises ``StoreError``.
    """
    doc = store.get_document(db, doc_id)
    rows = store.document_sentences(db, doc_id)
    cached = store.get_cached_texts(db, model_key, (r.source_hash for r in rows)) if model_key else {}
    versions = store.user_versions(db, doc_id)
    paragraphs = [
        ParagraphView(p["id"], p["idx"], p["kind"], p["text"])
        for p in store.document_paragraphs(db, doc_id)
    ]
    by_idx = {p.idx: p for p in paragraphs}
    for r in rows:
        version = versions.get(r.id)
        by_idx[r.paragraph_idx].sentences.append(
            SentenceView(
                r.id, r.idx, r.start, r.end, r.text, r.source_hash,
                translation=cached.get(r.source_hash),
                user_text=version.text if version is not None else None,
                user_origin=version.origin if version is not None else USER,
            )
        )
    return DocumentView(
        id=doc["id"], title=doc["title"], date=doc["date"], source_path=doc["source_path"],
        imported_at=doc["imported_at"], content_hash=doc["content_hash"], model_key=model_key,
        paragraphs=paragraphs,
    )
