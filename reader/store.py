"""The library: one SQLite file holding documents, their sentences and a translation cache.

The translation cache is keyed by (model key, SHA-256 of the sentence text) and shared by every
document, so an article that repeats a sentence, or a second article quoting the first, costs
nothing to translate again. Removing a document never removes cached translations.

Concurrency: every write runs in a ``BEGIN IMMEDIATE`` transaction (the write lock is taken up
front, so two processes queue on ``busy_timeout`` instead of failing on a lock upgrade), and every
insert is idempotent, so two processes adding or translating the same document at once leave one
copy of each row. One ``Database`` per thread, as ``sqlite3`` requires.

The schema itself (its append-only migrations) is ``reader.schema``; this module opens and
upgrades a library and reads and writes its rows.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from reader import config, stems
from reader.errors import ImportFailed, StoreError
from reader.schema import _MIGRATION_NAMES, MIGRATIONS

# The search index's row codes belong to the schema; re-exported because reader.search reads them here.
from reader.schema import SEARCH_KINDS as SEARCH_KINDS
from reader.schema import SEARCH_STRIDE as SEARCH_STRIDE

if TYPE_CHECKING:
    from models.engine import TranslationResult
    from reader.importer import ParsedArticle

BUSY_TIMEOUT_S = 30.0
_CHUNK = 500  # host parameters per query, well under SQLite's limit


# ---------------------------------------------------------------- opening


def open_db(path: str | Path | None = None, *, read_only: bool | None = None) -> Database:
    """Open (creating or upgrading) the library; refuses files that are not ours before writing.

    ``read_only=None`` decides by itself: an existing library that this user cannot write (or
    ``BIREADER_READ_ONLY=1``) opens read-only, so it can still be read; :func:`is_read_only` tells.
    """
    path = Path(path) if path is not None else config.db_path()
    _check_is_sqlite(path)
    if read_only is None:
        read_only = _read_only_wanted(path)
    if read_only:
        return _open_read_only(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S)
    except (OSError, sqlite3.Error) as err:
        raise StoreError(
            f"Could not open the library {path} ({err}): check that the folder is writable "
            "or set BIREADER_HOME to another folder"
        ) from err
    try:
        db = Database(conn)
        _check_header(db, path)
        stems.register(conn)  # the search index's triggers call it
        _configure(db, path)
        _check_is_ours(db, path)
        _migrate(db, path)
    except sqlite3.DatabaseError as err:
        conn.close()
        raise _store_error(err, f"open the library {path}") from err
    except BaseException:
        conn.close()
        raise
    return db


def is_read_only(db: Database) -> bool:
    """Whether writes to this connection are refused (a read-only library)."""
    return bool(db.execute("PRAGMA query_only").fetchone()[0])


def _read_only_wanted(path: Path) -> bool:
    if os.environ.get("BIREADER_READ_ONLY", "").strip() not in ("", "0"):
        return True
    # WAL needs to create -wal and -shm files beside the library, so the folder must be writable too.
    return path.exists() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))


def _open_read_only(path: Path) -> Database:
    """Open an existing library for reading only. Without write access to its folder SQLite cannot
    create the WAL index, so fall back to ``immutable`` (nobody can be writing it then)."""
    if not path.exists():
        raise StoreError(
            f"There is no library at {path} and it is opened read-only: "
            "check BIREADER_HOME, or open it once with write access"
        )
    uri = path.resolve().as_uri()
    last: sqlite3.Error | None = None
    for query in ("?mode=ro", "?mode=ro&immutable=1"):
        conn = None
        try:
            conn = sqlite3.connect(uri + query, uri=True, timeout=BUSY_TIMEOUT_S)
            db = Database(conn)
            _check_header(db, path)
            stems.register(conn)
            db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            db.execute("PRAGMA query_only = 1")
            _check_is_ours(db, path)
        except StoreError:
            if conn is not None:
                conn.close()
            raise
        except sqlite3.Error as err:
            if conn is not None:
                conn.close()
            last = err
            continue
        if MIGRATIONS.pending(db):
            conn.close()
            raise StoreError(
                f"The library {path} was made by an older version and must be upgraded, but it is "
                "read-only: open it once with write access"
            )
        return db
    assert last is not None
    raise _store_error(last, f"open the library {path} read-only")


@contextmanager
def connection(path: str | Path | None = None) -> Iterator[Database]:
    """A connection for one piece of background work: SQLite connections belong to one thread, so
    each worker opens its own and closes it when done."""
    db = open_db(path)
    try:
        yield db
    finally:
        db.close()


def _check_is_sqlite(path: Path) -> None:
    """Refuse a folder where the library should be. The file's header is checked by SQLite itself
    (``_check_header``): opening and closing the file with plain ``open()`` would release every
    POSIX lock this process's SQLite connections hold on it, and another process closing its last
    connection would then delete the WAL under us (sqlite.org/howtocorrupt.html, 2.2)."""
    if path.is_dir():
        raise StoreError(
            f"{path} is a folder, not a bilingual-reader database: "
            "move it away or set BIREADER_HOME to another folder"
        )


def _check_header(db: Database, path: Path) -> None:
    """A non-SQLite file fails its first read, before anything is written to it."""
    try:
        db.execute("PRAGMA schema_version").fetchone()
    except sqlite3.DatabaseError as err:
        if "not a database" in str(err) or "encrypted" in str(err):
            raise StoreError(
                f"{path} is not a bilingual-reader database (not SQLite): "
                "move it away or set BIREADER_HOME to another folder"
            ) from err
        raise


def _configure(db: Database, path: Path) -> None:
    db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    db.execute("PRAGMA foreign_keys = ON")
    mode = _enable_wal(db)
    if mode != "wal":
        raise StoreError(
            f"Could not switch {path} to write-ahead logging (mode is {mode}): "
            "put BIREADER_HOME on a local disk"
        )
    # Safe with WAL: a killed process loses nothing committed; only power loss may drop the last.
    db.execute("PRAGMA synchronous = NORMAL")


def _enable_wal(db: Database) -> str:
    """Switch to WAL once; later opens find it set. The switch needs an exclusive lock and SQLite
    answers "locked" at once, without its busy handler, while another process is creating the
    library: so retry until that process is done (as the busy timeout would)."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            mode = str(db.execute("PRAGMA journal_mode").fetchone()[0]).lower()
            if mode == "wal":
                return mode
            return str(db.execute("PRAGMA journal_mode = WAL").fetchone()[0]).lower()
        except sqlite3.OperationalError as err:
            if "locked" not in str(err).lower() or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _check_is_ours(db: Database, path: Path) -> None:
    """Refuse another program's SQLite file and a library written by a newer version."""
    tables = {t for t in db.table_names() if not t.startswith("sqlite_")}
    applied = set()
    if Migrations.migrations_table in tables:
        applied = {m.name for m in MIGRATIONS.applied(db)}
    if tables and not applied:
        raise StoreError(
            f"{path} is not a bilingual-reader database (it is another program's SQLite file): "
            "move it away or set BIREADER_HOME to another folder"
        )
    unknown = applied - set(_MIGRATION_NAMES)
    if unknown:
        raise StoreError(
            f"{path} was written by a newer version of bilingual-reader "
            f"(unknown schema changes: {', '.join(sorted(unknown))}): update the app"
        )


