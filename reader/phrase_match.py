"""Where saved phrases occur in a document, matched by lemma, and kept with the document.

Matching a long document against thousands of saved phrases takes about a second, so the marks
are stored per document (table ``phrase_marks``, migration m004) with the document's content
hash, the matcher's version, the document's words with their lemmas, and how far along the log
of phrase changes (table ``phrase_changes``, filled by triggers) they are current. Opening a
document then reads its marks, and matches again only the phrases saved, edited or deleted since
(a phrase's matches do not depend on the other phrases). A read-only library keeps them in
memory only. The marks are held packed, a flat list of numbers a sentence, and unpacked per
sentence when first asked for: a view needs the few sentences on screen, not all 76,000 marks
of a long document at once.
"""

from __future__ import annotations

import array
import gc
import json
import sqlite3
import sys
import threading
import zlib
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

from sqlite_utils import Database

from reader import store
from reader.dictionary import SEPARABLE_PARTICLES
from reader.errors import StoreError
from reader.phrases import _AFTER_PARTICLE, _WORD, GAP_MARK, PhraseMatch, Span, _is_verb_lemma, word_lemma

__all__ = ["DocumentMarks", "first_matches", "phrase_matches", "sentence_matches", "union_spans"]

# Bump when the matching rules change: every stored document's marks are then found again.
MATCHER_VERSION = 1
# Phrases changed since a document's marks were stored that are matched on their own; more
# (an imported vocabulary) and the whole document is matched again.
_INCREMENTAL = 2000
_MAGIC = 0x70686D31  # "phm1": a packed blob of this layout


# ---------------------------------------------------------------- the marks of one document


def _unpack(flat: list[int]) -> tuple[PhraseMatch, ...]:
    """[phrase id, number of spans, start, end, …] per match -> the matches."""
    out = []
    i, n = 0, len(flat)
    try:
        while i < n:
            k = flat[i + 1]
            j = i + 2 + 2 * max(k, 0)
            if k == 1:
                spans: tuple[Span, ...] = ((flat[i + 2], flat[i + 3]),)
            else:
                spans = tuple(zip(flat[i + 2 : j : 2], flat[i + 3 : j : 2], strict=True))
            out.append(PhraseMatch(flat[i], spans))
            i = j
    except (IndexError, ValueError):  # a damaged blob: what it held is found again next time
        pass
    return tuple(out)


def _drop(flat: list[int], phrase_ids: set[int]) -> list[int] | None:
    """``flat`` without the matches of ``phrase_ids``; None when it holds none of them."""
    out = None
    i, n = 0, len(flat)
    while i < n:
        j = i + 2 + 2 * max(flat[i + 1] if i + 1 < n else 0, 0)
        if flat[i] in phrase_ids:
            if out is None:
                out = flat[:i]
        elif out is not None:
            out.extend(flat[i:j])
        i = j
    return out


def _pack(matches: list[PhraseMatch] | tuple[PhraseMatch, ...]) -> tuple[list[int], list[int]]:
    """The matches packed, and the union of their spans packed (what a view underlines)."""
    flat: list[int] = []
    for phrase_id, spans in matches:
        flat.append(phrase_id)
        flat.append(len(spans))
        for start, end in spans:
            flat.append(start)
            flat.append(end)
    union = [edge for span in union_spans(span for m in matches for span in m.spans) for edge in span]
    return flat, union


def union_spans(spans: Iterable[Span]) -> list[Span]:
    """Overlapping or touching spans as one, in order: a word in several saved phrases is one
    underline."""
    union: list[Span] = []
    for start, end in sorted(spans):
        if union and start <= union[-1][1]:
            if end > union[-1][1]:
                union[-1] = (union[-1][0], end)
        else:
            union.append((start, end))
    return union


