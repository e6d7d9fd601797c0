"""Importing Markdown: structure kept as paragraph kinds, inline markup reduced to the words a
reader sees (before, `.md` was plain text and `**`, `[…](…)` and `#` reached the translator)."""

from __future__ import annotations

import pytest

from reader.errors import ImportFailed
from reader.importer import read_article
from reader.pipeline import import_file
from reader.store import document_paragraphs, list_documents

ARTICLE = """\
# Lavrov en Koeleba praten in Antalya

De ministers spraken **anderhalf uur** met elkaar, meldt [de NOS](https://nos.nl/artikel/1).
Er zijn _geen_ afspraken gemaakt over `staakt-het-vuren`.

## Wat Oekraïne wil

* een veilige doorgang voor burgers
* hulpgoederen voor het oosten
  1. voedsel
  2. medicijnen

> Wij willen *vrede*, maar wij
> geven ons niet over.

![Foto van de ministers](foto.jpg)

Lavrov zei dat Rusland<br>geen plannen heeft.
"""
EXPECTED = [
    ("heading", "Lavrov en Koeleba praten in Antalya"),
    ("body", "De ministers spraken anderhalf uur met elkaar, meldt de NOS. Er zijn geen afspraken "
             "gemaakt over staakt-het-vuren."),
    ("heading", "Wat Oekraïne wil"),
    ("list_item", "een veilige doorgang voor burgers"),
    ("list_item", "hulpgoederen voor het oosten"),
    ("list_item", "voedsel"),
    ("list_item", "medicijnen"),
    ("quote", "Wij willen vrede, maar wij geven ons niet over."),
    ("body", "Lavrov zei dat Rusland geen plannen heeft."),
]


@pytest.mark.parametrize("name", ["artikel.md", "artikel.MARKDOWN"])
def test_markdown_keeps_headings_lists_and_quotes_and_drops_inline_markup(db, tmp_path, name):
    path = tmp_path / name
    path.write_text(ARTICLE, encoding="utf-8")
    article = read_article(path)
    assert [(p.kind, p.text) for p in article.paragraphs] == EXPECTED
    assert article.title == "Lavrov en Koeleba praten in Antalya"
    assert article.warnings == []
    doc_id, _ = import_file(db, path)
    assert [(p["kind"], p["text"]) for p in document_paragraphs(db, doc_id)] == EXPECTED
    everything = " ".join(p.text for p in article.paragraphs)
    assert not any(mark in everything for mark in ("**", "](", "`", "#", "<br>", "foto.jpg"))


def test_front_matter_gives_the_title_and_date_and_is_not_text(tmp_path):
    path = tmp_path / "notitie.md"
    path.write_text('---\ntitle: "Gesprek in Antalya"\ndate: 2022-03-10\ntags: [nieuws]\n---\n\n'
                    + ARTICLE, encoding="utf-8")
    article = read_article(path)
    assert (article.title, article.date) == ("Gesprek in Antalya", "2022-03-10")
    assert [(p.kind, p.text) for p in article.paragraphs] == EXPECTED


def test_a_date_line_under_the_title_is_the_date_as_in_plain_text(tmp_path):
    path = tmp_path / "artikel.md"
    path.write_text(ARTICLE.replace("\n\n", "\nGepubliceerd op 14 mei 2024\n\n", 1), encoding="utf-8")
    article = read_article(path)
    assert article.date == "2024-05-14"
    assert [(p.kind, p.text) for p in article.paragraphs] == EXPECTED


def test_an_english_markdown_file_is_imported_with_a_warning(tmp_path):
    path = tmp_path / "notes.md"
    path.write_text("# Meeting notes\n\nThe ministers met in Antalya on Thursday and talked for an hour "
                    "and a half, but **no agreement** was reached about a ceasefire.\n", encoding="utf-8")
    article = read_article(path)
    assert len(article.warnings) == 1 and "does not look Dutch (it looks English)" in article.warnings[0]


def test_markdown_with_only_markup_is_refused_and_nothing_is_stored(db, tmp_path):
    path = tmp_path / "leeg.md"
    path.write_text("---\ntitle: Leeg\n---\n\n![](foto.jpg)\n\n<div></div>\n\n***\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match=r"leeg\.md is empty \(no text besides markup and white space\): "
                                           r"nothing to import"):
        import_file(db, path)
    assert list_documents(db) == []
