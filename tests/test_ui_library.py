"""The library sidebar on real widgets: readable titles, collapse with Ctrl+B, width remembered."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics

from reader import store
from tests.helpers_store import make_article
from ui.library import CURRENT_ROLE, META_ROLE, PAD_X

TITLE_40 = "Kabinet wil meer woningen bouwen in Delft"  # 41 characters
LONG_TITLE = (
    "Voor het eerst sinds de invasie van Oekraïne door Rusland hebben beide landen "
    "topoverleg gevoerd over de oorlog"
)


def add(title: str, date: str | None = "2024-05-14", n: int = 3) -> int:
    body = " ".join(f"Dit is zin {i + 1} over {title}." for i in range(n))
    db = store.open_db()
    try:
        return store.add_document(db, make_article([("body", body)], title=title, date=date))[0]
    finally:
        db.close()


def title_font(window) -> QFont:
    font = QFont(window.library.list.font())
    font.setWeight(QFont.Weight.DemiBold)
    return font


def test_a_forty_character_title_is_shown_whole_with_its_date_size_and_progress(empty_packages, make_window):
    add(TITLE_40)
    window = make_window()  # 1200 × 800, the sidebar at its default width
    library = window.library
    lines = library.shown_title(0)
    assert " ".join(lines) == TITLE_40  # whole: no "…", nothing cut
    rect = library.row_rect(0)
    metrics = QFontMetrics(title_font(window))
    assert all(metrics.horizontalAdvance(line) <= rect.width() - 2 * PAD_X for line in lines), (lines, rect)
    meta_height = QFontMetrics(window.library.list.font()).height()
    assert rect.height() >= len(lines) * metrics.lineSpacing() + meta_height
    assert library.proxy.index(0, 0).data(META_ROLE) == "2024-05-14 · 3 sentences · 0%"
    assert library.width() < window.width() // 3  # the text keeps the room


def test_a_very_long_title_is_elided_at_the_end_and_whole_in_the_tooltip(empty_packages, make_window):
    add(LONG_TITLE, date=None)
    window = make_window()
    lines = window.library.shown_title(0)
    assert len(lines) == 2 and lines[-1].endswith("…")
    assert lines[0] == LONG_TITLE[: len(lines[0])]  # starts like the title: cut at the end only
    index = window.library.proxy.index(0, 0)
    assert LONG_TITLE in index.data(Qt.ItemDataRole.ToolTipRole)
    assert index.data(META_ROLE) == "3 sentences · 0%"


def test_ctrl_b_collapses_and_expands_the_library_at_its_width(empty_packages, make_window, qtbot):
    add(TITLE_40)
    window = make_window()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # window shortcuts need the active window
    width = window.library.width()
    text_width = window.stack.width()
    qtbot.keyClick(window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert not window.library.isVisible()
    assert not window.library_action.isChecked()
    qtbot.waitUntil(lambda: window.stack.width() > text_width + width // 2)
    qtbot.keyClick(window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert window.library.isVisible() and window.library_action.isChecked()
    qtbot.waitUntil(lambda: window.library.width() == width)
    assert "Ctrl+B" in window.library_action.shortcut().toString()


def test_the_hide_button_collapses_the_library(empty_packages, make_window, qtbot):
    window = make_window()
    qtbot.mouseClick(window.library.hide_button, Qt.MouseButton.LeftButton)
    assert not window.library.isVisible()
    window.library_action.trigger()
    assert window.library.isVisible()


def test_the_library_width_and_collapsed_state_survive_a_restart(empty_packages, make_window, qtbot):
    add(TITLE_40)
    window = make_window()
    total = sum(window.splitter.sizes())
    window.splitter.setSizes([420, total - 420])  # the user drags the divider
    window.close()

    again = make_window()
    assert again.library.isVisible()
    assert again.splitter.sizes()[0] == 420
    again.set_library_visible(False)  # Ctrl+B
    again.close()

    third = make_window()
    assert not third.library.isVisible() and not third.library_action.isChecked()
    third.library_action.trigger()
    qtbot.waitUntil(lambda: third.library.isVisible())
    assert third.splitter.sizes()[0] == 420


def test_library_shortcut_is_unique_among_the_windows_shortcuts(empty_packages, make_window):
    from PySide6.QtGui import QAction

    window = make_window()
    seen: dict[str, str] = {}
    for action in window.findChildren(QAction):
        for seq in action.shortcuts():
            key = seq.toString()
            if not key or action.shortcutContext() == Qt.ShortcutContext.WidgetShortcut:
                continue
            assert key not in seen, f"{key} is both {seen[key]!r} and {action.text()!r}"
            seen[key] = action.text()
    assert seen["Ctrl+B"] == "Show &Library"


def test_rows_refit_their_titles_when_the_sidebar_widens_and_the_open_mark_follows(
    empty_packages, make_window, qtbot
):
    """Row heights are remembered per title and width: a wider sidebar gives the long title
    fewer lines and a lower row; only the open document carries the accent mark."""
    first, second = add(TITLE_40), add(LONG_TITLE)
    window = make_window()
    library = window.library
    metrics = QFontMetrics(title_font(window))

    def row_of(doc_id: int) -> int:
        row = library.row_of(doc_id)
        assert row is not None
        return row

    def fits(row: int) -> bool:
        lines = library.shown_title(row)
        return library.row_rect(row).height() >= len(lines) * metrics.lineSpacing()

    long_row = row_of(second)
    narrow = (len(library.shown_title(long_row)), library.row_rect(long_row).height())
    assert narrow[0] == 2 and fits(long_row)
    window.resize(2600, 800)
    window.splitter.setSizes([2000, 600])
    qtbot.waitUntil(lambda: library.row_rect(long_row).height() < narrow[1])
    assert len(library.shown_title(long_row)) == 1 and fits(long_row) and fits(row_of(first))

    def marked() -> dict[int, bool]:
        return {d: bool(library.proxy.index(row_of(d), 0).data(CURRENT_ROLE)) for d in (first, second)}

    window.open_document(first)
    assert marked() == {first: True, second: False}
    window.open_document(second)
    assert marked() == {first: False, second: True}