def _migrate(db: Database, path: Path) -> None:
    """Apply pending migrations under the write lock, so two processes never apply one twice.

    An existing library is first copied beside itself (SQLite's backup API: a consistent copy
    even while another process writes), so an upgrade can never cost a user their notes.
    Foreign keys are off while migrating: a table rebuild must not cascade into its children.
    """
    pending = MIGRATIONS.pending(db)
    if not pending:
        return
    if MIGRATIONS.applied(db):
        backup_library(db, path, f"before-{pending[0].name}")
    db.execute("PRAGMA foreign_keys = OFF")
    try:
        with write_transaction(db):
            if MIGRATIONS.pending(db):  # another process may have upgraded while we waited
                MIGRATIONS.apply(db)
            broken = db.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise StoreError(
                    f"Upgrading the library {path} would break {len(broken)} links between its "
                    "rows, so it was left as it was: report this with the backup beside it"
                )
    finally:
        db.execute("PRAGMA foreign_keys = ON")


def backup_library(db: Database, path: Path, label: str) -> Path:
    """Copy the library to ``NAME.LABEL.bak`` beside it, atomically (a copy half written is never
    left under the final name)."""
    target = path.with_name(f"{path.name}.{label}.bak")
    temp = target.with_name(target.name + f".{os.getpid()}.part")
    try:
        dest = sqlite3.connect(str(temp))
        try:
            db.conn.backup(dest)
        finally:
            dest.close()
        os.replace(temp, target)
    except (OSError, sqlite3.Error) as err:
        temp.unlink(missing_ok=True)
        raise StoreError(
            f"Could not back up the library to {target} before upgrading it ({err}): "
            "free some disk space and try again"
        ) from err
    return target


