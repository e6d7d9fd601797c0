"""Where every row of the reading surface goes: fonts, columns, row layouts, heights and tops.

Only rows near the viewport get a real ``QTextLayout``; the others keep an estimate from their
character count, scaled by what the rows laid out so far really measured.  Coordinates here are
document coordinates (a row's top, a block's y inside its row); the view turns them into viewport
coordinates with its scroll position.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QTextCharFormat, QTextLayout, QTextLine, QTextOption
from PySide6.QtWidgets import QWidget

from ui import theme
from ui.view_content import EN, INTERLEAVED, NL, PENDING_MARK, SIDE_BY_SIDE, ParagraphItem, ShownText

# A list item's own marker ("- ", "2. ") hangs in the indent instead of a painted bullet.
LIST_MARKER = re.compile(r"^(?:[-*•–]|\d{1,3}[.)])\s+")
INTERLEAVED_GAP = 0.45  # ems between one sentence's English and the next sentence's Dutch
TOP_PADDING = 0.8  # ems above the first row
BOTTOM_PADDING = 3.0  # ems below the last row


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
    _starts: list[int] | None = field(default=None, repr=False, compare=False)

    def contains_y(self, y: float) -> bool:
        return self.y <= y < self.y + self.height

    def line_starts(self) -> list[int]:
        """Where each line starts in the layout's text, read from Qt once: a mark's lines are
        then found by bisection, not by walking every line of a long paragraph.  (Plain ints:
        Qt line wrappers kept for every laid-out row would lengthen each full garbage collection.)"""
        if self._starts is None:
            lay = self.layout
            self._starts = [lay.lineAt(i).textStart() for i in range(lay.lineCount())]
        return self._starts


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
    # What painting derived from this layout (underline geometry): it goes when the layout goes
    # (new width, zoom, mode, text or editing room), so it can never outlive what it measured.
    painted: dict = field(default_factory=dict, repr=False, compare=False)


@dataclass
class Hit:
    row: int
    side: str
    pos: int  # character in the side text of the row
    on_text: bool  # really over a character (not in a margin or past a line end)


def alternative_color(colors: theme.ReaderColors) -> QColor:
    """The mark of a chosen model alternative: violet, unlike the green of the user's own text."""
    return QColor("#b39dfa") if colors.background.lightness() < 128 else QColor("#7b5cd6")


