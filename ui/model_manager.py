"""The Model menu and the model banner: which translation model is installed, downloading or
installing one, and where the dictionary is.

A new model resets the engine holder and reopens the open document, so its sentences are looked
up in the cache of the new model (a model's translations are cached under its own key).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog

from reader.errors import DictionaryError, ModelError, ReaderError
from reader.services import DICTIONARY_SETTING
from ui.status_text import ERROR_BANNER, MODEL_BANNER
from ui.tasks import Task, TaskContext

if TYPE_CHECKING:
    from argostranslate.package import Package

    from ui.main_window import MainWindow

FROM, TO = "nl", "en"
DICTIONARY_FILTER = "dictd dictionaries (*.index *.dict.dz *.dict);;All files (*)"
OFFLINE_GUI_TEXT = (
    "{what}: check your internet connection, or use Install from file… with a "
    "translate-nl_en .argosmodel downloaded elsewhere."
)
NO_MODEL_TEXT = (
    "No Dutch → English translation model is installed, so only the Dutch text is "
    "shown. Download the model (about 100 MB) or install an .argosmodel file."
)


def installed_message(package: Package) -> str:
    version = getattr(package, "package_version", None)
    message = f"Installed Dutch → English model ({version})" if version else "Installed Dutch → English model"
    replaced = getattr(package, "replaces", None)  # set by models.packages.install_file
    return f"{message}, replacing {', '.join(replaced)}." if replaced else f"{message}."


def gui_model_error(err: BaseException) -> str:
    """A download failure in GUI words: no raw socket error, no command line to type."""
    text = str(err)
    if isinstance(err, ModelError) and text.startswith("Could not reach "):
        what = text.split(" (", 1)[0]
        return OFFLINE_GUI_TEXT.format(what=what)
    return text if isinstance(err, ReaderError) else f"The model could not be installed: {err!r}."


class ModelManager:
    """The window's model room: the installed package, the Model menu's actions, the banner."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.task: Task | None = None  # a download or an install

    def has_package(self) -> bool:
        try:
            self.window.engines.package()
        except ReaderError:
            return False
        return True

    def model_key_or_none(self) -> str | None:
        try:
            return self.window.engines.model_key()
        except ReaderError:
            return None

    def show_state(self, package: Package | None, error: ReaderError | None) -> None:
        """The test-model badges, and the banner offering a model when there is none."""
        from models.packages import is_test_package

        w = self.window
        test = package is not None and is_test_package(package)
        w.test_badge.setVisible(test)
        w.header.set_test_model(test)
        if package is not None:
            w.banners.remove(MODEL_BANNER)
            return
        text = NO_MODEL_TEXT
        if error is not None and "download" not in str(error):
            text = str(error)
        w.banners.show_banner(
            MODEL_BANNER,
            "warning",
            text,
            [
                ("Download Dutch → English model", self.download),
                ("Install from file…", self.install_dialog),
            ],
            closable=True,
        )

    def download(self) -> Task | None:
        w = self.window
        if self.task is not None and self.task.is_running():
            return self.task

        def work(ctx: TaskContext) -> Package:
            from models.packages import download

            return download(FROM, TO, progress=ctx.progress, cancelled=ctx.cancelled)

        w.show_progress("Downloading the Dutch → English model…", 0, 0)
        self.task = w.runner.run(
            work,
            label="download",
            on_progress=lambda done, total: w.show_progress(
                f"Downloading the Dutch → English model: {done * 100 // max(total, 1)}%", done, total
            ),
            on_done=lambda pkg: self._ready(installed_message(pkg)),
            on_error=self._failed,
            on_cancelled=lambda: self._failed(None),
        )
        return self.task

    def install_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self.window,
            "Install translation model",
            str(Path.home()),
            "Argos models (*.argosmodel);;All files (*)",
        )
        if path:
            self.install_file(path)

    def install_file(self, path: str | Path) -> Task:
        def work(ctx: TaskContext) -> Package:
            from models.packages import install_file

            return install_file(path, expect_pair=(FROM, TO))

        self.window.show_progress("Installing the model…", 0, 0)
        self.task = self.window.runner.run(
            work,
            label="install",
            on_done=lambda pkg: self._ready(installed_message(pkg)),
            on_error=self._failed,
        )
        return self.task

    def cancel(self) -> None:
        if self.task is not None and self.task.is_running():
            self.task.cancel()

    def choose_dictionary(self, path: str | Path | None = None) -> bool:
        """Remember where the dictionary is (a folder, its .index or its .dict.dz file); a
        place without one is refused with the dictionary's own message, the setting unchanged."""
        w = self.window
        if path is None:
            from reader.dictionary import DEFAULT_DIR

            start = w.setting(DICTIONARY_SETTING) or str(DEFAULT_DIR if DEFAULT_DIR.is_dir() else Path.home())
            title = "Choose the Dutch–English dictionary"
            path, _ = QFileDialog.getOpenFileName(w, title, start, DICTIONARY_FILTER)
            if not path:
                return False
        from reader.dictionary import find_files

        path = Path(path).expanduser().resolve()
        try:
            index, _data = find_files(path)
        except DictionaryError as err:
            w.show_error(err)
            return False
        w.set_setting(DICTIONARY_SETTING, str(path))
        w.banners.remove(ERROR_BANNER)
        w.words.dictionary_changed()
        w.statusBar().showMessage(f"Looking words up in {index}.", 6000)
        return True

    def _ready(self, message: str) -> None:
        w = self.window
        self.task = None
        w.hide_progress()
        w.engines.reset()
        w.banners.remove(MODEL_BANNER)
        w.statusBar().showMessage(message, 6000)
        doc_id = w.doc_id
        if doc_id is not None:
            w.doc_id = None  # open it again: the new model's cache
            w.open_document(doc_id)
        w.refresh_library()
        w.model_installed.emit()

    def _failed(self, err: BaseException | None) -> None:
        w = self.window
        self.task = None
        w.hide_progress()
        if err is None:
            w.statusBar().showMessage("Model download cancelled.", 5000)
            return
        text, detail = gui_model_error(err), str(err) if isinstance(err, ReaderError) else repr(err)
        banner = w.banners.banner(MODEL_BANNER)
        if banner is not None:
            banner.set_text(text)
            banner.set_kind("error")
        else:
            w.banners.show_banner(ERROR_BANNER, "error", text)
            banner = w.banners.banner(ERROR_BANNER)
        banner.setToolTip(detail)
        banner.label.setToolTip(detail)
