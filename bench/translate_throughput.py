"""Translation throughput: the engine against argostranslate's own path and raw CTranslate2.

Builds the base-size test package (Transformer-base, int8, 32k vocabulary, random weights) in a
temporary folder and translates the same sentences (the sample article's, repeated to about
``--sentences``) three ways in one run, all with ``intra_threads=2, inter_threads=1``:

- argostranslate: ``apply_packaged_translation`` once per paragraph, with a sentencizer using
  ``reader.segment.split_sentences`` (what an Argos-based app does);
- engine: ``models.engine.Engine.translate`` on all sentences (with tokens and attention);
- raw: one ``translate_batch`` call on all pre-tokenised sentences (no attention, no decoding).

First, the peak RSS of the real ``bireader translate SEED`` (the installed console script, with
the base package installed in the sandbox) as a child of a small helper process.

Usage: python bench/translate_throughput.py [--sentences 300]
Last line: ``speedup_vs_argostranslate=X overhead_vs_ctranslate2=Y peak_rss_mb=Z`` (X = argos
time / engine time, goal >= 3.0; Y = raw time / engine time, goal >= 0.9; Z = the CLI's peak RSS).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, SEED, prepare_environment

THREADS = {"intra_threads": 2, "inter_threads": 1}
ROUNDS = 3  # raw and engine alternate over thirds of the sentences, so load drift hits both


def splitter():
    """The app's own sentence splitter (argostranslate's needs a download)."""
    from reader.segment import split_sentences

    return split_sentences


def paragraphs(n_sentences: int) -> list[str]:
    """The sample article's paragraphs, repeated until they hold about ``n_sentences`` sentences."""
    split = splitter()
    seed = [line.strip() for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
    out: list[str] = []
    count = 0
    while count < n_sentences:
        for para in seed:
            out.append(para)
            count += len(split(para))
            if count >= n_sentences:
                break
    return out


class Sentencizer:
    def __init__(self) -> None:
        self.split = splitter()

    def split_sentences(self, text: str) -> list[str]:
        return self.split(text)


def timed(fn):
    """Wall seconds, CPU seconds (steadier when other jobs share the cores) and the result."""
    start, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - start, time.process_time() - cpu, result


def run_argos(package, translator, paras: list[str]) -> tuple[float, list[str]]:
    from argostranslate.translate import apply_packaged_translation

    sentencizer = Sentencizer()

    def go():
        return [
            apply_packaged_translation(package, p, translator, sentencizer, num_hypotheses=1)[0].value
            for p in paras
        ]

    wall, cpu, texts = timed(go)
    return wall, cpu, texts


def run_raw(package, translator, sentences: list[str]) -> tuple[float, float, int]:
    tokens = [package.tokenizer.encode(s) for s in sentences]

    def go():
        return translator.translate_batch(
            tokens,
            max_batch_size=64,
            batch_type="examples",
            beam_size=4,
            length_penalty=0.2,
            replace_unknowns=True,
            return_scores=True,
        )

    wall, cpu, results = timed(go)
    return wall, cpu, sum(len(r.hypotheses[0]) for r in results)


def peak_rss_child() -> None:
    """Helper mode: run ``bireader translate SEED`` and print its peak RSS (KiB) and wall seconds.

    ``RUSAGE_CHILDREN`` is the largest of all waited-for children, and Linux carries the parent's
    RSS into a child across fork and exec: so it is read here, in a process that has run nothing
    else and loaded no model, not in the bench process (which built and loaded the package).
    """
    bireader = Path(sys.executable).with_name("bireader")
    env = dict(os.environ, BIREADER_ALLOW_TEST_PACKAGE="1")  # the CLI refuses test packages otherwise
    start = time.perf_counter()
    proc = subprocess.run([str(bireader), "translate", str(SEED)], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"bireader translate failed ({proc.returncode}): {proc.stderr.strip()}")
    print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, f"{seconds:.2f}")


