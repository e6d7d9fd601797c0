"""The annotations panel and the vocabulary tab, on the real window with a real library."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QMessageBox

from reader import annotations as notes
from reader import phrases as vocab
from reader import store
from ui.annotations_panel import READ_ONLY_NOTICE
from ui.reader_view import EN, NL

ARTICLE = (
    "Nieuws uit Oekraïne\n\n"
    "De minister belde gisteren op. Hij sprak over de oorlog. De huizen zijn beschadigd.\n\n"
    "Een tweede alinea met een zin."
)
OTHER = "Ander artikel\n\nDe boeren protesteren in Den Haag. Het regent al dagen."


def open_article(window, qtbot, tmp_path, text=ARTICLE, name="a.txt") -> int:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with qtbot.waitSignal(window.document_opened, timeout=60_000) as blocker:
        window.import_file(path)
    return blocker.args[0]


def sentence_ids(window) -> list[int]:
    return window.view.content().order


def show_panel(window, qtbot):
    window.annotations_panel_action.trigger()
    qtbot.waitUntil(lambda: window.annotations_panel.isVisible())
    return window.annotations_panel


def quotes(panel) -> list[str]:
    return [e.quote for e in panel.visible_entries()]


def test_the_panel_is_toggled_from_the_view_menu_with_its_own_shortcut(empty_packages, make_window, qtbot):
    window = make_window()
    view_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    action = next(a for a in view_menu.actions() if a.text().replace("&", "") == "Annotations Panel")
    assert action is window.annotations_panel_action and action.isCheckable()
    keys = {k: [] for k in ("Ctrl+Shift+N", "Ctrl+F", "Ctrl+Shift+F")}
    for a in window.findChildren(QAction):
        for seq in a.shortcuts():
            if seq.toString() in keys and a.shortcutContext() != Qt.ShortcutContext.WidgetShortcut:
                keys[seq.toString()].append(a.text())
    assert keys == {
        "Ctrl+Shift+N": ["&Annotations Panel"], "Ctrl+F": ["&Find in Document…"],
        "Ctrl+Shift+F": ["&Search Library…"],
    }
    assert not window.annotations_panel.isVisible()
    action.trigger()
    assert window.annotations_panel.isVisible() and action.isChecked()
    action.trigger()
    assert not window.annotations_panel.isVisible()
    assert window.annotations_panel.features() & window.annotations_panel.DockWidgetFeature.DockWidgetMovable


def test_annotations_made_in_the_view_appear_in_reading_order_without_a_refresh(
    empty_packages, make_window, qtbot, tmp_path
):
    window = make_window()
    open_article(window, qtbot, tmp_path)
    panel = show_panel(window, qtbot)
    assert panel.visible_entries() == []
    s1, s2, s3 = sentence_ids(window)[1:4]
    session = window.session
    # Made later in the text first: the panel still lists them in reading order.
    session.annotate(window.db, s3, NL, 3, 9, note="meervoud van huis", tags=["grammatica"])
    session.annotate(window.db, s1, NL, 3, 11, note="ambt", colour="green")
    qtbot.waitUntil(lambda: len(panel.visible_entries()) == 2)
    assert quotes(panel) == ["minister", "huizen"]
    # A saved phrase made in the view (through the undo history) shows up too, in its place.
    window.annotating.create_phrase(s2, [(4, 9)], "spoke")
    qtbot.waitUntil(lambda: len(panel.visible_entries()) == 3)
    assert quotes(panel) == ["minister", "sprak", "huizen"]
    # Undo of the phrase takes it out of the list again.
    window.annotating.history.undo()
    qtbot.waitUntil(lambda: quotes(panel) == ["minister", "huizen"])


def test_filters_by_kind_tag_colour_status_and_text(empty_packages, make_window, qtbot, tmp_path):
    window = make_window()
    open_article(window, qtbot, tmp_path)
    panel = show_panel(window, qtbot)
    title, s1, s2, s3 = sentence_ids(window)[0:4]
    session = window.session
    tags = ["aardrijkskunde", "a, b"]
    session.annotate(window.db, title, NL, 11, 19, note="land", tags=tags, colour="blue")
    session.annotate(window.db, s1, NL, 3, 11, note="ambt", colour="green")
    session.annotate(window.db, s3, NL, 3, 9, note="meervoud", tags=["grammatica"])
    window.annotating.create_phrase(s2, [(4, 9)], "spoke", status="learning")
    qtbot.waitUntil(lambda: len(panel.visible_entries()) == 4)

    def choose(combo, data):
        combo.setCurrentIndex(combo.findData(data))

    choose(panel.kind_filter, "phrase")
    assert quotes(panel) == ["sprak"]
    choose(panel.kind_filter, "annotation")
    assert quotes(panel) == ["Oekraïne", "minister", "huizen"]
    choose(panel.tag_filter, "a, b")  # a tag with a comma and a space is one tag
    assert quotes(panel) == ["Oekraïne"]
    choose(panel.tag_filter, None)
    choose(panel.colour_filter, "green")
    assert quotes(panel) == ["minister"]
    choose(panel.colour_filter, None)
    choose(panel.kind_filter, None)
    choose(panel.status_filter, "learning")
    assert quotes(panel) == ["sprak"]
    choose(panel.status_filter, None)
    panel.text_filter.setText("OEKRAINE")  # case and diacritics do not matter
    assert quotes(panel) == ["Oekraïne"]
    panel.text_filter.setText("meervoud")  # the note
    assert quotes(panel) == ["huizen"]
    panel.text_filter.setText("spoke")  # a phrase's English
    assert quotes(panel) == ["sprak"]
    assert panel.count_label.text() == "1 of 4"


def test_clicking_an_entry_opens_its_document_at_the_sentence_with_the_text_selected(
    empty_packages, make_window, qtbot, tmp_path
):
    window = make_window()
    first = open_article(window, qtbot, tmp_path)
    s2 = sentence_ids(window)[2]
    window.session.annotate(window.db, s2, NL, 4, 9, note="sprak: spoke")
    second = open_article(window, qtbot, tmp_path, OTHER, "b.txt")
    assert window.doc_id == second
    panel = show_panel(window, qtbot)
    assert panel.visible_entries() == []  # this document has none
    panel.library_scope.setChecked(True)  # read in a worker
    qtbot.waitUntil(lambda: quotes(panel) == ["sprak"])
    assert panel.visible_entries()[0].title == "Nieuws uit Oekraïne"
    index = panel.model.index(0, 1)
    panel.table.setCurrentIndex(index)
    panel.table.activated.emit(index)
    assert window.doc_id == first
    assert window.view.current_sentence() == s2
    assert window.view.selected_text() == "sprak"


def test_edit_and_delete_from_the_panel_go_through_undo(empty_packages, make_window, qtbot, tmp_path):
    window = make_window()
    doc = open_article(window, qtbot, tmp_path)
    s1 = sentence_ids(window)[1]
    window.session.annotate(window.db, s1, NL, 3, 11, note="ambt")
    panel = show_panel(window, qtbot)
    qtbot.waitUntil(lambda: len(panel.visible_entries()) == 1)
    dialog = panel.edit(panel.visible_entries()[0])
    assert dialog is not None and dialog.isVisible()
    dialog.note.setPlainText("bewindspersoon")
    dialog.colour.setCurrentIndex(dialog.colour.findData("pink") if dialog.colour.findData("pink") >= 0
                                  else dialog.colour.findText("pink"))
    dialog.accept()
    qtbot.waitUntil(lambda: panel.visible_entries()[0].detail == "bewindspersoon")
    stored = notes.document_annotations(window.db, doc)[0]
    assert (stored.note, stored.colour) == ("bewindspersoon", "pink")
    # The view paints the new colour: the session told it.
    assert window.session.annotation(stored.id).colour == "pink"

    assert panel.delete(panel.visible_entries()[0])
    qtbot.waitUntil(lambda: panel.visible_entries() == [])
    assert notes.document_annotations(window.db, doc) == []
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: quotes(panel) == ["minister"])
    back = notes.document_annotations(window.db, doc)
    assert [(a.id, a.note) for a in back] == [(stored.id, "bewindspersoon")]


def test_a_detached_annotation_is_listed_with_its_old_quote_and_can_be_reattached(
    empty_packages, make_window, qtbot, tmp_path
):
    window = make_window()
    open_article(window, qtbot, tmp_path)
    s1 = sentence_ids(window)[1]
    session = window.session
    session.edit(window.db, s1, "The minister called yesterday.")
    session.annotate(window.db, s1, EN, 4, 12, note="who called")
    panel = show_panel(window, qtbot)
    qtbot.waitUntil(lambda: len(panel.visible_entries()) == 1)
    session.edit(window.db, s1, "Rain fell on the empty square all day.")  # the quote is gone
    qtbot.waitUntil(lambda: panel.visible_entries()[0].detached)
    entry = panel.visible_entries()[0]
    assert entry.quote == "minister"
    assert panel.model.data(panel.model.index(0, 1)) == "Detached: “minister”"
    panel.kind_filter.setCurrentIndex(panel.kind_filter.findData("detached"))
    assert quotes(panel) == ["minister"]
    menu = panel.entry_menu(entry)
    assert "Re-attach to Selection" in [a.text() for a in menu.actions()]

    # Without a selection in its sentence: a message, nothing changes.
    window.view.clear_selection()
    assert not panel.reattach(entry)
    assert "Select the new text in the English" in panel.message.text()

    row, start, _ = window.view.sentence_span(s1, EN)
    window.view.select_text(EN, (row, start + 17), (row, start + 29))  # "empty square"
    assert panel.reattach(entry)
    qtbot.waitUntil(lambda: quotes(panel) == [])  # attached again: the "Detached" filter hides it
    panel.kind_filter.setCurrentIndex(0)
    now = panel.visible_entries()[0]
    assert (now.quote, now.detached, now.detail) == ("empty square", False, "who called")
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: panel.visible_entries()[0].detached)
    assert panel.visible_entries()[0].quote == "minister"


def test_vocabulary_lists_phrases_with_an_editable_status_and_context(
    empty_packages, make_window, qtbot, tmp_path
):
    window = make_window()
    doc = open_article(window, qtbot, tmp_path)
    s1 = sentence_ids(window)[1]
    window.annotating.create_phrase(s1, [(12, 17), (27, 29)], "called")  # belde … op
    panel = show_panel(window, qtbot)
    panel.tabs.setCurrentIndex(1)
    model = panel.vocabulary
    qtbot.waitUntil(lambda: model.rowCount() == 1)
    assert [model.data(model.index(0, c)) for c in range(3)] == ["belde … op", "called", "new"]
    assert "De minister belde gisteren op." in model.data(model.index(0, 0), Qt.ItemDataRole.ToolTipRole)
    status = model.index(0, 2)
    assert model.flags(status) & Qt.ItemFlag.ItemIsEditable
    assert model.setData(status, "known")
    qtbot.waitUntil(lambda: model.data(model.index(0, 2)) == "known")
    assert vocab.list_phrases(window.db, doc_id=doc)[0].status == "known"
    window.undo_action.trigger()
    assert vocab.list_phrases(window.db, doc_id=doc)[0].status == "new"
    qtbot.waitUntil(lambda: model.data(model.index(0, 2)) == "new")
    panel.vocab_status.setCurrentIndex(panel.vocab_status.findData("known"))
    assert model.rowCount() == 0


def test_a_status_changed_with_no_document_open_is_undone_by_edit_undo(
    empty_packages, make_window, qtbot, tmp_path
):
    window = make_window()
    doc = open_article(window, qtbot, tmp_path)
    window.annotating.create_phrase(sentence_ids(window)[1], [(12, 17), (27, 29)], "called")
    window.close_document()
    assert window.session is None
    panel = show_panel(window, qtbot)
    panel.tabs.setCurrentIndex(1)
    model = panel.vocabulary
    qtbot.waitUntil(lambda: model.rowCount() == 1)
    assert model.setData(model.index(0, 2), "learning")
    assert vocab.list_phrases(window.db, doc_id=doc)[0].status == "learning"
    assert window.undo_action.isEnabled()
    window.undo_action.trigger()
    assert vocab.list_phrases(window.db, doc_id=doc)[0].status == "new"
    qtbot.waitUntil(lambda: model.data(model.index(0, 2)) == "new")
    window.redo_action.trigger()
    assert vocab.list_phrases(window.db, doc_id=doc)[0].status == "learning"


def _answer_next_question(qtbot, button, seen: list[str]) -> None:
    def answer():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        seen.append(box.text())
        box.button(button).click()

    QTimer.singleShot(0, answer)


def test_removing_a_document_says_what_goes_with_it_and_phrases_keep_their_context(
    empty_packages, make_window, qtbot, tmp_path
):
    window = make_window()
    doc = open_article(window, qtbot, tmp_path)
    s1, s2 = sentence_ids(window)[1:3]
    session = window.session
    session.annotate(window.db, s1, NL, 3, 11, note="ambt")
    session.annotate(window.db, s2, NL, 4, 9)
    window.annotating.create_phrase(s1, [(12, 17), (27, 29)], "called")
    panel = show_panel(window, qtbot)
    panel.library_scope.setChecked(True)
    qtbot.waitUntil(lambda: len(panel.visible_entries()) == 3)

    seen: list[str] = []
    _answer_next_question(qtbot, QMessageBox.StandardButton.Cancel, seen)
    assert not window.remove_document(doc)
    assert "Its 2 annotations will be deleted with it." in seen[0]
    assert "The 1 phrase saved from it stays in your vocabulary, with its sentence" in seen[0]
    assert store.get_document(window.db, doc)["id"] == doc

    _answer_next_question(qtbot, QMessageBox.StandardButton.Yes, seen)
    assert window.remove_document(doc)
    qtbot.waitUntil(lambda: quotes(panel) == ["belde … op"])
    kept = vocab.list_phrases(window.db)
    assert [(p.document_id, p.context_nl) for p in kept] == [(None, "De minister belde gisteren op.")]
    # Choosing it says its document is gone, and opens nothing.
    assert not panel.jump(panel.visible_entries()[0])
    assert "removed from the library" in panel.message.text()


def test_a_read_only_library_is_listed_but_not_editable(
    empty_packages, make_window, qtbot, tmp_path, monkeypatch
):
    window = make_window()
    doc = open_article(window, qtbot, tmp_path)
    s1 = sentence_ids(window)[1]
    window.session.annotate(window.db, s1, NL, 3, 11, note="ambt")
    window.annotating.create_phrase(s1, [(12, 17)], "called")
    window.close()
    monkeypatch.setenv("BIREADER_READ_ONLY", "1")
    ro = make_window()
    assert ro.read_only
    assert ro.open_document(doc)
    panel = show_panel(ro, qtbot)
    qtbot.waitUntil(lambda: len(panel.visible_entries()) == 2)
    assert panel.read_only_label.isVisible() and panel.read_only_label.text() == READ_ONLY_NOTICE
    entry = next(e for e in panel.visible_entries() if e.kind == "annotation")
    assert panel.edit(entry) is None and not panel.delete(entry)
    assert panel.message.text() == READ_ONLY_NOTICE
    menu = panel.entry_menu(entry)
    enabled = {a.text(): a.isEnabled() for a in menu.actions()}
    assert enabled == {"Go to Sentence": True, "Edit…": False, "Delete": False}
    qtbot.waitUntil(lambda: panel.vocabulary.rowCount() == 1)
    status = panel.vocabulary.index(0, 2)
    assert not panel.vocabulary.flags(status) & Qt.ItemFlag.ItemIsEditable
    assert not panel.vocabulary.setData(status, "known")
    assert [a.note for a in notes.document_annotations(ro.db, doc)] == ["ambt"]
    assert [p.status for p in vocab.list_phrases(ro.db)] == ["new"]


def test_the_panel_screenshots_in_both_themes(empty_packages, make_window, qtbot, tmp_path):
    window = make_window((1400, 800))
    open_article(window, qtbot, tmp_path)
    s1, s2, s3 = sentence_ids(window)[1:4]
    session = window.session
    session.annotate(window.db, s1, NL, 3, 11, note="ambt", colour="green", tags=["politiek"])
    session.annotate(window.db, s3, NL, 3, 9, note="meervoud van huis\ntweede regel", tags=["grammatica"])
    window.annotating.create_phrase(s2, [(4, 9)], "spoke")
    panel = show_panel(window, qtbot)
    qtbot.waitUntil(lambda: len(panel.visible_entries()) == 3)
    for name in ("light", "dark"):
        window.set_theme(name, save=False)
        QApplication.processEvents()  # the palette change reaches the widgets
        picture = panel.grab()
        out = tmp_path / f"panel-{name}.png"
        assert picture.save(str(out)) and out.stat().st_size > 0
        image = picture.toImage()
        # The list follows the theme: a dark panel for the dark theme, a light one otherwise.
        centre = image.pixelColor(image.width() // 2, image.height() - 40)
        assert (centre.lightness() < 128) == (name == "dark"), (name, centre.name())
    assert QKeySequence("Ctrl+Shift+N") == window.annotations_panel_action.shortcut()
