"""Word alignments for hover highlighting, computed once and kept in the library beside the translations.

A stored alignment is keyed by SHA-256 over (Dutch text, English text, origin of the attention:
the model key, or "none" when only lexical and positional evidence was used). The same sentence
pair is therefore shared by every document that holds it, and a user's edit, being another
English text, gets its own alignment. The row also records the aligner version, so a new aligner
(or a dictionary that appeared since) realigns on the next read instead of serving stale links.

Where the attention comes from:
- the model's own translation: the cached decoder attention and subwords (free);
- a translation the user edited: forced decoding of the edited text through the installed model;
- no model: none, the aligner's lexical and positional signals alone (names, numbers, cognates,
  function words and, when installed, the dictionary still link).

Qt-free and thread-safe as long as each thread passes its own ``Database``: the UI runs
``document_alignments`` in a worker with a connection of its own.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from sqlite_utils import Database

from reader import align as aligner
from reader import store
from reader.align import Alignment, AlignmentError, AlignmentTooLong, Lexicon
from reader.errors import Cancelled, DictionaryError

if TYPE_CHECKING:
    from models.engine import TranslationResult
    from reader.dictionary import Dictionary

__all__ = [
    "NO_ATTENTION",
    "ForcingEngine",
    "align_text",
    "alignment_key",
    "document_alignments",
    "open_dictionary_or_none",
    "sentence_alignment",
    "stored_version",
]

NO_ATTENTION = "none"  # the origin of an alignment made without model attention
NO_DICTIONARY_TAG = "+no-dictionary"
BATCH_SIZE = 16  # alignments per write transaction
READ_CHUNK = 500  # stored alignments decoded per query (one chunk in memory at a time)

ProgressFn = Callable[[int, int], None]
Mode = Literal["cached", "forced", "lexical"]


class ForcingEngine(Protocol):
    """What alignment needs of ``models.engine.Engine``: its key and forced decoding."""

    model_key: str

    def force(self, source: str, target: str) -> TranslationResult: ...


# ---------------------------------------------------------------- keys and versions


def alignment_key(source: str, target: str, origin: str) -> str:
    """SHA-256 over the pair and the attention's origin (a model key or ``NO_ATTENTION``).

    JSON-encoded so no two different triples can hash the same bytes.
    """
    raw = json.dumps([source, target, origin], ensure_ascii=False)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def stored_version(dictionary: Lexicon | None) -> str:
    """The version a row is stored under: the aligner's, marked when no dictionary was used,
    so installing the dictionary later realigns what was aligned without it."""
    version = aligner.ALIGNER_VERSION  # read at call time: a new aligner invalidates old rows
    return version if dictionary is not None else version + NO_DICTIONARY_TAG


@dataclass(frozen=True, slots=True)
class _Job:
    """One pair to align: where its attention comes from decides its key."""

    source: str
    target: str
    mode: Mode
    origin: str
    cached: TranslationResult | None

    @property
    def key(self) -> str:
        return alignment_key(self.source, self.target, self.origin)


def _plan(
    source: str,
    target: str,
    cached: TranslationResult | None,
    model_key: str | None,
    engine: ForcingEngine | None,
) -> _Job:
    """Choose the attention without computing it, so a stored alignment is found first."""
    if not source.strip() or not target.strip():
        return _Job(source, target, "lexical", NO_ATTENTION, None)
    if cached is not None and target == cached.target and _has_attention(cached):
        origin = model_key or (engine.model_key if engine is not None else _attention_digest(cached))
        return _Job(source, target, "cached", origin, cached)
    if engine is not None:
        return _Job(source, target, "forced", engine.model_key, None)
    return _Job(source, target, "lexical", NO_ATTENTION, None)


def _has_attention(result: TranslationResult) -> bool:
    return result.attention is not None and result.attention.size > 0


def _attention_digest(result: TranslationResult) -> str:
    """An origin for cached attention whose model key the caller did not say: its own content."""
    digest = hashlib.sha256()
    digest.update(json.dumps([result.source_tokens, result.target_tokens]).encode("utf-8"))
    attention = result.attention
    blocks = getattr(attention, "blocks", None)
    if blocks is None:  # dense
        digest.update(attention.astype("<f2").tobytes())  # type: ignore[union-attr]
    else:  # a sentence translated in chunks: hash its blocks, never the dense matrix
        for row, col, block in blocks:
            digest.update(f"{row},{col},{block.shape}".encode())
            digest.update(block.astype("<f2").tobytes())
    return "attention:" + digest.hexdigest()[:16]


# ---------------------------------------------------------------- aligning


def _compute(
    job: _Job, engine: ForcingEngine | None, dictionary: Lexicon | None
) -> tuple[Alignment, str]:
    """Align one pair; returns the alignment and the version to store it under.

    A dictionary that fails mid-lookup (damaged data file) is dropped for this pair rather than
    failing the document; attention that does not fit its subwords (a damaged cache row) is
    ignored the same way.
    """
    attention = None
    if job.mode == "cached":
        attention = job.cached
    elif job.mode == "forced" and engine is not None:
        attention = engine.force(job.source, job.target)
    try:
        alignment = _align(job, attention, dictionary)
    except DictionaryError:
        dictionary = None
        alignment = _align(job, attention, None)
    except AlignmentTooLong:
        # Too long to align without the model's attention blocks (e.g. a long edited sentence):
        # its words show no counterpart rather than the aligner taking gigabytes.
        alignment = _unaligned(job)
    alignment.aligner_version = aligner.ALIGNER_VERSION
    return alignment, stored_version(dictionary)


def _align(
    job: _Job, attention: TranslationResult | None, dictionary: Lexicon | None
) -> Alignment:
    if attention is not None and attention.attention is not None:
        try:
            return aligner.align(
                job.source,
                job.target,
                attention=attention.attention,
                nl_subwords=attention.source_tokens,
                en_subwords=attention.target_tokens,
                dictionary=dictionary,
            )
        except AlignmentError:
            pass  # attention that does not fit the text (a damaged row): align without it
    return aligner.align(job.source, job.target, dictionary=dictionary)


def _unaligned(job: _Job) -> Alignment:
    """The pair's tokens with no links."""
    from reader.words import tokenize

    return Alignment(tokenize(job.source, "nl"), tokenize(job.target, "en"), [], [])


