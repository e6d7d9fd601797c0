"""Importing plain-text articles: structure, encodings, identity, and every kind of bad input."""

from __future__ import annotations

import os
import socket
import unicodedata
from pathlib import Path

import pytest

from reader.errors import ImportFailed, ReaderError
from reader.importer import MAX_BYTES, Paragraph, parse_text, read_article
from reader.segment import split_sentences

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "nos-2022-03-lavrov-koeleba-antalya.txt"

ARTICLE = (
    "date 2022-03-10\n"
    "Gesprek in Antalya\n"
    "\n"
    "De ministers spraken anderhalf uur.\n"
    "Er zijn geen afspraken gemaakt.\n"
    "\n"
    "Het café in Marioepol is dicht. De ruïnes zijn groot.\n"
)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# ------------------------------------------------------------------ structure


def test_seed_article():
    article = read_article(SEED)
    assert article.date == "2022-03"
    assert len(article.paragraphs) == 9
    first = article.paragraphs[0]
    assert first == Paragraph("body", first.text)
    assert first.text.startswith("Voor het eerst sinds de invasie van Oekraïne")
    assert all("date 2022" not in p.text for p in article.paragraphs)
    assert article.paragraphs[4] == Paragraph("heading", "Lavrov: Westen is gevaarlijk bezig")
    assert [p.kind for p in article.paragraphs].count("heading") == 1
    assert article.source_path == str(SEED.resolve())
    assert article.warnings == []
    assert len(article.content_hash) == 64


def test_title_from_a_long_first_sentence_is_cut_at_a_word_with_ellipsis():
    title = read_article(SEED).title
    assert title == "Voor het eerst sinds de invasie van Oekraïne door Rusland hebben beide landen…"
    assert len(title) <= 80


def test_title_from_a_first_line_heading_and_heading_stays_in_text():
    article = parse_text(ARTICLE)
    assert article.title == "Gesprek in Antalya"
    assert article.date == "2022-03-10"
    assert article.paragraphs == [
        Paragraph("heading", "Gesprek in Antalya"),
        Paragraph("body", "De ministers spraken anderhalf uur. Er zijn geen afspraken gemaakt."),
        Paragraph("body", "Het café in Marioepol is dicht. De ruïnes zijn groot."),
    ]


def test_first_line_heading_without_blank_line_after_it():
    article = parse_text("Gesprek in Antalya\nDe ministers spraken anderhalf uur met elkaar.\n")
    assert article.title == "Gesprek in Antalya"
    assert article.paragraphs == [
        Paragraph("heading", "Gesprek in Antalya"),
        Paragraph("body", "De ministers spraken anderhalf uur met elkaar."),
    ]


def test_hard_wrapped_first_paragraph_is_not_split():
    text = (
        "Voor het eerst sinds de invasie van Oekraine door Rusland hebben\n"
        "beide landen topoverleg gevoerd over de oorlog. In de Turkse\n"
        "badplaats Antalya spraken de ministers met elkaar.\n"
    )
    article = parse_text(text)
    assert [p.kind for p in article.paragraphs] == ["body"]
    assert article.paragraphs[0].text == " ".join(text.split())


def test_title_from_a_short_first_sentence_drops_its_period():
    article = parse_text("De oorlog duurt voort. Niemand weet hoe lang nog.")
    assert article.title == "De oorlog duurt voort"


def test_title_of_one_long_word_is_cut_hard():
    article = parse_text("x" * 300 + ".")
    assert article.title == "x" * 79 + "…"


@pytest.mark.parametrize(
    "block,kind",
    [
        ("Lavrov: Westen is gevaarlijk bezig", "heading"),
        ("Koeleba: 'Wij geven ons niet over'", "heading"),
        ("Dat is kort.", "body"),
        ("Waarom praten ze?", "body"),
        ("een lange regel zonder punt " * 5, "body"),
        ("2022", "body"),
    ],
)
def test_short_unpunctuated_line_is_a_heading(block, kind):
    article = parse_text(f"{block}\n\nDe tekst van het artikel volgt hier.")
    assert article.paragraphs[0].kind == kind


def test_text_of_only_short_lines_is_all_body():
    article = parse_text("Hallo wereld\n\nTot ziens")
    assert [p.kind for p in article.paragraphs] == ["body", "body"]


def test_lines_of_a_paragraph_are_joined_and_white_space_collapsed():
    article = parse_text("Eerste regel  van\n  de\tzin.\n \t \n\n\nTweede alinea.\n")
    assert [p.text for p in article.paragraphs] == ["Eerste regel van de zin.", "Tweede alinea."]


