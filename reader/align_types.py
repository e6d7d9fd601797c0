"""The aligner's data types: links, phrase pairs and the alignment the UI hovers over.

Kept apart from the algorithm so the store, the hover tables and the link corrections can read
an alignment without the scoring code; ``reader.align`` re-exports everything here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal, NamedTuple, Protocol

from reader.errors import ReaderError
from reader.words import Token

# Bumped whenever the aligner's output may change: stored alignments of another version are redone.
# 4: separable-verb particles from reader.dutch (the aligner gained onder, rond, terecht, voorbij).
ALIGNER_VERSION = "4"

Side = Literal["nl", "en"]


class AlignmentError(ReaderError, ValueError):
    """The input to the aligner is inconsistent (e.g. attention that does not fit the subwords)."""


class AlignmentTooLong(ReaderError):
    """A pair too long to align in one piece (see ``MAX_ALIGN_TOKENS``)."""


class Lexicon(Protocol):
    """What the aligner needs from a dictionary (``reader.dictionary.Dictionary`` fits)."""

    def translations(self, word: str) -> Iterable[str]: ...


class Link(NamedTuple):
    i: int  # Dutch token index
    j: int  # English token index
    confidence: float


class PhrasePair(NamedTuple):
    """Token indices of a Dutch unit and its English rendering, ascending.

    The English side is contiguous; the Dutch side may have gaps (separable verbs: "belde ... op").
    """

    nl_span: tuple[int, ...]
    en_span: tuple[int, ...]
    confidence: float

    @property
    def discontinuous(self) -> bool:
        return self.nl_span[-1] - self.nl_span[0] + 1 != len(self.nl_span)

    def span(self, side: Side) -> tuple[int, ...]:
        return self.nl_span if side == "nl" else self.en_span


@dataclass
class Alignment:
    nl_tokens: list[Token]
    en_tokens: list[Token]
    links: list[Link]
    phrases: list[PhrasePair]
    aligner_version: str = ALIGNER_VERSION
    # Separable verbs split over the sentence: Dutch verb index -> its particle's index, so a
    # dictionary lookup of "haalde" can ask for "uithalen" whatever the links are.
    particles: dict[int, int] = field(default_factory=dict)
    # Lookups for hover, computed once: word -> its smallest phrase pair / its links.
    _smallest: dict[str, list[int]] = field(init=False, repr=False, compare=False)
    _by_word: dict[str, dict[int, list[Link]]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._smallest = {
            "nl": _smallest_phrase_index(self.phrases, "nl", len(self.nl_tokens)),
            "en": _smallest_phrase_index(self.phrases, "en", len(self.en_tokens)),
        }
        self._by_word = {"nl": {}, "en": {}}
        for link in self.links:
            self._by_word["nl"].setdefault(link.i, []).append(link)
            self._by_word["en"].setdefault(link.j, []).append(link)

    def to_pharaoh(self) -> str:
        """Links as ``i-j`` (Dutch index first), the format of alignment tools and gold sets."""
        return " ".join(f"{link.i}-{link.j}" for link in self.links)

    def to_json(self) -> dict:
        """A JSON-ready dict (lists and numbers only) for the ``alignments`` table or the CLI."""
        return {
            "version": self.aligner_version,
            "nl": [list(t) for t in self.nl_tokens],
            "en": [list(t) for t in self.en_tokens],
            "links": [[k.i, k.j, round(k.confidence, 3)] for k in self.links],
            "phrases": [
                [list(p.nl_span), list(p.en_span), round(p.confidence, 3)] for p in self.phrases
            ],
            "particles": [[verb, particle] for verb, particle in sorted(self.particles.items())],
        }

    @classmethod
    def from_json(cls, data: dict | str) -> Alignment:
        """Read back :meth:`to_json` (the dict or its JSON text); callers compare
        ``aligner_version`` with ``ALIGNER_VERSION`` to decide to realign."""
        try:
            if isinstance(data, str | bytes):
                data = json.loads(data)
            return cls(
                nl_tokens=[Token(str(a), int(b), int(c), bool(d)) for a, b, c, d in data["nl"]],
                en_tokens=[Token(str(a), int(b), int(c), bool(d)) for a, b, c, d in data["en"]],
                links=[Link(int(i), int(j), float(c)) for i, j, c in data["links"]],
                phrases=[
                    PhrasePair(tuple(map(int, a)), tuple(map(int, b)), float(c))
                    for a, b, c in data["phrases"]
                ],
                aligner_version=str(data["version"]),
                particles={int(v): int(p) for v, p in data.get("particles", ())},
            )
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            raise AlignmentError(
                f"A stored alignment could not be read ({exc}): realign the sentence."
            ) from exc

    def particle_of(self, verb: int) -> int | None:
        """The particle of separable verb ``verb`` ("haalde" -> "uit"), or None."""
        return self.particles.get(verb)

    def verb_of(self, particle: int) -> int | None:
        """The verb whose separated particle is ``particle``, or None."""
        return next((v for v, p in self.particles.items() if p == particle), None)

    def links_of(self, side: Side, index: int) -> list[Link]:
        """The links of word ``index`` on ``side`` (empty for an unaligned word)."""
        return list(self._by_word[side].get(index, ()))



def _smallest_phrase_index(phrases: list[PhrasePair], side: Side, n: int) -> list[int]:
    order = sorted(
        range(len(phrases)),
        key=lambda k: (len(phrases[k].nl_span) + len(phrases[k].en_span), -phrases[k].confidence),
    )
    smallest = [-1] * n
    for k in order:
        for index in phrases[k].span(side):
            if 0 <= index < n and smallest[index] < 0:
                smallest[index] = k
    return smallest

