"""The reading surface on its own: real Qt widgets offscreen, text segmented by reader.segment."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication

from reader.importer import parse_text
from reader.segment import sentence_spans
from ui.reader_view import EN, INTERLEAVED, NL, SIDE_BY_SIDE, DocumentContent, ReaderView

from .conftest import SEED


def english(sid: int, text: str) -> str:
    """A stand-in translation that is visibly different from the Dutch and has its own length."""
    words = text.split()
    return f"[{sid}] " + " ".join(w[::-1] for w in words[: max(3, len(words) * 2 // 3)])


def seed_content(repeat: int = 1) -> tuple[DocumentContent, dict[int, str]]:
    article = parse_text(SEED.read_text(encoding="utf-8"))
    rows, translations, sid = [], {}, 1
    for _ in range(repeat):
        for p in article.paragraphs:
            spans = []
            for start, end in sentence_spans(p.text):
                spans.append((sid, start, end))
                translations[sid] = english(sid, p.text[start:end])
                sid += 1
            rows.append((p.kind, p.text, spans))
    return DocumentContent.build(1, article.title, article.date, rows), translations


@pytest.fixture
def view(qtbot):
    v = ReaderView()
    qtbot.addWidget(v)
    v.resize(1100, 700)
    v.show()
    qtbot.waitExposed(v)
    return v


@pytest.fixture
def loaded(view):
    content, translations = seed_content()
    view.set_document(content, translations)
    return view, content, translations


def test_one_row_per_paragraph_with_both_sides_on_the_same_line(loaded):
    view, content, translations = loaded
    article = parse_text(SEED.read_text(encoding="utf-8"))
    rows = view.paragraph_rows()
    assert [view.side_text(r, NL) for r in rows] == [p.text for p in article.paragraphs]
    for r in rows:
        ids = content.paragraphs[r].sentence_ids
        assert view.side_text(r, EN) == " ".join(translations[i] for i in ids)
    for r in view.visible_rows():
        layout = view._row_layout(r)
        sides = {b.side: b for b in layout.blocks}
        if EN in sides:
            # Both sides start on the same line, and the row is as tall as its taller side.
            assert sides[NL].y == sides[EN].y
            assert layout.height >= max(sides[NL].height, sides[EN].height)


def test_headings_use_a_bigger_bold_font(loaded):
    view, content, _ = loaded
    heading = next(i for i, p in enumerate(content.paragraphs) if p.kind == "heading")
    body = next(i for i, p in enumerate(content.paragraphs) if p.kind == "body")
    h_font = view._row_layout(heading).blocks[0].layout.font()
    b_font = view._row_layout(body).blocks[0].layout.font()
    assert h_font.bold() and not b_font.bold()
    assert h_font.pointSizeF() > b_font.pointSizeF()
    assert "Serif" in b_font.family() or b_font.styleHint() == b_font.StyleHint.Serif


def test_every_character_maps_to_its_sentence_and_offset(loaded):
    view, content, translations = loaded
    for sid, s in content.sentences.items():
        for k in (0, len(s.text) // 2, len(s.text) - 1):
            assert view.locate(s.row, NL, s.start + k) == (sid, k)
        row, start, end = view.sentence_span(sid, EN)
        assert view.side_text(row, EN)[start:end] == translations[sid]
        assert view.locate(row, EN, start + 2) == (sid, 2)


def test_hover_highlights_exactly_the_sentence_and_its_counterpart(loaded, qtbot):
    view, content, translations = loaded
    sid = content.paragraphs[view.paragraph_rows()[1]].sentence_ids[1]
    point = view.sentence_rect(sid, NL).center().toPoint()
    qtbot.mouseMove(view.viewport(), point)
    qtbot.waitUntil(lambda: view.hovered_sentence() == sid, timeout=2000)
    assert view.highlighted_text("hover") == {NL: [content.sentences[sid].text], EN: [translations[sid]]}
    # Hovering the English side highlights the same pair.
    other = content.paragraphs[view.paragraph_rows()[0]].sentence_ids[0]
    qtbot.mouseMove(view.viewport(), view.sentence_rect(other, EN).center().toPoint())
    qtbot.waitUntil(lambda: view.hovered_sentence() == other, timeout=2000)
    assert view.highlighted_text("hover") == {NL: [content.sentences[other].text], EN: [translations[other]]}


def test_click_selects_and_keys_move_the_selection_keeping_it_in_view(loaded, qtbot):
    view, content, _ = loaded
    first = content.order[0]
    qtbot.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=view.sentence_rect(first, NL).center().toPoint()
    )
    assert view.current_sentence() == first
    assert view.highlighted_text("current")[NL] == [content.sentences[first].text]
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert view.current_sentence() == content.order[1]
    qtbot.keyClick(view, Qt.Key.Key_J)
    assert view.current_sentence() == content.order[2]
    qtbot.keyClick(view, Qt.Key.Key_K)
    qtbot.keyClick(view, Qt.Key.Key_Up)
    assert view.current_sentence() == first
    for _ in range(len(content.order) + 3):
        qtbot.keyClick(view, Qt.Key.Key_Down)
    last = content.order[-1]
    assert view.current_sentence() == last
    assert view.verticalScrollBar().value() > 0
    rect = view.sentence_rect(last, NL)
    assert 0 <= rect.top() and rect.bottom() <= view.viewport().height()


def test_mouse_selection_copies_the_text_of_one_side(loaded, qtbot):
    view, content, translations = loaded
    row = view.paragraph_rows()[1]
    a, b = content.paragraphs[row].sentence_ids[:2]
    start = view.sentence_rect(a, NL).topLeft() + QPointF(1, 4)
    end = view.sentence_rect(b, NL)
    end = QPointF(end.left() + 1, end.top() + 4)
    vp = view.viewport()
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=start.toPoint())
    qtbot.mouseMove(vp, (start + QPointF(30, 0)).toPoint())
    qtbot.mouseMove(vp, end.toPoint())
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=end.toPoint())
    selected = view.selected_text()
    assert selected.startswith(content.sentences[a].text)
    assert selected.strip() == content.sentences[a].text
    qtbot.keySequence(view, "Ctrl+C") if hasattr(qtbot, "keySequence") else qtbot.keyClick(
        view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier
    )
    assert QGuiApplication.clipboard().text() == selected
    # The English side copies on its own, across paragraphs.
    r2 = view.paragraph_rows()[2]
    view.select_text(EN, (row, 0), (r2, 4))
    text = view.selected_text()
    assert text.startswith(translations[a]) and "\n\n" in text
    assert view.copy() == text


def test_word_highlight_api_shades_character_ranges_of_a_sentence(loaded):
    view, content, translations = loaded
    sid = content.order[3]
    view.highlight(sid, EN, [(0, 3), (4, 6)], QColor("red"), alpha=80)
    view.highlight(sid, NL, [(0, 2)], QColor("red"), alpha=80)
    assert view.highlighted_text("word") == {
        NL: [content.sentences[sid].text[:2]],
        EN: [translations[sid][:3], translations[sid][4:6]],
    }
    view.clear_highlights("word")
    assert view.highlighted_text("word") == {NL: [], EN: []}


def test_interleaved_layout_puts_each_english_sentence_below_its_dutch(loaded):
    view, content, translations = loaded
    view.set_layout_mode(INTERLEAVED)
    row = view.paragraph_rows()[1]
    blocks = view._row_layout(row).blocks
    sides = [b.side for b in blocks]
    n = len(content.paragraphs[row].sentence_ids)
    assert sides == [NL, EN] * n
    for nl_block, en_block in zip(blocks[::2], blocks[1::2], strict=True):
        assert en_block.y >= nl_block.y + nl_block.height - 0.5
        assert nl_block.x == en_block.x
    sid = content.paragraphs[row].sentence_ids[1]
    assert view.sentence_text(sid, EN) == translations[sid]
    view.set_layout_mode(SIDE_BY_SIDE)
    assert len(view._row_layout(row).blocks) == 2


def test_zoom_keeps_the_reading_position(view):
    content, translations = seed_content(repeat=8)
    view.set_document(content, translations)
    view.scroll_to_row(40)
    before = view.top_sentence()
    size = view._fonts["body"][0].pointSizeF()
    view.set_zoom(3)
    assert view._fonts["body"][0].pointSizeF() > size
    assert view.top_sentence() == before  # a paragraph's first line stays the top line
    view.set_zoom(0)
    assert view.top_sentence() == before


def test_a_long_document_scrolls_to_its_last_paragraph(view, qtbot):
    content, translations = seed_content(repeat=200)
    view.set_document(content, translations)
    assert len(view._rows) < 40  # only what is on screen is laid out
    qtbot.keyClick(view, Qt.Key.Key_End)
    last = view.row_count() - 1
    assert last in view.visible_rows()
    rect = view.sentence_rect(content.order[-1], NL)
    assert 0 <= rect.top() < view.viewport().height()
    qtbot.keyClick(view, Qt.Key.Key_Home)
    assert view.visible_rows().start == 0


def test_missing_translations_show_a_mark_or_nothing(view):
    content, translations = seed_content()
    half = dict(list(translations.items())[::2])
    view.set_document(content, half)
    missing = next(s for s in content.order if s not in half)
    row, start, end = view.sentence_span(missing, EN)
    assert view.side_text(row, EN)[start:end] == "…"
    view.set_missing_mode("none")
    assert view.sentence_span(missing, EN) is None
    view.set_translations({missing: "Now translated."})
    row, start, end = view.sentence_span(missing, EN)
    assert view.side_text(row, EN)[start:end] == "Now translated."


def test_inline_edit_commits_on_enter_and_cancels_on_escape(loaded, qtbot):
    view, content, translations = loaded
    sid = content.order[2]
    editor = view.edit_translation(sid)
    assert editor is not None and editor.toPlainText() == translations[sid]
    editor.selectAll()
    qtbot.keyClicks(editor, "My own version.")
    with qtbot.waitSignal(view.translation_edited, timeout=2000) as sig:
        qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert sig.args == [sid, "My own version."]
    assert view.editor() is None
    editor = view.edit_translation(sid)
    qtbot.keyClicks(editor, "discarded")
    with qtbot.assertNotEmitted(view.translation_edited):
        qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert view.editor() is None


def test_context_menu_request_names_the_sentence_under_the_mouse(loaded, qtbot):
    view, content, _ = loaded
    sid = content.order[4]
    pos = view.sentence_rect(sid, EN).center().toPoint()
    with qtbot.waitSignal(view.context_menu_requested, timeout=2000) as sig:
        from PySide6.QtGui import QContextMenuEvent

        event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, view.viewport().mapToGlobal(pos))
        QGuiApplication.sendEvent(view.viewport(), event)
    assert sig.args[0] == sid
    assert isinstance(sig.args[1], QPoint)


def line_rects(view, sid: int, side: str):
    return view.range_rects(sid, side, 0, len(view.sentence_text(sid, side)))


def text_rects(view, sid: int, side: str):
    """A sentence's line rectangles in document coordinates (they do not move with scrolling)."""
    return [r.translated(0, view.verticalScrollBar().value()) for r in line_rects(view, sid, side)]


