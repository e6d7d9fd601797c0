"""Annotations: a note, a colour and tags on a stretch of one sentence's Dutch or English text.

Anchors follow the W3C Web Annotation model: a TextPositionSelector (character offsets in the
sentence's text on that side) and a TextQuoteSelector (the exact text with up to
``CONTEXT_CHARS`` characters before and after it). The Dutch text of a sentence never changes, so
Dutch anchors are stable. The English text does (a retranslation, an edit, another model), so
English anchors record the SHA-256 of the text they were made on (``anchored_on``) and
:func:`reanchor` moves them: the exact quote first, then the quote between its old context, then a
fuzzy match (rapidfuzz); an annotation whose quote is gone is kept and marked detached, never
deleted, and :func:`reattach` puts it on newly selected text.

Every change is one ``store.write_transaction``: a killed process loses nothing it acknowledged.
Qt-free; one ``Database`` per thread.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from rapidfuzz import fuzz
from sqlite_utils import Database

from reader import store
from reader.errors import ReaderError

__all__ = [
    "COLOURS",
    "CONTEXT_CHARS",
    "FUZZY_THRESHOLD",
    "MAX_NOTE_CHARS",
    "MAX_TAG_CHARS",
    "SIDES",
    "Annotation",
    "AnnotationError",
    "add_annotation",
    "add_annotation_range",
    "clean_note",
    "clean_tags",
    "count_for_document",
    "delete_annotation",
    "document_annotations",
    "get_annotation",
    "list_annotations",
    "reanchor",
    "reattach",
    "relocate",
    "restore_annotation",
    "side_text",
    "stale",
    "update_annotation",
]

COLOURS = ("yellow", "green", "blue", "pink", "purple")
SIDES = ("nl", "en")
CONTEXT_CHARS = 32  # TextQuoteSelector prefix and suffix length
# partial_ratio_alignment score (0-100) a changed English text must reach to keep an annotation
# attached: 80 follows a changed word ending or a dropped article, not another phrase.
FUZZY_THRESHOLD = 80
# The text found between the old prefix and suffix must still resemble the quote this much
# (fuzz.ratio), so "ministers" replaced by "diplomats" detaches instead of moving silently.
CONTEXT_THRESHOLD = 60
CONTEXT_MIN_CHARS = 8  # context shorter than this on both sides together locates nothing
# A 100,000-character note is accepted and stored as is; the limit only stops pasted files.
MAX_NOTE_CHARS = 1_000_000
MAX_TAG_CHARS = 200

# C0 controls except tab and newline (carriage returns become newlines first), and DEL.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class AnnotationError(ReaderError):
    """An annotation could not be made or changed as asked; nothing was written."""


@dataclass(frozen=True)
class Annotation:
    id: int
    document_id: int
    sentence_id: int
    side: str
    start: int
    end: int
    exact: str
    prefix: str
    suffix: str
    detached: bool
    group_id: int | None
    note: str
    colour: str
    tags: tuple[str, ...]
    created_at: str
    updated_at: str


# ---------------------------------------------------------------- validation


def clean_note(note: str) -> str:
    """The note as stored: line breaks kept (``\\r\\n`` becomes ``\\n``), other control
    characters dropped (they break TSV output and terminals), right-to-left text untouched."""
    if not isinstance(note, str):
        raise AnnotationError(f"A note must be text, not {type(note).__name__}: type the note again.")
    note = _CONTROLS.sub("", note.replace("\r\n", "\n").replace("\r", "\n"))
    if len(note) > MAX_NOTE_CHARS:
        raise AnnotationError(
            f"The note has {len(note):,} characters, more than the {MAX_NOTE_CHARS:,} a note can hold: "
            "shorten it or keep the text in a file and note where it is."
        )
    return note


def clean_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Tags as stored, sorted and without repeats. A tag is any non-empty text, trimmed: commas
    and inner spaces are part of it (``"a, b"`` is one tag)."""
    if isinstance(tags, str):
        tags = (tags,)  # one tag given bare, not its characters
    cleaned: set[str] = set()
    for tag in tags:
        if not isinstance(tag, str):
            raise AnnotationError(f"A tag must be text, not {type(tag).__name__}: type the tag again.")
        value = _CONTROLS.sub("", tag.replace("\r", " ").replace("\n", " ")).strip()
        if not value:
            raise AnnotationError("A tag cannot be empty: type a word or leave the tag out.")
        if len(value) > MAX_TAG_CHARS:
            raise AnnotationError(
                f"The tag “{value[:40]}…” has {len(value):,} characters, more than {MAX_TAG_CHARS}: "
                "use a shorter tag and put the rest in the note."
            )
        cleaned.add(value)
    return tuple(sorted(cleaned))


