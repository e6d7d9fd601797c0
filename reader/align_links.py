"""From lexical scores to links: anchors and a position prior, two symmetrised passes, then the
multi-word and discontinuous units, the auxiliaries, attention and gap filling. Internal to
``reader.align``.
"""

from __future__ import annotations

import numpy as np

from reader.align_scores import SEPARABLE, _Scorer
from reader.align_tables import (
    _EN_AUXILIARIES,
    _EN_PARTICLES,
    _NL_AUXILIARIES,
    _NL_PERFECT,
    _NL_VERB_WORDS,
    _SUBORDINATORS,
    FUNCTION_WORDS,
    _en_content,
    _ends_clause,
    _nl_content,
    _verb_like,
    _Word,
)
from reader.align_types import Lexicon

# Confidences of links made after scoring, and the numbers of linking; the notes give the version
# and the dev AER 20% lower / higher, as explained in align_scores.
GAP_FILL = 0.35  # an unaligned word paired in order in an even gap; v1, flat
GAP_CONTENT = 0.3  # the one content word of an uneven gap ("overlegden" <-> "talked for"); v3, flat
PHRASAL = 0.45  # the verb of an English phrasal verb whose particle a Dutch particle took; v3, flat
AUXILIARY = 0.3  # a finite auxiliary linked through the verb at the end of its clause; v3, flat
BLOCK = 0.8  # confidence of a multi-word rendering's words, relative to its score; v1, flat
# The attention numbers are not in the dev AER: it is measured without a model's attention.
ATTENTION_MIN = 0.3  # least attention share that links a word the lexicon left open; v1
ATTENTION_MAX_FERTILITY = 3  # most words one attention-only link may fan out to; v2 (ca79dc7)
ATTENTION_RANGE = 0.4  # an attention link's confidence: ATTENTION_MIN + this x share; v1
LINK_THRESHOLD = 0.22  # least combined score for a link in either direction; v1, flat
ANCHOR = 0.8  # least score of a mutual best pair that anchors the diagonal; v1, 7.0 / 6.2
REFINE_ANCHOR = 0.5  # least lexical score of a first-pass link used as anchor; v1, 7.3 / 7.6
NEIGHBOUR_BONUS = 0.25  # for a candidate diagonally next to an anchor; v1, flat
PRIOR_WIDTH = 2.0  # position prior's decay in words, plus PRIOR_WIDTH_PER_TOKEN a word; v1, 7.3 / 7.3
PRIOR_WIDTH_PER_TOKEN = 0.08  # v1, 7.3 / 7.3
POSITION_WEIGHT = 0.5  # share of a score that depends on position; v1, 7.3 / 7.3 (none: 13.8 / 13.6)
RIVAL_PENALTY = 0.5  # confidence lost when a rival in row or column scores as high; v1, flat
UNIT_SHARE = 0.5  # confidence of a discontinuous unit's added links, relative to its score; v3, flat
AUXILIARY_REACH = 3  # words from an English verb back to its auxiliary; v3, flat
CLUSTER_REACH = 16  # words from a finite auxiliary to the verb ending its clause; v3, flat
MAX_GAP = 3  # longest run of unaligned words gap filling pairs up, a side; v1/v3, flat


def _position_prior(shape: tuple[int, int], anchors: list[tuple[int, int]]) -> np.ndarray:
    """Closeness to the local diagonal, drawn through the anchors that keep their order."""
    n, m = shape
    xs, ys = [-1.0], [-1.0]
    for i, j in _longest_increasing(sorted(anchors)):
        xs.append(float(i))
        ys.append(float(j))
    xs.append(float(n))
    ys.append(float(m))
    expected = np.interp(np.arange(n, dtype=np.float64), xs, ys)
    distance = np.abs(np.arange(m)[None, :] - expected[:, None])
    tau = PRIOR_WIDTH + PRIOR_WIDTH_PER_TOKEN * max(n, m)
    return np.exp(-distance / tau).astype(np.float32)


def _mutual_best(L: np.ndarray, minimum: float) -> list[tuple[int, int]]:
    """Pairs that are each other's best, with a score of at least ``minimum``."""
    best_j = L.argmax(axis=1)
    best_i = L.argmax(axis=0)
    return [(i, int(j)) for i, j in enumerate(best_j) if L[i, j] >= minimum and best_i[j] == i]


