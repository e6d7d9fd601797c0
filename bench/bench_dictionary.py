"""Dictionary start-up and lookup cost on the real FreeDict nld-eng, against inflating it whole.

Run: .venv/bin/python bench/bench_dictionary.py [DICT_FOLDER]
Baseline (same run): gzip.decompress of the whole .dict.dz, what a reader without the dictzip
chunk table would pay on every start. Also prints how the seed article's words are found.
"""

from __future__ import annotations

import gzip
import re
import sys
import time
from collections import Counter
from pathlib import Path

from reader.dictionary import Dictionary

ROOT = Path(__file__).resolve().parent.parent


def timed(fn, repeat: int = 1) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat


def main() -> None:
    folder = sys.argv[1] if len(sys.argv) > 1 else None
    text = next((ROOT / "seeds").glob("*.txt")).read_text(encoding="utf-8")
    words = re.findall(r"[^\W\d_]+(?:[-'][^\W\d_]+)*", text)

    d = Dictionary.open(folder)
    baseline = timed(lambda: gzip.decompress(d.data_path.read_bytes()), repeat=5)
    open_s = timed(lambda: Dictionary.open(folder), repeat=20)
    index_s = timed(lambda: Dictionary.open(folder).load_index(), repeat=5) - open_s
    d.load_index()
    first = timed(lambda: d.lookup("oorlog"))  # inflates a chunk, warms simplemma
    fresh = Dictionary.open(folder)
    fresh.load_index()
    fresh.lookup("oorlog")
    cold = timed(lambda: [fresh.translations(w) for w in words]) / len(words)
    warm = timed(lambda: [fresh.translations(w) for w in words], repeat=20) / len(words)
    lookup = timed(lambda: [d.lookup(w) for w in words], repeat=3) / len(words)

    print(f"baseline: inflate whole .dict.dz     {baseline * 1e3:8.2f} ms  (1.00)")
    print(f"Dictionary.open (chunk table only)   {open_s * 1e3:8.2f} ms  ({open_s / baseline:.3f})")
    print(f"index load ({len(d)} keys)        {index_s * 1e3:8.2f} ms  ({index_s / baseline:.2f})")
    print(f"first lookup (chunk + simplemma)     {first * 1e3:8.2f} ms")
    print(f"lookup per word, warm chunks         {lookup * 1e6:8.1f} µs  ({lookup / baseline:.4f})")
    print(f"translations per word, first call    {cold * 1e6:8.1f} µs")
    print(f"translations per word, cached        {warm * 1e6:8.2f} µs")

    found = Counter(r[0].how if (r := d.lookup(w)) else "none" for w in words)
    total = sum(found.values())
    shares = ", ".join(f"{k} {v / total:.0%}" for k, v in found.most_common())
    print(f"seed article, {total} word tokens: {shares}")


if __name__ == "__main__":
    main()
