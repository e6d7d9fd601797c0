"""Stems for the library's full-text index, so that a search for `huis` finds `huizen`.

SQLite's FTS5 has no Dutch stemmer, so every indexed text gets a second column of Snowball stems
(Dutch for the Dutch side, English for the English side), computed by these functions. They are
registered on every connection (``reader.store``) because the index's triggers call them.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

# Words as FTS5's unicode61 tokenizer sees them: runs of letters and digits (apostrophes split).
WORD = re.compile(r"[^\W_]+")


@cache
def _stemmer(language: str):
    import snowballstemmer

    return snowballstemmer.stemmer(language)


def words(text: str) -> list[str]:
    """Lower-cased, NFKC-normalised words of ``text`` (ﬁets -> fiets)."""
    return WORD.findall(unicodedata.normalize("NFKC", text).lower())


def stem_words(language: str, items: list[str]) -> list[str]:
    return _stemmer(language).stemWords(items)


def stems(text: str | None, language: str) -> str:
    """The text's words, stemmed, joined by spaces (``language``: "dutch" or "english")."""
    if not text:
        return ""
    return " ".join(stem_words(language, words(text)))


def register(conn) -> None:
    """Make ``bireader_stems_nl(text)`` and ``bireader_stems_en(text)`` callable from SQL."""
    conn.create_function("bireader_stems_nl", 1, lambda t: stems(t, "dutch"), deterministic=True)
    conn.create_function("bireader_stems_en", 1, lambda t: stems(t, "english"), deterministic=True)
