"""Word tokenizer for Dutch and English, keeping character offsets so the UI can highlight words.

Conventions (shared with the alignment gold set in tests/data/align_gold.tsv):

- Punctuation and quotes (" ' „ “ ” ‘ ’ « » ( ) . , : ; ? !) are tokens of their own; ``...`` and
  ``…`` stay one token.
- Words keep internal hyphens and apostrophes: ``staakt-het-vuren``, ``zo'n``, ``regio's``,
  ``COVID-19``, ``don't``.
- Dutch clitics written with a leading apostrophe are words: ``'s`` (``'s avonds``), ``'t``, ``'n``.
- English: negations stay whole (``don't``, ``can't``, ``isn't``) because a reader sees one word;
  the other clitics are split off as in the Penn Treebank: ``Russia's`` -> ``Russia`` ``'s``,
  ``it's`` -> ``it`` ``'s``, ``they're`` -> ``they`` ``'re``.
- Numbers with separators are one token: ``1,5``, ``3.000``, ``12:30``, ``2022-03``.
- URLs and e-mail addresses are one token, without trailing sentence punctuation.
- ``pretokenized=True`` splits on whitespace only: the evaluation path, where the tokens are given.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from reader.errors import ReaderError

__all__ = ["LANGUAGES", "Token", "TokenizeError", "tokenize", "words_only"]

LANGUAGES = ("nl", "en")


class TokenizeError(ReaderError, ValueError):
    """The text or the language given to the tokenizer cannot be used."""


class Token(NamedTuple):
    """One token; ``text == source[start:end]`` so highlights map back to the sentence."""

    text: str
    start: int
    end: int
    is_word: bool


# Combining marks, joiners and variation selectors continue the character before them, so that
# decomposed (NFD) "Oekraïne" and Devanagari words stay whole.
_MARKS = (
    "\u00ad\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7"
    "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed"
    "\u0900-\u0903\u093a-\u093c\u093e-\u094f\u0951-\u0957\u0962\u0963\u0981-\u0983\u09bc"
    "\u09be-\u09c4\u09c7\u09c8\u09cb-\u09cd\u09d7\u0e31\u0e34-\u0e3a\u0e47-\u0e4e"
    "\u1ab0-\u1aff\u1dc0-\u1dff\u200c\u200d\u20d0-\u20ff\ufe00-\ufe0f\ufe20-\ufe2f"
    "\U0001f3fb-\U0001f3ff"
)
_LETTER = rf"(?:[^\W_][{_MARKS}]*)"
_APOS = "'\u2019"
_HYPHEN = "\\-\u2010\u2011"
_EN_CLITICS = "s|re|ve|ll|d|m"
_NL_CLITICS = "s|t|n|k|m|r|ns|er"
# Anything that is not a space is at least a one-character token; ZERO WIDTH SPACE, WORD JOINER
# and BOM count as spaces.
_SPACE = r"\s\u200b\u2060\ufeff"

_URL = r"(?:https?://|ftp://|www\.)[^\s<>\"“”«»]*[^\s<>\"“”«».,;:!?)\]}'’]"
_EMAIL = r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+"
_NUMBER = r"\d+(?:[.,:/]\d+)+(?:-\d+)*"
_ACRONYM = r"(?:[^\W\d_]\.){2,}(?![^\W_])"
_ELLIPSIS = r"\.{2,}|…"
# Dutch typewriter quotes: ,,zo'' and ``so''.
_DOUBLE_QUOTE = r",,|''|``"
_AMPERSAND_NAME = r"(?-i:[A-Z]+&[A-Z]+)"
# A capital initial before a capitalised word: "J. Smith".
_INITIAL = r"(?<![^\W_])(?-i:[A-Z])\.(?=\s+(?-i:[A-Z]))"
_ABBREVIATIONS = {
    "nl": "mr|dr|drs|ir|ing|prof|nr|mgr|mevr|mw|dhr|bijv|blz|ca|enz|jl|resp|zgn|ds|pag|evt|incl"
    "|excl|jhr|ong|vgl|st",
    "en": "mr|mrs|ms|dr|prof|st|jr|sr|vs|etc|inc|ltd|corp|dept|gov|sen|lt|col|sgt|capt|approx",
}
# An emoji sequence joined by ZERO WIDTH JOINER is one symbol.
_SYMBOL = rf"[^{_SPACE}](?:\u200d[^{_SPACE}]|[{_MARKS}])*"


def _word_pattern(apostrophe_guard: str) -> str:
    joiner = rf"(?:[{_HYPHEN}]|[{_APOS}]{apostrophe_guard})"
    # A compound cut short before a conjunction keeps its hyphen: "land- en tuinbouw".
    truncated = rf"(?:[{_HYPHEN}](?=\s*(?:,|en\b|of\b|tot\b|and\b|or\b)))?"
    return rf"(?:{_AMPERSAND_NAME}|{_LETTER}+)(?:{joiner}{_LETTER}+)*{truncated}"


_NL_WORD = _word_pattern("")
# An English apostrophe joins letters unless a split clitic ('s, 're, ...) follows it.
_EN_WORD = _word_pattern(rf"(?!(?:{_EN_CLITICS})(?![^\W_]))")
_NL_CLITIC = rf"(?<![^\W_])[{_APOS}](?:{_NL_CLITICS}|\d\d)(?![^\W_])"
_EN_CLITIC = rf"[{_APOS}](?:{_EN_CLITICS})(?![^\W_])|(?<![^\W_])[{_APOS}]\d\ds?(?![^\W_])"


def _compile(word: str, clitic: str, abbreviations: str) -> re.Pattern[str]:
    abbreviation = rf"(?<![^\W_])(?:{abbreviations})\."
    alternatives = (
        _URL, _EMAIL, _NUMBER, _ACRONYM, _INITIAL, abbreviation, clitic, word, _ELLIPSIS,
        _DOUBLE_QUOTE, _SYMBOL,
    )
    return re.compile("|".join(f"(?:{p})" for p in alternatives), re.IGNORECASE)


_PATTERNS = {
    "nl": _compile(_NL_WORD, _NL_CLITIC, _ABBREVIATIONS["nl"]),
    "en": _compile(_EN_WORD, _EN_CLITIC, _ABBREVIATIONS["en"]),
}
_WHITESPACE_SPLIT = re.compile(rf"[^{_SPACE}]+")
_HAS_ALNUM = re.compile(r"[^\W_]")


def tokenize(text: str, lang: str = "nl", pretokenized: bool = False) -> list[Token]:
    """Split ``text`` into tokens with offsets; ``is_word`` is False for punctuation and symbols."""
    if not isinstance(text, str):
        raise TokenizeError(
            f"Cannot tokenize a {type(text).__name__}: pass the sentence as text (str)."
        )
    if lang not in _PATTERNS:
        raise TokenizeError(
            f"Cannot tokenize language {lang!r}: use one of {', '.join(LANGUAGES)}."
        )
    pattern = _WHITESPACE_SPLIT if pretokenized else _PATTERNS[lang]
    has_alnum = _HAS_ALNUM.search
    return [
        Token(m.group(), m.start(), m.end(), has_alnum(m.group()) is not None)
        for m in pattern.finditer(text)
    ]


def words_only(tokens: list[Token]) -> list[Token]:
    """The tokens a reader would call words (no punctuation or symbols)."""
    return [t for t in tokens if t.is_word]
