"""Word highlighting and the dictionary popup in the reader window.

Real parts throughout: the tiny test package (real CTranslate2, forced decoding of user edits),
SQLite files, dictd dictionaries written by ``reader.dictionary.write_dictd``, Qt widgets
offscreen. The English side is a user translation, so names and numbers make the alignment
certain even though the test model's own output is gibberish.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication

from reader import store
from reader.align import NUMBER, align
from reader.dictionary import write_dictd
from reader.hover import LINK_ALPHA, PHRASE_ALPHA, WORD_ALPHA, SentenceWords
from reader.importer import parse_text
from ui.main_window import MainWindow
from ui.reader_view import EN, NL, UNDERLINE
from ui.words import DICTIONARY_SETTING, LOADING_MESSAGE

WAIT_MS = 60_000
LAVROV_NL = "Lavrov sprak 2 uur met Koeleba."
LAVROV_EN = "Lavrov talked with Kuleba for 2 hours."
WAR_NL = "De oorlog in Oekraïne duurt voort."
WAR_EN = "The war in Ukraine continues."
CALL_NL = "Hij belde zijn moeder op."
CALL_EN = "He called his mother."

ENTRIES = [
    ("oorlog", "oorlog /orlɔx/\nwar\n"),
    ("bellen", "bellen /bɛlən/\nring\n"),
    ("opbellen", "opbellen /ɔbɛlən/\ntelephone\ncall\n"),
    ("moeder", "moeder /mudər/\nmother\n"),
]


@pytest.fixture
def small_dictionary(tmp_path, monkeypatch):
    """A small dictd dictionary in BIREADER_DICT (the real one is GPL: never copied here)."""
    folder = tmp_path / "dictd"
    write_dictd(folder, ENTRIES)
    monkeypatch.setenv("BIREADER_DICT", str(folder))
    return folder


@pytest.fixture
def no_dictionary(tmp_path, monkeypatch):
    monkeypatch.setenv("BIREADER_DICT", str(tmp_path / "nowhere"))


@pytest.fixture
def make_window(make_window):
    return lambda: make_window((1200, 700))


def add_article(text: str, translations: dict[str, str]) -> int:
    """Import an article and save the user's translation of its sentences, as the store does."""
    db = store.open_db()
    try:
        doc_id, _ = store.add_document(db, parse_text(text))
        for row in store.document_sentences(db, doc_id):
            if row.text in translations:
                store.set_user_translation(db, row.id, translations[row.text])
    finally:
        db.close()
    return doc_id


def open_aligned(qtbot, window: MainWindow, doc_id: int) -> list[int]:
    with qtbot.waitSignal(window.words.aligned, timeout=WAIT_MS):
        window.open_document(doc_id)
    return window.view.content().order


def word_point(window: MainWindow, sid: int, side: str, word: str) -> QPoint:
    view = window.view
    start = view.sentence_text(sid, side).index(word)
    [rect] = view.range_rects(sid, side, start, start + len(word))
    return rect.center().toPoint()


def hover(qtbot, window: MainWindow, sid: int, side: str, word: str) -> None:
    point = word_point(window, sid, side, word)
    qtbot.mouseMove(window.view.viewport(), point + QPoint(0, 1))  # the pointer may be there already
    qtbot.mouseMove(window.view.viewport(), point)
    qtbot.waitUntil(lambda: window.view.hovered_sentence() == sid, timeout=2000)


def click(qtbot, window: MainWindow, sid: int, side: str, word: str) -> None:
    point = word_point(window, sid, side, word)
    qtbot.mouseMove(window.view.viewport(), point)
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=point)


def shades(window: MainWindow, sid: int) -> dict[tuple[str, str], int]:
    """(side, text) -> alpha of each word highlight."""
    view = window.view
    return {
        (h.side, view.sentence_text(sid, h.side)[s:e]): h.color.alpha()
        for h in view.highlights("word")
        for s, e in h.ranges
    }


def word_text(window: MainWindow) -> dict[str, list[str]]:
    return window.view.highlighted_text("word")


def english_range(window: MainWindow, sid: int, word: str) -> tuple[int, int]:
    """Where a word of a sentence's English lies in its row's side text."""
    row, start, _ = window.view.sentence_span(sid, EN)
    offset = window.view.sentence_text(sid, EN).index(word)
    return row, start + offset


# --------------------------------------------------------------------------- hovering


