"""The two-language reading surface: a scroll area that lays out only the paragraphs it shows.

Why custom: a QTextDocument table of 2,000 rows lays out everything before the first paint.  Here
each paragraph side is one cached ``QTextLayout``; rows never shown keep an estimated height, and
the scroll position is anchored to (row, offset in row) so a row whose real height replaces its
estimate never makes the text under the reader's eyes jump.

Positions: every side of a paragraph is a plain string (Dutch: the paragraph text; English: the
sentence translations joined by spaces).  ``locate(row, side, pos)`` maps a character of it to
``(sentence_id, offset in sentence)``, and ``highlight(sentence_id, side, ranges, color)`` shades
character ranges of a sentence: word-level highlighting only needs those two.
"""

from __future__ import annotations

import bisect
import math
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPen,
    QTextCharFormat,
    QTextLayout,
    QTextLine,
    QTextOption,
)
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QPlainTextEdit, QToolTip, QWidget

from ui import theme

NL, EN = "nl", "en"
SIDES = (NL, EN)
SIDE_BY_SIDE, INTERLEAVED = "side_by_side", "interleaved"
PENDING_MARK = "…"
# Kinds of article paragraphs the view styles; anything else the importer may add reads as body.
PARAGRAPH_KINDS = ("heading", "body", "list_item", "quote")
USER, ALTERNATIVE = "user", "alternative"  # whose version replaced the machine translation
ORIGIN_LABELS = {USER: "Your translation", ALTERNATIVE: "Model alternative (chosen by you)"}
# A list item's own marker ("- ", "2. ") hangs in the indent instead of a painted bullet.
LIST_MARKER = re.compile(r"^(?:[-*•–]|\d{1,3}[.)])\s+")
EDITOR_PAD = 2  # pixels the inline editor reaches above its sentence's first line
EDITOR_SIDE = 6  # and beyond the column on each side


# --------------------------------------------------------------------------- document content


@dataclass
class SentenceItem:
    id: int
    row: int
    start: int  # in the Dutch paragraph text
    end: int
    text: str


@dataclass
class ParagraphItem:
    kind: str  # "title", "meta", or one of PARAGRAPH_KINDS
    text: str
    sentence_ids: list[int] = field(default_factory=list)


@dataclass
class DocumentContent:
    """What the view shows of a document: paragraphs, their sentences and the reading order."""

    doc_id: int | None
    title: str
    paragraphs: list[ParagraphItem]
    sentences: dict[int, SentenceItem]
    order: list[int]  # sentence ids in reading order

    @classmethod
    def build(
        cls,
        doc_id: int | None,
        title: str,
        date: str | None,
        paragraphs: Sequence[tuple[str, str, Sequence[tuple[int, int, int]]]],
    ) -> DocumentContent:
        """``paragraphs``: (kind, text, [(sentence_id, start, end), ...]) in order."""
        items: list[ParagraphItem] = []
        sentences: dict[int, SentenceItem] = {}
        order: list[int] = []
        first_text = paragraphs[0][1].strip() if paragraphs else ""
        stem = title.strip().rstrip("…").strip()
        # The importer derives the title from the first paragraph: show it only when it is not.
        if stem and not first_text.startswith(stem):
            items.append(ParagraphItem("title", title.strip()))
        if date:
            items.append(ParagraphItem("meta", date))
        for kind, text, spans in paragraphs:
            row = len(items)
            ids = []
            for sid, start, end in spans:
                sentences[sid] = SentenceItem(sid, row, start, end, text[start:end])
                ids.append(sid)
                order.append(sid)
            items.append(ParagraphItem(kind if kind in PARAGRAPH_KINDS else "body", text, ids))
        return cls(doc_id, title, items, sentences, order)


@dataclass
class SideText:
    """One side of a paragraph: its text and where each sentence lies in it."""

    text: str
    spans: list[tuple[int, int, int]]  # (sentence_id, start, end), in order
    formats: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, style)

    def locate(self, pos: int) -> tuple[int, int] | None:
        starts = [s for _, s, _ in self.spans]
        i = bisect.bisect_right(starts, pos) - 1
        if i < 0:
            return None
        sid, start, end = self.spans[i]
        if pos >= end:
            return None
        return sid, pos - start


FILL, UNDERLINE = "fill", "underline"


@dataclass
class Highlight:
    sentence_id: int
    side: str
    ranges: list[tuple[int, int]] | None  # offsets in the sentence; None: the whole sentence
    color: QColor
    style: str = FILL  # FILL shades the background; UNDERLINE draws a dashed line under the text


@dataclass
class Block:
    """A laid-out piece of one side of a row: the whole paragraph, or one sentence (interleaved)."""

    side: str
    layout: QTextLayout
    x: float
    y: float
    width: float
    height: float
    start: int  # first character of the side text in this block
    end: int
    pitch: float
    hang: float = 0.0  # lines after the first start this far right of ``x`` (a list item's marker)

    def contains_y(self, y: float) -> bool:
        return self.y <= y < self.y + self.height


@dataclass
class Mark:
    """A decoration of a row: a list item's bullet or a quote's bar (row coordinates)."""

    kind: str  # "bullet" or "bar"
    x: float
    y: float
    text: str = ""  # the bullet's glyph
    y2: float = 0.0  # the bar's bottom


@dataclass
class RowLayout:
    height: float
    blocks: list[Block]
    marks: list[Mark] = field(default_factory=list)


@dataclass
class Hit:
    row: int
    side: str
    pos: int  # character in the side text of the row
    on_text: bool  # really over a character (not in a margin or past a line end)


# --------------------------------------------------------------------------- the view


