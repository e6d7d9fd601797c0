"""Word-level hover tables: hover a word, see its phrase and its rendering on the other side.

Each sentence pair gets a table, built in a worker from its ``reader.align.Alignment``: for each
side, character offset -> token, and token -> the shades to paint (side, character ranges, alpha).
A mouse move is then one hit test and two list lookups; nothing is aligned or tokenized in the
event handler, so the highlight follows the mouse within a frame (``bench/gui_hover.py``).

Shading follows translateLocally: the hovered word strong, the rest of its phrase lighter, the
words it is linked to on the other side by link confidence, the rest of the aligned phrase by the
phrase's confidence. A word the aligner linked to nothing gets a dashed grey underline instead.
Qt-free: ``ui.word_hover`` turns the shades into the view's highlights.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from reader.align import Alignment, phrase_at
from reader.dictionary import SEPARABLE_PARTICLES
from reader.words import Token, tokenize

NL, EN = "nl", "en"  # the two sides of a sentence pair
FILL, UNDERLINE = "fill", "underline"  # a shade fills the background or underlines (dashed)

# Alphas (0-255) of the word colour.
WORD_ALPHA = 190  # the hovered word
PHRASE_ALPHA = 75  # the rest of its phrase on its own side
LINK_ALPHA = (60, 120)  # a linked word on the other side: base + span * link confidence
COUNTER_PHRASE_ALPHA = (28, 52)  # the rest of the aligned phrase: base + span * phrase confidence
MISSING_ALPHA = 200  # the dashed underline of a word with no counterpart
MISSING_TINT_ALPHA = 60  # and its grey background

# Characters the tokenizer counts as space besides Python's whitespace.
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u2060\ufeff"))


def other(side: str) -> str:
    return EN if side == NL else NL


class Shade(NamedTuple):
    side: str
    ranges: tuple[tuple[int, int], ...]  # character offsets in that side's sentence
    alpha: int
    style: str  # FILL or UNDERLINE


class HoverInfo(NamedTuple):
    """What hovering one word shows: its shades, and the span of its counterpart (None: none)."""

    shades: tuple[Shade, ...]
    counterpart: tuple[int, int] | None


class WordRef(NamedTuple):
    """A word of a sentence on one side, as the reader sees it."""

    sentence_id: int
    side: str
    index: int  # token index (-1: found without an alignment table)
    start: int  # character offsets in the sentence
    end: int
    text: str


# --------------------------------------------------------------------------- the per-sentence table

_SIDE_CODE = {NL: 0, EN: 1}
_SIDES = (NL, EN)
_STYLE_CODE = {FILL: 0, UNDERLINE: 1}
_STYLES = (FILL, UNDERLINE)
_SHADE_INTS = 5  # side, start, end, alpha, style


class _Side:
    """One side's arrays: token spans, character -> token, token -> its shades (flat ints)."""

    __slots__ = ("best", "counterpart", "ends", "shade_at", "shades", "starts", "token_at")

    def __init__(self, alignment: Alignment, side: str, length: int) -> None:
        tokens = alignment.nl_tokens if side == NL else alignment.en_tokens
        self.starts = array("i", (t.start for t in tokens))
        self.ends = array("i", (t.end for t in tokens))
        self.token_at = _offsets_to_tokens(tokens, length)
        self.shades = array("i")
        self.shade_at = array("i", [-1]) * (2 * len(tokens))  # token i: shades[at[2i]:at[2i + 1]]
        self.counterpart = array("i", [-1]) * (2 * len(tokens))  # (start, end) on the other side
        self.best = array("i", [-1]) * len(tokens)  # the other side's most confident link
        for i in range(len(tokens)):
            info = _hover_info(alignment, side, i)
            if info is None:
                continue
            first = len(self.shades)
            for shade in info.shades:
                for a, b in shade.ranges:
                    self.shades.extend((_SIDE_CODE[shade.side], a, b, shade.alpha, _STYLE_CODE[shade.style]))
            self.shade_at[2 * i : 2 * i + 2] = array("i", (first, len(self.shades)))
            if info.counterpart is not None:
                self.counterpart[2 * i : 2 * i + 2] = array("i", info.counterpart)
            links = alignment.links_of(side, i)
            if links:
                best = max(links, key=lambda link: link.confidence)
                self.best[i] = best.j if side == NL else best.i

    def hover(self, index: int) -> HoverInfo | None:
        if not 0 <= index < len(self.starts) or self.shade_at[2 * index] < 0:
            return None
        flat = self.shades[self.shade_at[2 * index] : self.shade_at[2 * index + 1]]
        shades = tuple(
            Shade(_SIDES[flat[k]], ((flat[k + 1], flat[k + 2]),), flat[k + 3], _STYLES[flat[k + 4]])
            for k in range(0, len(flat), _SHADE_INTS)
        )
        start, end = self.counterpart[2 * index], self.counterpart[2 * index + 1]
        return HoverInfo(shades, (start, end) if start >= 0 else None)


