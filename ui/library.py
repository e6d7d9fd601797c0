"""The library sidebar: every imported article with its date, size and share translated."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTableView, QWidget

COLUMNS = ("Title", "Date", "Sent.", "Done")
COLUMN_TIPS = ("Title", "Date of the article", "Number of sentences", "Share translated")
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2


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
        self._current = doc_id
        if self._docs:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._docs) - 1, 0))

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
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return COLUMN_TIPS[section]
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
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{doc.get('title') or ''}\n{done} of {n} sentences translated"
        if role == Qt.ItemDataRole.TextAlignmentRole and col >= 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and doc["id"] == self._current and col == 0:
            from PySide6.QtGui import QFont

            font = QFont()
            font.setBold(True)
            return font
        return None


class LibraryView(QTableView):
    """Sortable list of documents; activation opens, Delete or the context menu removes."""

    document_activated = Signal(int)
    remove_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source = LibraryModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.source)
        self.proxy.setSortRole(SORT_ROLE)
        self.setModel(self.proxy)
        self.setSortingEnabled(True)
        self.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # keep the store's newest-first order
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2, 3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setHighlightSections(False)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._menu)
        self.activated.connect(self._activate)
        self.clicked.connect(self._activate)
        remove = QAction("Remove from library…", self)
        remove.setShortcut(QKeySequence.StandardKey.Delete)
        remove.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        remove.triggered.connect(self._remove_selected)
        self.addAction(remove)
        self._remove_action = remove

    def set_documents(self, docs: list[dict]) -> None:
        self.source.set_documents(docs)

    def set_translated(self, doc_id: int, n_translated: int) -> bool:
        return self.source.set_translated(doc_id, n_translated)

    def done_text(self, doc_id: int) -> str | None:
        """The "Done" cell of a document as shown (e.g. "45%"), or None if it is not listed."""
        row = self.row_of(doc_id)
        return None if row is None else self.proxy.index(row, 3).data()

    def set_current(self, doc_id: int | None) -> None:
        self.source.set_current(doc_id)
        row = self.row_of(doc_id)
        if row is not None:
            self.selectRow(row)
        else:
            self.clearSelection()

    def row_of(self, doc_id: int | None) -> int | None:
        """The view row showing a document (after sorting), or None."""
        for row in range(self.proxy.rowCount()):
            if self.proxy.index(row, 0).data(ID_ROLE) == doc_id:
                return row
        return None

    def doc_at_row(self, row: int) -> int | None:
        index = self.proxy.index(row, 0)
        return index.data(ID_ROLE) if index.isValid() else None

    def titles(self) -> list[str]:
        """Titles in displayed order (as sorted)."""
        return [self.proxy.index(r, 0).data() for r in range(self.proxy.rowCount())]

    def _activate(self, index: QModelIndex) -> None:
        doc_id = index.data(ID_ROLE)
        if doc_id is not None:
            self.document_activated.emit(int(doc_id))

    def _remove_selected(self) -> None:
        rows = self.selectionModel().selectedRows()
        if rows:
            self.remove_requested.emit(int(rows[0].data(ID_ROLE)))

    def _menu(self, pos: QPoint) -> None:
        index = self.indexAt(pos)
        if not index.isValid():
            return
        doc_id = int(index.data(ID_ROLE))
        menu = QMenu(self)
        menu.addAction("Open", lambda: self.document_activated.emit(doc_id))
        menu.addAction("Remove from library…", lambda: self.remove_requested.emit(doc_id))
        menu.popup(self.viewport().mapToGlobal(pos))
