"""Opening and scrolling a long document of distinct paragraphs whose translations are all cached.

Usage: python bench/gui_open.py [--paragraphs 2000] [--package tiny|base] [--workdir DIR] [--repeat 3]

The long document is ``--paragraphs`` generated paragraphs (bench/_text.py) in which every sentence
is distinct, so opening it decodes one cached row per sentence, as a real article does.  Measures,
offscreen, (1) the time from ``MainWindow.open_document`` to the end of the first paint of the
reader view, in a new window each time, and (2) the longest frame (scroll step + synchronous
repaint) while scrolling from top to bottom a third of a page at a time, as a mouse wheel does:
once right after opening, while the window's background word alignment of the document runs (a
reader who opens and scrolls at once meets it), and once more after it has finished.  Goals:
first paint < 200 ms on 2,000 distinct paragraphs; no frame > 50 ms (run with ``--paragraphs
8000`` for the scrolling goal).  Baselines measured in the same run: the same
numbers for the sample article alone, and the design the reader view replaces, a QTextDocument
with one row per paragraph in a two-column table (QTextBrowser), which lays everything out up front.

The library is translated by the tiny test package unless ``--package base``: the base package
stores rows about twice as long (about 30 target tokens and their attention per sentence, against
14), but translates only a few sentences a second on two cores, so building 2,000 paragraphs with
it takes most of an hour; ``--workdir`` keeps such a library for the next run.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from _common import count_sentences, gui_bench_args, library_marker, translated_library
from _text import distinct_document

FIRST_PAINT_GOAL_S = 0.2
FRAME_GOAL_S = 0.05


def build_library(tmp: Path, paragraphs: int, package: str) -> tuple[int, int, int]:
    """The sample and a document of distinct paragraphs, translated; returns the ids and the
    long document's sentence count."""
    text = distinct_document(paragraphs)
    small, big = translated_library(tmp, text, package)
    return small, big, count_sentences(text)


def first_paint(window, doc_id: int) -> float:
    from PySide6.QtWidgets import QApplication

    painted: list[float] = []
    window.view.painted.connect(lambda _s: painted.append(time.perf_counter()))
    start = time.perf_counter()
    window.open_document(doc_id)
    while not painted:
        QApplication.processEvents()
    window.view.painted.disconnect()
    if window.runner.active():
        raise SystemExit(
            "a translation worker started: the cache was not used (a --workdir library made by "
            "another version of the engine? remove it)"
        )
    return painted[0] - start


