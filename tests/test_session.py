"""The document session: each operation's state change, what it tells subscribers, what it writes.

Real SQLite files, the real tiny Argos package through CTranslate2 (its output is gibberish: only
compared with itself, never read as English), real alignments.
"""

from __future__ import annotations

import pytest

from reader import store
from reader.alignments import document_alignments, sentence_alignment
from reader.document import document_view
from reader.errors import StoreError
from reader.hover import build_tables
from reader.pipeline import retranslate_sentence, translate_document
from reader.session import ALTERNATIVE, MODEL, USER, Changes, DocumentSession
from reader.store import CachedText, add_document, document_sentences, open_db, user_versions
from tests.helpers_store import N_SENTENCES, make_article, numbered_article

EDIT = "Both countries talked for the first time since the invasion."


@pytest.fixture
def engine(tiny_package):
    from models.engine import Engine

    return Engine(tiny_package)


@pytest.fixture
def translated(db, engine):
    """A translated document: (doc_id, sentence rows)."""
    doc_id, _ = add_document(db, make_article())
    translate_document(db, doc_id, engine)
    return doc_id, document_sentences(db, doc_id)


def opened(db, doc_id, model_key) -> tuple[DocumentSession, list[Changes]]:
    session = DocumentSession.open(db, doc_id, model_key)
    seen: list[Changes] = []
    session.subscribe(seen.append)
    return session, seen


def test_opening_reads_the_cached_english_text_only(db, engine, translated):
    doc_id, rows = translated
    session = DocumentSession.open(db, doc_id, engine.model_key)
    full = store.get_cached(db, engine.model_key, [r.source_hash for r in rows])
    for r in rows:
        s = session.sentence(r.id)
        assert session.shown(r.id) == full[r.source_hash].target != ""
        assert session.origin(r.id) == MODEL
        assert isinstance(s.translation, CachedText)  # text, score, alternatives; no attention
        assert s.translation.score == pytest.approx(full[r.source_hash].score)
    assert session.translated_count() == N_SENTENCES and session.untranslated() == []


def test_cached_texts_match_the_full_rows_and_skip_other_models(db, engine, translated):
    _, rows = translated
    hashes = [r.source_hash for r in rows]
    store.put_translations(db, "another-model", [store.get_cached(db, engine.model_key, hashes)[hashes[0]]])
    texts = store.get_cached_texts(db, engine.model_key, hashes)
    full = store.get_cached(db, engine.model_key, hashes)
    assert texts.keys() == full.keys() and len(texts) == len(set(hashes))
    for key, text in texts.items():
        assert (text.target, text.score, list(text.alternatives)) == (
            full[key].target, full[key].score, full[key].alternatives
        )
    assert store.get_cached_texts(db, "no-such-model", hashes) == {}


def test_translations_arriving_show_on_untranslated_sentences_and_not_over_an_edit(db, engine):
    doc_id, _ = add_document(db, make_article())
    rows = document_sentences(db, doc_id)
    session, seen = opened(db, doc_id, engine.model_key)
    session.edit(db, rows[1].id, EDIT)
    seen.clear()

    translate_document(db, doc_id, engine, on_results=session.translations_arrived)

    arrived = Changes(
        text=frozenset().union(*(c.text for c in seen)),
        origin=frozenset().union(*(c.origin for c in seen)),
        machine=frozenset().union(*(c.machine for c in seen)),
    )
    others = {r.id for r in rows} - {rows[1].id}
    assert arrived.text == others == arrived.origin  # the repeated sentence included
    assert arrived.machine == {r.id for r in rows}  # the edited one has a machine text now too
    assert session.shown(rows[1].id) == EDIT and session.origin(rows[1].id) == USER
    assert session.machine(rows[1].id) == store.get_cached(db, engine.model_key, [rows[1].source_hash])[
        rows[1].source_hash
    ].target
    assert all(session.origin(sid) == MODEL for sid in others)

    seen.clear()  # the same translations again (e.g. "translate the rest"): nothing changes
    translate_document(db, doc_id, engine, on_results=session.translations_arrived)
    assert seen == []


