"""Annotations, saved phrases and corrected links in the reader window.

Real parts throughout: the tiny test package (its English is gibberish, so the English side is a
user translation, as in tests/test_ui_words.py), SQLite files, Qt widgets offscreen. Each test
goes through what a reader does: select (or point), press the shortcut or use the menu, fill the
dialog, and look at the text.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QHelpEvent, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QToolTip

from reader import annotations as notes
from reader import links, phrases, store
from reader.dictionary import write_dictd
from reader.importer import parse_text
from reader.phrases import PhraseMatch
from ui.annotate import NOTHING_TO_ANNOTATE, NOTHING_TO_SAVE, ONE_SENTENCE
from ui.annotate_dialogs import AnnotationDialog, PhraseDialog
from ui.main_window import MainWindow
from ui.reader_view import EN, INTERLEAVED, NL, SIDE_BY_SIDE
from ui.view_input import tooltip_html
from ui.view_paint import ANNOTATION_LAYER, MARK, PHRASE_LAYER, annotation_color

WAIT_MS = 60_000
LAVROV_NL = "Lavrov sprak 2 uur met Koeleba."
LAVROV_EN = "Lavrov talked with Kuleba for 2 hours."
CALL_NL = "Hij belde zijn moeder op."
CALL_EN = "He called his mother."
TWO_PARAGRAPHS = f"{LAVROV_NL} {CALL_NL}\n\nDe oorlog in Oekraïne duurt voort."
WAR_EN = "The war in Ukraine continues."


def add_article(text: str, translations: dict[str, str]) -> int:
    db = store.open_db()
    try:
        doc_id, _ = store.add_document(db, parse_text(text))
        for row in store.document_sentences(db, doc_id):
            if row.text in translations:
                store.set_user_translation(db, row.id, translations[row.text])
    finally:
        db.close()
    return doc_id


ENTRIES = [
    ("bellen", "bellen\nring\n"),
    ("opbellen", "opbellen\ntelephone\ncall\n"),
    ("moeder", "moeder\nmother\n"),
]


@pytest.fixture
def small_dictionary(tmp_path, monkeypatch):
    """A small dictd dictionary in BIREADER_DICT (the real one is GPL: never copied here)."""
    folder = tmp_path / "dictd"
    write_dictd(folder, ENTRIES)
    monkeypatch.setenv("BIREADER_DICT", str(folder))
    return folder


@pytest.fixture
def window(tiny_package, make_window) -> MainWindow:
    return make_window((1200, 700))


def open_aligned(qtbot, window: MainWindow, doc_id: int) -> list[int]:
    with qtbot.waitSignal(window.words.aligned, timeout=WAIT_MS):
        window.open_document(doc_id)
    return window.view.content().order


def select_word(window: MainWindow, sid: int, side: str, word: str, *, add: bool = False) -> None:
    view = window.view
    row, start, _ = view.sentence_span(sid, side)
    offset = view.sentence_text(sid, side).index(word)
    view.select_text(side, (row, start + offset), (row, start + offset + len(word)), add=add)


def word_point(window: MainWindow, sid: int, side: str, word: str) -> QPoint:
    view = window.view
    start = view.sentence_text(sid, side).index(word)
    [rect] = view.range_rects(sid, side, start, start + len(word))
    return rect.center().toPoint()


def hover(qtbot, window: MainWindow, sid: int, side: str, word: str) -> None:
    point = word_point(window, sid, side, word)
    qtbot.mouseMove(window.view.viewport(), point + QPoint(0, 1))
    qtbot.mouseMove(window.view.viewport(), point)
    qtbot.waitUntil(lambda: window.words.highlighter.current_word() is not None, timeout=2000)


def fill_annotation(window: MainWindow, note: str = "", colour: str = "yellow", tags=()) -> None:
    dialog = window.annotating.dialog
    assert isinstance(dialog, AnnotationDialog) and dialog.isVisible()
    dialog.note.setPlainText(note)
    dialog.colour.setCurrentIndex(dialog.colour.findData(colour))
    for tag in tags:  # typed, then Enter: the tag is listed and the dialog stays open
        dialog.tags.entry.setText(tag)
        QTest.keyClick(dialog.tags.entry, Qt.Key.Key_Return)
        assert dialog.isVisible()
    dialog.accept()


def painted(window: MainWindow, layer: str = ANNOTATION_LAYER) -> dict[str, list[str]]:
    return window.view.highlighted_text(layer)


def marked(qtbot, window: MainWindow) -> dict[str, list[str]]:
    """The saved-phrase marks, once the worker matching them has delivered."""
    qtbot.waitUntil(lambda: not window.annotating.marking_pending(), timeout=WAIT_MS)
    return painted(window, PHRASE_LAYER)


def stored(doc_id: int) -> list[notes.Annotation]:
    db = store.open_db()
    try:
        return notes.document_annotations(db, doc_id)
    finally:
        db.close()


# --------------------------------------------------------------------------- annotations


def test_a_selection_annotated_from_the_shortcut_shows_in_its_colour_in_both_layouts_with_its_note(
    window, qtbot
):
    doc_id = add_article(LAVROV_NL, {LAVROV_NL: LAVROV_EN})
    [sid] = open_aligned(qtbot, window, doc_id)
    select_word(window, sid, NL, "Koeleba")
    window.view.setFocus()
    qtbot.keyClick(
        window.view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    qtbot.waitUntil(lambda: isinstance(window.annotating.dialog, AnnotationDialog), timeout=2000)
    fill_annotation(window, "Minister of\nforeign affairs", "green", ["people"])

    [a] = stored(doc_id)
    assert (a.side, a.exact, a.note, a.colour, a.tags) == (
        NL,
        "Koeleba",
        "Minister of\nforeign affairs",
        "green",
        ("people",),
    )
    assert painted(window) == {NL: ["Koeleba"], EN: []}
    [h] = window.view.highlights(ANNOTATION_LAYER)
    assert h.color == annotation_color("green", dark=False)
    point = word_point(window, sid, NL, "Koeleba")
    assert window.view.tooltip_at(point) == "Minister of\nforeign affairs\nTags: people"
    assert window.view.tooltip_at(word_point(window, sid, NL, "Lavrov")) == ""
    viewport = window.view.viewport()
    QApplication.sendEvent(viewport, QHelpEvent(QEvent.Type.ToolTip, point, viewport.mapToGlobal(point)))
    expected = "<p style='white-space:pre-wrap'>Minister of<br>foreign affairs<br>Tags: people</p>"
    assert QToolTip.text() == expected

    window.set_layout_mode(INTERLEAVED)
    assert painted(window) == {NL: ["Koeleba"], EN: []}
    assert "Minister" in window.view.tooltip_at(word_point(window, sid, NL, "Koeleba"))
    window.set_layout_mode(SIDE_BY_SIDE)

    for theme in ("light", "dark"):  # deeper tones in the dark theme, under light text
        window.set_theme(theme)
        [h] = window.view.highlights(ANNOTATION_LAYER)
        assert h.color == annotation_color("green", dark=theme == "dark")
        image = window.view.viewport().grab().toImage()
        start = LAVROV_NL.index("Koeleba")
        [rect] = window.view.range_rects(sid, NL, start, start + 7)
        inside = image.pixelColor(rect.topLeft().toPoint() + QPoint(1, 1))
        outside = image.pixelColor(rect.topLeft().toPoint() + QPoint(1, -4))
        assert outside == window.view.colors().background and inside != outside

    # Reopened, the annotation is drawn again from the library.
    window.close_document()
    open_aligned(qtbot, window, doc_id)
    assert painted(window) == {NL: ["Koeleba"], EN: []}


def test_the_hovered_phrase_on_the_english_side_is_annotated_and_the_annotation_follows_an_edit(
    window, qtbot
):
    doc_id = add_article(LAVROV_NL, {LAVROV_NL: LAVROV_EN})
    [sid] = open_aligned(qtbot, window, doc_id)
    hover(qtbot, window, sid, EN, "Kuleba")
    window.annotate_action.trigger()
    fill_annotation(window, "who")
    [a] = stored(doc_id)
    assert (a.side, a.exact) == (EN, "Kuleba")
    assert painted(window) == {NL: [], EN: ["Kuleba"]}

    window.save_user_translation(sid, "Lavrov spoke with Kuleba for two hours.")
    assert painted(window) == {NL: [], EN: ["Kuleba"]}  # re-anchored by the session, repainted


def test_an_empty_selection_says_what_to_do_and_saves_nothing(window, qtbot):
    doc_id = add_article(LAVROV_NL, {LAVROV_NL: LAVROV_EN})
    [sid] = open_aligned(qtbot, window, doc_id)
    window.annotate_action.trigger()
    assert window.statusBar().currentMessage() == NOTHING_TO_ANNOTATE
    assert window.annotating.dialog is None

    row, start, _ = window.view.sentence_span(sid, NL)
    window.view.select_text(NL, (row, start + 6), (row, start + 7))  # only the space after "Lavrov"
    window.annotate_action.trigger()
    assert window.statusBar().currentMessage() == NOTHING_TO_ANNOTATE
    assert window.annotating.dialog is None
    assert stored(doc_id) == []
    assert painted(window) == {NL: [], EN: []}

    window.save_phrase_action.trigger()
    assert window.statusBar().currentMessage() == NOTHING_TO_SAVE
    assert not isinstance(window.annotating.dialog, PhraseDialog)


def test_a_selection_across_paragraphs_is_anchored_to_each_sentence_it_covers(window, qtbot):
    doc_id = add_article(TWO_PARAGRAPHS, {LAVROV_NL: LAVROV_EN, CALL_NL: CALL_EN})
    first, second, third = open_aligned(qtbot, window, doc_id)
    view = window.view
    row_a, start_a, _ = view.sentence_span(first, NL)
    row_c, start_c, _ = view.sentence_span(third, NL)
    view.select_text(
        NL, (row_a, start_a + view.sentence_text(first, NL).index("Koeleba")), (row_c, start_c + 2)
    )
    point = word_point(window, first, NL, "Koeleba")
    window.sentences.show_menu(first, view.viewport().mapToGlobal(point))  # the context menu
    [annotate] = [a for a in window._menu.actions() if a.text() == "Annotate…"]
    window._menu.close()
    annotate.trigger()
    fill_annotation(window, "across", "blue")

    pieces = stored(doc_id)
    assert [(p.sentence_id, p.exact) for p in pieces] == [
        (first, "Koeleba."),
        (second, CALL_NL),
        (third, "De"),
    ]
    assert len({p.group_id for p in pieces}) == 1 and pieces[0].group_id is not None
    assert painted(window)[NL] == ["Koeleba.", CALL_NL, "De"]


def test_long_notes_control_characters_right_to_left_text_and_tags_with_commas(window, qtbot):
    doc_id = add_article(LAVROV_NL, {LAVROV_NL: LAVROV_EN})
    [sid] = open_aligned(qtbot, window, doc_id)
    long_note = ("Lang verhaal. " * 7200)[:100_000]
    select_word(window, sid, NL, "Lavrov")
    window.annotating.annotate()
    fill_annotation(window, long_note, tags=["Oekraïne, oorlog", "  twee   woorden "])
    select_word(window, sid, NL, "Koeleba")
    window.annotating.annotate()
    fill_annotation(window, "bell\x07 and \x1b[31mred\u202e שלום עולם", "pink")

    first, second = stored(doc_id)
    assert first.note == long_note and len(first.note) == 100_000
    assert first.tags == ("Oekraïne, oorlog", "twee woorden")
    assert second.note == "bell and [31mred\u202e שלום עולם"  # control characters dropped, RTL kept
    tip = window.view.tooltip_at(word_point(window, sid, NL, "Lavrov"))
    assert tip.startswith("Lang verhaal.") and tip.endswith("Tags: Oekraïne, oorlog, twee woorden")
    shown = tooltip_html(tip)
    assert shown.startswith("<p") and len(shown) < 2_000  # a screenful, not 100,000 characters
    rtl = tooltip_html(window.view.tooltip_at(word_point(window, sid, NL, "Koeleba")))
    assert "שלום עולם" in rtl and "\x1b" not in rtl

    # Tags are offered again, whole, when the next annotation is made.
    select_word(window, sid, NL, "sprak")
    dialog = window.annotating.annotate()
    model = dialog.tags.completer.model()
    assert sorted(model.index(i, 0).data() for i in range(model.rowCount())) == [
        "Oekraïne, oorlog",
        "twee woorden",
    ]
    dialog.reject()
    assert len(stored(doc_id)) == 2


def test_edit_and_delete_from_the_context_menu_and_undo_restores_exactly(window, qtbot):
    doc_id = add_article(LAVROV_NL, {LAVROV_NL: LAVROV_EN})
    [sid] = open_aligned(qtbot, window, doc_id)
    select_word(window, sid, NL, "Koeleba")
    window.annotating.annotate()
    fill_annotation(window, "first", "yellow", ["a"])
    [original] = stored(doc_id)

    point = word_point(window, sid, NL, "Koeleba")
    window.sentences.show_menu(sid, window.view.viewport().mapToGlobal(point))
    menu = window._menu
    labels = {a.text(): a for a in menu.actions()}
    menu.close()
    labels["Edit Annotation “Koeleba”…"].trigger()
    fill_annotation(window, "second", "purple", ["b"])
    [edited] = stored(doc_id)
    assert (edited.id, edited.note, edited.colour, edited.tags) == (
        original.id,
        "second",
        "purple",
        ("a", "b"),
    )

    labels["Delete Annotation “Koeleba”"].trigger()
    assert stored(doc_id) == [] and painted(window) == {NL: [], EN: []}

    window.undo_action.trigger()  # the delete
    [back] = stored(doc_id)
    assert back == edited
    assert painted(window) == {NL: ["Koeleba"], EN: []}
    window.undo_action.trigger()  # the edit
    [back] = stored(doc_id)
    assert (back.id, back.note, back.colour, back.tags) == (original.id, "first", "yellow", ("a",))
    assert window.view.highlights(ANNOTATION_LAYER)[0].color == annotation_color("yellow", dark=False)
    window.undo_action.trigger()  # the annotation itself
    assert stored(doc_id) == [] and painted(window) == {NL: [], EN: []}

    window.redo_action.trigger()
    assert stored(doc_id) == [original]  # the same row: id, quote and dates
    window.redo_action.trigger()
    window.redo_action.trigger()
    assert stored(doc_id) == []
    assert window.undo_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Undo)


# --------------------------------------------------------------------------- saved phrases


def test_a_discontinuous_phrase_is_saved_with_its_aligned_english_and_marked_in_another_article(
    small_dictionary, window, qtbot
):
    doc_id = add_article(CALL_NL, {CALL_NL: CALL_EN})
    [sid] = open_aligned(qtbot, window, doc_id)
    select_word(window, sid, NL, "belde")
    # Ctrl+click adds "op" to the selection, as a reader does.
    qtbot.mouseClick(
        window.view.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.ControlModifier,
        word_point(window, sid, NL, " op").__add__(QPoint(4, 0)),
    )
    assert window.view.selected_text() == "belde\n\nop"
    dialog = window.annotating.save_phrase()
    assert isinstance(dialog, PhraseDialog)
    assert dialog.dutch.text() == "belde … op"
    assert dialog.english.text() == "called"  # from the session's word table
    assert dialog.gloss.text() == "telephone; call"  # the separable verb, looked up with its particle
    assert CALL_NL in dialog.context.text() and CALL_EN in dialog.context.text()
    dialog.status.setCurrentIndex(dialog.status.findData("learning"))
    dialog.accept()

    db = store.open_db()
    [p] = phrases.list_phrases(db)
    db.close()
    assert (p.nl, p.en, p.status, p.lemma_key, p.context_en) == (
        "belde … op",
        "called",
        "learning",
        "opbellen",
        CALL_EN,
    )
    assert marked(qtbot, window)[NL] == ["belde", "op"]
    assert all(h.style == MARK for h in window.view.highlights(PHRASE_LAYER))

    other = add_article("Zij belt haar vader morgen op.", {})
    window.open_document(other)
    [other_sid] = window.view.content().order
    assert marked(qtbot, window)[NL] == ["belt", "op"]
    assert "belde … op" in window.view.tooltip_at(word_point(window, other_sid, NL, "belt"))

    window.open_document(doc_id)  # the history is per document; delete and undo here
    assert marked(qtbot, window)[NL] == ["belde", "op"]
    point = word_point(window, sid, NL, "belde")
    window.sentences.show_menu(sid, window.view.viewport().mapToGlobal(point))
    [delete] = [a for a in window._menu.actions() if a.text() == "Delete Saved Phrase"]
    window._menu.close()
    delete.trigger()
    assert marked(qtbot, window)[NL] == []
    window.undo_action.trigger()
    db = store.open_db()
    assert phrases.list_phrases(db) == [p]
    db.close()
    assert marked(qtbot, window)[NL] == ["belde", "op"]


def test_saved_phrases_are_marked_after_opening_and_a_previous_documents_marks_never_arrive(
    window, qtbot, monkeypatch
):
    first = add_article(CALL_NL, {})
    second = add_article("Zij belt haar vader morgen op. De oorlog duurt voort.", {})
    db = store.open_db()
    [sid] = [r.id for r in store.document_sentences(db, first)]
    spans = phrases.spans_of_quote(CALL_NL, "belde … op")
    phrases.save_phrase(db, first, sid, spans, en="called", dictionary=None)
    db.close()
    shown: list[set[int]] = []  # the sentences of each set of marks the view was given
    view_sets = window.view.set_phrase_marks

    def spy(marks, *rest, **named):
        shown.append(set(marks))
        view_sets(marks, *rest, **named)

    monkeypatch.setattr(window.view, "set_phrase_marks", spy)
    window.open_document(first)
    assert window.annotating.marking_pending()  # matched in a worker: opening does not wait for it
    window.open_document(second)  # before the first document's marks have arrived
    assert marked(qtbot, window)[NL] == ["belt", "op"]
    [other_sid, _] = window.view.content().order
    assert shown == [{other_sid}]  # the first document's result was dropped, never shown
    assert "Saved phrase: “belde … op” → “called” (new)" in window.view.tooltip_at(
        word_point(window, other_sid, NL, "belt")
    )


def test_the_hovered_phrase_is_saved_with_the_english_adjusted_and_undo_removes_it(window, qtbot):
    doc_id = add_article(LAVROV_NL, {LAVROV_NL: LAVROV_EN})
    [sid] = open_aligned(qtbot, window, doc_id)
    hover(qtbot, window, sid, NL, "Koeleba")
    window.save_phrase_action.trigger()
    dialog = window.annotating.dialog
    assert isinstance(dialog, PhraseDialog)
    assert (dialog.dutch.text(), dialog.english.text()) == ("Koeleba", "Kuleba")
    dialog.english.setText("Dmytro Kuleba")
    dialog.accept()
    db = store.open_db()
    [p] = phrases.list_phrases(db)
    assert (p.nl, p.en, p.status) == ("Koeleba", "Dmytro Kuleba", "new")
    window.undo_action.trigger()
    assert phrases.list_phrases(db) == []
    window.redo_action.trigger()
    assert phrases.list_phrases(db) == [p]  # the same id and dates
    db.close()


def test_a_phrase_over_two_sentences_is_refused_with_a_message(window, qtbot):
    doc_id = add_article(f"{LAVROV_NL} {CALL_NL}", {})
    first, second = window.open_document(doc_id) and window.view.content().order
    select_word(window, first, NL, "Koeleba")
    select_word(window, second, NL, "belde", add=True)
    window.save_phrase_action.trigger()
    assert window.statusBar().currentMessage() == ONE_SENTENCE
    db = store.open_db()
    assert phrases.list_phrases(db) == []
    db.close()


# --------------------------------------------------------------------------- link corrections


def counterpart(qtbot, window: MainWindow, sid: int, word: str) -> list[str]:
    hover(qtbot, window, sid, NL, word)
    return window.view.highlighted_text("word")[EN]


def test_linking_and_unlinking_selected_words_changes_the_hover_and_undo_restores_it(window, qtbot):
    doc_id = add_article(LAVROV_NL, {LAVROV_NL: LAVROV_EN})
    [sid] = open_aligned(qtbot, window, doc_id)
    assert counterpart(qtbot, window, sid, "Koeleba") == ["Kuleba"]

    select_word(window, sid, NL, "Koeleba")
    select_word(window, sid, EN, "Kuleba", add=True)
    with qtbot.waitSignal(window.words.aligned, timeout=WAIT_MS):
        window.unlink_action.trigger()
    assert "Kuleba" not in counterpart(qtbot, window, sid, "Koeleba")

    select_word(window, sid, NL, "Koeleba")
    select_word(window, sid, EN, "Lavrov", add=True)
    with qtbot.waitSignal(window.words.aligned, timeout=WAIT_MS):
        window.link_action.trigger()
    assert counterpart(qtbot, window, sid, "Koeleba") == ["Lavrov"]
    db = store.open_db()
    assert [c.linked for c in links.corrections(db, sid, LAVROV_EN)] == [False, True]

    with qtbot.waitSignal(window.words.aligned, timeout=WAIT_MS):
        window.undo_action.trigger()
    with qtbot.waitSignal(window.words.aligned, timeout=WAIT_MS):
        window.undo_action.trigger()
    assert links.corrections(db, sid, LAVROV_EN) == []
    assert counterpart(qtbot, window, sid, "Koeleba") == ["Kuleba"]
    with qtbot.waitSignal(window.words.aligned, timeout=WAIT_MS):
        window.redo_action.trigger()
    assert [c.linked for c in links.corrections(db, sid, LAVROV_EN)] == [False]
    db.close()
    window.close_document()  # the correction is the library's: it holds after reopening
    open_aligned(qtbot, window, doc_id)
    assert "Kuleba" not in counterpart(qtbot, window, sid, "Koeleba")


def test_linking_needs_words_on_both_sides_of_one_sentence(window, qtbot):
    doc_id = add_article(LAVROV_NL, {LAVROV_NL: LAVROV_EN})
    [sid] = open_aligned(qtbot, window, doc_id)
    select_word(window, sid, NL, "Koeleba")
    window.link_action.trigger()
    assert "English words" in window.statusBar().currentMessage()
    select_word(window, sid, NL, ".")
    select_word(window, sid, EN, "Kuleba", add=True)
    window.link_action.trigger()
    assert "holds no word" in window.statusBar().currentMessage()
    db = store.open_db()
    assert links.corrections(db, sid, LAVROV_EN) == []
    db.close()


# --------------------------------------------------------------------------- a read-only library


def test_a_read_only_library_shows_its_annotations_and_refuses_new_ones(tiny_package, qtbot, monkeypatch):
    doc_id = add_article(LAVROV_NL, {LAVROV_NL: LAVROV_EN})
    db = store.open_db()
    [sid] = [r.id for r in store.document_sentences(db, doc_id)]
    notes.add_annotation(db, doc_id, sid, NL, 0, 6, note="kept")
    db.close()
    monkeypatch.setenv("BIREADER_READ_ONLY", "1")
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(1200, 700)
    window.show()
    window.open_document(doc_id)
    assert painted(window) == {NL: ["Lavrov"], EN: []}
    for action in (
        window.annotate_action,
        window.save_phrase_action,
        window.link_action,
        window.unlink_action,
    ):
        assert not action.isEnabled()
    select_word(window, sid, NL, "Koeleba")
    assert window.annotating.annotate() is None
    assert "read-only" in window.statusBar().currentMessage()
    assert window.annotating.save_phrase() is None
    assert not window.annotating.delete_annotation(stored(doc_id)[0].id)
    assert [a.note for a in stored(doc_id)] == ["kept"]


def drag(qtbot, window: MainWindow, sid: int, side: str, word: str, modifier=Qt.KeyboardModifier.NoModifier):
    """Drag the mouse over a word, as a reader selects it (with Ctrl: adding to the selection)."""
    view = window.view
    start = view.sentence_text(sid, side).index(word)
    [rect] = view.range_rects(sid, side, start, start + len(word))
    a, b = rect.topLeft().toPoint() + QPoint(1, 4), rect.topRight().toPoint() + QPoint(1, 4)
    vp = view.viewport()
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, modifier, a)
    qtbot.mouseMove(vp, a + QPoint(20, 0))
    qtbot.mouseMove(vp, b)
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, modifier, b)


def test_a_drag_with_ctrl_adds_to_the_selection_and_a_plain_one_replaces_it(window, qtbot):
    doc_id = add_article(LAVROV_NL, {LAVROV_NL: LAVROV_EN})
    [sid] = open_aligned(qtbot, window, doc_id)
    drag(qtbot, window, sid, NL, "Koeleba")
    drag(qtbot, window, sid, EN, "Lavrov", Qt.KeyboardModifier.ControlModifier)
    assert window.view.selected_text() == "Koeleba\n\nLavrov"
    pieces = window.view.selected_pieces()
    assert [(side, [(s, e) for _, s, e in p]) for side, p in pieces] == [
        (NL, [(LAVROV_NL.index("Koeleba"), LAVROV_NL.index("Koeleba") + 7)]),
        (EN, [(0, 6)]),
    ]
    drag(qtbot, window, sid, EN, "hours")
    assert window.view.selected_text() == "hours"


def test_a_word_in_several_saved_phrases_is_underlined_once_when_painted(window, qtbot):
    doc_id = add_article(LAVROV_NL, {})
    window.open_document(doc_id)
    marked(qtbot, window)
    [sid] = window.view.content().order
    k, m = LAVROV_NL.index("Koeleba"), LAVROV_NL.index("met")
    window.view.set_phrase_marks(
        {sid: [PhraseMatch(1, ((k, k + 7),)), PhraseMatch(2, ((m, m + 3), (k, k + 7)))]},
        tip={1: "Koeleba", 2: "met Koeleba"}.__getitem__,
    )
    row, start, _ = window.view.sentence_span(sid, NL)
    _, underlines = window.view._layers.painted_ranges(range(row, row + 1))
    drawn = sorted((s - start, e - start) for side, s, e, _c, style in underlines[row] if style == MARK)
    assert drawn == [(m, m + 3), (k, k + 7)]  # "Koeleba" once, though two phrases hold it
    assert window.view.mark_tooltip(word_point(window, sid, NL, "Koeleba")) == "Koeleba\n\nmet Koeleba"


def test_a_long_document_never_marked_shows_the_marks_on_screen_first_then_all(window, qtbot, monkeypatch):
    first = add_article(CALL_NL, {})
    paragraphs = [f"Alinea {k}: zij belt haar vader morgen op." for k in range(80)]
    long_doc = add_article("\n\n".join(paragraphs), {})
    db = store.open_db()
    [sid] = [r.id for r in store.document_sentences(db, first)]
    phrases.save_phrase(db, first, sid, phrases.spans_of_quote(CALL_NL, "belde … op"), en="", dictionary=None)
    every = {r.id for r in store.document_sentences(db, long_doc)}
    db.close()
    shown: list[set[int]] = []
    view_sets = window.view.set_phrase_marks

    def spy(marks, *rest, **named):
        shown.append(set(marks))
        view_sets(marks, *rest, **named)

    monkeypatch.setattr(window.view, "set_phrase_marks", spy)
    window.open_document(long_doc)
    marked(qtbot, window)
    on_screen, complete = shown  # two deliveries: the screen's sentences, then every one
    assert complete == every
    assert on_screen and on_screen < every and on_screen <= set(window.view.visible_sentence_ids())
    window.open_document(first)
    marked(qtbot, window)
    shown.clear()
    window.open_document(long_doc)
    marked(qtbot, window)
    assert shown == [every]  # known now: read at once, in one delivery