def _read_stored(data: object) -> Alignment | None:
    """A stored row as an Alignment; a damaged one counts as missing and is realigned."""
    if data is None:
        return None
    try:
        return Alignment.from_json(data)  # type: ignore[arg-type]
    except AlignmentError:
        return None


def sentence_alignment(
    db: Database,
    source: str,
    target: str,
    *,
    cached: TranslationResult | None,
    engine: ForcingEngine | None = None,
    dictionary: Lexicon | None = None,
    model_key: str | None = None,
    sentence_id: int | None = None,
) -> Alignment:
    """The alignment of one pair, from the library when stored, else computed and stored.

    ``cached`` is the model's translation of ``source``: its attention is used when ``target`` is
    that translation (``model_key`` names its model, default ``engine.model_key``). Another
    ``target`` (the user's version) is force-decoded through ``engine``; without an engine, only
    lexical and positional evidence count. With ``sentence_id``, the reader's link corrections
    made on this ``target`` are applied (the stored row stays the aligner's).
    """
    job = _plan(source, target, cached, model_key, engine)
    found = _read_stored(store.get_alignment(db, job.key, stored_version(dictionary)))
    if found is None:
        found, version = _compute(job, engine, dictionary)
        if not store.is_read_only(db):  # a read-only library is still aligned, only not cached
            store.put_alignment(db, job.key, version, found.to_json())
    if sentence_id is None:
        return found
    from reader.links import apply_corrections, corrections

    return apply_corrections(found, corrections(db, sentence_id, target))


