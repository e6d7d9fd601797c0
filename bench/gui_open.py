"""Opening and scrolling a 2,000-paragraph document whose translations are all cached.

Usage: python bench/gui_open.py [--paragraphs 2000]

Measures, offscreen, (1) the time from ``MainWindow.open_document`` to the end of the first paint
of the reader view and (2) the longest frame (scroll step + synchronous repaint) while scrolling
from top to bottom a third of a page at a time, as a mouse wheel does.  Goals: first paint
< 0.5 s, no frame > 50 ms.  Baselines measured in the same run: the same numbers for the sample
article alone (16 paragraphs), and the design the reader view replaces, a QTextDocument with one
row per paragraph in a two-column table (QTextBrowser), which lays everything out up front.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from _common import SEED, gui_bench_args, translated_library


def build_library(tmp: Path, paragraphs: int) -> tuple[int, int]:
    """The sample and a long repetition of it, translated by the tiny package."""
    from reader.importer import parse_text

    seed = [p.text for p in parse_text(SEED.read_text(encoding="utf-8")).paragraphs]
    return translated_library(tmp, "\n\n".join(seed[i % len(seed)] for i in range(paragraphs)))


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
        raise SystemExit("a translation worker started: the cache was not used")
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


def main(argv: list[str] | None = None) -> int:
    args, size, tmp = gui_bench_args(__doc__.splitlines()[0], "bireader-bench-gui-", argv)
    small, big = build_library(tmp, args.paragraphs)

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from ui.main_window import MainWindow

    results = {}
    for name, doc_id in (("sample (16 paragraphs)", small), (f"{args.paragraphs} paragraphs", big)):
        window = MainWindow()
        window.resize(*size)
        window.show()
        app.processEvents()
        paint = first_paint(window, doc_id)
        frames = scroll_frames(window.view)
        rows = [
            (window.view.side_text(r, "nl"), window.view.side_text(r, "en"))
            for r in range(window.view.row_count())
        ]
        results[name] = (paint, frames, rows)
        window.close()
        app.processEvents()

    base_paint, base_frames, _ = results["sample (16 paragraphs)"]
    big_paint, big_frames, big_rows = results[f"{args.paragraphs} paragraphs"]
    naive = naive_first_paint(big_rows, size)

    print(f"window {size[0]}x{size[1]}, offscreen, every translation cached")
    print(f"{'document':28} {'first paint':>12} {'frames':>7} {'longest':>9} {'p95':>8} {'mean':>8}")
    for name, (paint, frames, _rows) in results.items():
        p95 = sorted(frames)[int(len(frames) * 0.95)] if frames else 0.0
        mean = statistics.fmean(frames) if frames else 0.0
        print(
            f"{name:28} {paint * 1000:9.1f} ms {len(frames):7d} {max(frames or [0]) * 1000:6.1f} ms"
            f" {p95 * 1000:5.1f} ms {mean * 1000:5.1f} ms"
        )
    print(f"{'naive QTextBrowser table':28} {naive * 1000:9.1f} ms   (layout of every row up front)")
    print()
    print(
        f"first paint, {args.paragraphs} paragraphs / sample: {big_paint / base_paint:5.2f}x"
        f"   (goal < 500 ms: {'met' if big_paint < 0.5 else 'MISSED'})"
    )
    print(f"first paint, naive table / reader view:      {naive / big_paint:5.1f}x")
    print(
        f"longest frame, {args.paragraphs} paragraphs / sample: "
        f"{max(big_frames) / max(base_frames or [1e-9]):5.2f}x"
        f"   (goal < 50 ms: {'met' if max(big_frames) < 0.05 else 'MISSED'})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
