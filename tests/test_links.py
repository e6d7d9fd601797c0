"""Link corrections on real SQLite files and the real aligner: they win over the aligner wherever
alignments are read, survive reopening, and stop applying (without being lost) once the English
they were made on is gone."""

from __future__ import annotations

import pytest

from reader.align import phrase_at
from reader.alignments import document_alignments, sentence_alignment
from reader.errors import StoreError
from reader.links import LinkError, apply_corrections, clear_link, corrections, set_link
from reader.store import add_document, document_sentences, open_db, set_user_translation
from tests.helpers_store import make_article

# rows[2] of make_article(): "De ministers spraken anderhalf uur met elkaar."
EN = "The ministers talked for an hour and a half with each other."


def span(text: str, word: str) -> tuple[int, int]:
    start = text.index(word)
    return start, start + len(word)


def words(alignment) -> set[tuple[str, str]]:
    return {(alignment.nl_tokens[k.i].text, alignment.en_tokens[k.j].text) for k in alignment.links}


@pytest.fixture
def library(tmp_path):
    path = tmp_path / "library.sqlite"
    db = open_db(path)
    doc_id, _ = add_document(db, make_article())
    row = document_sentences(db, doc_id)[2]
    set_user_translation(db, row.id, EN)
    return path, db, doc_id, row


def test_corrections_win_over_the_aligner_and_survive_reopening(library):
    path, db, doc_id, row = library
    before = document_alignments(db, doc_id, None)[row.id]
    assert ("De", "The") in words(before) and ("spraken", "talked") not in words(before)

    set_link(db, row.id, EN, span(row.text, "spraken"), span(EN, "talked"), True)
    set_link(db, row.id, EN, span(row.text, "De"), span(EN, "The"), False)
    db.close()

    db = open_db(path)
    after = document_alignments(db, doc_id, None)[row.id]
    assert ("spraken", "talked") in words(after) and ("De", "The") not in words(after)
    assert words(after) - {("spraken", "talked")} == words(before) - {("De", "The")}
    # The hover's phrase for "spraken" is the corrected one.
    spraken = next(k for k, t in enumerate(after.nl_tokens) if t.text == "spraken")
    pair = phrase_at(after, "nl", spraken)
    assert pair is not None and [after.en_tokens[j].text for j in pair.en_span] == ["talked"]
    # One pair at a time (the window's realignment of one sentence) sees them too.
    single = sentence_alignment(db, row.text, EN, cached=None, sentence_id=row.id)
    assert words(single) == words(after)
    # Without the sentence, the aligner's own alignment (as stored) is unchanged.
    assert words(sentence_alignment(db, row.text, EN, cached=None)) == words(before)


def test_a_correction_whose_word_a_retranslation_removed_is_kept_but_not_applied(library):
    path, db, doc_id, row = library
    set_link(db, row.id, EN, span(row.text, "spraken"), span(EN, "talked"), True)
    retranslated = "The ministers spoke with each other for one and a half hours."
    set_user_translation(db, row.id, retranslated)

    assert corrections(db, row.id, retranslated) == []
    aligned = document_alignments(db, doc_id, None)[row.id]  # no crash, the aligner's links only
    assert not any(t == "talked" for _, t in words(aligned))
    assert len(corrections(db, row.id, EN)) == 1  # kept in the library

    set_user_translation(db, row.id, EN)  # back to the text it was made on: it applies again
    assert ("spraken", "talked") in words(document_alignments(db, doc_id, None)[row.id])


def test_a_later_correction_of_the_same_words_replaces_the_earlier_and_clear_undoes_it(library):
    _, db, doc_id, row = library
    nl, en = span(row.text, "spraken"), span(EN, "talked")
    set_link(db, row.id, EN, nl, en, True)
    set_link(db, row.id, EN, nl, en, False)
    assert [c.linked for c in corrections(db, row.id, EN)] == [False]
    removed = clear_link(db, row.id, EN, nl, en)
    assert removed is not None and removed.nl_span == nl and removed.en_span == en and not removed.linked
    assert corrections(db, row.id, EN) == [] and clear_link(db, row.id, EN, nl, en) is None


def test_apply_corrections_leaves_the_aligners_alignment_untouched(library):
    _, db, doc_id, row = library
    original = sentence_alignment(db, row.text, EN, cached=None)
    links_before = list(original.links)
    fix = set_link(db, row.id, EN, span(row.text, "uur"), span(EN, "hour"), True)
    corrected = apply_corrections(original, [fix])
    assert original.links == links_before and ("uur", "hour") in words(corrected)
    assert next(k for k in corrected.links if corrected.nl_tokens[k.i].text == "uur").confidence == 1.0


@pytest.mark.parametrize(
    "nl, en, target, message",
    [
        ((3, 3), "talked", EN, "empty or lies outside"),
        ((0, 999), "talked", EN, "outside"),
        ((-1, 2), "talked", EN, "outside"),
        ("spraken", (0, 999), EN, "outside"),
        (".", "talked", EN, "holds no word"),
        ((1, 2, 3), "talked", EN, "pair of offsets"),
        ("spraken", "talked", "   ", "no English translation"),
    ],
)
def test_bad_corrections_are_refused_and_nothing_is_written(library, nl, en, target, message):
    _, db, _, row = library
    nl = span(row.text, nl) if isinstance(nl, str) else nl
    en = span(EN, en) if isinstance(en, str) else en
    with pytest.raises(LinkError, match=message):
        set_link(db, row.id, target, nl, en, True)
    assert db.execute("SELECT count(*) FROM link_corrections").fetchone()[0] == 0


def test_unknown_sentence_and_read_only_library(library, monkeypatch):
    path, db, _, row = library
    with pytest.raises(LinkError, match="no sentence 99999"):
        set_link(db, 99999, EN, (0, 2), (0, 3), True)
    db.close()
    monkeypatch.setenv("BIREADER_READ_ONLY", "1")
    ro = open_db(path)
    with pytest.raises(StoreError, match="read-only"):
        set_link(ro, row.id, EN, span(row.text, "spraken"), span(EN, "talked"), True)
    assert corrections(ro, row.id, EN) == []
