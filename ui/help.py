"""Help → Keyboard Shortcuts and Help → About.

The shortcut list is read from the window's own menus and actions when the dialog opens, so it
cannot drift from what the keys do; only the reading view's plain keys (handled in its
``keyPressEvent``, not by actions) are listed here, as in the README.
"""

from __future__ import annotations

import html
import json
import re
from importlib import metadata
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

APP_DISTRIBUTION = "bilingual-reader"
APP_LICENSE = "MIT"
# Keys the reading view handles itself (ui/reader_view.py keyPressEvent and its inline editor).
VIEW_KEYS = [
    ("Down / J", "Next sentence", "Reading"),
    ("Up / K", "Previous sentence", "Reading"),
    ("Space", "Scroll down one screen", "Reading"),
    ("Home / End", "Beginning / end of the article", "Reading"),
    ("Esc", "Clear the selection and the current sentence", "Reading"),
    ("Ctrl+C", "Copy the selected text", "Reading"),
    ("Enter", "Save the translation being edited", "Editing a translation"),
    ("Shift+Enter", "New line in the translation being edited", "Editing a translation"),
    ("Esc", "Cancel the edit", "Editing a translation"),
    ("Enter", "Open the selected article", "Library"),
]
NO_LICENCE_FOUND = "not stated in the package; see the package's README"
LICENCE_LINE = re.compile(r"licen[cs]e", re.IGNORECASE)
README_LIMIT = 200_000  # bytes read from a package's README (it is a small text file)


# --------------------------------------------------------------------------- shortcuts


def menu_shortcuts(window: QWidget) -> list[tuple[str, str, str]]:
    """(keys, command, menu) for every action with a shortcut in the window's menu bar, in menu order."""
    rows: list[tuple[str, str, str]] = []

    def walk(menu: QMenu, where: str) -> None:
        for action in menu.actions():
            if action.menu() is not None:
                walk(action.menu(), f"{where} → {_plain(action.text())}")
            elif action.shortcuts():
                rows.append((_keys(action), _plain(action.text()), where))

    for top in window.menuBar().actions():
        if top.menu() is not None:
            walk(top.menu(), _plain(top.text()))
    return rows


def widget_shortcuts(widget: QWidget, where: str) -> list[tuple[str, str, str]]:
    """(keys, command, where) for the actions a widget carries itself (e.g. Delete in the library)."""
    return [(_keys(a), _plain(a.text()), where) for a in widget.actions() if a.shortcuts()]


def all_shortcuts(window: Any) -> list[tuple[str, str, str]]:
    rows = menu_shortcuts(window)
    library = getattr(window, "library", None)
    if library is not None:
        rows += widget_shortcuts(library.list, "Library")
    return rows + VIEW_KEYS


def _keys(action: QAction) -> str:
    return " or ".join(s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts())


def _plain(text: str) -> str:
    """A menu text without its mnemonic ampersand and ellipsis."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()


class ShortcutsDialog(QDialog):
    """A table of every key: the window's actions first, then the reading view's own keys."""

    def __init__(self, window: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent or window)
        self.setWindowTitle("Keyboard Shortcuts")
        self.setObjectName("shortcutsDialog")
        self._rows = all_shortcuts(window)
        layout = QVBoxLayout(self)
        self.table = QTableWidget(len(self._rows), 3)
        self.table.setHorizontalHeaderLabels(["Keys", "Command", "Where"])
        for r, row in enumerate(self._rows):
            for c, text in enumerate(row):
                item = QTableWidgetItem(text)
                if c == 0:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(r, c, item)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(620, 660)

    def rows(self) -> list[tuple[str, str, str]]:
        return list(self._rows)


# --------------------------------------------------------------------------- about


def app_version() -> str:
    try:
        return metadata.version(APP_DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "unknown (not installed as a package)"


def app_license() -> str:
    try:
        return metadata.metadata(APP_DISTRIBUTION).get("License") or APP_LICENSE
    except metadata.PackageNotFoundError:
        return APP_LICENSE


def package_licence(package_path: str | Path) -> str:
    """The model's licence as its package states it: a ``license`` field of metadata.json, else the
    README's line(s) that mention a licence; otherwise ``NO_LICENCE_FOUND``."""
    folder = Path(package_path)
    try:
        with open(folder / "metadata.json", encoding="utf-8") as f:
            meta = json.loads(f.read(README_LIMIT))
        for key in ("license", "licence", "License"):
            if isinstance(meta, dict) and isinstance(meta.get(key), str) and meta[key].strip():
                return meta[key].strip()
    except (OSError, ValueError):
        pass  # no readable metadata: the README may still name the licence
    try:
        with open(folder / "README.md", encoding="utf-8", errors="replace") as f:
            text = f.read(README_LIMIT)
    except OSError:
        return NO_LICENCE_FOUND
    lines = [line.strip(" #*-\t") for line in text.splitlines()]
    for i, line in enumerate(lines):
        if LICENCE_LINE.search(line):
            found = line
            if len(line.rstrip(":")) <= len("License") + 1 and i + 1 < len(lines):  # a heading
                found = next((nxt for nxt in lines[i + 1 :] if nxt), line)
            return found[:300]
    return NO_LICENCE_FOUND


