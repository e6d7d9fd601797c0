"""Word-alignment quality against a gold set: precision, recall and AER (Och & Ney 2003).

    python bench/align_eval.py tests/data/align_gold.tsv [--attention no|model]
        [--dictionary PATH|none] [--verbose]

Gold lines are ``id<TAB>dutch<TAB>english<TAB>links`` with ``i-j`` sure and ``i?j`` possible
links (Dutch index first). AER = 1 - (|A∩S| + |A∩P|) / (|A| + |S|) with S ⊆ P. The last line is
``aer=X`` (percent) so scripts can read it. ``--attention model`` force-decodes each gold
translation with the installed nl->en Argos package and gives its attention to the aligner.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from reader.align import ALIGNER_VERSION, align

_LINK = re.compile(r"(\d+)([-?])(\d+)")


@dataclass
class GoldPair:
    id: str
    nl: list[str]
    en: list[str]
    sure: set[tuple[int, int]]
    possible: set[tuple[int, int]]  # includes the sure links


def read_gold(path: Path) -> list[GoldPair]:
    pairs = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 4:
            sys.exit(f"{path}:{number}: expected 4 tab-separated fields, found {len(fields)}")
        pair_id, nl, en, links = fields
        sure, possible = set(), set()
        for item in links.split():
            m = _LINK.fullmatch(item)
            if not m:
                sys.exit(f"{path}:{number}: bad link {item!r}")
            p = (int(m[1]), int(m[3]))
            possible.add(p)
            if m[2] == "-":
                sure.add(p)
        pairs.append(GoldPair(pair_id, nl.split(" "), en.split(" "), sure, possible))
    return pairs


@dataclass
class Counts:
    predicted: int = 0
    sure: int = 0
    hit_sure: int = 0
    hit_possible: int = 0

    def add(self, predicted: set[tuple[int, int]], gold: GoldPair) -> None:
        self.predicted += len(predicted)
        self.sure += len(gold.sure)
        self.hit_sure += len(predicted & gold.sure)
        self.hit_possible += len(predicted & gold.possible)

    def line(self, label: str) -> str:
        precision = self.hit_possible / self.predicted if self.predicted else 0.0
        recall = self.hit_sure / self.sure if self.sure else 0.0
        return (
            f"{label:<10} precision={100 * precision:5.1f}  recall={100 * recall:5.1f}  "
            f"AER={100 * self.aer:5.1f}  (links predicted {self.predicted}, sure {self.sure})"
        )

    @property
    def aer(self) -> float:
        total = self.predicted + self.sure
        return 1.0 - (self.hit_sure + self.hit_possible) / total if total else 0.0


def open_dictionary(spec: str):
    if spec == "none":
        return None
    from reader.dictionary import Dictionary
    from reader.errors import ReaderError

    try:
        return Dictionary.open(None if spec == "default" else spec)
    except ReaderError as exc:
        print(f"dictionary: {exc} (aligning without it)", file=sys.stderr)
        return None


def model_attention(pairs: list[GoldPair]):
    """Forced-decoding attention of the installed package for each gold translation."""
    from models.engine import Engine

    engine = Engine.for_pair("nl", "en")
    for pair in pairs:
        result = engine.force(" ".join(pair.nl), " ".join(pair.en))
        yield result.attention, result.source_tokens, result.target_tokens


def show(pair: GoldPair, predicted: set[tuple[int, int]]) -> None:
    print(f"--- {pair.id}")
    for i, j in sorted(predicted | pair.sure):
        mark = "ok " if (i, j) in pair.sure else "ok?" if (i, j) in pair.possible else "BAD"
        if (i, j) not in predicted:
            mark = "MISS"
        print(f"  {mark:<4} {pair.nl[i]} ↔ {pair.en[j]}  ({i}-{j})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", type=Path)
    parser.add_argument("--attention", choices=("no", "model"), default="no")
    parser.add_argument("--dictionary", default="default", help="PATH, 'default' or 'none'")
    parser.add_argument("--verbose", action="store_true", help="list every link per sentence")
    args = parser.parse_args(argv)

    pairs = read_gold(args.gold)
    dictionary = open_dictionary(args.dictionary)
    attention = None
    if args.attention == "model":
        from reader.errors import ReaderError

        try:
            attention = list(model_attention(pairs))
        except ReaderError as exc:
            print(f"attention: {exc}", file=sys.stderr)
            return 1
    primary, everything = Counts(), Counts()
    started = time.perf_counter()
    for k, pair in enumerate(pairs):
        extra = {}
        if attention is not None:
            att, src, tgt = attention[k]
            extra = {"attention": att, "nl_subwords": src, "en_subwords": tgt}
        result = align(pair.nl, pair.en, dictionary=dictionary, **extra)
        predicted = {(k.i, k.j) for k in result.links}
        everything.add(predicted, pair)
        if not pair.id[-1].isalpha():
            primary.add(predicted, pair)
        if args.verbose:
            show(pair, predicted)
    elapsed = time.perf_counter() - started
    print(f"{len(pairs)} sentence pairs, aligner {ALIGNER_VERSION}, "
          f"dictionary: {'yes' if dictionary else 'no'}, attention: {args.attention}, "
          f"{1000 * elapsed / max(1, len(pairs)):.1f} ms per pair")
    print(primary.line("primary"))
    print(everything.line("all"))
    print(f"aer={100 * everything.aer:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
