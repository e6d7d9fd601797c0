"""The HTML export's content: every sentence pair in order, the reader's versions, structure,
annotations with their notes, alignment data, and hostile article text kept inert.

The page is parsed with the standard library's HTMLParser (what a browser builds from it is
tested in test_export_html_browser.py)."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser

import pytest

from reader.annotations import add_annotation
from reader.document import document_view
from reader.export import export_document, export_to_file
from reader.export_html import script_json
from reader.formats import ExportOptions, export_for_suffix
from reader.links import set_link
from reader.pipeline import translate_document
from reader.store import add_document, document_sentences, set_user_translation
from tests.helpers_store import BODY_1, BODY_2, HEADING, make_article

HOSTILE = "Zij schreef <script>window.pwned = 1</script> en ]]> en &amp; | pijp\tmet tab."
STRUCTURED = [
    ("heading", "Lavrov en Koeleba"),
    ("body", BODY_1),
    ("list_item", "Oekraïne"),
    ("list_item", "Rusland"),
    ("list_item", "Turkije"),
    ("quote", "Wij willen vrede."),
    ("heading", "Tussenkop"),
    ("body", BODY_2),
]


class Page(HTMLParser):
    """What a reader of the page sees: the text of each side's sentences, the elements met."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict]] = []
        self.sentences: dict[tuple[str, str], str] = {}  # (side, sentence id) -> text
        self.order: list[tuple[str, str]] = []
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self.marks: list[tuple[dict, str]] = []
        self.notes: list[str] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag not in ("meta", "br"):
            self.stack.append((tag, attrs))
        if tag == "script":
            self.scripts.append("")

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        tags = [t for t, _ in self.stack]
        if tags and tags[-1] == "script":
            self.scripts[-1] += data
            return
        if "sup" in tags or any(a.get("class") == "edit" for _, a in self.stack):
            return
        side = next((a.get("lang") for _, a in reversed(self.stack) if a.get("lang") in ("nl", "en")), None)
        sid = next((a["data-s"] for _, a in reversed(self.stack) if "data-s" in a), None)
        if side and sid:
            key = (side, sid)
            if key not in self.sentences:
                self.order.append(key)
            self.sentences[key] = self.sentences.get(key, "") + data
        mark = next((a for t, a in reversed(self.stack) if t == "mark"), None)
        if mark is not None:
            self.marks.append((mark, data))
        if any(a.get("id", "").startswith("note-") for _, a in self.stack) and data.strip() != "↩":
            self.notes.append(data.strip())

    def side(self, side: str) -> list[str]:
        return [self.sentences[k].strip() for k in self.order if k[0] == side]


@pytest.fixture
def engine(tiny_package):
    from models.engine import Engine

    return Engine(tiny_package)


def test_every_sentence_pair_is_on_the_page_in_order_with_the_readers_version(db, engine):
    doc_id, _ = add_document(db, make_article())
    translate_document(db, doc_id, engine)
    rows = document_sentences(db, doc_id)
    set_user_translation(db, rows[1].id, "For the first time since the invasion, both talked.")
    page = Page(export_document(db, doc_id, engine.model_key, "html"))
    view = document_view(db, doc_id, engine.model_key)
    assert page.side("nl") == [s.text for s in view.sentences()]
    assert page.side("en") == [s.final for s in view.sentences()]
    assert page.side("en")[1] == "For the first time since the invasion, both talked."
    assert page.side("en")[2] == view.sentences()[2].machine  # the model's where the reader kept it
    assert [a.get("lang") for t, a in page.tags if t == "h1"] == ["nl"]  # the title, once
    assert ("h2", {"class": "nl", "lang": "nl"}) in page.tags  # the heading paragraph
    assert HEADING in page.side("nl")


