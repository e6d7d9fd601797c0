"""How the reading surface is drawn: highlight layers, the selection, text, bullets and quote bars.

Highlights are kept per named layer ("hover", "current", "word", ...); a later layer paints on top
of an earlier one.  Painting walks only the rows that cross the damaged rectangle.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QLineF, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen, QTextCharFormat, QTextLayout

from reader.hover import EN, FILL, NL, UNDERLINE
from reader.phrase_match import union_spans
from ui.view_content import INTERLEAVED, SIDE_BY_SIDE, ShownText
from ui.view_layout import Block, Mark, RowLayout, ViewLayout

Selection = tuple[str, tuple[int, int], tuple[int, int]]  # side, (row, pos) where it began, where it ends
MARK = "mark"  # a thin solid underline: a saved phrase found in the text (dashes mean "no counterpart")
ANNOTATION_LAYER = "annotation"  # under every other layer: hover and word shades stay visible on it
PHRASE_LAYER = "phrase"

# Annotation fills (r, g, b, alpha) per theme: light pastels under dark text; in the dark theme,
# deeper tones at lower alpha, so the light text on them keeps its contrast.
_ANNOTATION_RGBA = {
    False: {
        "yellow": (255, 214, 10, 120), "green": (64, 192, 87, 95), "blue": (51, 154, 240, 85),
        "pink": (240, 101, 149, 85), "purple": (151, 117, 250, 85),
    },
    True: {
        "yellow": (214, 170, 0, 95), "green": (47, 158, 68, 100), "blue": (28, 126, 214, 110),
        "pink": (214, 51, 108, 100), "purple": (121, 80, 242, 110),
    },
}


def annotation_color(colour: str, dark: bool) -> QColor:
    """The fill of an annotation of ``colour`` (one of ``reader.annotations.COLOURS``)."""
    table = _ANNOTATION_RGBA[dark]
    return QColor(*table.get(colour, table["yellow"]))


def phrase_mark_color(dark: bool) -> QColor:
    """The underline of a saved phrase: teal, apart from the orange word shades and grey dashes."""
    return QColor(56, 217, 169) if dark else QColor(12, 133, 153)


@dataclass
class Highlight:
    sentence_id: int
    side: str
    ranges: list[tuple[int, int]] | None  # offsets in the sentence; None: the whole sentence
    color: QColor
    style: str = FILL  # FILL shades the background; UNDERLINE a dashed line under the text; MARK a solid one


class _AllRows(frozenset):
    """``replace``'s answer for a layer of thousands: every row on screen (compared by identity)."""


ALL_ROWS: frozenset[int] = _AllRows()
_MANY_HIGHLIGHTS = 500


class HighlightLayers:
    """Named layers of highlights, resolved to side-text ranges through the shown text."""

    def __init__(self, text: ShownText) -> None:
        self.text = text
        self.layers: dict[str, list[Highlight]] = {}
        self.order = ["hover", "current", "word"]  # later layers paint on top
        # Per layer, its highlights by row (a sentence's row never changes while its document is
        # shown): painting reads the visible rows' only, however many marks a long document has.
        self._by_row: dict[str, dict[int, list[Highlight]]] = {}
        self._merged: set[str] = set()  # layers whose underlines come merged (one a sentence)

    def _known(self, layer: str) -> None:
        if layer not in self.order:
            self.order.insert(0, layer)  # a new layer paints under the built-in ones

    def add(self, layer: str, highlight: Highlight) -> None:
        self._known(layer)
        self.layers.setdefault(layer, []).append(highlight)
        self._by_row.pop(layer, None)

    def replace(
        self, layer: str, highlights: Sequence[Highlight], merged: bool = False
    ) -> frozenset[int] | set[int] | None:
        """Replace a whole layer; the rows it touched or touches now (``ALL_ROWS``: too many to
        list, repaint what is on screen; None: nothing to do).
        ``merged``: its underlines are one a sentence already (saved-phrase marks, worked out in a
        worker): painting need not merge thousands of them again."""
        self._known(layer)
        if merged:
            self._merged.add(layer)
        else:
            self._merged.discard(layer)
        old = self.layers.get(layer, [])
        if not old and not highlights:
            return None
        self._by_row.pop(layer, None)
        # Thousands (a long document's marks) touch every row on screen anyway: not worked out.
        many = len(old) + len(highlights) > _MANY_HIGHLIGHTS
        if highlights:
            self.layers[layer] = list(highlights)
        else:
            self.layers.pop(layer, None)
        if many:
            return ALL_ROWS
        return self._rows_touched(old) | self._rows_touched(highlights)

    def _rows_touched(self, highlights: Iterable[Highlight]) -> set[int]:
        """The rows of the highlights' sentences (their ranges need not be resolved for that)."""
        spans = self.text.span_index
        return {span[0] for h in highlights if (span := spans[h.side].get(h.sentence_id)) is not None}

    def drop(self, layer: str) -> bool:
        """Remove a layer; True if it held anything."""
        self._by_row.pop(layer, None)
        return bool(self.layers.pop(layer, None))

    def clear(self) -> None:
        self.layers.clear()
        self._by_row.clear()

    def _rows_of(self, layer: str) -> dict[int, list[Highlight]]:
        """Built once per change of the layer, not per frame."""
        index = self._by_row.get(layer)
        if index is None:
            index = {}
            highlights = self.layers.get(layer, ())
            for h in highlights if layer in self._merged else _merged_marks(highlights):
                row = self.text.sentence_row(h.sentence_id)
                if row is not None:
                    index.setdefault(row, []).append(h)
            self._by_row[layer] = index
        return index

    def get(self, layer: str) -> list[Highlight]:
        return list(self.layers.get(layer, []))

    def resolve(self, h: Highlight) -> list[tuple[int, int, int]]:
        """(row, start, end) in side-text coordinates of a highlight (nothing when not shown)."""
        span = self.text.span_index[h.side].get(h.sentence_id)
        if span is None:
            return []
        row, start, end = span
        if h.ranges is None:
            return [(row, start, end)]
        return [
            (row, start + max(0, a), min(end, start + b)) for a, b in h.ranges if start + a < end and b > a
        ]

    def painted_ranges(self, rows: range | None = None) -> tuple[dict, dict]:
        """Background ranges {(row, side): [(start, end, color)]} in layer order, and
        underlines {row: [(side, start, end, color, style)]}; with ``rows``, of those rows only
        (thousands of saved-phrase marks in a long document must not slow every frame)."""
        out: dict[tuple[int, str], list[tuple[int, int, QColor]]] = {}
        underlines: dict[int, list[tuple[str, int, int, QColor, str]]] = {}
        for layer in self.order:
            if rows is None:
                chosen: Iterable[Highlight] = self.layers.get(layer, ())
            else:
                index = self._rows_of(layer)
                chosen = [h for row in rows for h in index.get(row, ())]
            for h in chosen:
                for row, s, e in self.resolve(h):
                    if h.style in (UNDERLINE, MARK):
                        underlines.setdefault(row, []).append((h.side, s, e, h.color, h.style))
                    else:
                        out.setdefault((row, h.side), []).append((s, e, h.color))
        return out, underlines