def model_facts(engines: Any) -> dict[str, str]:
    """What the About box says of the model: ``model`` (name and version, or that none is
    installed) and ``licence``."""
    from reader.errors import ReaderError

    try:
        package = engines.package()
    except ReaderError:
        return {"model": "No translation model is installed.", "licence": ""}
    from models.packages import is_test_package

    name = f"{package.from_name or package.from_code} → {package.to_name or package.to_code}"
    code = getattr(package, "code", None) or f"translate-{package.from_code}_{package.to_code}"
    model = f"{name} ({code}, version {package.package_version or 'unknown'})"
    if is_test_package(package):
        model += ": a TEST package, its output is not a translation"
    path = package.package_path
    return {"model": model, "licence": package_licence(path), "path": str(path)}


def dictionary_facts(configured: str | None) -> str | None:
    """Where the FreeDict dictionary in use is, or None when there is none."""
    from reader.dictionary import find_files
    from reader.errors import DictionaryError

    try:
        index, _data = find_files(configured)
    except DictionaryError:
        return None
    return str(index)


def about_html(window: Any) -> str:
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import qVersion

    from ui.words import DICTIONARY_SETTING

    model = model_facts(window.engines)
    dictionary = dictionary_facts(window.setting(DICTIONARY_SETTING))
    e = html.escape
    parts = [
        f"<h2>Bilingual Reader {e(app_version())}</h2>",
        "<p>Read a Dutch article side by side with its offline English machine translation.</p>",
        f"<p><b>Translation model:</b> {e(model['model'])}",
    ]
    if model["licence"]:
        parts.append(f"<br>Model licence: {e(model['licence'])} ({e(model['path'])})")
    parts.append("</p><p><b>Dictionary:</b> ")
    if dictionary:
        parts.append(f"FreeDict Dutch–English (nld-eng), licence GPL-2.0-or-later ({e(dictionary)})")
    else:
        parts.append("none found (word look-ups need Debian's dict-freedict-nld-eng)")
    parts += [
        "</p><p><b>Licences</b><br>",
        f"Bilingual Reader: {e(app_license())}<br>",
        f"Qt {e(qVersion())} and PySide6 {e(pyside_version)}: LGPL-3.0<br>",
        "Argos Translate and CTranslate2: MIT; SentencePiece: Apache-2.0; simplemma: MIT</p>",
    ]
    return "".join(parts)


class AboutDialog(QDialog):
    def __init__(self, window: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent or window)
        self.setWindowTitle("About Bilingual Reader")
        self.setObjectName("aboutDialog")
        layout = QVBoxLayout(self)
        self.label = QLabel(about_html(window))
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)

    def text(self) -> str:
        """The dialog's text without markup."""
        return _plain_html(self.label.text())


def _plain_html(text: str) -> str:
    text = re.sub(r"<br>|</p>|</h2>", "\n", text)
    return html.unescape(re.sub(r"<[^>]+>", "", text))