class DocumentMarks(Mapping[int, tuple[PhraseMatch, ...]]):
    """Sentence id -> the saved phrases found in it, in reading order (sentences without any are
    absent). Immutable; safe to hand from a worker to the GUI thread."""

    __slots__ = ("_packed", "_ranges", "_unpacked")

    def __init__(
        self,
        packed: dict[int, list[int]],
        ranges: dict[int, list[int]],
        unpacked: dict[int, tuple[PhraseMatch, ...]] | None = None,
    ) -> None:
        self._packed = packed
        self._ranges = ranges
        self._unpacked = dict(unpacked or {})

    @classmethod
    def of(cls, found: Mapping[int, list[PhraseMatch] | tuple[PhraseMatch, ...]]) -> DocumentMarks:
        packed, ranges, unpacked = {}, {}, {}
        for sid, matches in found.items():
            if matches:
                packed[sid], ranges[sid] = _pack(matches)
                unpacked[sid] = tuple(matches)
        return cls(packed, ranges, unpacked)

    def __getitem__(self, sentence_id: int) -> tuple[PhraseMatch, ...]:
        found = self._unpacked.get(sentence_id)
        if found is None:
            found = self._unpacked[sentence_id] = _unpack(self._packed[sentence_id])
        return found

    def __iter__(self) -> Iterator[int]:
        return iter(self._packed)

    def __len__(self) -> int:
        return len(self._packed)

    def __repr__(self) -> str:
        return f"DocumentMarks({len(self)} sentences)"

    def ranges(self) -> dict[int, list[Span]]:
        """Sentence id -> the union of its marks' spans, in order: what a view underlines once
        (a word in three saved phrases gets one underline)."""
        with _gc_paused():
            return {sid: list(zip(flat[::2], flat[1::2], strict=False)) for sid, flat in self._ranges.items()}

    def replacing(
        self, phrase_ids: set[int], found: Mapping[int, list[PhraseMatch]]
    ) -> DocumentMarks:
        """These marks with the matches of ``phrase_ids`` dropped and ``found`` (their matches
        found again) added in reading order."""
        packed, ranges, unpacked = dict(self._packed), dict(self._ranges), dict(self._unpacked)
        if phrase_ids:
            for sid, flat in self._packed.items():
                kept = _drop(flat, phrase_ids)
                if kept is None:
                    continue
                unpacked.pop(sid, None)
                if kept:
                    packed[sid], ranges[sid] = _pack(_unpack(kept))
                else:
                    del packed[sid], ranges[sid]
        for sid, matches in found.items():
            if not matches:
                continue
            before = _unpack(packed[sid]) if sid in packed else ()
            merged = sorted([*before, *matches], key=_reading_order)
            packed[sid], ranges[sid] = _pack(merged)
            unpacked[sid] = tuple(merged)
        return DocumentMarks(packed, ranges, unpacked)

    def count(self) -> int:
        """How many marks in all (unpacks every sentence)."""
        return sum(len(self[sid]) for sid in self)

    # -- storage: one little-endian int32 array, zlib-compressed

    def to_blob(self) -> bytes:
        values = array.array("i", (_MAGIC, len(self._packed)))
        for sid, flat in self._packed.items():
            union = self._ranges.get(sid, [])
            values.extend((sid, len(flat), len(union)))
            values.extend(flat)
            values.extend(union)
        if sys.byteorder == "big":
            values.byteswap()
        return zlib.compress(values.tobytes(), 1)

    @classmethod
    def from_blob(cls, blob: bytes) -> DocumentMarks | None:
        """None for a blob that is not one of ours (damaged, or written by another layout)."""
        try:
            values = array.array("i")
            values.frombytes(zlib.decompress(blob))
        except (zlib.error, ValueError, TypeError):
            return None
        if sys.byteorder == "big":
            values.byteswap()
        numbers = values.tolist()
        if len(numbers) < 2 or numbers[0] != _MAGIC:
            return None
        packed, ranges = {}, {}
        i, n = 2, len(numbers)
        for _ in range(numbers[1]):
            if i + 3 > n:
                return None
            sid, n_flat, n_union = numbers[i : i + 3]
            j = i + 3 + n_flat
            k = j + n_union
            if n_flat < 0 or n_union < 0 or n_union % 2 or k > n:
                return None
            packed[sid] = numbers[i + 3 : j]
            ranges[sid] = numbers[j:k]
            i = k
        return cls(packed, ranges) if i == n else None


