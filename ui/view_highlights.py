"""The reading view's highlight API: shade character ranges of a sentence in named layers (word
hover, current sentence, find, annotations…), repainting only the rows a change touches.

A mixin of ``ReaderView`` (as ``view_input`` is): it reads the view's layers, layout and text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import QRect
from PySide6.QtGui import QColor

from reader.hover import EN, FILL, NL
from ui.view_paint import ALL_ROWS, Highlight


class Highlighting:
    """Named highlight layers on the reading surface (mixed into ``ReaderView``)."""

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
        c = QColor(color if color is not None else self._layout.colors.hover)
        if alpha is not None:
            c.setAlpha(alpha)
        self._layers.add(
            layer, Highlight(sentence_id, side, list(ranges) if ranges is not None else None, c, style)
        )
        self.viewport().update()

    def set_highlights(self, layer: str, highlights: Sequence[Highlight], merged: bool = False) -> None:
        """Replace a whole layer at once, repainting only the rows it touched or touches now.

        The word-hover path: one call per change of hovered word keeps a frame cheap. ``merged``:
        the layer's underlines are one a sentence already (see ``HighlightLayers.replace``).
        """
        rows = self._layers.replace(layer, highlights, merged)
        if rows is ALL_ROWS:
            self.viewport().update()
        elif rows is not None:
            self._update_rows(rows)

    def _update_rows(self, rows: Iterable[int]) -> None:
        """Schedule a repaint of the visible part of some rows only."""
        y0, width, height = self._scroll_y(), self.viewport().width(), self.viewport().height()
        heights = self._layout.heights
        region = QRect()
        for row in rows:
            if not 0 <= row < len(heights):
                continue
            top = self._layout.top(row) - y0
            bottom = top + heights[row]
            if bottom < 0 or top > height:
                continue
            region = region.united(QRect(0, int(top) - 1, width, int(bottom - top) + 3))
        if not region.isEmpty():
            self.viewport().update(region)

    def clear_highlights(self, layer: str = "word") -> None:
        if self._layers.drop(layer):
            self.viewport().update()

    def highlights(self, layer: str) -> list[Highlight]:
        """The highlights of a layer, in paint order."""
        return self._layers.get(layer)

    def highlighted_ranges(self, layer: str) -> list[tuple[str, int, int, int]]:
        """(side, row, start, end) in side-text coordinates, as painted."""
        out = []
        for h in self._layers.layers.get(layer, []):
            out.extend((h.side, row, s, e) for row, s, e in self._layers.resolve(h))
        return out

    def highlighted_text(self, layer: str) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {NL: [], EN: []}
        for side, row, s, e in self.highlighted_ranges(layer):
            out[side].append(self._text.sides[side][row].text[s:e])
        return out