# ---------------------------------------------------------------- transactions and errors


@contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``: all or nothing, and the write lock taken before reading."""
    if db.conn.in_transaction:
        with db.atomic():  # nested: a savepoint inside the caller's transaction
            yield db
        return
    try:
        db.conn.execute("BEGIN IMMEDIATE")
    except sqlite3.DatabaseError as err:
        raise _store_error(err, "write to the library") from err
    try:
        yield db
    except sqlite3.DatabaseError as err:
        db.rollback()
        if isinstance(err, sqlite3.IntegrityError | sqlite3.ProgrammingError):
            raise  # a caller's own constraint handling, not a broken library
        raise _store_error(err, "save to the library") from err
    except BaseException:
        db.rollback()
        raise
    try:
        db.conn.execute("COMMIT")
    except sqlite3.DatabaseError as err:
        db.rollback()
        raise _store_error(err, "save to the library") from err


def _store_error(err: sqlite3.Error, doing: str) -> StoreError:
    text = str(err).lower()
    if "locked" in text or "busy" in text:
        return StoreError(
            f"Could not {doing}: another bilingual-reader is busy writing it; "
            "wait for it to finish and try again"
        )
    if "readonly" in text or "read-only" in text:
        return StoreError(
            f"Could not {doing}: the library is read-only, so changes cannot be saved; "
            "open it from a folder you can write to"
        )
    if "full" in text:
        return StoreError(f"Could not {doing}: the disk is full; free some space and try again")
    if "not a database" in text or "malformed" in text:
        return StoreError(
            f"Could not {doing}: the file is damaged or not a bilingual-reader database; "
            "move it away or set BIREADER_HOME to another folder"
        )
    return StoreError(f"Could not {doing} ({err}): check the disk and its permissions")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def source_hash(text: str) -> str:
    """The cache key of a sentence: SHA-256 of its exact text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


# ---------------------------------------------------------------- documents


@dataclass(frozen=True, slots=True)
class SentenceRow:
    """One sentence of a document; ``start``/``end`` index into its paragraph's text."""

    id: int
    paragraph_idx: int
    kind: str
    idx: int
    start: int
    end: int
    text: str
    source_hash: str


