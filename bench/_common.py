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


def gui_bench_args(
    description: str,
    prefix: str,
    argv: list[str] | None = None,
    extra: tuple[tuple[str, type, object], ...] = (),
):
    """The GUI benches' shared options; returns (args, (width, height), the sandbox folder) with the
    environment already pointed at it: a fresh one, or ``--workdir`` to reuse a library built by
    an earlier run with the same options (building one with the base package takes long)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--paragraphs", type=int, default=2000)
    parser.add_argument("--size", default="1400x900")
    parser.add_argument(
        "--package",
        choices=["tiny", "base"],
        default="tiny",
        help="test package that translates the library (base: realistic row sizes, but slow to build)",
    )
    parser.add_argument("--workdir", type=Path, help="keep the library here and reuse it on the next run")
    for flag, kind, default in extra:
        parser.add_argument(flag, type=kind, default=default)
    args = parser.parse_args(argv)
    size = tuple(int(v) for v in args.size.split("x"))
    if args.workdir is not None:
        tmp = args.workdir.resolve()
        tmp.mkdir(parents=True, exist_ok=True)
    else:
        tmp = Path(tempfile.mkdtemp(prefix=prefix))
    prepare_environment(tmp)
    return args, size, tmp


def translated_library(tmp: Path, long_text: str, package: str = "tiny") -> tuple[int, int]:
    """The sample and a long document, imported and translated (with attention) by a freshly
    built test package of size ``package``; returns their document ids.

    A library already in ``tmp`` made from the same text and package is reused (see
    ``gui_bench_args``' ``--workdir``).  The library is translated in large batches: the batch size
    changes only the speed, not the cache key, so the window finds every row as it would after
    translating the document itself.
    """
    import hashlib
    import json

    key = hashlib.sha256(f"{package}\n{long_text}".encode()).hexdigest()[:16]
    marker = library_marker(tmp)
    if marker.exists():
        ready = json.loads(marker.read_text())
        if ready.get("key") == key:
            return ready["small"], ready["big"]
        raise SystemExit(f"{tmp} holds a library built with other options: remove it or use another folder")

    from models import packages
    from models.engine import DecodeSettings, Engine
    from models.testpackage import build_package
    from reader import store
    from reader.importer import parse_text
    from reader.pipeline import translate_document

    packages.install_file(build_package(tmp / f"{package}.argosmodel", size=package))
    with store.connection() as db:
        small, _ = store.add_document(db, parse_text(SEED.read_text(encoding="utf-8")))
        big, _ = store.add_document(db, parse_text(long_text))
        # one big batch at a time (older engines have no time budget: they batch by size only)
        fast = {"batch_seconds": None} if "batch_seconds" in DecodeSettings.__dataclass_fields__ else {}
        engine = Engine.for_pair(settings=DecodeSettings(**fast))
        for doc_id in (small, big):
            translate_document(db, doc_id, engine)
    marker.write_text(json.dumps({"key": key, "small": small, "big": big}))
    return small, big


def library_marker(tmp: Path) -> Path:
    """The file that says a finished library is in ``tmp``, and made from what."""
    return tmp / "library-ready.json"


def count_sentences(text: str) -> int:
    """Sentences of a text as the importer and the store split it."""
    from reader.importer import parse_text
    from reader.segment import split_sentences

    return sum(len(split_sentences(p.text)) for p in parse_text(text).paragraphs)
