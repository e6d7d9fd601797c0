"""EPUB 3: epubcheck finds nothing wrong, each Dutch paragraph is followed by its English, the
headings make the table of contents, and the metadata has the title, date and both languages."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from reader.document import document_view
from reader.export import export_to_file, write_export
from reader.export_epub import to_epub
from reader.store import add_document
from tests.helpers_export import TITLE, USER_EDIT, make_rich
from tests.helpers_store import make_article

EPUBCHECK = Path("/usr/share/java/epubcheck.jar")  # Debian's epubcheck, installed by .ci/run
NS = {"h": "http://www.w3.org/1999/xhtml", "opf": "http://www.idpf.org/2007/opf",
      "dc": "http://purl.org/dc/elements/1.1/"}


@pytest.fixture
def engine(tiny_package):
    from models.engine import Engine

    return Engine(tiny_package)


def epubcheck(path: Path) -> str:
    assert EPUBCHECK.exists() and shutil.which("java"), "install Debian's epubcheck (see .ci/run)"
    done = subprocess.run(["java", "-jar", str(EPUBCHECK), str(path)], capture_output=True, text=True,
                          timeout=300)
    report = done.stdout + done.stderr
    assert done.returncode == 0, report
    assert "No errors or warnings detected" in report, report
    return report


def xml(z: zipfile.ZipFile, name: str):
    return etree.fromstring(z.read(name))


def test_epub_passes_epubcheck_and_pairs_each_dutch_paragraph_with_its_english(db, engine, tmp_path):
    rich = make_rich(db, engine)
    out = export_to_file(db, rich.doc_id, rich.model_key, tmp_path / "artikel.epub")
    epubcheck(out)
    with zipfile.ZipFile(out) as z:
        first = z.infolist()[0]
        assert (first.filename, first.compress_type, first.extra) == ("mimetype", zipfile.ZIP_STORED, b"")
        assert z.read("mimetype") == b"application/epub+zip"
        opf = xml(z, "EPUB/package.opf")
        chapter = xml(z, "EPUB/chapter-1.xhtml")
        nav = xml(z, "EPUB/nav.xhtml")
    meta = opf.find("opf:metadata", NS)
    assert meta.findtext("dc:title", namespaces=NS) == TITLE
    assert meta.findtext("dc:date", namespaces=NS) == "2022-03-10"
    assert [e.text for e in meta.findall("dc:language", NS)] == ["nl", "en"]

    view = document_view(db, rich.doc_id, rich.model_key)
    body = chapter.find("h:body", NS)
    texts = ["".join(e.itertext()) for e in body.iter("{*}h1", "{*}h2", "{*}p")
             if e.get("class") not in ("date", "note")]
    expected = []
    for p in view.paragraphs:
        expected += [p.text, p.final]
    assert texts == expected  # Dutch, then English, for every paragraph in order; <script> is text
    assert USER_EDIT in expected[3]  # the reader's version, not the model's
    english = [e for e in body.iter() if e.get("class") == "en"]
    assert english and all(e.get("lang") == "en" for e in english)
    assert not list(body.iter("{*}script"))
    assert len(list(body.iter("{*}li"))) == 2 and len(list(body.iter("{*}blockquote"))) == 1
    marks = [(m.text, m.get("class")) for m in body.iter("{*}mark")]
    assert marks == [("Koeleba", "hl green"), ("collega gisteren op.", "hl blue"), ("Het gesprek", "hl blue"),
                     ("Minister", "hl pink")]  # the reader's highlights, on the side they were made
    assert [m.getparent().get("class") for m in body.iter("{*}mark")] == ["nl", "nl", "nl", "en"]
    notes = ["".join(e.itertext()) for e in body.iter("{*}p") if e.get("class") == "note"]
    assert sorted(notes) == sorted(["“Koeleba” naam: Kuleba", "“collega gisteren op.” wie en wat",
                                    "“Minister” <b>vet</b> & ]]>", "“Het gesprek” wie en wat"])
    toc = [(a.text, a.get("href")) for a in nav.iter("{*}a")]
    assert toc == [(TITLE, "chapter-1.xhtml#d1"), ("Geen afspraken", "chapter-1.xhtml#d1-h2")]


def test_several_documents_are_chapters_of_one_valid_book(db, engine, tmp_path):
    rich = make_rich(db, engine)
    other, _ = add_document(db, make_article())  # not translated: its chapter is Dutch only
    views = [document_view(db, rich.doc_id, rich.model_key), document_view(db, other, rich.model_key)]
    out = write_export(tmp_path / "boek.epub", to_epub(views))
    epubcheck(out)
    with zipfile.ZipFile(out) as z:
        nav = xml(z, "EPUB/nav.xhtml")
        second = xml(z, "EPUB/chapter-2.xhtml")
    assert [a.get("href") for a in nav.iter("{*}a")] == [
        "chapter-1.xhtml#d1", "chapter-1.xhtml#d1-h2", "chapter-2.xhtml#d2", "chapter-2.xhtml#d2-h0"]
    assert "Voor het eerst sinds de invasie" in "".join(second.itertext())
    assert not [e for e in second.iter() if e.get("class") == "en"]