def add_document(db: Database, article: ParsedArticle) -> tuple[int, bool]:
    """Store an article, its paragraphs and sentences; the same content twice is one document."""
    from reader.importer import PARAGRAPH_KINDS
    from reader.segment import sentence_spans

    if not article.paragraphs:
        raise ImportFailed(f"{article.title!r} has no paragraphs: there is nothing to add")
    unknown = sorted({p.kind for p in article.paragraphs} - set(PARAGRAPH_KINDS))
    if unknown:
        raise ImportFailed(
            f"{article.title!r} has paragraphs of unknown kind {', '.join(map(repr, unknown))}: "
            f"a paragraph is one of {', '.join(PARAGRAPH_KINDS)}"
        )
    with write_transaction(db):
        cursor = db.execute(
            "INSERT OR IGNORE INTO documents (title, date, content_hash, source_path, imported_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [article.title, article.date, article.content_hash, article.source_path, _now()],
        )
        created = cursor.rowcount == 1
        doc_id = db.execute(
            "SELECT id FROM documents WHERE content_hash = ?", [article.content_hash]
        ).fetchone()[0]
        if created:
            for p_idx, paragraph in enumerate(article.paragraphs):
                _add_paragraph(db, doc_id, p_idx, paragraph.kind, paragraph.text, sentence_spans)
    return doc_id, created


def _add_paragraph(db: Database, doc_id: int, idx: int, kind: str, text: str, spans_of) -> None:
    paragraph_id = db.execute(
        "INSERT INTO paragraphs (document_id, idx, kind, text) VALUES (?, ?, ?, ?)",
        [doc_id, idx, kind, text],
    ).lastrowid
    db.conn.executemany(
        'INSERT INTO sentences (document_id, paragraph_id, idx, start, "end", text, source_hash)'
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (doc_id, paragraph_id, s_idx, start, end, text[start:end], source_hash(text[start:end]))
            for s_idx, (start, end) in enumerate(spans_of(text))
        ],
    )


def list_documents(db: Database, model_key: str | None = None) -> list[dict]:
    """Every document, newest first, with how many sentences have a translation.

    A sentence counts as translated when the user wrote a version of it or the cache holds a
    translation by ``model_key`` (by any model when ``model_key`` is None).
    """
    # The translated sentences are found once, as a set of ids, by walking the sentences in
    # source-hash order so that each probe of the translations' source-hash index lands next to
    # the previous one (the index also holds the model key: no visit to the wide translations
    # rows); a probe per sentence in document order instead reads the index at random and took
    # 0.6-0.9 s over 100,000 sentences against 0.17 s this way.
    model_filter = "" if model_key is None else "AND t.model_key = :model_key"
    sql = f"""
        SELECT d.id, d.title, d.date, d.source_path, d.imported_at,
            count(s.id) AS n_sentences,
            coalesce(sum(s.id IN (
                SELECT u.sentence_id FROM user_translations u
                UNION ALL
                SELECT s2.id FROM sentences s2 INDEXED BY sentences_source_hash
                WHERE EXISTS (SELECT 1 FROM translations t INDEXED BY translations_source_hash
                              WHERE t.source_hash = s2.source_hash {model_filter})
            )), 0) AS n_translated
        FROM documents d LEFT JOIN sentences s ON s.document_id = d.id
        GROUP BY d.id
        ORDER BY d.imported_at DESC, d.id DESC"""
    return [dict(row) for row in _rows(db, sql, {"model_key": model_key})]


def get_document(db: Database, doc_id: int) -> dict:
    row = next(
        _rows(
            db,
            "SELECT id, title, date, content_hash, source_path, imported_at"
            " FROM documents WHERE id = ?",
            [doc_id],
        ),
        None,
    )
    if row is None:
        raise StoreError(
            f"There is no document {doc_id} in the library: "
            "list the library to see which documents it holds"
        )
    return dict(row)


def remove_document(db: Database, doc_id: int) -> None:
    """Delete a document, its sentences and the user's versions; the shared cache stays."""
    with write_transaction(db):
        get_document(db, doc_id)
        db.execute("DELETE FROM documents WHERE id = ?", [doc_id])


def document_paragraphs(db: Database, doc_id: int) -> list[dict]:
    get_document(db, doc_id)
    return [
        dict(row)
        for row in _rows(
            db,
            "SELECT id, idx, kind, text FROM paragraphs WHERE document_id = ? ORDER BY idx",
            [doc_id],
        )
    ]


