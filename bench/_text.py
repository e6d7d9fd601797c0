"""Distinct Dutch-like text for the benches, the same for the same seed.

Repeating the sample article makes a long document cheap to build but dishonest to measure: the
cache holds a few dozen distinct rows, so opening it decodes almost nothing and translating it
costs almost nothing.  This generator writes paragraphs in which every sentence is distinct
(checked, not hoped for), built from the sample article's own words, with FreeDict headwords
mixed in when the Debian dictionary is installed.  Sentences vary in length (3 to about 35 words)
and carry commas, numbers, dates, names and quotations; some paragraphs are headings.  Most
words come from the sample so that the test packages' SentencePiece model (trained on the
sample alone) splits them not much finer than the sample itself (measured: 3.2 pieces a word
against 2.5, 46 pieces a sentence against 44).
"""

from __future__ import annotations

import random
import re
from functools import lru_cache
from pathlib import Path

from _common import SEED

FREEDICT_INDEX = Path("/usr/share/dictd/freedict-nld-eng.index")
GENERATOR_VERSION = 1  # bump when the output for a given seed changes

_FUNCTION_WORDS = (
    "de het een en van in op met voor dat die dit niet ook maar om aan naar bij door over als "
    "tot uit zijn er nog wel al dan of zo heel meer geen te na tegen sinds volgens zich wat"
).split()
_STARTERS = (
    "De|Het|Een|In|Volgens|Ook|Maar|Daarna|Toch|Bovendien|Intussen|Vorige week|Gisteren|"
    "Vandaag|Volgend jaar|Na afloop|Eerder|Sinds"
).split("|")
_VERBS = (
    "heeft is zijn wil zei zegt kunnen moet gaat komen wordt werd hebben spraken vindt noemt "
    "stelde ontkende overlegden erkent leveren bereiken verlaten praten stoppen"
).split()
_EXTRA_NAMES = (
    "Amsterdam|Rotterdam|Utrecht|Groningen|Brussel|Berlijn|Parijs|Kyiv|Moskou|Genève|Jansen|"
    "De Vries|Bakker|Visser|Smit|Meijer|Mulder|Bos|Peters|Hendriks|Dekker"
).split("|")
_MONTHS = "januari februari maart april mei juni juli augustus september oktober november december".split()
_UNITS = ("procent", "euro", "kilometer", "dagen", "uur", "miljoen", "mensen", "soldaten")
_WORD = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")


@lru_cache(maxsize=1)
def vocabulary() -> tuple[list[str], list[str], list[str]]:
    """(the sample's lower-case words, names from the sample and a few more, FreeDict headwords)."""
    text = SEED.read_text(encoding="utf-8")
    words = _WORD.findall(text)
    common = sorted({w for w in words if w.islower() and len(w) > 1})
    names = sorted({w for w in words if w[0].isupper() and w.lower() not in common and len(w) > 2})
    names = sorted(set(names) - {w.capitalize() for w in _FUNCTION_WORDS} - set(_STARTERS))
    return common, names + _EXTRA_NAMES, freedict_headwords()


def freedict_headwords() -> list[str]:
    """Single-word FreeDict nld-eng headwords, or none when the dictionary is not installed."""
    try:
        lines = FREEDICT_INDEX.read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    heads = (line.split("\t", 1)[0].strip().replace("\u0133", "ij") for line in lines)  # the ĳ ligature
    return sorted({h for h in heads if h.isalpha() and h.islower() and 2 < len(h) < 15})


