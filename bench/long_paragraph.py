"""Long paragraphs with no punctuation: storage and memory must grow linearly with the length.

Builds the base-size test package (Transformer-base, int8, random weights) once, then for each
size (10 KB, 50 KB, 200 KB) runs a fresh child process, so each peak RSS is honest, that does what
the window does with such a file: import it (one line of distinct Dutch words, no punctuation),
translate every sentence through ``pipeline.translate_document`` and align every sentence through
``alignments.document_alignments`` (with the dictionary when installed). The words are drawn at
random from the sample article and, when installed, the FreeDict headwords: no phrase repeats.

Storage is what the library keeps for the document beyond its text: the translation rows (tokens,
attention, alternatives) and the alignment rows, in bytes per source character.

With ``--direct`` the line bypasses the segmenter (which cuts run-on text into display sentences
of a few hundred characters): the engine translates it as one input of hundreds of chunks, the
store keeps it and the aligner aligns it, which shows that they stay linear on their own.

Usage: python bench/long_paragraph.py [--sizes 10,50,200] [--seed 3] [--direct]
Last line: ``bytes_per_char_ratio=X peak_rss_mb=Y`` (X = bytes per character of the largest size
over the smallest's, goal <= 1.5; Y = the largest size's peak RSS, goal < 1000).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import SEED, prepare_environment

THREADS = {"intra_threads": 2, "inter_threads": 1}


def word_list() -> list[str]:
    """Dutch words from the sample article and, when installed, the dictionary's headwords."""
    words = {w.strip(".,:;?!'\"()").lower() for w in SEED.read_text(encoding="utf-8").split()}
    try:
        from reader.dictionary import Dictionary

        d = Dictionary.open()
        words |= {w for w in d._headwords() if w.isalpha() and 2 < len(w) < 16}  # noqa: SLF001
    except Exception:  # noqa: BLE001 - no dictionary: the article's words alone
        pass  # the vocabulary is then the article's words
    return sorted(w for w in words if w.isalpha())


def line_of(n_chars: int, seed: int) -> str:
    """``n_chars`` of random distinct-looking Dutch words separated by spaces, no punctuation."""
    rng = random.Random(seed)
    words = word_list()
    out: list[str] = []
    length = 0
    while length < n_chars:
        word = rng.choice(words)
        out.append(word)
        length += len(word) + 1
    return " ".join(out)[:n_chars].rstrip()


