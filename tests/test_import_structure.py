"""An article's structure survives import: list items, a date line, subtitles and block quotes.

Before, every line of a block was joined into one paragraph (a list became one "sentence" with
its items run together), a date line under the title became a heading, and ``>`` stayed in the text.
"""

from __future__ import annotations

import pytest

from reader.importer import PARAGRAPH_KINDS, Paragraph, parse_text, read_article
from reader.segment import split_sentences
from reader.store import add_document, document_paragraphs, document_sentences

WIKI = (
    "Zwolle\n"
    "\n"
    "Zwolle is de hoofdstad van Overijssel. De stad ligt aan het Zwarte Water.\n"
    "\n"
    "Zie ook\n"
    "\n"
    "Lijst van rijksmonumenten in Zwolle\n"
    "Lijst van burgemeesters van Zwolle\n"
    "Sassenpoort\n"
)


def kinds_and_texts(text: str) -> list[tuple[str, str]]:
    return [(p.kind, p.text) for p in parse_text(text).paragraphs]


# ------------------------------------------------------------------ lists


def test_block_of_short_unpunctuated_lines_is_a_list_of_items():
    assert kinds_and_texts(WIKI)[2:] == [
        ("heading", "Zie ook"),
        ("list_item", "Lijst van rijksmonumenten in Zwolle"),
        ("list_item", "Lijst van burgemeesters van Zwolle"),
        ("list_item", "Sassenpoort"),
    ]


def test_each_list_item_is_its_own_sentence():
    sentences = [s for p in parse_text(WIKI).paragraphs for s in split_sentences(p.text)]
    assert sentences[-3:] == [
        "Lijst van rijksmonumenten in Zwolle", "Lijst van burgemeesters van Zwolle", "Sassenpoort"
    ]


@pytest.mark.parametrize("marker", ["-", "*", "•"])
def test_bulleted_items_lose_their_bullet(marker):
    text = f"We kochten het volgende:\n{marker} brood\n{marker}   verse kaas\n\nDaarna gingen we naar huis."
    assert kinds_and_texts(text) == [
        ("body", "We kochten het volgende:"),
        ("list_item", "brood"),
        ("list_item", "verse kaas"),
        ("body", "Daarna gingen we naar huis."),
    ]


def test_numbered_items_keep_their_number_so_the_order_shows():
    text = "Inhoud\n1. Inleiding\n2) Methode\n\nHet onderzoek duurde een jaar."
    assert kinds_and_texts(text)[1:3] == [("list_item", "1. Inleiding"), ("list_item", "2) Methode")]
    assert split_sentences("1. Inleiding") == ["1. Inleiding"]


def test_wrapped_list_item_continues_on_the_next_line():
    text = "Punten:\n- het eerste punt is lang en loopt\n  door op de volgende regel\n- tweede punt\n"
    assert kinds_and_texts(text)[1:] == [
        ("list_item", "het eerste punt is lang en loopt door op de volgende regel"),
        ("list_item", "tweede punt"),
    ]


def test_empty_list_items_are_dropped():
    text = "Boodschappen:\n- \n-\n- melk\n*\n1.\n\nDat was alles wat we nodig hadden."
    assert kinds_and_texts(text) == [
        ("body", "Boodschappen:"),
        ("list_item", "melk"),
        ("body", "Dat was alles wat we nodig hadden."),
    ]


def test_a_minus_sign_or_year_is_no_bullet():
    assert kinds_and_texts("-5 graden vannacht.\n2024. Een goed jaar.") == [
        ("body", "-5 graden vannacht. 2024. Een goed jaar.")
    ]


def test_hard_wrapped_prose_with_capitalised_lines_is_not_cut_into_items():
    text = (
        "Het kabinet heeft dinsdag besloten dat de accijns op brandstof omlaag\n"
        "gaat. De minister van Financiën Sigrid Kaag maakte dat bekend na de\n"
        "ministerraad. Ze noemde het een tijdelijke maatregel voor de zomer en\n"
        "Het Parool schreef dat de oppositie het te weinig vindt.\n"
    )
    assert kinds_and_texts(text) == [("body", " ".join(text.split()))]


def test_lines_of_a_browser_copy_stay_paragraphs_of_their_own():
    long = "De ministers spraken anderhalf uur met elkaar in een hotel aan de kust van Antalya. " * 2
    text = f"{long}\nGesprek zonder resultaat\n{long}"
    assert [k for k, _ in kinds_and_texts(text)] == ["body", "heading", "body"]


# ------------------------------------------------------------------ date line


@pytest.mark.parametrize(
    "line,date",
    [
        ("Date: 2024-05-14", "2024-05-14"),
        ("Datum: 14 mei 2024", "2024-05-14"),
        ("Gepubliceerd op 14 mei 2024", "2024-05-14"),
        ("gepubliceerd: dinsdag 14 mei 2024, 10:32 uur", "2024-05-14 10:32"),
        ("14-05-2024 10:32", "2024-05-14 10:32"),
        ("14 mei 2024", "2024-05-14"),
        ("3 okt. 2022", "2022-10-03"),
        ("14/5/2024", "2024-05-14"),
    ],
)
def test_date_line_under_the_title_is_the_date(line, date):
    article = parse_text(f"Storm in Zwolle\n{line}\n\nDe storm richtte veel schade aan.")
    assert article.date == date
    assert article.paragraphs == [
        Paragraph("heading", "Storm in Zwolle"),
        Paragraph("body", "De storm richtte veel schade aan."),
    ]


