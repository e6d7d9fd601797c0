"""Importing EPUB books the tests build themselves: chapters in spine order as sections, their
headings, lists and quotes kept, and one clear refusal for a damaged, protected or empty book."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from reader.errors import ImportFailed
from reader.importer import read_article
from reader.pipeline import import_file
from reader.store import document_paragraphs, get_document, list_documents

XHTML = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" lang="nl">
<head><title>{title}</title><style>p {{ margin: 0 }}</style></head>
<body>{body}</body></html>
"""
CHAPTER_1 = """<section epub:type="chapter"><h1>Hoofdstuk 1. De reis</h1>
<p>De trein vertrok om <em>zeven uur</em> uit Utrecht. Het was koud en nog donker.</p>
<p>Marieke had drie dingen bij zich:</p>
<ul><li>een boek</li><li>een thermoskan koffie</li></ul>
<blockquote><p>Wie niet waagt, die niet wint.</p></blockquote></section>"""
CHAPTER_2 = """<h1>Hoofdstuk 2. Aankomst</h1><div><p>In Groningen regende het.</p>
<p>Ze liep naar het <a href="#x">hotel</a> aan de Grote Markt.</p></div>"""
NAV = """<nav epub:type="toc"><h1>Inhoud</h1><ol><li><a href="h1.xhtml">Hoofdstuk 1. De reis</a></li>
<li><a href="h2.xhtml">Hoofdstuk 2. Aankomst</a></li><li><a href="h3.xhtml#begin">Hoofdstuk 3. Thuis</a></li>
</ol></nav>"""
EXPECTED = [
    ("heading", "Hoofdstuk 1. De reis"),
    ("body", "De trein vertrok om zeven uur uit Utrecht. Het was koud en nog donker."),
    ("body", "Marieke had drie dingen bij zich:"),
    ("list_item", "een boek"), ("list_item", "een thermoskan koffie"),
    ("quote", "Wie niet waagt, die niet wint."),
    ("heading", "Hoofdstuk 2. Aankomst"),
    ("body", "In Groningen regende het."),
    ("body", "Ze liep naar het hotel aan de Grote Markt."),
]
CONTAINER = """<?xml version="1.0"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles>
</container>"""


def make_epub(path: Path, chapters: dict[str, str], spine: list[str] | None = None, *,
              title: str = "Reis naar het noorden", date: str = "2019-06-01",
              extra: dict[str, str] | None = None, wrap: bool = True) -> Path:
    """A minimal EPUB 3: ``chapters`` maps file names (in zip order) to bodies; ``spine`` is the
    reading order (default: zip order); a navigation document is always included."""
    spine = spine or list(chapters)
    items = "\n".join(f'<item id="c{i}" href="{name}" media-type="application/xhtml+xml"/>'
                      for i, name in enumerate(chapters))
    ids = {name: f"c{i}" for i, name in enumerate(chapters)}
    refs = "\n".join(f'<itemref idref="{ids[name]}"/>' for name in spine)
    opf = f"""<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="id">urn:uuid:1</dc:identifier>
<dc:title>{title}</dc:title><dc:language>nl</dc:language><dc:date>{date}</dc:date></metadata>
<manifest><item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
<item id="css" href="style.css" media-type="text/css"/>
{items}</manifest>
<spine><itemref idref="nav"/>{refs}</spine></package>"""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")  # stored, first
        z.writestr("META-INF/container.xml", CONTAINER)
        z.writestr("OEBPS/content.opf", opf)
        z.writestr("OEBPS/nav.xhtml", XHTML.format(title="Inhoud", body=NAV))
        z.writestr("OEBPS/style.css", "p { margin: 0 }")
        for name, body in chapters.items():
            z.writestr(f"OEBPS/{name}", XHTML.format(title=name, body=body) if wrap else body)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return path


def book(tmp_path: Path, name: str = "boek.epub", **kw) -> Path:
    # Zip order is chapter 2 first: the spine, not the zip, decides the order.
    return make_epub(tmp_path / name, {"h2.xhtml": CHAPTER_2, "h1.xhtml": CHAPTER_1},
                     ["h1.xhtml", "h2.xhtml"], **kw)


def test_chapters_import_in_spine_order_with_their_structure_title_and_date(db, tmp_path):
    path = book(tmp_path)
    article = read_article(path)
    assert [(p.kind, p.text) for p in article.paragraphs] == EXPECTED  # no table of contents, no CSS
    assert (article.title, article.date) == ("Reis naar het noorden", "2019-06-01")
    assert article.warnings == []
    doc_id, created = import_file(db, path)
    assert created and get_document(db, doc_id)["title"] == "Reis naar het noorden"
    assert [(p["kind"], p["text"]) for p in document_paragraphs(db, doc_id)] == EXPECTED


def test_a_chapter_without_a_heading_is_named_by_the_table_of_contents(tmp_path):
    chapters = {"h1.xhtml": CHAPTER_1, "h3.xhtml": '<p id="begin">Thuis was alles nog hetzelfde.</p>'}
    paragraphs = read_article(make_epub(tmp_path / "boek.epub", chapters)).paragraphs
    assert [(p.kind, p.text) for p in paragraphs[-2:]] == [
        ("heading", "Hoofdstuk 3. Thuis"), ("body", "Thuis was alles nog hetzelfde.")]
    assert sum(p.text == "Inhoud" for p in paragraphs) == 0  # the table of contents is not text


