"""The window's menus: every action, its shortcut and its status tip, in menu order.

Help → Keyboard Shortcuts lists these same actions (``ui.help``), so a shortcut is declared once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QMenu

from ui.reader_view import INTERLEAVED, SIDE_BY_SIDE
from ui.sentence_actions import LOOK_UP_SHORTCUT
from ui.window_prefs import LIBRARY_SHORTCUT, WORD_HIGHLIGHT_SHORTCUT

if TYPE_CHECKING:
    from ui.main_window import MainWindow

SEARCH_SHORTCUT = "Ctrl+Shift+F"
PANEL_SHORTCUT = "Ctrl+Shift+N"
Shortcut = str | QKeySequence | QKeySequence.StandardKey | list[QKeySequence | QKeySequence.StandardKey]


def build_menus(w: MainWindow) -> None:
    """File, View, Model and Help; the actions other code refers to become attributes of ``w``."""
    m = w.menuBar().addMenu("&File")
    w.open_action = add_action(w, m, "&Open…", w.open_file_dialog, QKeySequence.StandardKey.Open)
    w.open_url_action = add_action(w, m, "Open &URL…", w.imports.open_url_dialog, "Ctrl+Shift+O")
    w.open_url_action.setStatusTip("Download a web page and read its article (http:// or https://)")
    w.paste_action = add_action(w, m, "New from &Clipboard", w.paste_document, QKeySequence.StandardKey.Paste)
    w.export_action = add_action(w, m, "&Export…", w.export_dialog, "Ctrl+E")
    w.export_action.setStatusTip("Save the open document with its translation: format, layout and content")
    w.export_selected_action = add_action(w, m, "Export &Selected…", w.imports.export_selected)
    w.export_selected_action.setStatusTip("Export the documents selected in the library (Ctrl+click adds)")
    w.library.export_requested.connect(w.imports.export_documents)
    m.addSeparator()
    w.remove_action = add_action(
        w, m, "&Remove Document…", lambda: w.doc_id is not None and w.remove_document(w.doc_id)
    )
    m.addSeparator()
    add_action(w, m, "&Quit", w.close, QKeySequence.StandardKey.Quit)

    build_edit_menu(w)

    m = w.menuBar().addMenu("&View")
    group = QActionGroup(w)
    w.side_by_side_action = add_action(
        w, m, "&Side by Side", lambda: w.set_layout_mode(SIDE_BY_SIDE), "Ctrl+1", checkable=True
    )
    w.interleaved_action = add_action(
        w, m, "&Interleaved", lambda: w.set_layout_mode(INTERLEAVED), "Ctrl+2", checkable=True
    )
    for a in (w.side_by_side_action, w.interleaved_action):
        group.addAction(a)
    w.toggle_layout_action = add_action(w, m, "&Toggle Layout", w.toggle_layout, "Ctrl+L")
    m.addSeparator()
    zoom_in = [QKeySequence.StandardKey.ZoomIn, QKeySequence("Ctrl+=")]
    add_action(w, m, "Zoom &In", lambda: w.set_zoom(w.view.zoom() + 1), zoom_in)
    add_action(w, m, "Zoom &Out", lambda: w.set_zoom(w.view.zoom() - 1), QKeySequence.StandardKey.ZoomOut)
    add_action(w, m, "&Actual Size", lambda: w.set_zoom(0), "Ctrl+0")
    m.addSeparator()
    tm = m.addMenu("&Theme")
    tgroup = QActionGroup(w)
    for name, label in (("system", "Follow &System"), ("light", "&Light"), ("dark", "&Dark")):
        a = add_action(w, tm, label, lambda n=name: w.set_theme(n), checkable=True)
        tgroup.addAction(a)
        w.theme_actions[name] = a
    m.addSeparator()
    w.library_action = add_action(
        w, m, "Show &Library", lambda: w.set_library_visible(w.library.isHidden()), LIBRARY_SHORTCUT, True
    )
    w.library_action.setStatusTip("Show or hide the library sidebar; its width is remembered")
    w.library_action.setChecked(True)
    m.addSeparator()
    w.word_highlight_action = add_action(
        w,
        m,
        "Highlight Aligned &Words",
        lambda: w.set_word_highlighting(w.word_highlight_action.isChecked()),
        WORD_HIGHLIGHT_SHORTCUT,
        checkable=True,
    )
    w.word_highlight_action.setChecked(True)
    w.word_highlight_action.setStatusTip(
        "Hovering a word highlights its translation; clicking a Dutch word pins it and opens "
        "the dictionary"
    )
    w.look_up_action = add_action(w, m, "&Look Up Word", w.words.look_up_current, LOOK_UP_SHORTCUT)
    w.look_up_action.setStatusTip("Dictionary entry of the Dutch word under the mouse (or the pinned one)")
    # Only while reading: typing "d" in the library or the inline editor stays typing.
    w.look_up_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    w.view.addAction(w.look_up_action)
    m.addSeparator()
    w.find_action = add_action(w, m, "&Find in Document…", w.find_bar.open_bar, QKeySequence.StandardKey.Find)
    w.find_action.setStatusTip("Find text in the open document, Dutch and English; Esc closes the bar")
    w.search_library_action = add_action(w, m, "&Search Library…", w.search_panel.open_panel, SEARCH_SHORTCUT)
    w.search_library_action.setStatusTip("Search every document: Dutch, translations, notes, saved phrases")
    w.annotations_panel_action = w.annotations_panel.toggleViewAction()
    w.annotations_panel_action.setText("&Annotations Panel")
    w.annotations_panel_action.setShortcut(QKeySequence(PANEL_SHORTCUT))
    w.annotations_panel_action.setStatusTip("Show or hide the list of annotations and the vocabulary")
    m.addAction(w.annotations_panel_action)

    m = w.menuBar().addMenu("&Model")
    add_action(w, m, "&Download Dutch → English Model", w.download_model)
    add_action(w, m, "&Install from File…", w.install_model_dialog)
    m.addSeparator()
    w.choose_dictionary_action = add_action(w, m, "Choose &Dictionary…", w.choose_dictionary)
    w.choose_dictionary_action.setStatusTip(
        "Where the FreeDict Dutch–English dictionary (freedict-nld-eng.index) is"
    )

    m = w.menuBar().addMenu("&Help")
    w.shortcuts_action = add_action(
        w, m, "&Keyboard Shortcuts", w.show_shortcuts, QKeySequence.StandardKey.HelpContents
    )
    w.about_action = add_action(w, m, "&About Bilingual Reader", w.show_about)

    hints = QGuiApplication.styleHints()
    if hasattr(hints, "colorSchemeChanged"):
        hints.colorSchemeChanged.connect(lambda _s: w.prefs.theme == "system" and w.set_theme("system"))


def build_edit_menu(w: MainWindow) -> None:
    """Undo and redo of annotations, saved phrases and link corrections, and the actions that make them."""
    from ui.annotate import ANNOTATE_SHORTCUT, LINK_SHORTCUT, SAVE_PHRASE_SHORTCUT, UNLINK_SHORTCUT

    m = w.menuBar().addMenu("&Edit")
    history = w.annotating.history
    w.undo_action = history.createUndoAction(w, "&Undo")
    w.undo_action.setShortcuts(QKeySequence.StandardKey.Undo)
    w.redo_action = history.createRedoAction(w, "&Redo")
    w.redo_action.setShortcuts(QKeySequence.StandardKey.Redo)
    m.addAction(w.undo_action)
    m.addAction(w.redo_action)
    m.addSeparator()
    a = w.annotating
    w.annotate_action = add_action(w, m, "&Annotate…", a.annotate, ANNOTATE_SHORTCUT)
    w.annotate_action.setStatusTip("A note, a colour and tags on the selected text (or the hovered phrase)")
    w.save_phrase_action = add_action(w, m, "Save &Phrase…", a.save_phrase, SAVE_PHRASE_SHORTCUT)
    w.save_phrase_action.setStatusTip(
        "Keep the selected (or hovered) Dutch phrase with its English and sentence; Ctrl adds a part"
    )
    w.link_action = add_action(w, m, "&Link Selected Words", lambda: a.link_selected(True), LINK_SHORTCUT)
    w.link_action.setStatusTip("Select Dutch words, then with Ctrl English words of the same sentence")
    w.unlink_action = add_action(
        w, m, "U&nlink Selected Words", lambda: a.link_selected(False), UNLINK_SHORTCUT
    )


def add_action(
    w: MainWindow,
    menu: QMenu,
    text: str,
    slot: Callable[[], object],
    shortcut: Shortcut | None = None,
    checkable: bool = False,
) -> QAction:
    action = QAction(text, w)
    if shortcut is not None:
        if isinstance(shortcut, list):
            action.setShortcuts(shortcut)
        else:
            action.setShortcut(QKeySequence(shortcut))
    action.setCheckable(checkable)
    action.triggered.connect(lambda _checked=False: slot())
    menu.addAction(action)
    return action
