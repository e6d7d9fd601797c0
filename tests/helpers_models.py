"""Shared pieces for the models tests: the sample article's sentences and package-zip surgery."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = next((ROOT / "seeds").glob("*.txt"))


def read_sample_sentences() -> list[str]:
    """Every sentence of the sample article, as the app segments it."""
    from reader.segment import split_sentences

    text = SEED.read_text(encoding="utf-8")
    return [s for line in text.splitlines() if line.strip() for s in split_sentences(line)]


def rewrite_package(
    source: Path,
    out: Path,
    *,
    drop: Callable[[str], bool] = lambda name: False,
    metadata: Callable[[dict], dict] | None = None,
    rename_top: str | None = None,
    extra: dict[str, bytes] | None = None,
) -> Path:
    """A copy of an .argosmodel with members dropped, metadata edited or the top folder renamed."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            name = info.filename
            if drop(name):
                continue
            data = zin.read(name)
            if metadata is not None and name.endswith("/metadata.json"):
                data = json.dumps(metadata(json.loads(data))).encode()
            if rename_top is not None:
                name = rename_top + name[name.index("/") :]
            zout.writestr(name, data)
        for name, data in (extra or {}).items():
            zout.writestr(name, data)
    return out


def tree(folder: Path) -> list[str]:
    """Everything under ``folder`` (hidden entries included), to prove nothing was written."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))
