"""Alignments kept in the library: computed once, realigned when the aligner changes, shared by
documents, and fed by the model's attention (cached, or forced for a user's edit) when there is one.

Real SQLite files, the real tiny Argos package through the real engine, small real dictd files.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

from reader import align as aligner
from reader import store
from reader.align import align
from reader.alignments import (
    NO_ATTENTION,
    align_text,
    alignment_key,
    document_alignments,
    open_dictionary_or_none,
    sentence_alignment,
    stored_version,
)
from reader.dictionary import Dictionary, write_dictd
from reader.document import document_view
from reader.errors import Cancelled, StoreError
from reader.pipeline import import_file, translate_document
from tests.conftest import SEED
from tests.helpers_store import make_article

NL = "Lavrov sprak 2 uur met Koeleba."
USER_EN = "Lavrov talked with Kuleba for 2 hours."
# The tiny model's attention adds a link here that lexical evidence alone leaves open.
FORCED_NL = "De partijen overlegden zo'n anderhalf uur."
FORCED_EN = "The parties conferred for about an hour and a half."

ENTRIES = [("oorlog", "oorlog /orlɔx/\nwar\n"), ("stad", "stad /stɑt/\n1. town\n2. city\n")]


@pytest.fixture
def engine(tiny_package):
    from models.engine import Engine

    return Engine(tiny_package)


@pytest.fixture
def dictionary(tmp_path) -> Dictionary:
    return Dictionary.open(write_dictd(tmp_path / "dict", ENTRIES))


def pairs(alignment) -> set[tuple[str, str]]:
    return {(alignment.nl_tokens[k.i].text, alignment.en_tokens[k.j].text) for k in alignment.links}


def stored_rows(db) -> list[tuple[str, str]]:
    return db.execute("SELECT key, aligner_version FROM alignments ORDER BY key").fetchall()


def tamper(db, key: str, version: str) -> None:
    """Replace a stored alignment by one without links, to see whether it is read back."""
    data = store.get_alignment(db, key, version)
    store.put_alignment(db, key, version, {**data, "links": [], "phrases": []})


def assert_fits(alignment, nl: str, en: str) -> None:
    """Tokens map back onto the texts and every link and phrase stays inside them."""
    for tokens, text in ((alignment.nl_tokens, nl), (alignment.en_tokens, en)):
        assert all(text[t.start : t.end] == t.text for t in tokens)
    for k in alignment.links:
        assert 0 <= k.i < len(alignment.nl_tokens) and 0 <= k.j < len(alignment.en_tokens)
    for p in alignment.phrases:
        assert max(p.nl_span) < len(alignment.nl_tokens) and max(p.en_span) < len(alignment.en_tokens)


# ---------------------------------------------------------------- stored once, realigned on change


def test_an_alignment_is_stored_once_and_then_read_from_the_library(db):
    first = sentence_alignment(db, NL, USER_EN, cached=None)
    key = alignment_key(NL, USER_EN, NO_ATTENTION)
    assert stored_rows(db) == [(key, stored_version(None))]
    assert store.get_alignment(db, key, stored_version(None)) == first.to_json()

    again = sentence_alignment(db, NL, USER_EN, cached=None)
    assert again.to_json() == first.to_json()
    assert len(stored_rows(db)) == 1

    tamper(db, key, stored_version(None))  # the stored row, not a new alignment, is what comes back
    assert sentence_alignment(db, NL, USER_EN, cached=None).links == []


def test_a_new_aligner_version_realigns_and_replaces_the_row(db, monkeypatch):
    first = sentence_alignment(db, NL, USER_EN, cached=None)
    key = alignment_key(NL, USER_EN, NO_ATTENTION)
    tamper(db, key, stored_version(None))

    monkeypatch.setattr(aligner, "ALIGNER_VERSION", "test-2")
    fresh = sentence_alignment(db, NL, USER_EN, cached=None)
    assert fresh.links == first.links and fresh.links
    assert fresh.aligner_version == "test-2"
    assert stored_rows(db) == [(key, stored_version(None))]
    assert stored_version(None).startswith("test-2")


def test_a_damaged_stored_row_is_realigned(db):
    key = alignment_key(NL, USER_EN, NO_ATTENTION)
    store.put_alignment(db, key, stored_version(None), {"version": "1", "links": "garbage"})
    alignment = sentence_alignment(db, NL, USER_EN, cached=None)
    assert ("Lavrov", "Lavrov") in pairs(alignment)
    assert store.get_alignment(db, key, stored_version(None)) == alignment.to_json()


@pytest.mark.parametrize("data", ['{"version": "3", "nl": [', "", "not json", b"\x00\xff"])
def test_a_stored_row_that_is_not_json_is_realigned_and_replaced(db, data):
    key = alignment_key(NL, USER_EN, NO_ATTENTION)
    with store.write_transaction(db):
        db.execute("INSERT INTO alignments (key, aligner_version, data) VALUES (?, ?, ?)",
                   [key, stored_version(None), data])
    assert store.get_alignment(db, key, stored_version(None)) is None
    alignment = sentence_alignment(db, NL, USER_EN, cached=None)
    assert {("Lavrov", "Lavrov"), ("Koeleba", "Kuleba"), ("2", "2")} <= pairs(alignment)
    assert store.get_alignment(db, key, stored_version(None)) == alignment.to_json()
    assert stored_rows(db) == [(key, stored_version(None))]


def test_a_dictionary_installed_later_realigns_what_was_aligned_without_it(db, dictionary):
    nl, en = "De stad was na de oorlog leeg.", "After the war the city was empty."
    without = sentence_alignment(db, nl, en, cached=None)
    assert not {("oorlog", "war"), ("stad", "city")} & pairs(without)
    with_dictionary = sentence_alignment(db, nl, en, cached=None, dictionary=dictionary)
    assert {("oorlog", "war"), ("stad", "city")} <= pairs(with_dictionary)
    assert stored_rows(db) == [(alignment_key(nl, en, NO_ATTENTION), stored_version(dictionary))]


def test_a_dictionary_that_fails_mid_lookup_is_dropped_not_fatal(db, tmp_path):
    folder = tmp_path / "broken"
    write_dictd(folder, ENTRIES, compress=False)
    (folder / "freedict-nld-eng.dict").write_bytes(b"")  # index intact, data gone
    broken, error = open_dictionary_or_none(folder)
    assert broken is not None and error is None  # the index alone reads fine

    alignment = sentence_alignment(db, "De oorlog met Lavrov.", "The war with Lavrov.",
                                   cached=None, dictionary=broken)
    assert ("Lavrov", "Lavrov") in pairs(alignment)
    assert [v for _, v in stored_rows(db)] == [stored_version(None)]  # realigned once a dict works


# ---------------------------------------------------------------- where the attention comes from


def test_the_model_s_own_translation_uses_its_cached_attention(db, engine):
    result = engine.translate([FORCED_NL])[0]
    alignment = sentence_alignment(db, FORCED_NL, result.target, cached=result, engine=engine)
    expected = align(FORCED_NL, result.target, attention=result.attention,
                     nl_subwords=result.source_tokens, en_subwords=result.target_tokens)
    assert alignment.to_json() == expected.to_json()
    assert stored_rows(db)[0][0] == alignment_key(FORCED_NL, result.target, engine.model_key)


def test_a_user_edit_is_aligned_through_forced_decoding_of_the_edited_text(db, engine):
    cached = engine.translate([FORCED_NL])[0]
    alignment = sentence_alignment(db, FORCED_NL, FORCED_EN, cached=cached, engine=engine)

    forced = engine.force(FORCED_NL, FORCED_EN)
    edited_subwords = list(engine.tokenizer.encode(FORCED_EN))
    assert forced.target_tokens == edited_subwords
    assert forced.attention.shape == (len(edited_subwords), len(cached.source_tokens))
    expected = align(FORCED_NL, FORCED_EN, attention=forced.attention,
                     nl_subwords=forced.source_tokens, en_subwords=forced.target_tokens)
    assert alignment.to_json() == expected.to_json()
    assert alignment.links != align(FORCED_NL, FORCED_EN).links  # the attention did add links
    assert [k for k, _ in stored_rows(db)] == [alignment_key(FORCED_NL, FORCED_EN, engine.model_key)]


def test_without_a_model_a_user_edit_still_links_names_and_numbers(db, engine):
    cached = engine.translate([NL])[0]  # the model's (gibberish) version, not what is shown
    alignment = sentence_alignment(db, NL, USER_EN, cached=cached)
    assert {("Lavrov", "Lavrov"), ("2", "2"), ("Koeleba", "Kuleba")} <= pairs(alignment)
    assert [k for k, _ in stored_rows(db)] == [alignment_key(NL, USER_EN, NO_ATTENTION)]


def test_cached_attention_that_does_not_fit_its_subwords_falls_back_to_words(db, engine):
    cached = engine.translate([NL])[0]
    cached.attention = np.ones((2, 2), dtype=np.float16)  # a damaged cache row
    alignment = sentence_alignment(db, NL, cached.target, cached=cached, model_key="nl-en@x")
    assert alignment.to_json() == align(NL, cached.target).to_json()


def test_keys_separate_texts_and_attention_origins():
    keys = {
        alignment_key(NL, USER_EN, NO_ATTENTION),
        alignment_key(NL, USER_EN + " ", NO_ATTENTION),
        alignment_key(NL, USER_EN, "nl-en@1.8#abc"),
        alignment_key(NL + " ", USER_EN, NO_ATTENTION),
        alignment_key("a", "b\x00c", NO_ATTENTION),
        alignment_key("a\x00b", "c", NO_ATTENTION),
    }
    assert len(keys) == 6
    assert alignment_key(NL, USER_EN, NO_ATTENTION) == alignment_key(NL, USER_EN, NO_ATTENTION)


# ---------------------------------------------------------------- odd input


@pytest.mark.parametrize("use_engine", [False, True])
@pytest.mark.parametrize(
    ("nl", "en"),
    [
        ("Lavrov sprak met Koeleba.", ""),
        ("Lavrov sprak met Koeleba.", "   "),
        ("... ?!", "...?!"),
        ("oorlog", " ".join(["the", "city", "is", "far", "from", "here", "and", "we"] * 10)),
        ("Lavrov 👍🏽 sprak met 🇺🇦 Koeleba.", "Lavrov 👍🏽 spoke with 🇺🇦 Kuleba."),
    ],
    ids=["empty", "blank", "punctuation", "1-vs-80", "emoji"],
)
def test_odd_pairs_align_and_store_without_crashing(db, request, nl, en, use_engine):
    engine = request.getfixturevalue("engine") if use_engine else None
    alignment = sentence_alignment(db, nl, en, cached=None, engine=engine)
    assert_fits(alignment, nl, en)
    assert len(stored_rows(db)) == 1
    assert sentence_alignment(db, nl, en, cached=None, engine=engine).to_json() == alignment.to_json()
    if not en.strip():
        assert alignment.links == [] and alignment.en_tokens == []
    if "👍🏽" in en:
        assert {("👍🏽", "👍🏽"), ("Lavrov", "Lavrov")} <= pairs(alignment)
    if nl == "oorlog":
        assert len(alignment.en_tokens) == 80
        # One word never lights up the whole sentence: attention-only links fan out to 3 at most.
        assert len(alignment.links) <= (3 if engine is not None else 1)


# ---------------------------------------------------------------- whole documents


@pytest.fixture
def sample(db, engine):
    """The sample article imported and translated by the tiny model, one sentence edited."""
    doc_id, _ = import_file(db, SEED)
    translate_document(db, doc_id, engine)
    view = document_view(db, doc_id, engine.model_key)
    edited = next(s for s in view.sentences() if "Lavrov" in s.text and s.translation is not None)
    store.set_user_translation(db, edited.id, "Lavrov said that Kuleba asked him for 24 hours.")
    return doc_id, edited.id


def translated(db, doc_id: int, model_key: str | None) -> dict[int, tuple[str, str]]:
    view = document_view(db, doc_id, model_key)
    return {s.id: (s.text, s.final) for s in view.sentences() if s.origin is not None}


def test_a_document_s_translated_sentences_are_all_aligned_in_one_pass(db, engine, sample):
    doc_id, edited_id = sample
    expected = translated(db, doc_id, engine.model_key)
    assert len(expected) >= 15
    calls = []
    alignments = document_alignments(db, doc_id, engine.model_key, engine=engine,
                                     progress=lambda d, t: calls.append((d, t)))
    assert set(alignments) == set(expected)
    for sid, alignment in alignments.items():
        assert_fits(alignment, *expected[sid])
        # The tokens cover every character of the translation shown (the user's or the model's),
        # so every English word on screen can be hovered.
        assert "".join(t.text for t in alignment.en_tokens) == "".join(expected[sid][1].split())
    assert ("Lavrov", "Lavrov") in pairs(alignments[edited_id])
    assert calls[0] == (0, len(expected)) and calls[-1] == (len(expected), len(expected))
    unique = {alignment_key(nl, en, engine.model_key) for nl, en in expected.values()}
    assert {k for k, _ in stored_rows(db)} == unique


def test_a_document_opened_again_reads_every_alignment_from_the_library(db, engine, sample):
    doc_id, edited_id = sample
    first = document_alignments(db, doc_id, engine.model_key, engine=engine)
    for key, version in stored_rows(db):
        tamper(db, key, version)
    calls = []
    again = document_alignments(db, doc_id, engine.model_key, engine=engine,
                                progress=lambda d, t: calls.append((d, t)))
    assert set(again) == set(first)
    assert all(a.links == [] for a in again.values())  # nothing was realigned
    assert calls == [(len(first), len(first))]


def test_the_user_s_version_wins_and_an_edit_gets_a_new_alignment(db, engine, sample):
    doc_id, edited_id = sample
    document_alignments(db, doc_id, engine.model_key, engine=engine)
    n_rows = len(stored_rows(db))
    edit = "Lavrov and Kuleba talked for 24 hours."
    store.set_user_translation(db, edited_id, edit)
    alignments = document_alignments(db, doc_id, engine.model_key, engine=engine)
    assert " ".join(t.text for t in alignments[edited_id].en_tokens).startswith("Lavrov and Kuleba")
    assert len(stored_rows(db)) == n_rows + 1

    store.set_user_translation(db, edited_id, None)  # back to the model's translation
    model_target = next(s.translation.target for s in document_view(
        db, doc_id, engine.model_key).sentences() if s.id == edited_id)
    reverted = document_alignments(db, doc_id, engine.model_key, engine=engine)
    assert "".join(t.text for t in reverted[edited_id].en_tokens) == "".join(model_target.split())
    assert len(stored_rows(db)) == n_rows + 2

    store.set_user_translation(db, edited_id, edit)  # the same edit again: its row is reused
    again = document_alignments(db, doc_id, engine.model_key, engine=engine)
    assert again[edited_id].to_json() == alignments[edited_id].to_json()
    assert len(stored_rows(db)) == n_rows + 2


def test_without_a_model_only_the_user_s_versions_are_aligned(db, engine, sample):
    doc_id, edited_id = sample
    alignments = document_alignments(db, doc_id, None)
    assert set(alignments) == {edited_id}
    assert {("Lavrov", "Lavrov"), ("Koeleba", "Kuleba")} <= pairs(alignments[edited_id])


def test_documents_sharing_a_sentence_share_its_alignment(db):
    first, _ = store.add_document(db, make_article([("body", f"{NL} Het was koud.")], title="a"))
    second, _ = store.add_document(db, make_article([("body", f"Het regende. {NL}")], title="b"))
    for doc_id in (first, second):
        sid = next(s.id for s in store.document_sentences(db, doc_id) if s.text == NL)
        store.set_user_translation(db, sid, USER_EN)
    a = document_alignments(db, first, None)
    b = document_alignments(db, second, None)
    assert len(a) == len(b) == 1
    assert next(iter(a.values())).to_json() == next(iter(b.values())).to_json()
    assert len(stored_rows(db)) == 1


def test_cancelling_keeps_finished_alignments_and_the_next_run_does_the_rest(db, engine, sample):
    doc_id, _ = sample
    total = len(translated(db, doc_id, engine.model_key))
    asked = []

    def cancel_after_three() -> bool:
        asked.append(1)
        return len(asked) > 3

    with pytest.raises(Cancelled, match=rf"after 3 of {total} sentences.*saved"):
        document_alignments(db, doc_id, engine.model_key, engine=engine, cancelled=cancel_after_three)
    assert len(stored_rows(db)) == 3
    calls = []
    done = document_alignments(db, doc_id, engine.model_key, engine=engine,
                               progress=lambda d, t: calls.append((d, t)))
    assert len(done) == total and calls[0] == (3, total) and calls[-1] == (total, total)


def test_a_worker_thread_with_its_own_connection_aligns_a_document(db, engine, sample, tmp_path):
    doc_id, _ = sample
    path = tmp_path / "test.sqlite"
    out: dict = {}

    def work() -> None:
        own = store.open_db(path)
        try:
            out["result"] = document_alignments(own, doc_id, engine.model_key, engine=engine)
        except BaseException as err:  # reported to the test below
            out["error"] = err
        finally:
            own.conn.close()

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive() and "error" not in out
    seen_here = document_alignments(db, doc_id, engine.model_key, engine=engine)
    assert {s: a.to_json() for s, a in seen_here.items()} == {
        s: a.to_json() for s, a in out["result"].items()
    }


def test_an_unknown_document_is_a_clear_error_and_writes_nothing(db):
    with pytest.raises(StoreError, match="no document 99"):
        document_alignments(db, 99, None)
    assert stored_rows(db) == []


# ---------------------------------------------------------------- one pair without the library


def damaged_chunk_dictionary(folder) -> Dictionary:
    """A dictzip whose every chunk but the first is garbage: "oorlog" reads, later words fail."""
    from reader import dictionary as dictmod

    entries = [("aaa", "aaa\nfirst\n"), *ENTRIES]
    write_dictd(folder, entries, chunk_length=16)
    data = folder / "freedict-nld-eng.dict.dz"
    raw = bytearray(data.read_bytes())
    reader = dictmod._open_data(data)
    for start, size in list(zip(reader.starts, reader.sizes, strict=True))[1:]:
        raw[start : start + size] = b"\xff" * size
    data.write_bytes(bytes(raw))
    return Dictionary.open(folder)


def test_align_text_uses_the_dictionary_and_warns_of_nothing(dictionary):
    alignment, warning = align_text("De oorlog in de stad.", "The war in the city.",
                                    dictionary=dictionary)
    assert warning is None
    assert {("oorlog", "war"), ("stad", "city")} <= pairs(alignment)
    confident = {(alignment.nl_tokens[k.i].text, k.confidence) for k in alignment.links}
    assert ("oorlog", 0.85) in confident


def test_align_text_falls_back_to_no_dictionary_with_a_warning(tmp_path):
    broken = damaged_chunk_dictionary(tmp_path / "broken")
    alignment, warning = align_text("Lavrov zag de stad", "Lavrov saw the city",
                                    dictionary=broken)
    assert warning is not None
    assert warning.startswith("The dictionary failed, so this pair was aligned without it: ")
    assert "reinstall dict-freedict-nld-eng" in warning
    assert ("Lavrov", "Lavrov") in pairs(alignment)
    assert alignment.to_json() == align("Lavrov zag de stad", "Lavrov saw the city").to_json()


def test_align_text_keeps_pretokenized_tokens():
    alignment, warning = align_text("Rusland 's oorlog", "Russia 's war", pretokenized=True)
    assert warning is None
    assert [t.text for t in alignment.nl_tokens] == ["Rusland", "'s", "oorlog"]
    assert ("Rusland", "Russia") in pairs(alignment)


# ---------------------------------------------------------------- the dictionary is optional


def test_no_dictionary_gives_none_and_a_message_saying_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setenv("BIREADER_DICT", str(tmp_path))
    dictionary, message = open_dictionary_or_none()
    assert dictionary is None
    assert "No Dutch–English dictionary found" in message and "dict-freedict-nld-eng" in message


def test_a_damaged_dictionary_index_is_reported_when_opening(tmp_path):
    index = write_dictd(tmp_path, ENTRIES)
    index.write_text("oorlog\tnot-a-number!\n", encoding="utf-8")
    dictionary, message = open_dictionary_or_none(tmp_path)
    assert dictionary is None and "damaged" in message


def test_a_working_dictionary_is_opened_and_used(db, tmp_path, monkeypatch):
    write_dictd(tmp_path, ENTRIES)
    monkeypatch.setenv("BIREADER_DICT", str(tmp_path))
    dictionary, message = open_dictionary_or_none()
    assert message is None and "oorlog" in dictionary
    alignment = sentence_alignment(db, "De oorlog.", "The war.", cached=None, dictionary=dictionary)
    assert ("oorlog", "war") in pairs(alignment)


def test_one_word_against_eighty_with_attention_does_not_link_everything(tiny_package, db):
    from models.engine import Engine
    from reader.alignments import sentence_alignment

    engine = Engine(tiny_package)
    source = "Oorlog"
    target = " ".join(["word"] * 80)
    alignment = sentence_alignment(db, source, target, cached=None, engine=engine)
    assert len(alignment.links) <= 3


def test_each_sentence_s_alignment_is_handed_over_as_it_is_ready_and_not_kept(db, engine, sample):
    """A long document's alignments never all sit in memory: ``each`` gets them one by one."""
    doc_id, edited_id = sample
    expected = translated(db, doc_id, engine.model_key)
    kept = document_alignments(db, doc_id, engine.model_key, engine=engine)
    for stored_first in (False, True):  # computed now, then read back from the library
        if not stored_first:
            db.execute("DELETE FROM alignments")
        handed: dict[int, object] = {}
        result = document_alignments(
            db, doc_id, engine.model_key, engine=engine, each=handed.__setitem__
        )
        assert result == {}
        assert set(handed) == set(expected) == set(kept)
        for sid, alignment in handed.items():
            assert_fits(alignment, *expected[sid])
        assert ("Lavrov", "Lavrov") in pairs(handed[edited_id])


