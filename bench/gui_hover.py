"""Does the word highlight follow the mouse within one frame?

Usage: python bench/gui_hover.py [--paragraphs 2000] [--size 1400x900] [--package tiny|base] [--workdir DIR]

Opens the sample article and a long document of distinct generated paragraphs (bench/_text.py)
translated by the tiny test package, waits for the background word alignment, then
sweeps the mouse over the visible text line by line (a synthetic move every few pixels). Each
move is timed twice: the event handler alone (hit test + table lookup + highlight update) and
the handler plus the repaint it causes. Baseline, measured in the same run: the same sweep with
word highlighting off (sentence hover only). Goal: longest move, handler plus paint, < 16 ms.
"""

from __future__ import annotations

import gc
import statistics
import time
from pathlib import Path

from _common import gui_bench_args, library_marker, translated_library
from _text import distinct_document

FRAME_S = 0.016


def build_library(tmp: Path, paragraphs: int, package: str) -> tuple[int, int]:
    """The sample and a long document, translated (with attention) by a test package."""
    return translated_library(tmp, distinct_document(paragraphs), package)


def wait_for(condition, timeout: float = 600.0) -> None:
    from PySide6.QtWidgets import QApplication

    end = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > end:
            raise SystemExit("timed out waiting for the word alignment")
        QApplication.processEvents()
        time.sleep(0.002)


def open_aligned(window, doc_id: int) -> float:
    """Open a document and wait until its word tables are installed; returns the seconds."""
    tables = window.words.highlighter
    start = time.perf_counter()
    window.open_document(doc_id)
    wait_for(lambda: not window.words.busy() and tables.tables())
    return time.perf_counter() - start


def sweep_points(view) -> list:
    """Points along every text line of the viewport, a few pixels apart, as a reading mouse."""
    from PySide6.QtCore import QPointF

    vp = view.viewport()
    pitch = max(8, int(view.fontMetrics().height() * 0.75))
    return [QPointF(x, y) for y in range(4, vp.height() - 4, pitch) for x in range(4, vp.width() - 4, 9)]


def sweep(view, points, changes: list | None = None) -> tuple[list[float], list[float], list[bool]]:
    """Time each synthetic move: (handler only, handler + the repaint it causes, whether the
    highlighted word changed, as counted by ``changes`` growing)."""
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    vp = view.viewport()
    changes = changes if changes is not None else []
    handler, frame, changed = [], [], []
    for p in points:
        event = QMouseEvent(
            QEvent.Type.MouseMove,
            p,
            vp.mapToGlobal(p),
            Qt.MouseButton.NoButton,
            Qt.MouseButton.NoButton,
            Qt.KeyboardModifier.NoModifier,
        )
        before = len(changes)
        t0 = time.perf_counter()
        QApplication.sendEvent(vp, event)
        t1 = time.perf_counter()
        QApplication.processEvents()  # the paint of the region the move dirtied
        t2 = time.perf_counter()
        handler.append(t1 - t0)
        frame.append(t2 - t0)
        changed.append(len(changes) != before)
    return handler, frame, changed


class FullCollections:
    """Counts the cyclic garbage collector's full (generation 2) passes, whose pause lands in
    whatever event handler allocates at that moment."""

    def __init__(self) -> None:
        self.count = 0
        gc.callbacks.append(self._on_gc)

    def _on_gc(self, phase: str, info: dict) -> None:
        if phase == "stop" and info["generation"] == 2:
            self.count += 1

    def close(self) -> None:
        gc.callbacks.remove(self._on_gc)


def measure(window, doc_id: int, scroll_to_middle: bool) -> dict:
    from PySide6.QtWidgets import QApplication

    aligned = open_aligned(window, doc_id)
    view = window.view
    if scroll_to_middle:
        view.scroll_to_row(view.row_count() // 2)
    for _ in range(5):
        QApplication.processEvents()
    points = sweep_points(view)
    collections = FullCollections()
    window.set_word_highlighting(False, save=False)
    sweep(view, points[:50])  # warm-up
    base_handler, base_frame, _ = sweep(view, points)
    window.set_word_highlighting(True, save=False)
    sweep(view, points[:50])
    changes: list[object] = []
    window.words.highlighter.hovered.connect(changes.append)
    handler, frame, changed = sweep(view, points, changes)
    window.words.highlighter.hovered.disconnect()
    collections.close()
    return {
        "gc": collections.count,
        "aligned": aligned,
        "sentences": len(window.words.highlighter.tables()),
        "moves": len(points),
        "changes": len(changes),
        "base": (base_handler, base_frame),
        "words": (handler, frame),
        "changed": [f for f, c in zip(frame, changed, strict=True) if c],
    }


def ms(values: list[float], q: float | None = None) -> str:
    if q is None:
        return f"{max(values) * 1000:6.2f}"
    return f"{sorted(values)[int(len(values) * q)] * 1000:6.2f}"


def main(argv: list[str] | None = None) -> int:
    args, size, tmp = gui_bench_args(__doc__.splitlines()[0], "bireader-bench-hover-", argv)
    reused = library_marker(tmp).exists()
    t0 = time.perf_counter()
    small, big = build_library(tmp, args.paragraphs, args.package)
    how = "reused from --workdir" if reused else f"built in {time.perf_counter() - t0:.1f} s"
    print(f"library of distinct paragraphs translated by the {args.package} package: {how}")

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from ui.main_window import MainWindow

    results = {}
    for name, doc_id, middle in (
        ("sample", small, False),
        (f"{args.paragraphs} paragraphs", big, True),
    ):
        window = MainWindow()
        window.resize(*size)
        window.show()
        app.processEvents()
        results[name] = measure(window, doc_id, middle)
        window.close()
        app.processEvents()

    print(f"window {size[0]}x{size[1]}, offscreen; times per synthetic mouse move, in ms")
    print(
        f"{'document':18} {'mode':16} {'moves':>6} {'changes':>7} {'handler med':>11} {'max':>7}"
        f" {'+paint med':>10} {'p99':>7} {'max':>7}"
    )
    for name, r in results.items():
        for mode, (handler, frame) in (("sentence only", r["base"]), ("words", r["words"])):
            changes = str(r["changes"]) if mode == "words" else "-"
            print(
                f"{name:18} {mode:16} {r['moves']:6d} {changes:>7} "
                f"{statistics.median(handler) * 1000:11.3f} {ms(handler)}"
                f" {statistics.median(frame) * 1000:10.3f} {ms(frame, 0.99)} {ms(frame)}"
            )
    print()
    for name, r in results.items():
        handler, frame = r["words"]
        base_handler, base_frame = r["base"]
        med = statistics.median
        verdict = "met" if max(frame) < FRAME_S else "MISSED"
        print(
            f"{name}: {r['sentences']} sentences aligned and tabled in {r['aligned']:.2f} s (first open);"
            f" median move, words / sentence only: handler {med(handler) / med(base_handler):4.2f}x,"
            f" with paint {med(frame) / med(base_frame):4.2f}x; longest move {max(frame) * 1000:.2f} ms"
            f" (goal < 16 ms: {verdict}); full garbage collections during the sweeps: {r['gc']}"
        )
        moved = r["changed"]
        print(
            f"  the {len(moved)} moves that changed the highlighted word: median {med(moved) * 1000:.2f} ms,"
            f" max {max(moved) * 1000:.2f} ms (handler + paint)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
