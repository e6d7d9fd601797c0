"""Dictionary forms of Dutch and English words, via simplemma.

simplemma is imported on first use (its import and first lookup cost about 0.1 s and 0.3 s),
so importing this module stays free for the CLI and the GUI start-up. Results are cached:
the aligner and the dictionary ask for the same few thousand words over and over.
"""

from __future__ import annotations

from functools import lru_cache

_CACHE_SIZE = 1 << 16


@lru_cache(maxsize=_CACHE_SIZE)
def nl_lemma(word: str) -> str:
    """The Dutch dictionary form ("liep" -> "lopen"); unknown words come back unchanged."""
    return _lemmatize(word, "nl")


@lru_cache(maxsize=_CACHE_SIZE)
def en_lemma(word: str) -> str:
    """The English dictionary form ("children" -> "child"); unknown words come back unchanged."""
    return _lemmatize(word, "en")


def _lemmatize(word: str, lang: str) -> str:
    if not word.strip():
        return word
    import simplemma

    return simplemma.lemmatize(word, lang=lang)
