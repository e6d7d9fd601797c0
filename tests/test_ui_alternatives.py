"""The alternatives dialog and what keeping an alternative does: real widgets offscreen, the tiny
test package (real CTranslate2 n-best lists) and a real SQLite library."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from reader import store
from ui.alternatives import ALTERNATIVE, CURRENT, HTML_ROLE, MACHINE, AlternativesDialog, diff_words
from ui.main_window import MainWindow
from ui.reader_view import EN, alternative_color

from .conftest import SEED

WAIT_MS = 60_000
CURRENT_TEXT = "The ministers talked for an hour and a half about humanitarian corridors."
NBEST = [
    ("The ministers spoke for an hour and a half about humanitarian corridors.", -0.61),
    ("The ministers talked for an hour and a half about humanitarian corridors.", -0.42),
    ("Ministers talked for one and a half hours about humanitarian corridors.", -1.37),
]


def marked(dialog: AlternativesDialog, row: int) -> list[str]:
    """The words the dialog highlights in a row."""
    rich = dialog.list.item(row).data(HTML_ROLE)
    return re.findall(r"<span style=\"background-color:[^\"]+;\">([^<]*)</span>", rich)


def test_the_current_translation_comes_first_then_alternatives_best_first_with_scores(qtbot):
    dialog = AlternativesDialog("De ministers spraken anderhalf uur.", NBEST, CURRENT_TEXT)
    qtbot.addWidget(dialog)
    texts = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    assert texts == [CURRENT_TEXT, NBEST[0][0], NBEST[2][0]]  # no duplicate of the current one
    assert dialog.kinds() == [CURRENT, ALTERNATIVE, ALTERNATIVE]
    rich = [dialog.list.item(i).data(HTML_ROLE) for i in range(dialog.list.count())]
    assert "CURRENT" in rich[0] and "machine translation" in rich[0]
    # Each alternative shows its score: as a share of the best and as the log-prob.
    assert "100%" in rich[0] and "(log-prob -0.42)" in rich[0]
    assert "83%" in rich[1] and "(log-prob -0.61)" in rich[1]
    assert "39%" in rich[2] and "(log-prob -1.37)" in rich[2]
    # Only the words that differ from the current translation are highlighted.
    assert marked(dialog, 0) == []
    assert marked(dialog, 1) == ["spoke"]
    assert set(marked(dialog, 2)) == {"Ministers", "one", "hours"}


def test_word_diff_marks_replaced_and_inserted_words_only():
    pieces = diff_words("the war goes on", "the long war goes on and on")
    assert [p for p, changed in pieces if changed] == ["long", "and", "on"]
    assert "".join(p for p, _ in pieces) == "the long war goes on and on"


def test_items_are_separate_rows_of_their_own_height(qtbot):
    dialog = AlternativesDialog("Bron.", NBEST, CURRENT_TEXT)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    rects = [dialog.list.visualItemRect(dialog.list.item(i)) for i in range(dialog.list.count())]
    line = dialog.list.fontMetrics().height()
    for above, below in zip(rects, rects[1:], strict=False):
        assert below.top() >= above.bottom()
        assert above.height() >= 2 * line  # a heading line with the score above the text


def test_arrows_choose_enter_keeps_and_escape_cancels(qtbot):
    dialog = AlternativesDialog("Bron.", NBEST, CURRENT_TEXT)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.chosen() == CURRENT_TEXT
    qtbot.keyClick(dialog.list, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.list, Qt.Key.Key_Down)
    assert dialog.chosen() == NBEST[2][0] and dialog.chosen_kind() == ALTERNATIVE
    kept: list[bool] = []
    dialog.accepted.connect(lambda: kept.append(True))
    qtbot.keyClick(dialog.list, Qt.Key.Key_Return)
    qtbot.wait(50)
    assert kept == [True] and not dialog.isVisible()  # kept once

    other = AlternativesDialog("Bron.", NBEST, CURRENT_TEXT)
    qtbot.addWidget(other)
    other.show()
    qtbot.waitExposed(other)
    with qtbot.waitSignal(other.rejected, timeout=1000):
        qtbot.keyClick(other.list, Qt.Key.Key_Escape)


def test_an_edited_sentence_offers_the_machine_translation_to_go_back_to(qtbot):
    dialog = AlternativesDialog("Bron.", NBEST, "My own version.", machine=NBEST[1][0], origin="user")
    qtbot.addWidget(dialog)
    assert dialog.kinds() == [CURRENT, MACHINE, ALTERNATIVE, ALTERNATIVE]
    assert "your translation" in dialog.list.item(0).data(HTML_ROLE)
    assert dialog.list.item(1).text() == NBEST[1][0]


# --------------------------------------------------------------------------- in the window


def show_dialog(qtbot, window: MainWindow, sid: int) -> AlternativesDialog:
    window.alternatives_dialog = None
    window.show_alternatives(sid)
    qtbot.waitUntil(lambda: window.alternatives_dialog is not None, timeout=WAIT_MS)
    return window.alternatives_dialog


def test_a_kept_alternative_is_stored_and_shown_as_the_models_not_the_users(tiny_package, make_window, qtbot):
    window = make_window()
    with qtbot.waitSignal(window.translation_ended, timeout=WAIT_MS):
        window.import_file(SEED)
    view = window.view
    sid = view.content().order[0]
    machine = view.translation(sid)
    dialog = show_dialog(qtbot, window, sid)
    assert dialog.list.item(0).text() == machine and dialog.kinds()[0] == CURRENT
    assert ALTERNATIVE in dialog.kinds()
    row = dialog.kinds().index(ALTERNATIVE)
    choice = dialog.list.item(row).text()
    dialog.list.setCurrentRow(row)
    dialog.accept()

    assert view.translation(sid) == choice
    assert view.origin(sid) == "alternative"
    versions = store.user_versions(window.db, window.doc_id)
    assert versions[sid] == store.UserVersion(choice, "alternative")
    # Marked as the model's alternative, in words and in colour, not as "your translation".
    rect = view.sentence_rect(sid, EN)
    assert view.tooltip_at(rect.center()) == "Model alternative (chosen by you)"
    image = view.viewport().grab().toImage()
    wanted = alternative_color(view.colors())
    below = [
        QColor(image.pixel(x, y))
        for x in range(int(rect.left()), int(rect.right()))
        for y in range(int(rect.center().y()), int(rect.bottom()) + 3)
    ]
    assert any(abs(c.red() - wanted.red()) + abs(c.blue() - wanted.blue()) < 40 for c in below)

    # Reopened, it is still the model's alternative.
    doc_id = window.doc_id
    window.close_document()
    window.open_document(doc_id)
    assert window.view.origin(sid) == "alternative" and window.view.translation(sid) == choice

    # Choosing the machine's own translation reverts it.
    dialog = show_dialog(qtbot, window, sid)
    assert dialog.kinds()[:2] == [CURRENT, MACHINE]
    assert "model alternative" in dialog.list.item(0).data(HTML_ROLE)
    dialog.list.setCurrentRow(1)
    dialog.accept()
    assert window.view.translation(sid) == machine and window.view.origin(sid) == "model"
    assert store.user_versions(window.db, window.doc_id) == {}
    qtbot.waitUntil(lambda: not window.runner.active() and not window.words.busy(), timeout=WAIT_MS)


def test_a_users_own_edit_keeps_its_your_translation_mark(tiny_package, make_window, qtbot):
    window = make_window()
    with qtbot.waitSignal(window.translation_ended, timeout=WAIT_MS):
        window.import_file(SEED)
    sid = window.view.content().order[1]
    window.save_user_translation(sid, "My own version.")
    assert window.view.origin(sid) == "user"
    assert window.view.tooltip_at(window.view.sentence_rect(sid, EN).center()) == "Your translation"
    assert store.user_versions(window.db, window.doc_id)[sid].origin == "user"
    qtbot.waitUntil(lambda: not window.runner.active() and not window.words.busy(), timeout=WAIT_MS)