def scroll_frames(view) -> list[float]:
    """Scroll top to bottom by a third of a page; each frame = setValue + synchronous repaint."""
    from PySide6.QtWidgets import QApplication

    sb = view.verticalScrollBar()
    sb.setValue(0)
    QApplication.processEvents()
    frames = []
    step = max(1, view.viewport().height() // 3)
    while sb.value() < sb.maximum():
        t0 = time.perf_counter()
        sb.setValue(sb.value() + step)
        view.viewport().repaint()
        frames.append(time.perf_counter() - t0)
    return frames


def naive_first_paint(paragraphs: list[tuple[str, str]], size: tuple[int, int]) -> float:
    """A QTextBrowser showing a 2-column HTML table: the design the custom view avoids."""
    import html

    from PySide6.QtWidgets import QApplication, QTextBrowser

    browser = QTextBrowser()
    browser.resize(*size)
    browser.show()
    QApplication.processEvents()
    rows = "".join(f"<tr><td>{html.escape(nl)}</td><td>{html.escape(en)}</td></tr>" for nl, en in paragraphs)
    start = time.perf_counter()
    browser.setHtml(f"<table cellpadding=8 width=100%>{rows}</table>")
    browser.viewport().repaint()
    elapsed = time.perf_counter() - start
    browser.close()
    return elapsed


def wait_idle(window, timeout: float = 600.0) -> float:
    """Wait for the word alignment the window started on opening; returns the seconds waited."""
    from PySide6.QtWidgets import QApplication

    start = time.perf_counter()
    while window.words.busy():
        if time.perf_counter() - start > timeout:
            raise SystemExit("timed out waiting for the word alignment")
        QApplication.processEvents()
        time.sleep(0.002)
    for _ in range(5):
        QApplication.processEvents()
    return time.perf_counter() - start


def open_window(size: tuple[int, int]):
    from PySide6.QtWidgets import QApplication

    from ui.main_window import MainWindow

    window = MainWindow(remember_state=False)  # no saved scroll position between repetitions
    window.resize(*size)
    window.show()
    QApplication.processEvents()
    return window


def main(argv: list[str] | None = None) -> int:
    args, size, tmp = gui_bench_args(
        __doc__.splitlines()[0], "bireader-bench-gui-", argv, extra=(("--repeat", int, 3),)
    )
    reused = library_marker(tmp).exists()
    t0 = time.perf_counter()
    small, big, n_sentences = build_library(tmp, args.paragraphs, args.package)
    built = time.perf_counter() - t0

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])

    long_name = f"{args.paragraphs} paragraphs"
    results = {}
    background = {}
    for name, doc_id in (("sample article", small), (long_name, big)):
        paints, frames, rows = [], [], []
        for i in range(args.repeat):
            window = open_window(size)
            paints.append(first_paint(window, doc_id))
            if i == 0:
                frames = scroll_frames(window.view)
                aligning = window.words.busy()
                waited = wait_idle(window)
                idle_frames = scroll_frames(window.view)
                rows = [
                    (window.view.side_text(r, "nl"), window.view.side_text(r, "en"))
                    for r in range(window.view.row_count())
                ]
            window.close()
            app.processEvents()
        results[name] = (paints, frames, rows)
        results[f"{name}, idle"] = (paints, idle_frames, rows)
        background[name] = (aligning, waited)

    base_paints, base_frames, base_rows = results["sample article"]
    big_paints, big_frames, big_rows = results[long_name]
    naive = naive_first_paint(big_rows, size)
    big_paint, base_paint = statistics.median(big_paints), statistics.median(base_paints)

    print(
        f"library: the sample article ({len(base_rows)} paragraphs) and {args.paragraphs} generated"
        " paragraphs"
        f" ({n_sentences} sentences, each distinct), translated by the {args.package} test package"
        f" ({'reused from --workdir' if reused else f'built in {built:.0f} s'})"
    )
    print(f"window {size[0]}x{size[1]}, offscreen, every translation cached; first paint in a new window,")
    print(
        f"{args.repeat} times (median, then each); frames scrolling top to bottom once right after the"
        " first open (the word alignment of the document runs meanwhile), then again once it is idle"
    )
    print(
        f"{'document':20} {'first paint':>12} {'each (ms)':>22} {'frames':>7} {'> 50 ms':>7} {'longest':>9}"
        f" {'p99':>8} {'p95':>8} {'mean':>8}"
    )
    for name, (paints, frames, _rows) in results.items():
        if name.endswith(", idle"):
            name, each, paint = "  then, aligned", "", ""
        else:
            each = " ".join(f"{p * 1000:.0f}" for p in paints)
            paint = f"{statistics.median(paints) * 1000:9.1f} ms"
        p95 = sorted(frames)[int(len(frames) * 0.95)] if frames else 0.0
        p99 = sorted(frames)[int(len(frames) * 0.99)] if frames else 0.0
        mean = statistics.fmean(frames) if frames else 0.0
        slow = sum(f > FRAME_GOAL_S for f in frames)
        print(
            f"{name:20} {paint:>12} {each:>22} {len(frames):7d} {slow:7d}"
            f" {max(frames or [0]) * 1000:6.1f} ms {p99 * 1000:5.1f} ms {p95 * 1000:5.1f} ms"
            f" {mean * 1000:5.1f} ms"
        )
    print(f"{'naive QTextBrowser':20} {naive * 1000:9.1f} ms  (2-column table, all laid out up front)")
    print()
    print(
        f"first paint, {long_name} / sample: {big_paint / base_paint:5.2f}x;"
        f" {big_paint * 1000:.0f} ms (goal < {FIRST_PAINT_GOAL_S * 1000:.0f} ms on 2,000 paragraphs:"
        f" {'met' if big_paint < FIRST_PAINT_GOAL_S else 'MISSED'})"
    )
    print(f"first paint, naive table / reader view: {naive / big_paint:5.1f}x")
    aligning, waited = background[long_name]
    print(
        f"word alignment of the {long_name} still running after the first scroll: {aligning}"
        f" (then waited {waited:.1f} s for it)"
    )
    longest = max(big_frames or [0.0])
    for label, frames, sample in (
        ("while aligning", big_frames, base_frames),
        ("aligned", results[f"{long_name}, idle"][1], results["sample article, idle"][1]),
    ):
        worst = max(frames or [0.0])
        print(
            f"longest frame {label}, {long_name} / sample: {worst / max(sample or [1e-9]):5.2f}x;"
            f" {worst * 1000:.1f} ms, {sum(f > FRAME_GOAL_S for f in frames)} of {len(frames)} frames over"
            f" {FRAME_GOAL_S * 1000:.0f} ms (goal: none; {'met' if worst < FRAME_GOAL_S else 'MISSED'})"
        )
    idle_longest = max(results[f"{long_name}, idle"][1] or [0.0])
    print(
        f"first_paint_ms={big_paint * 1000:.1f} longest_frame_ms={longest * 1000:.1f}"
        f" longest_frame_aligned_ms={idle_longest * 1000:.1f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
