"""The library sidebar: every imported article, its title readable, with date, size and share translated.

Each row is two parts drawn by ``LibraryDelegate``: the title (wrapped over up to two lines, elided
at the end only when it needs more; the tooltip has it whole), then a smaller grey line
``date · N sentences · progress%``. A narrow sidebar then still shows what an article is, where a
table's Title column left "Voor he…".
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QFontMetrics,
    QGuiApplication,
    QKeySequence,
    QPainter,
    QPalette,
    QTextLayout,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QMenu,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

COLUMNS = ("Title", "Date", "Sentences", "Done")
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2
META_ROLE = Qt.ItemDataRole.UserRole + 3  # the grey second line: "2022-03 · 20 sentences · 45%"
CURRENT_ROLE = Qt.ItemDataRole.UserRole + 4  # the open document (an accent bar)
# Sort choices: label -> (model column, order); column -1 keeps the store's newest-first order.
SORTS = {
    "Recently added": (-1, Qt.SortOrder.AscendingOrder),
    "Title": (0, Qt.SortOrder.AscendingOrder),
    "Date, newest first": (1, Qt.SortOrder.DescendingOrder),
    "Length": (2, Qt.SortOrder.DescendingOrder),
    "Least translated": (3, Qt.SortOrder.AscendingOrder),
}
TITLE_LINES = 2  # a title longer than this many lines is elided at the end of the last one
PAD_X, PAD_Y, LINE_GAP = 10, 7, 2


def meta_text(doc: dict) -> str:
    """The row's second line, e.g. "2022-03 · 20 sentences · 45%" (no date: left out)."""
    n, done = doc.get("n_sentences") or 0, doc.get("n_translated") or 0
    size = "1 sentence" if n == 1 else f"{n} sentences"
    parts = [doc.get("date") or "", size, f"{done / n if n else 0:.0%}"]
    return " · ".join(p for p in parts if p)


class LibraryModel(QAbstractTableModel):
    """Rows from ``reader.store.list_documents``; sorting uses raw values, not display text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._docs: list[dict] = []
        self._current: int | None = None

    def set_documents(self, docs: list[dict]) -> None:
        self.beginResetModel()
        self._docs = list(docs)
        self.endResetModel()

    def documents(self) -> list[dict]:
        return list(self._docs)

    def set_translated(self, doc_id: int, n_translated: int) -> bool:
        """Update one row's "Done" share (a translation in progress); False if it is not listed."""
        for row, doc in enumerate(self._docs):
            if doc["id"] == doc_id:
                if doc.get("n_translated") != n_translated:
                    self._docs[row] = {**doc, "n_translated": n_translated}
                    self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
                return True
        return False

    def set_current(self, doc_id: int | None) -> None:
        """Mark the open document; only its row and the previous one are repainted (a change
        over every row makes the list re-measure all of them: 0.3 s at 1,000 documents)."""
        previous, self._current = self._current, doc_id
        for row in {self.row_of(previous), self.row_of(doc_id)} - {None}:
            self.dataChanged.emit(self.index(row, 0), self.index(row, 0))

    def row_of(self, doc_id: int | None) -> int | None:
        """The model row (unsorted) of a document, or None."""
        if doc_id is None:
            return None
        return next((row for row, doc in enumerate(self._docs) if doc["id"] == doc_id), None)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._docs)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,  # noqa: N802
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        doc = self._docs[index.row()]
        col = index.column()
        n, done = doc.get("n_sentences") or 0, doc.get("n_translated") or 0
        share = done / n if n else 0.0
        if role == ID_ROLE:
            return doc["id"]
        if role == Qt.ItemDataRole.DisplayRole:
            return (doc.get("title") or "(untitled)", doc.get("date") or "", f"{n}", f"{share:.0%}")[col]
        if role == SORT_ROLE:
            return ((doc.get("title") or "").casefold(), doc.get("date") or "", n, share)[col]
        if role == META_ROLE:
            return meta_text(doc)
        if role == CURRENT_ROLE:
            return doc["id"] == self._current
        if role == Qt.ItemDataRole.ToolTipRole:
            date = f"{doc['date']}\n" if doc.get("date") else ""
            return f"{doc.get('title') or '(untitled)'}\n{date}{done} of {n} sentences translated"
        return None


