"""How long after opening an untranslated document does its first translated sentence show?

Usage: python bench/first_sentence.py [--sentences 300] [--repeat 3] [--package base|tiny]

Each repetition makes a fresh library holding one untranslated document (the sample article
followed by distinct generated paragraphs, bench/_text.py, about ``--sentences`` sentences, a new
text each time so nothing is cached), opens it in a new offscreen window and times, from
``MainWindow.open_document``, (1) the first paint of the reader view and (2) the first paint in
which a sentence on screen shows its translation.  The window loads the model on its first
translation, so (2) includes the model load, as the user waits for it; the Python imports of the
engine are done once beforehand (an app pays them once per session).

Baseline, measured in the same repetition: the engine alone, freshly loaded, translating the
sentences the window asked for first (those on and just below the screen), timed to its first
finished batch: the ratio shows what the window adds.  Goal: < 1.5 s with the base package.
The last line is ``first_sentence_s=`` the median over the repetitions.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from _common import SEED, count_sentences, prepare_environment
from _text import distinct_sentences_document

GOAL_S = 1.5
TIMEOUT_S = 600.0


def document_text(n_sentences: int, seed: int) -> str:
    """The sample article and enough distinct generated sentences after it for ``n_sentences``."""
    sample = SEED.read_text(encoding="utf-8").strip()
    rest = max(1, n_sentences - count_sentences(sample))
    return sample + "\n\n" + distinct_sentences_document(rest, seed=seed)


def fresh_library(folder: Path, text: str) -> tuple[Path, int]:
    """A new library file holding ``text`` as one untranslated document."""
    from reader import store
    from reader.importer import parse_text

    folder.mkdir(parents=True)
    path = folder / "library.db"
    with store.connection(path) as db:
        doc_id, _ = store.add_document(db, parse_text(text))
    return path, doc_id


def on_screen_translated(view) -> bool:
    return any(view.translation(sid) for sid in view.visible_sentence_ids(screens_below=0))


def window_run(path: Path, doc_id: int) -> dict:
    """Open the document in a new window; the times to its first paint and to the first paint
    showing a translated sentence on screen, and the texts the window translates first."""
    from PySide6.QtWidgets import QApplication

    from ui.main_window import MainWindow

    window = MainWindow(path, remember_state=False)
    window.resize(1400, 900)
    window.show()
    QApplication.processEvents()
    view = window.view
    paints: list[float] = []
    translated: list[float] = []

    def painted(_seconds: float) -> None:
        now = time.perf_counter()
        paints.append(now)
        if not translated and on_screen_translated(view):
            translated.append(now)

    view.painted.connect(painted)
    start = time.perf_counter()
    window.open_document(doc_id)
    priority = [view.sentence_text(sid) for sid in view.visible_sentence_ids()]
    while not translated:
        if time.perf_counter() - start > TIMEOUT_S:
            raise SystemExit(f"no translated sentence on screen after {TIMEOUT_S:.0f} s")
        QApplication.processEvents()
        time.sleep(0.001)
    view.painted.disconnect(painted)
    result = {
        "first_paint": paints[0] - start,
        "first_sentence": translated[0] - start,
        "on_screen": len(view.visible_sentence_ids(screens_below=0)),
        "priority": priority,
    }
    t0 = time.perf_counter()
    window.close()  # cancels the translation of the rest and waits for its batch under way
    QApplication.processEvents()
    result["close"] = time.perf_counter() - t0
    return result


def engine_run(texts: list[str]) -> tuple[float, int, float]:
    """A fresh engine translating ``texts`` as the window's worker does; seconds to its first
    batch (model load included), the batch's size, and the seconds another fresh engine takes to
    load and translate one word (about the model load alone)."""
    from models.engine import Engine
    from models.packages import find_package
    from reader.errors import Cancelled

    first: list[tuple[float, int]] = []
    start = time.perf_counter()
    engine = Engine(find_package("nl", "en"))
    try:
        engine.translate(
            texts,
            cancelled=lambda: bool(first),
            on_batch=lambda batch: first.append((time.perf_counter() - start, len(batch))),
        )
    except Cancelled:
        pass  # cancelled on purpose after the first batch: that batch is what is timed
    t0 = time.perf_counter()
    Engine(find_package("nl", "en")).translate(["Hallo."])
    return *first[0], time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--package", choices=["tiny", "base"], default="base")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="bireader-bench-first-"))
    prepare_environment(tmp)

    from models import packages
    from models.testpackage import build_package

    t0 = time.perf_counter()
    packages.install_file(build_package(tmp / f"{args.package}.argosmodel", size=args.package))
    print(f"built and installed the {args.package} test package in {time.perf_counter() - t0:.1f} s")

    import ctranslate2  # noqa: F401  imports paid once per app session, not per document
    import sentencepiece  # noqa: F401
    from PySide6.QtWidgets import QApplication

    import models.engine  # noqa: F401
    import ui.main_window  # noqa: F401

    app = QApplication.instance() or QApplication([])  # noqa: F841  keeps the application alive

    runs = []
    for i in range(args.repeat):
        text = document_text(args.sentences, seed=100 + i)
        path, doc_id = fresh_library(tmp / f"library-{i}", text)
        window = window_run(path, doc_id)
        engine_s, batch, load_s = engine_run(window["priority"])
        runs.append((count_sentences(text), window, engine_s, batch, load_s))

    print(
        f"offscreen window 1400x900, {args.package} test package; a fresh library and a new text each time;"
        " model load included in both columns"
    )
    print(
        f"{'run':>3} {'sentences':>9} {'first paint':>12} {'first sentence':>15} {'engine alone':>13}"
        f" {'1st batch':>9} {'load':>7} {'on screen':>9} {'window/engine':>13}"
    )
    for i, (n, w, engine_s, batch, load_s) in enumerate(runs, 1):
        print(
            f"{i:3d} {n:9d} {w['first_paint'] * 1000:9.0f} ms {w['first_sentence']:13.2f} s"
            f" {engine_s:11.2f} s {batch:9d} {load_s:5.2f} s {w['on_screen']:9d}"
            f" {w['first_sentence'] / engine_s:12.2f}x"
        )
    print(
        "(engine alone: a fresh engine translating the sentences the window asked for first, to its"
        " first batch; load: another fresh engine loading and translating one word)"
    )
    median = statistics.median(run[1]["first_sentence"] for run in runs)
    engine_median = statistics.median(run[2] for run in runs)
    print()
    print(
        f"open → first translated sentence on screen: median {median:.2f} s,"
        f" engine alone {engine_median:.2f} s"
        f" ({median / engine_median:.2f}x); goal < {GOAL_S} s: {'met' if median < GOAL_S else 'MISSED'}"
    )
    print(f"first_sentence_s={median:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