class ReaderView(QAbstractScrollArea):
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

        self._content: DocumentContent | None = None
        self._translations: dict[int, str] = {}
        self._edited: dict[int, str] = {}  # sentence -> USER or ALTERNATIVE
        self._missing = "pending"  # "pending": show a mark; "none": show nothing
        self._sides: dict[str, list[SideText]] = {NL: [], EN: []}
        self._span_index: dict[str, dict[int, tuple[int, int, int]]] = {NL: {}, EN: {}}
        self._mode = SIDE_BY_SIDE
        self._zoom = 0
        self._colors = theme.LIGHT
        self._highlights: dict[str, list[Highlight]] = {}
        self._layer_order = ["hover", "current", "word"]  # later layers paint on top
        self._current: int | None = None
        self._hovered: int | None = None
        self._selection: tuple[str, tuple[int, int], tuple[int, int]] | None = None
        self._press: tuple[QPointF, Hit | None] | None = None
        self._dragging = False
        self._editor: _InlineEditor | None = None
        self._editing: tuple[int, float] | None = None  # (sentence, room reserved below it)

        self._rows: dict[int, RowLayout] = {}
        self._heights: list[float] = []
        self._tops: list[float] = [0.0]
        self._tops_dirty = True
        self._estimate_scale = 1.0
        self._raw: list[float] = []
        self._adjusting = False
        self._metrics_cache: dict[str, tuple[QFont, float, float]] = {}
        self._geometry_width = -1
        self._kept_anchor: tuple[int, tuple[int, int, float] | None] | None = None
        self._apply_fonts()

    # ----------------------------------------------------------------- content & state

    def set_document(
        self,
        content: DocumentContent | None,
        translations: dict[int, str] | None = None,
        edited: Iterable[int] | Mapping[int, str] = (),
    ) -> None:
        """``edited``: sentences showing a user's version, or {sentence: USER | ALTERNATIVE}."""
        self._close_editor(commit=False)
        self._content = content
        self._translations = dict(translations or {})
        self._edited = _origins(edited)
        self._highlights.clear()
        self._current = self._hovered = None
        self._selection = None
        self._rebuild_sides()
        self._reset_layout(keep_anchor=False)
        self.verticalScrollBar().setValue(0)
        self.viewport().update()

    def content(self) -> DocumentContent | None:
        return self._content

    def set_missing_mode(self, mode: str) -> None:
        """'pending' marks untranslated sentences with an ellipsis; 'none' leaves English empty."""
        if mode != self._missing:
            self._missing = mode
            self._rebuild_sides()
            self._reset_layout(keep_anchor=True)

    def set_translations(self, translations: dict[int, str], edited: Iterable[int] | None = None) -> None:
        """Add or replace translations (e.g. one finished batch); only the rows touched re-layout."""
        if self._content is None:
            return
        self._translations.update(translations)
        if edited is not None:
            for sid in translations:
                self._edited.pop(sid, None)
            self._edited.update(_origins(edited))
        rows = {self._content.sentences[sid].row for sid in translations if sid in self._content.sentences}
        self._refresh_rows(rows)

    def set_translation(self, sentence_id: int, text: str, *, edited: bool, origin: str = USER) -> None:
        """Show one sentence's translation; ``edited``: a version the user chose (``origin``
        USER: written by the user, ALTERNATIVE: one of the model's alternatives)."""
        if self._content is None or sentence_id not in self._content.sentences:
            return
        if origin not in ORIGIN_LABELS:
            raise ValueError(f"unknown origin {origin!r}")
        self._translations[sentence_id] = text
        if edited:
            self._edited[sentence_id] = origin
        else:
            self._edited.pop(sentence_id, None)
        self._refresh_rows({self._content.sentences[sentence_id].row})

    def translation(self, sentence_id: int) -> str | None:
        return self._translations.get(sentence_id)

    def is_edited(self, sentence_id: int) -> bool:
        """The sentence shows a version the user chose (written or picked among alternatives)."""
        return sentence_id in self._edited

    def origin(self, sentence_id: int) -> str | None:
        """USER, ALTERNATIVE, "model" (the machine translation) or None (not translated)."""
        if sentence_id in self._edited:
            return self._edited[sentence_id]
        return "model" if self._translations.get(sentence_id) else None

    def origin_label(self, sentence_id: int) -> str:
        """What the English of a sentence is, in words (its tooltip): "" for the machine's own."""
        return ORIGIN_LABELS.get(self._edited.get(sentence_id, ""), "")

    def translated_count(self) -> int:
        if self._content is None:
            return 0
        return sum(1 for sid in self._content.order if self._translations.get(sid))

    def sentence_text(self, sentence_id: int, side: str = NL) -> str:
        if self._content is None or sentence_id not in self._content.sentences:
            return ""
        if side == NL:
            return self._content.sentences[sentence_id].text
        return self._translations.get(sentence_id, "")

    def row_height(self, row: int) -> float:
        """The laid-out height of a row in pixels (spacing included)."""
        return self._row_layout(row).height

    def row_count(self) -> int:
        return len(self._content.paragraphs) if self._content else 0

    def side_text(self, row: int, side: str) -> str:
        return self._sides[side][row].text

    def sentence_row(self, sentence_id: int) -> int | None:
        """The row index of the paragraph holding a sentence."""
        if self._content is None or sentence_id not in self._content.sentences:
            return None
        return self._content.sentences[sentence_id].row

    def paragraph_rows(self) -> list[int]:
        """Rows that are article paragraphs (not the title/date rows)."""
        if self._content is None:
            return []
        return [i for i, p in enumerate(self._content.paragraphs) if p.kind in PARAGRAPH_KINDS]

    # ----------------------------------------------------------------- appearance

    def layout_mode(self) -> str:
        return self._mode

    def set_layout_mode(self, mode: str) -> None:
        if mode not in (SIDE_BY_SIDE, INTERLEAVED):
            raise ValueError(f"unknown layout mode {mode!r}")
        if mode != self._mode:
            self._close_editor(commit=True)
            anchor = self._text_anchor()
            self._mode = mode
            self._reset_layout(keep_anchor=True)
            self._restore_text_anchor(anchor)
            if self._current is not None:
                self.ensure_sentence_visible(self._current)

    def zoom(self) -> int:
        return self._zoom

    def set_zoom(self, zoom: int) -> None:
        zoom = max(theme.MIN_ZOOM, min(theme.MAX_ZOOM, int(zoom)))
        if zoom != self._zoom:
            self._close_editor(commit=True)
            anchor = self._text_anchor()
            self._zoom = zoom
            self._apply_fonts()
            self._reset_layout(keep_anchor=True)
            self._restore_text_anchor(anchor)

    def top_sentence(self) -> tuple[int, int] | None:
        """(sentence id, offset) of the Dutch character at the top of the viewport: the reading position."""
        anchor = self._text_anchor()
        return (anchor[0], anchor[1]) if anchor else None

    def _text_anchor(self) -> tuple[int, int, float] | None:
        """(sentence, character, its line's y in the viewport) of the top Dutch line, so a re-wrap
        (zoom, layout) can put that very line back where the reader's eyes were."""
        if self._content is None or not self._heights or self._scroll_y() <= 0:
            return None
        x = self._columns()[0][0] + 1
        for y in (1.0, self._em, self._em * 3):
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

    def set_colors(self, colors: theme.ReaderColors) -> None:
        self._colors = colors
        self._reset_layout(keep_anchor=True)  # formats carry colours

    def colors(self) -> theme.ReaderColors:
        return self._colors

    # ----------------------------------------------------------------- positions & highlights

    def locate(self, row: int, side: str, pos: int) -> tuple[int, int] | None:
        """(sentence id, offset in sentence) of character ``pos`` of one side of a row."""
        return self._sides[side][row].locate(pos)

    def sentence_span(self, sentence_id: int, side: str) -> tuple[int, int, int] | None:
        """(row, start, end) of a sentence in its row's side text; None if not shown."""
        return self._span_index[side].get(sentence_id)

    def highlight(
        self,
        sentence_id: int,
        side: str,
        ranges: Sequence[tuple[int, int]] | None = None,
        color: QColor | None = None,
        alpha: int | None = None,
        layer: str = "word",
        style: str = FILL,
    ) -> None:
        """Shade character ranges of a sentence (offsets in the sentence; None: all of it)."""
        c = QColor(color if color is not None else self._colors.hover)
        if alpha is not None:
            c.setAlpha(alpha)
        if layer not in self._layer_order:
            self._layer_order.insert(0, layer)
        self._highlights.setdefault(layer, []).append(
            Highlight(sentence_id, side, list(ranges) if ranges is not None else None, c, style)
        )
        self.viewport().update()

    def set_highlights(self, layer: str, highlights: Sequence[Highlight]) -> None:
        """Replace a whole layer at once, repainting only the rows it touched or touches now.

        The word-hover path: one call per change of hovered word keeps a frame cheap.
        """
        if layer not in self._layer_order:
            self._layer_order.insert(0, layer)
        old = self._highlights.get(layer, [])
        if not old and not highlights:
            return
        rows = {row for h in old for row, _, _ in self._resolve(h)}
        if highlights:
            self._highlights[layer] = list(highlights)
            rows.update(row for h in highlights for row, _, _ in self._resolve(h))
        else:
            self._highlights.pop(layer, None)
        self._update_rows(rows)

    def _update_rows(self, rows: Iterable[int]) -> None:
        """Schedule a repaint of the visible part of some rows only."""
        y0, width, height = self._scroll_y(), self.viewport().width(), self.viewport().height()
        region = QRect()
        for row in rows:
            if not 0 <= row < len(self._heights):
                continue
            top = self._top(row) - y0
            bottom = top + self._heights[row]
            if bottom < 0 or top > height:
                continue
            region = region.united(QRect(0, int(top) - 1, width, int(bottom - top) + 3))
        if not region.isEmpty():
            self.viewport().update(region)

    def clear_highlights(self, layer: str = "word") -> None:
        if self._highlights.pop(layer, None):
            self.viewport().update()

    def highlights(self, layer: str) -> list[Highlight]:
        """The highlights of a layer, in paint order."""
        return list(self._highlights.get(layer, []))

    def highlighted_ranges(self, layer: str) -> list[tuple[str, int, int, int]]:
        """(side, row, start, end) in side-text coordinates, as painted."""
        out = []
        for h in self._highlights.get(layer, []):
            out.extend((h.side, row, s, e) for row, s, e in self._resolve(h))
        return out

    def highlighted_text(self, layer: str) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {NL: [], EN: []}
        for side, row, s, e in self.highlighted_ranges(layer):
            out[side].append(self._sides[side][row].text[s:e])
        return out

    def _resolve(self, h: Highlight) -> list[tuple[int, int, int]]:
        span = self._span_index[h.side].get(h.sentence_id)
        if span is None:
            return []
        row, start, end = span
        if h.ranges is None:
            return [(row, start, end)]
        return [
            (row, start + max(0, a), min(end, start + b)) for a, b in h.ranges if start + a < end and b > a
        ]

    # ----------------------------------------------------------------- current sentence

    def current_sentence(self) -> int | None:
        return self._current

    def set_current_sentence(self, sentence_id: int | None, ensure_visible: bool = True) -> None:
        if self._content is None or (sentence_id is not None and sentence_id not in self._content.sentences):
            sentence_id = None
        if sentence_id == self._current:
            if sentence_id is not None and ensure_visible:
                self.ensure_sentence_visible(sentence_id)
            return
        self._current = sentence_id
        self._highlights.pop("current", None)
        if sentence_id is not None:
            for side in SIDES:
                self.highlight(sentence_id, side, None, self._colors.current, layer="current")
            if ensure_visible:
                self.ensure_sentence_visible(sentence_id)
        self.viewport().update()
        self.current_changed.emit(sentence_id)

    def move_current(self, delta: int) -> None:
        if self._content is None or not self._content.order:
            return
        order = self._content.order
        if self._current is None:
            first = self._first_visible_sentence()
            target = first if first is not None else order[0 if delta > 0 else -1]
        else:
            i = order.index(self._current) + delta
            target = order[max(0, min(len(order) - 1, i))]
        self.set_current_sentence(target)

    def _first_visible_sentence(self) -> int | None:
        if self._content is None:
            return None
        row = self._row_at(self._scroll_y())
        for r in range(row, len(self._content.paragraphs)):
            if self._content.paragraphs[r].sentence_ids:
                return self._content.paragraphs[r].sentence_ids[0]
        return None

    def sentence_rect(self, sentence_id: int, side: str) -> QRectF:
        """Viewport rectangle around a sentence's first line on one side (empty if not shown)."""
        rects = self._sentence_line_rects(sentence_id, side)
        return rects[0] if rects else QRectF()

    def range_rects(self, sentence_id: int, side: str, start: int, end: int) -> list[QRectF]:
        """Viewport rectangles, one per line, around characters ``start:end`` of a sentence."""
        span = self._span_index[side].get(sentence_id)
        if span is None:
            return []
        row, s, e = span
        return self._line_rects(row, side, s + max(0, start), min(e, s + end))

    def _sentence_line_rects(self, sentence_id: int, side: str) -> list[QRectF]:
        span = self._span_index[side].get(sentence_id)
        if span is None:
            return []
        row, start, end = span
        return self._line_rects(row, side, start, end)

    def _line_rects(self, row: int, side: str, start: int, end: int) -> list[QRectF]:
        """Viewport rectangles of side-text characters ``start:end`` of a row, one per line."""
        if end <= start:
            return []
        rl = self._row_layout(row)
        top = self._top(row) - self._scroll_y()
        rects = []
        for b in rl.blocks:
            if b.side != side or b.end <= start or b.start >= end:
                continue
            for i in range(b.layout.lineCount()):
                line = b.layout.lineAt(i)
                ls, le = b.start + line.textStart(), b.start + line.textStart() + line.textLength()
                if le <= start or ls >= end:
                    continue
                x1, _ = line.cursorToX(max(start, ls) - b.start)
                x2, _ = line.cursorToX(min(end, le) - b.start)
                y = top + b.y + line.y()
                rects.append(QRectF(b.x + min(x1, x2), y, abs(x2 - x1), line.height()))
        return rects

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
            margin = min(self._em * 2, h / 6)
            y = self._scroll_y()
            if top < margin:
                self._set_scroll(y + top - margin)
            elif bottom > h - margin:
                self._set_scroll(y + min(top - margin, bottom - h + margin))
            else:
                return
            if self._scroll_y() == y:
                return

    # ----------------------------------------------------------------- text selection & copy

    def selected_text(self) -> str:
        if self._selection is None:
            return ""
        side, a, b = self._selection
        (ra, pa), (rb, pb) = sorted((a, b))
        parts = []
        for row in range(ra, rb + 1):
            text = self._sides[side][row].text
            s = pa if row == ra else 0
            e = pb if row == rb else len(text)
            if e > s:
                parts.append(text[s:e])
        return "\n\n".join(parts)

    def select_text(self, side: str, start: tuple[int, int], end: tuple[int, int]) -> None:
        """Select side text from (row, pos) to (row, pos), as a mouse drag would."""
        self._selection = (side, start, end)
        self.viewport().update()

    def clear_selection(self) -> None:
        if self._selection is not None:
            self._selection = None
            self.viewport().update()

    def copy(self) -> str:
        """Copy the mouse selection, else the current sentence in both languages."""
        text = self.selected_text()
        if not text and self._current is not None:
            text = "\n".join(
                t for t in (self.sentence_text(self._current, NL), self.sentence_text(self._current, EN)) if t
            )
        if text:
            QGuiApplication.clipboard().setText(text)
        return text

    # ----------------------------------------------------------------- scroll position

    def scroll_anchor(self) -> tuple[int, float]:
        """(row, fraction of that row above the top edge): survives re-layout and restarts."""
        y = self._scroll_y()
        row = self._row_at(y)
        if row >= len(self._heights) or y <= 0:
            return 0, -1.0  # the very top, whatever the first row's height becomes
        h = self._heights[row] or 1.0
        return row, max(0.0, min(1.0, (y - self._top(row)) / h))

    def restore_anchor(self, row: int, fraction: float = 0.0) -> None:
        if not self._heights:
            return
        row = max(0, min(len(self._heights) - 1, int(row)))
        self._ensure_rows(range(max(0, row - 1), row + 2))
        self._set_scroll(self._anchor_y(row, fraction))

    def scroll_to_row(self, row: int) -> None:
        self.restore_anchor(row, 0.0)

    def visible_rows(self) -> range:
        if not self._heights:
            return range(0)
        y = self._scroll_y()
        first = self._row_at(y)
        last = self._row_at(y + self.viewport().height())
        return range(first, min(len(self._heights), last + 1))

    def visible_sentence_ids(self, screens_below: float = 1.0) -> list[int]:
        """Sentences in the viewport and up to ``screens_below`` screens under it, in reading
        order: what the reader will look at first, so translation can start there."""
        if self._content is None or not self._heights:
            return []
        y, height = self._scroll_y(), self.viewport().height()
        first, last = self._row_at(y), self._row_at(y + height * (1 + screens_below))
        rows = self._content.paragraphs[first : last + 1]
        return [sid for para in rows for sid in para.sentence_ids]

    # ----------------------------------------------------------------- inline editing

    def edit_translation(self, sentence_id: int) -> QPlainTextEdit | None:
        """Open an editor over the sentence's English; Enter saves, Escape cancels.

        The editor covers the sentence's own lines only: the sentence starts and ends its own
        lines while edited, and the room the editor needs beyond them pushes the rest down.
        """
        if self._content is None or sentence_id not in self._content.sentences:
            return None
        self._close_editor(commit=True)
        self.set_current_sentence(sentence_id)
        row = self._content.sentences[sentence_id].row
        block = self._editor_block(sentence_id, row)
        if block is None:
            return None
        editor = _InlineEditor(self, sentence_id, self._translations.get(sentence_id, ""))
        editor.setFont(block.layout.font())
        self._editor = editor
        self._editing = (sentence_id, float(EDITOR_PAD))
        self._relayout_row(row)
        self._fit_editor()
        editor.textChanged.connect(self._fit_editor)
        editor.show()
        editor.setFocus()
        return editor

    def editor(self) -> QPlainTextEdit | None:
        return self._editor

    def _close_editor(self, commit: bool) -> None:
        editor, self._editor = self._editor, None
        if editor is None:
            return
        text = editor.toPlainText().strip()
        sid = editor.sentence_id
        changed = text != editor.original.strip()
        editor.closing = True
        editor.hide()
        editor.deleteLater()
        self._editing = None
        row = self.sentence_row(sid)
        if row is not None and row < len(self._heights):
            self._relayout_row(row)  # the sentence's lines close up again
        self.setFocus()
        if commit and changed and text:
            self.translation_edited.emit(sid, text)

    def _editor_block(self, sentence_id: int, row: int) -> Block | None:
        """The English block holding a sentence (the row's first English block if not shown)."""
        blocks = [b for b in self._row_layout(row).blocks if b.side == EN]
        span = self._span_index[EN].get(sentence_id)
        if span is not None:
            for b in blocks:
                if b.start <= span[1] < b.end or (b.start == span[1] == b.end):
                    return b
        return blocks[0] if blocks else None

    def _relayout_row(self, row: int) -> None:
        """Lay one row out again, keeping the text above it (and its own top) where it is."""
        anchor_row, fraction = self.scroll_anchor()
        into = self._scroll_y() - self._top(row) if anchor_row == row and fraction >= 0 else None
        self._rows.pop(row, None)
        self._row_layout(row)
        self._tops_dirty = True
        if into is not None:
            fraction = max(0.0, into / max(1.0, self._heights[row]))
        self._prepare((anchor_row, fraction))
        self.viewport().update()

    def _fit_editor(self) -> None:
        """Size the editor to its text; reserve below the sentence the room it takes beyond it."""
        editor = self._editor
        if editor is None or self._editing is None:
            return
        rects = self._sentence_line_rects(editor.sentence_id, EN)
        if rects:
            area = max(r.bottom() for r in rects) - min(r.top() for r in rects) + EDITOR_PAD
            room = max(float(EDITOR_PAD), self._editor_text_height(editor) - area)
            if abs(room - self._editing[1]) > 0.5:
                self._editing = (editor.sentence_id, room)
                self._relayout_row(self._content.sentences[editor.sentence_id].row)
        self._position_editor()

    def _editor_text_height(self, editor: QPlainTextEdit) -> float:
        """The height the editor needs to show all its text at its width, without scrolling."""
        row = self._content.sentences[editor.sentence_id].row
        block = self._editor_block(editor.sentence_id, row)
        width = (block.width if block is not None else 200.0) + 2 * EDITOR_SIDE
        frame = editor.frameWidth()
        margin = editor.document().documentMargin()
        inner = max(20.0, width - 2 * frame - 2 * margin - 4)
        lines = 0
        for paragraph in editor.toPlainText().split("\n"):
            layout = QTextLayout(paragraph or " ", editor.font(), self.viewport())
            option = QTextOption()
            option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
            layout.setTextOption(option)
            layout.beginLayout()
            while (line := layout.createLine()).isValid():
                line.setLineWidth(inner)
                lines += 1
            layout.endLayout()
        spacing = QFontMetricsF(editor.font(), self.viewport()).lineSpacing()
        return lines * spacing + 2 * margin + 2 * frame + 2

    # ----------------------------------------------------------------- fonts, sides, layout

    def _apply_fonts(self) -> None:
        z = self._zoom
        fonts = {
            "body": theme.body_font(z),
            "heading": theme.heading_font(z),
            "title": theme.title_font(z),
            "meta": theme.small_font(z),
            "small": theme.small_font(z),
        }
        self._fonts = {}
        for name, font in fonts.items():
            fm = QFontMetricsF(font, self.viewport())
            em = font.pointSizeF() * self.viewport().logicalDpiY() / 72.0
            pitch = max(fm.height(), em * (theme.LINE_HEIGHT if name != "title" else 1.25))
            sample = "De partijen overlegden zo'n anderhalf uur over humanitaire corridors."
            avg = fm.horizontalAdvance(sample) / len(sample)
            self._fonts[name] = (font, pitch, avg)
        body = self._fonts["body"][0]
        self._em = body.pointSizeF() * self.viewport().logicalDpiY() / 72.0

    def _rebuild_sides(self) -> None:
        self._sides = {NL: [], EN: []}
        self._span_index = {NL: {}, EN: {}}
        if self._content is None:
            return
        for row, para in enumerate(self._content.paragraphs):
            self._sides[NL].append(self._nl_side(row, para))
            self._sides[EN].append(self._en_side(row, para))

    def _nl_side(self, row: int, para: ParagraphItem) -> SideText:
        assert self._content is not None
        spans = []
        for sid in para.sentence_ids:
            s = self._content.sentences[sid]
            spans.append((sid, s.start, s.end))
            self._span_index[NL][sid] = (row, s.start, s.end)
        return SideText(para.text, spans)

    def _en_side(self, row: int, para: ParagraphItem) -> SideText:
        parts: list[str] = []
        spans: list[tuple[int, int, int]] = []
        formats: list[tuple[int, int, str]] = []
        pos = 0
        for sid in para.sentence_ids:
            self._span_index[EN].pop(sid, None)
            target = self._translations.get(sid)
            style = {USER: "edited", ALTERNATIVE: "alternative"}.get(self._edited.get(sid, ""))
            if not target:
                if self._missing != "pending":
                    continue
                target, style = PENDING_MARK, "pending"
            if parts:
                parts.append(" ")
                pos += 1
            spans.append((sid, pos, pos + len(target)))
            self._span_index[EN][sid] = (row, pos, pos + len(target))
            if style:
                formats.append((pos, pos + len(target), style))
            parts.append(target)
            pos += len(target)
        return SideText("".join(parts), spans, formats)

    def _refresh_rows(self, rows: Iterable[int]) -> None:
        """Re-lay out rows whose English changed, keeping the top Dutch line where it was: text
        arriving above (or inside) the top paragraph must not push the reader's line down."""
        assert self._content is not None
        anchor = self.scroll_anchor()
        text_anchor = None
        if rows:
            kept = self._kept_anchor
            # Batch after batch, the same reading line: sub-pixel rounding must not add up.
            text_anchor = kept[1] if kept is not None and kept[0] == self._scroll_y() else self._text_anchor()
        changed = False
        for row in rows:
            self._sides[EN][row] = self._en_side(row, self._content.paragraphs[row])
            if self._rows.pop(row, None) is not None:
                changed = True
            self._raw[row] = self._estimate(row)
            self._heights[row] = self._raw[row] * self._estimate_scale
            self._tops_dirty = True
        if changed or rows:
            self._prepare(anchor)
            self._restore_text_anchor(text_anchor)
            self._kept_anchor = (self._scroll_y(), text_anchor) if text_anchor is not None else None
            self.viewport().update()

    def _reset_layout(self, keep_anchor: bool) -> None:
        anchor = self.scroll_anchor() if keep_anchor and self._heights else (0, 0.0)
        self._rows.clear()
        self._geometry_width = self.viewport().width()
        self._estimate_scale = 1.0
        n = self.row_count()
        self._raw = [self._estimate(r) for r in range(n)]
        self._heights = list(self._raw)
        self._tops_dirty = True
        self._prepare(anchor)
        self.viewport().update()

    def columns(self) -> list[tuple[float, float]]:
        """(x, width) of the text columns in viewport coordinates (the header aligns to them)."""
        return self._columns()

    def _columns(self) -> list[tuple[float, float]]:
        """(x, width) of each column: two for side-by-side, one for interleaved."""
        w = max(200.0, float(self.viewport().width()))
        em = self._em
        margin = max(em * 1.5, min(em * 3.5, w * 0.04))
        if self._mode == SIDE_BY_SIDE:
            gutter = em * 3
            col = min((w - 2 * margin - gutter) / 2, em * 36)
            left = (w - (2 * col + gutter)) / 2
            return [(left, col), (left + col + gutter, col)]
        col = min(w - 2 * margin, em * 40)
        return [((w - col) / 2, col)]

    def _row_font(self, kind: str) -> str:
        return {"title": "title", "meta": "meta", "heading": "heading"}.get(kind, "body")

    def _kind(self, row: int) -> str | None:
        assert self._content is not None
        paras = self._content.paragraphs
        return paras[row].kind if 0 <= row < len(paras) else None

    def _spacing(self, row: int) -> tuple[float, float]:
        """(space above, space below) a row, in pixels: consecutive list items sit close
        together, as a list does; the list as a whole keeps a paragraph's space below."""
        em = self._em
        kind = self._kind(row)
        if kind == "title":
            return em * 1.8, em * 0.3
        if kind == "meta":
            return 0.0, em * 1.4
        if kind == "heading":
            return em * 0.9, em * 0.35
        if kind == "list_item":
            return 0.0, em * (0.3 if self._kind(row + 1) == "list_item" else 0.9)
        if kind == "quote":
            return em * 0.2, em * 0.9
        return 0.0, em * 0.9

    def _indent(self, kind: str) -> float:
        """How far a list item's or a quote's text sits in from its column."""
        return self._em * 1.5 if kind in ("list_item", "quote") else 0.0

    def _pending(self, sentence_id: int) -> bool:
        """No translation yet, and one will come (the view marks it as waiting)."""
        return self._missing == "pending" and not self._translations.get(sentence_id)

    def _estimate(self, row: int) -> float:
        assert self._content is not None
        para = self._content.paragraphs[row]
        _, pitch, avg = self._fonts[self._row_font(para.kind)]
        above, below = self._spacing(row)
        cols = self._columns()
        width = cols[0][1] - self._indent(para.kind)

        def lines(n_chars: int) -> int:
            return max(1, math.ceil(n_chars * avg / max(width, 1.0)))

        nl = self._sides[NL][row]
        if self._mode == SIDE_BY_SIDE:
            en = self._sides[EN][row]
            # A waiting sentence will take about as much room as its Dutch (see _reserve).
            reserve = sum(e - s - len(PENDING_MARK) for sid, s, e in nl.spans if self._pending(sid))
            n = max(lines(len(nl.text)), lines(len(en.text) + reserve) if en.text else 0)
            return above + n * pitch + below
        total = 0.0
        _, small_pitch, small_avg = self._fonts["small"]
        for sid, s, e in nl.spans or [(0, 0, len(para.text))]:
            total += lines(e - s) * pitch
            en_span = self._span_index[EN].get(sid)
            if en_span is not None:
                n_en = e - s if self._pending(sid) else en_span[2] - en_span[1]
                total += max(1, math.ceil(n_en * small_avg / width)) * small_pitch
                total += self._em * 0.45
        return above + max(total, pitch) + below

    def _make_layout(
        self,
        text: str,
        font: QFont,
        width: float,
        pitch: float,
        formats: Sequence[tuple[int, int, str]] = (),
        offset: int = 0,
        breaks: Sequence[int] = (),
        gap: tuple[int, float] | None = None,
        hang: float = 0.0,
    ) -> tuple[QTextLayout, float]:
        """Lines of ``text`` at ``pitch``; a line also ends before each of ``breaks``, and
        ``gap`` = (position, pixels) leaves room above the line starting there (or at the end);
        the lines after the first start ``hang`` pixels in (under the text after a list item's own
        marker; negative line positions would break QTextLine.cursorToX, which clamps at 0)."""
        layout = QTextLayout(text, font, self.viewport())
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        layout.setTextOption(option)
        ranges = []
        for s, e, style in formats:
            s, e = max(s - offset, 0), min(e - offset, len(text))
            if e <= s:
                continue
            fr = QTextLayout.FormatRange()
            fr.start, fr.length = s, e - s
            fmt = QTextCharFormat()
            if style == "pending":
                fmt.setForeground(self._colors.muted)
            elif style == "edited":
                fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
                fmt.setUnderlineColor(self._colors.edited)
            elif style == "alternative":
                fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DashUnderline)
                fmt.setUnderlineColor(alternative_color(self._colors))
            fr.format = fmt
            ranges.append(fr)
        if ranges:
            layout.setFormats(ranges)
        cuts = sorted(b for b in breaks if 0 < b < len(text))
        layout.beginLayout()
        y = 0.0
        while True:
            line = layout.createLine()
            if not line.isValid():
                break
            first = line.lineNumber() == 0
            line.setLineWidth(width + hang if first else width)
            start = line.textStart()
            cut = next((b for b in cuts if start < b < start + line.textLength()), None)
            if cut is not None:
                line.setNumColumns(cut - start, width)
            if gap is not None and start == gap[0] and start > 0:
                y += gap[1]
            line.setPosition(QPointF(0.0 if first else hang, y + (pitch - line.height()) / 2))
            y += max(pitch, line.height())
        layout.endLayout()
        if gap is not None and gap[0] >= len(text):
            y += gap[1]
        return layout, y

    def _row_layout(self, row: int) -> RowLayout:
        rl = self._rows.get(row)
        if rl is None:
            rl = self._build_row(row)
            self._rows[row] = rl
            if abs(rl.height - self._heights[row]) > 0.5:
                self._heights[row] = rl.height
                self._tops_dirty = True
        return rl

    def _reserve(self, row: int, font: QFont, width: float, pitch: float, hang: float) -> float:
        """The height the row's English will probably take once its waiting sentences arrive:
        each waiting sentence laid out as long as its Dutch (English runs 0.95-1.1 times the
        Dutch characters), so an arriving translation moves the text below by a line at most."""
        nl, en = self._sides[NL][row], self._sides[EN][row]
        pending = {sid for sid, _, _ in nl.spans if self._pending(sid)}
        if not pending:
            return 0.0
        parts = []
        for sid, s, e in en.spans:
            parts.append(nl.text[slice(*self._span_index[NL][sid][1:])] if sid in pending else en.text[s:e])
        _, h = self._make_layout(" ".join(parts), font, width, pitch, hang=hang)
        return h

    def _marker(self, text: str, font: QFont) -> tuple[str, float]:
        """A list item's own marker at the start of ``text`` and its width (to hang it)."""
        m = LIST_MARKER.match(text)
        if m is None:
            return "", 0.0
        return m.group(0), QFontMetricsF(font, self.viewport()).horizontalAdvance(m.group(0))

    def _list_marks(self, para: ParagraphItem, blocks: list[Block], font: QFont) -> list[Mark]:
        """A bullet in the indent of each side that does not carry its own marker; the English
        side repeats a Dutch number ("2.") so both columns read as the same list."""
        marks: list[Mark] = []
        nl_marker = LIST_MARKER.match(para.text)
        glyph = nl_marker.group(0).strip() if nl_marker and nl_marker.group(0)[0].isdigit() else "•"
        seen: set[str] = set()
        for b in blocks:
            if b.side in seen or b.layout.lineCount() == 0:
                continue
            seen.add(b.side)
            if b.hang > 0:
                continue
            if self._mode == INTERLEAVED and b.side == EN:
                continue  # the English under an item belongs to its bullet
            line = b.layout.lineAt(0)
            marks.append(Mark("bullet", b.x, b.y + line.y() + line.ascent(), glyph))
        return marks

    def _build_row(self, row: int) -> RowLayout:
        assert self._content is not None
        para = self._content.paragraphs[row]
        font, pitch, _ = self._fonts[self._row_font(para.kind)]
        above, below = self._spacing(row)
        indent = self._indent(para.kind)
        listed = para.kind == "list_item"
        cols = self._columns()
        nl, en = self._sides[NL][row], self._sides[EN][row]
        blocks: list[Block] = []
        if self._mode == SIDE_BY_SIDE or para.kind in ("title", "meta"):
            x_nl, w_nl = cols[0]
            if para.kind in ("title", "meta") and self._mode == SIDE_BY_SIDE:
                w_nl = cols[1][0] + cols[1][1] - x_nl
            x_nl, w_nl = x_nl + indent, w_nl - indent
            hang = self._marker(nl.text, font)[1] if listed else 0.0
            lay, h = self._make_layout(nl.text, font, w_nl, pitch, hang=hang)
            blocks.append(Block(NL, lay, x_nl - hang, above, w_nl, h, 0, len(nl.text), pitch, hang))
            height = h
            if en.text and self._mode == SIDE_BY_SIDE:
                x_en, w_en = cols[1][0] + indent, cols[1][1] - indent
                hang = self._marker(en.text, font)[1] if listed else 0.0
                breaks, gap = self._editing_room(row, en.text)
                lay, h2 = self._make_layout(
                    en.text, font, w_en, pitch, en.formats, breaks=breaks, gap=gap, hang=hang
                )
                h2 = max(h2, self._reserve(row, font, w_en, pitch, hang))
                blocks.append(Block(EN, lay, x_en - hang, above, w_en, h2, 0, len(en.text), pitch, hang))
                height = max(height, h2)
            marks = self._list_marks(para, blocks, font) if listed else []
            if para.kind == "quote":
                bottom = above + height + (below if self._kind(row + 1) == "quote" else 0.0)
                top = 0.0 if self._kind(row - 1) == "quote" else above
                marks += [Mark("bar", c[0] + self._em * 0.4, top, y2=bottom) for c in cols[: len(blocks)]]
            return RowLayout(above + height + below, blocks, marks)
        x, w = cols[0]
        x, w = x + indent, w - indent
        small, small_pitch, _ = self._fonts["small"]
        if para.kind == "heading":
            small = QFont(font)
            small.setPointSizeF(font.pointSizeF() * 0.85)
            small_pitch = pitch * 0.85
        y = above
        spans = nl.spans or [(-1, 0, len(nl.text))]
        for k, (sid, _start, e) in enumerate(spans):
            # The Dutch sentence keeps the gap before it so selections across sentences stay exact.
            s0 = spans[k - 1][2] if k > 0 else 0
            text = nl.text[s0:e].lstrip()
            hang = self._marker(text, font)[1] if listed and k == 0 else 0.0
            lay, h = self._make_layout(text, font, w, pitch, hang=hang)
            s_eff = e - len(text)
            blocks.append(Block(NL, lay, x - hang, y, w, h, s_eff, e, pitch, hang))
            y += h
            span = self._span_index[EN].get(sid)
            if span is not None:
                _, es, ee = span
                gap = (ee - es, self._editing[1]) if self._editing and self._editing[0] == sid else None
                hang = self._marker(en.text[es:ee], small)[1] if listed and k == 0 else 0.0
                lay, h = self._make_layout(
                    en.text[es:ee], small, w, small_pitch, en.formats, es, gap=gap, hang=hang
                )
                if self._pending(sid):  # room for the translation to come (see _reserve)
                    h = max(h, self._make_layout(text, small, w, small_pitch)[1])
                blocks.append(Block(EN, lay, x - hang, y, w, h, es, ee, small_pitch, hang))
                y += h
            y += self._em * 0.45
        if nl.text[spans[-1][2] :].strip():
            tail = nl.text[spans[-1][2] :]
            lay, h = self._make_layout(tail, font, w, pitch)
            blocks.append(Block(NL, lay, x, y, w, h, spans[-1][2], len(nl.text), pitch))
            y += h
        marks = self._list_marks(para, blocks, font) if listed else []
        if para.kind == "quote":
            bottom = y + (below if self._kind(row + 1) == "quote" else -self._em * 0.45)
            top = 0.0 if self._kind(row - 1) == "quote" else above
            marks.append(Mark("bar", cols[0][0] + self._em * 0.4, top, y2=bottom))
        return RowLayout(y + below, blocks, marks)

    def _editing_room(self, row: int, en_text: str) -> tuple[list[int], tuple[int, float] | None]:
        """While a sentence of ``row`` is edited (side by side): it starts and ends its own lines,
        and the room its editor needs below it pushes the rest of the paragraph down."""
        if self._editing is None:
            return [], None
        span = self._span_index[EN].get(self._editing[0])
        if span is None or span[0] != row:
            return [], None
        _, start, end = span
        after = end + 1 if en_text[end : end + 1] == " " else end
        return [start, after], (after, self._editing[1])

    # ----------------------------------------------------------------- scrolling model

    def _top(self, row: int) -> float:
        self._update_tops()
        return self._tops[row]

    def _update_tops(self) -> None:
        if not self._tops_dirty:
            return
        tops = [0.0]
        acc = self._em * 0.8  # top padding
        tops[0] = acc
        for h in self._heights:
            acc += h
            tops.append(acc)
        self._tops = tops
        self._tops_dirty = False

    def _total_height(self) -> float:
        self._update_tops()
        return self._tops[-1] + self._em * 3

    def _row_at(self, y: float) -> int:
        self._update_tops()
        if not self._heights:
            return 0
        i = bisect.bisect_right(self._tops, y) - 1
        return max(0, min(len(self._heights) - 1, i))

    def _scroll_y(self) -> int:
        return self.verticalScrollBar().value()

    def _set_scroll(self, y: float) -> None:
        self.verticalScrollBar().setValue(int(round(y)))

    def _ensure_rows(self, rows: Iterable[int]) -> None:
        for r in rows:
            if 0 <= r < len(self._heights):
                self._row_layout(r)

    def _prepare(self, anchor: tuple[int, float] | None = None) -> None:
        """Lay out the rows in (and just around) the viewport, keeping the anchored row still."""
        if self._adjusting:
            return
        self._adjusting = True
        try:
            if not self._heights:
                self._apply_range(0)
                return
            if anchor is None:
                anchor = self.scroll_anchor()
            row, frac = anchor
            row = min(row, len(self._heights) - 1)
            h = self.viewport().height()
            # Lay out the anchor row first so the fraction applies to its real height.
            self._row_layout(row)
            y = self._anchor_y(row, frac)
            self._ensure_between(y - h * 0.5, y + h * 1.5)
            self._learn_scale()
            self._apply_range(self._anchor_y(row, frac))
        finally:
            self._adjusting = False

    def _anchor_y(self, row: int, fraction: float) -> float:
        return 0.0 if fraction < 0 else self._top(row) + fraction * self._heights[row]

    def _ensure_between(self, y0: float, y1: float) -> None:
        r = self._row_at(max(0.0, y0))
        # Rows laid out may change the tops of rows below: walk until the window is covered.
        while r < len(self._heights):
            self._row_layout(r)
            if self._top(r) > y1:
                break
            r += 1

    def _learn_scale(self) -> None:
        """Scale the estimates of rows not yet laid out by what the laid-out rows really measured."""
        if len(self._rows) < 4:
            return
        real = sum(rl.height for rl in self._rows.values())
        raw = sum(self._raw[r] for r in self._rows)
        ratio = max(0.5, min(2.0, real / raw)) if raw > 0 else 1.0
        if abs(ratio - self._estimate_scale) < 0.03:
            return
        self._estimate_scale = ratio
        for r in range(len(self._heights)):
            if r not in self._rows:
                self._heights[r] = self._raw[r] * ratio
        self._tops_dirty = True

    def _apply_range(self, y: float) -> None:
        sb = self.verticalScrollBar()
        maximum = max(0, int(math.ceil(self._total_height() - self.viewport().height())))
        sb.blockSignals(True)
        sb.setRange(0, maximum)
        sb.setPageStep(max(1, self.viewport().height()))
        sb.setSingleStep(max(1, int(self._fonts["body"][1])))
        sb.setValue(int(round(min(max(0.0, y), maximum))))
        sb.blockSignals(False)
        self._position_editor()

    def _on_scroll(self, value: int) -> None:
        if self._adjusting:
            return
        self._prepare()
        self.viewport().update()
        self.scrolled.emit()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self.viewport().width() != self._geometry_width:
            self._close_editor(commit=True)
            self._reset_layout(keep_anchor=True)
        else:
            self._prepare()

    # ----------------------------------------------------------------- painting

    def paintEvent(self, event) -> None:  # noqa: N802
        t0 = time.perf_counter()
        painter = QPainter(self.viewport())
        painter.fillRect(event.rect(), self._colors.background)
        if self._content is not None and self._heights:
            self._paint_rows(painter, event.rect())
        painter.end()
        self.painted.emit(time.perf_counter() - t0)

    def _paint_rows(self, painter: QPainter, clip: QRect) -> None:
        y0 = self._scroll_y()
        h = self.viewport().height()
        if self._mode == SIDE_BY_SIDE:
            cols = self._columns()
            x = (cols[0][0] + cols[0][1] + cols[1][0]) / 2
            painter.setPen(self._colors.divider)
            painter.drawLine(QPointF(x, 0), QPointF(x, h))
        sel_ranges = self._selection_ranges()
        hl_ranges, underlines = self._highlight_ranges()
        row = self._row_at(y0 + max(0, clip.top()))
        bottom = min(h, clip.bottom() + 1)
        while row < len(self._heights):
            top = self._top(row) - y0
            if top > bottom:
                break
            rl = self._row_layout(row)
            if top + rl.height >= clip.top():
                self._paint_row(painter, row, rl, top, hl_ranges, sel_ranges)
                for side, s, e, color in underlines.get(row, ()):
                    self._paint_underline(painter, row, side, s, e, color)
            row += 1

    def _paint_underline(self, painter: QPainter, row: int, side: str, s: int, e: int, color: QColor) -> None:
        """A dashed line under side-text characters ``s:e`` (a word with no counterpart)."""
        pen = QPen(color, max(1.0, self._em / 10))
        pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        for rect in self._line_rects(row, side, s, e):
            y = rect.bottom() - max(1.0, rect.height() * 0.12)
            painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))

    def _paint_row(
        self, painter: QPainter, row: int, rl: RowLayout, top: float, hl_ranges: dict, sel_ranges: dict
    ) -> None:
        assert self._content is not None
        kind = self._content.paragraphs[row].kind
        for b in rl.blocks:
            if b.side == EN:
                pen = self._colors.english
            elif kind in ("heading", "title"):
                pen = self._colors.heading
            elif kind == "meta":
                pen = self._colors.muted
            else:
                pen = self._colors.text
            if self._mode == INTERLEAVED and b.side == EN:
                pen = self._colors.english
            painter.setPen(pen)
            selections = []
            for s, e, color in hl_ranges.get((row, b.side), ()):
                self._add_range(selections, b, s, e, background=color)
            for s, e in sel_ranges.get((row, b.side), ()):
                self._add_range(
                    selections,
                    b,
                    s,
                    e,
                    background=self._colors.selection,
                    foreground=self._colors.selection_text,
                )
            b.layout.draw(painter, QPointF(b.x, top + b.y), selections)
        if rl.marks:
            self._paint_marks(painter, rl.marks, top, self._fonts[self._row_font(kind)][0])

    def _paint_marks(self, painter: QPainter, marks: list[Mark], top: float, font: QFont) -> None:
        """Bullets right-aligned in a list item's indent; a quote's bar down its left edge."""
        bar = QColor(self._colors.muted)
        bar.setAlpha(150)
        for m in marks:
            if m.kind == "bar":
                width = max(2.0, self._em / 6)
                painter.fillRect(QRectF(m.x - width / 2, top + m.y, width, m.y2 - m.y), bar)
                continue
            painter.setFont(font)
            painter.setPen(self._colors.muted)
            advance = QFontMetricsF(font, self.viewport()).horizontalAdvance(m.text)
            painter.drawText(QPointF(m.x - advance - self._em * 0.5, top + m.y), m.text)

    @staticmethod
    def _add_range(
        out: list, b: Block, s: int, e: int, background: QColor, foreground: QColor | None = None
    ) -> None:
        s, e = max(s, b.start), min(e, b.end)
        if e <= s:
            return
        fr = QTextLayout.FormatRange()
        fr.start, fr.length = s - b.start, e - s
        fmt = QTextCharFormat()
        fmt.setBackground(background)
        if foreground is not None:
            fmt.setForeground(foreground)
        fr.format = fmt
        out.append(fr)

    def _highlight_ranges(self) -> tuple[dict, dict]:
        """Background ranges {(row, side): [(start, end, color)]} in layer order, and
        underlines {row: [(side, start, end, color)]}."""
        out: dict[tuple[int, str], list[tuple[int, int, QColor]]] = {}
        underlines: dict[int, list[tuple[str, int, int, QColor]]] = {}
        for layer in self._layer_order:
            for h in self._highlights.get(layer, ()):
                for row, s, e in self._resolve(h):
                    if h.style == UNDERLINE:
                        underlines.setdefault(row, []).append((h.side, s, e, h.color))
                    else:
                        out.setdefault((row, h.side), []).append((s, e, h.color))
        return out, underlines

    def _selection_ranges(self) -> dict[tuple[int, str], list[tuple[int, int]]]:
        if self._selection is None:
            return {}
        side, a, b = self._selection
        (ra, pa), (rb, pb) = sorted((a, b))
        out = {}
        first, last = self.visible_rows().start, self.visible_rows().stop
        for row in range(max(ra, first), min(rb, last) + 1):
            n = len(self._sides[side][row].text)
            out[(row, side)] = [(pa if row == ra else 0, pb if row == rb else n)]
        return out

    # ----------------------------------------------------------------- hit testing

    def hit_test(self, point: QPointF | QPoint, side: str | None = None) -> Hit | None:
        """The character under a viewport point; with ``side``, the nearest one of that side."""
        if self._content is None or not self._heights:
            return None
        p = QPointF(point)
        y = p.y() + self._scroll_y()
        row = self._row_at(y)
        rl = self._row_layout(row)
        ry = y - self._top(row)
        blocks = [b for b in rl.blocks if side is None or b.side == side]
        if not blocks:
            return None
        if side is None:
            inside = [b for b in blocks if b.contains_y(ry) and b.x <= p.x() <= b.x + b.hang + b.width]
            if not inside:
                return None
            block = inside[0]
        else:
            block = min(
                blocks, key=lambda b: 0 if b.contains_y(ry) else min(abs(ry - b.y), abs(ry - b.y - b.height))
            )
        return self._hit_in_block(row, block, p.x() - block.x, ry - block.y)

    def _hit_in_block(self, row: int, b: Block, x: float, y: float) -> Hit:
        lay = b.layout
        n = lay.lineCount()
        if n == 0:
            return Hit(row, b.side, b.start, False)
        idx = n - 1
        for i in range(n):
            line = lay.lineAt(i)
            if y < line.y() + (b.pitch + line.height()) / 2:
                idx = i
                break
        line = lay.lineAt(idx)
        on_text = 0 <= y < b.height and line.x() <= x <= line.x() + line.naturalTextWidth()
        if y < 0:
            cursor = 0
        elif y >= b.height:
            cursor = line.textStart() + line.textLength()
        elif on_text:
            cursor = line.xToCursor(x, QTextLine.CursorPosition.CursorOnCharacter)
            cursor = min(cursor, line.textStart() + max(0, line.textLength() - 1))
        else:
            cursor = line.xToCursor(x, QTextLine.CursorPosition.CursorBetweenCharacters)
        return Hit(row, b.side, b.start + cursor, on_text)

    def sentence_at(self, point: QPointF | QPoint) -> tuple[int, str] | None:
        """(sentence id, side) under a viewport point, only when really over its text."""
        hit = self.hit_test(point)
        if hit is None or not hit.on_text:
            return None
        loc = self.locate(hit.row, hit.side, hit.pos)
        return (loc[0], hit.side) if loc else None

    # ----------------------------------------------------------------- events

    def _set_hovered(self, sid: int | None) -> None:
        if sid == self._hovered:
            return
        self._hovered = sid
        self._highlights.pop("hover", None)
        if sid is not None:
            for side in SIDES:
                self.highlight(sid, side, None, self._colors.hover, layer="hover")
        self.viewport().update()
        self.sentence_hovered.emit(sid)

    def hovered_sentence(self) -> int | None:
        return self._hovered

    def tooltip_at(self, point: QPointF | QPoint) -> str:
        """Whose translation the English under a point is, when not the machine's own."""
        found = self.sentence_at(point)
        return self.origin_label(found[0]) if found and found[1] == EN else ""

    def viewportEvent(self, event) -> bool:  # noqa: N802
        if event.type() == event.Type.Leave:
            self._set_hovered(None)
            self.pointer_moved.emit(None)
        if event.type() == event.Type.ToolTip:
            text = self.tooltip_at(QPointF(event.pos()))
            if text:
                QToolTip.showText(event.globalPos(), text, self.viewport())
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(event)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        pos = event.position()
        if self._press is not None and event.buttons() & Qt.MouseButton.LeftButton:
            start, hit = self._press
            if not self._dragging and (pos - start).manhattanLength() >= QApplication.startDragDistance():
                self._dragging = hit is not None
            if self._dragging and hit is not None:
                self._autoscroll(pos)
                cur = self.hit_test(pos, hit.side)
                if cur is not None:
                    self._selection = (hit.side, (hit.row, hit.pos), (cur.row, cur.pos))
                    self.viewport().update()
            return
        over = self.hit_test(pos)
        if over is not None and not over.on_text:
            over = None
        loc = self.locate(over.row, over.side, over.pos) if over is not None else None
        self._set_hovered(loc[0] if loc else None)
        self.pointer_moved.emit(over if loc else None)

    def _autoscroll(self, pos: QPointF) -> None:
        h = self.viewport().height()
        if pos.y() < 0:
            self._set_scroll(self._scroll_y() + pos.y())
        elif pos.y() > h:
            self._set_scroll(self._scroll_y() + pos.y() - h)

    def mousePressEvent(self, event) -> None:  # noqa: N802
        self.setFocus()
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        pos = event.position()
        hit = self.hit_test(pos)
        if hit is None:
            # Start a selection from the margin nearest side too, as text editors do.
            side = self._side_for_x(pos.x())
            hit = self.hit_test(pos, side) if side else None
        self._press = (pos, hit)
        self._dragging = False
        self.clear_selection()

    def _side_for_x(self, x: float) -> str | None:
        if self._mode == INTERLEAVED:
            return NL
        cols = self._columns()
        middle = (cols[0][0] + cols[0][1] + cols[1][0]) / 2
        return NL if x < middle else EN

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        if event.button() != Qt.MouseButton.LeftButton or self._press is None:
            super().mouseReleaseEvent(event)
            return
        dragging, self._dragging = self._dragging, False
        self._press = None
        if dragging:
            text = self.selected_text()
            clipboard = QGuiApplication.clipboard()
            if text and clipboard.supportsSelection():
                clipboard.setText(text, clipboard.Mode.Selection)
            return
        over = self.hit_test(event.position())
        loc = self.locate(over.row, over.side, over.pos) if over is not None and over.on_text else None
        self.set_current_sentence(loc[0] if loc else None, ensure_visible=False)
        self.clicked.emit(over if loc else None)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802
        """Double-click selects the sentence's text on that side, ready to copy."""
        found = self.sentence_at(event.position())
        if not found:
            return
        sid, side = found
        row, s, e = self._span_index[side][sid]
        self.select_text(side, (row, s), (row, e))

    def contextMenuEvent(self, event) -> None:  # noqa: N802
        """The mouse acts on the sentence under the pointer only (None in a gap); the menu key
        acts on the current sentence."""
        if event.reason() == event.Reason.Mouse:
            found = self.sentence_at(QPointF(event.pos()))
            sid = found[0] if found else None
            if found:
                self.set_current_sentence(sid, ensure_visible=False)
        else:
            sid = self._current
        self.context_menu_requested.emit(sid, event.globalPos())

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        key = event.key()
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy()
            return
        if mods == Qt.KeyboardModifier.NoModifier:
            if key in (Qt.Key.Key_Down, Qt.Key.Key_J):
                self.move_current(1)
                return
            if key in (Qt.Key.Key_Up, Qt.Key.Key_K):
                self.move_current(-1)
                return
            if key == Qt.Key.Key_Escape:
                self.clear_selection()
                self.set_current_sentence(None)
                return
            if key == Qt.Key.Key_Space:
                self._set_scroll(self._scroll_y() + self.viewport().height() * 0.9)
                return
        if key == Qt.Key.Key_Home:
            self._set_scroll(0)
            return
        if key == Qt.Key.Key_End:
            self._set_scroll(self.verticalScrollBar().maximum())
            # The end's estimate may change once laid out: settle on the real end.
            self._set_scroll(self.verticalScrollBar().maximum())
            return
        super().keyPressEvent(event)

    def _position_editor(self) -> None:
        """Keep the editor over its sentence's lines (and the room reserved below them)."""
        editor = self._editor
        if editor is None or self._content is None or editor.sentence_id not in self._content.sentences:
            return
        row = self._content.sentences[editor.sentence_id].row
        block = self._editor_block(editor.sentence_id, row)
        if block is None:
            return
        x, width = block.x - EDITOR_SIDE, block.width + 2 * EDITOR_SIDE
        rects = self._sentence_line_rects(editor.sentence_id, EN)
        if rects:
            top = min(r.top() for r in rects) - EDITOR_PAD
            height = max(r.bottom() for r in rects) - top + (self._editing[1] if self._editing else 0.0)
        else:  # not shown yet: over the row's English, tall enough for its text
            top = self._top(row) - self._scroll_y() + block.y - EDITOR_PAD
            height = max(self._editor_text_height(editor), block.pitch * 2)
        editor.setGeometry(QRect(int(x), int(math.floor(top)), int(width), int(math.ceil(height))))


