"""Saved phrases: stored with their aligned English, context and gloss, found again by lemma in
other articles, and kept (with their context) when their document is deleted."""

from __future__ import annotations

import pytest

from models.engine import TranslationResult
from reader import phrases
from reader.dictionary import write_dictd
from reader.phrase_match import phrase_matches
from reader.phrases import PhraseError, save_phrase, spans_of_quote
from reader.store import add_document, document_sentences, put_translations, remove_document
from tests.helpers_store import make_article

SOURCE = "Gisteren belde hij zijn moeder op."
TARGET = "Yesterday he called his mother."


@pytest.fixture
def dictionary(tmp_path, monkeypatch):
    folder = tmp_path / "dict"
    write_dictd(folder, [
        ("bellen", "bellen /bɛlən/\nring, call\n"),
        ("opbellen", "opbellen /ɔbɛlən/\ncall up, phone\n"),
        ("moeder", "moeder /mudər/\nmother\n"),
    ])
    monkeypatch.setenv("BIREADER_DICT", str(folder))
    return folder


@pytest.fixture
def no_dictionary(tmp_path, monkeypatch):
    monkeypatch.setenv("BIREADER_DICT", str(tmp_path / "no-dictionary-here"))


def add(db, *texts: str, title: str = "Artikel") -> tuple[int, list]:
    doc_id, _ = add_document(db, make_article([("body", t) for t in texts], title=title))
    return doc_id, document_sentences(db, doc_id)


def translate(db, sentences, targets: list[str]) -> None:
    put_translations(db, "test-model", [
        TranslationResult(s.text, t, [], [], None, None, []) for s, t in zip(sentences, targets, strict=True)
    ])


def save_quote(db, doc_id, sentence, quote, **kw):
    return save_phrase(db, doc_id, sentence.id, spans_of_quote(sentence.text, quote), **kw)


def marked(db, doc_id, sentences) -> dict[str, list[str]]:
    """Sentence text -> the marked words, for every sentence with a match."""
    texts = {s.id: s.text for s in sentences}
    return {
        texts[sid]: [" ".join(texts[sid][a:b] for a, b in m.spans) for m in found]
        for sid, found in phrase_matches(db, doc_id).items()
    }


def test_a_separable_verb_is_found_again_by_lemma_in_another_article(db, no_dictionary):
    a, (first,) = add(db, SOURCE, title="A")
    phrase = save_quote(db, a, first, "belde op")
    assert phrase.nl == "belde … op" and phrase.lemma_key == "opbellen"

    b, sentences = add(
        db,
        "Morgen belt zij haar broer op. Ik wil hem vandaag opbellen.",
        "Zij heeft de dokter opgebeld. Om hem op te bellen, nam ze de trein.",
        "Hij belde met de man op het werk. De bel ging twee keer.",
        title="B",
    )
    assert marked(db, b, sentences) == {
        "Morgen belt zij haar broer op.": ["belt op"],
        "Ik wil hem vandaag opbellen.": ["opbellen"],
        "Zij heeft de dokter opgebeld.": ["opgebeld"],
        "Om hem op te bellen, nam ze de trein.": ["op bellen"],
        # "op het werk" is a preposition, not the verb's particle; "bel" is a noun
    }
    assert {m.phrase_id for ms in phrase_matches(db, b).values() for m in ms} == {phrase.id}


def test_a_multi_word_phrase_matches_its_lemmas_together_and_a_gapped_one_in_order(db, no_dictionary):
    a, (first,) = add(db, "De oude huizen in Kyiv staan er nog, zei de burgemeester gisteren.")
    together = save_quote(db, a, first, "oude huizen")
    gapped = save_phrase(db, a, first.id, [(0, 2), (first.text.index("burgemeester"), len(first.text) - 10)])
    assert together.lemma_key == "oud huis"
    assert (gapped.nl, gapped.lemma_key) == ("De … burgemeester", "de … burgemeester")
    b, sentences = add(
        db,
        "Het oude huis brandde af. Het huis is oud. De oude, grote huizen bleven staan.",
        "Oude mensen wonen in huizen. Burgemeester De Vries sprak. De stad en haar burgemeesters zwegen.",
    )
    found = marked(db, b, sentences)
    assert found == {
        "Het oude huis brandde af.": ["oude huis"],
        "De oude, grote huizen bleven staan.": ["oude huizen"],
        "De stad en haar burgemeesters zwegen.": ["De burgemeesters"],
    }
    # not "Het huis is oud." (order), nor "Oude mensen wonen in huizen." (not together),
    # nor "Burgemeester De Vries" (order)


def test_marks_follow_saving_and_deleting_phrases(db, no_dictionary):
    a, (first,) = add(db, SOURCE)
    b, sentences = add(db, "Haar moeder belde later terug.")
    assert phrase_matches(db, b) == {}
    phrase = save_quote(db, a, first, "moeder")
    assert marked(db, b, sentences) == {"Haar moeder belde later terug.": ["moeder"]}
    phrases.delete_phrase(db, phrase.id)
    assert phrase_matches(db, b) == {}


