"""Ctrl+Shift+F: search the whole library (Dutch text, machine and user translations, notes,
saved phrases) and list the hits with their context; choosing one opens its document there.

The query goes to ``reader.search.search``, which never lets a user's quotes, ``*``, ``NEAR(``,
parentheses or a lone ``-`` reach FTS5 as syntax. It runs in a worker (``TaskRunner``) with its
own connection, after typing pauses; a newer query makes an older one's hits stale, and they are
dropped. A failure is one sentence under the box, never a dialog and never SQL text. The results
are searched again after the open document's English or annotations change.

Opening a hit shades its words in the reading view (its own layer, so the find bar's Esc does not
take it away), in the find bar's colour for the current match: the matched words of a sentence or
translation, the words a note is anchored to, a saved phrase's Dutch words. The shade goes when the
user searches again, closes the panel or opens another document.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from reader import store
from reader.errors import ReaderError
from reader.search import MARK_CLOSE, MARK_OPEN, SearchHit, query_spans, search
from reader.session import Changes, DocumentSession
from ui.find_bar import match_colors
from ui.reader_view import Highlight
from ui.tasks import Task, TaskContext

if TYPE_CHECKING:
    from ui.main_window import MainWindow

__all__ = ["KIND_LABELS", "SEARCH_LAYER", "TEST_MODEL_LABEL", "SearchPanel", "hit_html"]

KIND_LABELS = {
    "nl": "Dutch",
    "mt": "Machine translation",
    "user": "Your translation",
    "note": "Note",
    "phrase": "Saved phrase",
}
# A test package's output is gibberish: its hits never say "translation".
TEST_MODEL_LABEL = "Test model output (not a translation)"
SEARCH_LIMIT = 200
SEARCH_LAYER = "search"  # the opened hit's words in the reading view
HIT_ROLE = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex


def hit_html(hit: SearchHit, test_model: bool = False) -> str:
    """Two lines: where (document, sentence, kind) and the snippet with matched words in bold."""
    snippet = html.escape(hit.snippet).replace(html.escape(MARK_OPEN), "<b>").replace(
        html.escape(MARK_CLOSE), "</b>"
    )
    where = html.escape(hit.document_title or "(removed document)")
    number = f" · sentence {hit.sentence_number}" if hit.sentence_number else ""
    kind = TEST_MODEL_LABEL if test_model and hit.kind == "mt" else KIND_LABELS.get(hit.kind, hit.kind)
    return f"<small>{where}{number} · {kind}</small><br>{snippet}"


def _plain(hit: SearchHit) -> str:
    return hit.snippet.replace(MARK_OPEN, "").replace(MARK_CLOSE, "")


class _HitDelegate(QStyledItemDelegate):
    """Paints a hit's two lines of rich text (the snippet's matched words in bold)."""

    def __init__(self, test_model: Callable[[], bool], parent: QWidget) -> None:
        super().__init__(parent)
        self.test_model = test_model

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        hit = index.data(HIT_ROLE)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        if hit is None:
            return
        doc = self._document(hit, opt.rect.width())
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        color = opt.palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        doc.setDefaultStyleSheet(f"body {{ color: {color.name()}; }}")
        doc.setHtml(f"<body>{hit_html(hit, self.test_model())}</body>")
        painter.save()
        painter.translate(opt.rect.topLeft())
        doc.drawContents(painter, QRectF(0, 0, opt.rect.width(), opt.rect.height()))
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802
        hit = index.data(HIT_ROLE)
        if hit is None:
            return super().sizeHint(option, index)
        width = option.rect.width() if option.rect.width() > 0 else 400
        doc = self._document(hit, width)
        return QSize(width, int(doc.size().height()) + 4)

    def _document(self, hit: SearchHit, width: int) -> QTextDocument:
        doc = QTextDocument()
        doc.setDocumentMargin(3)
        doc.setHtml(hit_html(hit, self.test_model()))
        doc.setTextWidth(max(width, 50))
        return doc


class SearchPanel(QDockWidget):
    """View → Search Library: a query box, the hits, a line saying how many."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__("Search Library", window)
        self.setObjectName("searchPanel")
        self.window_ = window
        self.task: Task | None = None
        self._generation = 0
        self._hits: list[SearchHit] = []
        self._hits_query = ""
        self._shaded: SearchHit | None = None  # the opened hit whose words the view shades
        self._shaded_query = ""
        self._unsubscribe: Callable[[], None] | None = None

        self.query = QLineEdit()
        self.query.setPlaceholderText("Search every document: Dutch, English, notes, saved phrases")
        self.query.setClearButtonEnabled(True)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.results = QListWidget()
        test_model = lambda: window.test_badge.isVisibleTo(window)  # noqa: E731
        self.results.setItemDelegate(_HitDelegate(test_model, self.results))
        self.results.setWordWrap(True)
        self.results.setUniformItemSizes(False)
        self.results.itemActivated.connect(lambda item: self.open_hit(item.data(HIT_ROLE)))
        body = QWidget()
        box = QVBoxLayout(body)
        box.setContentsMargins(4, 4, 4, 4)
        box.addWidget(self.query)
        box.addWidget(self.status)
        box.addWidget(self.results, 1)
        self.setWidget(body)
        self._timer = QTimer(self, singleShot=True, interval=200)
        self._timer.timeout.connect(self.run)
        self.query.textChanged.connect(lambda _t: self._timer.start())
        self.query.textChanged.connect(lambda _t: self.clear_shade())  # searching again
        self.query.returnPressed.connect(self.clear_shade)
        self.query.returnPressed.connect(self.run)
        self.visibilityChanged.connect(lambda shown: shown or not self.isHidden() or self.clear_shade())

    # ----------------------------------------------------------------- the window

    def open_panel(self) -> None:
        """Ctrl+Shift+F: show the panel, the box focused with its text selected."""
        self.show()
        self.raise_()
        self.query.setFocus()
        self.query.selectAll()

    def set_session(self, session: DocumentSession | None) -> None:
        """Search again when the open document's English or annotations change."""
        if self._unsubscribe is not None:
            self._unsubscribe()
        self._unsubscribe = session.subscribe(self._session_changed) if session is not None else None
        self._shaded = None  # another document: the view dropped its layers

    def _session_changed(self, changes: Changes) -> None:
        if self._shaded is not None and changes.text:
            self._shade(self._shaded)  # the English shown may have changed under the shade
        if self.isVisible() and self.query.text().strip() and (changes.text or changes.annotations):
            self._timer.start()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        """A theme change: shade again in the new theme's colour, once the view has it."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self._shaded is not None:
            QTimer.singleShot(0, lambda: self._shaded is not None and self._shade(self._shaded))

    # ----------------------------------------------------------------- searching

    def hits(self) -> list[SearchHit]:
        return list(self._hits)

    def run(self) -> Task | None:
        """Search for the box's text in a worker; its hits replace the list when it ends (unless
        a newer search started meanwhile)."""
        self._timer.stop()
        text = self.query.text()
        self._generation += 1
        generation = self._generation
        if not text.strip():
            self._show([], "")
            return None
        w = self.window_
        if w.is_closed():
            return None
        path, read_only = w.db_path, w.read_only

        def work(ctx: TaskContext) -> list[SearchHit]:
            db = store.open_db(path, read_only=read_only or None)
            try:
                return search(db, text, limit=SEARCH_LIMIT)
            finally:
                db.close()

        self.status.setText("Searching…")
        self.task = w.runner.run(
            work,
            label="search",
            on_done=lambda hits: generation == self._generation and self._show(hits, text),
            on_error=lambda err: generation == self._generation and self._failed(err),
        )
        return self.task

    def _failed(self, err: BaseException) -> None:
        self._hits = []
        self.results.clear()
        if isinstance(err, ReaderError):
            self.status.setText(str(err))
        else:  # never SQL text: a database error is one sentence saying what to do
            self.status.setText("The search could not run: try other words, or reopen the library.")

    def _show(self, hits: list[SearchHit], text: str) -> None:
        self._hits = list(hits)
        self._hits_query = text
        self.results.clear()
        for hit in hits:
            item = QListWidgetItem()
            item.setData(HIT_ROLE, hit)
            item.setToolTip(hit.text)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, _plain(hit))
            self.results.addItem(item)
        if not text.strip():
            self.status.setText("")
        elif not hits:
            self.status.setText(f"Nothing found for “{text.strip()}”.")
        else:
            more = " (the best ones)" if len(hits) >= SEARCH_LIMIT else ""
            self.status.setText(f"{len(hits)} found{more}. Double-click or press Enter to open one.")

    def open_hit(self, hit: Any) -> bool:
        """Open the hit's document at its sentence."""
        if not isinstance(hit, SearchHit):
            return False
        w = self.window_
        if hit.document_id is None or hit.sentence_id is None:
            w.statusBar().showMessage(
                "This saved phrase's document was removed from the library; the phrase keeps its sentence.",
                8000,
            )
            return False
        if w.doc_id != hit.document_id and not w.open_document(hit.document_id):
            return False
        w.view.set_current_sentence(hit.sentence_id)
        self._shaded_query = self._hits_query
        self._shade(hit)
        return True

    def shaded(self) -> SearchHit | None:
        """The opened hit whose words are shaded in the reading view."""
        return self._shaded

    def _shade(self, hit: SearchHit) -> None:
        """Shade the hit's words in its sentence, on its side, as the view shows them now."""
        view = self.window_.view
        if hit.sentence_id is None:
            return
        text = view.sentence_text(hit.sentence_id, hit.side)
        spans = hit.sentence_spans
        if hit.kind in ("nl", "mt", "user") and text != hit.text:
            # The view shows another English (the reader's own version, or one changed since the
            # search): its words that match the query, found as the search found them.
            spans = tuple(query_spans(text, self._shaded_query))
        spans = tuple((s, e) for s, e in spans if 0 <= s < e <= len(text))
        self._shaded = hit
        if not spans:
            view.clear_highlights(SEARCH_LAYER)
            return
        _every, color = match_colors(view.colors().background.lightness() < 128)
        view.set_highlights(SEARCH_LAYER, [Highlight(hit.sentence_id, hit.side, list(spans), color)])

    def clear_shade(self) -> None:
        self._shaded = None
        self.window_.view.clear_highlights(SEARCH_LAYER)
