"""The annotations panel: a dock listing annotations and saved phrases, and a vocabulary tab.

The "Annotations" tab lists the open document's annotations and saved phrases in reading order,
or the whole library's; filters by kind, tag, colour, status and text work on rows loaded once
(a model that keeps the matching rows, never a widget per row: 20,000 rows filter in a few ms,
``bench/panel_filter.py``). Activating a row opens its document at the sentence and selects the
annotated text. Edit and delete go through the window's undo history when it has one. A detached
annotation (its English quote is gone after a retranslation) is listed with its old quote and can
be re-attached to the text selected in the view.

The "Vocabulary" tab lists the library's saved phrases: Dutch, English, status (editable), the
sentence pair they came from on hover.

The panel follows the open document's session: an annotation added, edited or re-anchored in the
view shows here at once. A read-only library is listed, and editing is off with a message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QPoint, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QStyledItemDelegate,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from reader import annotations as notes
from reader import phrases as vocab
from reader import store
from reader.annotations import COLOURS, Annotation
from reader.errors import ReaderError
from reader.phrases import STATUSES, SavedPhrase
from reader.session import Changes, DocumentSession
from ui import theme
from ui.find_bar import fold
from ui.tasks import Task, TaskContext
from ui.view_paint import annotation_color, phrase_mark_color

if TYPE_CHECKING:
    from ui.main_window import MainWindow

__all__ = ["ANNOTATION", "PHRASE", "READ_ONLY_NOTICE", "AnnotationsPanel", "Entry", "removal_question"]

ANNOTATION, PHRASE, DETACHED = "annotation", "phrase", "detached"
READ_ONLY_NOTICE = (
    "This library is read-only: its annotations and saved phrases are listed, but cannot be changed."
)
KINDS = (("All kinds", None), ("Annotations", ANNOTATION), ("Saved phrases", PHRASE), ("Detached", DETACHED))
Index = QModelIndex | QPersistentModelIndex
_NO_DOCUMENT = 1 << 62  # phrases whose document was removed sort last


@dataclass(frozen=True, slots=True)
class Entry:
    """One row: an annotation or a saved phrase, with what the filters compare, folded once."""

    kind: str
    id: int
    document_id: int | None
    sentence_id: int | None
    title: str
    quote: str
    detail: str  # the note, or the phrase's English
    tags: tuple[str, ...]
    colour: str | None
    status: str | None
    detached: bool
    hay: str
    order: tuple[int, int, int, int]
    item: Annotation | SavedPhrase


def _annotation_entry(a: Annotation, title: str) -> Entry:
    hay = fold(" ".join((a.exact, a.note, *a.tags)))[0]
    order = (a.document_id, a.sentence_id, a.side == "en", a.start)
    return Entry(ANNOTATION, a.id, a.document_id, a.sentence_id, title, a.exact, a.note, a.tags, a.colour,
                 None, a.detached, hay, order, a)


def _phrase_entry(p: SavedPhrase) -> Entry:
    hay = fold(" ".join((p.nl, p.en, p.note, p.gloss)))[0]
    start = p.nl_spans[0][0] if p.nl_spans else 0
    order = (p.document_id or _NO_DOCUMENT, p.sentence_id or 0, 0, start)
    detail = p.en or p.gloss
    return Entry(PHRASE, p.id, p.document_id, p.sentence_id, p.document_title, p.nl, detail, (), None,
                 p.status, False, hay, order, p)


def _first_line(text: str, limit: int = 120) -> str:
    line = text.strip().split("\n", 1)[0]
    return line if len(line) <= limit else line[: limit - 1] + "…"


def removal_question(db: Any, doc_id: int, title: str) -> str:
    """The question before removing a document: what goes with it, and what stays."""
    n_notes, n_phrases = notes.count_for_document(db, doc_id)
    lines = [f"Remove “{title}” from the library?", ""]
    if n_notes:
        lines.append(f"Its {n_notes} annotation{'s' if n_notes != 1 else ''} will be deleted with it.")
    else:
        lines.append("It has no annotations.")
    if n_phrases:
        were = "phrase saved from it stays" if n_phrases == 1 else "phrases saved from it stay"
        lines.append(f"The {n_phrases} {were} in your vocabulary, with its sentence and translation as "
                     "context, but no longer opens the article.")
    lines.append("Your edited translations of it are removed too; cached machine translations stay.")
    return "\n".join(lines)


# ----------------------------------------------------------------- models


class _RowsModel(QAbstractTableModel):
    """A table over a list of rows (``_rows``) with fixed column titles (``HEADERS``)."""

    HEADERS: tuple[str, ...] = ()
    _rows: list

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None


class EntryModel(_RowsModel):
    """Every entry loaded once; ``set_filter`` keeps the matching ones (the view asks only for
    the rows it shows). The entries of each kind and of each tag are listed apart when loaded, so
    that a filter starts from the shortest list it needs instead of all 40,000 entries."""

    HEADERS = ("", "Text", "Note / English", "Tags / status", "Document")

    def __init__(self, dark: Callable[[], bool], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._dark = dark
        self._all: list[Entry] = []
        self._index: dict[tuple[str, str], list[Entry]] = {}
        self._rows: list[Entry] = []
        self._select: Callable[[list[Entry]], list[Entry]] = list
        self._keys: tuple[tuple[str, str], ...] = ()

    def set_entries(self, entries: Iterable[Entry]) -> None:
        self._all = sorted(entries, key=lambda e: (e.order, e.kind, e.id))
        index: dict[tuple[str, str], list[Entry]] = {}
        for e in self._all:
            index.setdefault(("kind", e.kind), []).append(e)
            if e.detached:
                index.setdefault(("kind", DETACHED), []).append(e)
            if e.status is not None:
                index.setdefault(("status", e.status), []).append(e)
            for tag in e.tags:
                index.setdefault(("tag", tag), []).append(e)
        self._index = index
        self._apply()

    def set_filter(
        self, select: Callable[[list[Entry]], list[Entry]], keys: Iterable[tuple[str, str]] = ()
    ) -> None:
        """``select`` returns the entries to show, in order, from those it is given: all of them,
        or, when ``keys`` name lists that every shown entry belongs to (``("kind", ANNOTATION)``,
        ``("kind", DETACHED)``, ``("tag", t)``, ``("status", s)``), the shortest of those lists."""
        self._select, self._keys = select, tuple(keys)
        self._apply()

    def _apply(self) -> None:
        base = min((self._index.get(k, []) for k in self._keys), key=len, default=self._all)
        self.beginResetModel()
        self._rows = self._select(base)
        self.endResetModel()

    def all_entries(self) -> list[Entry]:
        return list(self._all)

    def total(self) -> int:
        return len(self._all)

    def entries(self) -> list[Entry]:
        return list(self._rows)

    def entry(self, row: int) -> Entry | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        e = self.entry(index.row())
        if e is None:
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return "⚠" if e.detached else ("◆" if e.kind == PHRASE else "")
            if col == 1:
                return ("Detached: “" + _first_line(e.quote) + "”") if e.detached else _first_line(e.quote)
            if col == 2:
                return _first_line(e.detail)
            if col == 3:
                return ", ".join(e.tags) if e.kind == ANNOTATION else (e.status or "")
            return e.title
        if role == Qt.ItemDataRole.DecorationRole and col == 0:
            if e.kind == PHRASE:
                return phrase_mark_color(self._dark())
            return annotation_color(e.colour or "yellow", self._dark())
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(e)
        return None


def _tooltip(e: Entry) -> str:
    if e.kind == PHRASE:
        p = e.item
        assert isinstance(p, SavedPhrase)
        lines = [f"{p.nl} — {p.en}" if p.en else p.nl, f"Status: {p.status}"]
        if p.gloss:
            lines.append(f"Dictionary: {p.gloss}")
        lines += [t for t in (p.context_nl, p.context_en, p.note) if t]
        return "\n".join(lines)
    lines = []
    if e.detached:
        lines.append("Detached: its English text changed and the quote is gone. Select new text in the "
                     "view and choose “Re-attach to Selection”.")
    lines.append(f"“{e.quote}”")
    if e.detail:
        lines.append(e.detail)
    if e.tags:
        lines.append("Tags: " + ", ".join(e.tags))
    return "\n".join(lines)


class PhraseModel(_RowsModel):
    """The vocabulary: saved phrases with an editable status."""

    HEADERS = ("Phrase", "English", "Status", "Document")
    STATUS_COLUMN = 2

    def __init__(self, panel: AnnotationsPanel) -> None:
        super().__init__(panel)
        self._panel = panel
        self._all: list[SavedPhrase] = []
        self._rows: list[SavedPhrase] = []
        self._keep: Callable[[SavedPhrase], bool] = lambda p: True
        self._hay: dict[int, str] = {}

    def set_phrases(self, phrases: Iterable[SavedPhrase]) -> None:
        self._all = list(phrases)
        self._hay = {p.id: fold(" ".join((p.nl, p.en, p.note, p.gloss)))[0] for p in self._all}
        self._apply()

    def set_filter(self, status: str | None, text: str) -> None:
        """Keep the phrases of ``status`` (None: any) whose Dutch, English, note or gloss holds
        ``text`` (case and diacritics ignored)."""
        needle = fold(text.strip())[0]
        hay = self._hay
        self._keep = lambda p: (status is None or p.status == status) and (not needle or needle in hay[p.id])
        self._apply()

    def _apply(self) -> None:
        self.beginResetModel()
        self._rows = [p for p in self._all if self._keep(p)]
        self.endResetModel()

    def phrases(self) -> list[SavedPhrase]:
        return list(self._rows)

    def phrase(self, row: int) -> SavedPhrase | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.column() == self.STATUS_COLUMN and not self._panel.read_only:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        p = self.phrase(index.row())
        if p is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return (p.nl, p.en or p.gloss, p.status, p.document_title)[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            context = "\n".join(t for t in (p.context_nl, p.context_en) if t)
            return context or p.nl
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        p = self.phrase(index.row())
        if p is None or index.column() != self.STATUS_COLUMN or role != Qt.ItemDataRole.EditRole:
            return False
        return self._panel.set_phrase_status(p.id, str(value))


class StatusDelegate(QStyledItemDelegate):
    """A combo box of the statuses (new / learning / known)."""

    def createEditor(self, parent: QWidget, option: Any, index: QModelIndex) -> QWidget:  # noqa: N802
        box = QComboBox(parent)
        box.addItems(list(STATUSES))
        return box

    def setEditorData(self, editor: QWidget, index: QModelIndex) -> None:  # noqa: N802
        assert isinstance(editor, QComboBox)
        editor.setCurrentText(str(index.data(Qt.ItemDataRole.EditRole)))

    def setModelData(self, editor: QWidget, model: Any, index: QModelIndex) -> None:  # noqa: N802
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentText(), Qt.ItemDataRole.EditRole)


# ----------------------------------------------------------------- the panel


class AnnotationsPanel(QDockWidget):
    """View → Annotations Panel."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__("Annotations", window)
        self.setObjectName("annotationsPanel")
        self.window_ = window
        self.read_only = window.read_only
        self._session: DocumentSession | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self.task: Task | None = None
        self._generation = 0
        self._reload_timer = QTimer(self, singleShot=True, interval=0)  # coalesces bursts of changes
        self._reload_timer.timeout.connect(self.reload)

        dark = lambda: theme.is_dark(window.prefs.theme)  # noqa: E731
        self.model = EntryModel(dark, self)
        self.vocabulary = PhraseModel(self)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_annotations_tab(), "Annotations")
        self.tabs.addTab(self._build_vocabulary_tab(), "Vocabulary")
        self.read_only_label = QLabel(READ_ONLY_NOTICE)
        self.read_only_label.setWordWrap(True)
        self.read_only_label.setObjectName("panelReadOnly")
        self.read_only_label.setVisible(self.read_only)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()
        body = QWidget()
        box = QVBoxLayout(body)
        box.setContentsMargins(4, 4, 4, 4)
        box.addWidget(self.read_only_label)
        box.addWidget(self.tabs, 1)
        box.addWidget(self.message)
        self.setWidget(body)
        self.visibilityChanged.connect(lambda shown: shown and self.reload())
        # Every recorded change (a saved phrase made in the view, an undo) passes the history.
        window.annotating.history.indexChanged.connect(lambda _i: self.schedule_reload())

    def _build_annotations_tab(self) -> QWidget:
        tab = QWidget()
        box = QVBoxLayout(tab)
        box.setContentsMargins(0, 4, 0, 0)
        top = QHBoxLayout()
        self.library_scope = QCheckBox("Whole library")
        self.library_scope.setToolTip("List the annotations of every document, not only the open one")
        self.library_scope.toggled.connect(lambda _on: self.reload())
        self.text_filter = QLineEdit()
        self.text_filter.setPlaceholderText("Filter by text, note or tag")
        self.text_filter.setClearButtonEnabled(True)
        top.addWidget(self.text_filter, 1)
        top.addWidget(self.library_scope)
        box.addLayout(top)
        filters = QHBoxLayout()
        self.kind_filter = QComboBox()
        for label, value in KINDS:
            self.kind_filter.addItem(label, value)
        self.tag_filter = QComboBox()
        self.tag_filter.addItem("Any tag", None)
        self.colour_filter = QComboBox()
        self.colour_filter.addItem("Any colour", None)
        for c in COLOURS:
            self.colour_filter.addItem(c, c)
        self.status_filter = QComboBox()
        self.status_filter.addItem("Any status", None)
        for s in STATUSES:
            self.status_filter.addItem(s, s)
        for combo in (self.kind_filter, self.tag_filter, self.colour_filter, self.status_filter):
            filters.addWidget(combo)
            combo.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.text_filter.textChanged.connect(lambda _t: self.apply_filter())
        box.addLayout(filters)

        self.table = _table(self.model)
        self.table.activated.connect(lambda index: self.jump(self.model.entry(index.row())))
        self.table.customContextMenuRequested.connect(self._context_menu)
        box.addWidget(self.table, 1)
        self.count_label = QLabel()
        box.addWidget(self.count_label)
        return tab

    def _build_vocabulary_tab(self) -> QWidget:
        tab = QWidget()
        box = QVBoxLayout(tab)
        box.setContentsMargins(0, 4, 0, 0)
        top = QHBoxLayout()
        self.vocab_text = QLineEdit()
        self.vocab_text.setPlaceholderText("Filter the saved phrases")
        self.vocab_text.setClearButtonEnabled(True)
        self.vocab_status = QComboBox()
        self.vocab_status.addItem("Any status", None)
        for s in STATUSES:
            self.vocab_status.addItem(s, s)
        top.addWidget(self.vocab_text, 1)
        top.addWidget(self.vocab_status)
        box.addLayout(top)
        self.vocab_text.textChanged.connect(lambda _t: self.apply_vocabulary_filter())
        self.vocab_status.currentIndexChanged.connect(lambda _i: self.apply_vocabulary_filter())
        self.vocab_table = _table(self.vocabulary)
        self.vocab_table.setItemDelegateForColumn(PhraseModel.STATUS_COLUMN, StatusDelegate(self.vocab_table))
        self.vocab_table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.SelectedClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.vocab_table.customContextMenuRequested.connect(self._vocabulary_menu)
        box.addWidget(self.vocab_table, 1)
        return tab

    # ----------------------------------------------------------------- following the window

    def set_session(self, session: DocumentSession | None) -> None:
        """Follow the open document (None: closed)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
        self._session, self._unsubscribe = session, None
        if session is not None:
            self._unsubscribe = session.subscribe(self._session_changed)
        self.schedule_reload()

    def _session_changed(self, changes: Changes) -> None:
        if changes.annotations or changes.phrases or changes.document:
            self.schedule_reload()

    def schedule_reload(self) -> None:
        """Read the entries again once the current event is handled (a hidden panel reads them
        when it is shown)."""
        if self.isVisible():
            self._reload_timer.start()

    def reload(self) -> Task | None:
        """Read the entries again: this document's from the session at once; the library's (and
        the vocabulary, always the library's) in a worker with its own connection, so a library
        of 20,000 annotations never blocks the window. Hits of an older reload are dropped."""
        self._reload_timer.stop()
        w = self.window_
        if w.db is None:
            return None
        self._generation += 1
        generation = self._generation
        library = self.library_scope.isChecked()
        if not library:
            try:
                self._set_entries(self._document_entries(w.db))
            except ReaderError as err:
                self.say(str(err))
        path, read_only = w.db_path, w.read_only

        def work(_ctx: TaskContext) -> tuple[list[Entry] | None, list[SavedPhrase]]:
            db = store.open_db(path, read_only=read_only or None)
            try:
                phrases = vocab.list_phrases(db)
                if not library:
                    return None, phrases
                titles = {d["id"]: d["title"] for d in store.list_documents(db)}
                found = [
                    _annotation_entry(a, titles.get(a.document_id, "")) for a in notes.list_annotations(db)
                ]
                return found + [_phrase_entry(p) for p in phrases], phrases
            finally:
                db.close()

        def done(result: tuple[list[Entry] | None, list[SavedPhrase]]) -> None:
            if generation != self._generation:
                return
            entries, phrases = result
            if entries is not None:
                self._set_entries(entries)
            self.vocabulary.set_phrases(phrases)
            self.apply_vocabulary_filter()

        def failed(err: BaseException) -> None:
            if generation == self._generation:
                self.say(str(err) if isinstance(err, ReaderError)
                         else "The annotations could not be read: close and reopen the library.")

        self.task = w.runner.run(work, label="annotations", on_done=done, on_error=failed)
        return self.task

    def _set_entries(self, entries: list[Entry]) -> None:
        self.model.set_entries(entries)
        self.table.setColumnHidden(len(EntryModel.HEADERS) - 1, not self.library_scope.isChecked())
        self._fill_tags(entries)
        self.apply_filter()

    def _document_entries(self, db: Any) -> list[Entry]:
        session = self.window_.session
        if session is None:
            return []
        title = session.document.title
        found = [_annotation_entry(a, title) for a in session.annotations()]
        return found + [_phrase_entry(p) for p in vocab.list_phrases(db, doc_id=session.doc_id)]

    def _fill_tags(self, entries: list[Entry]) -> None:
        current = self.tag_filter.currentData()
        tags = sorted({t for e in entries for t in e.tags}, key=str.casefold)
        self.tag_filter.blockSignals(True)
        self.tag_filter.clear()
        self.tag_filter.addItem("Any tag", None)
        for t in tags:
            self.tag_filter.addItem(t, t)
        index = self.tag_filter.findData(current) if current is not None else 0
        self.tag_filter.setCurrentIndex(max(index, 0))
        self.tag_filter.blockSignals(False)

    # ----------------------------------------------------------------- filtering

    def apply_filter(self) -> None:
        """Keep the rows matching every filter (a colour or a tag keeps annotations only, a
        status saved phrases only)."""
        kind = self.kind_filter.currentData()
        tag = self.tag_filter.currentData()
        colour = self.colour_filter.currentData()
        status = self.status_filter.currentData()
        needle = fold(self.text_filter.text().strip())[0]

        def select(rows: list[Entry]) -> list[Entry]:
            # One tight comprehension per filter, each over what the previous one kept: a
            # predicate combining them costs a function call per row and filter (3x slower).
            if kind == DETACHED:
                rows = [e for e in rows if e.detached]
            elif kind is not None:
                rows = [e for e in rows if e.kind == kind]
            if tag is not None:
                rows = [e for e in rows if tag in e.tags]
            if colour is not None:
                rows = [e for e in rows if e.colour == colour]
            if status is not None:
                rows = [e for e in rows if e.status == status]
            if needle:
                rows = [e for e in rows if needle in e.hay]
            return list(rows)

        keys = [("kind", kind)] if kind is not None else []
        if tag is not None:
            keys.append(("tag", tag))
        if colour is not None:  # a colour keeps annotations only
            keys.append(("kind", ANNOTATION))
        if status is not None:
            keys.append(("status", status))
        self.model.set_filter(select, keys)
        shown, total = self.model.rowCount(), self.model.total()
        self.count_label.setText(f"{shown} of {total}" if shown != total else f"{total} in all")

    def apply_vocabulary_filter(self) -> None:
        self.vocabulary.set_filter(self.vocab_status.currentData(), self.vocab_text.text())

    def visible_entries(self) -> list[Entry]:
        return self.model.entries()

    # ----------------------------------------------------------------- actions

    def say(self, text: str) -> None:
        """A message under the list (errors, refusals); the status bar repeats it."""
        self.message.setText(text)
        self.message.setVisible(bool(text))
        if text:
            self.window_.statusBar().showMessage(text, 8000)

    def _refuse_read_only(self) -> bool:
        if self.read_only:
            self.say(READ_ONLY_NOTICE)
        return self.read_only

    def jump(self, entry: Entry | None) -> bool:
        """Open the entry's document (if it is not open) at its sentence, the text selected."""
        w = self.window_
        if entry is None:
            return False
        if entry.document_id is None or entry.sentence_id is None:
            self.say(f"“{_first_line(entry.quote, 60)}” has no document any more (it was removed "
                     "from the library); the phrase keeps its sentence as context.")
            return False
        if w.doc_id != entry.document_id and not w.open_document(entry.document_id):
            return False
        view = w.view
        view.set_current_sentence(entry.sentence_id)
        item = entry.item
        if isinstance(item, Annotation) and not item.detached:
            span = view.sentence_span(item.sentence_id, item.side)
            if span is not None:
                row, s, _e = span
                view.select_text(item.side, (row, s + item.start), (row, s + item.end))
        elif isinstance(item, SavedPhrase) and item.nl_spans:
            span = view.sentence_span(item.sentence_id or 0, "nl")
            if span is not None:
                row, s, _e = span
                for k, (a, b) in enumerate(item.nl_spans):
                    view.select_text("nl", (row, s + a), (row, s + b), add=k > 0)
        return True

    def _session_for(self, doc_id: int | None) -> DocumentSession | None:
        session = self.window_.session
        return session if session is not None and session.doc_id == doc_id else None

    def _open(self, entry: Entry) -> bool:
        """Open the entry's document: edits go through its session and the undo history
        (``ui.annotate``), so the view repaints and Edit → Undo takes them back."""
        if entry.document_id is None:
            return self.window_.session is not None  # a phrase whose document was removed
        return self.window_.doc_id == entry.document_id or self.window_.open_document(entry.document_id)

    def edit(self, entry: Entry | None) -> QDialog | None:
        """Open the entry's edit dialog (note, colour, tags; or English, note, status)."""
        if entry is None or self._refuse_read_only():
            return None
        if not self._open(entry):
            self.say("Open a document first: a saved phrase is edited with a document open.")
            return None
        if entry.kind == ANNOTATION:
            return self.window_.annotating.edit_annotation(entry.id)
        return self.window_.annotating.edit_phrase(entry.id)

    def delete(self, entry: Entry | None) -> bool:
        """Delete an annotation (with the other pieces of its selection) or a saved phrase;
        Edit → Undo brings it back under its own id."""
        if entry is None or self._refuse_read_only():
            return False
        if not self._open(entry):
            self.say("Open a document first: a saved phrase is deleted with a document open.")
            return False
        if entry.kind == ANNOTATION:
            return self.window_.annotating.delete_annotation(entry.id)
        return self.window_.annotating.delete_phrase(entry.id)

    def set_phrase_status(self, phrase_id: int, status: str) -> bool:
        """The vocabulary's status column, with or without a document open: recorded in the undo
        history either way."""
        if self._refuse_read_only():
            return False
        db = self.window_.db
        try:
            p = vocab.get_phrase(db, phrase_id)
            if p.status == status:
                return False
            ok = self.window_.annotating.change_phrase(phrase_id, p.en, p.gloss, p.note, status)
        except ReaderError as err:
            self.say(str(err))
            return False
        self.schedule_reload()
        return ok

    def reattach(self, entry: Entry | None) -> bool:
        """Put a detached annotation on the text selected in the view (its sentence, its side)."""
        if entry is None or not isinstance(entry.item, Annotation) or self._refuse_read_only():
            return False
        a = entry.item
        session = self._session_for(a.document_id)
        pieces = self.window_.view.selected_pieces() if session is not None else []
        chosen = [(sid, s, e) for side, found in pieces if side == a.side for sid, s, e in found]
        side_name = "Dutch" if a.side == "nl" else "English"
        if session is None or len(chosen) != 1 or chosen[0][0] != a.sentence_id:
            self.say(
                f"Select the new text in the {side_name} of the annotation's own sentence first "
                "(double-click the annotation to go there), then choose Re-attach to Selection."
            )
            return False
        _sid, start, end = chosen[0]
        db, doc_id = self.window_.db, a.document_id
        try:
            before = session.annotation(a.id)
            session.reattach(db, a.id, start, end)
        except ReaderError as err:
            self.say(str(err))
            return False

        def put(b: Annotation) -> Callable[[], None]:
            def run() -> None:
                s = self._session_for(doc_id)
                if s is None:
                    raise notes.AnnotationError("Its document is no longer open: open it again to change it.")
                if b.detached:  # undo of a re-attach: the annotation as it was, detached
                    s.delete_annotation(db, b.id)
                    s.restore_annotation(db, b)
                else:
                    s.reattach(db, b.id, b.start, b.end)
            return run

        after = session.annotation(a.id)
        self.window_.annotating.history.record("Re-attach Annotation", put(after), put(before))
        self.say("")
        return True

    # ----------------------------------------------------------------- menus

    def _context_menu(self, pos: QPoint) -> None:
        entry = self.model.entry(self.table.indexAt(pos).row())
        if entry is None:
            return
        menu = self.entry_menu(entry)
        menu.popup(self.table.viewport().mapToGlobal(pos))

    def entry_menu(self, entry: Entry) -> QMenu:
        menu = QMenu(self)
        menu.addAction("Go to Sentence", lambda: self.jump(entry))
        writers = [
            menu.addAction("Edit…", lambda: self.edit(entry)),
            menu.addAction("Delete", lambda: self.delete(entry)),
        ]
        if entry.detached:
            writers.append(menu.addAction("Re-attach to Selection", lambda: self.reattach(entry)))
        for action in writers:
            action.setEnabled(not self.read_only)
        self.menu = menu
        return menu

    def _vocabulary_menu(self, pos: QPoint) -> None:
        p = self.vocabulary.phrase(self.vocab_table.indexAt(pos).row())
        if p is None:
            return
        entry = _phrase_entry(p)
        self.entry_menu(entry).popup(self.vocab_table.viewport().mapToGlobal(pos))


def _table(model: QAbstractTableModel) -> QTableView:
    """A list view for many rows: fixed row heights, no per-row sizing."""
    table = QTableView()
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    table.setWordWrap(False)
    table.setShowGrid(False)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    header.setMinimumSectionSize(24)
    if model.columnCount() == len(EntryModel.HEADERS):
        header.resizeSection(0, 24)
        header.resizeSection(1, 120)
        header.resizeSection(2, 130)
        header.resizeSection(3, 80)
    else:
        header.resizeSection(0, 130)
        header.resizeSection(1, 130)
        header.resizeSection(2, 70)
    return table