def _check_colour(colour: str) -> str:
    value = colour.strip().lower() if isinstance(colour, str) else colour
    if value not in COLOURS:
        raise AnnotationError(f"Unknown colour {colour!r}: use one of {', '.join(COLOURS)}.")
    return value


def _check_side(side: str) -> str:
    if side not in SIDES:
        raise AnnotationError(f"Unknown side {side!r}: use 'nl' for the Dutch text or 'en' for the English.")
    return side


def _check_selection(text: str, start: object, end: object, where: str) -> tuple[int, int]:
    """Offsets inside ``text``, trimmed of surrounding white space; an empty selection is refused."""
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
        raise AnnotationError(f"The selection offsets must be whole numbers, not {start!r} and {end!r}.")
    assert isinstance(start, int) and isinstance(end, int)
    if start > end:
        raise AnnotationError(
            f"The selection ends (at {end}) before it starts (at {start}): select the text again."
        )
    if not 0 <= start <= end <= len(text):
        raise AnnotationError(
            f"The selection {start}–{end} lies outside {where}, which has {len(text)} characters: "
            "select the text again."
        )
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        raise AnnotationError(f"The selection in {where} is empty: select the words to annotate.")
    return start, end


# ---------------------------------------------------------------- texts


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _sentence(db: Database, doc_id: int, sentence_id: int) -> tuple[str, str]:
    """(Dutch text, source hash) of a sentence of the document; unknown ones are refused."""
    store.get_document(db, doc_id)  # StoreError naming the document
    row = db.execute(
        "SELECT text, source_hash, document_id FROM sentences WHERE id = ?", [sentence_id]
    ).fetchone()
    if row is None or row[2] != doc_id:
        raise AnnotationError(
            f"There is no sentence {sentence_id} in document {doc_id}: reopen the document and "
            "select the text again."
        )
    return row[0], row[1]


def side_text(
    db: Database, sentence_id: int, side: str, *, model_key: str | None = None
) -> str | None:
    """The text an anchor on ``side`` refers to: the Dutch sentence, or the English shown (the
    reader's version, else the cached machine translation by ``model_key``, by default the newest
    by any model). None when the sentence has no English yet."""
    _check_side(side)
    if side == "nl":
        row = db.execute("SELECT text FROM sentences WHERE id = ?", [sentence_id]).fetchone()
        return None if row is None else row[0]
    row = db.execute("SELECT text FROM user_translations WHERE sentence_id = ?", [sentence_id]).fetchone()
    if row is not None:
        return row[0]
    model_filter = "" if model_key is None else " AND t.model_key = ?"
    row = db.execute(
        "SELECT t.target FROM sentences s JOIN translations t ON t.source_hash = s.source_hash"
        f" WHERE s.id = ?{model_filter} ORDER BY t.created_at DESC LIMIT 1",
        [sentence_id] if model_key is None else [sentence_id, model_key],
    ).fetchone()
    return None if row is None else row[0]


def _anchor_text(
    db: Database, doc_id: int, sentence_id: int, side: str, text: str | None
) -> tuple[str, str]:
    """The side's text and a description for messages; ``text`` is what the caller shows."""
    _check_side(side)
    dutch, _ = _sentence(db, doc_id, sentence_id)
    if side == "nl":
        return dutch, "the Dutch sentence"
    if text is None:
        text = side_text(db, sentence_id, "en")
    if not text:
        raise AnnotationError(
            f"Sentence {sentence_id} has no English translation yet: translate the document first, "
            "or annotate the Dutch side."
        )
    return text, "the English sentence"


