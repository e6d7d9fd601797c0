"""Saved phrases and link corrections through the document session: each operation writes the
library, then tells the subscribers what changed (the window marks the phrases again and aligns
a corrected sentence again); a refused one writes nothing and tells nobody.

Real SQLite files and the real aligner; the English is a reader's own translation.
"""

from __future__ import annotations

import pytest

from reader import phrases
from reader.alignments import document_alignments
from reader.hover import SentenceWords
from reader.links import LinkError, corrections
from reader.phrases import PhraseError
from reader.session import Changes, DocumentSession
from reader.store import add_document, document_sentences, set_user_translation
from tests.helpers_store import make_article

# rows[2] of make_article(): "De ministers spraken anderhalf uur met elkaar."
EN = "The ministers talked for an hour and a half with each other."


def span(text: str, word: str) -> tuple[int, int]:
    start = text.index(word)
    return start, start + len(word)


@pytest.fixture
def opened(db, tmp_path, monkeypatch):
    monkeypatch.setenv("BIREADER_DICT", str(tmp_path / "no-dictionary-here"))
    doc_id, _ = add_document(db, make_article())
    row = document_sentences(db, doc_id)[2]
    set_user_translation(db, row.id, EN)
    session = DocumentSession.open(db, doc_id, None)
    seen: list[Changes] = []
    session.subscribe(seen.append)
    return session, row, seen


def test_saving_editing_deleting_and_restoring_a_phrase_tell_the_subscribers(db, opened):
    session, row, seen = opened
    saved = session.save_phrase(db, row.id, [span(row.text, "spraken")], en="talked")
    [pid] = saved.phrases
    assert seen == [saved] and phrases.get_phrase(db, pid).lemma_key == "spreken"

    edited = session.edit_phrase(db, pid, status="learning")
    assert edited == Changes(phrases=frozenset({pid})) and phrases.get_phrase(db, pid).status == "learning"
    kept = phrases.get_phrase(db, pid)
    session.delete_phrase(db, pid)
    assert phrases.list_phrases(db) == []
    session.restore_phrase(db, kept)
    assert phrases.list_phrases(db) == [kept]
    assert len(seen) == 4 and all(c.phrases == {pid} for c in seen)


def test_a_refused_phrase_writes_nothing_and_tells_nobody(db, opened):
    session, row, seen = opened
    with pytest.raises(PhraseError):
        session.save_phrase(db, row.id, [(0, 10_000)])
    with pytest.raises(PhraseError):
        session.edit_phrase(db, 12345, status="known")
    assert phrases.list_phrases(db) == [] and seen == []


def test_correcting_links_drops_the_word_table_and_asks_for_the_sentence_again(db, opened):
    session, row, seen = opened
    table = SentenceWords.build(document_alignments(db, session.doc_id, None)[row.id], row.text, EN)
    assert table is not None
    session.alignment_ready({row.id: table})
    seen.clear()
    link = (span(row.text, "spraken"), span(EN, "talked"), True)
    unlink = (span(row.text, "De"), span(EN, "The"), False)

    changes = session.correct_links(db, row.id, [link, unlink])
    assert seen == [changes] and changes == Changes(alignment=frozenset({row.id}), links=frozenset({row.id}))
    assert session.table(row.id) is None  # the old table no longer fits: aligned again
    assert sorted((c.nl_span, c.linked) for c in session.link_corrections(db, row.id)) == [
        (span(row.text, "De"), False),
        (span(row.text, "spraken"), True),
    ]
    session.correct_links(db, row.id, [(link[0], link[1], None), (unlink[0], unlink[1], None)])  # undo
    assert corrections(db, row.id, EN) == []


def test_a_refused_correction_writes_none_of_the_others(db, opened):
    session, row, seen = opened
    good = (span(row.text, "spraken"), span(EN, "talked"), True)
    outside = (span(row.text, "uur"), (0, 10_000), True)
    with pytest.raises(LinkError):
        session.correct_links(db, row.id, [good, outside])
    assert corrections(db, row.id, EN) == [] and seen == []