def test_sentences_carry_their_token_offsets_links_and_phrases_as_json(db):
    doc_id, _ = add_document(db, make_article([("body", "De hond loopt in de tuin.")]))
    sid = document_sentences(db, doc_id)[0].id
    set_user_translation(db, sid, "The dog walks in the garden.")
    page = Page(export_document(db, doc_id, None, "html"))
    data = json.loads(page.scripts[0])["sentences"][str(sid)]
    nl, en = "De hond loopt in de tuin.", "The dog walks in the garden."
    assert [nl[a:b] for a, b in data["nl"]] == ["De", "hond", "loopt", "in", "de", "tuin", "."]
    assert [en[a:b] for a, b in data["en"]] == ["The", "dog", "walks", "in", "the", "garden", "."]
    links = {(i, j) for i, j, _ in data["links"]}
    assert (1, 1) in links and (5, 5) in links  # hond-dog, tuin-garden
    assert all(0 < c <= 1 for *_, c in data["links"] + data["phrases"])
    assert [[1], [1]] in [p[:2] for p in data["phrases"]]


def test_a_link_correction_of_the_reader_wins_over_the_aligner(db):
    doc_id, _ = add_document(db, make_article([("body", "De hond loopt in de tuin.")]))
    sid = document_sentences(db, doc_id)[0].id
    en = "The dog walks in the garden."
    set_user_translation(db, sid, en)
    set_link(db, sid, en, (3, 7), (4, 7), linked=False)  # hond is not dog
    set_link(db, sid, en, (3, 7), (21, 27), linked=True)  # hond is garden
    data = json.loads(Page(export_document(db, doc_id, None, "html")).scripts[0])["sentences"][str(sid)]
    links = {(i, j) for i, j, _ in data["links"]}
    assert (1, 1) not in links and (1, 5) in links


def test_headings_lists_and_quotes_are_kept_and_the_title_once(db, engine):
    doc_id, _ = add_document(db, make_article(STRUCTURED, title="Lavrov en Koeleba"))
    translate_document(db, doc_id, engine)
    text = export_document(db, doc_id, engine.model_key, "html")
    page = Page(text)
    tags = [t for t, _ in page.tags]
    assert tags.count("h1") == 2 and tags.count("h2") == 2  # title and "Tussenkop", each on both sides
    assert tags.count("ul") == 2 and tags.count("li") == 6  # one list of three items per side
    assert tags.count("blockquote") == 2
    assert page.side("nl").count("Lavrov en Koeleba") == 1
    assert "<title>Lavrov en Koeleba</title>" in text


def test_interleaved_puts_each_english_paragraph_under_its_dutch_one(db, engine):
    doc_id, _ = add_document(db, make_article())
    translate_document(db, doc_id, engine)
    side = export_document(db, doc_id, engine.model_key, "html")
    inter = export_document(db, doc_id, engine.model_key, "html", ExportOptions(layout="interleaved"))
    assert '<body class="side-by-side">' in side and '<body class="interleaved">' in inter
    assert Page(inter).side("en") == Page(side).side("en")


def test_annotations_are_coloured_highlights_with_their_notes(db):
    doc_id, _ = add_document(db, make_article([("body", "De hond loopt in de tuin.")]))
    sid = document_sentences(db, doc_id)[0].id
    set_user_translation(db, sid, "The dog walks in the garden.")
    add_annotation(db, doc_id, sid, "nl", 3, 7, note="hond = <dog> & co", colour="green")
    add_annotation(db, doc_id, sid, "en", 21, 27, colour="pink")
    page = Page(export_document(db, doc_id, None, "html"))
    assert [(m["class"], text) for m, text in page.marks] == [("green", "hond"), ("pink", "garden")]
    assert page.marks[0][0]["title"] == "hond = <dog> & co"
    assert page.notes == ["hond = <dog> & co"]
    without = Page(export_document(db, doc_id, None, "html", ExportOptions(include=frozenset())))
    assert without.marks == [] and without.notes == []