def _quote(text: str, start: int, end: int) -> tuple[str, str, str]:
    return text[start:end], text[max(0, start - CONTEXT_CHARS) : start], text[end : end + CONTEXT_CHARS]


# ---------------------------------------------------------------- reading


_SELECT = (
    'SELECT a.id, a.document_id, a.sentence_id, a.side, a.start, a."end", a.exact, a.prefix, a.suffix,'
    " a.detached, a.group_id, a.note, a.colour, a.created_at, a.updated_at"
    " FROM annotations a JOIN sentences s ON s.id = a.sentence_id"
    " JOIN paragraphs p ON p.id = s.paragraph_id"
)
# Reading order: Dutch before English within a sentence, then by position.
_ORDER = " ORDER BY a.document_id, p.idx, s.idx, a.side = 'en', a.start, a.id"


# Text holding a character outside printable ASCII (accents, a line break): SQLite's lower() and
# instr() fold only ASCII, so such rows are left for the exact check in Python.
_NOT_ASCII = "'*[^ -~]*'"


def _text_prefilter(where: str, params: list[object], needle: str) -> tuple[str, list[object]]:
    """``where`` narrowed in SQL to the rows that can hold the casefolded ``needle`` in their note
    or quote, so that only those are read and sorted (reading all 20,000 to test each in Python
    took 100-200 ms). A superset: an ASCII needle is found by ``instr(lower(…))`` in ASCII text,
    and any needle may hide in text that is not all ASCII (``ß`` folds to ``ss``); the caller
    keeps the exact test."""
    loose = f"a.note GLOB {_NOT_ASCII} OR a.exact GLOB {_NOT_ASCII}"
    if needle.isascii():
        test = f"(instr(lower(a.note), ?) OR instr(lower(a.exact), ?) OR {loose})"
        params = [*params, needle, needle]
    else:  # an ASCII text folds to ASCII: it cannot hold this needle
        test = f"({loose})"
    return (f"({where}) AND {test}" if where else test), params


def _annotations(
    db: Database, where: str, params: Sequence[object], text: str | None = None
) -> list[Annotation]:
    """Rows matching ``where`` in reading order with their tags; tags are read in one query
    (a correlated subquery per row cost a third of a 20,000-row list)."""
    params = list(params)
    needle = text.casefold() if text else ""
    if needle:
        where, params = _text_prefilter(where, params, needle)
    sql = _SELECT + (f" WHERE {where}" if where else "") + _ORDER
    rows = db.execute(sql, params).fetchall()
    if needle:
        rows = [r for r in rows if needle in r[11].casefold() or needle in r[6].casefold()]
    tags: dict[int, list[str]] = {}
    if rows:
        if len(rows) <= 500:
            ids = [r[0] for r in rows]
            marks = ", ".join("?" * len(ids))
            tag_rows = db.execute(
                f"SELECT annotation_id, tag FROM annotation_tags WHERE annotation_id IN ({marks})", ids
            )
        else:
            tag_rows = db.execute("SELECT annotation_id, tag FROM annotation_tags")
        for aid, tag in tag_rows:
            tags.setdefault(aid, []).append(tag)
    return [
        Annotation(aid, doc, sid, side, start, end, exact, prefix, suffix, bool(detached), group, note,
                   colour, tuple(sorted(tags.get(aid, ()))), created, updated)
        for (aid, doc, sid, side, start, end, exact, prefix, suffix, detached, group, note, colour,
             created, updated) in rows
    ]


def _get(db: Database, ann_id: int) -> Annotation:
    found = _annotations(db, "a.id = ?", [ann_id])
    if not found:
        raise AnnotationError(
            f"There is no annotation {ann_id} (it may have been deleted): refresh the list of annotations."
        )
    return found[0]


def get_annotation(db: Database, ann_id: int) -> Annotation:
    return _get(db, ann_id)


def document_annotations(db: Database, doc_id: int) -> list[Annotation]:
    """A document's annotations in reading order (an unknown document raises ``StoreError``)."""
    store.get_document(db, doc_id)
    return _annotations(db, "a.document_id = ?", [doc_id])