def test_english_shown_but_not_in_a_read_only_library_is_aligned_in_memory(tmp_path, engine):
    path = tmp_path / "library.sqlite"
    db = store.open_db(path)
    doc_id, _ = store.add_document(db, make_article([("body", f"{FORCED_NL} {NL}")], title="t"))
    first, second = (r.id for r in store.document_sentences(db, doc_id))
    db.close()
    before = path.read_bytes(), path.stat().st_mtime_ns
    # Translated for a read-only session: the library holds no English for either sentence.
    machine = engine.translate([FORCED_NL])[0].target
    shown = {first: machine, second: USER_EN}

    ro = store.open_db(path, read_only=True)
    try:
        assert document_alignments(ro, doc_id, engine.model_key, engine=engine) == {}
        alignments = document_alignments(ro, doc_id, engine.model_key, engine=engine, shown=shown)
        assert set(alignments) == {first, second}
        assert_fits(alignments[first], FORCED_NL, machine)
        forced = engine.force(FORCED_NL, machine)  # as an edit is: the model decodes the text shown
        expected = align(FORCED_NL, machine, attention=forced.attention,
                         nl_subwords=forced.source_tokens, en_subwords=forced.target_tokens)
        assert alignments[first].to_json() == expected.to_json()
        assert {("Lavrov", "Lavrov"), ("2", "2"), ("Koeleba", "Kuleba")} <= pairs(alignments[second])

        # Without the model (or while it translates), lexically; one sentence asked, one given.
        lexical = document_alignments(ro, doc_id, None, sentence_ids=[second], shown=shown)
        assert set(lexical) == {second}
        assert lexical[second].to_json() == align(NL, USER_EN).to_json()
    finally:
        ro.close()
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before  # in memory only
