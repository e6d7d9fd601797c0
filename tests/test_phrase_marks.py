"""Saved-phrase marks kept with their document: read back when it is opened again (in a new
process), brought up to date with phrases saved or deleted meanwhile (by another process too),
found again when what they were kept for is gone, and never written to a read-only library."""

from __future__ import annotations

import sqlite3

import pytest
from sqlite_utils import Database

from reader import phrase_match, phrases, stems, store
from reader.phrase_match import DocumentMarks, phrase_matches
from reader.phrases import PhraseMatch, spans_of_quote
from reader.store import MIGRATIONS, add_document, document_sentences, open_db, remove_document
from tests.helpers_store import make_article

CALL = "Gisteren belde hij zijn moeder op."
WAR = "De oorlog in Oekraïne duurt voort. Zijn moeder belt hem morgen op."
HOUSES = "De oude huizen staan aan de rivier. Het huis van de burgemeester is groot."


@pytest.fixture(autouse=True)
def no_dictionary(tmp_path, monkeypatch):
    monkeypatch.setenv("BIREADER_DICT", str(tmp_path / "no-dictionary-here"))


def forget() -> None:
    """What a new process starts with: nothing in memory."""
    phrase_match._results.clear()
    phrase_match._indexes.clear()


def add(db, text: str, title: str = "Artikel") -> tuple[int, list]:
    doc_id, _ = add_document(db, make_article([("body", text)], title=title))
    return doc_id, document_sentences(db, doc_id)


def save(db, doc_id, sentence, quote: str) -> phrases.SavedPhrase:
    return phrases.save_phrase(db, doc_id, sentence.id, spans_of_quote(sentence.text, quote), dictionary=None)


def words(db, doc_id) -> dict[str, list[str]]:
    """Sentence text -> the marked words."""
    texts = {s.id: s.text for s in document_sentences(db, doc_id)}
    return {
        texts[sid]: [" ".join(texts[sid][a:b] for a, b in m.spans) for m in found]
        for sid, found in phrase_matches(db, doc_id).items()
    }


def stored(db, doc_id) -> int | None:
    row = db.execute("SELECT seq FROM phrase_marks WHERE document_id = ?", [doc_id]).fetchone()
    return None if row is None else row[0]


def test_marks_are_kept_and_read_back_in_a_new_process_without_matching(db, monkeypatch):
    source, (call,) = add(db, CALL, "A")
    save(db, source, call, "belde op")
    target, _ = add(db, WAR, "B")
    first = words(db, target)
    assert first == {"Zijn moeder belt hem morgen op.": ["belt op"]}
    assert stored(db, target) is not None

    forget()
    matched: list[int] = []
    real = phrase_match._document_matches
    monkeypatch.setattr(
        phrase_match, "_document_matches", lambda *a: matched.append(1) or real(*a)
    )
    assert words(db, target) == first
    assert matched == []  # read from the library, not matched again


def test_a_phrase_saved_by_another_process_is_marked_when_the_document_is_opened_again(tmp_path):
    path = tmp_path / "library.sqlite"
    db = open_db(path)
    source, (call, ) = add(db, CALL, "A")
    save(db, source, call, "belde op")
    target, _ = add(db, HOUSES + " " + WAR, "B")
    assert words(db, target) == {"Zijn moeder belt hem morgen op.": ["belt op"]}

    other = open_db(path)  # the command line, say: `bireader phrases add`
    third, (houses, _mayor) = add(other, HOUSES, "C")
    added = save(other, third, houses, "oude huizen")
    other.close()
    forget()
    assert words(db, target) == {
        "De oude huizen staan aan de rivier.": ["oude huizen"],
        "Zijn moeder belt hem morgen op.": ["belt op"],
    }

    phrases.delete_phrase(db, added.id)
    forget()
    assert words(db, target) == {"Zijn moeder belt hem morgen op.": ["belt op"]}
    phrases.restore_phrase(db, added)  # undo: the same id again
    forget()
    assert "De oude huizen staan aan de rivier." in words(db, target)
    db.close()


def test_many_phrases_changed_at_once_match_the_whole_document_again(db, monkeypatch):
    monkeypatch.setattr(phrase_match, "_INCREMENTAL", 1)
    source, (houses, mayor) = add(db, HOUSES, "A")
    target, _ = add(db, HOUSES, "B")
    save(db, source, houses, "rivier")
    assert words(db, target) == {"De oude huizen staan aan de rivier.": ["rivier"]}
    save(db, source, mayor, "burgemeester")
    save(db, source, houses, "oude huizen")
    forget()
    assert words(db, target) == {
        "De oude huizen staan aan de rivier.": ["oude huizen", "rivier"],
        "Het huis van de burgemeester is groot.": ["burgemeester"],
    }


def test_damaged_stored_marks_are_found_again_not_shown(db):
    source, (call,) = add(db, CALL, "A")
    save(db, source, call, "belde op")
    target, _ = add(db, WAR, "B")
    expected = words(db, target)
    for damage in (b"", b"not zlib at all", __import__("zlib").compress(b"\x01\x02\x03")):
        db.execute("UPDATE phrase_marks SET marks = ?, words = ?", [damage, damage])
        db.conn.commit()
        forget()
        assert words(db, target) == expected


