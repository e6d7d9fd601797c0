"""The test-package builder writes real, installable, deterministic Argos packages."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from models import packages
from models.engine import Engine
from models.testpackage import TEST_MARKER, build_package
from tests.helpers_models import read_sample_sentences

ROOT = Path(__file__).resolve().parent.parent
DTYPES = ("float32", "int8", "int16", "int32", "float16", "bfloat16")


@pytest.fixture(scope="module")
def sample_sentences() -> list[str]:
    return read_sample_sentences()


def _model_bin_variables(data: bytes) -> dict[str, tuple[tuple[int, ...], str]]:
    """Names, shapes and dtypes stored in a CTranslate2 model.bin (its documented layout)."""
    pos = 0

    def take(fmt: str):
        nonlocal pos
        values = struct.unpack_from(fmt, data, pos)
        pos += struct.calcsize(fmt)
        return values

    def string() -> str:
        nonlocal pos
        (length,) = take("H")
        text = data[pos : pos + length - 1].decode()
        pos += length
        return text

    take("I")
    string()
    take("I")
    (count,) = take("I")
    out = {}
    for _ in range(count):
        name = string()
        (rank,) = take("B")
        shape = take(f"{rank}I")
        (dtype,) = take("B")
        (size,) = take("I")
        pos += size
        out[name] = (tuple(shape), DTYPES[dtype])
    return out


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist() if not n.endswith("/")}


def test_tiny_package_is_a_complete_argos_package(tiny_package_file):
    members = _members(tiny_package_file)
    tops = {name.split("/")[0] for name in members}
    assert tops == {"translate-nl_en-test_tiny"}
    top = tops.pop()
    assert {f"{top}/metadata.json", f"{top}/sentencepiece.model", f"{top}/model/model.bin"} <= set(members)
    meta = json.loads(members[f"{top}/metadata.json"])
    assert meta["type"] == "translate"
    assert (meta["from_code"], meta["from_name"], meta["to_code"], meta["to_name"]) == (
        "nl",
        "Dutch",
        "en",
        "English",
    )
    assert meta["package_version"] and meta["argos_version"]
    assert meta[TEST_MARKER] == "tiny"
    assert tiny_package_file.stat().st_size < 2_000_000


def test_same_arguments_give_identical_bytes(tmp_path, tiny_package_file):
    again = build_package(tmp_path / "again.argosmodel", size="tiny")
    assert again.read_bytes() == tiny_package_file.read_bytes()


def test_other_pair_from_the_command_line(tmp_path, tiny_package_file):
    out = tmp_path / "sub" / "en-nl.argosmodel"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "models.testpackage",
            str(out),
            "--size",
            "tiny",
            "--from",
            "en",
            "--to",
            "nl",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert str(out) in proc.stdout
    members = _members(out)
    meta = json.loads(members["translate-en_nl-test_tiny/metadata.json"])
    assert (meta["from_code"], meta["to_code"]) == ("en", "nl")
    nl_en = _members(tiny_package_file)["translate-nl_en-test_tiny/model/model.bin"]
    assert members["translate-en_nl-test_tiny/model/model.bin"] != nl_en  # seeded by the pair


def test_unknown_size_is_refused(tmp_path):
    with pytest.raises(ValueError, match="tiny, base"):
        build_package(tmp_path / "x.argosmodel", size="huge")
    assert not list(tmp_path.iterdir())


def test_tiny_vocabulary_covers_every_sentencepiece_piece(tiny_package):
    processor = tiny_package.tokenizer.lazy_processor()
    pieces = {processor.id_to_piece(i) for i in range(processor.get_piece_size())}
    model_dir = Path(tiny_package.package_path) / "model"
    vocab = json.loads((model_dir / "shared_vocabulary.json").read_text(encoding="utf-8"))
    assert vocab[:3] == ["<blank>", "<s>", "</s>"]
    assert pieces <= set(vocab)
    assert len(vocab) == len(set(vocab))


def test_tiny_outputs_end_on_their_own_well_before_the_limit(tiny_package, sample_sentences):
    engine = Engine(tiny_package)
    results = engine.translate(sample_sentences)
    lengths = [len(r.target_tokens) for r in results]
    assert min(lengths) >= 1
    assert max(lengths) <= 30  # the EOS ramp ends them; the limit would allow 2x input + 10
    assert len({r.target for r in results}) > len(results) // 2  # outputs depend on the input


def test_base_package_shape_and_decoding(tmp_path, sample_sentences, monkeypatch):
    """Transformer-base: 6+6 layers, width 512, 8 heads' worth of weights, 32k vocabulary, int8."""
    path = build_package(tmp_path / "base.argosmodel", size="base")
    members = _members(path)
    top = "translate-nl_en-test_base"
    variables = _model_bin_variables(members[f"{top}/model/model.bin"])
    assert variables["encoder/layer_5/ffn/linear_0/weight"] == ((2048, 512), "int8")
    assert variables["decoder/layer_5/attention/linear_1/weight"][1] == "int8"
    assert not any(name.startswith(("encoder/layer_6", "decoder/layer_6")) for name in variables)
    assert variables["decoder/projection/weight"] == ((32000, 512), "int8")
    vocab = json.loads(members[f"{top}/model/shared_vocabulary.json"])
    assert len(vocab) == len(set(vocab)) == 32000

    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "pkgs"))
    package = packages.install_file(path)
    for piece in vocab:  # synthetic padding pieces are unknown to SentencePiece: must still decode
        assert isinstance(package.tokenizer.decode([piece]), str)
    results = Engine(package).translate(sample_sentences[:3])
    assert all(r.target.strip() for r in results)
    assert all(np.isfinite(r.score) for r in results)