def list_annotations(
    db: Database,
    *,
    doc_id: int | None = None,
    tag: str | None = None,
    colour: str | None = None,
    text: str | None = None,
    detached: bool | None = None,
) -> list[Annotation]:
    """Annotations of one document or the whole library, by document then reading order.

    ``tag`` matches a whole tag (trimmed, as stored); ``text`` matches, case-insensitively, a
    part of the note or of the annotated text (the old quote of a detached annotation).
    """
    where: list[str] = []
    params: list[object] = []
    if doc_id is not None:
        store.get_document(db, doc_id)
        where.append("a.document_id = ?")
        params.append(doc_id)
    if tag is not None:
        where.append("a.id IN (SELECT annotation_id FROM annotation_tags WHERE tag = ?)")
        params.append(tag.strip())
    if colour is not None:
        where.append("a.colour = ?")
        params.append(_check_colour(colour))
    if detached is not None:
        where.append("a.detached = ?")
        params.append(int(bool(detached)))
    return _annotations(db, " AND ".join(where), params, text)


def count_for_document(db: Database, doc_id: int) -> tuple[int, int]:
    """(annotations, saved phrases) that go with a document: what deleting it would take along.
    A selection over several sentences counts once; saved phrases keep their context, but the
    question names them so the reader knows."""
    store.get_document(db, doc_id)
    n_annotations = db.execute(
        "SELECT count(DISTINCT coalesce(group_id, -id)) FROM annotations WHERE document_id = ?", [doc_id]
    ).fetchone()[0]
    n_phrases = db.execute("SELECT count(*) FROM saved_phrases WHERE document_id = ?", [doc_id]).fetchone()[0]
    return n_annotations, n_phrases


# ---------------------------------------------------------------- writing


def _insert(
    db: Database,
    *,
    doc_id: int,
    sentence_id: int,
    side: str,
    text: str,
    start: int,
    end: int,
    note: str,
    colour: str,
    tags: tuple[str, ...],
    group_id: int | None,
    ann_id: int | None = None,
    detached: bool = False,
    created_at: str | None = None,
    updated_at: str | None = None,
    quote: tuple[str, str, str] | None = None,
) -> int:
    now = _now()
    exact, prefix, suffix = quote if quote is not None else _quote(text, start, end)
    cursor = db.execute(
        'INSERT INTO annotations (id, document_id, sentence_id, side, start, "end", exact, prefix, suffix,'
        " anchored_on, detached, group_id, note, colour, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [ann_id, doc_id, sentence_id, side, start, end, exact, prefix, suffix, _hash(text),
         int(detached), group_id, note, colour, created_at or now, updated_at or now],
    )
    new_id = cursor.lastrowid if ann_id is None else ann_id
    db.conn.executemany(
        "INSERT INTO annotation_tags (annotation_id, tag) VALUES (?, ?)", [(new_id, t) for t in tags]
    )
    return new_id


def add_annotation(
    db: Database,
    doc_id: int,
    sentence_id: int,
    side: str,
    start: int,
    end: int,
    *,
    note: str = "",
    colour: str = "yellow",
    tags: Iterable[str] = (),
    group_id: int | None = None,
    text: str | None = None,
) -> Annotation:
    """Annotate ``start:end`` of a sentence's text on ``side`` (offsets in the sentence; white
    space around the selection is trimmed). The quote selector is built from the side's current
    text: ``text`` is the English the caller shows (the session passes it), else the library's
    (the reader's version, else the newest cached machine translation)."""
    note, colour, tags = clean_note(note), _check_colour(colour), clean_tags(tags)
    with store.write_transaction(db):
        body, where = _anchor_text(db, doc_id, sentence_id, side, text)
        start, end = _check_selection(body, start, end, where)
        new_id = _insert(
            db, doc_id=doc_id, sentence_id=sentence_id, side=side, text=body, start=start, end=end,
            note=note, colour=colour, tags=tags, group_id=group_id,
        )
        return _get(db, new_id)