EMPTY = DocumentMarks({}, {})


# ---------------------------------------------------------------- matching


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


def _occurrences(
    text: str, index: _Index, forms_of: Mapping[str, tuple[str, ...]] | None = None
) -> dict[str, list[tuple[int, tuple[Span, ...]]]]:
    """Lemma -> its (word position, spans) in the sentence, with split separable verbs joined:
    "belt … op" and "op te bellen" also give "opbellen"."""
    words = [(m.group(), m.span()) for m in _WORD.finditer(text)]
    found: dict[str, list[tuple[int, tuple[Span, ...]]]] = {}
    forms = []
    for pos, (word, span) in enumerate(words):
        known = forms_of.get(word) if forms_of is not None else None
        forms.append(known if known is not None else _forms(word))
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


def sentence_matches(
    text: str, index: _Index, forms_of: Mapping[str, tuple[str, ...]] | None = None
) -> list[PhraseMatch]:
    """The saved phrases of ``index`` in one sentence (``forms_of``: its words' lemmas, if known)."""
    found = _occurrences(text, index, forms_of)
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


def _document_matches(
    rows: list[tuple[int, str]],
    words_of: list[list[str]],
    forms_of: Mapping[str, tuple[str, ...]],
    index: _Index,
) -> dict[int, list[PhraseMatch]]:
    """Each distinct word (a key of ``forms_of``, with its lemmas) is looked up once. A sentence
    with no word that starts a saved phrase costs a set test; one whose words start only one-word
    phrases or two-word phrases of words together ("oud huis") is matched word by word; only a
    sentence with a word that starts a phrase with a gap, a phrase of three or more lemmas, or may
    be a split verb, goes through the full matcher (:func:`sentence_matches`)."""
    single: dict[str, tuple[int, ...]] = {}  # word -> the one-word phrases it is a form of
    heavy: set[str] = set()  # words that send their sentence to the full matcher
    near_of: dict[str, list[dict[str, list[tuple[int, Flat]]]]] = {}  # word -> its forms' two-lemma keys
    gapped_of: dict[str, list[dict[str, list[tuple[int, Flat]]]]] = {}  # word -> its forms' gapped keys
    particles_of: dict[str, set[str]] = {}  # a verb -> the particles it may be split from
    near_first, long_firsts = index.near_first, index.long_firsts
    for word, forms in forms_of.items():
        ids: list[int] = []
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
            matches = sentence_matches(text, index, forms_of)
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
    forms_of: Mapping[str, tuple[str, ...]],
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


# ---------------------------------------------------------------- a document's marks, kept


@lru_cache(maxsize=1)
def _matcher_id() -> str:
    """The matcher's version and the lemmatiser's: a change to either finds the marks again."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        lemmatiser = version("simplemma")
    except PackageNotFoundError:
        lemmatiser = "unknown"
    return f"{MATCHER_VERSION}/simplemma {lemmatiser}"


@dataclass(frozen=True)
class _Known:
    """A document's marks and how far they are current."""

    content: str  # the content hash of the document they were found in
    seq: int  # the phrase change log's last number they include
    marks: DocumentMarks
    words: dict[str, tuple[str, ...]] | None  # the document's words -> their lemmas, when loaded
    saved: bool  # nothing to write: the library holds them as they are (or cannot be written)


_results: dict[tuple[object, int], _Known] = {}


