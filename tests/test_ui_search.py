"""Ctrl+F (find in the document) and Ctrl+Shift+F (search the library), on the real window."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from reader.hover import EN, NL
from ui.find_bar import match_colors
from ui.reader_view import FIND_LAYER
from ui.search_panel import HIT_ROLE, KIND_LABELS, SEARCH_LAYER, TEST_MODEL_LABEL, hit_html

ARTICLE = (
    "Nieuws uit Oekraïne\n\n"
    "De minister sprak over Oekraïne. De huizen zijn beschadigd.\n\n"
    "Een tweede alinea over het weer."
)
OTHER = "Boeren\n\nDe boeren protesteren in Den Haag. Het regent al dagen in het huis."


def open_article(window, qtbot, tmp_path, text=ARTICLE, name="a.txt") -> int:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with qtbot.waitSignal(window.document_opened, timeout=60_000) as blocker:
        window.import_file(path)
    return blocker.args[0]


def no_error_dialogs() -> bool:
    return not any(isinstance(w, QMessageBox) and w.isVisible() for w in QApplication.topLevelWidgets())


# ----------------------------------------------------------------- Ctrl+F


def test_ctrl_f_finds_text_on_both_sides_without_diacritics_and_esc_closes(
    empty_packages, make_window, qtbot, tmp_path
):
    window = make_window()
    open_article(window, qtbot, tmp_path)
    title, s1, s2 = window.view.content().order[:3]
    window.session.edit(window.db, s1, "The minister spoke about Oekraine, that is Ukraine.")
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    bar = window.find_bar
    assert bar.isVisible() and bar.edit.hasFocus()
    qtbot.keyClicks(bar.edit, "oekraine")
    qtbot.waitUntil(lambda: len(bar.matches()) == 3)
    assert [(m.sentence_id, m.side) for m in bar.matches()] == [(title, NL), (s1, NL), (s1, EN)]
    assert window.view.highlighted_text(FIND_LAYER) == {NL: ["Oekraïne", "Oekraïne"], EN: ["Oekraine"]}
    assert bar.count_label.text() == "1 of 3"
    qtbot.keyClick(bar.edit, Qt.Key.Key_Return)
    assert bar.count_label.text() == "2 of 3" and bar.current().sentence_id == s1
    qtbot.keyClick(bar.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(bar.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert bar.count_label.text() == "3 of 3"  # wraps around
    # The English changes: the matches follow the session.
    window.session.edit(window.db, s1, "The minister spoke about the war.")
    qtbot.waitUntil(lambda: len(bar.matches()) == 2)
    assert window.view.highlighted_text(FIND_LAYER)[EN] == []
    bar.edit.setText("bestaat niet")
    qtbot.waitUntil(lambda: bar.count_label.text() == "No matches")
    assert not bar.next_button.isEnabled()
    qtbot.keyClick(bar.edit, Qt.Key.Key_Escape)
    assert not bar.isVisible()
    assert window.view.highlights(FIND_LAYER) == []


def test_find_highlights_are_painted_in_both_themes(empty_packages, make_window, qtbot, tmp_path):
    window = make_window((1200, 700))
    open_article(window, qtbot, tmp_path)
    s1 = window.view.content().order[1]
    window.session.edit(window.db, s1, "The minister spoke about Ukraine.")
    window.find_action.trigger()
    bar = window.find_bar
    bar.edit.setText("minister")
    qtbot.waitUntil(lambda: len(bar.matches()) == 2)
    view = window.view
    for name in ("light", "dark"):
        window.set_theme(name, save=False)
        bar.refresh(keep_position=True)
        QApplication.processEvents()
        assert window.centralWidget().grab().save(str(tmp_path / f"find-{name}.png"))
        image = view.viewport().grab().toImage()
        background = view.colors().background
        for m in bar.matches():
            box = view.range_rects(m.sentence_id, m.side, m.start, m.end)[0]
            # The top-left corner of the match's box: shaded, not the page's background.
            shade = image.pixelColor(int(box.left()) + 1, int(box.top()) + 1)
            assert abs(shade.lightness() - background.lightness()) > 15, (name, m, shade.name())
        bar.close_bar()
        QApplication.processEvents()
        image = view.viewport().grab().toImage()
        assert bar.matches() == []
        box = view.range_rects(s1, NL, 3, 11)[0]
        assert image.pixelColor(int(box.left()) + 1, int(box.top()) + 1) == background
        bar.open_bar()
        bar.edit.setText("minister")
        bar.refresh()


# ----------------------------------------------------------------- Ctrl+Shift+F


def run_search(window, qtbot, text: str):
    panel = window.search_panel
    panel.query.setText(text)
    task = panel.run()
    if task is not None:
        qtbot.waitUntil(lambda: task.state != "running", timeout=20_000)
        QApplication.processEvents()
    return panel.hits()


def test_library_search_finds_dutch_translations_and_notes_and_opens_the_sentence(
    empty_packages, make_window, qtbot, tmp_path
):
    window = make_window()
    first = open_article(window, qtbot, tmp_path)
    s1, s2 = window.view.content().order[1:3]
    window.session.edit(window.db, s1, "The minister spoke about Ukraine.")
    window.session.annotate(window.db, s2, NL, 3, 9, note="meervoud: huizen van het dorp")
    open_article(window, qtbot, tmp_path, OTHER, "b.txt")
    window.view.setFocus()
    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window.view, Qt.Key.Key_F, ctrl_shift)
    panel = window.search_panel
    assert panel.isVisible() and panel.query.hasFocus()

    hits = run_search(window, qtbot, "oekraine")  # diacritics do not matter
    assert {(h.kind, h.document_id, h.sentence_id) for h in hits} >= {("nl", first, s1)}
    assert panel.results.count() == len(hits)
    assert "found" in panel.status.text()
    hits = run_search(window, qtbot, "ukraine")  # the reader's translation
    assert [(h.kind, h.sentence_id) for h in hits] == [("user", s1)]
    hits = run_search(window, qtbot, "dorp")  # a note
    assert [(h.kind, h.sentence_id) for h in hits] == [("note", s2)]
    hits = run_search(window, qtbot, "huis")  # an inflection: huizen, huis
    assert {h.document_title for h in hits} == {"Nieuws uit Oekraïne", "Boeren"}

    hits = run_search(window, qtbot, "Ukraine")
    item = panel.results.item(0)
    panel.results.setCurrentItem(item)
    panel.results.itemActivated.emit(item)
    assert window.doc_id == first
    assert window.view.current_sentence() == s1

    # After a change in the open document, the results are searched again.
    window.session.edit(window.db, s1, "The minister spoke about the war.")
    qtbot.waitUntil(lambda: panel.hits() == [], timeout=20_000)
    qtbot.waitUntil(lambda: panel.task is None or panel.task.state != "running", timeout=20_000)
    assert "Nothing found for “Ukraine”" in panel.status.text()


def choose(window, hit) -> None:
    """Double-click (activate) the result showing ``hit``."""
    results = window.search_panel.results
    item = next(results.item(i) for i in range(results.count()) if results.item(i).data(HIT_ROLE) == hit)
    results.setCurrentItem(item)
    results.itemActivated.emit(item)
    QApplication.processEvents()


def shaded(window) -> list[tuple[int, str, str]]:
    """(sentence, side, words) the reading view shades for the opened hit."""
    view = window.view
    return [
        (h.sentence_id, h.side, view.sentence_text(h.sentence_id, h.side)[s:e])
        for h in view.highlights(SEARCH_LAYER) for s, e in h.ranges
    ]


def test_choosing_a_hit_shades_its_matched_words_on_its_side(empty_packages, make_window, qtbot, tmp_path):
    window = make_window()
    first = open_article(window, qtbot, tmp_path)
    s1, s2 = window.view.content().order[1:3]
    window.session.edit(window.db, s1, "The minister spoke about Ukraine and its houses.")
    window.session.annotate(window.db, s2, NL, 3, 9, note="meervoud van het dorp")
    window.session.save_phrase(window.db, s2, [(10, 14), (15, 25)], en="are damaged")
    other = open_article(window, qtbot, tmp_path, OTHER, "b.txt")
    window.search_library_action.trigger()
    panel = window.search_panel

    # Dutch, diacritics folded: the hit opens the other document, its word shaded on the Dutch side.
    (hit,) = [h for h in run_search(window, qtbot, "oekraine") if h.sentence_id == s1]
    choose(window, hit)
    assert window.doc_id == first and window.view.current_sentence() == s1
    assert shaded(window) == [(s1, NL, "Oekraïne")]
    # An inflection, through the stems: huis finds huizen (and "house" is not on the Dutch side).
    hits = run_search(window, qtbot, "huis")
    assert window.view.highlights(SEARCH_LAYER) == []  # searching again takes the shade away
    choose(window, next(h for h in hits if h.kind == "nl" and h.sentence_id == s2))
    assert shaded(window) == [(s2, NL, "huizen")]
    # The reader's translation: the English side.
    choose(window, next(h for h in run_search(window, qtbot, "house") if h.kind == "user"))
    assert shaded(window) == [(s1, EN, "houses")]
    # A note: the words it is anchored to; a saved phrase: its Dutch words.
    choose(window, next(h for h in run_search(window, qtbot, "dorp") if h.kind == "note"))
    assert shaded(window) == [(s2, NL, "huizen")]
    choose(window, next(h for h in run_search(window, qtbot, "beschadigd") if h.kind == "phrase"))
    assert shaded(window) == [(s2, NL, "zijn"), (s2, NL, "beschadigd")]
    # The find bar's Esc clears its own matches, not the opened hit's.
    window.find_action.trigger()
    window.find_bar.edit.setText("minister")
    window.find_bar.refresh()
    window.find_bar.close_bar()
    assert shaded(window) == [(s2, NL, "zijn"), (s2, NL, "beschadigd")]
    # Opening another document takes it away; so does closing the panel.
    window.open_document(other)
    assert window.view.highlights(SEARCH_LAYER) == [] and panel.shaded() is None
    choose(window, next(h for h in panel.hits() if h.kind == "phrase"))
    assert window.doc_id == first and shaded(window)
    panel.close()
    assert window.view.highlights(SEARCH_LAYER) == []


def test_the_opened_hits_words_are_visible_in_both_themes(empty_packages, make_window, qtbot, tmp_path):
    window = make_window((1400, 800))
    open_article(window, qtbot, tmp_path)
    s2 = window.view.content().order[2]
    window.search_library_action.trigger()
    (hit,) = run_search(window, qtbot, "huis")
    choose(window, hit)
    view = window.view
    for name in ("light", "dark"):
        window.set_theme(name, save=False)
        want = match_colors(name == "dark")[1].rgba()  # re-shaded in the theme's colour
        qtbot.waitUntil(lambda want=want: view.highlights(SEARCH_LAYER)[0].color.rgba() == want)
        assert window.grab().save(str(tmp_path / f"search-hit-{name}.png"))
        image = view.viewport().grab().toImage()
        box = view.range_rects(s2, NL, 3, 9)[0]  # "huizen"
        shade = image.pixelColor(int(box.left()) + 1, int(box.top()) + 1)
        plain = view.range_rects(s2, NL, 10, 14)[0]  # "zijn", in the current sentence, not shaded
        around = image.pixelColor(int(plain.left()) + 1, int(plain.top()) + 1)
        assert abs(shade.hue() - around.hue()) > 10 or abs(shade.lightness() - around.lightness()) > 15, (
            name, shade.name(), around.name()
        )


def test_fts_syntax_typed_in_the_search_box_shows_no_error(empty_packages, make_window, qtbot, tmp_path):
    window = make_window()
    open_article(window, qtbot, tmp_path)
    window.search_library_action.trigger()
    panel = window.search_panel
    for query in ['"', '"minister', "*", "min*", "NEAR(", "NEAR(minister huizen", "(", "minister)", "-",
                  "- huizen", "AND", "minister OR", "^", ":"]:
        run_search(window, qtbot, query)
        text = panel.status.text().lower()
        assert no_error_dialogs(), query
        for word in ("fts5", "syntax", "sql", "malformed", "no such column", "error"):
            assert word not in text, (query, panel.status.text())
    # The punctuation separates words: what is left is searched as words.
    assert [h.sentence_id for h in run_search(window, qtbot, '("minister*')] == [
        window.view.content().order[1]
    ]


def test_search_results_screenshots_in_both_themes(empty_packages, make_window, qtbot, tmp_path):
    window = make_window((1400, 800))
    open_article(window, qtbot, tmp_path)
    open_article(window, qtbot, tmp_path, OTHER, "b.txt")
    window.search_library_action.trigger()
    hits = run_search(window, qtbot, "huis")
    assert len(hits) == 2
    for name in ("light", "dark"):
        window.set_theme(name, save=False)
        QApplication.processEvents()
        picture = window.search_panel.grab()
        assert picture.save(str(tmp_path / f"search-{name}.png"))
        image = picture.toImage()
        centre = image.pixelColor(image.width() // 2, image.height() - 30)
        assert (centre.lightness() < 128) == (name == "dark"), (name, centre.name())


def test_a_read_only_library_can_be_searched(empty_packages, make_window, qtbot, tmp_path, monkeypatch):
    window = make_window()
    doc = open_article(window, qtbot, tmp_path)
    window.close()
    monkeypatch.setenv("BIREADER_READ_ONLY", "1")
    ro = make_window()
    assert ro.read_only
    ro.search_library_action.trigger()
    hits = run_search(ro, qtbot, "beschadigd")
    assert [(h.document_id, h.kind) for h in hits] == [(doc, "nl")]
    assert no_error_dialogs()


def test_hits_in_a_test_models_output_are_never_called_a_translation(
    tiny_package, make_window, qtbot, tmp_path
):
    window = make_window()
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    with qtbot.waitSignal(window.translation_ended, timeout=120_000):
        window.import_file(path)
    s1 = window.view.content().order[1]
    word = max(window.session.machine(s1).split(), key=len).strip(".,;:!?\"'")
    window.search_library_action.trigger()
    hits = [h for h in run_search(window, qtbot, word) if h.kind == "mt"]
    assert hits and window.test_badge.isVisibleTo(window)
    delegate = window.search_panel.results.itemDelegate()
    assert delegate.test_model()
    shown = hit_html(hits[0], delegate.test_model())
    assert TEST_MODEL_LABEL in shown and KIND_LABELS["mt"] not in shown
