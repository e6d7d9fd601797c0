"""Opening a translated document as a session: the English text only, against the full cache rows.

Usage: python bench/session_open.py [--paragraphs 2000] [--package tiny|base] [--workdir DIR] [--repeat 9]

Builds (or reuses, with ``--workdir``) a library of ``--paragraphs`` distinct generated paragraphs
translated by a test package, then times, interleaved so both see the same machine load:
- before: what opening did until the session existed: the document's rows plus ``store.get_cached``
  for every sentence (token JSON and attention decoded, though the view needs only the text);
- after: ``DocumentSession.open`` (``store.get_cached_texts``: target, score, alternatives).
The base package stores about twice the tokens and attention per row of the tiny one.
Last line: ``session_open_ms=… cached_rows_ms=… open_speedup=…``.
"""

from __future__ import annotations

import statistics
import time

from _common import count_sentences, gui_bench_args, translated_library
from _text import distinct_document


def main(argv: list[str] | None = None) -> None:
    args, _size, tmp = gui_bench_args(
        "Open a translated document: text only vs whole cache rows.", "bireader-session-open-",
        argv, extra=[("--repeat", int, 9)],
    )
    text = distinct_document(args.paragraphs)
    start = time.perf_counter()
    _small, doc_id = translated_library(tmp, text, args.package)
    built = time.perf_counter() - start

    from reader import store
    from reader.document import document_view
    from reader.services import EngineHolder
    from reader.session import DocumentSession

    model_key = EngineHolder().model_key()
    db = store.open_db()
    hashes = [r.source_hash for r in store.document_sentences(db, doc_id)]

    def before() -> None:
        document_view(db, doc_id, None)
        store.get_cached(db, model_key, hashes)

    def after() -> None:
        session = DocumentSession.open(db, doc_id, model_key)
        assert session.translated_count() == len(hashes)

    def seconds(fn) -> float:
        t0 = time.perf_counter()
        fn()
        return time.perf_counter() - t0

    after()  # warm the page cache for both
    olds, news = [], []
    for _ in range(args.repeat):
        olds.append(seconds(before))
        news.append(seconds(after))
    old_ms, new_ms = statistics.median(olds) * 1000, statistics.median(news) * 1000
    speedup = statistics.median(o / n for o, n in zip(olds, news, strict=True))
    print(
        f"library: {args.paragraphs} distinct paragraphs ({count_sentences(text)} sentences), "
        f"{args.package} test package (built or reused in {built:.0f} s); {args.repeat} interleaved runs"
    )
    print(f"document rows + get_cached (token JSON, attention): median {old_ms:.0f} ms")
    print(f"DocumentSession.open (text, score, alternatives):   median {new_ms:.0f} ms")
    print(f"session_open_ms={new_ms:.1f} cached_rows_ms={old_ms:.1f} open_speedup={speedup:.2f}")


if __name__ == "__main__":
    main()