class _InlineEditor(QPlainTextEdit):
    """Edits one sentence's English in place: Enter saves, Shift+Enter breaks, Escape cancels."""

    def __init__(self, view: ReaderView, sentence_id: int, text: str) -> None:
        super().__init__(view.viewport())
        self.view = view
        self.sentence_id = sentence_id
        self.original = text
        self.closing = False
        self.setPlainText(text)
        self.selectAll()
        self.setObjectName("inlineEditor")
        self.setToolTip("Enter saves your translation, Escape cancels")
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not (
            event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        ):
            self.view._close_editor(commit=True)
            return
        if event.key() == Qt.Key.Key_Escape:
            self.view._close_editor(commit=False)
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event) -> None:  # noqa: N802
        super().focusOutEvent(event)
        if not self.closing and event.reason() not in (
            Qt.FocusReason.PopupFocusReason,
            Qt.FocusReason.ActiveWindowFocusReason,
        ):
            QTimer.singleShot(0, lambda: self.view._editor is self and self.view._close_editor(commit=True))


def alternative_color(colors: theme.ReaderColors) -> QColor:
    """The mark of a chosen model alternative: violet, unlike the green of the user's own text."""
    return QColor("#b39dfa") if colors.background.lightness() < 128 else QColor("#7b5cd6")


def _origins(edited: Iterable[int] | Mapping[int, str]) -> dict[int, str]:
    if isinstance(edited, Mapping):
        return {int(sid): (origin if origin in ORIGIN_LABELS else USER) for sid, origin in edited.items()}
    return dict.fromkeys(edited, USER)
