"""How much faster reopening a translated document is than translating it.

Builds the base-size test package, imports a long article (the sample article repeated with every
sentence varied, " (deel N)", so no sentence repeats), translates it with the real engine (the
baseline), then times what the reader does when it reopens the document: a fresh connection
(``open_db``), ``document_view`` and ``load_translations``. Everything lives in a temporary folder.

Usage: python bench/cache_reopen.py [--sentences 300] [--repeat 5]
Last line: ``cache_speedup=Z`` (translate time / reopen time; goal >= 50).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, SEED, prepare_environment


def _vary(sentence: str, n: int) -> str:
    """The sentence with " (deel N)" before its final punctuation, so every copy is distinct."""
    end = len(sentence.rstrip(".!?…\"'”"))
    return f"{sentence[:end]} (deel {n}){sentence[end:]}"


def long_article_text(n_sentences: int) -> str:
    from reader.importer import read_article
    from reader.segment import split_sentences

    seed = read_article(SEED)
    paragraphs: list[str] = []
    count, copy = 0, 0
    while count < n_sentences:
        copy += 1
        for p in seed.paragraphs:
            sentences = split_sentences(p.text)[: n_sentences - count]
            if not sentences:
                break
            paragraphs.append(" ".join(_vary(s, copy) for s in sentences))
            count += len(sentences)
    return "\n\n".join(paragraphs) + "\n"


def reopen(db_path: Path, doc_id: int, model_key: str) -> tuple[float, int]:
    """Seconds to open a fresh connection and load the document with every translation."""
    from reader.document import document_view
    from reader.pipeline import load_translations
    from reader.store import open_db

    start = time.perf_counter()
    db = open_db(db_path)
    view = document_view(db, doc_id, model_key)
    translations = load_translations(db, doc_id, model_key)
    elapsed = time.perf_counter() - start
    db.close()
    assert all(s.translation is not None for s in view.sentences())
    return elapsed, len(translations)


def fresh_process_seconds(db_path: Path, doc_id: int, model_key: str) -> float:
    """Wall time of a new Python process that reopens the document (imports included)."""
    code = (
        "import sys; sys.path[:0] = [sys.argv[1], sys.argv[1] + '/bench']\n"
        "from bench.cache_reopen import reopen\n"
        "reopen(__import__('pathlib').Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4])\n"
    )
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", code, str(ROOT), str(db_path), str(doc_id), model_key], check=True
    )
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5, help="reopen timings (median taken)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bireader-bench-") as tmp_name:
        tmp = Path(tmp_name)
        prepare_environment(tmp)
        from models import packages
        from models.engine import Engine
        from models.testpackage import build_package
        from reader.config import db_path
        from reader.pipeline import import_file, translate_document
        from reader.store import document_sentences, open_db

        start = time.perf_counter()
        packages.install_file(build_package(tmp / "base.argosmodel", size="base"))
        engine = Engine(packages.find_package("nl", "en"))
        print(f"package built and loaded in {time.perf_counter() - start:.1f} s")

        article = tmp / "long-article.txt"
        article.write_text(long_article_text(args.sentences), encoding="utf-8")
        db = open_db()
        doc_id, _ = import_file(db, article)
        n = len(document_sentences(db, doc_id))
        print(f"document: {n} sentences")

        start = time.perf_counter()
        stats = translate_document(db, doc_id, engine)
        translate_s = time.perf_counter() - start
        db.close()
        print(f"translate (baseline): {translate_s:.3f} s for {stats.translated} sentences "
              f"({stats.translated / translate_s:.1f} sentences/s)")

        timings = []
        for _ in range(args.repeat):
            seconds, loaded = reopen(db_path(), doc_id, engine.model_key)
            timings.append(seconds)
        reopen_s = statistics.median(timings)
        print(f"reopen (fresh connection, median of {args.repeat}): {reopen_s * 1000:.1f} ms "
              f"for {loaded} translations; ratio {reopen_s / translate_s:.4f} of baseline")
        process_s = fresh_process_seconds(db_path(), doc_id, engine.model_key)
        print(f"reopen in a fresh process (interpreter and imports included): {process_s:.2f} s;"
              f" ratio {process_s / translate_s:.3f} of baseline")
        print(f"cache_speedup={translate_s / reopen_s:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
