"""EPUB 3: the article for an e-reader, each Dutch paragraph followed by its English in a lighter style.

Written with ``zipfile`` and ElementTree (ebooklib is AGPL; this project is MIT). One XHTML chapter
per document; the table of contents (``nav.xhtml``) lists each document and its headings; the
package metadata carries the title, the date and both languages (Dutch first: the book's text is
Dutch). ``mimetype`` is the first member, stored uncompressed, as readers require. All text goes
through ElementTree, so ``<script>`` in an article is text on the page, never markup.
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, BinaryIO

from reader import __version__
from reader.document import DocumentView, ParagraphView
from reader.export_tmx import xml_text

if TYPE_CHECKING:
    from sqlite_utils import Database

    from reader.formats import ExportOptions

XHTML = "http://www.w3.org/1999/xhtml"
OPS = "http://www.idpf.org/2007/ops"
OPF = "http://www.idpf.org/2007/opf"
DC = "http://purl.org/dc/elements/1.1/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CSS = """\
body { font-family: serif; line-height: 1.45; }
p.nl, li p.nl { margin: 0.9em 0 0.2em; }
.en { color: #6b6b6b; font-size: 0.92em; font-style: italic; margin: 0 0 0.9em; }
h1.en, h2.en { font-weight: normal; }
blockquote { margin-left: 1.5em; border-left: 2px solid #bbbbbb; padding-left: 0.8em; }
p.date { color: #6b6b6b; }
p.note { font-size: 0.85em; border-left: 3px solid #d0a000; padding-left: 0.5em; }
mark.hl { color: inherit; }
mark.yellow { background: #fff1a8; }
mark.green { background: #c8f0c0; }
mark.blue { background: #c6dcff; }
mark.pink { background: #ffd0e0; }
mark.purple { background: #e2d0ff; }
"""
_CONTAINER = """<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="EPUB/package.opf" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>
"""
_W3CDTF = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")



def _el(parent: ET.Element | None, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    attrs = {k.rstrip("_").replace("__", ":"): v for k, v in attrs.items()}
    el = ET.Element(tag, attrs) if parent is None else ET.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = xml_text(text)
    return el


def _h(tag: str) -> str:
    """Tags and attributes are written with their prefixes and the root declares them: ElementTree
    cannot write a default namespace with unprefixed attributes."""
    return tag


def _page(title: str, lang: str = "nl") -> tuple[ET.Element, ET.Element]:
    html = ET.Element("html", {"xmlns": XHTML, "xmlns:epub": OPS, XML_LANG: lang, "lang": lang})
    head = _el(html, _h("head"))
    _el(head, _h("meta"), charset="utf-8")
    _el(head, _h("title"), title)
    _el(head, _h("link"), rel="stylesheet", type="text/css", href="style.css")
    return html, _el(html, _h("body"))


def _xhtml(root: ET.Element) -> bytes:
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n' + body + "\n").encode("utf-8")


Highlights = dict[int, list[tuple[str, int, int, str, str]]]  # sentence id: (side, start, end, colour, note)


def _fill(el: ET.Element, text: str, ranges: list[tuple[int, int, str]]) -> None:
    """``text`` into ``el`` with the ranges marked (``<mark class="hl colour">``); overlaps skipped."""
    pos, last = 0, None
    for start, end, colour in sorted(ranges):
        if start < pos or start >= end or end > len(text):
            continue
        if last is None:
            el.text = xml_text(text[pos:start])
        else:
            last.tail = xml_text(text[pos:start])
        last = _el(el, "mark", text[start:end], class_=f"hl {colour}")
        pos = end
    if last is None:
        el.text = xml_text(text[pos:])
    else:
        last.tail = xml_text(text[pos:])


def _pair(parent: ET.Element, tag: str, p: ParagraphView, highlights: Highlights, **attrs: str) -> ET.Element:
    """The Dutch paragraph, its English below in a lighter style, then the notes made on it."""
    nl_ranges, en_ranges, notes = [], [], []
    english: list[str] = []
    at = 0
    for s in p.sentences:
        for side, start, end, colour, note in highlights.get(s.id, ()):
            if side == "nl":
                nl_ranges.append((s.start + start, s.start + end, colour))
                quoted = s.text[start:end]
            else:
                en_ranges.append((at + start, at + end, colour))
                quoted = s.final[start:end]
            if note:
                notes.append((quoted, note))
        if s.final:
            english.append(s.final)
            at += len(s.final) + 1
    dutch = _el(parent, tag, **attrs)
    _fill(dutch, p.text, nl_ranges)
    if english:
        en = _el(parent, "p", class_="en", **{"lang": "en", XML_LANG: "en"})
        _fill(en, " ".join(english), en_ranges)
    for quoted, note in notes:
        aside = _el(parent, "p", class_="note")
        _el(aside, "b", f"“{quoted}”")
        _el(aside, "span", f" {note}")
    return dutch


def _highlights(view: DocumentView, db: Database | None) -> Highlights:
    """The reader's annotations by sentence; detached ones (their words are gone) keep only the note."""
    if db is None:
        return {}
    from reader.annotations import document_annotations

    found: Highlights = {}
    for a in document_annotations(db, view.id):
        start, end = (0, 0) if a.detached else (a.start, a.end)
        found.setdefault(a.sentence_id, []).append((a.side, start, end, a.colour, a.note))
    return found


def _chapter(view: DocumentView, number: int, highlights: Highlights) -> tuple[bytes, list[tuple[str, str]]]:
    """The document's XHTML and its headings (anchor, text) for the table of contents."""
    from reader.export import _title_paragraph

    html, body = _page(view.title)
    title_p = _title_paragraph(view)
    if title_p is not None:
        _pair(body, "h1", title_p, highlights, id=f"d{number}")
    else:
        _el(body, "h1", view.title, id=f"d{number}")
    if view.date:
        _el(body, _h("p"), view.date, class_="date")
    headings: list[tuple[str, str]] = []
    current_list: ET.Element | None = None
    for p in view.paragraphs:
        if p is title_p:
            continue
        if p.kind != "list_item":
            current_list = None
        if p.kind == "heading":
            anchor = f"d{number}-h{p.idx}"
            _pair(body, "h2", p, highlights, id=anchor)
            headings.append((anchor, p.text))
        elif p.kind == "list_item":
            if current_list is None:
                current_list = _el(body, _h("ul"))
            _pair(_el(current_list, _h("li")), "p", p, highlights, class_="nl")
        elif p.kind == "quote":
            _pair(_el(body, _h("blockquote")), "p", p, highlights, class_="nl")
        else:
            _pair(body, "p", p, highlights, class_="nl")
    return _xhtml(html), headings


def _nav(views: Sequence[DocumentView], headings: list[list[tuple[str, str]]]) -> bytes:
    html, body = _page("Inhoud", "nl")
    nav = _el(body, _h("nav"), **{"epub:type": "toc"}, id="toc")
    _el(nav, _h("h1"), "Inhoud")
    ol = _el(nav, _h("ol"))
    for number, (view, heads) in enumerate(zip(views, headings, strict=True), start=1):
        li = _el(ol, _h("li"))
        _el(li, _h("a"), view.title, href=f"chapter-{number}.xhtml#d{number}")
        if heads:
            sub = _el(li, _h("ol"))
            for anchor, text in heads:
                _el(_el(sub, _h("li")), _h("a"), text, href=f"chapter-{number}.xhtml#{anchor}")
    return _xhtml(html)


def _w3c_date(date: str | None) -> str | None:
    """The article's date as W3CDTF (``2024-05-14 10:32`` keeps its day)."""
    m = _W3CDTF.match(date or "")
    return m.group(0) if m else None


def _package(views: Sequence[DocumentView], title: str) -> bytes:
    pkg = ET.Element("package", {"xmlns": OPF, "xmlns:dc": DC, "version": "3.0",
                                 "unique-identifier": "book-id", XML_LANG: "nl"})
    meta = _el(pkg, "metadata")
    book = uuid.uuid5(uuid.NAMESPACE_URL, "bilingual-reader:" + ",".join(v.content_hash for v in views))
    _el(meta, "dc:identifier", f"urn:uuid:{book}", id="book-id")
    _el(meta, "dc:title", title)
    _el(meta, "dc:language", "nl")
    _el(meta, "dc:language", "en")
    date = _w3c_date(views[0].date) if len(views) == 1 else None
    if date:
        _el(meta, "dc:date", date)
    _el(meta, "dc:creator", f"bilingual-reader {__version__} (Dutch article, machine translation)")
    _el(meta, "meta", datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        property="dcterms:modified")
    manifest = _el(pkg, "manifest")
    _el(manifest, "item", id="nav", href="nav.xhtml", properties="nav",
        **{"media-type": "application/xhtml+xml"})
    _el(manifest, "item", id="css", href="style.css", **{"media-type": "text/css"})
    spine = _el(pkg, "spine")
    for number in range(1, len(views) + 1):
        _el(manifest, "item", id=f"c{number}", href=f"chapter-{number}.xhtml",
            **{"media-type": "application/xhtml+xml"})
        _el(spine, "itemref", idref=f"c{number}")
    ET.indent(pkg)
    text = ET.tostring(pkg, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n").encode("utf-8")


def to_epub(views: DocumentView | Sequence[DocumentView], options: ExportOptions | None = None,
            ) -> Callable[[BinaryIO], None]:
    """A stream writer of the EPUB of one document, or of several as chapters of one book; with the
    library (``options.db``) the reader's annotations are highlighted and their notes follow."""
    views = [views] if isinstance(views, DocumentView) else list(views)
    db = options.db if options is not None else None
    if not views:
        raise ValueError("an EPUB needs at least one document")
    title = views[0].title if len(views) == 1 else f"{views[0].title} (+{len(views) - 1})"
    chapters = [_chapter(view, number, _highlights(view, db)) for number, view in enumerate(views, start=1)]

    def write(f: BinaryIO) -> None:
        with zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr(zipfile.ZipInfo("mimetype"), b"application/epub+zip", compress_type=zipfile.ZIP_STORED)
            z.writestr("META-INF/container.xml", _CONTAINER)
            z.writestr("EPUB/package.opf", _package(views, title))
            z.writestr("EPUB/nav.xhtml", _nav(views, [heads for _, heads in chapters]))
            z.writestr("EPUB/style.css", CSS)
            for number, (xhtml, _) in enumerate(chapters, start=1):
                z.writestr(f"EPUB/chapter-{number}.xhtml", xhtml)

    return write
