"""The reading view's annotations and saved-phrase marks: painted as highlight layers, found
under the mouse for tooltips and context menus, and the selection as pieces to annotate.

A mixin of ``ReaderView`` (as ``view_input`` is): it reads the view's session, text and layers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, QPointF

from reader.hover import EN, NL
from reader.phrase_match import DocumentMarks
from reader.phrases import PhraseMatch
from ui.view_paint import (
    ANNOTATION_LAYER,
    PHRASE_LAYER,
    Highlight,
    annotation_color,
    phrase_mark_color,
    phrase_mark_highlights,
)

if TYPE_CHECKING:
    from reader.annotations import Annotation


class AnnotationMarks:
    """Annotations and saved phrases on the reading surface (mixed into ``ReaderView``)."""

    def _dark(self) -> bool:
        return self._layout.colors.background.lightness() < 128

    def _paint_annotations(self) -> None:
        """The session's attached annotations as fills in their colours (a detached one has no
        text to stand on: the panel lists it)."""
        session, dark = self._session, self._dark()
        shown = [] if session is None else [a for a in session.annotations() if not a.detached]
        self.set_highlights(
            ANNOTATION_LAYER,
            [
                Highlight(a.sentence_id, a.side, [(a.start, a.end)], annotation_color(a.colour, dark))
                for a in shown
            ],
        )

    def set_phrase_marks(
        self,
        marks: Mapping[int, Sequence[PhraseMatch]],
        ranges: Mapping[int, list[tuple[int, int]]] | None = None,
        tip: Callable[[int], str] | None = None,
    ) -> None:
        """Underline saved phrases where they occur: sentence id -> its matches (a
        ``DocumentMarks`` is kept as it is: it unpacks a sentence's matches when first hovered);
        ``ranges``: what to underline, worked out in a worker; ``tip``: a phrase's tooltip, asked
        for when hovered."""
        if not isinstance(marks, DocumentMarks):
            marks = DocumentMarks.of(marks)
        self._phrase_marks = marks
        self._phrase_tip = tip
        self._phrase_ranges = marks.ranges() if ranges is None else ranges
        self._paint_phrase_marks()

    def phrase_marks(self) -> Mapping[int, Sequence[PhraseMatch]]:
        return self._phrase_marks

    def _paint_phrase_marks(self) -> None:
        color = phrase_mark_color(self._dark())
        self.set_highlights(PHRASE_LAYER, phrase_mark_highlights(self._phrase_ranges, color), merged=True)

    def marks_at(self, point: QPointF | QPoint) -> tuple[list[Annotation], list[int]]:
        """(annotations, saved phrase ids) under a viewport point."""
        hit = self.hit_test(point)
        if hit is None or not hit.on_text:
            return [], []
        loc = self.locate(hit.row, hit.side, hit.pos)
        if loc is None:
            return [], []
        sid, offset = loc
        notes = []
        if self._session is not None:
            notes = [
                a for a in self._session.annotations(sid)
                if a.side == hit.side and not a.detached and a.start <= offset < a.end
            ]
        phrases = []
        if hit.side == NL:
            phrases = [
                pid for pid, spans in self._phrase_marks.get(sid, ())
                if any(s <= offset < e for s, e in spans)
            ]
        return notes, phrases

    def mark_tooltip(self, point: QPointF | QPoint) -> str:
        """The notes (and tags) of annotations, and the saved phrases, under a point."""
        notes, phrases = self.marks_at(point)
        parts = []
        for a in notes:
            tags = f"Tags: {', '.join(a.tags)}" if a.tags else ""
            parts.append("\n".join(t for t in (a.note, tags) if t) or "(annotation without a note)")
        parts.extend((self._phrase_tip(pid) if self._phrase_tip else "") or "Saved phrase" for pid in phrases)
        return "\n\n".join(parts)

    def selected_pieces(self) -> list[tuple[str, list[tuple[int, int, int]]]]:
        """Each selected range as (side, [(sentence id, start, end)]): offsets in the sentences
        it covers, in reading order (white space alone selects nothing)."""
        content = self._text.content
        out = []
        if content is None:
            return out
        for side, a, b in self.selections():
            (ra, pa), (rb, pb) = sorted((a, b))
            pieces = []
            for row in range(ra, rb + 1):
                lo = pa if row == ra else 0
                hi = pb if row == rb else len(self._text.sides[side][row].text)
                for sid in content.paragraphs[row].sentence_ids:
                    span = self._text.span_index[side].get(sid)
                    if span is None or (side == EN and not self._text.shown(sid)):
                        continue
                    _, s, e = span
                    start, end = max(s, lo), min(e, hi)
                    if end > start and self._text.sides[side][row].text[start:end].strip():
                        pieces.append((sid, start - s, end - s))
            if pieces:
                out.append((side, pieces))
        return out
