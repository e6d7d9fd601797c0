"""Hostile input stays bounded: a line with no punctuation, huge pairs to align, an endless
"compound", damaged model files, and a cancel that must not wait for a big batch."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from models.engine import BlockAttention, DecodeSettings, Engine, chunk_tokens
from reader import store
from reader.align import MAX_ALIGN_TOKENS, AlignmentTooLong, align
from reader.alignments import align_text, sentence_alignment
from reader.cli import main
from reader.dictionary import MAX_COMPOUND_LENGTH, Dictionary, split_compound, write_dictd
from reader.errors import Cancelled, ModelError, ReaderError
from reader.pipeline import translate_document
from tests.helpers_models import read_sample_sentences
from tests.helpers_store import numbered_article

# Distinct Dutch words, so no chunk repeats another (the tiny model's vocabulary splits them
# into several pieces each).
_WORDS = sorted({w.strip(".,:;?!'\"()").lower() for s in read_sample_sentences() for w in s.split()} - {""})


def unpunctuated_line(n_chars: int) -> str:
    """A run of distinct word combinations with no punctuation at all."""
    words: list[str] = []
    length = k = 0
    while length < n_chars:
        word = _WORDS[k % len(_WORDS)] + ("" if k < len(_WORDS) else _WORDS[(k * 7) % len(_WORDS)])
        words.append(word)
        length += len(word) + 1
        k += 1
    return " ".join(words)


@pytest.fixture
def engine(tiny_package) -> Engine:
    return Engine(tiny_package, DecodeSettings(intra_threads=1))


# --- a paragraph with no punctuation: attention kept per chunk, linear in the length ---------


def test_long_line_is_stored_per_chunk_and_reads_back(db, engine):
    line = unpunctuated_line(12_000)
    [result] = engine.translate([line])
    chunks = chunk_tokens(result.source_tokens, engine.input_limit)
    assert len(chunks) > 10
    attention = result.attention
    assert isinstance(attention, BlockAttention)
    assert attention.shape == (len(result.target_tokens), len(result.source_tokens))
    # every target row spans one chunk's columns only: the stored cells grow linearly
    assert attention.size <= len(result.target_tokens) * engine.input_limit
    store.put_translations(db, engine.model_key, [result])
    blob, layout = db.execute("SELECT attention, attention_shape FROM translations").fetchone()
    assert len(blob) == 2 * attention.size
    assert len(blob) < 2 * attention.shape[0] * attention.shape[1] / 10  # not the dense matrix
    [back] = store.get_cached(db, engine.model_key, [store.source_hash(line)]).values()
    assert back == result
    assert isinstance(back.attention, BlockAttention) and back.attention == attention


def test_rows_stored_densely_before_blocks_still_read(db, engine):
    [result] = engine.translate(["De ministers spraken anderhalf uur met elkaar."])
    assert isinstance(result.attention, np.ndarray)  # one chunk: dense, as before
    store.put_translations(db, engine.model_key, [result])
    layout = db.execute("SELECT attention_shape FROM translations").fetchone()[0]
    assert layout == f"[{result.attention.shape[0]}, {result.attention.shape[1]}]"
    [back] = store.get_cached(db, engine.model_key, [store.source_hash(result.source)]).values()
    np.testing.assert_array_equal(back.attention, result.attention)


def test_long_sentence_from_the_library_aligns_block_by_block(db, engine):
    """The segmenter cuts run-on lines into display sentences, but a long cached sentence must
    still align from its stored blocks, in one piece and stored like any other."""
    line = unpunctuated_line(20_000)
    [result] = engine.translate([line])
    store.put_translations(db, engine.model_key, [result])
    [cached] = store.get_cached(db, engine.model_key, [store.source_hash(line)]).values()
    alignment = sentence_alignment(db, line, cached.target, cached=cached, model_key=engine.model_key)
    assert len(alignment.nl_tokens) > MAX_ALIGN_TOKENS
    assert [t.text for t in alignment.nl_tokens] == line.split()
    assert "".join(t.text for t in alignment.en_tokens) == "".join(cached.target.split())
    again = sentence_alignment(db, line, cached.target, cached=cached, model_key=engine.model_key)
    assert again.to_json() == alignment.to_json()  # stored, read back


def test_long_edited_sentence_is_left_unaligned_not_aligned_quadratically(db, engine):
    line = unpunctuated_line(12_000)
    edited = " ".join(f"word{k}" for k in range(MAX_ALIGN_TOKENS + 10))
    alignment = sentence_alignment(db, line, edited, cached=None)
    assert alignment.links == [] and len(alignment.en_tokens) == MAX_ALIGN_TOKENS + 10


def test_block_attention_aligns_each_chunk_with_its_own_translation():
    """3,000 words a side (three times the cap) align through 30 blocks of 100 words: every word
    links to its counterpart, and no link crosses from one block to another."""
    n, size = 3 * MAX_ALIGN_TOKENS, 100
    words = [f"Naam{k}" for k in range(n)]
    subwords = ["▁" + w for w in words]
    blocks = [(b, b, np.eye(size, dtype=np.float16)) for b in range(0, n, size)]
    attention = BlockAttention((n, n), blocks)
    alignment = align(" ".join(words), " ".join(words), attention=attention,
                      nl_subwords=subwords, en_subwords=subwords)
    assert len(alignment.nl_tokens) == n
    assert {(k.i, k.j) for k in alignment.links} == {(k, k) for k in range(n)}
    assert all(p.nl_span[0] // size == p.en_span[0] // size for p in alignment.phrases)


# --- align: a cap with a clear message -----------------------------------------------------------


def test_align_command_refuses_ten_thousand_words_a_side(capsys):
    nl = " ".join(f"woord{k}" for k in range(10_000))
    en = " ".join(f"word{k}" for k in range(10_000))
    code = main(["align", nl, en])
    out, err = capsys.readouterr()
    assert code == 1
    assert "at most 1,000" in err and "10,000" in err and "a sentence or a paragraph at a time" in err
    assert "Traceback" not in err and out == ""


def test_align_text_at_the_cap_still_aligns():
    nl = " ".join(["Lavrov"] * MAX_ALIGN_TOKENS)
    alignment, warning = align_text(nl, " ".join(["Lavrov"] * MAX_ALIGN_TOKENS))
    assert warning is None and len(alignment.nl_tokens) == MAX_ALIGN_TOKENS and alignment.links
    with pytest.raises(AlignmentTooLong) as err:
        align_text(nl + " Lavrov", "Lavrov")
    assert isinstance(err.value, ReaderError)


# --- split_compound: iterative and bounded -----------------------------------------------------

_ENTRIES = [
    ("oorlog", "oorlog /orlɔx/\nwar\n"),
    ("misdaad", "misdaad /mɪzdat/\ncrime\n"),
    ("gesprek", "gesprek /ɣəsprɛk/\nconversation, talk\n"),
    ("onderwerp", "onderwerp /ɔndərwɛrp/\nsubject\n"),
]


@pytest.fixture
def small_dict(tmp_path, monkeypatch) -> Path:
    index = write_dictd(tmp_path / "dict", _ENTRIES)
    monkeypatch.setenv("BIREADER_DICT", str(index.parent))
    return index


def test_ten_kilobyte_compound_is_not_a_crash(small_dict, capsys):
    word = "oorlogsmisdaad" * 750  # 10,500 letters of real parts
    assert Dictionary.open().lookup(word) == []
    code = main(["define", word[:10_000]])
    _, err = capsys.readouterr()
    assert code == 1 and "is not in the dictionary" in err and "Traceback" not in err
    code = main(["align", word, "war crimes"])
    out, err = capsys.readouterr()
    assert code == 0, err


def test_compounds_up_to_the_cap_still_split(small_dict):
    d = Dictionary.open()
    assert d.lookup("gespreksonderwerp")[0].parts == ("gesprek", "onderwerp")
    long_word = "oorlogsmisdaad" * 4  # 56 letters, four parts
    assert len(long_word) <= MAX_COMPOUND_LENGTH
    assert d.lookup(long_word)[0].parts == ("oorlog", "misdaad") * 4


def test_split_compound_needs_no_recursion_and_bounds_its_calls():
    calls = []

    def kind(part: str) -> int:
        calls.append(part)
        return 2 if part in {"oor", "log"} else 0

    assert split_compound("oorlog" * 10, kind, lambda tail: None) == ["oor", "log"] * 10
    assert split_compound("oorlog" * 2000, kind, lambda tail: None) is None
    assert len(calls) < MAX_COMPOUND_LENGTH**2


# --- damaged model files are ModelErrors that name the package ----------------------------------


def _damaged_copy(tiny_package, tmp_path, name: str):
    from argostranslate.package import Package

    copy = Path(shutil.copytree(tiny_package.package_path, tmp_path / "damaged"))
    (copy / name).write_bytes(b"this is not a model\n" * 10)
    return Package(copy)


def test_corrupt_sentencepiece_model_is_a_model_error(tiny_package, tmp_path, db):
    package = _damaged_copy(tiny_package, tmp_path, "sentencepiece.model")
    engine = Engine(package)
    with pytest.raises(ModelError) as err:
        engine.translate(["De oorlog."])
    message = str(err.value)
    assert "translate-nl_en" in message and str(package.package_path) in message
    assert "tokenizer" in message and "bireader models install" in message
    doc_id, _ = store.add_document(db, numbered_article(3))
    with pytest.raises(ModelError):  # through the pipeline too, with nothing cached
        translate_document(db, doc_id, engine)
    assert store.count_translations(db) == 0


def test_check_loads_and_translates_a_word(tiny_package, tmp_path):
    assert Engine(tiny_package).check().target
    broken = _damaged_copy(tiny_package, tmp_path, "model/model.bin")
    with pytest.raises(ModelError, match="translate-nl_en.*reinstall"):
        Engine(broken).check()


# --- cancel answers between small batches ------------------------------------------------------


def test_cancel_stops_after_a_small_first_batch(db, tiny_package):
    """A fresh engine measures its speed on a small first batch, so a cancel pressed while it runs
    waits for a few sentences, not for 64."""
    engine = Engine(tiny_package)
    doc_id, _ = store.add_document(db, numbered_article(80))
    batches: list[dict] = []
    with pytest.raises(Cancelled):
        translate_document(db, doc_id, engine, on_results=batches.append,
                           cancelled=lambda: bool(batches))
    assert len(batches) == 1
    assert 1 <= len(batches[0]) <= 8
    assert store.count_translations(db, engine.model_key) == len(batches[0])


def test_cancel_inside_one_long_input_stops_between_chunk_groups(engine):
    line = unpunctuated_line(30_000)
    asked = []

    def cancelled() -> bool:
        asked.append(1)
        return len(asked) > 1

    with pytest.raises(Cancelled, match="after 0 of 1 sentences"):
        engine.translate([line], cancelled=cancelled)
    assert len(asked) == 2


def test_cancel_does_not_wait_for_the_running_batch(tiny_package):
    """One batch of 64 sentences: a cancel pressed while it runs returns without its results."""
    engine = Engine(tiny_package, DecodeSettings(max_batch_size=64, batch_seconds=None))
    sentences = [f"{s} ({k})" for k, s in enumerate(read_sample_sentences() * 4)][:64]
    asked: list[int] = []
    delivered: list[int] = []

    def cancelled() -> bool:
        asked.append(1)
        return len(asked) > 2  # the third look is while the batch runs

    with pytest.raises(Cancelled, match="after 0 of 64 sentences"):
        engine.translate(sentences, cancelled=cancelled, on_batch=lambda b: delivered.extend(b))
    assert delivered == []
    assert len(engine.translate(sentences[:2])) == 2  # the engine still works afterwards
