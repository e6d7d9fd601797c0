"""From a file to a translated document: import, cache lookup, one engine call, per-batch saves.

Each finished engine batch is committed on its own, so a crash, a kill or a cancel keeps every
batch already done and the next run translates only the rest.

Also the one-sentence operations a front end offers (retranslate, n-best alternatives) and pasted
text, so that no front end writes the cache or builds documents itself.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from sqlite_utils import Database

from reader import store
from reader.errors import Cancelled, ModelError, StoreError

if TYPE_CHECKING:
    from models.engine import TranslationResult
    from reader.importer import ParsedArticle

ProgressFn = Callable[[int, int], None]
ResultsFn = Callable[[dict[int, "TranslationResult"]], None]


class TranslatorLike(Protocol):
    """What the pipeline needs of ``models.engine.Engine``."""

    model_key: str

    def translate(self, sentences, *, progress=None, cancelled=None, on_batch=None): ...


@dataclass(frozen=True, slots=True)
class TranslateStats:
    """Sentence counts of one run: ``total = cached + translated + failed`` unless cancelled."""

    total: int
    cached: int
    translated: int
    failed: int = 0  # the model returned nothing for these; they stay untranslated, uncached


def import_file(
    db: Database, path: str | Path, warn: Callable[[str], None] | None = None
) -> tuple[int, bool]:
    """Read an article and add it to the library; the same content twice is one document.

    ``warn`` receives the importer's warnings (e.g. a file decoded as cp1252), which the user
    must see whatever the front end.
    """
    from reader.importer import read_article

    article = read_article(path)
    if warn:
        for message in article.warnings:
            warn(message)
    restore = getattr(article, "restore", None)  # a JSON export (reader.import_json): all it holds
    if restore is not None:
        return restore(db)
    return store.add_document(db, article)


def find_imported(db: Database, path: str | Path, warn: Callable[[str], None] | None = None) -> int | None:
    """The document already holding the article at ``path`` (read and parsed as
    :func:`import_file` reads it), or None; writes nothing, so a read-only library can still open
    what it holds. Unreadable files raise what the import would."""
    from reader.importer import read_article

    article = read_article(path)
    if warn:
        for message in article.warnings:
            warn(message)
    return find_article(db, article)


def find_article(db: Database, article: ParsedArticle) -> int | None:
    """The document with this article's content (``store.add_document``'s notion of the same
    article: its content hash), or None."""
    row = db.execute("SELECT id FROM documents WHERE content_hash = ?", [article.content_hash]).fetchone()
    return int(row[0]) if row is not None else None


def translate_document(
    db: Database,
    doc_id: int,
    engine: TranslatorLike,
    *,
    progress: ProgressFn | None = None,
    cancelled: Callable[[], bool] | None = None,
    on_results: ResultsFn | None = None,
    priority: Collection[int] | None = None,
    save: bool = True,
) -> TranslateStats:
    """Fill the cache for every sentence of a document, sending each distinct text once.

    ``progress(done, total)`` counts the document's sentences (cached ones are done at the
    start). ``on_results`` first receives the cached translations, then each saved batch.
    ``cancelled()`` is checked between batches; on cancel, finished batches are kept and
    ``Cancelled`` is raised. The missing sentences among ``priority`` (sentence ids, e.g. the
    ones on screen) go to the engine first, in a call of their own, because the engine orders
    a call's sentences by length and the reader would otherwise wait for a random order; ids
    not in the document are ignored. ``save=False`` (a read-only library) caches nothing: the
    new translations only reach ``on_results``.
    """
    rows = store.document_sentences(db, doc_id)
    ids_by_hash: dict[str, list[int]] = {}
    text_by_hash: dict[str, str] = {}
    for row in rows:
        ids_by_hash.setdefault(row.source_hash, []).append(row.id)
        text_by_hash.setdefault(row.source_hash, row.text)

    total = len(rows)
    cached = store.get_cached(db, engine.model_key, ids_by_hash)
    n_cached = sum(len(ids_by_hash[h]) for h in cached)
    done = n_cached
    if progress:
        progress(done, total)
    if on_results and cached:
        on_results(_by_sentence(cached, ids_by_hash))

    missing = [h for h in ids_by_hash if h not in cached]
    if not missing:
        return TranslateStats(total=total, cached=n_cached, translated=0)
    if cancelled and cancelled():
        raise Cancelled(_cancel_message(done, total))

    counts = {"translated": 0, "failed": 0}

    def saver(hashes: list[str]) -> Callable[[list[tuple[int, TranslationResult]]], None]:
        def save_batch(batch: list[tuple[int, TranslationResult]]) -> None:
            nonlocal done
            batch_hashes = [hashes[i] for i, _ in batch]
            results = [r for _, r in batch]
            if save:
                store.put_translations(db, engine.model_key, results, source_hashes=batch_hashes)
            kept = {h: r for h, r in zip(batch_hashes, results, strict=True) if r.target.strip()}
            n_kept = sum(len(ids_by_hash[h]) for h in kept)
            n_batch = sum(len(ids_by_hash[h]) for h in batch_hashes)
            counts["translated"] += n_kept
            counts["failed"] += n_batch - n_kept
            done += n_batch
            if on_results and kept:
                on_results(_by_sentence(kept, ids_by_hash))
            if progress:
                progress(done, total)

        return save_batch

    try:
        for group in _priority_first(missing, ids_by_hash, priority):
            engine.translate(
                [text_by_hash[h] for h in group], cancelled=cancelled, on_batch=saver(group)
            )
    except Cancelled as err:
        raise Cancelled(_cancel_message(done, total)) from err
    return TranslateStats(total, n_cached, counts["translated"], counts["failed"])


def _priority_first(
    missing: list[str], ids_by_hash: dict[str, list[int]], priority: Collection[int] | None
) -> list[list[str]]:
    """The missing texts as engine calls: those with a priority sentence first, then the rest."""
    if not priority:
        return [missing]
    wanted = set(priority)
    first = [h for h in missing if not wanted.isdisjoint(ids_by_hash[h])]
    rest = [h for h in missing if wanted.isdisjoint(ids_by_hash[h])]
    return [group for group in (first, rest) if group]


def _by_sentence(
    results: dict[str, TranslationResult], ids_by_hash: dict[str, list[int]]
) -> dict[int, TranslationResult]:
    return {sid: r for h, r in results.items() for sid in ids_by_hash[h]}


def _cancel_message(done: int, total: int) -> str:
    return (
        f"Translation cancelled after {done} of {total} sentences: "
        "the finished ones are saved; translate again to do the rest"
    )


def load_translations(
    db: Database, doc_id: int, model_key: str
) -> dict[int, TranslationResult]:
    """The cached model translations of a document's sentences, by sentence id."""
    rows = store.document_sentences(db, doc_id)
    cached = store.get_cached(db, model_key, (r.source_hash for r in rows))
    return {r.id: cached[r.source_hash] for r in rows if r.source_hash in cached}


