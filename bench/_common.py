"""What every benchmark shares: the sample article and a throw-away home for all data folders."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = next((ROOT / "seeds").glob("*.txt"))
if str(ROOT) not in sys.path:  # run as `python bench/x.py` without installing the project
    sys.path.insert(0, str(ROOT))


def prepare_environment(tmp: Path) -> None:
    """Point every data folder at ``tmp`` before argostranslate (which reads them on import) or Qt
    is imported, so a benchmark never touches the user's library or packages."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        os.environ[var] = str(tmp / var.lower())
    os.environ["ARGOS_PACKAGES_DIR"] = str(tmp / "packages")
    os.environ["BIREADER_HOME"] = str(tmp / "home")


def gui_bench_args(description: str, prefix: str, argv: list[str] | None = None):
    """The GUI benches' shared options; returns (args, (width, height), a fresh sandbox folder)
    with the environment already pointed at it."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--paragraphs", type=int, default=2000)
    parser.add_argument("--size", default="1400x900")
    args = parser.parse_args(argv)
    size = tuple(int(v) for v in args.size.split("x"))
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    prepare_environment(tmp)
    return args, size, tmp


def translated_library(tmp: Path, long_text: str) -> tuple[int, int]:
    """The sample and a long document, imported and translated (with attention) by a freshly
    built tiny test package; returns their document ids."""
    from models import packages
    from models.engine import Engine
    from models.testpackage import build_package
    from reader import store
    from reader.importer import parse_text
    from reader.pipeline import translate_document

    packages.install_file(build_package(tmp / "tiny.argosmodel", size="tiny"))
    with store.connection() as db:
        small, _ = store.add_document(db, parse_text(SEED.read_text(encoding="utf-8")))
        big, _ = store.add_document(db, parse_text(long_text))
        engine = Engine.for_pair()
        for doc_id in (small, big):
            translate_document(db, doc_id, engine)
    return small, big
