"""Test environment: offscreen Qt, every data folder in a temporary place, real test packages.

The environment is set at import time because argostranslate.settings reads it when first imported.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
from pathlib import Path

_SANDBOX = Path(tempfile.mkdtemp(prefix="bireader-tests-"))
os.environ["QT_QPA_PLATFORM"] = "offscreen"
for _var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
    os.environ[_var] = str(_SANDBOX / _var.lower())
os.environ["ARGOS_PACKAGES_DIR"] = str(_SANDBOX / "argos-packages")
os.environ["BIREADER_HOME"] = str(_SANDBOX / "home")
os.environ["BIREADER_ALLOW_TEST_PACKAGE"] = "1"  # `bireader translate` refuses test packages otherwise

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEED = next((ROOT / "seeds").glob("*.txt"))


@pytest.fixture(autouse=True)
def bireader_home(tmp_path, monkeypatch) -> Path:
    """A fresh, empty BIREADER_HOME for every test."""
    home = tmp_path / "bireader-home"
    monkeypatch.setenv("BIREADER_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def no_leaked_threads():
    """Fail any test that leaves a Python thread running (as napari does)."""
    before = set(threading.enumerate())
    yield
    leaked = [t for t in threading.enumerate() if t not in before and t.is_alive()]
    for t in leaked:  # a worker may be returning from its last callback: a short grace, no more
        t.join(timeout=1)
    leaked = [t for t in leaked if t.is_alive()]
    assert not leaked, f"test left threads running: {leaked}"
    if "PySide6.QtCore" in sys.modules:
        from PySide6.QtCore import QThreadPool

        pool = QThreadPool.globalInstance()
        assert pool.waitForDone(1000), f"test left {pool.activeThreadCount()} Qt pool threads running"


@pytest.fixture(scope="session")
def tiny_package_file(tmp_path_factory) -> Path:
    """A real, tiny nl->en .argosmodel built from seeded weights (output is gibberish)."""
    from models.testpackage import build_package

    out = tmp_path_factory.mktemp("pkg") / "translate-nl_en-tiny.argosmodel"
    return build_package(out, size="tiny", from_code="nl", to_code="en")


@pytest.fixture(scope="session")
def _installed_tiny(tiny_package_file, tmp_path_factory) -> Path:
    pkgdir = tmp_path_factory.mktemp("argos-packages")
    old = os.environ.get("ARGOS_PACKAGES_DIR")
    os.environ["ARGOS_PACKAGES_DIR"] = str(pkgdir)
    try:
        from models import packages

        packages.install_file(tiny_package_file)
    finally:
        if old is not None:
            os.environ["ARGOS_PACKAGES_DIR"] = old
    return pkgdir


@pytest.fixture
def tiny_package(_installed_tiny, monkeypatch):
    """The tiny nl->en package installed in ARGOS_PACKAGES_DIR for this test."""
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(_installed_tiny))
    from models import packages

    return packages.find_package("nl", "en")


@pytest.fixture
def empty_packages(tmp_path, monkeypatch) -> Path:
    d = tmp_path / "no-packages"
    d.mkdir()
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(d))
    return d


@pytest.fixture
def db(tmp_path):
    """A real SQLite file with the current schema."""
    from reader.store import open_db

    return open_db(tmp_path / "test.sqlite")


@pytest.fixture
def make_window(qtbot):
    """A real main window, shown offscreen; pytest-qt closes it after the test."""
    from ui.main_window import MainWindow

    def make(size: tuple[int, int] | None = (1200, 800)) -> MainWindow:
        window = MainWindow()
        qtbot.addWidget(window)
        if size:
            window.resize(*size)
        window.show()
        qtbot.waitExposed(window)
        return window

    return make
