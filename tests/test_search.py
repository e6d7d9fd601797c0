"""Library search: both languages, user versions, notes and saved phrases; diacritics and
inflections; FTS5 syntax typed by a user is never syntax."""

from __future__ import annotations

import pytest

from models.engine import TranslationResult
from reader.annotations import add_annotation
from reader.phrases import save_phrase, spans_of_quote
from reader.search import MARK_CLOSE, MARK_OPEN, search
from reader.store import (
    add_document,
    document_sentences,
    put_translations,
    remove_document,
    set_user_translation,
)
from tests.helpers_store import make_article

HEADING = "Wederopbouw in Oekraïne"
S2 = "De oude huizen in Charkiv zijn verwoest."
S3 = "Bewoners keren terug naar hun dorp."
S4 = "Het nieuwe huis van de familie staat er al."
TARGETS = {
    HEADING: "Reconstruction in Ukraine",
    S2: "The old houses in Kharkiv have been destroyed.",
    S3: "Residents return to their village.",
    S4: "The family's new house is already standing.",
}


@pytest.fixture
def library(db, tmp_path, monkeypatch):
    monkeypatch.setenv("BIREADER_DICT", str(tmp_path / "no-dictionary"))
    doc_id, _ = add_document(db, make_article(
        [("heading", HEADING), ("body", f"{S2} {S3}"), ("body", S4)], title="Charkiv"
    ))
    sentences = document_sentences(db, doc_id)
    put_translations(db, "test-model", [
        TranslationResult(s.text, TARGETS[s.text], [], [], None, None, []) for s in sentences
    ])
    other, _ = add_document(db, make_article([("body", "Een ander artikel over de oorlog.")], title="Ander"))
    return db, doc_id, other, sentences


def found(db, query, **kw) -> list[tuple[str, int | None, int | None, str, str]]:
    return [(h.kind, h.document_id, h.sentence_number, h.side, h.text) for h in search(db, query, **kw)]


def test_dutch_words_are_found_with_and_without_diacritics(library):
    db, doc_id, _other, _ = library
    expected = [("nl", doc_id, 1, "nl", HEADING)]
    assert found(db, "oekraine") == expected
    assert found(db, "Oekraïne") == expected
    assert found(db, "OEKRAÏNE") == expected


def test_inflected_forms_are_found_in_both_languages(library):
    db, doc_id, _other, _ = library
    assert sorted(found(db, "huis")) == [("nl", doc_id, 2, "nl", S2), ("nl", doc_id, 4, "nl", S4)]
    assert sorted(found(db, "huizen")) == [("nl", doc_id, 2, "nl", S2), ("nl", doc_id, 4, "nl", S4)]
    assert sorted(found(db, "house")) == [
        ("mt", doc_id, 2, "en", TARGETS[S2]), ("mt", doc_id, 4, "en", TARGETS[S4])
    ]
    assert found(db, "ukraine") == [("mt", doc_id, 1, "en", TARGETS[HEADING])]


def test_all_words_must_match_and_the_last_may_be_a_prefix(library):
    db, doc_id, _other, _ = library
    assert found(db, "oude huis") == [("nl", doc_id, 2, "nl", S2)]
    assert found(db, "bewoners dorp") == [("nl", doc_id, 3, "nl", S3)]
    assert found(db, "bewoners huis") == []
    assert found(db, "kharkiv destr") == [("mt", doc_id, 2, "en", TARGETS[S2])]
    assert found(db, "kharkiv destr", prefix=False) == []


def test_snippets_mark_the_matched_words(library):
    db, *_ = library
    (hit,) = search(db, "oekraine")
    assert hit.snippet == f"Wederopbouw in {MARK_OPEN}Oekraïne{MARK_CLOSE}"
    (hit,) = search(db, "oude huis")
    o, c = MARK_OPEN, MARK_CLOSE
    assert hit.snippet == f"De {o}oude{c} {o}huizen{c} in Charkiv zijn verwoest."


def spans_text(hit) -> list[str]:
    return [hit.text[s:e] for s, e in hit.spans]


def test_a_hit_gives_the_spans_of_its_matched_words_as_the_index_matched_them(library):
    db, doc_id, _other, sentences = library
    (hit,) = search(db, "oekraine")  # diacritics folded
    assert hit.spans == ((15, 23),) and spans_text(hit) == ["Oekraïne"]
    assert hit.sentence_spans == hit.spans
    (hit,) = search(db, "OEKRAÏNE")
    assert spans_text(hit) == ["Oekraïne"]
    # Inflections, through the Snowball stems: huis finds huizen, house finds houses.
    hits = {h.text: h for h in search(db, "huis")}
    assert spans_text(hits[S2]) == ["huizen"] and spans_text(hits[S4]) == ["huis"]
    hits = {h.text: h for h in search(db, "houses")}
    assert spans_text(hits[TARGETS[S2]]) == ["houses"] and spans_text(hits[TARGETS[S4]]) == ["house"]
    assert {h.side for h in hits.values()} == {"en"}
    # Every word of the query, the last as a prefix.
    (hit,) = search(db, "oude huis")
    assert spans_text(hit) == ["oude", "huizen"]
    (hit,) = search(db, "kharkiv destr")
    assert spans_text(hit) == ["Kharkiv", "destroyed"]
    assert all(hit.text[s:e] for h in search(db, "de") for s, e in h.spans)


