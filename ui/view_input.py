"""What the mouse and keyboard do on the reading surface: hover, click, drag-select, copy, keys.

A mixin of ``ReaderView`` (Qt calls these event handlers on the widget itself); it works only
through the view's positions API (``hit_test``, ``locate``, ``set_current_sentence``...) and keeps
the pointer's own state: the press, the drag, the selection and the hovered sentence.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QToolTip

from reader.hover import word_at
from ui.view_content import EN, INTERLEAVED, NL, SIDES
from ui.view_layout import Hit
from ui.view_paint import Selection

TOOLTIP_CHARS = 1200  # of a note shown on hover; the rest is in the annotation's dialog


class PointerAndKeys:
    """Event handlers and text selection of the reading surface (mixed into ``ReaderView``)."""

    _selection: Selection | None
    _extra_selections: list[Selection]  # earlier ranges kept by Ctrl (a phrase in parts, a link's two sides)
    _press: tuple[QPointF, Hit | None] | None
    _dragging: bool
    _hovered: int | None

    def _init_input(self) -> None:
        self._selection = None
        self._extra_selections = []
        self._press = None
        self._dragging = False
        self._hovered = None

    # ----------------------------------------------------------------- text selection & copy

    def selected_text(self) -> str:
        parts = []
        for side, a, b in self.selections():
            (ra, pa), (rb, pb) = sorted((a, b))
            for row in range(ra, rb + 1):
                text = self.side_text(row, side)
                s = pa if row == ra else 0
                e = pb if row == rb else len(text)
                if e > s:
                    parts.append(text[s:e])
        return "\n\n".join(parts)

    def selections(self) -> list[Selection]:
        """Every selected range: those kept with Ctrl first, then the last one."""
        last = [self._selection] if self._selection is not None else []
        return [*self._extra_selections, *last]

    def select_text(
        self, side: str, start: tuple[int, int], end: tuple[int, int], *, add: bool = False
    ) -> None:
        """Select side text from (row, pos) to (row, pos), as a mouse drag would; ``add`` keeps
        the ranges selected before, as a drag with Ctrl held does."""
        if add and self._selection is not None:
            self._extra_selections.append(self._selection)
        elif not add:
            self._extra_selections = []
        self._selection = (side, start, end)
        self.viewport().update()

    def clear_selection(self) -> None:
        if self._selection is not None or self._extra_selections:
            self._selection = None
            self._extra_selections = []
            self.viewport().update()

    def _add_word_at(self, hit: Hit) -> None:
        """Ctrl+click: add the word under the pointer to the selection (``belde`` … ``op``)."""
        loc = self.locate(hit.row, hit.side, hit.pos)
        if loc is None:
            return
        token = word_at(self.sentence_text(loc[0], hit.side), loc[1], "nl" if hit.side == NL else "en")
        if token is None:
            return
        row, start, _ = self.sentence_span(loc[0], hit.side)
        self.select_text(hit.side, (row, start + token.start), (row, start + token.end), add=True)

    def copy(self) -> str:
        """Copy the mouse selection, else the current sentence in both languages."""
        text = self.selected_text()
        current = self.current_sentence()
        if not text and current is not None:
            both = (self.sentence_text(current, NL), self.sentence_text(current, EN))
            text = "\n".join(t for t in both if t)
        if text:
            QGuiApplication.clipboard().setText(text)
        return text

    # ----------------------------------------------------------------- hover

    def _set_hovered(self, sid: int | None) -> None:
        if sid == self._hovered:
            return
        self._hovered = sid
        self._layers.drop("hover")
        if sid is not None:
            for side in SIDES:
                self.highlight(sid, side, None, self.colors().hover, layer="hover")
        self.viewport().update()
        self.sentence_hovered.emit(sid)

    def hovered_sentence(self) -> int | None:
        return self._hovered

    def tooltip_at(self, point: QPointF | QPoint) -> str:
        """The notes of annotations and saved phrases under a point, and whose translation the
        English there is, when not the machine's own."""
        found = self.sentence_at(point)
        origin = self.origin_label(found[0]) if found and found[1] == EN else ""
        marks = self.mark_tooltip(point) if found else ""
        return "\n\n".join(t for t in (marks, origin) if t)

    # ----------------------------------------------------------------- events

    def viewportEvent(self, event) -> bool:  # noqa: N802
        if event.type() == event.Type.Leave:
            self._set_hovered(None)
            self.pointer_moved.emit(None)
        if event.type() == event.Type.ToolTip:
            text = self.tooltip_at(QPointF(event.pos()))
            if text:
                QToolTip.showText(event.globalPos(), tooltip_html(text), self.viewport())
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
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            if self._selection is not None:  # Ctrl: the next range adds to the selection
                self._extra_selections.append(self._selection)
                self._selection = None
        else:
            self.clear_selection()

    def _side_for_x(self, x: float) -> str | None:
        if self.layout_mode() == INTERLEAVED:
            return NL
        return NL if x < self._layout.divider_x() else EN

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
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            if over is not None and over.on_text:
                self._add_word_at(over)
            return
        loc = self.locate(over.row, over.side, over.pos) if over is not None and over.on_text else None
        self.set_current_sentence(loc[0] if loc else None, ensure_visible=False)
        self.clicked.emit(over if loc else None)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802
        """Double-click selects the sentence's text on that side, ready to copy."""
        found = self.sentence_at(event.position())
        if not found:
            return
        sid, side = found
        row, s, e = self.sentence_span(sid, side)
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
            sid = self.current_sentence()
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


def tooltip_html(text: str) -> str:
    """Plain text as a tooltip: escaped (a note holding ``<b>`` shows it, Qt would guess rich
    text), line breaks kept, long lines wrapped, and cut to a screenful (a 100,000-character note)."""
    if len(text) > TOOLTIP_CHARS:
        text = text[:TOOLTIP_CHARS].rstrip() + " …"
    body = html.escape(text).replace("\n", "<br>")
    return f"<p style='white-space:pre-wrap'>{body}</p>"
