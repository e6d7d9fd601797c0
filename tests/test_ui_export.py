"""File → Export… and Export Selected…: the export dialog driven through its own widgets (format and
layout combos, include boxes, path fields, the overwrite question), with real SQLite, real writers
and the files read back. No model is installed: the English is the reader's own versions only."""

from __future__ import annotations

import json
import os
import re
import stat
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, QPoint, Qt
from PySide6.QtWidgets import QMessageBox

from reader import config, store
from reader.annotations import add_annotation
from reader.export_anki import slug
from reader.formats import EXPORT, Carries
from tests.helpers_store import make_article
from ui.export_dialog import INCLUDE_ROWS, ExportDialog
from ui.main_window import MainWindow

WAIT_MS = 30_000
MINE = "Lavrov and Kuleba <talked> in Antalya & more."  # the reader's version of sentence 2
NOTE = "Geheugensteun: Koeleba & Kuleba"
OTHER_BODY = "De trein naar Utrecht was vandaag te laat. Reizigers moesten lang wachten."
OTHER_MINE = "The train to Utrecht was late today."


def add_docs(window: MainWindow) -> tuple[int, int]:
    """Two documents: the first with a version of the reader's own and a note, the second with
    one version of its own; both otherwise untranslated."""
    db = window.db
    first, _ = store.add_document(db, make_article())
    second, _ = store.add_document(db, make_article([("body", OTHER_BODY)], title="Trein te laat"))
    s1 = store.document_sentences(db, first)
    store.set_user_translation(db, s1[1].id, MINE)
    add_annotation(db, first, s1[1].id, "nl", 0, 4, note=NOTE)
    store.set_user_translation(db, store.document_sentences(db, second)[0].id, OTHER_MINE)
    window.refresh_library()
    return first, second


def dutch(window: MainWindow, doc_id: int) -> list[str]:
    return [s.text for s in store.document_sentences(window.db, doc_id)]


def open_dialog(window: MainWindow, doc_id: int) -> ExportDialog:
    assert window.open_document(doc_id)
    dialog = window.export_dialog()
    assert isinstance(dialog, ExportDialog) and dialog.isVisible()
    return dialog


def choose(dialog: ExportDialog, fmt: str, path: Path | None = None, layout: str | None = None) -> None:
    dialog.format_box.setCurrentIndex(dialog.format_box.findData(fmt))
    if layout is not None:
        dialog.layout_box.setCurrentIndex(dialog.layout_box.findData(layout))
    if path is not None:
        dialog.path_edit.setText(str(path))


def include_box(dialog: ExportDialog, flag: Carries):
    return dialog.include_boxes[flag]


def export(qtbot, dialog: ExportDialog):
    with qtbot.waitSignal(dialog.exported, timeout=WAIT_MS) as sig:
        dialog.export_button.click()
    return sig.args[0]


@pytest.fixture
def window(empty_packages, make_window) -> MainWindow:
    return make_window()


# ----------------------------------------------------------------------------- the choices


def test_the_dialog_offers_every_registry_format_with_its_description(window):
    first, _ = add_docs(window)
    dialog = open_dialog(window, first)
    offered = [dialog.format_box.itemData(i) for i in range(dialog.format_box.count())]
    assert offered == list(EXPORT)
    for i, fmt in enumerate(EXPORT.values()):
        dialog.format_box.setCurrentIndex(i)
        assert dialog.description.text().startswith(f"{fmt.label}.")
        if fmt.holds != "-":
            assert fmt.holds in dialog.description.text()


def test_options_a_format_cannot_hold_are_greyed_out(window, qtbot):
    first, second = add_docs(window)
    single = open_dialog(window, first)
    several = window.imports.export_documents([first, second])
    for dialog in (single, several):
        for i, fmt in enumerate(EXPORT.values()):
            dialog.format_box.setCurrentIndex(i)
            assert dialog.layout_box.isEnabled() == ("layout" in fmt.options), fmt.name
            for flag, word, _label in INCLUDE_ROWS:
                box = include_box(dialog, flag)
                choosable = word is not None and word in fmt.includes
                assert box.isEnabled() == choosable, (fmt.name, flag)
                if not choosable:  # greyed: on when the format always holds it, off when it cannot
                    assert box.isChecked() == (flag in fmt.carries), (fmt.name, flag)
    for i, fmt in enumerate(EXPORT.values()):
        several.format_box.setCurrentIndex(i)
        assert several.combined_radio.isEnabled() == (Carries.MANY_DOCUMENTS in fmt.carries), fmt.name
    # Markdown and HTML let the reader leave the notes out; plain text cannot hold them at all;
    # Markdown always marks the reader's versions.
    choose(single, "md")
    assert include_box(single, Carries.ANNOTATIONS).isEnabled()
    origin = include_box(single, Carries.ORIGIN)
    assert not origin.isEnabled() and origin.isChecked() and "Always in Markdown" in origin.toolTip()
    choose(single, "txt")
    notes = include_box(single, Carries.ANNOTATIONS)
    assert not notes.isEnabled() and not notes.isChecked() and "cannot hold" in notes.toolTip()