def test_a_note_hit_shades_the_annotated_words_and_a_phrase_hit_its_dutch_words(library):
    db, doc_id, _other, sentences = library
    s3 = sentences[2]
    add_annotation(db, doc_id, s3.id, "en", 0, 9, note="Vergelijk met de terugkeer naar Mariupol")
    spans = spans_of_quote(s3.text, "keren terug")
    save_phrase(db, doc_id, s3.id, spans, en="return")
    (note,) = search(db, "mariupol")
    assert spans_text(note) == ["Mariupol"]  # in the note
    assert (note.side, note.sentence_spans) == ("en", ((0, 9),))  # the annotated words in the sentence
    (phrase,) = [h for h in search(db, "terug") if h.kind == "phrase"]
    assert spans_text(phrase) == ["terug"]
    assert phrase.side == "nl"
    assert [s3.text[a:b] for a, b in phrase.sentence_spans] == ["keren terug"]


def test_notes_user_versions_and_saved_phrases_are_found(library):
    db, doc_id, _other, sentences = library
    s3 = sentences[2]
    add_annotation(db, doc_id, s3.id, "en", 0, 9, note="Vergelijk met de terugkeer naar Mariupol")
    set_user_translation(db, sentences[3].id, "The family's new home is still standing.")
    save_phrase(db, doc_id, s3.id, spans_of_quote(s3.text, "keren terug"), en="return")

    assert found(db, "mariupol") == [("note", doc_id, 3, "en", "Vergelijk met de terugkeer naar Mariupol")]
    assert found(db, "homes") == [("user", doc_id, 4, "en", "The family's new home is still standing.")]
    assert ("phrase", doc_id, 3, "nl", "keren terug — return") in found(db, "keren")
    # a user's version replaces the old one in the index
    set_user_translation(db, sentences[3].id, "The family's new house still stands.")
    assert found(db, "homes") == []


def test_a_search_can_be_limited_to_one_document(library):
    db, doc_id, other, _ = library
    assert found(db, "de", doc_id=other) == [("nl", other, 1, "nl", "Een ander artikel over de oorlog.")]
    assert {h[1] for h in found(db, "de", doc_id=doc_id)} == {doc_id}
    assert {h[1] for h in found(db, "de")} == {doc_id, other}


def test_removed_documents_are_no_longer_found_but_their_phrases_are(library):
    db, doc_id, _other, sentences = library
    save_phrase(db, doc_id, sentences[1].id, spans_of_quote(S2, "oude"), en="old")
    remove_document(db, doc_id)
    assert found(db, "huis") == []
    assert found(db, "oude") == [("phrase", None, None, "nl", "oude — old")]
    (hit,) = search(db, "oude")
    assert hit.document_title == "Charkiv"


def test_bm25_ranks_the_denser_match_first(db):
    doc_id, _ = add_document(db, make_article([
        ("body", "De oorlog duurt lang en niemand weet wanneer de vrede komt, zei de minister gisteren."),
        ("body", "Oorlog, oorlog en nog eens oorlog."),
    ]))
    assert [h.sentence_number for h in search(db, "oorlog")] == [2, 1]


BOTH = {("nl", 2), ("nl", 4)}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('"', set()), ("*", set()), ("NEAR(", set()), ("(", set()), (")", set()), ("-", set()),
        ("- -", set()), ('""', set()), ("^", set()), (":", set()), ("{", set()), ("+", set()),
        ('"huis', BOTH), ('huis"', BOTH), ("huis*", BOTH), ("*huis", BOTH), ("(huis", BOTH),
        ("huis)", BOTH), ("huis -", BOTH), ("-huis", BOTH), ("^huis", BOTH), ('"huis oude"', {("nl", 2)}),
        ("huis + oude", {("nl", 2)}), ("huis NOT oude", set()),
        # "near", "and", "or", "not", "body", "stems" are plain words these sentences lack
        ("NEAR(huis", set()), ("NEAR(huis oude)", set()), ("huis AND", set()), ("OR huis", set()),
        ("NOT huis", set()), ("body:huis", set()), ("stems : huis", set()), ("{body} huis", set()),
    ],
)
def test_fts_syntax_typed_by_a_user_is_never_syntax(library, query, expected):
    """No error; a query without words finds nothing; the rest are plain words, all required."""
    db, *_ = library
    assert {(h.kind, h.sentence_number) for h in search(db, query)} == expected


def test_bad_limits_are_refused(library):
    from reader.search import SearchError

    db, *_ = library
    with pytest.raises(SearchError, match="limit"):
        search(db, "huis", limit=0)