def _longest_increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Longest subsequence with increasing second items (first items already increase)."""
    if len(pairs) < 2:
        return pairs
    tails: list[int] = []  # tails[k]: index into pairs of the smallest tail of a chain of k+1
    previous = [-1] * len(pairs)
    for k, (_, j) in enumerate(pairs):
        lo, hi = 0, len(tails)
        while lo < hi:
            mid = (lo + hi) // 2
            if pairs[tails[mid]][1] < j:
                lo = mid + 1
            else:
                hi = mid
        previous[k] = tails[lo - 1] if lo else -1
        if lo == len(tails):
            tails.append(k)
        else:
            tails[lo] = k
    chain = []
    k = tails[-1]
    while k >= 0:
        chain.append(pairs[k])
        k = previous[k]
    return chain[::-1]


def _combine(L: np.ndarray, anchors: list[tuple[int, int]]) -> np.ndarray:
    """Lexical scores weighed by position, plus a bonus on the diagonal next to an anchor
    ("te beëindigen" <-> "to end": "te" takes the "to" next to "end")."""
    S = L * ((1 - POSITION_WEIGHT) + POSITION_WEIGHT * _position_prior(L.shape, anchors))
    n, m = L.shape
    near = np.zeros_like(S)
    for i, j in anchors:
        if i > 0 and j > 0:
            near[i - 1, j - 1] = 1.0
        if i + 1 < n and j + 1 < m:
            near[i + 1, j + 1] = 1.0
    S += NEIGHBOUR_BONUS * near * (L > 0)
    return S


_NEIGHBOURS = ((-1, 0), (0, -1), (1, 0), (0, 1), (-1, -1), (-1, 1), (1, -1), (1, 1))


def _symmetrise(S: np.ndarray, threshold: float = LINK_THRESHOLD) -> set[tuple[int, int]]:
    """Best link per word in each direction; intersection grown towards the union (GDFA)."""
    n, m = S.shape
    best_j = S.argmax(axis=1)
    best_i = S.argmax(axis=0)
    forward = {(i, int(best_j[i])) for i in range(n) if S[i, best_j[i]] >= threshold}
    backward = {(int(best_i[j]), j) for j in range(m) if S[best_i[j], j] >= threshold}
    union = forward | backward
    links = forward & backward
    nl_done = {i for i, _ in links}
    en_done = {j for _, j in links}
    grown = True
    while grown:
        grown = False
        for i, j in sorted(links):
            for di, dj in _NEIGHBOURS:
                p = (i + di, j + dj)
                if p in union and p not in links and (p[0] not in nl_done or p[1] not in en_done):
                    links.add(p)
                    nl_done.add(p[0])
                    en_done.add(p[1])
                    grown = True
    for p in sorted(union - links, key=lambda p: -S[p]):
        if p[0] not in nl_done and p[1] not in en_done:
            links.add(p)
            nl_done.add(p[0])
            en_done.add(p[1])
    return links


def _confidences(
    S: np.ndarray, L: np.ndarray, links: set[tuple[int, int]]
) -> dict[tuple[int, int], float]:
    """The lexical score of each link, lowered when another candidate in its row or column
    came close, since then only position decided (which of three "the" a "de" is)."""
    if not links:
        return {}
    M = np.where(L > 0, S, 0.0)
    row_best, row_second, row_arg = _top_two(M)
    col_best, col_second, col_arg = _top_two(M.T)
    confidences = {}
    for i, j in links:
        own = float(S[i, j])
        if own <= 0:
            confidences[(i, j)] = 0.0
            continue
        row_rival = row_second[i] if row_arg[i] == j else row_best[i]
        col_rival = col_second[j] if col_arg[j] == i else col_best[j]
        rival = min(1.0, max(float(row_rival), float(col_rival)) / own)
        confidences[(i, j)] = float(min(1.0, float(L[i, j])) * (1.0 - RIVAL_PENALTY * rival))
    return confidences


def _top_two(M: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: the best value, the second best, and where the best is."""
    arg = M.argmax(axis=1)
    rows = np.arange(M.shape[0])
    best = M[rows, arg]
    rest = M.copy()
    rest[rows, arg] = 0.0
    return best, rest.max(axis=1), arg


