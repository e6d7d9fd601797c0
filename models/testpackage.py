"""Build real Argos packages from seeded random weights, so tests and benches need no download.

The package is a genuine CTranslate2 Transformer plus a SentencePiece model trained on the sample
article(s) in ``seeds/``: it installs and runs exactly like a downloaded Argos package, but its
output is gibberish and must never be shown to a user as a translation.

Output length is engineered rather than left to chance: one channel of the decoder's position
encoding is a ramp that the generator maps onto the end-of-sentence logit, so every hypothesis
ends after a few dozen tokens instead of looping to the decoding limit.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SEEDS_DIR = Path(__file__).resolve().parents[1] / "seeds"
PACKAGE_VERSION = "0.1"
ARGOS_VERSION = "1.9"
SP_VOCAB_SIZE = 268  # about all SentencePiece can learn from the sample article alone
MAX_POSITIONS = 2048
SPECIALS = ("<blank>", "<s>", "</s>")  # OpenNMT-py order, before the SentencePiece pieces
LANGUAGE_NAMES = {
    "nl": "Dutch",
    "en": "English",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
}
TEST_MARKER = "bireader_test_package"  # metadata key: models.packages.is_test_package looks for it
TOP_LOGIT = 10.0
EOS_GAIN = 24.0
EOS_BIAS = -8.0
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Shape:
    """Hyper-parameters of one package size."""

    layers: tuple[int, int]
    width: int
    heads: int
    ffn: int
    vocab: int | None  # None: the SentencePiece pieces only; else padded to this many
    eos_step: int  # about where the end-of-sentence ramp overtakes the other tokens


SIZES = {
    "tiny": Shape(layers=(1, 1), width=32, heads=2, ffn=64, vocab=None, eos_step=14),
    "base": Shape(layers=(6, 6), width=512, heads=8, ffn=2048, vocab=32000, eos_step=30),
}


def build_package(out: str | Path, size: str = "tiny", from_code: str = "nl", to_code: str = "en") -> Path:
    """Write a real ``.argosmodel`` to ``out``; the same arguments always give the same weights."""
    if size not in SIZES:
        raise ValueError(f"unknown package size {size!r}: use one of {', '.join(SIZES)}")
    out = Path(out)
    shape = SIZES[size]
    sp_model = train_sentencepiece(seed_lines())
    vocab = model_vocabulary(sp_model, shape.vocab)
    rng = np.random.default_rng(zlib.crc32(f"{size}:{from_code}:{to_code}".encode()))
    variables = random_weights(shape, vocab, rng)
    with tempfile.TemporaryDirectory(prefix="bireader-testpackage-") as tmp:
        model_dir = Path(tmp) / "model"
        save_ctranslate2_model(shape, variables, vocab, model_dir)
        files = {f"model/{p.name}": p.read_bytes() for p in sorted(model_dir.iterdir())}
    files["sentencepiece.model"] = sp_model
    files["metadata.json"] = metadata_json(from_code, to_code, size)
    files["README.md"] = readme(size).encode()
    write_package_zip(out, f"translate-{from_code}_{to_code}-test_{size}", files)
    return out


def seed_lines() -> list[str]:
    """Non-empty lines of every sample article, in file-name order."""
    paths = sorted(SEEDS_DIR.glob("*.txt"))
    if not paths:
        raise FileNotFoundError(f"no sample article (*.txt) in {SEEDS_DIR} to train a tokenizer on")
    text = "\n".join(p.read_text(encoding="utf-8") for p in paths)
    return [line.strip() for line in text.splitlines() if line.strip()]


def train_sentencepiece(lines: list[str]) -> bytes:
    """A unigram SentencePiece model; one thread and a fixed seed make it byte-identical."""
    import sentencepiece as spm

    spm.set_random_generator_seed(1234)
    buffer = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=buffer,
        vocab_size=SP_VOCAB_SIZE,
        hard_vocab_limit=False,
        model_type="unigram",
        character_coverage=1.0,
        num_threads=1,
        shuffle_input_sentence=False,
        minloglevel=2,
    )
    return buffer.getvalue()


def model_vocabulary(sp_model: bytes, size: int | None) -> list[str]:
    """OpenNMT-style vocabulary: specials, the SentencePiece pieces, then synthetic padding.

    Synthetic pieces are unknown to SentencePiece; ``decode_pieces`` keeps them as literal text,
    so decoding them never fails (they read as made-up words).
    """
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_proto=sp_model)
    pieces = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
    vocab = list(SPECIALS) + [p for p in pieces if p not in SPECIALS]
    if size is None:
        return vocab
    if size < len(vocab):
        raise ValueError(f"vocabulary size {size} is smaller than the {len(vocab)} real pieces")
    return vocab + synthetic_pieces(pieces, size - len(vocab), set(vocab))


def synthetic_pieces(pieces: list[str], count: int, taken: set[str]) -> list[str]:
    """``count`` new word-like pieces built from real letter pieces, deterministic and unique."""
    stems = sorted({p.lstrip("▁") for p in pieces if p.lstrip("▁").isalpha()})
    out: list[str] = []
    seen = set(taken)
    n = 0
    while len(out) < count:
        a, rest = divmod(n, len(stems))
        b, c = divmod(a, len(stems))
        piece = "▁" + stems[rest] + stems[c % len(stems)] + (stems[b % len(stems)] if b else "")
        n += 1
        if piece not in seen:
            seen.add(piece)
            out.append(piece)
    return out


def sinusoids(length: int, width: int) -> np.ndarray:
    """The Transformer's sinusoidal position encodings, OpenNMT-py layout ``(length, 1, width)``."""
    position = np.arange(length, dtype=np.float64)[:, None]
    rates = np.exp(np.arange(0, width, 2, dtype=np.float64) * -(np.log(10000.0) / width))
    pe = np.zeros((length, width), dtype=np.float64)
    pe[:, 0::2] = np.sin(position * rates)
    pe[:, 1::2] = np.cos(position * rates)
    return pe.astype(np.float32)[:, None, :]


