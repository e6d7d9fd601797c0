"""The annotations panel over a large library: loading it, and each filter, on the real window.

Builds a temporary library (``--annotations`` annotations, ``--phrases`` saved phrases over
``--documents`` documents), opens the window offscreen, shows the panel with "Whole library" on,
then times each filter change (model filtered and view reset, events processed). Goal: every
filter < 50 ms at 20,000 rows. Last line: ``rows=… load_ms=… filter_worst_ms=… filter_median_ms=…``.

    python bench/panel_filter.py [--annotations 20000] [--phrases 2000] [--documents 100]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = ("de minister sprak gisteren over oorlog huizen boeren regen markt stad land water brug school "
         "kinderen werk nieuws vandaag morgen politiek economie dorp haven trein fiets").split()
NOTES = ("vergelijk", "onthouden", "mooie zin", "vraag", "bron", "let op", "idioom", "Oekraïne", "Charkiv")
TAGS = ("grammatica", "woordenschat", "politiek", "idioom", "vraag", "later", "oorlog", "economie")


def build(db, args) -> None:
    from reader import store
    from reader.annotations import COLOURS, add_annotation
    from reader.importer import parse_text
    from reader.phrases import save_phrase

    rng = random.Random(5)
    sentences: list[tuple[int, int, str]] = []
    for d in range(args.documents):
        paragraphs = [
            " ".join(" ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))).capitalize() + "."
                     for _ in range(4))
            for _ in range(10)
        ]
        doc_id, _ = store.add_document(db, parse_text(f"Artikel {d}\n\n" + "\n\n".join(paragraphs)))
        sentences += [(doc_id, r.id, r.text) for r in store.document_sentences(db, doc_id)]
    done = 0
    while done < args.annotations:
        with store.write_transaction(db):
            for _ in range(min(1000, args.annotations - done)):
                doc_id, sid, text = rng.choice(sentences)
                start = rng.randrange(0, max(1, len(text) - 10))
                note = " ".join(rng.sample(NOTES, rng.randint(1, 3))) + f" #{done}"
                end = min(len(text), start + rng.randint(3, 20))
                tags, colour = rng.sample(TAGS, rng.randint(0, 3)), rng.choice(COLOURS)
                add_annotation(db, doc_id, sid, "nl", start, end, note=note, colour=colour, tags=tags)
                done += 1
    with store.write_transaction(db):
        for k in range(args.phrases):
            doc_id, sid, text = rng.choice(sentences)
            end = text.find(" ")
            save_phrase(db, doc_id, sid, [(0, end if end > 0 else len(text))], en=f"rendering {k}",
                        dictionary=None, status=rng.choice(("new", "learning", "known")))


def load_library(app, panel) -> float:
    """Show the panel with "Whole library" on and wait for its worker to load every entry;
    returns the seconds it took."""
    panel.show()
    app.processEvents()
    t0 = time.perf_counter()
    panel.library_scope.setChecked(True)  # loads the whole library, in a worker
    while panel.task is not None and panel.task.state in ("pending", "running"):
        app.processEvents()
        time.sleep(0.002)
    app.processEvents()
    return time.perf_counter() - t0


def time_filters(app, panel) -> list[tuple[str, float, float, int]]:
    """Each filter change as the user makes it, timed from the change through the model's
    filtering to the view's reset and repaint: (step, seconds, seconds filtering, rows shown)."""

    def choose(combo, data) -> None:
        combo.setCurrentIndex(combo.findData(data))

    steps = [
        ("kind: annotations", lambda: choose(panel.kind_filter, "annotation")),
        ("tag: idioom", lambda: choose(panel.tag_filter, "idioom")),
        ("colour: blue", lambda: choose(panel.colour_filter, "blue")),
        ("text: vraag", lambda: panel.text_filter.setText("vraag")),
        ("text: oekraine", lambda: panel.text_filter.setText("oekraine")),
        ("clear text", lambda: panel.text_filter.setText("")),
        ("any colour", lambda: choose(panel.colour_filter, None)),
        ("any tag", lambda: choose(panel.tag_filter, None)),
        ("kind: phrases", lambda: choose(panel.kind_filter, "phrase")),
        ("status: known", lambda: choose(panel.status_filter, "known")),
        ("everything", lambda: (choose(panel.status_filter, None), choose(panel.kind_filter, None))),
        ("text: #1999", lambda: panel.text_filter.setText("#1999")),
    ]
    timed = []
    for label, step in steps:
        t0 = time.perf_counter()
        step()
        t1 = time.perf_counter()
        app.processEvents()  # the view's reset and repaint
        timed.append((label, time.perf_counter() - t0, t1 - t0, panel.model.rowCount()))
    return timed


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--annotations", type=int, default=20_000)
    p.add_argument("--phrases", type=int, default=2_000)
    p.add_argument("--documents", type=int, default=100)
    args = p.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="bench-panel-"))
    os.environ["BIREADER_HOME"] = str(tmp / "home")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["ARGOS_PACKAGES_DIR"] = str(tmp / "no-packages")
    (tmp / "no-packages").mkdir()

    from PySide6.QtWidgets import QApplication

    from reader import store
    from ui.main_window import MainWindow

    db = store.open_db()
    t0 = time.perf_counter()
    build(db, args)
    db.close()
    print(f"built {args.annotations} annotations, {args.phrases} phrases in {time.perf_counter() - t0:.1f} s")

    app = QApplication.instance() or QApplication([])
    window = MainWindow(remember_state=False)
    window.resize(1400, 900)
    window.show()
    panel = window.annotations_panel
    load = load_library(app, panel)
    rows = len(panel.model.all_entries())
    timings = []
    for label, dt, filtering, shown in time_filters(app, panel):
        timings.append(dt)
        print(f"  {label:<20} {dt * 1000:7.1f} ms (filter {filtering * 1000:5.1f}, paint "
              f"{(dt - filtering) * 1000:5.1f})  {shown:6d} rows")
    window.close()
    worst, median = max(timings) * 1000, statistics.median(timings) * 1000
    print(f"goal: every filter < 50 ms: {'met' if worst < 50 else 'NOT met'}")
    print(f"rows={rows} load_ms={load * 1000:.0f} filter_worst_ms={worst:.1f} filter_median_ms={median:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