class ViewLayout:
    """Row layouts and the height model of the reading surface.

    ``device`` is the viewport: its width sets the columns, its DPI the fonts.  ``editing`` is
    (sentence, pixels) while the inline editor is open: that sentence gets lines of its own and
    that much room below it.
    """

    def __init__(self, text: ShownText, device: QWidget) -> None:
        self.text = text
        self.device = device
        self.mode = SIDE_BY_SIDE
        self.colors = theme.LIGHT
        self.editing: tuple[int, float] | None = None
        self.fonts: dict[str, tuple[QFont, float, float]] = {}  # name -> (font, pitch, average advance)
        self.em = 0.0
        self.rows: dict[int, RowLayout] = {}
        self.heights: list[float] = []  # real where laid out, estimated elsewhere
        self.raw: list[float] = []  # the unscaled estimates
        self.estimate_scale = 1.0
        # Sums of the real and the estimated heights of the laid-out rows, kept as rows come and
        # go: learn_scale runs every scroll step and must not walk a thousand laid-out rows.
        self._real_sum = 0.0
        self._raw_sum = 0.0
        self._tops: list[float] = [0.0]
        # The first row whose top may be stale (None: all known): laying out a row while
        # scrolling recomputes the tops below it only, not the whole document's.
        self._tops_from: int | None = 0

    # ----------------------------------------------------------------- fonts & geometry

    def apply_fonts(self, zoom: int) -> None:
        fonts = {
            "body": theme.body_font(zoom),
            "heading": theme.heading_font(zoom),
            "title": theme.title_font(zoom),
            "meta": theme.small_font(zoom),
            "small": theme.small_font(zoom),
        }
        dpi = self.device.logicalDpiY()
        self.fonts = {}
        for name, font in fonts.items():
            fm = QFontMetricsF(font, self.device)
            em = font.pointSizeF() * dpi / 72.0
            pitch = max(fm.height(), em * (theme.LINE_HEIGHT if name != "title" else 1.25))
            sample = "De partijen overlegden zo'n anderhalf uur over humanitaire corridors."
            avg = fm.horizontalAdvance(sample) / len(sample)
            self.fonts[name] = (font, pitch, avg)
        self.em = self.fonts["body"][0].pointSizeF() * dpi / 72.0

    def columns(self) -> list[tuple[float, float]]:
        """(x, width) of each column: two for side-by-side, one for interleaved."""
        w = max(200.0, float(self.device.width()))
        em = self.em
        margin = max(em * 1.5, min(em * 3.5, w * 0.04))
        if self.mode == SIDE_BY_SIDE:
            gutter = em * 3
            col = min((w - 2 * margin - gutter) / 2, em * 36)
            left = (w - (2 * col + gutter)) / 2
            return [(left, col), (left + col + gutter, col)]
        col = min(w - 2 * margin, em * 40)
        return [((w - col) / 2, col)]

    def divider_x(self) -> float:
        """The middle of the gutter between the columns (side by side)."""
        cols = self.columns()
        return (cols[0][0] + cols[0][1] + cols[1][0]) / 2

    @staticmethod
    def row_font(kind: str) -> str:
        return {"title": "title", "meta": "meta", "heading": "heading"}.get(kind, "body")

    def spacing(self, row: int) -> tuple[float, float]:
        """(space above, space below) a row, in pixels: consecutive list items sit close
        together, as a list does; the list as a whole keeps a paragraph's space below."""
        em = self.em
        kind = self.text.kind(row)
        if kind == "title":
            return em * 1.8, em * 0.3
        if kind == "meta":
            return 0.0, em * 1.4
        if kind == "heading":
            return em * 0.9, em * 0.35
        if kind == "list_item":
            return 0.0, em * (0.3 if self.text.kind(row + 1) == "list_item" else 0.9)
        if kind == "quote":
            return em * 0.2, em * 0.9
        return 0.0, em * 0.9

    def indent(self, kind: str) -> float:
        """How far a list item's or a quote's text sits in from its column."""
        return self.em * 1.5 if kind in ("list_item", "quote") else 0.0

    # ----------------------------------------------------------------- estimates & heights

    def reset(self) -> None:
        """Forget every layout; estimate every row again (new document, width, zoom or mode)."""
        self.rows.clear()
        self._real_sum = self._raw_sum = 0.0
        self.estimate_scale = 1.0
        self.raw = [self.estimate(r) for r in range(self.text.row_count())]
        self.heights = list(self.raw)
        self._tops_from = 0

    def re_estimate(self, row: int) -> bool:
        """A row's text changed: back to an estimate; True if it had a real layout."""
        had = self._forget(row)
        self.raw[row] = self.estimate(row)
        self.heights[row] = self.raw[row] * self.estimate_scale
        self._stale_tops(row)
        return had

    def relayout(self, row: int) -> None:
        """Lay one row out again now (its editing room changed)."""
        self._forget(row)
        self.row_layout(row)
        self._stale_tops(row)

    def _forget(self, row: int) -> bool:
        """Drop a row's layout (before its estimate changes); True if it had one."""
        rl = self.rows.pop(row, None)
        if rl is None:
            return False
        self._real_sum -= rl.height
        self._raw_sum -= self.raw[row]
        if not self.rows:  # no rounding left over from sums of many rows
            self._real_sum = self._raw_sum = 0.0
        return True

    def estimate(self, row: int) -> float:
        assert self.text.content is not None
        para = self.text.content.paragraphs[row]
        _, pitch, avg = self.fonts[self.row_font(para.kind)]
        above, below = self.spacing(row)
        width = self.columns()[0][1] - self.indent(para.kind)

        def lines(n_chars: int) -> int:
            return max(1, math.ceil(n_chars * avg / max(width, 1.0)))

        nl = self.text.sides[NL][row]
        if self.mode == SIDE_BY_SIDE:
            en = self.text.sides[EN][row]
            # A waiting sentence will take about as much room as its Dutch (see _reserve).
            reserve = sum(e - s - len(PENDING_MARK) for sid, s, e in nl.spans if self.text.pending(sid))
            n = max(lines(len(nl.text)), lines(len(en.text) + reserve) if en.text else 0)
            return above + n * pitch + below
        total = 0.0
        _, small_pitch, small_avg = self.fonts["small"]
        for sid, s, e in nl.spans or [(0, 0, len(para.text))]:
            total += lines(e - s) * pitch
            en_span = self.text.span_index[EN].get(sid)
            if en_span is not None:
                n_en = e - s if self.text.pending(sid) else en_span[2] - en_span[1]
                total += max(1, math.ceil(n_en * small_avg / width)) * small_pitch
                total += self.em * INTERLEAVED_GAP
        return above + max(total, pitch) + below

    def learn_scale(self) -> None:
        """Scale the estimates of rows not yet laid out by what the laid-out rows really measured."""
        if len(self.rows) < 4:
            return
        real, raw = self._real_sum, self._raw_sum
        ratio = max(0.5, min(2.0, real / raw)) if raw > 0 else 1.0
        if abs(ratio - self.estimate_scale) < 0.03:
            return
        self.estimate_scale = ratio
        for r in range(len(self.heights)):
            if r not in self.rows:
                self.heights[r] = self.raw[r] * ratio
        self._tops_from = 0

    def top(self, row: int) -> float:
        self._update_tops()
        return self._tops[row]

    def _stale_tops(self, row: int) -> None:
        """The height of ``row`` changed: the tops after it must be summed again."""
        if self._tops_from is None or row < self._tops_from:
            self._tops_from = row

    def _update_tops(self) -> None:
        start = self._tops_from
        if start is None:
            return
        if start == 0 or len(self._tops) != len(self.heights) + 1:
            self._tops = list(itertools.accumulate(self.heights, initial=self.em * TOP_PADDING))
        else:  # the same sums, in the same order, as from the first row
            self._tops[start:] = itertools.accumulate(self.heights[start:], initial=self._tops[start])
        self._tops_from = None

    def total_height(self) -> float:
        self._update_tops()
        return self._tops[-1] + self.em * BOTTOM_PADDING

    def row_at(self, y: float) -> int:
        self._update_tops()
        if not self.heights:
            return 0
        i = bisect.bisect_right(self._tops, y) - 1
        return max(0, min(len(self.heights) - 1, i))

    def anchor_y(self, row: int, fraction: float) -> float:
        return 0.0 if fraction < 0 else self.top(row) + fraction * self.heights[row]

    def ensure_rows(self, rows: Iterable[int]) -> None:
        for r in rows:
            if 0 <= r < len(self.heights):
                self.row_layout(r)

    def ensure_between(self, y0: float, y1: float) -> None:
        r = self.row_at(max(0.0, y0))
        # Rows laid out may change the tops of rows below: walk until the window is covered.
        while r < len(self.heights):
            self.row_layout(r)
            if self.top(r) > y1:
                break
            r += 1

    # ----------------------------------------------------------------- row layouts

    def row_layout(self, row: int) -> RowLayout:
        rl = self.rows.get(row)
        if rl is None:
            rl = self._build_row(row)
            self.rows[row] = rl
            self._real_sum += rl.height
            self._raw_sum += self.raw[row]
            if abs(rl.height - self.heights[row]) > 0.5:
                self.heights[row] = rl.height
                self._stale_tops(row)
        return rl

    def make_layout(
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
        layout = QTextLayout(text, font, self.device)
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
            fr.format = self._style_format(style)
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

    def _style_format(self, style: str) -> QTextCharFormat:
        """How a waiting, edited or alternative sentence's English looks."""
        fmt = QTextCharFormat()
        if style == "pending":
            fmt.setForeground(self.colors.muted)
        elif style == "edited":
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
            fmt.setUnderlineColor(self.colors.edited)
        elif style == "alternative":
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DashUnderline)
            fmt.setUnderlineColor(alternative_color(self.colors))
        return fmt

    def _reserve(self, row: int, font: QFont, width: float, pitch: float, hang: float) -> float:
        """The height the row's English will probably take once its waiting sentences arrive:
        each waiting sentence laid out as long as its Dutch (English runs 0.95-1.1 times the
        Dutch characters), so an arriving translation moves the text below by a line at most."""
        nl, en = self.text.sides[NL][row], self.text.sides[EN][row]
        pending = {sid for sid, _, _ in nl.spans if self.text.pending(sid)}
        if not pending:
            return 0.0
        parts = []
        for sid, s, e in en.spans:
            nl_span = self.text.span_index[NL][sid]
            parts.append(nl.text[nl_span[1] : nl_span[2]] if sid in pending else en.text[s:e])
        _, h = self.make_layout(" ".join(parts), font, width, pitch, hang=hang)
        return h

    def _marker(self, text: str, font: QFont) -> tuple[str, float]:
        """A list item's own marker at the start of ``text`` and its width (to hang it)."""
        m = LIST_MARKER.match(text)
        if m is None:
            return "", 0.0
        return m.group(0), QFontMetricsF(font, self.device).horizontalAdvance(m.group(0))

    def _list_marks(self, para: ParagraphItem, blocks: list[Block]) -> list[Mark]:
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
            if self.mode == INTERLEAVED and b.side == EN:
                continue  # the English under an item belongs to its bullet
            line = b.layout.lineAt(0)
            marks.append(Mark("bullet", b.x, b.y + line.y() + line.ascent(), glyph))
        return marks

    def _quote_bar(self, row: int, x: float, above: float, bottom: float) -> Mark:
        """A quote's bar, joined to the bar of a quote right above it."""
        top = 0.0 if self.text.kind(row - 1) == "quote" else above
        return Mark("bar", x + self.em * 0.4, top, y2=bottom)

    def _build_row(self, row: int) -> RowLayout:
        assert self.text.content is not None
        para = self.text.content.paragraphs[row]
        if self.mode == SIDE_BY_SIDE or para.kind in ("title", "meta"):
            return self._build_side_by_side(row, para)
        return self._build_interleaved(row, para)

    def _build_side_by_side(self, row: int, para: ParagraphItem) -> RowLayout:
        """Dutch in the left column, English in the right (a title or date spans both)."""
        font, pitch, _ = self.fonts[self.row_font(para.kind)]
        above, below = self.spacing(row)
        indent = self.indent(para.kind)
        listed = para.kind == "list_item"
        cols = self.columns()
        nl, en = self.text.sides[NL][row], self.text.sides[EN][row]
        blocks: list[Block] = []
        x_nl, w_nl = cols[0]
        if para.kind in ("title", "meta") and self.mode == SIDE_BY_SIDE:
            w_nl = cols[1][0] + cols[1][1] - x_nl
        x_nl, w_nl = x_nl + indent, w_nl - indent
        hang = self._marker(nl.text, font)[1] if listed else 0.0
        lay, h = self.make_layout(nl.text, font, w_nl, pitch, hang=hang)
        blocks.append(Block(NL, lay, x_nl - hang, above, w_nl, h, 0, len(nl.text), pitch, hang))
        height = h
        if en.text and self.mode == SIDE_BY_SIDE:
            x_en, w_en = cols[1][0] + indent, cols[1][1] - indent
            hang = self._marker(en.text, font)[1] if listed else 0.0
            breaks, gap = self._editing_room(row, en.text)
            lay, h2 = self.make_layout(
                en.text, font, w_en, pitch, en.formats, breaks=breaks, gap=gap, hang=hang
            )
            h2 = max(h2, self._reserve(row, font, w_en, pitch, hang))
            blocks.append(Block(EN, lay, x_en - hang, above, w_en, h2, 0, len(en.text), pitch, hang))
            height = max(height, h2)
        marks = self._list_marks(para, blocks) if listed else []
        if para.kind == "quote":
            bottom = above + height + (below if self.text.kind(row + 1) == "quote" else 0.0)
            marks += [self._quote_bar(row, c[0], above, bottom) for c in cols[: len(blocks)]]
        return RowLayout(above + height + below, blocks, marks)

    def _build_interleaved(self, row: int, para: ParagraphItem) -> RowLayout:
        """Each Dutch sentence with its English under it, smaller, in one column."""
        font, pitch, _ = self.fonts[self.row_font(para.kind)]
        above, below = self.spacing(row)
        indent = self.indent(para.kind)
        listed = para.kind == "list_item"
        cols = self.columns()
        nl, en = self.text.sides[NL][row], self.text.sides[EN][row]
        blocks: list[Block] = []
        x, w = cols[0]
        x, w = x + indent, w - indent
        small, small_pitch, _ = self.fonts["small"]
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
            lay, h = self.make_layout(text, font, w, pitch, hang=hang)
            s_eff = e - len(text)
            blocks.append(Block(NL, lay, x - hang, y, w, h, s_eff, e, pitch, hang))
            y += h
            span = self.text.span_index[EN].get(sid)
            if span is not None:
                _, es, ee = span
                gap = (ee - es, self.editing[1]) if self.editing and self.editing[0] == sid else None
                hang = self._marker(en.text[es:ee], small)[1] if listed and k == 0 else 0.0
                lay, h = self.make_layout(
                    en.text[es:ee], small, w, small_pitch, en.formats, es, gap=gap, hang=hang
                )
                if self.text.pending(sid):  # room for the translation to come (see _reserve)
                    h = max(h, self.make_layout(text, small, w, small_pitch)[1])
                blocks.append(Block(EN, lay, x - hang, y, w, h, es, ee, small_pitch, hang))
                y += h
            y += self.em * INTERLEAVED_GAP
        if nl.text[spans[-1][2] :].strip():
            tail = nl.text[spans[-1][2] :]
            lay, h = self.make_layout(tail, font, w, pitch)
            blocks.append(Block(NL, lay, x, y, w, h, spans[-1][2], len(nl.text), pitch))
            y += h
        marks = self._list_marks(para, blocks) if listed else []
        if para.kind == "quote":
            bottom = y + (below if self.text.kind(row + 1) == "quote" else -self.em * INTERLEAVED_GAP)
            marks.append(self._quote_bar(row, cols[0][0], above, bottom))
        return RowLayout(y + below, blocks, marks)

    def _editing_room(self, row: int, en_text: str) -> tuple[list[int], tuple[int, float] | None]:
        """While a sentence of ``row`` is edited (side by side): it starts and ends its own lines,
        and the room its editor needs below it pushes the rest of the paragraph down."""
        if self.editing is None:
            return [], None
        span = self.text.span_index[EN].get(self.editing[0])
        if span is None or span[0] != row:
            return [], None
        _, start, end = span
        after = end + 1 if en_text[end : end + 1] == " " else end
        return [start, after], (after, self.editing[1])

    # ----------------------------------------------------------------- geometry of characters

    def line_rects(self, row: int, side: str, start: int, end: int, y0: float) -> list[QRectF]:
        """Rectangles of side-text characters ``start:end`` of a row, one per line, for a
        viewport scrolled to ``y0``."""
        if end <= start:
            return []
        rl = self.row_layout(row)
        top = self.top(row) - y0
        spans = self.row_line_spans(rl, side, start, end)
        return [QRectF(x, top + by + ly, w, h) for x, w, by, ly, h in spans]

    @staticmethod
    def row_line_spans(
        rl: RowLayout, side: str, start: int, end: int
    ) -> list[tuple[float, float, float, float, float]]:
        """(x, width, block y, line y, line height) of side-text characters ``start:end`` of a
        row, one per line, in row coordinates (a line's top is block y + line y)."""
        spans = []
        for b in rl.blocks:
            if b.side != side or b.end <= start or b.start >= end:
                continue
            lay, starts = b.layout, b.line_starts()
            lo, hi = start - b.start, end - b.start  # in the block's own text
            i = max(0, bisect.bisect_right(starts, lo) - 1)
            while i < len(starts) and starts[i] < hi:
                line = lay.lineAt(i)
                i += 1
                ls = line.textStart()
                le = ls + line.textLength()
                if le <= lo:
                    continue
                x1, _ = line.cursorToX(max(lo, ls))
                x2, _ = line.cursorToX(min(hi, le))
                spans.append((b.x + min(x1, x2), abs(x2 - x1), b.y, line.y(), line.height()))
        return spans

    def hit(self, x: float, y: float, side: str | None) -> Hit | None:
        """The character at document point (x, y); with ``side``, the nearest one of that side."""
        row = self.row_at(y)
        rl = self.row_layout(row)
        ry = y - self.top(row)
        blocks = [b for b in rl.blocks if side is None or b.side == side]
        if not blocks:
            return None
        if side is None:
            inside = [b for b in blocks if b.contains_y(ry) and b.x <= x <= b.x + b.hang + b.width]
            if not inside:
                return None
            block = inside[0]
        else:
            block = min(
                blocks, key=lambda b: 0 if b.contains_y(ry) else min(abs(ry - b.y), abs(ry - b.y - b.height))
            )
        return _hit_in_block(row, block, x - block.x, ry - block.y)


def _hit_in_block(row: int, b: Block, x: float, y: float) -> Hit:
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
