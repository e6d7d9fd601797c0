"""The Markdown export rendered by a real Markdown engine (markdown-it-py, CommonMark with tables):
what a reader sees must be the article's own text, each sentence beside its English."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from reader.annotations import add_annotation
from reader.document import document_view
from reader.export import EDIT_MARK, export_document
from reader.formats import ExportOptions
from reader.importer import read_article
from reader.pipeline import translate_document
from reader.store import add_document, document_sentences, set_user_translation
from tests.conftest import SEED
from tests.helpers_store import make_article

SIDE = ExportOptions(layout="side-by-side")
HOSTILE = [
    ("heading", "# Kop met <b>tags</b> & ]]>"),
    ("body", "Zij schreef <script>alert(1)</script> en ]]> en &amp; | pijp\tmet tab. "
             "1. Geen lijst *ster* _laag_ [link](x) `code` \\ ~~weg~~ !["),
    ("list_item", "- Rusland & <Oekraïne>"),
    ("quote", "> Wij | willen &lt;vrede&gt;."),
]


class Blocks(HTMLParser):
    """The rendered page as (tag, text) per block element, and each table's rows of cells."""

    BLOCKS = ("h1", "h2", "p", "li", "td", "th")

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.blocks: list[tuple[str, str]] = []
        self.tables: list[list[list[str]]] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        if tag in self.BLOCKS:
            self.open.append(tag)
            self.blocks.append((tag, ""))

    def handle_endtag(self, tag):
        if tag in self.BLOCKS and self.open:
            self.open.pop()
            tag_, text = self.blocks[-1]
            if tag in ("td", "th"):
                self.tables[-1][-1].append(text)

    def handle_data(self, data):
        if self.open:
            tag, text = self.blocks[-1]
            self.blocks[-1] = (tag, text + data)

    def texts(self, tag: str) -> list[str]:
        return [t.strip() for k, t in self.blocks if k == tag]


def render(markdown: str) -> Blocks:
    return Blocks(MarkdownIt("commonmark").enable("table").render(markdown))


@pytest.fixture
def engine(tiny_package):
    from models.engine import Engine

    return Engine(tiny_package)


def test_side_by_side_is_a_table_per_paragraph_with_a_row_per_sentence(db, engine):
    doc_id, _ = add_document(db, make_article())
    translate_document(db, doc_id, engine)
    rows = document_sentences(db, doc_id)
    set_user_translation(db, rows[2].id, "The ministers talked | for 1.5 hours & more.")
    view = document_view(db, doc_id, engine.model_key)
    page = render(export_document(db, doc_id, engine.model_key, "md", SIDE))
    assert len(page.tables) == 2  # the two body paragraphs; the heading stays a heading
    body = [s for p in view.paragraphs if p.kind == "body" for s in p.sentences]
    got = [row for table in page.tables for row in table[1:]]
    assert [nl for nl, _ in got] == [s.text for s in body]
    assert [en.removesuffix(f" {EDIT_MARK}") for _, en in got] == [s.final for s in body]
    assert got[1][1] == f"The ministers talked | for 1.5 hours & more. {EDIT_MARK}"  # the reader's
    assert page.tables[0][0] == ["Nederlands", "English"]
    assert view.paragraphs[0].text in page.texts("h2")


def test_interleaved_gives_each_paragraph_then_its_english(db, engine):
    doc_id, _ = add_document(db, make_article())
    translate_document(db, doc_id, engine)
    view = document_view(db, doc_id, engine.model_key)
    for options in (None, ExportOptions(layout="interleaved")):
        page = render(export_document(db, doc_id, engine.model_key, "md", options))
        assert page.tables == []
        paragraphs = page.texts("p")
        for p in view.paragraphs[1:]:
            k = paragraphs.index(p.text)
            assert paragraphs[k + 1] == p.final


def test_the_title_made_from_the_first_sentence_is_not_written_twice(db, engine, tmp_path):
    """An article without a title line: its title is its first sentence, which follows in full."""
    doc_id, _ = add_document(db, read_article(SEED))
    view = document_view(db, doc_id, None)
    first = view.paragraphs[0].sentences[0].text
    for layout in ("interleaved", "side-by-side"):
        text = export_document(db, doc_id, None, "md", ExportOptions(layout=layout))
        page = render(text)
        shown = " ".join(t for _, t in page.blocks)
        assert shown.count(first[:40]) == 1, layout
        assert page.texts("h1") == []
        assert page.texts("p")[0] == "2022-03"


def test_lists_stay_lists_and_quotes_quotes_beside_their_english(db, engine):
    items = [("list_item", "Oekraïne"), ("list_item", "Rusland"), ("quote", "Wij willen vrede.")]
    doc_id, _ = add_document(db, make_article([("body", "Drie landen."), *items]))
    translate_document(db, doc_id, engine)
    view = document_view(db, doc_id, engine.model_key)
    markdown = export_document(db, doc_id, engine.model_key, "md", SIDE)
    page = render(markdown)
    assert page.texts("li") == ["Oekraïne", "Rusland"]
    at = [k for k, (tag, _) in enumerate(page.blocks) if tag == "li"]
    after = [(page.blocks[k + 1][0], page.blocks[k + 1][1].strip()) for k in at]
    assert after == [("p", p.final) for p in view.paragraphs[1:3]]  # its English inside the item
    assert "<blockquote>" in MarkdownIt("commonmark").enable("table").render(markdown)
    assert page.tables[-1][1] == ["Wij willen vrede.", view.paragraphs[3].final]


@pytest.mark.parametrize("layout", ["interleaved", "side-by-side"])
def test_hostile_text_renders_as_the_articles_own_text(db, layout):
    doc_id, _ = add_document(db, make_article(HOSTILE, title="Kop"))
    rows = document_sentences(db, doc_id)
    set_user_translation(db, rows[1].id, "She wrote <script>alert(2)</script> & ]]> | pipe.")
    markdown = export_document(db, doc_id, None, "md", ExportOptions(layout=layout))
    rendered = MarkdownIt("commonmark").enable("table").render(markdown)
    assert "<script>" not in rendered and "<b>" not in rendered and "<strong>" not in rendered
    assert rendered.count("<em>") == 1  # the date's, not the article's *ster* or _laag_
    assert "<code>" not in rendered and "<a " not in rendered and "<ol>" not in rendered
    page = render(markdown)
    shown = re.sub(r"\s+", " ", " ".join(t for _, t in page.blocks))  # references decoded once
    view = document_view(db, doc_id, None)
    for p in view.paragraphs:
        for s in p.sentences:
            assert s.text.replace("\t", " ") in shown
    assert "She wrote <script>alert(2)</script> & ]]> | pipe." in shown
    assert "&amp;" in shown and "&lt;vrede&gt;" in shown  # entities of the article stay as written


def test_notes_become_footnotes_after_their_sentence(db):
    doc_id, _ = add_document(db, make_article([("body", "De hond blaft. De kat slaapt.")]))
    rows = document_sentences(db, doc_id)
    add_annotation(db, doc_id, rows[1].id, "nl", 3, 6, note="kat = cat | <poes>", colour="blue")
    add_annotation(db, doc_id, rows[0].id, "nl", 3, 7, colour="yellow")  # no note: no footnote
    for layout in ("interleaved", "side-by-side"):
        text = export_document(db, doc_id, None, "md", ExportOptions(layout=layout))
        assert "De kat slaapt.[^1]" in text and text.count("[^") == 2, layout
        assert r"[^1]: kat = cat \| \<poes\>" in text.split("\n")
    text = export_document(db, doc_id, None, "md", ExportOptions(include=frozenset()))
    assert "[^" not in text