class DutchText:
    """A seeded source of distinct sentences and paragraphs."""

    def __init__(self, seed: int = 0, dictionary_share: float = 0.15) -> None:
        self.rng = random.Random(f"bireader-bench-text:{GENERATOR_VERSION}:{seed}")
        self.common, self.names, self.headwords = vocabulary()
        self.dictionary_share = dictionary_share if self.headwords else 0.0
        self.seen: set[str] = set()

    def word(self) -> str:
        r = self.rng.random()
        if r < 0.38:
            return self.rng.choice(_FUNCTION_WORDS)
        if r < 0.38 + self.dictionary_share:
            return self.rng.choice(self.headwords)
        if r < 0.93:
            return self.rng.choice(self.common)
        if r < 0.97:
            return self.rng.choice(self.names)
        return self.number()

    def number(self) -> str:
        rng = self.rng
        kind = rng.random()
        if kind < 0.3:
            return f"{rng.randint(2, 999)} {rng.choice(_UNITS)}"
        if kind < 0.5:
            return f"{rng.randint(1, 99)},{rng.randint(0, 9)} {rng.choice(_UNITS)}"
        if kind < 0.75:
            return f"{rng.randint(1, 28)} {rng.choice(_MONTHS)}"
        return str(rng.randint(1945, 2030))

    def sentence(self) -> str:
        """One sentence never returned before by this generator."""
        while True:
            text = self._sentence()
            if text not in self.seen:
                self.seen.add(text)
                return text

    def _sentence(self) -> str:
        rng = self.rng
        length = min(35, max(3, int(rng.lognormvariate(2.55, 0.45))))  # median ~13 words
        first = rng.choice(_STARTERS) if rng.random() < 0.6 else rng.choice(self.names)
        words = [first, rng.choice(_VERBS)]
        words += [self.word() for _ in range(length - 2)]
        if length > 8 and rng.random() < 0.45:  # a subordinate clause after a comma
            at = rng.randint(3, length - 3)
            words[at] = words[at] + ","
            words.insert(at + 1, rng.choice(("dat", "maar", "omdat", "waardoor", "die", "zodat")))
        body = " ".join(words)
        if rng.random() < 0.12:  # a quotation, as news articles have
            body = f'{rng.choice(self.names)} zei: "{body[0].upper()}{body[1:]}'
            return body + rng.choice(('."', '!"', '?"'))
        return body + rng.choices((".", "?", "!", "…"), weights=(90, 6, 3, 1))[0]

    def heading(self) -> str:
        """A short line without final punctuation: the importer makes it a heading."""
        words = [self.rng.choice(self.names)] + [self.word() for _ in range(self.rng.randint(2, 5))]
        while True:
            text = " ".join(words)
            if text not in self.seen:
                self.seen.add(text)
                return text[0].upper() + text[1:]
            words.append(self.rng.choice(self.common))

    def paragraph(self) -> str:
        if self.rng.random() < 0.06:
            return self.heading()
        n = min(6, max(1, int(self.rng.expovariate(1 / 2.4)) + 1))  # mean ~2.5 sentences
        return " ".join(self.sentence() for _ in range(n))

    def paragraphs(self, n: int) -> list[str]:
        return [self.paragraph() for _ in range(n)]


def distinct_paragraphs(n: int, seed: int = 0) -> list[str]:
    """``n`` paragraphs of distinct Dutch-like sentences; the same ``n`` and seed, the same text."""
    return DutchText(seed).paragraphs(n)


def distinct_document(n: int, seed: int = 0) -> str:
    """A body text (no title) of ``n`` distinct paragraphs, blank-line separated, as a file has them."""
    return "\n\n".join(distinct_paragraphs(n, seed))


def distinct_sentences_document(n_sentences: int, seed: int = 0) -> str:
    """Paragraphs of distinct sentences until ``n_sentences`` sentences in all (headings count as one)."""
    text = DutchText(seed)
    paragraphs: list[str] = []
    count = 0
    while count < n_sentences:
        if text.rng.random() < 0.06:
            paragraphs.append(text.heading())
            count += 1
            continue
        k = min(n_sentences - count, max(1, int(text.rng.expovariate(1 / 2.4)) + 1))
        paragraphs.append(" ".join(text.sentence() for _ in range(k)))
        count += k
    return "\n\n".join(paragraphs)