class LibraryDelegate(QStyledItemDelegate):
    """Two-part rows: the title over up to two lines, then the grey meta line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # A row's height by (title, width, font): the list asks for every row's height at each
        # layout, and wrapping 1,000 titles each time took half a second.
        self._heights: dict[tuple[str, int, str], int] = {}

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont]:
        title = QFont(option.font)
        title.setWeight(QFont.Weight.DemiBold)
        meta = QFont(option.font)
        meta.setPointSizeF(max(6.0, option.font.pointSizeF() * 0.88))
        return title, meta

    def title_lines(self, option: QStyleOptionViewItem, index: QModelIndex) -> list[str]:
        """The title as drawn in a row of ``option.rect``'s width: its lines, the last one elided
        ("…") only when the title needs more than ``TITLE_LINES`` lines."""
        title_font, _meta = self._fonts(option)
        return wrap_title(index.data() or "", title_font, option.rect.width() - 2 * PAD_X)

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802
        # The model gives no font of its own (no FontRole), so the option's font is the row's and
        # initStyleOption, the dearest part of a row's measuring, is not needed here.
        widget = option.widget  # type: ignore[attr-defined]
        width = widget.viewport().width() if widget is not None else max(option.rect.width(), 200)
        title = index.data() or ""
        key = (title, width, option.font.key())
        height = self._heights.get(key)
        if height is None:
            title_font, meta_font = self._fonts(option)
            metrics = QFontMetrics(title_font)
            if metrics.horizontalAdvance(title) < width - 2 * PAD_X - 2:  # fits, with room for rounding
                lines = 1
            else:
                lines = len(wrap_title(title, title_font, width - 2 * PAD_X))
            height = 2 * PAD_Y + lines * metrics.lineSpacing() + LINE_GAP
            height += QFontMetrics(meta_font).lineSpacing()
            if len(self._heights) > 20_000:  # many widths seen while resizing
                self._heights.clear()
            self._heights[key] = height
        return QSize(width, height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else None
        if style is not None:  # background, selection and focus as the platform draws them
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        pal: QPalette = opt.palette
        text = pal.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        muted = QColor(text)
        if not selected:
            base = pal.color(QPalette.ColorRole.Base)
            muted = QColor(
                round(text.red() * 0.55 + base.red() * 0.45),
                round(text.green() * 0.55 + base.green() * 0.45),
                round(text.blue() * 0.55 + base.blue() * 0.45),
            )
        title_font, meta_font = self._fonts(opt)
        rect = opt.rect.adjusted(PAD_X, PAD_Y, -PAD_X, -PAD_Y)
        painter.save()
        if index.data(CURRENT_ROLE):  # the open document: an accent bar at the row's left edge
            painter.fillRect(QRect(opt.rect.left(), opt.rect.top(), 3, opt.rect.height()),
                             pal.color(QPalette.ColorRole.Highlight) if not selected else text)
        painter.setFont(title_font)
        painter.setPen(text)
        step = QFontMetrics(title_font).lineSpacing()
        y = rect.top()
        for line in self.title_lines(opt, index):
            painter.drawText(QRect(rect.left(), y, rect.width(), step), Qt.AlignmentFlag.AlignLeft, line)
            y += step
        painter.setFont(meta_font)
        painter.setPen(muted)
        metrics = QFontMetrics(meta_font)
        meta = metrics.elidedText(index.data(META_ROLE) or "", Qt.TextElideMode.ElideRight, rect.width())
        meta_rect = QRect(rect.left(), y + LINE_GAP, rect.width(), metrics.lineSpacing())
        painter.drawText(meta_rect, Qt.AlignmentFlag.AlignLeft, meta)
        painter.restore()


def wrap_title(title: str, font: QFont, width: int, max_lines: int = TITLE_LINES) -> list[str]:
    """``title`` broken at word boundaries into lines of at most ``width`` pixels; what does not
    fit in ``max_lines`` lines is cut with "…" at the end of the last one."""
    metrics = QFontMetrics(font)
    width = max(width, metrics.horizontalAdvance("M…"))
    layout = QTextLayout(title, font)
    layout.beginLayout()
    lines: list[str] = []
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        start, length = line.textStart(), line.textLength()
        if len(lines) == max_lines - 1 and start + length < len(title):
            lines.append(metrics.elidedText(title[start:], Qt.TextElideMode.ElideRight, width))
            break
        lines.append(title[start : start + length].rstrip())
    layout.endLayout()
    return lines or [""]


class LibraryList(QListView):
    """The rows; relays out on resize because a row's height depends on how its title wraps."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setItemDelegate(LibraryDelegate(self))
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # Ctrl+click and Shift+click select several documents (to export them together).
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setFrameShape(QListView.Shape.NoFrame)