# ----------------------------------------------------------------------------- one document, each format


def test_tsv_with_the_chosen_columns_and_the_missing_translations_in_the_status_bar(
    window, qtbot, tmp_path
):
    first, _ = add_docs(window)
    dialog = open_dialog(window, first)
    out = tmp_path / "artikel.tsv"
    choose(dialog, "tsv", out)
    for flag in (Carries.USER_VERSIONS, Carries.ORIGIN, Carries.ANNOTATIONS):
        include_box(dialog, flag).setChecked(True)
    assert export(qtbot, dialog) == [out]
    rows = [line.split("\t") for line in out.read_text(encoding="utf-8").splitlines() if line]
    assert rows[0] == ["nl", "en", "user_version", "origin", "notes"]
    assert [r[0] for r in rows[1:]] == dutch(window, first)
    assert rows[2][1:] == [MINE, MINE, "user", NOTE]
    assert rows[3][1:] == ["", "", "", ""]
    assert not dialog.isVisible()
    message = window.statusBar().currentMessage()
    assert message.startswith(f"Exported “Lavrov en Koeleba” to {out}.")
    assert "4 of 5 sentences of “Lavrov en Koeleba” are not translated yet" in message


@pytest.mark.parametrize("layout", ["side-by-side", "interleaved"])
def test_markdown_in_the_chosen_layout_with_or_without_the_notes(window, qtbot, tmp_path, layout):
    first, _ = add_docs(window)
    with_notes, without = tmp_path / "with.md", tmp_path / "without.md"
    for out, notes in ((with_notes, True), (without, False)):
        dialog = open_dialog(window, first)
        choose(dialog, "md", out, layout)
        include_box(dialog, Carries.ANNOTATIONS).setChecked(notes)
        assert export(qtbot, dialog) == [out]
    text = with_notes.read_text(encoding="utf-8")
    for sentence in dutch(window, first)[1:]:
        assert sentence in text
    assert "Lavrov and Kuleba" in text and "Geheugensteun" in text
    assert "Geheugensteun" not in without.read_text(encoding="utf-8")
    table_rows = [line for line in text.splitlines() if line.startswith("|")]
    assert bool(table_rows) == (layout == "side-by-side")


def test_html_is_one_escaped_page_with_the_readers_version_and_note(window, qtbot, tmp_path):
    first, _ = add_docs(window)
    dialog = open_dialog(window, first)
    out = tmp_path / "artikel.html"
    choose(dialog, "html", out, "interleaved")
    assert export(qtbot, dialog) == [out]
    page = out.read_text(encoding="utf-8")
    assert page.lstrip().lower().startswith("<!doctype html")
    shown = re.sub(r"<[^>]+>", "", page)  # the text between the word spans
    assert "Lavrov and Kuleba &lt;talked&gt; in Antalya &amp; more." in shown
    assert "<talked>" not in page
    assert "Geheugensteun: Koeleba &amp; Kuleba" in page
    for sentence in dutch(window, first)[1:]:
        assert sentence in shown


def test_json_holds_the_document_and_the_path_gets_the_formats_suffix(window, qtbot, tmp_path):
    first, _ = add_docs(window)
    dialog = open_dialog(window, first)
    choose(dialog, "json", tmp_path / "artikel")  # no suffix: the format's is added
    out = tmp_path / "artikel.json"
    assert export(qtbot, dialog) == [out]
    data = json.loads(out.read_text(encoding="utf-8"))
    sentences = [s for p in data["paragraphs"] for s in p["sentences"]]
    assert [s["source"] for s in sentences] == dutch(window, first)
    assert sentences[1]["translation"] == MINE
    assert NOTE in json.dumps(data, ensure_ascii=False)


def test_typing_another_formats_suffix_chooses_that_format(window):
    first, _ = add_docs(window)
    dialog = open_dialog(window, first)
    choose(dialog, "tsv")
    dialog.path_edit.setText("")
    dialog.path_edit.textEdited.emit("/somewhere/notes.md")  # as typing does
    assert dialog.format_box.currentData() == "md"
    choose(dialog, "html", Path("/somewhere/notes.md"))
    dialog.format_box.setCurrentIndex(dialog.format_box.findData("txt"))
    assert dialog.path_edit.text() == "/somewhere/notes.txt"