def phrase_mark_highlights(ranges: Mapping[int, list[tuple[int, int]]], color: QColor) -> list[Highlight]:
    """One underline highlight a sentence (``DocumentMarks.ranges``: already merged)."""
    return [Highlight(sid, NL, spans, color, MARK) for sid, spans in ranges.items()]


def _merged_marks(highlights: Iterable[Highlight]) -> list[Highlight]:
    """Solid underlines (saved phrases) of one sentence, side and colour as one highlight over the
    union of their ranges: a word in several saved phrases is underlined once, not once each
    (a long document with thousands of phrases has a dozen marks a sentence)."""
    out: list[Highlight] = []
    marks: dict[tuple, list[tuple[int, int]]] = {}
    for h in highlights:
        if h.style != MARK or h.ranges is None:
            out.append(h)
            continue
        key = (h.sentence_id, h.side, h.color.rgba())
        ranges = marks.get(key)
        if ranges is None:
            marks[key] = ranges = []
            out.append(Highlight(h.sentence_id, h.side, ranges, h.color, MARK))
        ranges.extend(h.ranges)
    for h in out:
        if h.style == MARK and h.ranges:
            h.ranges[:] = union_spans(h.ranges)
    return out


def selection_ranges(
    selection: Selection | Sequence[Selection] | None, rows: range, text: ShownText
) -> dict[tuple[int, str], list[tuple[int, int]]]:
    """{(row, side): [(start, end)]} of a selection (or several: Ctrl adds one), for the given
    (visible) rows only."""
    if not selection:
        return {}
    selections = [selection] if isinstance(selection[0], str) else selection
    out: dict[tuple[int, str], list[tuple[int, int]]] = {}
    for side, a, b in selections:
        (ra, pa), (rb, pb) = sorted((a, b))
        for row in range(max(ra, rows.start), min(rb, rows.stop) + 1):
            n = len(text.sides[side][row].text)
            out.setdefault((row, side), []).append((pa if row == ra else 0, pb if row == rb else n))
    return out