@pytest.mark.parametrize(
    "text,date",
    [
        (" date 2022-03 Voor het eerst.", "2022-03"),
        ("date 2022-03-10\n\nVoor het eerst.", "2022-03-10"),
        ("Date: 2022-3-5\nVoor het eerst.", "2022-03-05"),
        ("Voor het eerst. date 2022-03", None),
        ("Dates 2022-03 zijn lastig.", None),
    ],
)
def test_date_marker(text, date):
    article = parse_text(text)
    assert article.date == date
    assert article.paragraphs[0].text.startswith(("Voor het eerst", "Dates"))


def test_invalid_date_marker_is_refused():
    with pytest.raises(ImportFailed, match=r"date 2022-13.*YYYY-MM"):
        parse_text("date 2022-13 Voor het eerst.", source_name="artikel.txt")


def test_long_sentence_without_punctuation_is_accepted(tmp_path):
    words = ("de oorlog in het oosten gaat door zonder dat iemand het ziet " * 90).split()
    text = " ".join(words)[:5000].strip()
    article = read_article(write(tmp_path, "lang.txt", text.encode()))
    assert article.paragraphs == [Paragraph("body", text)]
    # One paragraph, shown as display sentences cut at word boundaries (reader.segment.MAX_SENTENCE).
    pieces = split_sentences(article.paragraphs[0].text)
    assert " ".join(pieces) == text and len(pieces) > 1
    assert article.title.endswith("…") and len(article.title) <= 80


# ------------------------------------------------------------------ encodings and identity


@pytest.mark.parametrize(
    "encoded",
    [
        ARTICLE.encode("utf-8"),
        b"\xef\xbb\xbf" + ARTICLE.encode("utf-8"),
        ARTICLE.replace("\n", "\r\n").encode("utf-8"),
        ARTICLE.replace("\n", "\r").encode("utf-8"),
        "\ufeff".encode("utf-16-le") + ARTICLE.replace("\n", "\r\n").encode("utf-16-le"),
        "\ufeff".encode("utf-16-be") + ARTICLE.encode("utf-16-be"),
        ARTICLE.replace("\n", "  \n").encode("utf-8"),
        unicodedata.normalize("NFD", ARTICLE).encode("utf-8"),
        ARTICLE.replace("\n\n", "\u2029").replace("\n", "\u2028").encode("utf-8"),
    ],
    ids=["utf8", "utf8-bom", "crlf", "cr", "utf16le-crlf", "utf16be", "trailing-space", "nfd",
         "unicode-separators"],
)
def test_same_content_same_article_however_saved(tmp_path, encoded):
    reference = parse_text(ARTICLE)
    article = read_article(write(tmp_path, "artikel.txt", encoded))
    assert article.content_hash == reference.content_hash
    assert article.paragraphs == reference.paragraphs
    assert article.title == reference.title
    assert article.warnings == []


@pytest.mark.parametrize(
    "changed",
    [
        ARTICLE.replace("anderhalf", "twee"),
        ARTICLE.replace("2022-03-10", "2022-03-11"),
        ARTICLE.replace("Gesprek in Antalya", "Gesprek in Antalya."),
        ARTICLE.replace("date 2022-03-10\n", ""),
    ],
    ids=["word", "date", "heading-becomes-body", "no-date"],
)
def test_different_content_different_hash(changed):
    assert parse_text(changed).content_hash != parse_text(ARTICLE).content_hash


def test_cp1252_is_read_with_a_warning_naming_the_file(tmp_path):
    path = write(tmp_path, "oud.txt", "Het café is dicht. De ruïnes – groot.\n".encode("cp1252"))
    article = read_article(path)
    assert article.paragraphs == [Paragraph("body", "Het café is dicht. De ruïnes – groot.")]
    assert len(article.warnings) == 1
    assert str(path) in article.warnings[0] and "UTF-8" in article.warnings[0]
    assert article.content_hash == parse_text("Het café is dicht. De ruïnes – groot.").content_hash


def test_bytes_undefined_in_cp1252_are_replaced_and_reported(tmp_path):
    path = write(tmp_path, "raar.txt", b"Het caf\xe9 is dicht \x81 nu.")
    article = read_article(path)
    assert article.paragraphs[0].text == "Het café is dicht \ufffd nu."
    assert "raar.txt" in article.warnings[0] and "replaced" in article.warnings[0]


def test_utf16_bom_with_broken_content_is_refused(tmp_path):
    path = write(tmp_path, "kapot.txt", b"\xff\xfe" + "Hallo".encode("utf-16-le") + b"\x00")
    with pytest.raises(ImportFailed, match=r"kapot\.txt.*UTF-16"):
        read_article(path)


