"""The engine on a real CTranslate2 model: same text as argostranslate, plus tokens and attention."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import ctranslate2
import numpy as np
import pytest

from models.engine import (
    ARGOS_DECODING_LENGTH,
    DEFAULT_INPUT_LIMIT,
    MAX_DECODING_LENGTH,
    BlockAttention,
    DecodeSettings,
    Engine,
    TranslationResult,
    chunk_tokens,
    decoding_limit,
    model_key_for,
)
from reader.errors import Cancelled, ModelError
from tests.helpers_models import read_sample_sentences, rewrite_package

# Inputs of one or two pieces: a decoding limit taken from their batch mates would let them run
# longer (or shorter) than they do alone.
SHORT = ["Ja.", "A", "?", "x", "Lavrov."]


@pytest.fixture(scope="module")
def sample_sentences() -> list[str]:
    return read_sample_sentences()


def mixed(sample_sentences: list[str]) -> list[str]:
    """Short inputs among the article's long sentences, as in a real document."""
    out = list(sample_sentences)
    for k, short in enumerate(SHORT):
        out.insert(3 * k + 1, short)
    return out


@pytest.fixture
def engine(tiny_package) -> Engine:
    return Engine(tiny_package, DecodeSettings(intra_threads=1))


class WholeText:
    """A sentencizer that leaves the text whole, so argostranslate translates exactly one sentence."""

    def split_sentences(self, text: str) -> list[str]:
        return [text]


def test_same_text_as_argostranslate_for_every_sample_sentence(tiny_package, engine, sample_sentences):
    from argostranslate import settings
    from argostranslate.translate import apply_packaged_translation

    translator = ctranslate2.Translator(
        str(Path(tiny_package.package_path) / "model"), device="cpu", compute_type=settings.compute_type
    )
    sentences = mixed(sample_sentences)
    together = engine.translate(sentences)
    alone = [engine.translate([s])[0] for s in SHORT]
    assert len(sample_sentences) >= 15
    for sentence, result in [*zip(sentences, together, strict=True), *zip(SHORT, alone, strict=True)]:
        theirs = apply_packaged_translation(tiny_package, sentence, translator, WholeText(), num_hypotheses=1)
        assert result.target == theirs[0].value, sentence


def test_results_carry_tokens_and_attention(tiny_package, engine, sample_sentences):
    results = engine.translate(sample_sentences)
    for sentence, r in zip(sample_sentences, results, strict=True):
        assert r.source == sentence
        assert r.source_tokens == tiny_package.tokenizer.encode(sentence)
        assert r.target and r.target_tokens
        assert tiny_package.tokenizer.decode(r.target_tokens).lstrip(" ") == r.target
        assert r.attention.dtype == np.float16
        assert r.attention.shape == (len(r.target_tokens), len(r.source_tokens))
        np.testing.assert_allclose(r.attention.astype(np.float32).sum(axis=1), 1.0, atol=0.01)
        assert r.score < 0
        assert r.alternatives == []


