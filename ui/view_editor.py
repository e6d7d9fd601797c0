"""Editing one sentence's English in place, over its own lines of the reading surface.

While a sentence is edited it starts and ends its own lines, and the room the editor needs beyond
them is reserved below it (``ViewLayout.editing``), so the editor never covers other text.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, Qt, QTimer
from PySide6.QtGui import QFontMetricsF, QKeyEvent, QTextLayout, QTextOption
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from ui.view_content import EN
from ui.view_layout import Block, ViewLayout

if TYPE_CHECKING:
    from ui.reader_view import ReaderView

EDITOR_PAD = 2  # pixels the inline editor reaches above its sentence's first line
EDITOR_SIDE = 6  # and beyond the column on each side


class InlineEditor(QPlainTextEdit):
    """Edits one sentence's English in place: Enter saves, Shift+Enter breaks, Escape cancels."""

    def __init__(self, editing: InlineEditing, parent: QWidget, sentence_id: int, text: str) -> None:
        super().__init__(parent)
        self.editing = editing
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
            self.editing.close(commit=True)
            return
        if event.key() == Qt.Key.Key_Escape:
            self.editing.close(commit=False)
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event) -> None:  # noqa: N802
        super().focusOutEvent(event)
        if not self.closing and event.reason() not in (
            Qt.FocusReason.PopupFocusReason,
            Qt.FocusReason.ActiveWindowFocusReason,
        ):
            QTimer.singleShot(0, lambda: self.editing.editor is self and self.editing.close(commit=True))


class InlineEditing:
    """Opens, sizes, places and closes the view's inline editor; a saved change leaves as the
    view's ``translation_edited`` signal.  Part of the view: it uses the view's scroll helpers."""

    def __init__(self, view: ReaderView, layout: ViewLayout) -> None:
        self.view = view
        self.layout = layout
        self.editor: InlineEditor | None = None

    def open(self, sentence_id: int) -> InlineEditor | None:
        view, text = self.view, self.layout.text
        self.close(commit=True)
        view.set_current_sentence(sentence_id)
        row = text.content.sentences[sentence_id].row
        block = self._block(sentence_id, row)
        if block is None:
            return None
        editor = InlineEditor(self, view.viewport(), sentence_id, text.shown(sentence_id))
        editor.setFont(block.layout.font())
        self.editor = editor
        self.layout.editing = (sentence_id, float(EDITOR_PAD))
        view._relayout_row(row)
        self.fit()
        editor.textChanged.connect(self.fit)
        editor.show()
        editor.setFocus()
        return editor

    def close(self, commit: bool) -> None:
        editor, self.editor = self.editor, None
        if editor is None:
            return
        text = editor.toPlainText().strip()
        sid = editor.sentence_id
        changed = text != editor.original.strip()
        editor.closing = True
        editor.hide()
        editor.deleteLater()
        self.layout.editing = None
        row = self.layout.text.sentence_row(sid)
        if row is not None and row < len(self.layout.heights):
            self.view._relayout_row(row)  # the sentence's lines close up again
        self.view.setFocus()
        if commit and changed and text:
            self.view.translation_edited.emit(sid, text)

    def _block(self, sentence_id: int, row: int) -> Block | None:
        """The English block holding a sentence (the row's first English block if not shown)."""
        blocks = [b for b in self.layout.row_layout(row).blocks if b.side == EN]
        span = self.layout.text.span_index[EN].get(sentence_id)
        if span is not None:
            for b in blocks:
                if b.start <= span[1] < b.end or (b.start == span[1] == b.end):
                    return b
        return blocks[0] if blocks else None

    def fit(self) -> None:
        """Size the editor to its text; reserve below the sentence the room it takes beyond it."""
        editor, editing = self.editor, self.layout.editing
        if editor is None or editing is None:
            return
        rects = self.view._sentence_line_rects(editor.sentence_id, EN)
        if rects:
            area = max(r.bottom() for r in rects) - min(r.top() for r in rects) + EDITOR_PAD
            room = max(float(EDITOR_PAD), self._text_height(editor) - area)
            if abs(room - editing[1]) > 0.5:
                self.layout.editing = (editor.sentence_id, room)
                self.view._relayout_row(self.layout.text.content.sentences[editor.sentence_id].row)
        self.position()

    def _text_height(self, editor: InlineEditor) -> float:
        """The height the editor needs to show all its text at its width, without scrolling."""
        row = self.layout.text.content.sentences[editor.sentence_id].row
        block = self._block(editor.sentence_id, row)
        width = (block.width if block is not None else 200.0) + 2 * EDITOR_SIDE
        frame = editor.frameWidth()
        margin = editor.document().documentMargin()
        inner = max(20.0, width - 2 * frame - 2 * margin - 4)
        lines = 0
        device = self.layout.device
        for paragraph in editor.toPlainText().split("\n"):
            layout = QTextLayout(paragraph or " ", editor.font(), device)
            option = QTextOption()
            option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
            layout.setTextOption(option)
            layout.beginLayout()
            while (line := layout.createLine()).isValid():
                line.setLineWidth(inner)
                lines += 1
            layout.endLayout()
        spacing = QFontMetricsF(editor.font(), device).lineSpacing()
        return lines * spacing + 2 * margin + 2 * frame + 2

    def position(self) -> None:
        """Keep the editor over its sentence's lines (and the room reserved below them)."""
        editor, text = self.editor, self.layout.text
        if editor is None or not text.has_sentence(editor.sentence_id):
            return
        row = text.content.sentences[editor.sentence_id].row
        block = self._block(editor.sentence_id, row)
        if block is None:
            return
        x, width = block.x - EDITOR_SIDE, block.width + 2 * EDITOR_SIDE
        rects = self.view._sentence_line_rects(editor.sentence_id, EN)
        editing = self.layout.editing
        if rects:
            top = min(r.top() for r in rects) - EDITOR_PAD
            height = max(r.bottom() for r in rects) - top + (editing[1] if editing else 0.0)
        else:  # not shown yet: over the row's English, tall enough for its text
            top = self.layout.top(row) - self.view._scroll_y() + block.y - EDITOR_PAD
            height = max(self._text_height(editor), block.pitch * 2)
        editor.setGeometry(QRect(int(x), int(math.floor(top)), int(width), int(math.ceil(height))))