def test_an_epub_without_its_suffix_is_recognised_by_its_mimetype(tmp_path):
    path = book(tmp_path)
    renamed = path.rename(tmp_path / "download")
    assert [(p.kind, p.text) for p in read_article(renamed).paragraphs] == EXPECTED


def test_a_three_hundred_chapter_book_imports_whole_and_in_order(db, tmp_path):
    body = ("<h2>Hoofdstuk {n}</h2>" + "<p>Dit is de {n}e alinea van een lang boek over de Nederlandse "
            "geschiedenis, met genoeg woorden om een bladzijde te vullen.</p>" * 12)
    chapters = {f"c{n:03d}.xhtml": body.format(n=n) for n in range(1, 301)}
    path = make_epub(tmp_path / "dik.epub", chapters)
    doc_id, _ = import_file(db, path)
    paragraphs = document_paragraphs(db, doc_id)
    headings = [p["text"] for p in paragraphs if p["kind"] == "heading"]
    assert headings == [f"Hoofdstuk {n}" for n in range(1, 301)]
    assert len(paragraphs) == 300 * 13


def test_a_truncated_epub_is_refused_as_damaged_and_nothing_is_stored(db, tmp_path):
    data = book(tmp_path).read_bytes()
    for cut in (len(data) // 2, len(data) - 30):
        path = tmp_path / f"afgebroken-{cut}.epub"
        path.write_bytes(data[:cut])
        with pytest.raises(ImportFailed, match=rf"afgebroken-{cut}\.epub is damaged or incomplete \(was "
                                               r"the download cut short\?\): download or copy the book"):
            import_file(db, path)
    assert list_documents(db) == []


def test_a_damaged_chapter_inside_a_whole_zip_is_refused_as_damaged(tmp_path):
    path = book(tmp_path)
    data = bytearray(path.read_bytes())
    start = data.find(b"Hoofdstuk 2")  # deflated, so the words are not there: corrupt the middle instead
    middle = len(data) // 2 if start < 0 else start
    data[middle:middle + 40] = b"\xff" * 40
    path.write_bytes(bytes(data))
    with pytest.raises(ImportFailed, match=r"boek\.epub is damaged or incomplete"):
        read_article(path)


@pytest.mark.parametrize(
    "extra",
    [
        {"META-INF/rights.xml": "<rights/>"},
        {"META-INF/encryption.xml": """<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container"
 xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData>
<enc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>
<enc:CipherData><enc:CipherReference URI="OEBPS/h1.xhtml"/></enc:CipherData></enc:EncryptedData>
</encryption>"""},
    ],
    ids=["adobe-rights", "encrypted-chapters"],
)
def test_a_book_with_drm_is_refused_as_such_and_nothing_is_stored(db, tmp_path, extra):
    path = book(tmp_path, "beveiligd.epub", extra=extra)
    with pytest.raises(ImportFailed, match=r"beveiligd\.epub is protected by DRM \(copy protection\), so "
                                           r"its text cannot be read: import a DRM-free copy"):
        import_file(db, path)
    assert list_documents(db) == []


def test_obfuscated_fonts_are_not_drm(tmp_path):
    fonts = """<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container"
 xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData>
<enc:EncryptionMethod Algorithm="http://www.idpf.org/2008/embedding"/>
<enc:CipherData><enc:CipherReference URI="OEBPS/font.otf"/></enc:CipherData></enc:EncryptedData>
</encryption>"""
    path = book(tmp_path, extra={"META-INF/encryption.xml": fonts, "OEBPS/font.otf": "x"})
    assert [(p.kind, p.text) for p in read_article(path).paragraphs] == EXPECTED


def test_a_book_of_pictures_only_says_it_has_no_text(db, tmp_path):
    pictures = {"p1.xhtml": '<div><img src="a.jpg" alt=""/></div>', "p2.xhtml": "<section> </section>"}
    path = make_epub(tmp_path / "fotoboek.epub", pictures)
    with pytest.raises(ImportFailed, match=r"fotoboek\.epub contains no text \(only images or empty "
                                           r"chapters\): nothing to import"):
        import_file(db, path)
    assert list_documents(db) == []


def test_a_book_without_a_container_says_it_is_incomplete(tmp_path):
    path = tmp_path / "kaal.epub"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        z.writestr("OEBPS/h1.xhtml", XHTML.format(title="x", body=CHAPTER_1))
    with pytest.raises(ImportFailed, match=r"kaal\.epub has no META-INF/container\.xml, so it is not a "
                                           r"complete EPUB"):
        read_article(path)


def test_entities_in_a_chapter_are_not_expanded_from_files(tmp_path):
    secret = tmp_path / "geheim.txt"
    secret.write_text("GEHEIM-WACHTWOORD", encoding="utf-8")
    hostile = (f'<?xml version="1.0"?><!DOCTYPE html [<!ENTITY x SYSTEM "file://{secret}">]>'
               '<html xmlns="http://www.w3.org/1999/xhtml"><body><h1>Kop</h1>'
               "<p>Tekst &x; hier en nog wat meer woorden.</p></body></html>")
    path = make_epub(tmp_path / "entiteit.epub", {"h1.xhtml": hostile}, wrap=False)
    text = " ".join(p.text for p in read_article(path).paragraphs)
    assert text.startswith("Kop Tekst") and "GEHEIM" not in text