def test_marks_follow_each_change_as_a_fresh_matching_would_even_when_an_id_is_given_again(
    db, no_dictionary
):
    a, (first, second) = add(db, SOURCE + " De oude huizen in Kyiv staan er nog.")
    b, sentences = add(db, "Haar moeder belde later op. Het oude huis brandde af.", "De moeder zweeg.")
    assert phrase_matches(db, b) == {}
    quotes = ((first, "moeder"), (first, "belde op"), (second, "oude huizen"))
    saved = [save_quote(db, a, sentence, quote) for sentence, quote in quotes]
    assert marked(db, b, sentences) == {
        "Haar moeder belde later op.": ["moeder", "belde op"],
        "Het oude huis brandde af.": ["oude huis"],
        "De moeder zweeg.": ["moeder"],
    }
    phrases.delete_phrase(db, saved[0].id)
    assert marked(db, b, sentences) == {
        "Haar moeder belde later op.": ["belde op"], "Het oude huis brandde af.": ["oude huis"],
    }
    phrases.delete_phrase(db, saved[2].id)  # the newest: SQLite gives its id to the next phrase
    again = save_quote(db, a, second, "Kyiv")
    assert again.id == saved[2].id
    assert marked(db, b, sentences) == {"Haar moeder belde later op.": ["belde op"]}  # not "oude huis"
    phrases.restore_phrase(db, saved[0])
    assert marked(db, b, sentences) == {
        "Haar moeder belde later op.": ["moeder", "belde op"], "De moeder zweeg.": ["moeder"],
    }


def test_the_aligned_english_and_the_gloss_are_filled_in(db, dictionary):
    doc_id, (first,) = add(db, SOURCE)
    translate(db, [first], [TARGET])
    phrase = save_quote(db, doc_id, first, "belde op", status="learning")
    assert phrase.en == "called"
    assert TARGET[slice(*phrase.en_spans[0])] == "called"
    assert phrase.gloss == "call up, phone"  # the joined verb's entry, not "bellen"'s
    assert (phrase.context_nl, phrase.context_en) == (SOURCE, TARGET)
    assert phrase.status == "learning" and phrase.document_title == "Artikel"

    mine = save_quote(db, doc_id, first, "moeder", en="mum", gloss="my own gloss")
    assert (mine.en, mine.gloss) == ("mum", "my own gloss")


def test_without_a_dictionary_or_translation_the_gloss_and_english_are_empty(db, no_dictionary):
    doc_id, (first,) = add(db, SOURCE)
    phrase = save_quote(db, doc_id, first, "belde op")
    assert (phrase.en, phrase.gloss, phrase.context_en) == ("", "", "")
    assert phrase.context_nl == SOURCE


def test_a_phrase_keeps_its_context_when_its_document_is_deleted(db, dictionary):
    doc_id, (first,) = add(db, SOURCE, title="Weg")
    translate(db, [first], [TARGET])
    saved = save_quote(db, doc_id, first, "belde op")
    remove_document(db, doc_id)

    (kept,) = phrases.list_phrases(db)
    assert kept.id == saved.id
    assert (kept.document_id, kept.sentence_id) == (None, None)
    assert (kept.nl, kept.en, kept.context_nl, kept.context_en, kept.document_title) == (
        "belde … op", "called", SOURCE, TARGET, "Weg"
    )
    # and it is still found again in other articles
    other, sentences = add(db, "Ze belt hem op.")
    assert marked(db, other, sentences) == {"Ze belt hem op.": ["belt op"]}


def test_update_delete_and_restore(db, no_dictionary):
    doc_id, (first,) = add(db, SOURCE)
    phrase = save_quote(db, doc_id, first, "moeder")
    updated = phrases.update_phrase(db, phrase.id, en="mother", note="mijn notitie", status="known")
    assert (updated.en, updated.note, updated.status) == ("mother", "mijn notitie", "known")
    assert [p.id for p in phrases.list_phrases(db, status="known")] == [phrase.id]
    assert phrases.list_phrases(db, status="new") == []
    assert [p.id for p in phrases.list_phrases(db, text="NOTITIE")] == [phrase.id]

    deleted = phrases.delete_phrase(db, phrase.id)
    assert phrases.list_phrases(db) == []
    restored = phrases.restore_phrase(db, deleted)
    assert restored == deleted


@pytest.mark.parametrize(
    ("spans", "message"),
    [
        ([], "Nothing is selected"),
        ([(0, 999)], "outside the sentence"),
        ([(-1, 3)], "outside the sentence"),
        ([(5, 5)], "outside the sentence"),
        ([(len(SOURCE) - 1, len(SOURCE))], "no Dutch words"),  # the full stop alone
        (["ab"], "two numbers"),
    ],
)
def test_bad_selections_are_refused_and_nothing_is_saved(db, no_dictionary, spans, message):
    doc_id, (first,) = add(db, SOURCE)
    with pytest.raises(PhraseError, match=message):
        save_phrase(db, doc_id, first.id, spans)
    assert phrases.list_phrases(db) == []


def test_other_bad_input_is_refused_with_a_message(db, no_dictionary):
    doc_id, (first,) = add(db, SOURCE)
    other, (elsewhere,) = add(db, "Een andere zin.", title="Ander")
    with pytest.raises(PhraseError, match="Unknown status"):
        save_phrase(db, doc_id, first.id, [(9, 14)], status="forgotten")
    with pytest.raises(PhraseError, match="has no sentence"):
        save_phrase(db, doc_id, elsewhere.id, [(0, 3)])
    with pytest.raises(PhraseError, match="not found in that order"):
        spans_of_quote(SOURCE, "op belde")
    with pytest.raises(PhraseError, match="empty"):
        spans_of_quote(SOURCE, "   ")
    with pytest.raises(PhraseError, match="no saved phrase"):
        phrases.update_phrase(db, 42, note="x")
    assert phrases.list_phrases(db) == []


def test_quotes_are_found_whole_or_word_by_word_in_order():
    assert spans_of_quote(SOURCE, "zijn moeder") == ((19, 30),)
    assert spans_of_quote(SOURCE, "belde op") == ((9, 14), (31, 33))
    assert spans_of_quote(SOURCE, "belde … op") == ((9, 14), (31, 33))
