"""Cancel latency: how long a running translation takes to stop after the user presses Cancel.

Builds the base-size test package (Transformer-base, int8, random weights) in a temporary
folder, imports a realistic document of distinct sentences (the sample article plus Dutch
sentences generated from its words and a few templates, none repeated), and translates it as the
window does: ``pipeline.translate_document`` in a worker thread with a ``cancelled`` callable. At
several random moments the main thread requests a cancel and measures the time until the worker
returns (``Cancelled`` raised, finished batches saved). Each run uses a fresh library, so nothing
comes from the cache, and a fresh engine (its speed is measured anew, as after a start).

Usage: python bench/cancel_latency.py [--runs 6] [--sentences 400] [--seed 7]
Last line: ``cancel_s=X`` (the worst time from cancel request to return; goal < 1 s).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import threading
import time
from pathlib import Path

from _common import SEED, prepare_environment

THREADS = {"intra_threads": 2, "inter_threads": 1}

_SUBJECTS = ["De minister", "Een woordvoerder", "De regering", "Het parlement", "De burgemeester",
             "Een onderzoeker", "De commissie", "Het bestuur", "Een journalist", "De ambassadeur"]
_VERBS = ["zei", "meldde", "schreef", "benadrukte", "ontkende", "verklaarde", "vertelde", "erkende"]
_TEMPLATES = [
    "{s} {v} dat {w1} en {w2} {n} keer zijn besproken.",
    "{s} {v} gisteren dat de {w1} in {w2} nog niet is opgelost.",
    "Volgens {s} is het overleg over {w1} na {n} uur zonder {w2} afgebroken.",
    "{s} {v} op {n} maart dat {w1} voorlopig belangrijker blijft dan {w2}.",
]


def document_text(n_sentences: int, rng: random.Random) -> str:
    """The sample article followed by generated, distinct Dutch sentences in short paragraphs."""
    seed = SEED.read_text(encoding="utf-8")
    words = sorted({w.strip(".,:;?!'\"()").lower() for w in seed.split() if len(w) > 4 and w.isalpha()})
    seen: set[str] = set()
    sentences: list[str] = []
    while len(sentences) < n_sentences:
        template = rng.choice(_TEMPLATES)
        sentence = template.format(s=rng.choice(_SUBJECTS), v=rng.choice(_VERBS), w1=rng.choice(words),
                                   w2=rng.choice(words), n=rng.randint(2, 99))
        if sentence not in seen:
            seen.add(sentence)
            sentences.append(sentence)
    paragraphs = [" ".join(sentences[i : i + 4]) for i in range(0, len(sentences), 4)]
    return seed.rstrip() + "\n\n" + "\n\n".join(paragraphs) + "\n"


def one_run(package, text: str, delay: float, tmp: Path) -> tuple[float, int, int]:
    """Start translating, cancel after ``delay`` s; returns (seconds to stop, done, total)."""
    from models.engine import DecodeSettings, Engine
    from reader import store
    from reader.errors import Cancelled
    from reader.importer import parse_text
    from reader.pipeline import translate_document

    engine = Engine(package, DecodeSettings(**THREADS))
    engine._translator  # noqa: B018 - load the model before the clock starts, as a warm window has
    path = tmp / f"library-{time.monotonic_ns()}.sqlite"
    cancel = threading.Event()
    finished = threading.Event()
    outcome: dict[str, object] = {}

    def work() -> None:
        with store.connection(path) as db:
            doc_id, _ = store.add_document(db, parse_text(text))
            outcome["total"] = len(store.document_sentences(db, doc_id))
            outcome["started"] = time.perf_counter()
            try:
                translate_document(db, doc_id, engine, cancelled=cancel.is_set,
                                   progress=lambda done, total: outcome.__setitem__("done", done))
                outcome["result"] = "finished"
            except Cancelled:
                outcome["result"] = "cancelled"
        outcome["ended"] = time.perf_counter()
        finished.set()

    worker = threading.Thread(target=work)
    worker.start()
    while "started" not in outcome:
        time.sleep(0.01)
    time.sleep(delay)
    asked = time.perf_counter()
    cancel.set()
    finished.wait()
    worker.join()
    if outcome["result"] != "cancelled":
        raise SystemExit(f"the translation finished before the cancel at {delay:.1f} s: use more --sentences")
    return float(outcome["ended"]) - asked, int(outcome.get("done", 0)), int(outcome["total"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=6)
    parser.add_argument("--sentences", type=int, default=400, help="generated sentences after the article")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    tmp = Path(tempfile.mkdtemp(prefix="bench-cancel-"))
    prepare_environment(tmp)

    from models import packages
    from models.testpackage import build_package

    package = packages.install_file(build_package(tmp / "base.argosmodel", size="base"))
    text = document_text(args.sentences, rng)
    worst = 0.0
    for run in range(args.runs):
        delay = rng.uniform(0.3, 8.0)
        seconds, done, total = one_run(package, text, delay, tmp)
        worst = max(worst, seconds)
        print(f"run {run + 1}: cancel at {delay:4.1f} s -> stopped after {seconds:.2f} s "
              f"({done} of {total} sentences saved)", flush=True)
    print(f"cancel_s={worst:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
