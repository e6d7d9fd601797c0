"""Saved-phrase underlines stay under their words when the reading surface changes.

The painter keeps each row's underline geometry with the row's layout, and the layout keeps its
row tops and height sums up to date as rows come and go: these tests check, in real offscreen
pixels, that a resize, a zoom, a layout switch, new marks or arriving translations never leave an
underline where a word used to be.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from PySide6.QtGui import QImage

from reader.hover import NL
from ui.reader_view import INTERLEAVED, ReaderView
from ui.view_paint import PHRASE_LAYER, phrase_mark_color, phrase_mark_highlights

from .test_ui_view import seed_content

SIZE = (1100, 700)


def word_ranges(content, every: int, offset: int) -> dict[int, list[tuple[int, int]]]:
    """Every ``every``-th word of each sentence (from ``offset``): dense marks, as a reader with
    many saved phrases sees them."""
    out = {}
    for sid, s in content.sentences.items():
        words = [m.span() for m in re.finditer(r"\w{3,}", s.text)]
        picked = words[offset::every]
        if picked:
            out[sid] = picked
    return out


def new_view(qtbot, size=SIZE) -> ReaderView:
    v = ReaderView()
    qtbot.addWidget(v)
    v.resize(*size)
    v.show()
    qtbot.waitExposed(v)
    return v


def show(view: ReaderView, content, translations, ranges) -> None:
    view.set_document(content, translations)
    view.set_highlights(PHRASE_LAYER, phrase_mark_highlights(ranges, phrase_mark_color(False)))


def mark_mask(view: ReaderView) -> np.ndarray:
    """The viewport's pixels painted in the saved-phrase colour (a fresh synchronous paint)."""
    view.viewport().repaint()
    img = view.viewport().grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    w, h = img.width(), img.height()
    arr = np.frombuffer(img.constBits(), dtype=np.uint8).reshape(h, img.bytesPerLine())[:, : w * 4]
    bgra = arr.reshape(h, w, 4)
    c = phrase_mark_color(False)
    return (bgra[:, :, 0] == c.blue()) & (bgra[:, :, 1] == c.green()) & (bgra[:, :, 2] == c.red())


def expected_mask(view: ReaderView, ranges, shape) -> tuple[np.ndarray, list[tuple[int, int, int]]]:
    """Where the underlines belong, from the characters' rectangles worked out now: a band of
    three pixel rows under each marked word, and each word's (y, x1, x2) to find a line at."""
    mask = np.zeros(shape, dtype=bool)
    words = []
    for sid, spans in ranges.items():
        for a, b in spans:
            for r in view.range_rects(sid, NL, a, b):
                y = r.bottom() - max(1.0, r.height() * 0.16)
                if y < 2 or y > shape[0] - 3:
                    continue
                mask[int(y) - 1 : int(y) + 2, max(0, int(r.left()) - 1) : int(r.right()) + 2] = True
                if r.width() > 6:
                    words.append((int(y), int(r.left()) + 2, int(r.right()) - 2))
    return mask, words


def assert_underlined_exactly(view: ReaderView, ranges) -> np.ndarray:
    drawn = mark_mask(view)
    belongs, words = expected_mask(view, ranges, drawn.shape)
    assert len(words) > 30  # the view really shows many marked words
    for y, x1, x2 in words:  # every marked word is underlined along its whole width
        assert drawn[y - 1 : y + 2, x1:x2].any(axis=0).all(), (y, x1, x2)
    stray = np.argwhere(drawn & ~belongs)
    assert len(stray) == 0, f"underline pixels under no marked word, e.g. (y, x) {stray[:5].tolist()}"
    return drawn


def change_marks(view, content, translations, ranges):
    new = word_ranges(content, 3, 1)  # other words of the same sentences
    view.set_highlights(PHRASE_LAYER, phrase_mark_highlights(new, phrase_mark_color(False)))
    return new


def resize(view, content, translations, ranges):
    view.resize(760, 640)
    return ranges


def zoom(view, content, translations, ranges):
    view.set_zoom(view.zoom() + 2)
    return ranges


def interleave(view, content, translations, ranges):
    view.set_layout_mode(INTERLEAVED)
    return ranges