def random_weights(shape: Shape, vocab: list[str], rng: np.random.Generator) -> dict:
    """Seeded weights named as OpenNMT-py names them; channel 0 of the decoder is the EOS ramp."""
    d, v = shape.width, len(vocab)
    w: dict[str, np.ndarray] = {}

    def normal(*dims: int, std: float) -> np.ndarray:
        return (rng.standard_normal(dims, dtype=np.float32) * std).astype(np.float32)

    def linear(name: str, rows: int, cols: int, keep_ramp: bool = False, gain: float = 1.0) -> None:
        w[f"{name}.weight"] = normal(rows, cols, std=gain * cols**-0.5)
        w[f"{name}.bias"] = np.zeros(rows, dtype=np.float32)
        if keep_ramp:  # nothing may write into the ramp channel of the decoder's residual stream
            w[f"{name}.weight"][0, :] = 0.0

    def norm(name: str) -> None:
        w[f"{name}.weight"] = np.ones(d, dtype=np.float32)
        w[f"{name}.bias"] = np.zeros(d, dtype=np.float32)

    def attention(name: str, keep_ramp: bool, gain: float) -> None:
        for part in ("linear_query", "linear_keys", "linear_values"):
            linear(f"{name}.{part}", d, d)
        linear(f"{name}.final_linear", d, d, keep_ramp, gain)

    def feed_forward(name: str, keep_ramp: bool, gain: float) -> None:
        linear(f"{name}.w_1", shape.ffn, d)
        linear(f"{name}.w_2", d, shape.ffn, keep_ramp, gain)
        norm(f"{name}.layer_norm")

    enc, dec = shape.layers
    # scale what each sub-layer adds to the residual stream, so its spread (and thus the share of
    # the ramp after the final layer norm) does not depend on depth
    enc_gain, dec_gain = (2 * enc) ** -0.5, (3 * dec) ** -0.5
    w["encoder.embeddings.make_embedding.emb_luts.0.weight"] = normal(v, d, std=d**-0.5)
    w["encoder.embeddings.make_embedding.pe.pe"] = sinusoids(MAX_POSITIONS, d)
    for i in range(enc):
        attention(f"encoder.transformer.{i}.self_attn", False, enc_gain)
        norm(f"encoder.transformer.{i}.layer_norm")
        feed_forward(f"encoder.transformer.{i}.feed_forward", False, enc_gain)
    norm("encoder.layer_norm")

    target_embeddings = normal(v, d, std=d**-0.5)
    target_embeddings[:, 0] = 0.0
    decoder_pe = sinusoids(MAX_POSITIONS, d)
    decoder_pe[:, 0, 0] = np.arange(MAX_POSITIONS, dtype=np.float32) / shape.eos_step
    w["decoder.embeddings.make_embedding.emb_luts.0.weight"] = target_embeddings
    w["decoder.embeddings.make_embedding.pe.pe"] = decoder_pe
    for i in range(dec):
        scope = f"decoder.transformer_layers.{i}"
        attention(f"{scope}.self_attn", True, dec_gain)
        attention(f"{scope}.context_attn", True, dec_gain)
        norm(f"{scope}.layer_norm_1")
        norm(f"{scope}.layer_norm_2")
        feed_forward(f"{scope}.feed_forward", True, dec_gain)
    norm("decoder.layer_norm")
    w.update(generator(shape, vocab, rng))
    return w