def _complete_blocks(
    links: dict[tuple[int, int], float], blocks: list[tuple[int, range, float]]
) -> None:
    """A Dutch word linked into a multi-word rendering takes the rest of it, if still free."""
    en_aligned = {j for _, j in links}
    for i, block, score in blocks:
        if any((i, j) in links for j in block):
            for j in block:
                if (i, j) in links:
                    links[(i, j)] = max(links[(i, j)], BLOCK * score)
                elif j not in en_aligned:
                    links[(i, j)] = BLOCK * score
                    en_aligned.add(j)


def _links_by_word(
    links: dict[tuple[int, int], float],
) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    nl_links: dict[int, set[int]] = {}
    en_links: dict[int, set[int]] = {}
    for i, j in links:
        nl_links.setdefault(i, set()).add(j)
        en_links.setdefault(j, set()).add(i)
    return nl_links, en_links


def _complete_units(
    links: dict[tuple[int, int], float], units: list[tuple[tuple[int, ...], range, float]]
) -> None:
    """Once one member of a discontinuous unit links into its rendering, every member links to
    every word of it ("er ... van" <-> "about it"), as long as nothing else claims them."""
    for members, block, score in units:
        nl_links, en_links = _links_by_word(links)
        if not any(j in block for m in members for j in nl_links.get(m, ())):
            continue
        free_nl = [m for m in members if nl_links.get(m, set()) <= set(block)]
        free_en = [j for j in block if en_links.get(j, set()) <= set(members)]
        for m in free_nl:
            for j in free_en:
                links.setdefault((m, j), UNIT_SHARE * score)


def _compound_renderings(
    links: dict[tuple[int, int], float], compounds: set[int], en: list[_Word]
) -> None:
    """A Dutch compound linked through one of its parts to one English word takes the free
    content word beside it: the English rendering is a compound too ("topoverleg" <->
    "summit talks"). Only when one side of that word is free, so the choice is clear."""
    nl_links, en_links = _links_by_word(links)
    for i in sorted(compounds):
        targets = nl_links.get(i, set())
        if len(targets) != 1:
            continue
        (j,) = targets
        free = [k for k in (j - 1, j + 1) if 0 <= k < len(en) and k not in en_links
                and _en_content(en[k])]
        if len(free) == 1:
            links[(i, free[0])] = GAP_CONTENT
            en_links[free[0]] = {i}


def _phrasal_verbs(
    links: dict[tuple[int, int], float], separable: list[tuple[int, int]], en: list[_Word]
) -> None:
    """A Dutch separable verb rendered by an English phrasal verb takes both of its words:
    "haalde ... uit" <-> "lashed out" when "uit" took "out", "geeft ... op" <-> "gives up"."""
    for v, p in separable:
        nl_links, en_links = _links_by_word(links)
        members = {v, p}
        for j in sorted(nl_links.get(v, set()) | nl_links.get(p, set())):
            if en[j].lower in _EN_PARTICLES and j > 0:
                verb_j, particle_j = j - 1, j
            elif j + 1 < len(en) and en[j + 1].lower in _EN_PARTICLES:
                verb_j, particle_j = j, j + 1
            else:
                continue
            if not _en_content(en[verb_j]):
                continue
            if not (en_links.get(verb_j, set()) | en_links.get(particle_j, set())) <= members:
                continue
            for i in members:
                for k in (verb_j, particle_j):
                    links.setdefault((i, k), PHRASAL)
            break


def _attach_particles(
    links: dict[tuple[int, int], float], separable: list[tuple[int, int]], en: list[_Word]
) -> None:
    """An unlinked particle of a separable verb shares the verb's links ("op" -> "called");
    an unlinked verb shares its particle's content-word links ("komen" -> "amount" when
    "neer" took it), not a preposition the particle may have been mistaken for."""
    for verb, particle in separable:
        for lone, other in ((particle, verb), (verb, particle)):
            if any(i == lone for i, _ in links):
                continue
            for (i, j), score in list(links.items()):
                if i == other and (lone == particle or _en_content(en[j])):
                    links[(lone, j)] = min(score, SEPARABLE)