# ------------------------------------------------------------------ bad input


def test_missing_file(tmp_path):
    with pytest.raises(ImportFailed, match=r"nope\.txt not found"):
        read_article(tmp_path / "nope.txt")


def test_directory(tmp_path):
    with pytest.raises(ImportFailed, match="is a folder"):
        read_article(tmp_path)


def test_broken_symlink_is_unreadable(tmp_path):
    link = tmp_path / "dangling.txt"
    link.symlink_to(tmp_path / "gone.txt")
    with pytest.raises(ImportFailed, match=r"dangling\.txt cannot be read.*gone\.txt"):
        read_article(link)


def test_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(ImportFailed, match=r"pipe\.txt cannot be read: it is a pipe"):
        read_article(fifo)


def test_socket_is_refused(tmp_path):
    path = tmp_path / "sock.txt"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(str(path))
        with pytest.raises(ImportFailed, match=r"sock\.txt cannot be read: it is a socket"):
            read_article(path)
    finally:
        server.close()


def test_path_through_a_file_is_unreadable(tmp_path):
    parent = write(tmp_path, "plain.txt", b"Tekst.")
    with pytest.raises(ImportFailed, match=r"child\.txt cannot be read \(Not a directory"):
        read_article(parent / "child.txt")


@pytest.mark.parametrize("content", [b"", b"   \n\n \t \r\n", b"\xef\xbb\xbf \n",
                                     "\ufeff \n".encode("utf-16-le")])
def test_empty_file(tmp_path, content):
    with pytest.raises(ImportFailed, match=r"leeg\.txt is empty"):
        read_article(write(tmp_path, "leeg.txt", content))


def test_only_a_date_marker_is_empty():
    with pytest.raises(ImportFailed, match="is empty"):
        parse_text("date 2022-03\n\n  \n", source_name="datum.txt")


@pytest.mark.parametrize(
    "data,kind",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "PNG image"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF document"),
        (b"PK\x03\x04\x14\x00\x06\x00word/document.xml", "ZIP archive"),
        (b"Dit lijkt tekst\x00\x00\x00maar is het niet", "NUL bytes"),
    ],
)
def test_binary_file(tmp_path, data, kind):
    with pytest.raises(ImportFailed, match=rf"foto\.txt is .*{kind}.*plain text"):
        read_article(write(tmp_path, "foto.txt", data))


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_refused_with_advice(tmp_path, codec):
    path = write(tmp_path, "zonder-bom.txt", "De oorlog duurt voort.".encode(codec))
    with pytest.raises(ImportFailed, match=r"zonder-bom\.txt looks like UTF-16.*save it again as UTF-8"):
        read_article(path)


def test_nul_characters_in_text_are_refused():
    with pytest.raises(ImportFailed, match="binary"):
        parse_text("Tekst\x00met nul", source_name="x.txt")


def test_file_over_50_mb_is_refused_with_its_size(tmp_path):
    path = tmp_path / "groot.txt"
    with path.open("wb") as f:
        f.truncate(51 * 1024 * 1024)
    with pytest.raises(ImportFailed, match=r"groot\.txt is 51\.0 MB, larger than the 50 MB limit"):
        read_article(path)


def test_file_of_exactly_50_mb_is_not_refused_for_size(tmp_path):
    path = tmp_path / "rand.txt"
    with path.open("wb") as f:
        f.write(b"Zin.")
        f.truncate(MAX_BYTES)
    with pytest.raises(ImportFailed, match="NUL bytes"):  # read, then refused as binary
        read_article(path)


def test_errors_are_reader_errors_with_one_line_messages(tmp_path):
    with pytest.raises(ReaderError) as excinfo:
        read_article(tmp_path / "nope.txt")
    message = str(excinfo.value)
    assert "\n" not in message and ":" in message


# ------------------------------------------------------------------ not an article: HTML, links, garbage

PAGE = (
    "<!DOCTYPE html>\n<html lang=\"nl\"><head><meta charset=\"utf-8\"><title>NOS</title></head>\n"
    "<body><article><h1>Gesprek in Antalya</h1><p>De ministers spraken anderhalf uur.</p>"
    "</article></body></html>\n"
)
HTML_ADVICE = r"looks like an HTML page, not a plain-text article: save the article's text"