class SentenceWords:
    """One sentence pair's hover table, built in a worker; Qt-free and compact (flat arrays,
    about 2 KB a sentence: a long document keeps thousands in memory, the alignments not)."""

    __slots__ = ("_lookup", "_sides", "en_text", "nl_text")

    def __init__(self, alignment: Alignment, nl_text: str, en_text: str) -> None:
        self.nl_text = nl_text
        self.en_text = en_text
        self._sides = {NL: _Side(alignment, NL, len(nl_text)), EN: _Side(alignment, EN, len(en_text))}
        self._lookup = _separable_keys(alignment)

    @classmethod
    def build(cls, alignment: Alignment, nl_text: str, en_text: str) -> SentenceWords | None:
        """The table, or None when the alignment's tokens do not fit these texts (a stale one)."""
        if not (_fits(alignment.nl_tokens, nl_text) and _fits(alignment.en_tokens, en_text)):
            return None
        return cls(alignment, nl_text, en_text)

    def text(self, side: str) -> str:
        return self.nl_text if side == NL else self.en_text

    def token_count(self, side: str) -> int:
        return len(self._sides[side].starts)

    def span(self, side: str, index: int) -> tuple[int, int]:
        """Character offsets of token ``index`` in the sentence."""
        arrays = self._sides[side]
        return arrays.starts[index], arrays.ends[index]

    def token_at(self, side: str, offset: int) -> int:
        """The token index under a character offset, -1 for a space."""
        table = self._sides[side].token_at
        return table[offset] if 0 <= offset < len(table) else -1

    def hover(self, side: str, index: int) -> HoverInfo | None:
        """What to show for token ``index``; None for punctuation."""
        return self._sides[side].hover(index)

    def lookup_key(self, index: int) -> tuple[str, str, str | None]:
        """(label, word, particle) to look Dutch token ``index`` up in the dictionary."""
        found = self._lookup.get(index)
        if found is not None:
            return found
        word = self.nl_text[slice(*self.span(NL, index))]
        return word, word, None

    def counterpart_ranges(self, side: str, index: int) -> list[tuple[int, int]]:
        """Character ranges of the other side rendering token ``index`` (empty: none)."""
        info = self.hover(side, index)
        if info is None or info.counterpart is None:
            return []
        return sorted(r for shade in info.shades if shade.side != side for r in shade.ranges)

    def best_counterpart(self, side: str, index: int) -> int | None:
        """The other side's token most confidently linked to token ``index``."""
        best = self._sides[side].best
        return best[index] if 0 <= index < len(best) and best[index] >= 0 else None


def _separable_keys(alignment: Alignment) -> dict[int, tuple[str, str, str]]:
    """For the words of a separable verb split over the sentence ("belde ... op"): (label, verb,
    particle), so the verb is looked up with its particle whichever of the two is clicked.

    The aligner's ``particles`` (verb token -> particle token) come first; a discontinuous
    phrase of a verb and a particle is the fallback (alignments stored before ``particles``).
    """
    tokens = alignment.nl_tokens
    keys = _particle_keys(tokens, getattr(alignment, "particles", None) or {})
    for index, token in enumerate(tokens):
        if index in keys:
            continue
        phrase = phrase_at(alignment, "nl", index) if token.is_word else None
        if phrase is None or not phrase.discontinuous:
            continue
        members = [i for i in phrase.nl_span if tokens[i].is_word]
        particles = [i for i in members if tokens[i].text.lower() in SEPARABLE_PARTICLES]
        verbs = [i for i in members if i not in particles]
        if not particles or not verbs:
            continue
        verb = index if index in verbs else verbs[0]
        particle = index if index in particles else particles[-1]
        first, last = sorted((verb, particle))
        label = f"{tokens[first].text} … {tokens[last].text}"
        keys[index] = (label, tokens[verb].text, tokens[particle].text)
    return keys


