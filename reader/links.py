"""The reader's corrections of word-alignment links, which win over the aligner.

A correction links (or unlinks) the words under a Dutch character span and an English one of one
sentence. It is stored with the SHA-256 of the English text it was made on and applies only while
the sentence shows that very text: after a retranslation or an edit the words may be gone, so the
correction is kept in the library but no longer applied (back on the same text, it applies again).
Stored alignments stay as the aligner made them; corrections are applied when they are read
(``reader.alignments``), so the hover, saved phrases and exports all see the corrected links.
Qt-free; one ``Database`` per thread.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlite_utils import Database

from reader import store
from reader.align import Alignment, Link, extract_phrases
from reader.errors import ReaderError
from reader.words import Token, tokenize

__all__ = [
    "CORRECTED",
    "LinkCorrection",
    "LinkError",
    "apply_corrections",
    "clear_link",
    "corrections",
    "corrections_for",
    "set_link",
    "target_hash",
]

CORRECTED = 1.0  # the confidence of a link the reader made: certain


class LinkError(ReaderError):
    """A link correction could not be made as asked; nothing was written."""


@dataclass(frozen=True)
class LinkCorrection:
    sentence_id: int
    target_hash: str
    nl_span: tuple[int, int]
    en_span: tuple[int, int]
    linked: bool
    created_at: str


def target_hash(text: str) -> str:
    """The key of the English text a correction was made on."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _covered(tokens: Sequence[Token], span: tuple[int, int]) -> list[int]:
    """Indices of the word tokens overlapping a character span."""
    start, end = span
    return [k for k, t in enumerate(tokens) if t.start < end and t.end > start and t.is_word]


def _check_span(span: object, text: str, lang: str, where: str) -> tuple[int, int]:
    if (
        not isinstance(span, tuple | list)
        or len(span) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in span)
    ):
        raise LinkError(f"The {where} selection must be a (start, end) pair of offsets, not {span!r}.")
    start, end = int(span[0]), int(span[1])
    if not 0 <= start < end <= len(text):
        raise LinkError(
            f"The {where} selection {start}–{end} is empty or lies outside the {where} sentence, which has "
            f"{len(text)} characters: select the words again."
        )
    if not _covered(tokenize(text, lang), (start, end)):
        raise LinkError(f"The {where} selection “{text[start:end]}” holds no word: select a word to link.")
    return start, end


def _dutch(db: Database, sentence_id: int) -> str:
    row = db.execute("SELECT text FROM sentences WHERE id = ?", [sentence_id]).fetchone()
    if row is None:
        raise LinkError(
            f"There is no sentence {sentence_id} in the library (its document may have been removed): "
            "reopen the document and try again."
        )
    return row[0]


def set_link(
    db: Database,
    sentence_id: int,
    target_text: str,
    nl_span: tuple[int, int],
    en_span: tuple[int, int],
    linked: bool,
) -> LinkCorrection:
    """Link (``linked=True``) or unlink the Dutch words under ``nl_span`` and the English words
    under ``en_span`` of ``target_text``, the English shown. Linking adds the links and leaves the
    aligner's other links of those words; unlinking removes them. A later correction of the same
    spans replaces an earlier one. One transaction."""
    if not isinstance(target_text, str) or not target_text.strip():
        raise LinkError(
            f"Sentence {sentence_id} has no English translation to link to: translate it first."
        )
    with store.write_transaction(db):
        dutch = _dutch(db, sentence_id)
        nl = _check_span(nl_span, dutch, "nl", "Dutch")
        en = _check_span(en_span, target_text, "en", "English")
        now = datetime.now(UTC).isoformat(timespec="microseconds")
        key = target_hash(target_text)
        db.execute(
            'INSERT INTO link_corrections (sentence_id, target_hash, nl_start, nl_end, en_start, en_end,'
            " linked, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (sentence_id, target_hash, nl_start, en_start) DO UPDATE SET"
            " nl_end = excluded.nl_end, en_end = excluded.en_end, linked = excluded.linked,"
            " created_at = excluded.created_at",
            [sentence_id, key, nl[0], nl[1], en[0], en[1], int(bool(linked)), now],
        )
        return LinkCorrection(sentence_id, key, nl, en, bool(linked), now)