# ----------------------------------------------------------------------------- overwriting


def test_an_existing_file_is_asked_about_and_no_leaves_it_byte_identical(window, qtbot, tmp_path):
    first, _ = add_docs(window)
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "artikel.md"
    old = b"# my own notes\r\n\x00 not to be lost\n"
    out.write_bytes(old)
    dialog = open_dialog(window, first)
    choose(dialog, "md", out)
    dialog.export_button.click()
    box = dialog.confirm_box
    assert box is not None and box.isVisible() and out.name in box.text()
    box.button(QMessageBox.StandardButton.No).click()
    assert out.read_bytes() == old
    assert sorted(out.parent.iterdir()) == [out]  # no temporary file left either
    assert dialog.task is None and "Nothing was exported" in window.statusBar().currentMessage()
    # Asked again, Yes replaces it.
    dialog.export_button.click()
    with qtbot.waitSignal(dialog.exported, timeout=WAIT_MS):
        dialog.confirm_box.button(QMessageBox.StandardButton.Yes).click()
    assert "Lavrov and Kuleba" in out.read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- several documents


def select_rows(window: MainWindow, *doc_ids: int) -> None:
    lib = window.library
    model = lib.list.selectionModel()
    model.clearSelection()
    for doc_id in doc_ids:
        index = lib.proxy.index(lib.row_of(doc_id), 0)
        model.select(index, QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)


def test_several_documents_from_the_library_one_file_each(window, qtbot, tmp_path):
    first, second = add_docs(window)
    select_rows(window, first, second)
    assert sorted(window.library.selected_ids()) == sorted([first, second])
    # The sidebar's context menu offers them together.
    rect = window.library.row_rect(window.library.row_of(first))
    window.library._menu(rect.center())
    labels = [a.text() for a in window.library.last_menu.actions()]
    window.library.last_menu.close()
    assert "Export Selected (2)…" in labels
    window.export_selected_action.trigger()
    dialog = window.imports.export_dialog_widget
    assert dialog is not None and {d for d, _t in dialog.docs} == {first, second}
    choose(dialog, "tsv")
    dialog.each_radio.setChecked(True)
    folder = tmp_path / "out"
    folder.mkdir()
    dialog.folder_edit.setText(str(folder))
    seen: list[tuple[int, int]] = []
    with qtbot.waitSignal(dialog.exported, timeout=WAIT_MS) as sig:
        dialog.export_button.click()
        dialog.task.progress.connect(lambda done, total: seen.append((done, total)))
        assert dialog.progress.isVisible() and not dialog.export_button.isEnabled()
    written = sig.args[0]
    assert seen == [(1, 2), (2, 2)]  # progress per document
    expected = {
        folder / f"{first}-{slug('Lavrov en Koeleba')}.tsv": (first, MINE),
        folder / f"{second}-{slug('Trein te laat')}.tsv": (second, OTHER_MINE),
    }
    assert sorted(written) == sorted(expected) == sorted(folder.iterdir())
    for path, (doc_id, mine) in expected.items():
        rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines() if line]
        assert [r[0] for r in rows] == dutch(window, doc_id)
        assert mine in [r[1] for r in rows]
    message = window.statusBar().currentMessage()
    assert message.startswith(f"Exported 2 documents into {folder}, one file each.")
    assert "2 of the 2 documents are not fully translated yet" in message


def test_several_documents_into_one_tmx_where_the_format_holds_several(window, qtbot, tmp_path):
    first, second = add_docs(window)
    dialog = window.imports.export_documents([first, second])
    choose(dialog, "tmx")
    dialog.combined_radio.setChecked(True)
    out = tmp_path / "both.tmx"
    dialog.path_edit.setText(str(out))
    assert export(qtbot, dialog) == [out]
    root = ET.parse(out).getroot()
    pairs = [[seg.text for seg in tu.iter("seg")] for tu in root.iter("tu")]
    # One pair per translated sentence, both documents in order: here the reader's two versions.
    assert pairs == [[dutch(window, first)[1], MINE], [dutch(window, second)[0], OTHER_MINE]]
    # A format that holds one document a file turns the combined choice off.
    choose(dialog, "md")
    assert dialog.each_radio.isChecked() and not dialog.combined_radio.isEnabled()