def test_progress_batches_and_length_order(tiny_package, sample_sentences):
    engine = Engine(tiny_package, DecodeSettings(max_batch_size=4, batch_seconds=None))
    calls: list[tuple[int, int]] = []
    batches: list[list[int]] = []
    results = engine.translate(
        sample_sentences,
        progress=lambda done, total: calls.append((done, total)),
        on_batch=lambda batch: batches.append([i for i, _ in batch]),
    )
    n = len(sample_sentences)
    assert len(batches) == -(-n // 4)
    assert all(len(b) <= 4 for b in batches)
    assert sorted(i for b in batches for i in b) == list(range(n))
    lengths = [len(results[i].source_tokens) for b in batches for i in b]
    assert lengths == sorted(lengths)  # short sentences first, so batches pad little
    assert calls == [(sum(len(b) for b in batches[: k + 1]), n) for k in range(len(batches))]


def test_batching_does_not_change_text_or_attention(engine, sample_sentences):
    """A sentence's translation and alignment must not depend on what else was in its batch."""
    sentences = mixed(sample_sentences)
    together = engine.translate(sentences)
    for sentence, batched in zip(sentences, together, strict=True):
        alone = engine.translate([sentence])[0]
        assert alone.target_tokens == batched.target_tokens
        np.testing.assert_allclose(alone.attention, batched.attention, atol=1e-3)
        assert alone.score == pytest.approx(batched.score, abs=1e-4)


def test_cancel_between_batches_keeps_finished_ones(tiny_package, sample_sentences):
    engine = Engine(tiny_package, DecodeSettings(max_batch_size=4, batch_seconds=None))
    delivered: list[int] = []
    with pytest.raises(Cancelled) as err:
        engine.translate(
            sample_sentences,
            on_batch=lambda batch: delivered.extend(i for i, _ in batch),
            cancelled=lambda: len(delivered) >= 8,
        )
    assert len(delivered) == 8
    assert f"after 8 of {len(sample_sentences)} sentences" in str(err.value)


def test_cancel_before_start_translates_nothing(engine, sample_sentences):
    delivered = []
    with pytest.raises(Cancelled):
        engine.translate(sample_sentences, on_batch=delivered.append, cancelled=lambda: True)
    assert delivered == []


def test_empty_inputs_give_empty_results(engine, sample_sentences):
    results = engine.translate(["", "   \n", sample_sentences[0]])
    assert [r.target for r in results[:2]] == ["", ""]
    assert results[0].attention.shape == (0, 0)
    assert results[2].target
    assert engine.translate([]) == []
    only_blank = []
    assert engine.translate([""], on_batch=only_blank.append)[0].target == ""
    assert only_blank == [[(0, TranslationResult("", "", [], [], np.zeros((0, 0), np.float16), 0.0, []))]]


def raw_pieces(package, chunks: list[list[str]]) -> list[list[str]]:
    """Each chunk translated alone by CTranslate2 with its defaults (decoding limit 256)."""
    raw = ctranslate2.Translator(str(Path(package.package_path) / "model"))
    return [
        raw.translate_batch([c], beam_size=4, length_penalty=0.2, replace_unknowns=True)[0].hypotheses[0]
        for c in chunks
    ]


@pytest.mark.parametrize("limit", [2, 12])
def test_long_inputs_are_chunked_not_truncated(tiny_package, sample_sentences, limit):
    """Tiny chunks still get their whole translation (the model says more than 2n+10 for them)."""
    long = max(sample_sentences, key=len)
    small = Engine(tiny_package, DecodeSettings(max_input_length=limit))
    result = small.translate([long])[0]
    tokens = tiny_package.tokenizer.encode(long)
    assert len(tokens) > 3 * limit
    assert result.source_tokens == tokens
    chunks = chunk_tokens(tokens, limit)
    pieces = raw_pieces(tiny_package, chunks)
    # each chunk is translated as its own input, and the outputs are joined in order
    assert result.target_tokens == [t for p in pieces for t in p]
    rows = cols = 0
    # one stored block per chunk, at its place on the diagonal: nothing off the blocks is kept
    assert isinstance(result.attention, BlockAttention)
    assert len(result.attention.blocks) == len(chunks)
    for (row, col, block), chunk, piece in zip(result.attention.blocks, chunks, pieces, strict=True):
        assert (row, col, block.shape) == (rows, cols, (len(piece), len(chunk)))
        np.testing.assert_allclose(block.astype(np.float32).sum(axis=1), 1.0, atol=0.01)
        rows += len(piece)
        cols += len(chunk)
    assert (rows, cols) == result.attention.shape
    assert result.attention.size == sum(len(p) * len(c) for p, c in zip(pieces, chunks, strict=True))
    dense = np.asarray(result.attention, dtype=np.float32)
    assert dense.shape == (rows, cols) and dense.sum() == pytest.approx(rows, abs=0.05)  # zero off-block


def test_default_chunks_are_sentence_sized_and_end_at_a_comma(tiny_package, engine, sample_sentences):
    """A run-on input far beyond a training sentence is cut after a comma, not mid-clause."""
    clauses = [s.rstrip(".!?") for s in sample_sentences]
    long = ", ".join(clauses * 3) + "."
    tokens = tiny_package.tokenizer.encode(long)
    assert len(tokens) > 2 * DEFAULT_INPUT_LIMIT
    result = engine.translate([long])[0]
    chunks = chunk_tokens(tokens, engine.input_limit)
    assert engine.input_limit <= DEFAULT_INPUT_LIMIT <= 250
    assert len(chunks) >= 3
    assert all(len(c) <= DEFAULT_INPUT_LIMIT for c in chunks)
    assert all(c[-1].endswith(",") for c in chunks[:-1])
    assert result.source_tokens == tokens
    assert result.target_tokens == [t for p in raw_pieces(tiny_package, chunks) for t in p]


def test_chunks_prefer_clause_ends_then_word_starts():
    tokens = ["▁De", "▁man", ",", "▁die", "▁daar", "▁loopt", "▁is", "▁oud"]
    assert chunk_tokens(tokens, 5) == [tokens[:3], tokens[3:]]  # after the comma, not at the limit
    assert chunk_tokens(tokens, 8) == [tokens]
    bpe = ["Een", "lan@@", "ge", "zin@@", "nen", "reeks", "van", "woor@@", "den"]
    assert chunk_tokens(bpe, 4) == [bpe[:3], bpe[3:7], bpe[7:]]  # never inside a word


def test_decoding_limit_depends_on_the_chunk_alone():
    """Never below argostranslate's 256 (same text), enough for any real output, in few steps."""
    s = DecodeSettings()
    limits = [decoding_limit(n, s) for n in range(1, 1025)]
    assert limits[:100] == [ARGOS_DECODING_LENGTH] * 100
    assert all(limit >= min(2 * n + 10, MAX_DECODING_LENGTH) for n, limit in enumerate(limits, 1))
    assert max(limits) == MAX_DECODING_LENGTH
    assert len(set(limits)) <= 7  # chunks of similar length share one translate_batch call
    assert limits == sorted(limits)
    assert decoding_limit(1, s, prefix_length=1) == ARGOS_DECODING_LENGTH  # Argos counts the prefix too
    assert decoding_limit(300, s, prefix_length=1) == decoding_limit(300, s) + 1


def test_chunks_split_at_word_starts():
    tokens = ["▁Een", "▁lan", "ge", "▁zin", "▁met", "▁woor", "den", "▁en", "▁zo"]
    chunks = chunk_tokens(tokens, 4)
    assert [t for c in chunks for t in c] == tokens
    assert all(len(c) <= 4 for c in chunks)
    assert all(c[0].startswith("▁") for c in chunks)
    assert chunk_tokens(["a"] * 10, 4) == [["a"] * 4, ["a"] * 4, ["a"] * 2]  # no word starts: hard cut


def test_n_best_alternatives(tiny_package, sample_sentences):
    engine = Engine(tiny_package, DecodeSettings(num_hypotheses=4))
    results = engine.translate(sample_sentences[:5])
    assert any(r.alternatives for r in results)
    for r in results:
        assert len(r.alternatives) <= 3
        assert all(text != r.target for text, _ in r.alternatives)
        assert all(score <= r.score + 1e-6 for _, score in r.alternatives)


def test_model_key_changes_with_output_settings_only(tiny_package, engine):
    assert engine.model_key.startswith("nl-en@0.1+tiny:translate-nl_en~")
    assert engine.model_key == model_key_for(tiny_package)
    faster = DecodeSettings(intra_threads=2, inter_threads=2, max_batch_size=8)
    assert model_key_for(tiny_package, faster) == engine.model_key
    assert model_key_for(tiny_package, DecodeSettings(beam_size=2)) != engine.model_key
    assert model_key_for(tiny_package, DecodeSettings(max_input_length=100)) != engine.model_key


def test_model_key_tells_apart_packages_of_the_same_pair_and_version(
    tiny_package, tiny_package_file, tmp_path, monkeypatch
):
    """Another nl→en 0.1 build must not be served this one's cached translations; reinstalling
    the same file (another folder) keeps them."""
    from models import packages

    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "other"))
    same = packages.install_file(tiny_package_file)
    assert model_key_for(same) == model_key_for(tiny_package)
    other_file = rewrite_package(
        tiny_package_file,
        tmp_path / "other.argosmodel",
        metadata=lambda m: dict(m, from_name="Nederlands", code="translate-nl_en-vendor"),
    )
    other = packages.install_file(other_file)
    assert (other.from_code, other.to_code, other.package_version) == ("nl", "en", "0.1+tiny")
    key = model_key_for(other)
    assert key.startswith("nl-en@0.1+tiny:translate-nl_en-vendor~")
    assert key != model_key_for(tiny_package)
    config = Path(other.package_path) / "model" / "config.json"
    config.write_text(config.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert model_key_for(other) != key  # another model config: another model


def test_forced_decoding_gives_attention_for_a_user_translation(tiny_package, engine, sample_sentences):
    source = sample_sentences[2]
    target = "The parties talked for about an hour and a half."
    forced = engine.force(source, target)
    assert forced.target == target
    assert forced.target_tokens == tiny_package.tokenizer.encode(target)
    assert forced.attention.dtype == np.float16
    assert forced.attention.shape == (len(forced.target_tokens), len(forced.source_tokens))
    np.testing.assert_allclose(forced.attention.astype(np.float32).sum(axis=1), 1.0, atol=0.01)
    assert forced.score < 0
    assert engine.force(source, "").attention.shape == (0, len(forced.source_tokens))


def test_forced_decoding_of_the_models_own_output_matches_its_attention(engine, sample_sentences):
    """Re-forcing a translation whose pieces re-encode the same way reproduces its attention."""
    checked = 0
    for r in engine.translate(sample_sentences):
        if engine.tokenizer.encode(r.target) != r.target_tokens:
            continue
        forced = engine.force(r.source, r.target)
        np.testing.assert_allclose(forced.attention, r.attention, atol=2e-3)
        checked += 1
    assert checked >= 3


def test_forcing_a_too_long_source_gives_no_attention(tiny_package, sample_sentences):
    small = Engine(tiny_package, DecodeSettings(max_input_length=8))
    forced = small.force(sample_sentences[0], "Something.")
    assert forced.attention is None
    assert forced.target == "Something."


def test_target_prefix_is_stripped(tiny_package, tmp_path, sample_sentences):
    """Multilingual Argos packages force a language token first; it must not reach the reader."""
    from argostranslate.package import Package

    copy = Path(shutil.copytree(tiny_package.package_path, tmp_path / "prefixed"))
    meta = json.loads((copy / "metadata.json").read_text(encoding="utf-8"))
    (copy / "metadata.json").write_text(json.dumps(dict(meta, target_prefix="▁de")), encoding="utf-8")
    engine = Engine(Package(copy))
    sentence = sample_sentences[3]
    result = engine.translate([sentence])[0]
    raw = ctranslate2.Translator(str(copy / "model")).translate_batch(
        [result.source_tokens], target_prefix=[["▁de"]], beam_size=4, length_penalty=0.2
    )[0]
    assert raw.hypotheses[0][0] == "▁de"
    assert result.target_tokens == raw.hypotheses[0][1:]
    assert result.attention.shape == (len(result.target_tokens), len(result.source_tokens))
    assert engine.force(sentence, "Hello.").attention.shape[0] == len(engine.tokenizer.encode("Hello."))


def test_broken_model_gives_a_clear_error(tiny_package, tmp_path):
    from argostranslate.package import Package

    copy = Path(shutil.copytree(tiny_package.package_path, tmp_path / "broken"))
    (copy / "model" / "model.bin").write_bytes(b"\0" * 100)
    engine = Engine(Package(copy))  # the model loads on first use, not on construction
    with pytest.raises(ModelError) as err:
        engine.translate(["De oorlog."])
    assert str(err.value).startswith("Could not load the translation model of the package translate-nl_en")
    assert str(copy) in str(err.value)
    assert "bireader models install FILE.argosmodel" in str(err.value)


def test_for_pair_without_a_package(empty_packages):
    with pytest.raises(ModelError, match="bireader models download nl en"):
        Engine.for_pair("nl", "en")


def test_for_pair_loads_the_installed_package(tiny_package, sample_sentences):
    engine = Engine.for_pair("nl", "en")
    assert engine.translate(sample_sentences[:1])[0].target


def test_variant_shares_the_model_and_returns_alternatives(tiny_package):
    engine = Engine(tiny_package)
    nbest = engine.variant(beam_size=5, num_hypotheses=5)
    assert nbest._translator is engine._translator  # one copy of the weights in memory
    assert nbest.model_key != engine.model_key
    [plain] = engine.translate(["De partijen overlegden zo'n anderhalf uur."])
    [result] = nbest.translate(["De partijen overlegden zo'n anderhalf uur."])
    assert plain.alternatives == []
    assert result.alternatives and all(text != result.target for text, _ in result.alternatives)