def generator(shape: Shape, vocab: list[str], rng: np.random.Generator) -> dict:
    """Output layer: peaked random logits, specials never chosen, EOS driven by the ramp."""
    d, v = shape.width, len(vocab)
    # the best of v random logits sits near std * sqrt(2 ln v): aim it at TOP_LOGIT for any v
    std = TOP_LOGIT / np.sqrt(2 * np.log(v)) / np.sqrt(d)
    weight = (rng.standard_normal((v, d), dtype=np.float32) * np.float32(std)).astype(np.float32)
    weight[:, 0] = 0.0
    bias = np.zeros(len(vocab), dtype=np.float32)
    for special in ("<blank>", "<s>", "<unk>"):
        if special in vocab:
            bias[vocab.index(special)] = -1e4
    eos = vocab.index("</s>")
    weight[eos, :] = 0.0
    weight[eos, 0] = EOS_GAIN
    bias[eos] = EOS_BIAS
    return {"generator.weight": weight, "generator.bias": bias}


def save_ctranslate2_model(shape: Shape, variables: dict, vocab: list[str], model_dir: Path) -> None:
    """Fill a TransformerSpec from ``variables`` and save it int8-quantised in ``model_dir``."""
    from ctranslate2.converters import Converter
    from ctranslate2.converters.opennmt_py import set_transformer_spec
    from ctranslate2.specs import TransformerSpec

    spec = TransformerSpec.from_config(shape.layers, shape.heads)
    spec.config.decoder_start_token = "<s>"
    set_transformer_spec(spec, variables)
    spec.register_source_vocabulary(vocab)
    spec.register_target_vocabulary(vocab)

    class SpecConverter(Converter):
        def _load(self):
            return spec

    SpecConverter().convert(str(model_dir), quantization="int8", force=True)


def metadata_json(from_code: str, to_code: str, size: str) -> bytes:
    meta = {
        "package_version": f"{PACKAGE_VERSION}+{size}",
        "argos_version": ARGOS_VERSION,
        "from_code": from_code,
        "from_name": LANGUAGE_NAMES.get(from_code, from_code),
        "to_code": to_code,
        "to_name": LANGUAGE_NAMES.get(to_code, to_code),
        "type": "translate",
        TEST_MARKER: size,
    }
    return (json.dumps(meta, indent=2) + "\n").encode()


def readme(size: str) -> str:
    return (
        f"# bilingual-reader test package ({size})\n\n"
        "Random weights built by `python -m models.testpackage`. The output is gibberish: "
        "use it for tests and benchmarks only.\n"
    )


def write_package_zip(out: Path, top: str, files: dict[str, bytes]) -> None:
    """Zip ``files`` under one top folder with fixed dates and order, then move it into place."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    with zipfile.ZipFile(partial, "w") as zf:
        dirs = sorted({f"{top}/"} | {f"{top}/{name.rsplit('/', 1)[0]}/" for name in files if "/" in name})
        for name in dirs:
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.external_attr = (0o40755 << 16) | 0x10
            zf.writestr(info, b"")
        for name in sorted(files):
            info = zipfile.ZipInfo(f"{top}/{name}", date_time=_ZIP_DATE)
            info.external_attr = 0o644 << 16
            # random int8 weights do not compress: storing them saves seconds for the base size
            info.compress_type = zipfile.ZIP_STORED if name.endswith(".bin") else zipfile.ZIP_DEFLATED
            zf.writestr(info, files[name])
    os.replace(partial, out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m models.testpackage",
        description="Build a random-weight Argos package for tests and benchmarks (gibberish output).",
    )
    parser.add_argument("out", type=Path, help="where to write the .argosmodel file")
    parser.add_argument("--size", choices=sorted(SIZES), default="tiny")
    parser.add_argument("--from", dest="from_code", default="nl")
    parser.add_argument("--to", dest="to_code", default="en")
    args = parser.parse_args(argv)
    path = build_package(args.out, size=args.size, from_code=args.from_code, to_code=args.to_code)
    print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