def others_rects(view, content, sid: int):
    """Line rectangles of every other sentence shown, both sides."""
    return [
        r.adjusted(1, 1, -1, -1)
        for other in content.order
        if other != sid
        for side in (NL, EN)
        for r in line_rects(view, other, side)
    ]


@pytest.mark.parametrize("mode", [SIDE_BY_SIDE, INTERLEAVED])
def test_the_inline_editor_covers_only_its_sentence_and_grows_downward(loaded, qtbot, mode):
    view, content, translations = loaded
    view.set_layout_mode(mode)
    paragraph = max(content.paragraphs, key=lambda p: len(p.sentence_ids))
    sid = paragraph.sentence_ids[1]  # mid-paragraph: it shares lines with others when not edited
    before = {other: text_rects(view, other, EN) for other in content.order if other != sid}

    editor = view.edit_translation(sid)
    geometry = QRectF(editor.geometry())
    assert all(geometry.contains(r) for r in line_rects(view, sid, EN))
    assert not [r for r in others_rects(view, content, sid) if geometry.intersects(r)]

    editor.setPlainText(" ".join([translations[sid]] * 6))  # the user writes a much longer version
    taller = QRectF(editor.geometry())
    assert taller.height() > geometry.height() * 2 and taller.top() == geometry.top()
    assert not [r for r in others_rects(view, content, sid) if taller.intersects(r)]  # pushed down
    assert editor.document().size().height() <= editor.viewport().height() + 1  # no hidden lines

    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert {other: text_rects(view, other, EN) for other in before} == before  # closed up again