def _auxiliaries(links: dict[tuple[int, int], float], nl: list[_Word], en: list[_Word]) -> None:
    """An unlinked finite auxiliary takes the English auxiliary before the verb that ends its
    clause ("heeft ... gevraagd" <-> "has asked"), or that verb itself when English has none
    ("heeft ... gevraagd" <-> "asked"): either way the two form one discontinuous phrase.

    Auxiliaries inside the final cluster ("zou ... hebben kunnen doen") are not finite: they
    belong to the cluster, not to the verb at its end.
    """
    in_cluster: set[int] = set()
    for a, w in enumerate(nl):
        if w.lower not in _NL_AUXILIARIES or a in in_cluster:
            continue
        verb = _clause_final_verb(nl, a, participle=w.lower in _NL_PERFECT)
        if verb is None:
            continue
        in_cluster.update(range(a + 1, verb + 1))
        nl_links, en_links = _links_by_word(links)
        targets = sorted(nl_links.get(verb, ()))
        if a in nl_links or not targets:
            continue
        if targets[0] > 0 and en[targets[0] - 1].lower == "to":
            continue  # "unable to make": the modal went into another word
        k = targets[0] - 1
        reach = targets[0] - AUXILIARY_REACH
        while k >= 0 and k >= reach and en[k].is_word and en[k].lower not in _EN_AUXILIARIES:
            k -= 1  # adverbs between: "has already asked", "could not make"
        if k >= 0 and k >= reach and en[k].lower in _EN_AUXILIARIES:
            if k not in en_links:
                links[(a, k)] = AUXILIARY
            continue
        for j in targets:
            links[(a, j)] = AUXILIARY


def _clause_final_verb(nl: list[_Word], a: int, participle: bool) -> int | None:
    """The last participle (or, after a modal, infinitive) of the clause that auxiliary ``a``
    opens: "gevraagd", or "doen" of "zou ... hebben kunnen doen". The clause ends at
    punctuation, a conjunction, or a subordinate clause opening right after a verb
    ("gezegd dat ...")."""
    found = None
    end = min(len(nl), a + CLUSTER_REACH)
    for k in range(a + 1, end):
        w = nl[k]
        if _ends_clause(w) or (found == k - 1 and w.lower in _SUBORDINATORS):
            break
        if (w.lower in _NL_AUXILIARIES and w.lower != "zijn"  # (also "his")
                and k + 1 < end and not _verb_like(nl[k + 1].lower)):
            break  # another finite verb: a new clause ("zijn helder en daaraan heeft ...")
        if not w.is_word or w.capitalised or not _verb_like(w.lower):
            continue
        if participle == (w.keys[-1] == w.lower):
            continue  # a participle is inflected ("gevraagd"), an infinitive is its lemma
        if w.lower in FUNCTION_WORDS:
            # "zijn", "kunnen", "doen": verbs only at the clause end or in the final cluster
            after = nl[k + 1] if k + 1 < len(nl) else None
            if w.lower not in _NL_VERB_WORDS or not (
                after is None or _ends_clause(after) or _verb_like(after.lower)
            ):
                continue
        found = k
    return found



def _fill_gaps(links: dict[tuple[int, int], float], nl: list[_Word], en: list[_Word]) -> None:
    """Between two links, equally many unaligned words on both sides (up to 3) pair up in order;
    in uneven gaps of up to 3 words a side, the one content word of each pairs up, weakly
    ("overlegden" <-> "talked for")."""
    nl_links: dict[int, list[int]] = {}
    en_aligned: set[int] = set()
    for i, j in links:
        nl_links.setdefault(i, []).append(j)
        en_aligned.add(j)
    n, m = len(nl), len(en)
    i = 0
    while i < n:
        if i in nl_links:
            i += 1
            continue
        start = i
        while i < n and i not in nl_links:
            i += 1
        j_before = max(nl_links[start - 1]) if start > 0 else -1
        j_after = min(nl_links[i]) if i < n else m
        run_nl = range(start, i)
        run_en = range(j_before + 1, j_after)
        if not 1 <= len(run_nl) <= MAX_GAP:
            continue
        if not 1 <= len(run_en) <= MAX_GAP or any(j in en_aligned for j in run_en):
            if len(run_nl) == 1 and _nl_content(nl[start]):
                _fill_reordered_gap(links, start, j_before, en, en_aligned)
            continue
        if len(run_nl) == len(run_en):
            pairs = list(zip(run_nl, run_en, strict=True))
            if all(nl[a].is_word and en[b].is_word for a, b in pairs):
                for p in pairs:
                    links[p] = GAP_FILL
                en_aligned.update(run_en)
                continue
        en_content = [b for b in run_en if _en_content(en[b])]
        if len(run_nl) == 1 and _nl_content(nl[start]) and len(en_content) == 1:
            links[(start, en_content[0])] = GAP_CONTENT
            en_aligned.add(en_content[0])