def phrase_matches(db: Database, doc_id: int) -> DocumentMarks:
    """Sentence id -> the saved phrases (of any article) found in it by lemma, in reading order.

    Kept in memory per library file (a worker's own connection shares them) and in the library;
    when phrases were saved, edited or deleted since, only those are matched again. The garbage
    collector pauses meanwhile: tens of thousands of small tuples would set off full collections
    of the whole heap (a third of the time).
    """
    with _gc_paused():
        return _phrase_matches(db, doc_id)


def first_matches(db: Database, doc_id: int, sentence_ids: Collection[int]) -> DocumentMarks | None:
    """The marks of some sentences (those on screen) while the document's own are not known yet:
    its first match takes about a second on a long document with thousands of saved phrases, and
    the screen need not wait for the rest. None when they are known (in memory or stored):
    :func:`phrase_matches` is then quick; or when the sentences are the whole document."""
    with _gc_paused():
        content = store.get_document(db, doc_id)["content_hash"]
        database = _database_key(db)
        seq = _current_seq(db)
        with _lock:
            known = _results.get((database, doc_id))
        if known is not None and known.content == content and known.seq == seq:
            return None
        if _stored(db, doc_id, content, "seq") is not None:
            return None  # stored: read (and brought up to date) at once
        wanted = set(sentence_ids)
        every = db.execute("SELECT id, text FROM sentences WHERE document_id = ?", [doc_id]).fetchall()
        rows = [(sid, text) for sid, text in every if sid in wanted]
        if len(rows) == len(every):
            return None  # all of it is on screen: matching it all is the same work
        keys = dict(db.execute("SELECT id, lemma_key FROM saved_phrases").fetchall())
        if not rows or not keys:
            return EMPTY
        words_of = [_WORD.findall(text) for _sid, text in rows]
        found = _document_matches(rows, words_of, _lemmatised(words_of), _index(database, keys))
        return DocumentMarks.of(found)


@contextmanager
def _gc_paused() -> Iterator[None]:
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _phrase_matches(db: Database, doc_id: int) -> DocumentMarks:
    content = store.get_document(db, doc_id)["content_hash"]  # an id may be reused: its text tells
    database = _database_key(db)
    # Read before the phrases: a phrase saved meanwhile is in the log after it, so it is matched
    # again next time (its old matches dropped first), never missed.
    seq = _current_seq(db)
    with _lock:
        known = _results.get((database, doc_id))
    if known is None or known.content != content or known.seq > seq:  # (a library put back)
        known = _load(db, doc_id, content)
    if known is not None and known.seq > seq:
        known = None
    result = known if known is not None and known.seq == seq else None
    if result is None and known is not None:
        result = _rematch(db, doc_id, known, seq)
    if result is None:
        result = _match_all(db, doc_id, content, seq, database)
    if not result.saved:
        result = _save(db, doc_id, result)
    with _lock:
        if len(_results) > 16:
            _results.clear()
        _results[(database, doc_id)] = result
    return result.marks


def _current_seq(db: Database) -> int:
    row = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'phrase_changes'").fetchone()
    return int(row[0]) if row else 0


def _sentences(db: Database, doc_id: int) -> tuple[list[tuple[int, str]], list[list[str]]]:
    rows = db.execute("SELECT id, text FROM sentences WHERE document_id = ?", [doc_id]).fetchall()
    findall = _WORD.findall
    return rows, [findall(text) for _sid, text in rows]


def _word_forms(
    db: Database,
    doc_id: int,
    content: str,
    words_of: list[list[str]],
    known: dict[str, tuple[str, ...]] | None = None,
) -> dict[str, tuple[str, ...]]:
    """The document's words and their lemmas: kept with its marks, else looked up (simplemma's
    first lookup alone costs 0.3 s)."""
    if known is not None:
        return known
    row = _stored(db, doc_id, content, "words")
    words = _words_from_blob(row[0]) if row else None
    if words is not None and all(w in words for ws in words_of for w in ws):
        return words
    return _lemmatised(words_of)


def _lemmatised(words_of: list[list[str]]) -> dict[str, tuple[str, ...]]:
    return {word: _forms(word) for word in set().union(*words_of)}