def test_hovering_a_dutch_word_highlights_its_english_counterpart(
    tiny_package, small_dictionary, make_window, qtbot
):
    doc_id = add_article(LAVROV_NL, {LAVROV_NL: LAVROV_EN})
    window = make_window()
    [sid] = open_aligned(qtbot, window, doc_id)

    hover(qtbot, window, sid, NL, "Koeleba")
    qtbot.waitUntil(lambda: word_text(window)[EN] == ["Kuleba"], timeout=2000)
    assert word_text(window)[NL] == ["Koeleba"]
    row, start = english_range(window, sid, "Kuleba")
    assert (EN, row, start, start + len("Kuleba")) in window.view.highlighted_ranges("word")
    assert "Kuleba" in window.statusBar().currentMessage()

    hover(qtbot, window, sid, NL, "2")
    qtbot.waitUntil(lambda: word_text(window) == {NL: ["2"], EN: ["2"]}, timeout=2000)
    # The hovered word is shaded most strongly, its counterpart by the link's confidence.
    number_link = round(LINK_ALPHA[0] + LINK_ALPHA[1] * NUMBER)  # numbers link with confidence NUMBER
    assert shades(window, sid) == {(NL, "2"): WORD_ALPHA, (EN, "2"): number_link}
    assert number_link < WORD_ALPHA


def test_hovering_an_english_word_highlights_the_dutch_side(
    tiny_package, small_dictionary, make_window, qtbot
):
    doc_id = add_article(LAVROV_NL, {LAVROV_NL: LAVROV_EN})
    window = make_window()
    [sid] = open_aligned(qtbot, window, doc_id)

    hover(qtbot, window, sid, EN, "Kuleba")
    qtbot.waitUntil(lambda: word_text(window) == {NL: ["Koeleba"], EN: ["Kuleba"]}, timeout=2000)
    hover(qtbot, window, sid, EN, "Lavrov")
    qtbot.waitUntil(lambda: word_text(window) == {NL: ["Lavrov"], EN: ["Lavrov"]}, timeout=2000)
    # Punctuation highlights nothing.
    hover(qtbot, window, sid, EN, ".")
    qtbot.waitUntil(lambda: word_text(window) == {NL: [], EN: []}, timeout=2000)


def test_a_word_without_counterpart_is_underlined_and_the_status_bar_says_so(
    empty_packages, no_dictionary, make_window, qtbot
):
    nl = "Lavrov sprak er 2 uur met Koeleba."  # "er" has no English counterpart
    doc_id = add_article(nl, {nl: LAVROV_EN})
    window = make_window()
    [sid] = open_aligned(qtbot, window, doc_id)
    alignment = align(nl, LAVROV_EN)  # no dictionary, no model: what the window aligned
    tokens = alignment.nl_tokens
    unlinked = [t.text for i, t in enumerate(tokens) if t.is_word and not alignment.links_of("nl", i)]
    assert unlinked
    word = unlinked[-1]

    hover(qtbot, window, sid, NL, word)
    qtbot.waitUntil(lambda: bool(window.view.highlights("word")), timeout=2000)
    [mark] = [h for h in window.view.highlights("word") if h.style == UNDERLINE]
    assert mark.side == NL
    assert set(word_text(window)[NL]) == {word} and word_text(window)[EN] == []
    assert "no counterpart" in window.statusBar().currentMessage()


