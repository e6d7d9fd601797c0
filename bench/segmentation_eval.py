"""Sentence-boundary precision, recall and F1 of reader.segment against UD gold sentences.

Usage: python bench/segmentation_eval.py [--errors] FILE.conllu [FILE.conllu ...]

The gold sentences of one paragraph (``sent_id`` ``DOC.p.PARAGRAPH.s.SENTENCE``; consecutive
sentences with the same document and paragraph) make one paragraph of text. A *boundary* is the
character offset where a sentence ends inside that paragraph; the end of the paragraph itself never
counts (every splitter gets it for free). Gold and predicted boundaries are compared as sets per
paragraph and pooled over the file. Three layouts of the same sentences are scored:

- ``joined``: all sentences joined with one space, split by reader.segment alone (and by
  simplemma.split_sentences(lang="nl") as a baseline). The strictest test of the rules, but
  unlike any imported text: a Wikipedia title or list item has no final punctuation, and only the
  line it stood on told it apart from the next sentence.
- ``lines``: the layout the sentences had in their source, as far as it can be rebuilt. A
  sentence without final punctuation (``. ! ? …``; a title, a list item, a line ending in ``:``)
  stands on a line of its own, others follow each other with a space. The text goes through
  ``reader.importer.paragraphs_of`` and each paragraph through ``sentence_spans``: the
  boundaries an imported article gets. The line breaks sit at gold boundaries (UD keeps no
  layout), so this layout alone would reward cutting at every line break; hence the third.
- ``wrapped``: the ``lines`` text hard-wrapped at 72 columns, as an e-mail or a text editor
  saves it. Here most line breaks are *not* boundaries, so an importer that cut at every line
  break loses precision.

The score the issue's targets refer to is ``lines``; ``joined`` and ``wrapped`` are reported so
the layout cannot hide a weakness. Replacing one space by one line break keeps every offset.
"""

from __future__ import annotations

import re
import sys
import textwrap
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


LAYOUTS = ("joined", "lines", "wrapped")
_FINAL = (".", "!", "?", "…")
_CLOSERS = "\"'”’»)]"
WRAP_COLUMNS = 72


def gold_boundaries(sentences: list[str], layout: str = "joined") -> tuple[str, set[int]]:
    """The paragraph text in ``layout`` and the offsets where its inner sentences end."""
    ends, offset, text = [], 0, ""
    for i, sentence in enumerate(sentences):
        if i:
            own_line = layout != "joined" and not (_ends(sentences[i - 1]) and _ends(sentence))
            text += "\n" if own_line else " "
        text += sentence
        offset += len(sentence)
        ends.append(offset)
        offset += 1
    if layout == "wrapped":
        text = "\n".join(map(_wrap, text.split("\n")))
    return text, set(ends[:-1])


def _ends(sentence: str) -> bool:
    return sentence.rstrip(_CLOSERS).endswith(_FINAL)


def _wrap(line: str) -> str:
    """The line wrapped at ``WRAP_COLUMNS``, or unchanged where wrapping would move offsets."""
    wrapped = "\n".join(
        textwrap.wrap(line, WRAP_COLUMNS, break_long_words=False, break_on_hyphens=False)
    )
    return wrapped if len(wrapped) == len(line) else line


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


def importer_spans(text: str) -> Spans:
    """Sentences as an imported article gets them: importer paragraphs, then ``sentence_spans``.

    The importer joins lines and may drop a list bullet, so each sentence is found again in the
    text with any white space matching any white space.
    """
    from reader.importer import paragraphs_of
    from reader.segment import sentence_spans

    spans, pos = [], 0
    for paragraph in paragraphs_of(text):
        for start, end in sentence_spans(paragraph.text):
            words = paragraph.text[start:end].split()
            found = re.compile(r"\s+".join(map(re.escape, words))).search(text, pos)
            if found is None:
                raise ValueError(f"sentence not found in the text: {' '.join(words)[:60]!r}")
            spans.append(found.span())
            pos = found.end()
    return spans


def evaluate(
    paragraphs: list[list[str]],
    splitter: Callable[[str], Spans],
    show_errors: bool = False,
    layout: str = "joined",
) -> tuple[Score, float]:
    score = Score()
    splitter("Warm up. Eerst.")
    started = time.perf_counter()
    for sentences in paragraphs:
        text, gold = gold_boundaries(sentences, layout)
        predicted = inner_boundaries(text, splitter(text))
        score.add(gold, predicted)
        if show_errors and gold != predicted:
            for end in sorted(gold ^ predicted):
                kind = "missed" if end in gold else "extra "
                before, after = text[max(0, end - 60) : end], text[end : end + 40]
                print(f"  {layout} {kind} | {before!r} || {after!r}")
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
        rows = [("simplemma", "joined", baseline, base_time), ("reader.segment", "joined", ours, our_time)]
        for layout in LAYOUTS[1:]:
            score, spent = evaluate(paragraphs, importer_spans, show_errors, layout)
            rows.append(("reader.importer", layout, score, spent))
        for name, layout, s, t in rows:
            print(f"  {name:15} {layout:7} P {s.precision:.4f}  R {s.recall:.4f}  F1 {s.f1:.4f}  "
                  f"(tp {s.true_pos}, fp {s.false_pos}, fn {s.false_neg})  {t * 1000:.1f} ms")
        print(f"  time ratio reader.segment / simplemma: {our_time / base_time:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
