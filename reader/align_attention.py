"""Model attention for the aligner: the engine's subword attention summed to words (Shift-Att).
Internal to ``reader.align``, which re-exports ``word_attention``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np

from reader.align_types import AlignmentError
from reader.words import Token

_SPECIAL_PIECE = re.compile(r"^(?:<[^<>]*>|__[a-z]{2,3}__)$")
# Characters of the token stream a subword's character may skip to find its match.
_MATCH_REACH = 8


def _subword_owners(subwords: Sequence[str], tokens: Sequence[Token]) -> list[int]:
    """The token each SentencePiece subword belongs to (-1: none), matched by characters."""
    stream: list[tuple[str, int]] = []
    for k, tok in enumerate(tokens):
        stream.extend((c, k) for c in _fold(tok.text))
    owners = []
    pos = 0
    for piece in subwords:
        owner = -1
        if not _SPECIAL_PIECE.match(piece):
            for c in _fold(piece.replace("▁", "")):
                for q in range(pos, min(len(stream), pos + _MATCH_REACH)):
                    if stream[q][0] == c:
                        if owner < 0:
                            owner = stream[q][1]
                        pos = q + 1
                        break
        owners.append(owner)
    # A lone "▁" starts the word after it.
    for k in range(len(owners) - 2, -1, -1):
        if owners[k] < 0 and subwords[k] == "▁":
            owners[k] = owners[k + 1]
    return owners


def _fold(text: str) -> str:
    """SentencePiece applies NFKC; case and spaces do not matter for matching."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def word_attention(
    attention: np.ndarray | Sequence[Sequence[float]],
    nl_subwords: Sequence[str],
    en_subwords: Sequence[str],
    nl_tokens: Sequence[Token],
    en_tokens: Sequence[Token],
    *,
    shift: bool = True,
) -> np.ndarray:
    """Subword attention (target x source) summed to words: ``A[i, j]`` = share of English word
    j's attention on Dutch word i.

    With ``shift`` (Shift-Att, Chen et al. 2020) an English word reads the attention of the step
    after it, where it is the decoder's input: for models trained without guided alignment this
    tracks the source word better than the step that produced it.
    """
    try:
        att = np.nan_to_num(np.asarray(attention, dtype=np.float32), nan=0.0, posinf=0.0)
    except (TypeError, ValueError) as exc:
        raise AlignmentError(f"The attention matrix is not numeric ({exc}).") from exc
    expected = (len(en_subwords), len(nl_subwords))
    if att.ndim != 2 or att.shape != expected:
        raise AlignmentError(
            f"The attention matrix has shape {att.shape}, but the subwords need {expected} "
            "(English subwords x Dutch subwords): pass the attention of this translation."
        )
    n, m = len(nl_tokens), len(en_tokens)
    A = np.zeros((n, m), dtype=np.float32)
    if not n or not m or not att.size:
        return A
    src = np.array(_subword_owners(nl_subwords, nl_tokens))
    tgt = np.array(_subword_owners(en_subwords, en_tokens))
    rows = np.arange(len(tgt))
    if shift:
        rows = np.minimum(rows + 1, len(tgt) - 1)
    # Source subwords -> Dutch words, target subwords -> English words, as 0/1 matrices.
    to_nl = np.zeros((len(src), n), dtype=np.float32)
    to_nl[np.flatnonzero(src >= 0), src[src >= 0]] = 1.0
    to_en = np.zeros((m, len(tgt)), dtype=np.float32)
    to_en[tgt[tgt >= 0], np.flatnonzero(tgt >= 0)] = 1.0
    A = (to_en @ np.clip(att[rows], 0.0, None) @ to_nl).T
    sums = A.sum(axis=0)
    np.divide(A, sums, out=A, where=sums > 0)
    return A

