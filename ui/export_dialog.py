"""File → Export…: the format, its layout, what to include and where, for one document or several.

Every choice comes from ``reader.formats``: the formats and their descriptions, which options a
writer reads (``layout``, ``include``) and what it can hold (``Carries``), so an option a format
cannot hold is greyed out rather than silently ignored. The paths are checked and an existing file
is asked about before the export starts; the export itself runs in a worker with its own database
connection, and the dialog stays open (with progress) until it has finished.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
)

from reader import store
from reader.errors import ReaderError
from reader.export import ExportFailed, check_output_path
from reader.formats import EXPORT, INCLUDES, LAYOUTS, Carries, ExportFormat, ExportOptions, export_for_suffix
from ui.import_export import TEST_MODEL_EXPORT_NOTE
from ui.status_text import plural
from ui.tasks import Task, TaskContext

if TYPE_CHECKING:
    from ui.main_window import MainWindow

LAYOUT_LABELS = {"side-by-side": "Side by side", "interleaved": "Interleaved"}
# What the reader may ask for: the flag of a format that always holds it, and the ``--include`` word
# that adds it in a format declaring that word in ``includes`` (the reader's choice there).
INCLUDE_ROWS: tuple[tuple[Carries, str | None, str], ...] = (
    (Carries.USER_VERSIONS, "user", "Your own versions of sentences"),
    (Carries.ORIGIN, "origin", "Which sentences are your versions"),
    (Carries.ANNOTATIONS, "notes", "Annotations and their notes"),
    (Carries.ALIGNMENT, None, "Word alignment (highlighting)"),
)
NOT_REPLACED = "Nothing was exported: the existing files are unchanged."
# Asked for by default where the format holds them anyway (Markdown's and HTML's notes); TSV's
# extra columns stay off until asked for, as on the command line.
DEFAULT_INCLUDE = ("notes",)
SETTING = "ui.export."  # + format, layout, include, dir, folder, combined


def _doc_slug(title: str) -> str:
    from reader.export_anki import slug

    return slug(title)


def file_stem(title: str) -> str:
    """A file name from a title, as the old save dialog proposed it."""
    name = "".join(c if c.isalnum() or c in " -_" else "_" for c in title).strip() or "article"
    return name[:80]


class ExportDialog(QDialog):
    """The export choices for ``docs`` (``[(id, title)]``, one or several)."""

    exported = Signal(object)  # a list of written paths, or the error

    def __init__(self, window: MainWindow, docs: list[tuple[int, str]]) -> None:
        super().__init__(window)
        self.window_ = window
        self.docs = docs
        self.task: Task | None = None
        self.confirm_box: QMessageBox | None = None
        self.setObjectName("exportDialog")
        several = len(docs) > 1
        self.setWindowTitle(f"Export {len(docs)} documents" if several else f"Export “{docs[0][1]}”")

        self.format_box = QComboBox()
        self.format_box.setObjectName("exportFormat")
        for f in EXPORT.values():
            self.format_box.addItem(f"{f.label} ({', '.join(f.suffixes)})", f.name)
        self.description = QLabel()
        self.description.setObjectName("exportDescription")
        self.description.setWordWrap(True)
        self.layout_box = QComboBox()
        self.layout_box.setObjectName("exportLayout")
        for name in LAYOUTS:
            self.layout_box.addItem(LAYOUT_LABELS.get(name, name), name)

        self.include_boxes: dict[Carries, QCheckBox] = {}
        include_group = QGroupBox("Include")
        include_col = QVBoxLayout(include_group)
        for flag, _word, label in INCLUDE_ROWS:
            box = QCheckBox(label)
            self.include_boxes[flag] = box
            include_col.addWidget(box)

        dest = QGroupBox("Save to")
        dest_col = QVBoxLayout(dest)
        self.each_radio = QRadioButton(f"One file per document, into a folder ({len(docs)} files)")
        self.combined_radio = QRadioButton(f"One file holding all {len(docs)} documents")
        self.mode_group = QButtonGroup(self)
        self.mode_group.addButton(self.each_radio)
        self.mode_group.addButton(self.combined_radio)
        self.folder_edit = QLineEdit()
        self.folder_edit.setObjectName("exportFolder")
        self.folder_edit.setPlaceholderText("Folder for the files")
        self.folder_button = QPushButton("Browse…")
        self.folder_button.clicked.connect(self.browse_folder)
        self.path_edit = QLineEdit()
        self.path_edit.setObjectName("exportPath")
        self.path_edit.setPlaceholderText("File to write")
        self.path_button = QPushButton("Browse…")
        self.path_button.clicked.connect(self.browse_file)
        folder_row, path_row = QHBoxLayout(), QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(self.folder_button)
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(self.path_button)
        if several:
            dest_col.addWidget(self.each_radio)
            dest_col.addLayout(folder_row)
            dest_col.addWidget(self.combined_radio)
        dest_col.addLayout(path_row)
        for w in (self.each_radio, self.combined_radio, self.folder_edit, self.folder_button):
            w.setVisible(several)

        self.note = QLabel()  # the test model's warning: shown, never a blocking question
        self.note.setObjectName("exportNote")
        self.note.setWordWrap(True)
        self.error_label = QLabel()
        self.error_label.setObjectName("exportError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("QLabel#exportError { color: #c0392b; }")
        self.error_label.hide()
        self.progress = QProgressBar()
        self.progress.setRange(0, len(docs))
        self.progress.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.ButtonRole.ApplyRole)
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.start)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("Format:", self.format_box)
        form.addRow("", self.description)
        form.addRow("Layout:", self.layout_box)
        col = QVBoxLayout(self)
        col.addLayout(form)
        col.addWidget(include_group)
        col.addWidget(dest)
        col.addWidget(self.note)
        col.addWidget(self.error_label)
        col.addWidget(self.progress)
        col.addWidget(self.buttons)

        self._restore()
        self.format_box.currentIndexChanged.connect(self._format_changed)
        self.mode_group.buttonToggled.connect(lambda *_: self._update_destination())
        self.path_edit.textEdited.connect(self._path_typed)
        self._format_changed()
        test_model = window.test_badge.isVisibleTo(window)
        self.note.setText(f"A test model is installed: {TEST_MODEL_EXPORT_NOTE}." if test_model else "")
        self.note.setVisible(test_model)
        self.test_model = test_model
        self.resize(max(self.sizeHint().width(), 520), self.sizeHint().height())

    # ----------------------------------------------------------------- choices

    def fmt(self) -> ExportFormat:
        return EXPORT[self.format_box.currentData()]

    def several(self) -> bool:
        return len(self.docs) > 1

    def combined(self) -> bool:
        return self.several() and self.combined_radio.isChecked() and self.combined_radio.isEnabled()

    def include_state(self, fmt: ExportFormat | None = None) -> dict[Carries, tuple[bool, bool]]:
        """Per row: (enabled, checked) for ``fmt``. A word its writer honours: the reader's last
        answer; otherwise greyed, on when the format always holds it, off when it cannot."""
        fmt = fmt or self.fmt()
        wanted = self.wanted(fmt)
        state = {}
        for flag, word, _label in INCLUDE_ROWS:
            if word is not None and word in fmt.includes and word in INCLUDES and "include" in fmt.options:
                state[flag] = (True, word in wanted)
            else:
                state[flag] = (False, flag in fmt.carries)
        return state

    def options(self) -> ExportOptions:
        fmt = self.fmt()
        layout = self.layout_box.currentData() if "layout" in fmt.options else None
        include = None
        if "include" in fmt.options:
            include = frozenset(self._checked_words())
        return ExportOptions(layout=layout, include=include)

    def _format_changed(self) -> None:
        fmt = self.fmt()
        words = f"Can hold {fmt.holds}." if fmt.holds != "-" else ""
        if self.several() and Carries.MANY_DOCUMENTS not in fmt.carries:
            words += " One document a file."
        self.description.setText(f"{fmt.label}. {words}".strip())
        has_layout = "layout" in fmt.options
        self.layout_box.setEnabled(has_layout)
        self.layout_box.setToolTip("" if has_layout else f"{fmt.label} has one layout")
        for flag, (enabled, checked) in self.include_state(fmt).items():
            box = self.include_boxes[flag]
            box.blockSignals(True)
            box.setChecked(checked)
            box.setEnabled(enabled)
            box.blockSignals(False)
            if not enabled:
                box.setToolTip(f"Always in {fmt.label}" if checked else f"{fmt.label} cannot hold this")
            else:
                box.setToolTip(f"Your choice: {fmt.label} adds this when ticked")
        many = Carries.MANY_DOCUMENTS in fmt.carries
        self.combined_radio.setEnabled(many)
        self.combined_radio.setToolTip("" if many else f"{fmt.label} holds one document a file")
        if not many and self.combined_radio.isChecked():
            self.each_radio.setChecked(True)
        self._set_suffix(fmt)
        self._update_destination()

    def _choosable(self) -> dict[str, QCheckBox]:
        """The include words the current format lets the reader choose, with their boxes."""
        return {word: self.include_boxes[flag] for flag, word, _label in INCLUDE_ROWS
                if word is not None and self.include_boxes[flag].isEnabled()}

    def _checked_words(self) -> set[str]:
        return {word for word, box in self._choosable().items() if box.isChecked()}

    def wanted(self, fmt: ExportFormat) -> set[str]:
        """The include words last chosen for ``fmt``, else its defaults."""
        if fmt.name in self._wanted:
            return set(self._wanted[fmt.name])
        return {word for flag, word, _label in INCLUDE_ROWS
                if word in DEFAULT_INCLUDE and flag in fmt.carries}

    def _include_toggled(self) -> None:
        """Remember the answer for this format (each format has its own)."""
        self._wanted[self.fmt().name] = sorted(self._checked_words())

    def _update_destination(self) -> None:
        file_mode = not self.several() or self.combined()
        self.path_edit.setEnabled(file_mode)
        self.path_button.setEnabled(file_mode)
        self.folder_edit.setEnabled(not file_mode)
        self.folder_button.setEnabled(not file_mode)

    def _set_suffix(self, fmt: ExportFormat) -> None:
        """The file name follows the chosen format (a name without a format's suffix is left alone)."""
        text = self.path_edit.text().strip()
        if not text:
            return
        path = Path(text)
        if export_for_suffix(path) is not None and path.suffix.lower() not in fmt.suffixes:
            self.path_edit.setText(str(path.with_suffix(fmt.suffixes[0])))

    def _path_typed(self, text: str) -> None:
        """A typed suffix of another format chooses that format (the old save dialog's rule)."""
        named = export_for_suffix(text.strip()) if text.strip() else None
        if named is not None and named.name != self.fmt().name:
            self.format_box.setCurrentIndex(self.format_box.findData(named.name))

    def browse_file(self) -> None:
        fmt = self.fmt()
        start = self.path_edit.text().strip() or str(Path.home())
        path, _chosen = QFileDialog.getSaveFileName(
            self, "Export to", start, fmt.dialog_filter, options=QFileDialog.Option.DontConfirmOverwrite
        )
        if path:
            self.path_edit.setText(path)
            self._path_typed(path)

    def browse_folder(self) -> None:
        start = self.folder_edit.text().strip() or str(Path.home())
        folder = QFileDialog.getExistingDirectory(self, "Export into folder", start)
        if folder:
            self.folder_edit.setText(folder)

    # ----------------------------------------------------------------- remembering

    def _restore(self) -> None:
        w = self.window_
        index = self.format_box.findData(w.setting(SETTING + "format", None))
        self.format_box.setCurrentIndex(max(index, 0))
        from ui.view_content import SIDE_BY_SIDE

        window_layout = "side-by-side" if w.view.layout_mode() == SIDE_BY_SIDE else "interleaved"
        layout = w.setting(SETTING + "layout", None) or window_layout
        self.layout_box.setCurrentIndex(max(self.layout_box.findData(layout), 0))
        saved = w.setting(SETTING + "include", None)
        self._wanted: dict[str, list[str]] = dict(saved) if isinstance(saved, dict) else {}
        for box in self.include_boxes.values():
            box.toggled.connect(lambda _on: self._include_toggled())
        folder = w.setting(SETTING + "folder", None) or str(Path.home())
        self.folder_edit.setText(folder)
        fmt = self.fmt()
        if self.several():
            name = f"bilingual-reader-{len(self.docs)}-documents"
            combined = bool(w.setting(SETTING + "combined", False))
            (self.combined_radio if combined else self.each_radio).setChecked(True)
        else:
            name = file_stem(self.docs[0][1])
        start = w.setting(SETTING + "dir", None) or str(Path.home())
        self.path_edit.setText(str(Path(start) / f"{name}{fmt.suffixes[0]}"))

    def _remember(self, targets: list[Path]) -> None:
        w = self.window_
        w.set_setting(SETTING + "format", self.fmt().name)
        w.set_setting(SETTING + "layout", self.layout_box.currentData())
        w.set_setting(SETTING + "include", self._wanted)
        if self.several():
            w.set_setting(SETTING + "combined", self.combined())
        if self.several() and not self.combined():
            w.set_setting(SETTING + "folder", str(targets[0].parent))
        else:
            w.set_setting(SETTING + "dir", str(targets[0].parent))

    # ----------------------------------------------------------------- exporting

    def targets(self) -> list[Path]:
        """The files the export will write, each checked now so that a bad place fails before
        any work (and before any file is written)."""
        fmt = self.fmt()
        if self.several() and not self.combined():
            text = self.folder_edit.text().strip()
            if not text:
                raise ExportFailed("Choose a folder to export the documents into")
            folder = Path(text).expanduser()
            if not folder.is_dir():
                what = "is not a folder" if folder.exists() else "does not exist"
                raise ExportFailed(
                    f"Could not write into {folder}: it {what}; create it or choose another folder"
                )
            suffix = fmt.suffixes[0]
            targets = [folder / f"{doc_id}-{_doc_slug(title)}{suffix}" for doc_id, title in self.docs]
        else:
            text = self.path_edit.text().strip()
            if not text:
                raise ExportFailed("Choose a file to export to")
            path = Path(text).expanduser()
            if export_for_suffix(path) is None:
                path = path.with_name(path.name + fmt.suffixes[0])
            targets = [path]
        for target in targets:
            check_output_path(target)
        return targets

    def start(self) -> Task | None:
        """Check the destination, ask about files that exist, then export."""
        self.error_label.hide()
        try:
            targets = self.targets()
        except ReaderError as err:
            self.show_failure(err)
            return None
        existing = [t for t in targets if os.path.isfile(t)]
        if existing:
            self.ask_overwrite(targets, existing)
            return None
        return self.run(targets)

    def ask_overwrite(self, targets: list[Path], existing: list[Path]) -> QMessageBox:
        if len(existing) == 1:
            text = f"{existing[0].name} already exists in {existing[0].parent}. Replace it?"
        else:
            text = f"{len(existing)} of the files already exist in {existing[0].parent}. Replace them?"
        buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
        box = QMessageBox(QMessageBox.Icon.Question, "Replace?", text, buttons, self)
        box.setObjectName("exportOverwrite")
        box.setDefaultButton(QMessageBox.StandardButton.No)
        if len(existing) > 1:
            box.setDetailedText("\n".join(str(p) for p in existing))

        def answered(button: int) -> None:
            if button == QMessageBox.StandardButton.Yes:
                self.run(targets)
            else:
                self.window_.statusBar().showMessage(NOT_REPLACED, 6000)

        box.finished.connect(answered)
        self.confirm_box = box
        box.open()
        return box

    def run(self, targets: list[Path]) -> Task:
        w = self.window_
        fmt, options = self.fmt(), self.options()
        doc_ids = [doc_id for doc_id, _title in self.docs]
        combined = self.combined()
        db_path, model_key = w.db_path, w.models.model_key_or_none()
        # A format without sentence pairs (Anki: saved phrases) is not short of translations.
        warn_missing = Carries.USER_VERSIONS in fmt.carries
        warnings: list[str] = []  # filled by the worker, read once it has finished
        written: list[Path] = []
        self._remember(targets)

        def work(ctx: TaskContext) -> list[Path]:
            from reader.document import document_view
            from reader.export import export_to_file, untranslated_warning, write_export

            with store.connection(db_path) as db:
                opts = dataclasses.replace(options, db=db)
                if combined:
                    views = [document_view(db, doc_id, model_key) for doc_id in doc_ids]
                    if warn_missing:
                        warnings.extend(m for m in map(untranslated_warning, views) if m)
                    content = fmt.write(views, opts)  # type: ignore[arg-type]  # MANY_DOCUMENTS writers
                    if isinstance(content, str) and not content.endswith("\n"):
                        content += "\n"
                    written.append(write_export(targets[0], content))
                    ctx.progress(len(doc_ids), len(doc_ids))
                    return written
                for n, (doc_id, target) in enumerate(zip(doc_ids, targets, strict=True)):
                    if ctx.cancelled():
                        break
                    warn = warnings.append if warn_missing else None
                    written.append(export_to_file(db, doc_id, model_key, target, fmt.name, opts, warn=warn))
                    ctx.progress(n + 1, len(doc_ids))
            return written

        def done(paths: list[Path]) -> None:
            self.task = None
            self._busy(False)
            w.statusBar().showMessage(self.summary(paths, warnings), 12000)
            self.accept()
            self.exported.emit(paths)
            w.exported.emit(paths[0] if len(paths) == 1 else paths)

        def failed(err: BaseException) -> None:
            self.task = None
            self._busy(False)
            self.show_failure(err)
            if written:  # files before the failing one are whole and stay: say so
                self.error_label.setText(
                    f"{self.error_label.text()} ({plural(len(written), 'file')} written before it.)"
                )
            w.statusBar().clearMessage()
            self.exported.emit(err)
            w.exported.emit(err)

        def cancelled() -> None:
            self.task = None
            self._busy(False)
            w.statusBar().showMessage(
                f"Export cancelled: {plural(len(written), 'file')} written, each complete.", 8000
            )
            self.exported.emit(list(written))

        def progress(done_n: int, total: int) -> None:
            self.progress.setValue(done_n)
            if total > 1:
                w.statusBar().showMessage(f"Exporting… {done_n} of {total} documents")

        self._busy(True)
        w.statusBar().showMessage("Exporting…")
        self.task = w.runner.run(work, label=f"export:{targets[0]}", on_done=done, on_error=failed,
                                 on_cancelled=cancelled, on_progress=progress)
        return self.task

    def summary(self, paths: list[Path], warnings: list[str]) -> str:
        """The status bar's sentence: what was written, what it lacks, whose English it is."""
        if len(paths) == 1 and len(self.docs) == 1:
            msg = f"Exported “{self.docs[0][1]}” to {paths[0]}."
        elif len(paths) == 1:
            msg = f"Exported {len(self.docs)} documents to {paths[0]}."
        else:
            msg = f"Exported {len(paths)} documents into {paths[0].parent}, one file each."
        if len(warnings) == 1:  # e.g. "4 of 5 sentences … are not translated yet"
            msg += f" {warnings[0][0].upper()}{warnings[0][1:]}."
        elif warnings:
            msg += (f" {len(warnings)} of the {len(self.docs)} documents are not fully translated yet, so "
                    "part of their English is empty: let the translation finish and export again.")
        if self.test_model:
            msg += f" Note: {TEST_MODEL_EXPORT_NOTE}."
        return msg

    def show_failure(self, err: BaseException) -> None:
        text = str(err) if isinstance(err, ReaderError) else f"Could not export: {type(err).__name__}: {err}"
        self.error_label.setText(text)
        self.error_label.show()

    def _busy(self, on: bool) -> None:
        self.progress.setVisible(on and self.several())
        self.progress.setValue(0)
        for widget in (self.export_button, self.format_box, self.layout_box, self.path_edit, self.folder_edit,
                       self.path_button, self.folder_button, self.each_radio, self.combined_radio,
                       *self.include_boxes.values()):
            widget.setEnabled(not on)
        if not on:
            self._format_changed()  # back to what the format allows

    def reject(self) -> None:
        """Cancel (or Esc) while exporting stops after the current file; each written file is whole."""
        if self.task is not None:
            self.task.cancel()
            return
        super().reject()
