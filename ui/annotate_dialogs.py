"""The dialogs of the reader's own marks: an annotation's note, colour and tags; a saved phrase's
English, gloss, note and status. Plain widgets: ``ui.annotate`` opens them and writes what they
hold through the document session."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, QStringListModel, Qt
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reader.annotations import COLOURS
from reader.phrases import STATUSES
from ui.view_paint import annotation_color

__all__ = ["QUOTE_CHARS", "AnnotationDialog", "PhraseDialog", "TagsEdit", "elide"]

QUOTE_CHARS = 80  # of the annotated text shown at the top of the dialog
_OK, _CANCEL = QDialogButtonBox.StandardButton.Ok, QDialogButtonBox.StandardButton.Cancel


def _swatch(colour: str) -> QIcon:
    pix = QPixmap(14, 14)
    c = annotation_color(colour, dark=False)
    c.setAlpha(255)
    pix.fill(c)
    return QIcon(pix)


def elide(text: str, n: int = QUOTE_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


class TagsEdit(QWidget):
    """Tags one at a time: type (completion from the library's tags) and press Enter. A tag may
    hold commas and spaces ("Oekraïne, oorlog" is one tag), so nothing splits it."""

    def __init__(self, tags: Sequence[str], known: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entry = QLineEdit()
        self.entry.setPlaceholderText("Type a tag and press Enter")
        self.known = QStringListModel(list(known), self)  # parented: the completer does not own it
        self.completer = QCompleter(self.known, self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.entry.setCompleter(self.completer)
        self.entry.installEventFilter(self)  # Enter adds the typed tag (an empty field: the dialog's OK)
        self.list = QListWidget()
        self.list.setMaximumHeight(90)
        self.remove_button = QPushButton("Remove Tag")
        self.remove_button.clicked.connect(self._remove_selected)
        for tag in tags:
            self.list.addItem(tag)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(self.entry, 1)
        row.addWidget(self.remove_button)
        box.addLayout(row)
        box.addWidget(self.list)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if (
            obj is self.entry
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and self.entry.text().strip()
        ):
            self.add_entry()
            return True  # not the dialog's: a typed tag never closes it
        return super().eventFilter(obj, event)

    def add_entry(self) -> None:
        text = " ".join(self.entry.text().split())
        if text and text not in self._listed():
            self.list.addItem(text)
        self.entry.clear()

    def _remove_selected(self) -> None:
        for item in self.list.selectedItems():
            self.list.takeItem(self.list.row(item))

    def _listed(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def tags(self) -> list[str]:
        """The listed tags, and the one still being typed."""
        out = self._listed()
        typed = " ".join(self.entry.text().split())
        return out + [typed] if typed and typed not in out else out


class AnnotationDialog(QDialog):
    """A note (plain text, any length), a colour and tags for an annotation."""

    def __init__(
        self,
        quote: str,
        known_tags: Sequence[str],
        parent: QWidget | None = None,
        *,
        note: str = "",
        colour: str = "yellow",
        tags: Sequence[str] = (),
        editing: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("annotationDialog")
        self.setWindowTitle("Edit Annotation" if editing else "Annotate")
        quote_label = QLabel(f"“{elide(quote)}”")
        quote_label.setWordWrap(True)
        quote_label.setTextFormat(Qt.TextFormat.PlainText)
        self.note = QPlainTextEdit(note)
        self.note.setPlaceholderText("Your note (optional)")
        self.note.setTabChangesFocus(True)
        self.colour = QComboBox()
        for name in COLOURS:
            self.colour.addItem(_swatch(name), name.capitalize(), name)
        self.colour.setCurrentIndex(max(0, self.colour.findData(colour)))
        self.tags = TagsEdit(tags, known_tags)
        buttons = QDialogButtonBox(_OK | _CANCEL)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Save" if editing else "Annotate")
        self.tags.remove_button.setAutoDefault(False)
        form = QFormLayout()
        form.addRow("Note:", self.note)
        form.addRow("Colour:", self.colour)
        form.addRow("Tags:", self.tags)
        box = QVBoxLayout(self)
        box.addWidget(quote_label)
        box.addLayout(form)
        box.addWidget(buttons)
        self.resize(460, 360)

    def values(self) -> tuple[str, str, list[str]]:
        """(note, colour, tags)."""
        return self.note.toPlainText(), self.colour.currentData(), self.tags.tags()


class PhraseDialog(QDialog):
    """A Dutch phrase to save: its English (the aligner's, editable), its sentence and translation
    as context, the dictionary's gloss and a learning status."""

    def __init__(
        self,
        nl: str,
        en: str,
        context_nl: str,
        context_en: str,
        gloss: str,
        parent: QWidget | None = None,
        *,
        status: str = "new",
        note: str = "",
        editing: bool = False,
        test_model: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("phraseDialog")
        self.setWindowTitle("Edit Saved Phrase" if editing else "Save Phrase")
        self.dutch = QLabel(nl)
        self.dutch.setTextFormat(Qt.TextFormat.PlainText)
        font = self.dutch.font()
        font.setBold(True)
        self.dutch.setFont(font)
        self.english = QLineEdit(en)
        self.english.setPlaceholderText("The English for it")
        self.context = QLabel(context_nl + ("\n" + context_en if context_en else ""))
        self.context.setTextFormat(Qt.TextFormat.PlainText)
        self.context.setWordWrap(True)
        if test_model and context_en:
            self.context.setToolTip("The English is a test model's output, not a translation.")
        self.gloss = QLineEdit(gloss)
        self.gloss.setPlaceholderText("No dictionary entry")
        self.note = QPlainTextEdit(note)
        self.note.setTabChangesFocus(True)
        self.note.setMaximumHeight(80)
        self.status = QComboBox()
        for name in STATUSES:
            self.status.addItem(name.capitalize(), name)
        self.status.setCurrentIndex(max(0, self.status.findData(status)))
        buttons = QDialogButtonBox(_OK | _CANCEL)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Save" if editing else "Save Phrase")
        form = QFormLayout()
        form.addRow("Dutch:", self.dutch)
        form.addRow("English:", self.english)
        form.addRow("Sentence:", self.context)
        form.addRow("Dictionary:", self.gloss)
        form.addRow("Note:", self.note)
        form.addRow("Status:", self.status)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(buttons)
        self.resize(520, 320)

    def values(self) -> tuple[str, str, str, str]:
        """(English, gloss, note, status)."""
        english, gloss = self.english.text().strip(), self.gloss.text().strip()
        return english, gloss, self.note.toPlainText(), self.status.currentData()
