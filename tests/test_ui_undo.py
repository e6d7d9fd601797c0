"""Edit → Undo and Redo of annotations, saved phrases and link corrections in the reader window.

Real parts: the tiny test package (the English is a user translation: the model's is gibberish),
SQLite files, Qt widgets offscreen. Undo must put back exactly what was there (same ids, same
dates), and a step whose rows another process removed must say so instead of failing silently.
"""

from __future__ import annotations

from PySide6.QtCore import Qt

from reader import annotations as notes
from reader import phrases, store
from reader.hover import NL
from tests.test_ui_annotate import (
    CALL_EN,
    CALL_NL,
    LAVROV_EN,
    LAVROV_NL,
    add_article,
    fill_annotation,
    open_aligned,
    painted,
    select_word,
    stored,
    window,  # noqa: F401 (the fixture)
)


def test_undo_of_a_selection_across_sentences_removes_every_piece_and_redo_restores_them(window, qtbot):  # noqa: F811
    doc_id = add_article(f"{LAVROV_NL} {CALL_NL}", {LAVROV_NL: LAVROV_EN, CALL_NL: CALL_EN})
    first, second = open_aligned(qtbot, window, doc_id)
    view = window.view
    row, start, _ = view.sentence_span(first, NL)
    _, start_b, _ = view.sentence_span(second, NL)
    view.select_text(NL, (row, start + LAVROV_NL.index("Koeleba")), (row, start_b + len("Hij belde")))
    window.annotating.annotate()
    fill_annotation(window, "two pieces", "blue", ["x"])
    made = stored(doc_id)
    assert [a.exact for a in made] == ["Koeleba.", "Hij belde"]
    assert window.undo_action.text() == "&Undo Annotate"

    window.undo_action.trigger()
    assert stored(doc_id) == [] and painted(window) == {NL: [], "en": []}
    window.redo_action.trigger()
    assert stored(doc_id) == made  # same ids, group, quotes and dates
    assert painted(window)[NL] == ["Koeleba.", "Hij belde"]


def test_undo_and_redo_of_a_saved_phrases_status(window, qtbot):  # noqa: F811
    doc_id = add_article(CALL_NL, {CALL_NL: CALL_EN})
    [sid] = open_aligned(qtbot, window, doc_id)
    select_word(window, sid, NL, "moeder")
    dialog = window.annotating.save_phrase()
    dialog.english.setText("mother")
    dialog.accept()
    db = store.open_db()
    [saved] = phrases.list_phrases(db)
    dialog = window.annotating.edit_phrase(saved.id)
    assert dialog.english.text() == "mother" and dialog.status.currentData() == "new"
    dialog.status.setCurrentIndex(dialog.status.findData("known"))
    dialog.note.setPlainText("easy")
    dialog.accept()
    assert (phrases.get_phrase(db, saved.id).status, phrases.get_phrase(db, saved.id).note) == (
        "known",
        "easy",
    )

    window.undo_action.trigger()
    back = phrases.get_phrase(db, saved.id)
    assert (back.status, back.note, back.en) == ("new", "", "mother")
    window.redo_action.trigger()
    assert phrases.get_phrase(db, saved.id).status == "known"
    window.undo_action.trigger()
    window.undo_action.trigger()  # the saving itself
    assert phrases.list_phrases(db) == []
    assert painted(window, "phrase")[NL] == []
    db.close()


def test_undoing_a_step_whose_annotation_another_process_deleted_says_so(window, qtbot):  # noqa: F811
    doc_id = add_article(LAVROV_NL, {LAVROV_NL: LAVROV_EN})
    [sid] = open_aligned(qtbot, window, doc_id)
    select_word(window, sid, NL, "Koeleba")
    window.annotating.annotate()
    fill_annotation(window, "gone soon")
    [a] = stored(doc_id)
    other = store.open_db()  # e.g. `bireader` in a terminal
    notes.delete_annotation(other, a.id)
    other.close()

    window.undo_action.trigger()
    message = window.statusBar().currentMessage()
    assert message.startswith("Undo of “Annotate” failed:") and f"no annotation {a.id}" in message
    assert window.annotating.history.count() == 0  # the step is dropped, not left to fail again
    assert not window.undo_action.isEnabled()


def test_ctrl_z_in_the_inline_editor_undoes_typing_not_an_annotation(window, qtbot):  # noqa: F811
    doc_id = add_article(LAVROV_NL, {LAVROV_NL: LAVROV_EN})
    [sid] = open_aligned(qtbot, window, doc_id)
    select_word(window, sid, NL, "Koeleba")
    window.annotating.annotate()
    fill_annotation(window, "stays")
    editor = window.view.edit_translation(sid)
    editor.setFocus()
    qtbot.keyClicks(editor, " Yes")
    qtbot.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert not editor.toPlainText().endswith(" Yes")
    assert [x.note for x in stored(doc_id)] == ["stays"]
