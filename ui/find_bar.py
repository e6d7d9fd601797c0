"""Ctrl+F: find text in the open document, on both sides, and highlight every match.

Matching ignores case and diacritics as the library search does (``oekraine`` finds
``Oekraïne``): each side of each sentence is folded once (NFKD, combining marks dropped, lower
case) with a map back to the original offsets, so a match is shaded on the text as shown. The
bar sits under the reading view; Enter / Shift+Enter (or the arrows) go to the next / previous
match, Esc closes it and clears the highlights. It follows the session: when the English shown
changes, the matches are found again.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

from reader.hover import EN, NL
from reader.session import Changes, DocumentSession
from ui.reader_view import FIND_LAYER, Highlight, ReaderView

__all__ = ["FindBar", "Match", "fold", "match_colors"]

SIDES = (NL, EN)


def fold(text: str) -> tuple[str, list[int] | None]:
    """``text`` lower-cased without diacritics, and for each folded character its offset in
    ``text`` (None: the same offsets, the common ASCII case)."""
    if text.isascii():
        return text.lower(), None
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        for part in unicodedata.normalize("NFKD", ch):
            if unicodedata.combining(part):
                continue
            low = part.lower()
            out.append(low)
            where.extend([i] * len(low))
    return "".join(out), where


@dataclass(frozen=True)
class Match:
    sentence_id: int
    side: str
    start: int
    end: int


def match_colors(dark: bool) -> tuple[QColor, QColor]:
    """(every match, the current match): orange shades apart from the yellow annotation fill."""
    if dark:
        return QColor(255, 150, 50, 90), QColor(255, 120, 0, 200)
    return QColor(255, 170, 60, 110), QColor(255, 120, 0, 210)


class _Edit(QLineEdit):
    """The query box: Enter next, Shift+Enter previous, Esc closes the bar."""

    def __init__(self, bar: FindBar) -> None:
        super().__init__(bar)
        self._bar = bar

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            self._bar.step(-1 if shift else 1)
            return
        if key == Qt.Key.Key_Escape:
            self._bar.close_bar()
            return
        super().keyPressEvent(event)


class FindBar(QWidget):
    """The find bar under the reading view."""

    def __init__(self, view: ReaderView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("findBar")
        self.view = view
        self._session: DocumentSession | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._matches: list[Match] = []
        self._index = -1
        self._folded: dict[tuple[int, str], tuple[str, tuple[str, list[int] | None]]] = {}

        self.edit = _Edit(self)
        self.edit.setPlaceholderText("Find in this document (both languages)")
        self.edit.setClearButtonEnabled(True)
        self.count_label = QLabel()
        self.count_label.setMinimumWidth(90)
        self.prev_button = QToolButton(text="▲")
        self.prev_button.setToolTip("Previous match (Shift+Enter)")
        self.next_button = QToolButton(text="▼")
        self.next_button.setToolTip("Next match (Enter)")
        self.close_button = QToolButton(text="✕")
        self.close_button.setToolTip("Close (Esc)")
        box = QHBoxLayout(self)
        box.setContentsMargins(6, 3, 6, 3)
        box.addWidget(QLabel("Find:"))
        box.addWidget(self.edit, 1)
        box.addWidget(self.count_label)
        for b in (self.prev_button, self.next_button, self.close_button):
            box.addWidget(b)
        self.prev_button.clicked.connect(lambda: self.step(-1))
        self.next_button.clicked.connect(lambda: self.step(1))
        self.close_button.clicked.connect(self.close_bar)
        # Esc anywhere in the bar (a button focused) closes it too; not a window action.
        esc = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        esc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        esc.activated.connect(self.close_bar)
        self._timer = QTimer(self, singleShot=True, interval=120)  # typing: search once it pauses
        self._timer.timeout.connect(self.refresh)
        self.edit.textChanged.connect(lambda _t: self._timer.start())
        self.hide()

    # ----------------------------------------------------------------- session

    def set_session(self, session: DocumentSession | None) -> None:
        """Follow the open document (None: closed); the matches are found again in it."""
        if self._unsubscribe is not None:
            self._unsubscribe()
        self._unsubscribe = None
        self._session = session
        self._folded.clear()
        if session is not None:
            self._unsubscribe = session.subscribe(self._session_changed)
        if self.isVisible():
            self.refresh()
        else:
            self._matches, self._index = [], -1

    def _session_changed(self, changes: Changes) -> None:
        if self.isVisible() and (changes.document or changes.text):
            self.refresh(keep_position=True)

    # ----------------------------------------------------------------- showing

    def open_bar(self) -> None:
        """Ctrl+F: show the bar with the selected text (if any) as the query, focused."""
        selected = self.view.selected_text().strip()
        self.show()
        if selected and "\n" not in selected and len(selected) <= 200:
            self.edit.setText(selected)
        self.edit.setFocus()
        self.edit.selectAll()
        self.refresh()

    def close_bar(self) -> None:
        self._timer.stop()
        self.hide()
        self._matches, self._index = [], -1
        self.view.clear_highlights(FIND_LAYER)
        self.view.setFocus()

    # ----------------------------------------------------------------- finding

    def matches(self) -> list[Match]:
        return list(self._matches)

    def current(self) -> Match | None:
        return self._matches[self._index] if 0 <= self._index < len(self._matches) else None

    def _fold_cached(self, sid: int, side: str, text: str) -> tuple[str, list[int] | None]:
        key = (sid, side)
        cached = self._folded.get(key)
        if cached is None or cached[0] != text:
            cached = (text, fold(text))
            self._folded[key] = cached
        return cached[1]

    def refresh(self, keep_position: bool = False) -> None:
        """Find the query again in the document shown and repaint the highlights."""
        self._timer.stop()
        old = self.current()
        needle, _ = fold(self.edit.text())
        found: list[Match] = []
        content = self.view.content()
        if needle.strip() and content is not None:
            for sid in content.order:
                for side in SIDES:
                    text = self.view.sentence_text(sid, side)
                    if not text:
                        continue
                    hay, where = self._fold_cached(sid, side, text)
                    at = hay.find(needle)
                    while at >= 0:
                        end = at + len(needle)
                        s, e = (at, end) if where is None else (where[at], where[end - 1] + 1)
                        found.append(Match(sid, side, s, e))
                        at = hay.find(needle, end)
        self._matches = found
        self._index = -1
        if found:
            self._index = 0
            if keep_position and old is not None:
                place = (old.sentence_id, old.side)
                self._index = next((i for i, m in enumerate(found) if (m.sentence_id, m.side) == place), 0)
            else:
                first_visible = set(self.view.visible_sentence_ids(0))
                self._index = next((i for i, m in enumerate(found) if m.sentence_id in first_visible), 0)
        self._show_matches(scroll=not keep_position)

    def step(self, delta: int) -> None:
        """Go to the next (1) or previous (-1) match, wrapping around."""
        if self._timer.isActive():
            self.refresh()
        if not self._matches:
            return
        self._index = (self._index + delta) % len(self._matches)
        self._show_matches(scroll=True)

    def _show_matches(self, scroll: bool) -> None:
        every, current = match_colors(self.view.colors().background.lightness() < 128)
        highlights = [
            Highlight(m.sentence_id, m.side, [(m.start, m.end)], current if i == self._index else every)
            for i, m in enumerate(self._matches)
        ]
        self.view.set_highlights(FIND_LAYER, highlights)
        self.view.viewport().update()
        if not self.edit.text().strip():
            self.count_label.setText("")
        elif not self._matches:
            self.count_label.setText("No matches")
        else:
            self.count_label.setText(f"{self._index + 1} of {len(self._matches)}")
        has = bool(self._matches)
        self.prev_button.setEnabled(has)
        self.next_button.setEnabled(has)
        m = self.current()
        if scroll and m is not None:
            self.view.ensure_sentence_visible(m.sentence_id)
