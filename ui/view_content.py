"""What the reading surface shows, before any pixel: the document's rows and each row's two texts.

``DocumentContent`` is the document as rows (title, date, paragraphs) and sentences; ``ShownText``
adds the English the reader sees (machine, edited or waiting) and turns every row into two plain
strings, the ``SideText`` of each side, with the place of every sentence in them.  Layout, painting
and hit testing only ever work on those strings.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from reader.document import ALTERNATIVE, MODEL, USER, DocumentView  # USER, ALTERNATIVE: a reader's version
from reader.hover import EN, NL  # the two sides of a sentence pair

SIDES = (NL, EN)
SIDE_BY_SIDE, INTERLEAVED = "side_by_side", "interleaved"
PENDING_MARK = "…"
# Kinds of article paragraphs the view styles; anything else the importer may add reads as body.
PARAGRAPH_KINDS = ("heading", "body", "list_item", "quote")
ORIGIN_LABELS = {USER: "Your translation", ALTERNATIVE: "Model alternative (chosen by you)"}
_ORIGIN_STYLES = {USER: "edited", ALTERNATIVE: "alternative"}


@dataclass
class SentenceItem:
    id: int
    row: int
    start: int  # in the Dutch paragraph text
    end: int
    text: str


@dataclass
class ParagraphItem:
    kind: str  # "title", "meta", or one of PARAGRAPH_KINDS
    text: str
    sentence_ids: list[int] = field(default_factory=list)


@dataclass
class DocumentContent:
    """What the view shows of a document: paragraphs, their sentences and the reading order."""

    doc_id: int | None
    title: str
    paragraphs: list[ParagraphItem]
    sentences: dict[int, SentenceItem]
    order: list[int]  # sentence ids in reading order

    @classmethod
    def build(
        cls,
        doc_id: int | None,
        title: str,
        date: str | None,
        paragraphs: Sequence[tuple[str, str, Sequence[tuple[int, int, int]]]],
    ) -> DocumentContent:
        """``paragraphs``: (kind, text, [(sentence_id, start, end), ...]) in order."""
        items: list[ParagraphItem] = []
        sentences: dict[int, SentenceItem] = {}
        order: list[int] = []
        first_text = paragraphs[0][1].strip() if paragraphs else ""
        stem = title.strip().rstrip("…").strip()
        # The importer derives the title from the first paragraph: show it only when it is not.
        if stem and not first_text.startswith(stem):
            items.append(ParagraphItem("title", title.strip()))
        if date:
            items.append(ParagraphItem("meta", date))
        for kind, text, spans in paragraphs:
            row = len(items)
            ids = []
            for sid, start, end in spans:
                sentences[sid] = SentenceItem(sid, row, start, end, text[start:end])
                ids.append(sid)
                order.append(sid)
            items.append(ParagraphItem(kind if kind in PARAGRAPH_KINDS else "body", text, ids))
        return cls(doc_id, title, items, sentences, order)

    @classmethod
    def of(cls, document: DocumentView) -> DocumentContent:
        """The rows of a document loaded by ``reader.document``."""
        return cls.build(
            document.id,
            document.title,
            document.date,
            [(p.kind, p.text, [(s.id, s.start, s.end) for s in p.sentences]) for p in document.paragraphs],
        )


@dataclass
class SideText:
    """One side of a paragraph: its text and where each sentence lies in it."""

    text: str
    spans: list[tuple[int, int, int]]  # (sentence_id, start, end), in order
    formats: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, style)

    def locate(self, pos: int) -> tuple[int, int] | None:
        starts = [s for _, s, _ in self.spans]
        i = bisect.bisect_right(starts, pos) - 1
        if i < 0:
            return None
        sid, start, end = self.spans[i]
        if pos >= end:
            return None
        return sid, pos - start


class TextSource(Protocol):
    """Where the English shown comes from: the open document's ``reader.session.DocumentSession``
    in the window, ``FixedTexts`` for a view used on its own."""

    def shown(self, sentence_id: int) -> str: ...

    def origin(self, sentence_id: int) -> str | None: ...


class FixedTexts:
    """Translations handed to a view directly (a view without a document session: tests, benches)."""

    def __init__(
        self, translations: Mapping[int, str] | None = None, edited: Iterable[int] | Mapping[int, str] = ()
    ) -> None:
        self.translations = dict(translations or {})
        self.edited = origins(edited)  # sentence -> USER or ALTERNATIVE

    def shown(self, sentence_id: int) -> str:
        return self.translations.get(sentence_id, "")

    def origin(self, sentence_id: int) -> str | None:
        if sentence_id in self.edited:
            return self.edited[sentence_id]
        return MODEL if self.translations.get(sentence_id) else None

    def update(self, translations: Mapping[int, str], edited: Iterable[int] | None) -> None:
        """Take new translations (``edited``: which of them are the user's)."""
        self.translations.update(translations)
        if edited is not None:
            for sid in translations:
                self.edited.pop(sid, None)
            self.edited.update(origins(edited))

    def set(self, sentence_id: int, text: str, edited: bool, origin: str) -> None:
        if origin not in ORIGIN_LABELS:
            raise ValueError(f"unknown origin {origin!r}")
        self.translations[sentence_id] = text
        if edited:
            self.edited[sentence_id] = origin
        else:
            self.edited.pop(sentence_id, None)


class ShownText:
    """The document with the English the reader sees, as two side texts per row.

    Which translation each sentence shows, and whose it is (MODEL, USER, ALTERNATIVE), is the
    ``source``'s (the window's document session): this keeps no copy, only ``sides``/``span_index``
    built from it row by row, so a batch of translations only rebuilds the rows it touches.
    """

    def __init__(self) -> None:
        self.content: DocumentContent | None = None
        self.source: TextSource = FixedTexts()
        self.missing = "pending"  # "pending": show a mark; "none": show nothing
        self.sides: dict[str, list[SideText]] = {NL: [], EN: []}
        self.span_index: dict[str, dict[int, tuple[int, int, int]]] = {NL: {}, EN: {}}

    def set_document(self, content: DocumentContent | None, source: TextSource) -> None:
        self.content = content
        self.source = source
        self.rebuild()

    def fixed(self) -> FixedTexts:
        """The hand-given translations; a session's texts change only through the session."""
        if not isinstance(self.source, FixedTexts):
            raise TypeError("this view shows a document session's English: change it through the session")
        return self.source

    def rows_of(self, sentence_ids: Iterable[int]) -> set[int]:
        """The rows holding these sentences (others are ignored)."""
        assert self.content is not None
        sentences = self.content.sentences
        return {sentences[sid].row for sid in sentence_ids if sid in sentences}

    # ----------------------------------------------------------------- questions

    def has_sentence(self, sentence_id: int) -> bool:
        return self.content is not None and sentence_id in self.content.sentences

    def shown(self, sentence_id: int) -> str:
        """The English shown for a sentence ("" when none)."""
        return self.source.shown(sentence_id) if self.has_sentence(sentence_id) else ""

    def origin(self, sentence_id: int) -> str | None:
        return self.source.origin(sentence_id) if self.has_sentence(sentence_id) else None

    def origin_label(self, sentence_id: int) -> str:
        return ORIGIN_LABELS.get(self.origin(sentence_id) or "", "")

    def translated_count(self) -> int:
        if self.content is None:
            return 0
        return sum(1 for sid in self.content.order if self.source.shown(sid))

    def sentence_text(self, sentence_id: int, side: str) -> str:
        if not self.has_sentence(sentence_id):
            return ""
        if side == NL:
            return self.content.sentences[sentence_id].text
        return self.source.shown(sentence_id)

    def sentence_row(self, sentence_id: int) -> int | None:
        if not self.has_sentence(sentence_id):
            return None
        return self.content.sentences[sentence_id].row

    def row_count(self) -> int:
        return len(self.content.paragraphs) if self.content else 0

    def kind(self, row: int) -> str | None:
        """The kind of a row, None beyond either end (neighbours decide list and quote spacing)."""
        assert self.content is not None
        paras = self.content.paragraphs
        return paras[row].kind if 0 <= row < len(paras) else None

    def pending(self, sentence_id: int) -> bool:
        """No translation yet, and one will come (the view marks it as waiting)."""
        return self.missing == "pending" and not self.source.shown(sentence_id)

    # ----------------------------------------------------------------- side texts

    def rebuild(self) -> None:
        self.sides = {NL: [], EN: []}
        self.span_index = {NL: {}, EN: {}}
        if self.content is None:
            return
        for row, para in enumerate(self.content.paragraphs):
            self.sides[NL].append(self._nl_side(row, para))
            self.sides[EN].append(self._en_side(row, para))

    def refresh_english(self, row: int) -> None:
        assert self.content is not None
        self.sides[EN][row] = self._en_side(row, self.content.paragraphs[row])

    def _nl_side(self, row: int, para: ParagraphItem) -> SideText:
        assert self.content is not None
        spans = []
        for sid in para.sentence_ids:
            s = self.content.sentences[sid]
            spans.append((sid, s.start, s.end))
            self.span_index[NL][sid] = (row, s.start, s.end)
        return SideText(para.text, spans)

    def _en_side(self, row: int, para: ParagraphItem) -> SideText:
        parts: list[str] = []
        spans: list[tuple[int, int, int]] = []
        formats: list[tuple[int, int, str]] = []
        pos = 0
        for sid in para.sentence_ids:
            self.span_index[EN].pop(sid, None)
            target = self.source.shown(sid)
            style = _ORIGIN_STYLES.get(self.source.origin(sid) or "")
            if not target:
                if self.missing != "pending":
                    continue
                target, style = PENDING_MARK, "pending"
            if parts:
                parts.append(" ")
                pos += 1
            spans.append((sid, pos, pos + len(target)))
            self.span_index[EN][sid] = (row, pos, pos + len(target))
            if style:
                formats.append((pos, pos + len(target), style))
            parts.append(target)
            pos += len(target)
        return SideText("".join(parts), spans, formats)


def origins(edited: Iterable[int] | Mapping[int, str]) -> dict[int, str]:
    """{sentence: USER | ALTERNATIVE} from either such a mapping or plain ids (the user's own)."""
    if isinstance(edited, Mapping):
        return {int(sid): (origin if origin in ORIGIN_LABELS else USER) for sid, origin in edited.items()}
    return dict.fromkeys(edited, USER)