def document_alignments(
    db: Database,
    doc_id: int,
    model_key: str | None,
    *,
    engine: ForcingEngine | None = None,
    dictionary: Lexicon | None = None,
    progress: ProgressFn | None = None,
    cancelled: Callable[[], bool] | None = None,
    sentence_ids: Collection[int] | None = None,
    each: Callable[[int, Alignment], None] | None = None,
    shown: Mapping[int, str] | None = None,
) -> dict[int, Alignment]:
    """Alignments of every translated sentence of a document (the user's version wins), by id;
    with ``sentence_ids``, of those sentences only (a batch just translated).

    Stored ones are read ``READ_CHUNK`` rows per query, so a document opened again returns at
    once; the rest are aligned in one pass and written ``BATCH_SIZE`` per transaction.
    ``progress(done, total)`` counts translated sentences. ``cancelled()`` is checked before each
    sentence; on cancel, finished alignments are kept and ``Cancelled`` is raised. Run it in a
    worker thread with the worker's own ``db``.

    With ``each``, every sentence's alignment is handed to ``each(sentence_id, alignment)`` as soon
    as it is ready and not kept (the result is then empty): a long document's alignments never all
    sit in memory at once, where every full garbage collection would walk them while holding the
    GIL (hundreds of milliseconds the GUI thread waits for, on 20,000 sentences).

    ``shown`` is the English the caller shows, by sentence id, when it may differ from the
    library's: a read-only library's session translates sentences it cannot save, so the library
    holds no English for them. Those are aligned to the text shown, as an edit is (forced decoding
    through ``engine``, else lexically), and like everything aligned in a read-only library, kept
    in memory only.
    """
    from reader.document import document_view
    from reader.links import apply_corrections, corrections_for

    view = document_view(db, doc_id, model_key)
    wanted = None if sentence_ids is None else set(sentence_ids)
    shown = shown or {}
    # The English to align each sentence to: the caller's, else the library's.
    targets = {
        s.id: shown.get(s.id) or s.final
        for s in view.sentences()
        if (wanted is None or s.id in wanted) and (s.origin is not None or shown.get(s.id))
    }
    sentences = [s for s in view.sentences() if s.id in targets]
    # Attention only for the sentences that show the model's own text: the rest never use it.
    cached = store.get_cached(
        db, model_key, (s.source_hash for s in sentences if targets[s.id] == s.machine)
    ) if model_key else {}
    jobs: dict[str, _Job] = {}
    ids_by_key: dict[str, list[int]] = {}
    for sentence in sentences:
        job = _plan(sentence.text, targets[sentence.id], cached.get(sentence.source_hash), model_key, engine)
        jobs.setdefault(job.key, job)
        ids_by_key.setdefault(job.key, []).append(sentence.id)
    del cached
    # The reader's link corrections win over the aligner (applied on read, per sentence).
    fixes = corrections_for(db, targets)
    result: dict[int, Alignment] = {}

    def deliver(key: str, alignment: Alignment) -> None:
        for sid in ids_by_key[key]:
            fixed = apply_corrections(alignment, fixes[sid]) if sid in fixes else alignment
            if each is not None:
                each(sid, fixed)
            else:
                result[sid] = fixed

    total = sum(len(ids) for ids in ids_by_key.values())
    version = stored_version(dictionary)
    stored: set[str] = set()
    keys = list(jobs)
    for k in range(0, len(keys), READ_CHUNK):
        for key, data in store.get_alignments(db, keys[k : k + READ_CHUNK], version).items():
            alignment = _read_stored(data)
            if alignment is not None:
                stored.add(key)
                deliver(key, alignment)
    done = sum(len(ids_by_key[key]) for key in stored)
    if progress:
        progress(done, total)

    missing = [key for key in jobs if key not in stored]
    pending: list[tuple[str, str, Alignment]] = []
    save = not store.is_read_only(db)  # a read-only library is still aligned, only not cached

    def flush() -> None:
        nonlocal done
        if not pending:
            return
        if save:
            with store.write_transaction(db):
                for key, row_version, alignment in pending:
                    store.put_alignment(db, key, row_version, alignment.to_json())
        for key, _, alignment in pending:
            deliver(key, alignment)
            done += len(ids_by_key[key])
        pending.clear()
        if progress:
            progress(done, total)

    for key in missing:
        if cancelled is not None and cancelled():
            flush()
            raise Cancelled(
                f"Alignment cancelled after {done} of {total} sentences: the finished ones "
                "are saved; open the document again to align the rest"
            )
        try:
            alignment, row_version = _compute(jobs[key], engine, dictionary)
        except BaseException:
            flush()  # keep what is finished, then report the failure (e.g. a broken model)
            raise
        pending.append((key, row_version, alignment))
        if len(pending) >= BATCH_SIZE:
            flush()
    flush()
    # In reading order, as the document shows them.
    return {sid: result[sid] for ids in ids_by_key.values() for sid in ids if sid in result}


# ---------------------------------------------------------------- one pair, no library


def align_text(
    nl: str,
    en: str,
    *,
    pretokenized: bool = False,
    dictionary: Lexicon | None = None,
) -> tuple[Alignment, str | None]:
    """Align one pair without storing it (the CLI's ``align``); returns the alignment and a
    warning for the user, or None.

    A dictionary that fails mid-lookup (a damaged data chunk) is dropped, the pair is aligned
    without it, and the warning says so, as ``document_alignments`` does per sentence. A side
    over ``align.MAX_ALIGN_TOKENS`` tokens raises ``AlignmentTooLong`` (the aligner's memory
    grows with the product of the lengths).
    """
    try:
        return aligner.align(nl, en, pretokenized=pretokenized, dictionary=dictionary), None
    except DictionaryError as err:
        alignment = aligner.align(nl, en, pretokenized=pretokenized, dictionary=None)
        return alignment, f"The dictionary failed, so this pair was aligned without it: {err}"


# ---------------------------------------------------------------- the dictionary is optional


def open_dictionary_or_none(
    path: str | Path | None = None,
) -> tuple[Dictionary | None, str | None]:
    """The dictionary, or None with the reason for the UI to show once; aligning works without it.

    The index is read now (about 35 ms), so a damaged one is reported here, not mid-alignment.
    """
    from reader.dictionary import Dictionary

    try:
        dictionary = Dictionary.open(path)
        dictionary.load_index()
    except DictionaryError as err:
        return None, str(err)
    return dictionary, None