def test_ctrl_click_selects_several_without_opening_them(window, qtbot):
    first, second = add_docs(window)
    assert window.open_document(first)
    lib = window.library
    rect = lib.row_rect(lib.row_of(second))
    qtbot.mouseClick(lib.list.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier,
                     rect.center())
    assert sorted(lib.selected_ids()) == sorted([first, second])
    assert window.doc_id == first


# ----------------------------------------------------------------------------- bad destinations


def test_a_folder_that_does_not_exist_gives_one_message_and_writes_nothing(window, qtbot, tmp_path):
    first, second = add_docs(window)
    dialog = window.imports.export_documents([first, second])
    choose(dialog, "md")
    dialog.each_radio.setChecked(True)
    missing = tmp_path / "no-such-folder"
    dialog.folder_edit.setText(str(missing))
    before = sorted(tmp_path.rglob("*"))
    assert dialog.start() is None
    assert dialog.error_label.isVisible()
    assert dialog.error_label.text() == (
        f"Could not write into {missing}: it does not exist; create it or choose another folder"
    )
    assert dialog.isVisible() and dialog.task is None and sorted(tmp_path.rglob("*")) == before


def test_a_file_whose_parent_is_a_file_gives_one_message_and_writes_nothing(window, qtbot, tmp_path):
    first, _ = add_docs(window)
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file, not a folder\n", encoding="utf-8")
    dialog = open_dialog(window, first)
    choose(dialog, "html", blocker / "artikel.html")
    before = sorted(tmp_path.rglob("*"))
    assert dialog.start() is None
    text = dialog.error_label.text()
    assert dialog.error_label.isVisible() and text.startswith(f"Could not write {blocker / 'artikel.html'}:")
    assert text.count(".") <= 2 and "\n" not in text  # one sentence
    assert dialog.task is None and sorted(tmp_path.rglob("*")) == before
    assert blocker.read_text(encoding="utf-8") == "a file, not a folder\n"


# ----------------------------------------------------------------------------- remembering, read-only


def test_the_last_choices_are_remembered(window, qtbot, tmp_path):
    first, second = add_docs(window)
    dialog = open_dialog(window, first)
    choose(dialog, "md", tmp_path / "a.md", "interleaved")
    include_box(dialog, Carries.ANNOTATIONS).setChecked(False)
    export(qtbot, dialog)
    again = open_dialog(window, second)
    assert again.format_box.currentData() == "md"
    assert again.layout_box.currentData() == "interleaved"
    assert not include_box(again, Carries.ANNOTATIONS).isChecked()
    assert Path(again.path_edit.text()) == tmp_path / "Trein te laat.md"
    choose(again, "html")  # each format keeps its own answer: HTML's notes are still in
    assert include_box(again, Carries.ANNOTATIONS).isChecked()
    choose(again, "md")
    assert not include_box(again, Carries.ANNOTATIONS).isChecked()


def test_a_read_only_library_can_still_export(empty_packages, make_window, qtbot, tmp_path, monkeypatch):
    window = make_window()
    first, _ = add_docs(window)
    window.close()
    path = config.db_path()
    path.chmod(stat.S_IRUSR | stat.S_IRGRP)
    path.parent.chmod(stat.S_IRUSR | stat.S_IXUSR)
    if os.access(path, os.W_OK):  # root ignores the bits: the store's switch says what they would
        monkeypatch.setenv("BIREADER_READ_ONLY", "1")
    try:
        reader = make_window()
        assert reader.read_only
        dialog = open_dialog(reader, first)
        out = tmp_path / "gelezen.tsv"
        choose(dialog, "tsv", out)
        assert export(qtbot, dialog) == [out]
        lines = out.read_text(encoding="utf-8").splitlines()
        assert [line.split("\t")[0] for line in lines if line] == dutch(reader, first)
        assert reader.exported  # the window heard it too
    finally:
        path.parent.chmod(stat.S_IRWXU)
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_export_selected_with_nothing_selected_says_what_to_do(window):
    add_docs(window)
    window.library.list.selectionModel().clearSelection()
    assert window.imports.export_selected() is None
    assert "Select documents in the library first" in window.statusBar().currentMessage()


def test_context_menu_on_one_row_exports_that_row(window):
    first, second = add_docs(window)
    select_rows(window, first)
    rect = window.library.row_rect(window.library.row_of(second))
    window.library._menu(QPoint(rect.center()))
    menu = window.library.last_menu
    action = next(a for a in menu.actions() if a.text() == "Export…")
    menu.close()
    action.trigger()
    assert [d for d, _t in window.imports.export_dialog_widget.docs] == [second]