def add_annotation_range(
    db: Database,
    doc_id: int,
    side: str,
    first: tuple[int, int],
    last: tuple[int, int],
    *,
    note: str = "",
    colour: str = "yellow",
    tags: Iterable[str] = (),
    texts: dict[int, str] | None = None,
) -> list[Annotation]:
    """Annotate a selection from ``first`` = (sentence id, offset) to ``last`` = (sentence id,
    offset) in reading order, across sentences and across paragraphs too.

    The selection is anchored to each sentence it covers, one piece per sentence, all sharing a
    ``group_id`` (the first piece's id) and the same note, colour and tags; pieces that would
    hold only white space, and English sentences without a translation, are left out. A backward
    selection is read forward. All pieces are written in one transaction. ``texts`` maps
    sentence ids to the English shown, as ``text`` does in :func:`add_annotation`.
    """
    note, colour, tags = clean_note(note), _check_colour(colour), clean_tags(tags)
    _check_side(side)
    texts = texts or {}
    with store.write_transaction(db):
        order = [r.id for r in store.document_sentences(db, doc_id)]
        position = {sid: k for k, sid in enumerate(order)}
        for sid, offset in (first, last):
            if not isinstance(offset, int) or isinstance(offset, bool):
                raise AnnotationError(f"The selection offsets must be whole numbers, not {offset!r}.")
            if sid not in position:
                raise AnnotationError(
                    f"There is no sentence {sid} in document {doc_id}: reopen the document and select "
                    "the text again."
                )
        if (position[first[0]], first[1]) > (position[last[0]], last[1]):
            first, last = last, first
        pieces: list[tuple[int, str, int, int]] = []
        covered = order[position[first[0]] : position[last[0]] + 1]
        for sid in covered:
            body = texts.get(sid) if side == "en" else None
            body = side_text(db, sid, side) if body is None else body
            if not body:
                continue
            start = first[1] if sid == first[0] else 0
            end = last[1] if sid == last[0] else len(body)
            for offset in (start, end):
                if not 0 <= offset <= len(body):
                    raise AnnotationError(
                        f"The selection offset {offset!r} lies outside sentence {sid}, which has "
                        f"{len(body)} characters: select the text again."
                    )
            try:
                start, end = _check_selection(body, start, end, "the selected sentence")
            except AnnotationError:
                continue  # only white space of this sentence is selected
            pieces.append((sid, body, start, end))
        if not pieces:
            raise AnnotationError("The selection is empty: select the words to annotate.")
        group_id: int | None = None
        ids = []
        for sid, body, start, end in pieces:
            new_id = _insert(
                db, doc_id=doc_id, sentence_id=sid, side=side, text=body, start=start, end=end,
                note=note, colour=colour, tags=tags, group_id=group_id,
            )
            if len(pieces) > 1 and group_id is None:
                group_id = new_id
                db.execute("UPDATE annotations SET group_id = ? WHERE id = ?", [new_id, new_id])
            ids.append(new_id)
        return [_get(db, i) for i in ids]


def update_annotation(
    db: Database,
    ann_id: int,
    *,
    note: str | None = None,
    colour: str | None = None,
    tags: Iterable[str] | None = None,
) -> Annotation:
    """Change the note, colour or tags (None: unchanged). The pieces of one selection across
    sentences share them, so all pieces change together."""
    note = None if note is None else clean_note(note)
    colour = None if colour is None else _check_colour(colour)
    tags = None if tags is None else clean_tags(tags)
    with store.write_transaction(db):
        current = _get(db, ann_id)
        ids = [ann_id] if current.group_id is None else [
            r[0] for r in db.execute("SELECT id FROM annotations WHERE group_id = ?", [current.group_id])
        ]
        now = _now()
        for aid in ids:
            if note is not None:
                db.execute("UPDATE annotations SET note = ? WHERE id = ? AND note <> ?", [note, aid, note])
            if colour is not None:
                db.execute("UPDATE annotations SET colour = ? WHERE id = ?", [colour, aid])
            if tags is not None:
                db.execute("DELETE FROM annotation_tags WHERE annotation_id = ?", [aid])
                db.conn.executemany(
                    "INSERT INTO annotation_tags (annotation_id, tag) VALUES (?, ?)", [(aid, t) for t in tags]
                )
            db.execute("UPDATE annotations SET updated_at = ? WHERE id = ?", [now, aid])
        return _get(db, ann_id)


