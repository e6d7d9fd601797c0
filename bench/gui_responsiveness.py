"""Does the window stay responsive while ~300 uncached sentences are translated in the background?

Usage: python bench/gui_responsiveness.py [--sentences 300] [--size base|tiny]

A 10 ms QTimer heartbeat runs on the GUI thread while the reader window translates a document
with the base-size test package (a random-weight Transformer-base: real CTranslate2 work), each
batch appearing in the view as it finishes.  Prints the longest gap between heartbeats (goal
< 100 ms) against a baseline measured in the same run: the same window idle for 2 s.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from _common import prepare_environment
from _text import distinct_sentences_document

TIMEOUT_S = 1800.0


def article(n_sentences: int) -> str:
    """Distinct generated sentences (bench/_text.py), so every one needs the engine."""
    return distinct_sentences_document(n_sentences)


class Heartbeat:
    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.beats: list[float] = []
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(lambda: self.beats.append(time.perf_counter()))

    def start(self) -> None:
        self.beats = [time.perf_counter()]
        self.timer.start()

    def stop(self) -> list[float]:
        self.timer.stop()
        return [b - a for a, b in zip(self.beats, self.beats[1:], strict=False)]


def run_for(seconds: float) -> None:
    from PySide6.QtWidgets import QApplication

    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        QApplication.processEvents()
        time.sleep(0.001)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=300)
    parser.add_argument("--size", choices=["tiny", "base"], default="base")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="bireader-bench-resp-"))
    prepare_environment(tmp)

    from models import packages
    from models.testpackage import build_package

    t0 = time.perf_counter()
    packages.install_file(build_package(tmp / f"{args.size}.argosmodel", size=args.size))
    print(f"built and installed the {args.size} test package in {time.perf_counter() - t0:.1f} s")
    path = tmp / "article.txt"
    path.write_text(article(args.sentences), encoding="utf-8")

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from ui.main_window import MainWindow

    window = MainWindow()
    window.resize(1400, 900)
    window.show()
    app.processEvents()
    beat = Heartbeat()

    beat.start()
    run_for(2.0)
    idle = beat.stop()

    ended: list[str] = []
    batches: list[float] = []
    window.translation_ended.connect(ended.append)
    window.translation_started.connect(
        lambda _d: window.translation_task.partial.connect(lambda _r: batches.append(time.perf_counter()))
    )
    beat.start()
    start = time.perf_counter()
    window.import_file(path)
    while not ended:
        if time.perf_counter() - start > TIMEOUT_S:
            raise SystemExit(f"the translation did not end within {TIMEOUT_S:.0f} s")
        QApplication.processEvents()
        time.sleep(0.001)
    busy = beat.stop()
    elapsed = time.perf_counter() - start
    translated = window.view.translated_count()
    window.close()

    print(
        f"{translated} sentences translated in {elapsed:.1f} s ({ended[0]}), "
        f"{len(batches)} batches shown as they finished"
    )
    print(f"{'phase':24} {'beats':>6} {'longest gap':>12} {'p99':>8} {'median':>8}")
    for name, gaps in (("idle (baseline)", idle), ("translating", busy)):
        p99 = sorted(gaps)[int(len(gaps) * 0.99)]
        print(
            f"{name:24} {len(gaps):6d} {max(gaps) * 1000:9.1f} ms {p99 * 1000:5.1f} ms "
            f"{statistics.median(gaps) * 1000:5.1f} ms"
        )
    worst = max(range(len(busy)), key=busy.__getitem__)
    worst_end = beat.beats[worst + 1] - start
    first_batch = f"{batches[0] - start:.1f} s" if batches else "never"
    print(
        f"the longest gap ended {worst_end:.2f} s after the import started"
        f" (first batch shown at {first_batch}, translation ended at {elapsed:.1f} s)"
    )
    print(
        f"longest gap, translating / idle: {max(busy) / max(idle):5.2f}x"
        f"   (goal < 100 ms: {'met' if max(busy) < 0.1 else 'MISSED'})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