def test_translations_of_other_documents_and_empty_ones_are_ignored(db, engine, translated):
    doc_id, rows = translated
    other_id, _ = add_document(db, numbered_article(3))
    session, seen = opened(db, other_id, engine.model_key)
    shown = {sid: session.shown(sid) for sid in session.sentence_ids()}
    changes = session.translations_arrived(
        {rows[0].id: CachedText("from another document"), session.sentence_ids()[0]: CachedText("  ")}
    )
    assert not changes and seen == []
    assert {sid: session.shown(sid) for sid in session.sentence_ids()} == shown


def test_an_edit_is_saved_shown_and_announced_and_reopening_shows_it(db, engine, translated, tmp_path):
    doc_id, rows = translated
    session, seen = opened(db, doc_id, engine.model_key)
    sid = rows[1].id
    machine = session.shown(sid)

    changes = session.edit(db, sid, EDIT)

    assert seen == [changes] and changes == Changes(text=frozenset({sid}), origin=frozenset({sid}))
    assert session.shown(sid) == EDIT and session.is_edited(sid) and session.origin(sid) == USER
    assert session.machine(sid) == machine  # still there to go back to
    assert user_versions(db, doc_id) == {sid: store.UserVersion(EDIT, USER)}
    again = DocumentSession.open(open_db(tmp_path / "test.sqlite"), doc_id, engine.model_key)
    assert again.shown(sid) == EDIT and again.origin(sid) == USER

    seen.clear()
    assert not session.edit(db, sid, EDIT) and seen == []  # the same text again: nothing to say


def test_reverting_shows_the_machine_translation_again_everywhere(db, engine, translated, tmp_path):
    doc_id, rows = translated
    session, seen = opened(db, doc_id, engine.model_key)
    sid = rows[2].id
    machine = session.shown(sid)
    session.edit(db, sid, EDIT)
    seen.clear()

    changes = session.revert_to_machine(db, sid)

    assert seen == [changes] and changes == Changes(text=frozenset({sid}), origin=frozenset({sid}))
    assert session.shown(sid) == machine and session.origin(sid) == MODEL and not session.is_edited(sid)
    assert user_versions(db, doc_id) == {}
    reopened = DocumentSession.open(open_db(tmp_path / "test.sqlite"), doc_id, engine.model_key)
    assert reopened.shown(sid) == machine


def test_a_blank_edit_reverts_to_the_machine_translation(db, engine, translated):
    doc_id, rows = translated
    session, _ = opened(db, doc_id, engine.model_key)
    sid = rows[0].id
    session.edit(db, sid, EDIT)
    session.edit(db, sid, "   ")
    assert session.origin(sid) == MODEL and user_versions(db, doc_id) == {}


def test_an_edit_of_an_untranslated_sentence_and_its_revert_to_nothing(db):
    doc_id, rows = add_document(db, make_article())[0], None
    rows = document_sentences(db, doc_id)
    session, seen = opened(db, doc_id, None)
    sid = rows[0].id
    session.edit(db, sid, EDIT)
    assert session.translated_count() == 1 and session.untranslated() == [r.id for r in rows[1:]]
    changes = session.revert_to_machine(db, sid)
    assert changes.text == {sid} and changes.origin == {sid}
    assert session.shown(sid) == "" and session.origin(sid) is None


def test_choosing_the_machines_own_text_reverts_an_edit(db, engine, translated, tmp_path):
    doc_id, rows = translated
    session, seen = opened(db, doc_id, engine.model_key)
    sid = rows[1].id
    machine = session.machine(sid)
    session.edit(db, sid, EDIT)
    seen.clear()

    changes = session.choose_alternative(db, sid, machine)

    assert seen == [changes] and changes.origin == {sid} and changes.text == {sid}
    assert session.origin(sid) == MODEL and session.shown(sid) == machine
    assert user_versions(db, doc_id) == {}  # reverted, not stored as a version of the reader's
    reopened = DocumentSession.open(open_db(tmp_path / "test.sqlite"), doc_id, engine.model_key)
    assert reopened.origin(sid) == MODEL