def _fill_reordered_gap(
    links: dict[tuple[int, int], float], i: int, j_before: int, en: list[_Word],
    en_aligned: set[int],
) -> None:
    """Where the English between the neighbours' links is long or reordered, the unaligned
    words right after the left neighbour's rendering hold the word's rendering if they hold
    exactly one content word ("het overleg" <-> "the talks,")."""
    run = []
    j = j_before + 1
    while j < len(en) and j not in en_aligned and len(run) <= MAX_GAP:
        run.append(j)
        j += 1
    if len(run) > MAX_GAP:
        return  # a long free stretch: no telling which word is meant
    content = [k for k in run if _en_content(en[k])]
    if run and len(content) == 1:
        links[(i, content[0])] = GAP_CONTENT
        en_aligned.add(content[0])


def _fill_from_attention(
    links: dict[tuple[int, int], float], A: np.ndarray, nl: list[_Word], en: list[_Word]
) -> None:
    """Unaligned words take their most attended counterpart, never overriding lexical links.

    ``A[i, j]`` is the share of English word j's attention on Dutch word i. A counterpart that
    is already linked is taken only when the new link sits next to one of its links.
    """
    nl_links: dict[int, set[int]] = {}
    en_links: dict[int, set[int]] = {}
    for i, j in links:
        nl_links.setdefault(i, set()).add(j)
        en_links.setdefault(j, set()).add(i)

    def fits(others: set[int] | None, k: int) -> bool:
        # Adjacent only, and a bounded fertility: with one word against many, every share is 1.0
        # and adjacency alone would chain one link across the whole sentence.
        return not others or (len(others) < ATTENTION_MAX_FERTILITY and any(abs(o - k) == 1 for o in others))

    def add(i: int, j: int, share: float) -> None:
        links[(i, j)] = ATTENTION_MIN + ATTENTION_RANGE * share
        nl_links.setdefault(i, set()).add(j)
        en_links.setdefault(j, set()).add(i)

    for j, w in enumerate(en):
        if j in en_links or not w.is_word:
            continue
        i = int(A[:, j].argmax())
        share = float(A[i, j])
        if share >= ATTENTION_MIN and nl[i].is_word and fits(nl_links.get(i), j):
            add(i, j, share)
    totals = A.sum(axis=1)
    for i, w in enumerate(nl):
        if i in nl_links or not w.is_word or totals[i] <= 0:
            continue
        j = int(A[i].argmax())
        share = float(A[i, j] / totals[i]) * min(1.0, float(A[i, j]) / ATTENTION_MIN)
        if share >= ATTENTION_MIN and en[j].is_word and fits(en_links.get(j), i):
            add(i, j, share)



def _link_words(
    nl: list[_Word], en: list[_Word], dictionary: Lexicon | None, A: np.ndarray | None
) -> tuple[dict[tuple[int, int], float], list[tuple[int, int]]]:
    """Lexical scores -> two symmetrised passes -> multi-word and discontinuous units ->
    fill-ins. Returns the links and the separable verbs as (verb, particle)."""
    scorer = _Scorer(nl, en, dictionary)
    L = scorer.run()
    first = _symmetrise(_combine(L, _mutual_best(L, ANCHOR)))
    # Second pass: the first pass's lexically supported links are better anchors.
    S = _combine(L, [p for p in first if L[p] >= REFINE_ANCHOR])
    links = _confidences(S, L, _symmetrise(S))
    _complete_blocks(links, scorer.blocks)
    _complete_units(links, scorer.units)
    _compound_renderings(links, scorer.compounds, en)
    _phrasal_verbs(links, scorer.separable, en)
    _attach_particles(links, scorer.separable, en)
    _auxiliaries(links, nl, en)
    if A is not None:  # the model's guess beats the position-only gap filling below
        _fill_from_attention(links, A, nl, en)
    _fill_gaps(links, nl, en)
    _attach_particles(links, scorer.separable, en)
    return links, scorer.separable
