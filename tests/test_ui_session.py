"""The reading surface and the word highlighter follow the document session's notifications.

One test per notification: the session changes through its own operation, and the view (real Qt
widgets offscreen) shows it with no call of its own, because it reads the session, not a copy.
Real SQLite files and the tiny Argos package (its output is gibberish: compared only with itself).
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF

from reader import store
from reader.alignments import sentence_alignment
from reader.hover import EN, NL, build_tables
from reader.pipeline import retranslate_sentence, translate_document
from reader.session import DocumentSession
from reader.store import CachedText, add_document, document_sentences, open_db
from tests.helpers_store import make_article, numbered_article
from ui.reader_view import ReaderView
from ui.view_content import PENDING_MARK
from ui.word_hover import LAYER, WordHighlighter

EDIT = "Both countries talked for the first time since the invasion."
WAIT_MS = 60_000


@pytest.fixture
def engine(tiny_package):
    from models.engine import Engine

    return Engine(tiny_package)


@pytest.fixture
def view(qtbot):
    v = ReaderView()
    qtbot.addWidget(v)
    v.resize(1100, 700)
    v.show()
    qtbot.waitExposed(v)
    return v


@pytest.fixture
def translated(db, engine):
    doc_id, _ = add_document(db, make_article())
    translate_document(db, doc_id, engine)
    return doc_id, document_sentences(db, doc_id)


def english_of(view: ReaderView, sid: int) -> str:
    row, start, end = view.sentence_span(sid, EN)
    return view.side_text(row, EN)[start:end]


def test_the_view_shows_the_sessions_english_and_changes_only_through_it(db, engine, view, translated):
    doc_id, rows = translated
    session = DocumentSession.open(db, doc_id, engine.model_key)
    view.set_session(session)
    assert view.session() is session
    for r in rows:
        assert english_of(view, r.id) == session.shown(r.id) != ""
    with pytest.raises(TypeError, match="through the session"):
        view.set_translation(rows[0].id, "a copy of my own", edited=True)
    assert english_of(view, rows[0].id) == session.shown(rows[0].id)


def test_translations_arriving_in_the_session_appear_in_the_view(db, engine, view):
    doc_id, _ = add_document(db, make_article())
    rows = document_sentences(db, doc_id)
    session = DocumentSession.open(db, doc_id, engine.model_key)
    view.set_session(session)
    assert all(english_of(view, r.id) == PENDING_MARK for r in rows)
    session.edit(db, rows[1].id, EDIT)

    translate_document(db, doc_id, engine, on_results=session.translations_arrived)

    assert view.translated_count() == len(rows)
    assert english_of(view, rows[1].id) == EDIT and view.is_edited(rows[1].id)
    for r in rows[:1] + rows[2:]:
        assert english_of(view, r.id) == session.machine(r.id) and view.origin(r.id) == "model"


def test_an_edit_in_the_session_shows_in_the_view_as_the_readers(db, engine, view, translated):
    doc_id, rows = translated
    session = DocumentSession.open(db, doc_id, engine.model_key)
    view.set_session(session)
    sid = rows[2].id
    session.edit(db, sid, EDIT)
    assert english_of(view, sid) == EDIT and view.is_edited(sid)
    assert view.origin_label(sid) == "Your translation"


def test_a_revert_in_the_session_shows_the_machine_translation_in_the_view(db, engine, view, translated):
    doc_id, rows = translated
    sid = rows[2].id
    store.set_user_translation(db, sid, EDIT)
    session = DocumentSession.open(db, doc_id, engine.model_key)
    view.set_session(session)
    assert english_of(view, sid) == EDIT
    session.revert_to_machine(db, sid)
    assert english_of(view, sid) == session.machine(sid) and not view.is_edited(sid)
    assert view.origin_label(sid) == ""


def test_a_chosen_alternative_shows_in_the_view_as_the_models(db, engine, view, translated):
    doc_id, rows = translated
    session = DocumentSession.open(db, doc_id, engine.model_key)
    view.set_session(session)
    sid = rows[0].id
    alternative = session.machine(sid) + " (second best)"
    session.choose_alternative(db, sid, alternative)
    assert english_of(view, sid) == alternative and view.origin(sid) == "alternative"
    assert view.origin_label(sid) == "Model alternative (chosen by you)"
    session.choose_alternative(db, sid, session.machine(sid))  # the machine's own: reverted
    assert english_of(view, sid) == session.machine(sid) and not view.is_edited(sid)


def test_a_retranslation_in_the_session_shows_in_the_view(db, engine, view):
    doc_id, _ = add_document(db, make_article())
    rows = document_sentences(db, doc_id)
    session = DocumentSession.open(db, doc_id, engine.model_key)
    view.set_session(session)
    sid = rows[3].id
    assert english_of(view, sid) == PENDING_MARK
    session.retranslated(retranslate_sentence(db, sid, engine, replace_edit=False))
    assert english_of(view, sid) == session.machine(sid) != "" and view.translated_count() == 1


def test_a_reloaded_session_redraws_the_whole_view(db, engine, view, translated, tmp_path):
    doc_id, rows = translated
    session = DocumentSession.open(db, doc_id, engine.model_key)
    view.set_session(session)
    store.set_user_translation(open_db(tmp_path / "test.sqlite"), rows[4].id, EDIT)  # another process
    assert english_of(view, rows[4].id) != EDIT
    session.reload(db, engine.model_key)
    assert english_of(view, rows[4].id) == EDIT and view.is_edited(rows[4].id)


def test_a_view_showing_another_document_no_longer_follows_the_old_session(db, engine, view, translated):
    doc_id, rows = translated
    old = DocumentSession.open(db, doc_id, engine.model_key)
    view.set_session(old)
    other_id, _ = add_document(db, numbered_article(3))
    view.set_session(DocumentSession.open(db, other_id, engine.model_key))
    other_text = view.side_text(view.paragraph_rows()[0], EN)
    old.edit(db, rows[0].id, EDIT)
    assert view.side_text(view.paragraph_rows()[0], EN) == other_text


def _word_point(view: ReaderView, sid: int, side: str, word: str) -> QPointF:
    text = view.sentence_text(sid, side)
    start = text.index(word)
    return view.range_rects(sid, side, start, start + len(word))[0].center()


def test_tables_ready_in_the_session_light_the_words_and_an_edit_puts_them_out(db, view, qtbot):
    nl = "Lavrov sprak 2 uur met Koeleba."
    doc_id, _ = add_document(db, make_article([("body", nl)]))
    [row] = document_sentences(db, doc_id)
    store.set_user_translation(db, row.id, "Lavrov talked with Kuleba for 2 hours.")
    session = DocumentSession.open(db, doc_id, None)
    view.set_session(session)
    highlighter = WordHighlighter(view)
    highlighter.set_session(session)
    hit = view.hit_test(_word_point(view, row.id, NL, "Koeleba"))

    highlighter.on_pointer(hit)
    assert view.highlights(LAYER) == []  # no table yet: nothing to show

    pairs = session.pairs()
    aligned = {row.id: sentence_alignment(db, *pairs[row.id], cached=None)}
    session.alignment_ready(build_tables(aligned, pairs))
    highlighter.on_pointer(hit)
    assert "Kuleba" in view.highlighted_text(LAYER)[EN]

    highlighter.pin(highlighter.ref_at(hit))
    session.edit(db, row.id, "Lavrov spoke to Kuleba for two hours.")  # the table no longer fits
    assert view.highlights(LAYER) == [] and highlighter.table(row.id) is None


def test_each_translated_batch_is_aligned_on_its_own(tiny_package, make_window, qtbot):
    """The window aligns what a batch brought, never the whole document again per batch."""
    from models.engine import Engine, TranslationResult

    window = make_window()
    doc_id, _ = add_document(window.db, numbered_article(30))
    engine = Engine(tiny_package)
    translate_document(window.db, doc_id, engine)
    with qtbot.waitSignal(window.words.aligned, timeout=WAIT_MS) as opened:
        window.open_document(doc_id)
    order = window.view.content().order
    assert set(opened.args[0]) == set(order)

    batch = order[10:13]  # as the translation worker does: saved first, then handed to the session
    rows = {r.id: r for r in document_sentences(window.db, doc_id)}
    results = {sid: TranslationResult(rows[sid].text, f"Minister {sid} spoke.", [], [], None, None, [])
               for sid in batch}
    store.put_translations(
        window.db, engine.model_key, results.values(), source_hashes=[rows[sid].source_hash for sid in batch]
    )
    with qtbot.waitSignal(window.words.aligned, timeout=WAIT_MS) as aligned:
        window.session.translations_arrived({sid: CachedText.of(r) for sid, r in results.items()})

    assert set(aligned.args[0]) == set(batch)
    assert all(window.words.highlighter.table(sid).en_text == f"Minister {sid} spoke." for sid in batch)


def test_the_window_shows_what_its_session_says(tiny_package, make_window, qtbot):
    window = make_window()
    doc_id, _ = add_document(window.db, make_article())
    with qtbot.waitSignal(window.translation_ended, timeout=WAIT_MS):
        window.open_document(doc_id)
    session = window.session
    sid = window.view.content().order[1]
    session.edit(window.db, sid, EDIT)  # not through the window: it follows anyway
    assert window.view.translation(sid) == EDIT and window.view.is_edited(sid)
    window.revert_user_translation(sid)
    assert session.shown(sid) == session.machine(sid) == window.view.translation(sid)
    assert store.user_translations(window.db, doc_id) == {}
    session.translations_arrived({sid: CachedText("A later machine translation.")})
    assert window.view.translation(sid) == "A later machine translation."


def test_the_sidebars_done_share_follows_the_session(empty_packages, make_window, qtbot):
    """With no model nothing is translated; the reader's own versions count as done, at once."""
    window = make_window()
    doc_id, _ = add_document(window.db, make_article())  # 5 sentences
    window.refresh_library()
    assert window.open_document(doc_id)
    assert window.library.done_text(doc_id) == "0%"
    first, second = window.view.content().order[:2]
    window.session.edit(window.db, first, EDIT)
    window.session.edit(window.db, second, EDIT)
    qtbot.waitUntil(lambda: window.library.done_text(doc_id) == "40%", timeout=WAIT_MS)
