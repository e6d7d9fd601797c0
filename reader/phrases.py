"""Saved phrases: Dutch words or phrases a reader wants to learn, kept with their context.

A phrase is stored with its aligned English, the sentence pair it came from (copied, so it outlives
its document: the schema sets the document to NULL), a dictionary gloss and a learning status.
Its ``lemma_key`` is the phrase's lemmas with a separable verb joined ("belde … op" -> "opbellen"),
so :func:`phrase_matches` finds it again in any article and any form: "opbellen", "belt … op",
"heeft opgebeld", "om haar op te bellen".
"""

from __future__ import annotations

import json
import re
import threading
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
    "phrase_matches",
    "phrases_by_id",
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


def phrases_by_id(db: Database, ids: Iterable[int]) -> dict[int, SavedPhrase]:
    """The saved phrases of ``ids`` that exist, in one query (marking thousands of phrases in a long
    document must not cost a query each)."""
    wanted = json.dumps(sorted({int(i) for i in ids}))
    cursor = db.execute(
        f"SELECT {_COLUMNS} FROM saved_phrases WHERE id IN (SELECT value FROM json_each(?))", [wanted]
    )
    return {row[0]: _from_row(row) for row in cursor}


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


# ---------------------------------------------------------------- finding phrases again


# A key's lemmas in order, each with whether it must be near the one before (same part of the
# phrase) or may be anywhere after it (after a gap).
Flat = tuple[tuple[str, bool], ...]
_NEAR = 2  # lemmas of one part match with at most one word between them ("oude grote huizen")


@dataclass
class _Index:
    """Saved phrases by lemma key: one-lemma keys by their lemma, longer keys by their first and
    second lemma, so a sentence tries only keys whose first two lemmas it holds."""

    keys: dict[int, str]  # phrase id -> lemma key, of the phrases indexed
    single: dict[str, list[int]]
    # keys whose first two lemmas go together ("oud huis"), by that pair
    near: dict[tuple[str, str], list[tuple[int, Flat]]]
    # keys with a gap after their first lemma ("de … burgemeester"), by first then second lemma
    multi: dict[str, dict[str, list[tuple[int, Flat]]]]
    # Verbs a particle may be joined to: "bellen" -> {"op"}; to know which splits to look for.
    particles_of: dict[str, set[str]]
    # ``near`` by first lemma, then second: a sentence looks only at words that start such a key
    near_first: dict[str, dict[str, list[tuple[int, Flat]]]]
    long_firsts: set[str]  # first lemmas of ``near`` keys of three lemmas or more


_indexes: dict[object, _Index] = {}
# (library, document) -> (its content hash, the phrases' lemma keys by id then, the matches)
_results: dict[tuple[object, int], tuple[str, dict[int, str], dict[int, list[PhraseMatch]]]] = {}
_lock = threading.Lock()


def _index(database: object, keys: dict[int, str]) -> _Index:
    """Built once per library and set of lemma keys (an id SQLite gives again to a new phrase
    is a change too: compared key by key, not by a count or a date)."""
    with _lock:
        found = _indexes.get(database)
        if found is not None and found.keys == keys:
            return found
    built = _build_index(keys)
    with _lock:
        if len(_indexes) > 16:
            _indexes.clear()
        _indexes[database] = built
    return built


def _build_index(keys: dict[int, str]) -> _Index:
    single: dict[str, list[int]] = {}
    near: dict[tuple[str, str], list[tuple[int, Flat]]] = {}
    multi: dict[str, dict[str, list[tuple[int, Flat]]]] = {}
    particles_of: dict[str, set[str]] = {}
    for phrase_id, key_text in keys.items():
        flat = tuple(
            (lemma, k > 0) for part in key_text.split(GAP_MARK) for k, lemma in enumerate(part.split())
        )
        if not flat:
            continue
        if len(flat) == 1:
            single.setdefault(flat[0][0], []).append(phrase_id)
        elif flat[1][1]:
            near.setdefault((flat[0][0], flat[1][0]), []).append((phrase_id, flat))
        else:
            multi.setdefault(flat[0][0], {}).setdefault(flat[1][0], []).append((phrase_id, flat))
        for lemma, _near in flat:
            for particle in _particle_prefixes(lemma):
                particles_of.setdefault(lemma[len(particle):], set()).add(particle)
    near_first: dict[str, dict[str, list[tuple[int, Flat]]]] = {}
    for (first, second), entries in near.items():
        near_first.setdefault(first, {})[second] = entries
    long_firsts = {first for (first, _), entries in near.items() if any(len(f) > 2 for _, f in entries)}
    return _Index(keys, single, near, multi, particles_of, near_first, long_firsts)


