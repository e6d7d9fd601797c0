"""Library-wide search over the FTS5 index ``search_text`` (Dutch sentences, machine and user
translations, notes and saved phrases).

A user's query is never FTS5 syntax: it is cut into words (``reader.stems.words``, the index's own
notion of a word), each word is quoted, and matches either as written (diacritics folded by the
index: `oekraine` finds `Oekraïne`) or by its Dutch or English Snowball stem in the stems column
(`huis` finds `huizen`). Words are ANDed; the last may be a prefix, for search as you type.
Quotes, ``*``, ``NEAR(``, parentheses and ``-`` are therefore only separators.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from reader import store
from reader.errors import ReaderError
from reader.stems import stem_words, words

__all__ = [
    "MARK_CLOSE", "MARK_OPEN", "SearchError", "SearchHit", "match_spans", "query_spans", "search",
    "sentence_numbers", "snippet",
]

MARK_OPEN, MARK_CLOSE = "[", "]"  # around matched words in a snippet
MAX_QUERY_WORDS = 16
# Matches ranked by bm25 at most: a word found in tens of thousands of sentences gets the best of
# the first (oldest) RANK_WINDOW, so no search costs more than ranking these.
RANK_WINDOW = 5000
_MIN_PREFIX = 3  # shorter last words are not prefixes: "d*" would match half the library
_SNIPPET_CONTEXT = 60  # characters either side of the first match
_KIND_OF_CODE = {code: kind for kind, code in store.SEARCH_KINDS.items()}
_TOKEN = re.compile(r"[^\W_]+")
Span = tuple[int, int]


class SearchError(ReaderError, ValueError):
    """A search that cannot run as asked."""


@dataclass(frozen=True)
class SearchHit:
    kind: str  # "nl", "mt", "user", "note" or "phrase"
    document_id: int | None  # None for a saved phrase whose document was deleted
    document_title: str
    sentence_id: int | None
    sentence_number: int | None  # 1-based, in `bireader segment` order
    side: str  # "nl" or "en"
    text: str
    snippet: str  # the text around the first match, matched words between MARK_OPEN/MARK_CLOSE
    spans: tuple[Span, ...] = ()  # the matched words in `text`
    # What the reader view shades in the hit's sentence, on `side`: the matched words of a sentence
    # or translation, the words a note is anchored to (none when detached), a phrase's Dutch words.
    sentence_spans: tuple[Span, ...] = ()


def _fold(word: str) -> str:
    """Lower case without diacritics, as the index's ``remove_diacritics 2`` sees a word."""
    if word.isascii():
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def build_query(query: str, *, prefix: bool = True) -> str | None:
    """The FTS5 query for a user's text, or None when it has no words."""
    terms = words(query)[:MAX_QUERY_WORDS]
    if not terms:
        return None
    nl, en = stem_words("dutch", terms), stem_words("english", terms)
    clauses = []
    for i, term in enumerate(terms):
        star = "*" if prefix and i == len(terms) - 1 and len(term) >= _MIN_PREFIX else ""
        options = [f"body : {_quote(term)}{star}"]
        options += [f"stems : {_quote(s)}" for s in dict.fromkeys((nl[i], en[i]))]
        clauses.append("(" + " OR ".join(options) + ")")
    return " AND ".join(clauses)


def search(
    db: Database, query: str, *, limit: int = 100, doc_id: int | None = None, prefix: bool = True
) -> list[SearchHit]:
    """The best ``limit`` hits for ``query`` (bm25 order), in the whole library or one document."""
    if limit < 1:
        raise SearchError(f"A search needs a limit of at least 1, not {limit}.")
    fts = build_query(query, prefix=prefix)
    if fts is None:
        return []
    if doc_id is not None:
        store.get_document(db, doc_id)
        rows = _rows_in_document(db, fts, doc_id, limit)
    else:
        # bm25 over every match of a word in half the library took 250 ms: rank a window of them
        rows = db.execute(
            "SELECT rowid, body FROM (SELECT rowid, body, rank FROM search_text"
            " WHERE search_text MATCH ? LIMIT ?) ORDER BY rank LIMIT ?",
            [fts, max(RANK_WINDOW, limit), limit],
        ).fetchall()
    hits = _hits(db, rows)
    terms = words(query)[:MAX_QUERY_WORDS]
    return [_with_snippet(hit, terms, prefix) for hit in hits]