def test_a_click_pins_the_highlight_and_esc_or_a_click_elsewhere_clears_it(
    tiny_package, small_dictionary, make_window, qtbot
):
    doc_id = add_article(LAVROV_NL, {LAVROV_NL: LAVROV_EN})
    window = make_window()
    [sid] = open_aligned(qtbot, window, doc_id)
    view = window.view

    click(qtbot, window, sid, NL, "Koeleba")
    assert word_text(window) == {NL: ["Koeleba"], EN: ["Kuleba"]}
    hover(qtbot, window, sid, NL, "Lavrov")  # the pin holds while the mouse moves on
    assert word_text(window) == {NL: ["Koeleba"], EN: ["Kuleba"]}
    assert window.words.popup.isVisible()

    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert word_text(window) == {NL: [], EN: []}
    assert not window.words.popup.isVisible()
    assert window.words.highlighter.pinned() is None

    # An English word pins too (no popup: the dictionary is Dutch → English) ...
    click(qtbot, window, sid, EN, "Kuleba")
    assert word_text(window) == {NL: ["Koeleba"], EN: ["Kuleba"]}
    assert window.words.highlighter.pinned().text == "Kuleba"
    assert not window.words.popup.isVisible()
    # ... and a click on no word clears it.
    below = QPoint(view.viewport().width() // 2, view.viewport().height() - 5)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=below)
    assert word_text(window) == {NL: [], EN: []}
    assert window.words.highlighter.pinned() is None


def test_the_toggle_turns_word_highlighting_off_and_is_remembered(
    tiny_package, small_dictionary, make_window, qtbot
):
    doc_id = add_article(LAVROV_NL, {LAVROV_NL: LAVROV_EN})
    window = make_window()
    [sid] = open_aligned(qtbot, window, doc_id)
    action = window.word_highlight_action
    assert action.isChecked() and action.shortcut().toString()

    action.trigger()
    assert not action.isChecked()
    hover(qtbot, window, sid, NL, "Koeleba")
    assert window.view.highlighted_text("hover") == {NL: [LAVROV_NL], EN: [LAVROV_EN]}  # sentences stay
    assert word_text(window) == {NL: [], EN: []}
    click(qtbot, window, sid, NL, "Koeleba")
    assert word_text(window) == {NL: [], EN: []}
    assert not window.words.popup.isVisible()
    window.close()

    again = make_window()
    assert not again.word_highlight_action.isChecked()
    assert not again.words.highlighter.enabled()
    again.word_highlight_action.trigger()
    [sid] = open_aligned(qtbot, again, doc_id)
    hover(qtbot, again, sid, NL, "Koeleba")
    qtbot.waitUntil(lambda: word_text(again)[EN] == ["Kuleba"], timeout=2000)


def test_editing_a_translation_realigns_that_sentence(tiny_package, small_dictionary, make_window, qtbot):
    doc_id = add_article(LAVROV_NL, {LAVROV_NL: LAVROV_EN})
    window = make_window()
    [sid] = open_aligned(qtbot, window, doc_id)
    click(qtbot, window, sid, NL, "Koeleba")
    assert word_text(window)[EN] == ["Kuleba"]
    old = english_range(window, sid, "Kuleba")

    edited = "For 2 hours, Kuleba and Lavrov talked."
    with qtbot.waitSignal(window.words.aligned, timeout=WAIT_MS, check_params_cb=lambda ids: sid in ids):
        window.save_user_translation(sid, edited)
    # The pinned word follows the new alignment at once.
    assert window.view.translation(sid) == edited
    new = english_range(window, sid, "Kuleba")
    assert new != old
    assert (EN, new[0], new[1], new[1] + len("Kuleba")) in window.view.highlighted_ranges("word")
    hover(qtbot, window, sid, NL, "2")
    qtbot.keyClick(window.view, Qt.Key.Key_Escape)
    hover(qtbot, window, sid, NL, "Lavrov")
    qtbot.waitUntil(lambda: word_text(window) == {NL: ["Lavrov"], EN: ["Lavrov"]}, timeout=2000)
    row, start = english_range(window, sid, "Lavrov")
    assert (EN, row, start, start + len("Lavrov")) in window.view.highlighted_ranges("word")


# --------------------------------------------------------------------------- the dictionary popup


def open_popup(qtbot, window: MainWindow, sid: int, word: str) -> str:
    click(qtbot, window, sid, NL, word)
    popup = window.words.popup
    qtbot.waitUntil(lambda: popup.isVisible() and LOADING_MESSAGE not in popup.plain_text(), timeout=WAIT_MS)
    return popup.plain_text()


def test_the_popup_shows_the_entry_and_the_aligned_phrase_in_context(
    empty_packages, small_dictionary, make_window, qtbot
):
    doc_id = add_article(WAR_NL, {WAR_NL: WAR_EN})
    window = make_window()
    [sid] = open_aligned(qtbot, window, doc_id)

    text = open_popup(qtbot, window, sid, "oorlog")
    assert "oorlog" in text and "/orlɔx/" in text and "war" in text.split("IN THE TRANSLATION")[0]
    content = window.words.popup.content()
    assert content.english == WAR_EN
    assert [WAR_EN[s:e] for s, e in content.bold] == ["war"]
    assert "<b" in window.words.popup.label.text()
    # The card sits next to the word, inside the view.
    popup, vp = window.words.popup.geometry(), window.view.viewport().rect()
    assert vp.contains(popup)
    anchor = window.words.popup_anchor()
    assert abs(popup.top() - anchor.bottom()) < 20 or abs(popup.bottom() - anchor.top()) < 20

    # Esc closes it; a click outside the reader closes it too.
    qtbot.keyClick(window.view, Qt.Key.Key_Escape)
    assert not window.words.popup.isVisible()
    open_popup(qtbot, window, sid, "oorlog")
    qtbot.mouseClick(window.library, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    assert not window.words.popup.isVisible()


def test_a_separable_verb_is_looked_up_with_its_particle(
    empty_packages, small_dictionary, make_window, qtbot
):
    doc_id = add_article(CALL_NL, {CALL_NL: CALL_EN})
    window = make_window()
    [sid] = open_aligned(qtbot, window, doc_id)
    hover(qtbot, window, sid, NL, "belde")  # its phrase, "belde ... op", shows lighter
    qtbot.waitUntil(lambda: (NL, "op") in shades(window, sid), timeout=2000)
    assert shades(window, sid)[(NL, "belde")] == WORD_ALPHA
    assert shades(window, sid)[(NL, "op")] == PHRASE_ALPHA < WORD_ALPHA
    assert (EN, "called") in shades(window, sid)

    text = open_popup(qtbot, window, sid, "belde")
    assert window.words.popup.content().label == "belde … op"
    assert "opbellen" in text and "telephone" in text
    assert text.index("opbellen") < text.index("bellen /")  # the separable reading comes first
    assert [CALL_EN[s:e] for s, e in window.words.popup.content().bold] == ["called"]


def test_d_looks_up_the_word_under_the_mouse_but_types_in_the_editor(
    empty_packages, small_dictionary, make_window, qtbot
):
    doc_id = add_article(WAR_NL, {WAR_NL: WAR_EN})
    window = make_window()
    [sid] = open_aligned(qtbot, window, doc_id)
    window.activateWindow()
    window.view.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.view, timeout=2000)

    hover(qtbot, window, sid, NL, "oorlog")
    qtbot.keyClick(window.view, Qt.Key.Key_D)
    qtbot.waitUntil(lambda: "war" in window.words.popup.plain_text(), timeout=WAIT_MS)
    assert window.words.popup.isVisible()
    qtbot.keyClick(window.view, Qt.Key.Key_Escape)

    # The sentence's context menu offers the word under the mouse too.
    point = word_point(window, sid, NL, "oorlog")
    global_point = window.view.viewport().mapToGlobal(point)
    window.view.contextMenuEvent(QContextMenuEvent(QContextMenuEvent.Reason.Mouse, point, global_point))
    [look_up] = [a for a in window._menu.actions() if a.text().startswith("Look Up")]
    assert look_up.text() == "Look Up “oorlog”"
    window._menu.close()
    look_up.trigger()
    assert window.words.popup.isVisible() and "war" in window.words.popup.plain_text()
    qtbot.keyClick(window.view, Qt.Key.Key_Escape)

    editor = window.view.edit_translation(sid)
    qtbot.keyClick(editor, Qt.Key.Key_End)
    qtbot.keyClick(editor, Qt.Key.Key_D)
    assert editor.toPlainText().endswith("d")
    assert not window.words.popup.isVisible()


def test_without_a_dictionary_the_popup_says_how_to_get_one_and_highlighting_works(
    tiny_package, no_dictionary, make_window, qtbot
):
    doc_id = add_article(LAVROV_NL + " " + WAR_NL, {LAVROV_NL: LAVROV_EN, WAR_NL: WAR_EN})
    window = make_window()
    first, second = open_aligned(qtbot, window, doc_id)

    text = open_popup(qtbot, window, second, "Oekraïne")
    assert "dict-freedict-nld-eng" in text and "BIREADER_DICT" in text
    assert [WAR_EN[s:e] for s, e in window.words.popup.content().bold] == ["Ukraine"]
    qtbot.keyClick(window.view, Qt.Key.Key_Escape)
    hover(qtbot, window, first, NL, "Koeleba")
    qtbot.waitUntil(lambda: word_text(window) == {NL: ["Koeleba"], EN: ["Kuleba"]}, timeout=2000)
    assert not window.banners.banner("error")


def test_without_a_model_a_dutch_word_is_still_looked_up(
    empty_packages, small_dictionary, make_window, qtbot
):
    db = store.open_db()
    doc_id, _ = store.add_document(db, parse_text(WAR_NL))
    db.close()
    window = make_window()
    window.open_document(doc_id)
    [sid] = window.view.content().order

    text = open_popup(qtbot, window, sid, "oorlog")
    assert "war" in text and "Not translated yet" in text
    assert word_text(window) == {NL: [], EN: []}


# --------------------------------------------------------------------------- the per-sentence table


def test_the_hover_table_maps_every_character_to_its_word_and_refuses_stale_text():
    alignment = align(CALL_NL, CALL_EN)
    table = SentenceWords.build(alignment, CALL_NL, CALL_EN)
    for i, token in enumerate(alignment.nl_tokens):
        assert all(table.token_at(NL, k) == i for k in range(token.start, token.end))
    assert table.token_at(NL, CALL_NL.index(" ")) == -1
    assert table.hover(NL, len(alignment.nl_tokens) - 1) is None  # the full stop
    # An alignment of another English text (the user edited it since) is never used.
    assert SentenceWords.build(alignment, CALL_NL, "He phoned his mother.") is None
    assert SentenceWords.build(alignment, CALL_NL, CALL_EN + " Twice.") is None


# --------------------------------------------------------------------------- where the dictionary is


def test_a_chosen_dictionary_is_remembered_and_used(
    empty_packages, no_dictionary, make_window, qtbot, tmp_path
):
    doc_id = add_article(WAR_NL, {WAR_NL: WAR_EN})
    folder = tmp_path / "my-dictionary"
    write_dictd(folder, ENTRIES)
    window = make_window()
    [sid] = open_aligned(qtbot, window, doc_id)
    text = open_popup(qtbot, window, sid, "oorlog")
    assert "dict-freedict-nld-eng" in text and "Choose Dictionary" in text
    qtbot.keyClick(window.view, Qt.Key.Key_Escape)

    # A place without a dictionary is refused with the reason; nothing is stored.
    assert not window.choose_dictionary(tmp_path / "empty")
    assert "No Dutch–English dictionary found" in window.banners.banner("error").text()
    assert store.get_setting(window.db, DICTIONARY_SETTING) is None

    assert window.choose_dictionary_action.text() == "Choose &Dictionary…"
    assert window.choose_dictionary(folder / "freedict-nld-eng.index")
    assert store.get_setting(window.db, DICTIONARY_SETTING) == str(folder / "freedict-nld-eng.index")
    text = open_popup(qtbot, window, sid, "oorlog")
    assert "/orlɔx/" in text and "war" in text.split("IN THE")[0]
    window.close()

    again = make_window()  # the setting outlives the session
    [sid] = open_aligned(qtbot, again, doc_id)
    assert "war" in open_popup(qtbot, again, sid, "oorlog").split("IN THE")[0]


def test_a_dictionary_installed_during_the_session_is_found_at_the_next_lookup(
    empty_packages, tmp_path, monkeypatch, make_window, qtbot
):
    folder = tmp_path / "dictd"
    monkeypatch.setenv("BIREADER_DICT", str(folder))
    doc_id = add_article(WAR_NL, {WAR_NL: WAR_EN})
    window = make_window()
    [sid] = open_aligned(qtbot, window, doc_id)
    assert "dict-freedict-nld-eng" in open_popup(qtbot, window, sid, "oorlog")
    qtbot.keyClick(window.view, Qt.Key.Key_Escape)

    write_dictd(folder, ENTRIES)  # e.g. `apt install dict-freedict-nld-eng` meanwhile
    click(qtbot, window, sid, NL, "oorlog")
    popup = window.words.popup
    qtbot.waitUntil(lambda: "/orlɔx/" in popup.plain_text(), timeout=WAIT_MS)
    assert "dict-freedict-nld-eng" not in popup.plain_text()


# --------------------------------------------------------------------------- separable verbs


def test_the_aligners_particles_give_the_verb_its_particle_in_the_lookup(tmp_path):
    from reader.dictionary import Dictionary

    nl, en = "Ze haalden een grap met hem uit.", "They played a joke on him."
    alignment = align(nl, en)
    words = [t.text for t in alignment.nl_tokens]
    verb, particle = words.index("haalden"), words.index("uit")
    alignment.particles = {verb: particle}  # as reader.align marks a separable verb
    table = SentenceWords.build(alignment, nl, en)
    assert table.lookup_key(verb) == ("haalden … uit", "haalden", "uit")
    assert table.lookup_key(particle) == ("haalden … uit", "haalden", "uit")
    assert table.lookup_key(words.index("grap")) == ("grap", "grap", None)

    write_dictd(tmp_path / "d", [("uithalen", "uithalen /œythalə(n)/\nplay (a trick)\n")])
    dictionary = Dictionary.open(tmp_path / "d")
    _label, word, found_particle = table.lookup_key(verb)
    found = dictionary.lookup(word, found_particle)
    assert any(r.lemma == "uithalen" for r in found)


def test_the_popup_of_a_word_without_counterpart_labels_the_english_as_the_sentence(
    empty_packages, small_dictionary, make_window, qtbot, tmp_path
):
    nl = "Lavrov sprak er 2 uur met Koeleba."  # "er" has no English counterpart
    doc_id = add_article(nl, {nl: LAVROV_EN})
    window = make_window()
    [sid] = open_aligned(qtbot, window, doc_id)
    hover(qtbot, window, sid, NL, "Koeleba")
    assert "click to look it up (D)" in window.statusBar().currentMessage()

    text = open_popup(qtbot, window, sid, " er ")
    assert window.words.popup.content().bold == []
    assert "SENTENCE TRANSLATION:" in text and "IN THE TRANSLATION" not in text
    assert text.index("SENTENCE TRANSLATION:") < text.index(LAVROV_EN) < text.index("No counterpart")
    # While its popup is open, the word's hint no longer offers to look it up.
    hover(qtbot, window, sid, NL, "Lavrov")
    hover(qtbot, window, sid, NL, " er ")
    message = window.statusBar().currentMessage()
    assert message.startswith("“er”") and "click to look it up" not in message
    # A word with a counterpart keeps the usual caption.
    text = open_popup(qtbot, window, sid, "Koeleba")
    assert "IN THE TRANSLATION" in text and "SENTENCE TRANSLATION" not in text


def test_the_window_s_alignment_keeps_full_collections_off_only_while_it_runs(
    tiny_package, small_dictionary, make_window, qtbot
):
    """A full garbage collection set off by the worker walks the whole heap holding the GIL (a
    GUI stall of hundreds of ms on a long document): none run while aligning, all resume after."""
    import gc

    threshold = gc.get_threshold()
    doc_id = add_article(LAVROV_NL, {LAVROV_NL: LAVROV_EN})
    window = make_window()
    seen: list[tuple[int, int]] = []
    with qtbot.waitSignal(window.words.aligned, timeout=WAIT_MS):
        window.open_document(doc_id)
        seen.append((gc.get_freeze_count(), gc.get_threshold()[2]))
    qtbot.waitUntil(lambda: not window.words.busy(), timeout=WAIT_MS)
    assert seen[0][0] > 0 and seen[0][1] > threshold[2]
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == threshold
    [sid] = window.view.content().order
    assert window.words.highlighter.table(sid) is not None  # and the words were aligned


def test_aligning_gives_way_while_the_reader_scrolls_and_finishes_once_they_stop(
    tiny_package, small_dictionary, make_window, qtbot
):
    """The worker waits while scroll steps keep coming (a frame must not wait for its GIL), then
    goes on by itself; switching documents meanwhile cancels it without waiting for the reader."""
    from ui.words import ReaderActivity

    first = add_article(LAVROV_NL, {LAVROV_NL: LAVROV_EN})
    second = add_article(f"{LAVROV_NL} {LAVROV_NL}", {LAVROV_NL: LAVROV_EN})
    window = make_window()
    activity = window.words.activity
    assert isinstance(activity, ReaderActivity) and not activity.busy()
    window.view.scrolled.emit()  # as every scroll step does
    assert activity.busy()
    with qtbot.waitSignal(window.words.aligned, timeout=WAIT_MS):
        window.open_document(first)
        window.view.scrolled.emit()
    assert not activity.busy()  # it only finished once the reader had stopped
    [sid] = window.view.content().order
    assert window.words.highlighter.table(sid) is not None

    window.view.scrolled.emit()
    window.open_document(second)
    window.view.scrolled.emit()
    window.open_document(first)  # the second one's alignment is cancelled while "scrolling"
    qtbot.waitUntil(lambda: not window.words.busy(), timeout=WAIT_MS)
    assert window.words.highlighter.table(window.view.content().order[0]) is not None