def document_sentences(db: Database, doc_id: int) -> list[SentenceRow]:
    get_document(db, doc_id)
    cursor = db.execute(
        'SELECT s.id, p.idx, p.kind, s.idx, s.start, s."end", s.text, s.source_hash'
        " FROM sentences s JOIN paragraphs p ON p.id = s.paragraph_id"
        " WHERE s.document_id = ? ORDER BY p.idx, s.idx",
        [doc_id],
    )
    return [SentenceRow(*row) for row in cursor]


def _rows(db: Database, sql: str, params: Any = None) -> Iterator[dict[str, Any]]:
    cursor = db.execute(sql, params if params is not None else [])
    names = [d[0] for d in cursor.description]
    for row in cursor:
        yield dict(zip(names, row, strict=True))


# ---------------------------------------------------------------- translation cache


def get_cached(
    db: Database, model_key: str, source_hashes: Iterable[str]
) -> dict[str, TranslationResult]:
    """The cached translations among ``source_hashes``, keyed by hash; missing ones are absent."""
    columns = ("source, target, source_tokens, target_tokens, attention, attention_shape, score,"
               " alternatives")
    return {
        row[0]: _result_from_row(row[1:]) for row in _cached_rows(db, model_key, source_hashes, columns)
    }


def _cached_rows(
    db: Database, model_key: str, source_hashes: Iterable[str], columns: str
) -> Iterator[tuple]:
    """``(source_hash, *columns)`` of the cached translations among ``source_hashes``, 500 a query."""
    hashes = list(dict.fromkeys(source_hashes))
    for chunk in _chunks(hashes):
        marks = ", ".join("?" * len(chunk))
        yield from db.execute(
            f"SELECT source_hash, {columns} FROM translations"
            f" WHERE model_key = ? AND source_hash IN ({marks})",
            [model_key, *chunk],
        )


@dataclass(frozen=True, slots=True)
class CachedText:
    """The text of a cached translation: what opening a document needs. Tokens and attention are
    read only when alignment asks (:func:`get_cached`): decoding them for every row cost more
    than half of opening a long document."""

    target: str
    score: float | None = None
    alternatives: tuple[tuple[str, float], ...] = ()

    @classmethod
    def of(cls, result: TranslationResult) -> CachedText:
        """The text of an engine's result, without its tokens and attention."""
        return cls(result.target, result.score, tuple(result.alternatives))


def get_cached_texts(
    db: Database, model_key: str, source_hashes: Iterable[str]
) -> dict[str, CachedText]:
    """The cached translations' texts among ``source_hashes``, keyed by hash; missing ones are absent."""
    found: dict[str, CachedText] = {}
    for key, target, score, alternatives in _cached_rows(
        db, model_key, source_hashes, "target, score, alternatives"
    ):
        # "[]" is what a translation without an n-best list stores: skip the JSON parser
        ranked = () if alternatives == "[]" else tuple((t, s) for t, s in json.loads(alternatives))
        found[key] = CachedText(target, score, ranked)
    return found