def clear_link(
    db: Database,
    sentence_id: int,
    target_text: str,
    nl_span: tuple[int, int],
    en_span: tuple[int, int],
) -> LinkCorrection | None:
    """Forget the correction of these spans (undo): the aligner's links show again. Returns what
    was removed, or None when there was none."""
    key = target_hash(target_text)
    with store.write_transaction(db):
        row = db.execute(
            "SELECT nl_end, en_end, linked, created_at FROM link_corrections WHERE sentence_id = ?"
            " AND target_hash = ? AND nl_start = ? AND en_start = ?",
            [sentence_id, key, nl_span[0], en_span[0]],
        ).fetchone()
        if row is None:
            return None
        db.execute(
            "DELETE FROM link_corrections WHERE sentence_id = ? AND target_hash = ? AND nl_start = ?"
            " AND en_start = ?",
            [sentence_id, key, nl_span[0], en_span[0]],
        )
        return LinkCorrection(
            sentence_id, key, (nl_span[0], row[0]), (en_span[0], row[1]), bool(row[2]), row[3]
        )


_SELECT = (
    "SELECT sentence_id, target_hash, nl_start, nl_end, en_start, en_end, linked, created_at"
    " FROM link_corrections"
)


def _from_row(row: Sequence) -> LinkCorrection:
    sid, key, ns, ne, es, ee, linked, created = row
    return LinkCorrection(sid, key, (ns, ne), (es, ee), bool(linked), created)


def corrections(db: Database, sentence_id: int, target_text: str) -> list[LinkCorrection]:
    """The corrections made on this sentence with this exact English text, oldest first."""
    cursor = db.execute(
        _SELECT + " WHERE sentence_id = ? AND target_hash = ? ORDER BY created_at",
        [sentence_id, target_hash(target_text)],
    )
    return [_from_row(r) for r in cursor]


def corrections_for(db: Database, targets: Mapping[int, str]) -> dict[int, list[LinkCorrection]]:
    """:func:`corrections` for many sentences (sentence id -> English shown) in a few queries;
    sentences without corrections are absent."""
    wanted = {sid: target_hash(text) for sid, text in targets.items()}
    found: dict[int, list[LinkCorrection]] = {}
    ids = list(wanted)
    for k in range(0, len(ids), 500):
        chunk = ids[k : k + 500]
        marks = ", ".join("?" * len(chunk))
        cursor = db.execute(_SELECT + f" WHERE sentence_id IN ({marks}) ORDER BY created_at", chunk)
        for row in cursor:
            c = _from_row(row)
            if wanted.get(c.sentence_id) == c.target_hash:
                found.setdefault(c.sentence_id, []).append(c)
    return found


def apply_corrections(alignment: Alignment, corrections: Iterable[LinkCorrection]) -> Alignment:
    """A new alignment with the corrections applied in order (the aligner's is left as it was):
    linked word pairs get a certain link, unlinked pairs lose theirs, and the phrase pairs are
    extracted again from the corrected links so hover highlights whole corrected units.

    A correction whose words are not in the alignment's tokens (made on other text) is skipped.
    """
    corrections = list(corrections)
    if not corrections:
        return alignment
    links = {(link.i, link.j): link.confidence for link in alignment.links}
    for c in corrections:
        nl = _covered(alignment.nl_tokens, c.nl_span)
        en = _covered(alignment.en_tokens, c.en_span)
        for i in nl:
            for j in en:
                if c.linked:
                    links[(i, j)] = CORRECTED
                else:
                    links.pop((i, j), None)
    link_list = [Link(i, j, confidence) for (i, j), confidence in sorted(links.items())]
    phrases = extract_phrases(
        link_list,
        len(alignment.nl_tokens),
        len(alignment.en_tokens),
        nl_is_word=[t.is_word for t in alignment.nl_tokens],
    )
    return Alignment(
        list(alignment.nl_tokens),
        list(alignment.en_tokens),
        link_list,
        phrases,
        aligner_version=alignment.aligner_version,
        particles=dict(alignment.particles),
    )