def delete_annotation(db: Database, ann_id: int) -> Annotation:
    """Delete one annotation (one piece of a selection across sentences) and return it, so an
    undo can :func:`restore_annotation` it."""
    with store.write_transaction(db):
        current = _get(db, ann_id)
        db.execute("DELETE FROM annotations WHERE id = ?", [ann_id])
        return current


def restore_annotation(db: Database, annotation: Annotation, *, text: str | None = None) -> Annotation:
    """Put a deleted annotation back under its own id (undo). If its side's text changed since,
    it is re-anchored as :func:`reanchor` would (detached when its quote is gone)."""
    a = annotation
    with store.write_transaction(db):
        if db.execute("SELECT 1 FROM annotations WHERE id = ?", [a.id]).fetchone():
            raise AnnotationError(f"Annotation {a.id} already exists: it was restored before.")
        try:
            body, _ = _anchor_text(db, a.document_id, a.sentence_id, a.side, text)
        except AnnotationError:
            # The sentence lost its English (a revert): kept detached with its old quote.
            _sentence(db, a.document_id, a.sentence_id)
            body = ""
        found = _locate(a, body)
        if found is None:
            _insert(
                db, doc_id=a.document_id, sentence_id=a.sentence_id, side=a.side, text=body, start=a.start,
                end=a.end, note=a.note, colour=a.colour, tags=a.tags, group_id=a.group_id, ann_id=a.id,
                detached=True, created_at=a.created_at, updated_at=a.updated_at,
                quote=(a.exact, a.prefix, a.suffix),
            )
        else:
            _insert(
                db, doc_id=a.document_id, sentence_id=a.sentence_id, side=a.side, text=body, start=found[0],
                end=found[1], note=a.note, colour=a.colour, tags=a.tags, group_id=a.group_id, ann_id=a.id,
                created_at=a.created_at, updated_at=a.updated_at,
            )
        return _get(db, a.id)


# ---------------------------------------------------------------- re-anchoring


def _locate(a: Annotation, text: str) -> tuple[int, int] | None:
    """Where ``a``'s quote is in ``text``: the old position if the quote is still there; else the
    exact quote (nearest the old position, then best context); else the text between the old
    prefix and suffix if it resembles the quote; else a fuzzy match; else None."""
    exact = a.exact
    if not text or not exact:
        return None
    if text[a.start : a.end] == exact:
        return a.start, a.end
    hits = [m.start() for m in re.finditer(re.escape(exact), text)]
    if hits:
        best = min(hits, key=lambda h: (abs(h - a.start), -_context_score(a, text, h, h + len(exact))))
        return best, best + len(exact)
    found = _by_context(a, text)
    if found is not None:
        return found
    return _fuzzy(exact, text)


def _context_score(a: Annotation, text: str, start: int, end: int) -> int:
    before, after = text[:start], text[end:]
    score = 0
    for x, y in zip(reversed(a.prefix), reversed(before), strict=False):
        if x != y:
            break
        score += 1
    for x, y in zip(a.suffix, after, strict=False):
        if x != y:
            break
        score += 1
    return score


def _by_context(a: Annotation, text: str) -> tuple[int, int] | None:
    """The text between the old prefix and suffix (a sentence edge stands for an empty one)."""
    prefix, suffix = a.prefix, a.suffix
    if len(prefix) + len(suffix) < CONTEXT_MIN_CHARS:
        return None
    starts = [m.end() for m in re.finditer(re.escape(prefix), text)] if prefix else [0]
    best: tuple[float, int, int] | None = None
    for start in starts:
        if suffix:
            end = text.find(suffix, start + 1)
            if end < 0:
                continue
        else:
            end = len(text)
        span = text[start:end]
        if not span.strip() or len(span) > 2 * len(a.exact) + 16:
            continue
        score = fuzz.ratio(a.exact, span.strip())
        if score >= CONTEXT_THRESHOLD and (best is None or score > best[0]):
            lead = len(span) - len(span.lstrip())
            best = (score, start + lead, start + len(span.rstrip()))
    return None if best is None else (best[1], best[2])


