"""Saved phrases: Dutch words or phrases a reader wants to learn, kept with their context.

A phrase is stored with its aligned English, the sentence pair it came from (copied, so it outlives
its document: the schema sets the document to NULL), a dictionary gloss and a learning status.
Its ``lemma_key`` is the phrase's lemmas with a separable verb joined ("belde … op" -> "opbellen"),
so ``reader.phrase_match`` finds it again in any article and any form: "opbellen", "belt … op",
"heeft opgebeld", "om haar op te bellen".
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlite_utils import Database

from reader import store
from reader.dictionary import SEPARABLE_PARTICLES
from reader.errors import ReaderError
from reader.lemmas import nl_lemma

if TYPE_CHECKING:
    from reader.align import Alignment
    from reader.dictionary import Dictionary

__all__ = [
    "STATUSES",
    "PhraseError",
    "PhraseMatch",
    "SavedPhrase",
    "delete_phrase",
    "get_phrase",
    "lemma_key",
    "list_phrases",
    "phrase_labels",
    "restore_phrase",
    "save_phrase",
    "spans_of_quote",
    "suggest_english",
    "update_phrase",
]

STATUSES = ("new", "learning", "known")
GAP = " … "  # between the parts of a discontinuous phrase
# Words as the matcher sees them: letters and digits (as the search index does).
_WORD = re.compile(r"[^\W_]+")
_PAST_ENDINGS = ("den", "ten", "de", "te")
Span = tuple[int, int]
# Words a separated particle may stand before ("haalde uit naar het Westen", "belde op en zei").
_AFTER_PARTICLE = frozenset(
    "en of maar want omdat dat als toen terwijl zodat nadat voordat hoewel te naar met voor op in"
    " aan van bij over tegen tot om door uit tussen zonder sinds tijdens na".split()
)


class PhraseError(ReaderError, ValueError):
    """A phrase cannot be saved or changed as asked."""


@dataclass(frozen=True)
class SavedPhrase:
    id: int
    document_id: int | None
    sentence_id: int | None
    document_title: str
    nl: str
    nl_spans: tuple[Span, ...]
    lemma_key: str
    en: str
    en_spans: tuple[Span, ...]
    context_nl: str
    context_en: str
    gloss: str
    note: str
    status: str
    created_at: str
    updated_at: str


class PhraseMatch(NamedTuple):
    """Where a saved phrase occurs in a sentence: character spans in the sentence's Dutch text
    (a named tuple: a long document makes tens of thousands, a frozen dataclass costs 3x)."""

    phrase_id: int
    spans: tuple[Span, ...]


# ---------------------------------------------------------------- lemmas


@lru_cache(maxsize=1 << 16)
def word_lemma(word: str) -> str:
    """The lower-case Dutch lemma; a past tense simplemma does not know ("belde") goes through
    its stem to a known infinitive ("bel" -> "bellen")."""
    lower = word.lower()
    lemma = nl_lemma(lower).lower().replace("_", "")  # simplemma marks separable verbs: "aan_vallen"
    if lemma != lower or len(lower) < 5:
        return lemma
    for ending in _PAST_ENDINGS:
        if lower.endswith(ending) and len(lower) - len(ending) >= 3:
            from reader.dictionary import stem_infinitives

            for verb in stem_infinitives(lower[: -len(ending)]):
                if _is_known(verb):
                    return verb
    return lemma


def _is_known(word: str) -> bool:
    import simplemma

    return bool(simplemma.is_known(word, lang="nl"))


def _is_verb_lemma(lemma: str) -> bool:
    return lemma.endswith(("en", "aan", "oen", "ien")) and " " not in lemma


def _verb_form(word: str, lemma: str) -> str | None:
    """The infinitive a word may be, for joining a particle to it (simplemma prefers the noun
    "bel" for "bellen", so an infinitive stands for itself)."""
    if _is_verb_lemma(lemma):
        return lemma
    return word if word.endswith("en") else None


GAP_MARK = "…"  # in a lemma key: the phrase's words go on later in the sentence, not next


def lemma_key(words: Sequence[str]) -> str:
    """The phrase's lemmas in order, space-separated, with "…" where the phrase has a gap; a
    separable particle that ends the phrase after a verb (or comes before "te" + verb) is joined
    to it: "belde … op" and "op te bellen" -> "opbellen"; "haalde uit naar" -> "uithalen naar";
    "praten … persconferentie" stays two parts."""
    items = [w.lower() for w in words if w.strip() in ("…", "...") or _WORD.fullmatch(w)]
    items = ["…" if w in ("…", "...") else w for w in items]
    lowered = [w for w in items if w != "…"]
    out: list[str] = []
    verbs: list[str | None] = []  # parallel to out: the infinitive each may be
    i = 0
    n_word = 0  # index in lowered
    while i < len(items):
        word = items[i]
        if word == "…":
            out.append(GAP_MARK)
            verbs.append(None)
            i += 1
            continue
        lemma = word_lemma(word)
        if word in SEPARABLE_PARTICLES:
            ends = n_word == len(lowered) - 1 or lowered[n_word + 1] in _AFTER_PARTICLE
            at = next((j for j in range(len(out) - 1, -1, -1) if verbs[j]), None)
            if ends and at is not None:
                out[at] = word + verbs[at]  # type: ignore[operator]
                verbs[at] = None
                if out[-1] == GAP_MARK:  # "belde … op": the gap was inside the verb
                    out.pop()
                    verbs.pop()
                i += 1
                n_word += 1
                continue
            if n_word + 2 < len(lowered) and lowered[n_word + 1] == "te" and items[i + 1:i + 3] == lowered[
                n_word + 1:n_word + 3
            ]:
                verb = _verb_form(lowered[n_word + 2], word_lemma(lowered[n_word + 2]))
                if verb:
                    out.append(word + verb)
                    verbs.append(None)
                    i += 3
                    n_word += 3
                    continue
        out.append(lemma)
        verbs.append(_verb_form(word, lemma))
        i += 1
        n_word += 1
    while out and out[0] == GAP_MARK:
        out.pop(0)
    while out and out[-1] == GAP_MARK:
        out.pop()
    return " ".join(w for k, w in enumerate(out) if not (w == GAP_MARK and out[k - 1] == GAP_MARK))


# ---------------------------------------------------------------- saving


def spans_of_quote(text: str, quote: str) -> tuple[Span, ...]:
    """The spans in ``text`` of ``quote``'s words, found in order ("belde op", "belde … op"):
    the whole quote where it occurs as is, else word by word, each after the one before."""
    quote = quote.strip()
    if not quote:
        raise PhraseError("The quote is empty: give the Dutch words to save, as they appear in the sentence.")
    at = text.find(quote)
    if at < 0:
        at = text.lower().find(quote.lower())
    if at >= 0 and len(quote) > 0:
        return ((at, at + len(quote)),)
    wanted = [w.lower() for w in _WORD.findall(quote)]
    if not wanted:
        raise PhraseError(f"The quote {quote!r} has no words: give the Dutch words to save.")
    found: list[Span] = []
    position = 0
    for m in _WORD.finditer(text):
        if len(found) < len(wanted) and m.start() >= position and m.group().lower() == wanted[len(found)]:
            found.append(m.span())
            position = m.end()
    if len(found) < len(wanted):
        raise PhraseError(
            f"The words {quote!r} were not found in that order in the sentence: "
            "copy them from the sentence as they appear there."
        )
    return tuple(found)


def _normalise_spans(text: str, spans: Iterable[Sequence[int]]) -> tuple[Span, ...]:
    cleaned: list[Span] = []
    for span in spans:
        try:
            start, end = (int(v) for v in span)
        except (TypeError, ValueError) as err:
            raise PhraseError(f"A span must be two numbers (start, end), not {span!r}.") from err
        if not 0 <= start < end <= len(text):
            raise PhraseError(
                f"The span {start}-{end} is outside the sentence ({len(text)} characters): "
                "select words in it."
            )
        cleaned.append((start, end))
    if not cleaned:
        raise PhraseError("Nothing is selected: select the Dutch words to save.")
    merged: list[list[int]] = []
    for start, end in sorted(cleaned):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((s, e) for s, e in merged)


def _parts(text: str, spans: tuple[Span, ...]) -> list[str]:
    """Adjacent spans (only spaces between them) are one part; a gap starts another."""
    parts: list[list[int]] = []
    for start, end in spans:
        if parts and not text[parts[-1][1] : start].strip():
            parts[-1][1] = end
        else:
            parts.append([start, end])
    return [text[s:e].strip() for s, e in parts]


def _sentence(db: Database, doc_id: int, sentence_id: int) -> dict[str, Any]:
    store.get_document(db, doc_id)
    row = db.execute(
        "SELECT s.id, s.text, s.source_hash, s.document_id, d.title FROM sentences s"
        " JOIN documents d ON d.id = s.document_id WHERE s.id = ?",
        [sentence_id],
    ).fetchone()
    if row is None or row[3] != doc_id:
        raise PhraseError(
            f"Document {doc_id} has no sentence {sentence_id}: "
            "reopen the document and select the words again."
        )
    return {"id": row[0], "text": row[1], "source_hash": row[2], "title": row[4]}


def _shown_translation(db: Database, sentence_id: int, source_hash: str) -> tuple[str, str | None]:
    """(the English the reader sees, the model key when it is the model's newest translation)."""
    row = db.execute("SELECT text FROM user_translations WHERE sentence_id = ?", [sentence_id]).fetchone()
    if row is not None:
        return row[0], None
    row = db.execute(
        "SELECT target, model_key FROM translations WHERE source_hash = ? ORDER BY created_at DESC LIMIT 1",
        [source_hash],
    ).fetchone()
    return (row[0], row[1]) if row is not None else ("", None)


def suggest_english(
    db: Database, sentence_id: int, nl_spans: Iterable[Sequence[int]], *, dictionary: Dictionary | None = None
) -> tuple[str, tuple[Span, ...]]:
    """The aligner's English for the Dutch spans (for a dialog to pre-fill): the English words
    linked to them, from the first to the last, or ("", ()) without a translation or links."""
    row = db.execute("SELECT text, source_hash FROM sentences WHERE id = ?", [sentence_id]).fetchone()
    if row is None:
        return "", ()
    source, hash_ = row
    spans = _normalise_spans(source, nl_spans)
    target, model_key = _shown_translation(db, sentence_id, hash_)
    if not target.strip():
        return "", ()
    alignment = _alignment(db, source, target, hash_, model_key, dictionary)
    if alignment is None:
        return "", ()
    return _english_of(alignment, target, spans)


def _alignment(
    db: Database, source: str, target: str, hash_: str, model_key: str | None, dictionary: Dictionary | None
) -> Alignment | None:
    from reader.alignments import sentence_alignment

    cached = None
    if model_key is not None:
        cached = store.get_cached(db, model_key, [hash_]).get(hash_)
    try:
        return sentence_alignment(
            db, source, target, cached=cached, dictionary=dictionary, model_key=model_key
        )
    except ReaderError:  # too long to align, or a damaged row: the reader types the English instead
        return None


def _english_of(alignment: Alignment, target: str, spans: tuple[Span, ...]) -> tuple[str, tuple[Span, ...]]:
    from reader.align import phrase_at

    chosen = [
        i for i, token in enumerate(alignment.nl_tokens)
        if token.is_word and any(token.start < e and s < token.end for s, e in spans)
    ]
    # the words' own links; the aligner's phrase pairs only when none is linked (they may be wide)
    picked = {link.j for i in chosen for link in alignment.links_of("nl", i)}
    if not picked:
        for i in chosen:
            pair = phrase_at(alignment, "nl", i)
            if pair is not None:
                picked.update(pair.en_span)
    picked = {j for j in picked if 0 <= j < len(alignment.en_tokens)}
    if not picked:
        return "", ()
    start = alignment.en_tokens[min(picked)].start
    end = alignment.en_tokens[max(picked)].end
    return target[start:end], ((start, end),)


def _gloss(words: list[str], dictionary: Dictionary | None) -> str:
    """The first dictionary sense of the phrase (a separable verb looked up with its particle)."""
    if dictionary is None or not words:
        return ""
    from reader.errors import DictionaryError

    particle = None
    head = words[0]
    if len(words) == 2 and words[1].lower() in SEPARABLE_PARTICLES:
        particle = words[1].lower()
    elif len(words) > 1:
        return ""
    try:
        results = dictionary.lookup(head, particle)
    except (DictionaryError, OSError):
        return ""
    if particle:  # the joined verb first: "opbellen", not "bellen"
        results.sort(key=lambda r: r.how != "separable")
    for result in results:
        for entry in result.entries:
            if entry.senses:
                return "; ".join(entry.senses[:3])
    return ""


_AUTO: Any = object()


def _open_dictionary() -> Dictionary | None:
    from reader.alignments import open_dictionary_or_none

    return open_dictionary_or_none()[0]


def save_phrase(
    db: Database,
    doc_id: int,
    sentence_id: int,
    nl_spans: Iterable[Sequence[int]],
    *,
    en: str = "",
    en_spans: Iterable[Sequence[int]] = (),
    gloss: str = "",
    note: str = "",
    status: str = "new",
    dictionary: Dictionary | None = _AUTO,
) -> SavedPhrase:
    """Save the Dutch words at ``nl_spans`` (character spans in the sentence) with their context.

    Empty ``en`` (and ``en_spans``) are pre-filled from the aligner, an empty ``gloss`` from the
    dictionary (``dictionary``: default the installed one; None for no lookup).
    """
    _check_status(status)
    sentence = _sentence(db, doc_id, sentence_id)
    text = sentence["text"]
    spans = _normalise_spans(text, nl_spans)
    words = [m.group() for s, e in spans for m in _WORD.finditer(text[s:e])]
    if not words:
        raise PhraseError("The selection has no Dutch words: select words, not only punctuation.")
    if dictionary is _AUTO:
        dictionary = _open_dictionary()
    target, _ = _shown_translation(db, sentence_id, sentence["source_hash"])
    en_spans_t: tuple[Span, ...] = ()
    if en_spans:
        en_spans_t = _normalise_spans(target, en_spans)
        if not en:
            en = GAP.join(_parts(target, en_spans_t))
    elif not en:
        en, en_spans_t = suggest_english(db, sentence_id, spans, dictionary=dictionary)
    if not gloss:
        gloss = _gloss(words, dictionary)
    now = store._now()
    row = {
        "document_id": doc_id,
        "sentence_id": sentence_id,
        "document_title": sentence["title"],
        "nl": GAP.join(_parts(text, spans)),
        "nl_spans": json.dumps([list(s) for s in spans]),
        "lemma_key": lemma_key(f" {GAP_MARK} ".join(_parts(text, spans)).split()),
        "en": en.strip(),
        "en_spans": json.dumps([list(s) for s in en_spans_t]),
        "context_nl": text,
        "context_en": target,
        "gloss": gloss,
        "note": note,
        "status": status,
        "created_at": now,
        "updated_at": now,
    }
    with store.write_transaction(db):
        names = ", ".join(row)
        marks = ", ".join("?" * len(row))
        cursor = db.execute(f"INSERT INTO saved_phrases ({names}) VALUES ({marks})", list(row.values()))
        phrase_id = cursor.lastrowid
    return get_phrase(db, phrase_id)


def _check_status(status: str) -> None:
    if status not in STATUSES:
        raise PhraseError(f"Unknown status {status!r}: use one of {', '.join(STATUSES)}.")


_COLUMNS = (
    "id, document_id, sentence_id, document_title, nl, nl_spans, lemma_key, en, en_spans,"
    " context_nl, context_en, gloss, note, status, created_at, updated_at"
)


def _from_row(row: Sequence[Any]) -> SavedPhrase:
    values = list(row)
    values[5] = tuple(tuple(s) for s in json.loads(values[5]))
    values[8] = tuple(tuple(s) for s in json.loads(values[8]))
    return SavedPhrase(*values)


def get_phrase(db: Database, phrase_id: int) -> SavedPhrase:
    row = db.execute(f"SELECT {_COLUMNS} FROM saved_phrases WHERE id = ?", [phrase_id]).fetchone()
    if row is None:
        raise PhraseError(f"There is no saved phrase {phrase_id}: list the saved phrases to see which exist.")
    return _from_row(row)


def any_saved(db: Database) -> bool:
    """Whether the library holds any saved phrase (if not, there is nothing to mark or match)."""
    return db.execute("SELECT EXISTS (SELECT 1 FROM saved_phrases)").fetchone()[0] == 1


def phrase_labels(db: Database, ids: Iterable[int]) -> dict[int, tuple[str, str, str]]:
    """The (Dutch, English, status) of the saved phrases of ``ids`` that exist: what a mark's
    tooltip says, without the context sentences a full row carries."""
    wanted = json.dumps(sorted({int(i) for i in ids}))
    cursor = db.execute(
        "SELECT id, nl, en, status FROM saved_phrases WHERE id IN (SELECT value FROM json_each(?))", [wanted]
    )
    return {row[0]: row[1:] for row in cursor}


def update_phrase(
    db: Database,
    phrase_id: int,
    *,
    en: str | None = None,
    note: str | None = None,
    status: str | None = None,
    gloss: str | None = None,
) -> SavedPhrase:
    if status is not None:
        _check_status(status)
    asked = (("en", en), ("note", note), ("status", status), ("gloss", gloss))
    changes = {k: v for k, v in asked if v is not None}
    with store.write_transaction(db):
        get_phrase(db, phrase_id)
        if changes:
            sets = ", ".join(f"{k} = ?" for k in changes)
            db.execute(
                f"UPDATE saved_phrases SET {sets}, updated_at = ? WHERE id = ?",
                [*changes.values(), store._now(), phrase_id],
            )
    return get_phrase(db, phrase_id)


def delete_phrase(db: Database, phrase_id: int) -> SavedPhrase:
    """Delete and return the phrase (for undo: :func:`restore_phrase`)."""
    with store.write_transaction(db):
        phrase = get_phrase(db, phrase_id)
        db.execute("DELETE FROM saved_phrases WHERE id = ?", [phrase_id])
    return phrase


def restore_phrase(db: Database, phrase: SavedPhrase) -> SavedPhrase:
    """Put a deleted phrase back under its own id; its document may have gone since (then NULL)."""
    with store.write_transaction(db):
        doc_id, sentence_id = phrase.document_id, phrase.sentence_id
        if sentence_id is not None and not db.execute(
            "SELECT 1 FROM sentences WHERE id = ? AND document_id IS ?", [sentence_id, doc_id]
        ).fetchone():
            sentence_id = None
        if doc_id is not None and not db.execute("SELECT 1 FROM documents WHERE id = ?", [doc_id]).fetchone():
            doc_id = None
        db.execute(
            f"INSERT INTO saved_phrases ({_COLUMNS}) VALUES ({', '.join('?' * 16)})",
            [
                phrase.id, doc_id, sentence_id, phrase.document_title, phrase.nl,
                json.dumps([list(s) for s in phrase.nl_spans]), phrase.lemma_key, phrase.en,
                json.dumps([list(s) for s in phrase.en_spans]), phrase.context_nl, phrase.context_en,
                phrase.gloss, phrase.note, phrase.status, phrase.created_at, phrase.updated_at,
            ],
        )
    return get_phrase(db, phrase.id)


def list_phrases(
    db: Database, *, doc_id: int | None = None, status: str | None = None, text: str | None = None
) -> list[SavedPhrase]:
    """Saved phrases, oldest first; ``text`` matches the Dutch, the English, the note or the gloss
    (case-insensitive substring)."""
    if status is not None:
        _check_status(status)
    where, params = [], []
    if doc_id is not None:
        where.append("document_id = ?")
        params.append(doc_id)
    if status is not None:
        where.append("status = ?")
        params.append(status)
    if text:
        where.append(
            "instr(lower(nl || ' ' || en || ' ' || note || ' ' || gloss || ' ' || lemma_key), ?) > 0"
        )
        params.append(text.lower())
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    cursor = db.execute(f"SELECT {_COLUMNS} FROM saved_phrases{clause} ORDER BY id", params)
    return [_from_row(row) for row in cursor]
