"""Word-level alignment highlighting in the reader view: hover a word, see its phrase and its
rendering on the other side.

The per-sentence tables (``reader.hover``) say which character ranges to shade and how strongly;
this module turns them into the view's highlight layer and follows the mouse. A mouse move is one
hit test and two list lookups: nothing is aligned or tokenized in the event handler.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent

from reader.hover import (
    FILL,
    MISSING_TINT_ALPHA,
    NL,
    UNDERLINE,
    SentenceWords,
    WordRef,
    word_at,
)
from reader.session import Changes, DocumentSession
from ui import theme
from ui.reader_view import Highlight, Hit, ReaderView

LAYER = "word"


# --------------------------------------------------------------------------- colours


def word_colors(colors: theme.ReaderColors) -> tuple[QColor, QColor]:
    """(fill, no-counterpart underline) colours for the view's theme."""
    dark = colors.background.lightness() < 128
    fill = QColor(255, 166, 43) if dark else QColor(236, 128, 0)
    return fill, QColor(colors.muted)


# --------------------------------------------------------------------------- the controller


class WordHighlighter(QObject):
    """Hover and pin word highlights in a ReaderView from the tables of the open document.

    A click on a word pins its highlight (the mouse may then wander); a click elsewhere or Esc
    clears the pin. ``set_enabled(False)`` turns word highlighting off; sentence hover stays.
    """

    hovered = Signal(object)  # (WordRef, HoverInfo) or None, when the highlighted word changes
    clicked = Signal(object)  # WordRef clicked, or None for a click on no word
    dismissed = Signal()  # Esc with a pinned word: the pin (and any popup) goes away

    def __init__(self, view: ReaderView) -> None:
        super().__init__(view)
        self.view = view
        self._session: DocumentSession | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._enabled = True
        self._shown: tuple[int, str, int] | None = None
        self._pinned: WordRef | None = None
        self._under: WordRef | None = None
        self._fill, self._missing = word_colors(view.colors())
        view.pointer_moved.connect(self.on_pointer)
        view.clicked.connect(self.on_click)
        view.installEventFilter(self)

    # ----------------------------------------------------------------- tables

    def set_session(self, session: DocumentSession | None) -> None:
        """Highlight the words of another document: its session holds the tables, and says when
        a sentence's table or English changes."""
        if self._unsubscribe is not None:
            self._unsubscribe()
        self._session, self._unsubscribe = session, None
        if session is not None:
            self._unsubscribe = session.subscribe(self._session_changed)
        self._under = None
        self.clear()

    def _session_changed(self, changes: Changes) -> None:
        """Tables installed or dropped, English changed: the shown highlight follows its word."""
        if changes.document:
            self._under = None
            self.clear()
            return
        touched = changes.alignment | changes.text
        # A word keeps its pin while its sentence waits for a new table, then moves to it.
        fresh = {sid for sid in touched if self.table(sid) is not None}
        if self._pinned is not None and self._pinned.sentence_id in fresh:
            self._pinned = self._refresh(self._pinned)
        if self._under is not None and self._under.sentence_id in fresh:
            self._under = self._refresh(self._under)
        if self._shown is not None and self._shown[0] in touched:
            self._shown = None
        if self._shown is None and self._enabled:
            self._show(self._pinned or self._under)

    def table(self, sentence_id: int) -> SentenceWords | None:
        """The sentence's table; the session keeps only tables that fit the English shown."""
        return self._session.table(sentence_id) if self._session is not None else None

    def tables(self) -> dict[int, SentenceWords]:
        return self._session.tables() if self._session is not None else {}

    # ----------------------------------------------------------------- state

    def enabled(self) -> bool:
        return self._enabled

    def set_enabled(self, on: bool) -> None:
        self._enabled = bool(on)
        if not on:
            self.clear()

    def set_colors(self, colors: theme.ReaderColors) -> None:
        self._fill, self._missing = word_colors(colors)
        ref, self._shown = self._pinned or self._under, None
        if ref is not None and self._enabled:
            self._show(ref)

    def pinned(self) -> WordRef | None:
        return self._pinned

    def current_word(self) -> WordRef | None:
        """The word a shortcut acts on: the one under the mouse, else the pinned one."""
        return self._under or self._pinned

    def pin(self, ref: WordRef) -> None:
        self._pinned = ref
        self._show(ref)

    def clear(self) -> None:
        """Drop the pin and the word highlight."""
        self._pinned = None
        self._show(None)

    # ----------------------------------------------------------------- events

    def on_pointer(self, hit: Hit | None) -> None:
        """The view's mouse move (one hit test, shared): a table lookup, then paint if it changed."""
        ref = self.ref_at(hit) if hit is not None else None
        self._under = ref
        if self._enabled and self._pinned is None:
            self._show(ref)

    def on_click(self, hit: Hit | None) -> None:
        ref = self.ref_at(hit, tokenize_missing=True) if hit is not None else None
        if not self._enabled:
            return
        if ref is None:
            self.clear()
        else:
            self.pin(ref)  # a word of a sentence not aligned yet pins nothing visible
        self.clicked.emit(ref)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        if (
            obj is self.view
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Escape
            and self._pinned is not None
        ):
            self.clear()
            self.dismissed.emit()
            return True
        return False

    # ----------------------------------------------------------------- words

    def ref_at(self, hit: Hit, tokenize_missing: bool = False) -> WordRef | None:
        """The word under a hit; ``tokenize_missing`` finds Dutch words of a sentence with no table."""
        loc = self.view.locate(hit.row, hit.side, hit.pos)
        if loc is None:
            return None
        sid, offset = loc
        table = self.table(sid)
        if table is not None:
            index = table.token_at(hit.side, offset)
            if index < 0 or table.hover(hit.side, index) is None:
                return None
            return self._word_ref(sid, table, hit.side, index)
        if tokenize_missing and hit.side == NL:
            token = word_at(self.view.sentence_text(sid, NL), offset)
            if token is not None:
                return WordRef(sid, NL, -1, token.start, token.end, token.text)
        return None

    def ref(self, sentence_id: int, side: str, index: int) -> WordRef | None:
        table = self.table(sentence_id)
        if table is None or not 0 <= index < table.token_count(side):
            return None
        return self._word_ref(sentence_id, table, side, index)

    @staticmethod
    def _word_ref(sentence_id: int, table: SentenceWords, side: str, index: int) -> WordRef:
        start, end = table.span(side, index)
        return WordRef(sentence_id, side, index, start, end, table.text(side)[start:end])

    def _refresh(self, ref: WordRef) -> WordRef | None:
        """The same word in a sentence's new table (its index may have changed)."""
        table = self.table(ref.sentence_id)
        if table is None:
            return ref if ref.index < 0 else None
        index = table.token_at(ref.side, ref.start)
        return self.ref(ref.sentence_id, ref.side, index) if index >= 0 else None

    def _show(self, ref: WordRef | None) -> None:
        key = (ref.sentence_id, ref.side, ref.index) if ref is not None and ref.index >= 0 else None
        if key == self._shown:
            return
        self._shown = key
        info = None
        if key is not None:
            table = self.table(key[0])
            info = table.hover(key[1], key[2]) if table is not None else None
        if info is None:
            self._shown = None
            self.view.set_highlights(LAYER, [])
            self.hovered.emit(None)
            return
        sid = key[0]
        highlights = []
        for shade in info.shades:
            color = QColor(self._missing if shade.style == UNDERLINE else self._fill)
            color.setAlpha(shade.alpha)
            if shade.style == UNDERLINE:  # a faint grey tint says "seen", the dashes "no match"
                tint = QColor(self._missing)
                tint.setAlpha(MISSING_TINT_ALPHA)
                highlights.append(Highlight(sid, shade.side, list(shade.ranges), tint, FILL))
            highlights.append(Highlight(sid, shade.side, list(shade.ranges), color, shade.style))
        self.view.set_highlights(LAYER, highlights)
        self.hovered.emit((ref, info))
