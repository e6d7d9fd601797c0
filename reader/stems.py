"""Stems for the library's full-text index, so that a search for `huis` finds `huizen`.

SQLite's FTS5 has no Dutch stemmer, so every indexed text gets a second column of Snowball stems
(Dutch for the Dutch side, English for the English side), computed by these functions. They are
registered on every connection (``reader.store``) because the index's triggers call them.
"""

from __future__ import annotations

import re
import threading
import unicodedata

# Words as FTS5's unicode61 tokenizer sees them: runs of letters and digits (apostrophes split).
WORD = re.compile(r"[^\W_]+")


_local = threading.local()


def _stemmer(language: str):
    """One stemmer per thread and language: a Snowball stemmer keeps its word in itself, and the
    index's triggers run on every worker's own connection."""
    stemmers = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = _local.stemmers = {}
    found = stemmers.get(language)
    if found is None:
        import snowballstemmer

        found = stemmers[language] = snowballstemmer.stemmer(language)
    return found


def words(text: str) -> list[str]:
    """Lower-cased, NFKC-normalised words of ``text`` (ﬁets -> fiets)."""
    return WORD.findall(unicodedata.normalize("NFKC", text).lower())


_CACHE_LIMIT = 1 << 18  # words a language; a library's vocabulary is far smaller
_cache: dict[str, dict[str, str]] = {}


def stem_words(language: str, items: list[str]) -> list[str]:
    """Stems of ``items``, each word stemmed once per process: the Snowball stemmers are pure
    Python (about 50 µs a word) and the index stems every sentence twice, so without this cache
    stemming took most of the time of importing and translating a large library."""
    cache = _cache.get(language)
    if cache is None:
        cache = _cache.setdefault(language, {})
    out = []
    for word in items:
        stem = cache.get(word)
        if stem is None:
            if len(cache) > _CACHE_LIMIT:
                cache.clear()
            stem = cache[word] = _stemmer(language).stemWord(word)
        out.append(stem)
    return out


def stems(text: str | None, language: str) -> str:
    """The text's words, stemmed, joined by spaces (``language``: "dutch" or "english")."""
    if not text:
        return ""
    return " ".join(stem_words(language, words(text)))


def register(conn) -> None:
    """Make ``bireader_stems_nl(text)`` and ``bireader_stems_en(text)`` callable from SQL."""
    conn.create_function("bireader_stems_nl", 1, lambda t: stems(t, "dutch"), deterministic=True)
    conn.create_function("bireader_stems_en", 1, lambda t: stems(t, "english"), deterministic=True)
