"""Lexical scores: how likely each (Dutch word, English word) pair is a translation link, from
identical tokens, the function-word and name tables, the dictionary, separable verbs, split
adverbial pronouns and cognates. Internal to ``reader.align``.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from functools import lru_cache

import numpy as np

from reader.align_tables import (
    _ADVERB_PREPOSITIONS,
    _CLAUSE_BREAKS,
    _EN_FUNCTION,
    _PRONOUN_PARTS,
    FUNCTION_WORDS,
    NAMES,
    _content_word,
    _ends_clause,
    _gloss_word,
    _match_keys,
    _stranded,
    _Word,
)
from reader.align_types import Lexicon
from reader.dutch import AFTER_PARTICLE, SEPARABLE_PARTICLES
from reader.lemmas import nl_lemma

# Lexical scores are in [0, 1]: roughly the probability that the pair is a translation link.
#
# How the aligner's numbers were chosen (here and in align_links): set by hand with aligner v1
# (commit 402977e) or v3 (ea879dc) and checked on the dev gold set tests/data/align_gold.tsv,
# never on align_heldout.tsv. Each note gives the version and the dev AER (%, FreeDict; 7.3 as
# set) with the number 20% lower / higher (scores capped at 1; counts one lower / higher),
# measured when the names were given. "flat": 7.3 / 7.3. A better neighbour on 35 pairs was
# left alone: a change would be tuning to the dev set.
IDENTICAL = 0.95  # same spelling; v1, flat
NUMBER = 0.95  # same number value; v1, flat
NAME = 0.92  # a name in the table, or a capitalised cognate; v1, flat
PUNCT = 0.85  # punctuation of the same class; v1, 7.1 / 7.3
DICT_SINGLE = 0.85  # a one-word dictionary rendering; v1, 6.5 / 7.3
DICT_PART = 0.6  # a content word of a multi-word rendering not found in order; v1, flat
DICT_COMPOUND = 0.5  # a rendering of a compound's parts; v1, flat
FUNCTION_FIRST = 0.72  # a function word's usual rendering; v1, 7.1 / 7.0
FUNCTION_OTHER = 0.55  # its other renderings; v1, 7.8 / 7.1
COGNATE_MIN = 0.55  # a cognate at COGNATE_SIMILARITY, rising to IDENTICAL; v1, flat
FALSE_FRIEND = 0.45  # same spelling, but the dictionary gives other renderings; v1, flat
SEPARABLE = 0.8  # a separable verb's renderings, on verb and particle; v1, flat
COGNATE_SIMILARITY = 0.6  # spelling similarity from which two words are cognates; v1, 7.3 / 7.6
COGNATE_PREFIX = 4  # a common prefix this long counts as similarity; v1, flat
COGNATE_MIN_LENGTH = 3  # shortest spelling skeleton matched as a cognate; v1, flat
COMPOUND_HEAD = 4  # shortest tail of a Dutch compound matched as an English word; v1, flat
CLAUSE_REACH = 12  # words searched for a verb's particle, a pronoun's preposition; v1/v3, flat
MAX_GLOSS_WORDS = 4  # longest dictionary rendering used, in words; v1, flat


class _Scorer:
    """Fills the lexical score matrix ``L[i, j]`` from each kind of evidence (max wins)."""

    def __init__(self, nl: list[_Word], en: list[_Word], dictionary: Lexicon | None) -> None:
        self.nl, self.en = nl, en
        self.L = np.zeros((len(nl), len(en)), dtype=np.float32)
        self.dictionary = dictionary
        # Multi-word renderings found in order ("volgens" -> "according to"): linked as a unit.
        self.blocks: list[tuple[int, range, float]] = []
        # (verb, particle) of separable verbs found in the dictionary ("belde ... op").
        self.separable: list[tuple[int, int]] = []
        # Discontinuous Dutch units and the English words rendering them ("er ... van" -> "about
        # it"): every member links to every word once one of them is linked.
        self.units: list[tuple[tuple[int, ...], range, float]] = []
        # Dutch words the dictionary knows only as compounds ("topoverleg" = top + overleg).
        self.compounds: set[int] = set()
        self.en_index: dict[str, list[int]] = {}
        for j, w in enumerate(en):
            for key in w.keys:
                self.en_index.setdefault(key, []).append(j)

    def put(self, i: int, j: int, score: float) -> None:
        if score > self.L[i, j]:
            self.L[i, j] = score

    def run(self) -> np.ndarray:
        self.identical_and_punctuation()
        self.tables()
        self.split_adverbs()
        if self.dictionary is not None:
            self.dictionary_glosses()
            self.separable_verbs()
        self.cognates()
        return self.L

    def identical_and_punctuation(self) -> None:
        en_by_text: dict[str, list[int]] = {}
        for j, w in enumerate(self.en):
            for key in _match_keys(w):
                en_by_text.setdefault(key, []).append(j)
        for i, w in enumerate(self.nl):
            found = {j for key in _match_keys(w) for j in en_by_text.get(key, ())}
            if found:
                score = self.identical_score(w)
                for j in found:
                    self.put(i, j, score)

    def identical_score(self, w: _Word) -> float:
        """Same spelling is strong evidence, except for false friends ("of" is "or", "kind" is
        "child"): a function word or a dictionary word whose renderings lack the English word."""
        if w.number:
            return NUMBER
        if not w.is_word:
            return PUNCT
        if len(w.lower) == 1 and w.lower not in "iu":
            return FUNCTION_OTHER  # "a", "o", "e": too short to trust
        table = FUNCTION_WORDS.get(w.lower)
        if table is not None:
            return IDENTICAL if (w.lower,) in table else 0.0
        if self.dictionary is not None:
            glosses, compound = _dictionary_glosses(self.dictionary, w.text)
            if glosses and not compound and (_gloss_word(w.lower),) not in glosses:
                return FALSE_FRIEND
        return IDENTICAL

    def glosses(self, i: int, glosses: Iterable[tuple[str, ...]], first: float, other: float,
                part: float | None = None) -> None:
        """Score English words rendering Dutch word ``i`` (multi-word renderings: in order)."""
        score = first
        for gloss in glosses:
            if len(gloss) == 1:
                for j in self.en_index.get(gloss[0], ()):
                    self.put(i, j, score)
            else:
                self.multiword(i, gloss, score, part)
            score = other

    def occurrences(self, gloss: tuple[str, ...]) -> list[range]:
        """Where the English words of ``gloss`` stand next to each other, in order."""
        en, k = self.en, len(gloss)
        return [
            range(j, j + k)
            for j in self.en_index.get(gloss[0], ())
            if j + k <= len(en) and all(gloss[t] in en[j + t].keys for t in range(1, k))
        ]

    def multiword(self, i: int, gloss: tuple[str, ...], score: float, part: float | None) -> None:
        matched = False
        for block in self.occurrences(gloss):
            for j in block:
                self.put(i, j, score)
            self.blocks.append((i, block, score))
            matched = True
        if not matched and part is not None:
            for g in gloss:
                if g not in _EN_FUNCTION:
                    for j in self.en_index.get(g, ()):
                        self.put(i, j, part)

    def tables(self) -> None:
        for i, w in enumerate(self.nl):
            if not w.is_word:
                continue
            glosses = FUNCTION_WORDS.get(w.lower)
            if glosses:
                self.glosses(i, glosses, FUNCTION_FIRST, FUNCTION_OTHER)
            names = NAMES.get(w.lower)
            if names:
                self.glosses(i, names, NAME, NAME)

    def dictionary_glosses(self) -> None:
        for i, w in enumerate(self.nl):
            if w.is_word and not w.number and w.lower not in FUNCTION_WORDS:
                glosses, compound = _dictionary_glosses(self.dictionary, w.text)
                if compound:  # glosses of the parts: weaker, and never a function word
                    self.compounds.add(i)
                    glosses = tuple(g for g in glosses if len(g) > 1 or _content_word(g[0]))
                    self.glosses(i, glosses, DICT_COMPOUND, DICT_COMPOUND, DICT_COMPOUND)
                else:
                    self.glosses(i, glosses, DICT_SINGLE, DICT_SINGLE, DICT_PART)

    def split_adverbs(self) -> None:
        """"er ... van" is "ervan" split over the clause: rendered together ("about it").

        Only a stranded preposition (at the clause end, or before a verb, not before a noun
        phrase) counts, and only a two-word rendering found in order in the English, so a
        plain "er" ("there is") or preposition keeps its own links.
        """
        nl = self.nl
        for e, w in enumerate(nl):
            objects = _PRONOUN_PARTS.get(w.lower)
            if objects is None:
                continue
            for p in range(e + 1, min(len(nl), e + CLAUSE_REACH)):
                if _ends_clause(nl[p]):
                    break
                prepositions = _ADVERB_PREPOSITIONS.get(nl[p].lower)
                if prepositions is None or not _stranded(nl, p):
                    continue
                for r in prepositions:
                    for o in objects:
                        for block in self.occurrences((*r.split(), o)):
                            for j in block:
                                self.put(e, j, FUNCTION_FIRST)
                                self.put(p, j, FUNCTION_FIRST)
                            self.units.append(((e, p), block, FUNCTION_FIRST))
                break

    def separable_verbs(self) -> None:
        """A particle after a verb ("haalde ... uit") scores with the verb "uithalen" as a whole.

        The nearest verb before the particle in the same clause whose particle + infinitive is
        a dictionary headword wins; the pair is kept so the particle can share the verb's links.
        """
        nl = self.nl
        for p, w in enumerate(nl):
            if w.lower not in SEPARABLE_PARTICLES:
                continue
            after = nl[p + 1] if p + 1 < len(nl) else None
            if after is not None and after.is_word and after.lower not in AFTER_PARTICLE:
                continue  # "na afloop": a preposition with its noun, not a verb particle
            for v in range(p - 1, max(-1, p - CLAUSE_REACH), -1):
                if not nl[v].is_word:
                    if nl[v].text in _CLAUSE_BREAKS:
                        break
                    continue
                if nl[v].lower in FUNCTION_WORDS or len(nl[v].lower) < 3:
                    continue
                verb = nl_lemma(nl[v].lower)
                if not verb.endswith("en") or verb.startswith(w.lower):
                    continue
                joined = w.lower + verb  # "uit" + "halen": looked up as "uithalen"
                glosses, compound = _dictionary_glosses(self.dictionary, joined)
                if compound or not _has_headword(self.dictionary, joined, default=bool(glosses)):
                    continue
                self.separable.append((v, p))
                for gloss in glosses:
                    for g in gloss:
                        if g in _EN_FUNCTION:
                            continue
                        for j in self.en_index.get(g, ()):
                            self.put(v, j, SEPARABLE)
                            self.put(p, j, SEPARABLE)
                break

    def cognates(self) -> None:
        """Spelling similarity of normalised forms, for words no table covers."""
        en_by_prefix: dict[str, list[int]] = {}
        en_by_norm: dict[str, list[int]] = {}
        for j, w in enumerate(self.en):
            if (w.is_word and len(w.norm) >= COGNATE_MIN_LENGTH and w.lower not in _EN_FUNCTION
                    and not w.number):
                en_by_prefix.setdefault(w.norm[:2], []).append(j)
                if len(w.norm) >= COMPOUND_HEAD:
                    en_by_norm.setdefault(w.norm, []).append(j)
        for i, w in enumerate(self.nl):
            if not w.is_word or len(w.norm) < COGNATE_MIN_LENGTH or w.number or w.lower in FUNCTION_WORDS:
                continue
            for j in en_by_prefix.get(w.norm[:2], ()):
                sim = _similarity(w.norm, self.en[j].norm)
                if sim >= COGNATE_SIMILARITY:
                    rise = (IDENTICAL - COGNATE_MIN) * (sim - COGNATE_SIMILARITY)
                    self.put(i, j, COGNATE_MIN + rise / (1 - COGNATE_SIMILARITY))
                    if w.capitalised and self.en[j].capitalised:  # two spellings of a name
                        self.put(i, j, NAME * sim)
            # The head of a Dutch compound: "persconferentie" -> "conference".
            norm = w.norm
            for start in range(2, len(norm) - COMPOUND_HEAD + 1):
                for j in en_by_norm.get(norm[start:], ()):
                    self.put(i, j, COGNATE_MIN)


def _similarity(a: str, b: str) -> float:
    """Longest common prefix ratio or bigram Dice, whichever is higher (both cheap)."""
    if a == b:
        return 1.0
    n = min(len(a), len(b))
    k = 0
    while k < n and a[k] == b[k]:
        k += 1
    prefix = k / max(len(a), len(b)) if k >= COGNATE_PREFIX else 0.0
    dice = _dice(a, b)
    return max(prefix, dice)


@lru_cache(maxsize=1 << 16)
def _bigrams(word: str) -> frozenset[str]:
    return frozenset(word[k : k + 2] for k in range(len(word) - 1))


def _dice(a: str, b: str) -> float:
    x, y = _bigrams(a), _bigrams(b)
    if not x or not y:
        return 0.0
    return 2 * len(x & y) / (len(x) + len(y))


_Glosses = tuple[tuple[tuple[str, ...], ...], bool]
_GLOSS_CACHES: weakref.WeakKeyDictionary[object, dict[str, _Glosses]] = weakref.WeakKeyDictionary()


def _gloss_cache(dictionary: object) -> dict[str, _Glosses]:
    """Per-dictionary cache that dies with the dictionary (a new one may reuse the old id)."""
    try:
        return _GLOSS_CACHES.setdefault(dictionary, {})
    except TypeError:  # not weak-referenceable: no caching
        return {}


def _dictionary_glosses(dictionary: Lexicon | None, word: str) -> _Glosses:
    """The renderings of ``word`` as tuples of lemmatised English words, and whether they come
    only from splitting it as a compound (``Dictionary.lookup`` says how an entry was found)."""
    if dictionary is None:
        return (), False
    cache = _gloss_cache(dictionary)
    cached = cache.get(word)
    if cached is None:
        glosses = set()
        for gloss in dictionary.translations(word):
            words = tuple(_gloss_word(g) for g in gloss.lower().split())
            if words and len(words) <= MAX_GLOSS_WORDS:
                glosses.add(words)
        lookup = getattr(dictionary, "lookup", None)
        results = lookup(word) if glosses and callable(lookup) else []
        compound = bool(results) and all(getattr(r, "how", "") == "compound" for r in results)
        cached = cache[word] = (tuple(sorted(glosses, key=len)), compound)
    return cached



def _has_headword(dictionary: Lexicon | None, word: str, default: bool = False) -> bool:
    """Whether ``word`` is itself a headword; ``default`` when the lexicon cannot say."""
    try:
        return word in dictionary  # type: ignore[operator]
    except TypeError:
        return default