class RowPainter:
    """Paints the rows of a ``ViewLayout`` with their highlights and selection."""

    def __init__(self, layout: ViewLayout, layers: HighlightLayers) -> None:
        self.layout = layout
        self.layers = layers
        self._pens: dict[tuple[int, str, float], QPen] = {}  # (rgba, style, width): made once, not per line

    def paint(self, painter: QPainter, clip: QRect, y0: float, height: int, selected: dict) -> None:
        """Rows crossing ``clip`` of a viewport ``height`` pixels tall scrolled to ``y0``."""
        lay, colors = self.layout, self.layout.colors
        if lay.mode == SIDE_BY_SIDE:
            x = lay.divider_x()
            painter.setPen(colors.divider)
            painter.drawLine(QPointF(x, 0), QPointF(x, height))
        row = lay.row_at(y0 + max(0, clip.top()))
        bottom = min(height, clip.bottom() + 1)
        hl_ranges, underlines = self.layers.painted_ranges(range(row, lay.row_at(y0 + bottom) + 1))
        while row < len(lay.heights):
            top = lay.top(row) - y0
            if top > bottom:
                break
            rl = lay.row_layout(row)
            if top + rl.height >= clip.top():
                self._paint_row(painter, row, rl, top, hl_ranges, selected)
                if row in underlines:
                    self._paint_underlines(painter, rl, top, underlines[row])
            row += 1

    def _paint_underlines(self, painter: QPainter, rl: RowLayout, top: float, underlines: list) -> None:
        """A row's underlines: dashed under some characters (a word with no counterpart), thin
        and solid just under the baseline (MARK: a saved phrase).  Their lines, in row
        coordinates, are kept with the row's layout (as tuples of floats, which the garbage
        collector stops tracking: a long document's marks must not lengthen its full
        collections); the saved phrases of one colour are drawn in one call (a
        dense document has dozens a row; scrolling must stay smooth)."""
        cache = rl.painted
        if len(cache) > 256:  # marks changed many times over: forget the stale ones
            cache.clear()
        groups: dict[tuple[int, str], tuple[QColor, list[QLineF]]] = {}
        for side, s, e, color, style in underlines:
            key = (side, s, e, style)
            coords = cache.get(key)
            if coords is None:
                cache[key] = coords = self._underline_coords(rl, side, s, e, style)
            if not coords:
                continue
            it = iter(coords)
            lines = [QLineF(x1, y, x2, y) for x1, y, x2 in zip(it, it, it, strict=True)]
            if style == UNDERLINE:  # drawn one by one: each dash pattern starts at its own line
                painter.setPen(self._pen(color, style))
                for line in lines:
                    painter.drawLine(line.translated(0.0, top))
                continue
            group = groups.get((color.rgba(), style))
            if group is None:
                groups[(color.rgba(), style)] = group = (color, [])
            group[1].extend(lines)
        if not groups:
            return
        painter.translate(0.0, top)
        for (_rgba, style), (color, lines) in groups.items():
            painter.setPen(self._pen(color, style))
            painter.drawLines(lines)
        painter.translate(0.0, -top)

    def _underline_coords(self, rl: RowLayout, side: str, s: int, e: int, style: str) -> tuple[float, ...]:
        """(x1, y, x2, ...) of the underline under side-text characters ``s:e`` of a row, one
        line each text line, in row coordinates."""
        k = 0.12 if style == UNDERLINE else 0.16
        out: list[float] = []
        for x, w, by, ly, h in self.layout.row_line_spans(rl, side, s, e):
            out.extend((x, by + ly + h - max(1.0, h * k), x + w))
        return tuple(out)

    def _pen(self, color: QColor, style: str) -> QPen:
        width = max(1.0, self.layout.em / (10 if style == UNDERLINE else 14))
        key = (color.rgba(), style, width)
        pen = self._pens.get(key)
        if pen is None:
            if len(self._pens) > 64:
                self._pens.clear()
            pen = QPen(color, width)
            pen.setStyle(Qt.PenStyle.DashLine if style == UNDERLINE else Qt.PenStyle.SolidLine)
            self._pens[key] = pen
        return pen

    def _paint_row(
        self, painter: QPainter, row: int, rl: RowLayout, top: float, hl_ranges: dict, sel_ranges: dict
    ) -> None:
        lay, colors = self.layout, self.layout.colors
        kind = lay.text.kind(row) or "body"
        for b in rl.blocks:
            if b.side == EN:
                pen = colors.english
            elif kind in ("heading", "title"):
                pen = colors.heading
            elif kind == "meta":
                pen = colors.muted
            else:
                pen = colors.text
            if lay.mode == INTERLEAVED and b.side == EN:
                pen = colors.english
            painter.setPen(pen)
            selections: list[QTextLayout.FormatRange] = []
            for s, e, color in hl_ranges.get((row, b.side), ()):
                _add_range(selections, b, s, e, background=color)
            for s, e in sel_ranges.get((row, b.side), ()):
                _add_range(selections, b, s, e, background=colors.selection, foreground=colors.selection_text)
            b.layout.draw(painter, QPointF(b.x, top + b.y), selections)
        if rl.marks:
            self._paint_marks(painter, rl.marks, top, lay.fonts[lay.row_font(kind)][0])

    def _paint_marks(self, painter: QPainter, marks: list[Mark], top: float, font: QFont) -> None:
        """Bullets right-aligned in a list item's indent; a quote's bar down its left edge."""
        colors, em = self.layout.colors, self.layout.em
        bar = QColor(colors.muted)
        bar.setAlpha(150)
        for m in marks:
            if m.kind == "bar":
                width = max(2.0, em / 6)
                painter.fillRect(QRectF(m.x - width / 2, top + m.y, width, m.y2 - m.y), bar)
                continue
            painter.setFont(font)
            painter.setPen(colors.muted)
            advance = QFontMetricsF(font, self.layout.device).horizontalAdvance(m.text)
            painter.drawText(QPointF(m.x - advance - em * 0.5, top + m.y), m.text)


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
