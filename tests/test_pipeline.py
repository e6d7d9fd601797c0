"""Translating documents with the real tiny package: cache use, dedupe, batches, cancel, kill."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reader.document import document_view
from reader.errors import Cancelled, ImportFailed, StoreError
from reader.importer import read_article
from reader.pipeline import (
    TranslateStats,
    alternatives,
    find_imported,
    import_file,
    import_text,
    load_translations,
    retranslate_sentence,
    translate_document,
)
from reader.segment import sentence_spans
from reader.store import (
    add_document,
    count_translations,
    document_sentences,
    get_cached,
    get_document,
    list_documents,
    open_db,
    put_translations,
    remove_document,
    set_user_translation,
    user_translations,
)
from tests.conftest import SEED
from tests.helpers_store import N_SENTENCES, N_UNIQUE, make_article, numbered_article

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def engine(tiny_package):
    from models.engine import Engine

    return Engine(tiny_package)


@pytest.fixture
def small_batch_engine(tiny_package):
    """Two sentences a batch, so a short document takes several batches (whatever the speed)."""
    from models.engine import DecodeSettings, Engine

    return Engine(tiny_package, DecodeSettings(max_batch_size=2, batch_seconds=None))


class RecordingEngine:
    """The real engine, remembering what it was asked to translate."""

    def __init__(self, engine):
        self.engine, self.model_key, self.calls = engine, engine.model_key, []

    def translate(self, sentences, **kwargs):
        self.calls.append(list(sentences))
        return self.engine.translate(sentences, **kwargs)


def test_translate_document_fills_the_cache_once_per_distinct_sentence(db, engine):
    doc_id, _ = add_document(db, make_article())
    spy = RecordingEngine(engine)
    seen: dict = {}
    steps: list[tuple[int, int]] = []
    stats = translate_document(db, doc_id, spy, progress=lambda d, t: steps.append((d, t)),
                               on_results=seen.update)
    assert stats == TranslateStats(total=N_SENTENCES, cached=0, translated=N_SENTENCES)
    assert len(spy.calls) == 1 and len(spy.calls[0]) == N_UNIQUE  # the repeat is sent once
    assert count_translations(db, engine.model_key) == N_UNIQUE
    rows = document_sentences(db, doc_id)
    assert set(seen) == {r.id for r in rows}
    assert all(seen[r.id].source == r.text and seen[r.id].target.strip() for r in rows)
    assert steps[0] == (0, N_SENTENCES) and steps[-1] == (N_SENTENCES, N_SENTENCES)
    assert [d for d, _ in steps] == sorted(d for d, _ in steps)


def test_a_second_run_takes_everything_from_the_cache(db, engine):
    doc_id, _ = add_document(db, make_article())
    first = translate_document(db, doc_id, engine)
    spy = RecordingEngine(engine)
    seen: dict = {}
    second = translate_document(db, doc_id, spy, on_results=seen.update)
    assert second == TranslateStats(total=N_SENTENCES, cached=N_SENTENCES, translated=0)
    assert spy.calls == []
    assert len(seen) == N_SENTENCES
    assert load_translations(db, doc_id, engine.model_key).keys() == seen.keys()
    assert first.translated == N_SENTENCES


def test_sentences_shared_with_another_document_come_from_the_cache(db, engine):
    first, _ = add_document(db, make_article())
    translate_document(db, first, engine)
    second, _ = add_document(db, make_article(
        [("body", "Er zijn geen afspraken gemaakt. Een nieuwe zin over Belarus.")], title="2"))
    spy = RecordingEngine(engine)
    stats = translate_document(db, second, spy)
    assert stats == TranslateStats(total=2, cached=1, translated=1)
    assert spy.calls == [["Een nieuwe zin over Belarus."]]


def test_each_batch_is_saved_and_reported_as_it_finishes(db, small_batch_engine):
    doc_id, _ = add_document(db, numbered_article(7))
    reports: list[tuple[int, int]] = []

    def on_results(batch):
        # The batch is already committed: another connection sees it.
        other = sqlite3.connect(db.conn.execute("PRAGMA database_list").fetchone()[2])
        stored = other.execute("SELECT count(*) FROM translations").fetchone()[0]
        other.close()
        reports.append((len(batch), stored))

    stats = translate_document(db, doc_id, small_batch_engine, on_results=on_results)
    assert stats.translated == 7
    assert [n for n, _ in reports] == [2, 2, 2, 1]
    assert [stored for _, stored in reports] == [2, 4, 6, 7]


def test_cancel_keeps_finished_batches_and_the_next_run_does_the_rest(db, small_batch_engine):
    doc_id, _ = add_document(db, numbered_article(7))
    batches = []
    with pytest.raises(Cancelled, match="2 of 7 sentences.*translate again"):
        translate_document(db, doc_id, small_batch_engine, on_results=batches.append,
                           cancelled=lambda: len(batches) >= 1)
    assert count_translations(db, small_batch_engine.model_key) == 2
    spy = RecordingEngine(small_batch_engine)
    stats = translate_document(db, doc_id, spy)
    assert stats == TranslateStats(total=7, cached=2, translated=5)
    assert len(spy.calls[0]) == 5


def test_cancel_before_starting_translates_nothing(db, engine):
    doc_id, _ = add_document(db, make_article())
    with pytest.raises(Cancelled, match="0 of 5"):
        translate_document(db, doc_id, engine, cancelled=lambda: True)
    assert count_translations(db) == 0


_CHILD = """
import sys, time
sys.path.insert(0, {root!r})
from models.engine import DecodeSettings, Engine
from models.packages import find_package
from reader.pipeline import translate_document
from reader.store import open_db
db = open_db(sys.argv[1])
engine = Engine(find_package("nl", "en"), DecodeSettings(max_batch_size=2))
print("ready", flush=True)
translate_document(db, int(sys.argv[2]), engine, progress=lambda done, total: time.sleep(0.5))
print("finished", flush=True)
"""


def test_a_killed_translation_keeps_finished_batches_and_resumes(tmp_path, small_batch_engine):
    path = tmp_path / "lib.sqlite"
    db = open_db(path)
    doc_id, _ = add_document(db, numbered_article(9))
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD.format(root=str(ROOT)), str(path), str(doc_id)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy(),
    )
    try:
        deadline = time.monotonic() + 60
        while count_translations(db) == 0:
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline, "the child never saved a batch"
            time.sleep(0.01)
    finally:
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate(timeout=30)
    assert "finished" not in out
    db.close()

    db = open_db(path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    saved = count_translations(db)
    assert 2 <= saved < 9
    spy = RecordingEngine(small_batch_engine)
    stats = translate_document(db, doc_id, spy)
    assert stats == TranslateStats(total=9, cached=saved, translated=9 - saved)
    assert len(spy.calls[0]) == 9 - saved
    assert count_translations(db) == 9


def test_import_file_adds_the_seed_article_once(db):
    doc_id, created = import_file(db, SEED)
    again, created_again = import_file(db, SEED)
    assert (created, created_again) == (True, False) and doc_id == again
    assert Path(get_document(db, doc_id)["source_path"]).name == SEED.name
    paragraphs = read_article(SEED).paragraphs
    rows = document_sentences(db, doc_id)
    assert len(rows) == sum(len(sentence_spans(p.text)) for p in paragraphs) >= 20
    assert {r.paragraph_idx for r in rows} == set(range(len(paragraphs)))


def test_import_file_reports_a_missing_file(db, tmp_path):
    with pytest.raises(ImportFailed):
        import_file(db, tmp_path / "nope.txt")
    assert db.execute("SELECT count(*) FROM documents").fetchone()[0] == 0


def test_find_imported_finds_an_article_already_in_a_read_only_library_and_writes_nothing(tmp_path):
    from reader.export_json import to_json

    path = tmp_path / "library.db"
    db = open_db(path)
    doc_id, _ = import_file(db, SEED)
    backup = tmp_path / "backup.json"
    backup.write_text(to_json(document_view(db, doc_id, None)), encoding="utf-8")
    db.close()
    copy = tmp_path / "renamed.txt"
    copy.write_bytes(SEED.read_bytes())
    new = tmp_path / "new.txt"
    new.write_text("Nieuw artikel\n\nDit staat nog niet in de bibliotheek.", encoding="utf-8")
    before = (path.read_bytes(), path.stat().st_mtime_ns)

    ro = open_db(path, read_only=True)
    try:
        # The same content, however named or packed (a JSON export of it), is that document.
        assert find_imported(ro, SEED) == doc_id
        assert find_imported(ro, copy) == doc_id
        assert find_imported(ro, backup) == doc_id
        assert find_imported(ro, new) is None
        with pytest.raises(ImportFailed):  # unreadable: the import's own error
            find_imported(ro, tmp_path / "missing.txt")
        assert ro.execute("SELECT count(*) FROM documents").fetchone()[0] == 1
    finally:
        ro.close()
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_document_view_pairs_each_sentence_with_model_and_user_versions(db, engine):
    doc_id, _ = add_document(db, make_article())
    rows = document_sentences(db, doc_id)
    translate_document(db, doc_id, engine)
    set_user_translation(db, rows[1].id, "For the first time since the invasion.")

    view = document_view(db, doc_id, engine.model_key)
    assert [p.kind for p in view.paragraphs] == ["heading", "body", "body"]
    assert [len(p.sentences) for p in view.paragraphs] == [1, 2, 2]
    edited = view.paragraphs[1].sentences[0]
    assert edited.origin == "user" and edited.final == "For the first time since the invasion."
    assert edited.translation is not None  # the model's version is still there
    plain = view.paragraphs[1].sentences[1]
    assert plain.origin == "model" and plain.final == plain.translation.target
    assert view.paragraphs[1].final.startswith("For the first time since the invasion. ")

    untranslated = document_view(db, doc_id, "some-other-model")
    assert [s.origin for s in untranslated.sentences()] == [None, "user", None, None, None]
    assert untranslated.sentences()[0].final == ""


def test_a_cached_document_never_loads_the_model(db, tiny_package):
    """Reopening a translated document answers from the cache without touching the model."""
    from models.engine import Engine
    from reader.pipeline import import_file, translate_document

    from .conftest import SEED

    doc_id, _ = import_file(db, SEED)
    first = Engine(tiny_package)
    translate_document(db, doc_id, first)
    assert first.loaded

    second = Engine(tiny_package)
    stats = translate_document(db, doc_id, second)
    assert stats.translated == 0 and stats.cached == stats.total
    assert not second.loaded


# ---------------------------------------------------------------- one sentence, pasted text


def test_retranslating_a_cached_sentence_says_the_model_gives_the_same_text(db, engine):
    doc_id, _ = add_document(db, make_article())
    translate_document(db, doc_id, engine)
    row = document_sentences(db, doc_id)[1]
    cached = get_cached(db, engine.model_key, [row.source_hash])[row.source_hash].target

    result = retranslate_sentence(db, row.id, engine, replace_edit=False)
    assert (result.target, result.previous, result.changed) == (cached, cached, False)
    assert result.shown == cached and not result.edit_replaced


def test_retranslating_replaces_a_stale_cached_translation(db, engine):
    from models.engine import TranslationResult

    doc_id, _ = add_document(db, make_article())
    row = document_sentences(db, doc_id)[0]
    stale = TranslationResult(row.text, "An old translation.", [], [], None, -1.0)
    put_translations(db, engine.model_key, [stale], source_hashes=[row.source_hash])

    result = retranslate_sentence(db, row.id, engine, replace_edit=False)
    assert result.changed and result.previous == "An old translation."
    assert result.target.strip() and result.target != "An old translation."
    assert get_cached(db, engine.model_key, [row.source_hash])[row.source_hash].target == result.target


def test_retranslating_keeps_or_replaces_the_users_version(db, engine):
    doc_id, _ = add_document(db, make_article())
    row = document_sentences(db, doc_id)[2]
    set_user_translation(db, row.id, "My own version.")

    kept = retranslate_sentence(db, row.id, engine, replace_edit=False)
    assert kept.user_text == "My own version." and kept.shown == "My own version."
    assert kept.previous is None and kept.changed  # nothing was cached before
    assert user_translations(db, doc_id) == {row.id: "My own version."}

    replaced = retranslate_sentence(db, row.id, engine, replace_edit=True)
    assert replaced.edit_replaced and replaced.user_text is None
    assert replaced.shown == replaced.target == kept.target
    assert user_translations(db, doc_id) == {}


def test_retranslating_a_sentence_of_a_removed_document_fails_and_caches_nothing(db, engine):
    doc_id, _ = add_document(db, make_article())
    row = document_sentences(db, doc_id)[0]
    remove_document(db, doc_id)
    with pytest.raises(StoreError, match="no sentence .* removed"):
        retranslate_sentence(db, row.id, engine, replace_edit=True)
    assert count_translations(db) == 0


def test_import_text_adds_pasted_text_once_and_refuses_empty_text(db):
    text = "Een korte tekst.\n\nHet regent in Antalya. Morgen niet."
    doc_id, created = import_text(db, text, source_name="Pasted text")
    again, created_again = import_text(db, text, source_name="Pasted text")
    assert (doc_id, created, created_again) == (again, True, False)
    assert [r.text for r in document_sentences(db, doc_id)] == [
        "Een korte tekst.", "Het regent in Antalya.", "Morgen niet."
    ]
    with pytest.raises(ImportFailed, match="Pasted text is empty"):
        import_text(db, "  \n\t \n", source_name="Pasted text")
    assert len(list_documents(db)) == 1


def test_alternatives_are_distinct_and_ranked_best_first(engine):
    text = "De ministers spraken anderhalf uur met elkaar."
    found = alternatives(engine, text, n=5)
    assert 2 <= len(found) <= 5
    texts = [t for t, _ in found]
    assert len(set(texts)) == len(texts) and all(t.strip() for t in texts)
    scores = [s for _, s in found]
    assert scores == sorted(scores, reverse=True)
    [(best, _)] = alternatives(engine, text, n=1)
    assert best.strip()
    assert alternatives(engine, "   ") == []
    with pytest.raises(ValueError, match="at least 1"):
        alternatives(engine, text, n=0)


def test_priority_sentences_from_the_end_are_translated_first(db, small_batch_engine):
    translate_document(db, add_document(db, numbered_article(3))[0], small_batch_engine)
    doc_id, _ = add_document(db, numbered_article(30))
    rows = document_sentences(db, doc_id)
    cached_ids = {r.id for r in rows[:3]}  # shared with the first document
    priority = [r.id for r in rows[-5:]] + [rows[0].id, 999_999]  # a cached id, an unknown id
    spy = RecordingEngine(small_batch_engine)
    batches: list[set[int]] = []
    steps: list[tuple[int, int]] = []
    stats = translate_document(db, doc_id, spy, priority=priority,
                               on_results=lambda b: batches.append(set(b)),
                               progress=lambda d, t: steps.append((d, t)))
    assert batches[0] == cached_ids
    wanted = {r.id for r in rows[-5:]}
    assert batches[1] <= wanted and batches[2] <= wanted and batches[3] <= wanted
    assert batches[1] | batches[2] | batches[3] == wanted
    assert spy.calls[0] == [r.text for r in rows[-5:]]
    assert len(spy.calls) == 2 and len(spy.calls[1]) == 22
    assert set().union(*batches) == {r.id for r in rows}
    assert steps[0] == (3, 30) and steps[-1] == (30, 30)
    assert [d for d, _ in steps] == sorted(d for d, _ in steps)
    assert stats == TranslateStats(total=30, cached=3, translated=27)


def test_cancel_after_the_priority_sentences_keeps_them_and_the_rest_follows(db, small_batch_engine):
    doc_id, _ = add_document(db, numbered_article(12))
    rows = document_sentences(db, doc_id)
    priority = {r.id for r in rows[-2:]}
    batches: list[set[int]] = []
    with pytest.raises(Cancelled, match="2 of 12 sentences"):
        translate_document(db, doc_id, small_batch_engine, priority=priority,
                           on_results=lambda b: batches.append(set(b)),
                           cancelled=lambda: len(batches) >= 1)
    assert batches == [priority]
    assert set(load_translations(db, doc_id, small_batch_engine.model_key)) == priority
    stats = translate_document(db, doc_id, small_batch_engine, priority=priority)
    assert stats == TranslateStats(total=12, cached=2, translated=10)
