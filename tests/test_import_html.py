"""Importing a web page saved from a news site: the article's text with its structure, the page's
own title and date, and clear refusals for pages without an article."""

from __future__ import annotations

import pytest

from reader.errors import ImportFailed
from reader.import_html import read_html_fragment
from reader.importer import read_article
from reader.pipeline import import_file
from reader.store import document_paragraphs, get_document, list_documents

ARTICLE_PARAGRAPHS = [
    ("heading", "Lavrov en Koeleba praten voor het eerst"),
    ("body", "De ministers van Buitenlandse Zaken van Rusland en Oekraïne hebben in het Turkse Antalya "
             "met elkaar gesproken. Het was de eerste ontmoeting op dat niveau sinds het begin van de "
             "oorlog."),
    ("body", "Het gesprek duurde anderhalf uur. Er zijn geen afspraken gemaakt over een staakt-het-vuren, "
             "zei Koeleba na afloop tegen verslaggevers."),
    ("heading", "Humanitaire corridors"),
    ("body", "Oekraïne wilde vooral praten over de humanitaire situatie in de belegerde steden. Koeleba "
             "noemde drie punten:"),
    ("list_item", "een veilige doorgang voor burgers uit Marioepol"),
    ("list_item", "hulpgoederen voor de steden in het oosten"),
    ("list_item", "een staakt-het-vuren van vierentwintig uur"),
    ("quote", "Wij willen vrede, maar wij geven ons niet over."),
    ("body", "Lavrov zei dat Rusland niet van plan is om andere landen aan te vallen. Volgens hem heeft "
             "Rusland Oekraïne ook niet aangevallen, een bewering die door westerse landen wordt "
             "tegengesproken."),
]
BOILERPLATE = ["cookies", "Accepteren", "Binnenland", "Meest gelezen", "Storm op komst", "Copyright",
               "Alle rechten voorbehouden", "Privacy"]


def news_page(*, head: str | None = None, article: str | None = None, lang: str = "nl") -> str:
    """A page as a news site serves it: cookie banner, menus, the article, a sidebar, a footer."""
    if head is None:
        head = (
            '<meta property="og:title" content="Lavrov en Koeleba praten voor het eerst">\n'
            '<meta property="article:published_time" content="2022-03-10T09:15:00+01:00">\n'
            '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle",'
            ' "headline": "Lavrov en Koeleba praten", "datePublished": "2022-03-10T09:15:00+01:00"}'
            "</script>\n"
        )
    if article is None:
        article = """
<h1>Lavrov en Koeleba praten voor het eerst</h1>
<p class="meta"><time datetime="2022-03-10T09:15:00+01:00">10 maart 2022, 09:15</time></p>
<p>De ministers van Buitenlandse Zaken van Rusland en Oekraïne hebben in het Turkse Antalya met elkaar
gesproken. Het was de eerste ontmoeting op dat niveau sinds het begin van de oorlog.</p>
<p>Het gesprek duurde anderhalf uur. Er zijn <b>geen afspraken</b> gemaakt over een
<a href="/staakt-het-vuren">staakt-het-vuren</a>, zei Koeleba na afloop tegen verslaggevers.</p>
<h2>Humanitaire corridors</h2>
<p>Oekraïne wilde vooral praten over de humanitaire situatie in de belegerde steden. Koeleba noemde drie
punten:</p>
<ul><li>een veilige doorgang voor burgers uit Marioepol</li><li>hulpgoederen voor de steden in het
oosten</li><li>een staakt-het-vuren van vierentwintig uur</li></ul>
<blockquote><p>Wij willen vrede, maar wij geven ons niet over.</p></blockquote>
<p>Lavrov zei dat Rusland niet van plan is om andere landen aan te vallen. Volgens hem heeft Rusland
Oekraïne ook niet aangevallen, een bewering die door westerse landen wordt tegengesproken.</p>
"""
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<title>Ministers praten in Antalya | Nieuwsblad</title>
{head}</head><body>
<div class="cookie-banner" id="cookies">Wij gebruiken cookies om de site te verbeteren en advertenties
te tonen. Akkoord? <button>Accepteren</button> <button>Instellingen</button></div>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/binnenland">Binnenland</a></li>
<li><a href="/buitenland">Buitenland</a></li><li><a href="/sport">Sport</a></li></ul></nav></header>
<main><article>{article}</article></main>
<aside><h3>Meest gelezen</h3><ul><li><a href="/a">Storm op komst</a></li>
<li><a href="/b">Files op de A2</a></li></ul></aside>
<footer><p>Copyright 2024 Nieuwsblad B.V. Alle rechten voorbehouden.</p>
<p><a href="/privacy">Privacy</a> | <a href="/cookies">Cookies</a></p></footer>
</body></html>
"""


def write(tmp_path, name: str, text: str, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_a_saved_news_page_imports_the_article_with_its_structure_title_and_date(tmp_path):
    article = read_article(write(tmp_path, "nieuws.html", news_page()))
    assert [(p.kind, p.text) for p in article.paragraphs] == ARTICLE_PARAGRAPHS
    assert article.title == "Lavrov en Koeleba praten voor het eerst"  # og:title, not <title>'s site name
    assert article.date == "2022-03-10"
    assert article.warnings == []
    everything = " ".join(p.text for p in article.paragraphs)
    assert not [b for b in BOILERPLATE if b in everything]


def test_a_page_without_a_suffix_is_recognised_by_its_content(tmp_path):
    article = read_article(write(tmp_path, "pagina", news_page()))
    assert [(p.kind, p.text) for p in article.paragraphs] == ARTICLE_PARAGRAPHS


@pytest.mark.parametrize(
    "head,expected",
    [
        ('<script type="application/ld+json">{"@graph": [{"@type": "WebPage"}, {"@type": "NewsArticle",'
         ' "headline": "Kop uit JSON-LD", "datePublished": "2021-11-02"}]}</script>',
         ("Kop uit JSON-LD", "2021-11-02")),
        ('<meta name="twitter:title" content="Kop van Twitter">', ("Kop van Twitter", "2022-03-10")),
        ("", ("Lavrov en Koeleba praten voor het eerst", "2022-03-10")),  # the <h1>, the <time datetime>
    ],
    ids=["json-ld-graph", "twitter-title-and-time-element", "h1-and-time-element"],
)
def test_title_and_date_come_from_the_pages_own_metadata(tmp_path, head, expected):
    article = read_article(write(tmp_path, "nieuws.html", news_page(head=head)))
    assert (article.title, article.date) == expected


def test_the_date_is_never_taken_from_a_copyright_footer_or_the_text(tmp_path):
    body = "".join(f"<p>{text}</p>" for kind, text in ARTICLE_PARAGRAPHS if kind == "body")
    body += "<p>Het overleg van 14 mei 2019 leverde ook niets op.</p>"
    page = news_page(head="", article=body)
    article = read_article(write(tmp_path, "nieuws.html", page))
    assert article.date is None
    assert "2024" not in (article.date or "")
    assert article.title == "Ministers praten in Antalya | Nieuwsblad"  # <title> is all the page declares


def test_a_page_in_windows_1252_is_read_by_its_declared_charset(tmp_path):
    page = news_page().replace('<meta charset="utf-8">', '<meta charset="windows-1252">')
    article = read_article(write(tmp_path, "nieuws.htm", page, encoding="cp1252"))
    assert "Oekraïne" in article.paragraphs[1].text


def test_a_page_with_no_article_text_is_refused_and_the_library_is_unchanged(db, tmp_path):
    teasers = '<div class="teasers"><a href="/a">Storm op komst</a> <a href="/b">Files op de A2</a></div>'
    path = write(tmp_path, "voorpagina.html", news_page(head="", article=teasers))
    with pytest.raises(ImportFailed, match=r"voorpagina\.html is a web page with no article text \(only "
                                           r"menus, banners or links were found\): open the article's own"):
        import_file(db, path)
    assert list_documents(db) == []


def test_an_english_page_is_imported_with_a_warning_that_it_does_not_look_dutch(db, tmp_path):
    english = """<h1>Ministers meet in Antalya</h1>