def direct(size_kb: int, seed: int, folder: Path) -> None:
    """Translate, store and align the line as one sentence; print a JSON report."""
    from models.engine import DecodeSettings, Engine
    from reader import store
    from reader.alignments import open_dictionary_or_none, sentence_alignment

    text = line_of(size_kb * 1000, seed)
    started = time.perf_counter()
    with store.connection(folder / f"direct-{size_kb}kb.sqlite") as db:
        engine = Engine.for_pair(settings=DecodeSettings(**THREADS))
        [result] = engine.translate([text])
        store.put_translations(db, engine.model_key, [result])
        translated = time.perf_counter()
        [cached] = store.get_cached(db, engine.model_key, [store.source_hash(text)]).values()
        dictionary, _ = open_dictionary_or_none()
        sentence_alignment(db, text, cached.target, cached=cached, model_key=engine.model_key,
                           dictionary=dictionary)
        translation_bytes = db.execute(
            "SELECT sum(length(source_tokens) + length(target_tokens) + length(target)"
            " + coalesce(length(attention), 0) + length(attention_shape) + length(alternatives))"
            " FROM translations"
        ).fetchone()[0]
        alignment_bytes = db.execute("SELECT coalesce(sum(length(data)), 0) FROM alignments").fetchone()[0]
    print(json.dumps({
        "size_kb": size_kb, "chars": len(text), "sentences": 1, "translated": 1, "aligned": 1,
        "attention": repr(result.attention),
        "translation_bytes": translation_bytes, "alignment_bytes": alignment_bytes,
        "translate_s": round(translated - started, 1),
        "align_s": round(time.perf_counter() - translated, 1),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


def child(size_kb: int, seed: int, folder: Path) -> None:
    """Import, translate and align one line; print a JSON report (run in a fresh process)."""
    from models.engine import DecodeSettings, Engine
    from reader import store
    from reader.alignments import document_alignments, open_dictionary_or_none
    from reader.pipeline import import_file, translate_document

    text = line_of(size_kb * 1000, seed)
    path = folder / f"line-{size_kb}kb.txt"
    path.write_text(text + "\n", encoding="utf-8")
    started = time.perf_counter()
    with store.connection(folder / f"library-{size_kb}kb.sqlite") as db:
        doc_id, _ = import_file(db, path)
        engine = Engine.for_pair(settings=DecodeSettings(**THREADS))
        stats = translate_document(db, doc_id, engine)
        translated = time.perf_counter()
        dictionary, _ = open_dictionary_or_none()
        aligned = document_alignments(db, doc_id, engine.model_key, engine=engine, dictionary=dictionary)
        rows = store.document_sentences(db, doc_id)
        source_chars = sum(len(r.text) for r in rows)
        hashes = sorted({r.source_hash for r in rows})
        translation_bytes = 0
        for k in range(0, len(hashes), 500):
            part = hashes[k : k + 500]
            translation_bytes += db.execute(
                "SELECT coalesce(sum(length(source_tokens) + length(target_tokens) + length(target)"
                " + coalesce(length(attention), 0) + length(attention_shape) + length(alternatives)), 0)"
                f" FROM translations WHERE model_key = ? AND source_hash IN ({','.join('?' * len(part))})",
                [engine.model_key, *part],
            ).fetchone()[0]
        alignment_bytes = db.execute("SELECT coalesce(sum(length(data)), 0) FROM alignments").fetchone()[0]
    print(json.dumps({
        "size_kb": size_kb,
        "chars": source_chars,
        "sentences": len(rows),
        "translated": stats.translated,
        "aligned": len(aligned),
        "translation_bytes": translation_bytes,
        "alignment_bytes": alignment_bytes,
        "translate_s": round(translated - started, 1),
        "align_s": round(time.perf_counter() - translated, 1),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,50,200", help="kilobytes per line, comma-separated")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--direct", action="store_true", help="one sentence, past the segmenter")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        (direct if args.direct else child)(args.child, args.seed, Path(args.folder))
        return 0

    tmp = Path(tempfile.mkdtemp(prefix="bench-long-"))
    prepare_environment(tmp)
    from models import packages
    from models.testpackage import build_package

    packages.install_file(build_package(tmp / "base.argosmodel", size="base"))
    reports = []
    for size in (int(s) for s in args.sizes.split(",")):
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(size), "--seed", str(args.seed), "--folder", str(tmp)]
            + (["--direct"] if args.direct else []),
            check=True, capture_output=True, text=True,
        )
        report = json.loads(out.stdout.strip().splitlines()[-1])
        report["bytes_per_char"] = (report["translation_bytes"] + report["alignment_bytes"]) / report["chars"]
        reports.append(report)
        print(
            f"{size:4d} KB: {report.get('attention') or str(report['sentences']) + ' sentences'}, "
            f"translated in {report['translate_s']} s, "
            f"aligned in {report['align_s']} s; storage {report['bytes_per_char']:.1f} bytes/char "
            f"(translations {report['translation_bytes'] / 1e6:.2f} MB, alignments "
            f"{report['alignment_bytes'] / 1e6:.2f} MB); peak RSS {report['peak_rss_mb']:.0f} MB",
            flush=True,
        )
    ratio = reports[-1]["bytes_per_char"] / reports[0]["bytes_per_char"]
    print(f"bytes_per_char_ratio={ratio:.2f} peak_rss_mb={reports[-1]['peak_rss_mb']:.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