def test_choosing_another_alternative_keeps_it_marked_as_the_models(db, engine, translated, tmp_path):
    doc_id, rows = translated
    session, seen = opened(db, doc_id, engine.model_key)
    sid = rows[3].id
    alternative = session.machine(sid) + " (second best)"

    changes = session.choose_alternative(db, sid, alternative)

    assert seen == [changes] and changes == Changes(text=frozenset({sid}), origin=frozenset({sid}))
    assert session.shown(sid) == alternative and session.origin(sid) == ALTERNATIVE
    assert user_versions(db, doc_id) == {sid: store.UserVersion(alternative, ALTERNATIVE)}
    reopened = DocumentSession.open(open_db(tmp_path / "test.sqlite"), doc_id, engine.model_key)
    assert reopened.shown(sid) == alternative and reopened.origin(sid) == ALTERNATIVE

    seen.clear()  # the English already shown, chosen again: nothing is written or announced
    assert not session.choose_alternative(db, sid, alternative) and seen == []
    with pytest.raises(ValueError, match="cannot be empty"):
        session.choose_alternative(db, sid, " ")
    assert session.shown(sid) == alternative


def test_the_same_words_chosen_or_typed_change_only_whose_they_are(db, engine, translated):
    doc_id, rows = translated
    session, seen = opened(db, doc_id, engine.model_key)
    sid = rows[0].id
    session.edit(db, sid, EDIT)
    changes = session.choose_alternative(db, sid, EDIT + "!")
    assert changes.text == {sid} and changes.origin == {sid} and session.origin(sid) == ALTERNATIVE
    changes = session.edit(db, sid, EDIT + "!")  # the reader now types the same words: theirs
    assert changes == Changes(origin=frozenset({sid})) and session.origin(sid) == USER


def test_a_retranslation_replacing_the_edit_shows_the_new_machine_text(db, engine, translated):
    doc_id, rows = translated
    session, seen = opened(db, doc_id, engine.model_key)
    sid = rows[1].id
    session.edit(db, sid, EDIT)
    seen.clear()

    result = retranslate_sentence(db, sid, engine, replace_edit=True)
    changes = session.retranslated(result)

    assert seen == [changes] and sid in changes.text and sid in changes.origin
    assert session.shown(sid) == result.target and session.origin(sid) == MODEL


def test_a_retranslation_keeping_the_edit_keeps_showing_it(db, engine, translated):
    doc_id, rows = translated
    session, seen = opened(db, doc_id, engine.model_key)
    sid = rows[1].id
    session.edit(db, sid, EDIT)
    seen.clear()

    result = retranslate_sentence(db, sid, engine, replace_edit=False)
    changes = session.retranslated(result)

    assert not changes.text and not changes.origin  # deterministic decoding: the same machine text
    assert session.shown(sid) == EDIT and session.machine(sid) == result.target


def test_a_retranslation_of_a_sentence_the_session_had_no_translation_for(db, engine):
    doc_id, _ = add_document(db, make_article())
    rows = document_sentences(db, doc_id)
    session, seen = opened(db, doc_id, engine.model_key)
    result = retranslate_sentence(db, rows[0].id, engine, replace_edit=False)
    changes = session.retranslated(result)
    sid = rows[0].id
    assert changes == Changes(text=frozenset({sid}), origin=frozenset({sid}), machine=frozenset({sid}))
    assert session.shown(sid) == result.target and session.origin(sid) == MODEL


def _tables(db, session, ids):
    pairs = session.pairs(ids)
    aligned = {sid: sentence_alignment(db, nl, en, cached=None) for sid, (nl, en) in pairs.items()}
    return build_tables(aligned, pairs)