<p>The foreign ministers of Russia and Ukraine met in the Turkish city of Antalya on Thursday. It was
the first meeting at that level since the war began two weeks ago.</p>
<p>The talks lasted an hour and a half. No agreement was reached on a ceasefire, Kuleba told reporters
after the meeting, and the humanitarian corridors were not opened either.</p>"""
    path = write(tmp_path, "news.html", news_page(head="", article=english, lang="en"))
    warnings: list[str] = []
    doc_id, created = import_file(db, path, warn=warnings.append)
    assert created
    assert len(warnings) == 1
    assert "does not look Dutch (it looks English)" in warnings[0]
    assert get_document(db, doc_id)["title"] == "Ministers meet in Antalya"
    assert [p["kind"] for p in document_paragraphs(db, doc_id)] == ["heading", "body", "body"]


def test_importing_the_same_page_twice_is_one_document(db, tmp_path):
    first = import_file(db, write(tmp_path, "a.html", news_page()))
    second = import_file(db, write(tmp_path, "b.html", news_page()))
    assert first == (first[0], True) and second == (first[0], False)
    stored = [(p["kind"], p["text"]) for p in document_paragraphs(db, first[0])]
    assert stored == ARTICLE_PARAGRAPHS


def test_html_copied_from_a_browser_keeps_its_blocks_and_drops_inline_markup():
    html = ('<html><body><!--StartFragment--><h2>Humanitaire corridors</h2><p>Koeleba <b>noemde</b> '
            '<a href="/x">drie</a> punten:</p><ol><li>doorgang</li><li>hulp<ul><li>voedsel</li></ul></li>'
            '</ol><blockquote>Wij willen <i>vrede</i>.</blockquote><script>alert(1)</script>'
            '<!--EndFragment--></body></html>')
    article = read_html_fragment(html, "Pasted text")
    assert [(p.kind, p.text) for p in article.paragraphs] == [
        ("heading", "Humanitaire corridors"), ("body", "Koeleba noemde drie punten:"),
        ("list_item", "doorgang"), ("list_item", "hulp"), ("list_item", "voedsel"),
        ("quote", "Wij willen vrede."),
    ]
    assert article.title == "Humanitaire corridors"
    with pytest.raises(ImportFailed, match="Pasted text holds no text"):
        read_html_fragment('<img src="foto.png"><script>x()</script>', "Pasted text")