def put_translations(
    db: Database,
    model_key: str,
    results: Iterable[TranslationResult],
    source_hashes: Sequence[str] | None = None,
) -> int:
    """Cache results in one transaction and return how many were kept.

    Empty targets are never cached, so a failed sentence is retried next time. The key is the
    hash of ``result.source`` unless ``source_hashes`` (parallel to ``results``) gives it: the
    pipeline passes the hash of the stored sentence so a normalising engine still hits the cache.
    """
    results = list(results)
    hashes = list(source_hashes) if source_hashes is not None else [
        source_hash(r.source) for r in results
    ]
    if len(hashes) != len(results):
        raise ValueError("source_hashes must be parallel to results")
    now = _now()
    rows = [
        _row_from_result(model_key, h, r, now)
        for h, r in zip(hashes, results, strict=True)
        if r.target.strip()
    ]
    with write_transaction(db):
        db.conn.executemany(
            "INSERT OR REPLACE INTO translations (model_key, source_hash, source, target,"
            " source_tokens, target_tokens, attention, attention_shape, score, alternatives,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    return len(rows)


def _row_from_result(model_key: str, key: str, r: TranslationResult, now: str) -> tuple:
    blob, shape = _pack_attention(r.attention)
    alternatives = [[text, float(score)] for text, score in r.alternatives]
    return (
        model_key,
        key,
        r.source,
        r.target,
        json.dumps(list(r.source_tokens), ensure_ascii=False),
        json.dumps(list(r.target_tokens), ensure_ascii=False),
        blob,
        shape,
        None if r.score is None else float(r.score),
        json.dumps(alternatives, ensure_ascii=False),
        now,
    )


def _result_from_row(row: Sequence[Any]) -> TranslationResult:
    from models.engine import TranslationResult

    source, target, src_tokens, tgt_tokens, blob, shape, score, alternatives = row
    return TranslationResult(
        source=source,
        target=target,
        source_tokens=json.loads(src_tokens),
        target_tokens=json.loads(tgt_tokens),
        attention=_unpack_attention(blob, shape),
        score=score,
        alternatives=[(text, s) for text, s in json.loads(alternatives)],
    )


def _pack_attention(attention: Any) -> tuple[bytes | None, str | None]:
    """float16 little-endian bytes plus a JSON layout: 2 bytes a cell, no pickle.

    A dense matrix is stored with its shape (``[rows, cols]``); a ``BlockAttention`` (a sentence
    translated in chunks) as its blocks one after the other with ``{"shape": [rows, cols],
    "blocks": [[row, col, height, width], ...]}``, so a long sentence costs space linear in its
    length instead of the dense matrix's square.
    """
    if attention is None:
        return None, None
    import numpy as np

    blocks = getattr(attention, "blocks", None)
    if blocks is None:
        array = np.ascontiguousarray(attention, dtype="<f2")
        return array.tobytes(), json.dumps(list(array.shape))
    layout = []
    parts = []
    for row, col, block in blocks:
        array = np.ascontiguousarray(block, dtype="<f2")
        layout.append([int(row), int(col), *map(int, array.shape)])
        parts.append(array.tobytes())
    shape = [int(n) for n in attention.shape]
    return b"".join(parts), json.dumps({"shape": shape, "blocks": layout})


def _unpack_attention(blob: bytes | None, shape: str | None) -> Any:
    """Both layouts of ``_pack_attention``: rows written before blocks existed are dense."""
    if blob is None or shape is None:
        return None
    import numpy as np

    layout = json.loads(shape)
    if isinstance(layout, list):
        return np.frombuffer(blob, dtype="<f2").reshape(layout).astype(np.float16)
    from models.engine import BlockAttention

    values = np.frombuffer(blob, dtype="<f2")
    blocks = []
    offset = 0
    for row, col, height, width in layout["blocks"]:
        cells = height * width
        blocks.append((row, col, values[offset : offset + cells].reshape(height, width).astype(np.float16)))
        offset += cells
    if offset != len(values):
        raise ValueError(f"attention blocks cover {offset} values of {len(values)}")
    return BlockAttention(tuple(layout["shape"]), blocks)


def count_translations(db: Database, model_key: str | None = None) -> int:
    """How many translations the shared cache holds (for one model, or all)."""
    if model_key is None:
        return db.execute("SELECT count(*) FROM translations").fetchone()[0]
    return db.execute(
        "SELECT count(*) FROM translations WHERE model_key = ?", [model_key]
    ).fetchone()[0]


# ---------------------------------------------------------------- the user's own translations


USER_VERSION_ORIGINS = ("user", "alternative")


@dataclass(frozen=True, slots=True)
class UserVersion:
    """The version of a sentence the reader chose over the machine's: typed by the user, or one
    of the model's alternatives (shown differently: it is still machine output)."""

    text: str
    origin: str = "user"


def set_user_translation(
    db: Database, sentence_id: int, text: str | None, origin: str = "user"
) -> None:
    """Save the reader's version of a sentence; None or blank text reverts to the model's."""
    if origin not in USER_VERSION_ORIGINS:
        raise ValueError(f"origin must be one of {USER_VERSION_ORIGINS}, not {origin!r}")
    with write_transaction(db):
        if not db.execute("SELECT 1 FROM sentences WHERE id = ?", [sentence_id]).fetchone():
            raise StoreError(
                f"There is no sentence {sentence_id} in the library (its document may have been "
                "removed): reopen the document and edit again"
            )
        if text is None or not text.strip():
            db.execute("DELETE FROM user_translations WHERE sentence_id = ?", [sentence_id])
            return
        db.execute(
            "INSERT INTO user_translations (sentence_id, text, edited_at, origin) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (sentence_id) DO UPDATE SET text = excluded.text,"
            " edited_at = excluded.edited_at, origin = excluded.origin",
            [sentence_id, text, _now(), origin],
        )


def user_versions(db: Database, doc_id: int) -> dict[int, UserVersion]:
    """The reader's versions in a document, with where each came from."""
    cursor = db.execute(
        "SELECT u.sentence_id, u.text, u.origin FROM user_translations u"
        " JOIN sentences s ON s.id = u.sentence_id WHERE s.document_id = ?",
        [doc_id],
    )
    return {sid: UserVersion(text, origin) for sid, text, origin in cursor}


def user_translations(db: Database, doc_id: int) -> dict[int, str]:
    """The reader's versions' texts (whatever their origin): what exports and the cache use."""
    return {sid: v.text for sid, v in user_versions(db, doc_id).items()}


# ---------------------------------------------------------------- alignments and settings


def get_alignment(db: Database, key: str, aligner_version: str) -> Any | None:
    """A stored alignment, or None when missing, made by another aligner version, or damaged
    (a row that is not JSON is realigned and replaced, as in :func:`get_alignments`)."""
    row = db.execute(
        "SELECT data FROM alignments WHERE key = ? AND aligner_version = ?",
        [key, aligner_version],
    ).fetchone()
    if row is None:
        return None
    try:
        return json.loads(row[0])
    except (TypeError, ValueError):
        return None


def get_alignments(db: Database, keys: Iterable[str], aligner_version: str) -> dict[str, Any]:
    """The stored alignments among ``keys`` made by ``aligner_version``, in one query per 500 keys
    (a document opened again reads all its alignments at once)."""
    wanted = list(dict.fromkeys(keys))
    found: dict[str, Any] = {}
    for chunk in _chunks(wanted):
        marks = ", ".join("?" * len(chunk))
        cursor = db.execute(
            f"SELECT key, data FROM alignments WHERE aligner_version = ? AND key IN ({marks})",
            [aligner_version, *chunk],
        )
        for key, data in cursor:
            try:
                found[key] = json.loads(data)
            except ValueError:
                continue  # a damaged row counts as missing: it is realigned and replaced
    return found


def put_alignment(db: Database, key: str, aligner_version: str, data: Any) -> None:
    with write_transaction(db):
        db.execute(
            "INSERT OR REPLACE INTO alignments (key, aligner_version, data) VALUES (?, ?, ?)",
            [key, aligner_version, json.dumps(data, ensure_ascii=False)],
        )


def get_setting(db: Database, key: str, default: Any = None) -> Any:
    row = db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
    return default if row is None else json.loads(row[0])


def set_setting(db: Database, key: str, value: Any) -> None:
    """Store a JSON value (UI state: geometry, last document, scroll positions)."""
    encoded = json.dumps(value, ensure_ascii=False)
    with write_transaction(db):
        db.execute(
            "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", [key, encoded]
        )