# ---------------------------------------------------------------- one sentence, pasted text


class NBestTranslator(TranslatorLike, Protocol):
    """What ``alternatives`` needs: an engine that can make a variant with an n-best list."""

    def variant(self, **changes) -> TranslatorLike: ...


@dataclass(frozen=True, slots=True)
class RetranslateResult:
    """What a retranslation did, so a front end can say so (deterministic decoding often
    returns the cached text again: "retranslated" would then be a lie)."""

    sentence_id: int
    target: str  # the model's new translation, now cached
    previous: str | None  # the model's cached translation before, if any
    user_text: str | None  # the user's version still shown (None: the model's is shown)
    edit_replaced: bool  # a user's version was removed in favour of the model's

    @property
    def changed(self) -> bool:
        """Whether the model's translation differs from the one cached before."""
        return self.target != self.previous

    @property
    def shown(self) -> str:
        """The translation to show now."""
        return self.user_text if self.user_text is not None else self.target


def retranslate_sentence(
    db: Database, sentence_id: int, engine: TranslatorLike, *, replace_edit: bool
) -> RetranslateResult:
    """Translate one sentence again, bypassing the cache, and cache the result.

    The user's version is kept unless ``replace_edit``. An empty model output changes nothing
    and raises ``ModelError``; a sentence whose document was removed raises ``StoreError``.
    """
    text, key = _sentence_text(db, sentence_id)
    previous = store.get_cached(db, engine.model_key, [key]).get(key)
    [result] = engine.translate([text])
    if not result.target.strip():
        raise ModelError(
            "The model gave no translation for this sentence: try again, or edit the "
            "translation yourself"
        )
    edit = _user_text(db, sentence_id)
    with store.write_transaction(db):
        _sentence_text(db, sentence_id)  # still there: the document may be removed meanwhile
        store.put_translations(db, engine.model_key, [result], source_hashes=[key])
        if replace_edit and edit is not None:
            store.set_user_translation(db, sentence_id, None)
    replaced = replace_edit and edit is not None
    return RetranslateResult(
        sentence_id=sentence_id,
        target=result.target,
        previous=previous.target if previous is not None else None,
        user_text=None if replaced else edit,
        edit_replaced=replaced,
    )


def _sentence_text(db: Database, sentence_id: int) -> tuple[str, str]:
    row = db.execute(
        "SELECT text, source_hash FROM sentences WHERE id = ?", [sentence_id]
    ).fetchone()
    if row is None:
        raise StoreError(
            f"There is no sentence {sentence_id} in the library (its document may have been "
            "removed): reopen the document and try again"
        )
    return row[0], row[1]


def _user_text(db: Database, sentence_id: int) -> str | None:
    row = db.execute(
        "SELECT text FROM user_translations WHERE sentence_id = ?", [sentence_id]
    ).fetchone()
    return row[0] if row is not None else None


def import_text(db: Database, text: str, source_name: str | None = None) -> tuple[int, bool]:
    """Add pasted text to the library as an article (the same text twice is one document).

    Empty or whitespace-only text raises ``ImportFailed`` and adds nothing.
    """
    from reader.importer import parse_text

    return store.add_document(db, parse_text(text, source_name=source_name))


def alternatives(engine: NBestTranslator, text: str, n: int = 5) -> list[tuple[str, float]]:
    """Up to ``n`` distinct translations of one sentence, best first, with their model scores.

    Uses a variant of ``engine`` that shares its loaded model (no second copy in memory).
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, not {n}")
    if not text.strip():
        return []
    nbest = engine.variant(beam_size=max(4, n), num_hypotheses=n)
    [result] = nbest.translate([text])
    ranked = [(result.target, result.score), *result.alternatives]
    seen: set[str] = set()
    out: list[tuple[str, float]] = []
    for target, score in ranked:
        if target.strip() and target not in seen:
            seen.add(target)
            out.append((target, float(score or 0.0)))
    return out[:n]