def _fuzzy(exact: str, text: str) -> tuple[int, int] | None:
    """The best partial match at or over ``FUZZY_THRESHOLD``, widened to whole words."""
    found = fuzz.partial_ratio_alignment(exact, text, score_cutoff=FUZZY_THRESHOLD)
    if found is None:
        return None
    start, end = found.dest_start, found.dest_end
    while start > 0 and text[start - 1].isalnum() and start < len(text) and text[start].isalnum():
        start -= 1
    while end < len(text) and end > 0 and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def relocate(a: Annotation, new_text: str) -> Annotation:
    """``a`` anchored on ``new_text`` (no library access): moved to where its quote now is, with
    the quote and context taken from ``new_text``; detached (old quote kept) when the quote is
    gone. Returns ``a`` itself when nothing changes. The session uses it on a read-only library."""
    found = _locate(a, new_text or "")
    if found is None:
        return a if a.detached else replace(a, detached=True)
    exact, prefix, suffix = _quote(new_text, *found)
    moved = replace(
        a, start=found[0], end=found[1], exact=exact, prefix=prefix, suffix=suffix, detached=False
    )
    same = (moved.start, moved.end, moved.exact, moved.prefix, moved.suffix, moved.detached) == (
        a.start, a.end, a.exact, a.prefix, a.suffix, a.detached)
    return a if same else moved


def reanchor(db: Database, doc_id: int, sentence_id: int, new_text: str) -> list[Annotation]:
    """Move a sentence's English annotations onto its new English ``new_text`` (after a
    retranslation, an edit, a revert or another model) in one transaction; returns those that
    moved, changed quote or became detached. Detached ones are tried again (the quote may be
    back). Annotations are never deleted here."""
    new_hash = _hash(new_text or "")
    changed: list[int] = []
    with store.write_transaction(db):
        _sentence(db, doc_id, sentence_id)
        rows = db.execute(
            "SELECT id, anchored_on FROM annotations WHERE sentence_id = ? AND side = 'en'", [sentence_id]
        ).fetchall()
        now = _now()
        for aid, anchored_on in rows:
            a = _get(db, aid)
            if anchored_on == new_hash and not a.detached:
                continue
            b = relocate(a, new_text)
            if b.detached:
                if not a.detached:
                    db.execute("UPDATE annotations SET detached = 1, updated_at = ? WHERE id = ?", [now, aid])
                    changed.append(aid)
                continue
            if b is a:  # still in place: only the text it refers to is new
                db.execute("UPDATE annotations SET anchored_on = ? WHERE id = ?", [new_hash, aid])
                continue
            db.execute(
                'UPDATE annotations SET start = ?, "end" = ?, exact = ?, prefix = ?, suffix = ?,'
                " anchored_on = ?, detached = 0, updated_at = ? WHERE id = ?",
                [b.start, b.end, b.exact, b.prefix, b.suffix, new_hash, now, aid],
            )
            changed.append(aid)
        return [_get(db, aid) for aid in changed]


def stale(db: Database, doc_id: int, texts: dict[int, str]) -> list[int]:
    """Sentences of ``texts`` (sentence id -> the English shown) whose English annotations were
    anchored on another text: the English changed while nobody re-anchored them (another
    process, a read-only session)."""
    found: set[int] = set()
    for sid, anchored_on in db.execute(
        "SELECT sentence_id, anchored_on FROM annotations WHERE document_id = ? AND side = 'en'", [doc_id]
    ):
        if sid in texts and anchored_on != _hash(texts[sid]):
            found.add(sid)
    return sorted(found)


def reattach(db: Database, ann_id: int, start: int, end: int, *, text: str | None = None) -> Annotation:
    """Put an annotation (typically a detached one) on newly selected text of its sentence and
    side; its note, colour and tags stay."""
    with store.write_transaction(db):
        a = _get(db, ann_id)
        body, where = _anchor_text(db, a.document_id, a.sentence_id, a.side, text)
        start, end = _check_selection(body, start, end, where)
        exact, prefix, suffix = _quote(body, start, end)
        db.execute(
            'UPDATE annotations SET start = ?, "end" = ?, exact = ?, prefix = ?, suffix = ?,'
            " anchored_on = ?, detached = 0, updated_at = ? WHERE id = ?",
            [start, end, exact, prefix, suffix, _hash(body), _now(), ann_id],
        )
        return _get(db, ann_id)
