"""The library database: schema, refusal of foreign files, documents, cache, edits, settings."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from reader import store
from reader.errors import ImportFailed, StoreError
from reader.importer import ParsedArticle
from reader.store import (
    add_document,
    document_paragraphs,
    document_sentences,
    get_cached,
    get_document,
    get_setting,
    list_documents,
    open_db,
    put_translations,
    remove_document,
    set_setting,
    set_user_translation,
    user_translations,
)
from tests.helpers_store import N_SENTENCES, N_UNIQUE, make_article

ROOT = Path(__file__).resolve().parent.parent
KEY = "nl-en@test#1"


def _result(source: str, target: str = "the ministers spoke", n_src: int = 3, n_tgt: int = 4):
    from models.engine import TranslationResult

    attention = np.arange(n_tgt * n_src, dtype=np.float32).reshape(n_tgt, n_src) / 100
    return TranslationResult(
        source=source,
        target=target,
        source_tokens=[f"▁s{i}" for i in range(n_src)],
        target_tokens=[f"▁t{i}" for i in range(n_tgt)],
        attention=attention.astype(np.float16),
        score=-1.25,
        alternatives=[("the ministers talked", -1.5)],
    )


def _count(db, table: str) -> int:
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


# ---------------------------------------------------------------- opening


def test_open_db_creates_the_library_under_bireader_home(bireader_home):
    db = open_db()
    path = bireader_home / "library.sqlite"
    assert path.is_file()
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 30_000
    assert {"documents", "paragraphs", "sentences", "translations", "user_translations",
            "alignments", "settings"} <= set(db.table_names())
    applied = [m.name for m in store.MIGRATIONS.applied(db)]
    assert applied == [m.name for m in store.MIGRATIONS.pending(sqlite_memory())]


def sqlite_memory():
    from sqlite_utils import Database

    return Database(memory=True)


def test_reopening_keeps_data_and_applies_no_migration_twice(tmp_path):
    path = tmp_path / "lib.sqlite"
    db = open_db(path)
    doc_id, _ = add_document(db, make_article())
    db.close()
    db = open_db(path)
    assert get_document(db, doc_id)["title"] == "Lavrov en Koeleba"
    names = [m.name for m in store.MIGRATIONS.applied(db)]
    assert len(names) == len(set(names))
    assert store.MIGRATIONS.pending(db) == []


def test_a_file_that_is_not_sqlite_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "library.sqlite"
    path.write_text("these are my shopping notes\n", encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(StoreError) as err:
        open_db(path)
    assert str(err.value) == (
        f"{path} is not a bilingual-reader database (not SQLite): "
        "move it away or set BIREADER_HOME to another folder"
    )
    assert path.read_bytes() == before
    assert not (tmp_path / "library.sqlite-wal").exists()


def test_another_programs_sqlite_file_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO photos (name) VALUES ('beach.jpg')")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="another program's SQLite file.*BIREADER_HOME"):
        open_db(path)
    conn = sqlite3.connect(path)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"photos"}
    conn.close()


def test_a_library_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "lib.sqlite"
    db = open_db(path)
    db.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES (?, ?, ?)",
        ["bireader", "m999_from_the_future", "2030-01-01"],
    )
    db.close()
    with pytest.raises(StoreError, match="newer version of bilingual-reader.*update the app"):
        open_db(path)


def test_a_folder_in_place_of_the_database_is_refused(tmp_path):
    (tmp_path / "library.sqlite").mkdir()
    with pytest.raises(StoreError, match="is a folder.*BIREADER_HOME"):
        open_db(tmp_path / "library.sqlite")


# ---------------------------------------------------------------- documents


def test_add_document_stores_paragraphs_and_sentences_with_offsets(db):
    article = make_article()
    doc_id, created = add_document(db, article)
    assert created
    paragraphs = document_paragraphs(db, doc_id)
    assert [(p["kind"], p["text"]) for p in paragraphs] == [
        (p.kind, p.text) for p in article.paragraphs
    ]
    rows = document_sentences(db, doc_id)
    assert len(rows) == N_SENTENCES
    assert rows[0].kind == "heading" and rows[0].text == article.paragraphs[0].text
    for row in rows:
        paragraph = paragraphs[row.paragraph_idx]["text"]
        assert paragraph[row.start : row.end] == row.text
        assert row.source_hash == hashlib.sha256(row.text.encode()).hexdigest()
    assert [(r.paragraph_idx, r.idx) for r in rows] == [(0, 0), (1, 0), (1, 1), (2, 0), (2, 1)]
    doc = get_document(db, doc_id)
    assert doc["content_hash"] == article.content_hash and doc["date"] == "2022-03"


def test_adding_the_same_content_twice_gives_one_document(db):
    first, created_1 = add_document(db, make_article())
    second, created_2 = add_document(db, make_article(title="Another title, same text"))
    assert (created_1, created_2) == (True, False)
    assert first == second
    assert _count(db, "documents") == 1
    assert _count(db, "sentences") == N_SENTENCES


def test_an_article_without_paragraphs_is_refused(db):
    empty = ParsedArticle(title="Leeg", date=None, paragraphs=[], content_hash="0" * 64)
    with pytest.raises(ImportFailed, match="'Leeg' has no paragraphs"):
        add_document(db, empty)
    assert _count(db, "documents") == 0


def test_unknown_document_ids_give_a_clear_error(db):
    with pytest.raises(StoreError, match="no document 42 in the library"):
        get_document(db, 42)
    with pytest.raises(StoreError, match="no document 42"):
        remove_document(db, 42)
    with pytest.raises(StoreError, match="no document 42"):
        document_sentences(db, 42)


_RACE = """
import sys, time, pathlib
sys.path.insert(0, {root!r})
from tests.helpers_store import make_article
from reader.store import open_db, add_document, put_translations
from models.engine import TranslationResult
go = pathlib.Path(sys.argv[2])
while not go.exists():
    time.sleep(0.002)
