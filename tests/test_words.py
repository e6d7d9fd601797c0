"""The tokenizer: offsets that map back to the text, and the word conventions the reader sees."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.errors import ReaderError
from reader.segment import split_sentences
from reader.words import Token, TokenizeError, tokenize, words_only
from tests.conftest import ROOT, SEED


def texts(text: str, lang: str = "nl") -> list[str]:
    return [t.text for t in tokenize(text, lang)]


def assert_round_trip(text: str, tokens: list[Token]) -> None:
    """Every token is its slice of the text, in order, and together they cover all non-space."""
    end = 0
    for tok in tokens:
        assert text[tok.start : tok.end] == tok.text
        assert tok.start >= end and tok.end > tok.start
        assert not text[end : tok.start].strip(" \t\n\r\u00a0\u200b\u2060\ufeff\u2009\u202f")
        end = tok.end
    assert not text[end:].strip()


def seed_sentences() -> list[str]:
    text = SEED.read_text(encoding="utf-8")
    return [s for para in text.split("\n") if para.strip() for s in split_sentences(para)]


def gold_set_sentences() -> list[str]:
    """The project's own segmentation gold set: one sentence a line (titles, lists, numbers,
    abbreviations, quotes), written for the project (tests/data/README.md)."""
    path = ROOT / "tests" / "data" / "segment_gold.txt"
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_offsets_round_trip_on_every_sample_sentence():
    sentences = seed_sentences()
    assert len(sentences) >= 20
    for sentence in sentences:
        assert_round_trip(sentence, tokenize(sentence, "nl"))


def test_offsets_round_trip_on_the_gold_set_and_keep_its_words_whole():
    """Offsets map back on varied Wikipedia-like text; numbers, abbreviations and hyphenated
    names stay one token (the UD treebanks are scored by bench/segmentation_eval.py instead: a
    fresh clone does not have them)."""
    sentences = gold_set_sentences()
    assert len(sentences) >= 150
    seen: set[str] = set()
    for text in sentences:
        tokens = tokenize(text, "nl")
        assert_round_trip(text, tokens)
        seen.update(t.text for t in tokens)
    assert {"131.000", "ca.", "Sint-Michaëlskerk", "1864"} <= seen


def gold_sides() -> list[tuple[str, str]]:
    lines = (ROOT / "tests" / "data" / "align_gold.tsv").read_text(encoding="utf-8").splitlines()
    return [tuple(line.split("\t")[1:3]) for line in lines if line and not line.startswith("#")]


def test_the_sample_article_tokenizes_as_the_alignment_gold_set_does():
    article = [[t.text for t in tokenize(s, "nl")] for s in seed_sentences()]
    for nl, en in gold_sides():
        gold_nl = nl.split(" ")
        assert any(
            sent[k : k + len(gold_nl)] == gold_nl
            for sent in article
            for k in range(len(sent) - len(gold_nl) + 1)
        ), nl
        # The English side, written out with single spaces, tokenizes back into the same tokens.
        assert [t.text for t in tokenize(en, "en")] == en.split(" ")


def test_dutch_words_keep_their_apostrophes_and_hyphens():
    assert texts("De partijen overlegden zo'n anderhalf uur over regio's en een staakt-het-vuren.") == [
        "De", "partijen", "overlegden", "zo'n", "anderhalf", "uur", "over", "regio's", "en", "een",
        "staakt-het-vuren", ".",
    ]


def test_dutch_clitics_with_a_leading_apostrophe_are_words_but_quotes_are_not():
    assert texts("'s Avonds sliep 't kind.") == ["'s", "Avonds", "sliep", "'t", "kind", "."]
    tokens = tokenize("dat het land 'demilitariseert en denazificeert'.", "nl")
    assert [t.text for t in tokens] == [
        "dat", "het", "land", "'", "demilitariseert", "en", "denazificeert", "'", ".",
    ]
    assert [t.is_word for t in tokens][3] is False


def test_numbers_stay_whole():
    assert texts("Er vielen 3.000 doden in 1,5 dag, op 2022-03-10 om 12:30.") == [
        "Er", "vielen", "3.000", "doden", "in", "1,5", "dag", ",", "op", "2022-03-10", "om",
        "12:30", ".",
    ]


def test_every_kind_of_quote_and_punctuation_is_its_own_token():
    tokens = tokenize("„Ja“ zei hij, «nee» en \"misschien\"; ‘wel’ (toch)!", "nl")
    assert [t.text for t in tokens] == [
        "„", "Ja", "“", "zei", "hij", ",", "«", "nee", "»", "en", '"', "misschien", '"', ";",
        "‘", "wel", "’", "(", "toch", ")", "!",
    ]
    assert [t.text for t in words_only(tokens)] == ["Ja", "zei", "hij", "nee", "en", "misschien",
                                                     "wel", "toch"]


def test_urls_and_email_addresses_are_one_token_without_the_sentence_full_stop():
    assert texts("Lees https://nos.nl/artikel/2420000-lavrov?x=1. Mail redactie@nos.nl!") == [
        "Lees", "https://nos.nl/artikel/2420000-lavrov?x=1", ".", "Mail", "redactie@nos.nl", "!",
    ]


def test_english_keeps_negations_whole_and_splits_other_clitics():
    assert texts("Russia's minister said it's over; they're sure we don't know.", "en") == [
        "Russia", "'s", "minister", "said", "it", "'s", "over", ";", "they", "'re", "sure", "we",
        "don't", "know", ".",
    ]
    assert texts("Kuleba’s plan can't wait", "en") == ["Kuleba", "’s", "plan", "can't", "wait"]


def test_typewriter_quotes_and_ellipsis_stay_together():
    assert texts(",,Nee'', zei hij...") == [",,", "Nee", "''", ",", "zei", "hij", "..."]


def test_pretokenized_text_splits_on_whitespace_only():
    tokens = tokenize("Russia 's  invasion , of", "en", pretokenized=True)
    assert [t.text for t in tokens] == ["Russia", "'s", "invasion", ",", "of"]
    assert [t.is_word for t in tokens] == [True, True, True, False, True]
    assert_round_trip("Russia 's  invasion , of", tokens)


def test_other_scripts_emoji_and_decomposed_accents_do_not_break_words():
    tokens = tokenize("Москва 東京は晴れ नमस्ते 👍🏽 👨‍👩‍👧 ok", "nl")
    assert [t.text for t in tokens] == ["Москва", "東京は晴れ", "नमस्ते", "👍🏽", "👨‍👩‍👧", "ok"]
    assert [t.is_word for t in tokens] == [True, True, True, False, False, True]
    nfd = unicodedata.normalize("NFD", "Oekraïne beëindigen")
    assert texts(nfd) == nfd.split()


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200), st.sampled_from(["nl", "en"]), st.booleans())
def test_offsets_round_trip_on_any_text(text, lang, pretokenized):
    tokens = tokenize(text, lang, pretokenized=pretokenized)
    for tok in tokens:
        assert text[tok.start : tok.end] == tok.text
    assert "".join(t.text for t in tokens) == "".join(
        c for c in text if not (c.isspace() or c in "\u200b\u2060\ufeff")
    )


def test_empty_and_blank_text_give_no_tokens():
    assert tokenize("") == []
    assert tokenize(" \n\t\u200b ") == []


def test_bad_input_raises_a_reader_error_naming_the_problem():
    with pytest.raises(TokenizeError, match="language 'de'"):
        tokenize("Hallo", "de")
    with pytest.raises(ReaderError, match="NoneType"):
        tokenize(None)  # type: ignore[arg-type]