def test_zoom_is_clamped_and_keeps_the_top_line_in_place(view):
    content, translations = seed_content(repeat=8)
    view.set_document(content, translations)
    view.scroll_to_row(40)
    view.verticalScrollBar().setValue(view.verticalScrollBar().value() + 37)
    for zoom in (3, 8, -4, 0, 100, -100):
        sid, offset = view.top_sentence()
        y = view.range_rects(sid, NL, offset, offset + 1)[0].top()
        view.set_zoom(zoom)
        # The character that started the top line is still on the top line, at the same height.
        assert abs(view.range_rects(sid, NL, offset, offset + 1)[0].top() - y) <= 1, zoom
        assert view.top_sentence()[0] == sid
    assert view.zoom() == -4
    view.set_zoom(100)
    assert view.zoom() == 8


def test_a_layout_switch_keeps_the_top_line_and_the_current_sentence_in_view(view):
    content, translations = seed_content(repeat=8)
    view.set_document(content, translations)
    view.scroll_to_row(40)
    h = view.viewport().height()
    for mode in (INTERLEAVED, SIDE_BY_SIDE):  # no current sentence: the top line stays on top
        sid, offset = view.top_sentence()
        y = view.range_rects(sid, NL, offset, offset + 1)[0].top()
        view.set_layout_mode(mode)
        assert abs(view.range_rects(sid, NL, offset, offset + 1)[0].top() - y) <= 1, mode
    # The current sentence near the bottom: interleaved layout (taller) would push it out of view.
    shown = [s for s in content.order if (r := line_rects(view, s, NL)) and r[-1].bottom() < h - 40]
    current = shown[-1]
    view.set_current_sentence(current)
    for mode in (INTERLEAVED, SIDE_BY_SIDE, INTERLEAVED):
        view.set_layout_mode(mode)
        h = view.viewport().height()
        for side in (NL, EN):
            for r in line_rects(view, current, side):
                assert 0 <= r.top() and r.bottom() <= h, (mode, side)
    view.set_layout_mode(SIDE_BY_SIDE)


