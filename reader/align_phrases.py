"""Phrase pairs from links: the units the UI highlights on hover ("belde ... op" <-> "called").
Internal to ``reader.align``, which re-exports ``extract_phrases`` and ``phrase_at``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from reader.align_types import Alignment, AlignmentError, Link, PhrasePair, Side

# Words a side of a phrase pair: longer units are not highlighted as one. Set by hand (v1); phrases
# do not enter the AER.
MAX_PHRASE = 7


def extract_phrases(
    links: Iterable[Link],
    n_nl: int,
    n_en: int,
    max_len: int = MAX_PHRASE,
    nl_is_word: Sequence[bool] | None = None,
) -> list[PhrasePair]:
    """Every tight phrase pair consistent with the links: no word inside links outside.

    Enumerated from English spans (up to ``max_len`` words, both ends linked). The Dutch side is
    every word linked into the span plus the unlinked words between them; where words linked
    elsewhere sit in between, the Dutch side is discontinuous ("belde ... op" -> "called").
    With ``nl_is_word``, a discontinuous side whose piece is only punctuation is no unit.
    """
    nl_links: list[list[int]] = [[] for _ in range(n_nl)]
    en_links: list[list[int]] = [[] for _ in range(n_en)]
    conf_sum = [0.0] * n_nl
    for link in links:
        nl_links[link.i].append(link.j)
        en_links[link.j].append(link.i)
        conf_sum[link.i] += link.confidence
    nl_lo = [min(js) if js else -1 for js in nl_links]
    nl_hi = [max(js) if js else -1 for js in nl_links]
    aligned_before = [0]  # aligned_before[k]: linked Dutch words among the first k
    for js in nl_links:
        aligned_before.append(aligned_before[-1] + bool(js))
    pairs: list[PhrasePair] = []
    for a in range(n_en):
        if not en_links[a]:
            continue
        members: set[int] = set()
        lo = hi = first = last = -1  # span of the members' English links; of the members
        total = 0.0
        count = 0
        for b in range(a, min(n_en, a + max_len)):
            if not en_links[b]:
                continue
            for i in en_links[b]:
                if i in members:
                    continue
                members.add(i)
                lo = nl_lo[i] if lo < 0 else min(lo, nl_lo[i])
                hi = max(hi, nl_hi[i])
                first = i if first < 0 else min(first, i)
                last = max(last, i)
                total += conf_sum[i]
                count += len(nl_links[i])
            if len(members) > max_len:
                break
            if lo < a:
                break  # a member links left of the span, whatever the span's end
            if hi > b:
                continue
            if aligned_before[last + 1] - aligned_before[first] == len(members):
                if last - first + 1 > max_len:
                    continue
                nl_span = tuple(range(first, last + 1))
            else:
                nl_span = tuple(sorted(members))
                if nl_is_word is not None and not _pieces_have_words(nl_span, nl_is_word):
                    continue
            pairs.append(PhrasePair(nl_span, tuple(range(a, b + 1)), total / count))
    return pairs


def _pieces_have_words(span: tuple[int, ...], is_word: Sequence[bool]) -> bool:
    piece_has_word = False
    for k, index in enumerate(span):
        if k and index != span[k - 1] + 1:
            if not piece_has_word:
                return False
            piece_has_word = False
        piece_has_word = piece_has_word or is_word[index]
    return piece_has_word


def phrase_at(alignment: Alignment, side: Side, index: int) -> PhrasePair | None:
    """The smallest phrase pair holding word ``index`` of ``side`` (for hover highlighting)."""
    if side not in ("nl", "en"):
        raise AlignmentError(f"Unknown side {side!r}: use 'nl' or 'en'.")
    smallest = alignment._smallest[side]
    if not 0 <= index < len(smallest) or smallest[index] < 0:
        return None
    return alignment.phrases[smallest[index]]