def test_hostile_article_text_shows_as_text_and_never_as_markup(db):
    doc_id, _ = add_document(db, make_article([("body", HOSTILE)], title="<b>Kop</b> & ]]>"))
    sid = document_sentences(db, doc_id)[0].id
    set_user_translation(db, sid, "She wrote </script><script>window.pwned = 2</script> <!-- & ]]>")
    text = export_document(db, doc_id, None, "html")
    page = Page(text)
    assert page.side("nl") == [HOSTILE.split(" | ")[0] + " | pijp\tmet tab."]
    assert page.side("en") == ["She wrote </script><script>window.pwned = 2</script> <!-- & ]]>"]
    assert len(page.scripts) == 2  # the page's own two: none came from the article
    assert "pwned" not in "".join(page.scripts)
    assert [t for t, _ in page.tags].count("script") == 2
    assert "<title>&lt;b&gt;Kop&lt;/b&gt; &amp; ]]&gt;</title>" in text


def test_json_in_a_script_element_cannot_close_it():
    text = script_json({"x": "</script><!-- ]]> & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"x": "</script><!-- ]]> & \u2028"}


def test_an_untranslated_document_exports_its_dutch_and_says_so(db, tmp_path):
    doc_id, _ = add_document(db, make_article())
    warnings: list[str] = []
    out = export_to_file(db, doc_id, None, tmp_path / "artikel.html", warn=warnings.append)
    page = Page(out.read_text(encoding="utf-8"))
    assert page.side("nl")[1:3] == [s for s in re.split(r"(?<=\.) ", BODY_1)]
    assert page.side("en") == []
    assert warnings == [
        "“Lavrov en Koeleba” has no translation yet, so the export holds the Dutch text only: "
        "translate it first (open it in the window) and export again for the English"
    ]
    assert export_for_suffix("x.HTML").name == "html"


def test_the_page_needs_nothing_outside_itself(db, engine):
    doc_id, _ = add_document(db, make_article(STRUCTURED))
    translate_document(db, doc_id, engine)
    page = Page(export_document(db, doc_id, engine.model_key, "html"))
    for tag, attrs in page.tags:
        assert "src" not in attrs, tag
        assert not (tag == "link" and "href" in attrs)
        assert not attrs.get("href", "#").split("#")[0], attrs  # only links inside the page
    assert html.unescape("&amp;") == "&"  # (the parser above decoded every reference)


def test_several_documents_make_one_page_of_articles_with_contents_and_their_own_notes(tmp_path):
    """`bireader export A B --format html -o both.html`: one page, each document an article in
    order, a table of contents, hover data for every sentence and note anchors that never clash."""
    from reader.cli import main
    from reader.store import open_db

    db = open_db()  # the library under BIREADER_HOME, which the command line opens
    first, _ = add_document(db, make_article([("body", "De hond loopt in de tuin.")], title="Hond"))
    second, _ = add_document(db, make_article([("body", "De kat slaapt op de bank.")], title="Kat"))
    for doc_id, english, note in ((first, "The dog walks in the garden.", "een huisdier"),
                                  (second, "The cat sleeps on the couch.", "ook een huisdier")):
        sid = document_sentences(db, doc_id)[0].id
        set_user_translation(db, sid, english)
        add_annotation(db, doc_id, sid, "nl", 3, 6, note=note)
    db.close()

    out = tmp_path / "both.html"
    assert main(["export", str(first), str(second), "--format", "html", "-o", str(out)]) == 0

    text = out.read_text(encoding="utf-8")
    page = Page(text)
    assert page.side("nl") == ["De hond loopt in de tuin.", "De kat slaapt op de bank."]
    assert page.side("en") == ["The dog walks in the garden.", "The cat sleeps on the couch."]
    assert [a["id"] for t, a in page.tags if t == "article"] == ["doc-1", "doc-2"]
    assert [a["href"] for t, a in page.tags if t == "a" and a.get("href", "").startswith("#doc-")] == [
        "#doc-1", "#doc-2"
    ]
    assert page.notes == ["een huisdier", "ook een huisdier"]
    ids = [a["id"] for _t, a in page.tags if "id" in a]
    assert len(ids) == len(set(ids)), "an anchor appears twice"
    data = json.loads(page.scripts[0])["sentences"]
    assert len(data) == 2  # hover data for the sentences of both documents
    assert "<title>Hond and 1 more</title>" in text
