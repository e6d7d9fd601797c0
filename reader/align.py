"""Dutch-English word alignment for hover highlighting: which English words render a Dutch word.

Every (Dutch word, English word) pair gets a lexical score from several kinds of evidence:
identical tokens, numbers and names; a table of function words and country names; the FreeDict
dictionary (Dutch surface form and lemma against the English surface form and lemma); and
cognates by spelling similarity after Dutch->English spelling normalisation. Confident links
become anchors that fix the local diagonal, a position prior breaks ties (which "de" is which
"the"), and the two directions are symmetrised grow-diag-final-and style. Model attention, when
given, only fills in words the lexical evidence left open. Dutch discontinuous units link
as one: separable verbs ("haalde ... uit" <-> "lashed out"), split adverbial pronouns
("er ... van" <-> "about it") and a finite auxiliary with the verb at the end of its clause
("heeft ... gevraagd" <-> "asked"). Phrase pairs are extracted from the links so the UI can
highlight a whole unit.

The work is split along its seams into modules internal to this one, which keeps the public API:
``align_types`` (links, phrase pairs, the alignment), ``align_tables`` (word tables, tokens
prepared for scoring), ``align_scores`` (lexical scores), ``align_links`` (scores to links, gap
filling), ``align_attention`` (model attention to words), ``align_phrases`` (phrase pairs).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from reader.align_attention import _subword_owners, word_attention
from reader.align_links import (
    ANCHOR,
    ATTENTION_MAX_FERTILITY,
    ATTENTION_MIN,
    AUXILIARY,
    BLOCK,
    GAP_CONTENT,
    GAP_FILL,
    LINK_THRESHOLD,
    NEIGHBOUR_BONUS,
    PHRASAL,
    REFINE_ANCHOR,
    _link_words,
)
from reader.align_phrases import MAX_PHRASE, extract_phrases, phrase_at
from reader.align_scores import (
    COGNATE_MIN,
    DICT_COMPOUND,
    DICT_PART,
    DICT_SINGLE,
    FALSE_FRIEND,
    FUNCTION_FIRST,
    FUNCTION_OTHER,
    IDENTICAL,
    NAME,
    NUMBER,
    PUNCT,
    SEPARABLE,
)
from reader.align_tables import FUNCTION_WORDS, NAMES, _words
from reader.align_types import (
    ALIGNER_VERSION,
    Alignment,
    AlignmentError,
    AlignmentTooLong,
    Lexicon,
    Link,
    PhrasePair,
    Side,
)
from reader.words import Token, tokenize

__all__ = [
    "ALIGNER_VERSION",
    "Alignment",
    "AlignmentError",
    "AlignmentTooLong",
    "MAX_ALIGN_TOKENS",
    "Lexicon",
    "Link",
    "PhrasePair",
    "Side",
    "align",
    "extract_phrases",
    "phrase_at",
    "word_attention",
    # The tables and tuning constants, for tests and benches that reason about scores.
    "ANCHOR", "ATTENTION_MAX_FERTILITY", "ATTENTION_MIN", "AUXILIARY", "BLOCK", "COGNATE_MIN",
    "DICT_COMPOUND", "DICT_PART", "DICT_SINGLE", "FALSE_FRIEND", "FUNCTION_FIRST", "FUNCTION_OTHER",
    "FUNCTION_WORDS", "GAP_CONTENT", "GAP_FILL", "IDENTICAL", "LINK_THRESHOLD", "MAX_PHRASE", "NAME",
    "NAMES", "NEIGHBOUR_BONUS", "NUMBER", "PHRASAL", "PUNCT", "REFINE_ANCHOR", "SEPARABLE",
]

# Tokens a side the aligner takes in one piece: its score matrices grow with the product of the
# two lengths (10,000 words a side took 2.9 GB). Longer pairs with the engine's attention in
# blocks are aligned block by block; others are refused with AlignmentTooLong.
MAX_ALIGN_TOKENS = 1000
# Dense attention cells (16 MB of float32) beyond which block attention is aligned block by block,
# not densified; set with MAX_ALIGN_TOKENS (bdf300e) to bound memory, not on the gold set.
_MAX_DENSE_CELLS = 1 << 22


def _as_tokens(text: str | Sequence[Token] | Sequence[str], lang: str, pretokenized: bool
               ) -> list[Token]:
    if isinstance(text, str):
        return tokenize(text, lang, pretokenized=pretokenized)
    tokens: list[Token] = []
    offset = 0
    for item in text:
        if isinstance(item, Token):
            tokens.append(item)
        elif isinstance(item, str):  # bare words: offsets as if joined by single spaces
            tokens.append(Token(item, offset, offset + len(item), _is_word(item)))
            offset += len(item) + 1
        else:
            raise AlignmentError(
                f"Cannot align a {type(item).__name__} as a {lang} token: pass text, "
                "a list of Token or a list of str."
            )
    return tokens


def _is_word(text: str) -> bool:
    return any(c.isalnum() for c in text)


def align(
    nl: str | Sequence[Token] | Sequence[str],
    en: str | Sequence[Token] | Sequence[str],
    *,
    attention: np.ndarray | None = None,
    nl_subwords: Sequence[str] | None = None,
    en_subwords: Sequence[str] | None = None,
    dictionary: Lexicon | None = None,
    pretokenized: bool = False,
    shift_attention: bool = True,
) -> Alignment:
    """Align a Dutch sentence with its English translation.

    ``nl`` and ``en`` are text (tokenized here; ``pretokenized`` splits on spaces only), Token
    lists, or word lists. ``attention`` (English subwords x Dutch subwords, as the engine returns
    it) needs ``nl_subwords`` and ``en_subwords``; ``shift_attention`` reads it Shift-Att style.
    Without ``dictionary``, only the built-in tables, identical words, numbers, names and
    cognates count as lexical evidence.
    """
    nl_tokens = _as_tokens(nl, "nl", pretokenized)
    en_tokens = _as_tokens(en, "en", pretokenized)
    too_long = max(len(nl_tokens), len(en_tokens)) > MAX_ALIGN_TOKENS
    blocks = getattr(attention, "blocks", None)
    if blocks is not None:  # the engine's BlockAttention: a sentence translated in chunks
        if nl_subwords is None or en_subwords is None:
            raise AlignmentError(
                "Attention was given without its subwords: pass nl_subwords and en_subwords too."
            )
        rows, cols = attention.shape  # type: ignore[union-attr]
        if too_long or rows * cols > _MAX_DENSE_CELLS:
            return _align_blocks(
                nl_tokens, en_tokens, attention, nl_subwords, en_subwords, dictionary, shift_attention
            )
        attention = attention.toarray()  # type: ignore[union-attr]
    if too_long:
        raise AlignmentTooLong(
            f"The Dutch text has {len(nl_tokens):,} tokens and the English {len(en_tokens):,}, but "
            f"the aligner takes at most {MAX_ALIGN_TOKENS:,} a side: align a sentence or a "
            "paragraph at a time."
        )
    A = None
    if attention is not None:
        if nl_subwords is None or en_subwords is None:
            raise AlignmentError(
                "Attention was given without its subwords: pass nl_subwords and en_subwords too."
            )
        A = word_attention(
            attention, nl_subwords, en_subwords, nl_tokens, en_tokens, shift=shift_attention
        )
    if not nl_tokens or not en_tokens:
        return Alignment(nl_tokens, en_tokens, [], [])
    links, separable = _link_words(
        _words(nl_tokens, "nl"), _words(en_tokens, "en"), dictionary, A
    )
    link_list = [Link(i, j, round(c, 4)) for (i, j), c in sorted(links.items())]
    phrases = extract_phrases(
        link_list, len(nl_tokens), len(en_tokens), nl_is_word=[t.is_word for t in nl_tokens]
    )
    return Alignment(nl_tokens, en_tokens, link_list, phrases, particles=dict(separable))


def _align_blocks(
    nl_tokens: list[Token],
    en_tokens: list[Token],
    attention,
    nl_subwords: Sequence[str],
    en_subwords: Sequence[str],
    dictionary: Lexicon | None,
    shift: bool,
) -> Alignment:
    """Align a long pair chunk by chunk along the engine's attention blocks.

    Each block is a chunk the model translated on its own, so its Dutch words render as its
    English words: aligning the blocks separately loses nothing the dense matrix had, and costs
    time and memory linear in the length. A word cut by a chunk boundary goes with the first.
    """
    rows, cols = attention.shape
    if (rows, cols) != (len(en_subwords), len(nl_subwords)):
        raise AlignmentError(
            f"The attention matrix has shape {(rows, cols)}, but the subwords need "
            f"{(len(en_subwords), len(nl_subwords))} (English subwords x Dutch subwords): pass "
            "the attention of this translation."
        )
    nl_owner = _subword_owners(nl_subwords, nl_tokens)
    en_owner = _subword_owners(en_subwords, en_tokens)
    blocks = sorted(attention.blocks, key=lambda b: (b[1], b[0]))
    links: list[Link] = []
    phrases: list[PhrasePair] = []
    particles: dict[int, int] = {}
    nl_start = en_start = 0
    for k, (row, col, block) in enumerate(blocks):
        height, width = block.shape
        last = k == len(blocks) - 1
        nl_end = len(nl_tokens) if last else max(nl_start, max(nl_owner[col : col + width], default=-1) + 1)
        en_end = len(en_tokens) if last else max(en_start, max(en_owner[row : row + height], default=-1) + 1)
        try:
            part = align(
                nl_tokens[nl_start:nl_end],
                en_tokens[en_start:en_end],
                attention=block,
                nl_subwords=nl_subwords[col : col + width],
                en_subwords=en_subwords[row : row + height],
                dictionary=dictionary,
                shift_attention=shift,
            )
        except AlignmentTooLong:  # a chunk the model ran away on: leave its words unlinked
            nl_start, en_start = nl_end, en_end
            continue
        links += [Link(link.i + nl_start, link.j + en_start, link.confidence) for link in part.links]
        phrases += [
            PhrasePair(
                tuple(i + nl_start for i in p.nl_span), tuple(j + en_start for j in p.en_span), p.confidence
            )
            for p in part.phrases
        ]
        particles.update({v + nl_start: q + nl_start for v, q in part.particles.items()})
        nl_start, en_start = nl_end, en_end
    return Alignment(nl_tokens, en_tokens, links, phrases, particles=particles)