def test_stepping_through_sentences_keeps_both_languages_clear_of_the_edges(view, qtbot):
    content, translations = seed_content(repeat=3)
    view.set_document(content, translations)
    view.set_layout_mode(INTERLEAVED)
    view.setFocus()
    h = view.viewport().height()
    margin = view._em  # half the margin the view keeps
    for i in range(len(content.order) + 2):
        qtbot.keyClick(view, Qt.Key.Key_J)
        sid = view.current_sentence()
        rects = line_rects(view, sid, NL) + line_rects(view, sid, EN)
        assert line_rects(view, sid, EN), sid
        top, bottom = min(r.top() for r in rects), max(r.bottom() for r in rects)
        assert top >= margin and bottom <= h - margin, (i, top, bottom)
    for _ in range(len(content.order)):
        qtbot.keyClick(view, Qt.Key.Key_K)
        rects = line_rects(view, view.current_sentence(), NL) + line_rects(view, view.current_sentence(), EN)
        assert min(r.top() for r in rects) >= 0 and max(r.bottom() for r in rects) <= h
    view.set_layout_mode(SIDE_BY_SIDE)


@pytest.mark.parametrize("mode", [SIDE_BY_SIDE, INTERLEAVED])
def test_translations_arriving_above_the_viewport_do_not_move_the_text_being_read(view, mode):
    content, translations = seed_content(repeat=8)
    view.set_layout_mode(mode)
    view.set_document(content, {})
    view.scroll_to_row(40)
    view.verticalScrollBar().setValue(view.verticalScrollBar().value() + 37)
    row = view.scroll_anchor()[0]
    sid, offset = view.top_sentence()
    y = view.range_rects(sid, NL, offset, offset + 1)[0].top()
    done: set[int] = set()
    for limit in range(0, row + 2, 3):  # batch after batch, up to and including the top paragraph
        batch = {s: t for s, t in translations.items() if content.sentences[s].row < limit and s not in done}
        done |= set(batch)
        view.set_translations(batch)
        assert view.scroll_anchor()[0] == row
        assert view.top_sentence() == (sid, offset)
        assert abs(view.range_rects(sid, NL, offset, offset + 1)[0].top() - y) <= 1.5
    view.set_layout_mode(SIDE_BY_SIDE)