def test_date_line_above_the_title_is_the_date_too():
    article = parse_text("14 mei 2024\n\nStorm in Zwolle\n\nDe storm richtte veel schade aan.")
    assert (article.date, article.title) == ("2024-05-14", "Storm in Zwolle")


@pytest.mark.parametrize("line", ["31-02-2024", "Datum: 30 februari 2024", "14-05-2024 25:61"])
def test_impossible_date_line_stays_text(line):
    article = parse_text(f"Storm in Zwolle\n{line}\n\nDe storm richtte veel schade aan.")
    assert article.date is None
    assert line in [p.text for p in article.paragraphs]


def test_date_further_down_is_text():
    text = "Storm in Zwolle\n\nDe storm richtte veel schade aan.\n\n14 mei 2024\n\nHet is weer rustig."
    article = parse_text(text)
    assert article.date is None
    assert "14 mei 2024" in [p.text for p in article.paragraphs]


def test_date_inside_a_sentence_is_not_taken():
    article = parse_text("Storm in Zwolle\nOp 14 mei 2024 raasde een storm over de stad.")
    assert article.date is None


# ------------------------------------------------------------------ headings and quotes


def test_short_lines_between_paragraphs_stay_headings():
    text = (
        "Storm in Zwolle\n\nDe storm richtte veel schade aan.\n\nSchade\n\n"
        "Bomen vielen om.\n\nHerstel\n\nDe gemeente ruimt op."
    )
    assert [k for k, _ in kinds_and_texts(text)] == ["heading", "body", "heading", "body", "heading", "body"]


def test_block_quote_lines_are_one_quote_without_markers():
    text = "De burgemeester zei:\n\n> Wij laten niemand\n> in de steek.\n>\n\nDaarna vertrok hij."
    assert kinds_and_texts(text) == [
        ("body", "De burgemeester zei:"),
        ("quote", "Wij laten niemand in de steek."),
        ("body", "Daarna vertrok hij."),
    ]


def test_marker_without_text_is_no_quote():
    text = "Eerste alinea van het stuk.\n>\n> \n\nTweede alinea van het stuk."
    assert kinds_and_texts(text) == [
        ("body", "Eerste alinea van het stuk."),
        ("body", "Tweede alinea van het stuk."),
    ]


def test_two_quotes_apart_stay_two():
    text = "> Eerste citaat.\nZei hij toen.\n> Tweede citaat."
    assert [k for k, _ in kinds_and_texts(text)] == ["quote", "body", "quote"]


def test_every_kind_the_importer_makes_is_declared():
    text = WIKI + "\n\n> Een citaat.\n\n- een item\n"
    assert {p.kind for p in parse_text(text).paragraphs} == set(PARAGRAPH_KINDS)


def test_list_items_and_quotes_are_stored_with_their_kind(db, tmp_path):
    path = tmp_path / "zwolle.txt"
    path.write_text(WIKI + "\n\n> Een mooie stad.\n", encoding="utf-8")
    doc_id, _ = add_document(db, read_article(path))
    kinds = [p["kind"] for p in document_paragraphs(db, doc_id)]
    assert kinds == ["heading", "body", "heading", "list_item", "list_item", "list_item", "quote"]
    texts = [s.text for s in document_sentences(db, doc_id)]
    assert "Lijst van burgemeesters van Zwolle" in texts and "Een mooie stad." in texts


# ------------------------------------------------------------------ warnings


def test_english_text_gets_a_warning_naming_the_language(tmp_path):
    path = tmp_path / "english.txt"
    path.write_text(
        "The ministers met in Antalya for the first time since the war began.\n\n"
        "They talked for an hour and a half, but they did not agree on anything.\n",
        encoding="utf-8",
    )
    article = read_article(path)
    assert len(article.warnings) == 1
    assert "does not look Dutch (it looks English)" in article.warnings[0]
    assert "translation will be poor" in article.warnings[0]
    assert article.paragraphs  # imported all the same


def test_mostly_symbols_or_emoji_gets_a_warning():
    article = parse_text("🎉🎉🎉 !!! ### 🎉🎉 *** @@@ 🎉🎉🎉 ~~~ ok ja")
    assert len(article.warnings) == 1
    assert "mostly symbols or emoji" in article.warnings[0]


def test_dutch_text_with_names_and_numbers_gets_no_warning():
    article = parse_text(
        "Storm in Zwolle\n\nOp 14 mei 2024 raasde een storm over Zwolle, Kampen en Deventer. "
        "Volgens het KNMI woei het 110 km per uur. De brandweer rukte 45 keer uit."
    )
    assert article.warnings == []
