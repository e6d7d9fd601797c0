"""What the reader window tells and does for the user: export, messages, screenshot mode, theme,
the retranslate question's choices. Real test packages, real SQLite, real Qt offscreen."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QPoint, QPointF
from PySide6.QtGui import QColor, QContextMenuEvent, QGuiApplication, QKeySequence

from reader import store
from reader.pipeline import TranslateStats
from ui.main_window import MainWindow, export_format, translation_summary

from .conftest import SEED

WAIT_MS = 60_000
MY_VERSION = "Lavrov and Kuleba talked in Antalya: my own translation."



def open_and_translate(qtbot, window: MainWindow) -> int:
    with qtbot.waitSignal(window.translation_ended, timeout=WAIT_MS) as ended:
        window.import_file(SEED)
    assert ended.args == ["done"]
    return window.doc_id


# ----------------------------------------------------------------------------- export


@pytest.mark.parametrize("suffix", [".md", ".tsv", ".txt", ".json"])
def test_export_writes_the_dutch_and_the_users_edit_and_flags_the_test_model(
    tiny_package, make_window, qtbot, tmp_path, suffix
):
    window = make_window()
    open_and_translate(qtbot, window)
    order = window.view.content().order
    sid = order[1]
    window.save_user_translation(sid, MY_VERSION)
    dutch = window.view.sentence_text(sid, "nl")
    out = tmp_path / f"article{suffix}"
    with qtbot.waitSignal(window.exported, timeout=WAIT_MS) as sig:
        window.export_document(out)
    assert sig.args == [out]
    text = out.read_text(encoding="utf-8")
    if suffix == ".json":
        text = json.dumps(json.loads(text), ensure_ascii=False)
    assert dutch in text and MY_VERSION in text
    message = window.statusBar().currentMessage()
    assert message.startswith(f"Exported {len(order)} sentences to {out}.")
    assert "TEST MODEL" in message and "not a translation" in message


def test_export_is_in_the_file_menu_with_ctrl_e(empty_packages, make_window):
    window = make_window()
    assert window.export_action.text() == "&Export…"
    assert window.export_action.shortcut() == QKeySequence("Ctrl+E")
    assert window.export_action in window.menuBar().actions()[0].menu().actions()
    # With nothing open it says what to do instead of opening a dialog.
    assert window.export_dialog() is None
    assert "Open a document first" in window.statusBar().currentMessage()


def test_export_format_follows_the_extension_else_the_chosen_filter():
    assert export_format("/tmp/a.json", "Tab-separated values (*.tsv)") == "json"
    assert export_format("/tmp/notes", "Markdown (*.md)") == "md"
    assert export_format("/tmp/notes.backup", "Plain text (*.txt)") == "txt"


def test_an_export_that_cannot_be_written_shows_the_error_banner(
    empty_packages, make_window, qtbot, tmp_path
):
    window = make_window()
    with qtbot.waitSignal(window.document_opened, timeout=WAIT_MS):
        window.import_file(SEED)
    out = tmp_path / "no-such-folder" / "a.md"
    with qtbot.waitSignal(window.exported, timeout=WAIT_MS) as sig:
        window.export_document(out)
    assert isinstance(sig.args[0], Exception)
    banner = window.banners.banner("error")
    assert banner is not None and "Could not write" in banner.text()
    assert not out.exists()


# ----------------------------------------------------------------------------- screenshot mode


def test_a_screenshot_does_not_change_the_saved_window_state(empty_packages, make_window, qtbot, tmp_path):
    other = tmp_path / "other.txt"
    other.write_text("Een ander artikel.\n\nHet gaat over iets anders.", encoding="utf-8")
    window = make_window((1000, 640))
    with qtbot.waitSignal(window.document_opened, timeout=WAIT_MS):
        window.import_file(other)
    window.close()
    db = store.open_db()
    saved = {
        row["key"]: row["value"] for row in db["settings"].rows if row["key"].startswith("ui.")
    }
    db.close()
    assert "ui.window" in saved and "ui.last_document" in saved

    from ui.app import run

    assert run(["open", str(SEED), "--screenshot", str(tmp_path / "shot.png"), "--size", "800x500"]) == 0
    db = store.open_db()
    after = {row["key"]: row["value"] for row in db["settings"].rows if row["key"].startswith("ui.")}
    assert len(store.list_documents(db)) == 2  # the screenshot's article was imported...
    db.close()
    assert after == saved  # ... but the user's window, splitter, document and scroll are untouched


# ----------------------------------------------------------------------------- messages


def test_translation_summaries_count_in_words_that_cannot_be_misread():
    assert translation_summary(TranslateStats(1, 0, 1)) == "Translated 1 sentence."
    assert translation_summary(TranslateStats(7, 0, 7)) == "Translated 7 sentences."
    assert translation_summary(TranslateStats(512, 192, 320)) == (
        "512 sentences: 192 from the cache, 320 translated."
    )


def test_pasting_a_document_already_in_the_library_opens_it_and_says_so(empty_packages, make_window, qtbot):
    window = make_window()
    QGuiApplication.clipboard().setText(SEED.read_text(encoding="utf-8"))
    with qtbot.waitSignal(window.document_opened, timeout=WAIT_MS):
        window.paste_document()
    first = window.doc_id
    assert "Already in the library" not in window.statusBar().currentMessage()
    window.close_document()
    with qtbot.waitSignal(window.import_finished, timeout=WAIT_MS):
        window.paste_document()
    assert window.doc_id == first
    assert window.statusBar().currentMessage().startswith("Already in the library")
    assert len(window.library.titles()) == 1


# ----------------------------------------------------------------------------- theme


def contrast(a: QColor, b: QColor) -> float:
    def lum(c: QColor) -> float:
        def ch(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        return 0.2126 * ch(c.redF()) + 0.7152 * ch(c.greenF()) + 0.0722 * ch(c.blueF())

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("theme_name", ["dark", "light"])
def test_the_empty_state_text_is_readable_in_both_themes(empty_packages, make_window, theme_name):
    window = make_window()
    window.set_theme(theme_name)
    assert window.stack.currentWidget() is window.placeholder
    image = window.placeholder.grab().toImage()
    background = QColor(image.pixel(2, 2))
    # The darkest/lightest painted pixel is the glyphs' colour: compare it with the background.
    w, h = image.width(), image.height()
    pixels = [QColor(image.pixel(x, y)) for x in range(0, w, 2) for y in range(0, h, 2)]
    ink = max(pixels, key=lambda c: contrast(c, background))
    assert contrast(ink, background) >= 4.5
    if theme_name == "dark":
        assert background.lightness() < 80
    window.set_theme("light")


# ----------------------------------------------------------------------------- context menu


def test_right_click_in_a_gap_offers_no_sentence_actions(tiny_package, make_window, qtbot):
    window = make_window()
    open_and_translate(qtbot, window)
    view = window.view
    rows = view.paragraph_rows()
    first, second = view.content().paragraphs[rows[1]], view.content().paragraphs[rows[2]]
    sid = first.sentence_ids[0]
    view.set_current_sentence(sid)
    # A point between the two paragraphs, in the Dutch column.
    last_of_first = view.range_rects(first.sentence_ids[-1], "nl", 0, 10_000)[-1]
    top_of_second = view.sentence_rect(second.sentence_ids[0], "nl")
    gap = QPoint(int(last_of_first.left()) + 5, int((last_of_first.bottom() + top_of_second.top()) / 2))
    assert view.sentence_at(QPointF(gap)) is None
    with qtbot.waitSignal(view.context_menu_requested, timeout=2000) as sig:
        event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, gap, view.viewport().mapToGlobal(gap))
        QGuiApplication.sendEvent(view.viewport(), event)
    assert sig.args[0] is None
    assert getattr(window, "_menu", None) is None  # no menu acting on the previous sentence
    assert view.current_sentence() == sid
