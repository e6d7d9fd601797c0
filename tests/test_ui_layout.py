"""Layout of the reading surface: list items and quotes look like them, and a waiting row keeps
room for its translation. Real Qt widgets offscreen; Dutch segmented by reader.segment."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, QRect
from PySide6.QtGui import QColor

from reader import store
from reader.document import document_view
from reader.importer import Paragraph, parse_text
from reader.segment import sentence_spans
from ui import theme
from ui.reader_view import EN, INTERLEAVED, NL, SIDE_BY_SIDE, DocumentContent, ReaderView

from .conftest import SEED

LIST = [
    "Starters krijgen een lagere overdrachtsbelasting.",
    "Gemeenten mogen sneller bouwen op braakliggende grond, ook als het bestemmingsplan van de "
    "gemeente nog niet is aangepast aan de nieuwe regels van het rijk.",
    "De huurtoeslag stijgt met vijf procent.",
]
QUOTE = "We hebben lang onderhandeld, maar dit is een goed akkoord voor iedereen die een huis zoekt."
PARAS = [
    ("body", "Het kabinet heeft dinsdag een pakket maatregelen gepresenteerd. De plannen moeten helpen."),
    ("body", "De minister was tevreden over het resultaat van de onderhandelingen."),
    *(("list_item", text) for text in LIST),
    ("body", "De oppositie reageerde kritisch."),
    ("quote", QUOTE),
    ("body", "Daarna ging de vergadering verder met andere punten."),
]


def same_length(text: str) -> str:
    """A stand-in English exactly as long as the Dutch, word for word (the view's estimate)."""
    return " ".join(w[::-1] for w in text.split(" "))


def build(paras) -> tuple[DocumentContent, dict[int, str]]:
    rows, translations, sid = [], {}, 1
    for kind, text in paras:
        spans = []
        for start, end in sentence_spans(text):
            spans.append((sid, start, end))
            translations[sid] = same_length(text[start:end])
            sid += 1
        rows.append((kind, text, spans))
    return DocumentContent.build(1, "Woningplan", None, rows), translations


@pytest.fixture
def view(qtbot):
    v = ReaderView()
    qtbot.addWidget(v)
    v.resize(1100, 800)
    v.show()
    qtbot.waitExposed(v)
    return v


def rows_of(view: ReaderView, kind: str) -> list[int]:
    return [r for r in view.paragraph_rows() if view.content().paragraphs[r].kind == kind]


def first_line(view: ReaderView, row: int, side: str):
    sid = view.content().paragraphs[row].sentence_ids[0]
    return view.range_rects(sid, side, 0, 1)[0]


def lines(view: ReaderView, row: int, side: str):
    content = view.content()
    out = []
    for sid in content.paragraphs[row].sentence_ids:
        out += view.range_rects(sid, side, 0, len(view.sentence_text(sid, side)))
    return out


# --------------------------------------------------------------------------- list items and quotes


def test_list_items_and_quotes_reach_the_view_from_the_library(db):
    article = parse_text("Titel\n\nEen gewone alinea.")
    article.paragraphs[:] = [Paragraph(kind, text) for kind, text in PARAS]
    doc_id, _ = store.add_document(db, article)
    dv = document_view(db, doc_id, None)
    # As the window builds it (MainWindow.open_document).
    rows = [(p.kind, p.text, [(s.id, s.start, s.end) for s in p.sentences]) for p in dv.paragraphs]
    content = DocumentContent.build(dv.id, dv.title, dv.date, rows)
    kinds = [content.paragraphs[r].kind for r in range(len(content.paragraphs))]
    assert kinds[-len(PARAS) :] == [kind for kind, _ in PARAS]


@pytest.mark.parametrize("mode", [SIDE_BY_SIDE, INTERLEAVED])
@pytest.mark.parametrize("theme_name", ["light", "dark"])
def test_a_list_has_bullets_hanging_indents_and_tight_items_on_both_sides(view, mode, theme_name):
    content, translations = build(PARAS)
    view.set_colors(theme.colors_for(theme_name))
    view.set_layout_mode(mode)
    view.set_document(content, translations)
    items, bodies = rows_of(view, "list_item"), rows_of(view, "body")
    assert len(items) == 3
    em = view.fontMetrics().height()
    image = view.viewport().grab().toImage()
    background = view.colors().background
    for side in (NL, EN):
        body_x = first_line(view, bodies[0], side).left()
        for row in items:
            first = first_line(view, row, side)
            assert first.left() > body_x + em * 0.5  # indented
            if mode == INTERLEAVED and side == EN:
                continue  # the English under an item belongs to the item's bullet
            # A bullet is painted in the indent, level with the first line.
            box = QRect(int(body_x), int(first.top()), int(first.left() - body_x) - 2, int(first.height()))
            inked = [
                (x, y)
                for x in range(box.left(), box.right())
                for y in range(box.top(), box.bottom())
                if QColor(image.pixel(x, y)) != background
            ]
            assert inked, f"no bullet before list item {row} ({side})"
        # Hanging indent: the long item's next line starts under its text, not under the bullet.
        long_lines = lines(view, items[1], side)
        assert len(long_lines) >= 2
        assert abs(long_lines[1].left() - long_lines[0].left()) < 1.0
    # Consecutive items sit closer together than paragraphs do.
    def bottom(row: int) -> float:
        return max(r.bottom() for r in lines(view, row, NL) + lines(view, row, EN))

    gap_items = first_line(view, items[1], NL).top() - bottom(items[0])
    gap_paras = first_line(view, bodies[1], NL).top() - bottom(bodies[0])
    assert gap_items < gap_paras * 0.75


@pytest.mark.parametrize("mode", [SIDE_BY_SIDE, INTERLEAVED])
def test_a_quote_is_indented_with_a_bar_on_both_sides(view, mode):
    content, translations = build(PARAS)
    view.set_layout_mode(mode)
    view.set_document(content, translations)
    [quote] = rows_of(view, "quote")
    body = rows_of(view, "body")[0]
    image = view.viewport().grab().toImage()
    for side in (NL, EN):
        text = first_line(view, quote, side)
        body_x = first_line(view, body, side).left()
        assert text.left() > body_x + 10
        # A vertical bar between the column's edge and the text, the height of the quote's lines.
        ys = [int(r.center().y()) for r in lines(view, quote, side)]
        background = view.colors().background
        columns = [
            x
            for x in range(int(body_x), int(text.left()) - 2)
            if all(QColor(image.pixel(x, y)) != background for y in ys)
        ]
        assert columns, f"no bar left of the quote ({side})"


def test_a_list_items_own_marker_hangs_in_the_indent(view):
    marked = "- " + LIST[1]
    content, translations = build([("body", "Inleiding van het stuk."), ("list_item", marked)])
    view.set_document(content, translations)
    [row] = rows_of(view, "list_item")
    sid = content.paragraphs[row].sentence_ids[0]
    first, second = view.range_rects(sid, NL, 0, len(view.sentence_text(sid, NL)))[:2]
    after_marker = view.range_rects(sid, NL, 2, 3)[0]
    assert abs(second.left() - after_marker.left()) < 1.0  # text aligns, the "- " hangs left
    assert first.left() < after_marker.left()
    hit = view.hit_test(QPointF(after_marker.center()))
    assert hit is not None and hit.on_text and view.locate(hit.row, NL, hit.pos) == (sid, 2)


# --------------------------------------------------------------------------- room for waiting translations


@pytest.mark.parametrize("mode", [SIDE_BY_SIDE, INTERLEAVED])
def test_arriving_translations_move_the_text_below_by_at_most_a_line(view, mode):
    article = parse_text(SEED.read_text(encoding="utf-8"))
    content, translations = build([(p.kind, p.text) for p in article.paragraphs])
    view.set_layout_mode(mode)
    view.set_document(content, {})
    visible = [r for r in view.visible_rows() if content.paragraphs[r].sentence_ids]
    assert len(visible) >= 4
    target = content.paragraphs[visible[-1]].sentence_ids[0]
    before = view.range_rects(target, NL, 0, 1)[0].top()
    assert 0 < before < view.viewport().height()
    line = view.range_rects(target, NL, 0, 1)[0].height()
    for row in visible[:-1]:  # every row above it, one by one, as batches arrive
        view.set_translations({sid: translations[sid] for sid in content.paragraphs[row].sentence_ids})
        assert abs(view.range_rects(target, NL, 0, 1)[0].top() - before) <= line


def test_a_waiting_row_reserves_the_height_of_its_estimated_translation(view):
    # Interleaved, each English sentence gets its own lines under the Dutch: while waiting
    # they must already take the room a translation as long as the Dutch will take.
    long = (
        "Een lange zin over de woningmarkt in Nederland, de bouw van nieuwe huizen in de steden,"
        " de prijzen van bestaande woningen en de huren die elk jaar verder stijgen."
    )
    content, translations = build([("body", " ".join([long] * 3)), ("body", "Daarna volgt meer.")])
    view.set_layout_mode(INTERLEAVED)
    view.set_document(content, {})
    row = view.paragraph_rows()[0]
    sid = content.paragraphs[row].sentence_ids[0]
    assert view.side_text(row, EN).split(" ") == ["…"] * 3  # still marked as waiting
    waiting = view.row_height(row)
    view.set_translations(translations)
    english_lines = view.range_rects(sid, EN, 0, len(translations[sid]))
    assert len(english_lines) >= 2
    assert abs(view.row_height(row) - waiting) <= english_lines[0].height()
