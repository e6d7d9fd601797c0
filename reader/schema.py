"""The library's schema: the migrations that build it, in order, and the search index's row codes.

Kept apart from ``reader.store`` because it is history, not code to tidy: every function here is
recorded by name in users' libraries once applied, so the list is append-only. Never edit (or
rename) an applied migration; change the schema by adding a new function at the end.
``reader.store`` applies them when it opens a library (``_migrate``, with a backup first).
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

MIGRATIONS = Migrations("bireader")
_MIGRATION_NAMES: list[str] = []


def _migration(fn):
    """Register a migration under its function name (names are recorded in the database)."""
    _MIGRATION_NAMES.append(fn.__name__)
    return MIGRATIONS(name=fn.__name__)(fn)


# ---------------------------------------------------------------- migrations (append-only)


@_migration
def m001_initial_schema(db: Database) -> None:
    """The first schema. Never edit an applied migration: add a new function below instead.

    Statements run one by one (``executescript`` would commit the migration's transaction).
    """
    for sql in (
        """CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            date TEXT,
            content_hash TEXT NOT NULL UNIQUE,
            source_path TEXT,
            imported_at TEXT NOT NULL)""",
        """CREATE TABLE paragraphs (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('heading', 'body')),
            text TEXT NOT NULL,
            UNIQUE (document_id, idx))""",
        """CREATE TABLE sentences (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            paragraph_id INTEGER NOT NULL REFERENCES paragraphs(id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            text TEXT NOT NULL,
            source_hash TEXT NOT NULL,
            UNIQUE (paragraph_id, idx))""",
        "CREATE INDEX sentences_document ON sentences(document_id)",
        "CREATE INDEX sentences_source_hash ON sentences(source_hash)",
        """CREATE TABLE translations (
            model_key TEXT NOT NULL,
            source_hash TEXT NOT NULL,
            source TEXT NOT NULL,
            target TEXT NOT NULL,
            source_tokens TEXT NOT NULL,
            target_tokens TEXT NOT NULL,
            attention BLOB,
            attention_shape TEXT,
            score REAL,
            alternatives TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (model_key, source_hash)) WITHOUT ROWID""",
        # list_documents(model_key=None) asks "translated by any model?"
        "CREATE INDEX translations_source_hash ON translations(source_hash)",
        """CREATE TABLE user_translations (
            sentence_id INTEGER PRIMARY KEY REFERENCES sentences(id) ON DELETE CASCADE,
            text TEXT NOT NULL,
            edited_at TEXT NOT NULL)""",
        """CREATE TABLE alignments (
            key TEXT PRIMARY KEY,
            aligner_version TEXT NOT NULL,
            data TEXT NOT NULL)""",
        """CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL)""",
    ):
        db.execute(sql)


@_migration
def m002_open_paragraph_kinds_and_version_origin(db: Database) -> None:
    """Paragraph kinds grow (list items, quotes) without another table rebuild: the importer's
    ``PARAGRAPH_KINDS`` is the one list, checked by ``add_document``. A user's version records
    whether the user wrote it or chose one of the model's alternatives.

    The paragraphs table is rebuilt (SQLite cannot drop a CHECK constraint); ``_migrate`` turns
    foreign keys off around it, so the rebuild never cascades into the sentences.
    """
    for sql in (
        """CREATE TABLE paragraphs_new (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            kind TEXT NOT NULL CHECK (kind <> ''),
            text TEXT NOT NULL,
            UNIQUE (document_id, idx))""",
        "INSERT INTO paragraphs_new (id, document_id, idx, kind, text)"
        " SELECT id, document_id, idx, kind, text FROM paragraphs",
        "DROP TABLE paragraphs",
        "ALTER TABLE paragraphs_new RENAME TO paragraphs",
        "ALTER TABLE user_translations ADD COLUMN origin TEXT NOT NULL DEFAULT 'user'"
        " CHECK (origin IN ('user', 'alternative'))",
    ):
        db.execute(sql)


# Full-text index rows: rowid = id * SEARCH_STRIDE + the kind's code, so each row is found (and
# deleted) by rowid, never by scanning an unindexed column.
SEARCH_STRIDE = 8
SEARCH_KINDS = {"nl": 1, "user": 2, "note": 3, "phrase": 4, "mt": 5}


@_migration
def m003_annotations_phrases_links_and_search(db: Database) -> None:
    """Annotations (W3C Web Annotation selectors: a text position and a quote with context),
    saved phrases (their context outlives the document), corrected alignment links (valid for
    the English text they were made on), and one FTS5 index over Dutch text, machine and user
    translations, notes and phrases, kept in sync by triggers.

    The index has a second column of Snowball stems (``reader.stems``, registered on every
    connection) so that `huis` finds `huizen`; ``remove_diacritics 2`` lets `oekraine` find
    `Oekraïne`. The triggers delete then insert, never ``INSERT OR REPLACE``: an outer statement's
    conflict clause (an upsert) would override a trigger's own.
    """
    k = SEARCH_KINDS
    n = SEARCH_STRIDE
    for sql in (
        """CREATE TABLE annotations (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            sentence_id INTEGER NOT NULL REFERENCES sentences(id) ON DELETE CASCADE,
            side TEXT NOT NULL CHECK (side IN ('nl', 'en')),
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            exact TEXT NOT NULL,
            prefix TEXT NOT NULL DEFAULT '',
            suffix TEXT NOT NULL DEFAULT '',
            anchored_on TEXT NOT NULL,
            detached INTEGER NOT NULL DEFAULT 0 CHECK (detached IN (0, 1)),
            group_id INTEGER,
            note TEXT NOT NULL DEFAULT '',
            colour TEXT NOT NULL DEFAULT 'yellow',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            CHECK (0 <= start AND start <= "end"))""",
        "CREATE INDEX annotations_document ON annotations(document_id)",
        "CREATE INDEX annotations_sentence ON annotations(sentence_id)",
        """CREATE TABLE annotation_tags (
            annotation_id INTEGER NOT NULL REFERENCES annotations(id) ON DELETE CASCADE,
            tag TEXT NOT NULL CHECK (tag <> ''),
            PRIMARY KEY (annotation_id, tag)) WITHOUT ROWID""",
        "CREATE INDEX annotation_tags_tag ON annotation_tags(tag)",
        """CREATE TABLE saved_phrases (
            id INTEGER PRIMARY KEY,
            document_id INTEGER REFERENCES documents(id) ON DELETE SET NULL,
            sentence_id INTEGER REFERENCES sentences(id) ON DELETE SET NULL,
            document_title TEXT NOT NULL DEFAULT '',
            nl TEXT NOT NULL CHECK (nl <> ''),
            nl_spans TEXT NOT NULL,
            lemma_key TEXT NOT NULL,
            en TEXT NOT NULL DEFAULT '',
            en_spans TEXT NOT NULL DEFAULT '[]',
            context_nl TEXT NOT NULL,
            context_en TEXT NOT NULL DEFAULT '',
            gloss TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'learning', 'known')),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL)""",
        "CREATE INDEX saved_phrases_lemma ON saved_phrases(lemma_key)",
        "CREATE INDEX saved_phrases_document ON saved_phrases(document_id)",
        """CREATE TABLE link_corrections (
            sentence_id INTEGER NOT NULL REFERENCES sentences(id) ON DELETE CASCADE,
            target_hash TEXT NOT NULL,
            nl_start INTEGER NOT NULL,
            nl_end INTEGER NOT NULL,
            en_start INTEGER NOT NULL,
            en_end INTEGER NOT NULL,
            linked INTEGER NOT NULL CHECK (linked IN (0, 1)),
            created_at TEXT NOT NULL,
            PRIMARY KEY (sentence_id, target_hash, nl_start, en_start)) WITHOUT ROWID""",
        """CREATE VIRTUAL TABLE search_text USING fts5(
            body, stems, tokenize = 'unicode61 remove_diacritics 2')""",
        # Dutch sentences, and the newest machine translation of each (by any model).
        f"""CREATE TRIGGER search_sentence_added AFTER INSERT ON sentences BEGIN
            INSERT INTO search_text (rowid, body, stems)
                VALUES (new.id * {n} + {k['nl']}, new.text, bireader_stems_nl(new.text));
            INSERT INTO search_text (rowid, body, stems)
                SELECT new.id * {n} + {k['mt']}, t.target, bireader_stems_en(t.target)
                FROM translations t WHERE t.source_hash = new.source_hash
                ORDER BY t.created_at DESC LIMIT 1;
        END""",
        f"""CREATE TRIGGER search_sentence_removed AFTER DELETE ON sentences BEGIN
            DELETE FROM search_text WHERE rowid IN
                (old.id * {n} + {k['nl']}, old.id * {n} + {k['user']}, old.id * {n} + {k['mt']});
        END""",
        f"""CREATE TRIGGER search_translation_added AFTER INSERT ON translations BEGIN
            DELETE FROM search_text WHERE rowid IN
                (SELECT s.id * {n} + {k['mt']} FROM sentences s WHERE s.source_hash = new.source_hash);
            INSERT INTO search_text (rowid, body, stems)
                SELECT s.id * {n} + {k['mt']}, new.target, bireader_stems_en(new.target)
                FROM sentences s WHERE s.source_hash = new.source_hash;
        END""",
        f"""CREATE TRIGGER search_user_added AFTER INSERT ON user_translations BEGIN
            DELETE FROM search_text WHERE rowid = new.sentence_id * {n} + {k['user']};
            INSERT INTO search_text (rowid, body, stems)
                VALUES (new.sentence_id * {n} + {k['user']}, new.text, bireader_stems_en(new.text));
        END""",
        f"""CREATE TRIGGER search_user_changed AFTER UPDATE OF text ON user_translations BEGIN
            DELETE FROM search_text WHERE rowid = new.sentence_id * {n} + {k['user']};
            INSERT INTO search_text (rowid, body, stems)
                VALUES (new.sentence_id * {n} + {k['user']}, new.text, bireader_stems_en(new.text));
        END""",
        f"""CREATE TRIGGER search_user_removed AFTER DELETE ON user_translations BEGIN
            DELETE FROM search_text WHERE rowid = old.sentence_id * {n} + {k['user']};
        END""",
        f"""CREATE TRIGGER search_note_added AFTER INSERT ON annotations BEGIN
            DELETE FROM search_text WHERE rowid = new.id * {n} + {k['note']};
            INSERT INTO search_text (rowid, body, stems)
                VALUES (new.id * {n} + {k['note']}, new.note,
                        bireader_stems_nl(new.note) || ' ' || bireader_stems_en(new.note));
        END""",
        f"""CREATE TRIGGER search_note_changed AFTER UPDATE OF note ON annotations BEGIN
            DELETE FROM search_text WHERE rowid = new.id * {n} + {k['note']};
            INSERT INTO search_text (rowid, body, stems)
                VALUES (new.id * {n} + {k['note']}, new.note,
                        bireader_stems_nl(new.note) || ' ' || bireader_stems_en(new.note));
        END""",
        f"""CREATE TRIGGER search_note_removed AFTER DELETE ON annotations BEGIN
            DELETE FROM search_text WHERE rowid = old.id * {n} + {k['note']};
        END""",
        f"""CREATE TRIGGER search_phrase_added AFTER INSERT ON saved_phrases BEGIN
            DELETE FROM search_text WHERE rowid = new.id * {n} + {k['phrase']};
            INSERT INTO search_text (rowid, body, stems)
                VALUES (new.id * {n} + {k['phrase']}, new.nl || ' ' || new.en || ' ' || new.note,
                        bireader_stems_nl(new.nl) || ' ' || bireader_stems_en(new.en) || ' '
                        || bireader_stems_nl(new.note) || ' ' || bireader_stems_en(new.note));
        END""",
        f"""CREATE TRIGGER search_phrase_changed AFTER UPDATE OF nl, en, note ON saved_phrases BEGIN
            DELETE FROM search_text WHERE rowid = new.id * {n} + {k['phrase']};
            INSERT INTO search_text (rowid, body, stems)
                VALUES (new.id * {n} + {k['phrase']}, new.nl || ' ' || new.en || ' ' || new.note,
                        bireader_stems_nl(new.nl) || ' ' || bireader_stems_en(new.en) || ' '
                        || bireader_stems_nl(new.note) || ' ' || bireader_stems_en(new.note));
        END""",
        f"""CREATE TRIGGER search_phrase_removed AFTER DELETE ON saved_phrases BEGIN
            DELETE FROM search_text WHERE rowid = old.id * {n} + {k['phrase']};
        END""",
        # What the library already holds.
        f"""INSERT INTO search_text (rowid, body, stems)
            SELECT id * {n} + {k['nl']}, text, bireader_stems_nl(text) FROM sentences""",
        f"""INSERT INTO search_text (rowid, body, stems)
            SELECT sentence_id * {n} + {k['user']}, text, bireader_stems_en(text)
            FROM user_translations""",
        f"""INSERT OR REPLACE INTO search_text (rowid, body, stems)
            SELECT s.id * {n} + {k['mt']}, t.target, bireader_stems_en(t.target)
            FROM sentences s JOIN translations t ON t.source_hash = s.source_hash
            ORDER BY t.created_at""",
    ):
        db.execute(sql)


@_migration
def m004_stored_phrase_marks(db: Database) -> None:
    """Where saved phrases occur, kept per document (``reader.phrase_match``), and a log of the
    saved phrases whose lemma key changed, so that opening a document reads its marks and matches
    again only the phrases saved, edited or deleted since: matching a long document against
    thousands of phrases takes about a second.

    Both hold derived data only: emptying them loses nothing (the marks are found again). The
    log's ``AUTOINCREMENT`` keeps its numbers rising, so a document's marks can say how far they
    are current."""
    for sql in (
        """CREATE TABLE phrase_changes (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            phrase_id INTEGER NOT NULL
        )""",
        """CREATE TRIGGER phrase_marks_added AFTER INSERT ON saved_phrases BEGIN
            INSERT INTO phrase_changes (phrase_id) VALUES (new.id);
        END""",
        """CREATE TRIGGER phrase_marks_removed AFTER DELETE ON saved_phrases BEGIN
            INSERT INTO phrase_changes (phrase_id) VALUES (old.id);
        END""",
        """CREATE TRIGGER phrase_marks_rekeyed AFTER UPDATE OF id, lemma_key ON saved_phrases
            WHEN old.lemma_key IS NOT new.lemma_key OR old.id IS NOT new.id BEGIN
            INSERT INTO phrase_changes (phrase_id) VALUES (old.id);
            INSERT INTO phrase_changes (phrase_id) VALUES (new.id);
        END""",
        """CREATE TABLE phrase_marks (
            document_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
            content_hash TEXT NOT NULL,
            matcher TEXT NOT NULL,
            seq INTEGER NOT NULL,
            words BLOB NOT NULL,
            marks BLOB NOT NULL
        )""",
    ):
        db.execute(sql)