db = open_db(sys.argv[1])
doc_id, created = add_document(db, make_article())
put_translations(db, "race", [TranslationResult("Er zijn geen afspraken gemaakt.", "x",
                 ["a"], ["b"], None, -1.0, [])])
print(doc_id, created)
"""


def test_two_processes_adding_the_same_document_at_once_make_one_copy(tmp_path):
    path, go = tmp_path / "race.sqlite", tmp_path / "go"
    script = _RACE.format(root=str(ROOT))
    procs = [
        subprocess.Popen([sys.executable, "-c", script, str(path), str(go)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    go.touch()
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [err for _, err in outputs]
    answers = sorted(out.split() for out, _ in outputs)
    assert [created for _, created in answers] == ["False", "False", "True"]
    assert len({doc_id for doc_id, _ in answers}) == 1
    db = open_db(path)
    assert _count(db, "documents") == 1
    assert _count(db, "paragraphs") == 3
    assert _count(db, "sentences") == N_SENTENCES
    assert _count(db, "translations") == 1
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_list_documents_counts_translated_sentences_per_model(db):
    doc_id, _ = add_document(db, make_article())
    other_id, _ = add_document(db, make_article([("body", "Een ander artikel.")], title="Ander"))
    rows = document_sentences(db, doc_id)
    put_translations(db, KEY, [_result(rows[1].text)])
    put_translations(db, KEY, [_result(rows[2].text)])  # also fills the repeat in paragraph 3
    put_translations(db, "other-model", [_result(rows[0].text)])
    set_user_translation(db, rows[3].id, "No agreements were made.")

    by_id = {d["id"]: d for d in list_documents(db, KEY)}
    assert by_id[doc_id]["n_sentences"] == N_SENTENCES
    assert by_id[doc_id]["n_translated"] == 4  # 2 cached + the repeat + 1 user version
    assert by_id[other_id]["n_translated"] == 0
    assert set(by_id[doc_id]) >= {"id", "title", "date", "n_sentences", "n_translated",
                                  "imported_at"}
    any_model = {d["id"]: d for d in list_documents(db)}
    assert any_model[doc_id]["n_translated"] == N_SENTENCES


def test_remove_document_deletes_its_rows_but_keeps_the_shared_cache(db):
    doc_id, _ = add_document(db, make_article())
    rows = document_sentences(db, doc_id)
    put_translations(db, KEY, [_result(r.text) for r in rows])
    set_user_translation(db, rows[0].id, "My heading")
    remove_document(db, doc_id)
    assert list_documents(db) == []
    for table in ("paragraphs", "sentences", "user_translations"):
        assert _count(db, table) == 0, table
    assert _count(db, "translations") == N_UNIQUE
    # Importing it again finds every translation in the cache.
    again, created = add_document(db, make_article())
    assert created
    hashes = [r.source_hash for r in document_sentences(db, again)]
    assert set(get_cached(db, KEY, hashes)) == set(hashes)


# ---------------------------------------------------------------- translation cache


def test_cached_translations_round_trip_tokens_attention_score_and_alternatives(db):
    original = _result("De ministers spraken.", n_src=5, n_tgt=7)
    assert put_translations(db, KEY, [original]) == 1
    h = store.source_hash("De ministers spraken.")
    loaded = get_cached(db, KEY, [h, "missing-hash"])
    assert list(loaded) == [h]
    got = loaded[h]
    assert (got.source, got.target) == (original.source, original.target)
    assert got.source_tokens == original.source_tokens
    assert got.target_tokens == original.target_tokens
    assert got.attention.dtype == np.float16 and got.attention.shape == (7, 5)
    np.testing.assert_array_equal(got.attention, original.attention)
    assert got.score == pytest.approx(-1.25)
    assert got.alternatives == [("the ministers talked", -1.5)]
    stored = db.execute("SELECT length(attention) FROM translations").fetchone()[0]
    assert stored == 7 * 5 * 2  # float16: two bytes a cell


def test_results_without_attention_are_cached_too(db):
    result = _result("Zonder aandacht.")
    result.attention = None
    put_translations(db, KEY, [result])
    assert get_cached(db, KEY, [store.source_hash("Zonder aandacht.")])[
        store.source_hash("Zonder aandacht.")
    ].attention is None


def test_empty_outputs_are_never_cached(db):
    kept = put_translations(db, KEY, [_result("Leeg.", target=""), _result("Spatie.", target="  "),
                                      _result("Goed.")])
    assert kept == 1
    assert _count(db, "translations") == 1
    assert get_cached(db, KEY, [store.source_hash("Leeg.")]) == {}


def test_the_cache_is_per_model(db):
    put_translations(db, KEY, [_result("Zin.", target="from model A")])
    put_translations(db, "nl-en@2#b", [_result("Zin.", target="from model B")])
    h = store.source_hash("Zin.")
    assert get_cached(db, KEY, [h])[h].target == "from model A"
    assert get_cached(db, "nl-en@2#b", [h])[h].target == "from model B"
    assert get_cached(db, "nl-en@3#c", [h]) == {}


def test_get_cached_handles_more_hashes_than_one_query_takes(db):
    results = [_result(f"Zin nummer {i}.") for i in range(1200)]
    put_translations(db, KEY, results)
    hashes = [store.source_hash(r.source) for r in results]
    assert len(get_cached(db, KEY, hashes)) == 1200


# ---------------------------------------------------------------- user versions


def test_user_versions_survive_retranslation_and_can_be_reverted(db):
    doc_id, _ = add_document(db, make_article())
    rows = document_sentences(db, doc_id)
    put_translations(db, KEY, [_result(rows[1].text, target="model one")])
    set_user_translation(db, rows[1].id, "For the first time since the invasion…")
    put_translations(db, KEY, [_result(rows[1].text, target="model two")])  # retranslated
    assert user_translations(db, doc_id) == {
        rows[1].id: "For the first time since the invasion…"
    }
    assert get_cached(db, KEY, [rows[1].source_hash])[rows[1].source_hash].target == "model two"
    set_user_translation(db, rows[1].id, "   ")
    assert user_translations(db, doc_id) == {}


def test_editing_an_unknown_sentence_is_refused(db):
    with pytest.raises(StoreError, match="no sentence 9999"):
        set_user_translation(db, 9999, "text")
    assert _count(db, "user_translations") == 0


# ---------------------------------------------------------------- settings and alignments


def test_settings_hold_json_values_across_connections(tmp_path):
    path = tmp_path / "lib.sqlite"
    db = open_db(path)
    assert get_setting(db, "window/geometry", default=[0, 0, 800, 600]) == [0, 0, 800, 600]
    set_setting(db, "window/geometry", [10, 20, 1200, 800])
    set_setting(db, "scroll", {"3": 0.25})
    set_setting(db, "scroll", {"3": 0.5, "4": 1})
    db.close()
    db = open_db(path)
    assert get_setting(db, "window/geometry") == [10, 20, 1200, 800]
    assert get_setting(db, "scroll") == {"3": 0.5, "4": 1}


def test_alignments_are_stored_per_aligner_version(db):
    store.put_alignment(db, "k1", "v1", {"links": [[0, 0, 0.9]]})
    assert store.get_alignment(db, "k1", "v1") == {"links": [[0, 0, 0.9]]}
    assert store.get_alignment(db, "k1", "v2") is None


def test_opening_the_library_again_keeps_other_connections_locks(tmp_path):
    """The window's connections stay valid while a CLI process opens and closes the library.

    Opening the file with plain open() (as a header check once did) released this process's
    SQLite locks, so the other process, closing its last connection, deleted the WAL under us
    and the library was corrupted.
    """
    import subprocess
    import sys

    path = tmp_path / "library.sqlite"
    gui = store.open_db(path)
    store.set_setting(gui, "ui.test", 1)
    store.open_db(path).close()  # a worker thread of the same process opens and closes
    cli = "import sys; from reader.store import open_db; open_db(sys.argv[1]).close()"
    subprocess.run([sys.executable, "-c", cli, str(path)], check=True, timeout=60)
    assert (tmp_path / "library.sqlite-wal").exists()  # still ours: not checkpointed away
    store.set_setting(gui, "ui.test", 2)
    assert store.get_setting(gui, "ui.test") == 2
    assert gui.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
