"""Sentence-boundary precision, recall and F1 of reader.segment against UD gold sentences.

Usage: python bench/segmentation_eval.py FILE.conllu [FILE.conllu ...]

The gold sentences of one paragraph (``sent_id`` ``DOC.p.PARAGRAPH.s.SENTENCE``; consecutive
sentences with the same document and paragraph) are joined with one space into a paragraph.
A *boundary* is the character offset where a sentence ends inside that paragraph; the end of the
paragraph itself never counts (every splitter gets it for free). Gold and predicted boundaries are
compared as sets per paragraph and pooled over the file. simplemma.split_sentences(lang="nl") is
scored on the same paragraphs with the same definition as a baseline, and both are timed.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

_SENT_ID = re.compile(r"^(?P<par>.+)\.s\.\d+$")

Spans = list[tuple[int, int]]


@dataclass
class Score:
    true_pos: int = 0
    false_pos: int = 0
    false_neg: int = 0

    @property
    def precision(self) -> float:
        found = self.true_pos + self.false_pos
        return self.true_pos / found if found else 1.0

    @property
    def recall(self) -> float:
        gold = self.true_pos + self.false_neg
        return self.true_pos / gold if gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, gold: set[int], predicted: set[int]) -> None:
        self.true_pos += len(gold & predicted)
        self.false_pos += len(predicted - gold)
        self.false_neg += len(gold - predicted)


def read_paragraphs(path: str | Path) -> Iterator[list[str]]:
    """Gold sentences grouped by paragraph, in file order."""
    key: str | None = None
    sentences: list[str] = []
    sent_par: str | None = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("# sent_id = "):
                m = _SENT_ID.match(line[len("# sent_id = ") :].strip())
                sent_par = m.group("par") if m else line
            elif line.startswith("# text = "):
                text = line[len("# text = ") :].strip()
                if sent_par != key and sentences:
                    yield sentences
                    sentences = []
                key = sent_par
                sentences.append(text)
    if sentences:
        yield sentences


def gold_boundaries(sentences: list[str]) -> tuple[str, set[int]]:
    """The paragraph text and the offsets where its inner sentences end."""
    ends, offset = [], 0
    for sentence in sentences:
        offset += len(sentence)
        ends.append(offset)
        offset += 1
    return " ".join(sentences), set(ends[:-1])


def spans_of(text: str, sentences: list[str]) -> Spans:
    """Offsets of a splitter's stripped sentences, found in order in the text."""
    spans, pos = [], 0
    for sentence in sentences:
        start = text.index(sentence, pos)
        pos = start + len(sentence)
        spans.append((start, pos))
    return spans


def inner_boundaries(text: str, spans: Spans) -> set[int]:
    return {end for _, end in spans if end < len(text.rstrip())}


def simplemma_spans(text: str) -> Spans:
    import simplemma

    return spans_of(text, simplemma.split_sentences(text, lang="nl"))


def reader_spans(text: str) -> Spans:
    from reader.segment import sentence_spans

    return sentence_spans(text)


def evaluate(
    paragraphs: list[list[str]], splitter: Callable[[str], Spans], show_errors: bool = False
) -> tuple[Score, float]:
    score = Score()
    splitter("Warm up. Eerst.")
    started = time.perf_counter()
    for sentences in paragraphs:
        text, gold = gold_boundaries(sentences)
        predicted = inner_boundaries(text, splitter(text))
        score.add(gold, predicted)
        if show_errors and gold != predicted:
            for end in sorted(gold ^ predicted):
                kind = "missed" if end in gold else "extra "
                print(f"  {kind} | {text[max(0, end - 60):end]} || {text[end:end + 40]}")
    return score, time.perf_counter() - started


def main(argv: list[str]) -> int:
    show_errors = "--errors" in argv
    files = [a for a in argv if a != "--errors"]
    if not files:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    for path in files:
        paragraphs = list(read_paragraphs(path))
        n_sentences = sum(len(p) for p in paragraphs)
        n_gold = sum(len(p) - 1 for p in paragraphs)
        print(f"{Path(path).name}: {n_sentences} sentences, {len(paragraphs)} paragraphs, "
              f"{n_gold} inner boundaries")
        baseline, base_time = evaluate(paragraphs, simplemma_spans)
        ours, our_time = evaluate(paragraphs, reader_spans, show_errors)
        for name, s, t in (("simplemma", baseline, base_time), ("reader.segment", ours, our_time)):
            print(f"  {name:15} P {s.precision:.4f}  R {s.recall:.4f}  F1 {s.f1:.4f}  "
                  f"(tp {s.true_pos}, fp {s.false_pos}, fn {s.false_neg})  {t * 1000:.1f} ms")
        print(f"  time ratio reader.segment / simplemma: {our_time / base_time:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
