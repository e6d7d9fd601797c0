"""Help → Keyboard Shortcuts and Help → About, on the real window."""

from __future__ import annotations

from importlib import metadata

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence

from reader.dictionary import write_dictd
from ui.help import NO_LICENCE_FOUND, package_licence


@pytest.fixture
def small_dictionary(tmp_path, monkeypatch):
    folder = tmp_path / "dictd"
    write_dictd(folder, [("oorlog", "oorlog /orlɔx/\nwar\n")])
    monkeypatch.setenv("BIREADER_DICT", str(folder))
    return folder


@pytest.fixture
def no_dictionary(tmp_path, monkeypatch):
    monkeypatch.setenv("BIREADER_DICT", str(tmp_path / "nowhere"))


def menu_action(window, menu_title: str, text: str) -> QAction:
    menu = next(a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == menu_title)
    return next(a for a in menu.actions() if a.text().replace("&", "") == text)


def test_the_shortcuts_dialog_lists_every_shortcut_of_the_window(empty_packages, make_window):
    window = make_window()
    menu_action(window, "Help", "Keyboard Shortcuts").trigger()
    dialog = window.help_dialog
    assert dialog is not None and dialog.isVisible() and dialog.windowTitle() == "Keyboard Shortcuts"
    rows = dialog.rows()
    assert dialog.table.rowCount() == len(rows)
    shown = {(dialog.table.item(r, 0).text(), dialog.table.item(r, 1).text()) for r in range(len(rows))}
    # Every action of the window that has a shortcut is in the table, with its keys as shown.
    actions = [a for a in window.findChildren(QAction) if a.shortcuts() and a.text()]
    assert len(actions) >= 10
    for action in actions:
        keys = " or ".join(s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts())
        name = action.text().replace("&", "").rstrip("…").strip()
        assert (keys, name) in shown, (keys, name)
    # ... and the reading view's own keys, as the README documents them.
    commands = {(keys, command) for keys, command, _where in rows}
    for keys, command in [
        ("Down / J", "Next sentence"),
        ("Up / K", "Previous sentence"),
        ("Esc", "Clear the selection and the current sentence"),
        ("D", "Look Up Word"),
        ("Ctrl+B", "Show Library"),
        ("Ctrl+Shift+H", "Highlight Aligned Words"),
    ]:
        assert (keys, command) in commands, (keys, command)
    where = {command: w for _k, command, w in rows}
    assert where["Show Library"] == "View" and where["Export"] == "File"
    assert where["Keyboard Shortcuts"] == "Help"


def test_a_new_action_with_a_shortcut_shows_up_in_the_dialog(empty_packages, make_window):
    window = make_window()
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    extra = QAction("Frobnicate", window)
    extra.setShortcut(QKeySequence("Ctrl+Alt+Shift+F"))  # a key no action uses
    menu.addAction(extra)
    rows = window.show_shortcuts().rows()
    assert ("Ctrl+Alt+Shift+F", "Frobnicate", "View") in rows


def test_view_keys_in_the_dialog_do_what_it_says(empty_packages, make_window, qtbot, tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("Titel\n\nEen zin hier. Nog een zin daar. En een derde zin.", encoding="utf-8")
    window = make_window()
    with qtbot.waitSignal(window.document_opened, timeout=60_000):
        window.import_file(article)
    view = window.view
    first, second = view.content().order[:2]
    view.set_current_sentence(first)
    qtbot.keyClick(view, Qt.Key.Key_J)
    assert view.current_sentence() == second
    qtbot.keyClick(view, Qt.Key.Key_K)
    assert view.current_sentence() == first
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert view.current_sentence() is None


def test_about_names_version_model_and_licences(tiny_package, small_dictionary, make_window):
    window = make_window()
    menu_action(window, "Help", "About Bilingual Reader").trigger()
    dialog = window.help_dialog
    assert dialog is not None and dialog.isVisible()
    text = dialog.text()
    assert f"Bilingual Reader {metadata.version('bilingual-reader')}" in text
    assert "Bilingual Reader: MIT" in text
    assert f"version {tiny_package.package_version}" in text
    assert "Dutch → English" in text and "TEST package, its output is not a translation" in text
    assert "Model licence:" in text and NO_LICENCE_FOUND in text  # the test package states none
    assert "FreeDict Dutch–English (nld-eng), licence GPL-2.0-or-later" in text
    assert str(small_dictionary) in text
    assert "PySide6" in text and "LGPL-3.0" in text


def test_about_without_a_model_or_dictionary_says_so(empty_packages, no_dictionary, make_window):
    window = make_window()
    text = window.show_about().text()
    assert "Translation model: No translation model is installed." in text
    assert "Model licence" not in text
    assert "Dictionary: none found" in text and "GPL-2.0" not in text


def test_the_model_licence_is_read_from_the_package(tmp_path):
    pkg = tmp_path / "translate-nl_en-1_8"
    pkg.mkdir()
    (pkg / "metadata.json").write_text('{"package_version": "1.8"}', encoding="utf-8")
    assert package_licence(pkg) == NO_LICENCE_FOUND  # no README at all
    (pkg / "README.md").write_text(
        "# Dutch to English\n\nTrained on OPUS data.\n\n## License\n\nCC BY 4.0\n", encoding="utf-8"
    )
    assert package_licence(pkg) == "CC BY 4.0"
    (pkg / "README.md").write_text("Licensed under the MIT license.\n", encoding="utf-8")
    assert package_licence(pkg) == "Licensed under the MIT license."
    (pkg / "metadata.json").write_text('{"license": "CC0-1.0"}', encoding="utf-8")
    assert package_licence(pkg) == "CC0-1.0"  # the metadata's own field wins