_PARTICLE_LENGTHS = sorted({len(p) for p in SEPARABLE_PARTICLES})


def _particle_prefixes(lemma: str) -> tuple[str, ...]:
    """The separable particles a verb lemma begins with ("opbellen" -> ("op",))."""
    if not _is_verb_lemma(lemma):
        return ()
    return tuple(
        lemma[:n] for n in _PARTICLE_LENGTHS if len(lemma) - n >= 3 and lemma[:n] in SEPARABLE_PARTICLES
    )


@lru_cache(maxsize=1 << 16)
def _forms(word: str) -> tuple[str, ...]:
    """The lemmas a word may stand for: an infinitive is its own lemma even where simplemma
    prefers a noun ("bellen" -> "bel")."""
    lemma = word_lemma(word)
    lower = word.lower()
    return (lemma, lower) if lower != lemma and lower.endswith("en") else (lemma,)


def _occurrences(text: str, index: _Index) -> dict[str, list[tuple[int, tuple[Span, ...]]]]:
    """Lemma -> its (word position, spans) in the sentence, with split separable verbs joined:
    "belt … op" and "op te bellen" also give "opbellen"."""
    words = [(m.group(), m.span()) for m in _WORD.finditer(text)]
    found: dict[str, list[tuple[int, tuple[Span, ...]]]] = {}
    forms = []
    for pos, (word, span) in enumerate(words):
        forms.append(_forms(word))
        for form in forms[-1]:
            found.setdefault(form, []).append((pos, (span,)))
    particles_of = index.particles_of
    for pos, lemmas in enumerate(forms):
        for lemma in lemmas:
            wanted = particles_of.get(lemma)
            if wanted:
                _split_verbs(text, words, pos, lemma, wanted, found)
    return found


def _split_verbs(
    text: str,
    words: list[tuple[str, Span]],
    pos: int,
    lemma: str,
    wanted: set[str],
    found: dict[str, list[tuple[int, tuple[Span, ...]]]],
) -> None:
    # the particle after the verb ("belt haar op"), or right before "te" + verb ("op te bellen")
    for later in range(pos + 1, len(words)):
        particle = words[later][0].lower()
        if particle in wanted and _ends_clause(text, words, later):
            found.setdefault(particle + lemma, []).append((pos, (words[pos][1], words[later][1])))
    if pos >= 2 and words[pos - 1][0].lower() == "te" and words[pos - 2][0].lower() in wanted:
        particle = words[pos - 2][0].lower()
        found.setdefault(particle + lemma, []).append((pos - 2, (words[pos - 2][1], words[pos][1])))


def _ends_clause(text: str, words: list[tuple[str, Span]], at: int) -> bool:
    """A particle of a split verb ends its clause ("belt haar op.") or comes before a conjunction
    or preposition ("haalde uit naar het Westen"); before a noun it is a preposition."""
    end = words[at][1][1]
    if at + 1 == len(words) or text[end:words[at + 1][1][0]].strip():
        return True
    return words[at + 1][0].lower() in _AFTER_PARTICLE


def sentence_matches(text: str, index: _Index) -> list[PhraseMatch]:
    found = _occurrences(text, index)
    matches: list[PhraseMatch] = []
    at: dict[int, list[tuple[str, tuple[Span, ...]]]] = {}  # word position -> its lemmas
    for lemma, places in found.items():
        ids = index.single.get(lemma)
        if ids:
            matches.extend([PhraseMatch(phrase_id, spans) for _pos, spans in places for phrase_id in ids])
        seconds = index.multi.get(lemma)
        if seconds:
            for second in seconds.keys() & found.keys():
                for phrase_id, flat in seconds[second]:
                    spans = _chain(flat, found)
                    if spans is not None:
                        matches.append(PhraseMatch(phrase_id, spans))
        if index.near:
            for pos, spans in places:
                at.setdefault(pos, []).append((lemma, spans))
    seen: set[int] = set()
    near_first = index.near_first
    for first, places in found.items():
        seconds_of = near_first.get(first)
        if not seconds_of:
            continue
        for pos, first_spans in places:
            for step in range(1, _NEAR + 1):
                for second, second_spans in at.get(pos + step, ()):
                    for phrase_id, flat in seconds_of.get(second, ()):
                        if len(flat) == 2:
                            matches.append(PhraseMatch(phrase_id, tuple(sorted(first_spans + second_spans))))
                        elif phrase_id not in seen:
                            seen.add(phrase_id)
                            spans = _chain(flat, found)
                            if spans is not None:
                                matches.append(PhraseMatch(phrase_id, spans))
    return matches


