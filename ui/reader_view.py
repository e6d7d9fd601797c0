"""The two-language reading surface: a scroll area that lays out only the paragraphs it shows.

Why custom: a QTextDocument table of 2,000 rows lays out everything before the first paint.  Here
each paragraph side is one cached ``QTextLayout``; rows never shown keep an estimated height, and
the scroll position is anchored to (row, offset in row) so a row whose real height replaces its
estimate never makes the text under the reader's eyes jump.

Positions: every side of a paragraph is a plain string (Dutch: the paragraph text; English: the
sentence translations joined by spaces).  ``locate(row, side, pos)`` maps a character of it to
``(sentence_id, offset in sentence)``, and ``highlight(sentence_id, side, ranges, color)`` shades
character ranges of a sentence: word-level highlighting only needs those two.

The rooms: ``view_content`` (the document and the text of each side), ``view_layout`` (fonts,
row layouts, heights), ``view_paint`` (highlight layers and painting), ``view_editor`` (the inline
editor), ``view_input`` (mouse, keys, selection), ``view_marks`` (annotations and saved phrases),
``view_highlights`` (the named highlight layers' API).  ``ReaderView`` composes them and owns
the scroll position.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QFont, QPainter
from PySide6.QtWidgets import QAbstractScrollArea, QPlainTextEdit, QWidget

from reader.hover import EN, FILL, NL, UNDERLINE
from reader.phrase_match import EMPTY as EMPTY_MARKS
from reader.phrases import PhraseMatch
from reader.session import Changes, DocumentSession
from ui import theme
from ui.view_content import (
    ALTERNATIVE,
    INTERLEAVED,
    PARAGRAPH_KINDS,
    SIDE_BY_SIDE,
    SIDES,
    USER,
    DocumentContent,
    FixedTexts,
    ShownText,
)
from ui.view_editor import InlineEditing
from ui.view_highlights import Highlighting
from ui.view_input import PointerAndKeys
from ui.view_layout import Hit, RowLayout, ViewLayout, alternative_color
from ui.view_marks import AnnotationMarks
from ui.view_paint import (
    Highlight,
    HighlightLayers,
    RowPainter,
    selection_ranges,
)

# Ctrl+F matches: above the annotation fills and phrase marks, under hover, current and word shades.
FIND_LAYER = "find"

__all__ = [  # the names other modules import from here (the rooms above are where they live)
    "EN", "FILL", "FIND_LAYER", "INTERLEAVED", "NL", "SIDE_BY_SIDE", "UNDERLINE",
    "DocumentContent", "Highlight", "Hit", "ReaderView", "alternative_color",
]


class ReaderView(PointerAndKeys, AnnotationMarks, Highlighting, QAbstractScrollArea):
    """Dutch left, English right (or interleaved), one scroll bar, sentence-aware interaction."""

    sentence_hovered = Signal(object)  # sentence id or None
    current_changed = Signal(object)  # sentence id or None
    context_menu_requested = Signal(object, QPoint)  # sentence id or None, global position
    pointer_moved = Signal(object)  # the Hit under the mouse when over text, else None
    clicked = Signal(object)  # a left click (not a drag) was released: the Hit over text, or None
    translation_edited = Signal(int, str)
    painted = Signal(float)  # seconds spent in the paint event
    scrolled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QAbstractScrollArea.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.viewport().setMouseTracking(True)
        self.viewport().setCursor(Qt.CursorShape.IBeamCursor)
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.verticalScrollBar().valueChanged.connect(self._on_scroll)

        self._text = ShownText()
        self._layout = ViewLayout(self._text, self.viewport())
        self._layers = HighlightLayers(self._text)
        self._layers.order.insert(self._layers.order.index("hover"), FIND_LAYER)
        self._painter = RowPainter(self._layout, self._layers)
        self._inline = InlineEditing(self, self._layout)
        self._init_input()
        self._zoom = 0
        self._current: int | None = None
        self._adjusting = False
        self._geometry_width = -1
        self._kept_anchor: tuple[int, tuple[int, int, float] | None] | None = None
        self._session: DocumentSession | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._phrase_marks: Mapping[int, Sequence[PhraseMatch]] = EMPTY_MARKS
        self._phrase_tip: Callable[[int], str] | None = None
        self._phrase_ranges: dict[int, list[tuple[int, int]]] = {}  # underlined: their union a sentence
        self._layout.apply_fonts(self._zoom)

    # Layout internals the view tests inspect.
    @property
    def _fonts(self) -> dict[str, tuple[QFont, float, float]]:
        return self._layout.fonts

    @property
    def _rows(self) -> dict[int, RowLayout]:
        return self._layout.rows

    @property
    def _em(self) -> float:
        return self._layout.em

    def _row_layout(self, row: int) -> RowLayout:
        return self._layout.row_layout(row)

    # ----------------------------------------------------------------- content & state

    def set_session(self, session: DocumentSession | None) -> None:
        """Show an open document: its English is the session's, and the rows follow the session's
        notifications (the view keeps no copy of the translations)."""
        content = DocumentContent.of(session.document) if session is not None else None
        self._show(content, session if session is not None else FixedTexts())
        if session is not None:
            self._session = session
            self._unsubscribe = session.subscribe(self._session_changed)
            self._paint_annotations()

    def session(self) -> DocumentSession | None:
        return self._session

    def set_document(
        self,
        content: DocumentContent | None,
        translations: dict[int, str] | None = None,
        edited: Iterable[int] | Mapping[int, str] = (),
    ) -> None:
        """Show a document with translations given by hand, without a session (tests, benches).
        ``edited``: sentences showing a user's version, or {sentence: USER | ALTERNATIVE}."""
        self._show(content, FixedTexts(translations, edited))

    def _show(self, content: DocumentContent | None, source: FixedTexts | DocumentSession) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        self._session = self._unsubscribe = None
        self._inline.close(commit=False)
        self._text.set_document(content, source)
        self._layers.clear()
        self._current = self._hovered = None
        self._selection = None
        self._extra_selections = []
        self._phrase_marks = EMPTY_MARKS
        self._phrase_tip = None
        self._phrase_ranges = {}
        self._reset_layout(keep_anchor=False)
        self.verticalScrollBar().setValue(0)
        self.viewport().update()

    def content(self) -> DocumentContent | None:
        return self._text.content

    def set_missing_mode(self, mode: str) -> None:
        """'pending' marks untranslated sentences with an ellipsis; 'none' leaves English empty."""
        if mode != self._text.missing:
            self._text.missing = mode
            self._text.rebuild()
            self._reset_layout(keep_anchor=True)

    def _session_changed(self, changes: Changes) -> None:
        """The session's English changed: re-lay out only the rows it touched."""
        if self._text.content is None:
            return
        if changes.document:
            self._inline.close(commit=False)
            self._text.rebuild()
            self._reset_layout(keep_anchor=True)
        else:
            self._refresh_rows(self._text.rows_of(changes.text | changes.origin))
        if changes.document or changes.annotations or changes.text:
            self._paint_annotations()

    def set_translations(self, translations: dict[int, str], edited: Iterable[int] | None = None) -> None:
        """Add or replace hand-given translations (e.g. one finished batch); only the rows touched
        re-layout. A session's view changes through the session instead."""
        if self._text.content is None:
            return
        self._text.fixed().update(translations, edited)
        self._refresh_rows(self._text.rows_of(translations))

    def set_translation(self, sentence_id: int, text: str, *, edited: bool, origin: str = USER) -> None:
        """Show one hand-given translation; ``edited``: a version the user chose (``origin``
        USER: written by the user, ALTERNATIVE: one of the model's alternatives)."""
        if not self._text.has_sentence(sentence_id):
            return
        self._text.fixed().set(sentence_id, text, edited, origin)
        self._refresh_rows(self._text.rows_of([sentence_id]))

    def translation(self, sentence_id: int) -> str | None:
        """The English shown for a sentence (None when there is none yet)."""
        return self._text.shown(sentence_id) or None

    def is_edited(self, sentence_id: int) -> bool:
        """The sentence shows a version the user chose (written or picked among alternatives)."""
        return self._text.origin(sentence_id) in (USER, ALTERNATIVE)

    def origin(self, sentence_id: int) -> str | None:
        """USER, ALTERNATIVE, "model" (the machine translation) or None (not translated)."""
        return self._text.origin(sentence_id)

    def origin_label(self, sentence_id: int) -> str:
        """What the English of a sentence is, in words (its tooltip): "" for the machine's own."""
        return self._text.origin_label(sentence_id)

    def translated_count(self) -> int:
        return self._text.translated_count()

    def sentence_text(self, sentence_id: int, side: str = NL) -> str:
        return self._text.sentence_text(sentence_id, side)

    def row_height(self, row: int) -> float:
        """The laid-out height of a row in pixels (spacing included)."""
        return self._layout.row_layout(row).height

    def row_count(self) -> int:
        return self._text.row_count()

    def side_text(self, row: int, side: str) -> str:
        return self._text.sides[side][row].text

    def sentence_row(self, sentence_id: int) -> int | None:
        """The row index of the paragraph holding a sentence."""
        return self._text.sentence_row(sentence_id)

    def paragraph_rows(self) -> list[int]:
        """Rows that are article paragraphs (not the title/date rows)."""
        content = self._text.content
        if content is None:
            return []
        return [i for i, p in enumerate(content.paragraphs) if p.kind in PARAGRAPH_KINDS]

    # ----------------------------------------------------------------- appearance

    def layout_mode(self) -> str:
        return self._layout.mode

    def set_layout_mode(self, mode: str) -> None:
        if mode not in (SIDE_BY_SIDE, INTERLEAVED):
            raise ValueError(f"unknown layout mode {mode!r}")
        if mode != self._layout.mode:
            self._inline.close(commit=True)
            anchor = self._text_anchor()
            self._layout.mode = mode
            self._reset_layout(keep_anchor=True)
            self._restore_text_anchor(anchor)
            if self._current is not None:
                self.ensure_sentence_visible(self._current)

    def zoom(self) -> int:
        return self._zoom

    def set_zoom(self, zoom: int) -> None:
        zoom = max(theme.MIN_ZOOM, min(theme.MAX_ZOOM, int(zoom)))
        if zoom != self._zoom:
            self._inline.close(commit=True)
            anchor = self._text_anchor()
            self._zoom = zoom
            self._layout.apply_fonts(zoom)
            self._reset_layout(keep_anchor=True)
            self._restore_text_anchor(anchor)

    def set_colors(self, colors: theme.ReaderColors) -> None:
        self._layout.colors = colors
        self._reset_layout(keep_anchor=True)  # formats carry colours
        self._paint_annotations()
        self._paint_phrase_marks()

    def colors(self) -> theme.ReaderColors:
        return self._layout.colors

    def columns(self) -> list[tuple[float, float]]:
        """(x, width) of the text columns in viewport coordinates (the header aligns to them)."""
        return self._layout.columns()

    def top_sentence(self) -> tuple[int, int] | None:
        """(sentence id, offset) of the Dutch character at the top of the viewport: the reading position."""
        anchor = self._text_anchor()
        return (anchor[0], anchor[1]) if anchor else None

    def _text_anchor(self) -> tuple[int, int, float] | None:
        """(sentence, character, its line's y in the viewport) of the top Dutch line, so a re-wrap
        (zoom, layout) can put that very line back where the reader's eyes were."""
        if self._text.content is None or not self._layout.heights or self._scroll_y() <= 0:
            return None
        x = self._layout.columns()[0][0] + 1
        em = self._layout.em
        for y in (1.0, em, em * 3):
            hit = self.hit_test(QPointF(x, y), side=NL)
            loc = self.locate(hit.row, NL, hit.pos) if hit is not None else None
            if loc is None:
                continue
            rects = self.range_rects(loc[0], NL, loc[1], loc[1] + 1)
            if rects and rects[0].bottom() > 0:
                return loc[0], loc[1], rects[0].top()
        return None

    def _restore_text_anchor(self, anchor: tuple[int, int, float] | None) -> None:
        if anchor is None:
            return
        sid, offset, y = anchor
        for _ in range(3):  # laying rows out refines heights above: settle in a few steps
            rects = self.range_rects(sid, NL, offset, offset + 1)
            shift = round(rects[0].top() - y) if rects else 0
            if shift == 0:
                return
            before = self._scroll_y()
            self._set_scroll(before + shift)
            if self._scroll_y() == before:
                return

    # ----------------------------------------------------------------- positions & highlights

    def locate(self, row: int, side: str, pos: int) -> tuple[int, int] | None:
        """(sentence id, offset in sentence) of character ``pos`` of one side of a row."""
        return self._text.sides[side][row].locate(pos)

    def sentence_span(self, sentence_id: int, side: str) -> tuple[int, int, int] | None:
        """(row, start, end) of a sentence in its row's side text; None if not shown."""
        return self._text.span_index[side].get(sentence_id)

    # ----------------------------------------------------------------- current sentence

    def current_sentence(self) -> int | None:
        return self._current

    def set_current_sentence(self, sentence_id: int | None, ensure_visible: bool = True) -> None:
        if sentence_id is not None and not self._text.has_sentence(sentence_id):
            sentence_id = None
        if sentence_id == self._current:
            if sentence_id is not None and ensure_visible:
                self.ensure_sentence_visible(sentence_id)
            return
        self._current = sentence_id
        self._layers.drop("current")
        if sentence_id is not None:
            for side in SIDES:
                self.highlight(sentence_id, side, None, self._layout.colors.current, layer="current")
            if ensure_visible:
                self.ensure_sentence_visible(sentence_id)
        self.viewport().update()
        self.current_changed.emit(sentence_id)

    def move_current(self, delta: int) -> None:
        content = self._text.content
        if content is None or not content.order:
            return
        order = content.order
        if self._current is None:
            first = self._first_visible_sentence()
            target = first if first is not None else order[0 if delta > 0 else -1]
        else:
            i = order.index(self._current) + delta
            target = order[max(0, min(len(order) - 1, i))]
        self.set_current_sentence(target)

    def _first_visible_sentence(self) -> int | None:
        content = self._text.content
        if content is None:
            return None
        row = self._layout.row_at(self._scroll_y())
        for r in range(row, len(content.paragraphs)):
            if content.paragraphs[r].sentence_ids:
                return content.paragraphs[r].sentence_ids[0]
        return None

    def sentence_rect(self, sentence_id: int, side: str) -> QRectF:
        """Viewport rectangle around a sentence's first line on one side (empty if not shown)."""
        rects = self._sentence_line_rects(sentence_id, side)
        return rects[0] if rects else QRectF()

    def range_rects(self, sentence_id: int, side: str, start: int, end: int) -> list[QRectF]:
        """Viewport rectangles, one per line, around characters ``start:end`` of a sentence."""
        span = self._text.span_index[side].get(sentence_id)
        if span is None:
            return []
        row, s, e = span
        return self._layout.line_rects(row, side, s + max(0, start), min(e, s + end), self._scroll_y())

    def _sentence_line_rects(self, sentence_id: int, side: str) -> list[QRectF]:
        span = self._text.span_index[side].get(sentence_id)
        if span is None:
            return []
        row, start, end = span
        return self._layout.line_rects(row, side, start, end, self._scroll_y())

    def ensure_sentence_visible(self, sentence_id: int) -> None:
        """Both languages of the sentence in view, a margin from either edge (its top wins when
        it is taller than the viewport).  Scrolling lays out rows whose real height replaces an
        estimate, which moves the sentence again: repeat until it stays."""
        for _ in range(4):
            rects = []
            for side in SIDES:
                rects += self._sentence_line_rects(sentence_id, side)
            if not rects:
                return
            top = min(r.top() for r in rects)
            bottom = max(r.bottom() for r in rects)
            h = self.viewport().height()
            margin = min(self._layout.em * 2, h / 6)
            y = self._scroll_y()
            if top < margin:
                self._set_scroll(y + top - margin)
            elif bottom > h - margin:
                self._set_scroll(y + min(top - margin, bottom - h + margin))
            else:
                return
            if self._scroll_y() == y:
                return

    # ----------------------------------------------------------------- inline editing

    def edit_translation(self, sentence_id: int) -> QPlainTextEdit | None:
        """Open an editor over the sentence's English; Enter saves, Escape cancels.

        The editor covers the sentence's own lines only: the sentence starts and ends its own
        lines while edited, and the room the editor needs beyond them pushes the rest down.
        """
        if not self._text.has_sentence(sentence_id):
            return None
        return self._inline.open(sentence_id)

    def editor(self) -> QPlainTextEdit | None:
        return self._inline.editor

    # ----------------------------------------------------------------- scroll position

    def scroll_anchor(self) -> tuple[int, float]:
        """(row, fraction of that row above the top edge): survives re-layout and restarts."""
        y = self._scroll_y()
        row = self._layout.row_at(y)
        heights = self._layout.heights
        if row >= len(heights) or y <= 0:
            return 0, -1.0  # the very top, whatever the first row's height becomes
        h = heights[row] or 1.0
        return row, max(0.0, min(1.0, (y - self._layout.top(row)) / h))

    def restore_anchor(self, row: int, fraction: float = 0.0) -> None:
        if not self._layout.heights:
            return
        row = max(0, min(len(self._layout.heights) - 1, int(row)))
        self._layout.ensure_rows(range(max(0, row - 1), row + 2))
        self._set_scroll(self._layout.anchor_y(row, fraction))

    def scroll_to_row(self, row: int) -> None:
        self.restore_anchor(row, 0.0)

    def visible_rows(self) -> range:
        heights = self._layout.heights
        if not heights:
            return range(0)
        y = self._scroll_y()
        first = self._layout.row_at(y)
        last = self._layout.row_at(y + self.viewport().height())
        return range(first, min(len(heights), last + 1))

    def visible_sentence_ids(self, screens_below: float = 1.0) -> list[int]:
        """Sentences in the viewport and up to ``screens_below`` screens under it, in reading
        order: what the reader will look at first, so translation can start there."""
        content = self._text.content
        if content is None or not self._layout.heights:
            return []
        y, height = self._scroll_y(), self.viewport().height()
        first, last = self._layout.row_at(y), self._layout.row_at(y + height * (1 + screens_below))
        rows = content.paragraphs[first : last + 1]
        return [sid for para in rows for sid in para.sentence_ids]

    def _scroll_y(self) -> int:
        return self.verticalScrollBar().value()

    def _set_scroll(self, y: float) -> None:
        self.verticalScrollBar().setValue(int(round(y)))

    # ----------------------------------------------------------------- keeping the reader's place

    def _relayout_row(self, row: int) -> None:
        """Lay one row out again, keeping the text above it (and its own top) where it is."""
        anchor_row, fraction = self.scroll_anchor()
        into = self._scroll_y() - self._layout.top(row) if anchor_row == row and fraction >= 0 else None
        self._layout.relayout(row)
        if into is not None:
            fraction = max(0.0, into / max(1.0, self._layout.heights[row]))
        self._prepare((anchor_row, fraction))
        self.viewport().update()

    def _refresh_rows(self, rows: Iterable[int]) -> None:
        """Re-lay out rows whose English changed, keeping the top Dutch line where it was: text
        arriving above (or inside) the top paragraph must not push the reader's line down."""
        assert self._text.content is not None
        anchor = self.scroll_anchor()
        text_anchor = None
        if rows:
            kept = self._kept_anchor
            # Batch after batch, the same reading line: sub-pixel rounding must not add up.
            text_anchor = kept[1] if kept is not None and kept[0] == self._scroll_y() else self._text_anchor()
        changed = False
        for row in rows:
            self._text.refresh_english(row)
            changed = self._layout.re_estimate(row) or changed
        if changed or rows:
            self._prepare(anchor)
            self._restore_text_anchor(text_anchor)
            self._kept_anchor = (self._scroll_y(), text_anchor) if text_anchor is not None else None
            self.viewport().update()

    def _reset_layout(self, keep_anchor: bool) -> None:
        anchor = self.scroll_anchor() if keep_anchor and self._layout.heights else (0, 0.0)
        self._geometry_width = self.viewport().width()
        self._layout.reset()
        self._prepare(anchor)
        self.viewport().update()

    def _prepare(self, anchor: tuple[int, float] | None = None) -> None:
        """Lay out the rows in (and just around) the viewport, keeping the anchored row still."""
        if self._adjusting:
            return
        self._adjusting = True
        lay = self._layout
        try:
            if not lay.heights:
                self._apply_range(0)
                return
            if anchor is None:
                anchor = self.scroll_anchor()
            row, frac = anchor
            row = min(row, len(lay.heights) - 1)
            h = self.viewport().height()
            # Lay out the anchor row first so the fraction applies to its real height.
            lay.row_layout(row)
            y = lay.anchor_y(row, frac)
            lay.ensure_between(y - h * 0.5, y + h * 1.5)
            lay.learn_scale()
            self._apply_range(lay.anchor_y(row, frac))
        finally:
            self._adjusting = False

    def _apply_range(self, y: float) -> None:
        sb = self.verticalScrollBar()
        maximum = max(0, int(math.ceil(self._layout.total_height() - self.viewport().height())))
        sb.blockSignals(True)
        sb.setRange(0, maximum)
        sb.setPageStep(max(1, self.viewport().height()))
        sb.setSingleStep(max(1, int(self._layout.fonts["body"][1])))
        sb.setValue(int(round(min(max(0.0, y), maximum))))
        sb.blockSignals(False)
        self._inline.position()

    def _on_scroll(self, value: int) -> None:
        if self._adjusting:
            return
        self._prepare()
        self.viewport().update()
        self.scrolled.emit()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self.viewport().width() != self._geometry_width:
            self._inline.close(commit=True)
            self._reset_layout(keep_anchor=True)
        else:
            self._prepare()

    # ----------------------------------------------------------------- painting & hit testing

    def paintEvent(self, event) -> None:  # noqa: N802
        t0 = time.perf_counter()
        painter = QPainter(self.viewport())
        painter.fillRect(event.rect(), self._layout.colors.background)
        if self._text.content is not None and self._layout.heights:
            selected = selection_ranges(self.selections(), self.visible_rows(), self._text)
            self._painter.paint(painter, event.rect(), self._scroll_y(), self.viewport().height(), selected)
        painter.end()
        self.painted.emit(time.perf_counter() - t0)

    def hit_test(self, point: QPointF | QPoint, side: str | None = None) -> Hit | None:
        """The character under a viewport point; with ``side``, the nearest one of that side."""
        if self._text.content is None or not self._layout.heights:
            return None
        p = QPointF(point)
        return self._layout.hit(p.x(), p.y() + self._scroll_y(), side)

    def sentence_at(self, point: QPointF | QPoint) -> tuple[int, str] | None:
        """(sentence id, side) under a viewport point, only when really over its text."""
        hit = self.hit_test(point)
        if hit is None or not hit.on_text:
            return None
        loc = self.locate(hit.row, hit.side, hit.pos)
        return (loc[0], hit.side) if loc else None
