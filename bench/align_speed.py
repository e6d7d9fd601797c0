"""How long aligning one sentence pair takes, so hover highlighting never waits on it.

    python bench/align_speed.py [--repeat 200]

Times a pair of 30-word sentences (the sample article's style) with the dictionary warm:
tokenizing both sides (the baseline, measured in the same run), aligning without a
dictionary, aligning with it, and aligning with a model-sized attention matrix. Each
alignment includes phrase extraction. Prints medians and ratios to the baseline; the goal
is under 5 ms per pair with the dictionary.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable

import numpy as np

from reader.align import align
from reader.words import tokenize

NL = (
    "De Russische minister haalde in zijn persconferentie na het overleg vooral uit naar het "
    "Westen, omdat de westerse landen volgens hem dit conflict hebben veroorzaakt door Oekraïne "
    "te laten kiezen."
)
EN = (
    "At his press conference after the talks, the Russian minister lashed out mainly at the "
    "West, because according to him the Western countries caused this conflict by making Ukraine "
    "choose."
)


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm caches (dictionary index, lemmas)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def fake_subwords(text: str) -> list[str]:
    """SentencePiece-like pieces: each word in two pieces, the first marked with '▁'."""
    pieces = []
    for word in text.split():
        cut = max(1, len(word) // 2)
        pieces += ["▁" + word[:cut], word[cut:]] if len(word) > 1 else ["▁" + word]
    return pieces


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args(argv)

    from reader.dictionary import Dictionary
    from reader.errors import ReaderError

    try:
        dictionary = Dictionary.open()
    except ReaderError as exc:
        print(f"dictionary: {exc}", file=sys.stderr)
        dictionary = None
    nl_words = len(tokenize(NL, "nl"))
    en_words = len(tokenize(EN, "en"))
    src, tgt = fake_subwords(NL), fake_subwords(EN)
    rng = np.random.default_rng(0)
    attention = rng.dirichlet(np.ones(len(src)), size=len(tgt)).astype(np.float16)

    baseline = median_ms(lambda: (tokenize(NL, "nl"), tokenize(EN, "en")), args.repeat)
    rows = [
        ("align, no dictionary", lambda: align(NL, EN)),
        ("align, dictionary", lambda: align(NL, EN, dictionary=dictionary)),
        (
            "align, dictionary + attention",
            lambda: align(
                NL, EN, dictionary=dictionary, attention=attention,
                nl_subwords=src, en_subwords=tgt,
            ),
        ),
    ]
    print(f"{nl_words} Dutch and {en_words} English tokens, median of {args.repeat} runs")
    print(f"{'tokenize both (baseline)':<32} {baseline:7.3f} ms   1.0x")
    for label, fn in rows:
        result = median_ms(fn, args.repeat)
        print(f"{label:<32} {result:7.3f} ms  {result / baseline:5.1f}x")
    with_dictionary = median_ms(rows[1][1], args.repeat)
    print(f"ms_per_pair={with_dictionary:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