def _particle_keys(tokens: Sequence[Token], particles: Mapping[int, int]) -> dict[int, tuple[str, str, str]]:
    keys: dict[int, tuple[str, str, str]] = {}
    for verb, particle in particles.items():
        if not (0 <= verb < len(tokens) and 0 <= particle < len(tokens)) or verb == particle:
            continue
        first, last = sorted((verb, particle))
        gap = " " if last == first + 1 else " … "
        key = (f"{tokens[first].text}{gap}{tokens[last].text}", tokens[verb].text, tokens[particle].text)
        keys[verb] = key
        keys.setdefault(particle, key)
    return keys


def build_tables(
    alignments: Mapping[int, Alignment], texts: Mapping[int, tuple[str, str]]
) -> dict[int, SentenceWords]:
    """Tables for the sentences whose alignment fits the (Dutch, English) texts shown."""
    tables = {}
    for sid, alignment in alignments.items():
        pair = texts.get(sid)
        if pair is None:
            continue
        table = SentenceWords.build(alignment, *pair)
        if table is not None:
            tables[sid] = table
    return tables


def _fits(tokens: Sequence[Token], text: str) -> bool:
    """Every token is where it says and only space lies between them."""
    pos = 0
    for t in tokens:
        if t.start < pos or t.end > len(text) or text[t.start : t.end] != t.text:
            return False
        if text[pos : t.start].translate(_ZERO_WIDTH).strip():
            return False
        pos = t.end
    return not text[pos:].translate(_ZERO_WIDTH).strip()


def _offsets_to_tokens(tokens: Sequence[Token], length: int) -> array:
    table = array("i", [-1]) * length
    for i, t in enumerate(tokens):
        table[t.start : t.end] = array("i", [i]) * (t.end - t.start)
    return table


def _hover_info(alignment: Alignment, side: str, index: int) -> HoverInfo | None:
    tokens = alignment.nl_tokens if side == NL else alignment.en_tokens
    token = tokens[index]
    if not token.is_word:
        return None
    links = alignment.links_of(side, index)
    if not links:
        return HoverInfo((Shade(side, ((token.start, token.end),), MISSING_ALPHA, UNDERLINE),), None)
    far = other(side)
    far_tokens = alignment.en_tokens if side == NL else alignment.nl_tokens
    linked = {(link.j if side == NL else link.i): link.confidence for link in links}
    phrase = phrase_at(alignment, side, index)
    own_phrase, far_phrase, confidence = set(), set(), 0.0
    if phrase is not None:
        own_phrase = set(phrase.span(side)) - {index}
        far_phrase = set(phrase.span(far)) - set(linked)
        confidence = phrase.confidence
    shades = [
        *_shades(side, tokens, own_phrase, lambda _i: PHRASE_ALPHA),
        Shade(side, ((token.start, token.end),), WORD_ALPHA, FILL),
        *_shades(far, far_tokens, far_phrase, lambda _i: _alpha(COUNTER_PHRASE_ALPHA, confidence)),
        *_shades(far, far_tokens, set(linked), lambda j: _alpha(LINK_ALPHA, linked[j])),
    ]
    covered = set(linked) | far_phrase
    return HoverInfo(tuple(shades), (far_tokens[min(covered)].start, far_tokens[max(covered)].end))


def _alpha(scale: tuple[int, int], confidence: float) -> int:
    base, span = scale
    return int(round(base + span * max(0.0, min(1.0, confidence))))


def _shades(side: str, tokens: Sequence[Token], indices: Iterable[int], alpha_of) -> list[Shade]:
    """One shade per run of consecutive tokens with the same alpha (the space between included)."""
    shades: list[Shade] = []
    run: list[int] = []
    for i in sorted(indices):
        if run and (i != run[-1] + 1 or alpha_of(i) != alpha_of(run[0])):
            shades.append(_run_shade(side, tokens, run, alpha_of(run[0])))
            run = []
        run.append(i)
    if run:
        shades.append(_run_shade(side, tokens, run, alpha_of(run[0])))
    return shades


def _run_shade(side: str, tokens: Sequence[Token], run: list[int], alpha: int) -> Shade:
    return Shade(side, ((tokens[run[0]].start, tokens[run[-1]].end),), alpha, FILL)


def word_at(text: str, offset: int, lang: str = "nl") -> Token | None:
    """The word under a character offset of a sentence no table covers yet (a click only)."""
    for token in tokenize(text, lang):
        if token.start <= offset < token.end:
            return token if token.is_word else None
    return None
