"""How long aligning a whole document takes, cold (computed and stored) and warm (read back).

Imports the sample article, translates it with the test package through the real engine, and
edits three sentences as a user would (so forced decoding runs too). Then, per repeat:
the baseline, ``reader.align.align`` over the same pairs with the same attention and no
storage; ``document_alignments`` cold (alignments table emptied first); warm on the same
connection; warm on a fresh connection, as the UI's worker does. Uses the installed FreeDict
dictionary when there is one. Everything lives in a temporary folder.

Usage: python bench/alignments_store.py [--size tiny|base] [--repeat 5]
Prints medians in ms and ratios to the baseline; last line ``warm_speedup=Z`` (cold / warm).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from _common import SEED, prepare_environment

EDITS = {
    "Lavrov": "Lavrov and Kuleba talked to each other for the first time since the invasion.",
    "anderhalf": "The parties talked for about an hour and a half.",
    "capitulatie": "According to Kuleba, the Russian demands amount to a capitulation.",
}


def median_ms(fn: Callable[[], object], repeat: int, before: Callable[[], object] = lambda: None
              ) -> float:
    times = []
    for _ in range(repeat):
        before()
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=("tiny", "base"), default="tiny")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="bench-alignments-"))
    prepare_environment(tmp)
    from models import packages
    from models.engine import Engine
    from models.testpackage import build_package
    from reader import store
    from reader.align import align
    from reader.alignments import document_alignments, open_dictionary_or_none
    from reader.document import document_view
    from reader.pipeline import import_file, translate_document

    packages.install_file(build_package(tmp / "test.argosmodel", size=args.size))
    engine = Engine(packages.find_package("nl", "en"))
    dictionary, problem = open_dictionary_or_none()
    db_path = tmp / "library.sqlite"
    db = store.open_db(db_path)
    doc_id, _ = import_file(db, SEED)
    translate_document(db, doc_id, engine)
    pending = dict(EDITS)
    for sentence in document_view(db, doc_id, engine.model_key).sentences():
        word = next((w for w in pending if w in sentence.text), None)
        if word is not None:
            store.set_user_translation(db, sentence.id, pending.pop(word))
    view = document_view(db, doc_id, engine.model_key)
    sentences = [s for s in view.sentences() if s.origin is not None]
    n_edited = sum(s.origin == "user" for s in sentences)
    cached = store.get_cached(db, engine.model_key, (s.source_hash for s in sentences))

    def baseline() -> None:
        for s in sentences:
            source = cached[s.source_hash] if s.origin == "model" else engine.force(s.text, s.final)
            align(s.text, s.final, attention=source.attention, nl_subwords=source.source_tokens,
                  en_subwords=source.target_tokens, dictionary=dictionary)

    def run(on=db) -> dict:
        return document_alignments(on, doc_id, engine.model_key, engine=engine, dictionary=dictionary)

    def fresh_connection() -> None:
        own = store.open_db(db_path)
        run(own)
        own.conn.close()

    def clear() -> None:
        with store.write_transaction(db):
            db.execute("DELETE FROM alignments")

    baseline()  # warm the dictionary index, lemma caches and the model
    base = median_ms(baseline, args.repeat)
    cold = median_ms(run, args.repeat, before=clear)
    warm = median_ms(run, args.repeat)
    fresh = median_ms(fresh_connection, args.repeat)
    assert len(run()) == len(sentences)

    print(f"package={args.size} sentences={len(sentences)} edited={n_edited} "
          f"dictionary={'yes' if dictionary else 'no (' + str(problem) + ')'} repeat={args.repeat}")
    print(f"baseline align() without storage: {base:8.1f} ms  1.00x")
    print(f"document_alignments cold:        {cold:8.1f} ms  {cold / base:.2f}x")
    print(f"document_alignments warm:        {warm:8.1f} ms  {warm / base:.3f}x")
    print(f"warm, fresh connection:          {fresh:8.1f} ms  {fresh / base:.3f}x")
    print(f"warm_speedup={cold / warm:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
