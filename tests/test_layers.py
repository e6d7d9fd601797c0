"""The layer rule: the core and the models never import Qt (checked on the source, as napari does)."""

import ast
from pathlib import Path

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
