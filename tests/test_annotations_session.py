"""Annotations through the document session: the operations write the library, change the state
and say which annotations changed; English annotations follow every change of the English shown
(an edit, a revert, a retranslation, a batch of translations), in the library and in the view.

Real SQLite files and, for the retranslation, the real tiny Argos package through CTranslate2 (its
output is gibberish: only compared with itself, never read as English).
"""

from __future__ import annotations

import pytest

from reader.annotations import AnnotationError, document_annotations
from reader.errors import StoreError
from reader.pipeline import retranslate_sentence, translate_document
from reader.session import Changes, DocumentSession
from reader.store import (
    CachedText,
    add_document,
    document_sentences,
    open_db,
    put_translations,
    set_user_translation,
)
from tests.helpers_store import make_article

EN = "After a long wait, the two foreign ministers talked for one and a half hours with each other."


def machine(db, row, text: str, model: str = "test-model") -> CachedText:
    """Cache a machine translation, as a translation worker does before it reports the batch."""
    from models.engine import TranslationResult

    put_translations(db, model, [TranslationResult(row.text, text, [], [], None, -1.0)],
                     source_hashes=[row.source_hash])
    return CachedText(text, -1.0)


def span(text: str, quote: str) -> tuple[int, int]:
    start = text.index(quote)
    return start, start + len(quote)


@pytest.fixture
def opened(db):
    doc_id, _ = add_document(db, make_article())
    rows = document_sentences(db, doc_id)
    machine(db, rows[2], EN)
    session = DocumentSession.open(db, doc_id, "test-model")
    seen: list[Changes] = []
    session.subscribe(seen.append)
    return session, rows, seen


def test_annotating_both_sides_writes_tells_and_survives_reopening(db, opened):
    session, rows, seen = opened
    sid = rows[2].id
    changes = session.annotate(db, sid, "en", *span(EN, "foreign ministers"), note="wie?", tags=["politiek"])
    [en_id] = changes.annotations
    dutch = session.annotate(db, sid, "nl", *span(rows[2].text, "ministers"), colour="blue")
    [nl_id] = dutch.annotations
    assert seen == [changes, dutch] and changes == Changes(annotations=frozenset({en_id}))
    assert [a.id for a in session.annotations(sid)] == [nl_id, en_id]  # Dutch first
    assert session.annotation(en_id).exact == "foreign ministers"

    again = DocumentSession.open(db, session.doc_id, "test-model")
    assert again.annotations() == session.annotations() == document_annotations(db, session.doc_id)


def test_an_edit_moves_the_english_annotations_in_the_view_and_the_library(db, opened):
    session, rows, seen = opened
    sid = rows[2].id
    [ann_id] = session.annotate(db, sid, "en", *span(EN, "foreign ministers")).annotations
    [nl_id] = session.annotate(db, sid, "nl", 3, 12).annotations
    seen.clear()
    edited = "The foreign ministers finally talked for one and a half hours."

    changes = session.edit(db, sid, edited)

    assert seen == [changes] and sid in changes.text and changes.annotations == {ann_id}
    moved = session.annotation(ann_id)
    assert edited[moved.start:moved.end] == "foreign ministers" and moved.start == 4
    assert {a.id: a for a in document_annotations(db, session.doc_id)}[ann_id] == moved
    assert session.annotation(nl_id).start == 3  # the Dutch side never moves


def test_a_revert_that_loses_the_quote_detaches_and_reattach_puts_it_back(db, opened):
    session, rows, _ = opened
    sid = rows[2].id
    session.edit(db, sid, "The ministers met in Antalya.")
    [ann_id] = session.annotate(db, sid, "en", *span("The ministers met in Antalya.", "Antalya"),
                                note="stad").annotations

    changes = session.revert_to_machine(db, sid)  # back to EN, which has no "Antalya"

    assert changes.annotations == {ann_id} and session.annotation(ann_id).detached
    stored = document_annotations(db, session.doc_id)
    assert [(a.id, a.exact, a.note, a.detached) for a in stored] == [(ann_id, "Antalya", "stad", True)]
    back = session.reattach(db, ann_id, *span(EN, "each other"))
    assert back.annotations == {ann_id}
    assert (session.annotation(ann_id).exact, session.annotation(ann_id).detached) == ("each other", False)


def test_a_retranslation_replacing_the_edit_brings_the_annotation_back_to_the_machine_text(
    db, tiny_package
):
    from models.engine import Engine

    engine = Engine(tiny_package)
    doc_id, _ = add_document(db, make_article())
    translate_document(db, doc_id, engine)
    rows = document_sentences(db, doc_id)
    sid = rows[1].id
    session = DocumentSession.open(db, doc_id, engine.model_key)
    text = session.shown(sid)
    words = text.split()
    assert len(words) >= 2
    quote = max(words, key=len)
    [ann_id] = session.annotate(db, sid, "en", *span(text, quote)).annotations
    start = session.annotation(ann_id).start
    session.edit(db, sid, "My own words first. " + text)
    assert session.annotation(ann_id).start == start + len("My own words first. ")

    result = retranslate_sentence(db, sid, engine, replace_edit=True)
    changes = session.retranslated(result, db=db)

    assert session.shown(sid) == result.target and changes.annotations == {ann_id}
    after = session.annotation(ann_id)
    assert (after.exact, after.detached) == (quote, False)
    assert result.target[after.start:after.end] == quote
    assert document_annotations(db, doc_id) == [after]