def test_marks_kept_for_a_deleted_document_never_reach_the_one_that_takes_its_id(db):
    source, (call,) = add(db, CALL, "A")
    save(db, source, call, "belde op")
    gone, _ = add(db, WAR, "B")
    assert words(db, gone)
    remove_document(db, gone)
    assert stored(db, gone) is None  # went with its document
    again, _ = add(db, HOUSES, "C")
    assert again == gone  # SQLite gives the last id again
    assert words(db, again) == {}


def test_a_read_only_library_is_marked_in_memory_and_left_unwritten(tmp_path):
    path = tmp_path / "library.sqlite"
    db = open_db(path)
    source, (call,) = add(db, CALL, "A")
    save(db, source, call, "belde op")
    target, _ = add(db, WAR, "B")
    db.close()
    forget()
    ro = open_db(path, read_only=True)
    assert words(ro, target) == {"Zijn moeder belt hem morgen op.": ["belt op"]}
    assert ro.execute("SELECT count(*) FROM phrase_marks").fetchone()[0] == 0
    ro.close()


def test_packed_marks_unpack_to_what_was_found_and_survive_a_round_trip():
    found = {
        7: [PhraseMatch(3, ((0, 5),)), PhraseMatch(9, ((0, 5), (20, 22))), PhraseMatch(4, ((3, 9),))],
        8: [PhraseMatch(1, ((2, 4),))],
    }
    marks = DocumentMarks.of(found)
    back = DocumentMarks.from_blob(marks.to_blob())
    assert back == marks == {7: tuple(found[7]), 8: tuple(found[8])}
    assert back.ranges() == {7: [(0, 9), (20, 22)], 8: [(2, 4)]}  # one underline over overlaps
    assert dict(back.replacing({9, 1}, {8: [PhraseMatch(2, ((0, 1),))]})) == {
        7: (PhraseMatch(3, ((0, 5),)), PhraseMatch(4, ((3, 9),))),
        8: (PhraseMatch(2, ((0, 1),)), ),
    }
    assert DocumentMarks.from_blob(marks.to_blob()[:-3]) is None


def test_a_library_of_the_previous_schema_keeps_its_phrases_and_gets_marks(tmp_path):
    path = tmp_path / "library.sqlite"
    conn = sqlite3.connect(str(path))
    stems.register(conn)
    old = Database(conn)
    old.execute("PRAGMA journal_mode = WAL")
    MIGRATIONS.apply(old, stop_before="m004_stored_phrase_marks")
    source, (call,) = add(old, CALL, "A")
    kept = save(old, source, call, "belde op")
    target, _ = add(old, WAR, "B")
    old.conn.commit()
    old.close()

    db = open_db(path)
    assert [p.id for p in phrases.list_phrases(db)] == [kept.id]
    forget()
    assert words(db, target) == {"Zijn moeder belt hem morgen op.": ["belt op"]}
    assert stored(db, target) is not None
    assert (tmp_path / "library.sqlite.before-m004_stored_phrase_marks.bak").exists()
    db.close()


def test_the_open_document_is_marked_again_only_for_the_phrase_just_saved(db, monkeypatch):
    """Saving a phrase while reading: the other phrases' marks are kept, not matched again."""
    source, (houses, mayor) = add(db, HOUSES, "A")
    save(db, source, houses, "rivier")
    target, _ = add(db, HOUSES, "B")
    assert words(db, target)
    indexed: list[set[int]] = []
    real = phrase_match._build_index
    monkeypatch.setattr(phrase_match, "_build_index", lambda keys: indexed.append(set(keys)) or real(keys))
    added = save(db, source, mayor, "burgemeester")
    assert words(db, target)["Het huis van de burgemeester is groot."] == ["burgemeester"]
    assert indexed == [{added.id}]
    assert store.get_document(db, target)  # the document itself untouched


def test_the_sentences_on_screen_are_matched_first_only_while_nothing_is_known(db):
    source, (houses, _mayor) = add(db, HOUSES, "A")
    save(db, source, houses, "oude huizen")
    long_doc, sentences = add(db, " ".join([WAR, HOUSES] * 5), "B")
    ids = [s.id for s in sentences]
    screen = ids[:4]  # "De oorlog …", "Zijn moeder …", "De oude huizen …", "Het huis …"
    first = phrase_match.first_matches(db, long_doc, screen)
    assert first is not None and set(first) == {ids[2]}  # only the screen's "oude huizen"
    assert stored(db, long_doc) is None  # a glimpse: nothing kept

    every = phrase_matches(db, long_doc)
    assert set(every) == {ids[k] for k in range(2, len(ids), 4)}
    assert phrase_match.first_matches(db, long_doc, screen) is None  # known now: read at once
    forget()
    assert phrase_match.first_matches(db, long_doc, screen) is None  # stored
    short, short_sentences = add(db, HOUSES, "C")
    assert phrase_match.first_matches(db, short, [s.id for s in short_sentences]) is None  # all of it