def peak_rss_mb() -> tuple[float, float]:
    """Peak RSS (MB) and wall seconds of ``bireader translate SEED``, measured by a helper child."""
    helper = [sys.executable, __file__, "--peak-rss-child"]
    proc = subprocess.run(helper, env=dict(os.environ), capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr.strip())
    kib, seconds = proc.stdout.split()
    return int(kib) / 1024, float(seconds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", type=int, default=300)
    parser.add_argument("--peak-rss-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.peak_rss_child:
        peak_rss_child()
        return 0

    with tempfile.TemporaryDirectory(prefix="bireader-bench-") as tmp:
        prepare_environment(Path(tmp))
        from models import packages

        # build in a child so this process stays small: the RSS child below inherits its peak
        path = Path(tmp) / "base.argosmodel"
        build = [sys.executable, "-m", "models.testpackage", str(path), "--size", "base"]
        seconds, _, _ = timed(lambda: subprocess.run(build, cwd=ROOT, check=True, capture_output=True))
        print(f"built the base test package in {seconds:.1f} s ({path.stat().st_size / 1e6:.0f} MB)")
        package = packages.install_file(path)
        rss, seconds = peak_rss_mb()
        print(f"`bireader translate SEED` with the base package: peak RSS {rss:.0f} MB, {seconds:.1f} s")
        argos_s, engine_s, raw_s = compare(package, args.sentences)

    print(
        f"speedup_vs_argostranslate={argos_s / engine_s:.2f} overhead_vs_ctranslate2={raw_s / engine_s:.2f} "
        f"peak_rss_mb={rss:.0f}"
    )
    return 0


def compare(package, n_sentences: int) -> tuple[float, float, float]:
    """Seconds for argostranslate, the engine and raw CTranslate2 on the same sentences."""
    import ctranslate2
    from argostranslate import settings

    from models.engine import DecodeSettings, Engine

    model_dir = str(Path(package.package_path) / "model")
    translator = ctranslate2.Translator(
        model_dir, device="cpu", compute_type=settings.compute_type, **THREADS
    )
    engine = Engine(package, DecodeSettings(**THREADS))
    paras = paragraphs(n_sentences)
    split = splitter()
    counts = [len(split(p)) for p in paras]
    sentences = [s for p in paras for s in split(p)]
    print(f"{len(sentences)} sentences in {len(paras)} paragraphs, beam 4, {THREADS}")
    engine.translate(sentences[:4])  # warm both translators up
    translator.translate_batch([package.tokenizer.encode(s) for s in sentences[:4]], beam_size=4)

    raw, eng, results = [0.0, 0.0, 0], [0.0, 0.0], []
    for k in range(ROUNDS):
        part = sentences[k * len(sentences) // ROUNDS : (k + 1) * len(sentences) // ROUNDS]
        for name in ("raw", "engine") if k % 2 == 0 else ("engine", "raw"):
            if name == "raw":
                raw = [a + b for a, b in zip(raw, run_raw(package, translator, part), strict=True)]
            else:
                wall, cpu, out = timed(lambda part=part: engine.translate(part))
                eng = [eng[0] + wall, eng[1] + cpu]
                results += out
    tokens = sum(len(r.target_tokens) for r in results)
    report("raw translate_batch", raw[0], raw[1], raw[2])
    report("engine", eng[0], eng[1], tokens)
    argos_s, argos_cpu, argos_texts = run_argos(package, translator, paras)
    report("argostranslate", argos_s, argos_cpu, tokens)
    same = sum(a == b for a, b in zip(paragraph_texts(package, results, counts), argos_texts, strict=True))
    print(f"same text as argostranslate: {same}/{len(paras)} paragraphs")
    return argos_s, eng[0], raw[0]


def report(name: str, seconds: float, cpu: float, tokens: int) -> None:
    print(f"{name + ':':21}{seconds:7.1f} s  {tokens / seconds:6.0f} target tokens/s  (CPU {cpu:.1f} s)")


def paragraph_texts(package, results, counts: list[int]) -> list[str]:
    """The engine's sentences joined per paragraph the way argostranslate decodes a paragraph."""
    texts, position = [], 0
    for n in counts:
        value = package.tokenizer.decode(
            [t for r in results[position : position + n] for t in r.target_tokens]
        )
        texts.append(value[1:] if value.startswith(" ") else value)
        position += n
    return texts


if __name__ == "__main__":
    raise SystemExit(main())