def test_translations_arriving_without_db_move_in_memory_and_the_library_catches_up(db, opened):
    session, rows, _ = opened
    sid = rows[2].id
    [ann_id] = session.annotate(db, sid, "en", *span(EN, "each other")).annotations
    newer = machine(db, rows[2], "The ministers talked with each other for ninety minutes.")

    changes = session.translations_arrived({sid: newer})  # the window passes no db

    assert changes.annotations == {ann_id}
    in_view = session.annotation(ann_id)
    assert newer.target[in_view.start:in_view.end] == "each other"
    stale = document_annotations(db, session.doc_id)[0]
    assert stale.start != in_view.start  # not yet written
    reopened = DocumentSession.open(db, session.doc_id, "test-model")
    assert reopened.annotation(ann_id) == document_annotations(db, session.doc_id)[0]
    assert (reopened.annotation(ann_id).start, reopened.annotation(ann_id).exact) == (
        in_view.start, "each other")


def test_translations_arriving_with_db_are_written_at_once(db, opened):
    session, rows, _ = opened
    sid = rows[2].id
    [ann_id] = session.annotate(db, sid, "en", *span(EN, "each other")).annotations
    newer = machine(db, rows[2], "They spoke to each other.")
    session.translations_arrived({sid: newer}, db=db)
    stored = document_annotations(db, session.doc_id)[0]
    assert stored == session.annotation(ann_id) and stored.start == newer.target.index("each other")


def test_edit_delete_and_restore_through_the_session(db, opened):
    session, rows, seen = opened
    first = (rows[2].id, rows[2].text.index("anderhalf"))
    last = (rows[3].id, 6)
    pieces = session.annotate_range(db, "nl", first, last, note="twee zinnen").annotations
    assert len(pieces) == 2
    one = min(pieces)

    changes = session.edit_annotation(db, one, note="samen", colour="pink")
    assert changes.annotations == pieces
    assert {(session.annotation(i).note, session.annotation(i).colour) for i in pieces} == {("samen", "pink")}

    kept = session.annotation(one)
    gone = session.delete_annotation(db, one)
    assert gone.annotations == {one} and one not in {a.id for a in session.annotations()}
    with pytest.raises(AnnotationError, match=f"no annotation {one}"):
        session.annotation(one)
    back = session.restore_annotation(db, kept)
    assert back.annotations == {one} and session.annotation(one) == kept
    assert seen[-3:] == [changes, gone, back]


def test_bad_input_and_a_read_only_library_change_nothing(tmp_path, monkeypatch):
    path = tmp_path / "library.sqlite"
    db = open_db(path)
    doc_id, _ = add_document(db, make_article())
    rows = document_sentences(db, doc_id)
    machine(db, rows[2], EN)
    session = DocumentSession.open(db, doc_id, "test-model")
    [ann_id] = session.annotate(db, rows[2].id, "en", *span(EN, "each other")).annotations
    seen: list[Changes] = []
    session.subscribe(seen.append)
    with pytest.raises(AnnotationError, match="empty"):
        session.annotate(db, rows[2].id, "en", 5, 5)
    with pytest.raises(AnnotationError, match="no English translation"):
        session.annotate(db, rows[0].id, "en", 0, 3)
    with pytest.raises(StoreError, match="no sentence 4242"):
        session.annotate(db, 4242, "nl", 0, 3)
    assert seen == [] and [a.id for a in session.annotations()] == [ann_id]
    set_user_translation(db, rows[2].id, "Later they met each other again.")  # another process
    db.close()

    monkeypatch.setenv("BIREADER_READ_ONLY", "1")
    ro = open_db(path)
    reader = DocumentSession.open(ro, doc_id, "test-model")  # follows the new English in memory
    a = reader.annotation(ann_id)
    assert reader.shown(rows[2].id)[a.start:a.end] == "each other"
    with pytest.raises(StoreError, match="read-only"):
        reader.annotate(ro, rows[2].id, "nl", 0, 2)
    with pytest.raises(StoreError, match="read-only"):
        reader.delete_annotation(ro, ann_id)
    assert reader.annotations() == [a]


def test_switching_to_another_model_reanchors_on_its_english(db, opened):
    session, rows, _ = opened
    sid = rows[2].id
    [ann_id] = session.annotate(db, sid, "en", *span(EN, "one and a half hours")).annotations
    other = machine(db, rows[2], "For one and a half hours the ministers talked.", model="other-model")

    changes = session.reload(db, "other-model")

    assert changes.document and session.shown(sid) == other.target
    a = session.annotation(ann_id)
    assert (a.start, a.exact, a.detached) == (4, "one and a half hours", False)
    assert document_annotations(db, session.doc_id) == [a]