def _rows_in_document(db: Database, fts: str, doc_id: int, limit: int) -> list[tuple[int, str]]:
    """Ranked hits restricted to a document's sentences, notes and phrases."""
    n = store.SEARCH_STRIDE
    k = store.SEARCH_KINDS
    return db.execute(
        f"""SELECT rowid, body FROM search_text WHERE search_text MATCH :q AND rowid IN (
                SELECT id * {n} + {k['nl']} FROM sentences WHERE document_id = :doc
                UNION ALL SELECT id * {n} + {k['mt']} FROM sentences WHERE document_id = :doc
                UNION ALL SELECT s.id * {n} + {k['user']} FROM user_translations u
                    JOIN sentences s ON s.id = u.sentence_id WHERE s.document_id = :doc
                UNION ALL SELECT id * {n} + {k['note']} FROM annotations WHERE document_id = :doc
                UNION ALL SELECT id * {n} + {k['phrase']} FROM saved_phrases WHERE document_id = :doc)
            ORDER BY rank LIMIT :limit""",
        {"q": fts, "doc": doc_id, "limit": limit},
    ).fetchall()


def _hits(db: Database, rows: list[tuple[int, str]]) -> list[SearchHit]:
    by_kind: dict[str, list[int]] = {}
    for rowid, _body in rows:
        by_kind.setdefault(_KIND_OF_CODE.get(rowid % store.SEARCH_STRIDE, ""), []).append(
            rowid // store.SEARCH_STRIDE
        )
    sentences = _sentences(db, [i for kind in ("nl", "mt", "user") for i in by_kind.get(kind, ())])
    notes = _select(
        db,
        "SELECT a.id, a.sentence_id, a.side, a.note, a.start, a.\"end\", a.detached FROM annotations a"
        " WHERE a.id IN ({})",
        by_kind.get("note", []),
    )
    phrases = _select(
        db,
        "SELECT p.id, p.sentence_id, p.document_id, p.document_title, p.nl, p.en, p.note, p.nl_spans"
        " FROM saved_phrases p WHERE p.id IN ({})",
        by_kind.get("phrase", []),
    )
    sentences.update(_sentences(db, [r[1] for r in notes.values()] + [
        r[1] for r in phrases.values() if r[1] is not None
    ]))
    hits = []
    for rowid, body in rows:
        kind = _KIND_OF_CODE.get(rowid % store.SEARCH_STRIDE)
        key = rowid // store.SEARCH_STRIDE
        if kind in ("nl", "mt", "user"):
            place = sentences.get(key)
            if place is None:
                continue
            side = "nl" if kind == "nl" else "en"
            hits.append(SearchHit(kind, place[0], place[1], key, place[2], side, body, ""))
        elif kind == "note" and key in notes:
            _id, sentence_id, side, note, start, end, detached = notes[key]
            place = sentences.get(sentence_id, (None, "", None))
            anchor = () if detached else ((start, end),)
            hits.append(
                SearchHit(kind, place[0], place[1], sentence_id, place[2], side, note, "", (), anchor)
            )
        elif kind == "phrase" and key in phrases:
            _id, sentence_id, doc, title, nl, en, note, nl_spans = phrases[key]
            place = sentences.get(sentence_id, (doc, title, None)) if sentence_id else (doc, title, None)
            text = " — ".join(t for t in (nl, en, note) if t)
            hits.append(SearchHit(
                kind, place[0], place[1] or title, sentence_id, place[2], "nl", text, "", (), _spans(nl_spans)
            ))
    return hits


def _spans(stored: str) -> tuple[Span, ...]:
    """A phrase's ``nl_spans`` column ('[[0, 5], …]'), or nothing when it is not a list of pairs."""
    try:
        value = json.loads(stored)
    except (TypeError, ValueError):
        return ()
    if not isinstance(value, list):
        return ()
    return tuple(
        (int(p[0]), int(p[1])) for p in value
        if isinstance(p, list | tuple) and len(p) == 2 and all(isinstance(x, int) for x in p)
    )


def _select(db: Database, sql: str, ids: list[int]) -> dict[int, tuple[Any, ...]]:
    if not ids:
        return {}
    found = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        for row in db.execute(sql.format(", ".join("?" * len(chunk))), chunk):
            found[row[0]] = tuple(row)
    return found