def _stored(db: Database, doc_id: int, content: str, columns: str) -> tuple | None:
    """``columns`` of the document's stored marks, if found in this text by this matcher."""
    return db.execute(
        f"SELECT {columns} FROM phrase_marks WHERE document_id = ? AND content_hash = ? AND matcher = ?",
        [doc_id, content, _matcher_id()],
    ).fetchone()


def _words_from_blob(blob: bytes) -> dict[str, tuple[str, ...]] | None:
    try:
        loaded = json.loads(zlib.decompress(blob))
        return {str(w): tuple(str(f) for f in forms) for w, forms in loaded.items()}
    except (zlib.error, ValueError, TypeError, AttributeError):
        return None


def _load(db: Database, doc_id: int, content: str) -> _Known | None:
    """The marks kept in the library, if they were found in this text by this matcher."""
    row = _stored(db, doc_id, content, "seq, marks")
    if row is None:
        return None
    marks = DocumentMarks.from_blob(row[1])
    return None if marks is None else _Known(content, int(row[0]), marks, None, saved=True)


def _rematch(db: Database, doc_id: int, known: _Known, seq: int) -> _Known | None:
    """``known`` with the phrases changed since matched again; None when too many changed."""
    changed = [
        pid
        for (pid,) in db.execute(
            "SELECT DISTINCT phrase_id FROM phrase_changes WHERE seq > ? LIMIT ?",
            [known.seq, _INCREMENTAL + 1],
        )
    ]
    if len(changed) > _INCREMENTAL:
        return None
    keys = dict(
        db.execute(
            "SELECT id, lemma_key FROM saved_phrases WHERE id IN (SELECT value FROM json_each(?))",
            [json.dumps(changed)],
        ).fetchall()
    )
    words, found = known.words, {}
    if keys:
        rows, words_of = _sentences(db, doc_id)
        words = _word_forms(db, doc_id, known.content, words_of, known.words)
        found = _document_matches(rows, words_of, words, _build_index(keys))
    marks = known.marks.replacing(set(changed), found)
    return _Known(known.content, seq, marks, words, saved=False)


def _match_all(db: Database, doc_id: int, content: str, seq: int, database: object) -> _Known:
    keys = dict(db.execute("SELECT id, lemma_key FROM saved_phrases").fetchall())
    rows, words_of = _sentences(db, doc_id)
    words = _word_forms(db, doc_id, content, words_of)
    index = _index(database, keys)
    found = _document_matches(rows, words_of, words, index) if keys else {}
    return _Known(content, seq, DocumentMarks.of(found), words, saved=False)


def _save(db: Database, doc_id: int, known: _Known) -> _Known:
    """Keep the marks in the library (a cache: a library that cannot be written just goes without)."""
    done = _Known(known.content, known.seq, known.marks, known.words, saved=True)
    if store.is_read_only(db):
        return done
    if db.conn.in_transaction:  # the caller's: kept next time
        return known
    marks = known.marks.to_blob()
    try:
        with store.write_transaction(db):
            if known.words is None:  # only phrases removed: the words kept are still right
                db.execute(
                    "UPDATE phrase_marks SET seq = ?, marks = ?"
                    " WHERE document_id = ? AND content_hash = ? AND matcher = ?",
                    [known.seq, marks, doc_id, known.content, _matcher_id()],
                )
            else:
                words = json.dumps(known.words, separators=(",", ":"), ensure_ascii=False).encode()
                db.execute(
                    "INSERT OR REPLACE INTO phrase_marks (document_id, content_hash, matcher, seq, words,"
                    " marks) SELECT id, ?, ?, ?, ?, ? FROM documents WHERE id = ? AND content_hash = ?",
                    [known.content, _matcher_id(), known.seq, zlib.compress(words, 1), marks, doc_id,
                     known.content],
                )
    except (StoreError, sqlite3.Error):  # busy or full: matched again next time
        return known
    return done