Places = dict[str, list[tuple[int, tuple[Span, ...]]]]


def _chain(flat: Flat, found: Places) -> tuple[Span, ...] | None:
    """Spans of the key's lemmas in order: those of one part near each other, the parts
    anywhere after one another; None when the sentence does not hold them so."""

    def go(i: int, previous: int) -> list[Span] | None:
        if i == len(flat):
            return []
        lemma, near = flat[i]
        for pos, spans in found.get(lemma, ()):
            if pos <= previous or (near and pos - previous > _NEAR):
                continue
            rest = go(i + 1, pos)
            if rest is not None:
                return [*spans, *rest]
        return None

    spans = go(0, -1)
    return None if spans is None else tuple(sorted(spans))


def _database_key(db: Database) -> object:
    """The library file (a worker's own connection shares the caches), or the connection itself
    for a database in memory."""
    for _seq, name, path in db.execute("PRAGMA database_list").fetchall():
        if name == "main" and path:
            return path
    return id(db.conn)


def phrase_matches(db: Database, doc_id: int) -> dict[int, list[PhraseMatch]]:
    """Sentence id -> the saved phrases found in it (by lemma) in reading order, for marking them.

    Fast on long documents with many saved phrases: each distinct word of the document is
    looked up once; a sentence none of whose words is a saved phrase's first lemma costs a set
    test, one that holds only one-word phrases a dictionary lookup a word. Only sentences with a
    word that may start a longer phrase or be a split verb go through the full matcher. The
    result is kept until the saved phrases change, so reopening a document costs one query;
    after a few phrases were saved or deleted only those are matched (a phrase's matches do not
    depend on the other phrases), so the marks follow a change quickly.
    """
    # a removed document's id may be given to the next one: its content identifies it
    content = store.get_document(db, doc_id)["content_hash"]
    database = _database_key(db)
    # id -> lemma key: all the matches depend on (the English and status are loaded apart)
    keys = dict(db.execute("SELECT id, lemma_key FROM saved_phrases").fetchall())
    with _lock:
        cached = _results.get((database, doc_id))
    if cached is not None and cached[0] == content and cached[1] == keys:
        return {sid: list(found) for sid, found in cached[2].items()}
    result: dict[int, list[PhraseMatch]] | None = None
    if cached is not None and cached[0] == content:
        before = cached[1]
        changed = {i: key for i, key in keys.items() if before.get(i) != key}
        if len(changed) <= _FEW:
            kept = {i for i, key in before.items() if keys.get(i) == key}
            result = _updated(db, doc_id, cached[2], kept, changed)
    if result is None:
        index = _index(database, keys)
        result = {}
        if index.single or index.near or index.multi:
            result = _document_matches(db, doc_id, index)
    with _lock:
        if len(_results) > 16:
            _results.clear()
        _results[(database, doc_id)] = (content, keys, result)
    return {sid: list(found) for sid, found in result.items()}


_FEW = 50  # phrases added since the last matching that are matched on their own


def _updated(
    db: Database,
    doc_id: int,
    before: dict[int, list[PhraseMatch]],
    kept: set[int],
    added: dict[int, str],
) -> dict[int, list[PhraseMatch]]:
    """The earlier matches of the phrases kept, with those of the added (or changed) ones."""
    result = {
        sid: mine for sid, found in before.items() if (mine := [m for m in found if m.phrase_id in kept])
    }
    if added:
        for sid, found in _document_matches(db, doc_id, _build_index(added)).items():
            result[sid] = sorted([*result.get(sid, ()), *found], key=_reading_order)
    return result