class LibraryView(QWidget):
    """The sidebar: a "Library" bar (sort order, hide button) over the list of documents.
    Activation opens a document; Delete or the context menu asks to remove it."""

    document_activated = Signal(int)
    remove_requested = Signal(int)
    export_requested = Signal(list)  # document ids
    hide_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source = LibraryModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.source)
        self.proxy.setSortRole(SORT_ROLE)
        self.list = LibraryList(self)
        self.last_menu: QMenu | None = None  # the last context menu (tests read its actions)
        self.list.setModel(self.proxy)

        bar = QWidget(self)
        bar.setObjectName("libraryBar")
        row = QHBoxLayout(bar)
        row.setContentsMargins(PAD_X, 4, 2, 4)
        row.setSpacing(4)
        label = QLabel("LIBRARY")
        label.setObjectName("libraryLabel")
        label.setStyleSheet("QLabel#libraryLabel { font-size: 8pt; font-weight: 600; letter-spacing: 1px; }")
        self.sort_box = QComboBox()
        self.sort_box.addItems(list(SORTS))
        self.sort_box.setToolTip("Order of the library")
        self.sort_box.currentTextChanged.connect(self.sort_by)
        self.hide_button = QToolButton()
        self.hide_button.setText("«")
        self.hide_button.setAutoRaise(True)
        self.hide_button.setToolTip("Hide the library")
        self.hide_button.clicked.connect(self.hide_requested)
        row.addWidget(label)
        row.addStretch(1)
        row.addWidget(self.sort_box)
        row.addWidget(self.hide_button)

        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(bar)
        box.addWidget(self.list, 1)

        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._menu)
        self.list.activated.connect(self._activate)
        self.list.clicked.connect(self._activate)
        remove = QAction("Remove from library…", self.list)
        remove.setShortcut(QKeySequence.StandardKey.Delete)
        remove.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        remove.triggered.connect(self._remove_selected)
        self.list.addAction(remove)
        self.remove_action = remove
        self.sort_by(self.sort_box.currentText())

    def set_hide_shortcut(self, shortcut: str) -> None:
        self.hide_button.setToolTip(f"Hide the library ({shortcut})")

    def set_removable(self, on: bool) -> None:
        """A read-only library cannot remove documents: the Delete key and the menu entry go."""
        self.remove_action.setEnabled(on)

    def sort_by(self, label: str) -> None:
        column, order = SORTS.get(label, SORTS["Recently added"])
        if self.sort_box.currentText() != label and label in SORTS:
            self.sort_box.setCurrentText(label)  # calls back here
            return
        self.proxy.sort(column, order)

    def set_documents(self, docs: list[dict]) -> None:
        self.source.set_documents(docs)

    def set_translated(self, doc_id: int, n_translated: int) -> bool:
        return self.source.set_translated(doc_id, n_translated)

    def done_text(self, doc_id: int) -> str | None:
        """The progress shown for a document (e.g. "45%"), or None if it is not listed."""
        row = self.row_of(doc_id)
        return None if row is None else self.proxy.index(row, 3).data()

    def set_current(self, doc_id: int | None) -> None:
        self.source.set_current(doc_id)
        row = self.row_of(doc_id)
        if row is not None:
            self.list.setCurrentIndex(self.proxy.index(row, 0))
        else:
            self.list.clearSelection()

    def row_of(self, doc_id: int | None) -> int | None:
        """The view row showing a document (after sorting), or None."""
        row = self.source.row_of(doc_id)
        if row is None:
            return None
        shown = self.proxy.mapFromSource(self.source.index(row, 0))
        return shown.row() if shown.isValid() else None

    def titles(self) -> list[str]:
        """Titles in displayed order (as sorted)."""
        return [self.proxy.index(r, 0).data() for r in range(self.proxy.rowCount())]

    def row_rect(self, row: int) -> QRect:
        """Where a row is drawn, in the list's viewport."""
        return self.list.visualRect(self.proxy.index(row, 0))

    def shown_title(self, row: int) -> list[str]:
        """The title lines a row shows (as the delegate draws them at the row's width)."""
        index = self.proxy.index(row, 0)
        option = QStyleOptionViewItem()
        option.initFrom(self.list)
        option.font = self.list.font()
        option.rect = self.row_rect(row)
        return self.list.itemDelegate().title_lines(option, index)

    def selected_ids(self) -> list[int]:
        """The selected documents' ids, in displayed order."""
        rows = sorted(self.list.selectionModel().selectedRows(), key=lambda i: i.row())
        return [int(i.data(ID_ROLE)) for i in rows]

    def _activate(self, index: QModelIndex) -> None:
        modifiers = QGuiApplication.keyboardModifiers()
        if modifiers & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier):
            return  # extending the selection, not opening
        doc_id = index.data(ID_ROLE)
        if doc_id is not None:
            self.document_activated.emit(int(doc_id))

    def _remove_selected(self) -> None:
        rows = self.list.selectionModel().selectedRows()
        if rows:
            self.remove_requested.emit(int(rows[0].data(ID_ROLE)))

    def _menu(self, pos: QPoint) -> None:
        index = self.list.indexAt(pos)
        if not index.isValid():
            return
        doc_id = int(index.data(ID_ROLE))
        menu = QMenu(self)
        menu.addAction("Open", lambda: self.document_activated.emit(doc_id))
        selected = self.selected_ids()
        chosen = selected if doc_id in selected else [doc_id]
        label = f"Export Selected ({len(chosen)})…" if len(chosen) > 1 else "Export…"
        menu.addAction(label, lambda: self.export_requested.emit(chosen))
        remove = menu.addAction("Remove from library…", lambda: self.remove_requested.emit(doc_id))
        remove.setEnabled(self.remove_action.isEnabled())
        self.last_menu = menu
        menu.popup(self.list.viewport().mapToGlobal(pos))