def _sentences(db: Database, ids: list[int]) -> dict[int, tuple[int, str, int]]:
    """Sentence id -> (document id, document title, sentence number)."""
    rows = _select(
        db,
        "SELECT s.id, s.document_id, d.title, p.idx, s.idx FROM sentences s"
        " JOIN paragraphs p ON p.id = s.paragraph_id JOIN documents d ON d.id = s.document_id"
        " WHERE s.id IN ({})",
        list(dict.fromkeys(ids)),
    )
    numbers = sentence_numbers(db, {(r[1], r[3], r[4]) for r in rows.values()})
    return {
        sid: (doc, title, numbers[(doc, p_idx, s_idx)]) for sid, doc, title, p_idx, s_idx in rows.values()
    }


def sentence_numbers(db: Database, places: set[tuple[int, int, int]]) -> dict[tuple[int, int, int], int]:
    """(document, paragraph idx, sentence idx) -> the sentence's 1-based number in its document,
    in `bireader segment` order: the sentences of the paragraphs before it, plus its own index.
    One query a document, over its paragraphs up to the last one asked about."""
    last: dict[int, int] = {}
    for doc, p_idx, _s_idx in places:
        last[doc] = max(last.get(doc, -1), p_idx)
    before: dict[tuple[int, int], int] = {}
    for doc, until in last.items():
        total = 0
        for p_idx, count in db.execute(
            "SELECT p.idx, (SELECT count(*) FROM sentences s WHERE s.paragraph_id = p.id)"
            " FROM paragraphs p WHERE p.document_id = ? AND p.idx <= ? ORDER BY p.idx",
            [doc, until],
        ):
            before[(doc, p_idx)] = total
            total += count
    return {(doc, p_idx, s_idx): before.get((doc, p_idx), 0) + s_idx + 1 for doc, p_idx, s_idx in places}


def _with_snippet(hit: SearchHit, terms: list[str], prefix: bool) -> SearchHit:
    spans = tuple(match_spans(hit.text, terms, prefix=prefix))
    shaded = spans if hit.kind in ("nl", "mt", "user") else hit.sentence_spans
    return SearchHit(**{
        **hit.__dict__, "snippet": _around(hit.text, list(spans)), "spans": spans, "sentence_spans": shaded
    })


def query_spans(text: str, query: str, *, prefix: bool = True) -> list[Span]:
    """The words of ``text`` that ``query`` matches, as :func:`search` finds them (e.g. in a
    version of a sentence the search did not see: the reader's own English)."""
    return match_spans(text, words(query)[:MAX_QUERY_WORDS], prefix=prefix)


def match_spans(text: str, terms: list[str], *, prefix: bool = True) -> list[Span]:
    """The (start, end) of every word of ``text`` that matches a term as the index does: as
    written without diacritics, by either stem, or (the last term) as a prefix."""
    if not terms:
        return []
    folded = [_fold(t) for t in terms]
    wanted = set(folded)
    stems = set(stem_words("dutch", terms)) | set(stem_words("english", terms))
    last = folded[-1] if prefix and len(folded[-1]) >= _MIN_PREFIX else None
    # Stemming is slow: only words that begin as a term or a stem does are stemmed.
    starts = {_fold(t)[:2] for t in (*folded, *stems)}
    marks = []
    for m in _TOKEN.finditer(text):
        word = m.group()
        word = word.lower() if word.isascii() else _fold(unicodedata.normalize("NFKC", word))
        if (
            word in wanted
            or (last is not None and word.startswith(last))
            or (word[:2] in starts and (
                stem_words("dutch", [word])[0] in stems or stem_words("english", [word])[0] in stems
            ))
        ):
            marks.append(m.span())
    return marks


def snippet(text: str, terms: list[str], *, prefix: bool = True) -> str:
    """``text`` around its first matched word, every matched word marked (see :func:`match_spans`)."""
    if not terms:
        return text
    return _around(text, match_spans(text, terms, prefix=prefix))


def _around(text: str, marks: list[Span]) -> str:
    """``text`` around the first of ``marks``, each between MARK_OPEN and MARK_CLOSE."""
    if not marks:
        return text if len(text) <= 2 * _SNIPPET_CONTEXT else text[: 2 * _SNIPPET_CONTEXT] + "…"
    start = max(0, marks[0][0] - _SNIPPET_CONTEXT)
    end = min(len(text), marks[0][1] + _SNIPPET_CONTEXT)
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < marks[0][0] else start
    if end < len(text):
        space = text.rfind(" ", marks[0][1], end)
        end = space if space > 0 else end
    out, at = [], start
    for s, e in marks:
        if s < start or e > end:
            continue
        out += [text[at:s], MARK_OPEN, text[s:e], MARK_CLOSE]
        at = e
    out.append(text[at:end])
    return ("…" if start > 0 else "") + "".join(out) + ("…" if end < len(text) else "")