def _document_matches(db: Database, doc_id: int, index: _Index) -> dict[int, list[PhraseMatch]]:
    """Each distinct word is looked up once. A sentence with no word that starts a saved phrase
    costs a set test; one whose words start only one-word phrases or two-word phrases of words
    together ("oud huis") is matched word by word; only a sentence with a word that starts a
    phrase with a gap, a phrase of three or more lemmas, or may be a split verb, goes through
    the full matcher (:func:`sentence_matches`)."""
    rows = db.execute("SELECT id, text FROM sentences WHERE document_id = ?", [doc_id]).fetchall()
    findall = _WORD.findall
    words_of = [findall(text) for _sid, text in rows]
    single: dict[str, tuple[int, ...]] = {}  # word -> the one-word phrases it is a form of
    heavy: set[str] = set()  # words that send their sentence to the full matcher
    near_of: dict[str, list[dict[str, list[tuple[int, Flat]]]]] = {}  # word -> its forms' two-lemma keys
    gapped_of: dict[str, list[dict[str, list[tuple[int, Flat]]]]] = {}  # word -> its forms' gapped keys
    particles_of: dict[str, set[str]] = {}  # a verb -> the particles it may be split from
    forms_of: dict[str, tuple[str, ...]] = {}
    near_first, long_firsts = index.near_first, index.long_firsts
    for word in set().union(*words_of):
        ids: list[int] = []
        forms_of[word] = forms = _forms(word)
        for form in forms:
            ids += index.single.get(form, ())
            if form in long_firsts:
                heavy.add(word)
            for table, out in ((near_first, near_of), (index.multi, gapped_of)):
                seconds = table.get(form)
                if seconds:
                    out.setdefault(word, []).append(seconds)
            if form in index.particles_of:
                particles_of.setdefault(word, set()).update(index.particles_of[form])
        if ids:
            single[word] = tuple(ids)
    relevant = heavy | single.keys() | near_of.keys() | gapped_of.keys() | particles_of.keys()
    maybe = gapped_of.keys() | particles_of.keys()
    finditer = _WORD.finditer
    result: dict[int, list[PhraseMatch]] = {}
    for (sentence_id, text), words in zip(rows, words_of, strict=True):
        if relevant.isdisjoint(words):
            continue
        if (heavy and not heavy.isdisjoint(words)) or (
            not maybe.isdisjoint(words) and _needs_matcher(words, forms_of, gapped_of, particles_of)
        ):
            matches = sentence_matches(text, index)
        else:
            spans = [m.span() for m in finditer(text)]  # the same words as ``words``
            matches = [
                PhraseMatch(phrase_id, (span,))
                for word, span in zip(words, spans, strict=True)
                for phrase_id in single.get(word, ())
            ]
            if not near_of.keys().isdisjoint(words):
                n = len(words)
                for i, word in enumerate(words):
                    keys = near_of.get(word)
                    if keys is None:
                        continue
                    for j in range(i + 1, min(n, i + _NEAR + 1)):
                        for form in forms_of[words[j]]:
                            for seconds in keys:
                                for phrase_id, _flat in seconds.get(form, ()):
                                    matches.append(PhraseMatch(phrase_id, (spans[i], spans[j])))
        if matches:
            matches.sort(key=_reading_order)
            result[sentence_id] = matches
    return result


def _reading_order(match: PhraseMatch) -> tuple:
    return match.spans, match.phrase_id


def _needs_matcher(
    words: list[str],
    forms_of: dict[str, tuple[str, ...]],
    gapped_of: dict[str, list[dict[str, list[tuple[int, Flat]]]]],
    particles_of: dict[str, set[str]],
) -> bool:
    """Whether a sentence may hold a gapped phrase (its first lemma and a second one after it)
    or a split verb (a particle after the verb, or before "te" + verb): a cheap, generous test."""
    sentence_forms: set[str] | None = None
    lowered: list[str] | None = None
    for i, word in enumerate(words):
        gapped = gapped_of.get(word)
        if gapped:
            if sentence_forms is None:
                sentence_forms = set().union(*(forms_of[w] for w in words))
            if any(not seconds.keys().isdisjoint(sentence_forms) for seconds in gapped):
                return True
        wanted = particles_of.get(word)
        if wanted:
            if lowered is None:
                lowered = [w.lower() for w in words]
            if not wanted.isdisjoint(lowered[i + 1:]):
                return True
            if i >= 2 and lowered[i - 1] == "te" and lowered[i - 2] in wanted:
                return True
    return False
