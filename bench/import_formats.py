"""How long importing a book, a web page and a Markdown file takes (reading, then storing).

A 300-page book (300 chapters of ~300 words, a page each) must import in seconds: the window
reads it in a worker, but the reader waits for it. Prints seconds per step and words per second.

    .venv/bin/python bench/import_formats.py [--chapters 300] [--words 300]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import zipfile
from pathlib import Path

from _common import prepare_environment

SENTENCE = ("De minister sprak in Den Haag met verslaggevers over de plannen voor het komende jaar, "
            "die volgens haar de steun van een ruime meerderheid hebben. ")
CONTAINER = ('<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:'
             'container"><rootfiles><rootfile full-path="OEBPS/content.opf" '
             'media-type="application/oebps-package+xml"/></rootfiles></container>')


def build_epub(path: Path, chapters: int, words: int) -> int:
    per_paragraph = 5  # sentences
    n_sentences = max(1, words // len(SENTENCE.split()))
    n_paragraphs = max(1, n_sentences // per_paragraph)
    paragraphs = "".join(f"<p>{SENTENCE * per_paragraph}</p>" for _ in range(n_paragraphs))
    items = "".join(f'<item id="c{i}" href="c{i}.xhtml" media-type="application/xhtml+xml"/>'
                    for i in range(chapters))
    refs = "".join(f'<itemref idref="c{i}"/>' for i in range(chapters))
    opf = ('<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0">'
           '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Dik boek</dc:title>'
           f"<dc:date>2020-01-01</dc:date></metadata><manifest>{items}</manifest><spine>{refs}</spine></package>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        z.writestr("META-INF/container.xml", CONTAINER)
        z.writestr("OEBPS/content.opf", opf)
        for i in range(chapters):
            z.writestr(f"OEBPS/c{i}.xhtml", '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml">'
                       f"<body><h1>Hoofdstuk {i + 1}</h1>{paragraphs}</body></html>")
    return chapters * len(SENTENCE.split()) * per_paragraph * n_paragraphs


def timed(label: str, fn, words: int):  # noqa: ANN001, ANN201
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    print(f"{label:<38} {seconds:7.2f} s   {words / seconds:10,.0f} words/s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapters", type=int, default=300)
    parser.add_argument("--words", type=int, default=300, help="words per chapter (a page)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-import-"))
    prepare_environment(tmp)
    from reader.importer import read_article
    from reader.store import add_document, open_db

    path = tmp / "boek.epub"
    words = build_epub(path, args.chapters, args.words)
    print(f"EPUB: {args.chapters} chapters, {words:,} words, {path.stat().st_size / 1e6:.1f} MB zipped")
    timed("import lxml (first use)", lambda: __import__("lxml.html"), words)
    article = timed("read_article (EPUB)", lambda: read_article(path), words)
    print(f"  {len(article.paragraphs):,} paragraphs")
    db = open_db(tmp / "library.sqlite")
    timed("add_document (store, segment)", lambda: add_document(db, article), words)

    page = tmp / "pagina.html"
    body = "".join(f"<p>{SENTENCE * 5}</p>" for _ in range(40))
    page.write_text("<!DOCTYPE html><html><head><title>T</title></head><body><nav><a href='/'>Home</a>"
                    f"</nav><article><h1>Kop</h1>{body}</article><footer>Copyright 2024</footer>"
                    "</body></html>", encoding="utf-8")
    html_words = 40 * 5 * len(SENTENCE.split())
    timed("import trafilatura (first use)", lambda: __import__("trafilatura"), html_words)
    timed("read_article (HTML, 40 paragraphs)", lambda: read_article(page), html_words)
    md = tmp / "artikel.md"
    md.write_text("# Kop\n\n" + "\n\n".join(SENTENCE * 5 for _ in range(40)), encoding="utf-8")
    timed("read_article (Markdown, 40 paragraphs)", lambda: read_article(md), html_words)


if __name__ == "__main__":
    main()
