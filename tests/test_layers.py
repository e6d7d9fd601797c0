"""The layer rule: the core and the models never import Qt (checked on the source, as napari does)."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_and_models_never_import_qt():
    offenders = []
    files = sorted((ROOT / "reader").rglob("*.py")) + sorted((ROOT / "models").rglob("*.py"))
    assert len(files) >= 5
    for path in files:
        for name in _imports(path):
            if name.split(".")[0] in {"PySide6", "PyQt5", "PyQt6", "shiboken6"}:
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not offenders, offenders


def test_ui_holds_no_sqlite_or_engine_calls():
    """ui/ talks to reader/ and models/ functions, never to sqlite3 or ctranslate2 directly."""
    offenders = []
    for path in sorted((ROOT / "ui").rglob("*.py")):
        for name in _imports(path):
            if name.split(".")[0] in {"sqlite3", "ctranslate2", "sentencepiece"}:
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not offenders, offenders


# ---------------------------------------------------------------- the contract, checked by import-linter


def _lint_imports(cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("lint-imports")
    return subprocess.run(
        [str(exe), "--no-cache"], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def test_the_layer_contract_holds():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_the_layer_contract_catches_the_core_importing_the_window(tmp_path):
    """The same contracts, on a tree whose core imports the window and whose models import the core."""
    config = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    section = config[config.index("[tool.importlinter]"):]
    (tmp_path / "pyproject.toml").write_text(section, encoding="utf-8")
    for package, body in {
        "ui": "",
        "reader": "def launch():\n    from ui import window  # noqa\n",
        "models": "from reader import launch  # noqa\n",
    }.items():
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text(body, encoding="utf-8")
    (tmp_path / "ui" / "window.py").write_text("import PySide6  # noqa\n", encoding="utf-8")
    (tmp_path / "reader" / "gui.py").write_text("from PySide6 import QtWidgets  # noqa\n", encoding="utf-8")

    result = _lint_imports(tmp_path, env={**os.environ, "PYTHONPATH": str(tmp_path)})

    assert result.returncode == 1, result.stdout + result.stderr
    assert "0 kept, 2 broken" in result.stdout
    assert "reader is not allowed to import ui" in result.stdout
    assert "models is not allowed to import reader" in result.stdout
    assert "reader.gui -> PySide6" in result.stdout


def test_the_core_command_line_opens_no_window_of_its_own(capsys):
    """`python -m reader.cli open` cannot start the GUI (the core never imports it): it says how."""
    from reader.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["open", "article.txt"])
    assert exit_info.value.code == 2
    assert "started by the `bireader` command" in capsys.readouterr().err


def test_the_bireader_command_plugs_the_window_in(tmp_path):
    """The installed `bireader` goes through ui.launcher, which hands the core its window: `open`
    renders the sample offscreen, through the core's command line."""
    from ui import launcher

    seed = next((ROOT / "seeds").glob("*.txt"))
    out = tmp_path / "shot.png"
    assert launcher.main(["open", str(seed), "--screenshot", str(out), "--size", "800x500"]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    script = Path(sys.executable).with_name("bireader").read_text(encoding="utf-8")
    assert "from ui.launcher import main" in script