@pytest.mark.parametrize(
    "page",
    [
        PAGE,
        PAGE.replace("<!DOCTYPE html>\n", ""),
        "\ufeff<?xml version=\"1.0\"?>\n<!-- saved from url -->\n<!doctype HTML><p>Tekst.</p>",
        "<div class=\"artikel\">\n<p>De ministers spraken anderhalf uur.</p>\n"
        "<p>Er zijn geen afspraken gemaakt.</p>\n</div>\n",
    ],
    ids=["saved-page", "no-doctype", "xml-comment-prefix", "fragment-without-html-tag"],
)
def test_html_in_a_text_file_is_refused_naming_the_file(tmp_path, page):
    # A .html file goes to the web-page reader (tests/test_import_html.py); a .txt one stays text.
    path = write(tmp_path, "pagina.txt", page.encode("utf-8"))
    with pytest.raises(ImportFailed, match=rf"pagina\.txt {HTML_ADVICE}.*New from Clipboard"):
        read_article(path)


@pytest.mark.parametrize("source_name", [None, "Pasted text"])
def test_pasted_html_is_refused(source_name):
    html = "<p>De ministers spraken anderhalf uur.</p>\n<p>Er zijn geen afspraken gemaakt.</p>"
    with pytest.raises(ImportFailed, match=r"looks like an HTML page.*not the page source"):
        parse_text(html, source_name=source_name)


def test_article_that_mentions_a_few_tags_is_still_an_article():
    text = (
        "Webredacties schrijven hun stukken in HTML. Een alinea begint met <p> en een regel "
        "breekt met <br>; kopjes krijgen <h2>. Lezers zien daar niets van.\n"
    )
    article = parse_text(text)
    assert article.paragraphs == [Paragraph("body", " ".join(text.split()))]


@pytest.mark.parametrize(
    "text",
    [
        "https://nos.nl/artikel/2420035-lavrov-en-koeleba-praten-in-antalya",
        "  http://nos.nl/artikel/2420035\n",
        "www.nos.nl/artikel/2420035",
        "<https://nos.nl/a>\nhttps://nos.nl/b",
    ],
)
def test_pasted_web_address_is_refused(text):
    with pytest.raises(ImportFailed, match=r"web address(es)?, not an article: open it with File → Open "
                                           r"URL, or paste the article's text"):
        parse_text(text, source_name="Pasted text")


def test_file_holding_only_a_web_address_is_refused_naming_the_file(tmp_path):
    path = write(tmp_path, "link.txt", b"date 2022-03\nhttps://nos.nl/artikel/2420035\n")
    with pytest.raises(ImportFailed, match=r"link\.txt holds only a web address.*`bireader import URL`"):
        read_article(path)


def test_text_with_a_web_address_in_it_is_an_article():
    article = parse_text("Lees meer op https://nos.nl/artikel/2420035 over het gesprek.")
    assert article.paragraphs[0].text == "Lees meer op https://nos.nl/artikel/2420035 over het gesprek."


def test_utf16_looking_binary_is_refused_not_imported_as_cjk(tmp_path):
    # A BOM, then ASCII one byte off: decodes to 最牡慢敧..., which once became a document title.
    data = b"\xff\xfe\x00garbage data that is not text at all, really\x00"
    path = write(tmp_path, "data.bin", data)
    with pytest.raises(ImportFailed, match=r"data\.bin does not look like a Dutch article: "
                                           r"\d+% of its letters are not Latin \(e\.g\. '最牡慢敧"):
        read_article(path)


def test_mostly_private_use_or_control_characters_are_refused():
    text = "Tekst " + "\ue000\x01\x02\x1b\x7f" * 20
    with pytest.raises(ImportFailed, match=r"blob\.txt contains 100 control or private-use"):
        parse_text(text, source_name="blob.txt")


def test_sample_article_imports_unchanged_by_the_checks():
    article = read_article(SEED)
    assert article.warnings == []
    assert len(article.paragraphs) == 9


def test_dutch_with_accents_quotes_dashes_and_a_few_foreign_names_is_accepted(tmp_path):
    text = (
        "Ruïnes in Marioepol – ‘geen café meer’\n\n"
        "Naïeve coördinatie: „Wij geven ons niet over”, zei Koeleba (Кулеба) na één gesprek "
        "met Lavrov (Лавров) en Çavuşoğlu in het hôtel; ook Zelensky (Зеленський) reageerde… "
        "Prijzen stegen tot € 3,50 — ‘crème brûlée’ ¹/₂ niet meegerekend. Er zijn géén afspraken.\n"
    )
    article = read_article(write(tmp_path, "accenten.txt", text.encode("utf-8")))
    assert [p.kind for p in article.paragraphs] == ["heading", "body"]
    assert article.title == "Ruïnes in Marioepol – ‘geen café meer’"
    assert "Зеленський" in article.paragraphs[1].text
    assert article.warnings == []