def translations_arrive(view, content, translations, ranges):
    # Interleaved, each Dutch sentence moves down as the English under the one above arrives.
    view.set_translations(translations)
    return ranges


@pytest.mark.parametrize("change", [change_marks, resize, zoom, interleave, translations_arrive])
def test_underlines_follow_their_words_when_the_view_changes(qtbot, change):
    content, translations = seed_content(repeat=3)
    ranges = word_ranges(content, 3, 0)
    view = new_view(qtbot)
    if change is translations_arrive:
        view.set_layout_mode(INTERLEAVED)
        view.set_missing_mode("none")  # an empty English side, then the whole English arrives
    show(view, content, {} if change is translations_arrive else translations, ranges)
    before = assert_underlined_exactly(view, ranges)  # painted once: the geometry is now kept
    ranges = change(view, content, translations, ranges)
    after = assert_underlined_exactly(view, ranges)
    assert not np.array_equal(before, after)  # the change really moved or replaced underlines

    # A view that never painted the old state draws the very same underlines.
    fresh = new_view(qtbot)
    fresh.set_zoom(view.zoom())
    fresh.set_layout_mode(view.layout_mode())
    show(fresh, content, translations, ranges)
    fresh.resize(view.size())
    qtbot.waitUntil(lambda: fresh.viewport().size() == view.viewport().size())
    fresh.verticalScrollBar().setValue(view.verticalScrollBar().value())
    assert np.array_equal(mark_mask(fresh), after)


def test_rows_neither_overlap_nor_leave_gaps_while_scrolling_and_translating(qtbot):
    content, translations = seed_content(repeat=8)
    view = new_view(qtbot)
    show(view, content, {}, word_ranges(content, 3, 0))
    sb, lay = view.verticalScrollBar(), view._layout
    ids = list(translations)
    for k, value in enumerate(range(0, sb.maximum(), max(1, view.viewport().height() // 3))):
        sb.setValue(value)
        view.viewport().repaint()
        if k % 4 == 0:  # translations arrive in batches, above and below the reading line
            batch, ids = ids[:25], ids[25:]
            view.set_translations({sid: translations[sid] for sid in batch})
        n = len(lay.heights)
        for row, rl in lay.rows.items():
            assert lay.heights[row] == pytest.approx(rl.height, abs=0.5)
        tops = [lay.top(r) for r in range(n + 1)]
        gaps = [tops[r] + lay.heights[r] - tops[r + 1] for r in range(n)]
        assert max(abs(g) for g in gaps) < 1e-6  # each row starts where the one above ends
        # The estimate of rows not laid out yet follows what the laid-out rows measured.
        assert lay._real_sum == pytest.approx(sum(rl.height for rl in lay.rows.values()))
        assert lay._raw_sum == pytest.approx(sum(lay.raw[r] for r in lay.rows))
    assert sb.value() > 0 and len(lay.rows) > 40


def test_thousands_of_marks_set_and_replaced_at_once_are_painted_where_they_belong(qtbot):
    """A long document's marks (more than the layer lists rows for: the view repaints what is on
    screen), given merged as the window's worker gives them, then replaced by a few and back."""
    content, translations = seed_content(repeat=30)
    dense = word_ranges(content, 2, 0)
    assert len(dense) > 500
    view = new_view(qtbot)
    view.set_document(content, translations)
    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum() // 2)
    view.viewport().repaint()  # a jump lays out the rows it lands on: their heights settle first
    color = phrase_mark_color(False)
    for ranges in (dense, dict(list(word_ranges(content, 3, 1).items())[:3]), dense):
        with qtbot.waitSignal(view.painted, timeout=5000):  # the change is repainted by itself
            view.set_highlights(PHRASE_LAYER, phrase_mark_highlights(ranges, color), merged=True)
        if len(ranges) > 3:
            # Only the rows on screen: working out rows above would lay them out, moving these.
            rows = view.visible_rows()
            assert_underlined_exactly(
                view, {sid: r for sid, r in ranges.items() if view.sentence_span(sid, NL)[0] in rows}
            )
        else:
            assert not mark_mask(view).any()  # the few left are far above: nothing stays on screen
