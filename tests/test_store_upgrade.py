"""Schema upgrades keep every row and back the library up first; read-only libraries stay readable."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from sqlite_utils import Database

from reader import store
from reader.errors import ImportFailed, StoreError
from reader.store import (
    MIGRATIONS,
    add_document,
    document_paragraphs,
    document_sentences,
    is_read_only,
    list_documents,
    open_db,
    set_setting,
    set_user_translation,
    user_translations,
    user_versions,
)
from tests.helpers_fs import as_ordinary_user
from tests.helpers_store import make_article

ROOT = Path(__file__).resolve().parent.parent
FIRST_SCHEMA_ONLY = [name for name in store._MIGRATION_NAMES if name != "m001_initial_schema"]


def _library_of_the_first_schema(path: Path) -> dict:
    """A library as the first released schema made it, with a document, an edit and a setting,
    written with that schema's own SQL (no code of today's store touches it)."""
    db = Database(sqlite3.connect(str(path)))
    db.execute("PRAGMA journal_mode = WAL")
    MIGRATIONS.apply(db, stop_before=FIRST_SCHEMA_ONLY)
    assert [m.name for m in MIGRATIONS.applied(db)] == ["m001_initial_schema"]
    db.execute(
        "INSERT INTO documents (id, title, date, content_hash, source_path, imported_at)"
        " VALUES (1, 'Oud artikel', '2022-03', 'hash-1', NULL, '2024-01-01T00:00:00+00:00')"
    )
    db.execute("INSERT INTO paragraphs (id, document_id, idx, kind, text) VALUES (1, 1, 0, 'heading', 'Kop')")
    db.execute(
        "INSERT INTO paragraphs (id, document_id, idx, kind, text)"
        " VALUES (2, 1, 1, 'body', 'Eerste zin. Tweede zin.')"
    )
    for sid, pid, idx, start, end, text in (
        (1, 1, 0, 0, 3, "Kop"),
        (2, 2, 0, 0, 11, "Eerste zin."),
        (3, 2, 1, 12, 23, "Tweede zin."),
    ):
        db.execute(
            'INSERT INTO sentences (id, document_id, paragraph_id, idx, start, "end", text, source_hash)'
            " VALUES (?, 1, ?, ?, ?, ?, ?, ?)",
            [sid, pid, idx, start, end, text, store.source_hash(text)],
        )
    db.execute(
        "INSERT INTO user_translations (sentence_id, text, edited_at)"
        " VALUES (3, 'My own second sentence.', '2024-01-02T00:00:00+00:00')"
    )
    db.execute("INSERT INTO settings (key, value) VALUES ('theme', '\"dark\"')")
    db.conn.commit()
    db.close()
    return {"sentences": ["Kop", "Eerste zin.", "Tweede zin."]}


def test_upgrade_from_the_first_schema_keeps_documents_edits_and_settings(tmp_path):
    path = tmp_path / "library.sqlite"
    before = _library_of_the_first_schema(path)

    db = open_db(path)

    assert [d["title"] for d in list_documents(db)] == ["Oud artikel"]
    assert [s.text for s in document_sentences(db, 1)] == before["sentences"]
    assert [p["kind"] for p in document_paragraphs(db, 1)] == ["heading", "body"]
    assert user_versions(db, 1) == {3: store.UserVersion("My own second sentence.", "user")}
    assert store.get_setting(db, "theme") == "dark"
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # Foreign keys still cascade after the rebuild: removing the document removes its sentences.
    store.remove_document(db, 1)
    assert db.execute("SELECT count(*) FROM sentences").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM user_translations").fetchone()[0] == 0


def test_upgrade_backs_the_old_library_up_beside_itself_first(tmp_path):
    path = tmp_path / "library.sqlite"
    _library_of_the_first_schema(path)

    open_db(path).close()

    backups = sorted(tmp_path.glob("library.sqlite.before-*.bak"))
    assert [b.name for b in backups] == [
        "library.sqlite.before-m002_open_paragraph_kinds_and_version_origin.bak"
    ]
    old = sqlite3.connect(str(backups[0]))
    try:
        applied = [r[0] for r in old.execute("SELECT name FROM _sqlite_migrations")]
        assert applied == ["m001_initial_schema"]
        assert old.execute("SELECT text FROM user_translations").fetchall() == [
            ("My own second sentence.",)
        ]
    finally:
        old.close()
    assert not list(tmp_path.glob("*.part"))


def test_a_new_library_makes_no_backup(tmp_path):
    open_db(tmp_path / "library.sqlite").close()
    assert not list(tmp_path.glob("*.bak"))


def test_list_items_and_quotes_are_stored_and_unknown_kinds_refused(db):
    article = make_article(
        [("heading", "Zie ook"), ("list_item", "Rusland"), ("list_item", "Oekraïne"),
         ("quote", "Wij willen vrede."), ("body", "Zo zei hij het.")],
        title="Soorten",
    )
    doc_id, _ = add_document(db, article)
    assert [p["kind"] for p in document_paragraphs(db, doc_id)] == [
        "heading", "list_item", "list_item", "quote", "body"
    ]

    bad = make_article([("body", "Tekst."), ("poem", "Een regel.")], title="Fout")
    with pytest.raises(ImportFailed, match="unknown kind 'poem'"):
        add_document(db, bad)
    assert [d["title"] for d in list_documents(db)] == ["Soorten"]


def test_a_chosen_alternative_is_kept_apart_from_the_users_own_text(db):
    doc_id, _ = add_document(db, make_article())
    first, second = [s.id for s in document_sentences(db, doc_id)][:2]
    set_user_translation(db, first, "Typed by me.")
    set_user_translation(db, second, "A model alternative.", origin="alternative")

    assert user_versions(db, doc_id) == {
        first: store.UserVersion("Typed by me.", "user"),
        second: store.UserVersion("A model alternative.", "alternative"),
    }
    assert user_translations(db, doc_id) == {first: "Typed by me.", second: "A model alternative."}
    # Typing over a chosen alternative makes it the user's own.
    set_user_translation(db, second, "Now mine.")
    assert user_versions(db, doc_id)[second].origin == "user"
    with pytest.raises(ValueError, match="origin"):
        set_user_translation(db, second, "x", origin="robot")


# ---------------------------------------------------------------- read-only libraries


def _made_library(path: Path) -> int:
    db = open_db(path)
    doc_id, _ = add_document(db, make_article())
    db.close()
    return doc_id


def test_read_only_library_reads_and_refuses_writes_with_a_message(tmp_path):
    path = tmp_path / "library.sqlite"
    doc_id = _made_library(path)

    db = open_db(path, read_only=True)
    assert is_read_only(db)
    assert [d["id"] for d in list_documents(db)] == [doc_id]
    sid = document_sentences(db, doc_id)[0].id
    with pytest.raises(StoreError, match="read-only"):
        set_user_translation(db, sid, "Mine.")
    with pytest.raises(StoreError, match="read-only"):
        set_setting(db, "theme", "dark")
    db.close()
    assert user_translations(open_db(path), doc_id) == {}


def test_read_only_by_environment(tmp_path, monkeypatch):
    path = tmp_path / "library.sqlite"
    _made_library(path)
    monkeypatch.setenv("BIREADER_READ_ONLY", "1")
    db = open_db(path)
    assert is_read_only(db)
    assert not is_read_only(open_db(path, read_only=False))


def test_read_only_open_of_a_missing_library_says_so_and_creates_nothing(tmp_path):
    path = tmp_path / "nothing-here.sqlite"
    with pytest.raises(StoreError, match="no library"):
        open_db(path, read_only=True)
    assert not path.exists()


def test_read_only_library_that_needs_an_upgrade_is_refused_untouched(tmp_path):
    path = tmp_path / "library.sqlite"
    _library_of_the_first_schema(path)
    before = path.read_bytes()
    with pytest.raises(StoreError, match="must be upgraded.*read-only"):
        open_db(path, read_only=True)
    assert path.read_bytes() == before


def test_a_library_in_a_folder_the_user_cannot_write_is_listed():
    """On a library in a folder the user cannot write, `library list` works instead of failing to
    create the WAL files. Root ignores permissions, so as root the CLI runs without the
    capabilities that let root write anywhere (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH)."""
    top = Path(tempfile.mkdtemp(prefix="bireader-ro-"))
    folder = top / "home"
    folder.mkdir()
    _made_library(folder / "library.sqlite")
    for p in (top, folder, *folder.iterdir()):
        p.chmod(0o755 if p.is_dir() else 0o644)
    folder.chmod(0o555)
    as_other_user = as_ordinary_user()
    env = {**os.environ, "BIREADER_HOME": str(folder), "HOME": str(top),
           "XDG_CONFIG_HOME": str(top / "config"), "XDG_DATA_HOME": str(top / "data"),
           "XDG_CACHE_HOME": str(top / "cache")}
    try:
        result = subprocess.run(
            [sys.executable, "-m", "reader.cli", "library", "list"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, **as_other_user,
        )
    finally:
        folder.chmod(0o755)
        shutil.rmtree(top)
    assert result.returncode == 0, result.stderr
    assert "Lavrov en Koeleba" in result.stdout