def test_alignment_tables_are_kept_only_while_they_fit_the_english_shown(db, engine, translated):
    doc_id, rows = translated
    session, seen = opened(db, doc_id, engine.model_key)
    ids = [rows[0].id, rows[1].id]
    tables = _tables(db, session, ids)
    assert tables.keys() == set(ids)
    session.edit(db, rows[1].id, EDIT)  # the worker's table for rows[1] is now stale
    seen.clear()

    changes = session.alignment_ready(tables)

    assert seen == [changes] and changes == Changes(alignment=frozenset({rows[0].id}))
    assert session.table(rows[0].id) is tables[rows[0].id] and session.table(rows[1].id) is None

    changes = session.edit(db, rows[0].id, EDIT)  # an edit drops the table it no longer fits
    assert changes.alignment == {rows[0].id} and session.table(rows[0].id) is None


def test_an_unknown_sentence_is_a_clear_error_and_changes_nothing(db, engine, translated):
    doc_id, rows = translated
    session, seen = opened(db, doc_id, engine.model_key)
    for operation in (
        lambda: session.edit(db, 987654, EDIT),
        lambda: session.revert_to_machine(db, 987654),
        lambda: session.choose_alternative(db, 987654, EDIT),
    ):
        with pytest.raises(StoreError, match=r"no sentence 987654 in the open document .*reopen"):
            operation()
    assert seen == [] and user_versions(db, doc_id) == {}


def test_a_document_removed_meanwhile_refuses_changes_and_keeps_the_state(db, engine, translated, tmp_path):
    doc_id, rows = translated
    session, seen = opened(db, doc_id, engine.model_key)
    sid = rows[1].id
    session.edit(db, sid, EDIT)
    seen.clear()
    store.remove_document(open_db(tmp_path / "test.sqlite"), doc_id)  # e.g. `bireader library remove`

    for operation in (
        lambda: session.edit(db, sid, "Another version."),
        lambda: session.revert_to_machine(db, sid),
        lambda: session.choose_alternative(db, sid, "An alternative."),
    ):
        with pytest.raises(StoreError, match="document may have been removed"):
            operation()
    assert seen == [] and session.shown(sid) == EDIT and session.origin(sid) == USER
    with pytest.raises(StoreError, match=f"no document {doc_id}"):
        DocumentSession.open(db, doc_id, engine.model_key)
    with pytest.raises(StoreError, match=f"no document {doc_id}"):
        session.reload(db, engine.model_key)
    assert seen == []


def test_reload_reads_changes_made_elsewhere_and_keeps_fitting_tables(db, engine, translated, tmp_path):
    doc_id, rows = translated
    session, seen = opened(db, doc_id, engine.model_key)
    session.alignment_ready(_tables(db, session, [rows[0].id, rows[1].id]))
    store.set_user_translation(open_db(tmp_path / "test.sqlite"), rows[1].id, EDIT)  # another process
    seen.clear()

    changes = session.reload(db, engine.model_key)

    assert seen == [changes] and changes.document
    assert session.shown(rows[1].id) == EDIT and session.origin(rows[1].id) == USER
    assert session.table(rows[0].id) is not None and session.table(rows[1].id) is None


def test_unsubscribed_observers_hear_nothing_more(db, engine, translated):
    doc_id, rows = translated
    session = DocumentSession.open(db, doc_id, engine.model_key)
    first, second = [], []
    unsubscribe = session.subscribe(first.append)
    session.subscribe(second.append)
    session.edit(db, rows[0].id, EDIT)
    unsubscribe()
    unsubscribe()  # twice is harmless
    session.revert_to_machine(db, rows[0].id)
    assert len(first) == 1 and len(second) == 2


def test_aligning_one_batch_aligns_only_the_sentences_it_brought(db, engine):
    """Per translated batch the window aligns what the batch brought, not the whole document."""
    doc_id, _ = add_document(db, numbered_article(9))
    translate_document(db, doc_id, engine)
    ids = [s.id for s in document_view(db, doc_id, engine.model_key).sentences()]
    batch = ids[3:5]

    aligned = document_alignments(db, doc_id, engine.model_key, sentence_ids=batch)

    assert aligned.keys() == set(batch)
    assert db.execute("SELECT count(*) FROM alignments").fetchone()[0] == len(batch)
    assert document_alignments(db, doc_id, engine.model_key).keys() == set(ids)
