"""EPUB books: the chapters in reading order, each opening with its own headings.

Read with ``zipfile`` and lxml (no EPUB library: ebooklib is AGPL). ``META-INF/container.xml``
names the package document (OPF), whose spine gives the reading order; the navigation document
(the table of contents) is skipped, since its entries are the chapters' own headings again. A book
protected by DRM cannot be read and is refused as such rather than as garbage; obfuscated fonts
(listed in encryption.xml too) are not DRM and do not matter here.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from typing import TYPE_CHECKING
from urllib.parse import unquote

from reader.errors import ImportFailed

if TYPE_CHECKING:
    from lxml import etree

    from reader.importer import Paragraph, ParsedArticle

__all__ = ["MAX_TEXT_BYTES", "read_epub"]

MAX_TEXT_BYTES = 200 * 1024 * 1024  # the chapters' unpacked size: a zip bomb stops here
_MAX_META_BYTES = 4 * 1024 * 1024
_CONTAINER = "META-INF/container.xml"
_FONT_OBFUSCATION = {"http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC"}
_XHTML_TYPES = {"application/xhtml+xml", "text/html", "application/x-dtbook+xml"}
_DATE = re.compile(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")
_AGAIN = "download or copy the book again"
_DAMAGED = f"is damaged or incomplete (was the download cut short?): {_AGAIN}"


def read_epub(data: bytes, name: str) -> ParsedArticle:
    """The import reader for ``.epub`` (``reader.formats.IMPORT["epub"]``)."""
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportFailed(f"{name} {_DAMAGED}") from None
    with book:
        try:
            return _read_book(book, name)
        except ImportFailed:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, KeyError):
            raise ImportFailed(f"{name} {_DAMAGED}") from None


def _read_book(book: zipfile.ZipFile, name: str) -> ParsedArticle:
    from reader.import_html import block_paragraphs
    from reader.importer import Paragraph, article_from

    members = {info.filename: info for info in book.infolist()}
    _refuse_drm(book, members, name)
    opf_path = _package_path(book, members, name)
    opf = _xml(_member(book, members, opf_path, name, _MAX_META_BYTES), f"{name}'s package document")
    chapters = _spine(opf, opf_path)
    if not chapters:
        raise ImportFailed(f"{name} has no chapters in its reading order (spine): it is not a readable book")
    total = sum(members[c].file_size for c in chapters if c in members)
    if total > MAX_TEXT_BYTES:
        raise ImportFailed(
            f"{name} unpacks to {total // (1024 * 1024)} MB of chapters, more than the "
            f"{MAX_TEXT_BYTES // (1024 * 1024)} MB an article may have: split the book"
        )
    labels = _toc_labels(book, members, opf, opf_path, name)
    paragraphs: list[Paragraph] = []
    for chapter in chapters:
        if chapter not in members:
            continue  # a spine entry whose file is missing: the other chapters are still the book
        root = _xml(_member(book, members, chapter, name, MAX_TEXT_BYTES), None, html=True)
        if root is None:
            continue
        body = next(iter(_children(root, "body")), root)
        section = block_paragraphs(body)
        if section and section[0].kind != "heading" and labels.get(chapter):
            section.insert(0, Paragraph("heading", labels[chapter]))  # the section's name from the TOC
        paragraphs += section
    if not paragraphs:
        raise ImportFailed(f"{name} contains no text (only images or empty chapters): nothing to import")
    title, date = _metadata(opf)
    return article_from(paragraphs, title, date, name)


def _refuse_drm(book: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], name: str) -> None:
    drm = (f"{name} is protected by DRM (copy protection), so its text cannot be read: import a "
           "DRM-free copy of the book")
    if "META-INF/rights.xml" in members:
        raise ImportFailed(drm)
    if "META-INF/encryption.xml" not in members:
        return
    root = _xml(_member(book, members, "META-INF/encryption.xml", name, _MAX_META_BYTES), None)
    if root is None:
        raise ImportFailed(drm)
    for method in (e for e in root.iter() if isinstance(e.tag, str) and e.tag.endswith("EncryptionMethod")):
        if method.get("Algorithm") not in _FONT_OBFUSCATION:
            raise ImportFailed(drm)


def _package_path(book: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], name: str) -> str:
    if _CONTAINER not in members:
        if "mimetype" not in members and not any(m.startswith(("OEBPS/", "OPS/")) for m in members):
            raise ImportFailed(f"{name} is a ZIP archive but not an EPUB book (it has no {_CONTAINER}): "
                               "open it in the program that made it and save the article as plain text")
        raise ImportFailed(f"{name} has no {_CONTAINER}, so it is not a complete EPUB: {_AGAIN}")
    container = _xml(_member(book, members, _CONTAINER, name, _MAX_META_BYTES), f"{name}'s {_CONTAINER}")
    for rootfile in (e for e in container.iter() if isinstance(e.tag, str) and e.tag.endswith("rootfile")):
        path = rootfile.get("full-path")
        if path and (rootfile.get("media-type") or "application/oebps-package+xml").endswith("package+xml"):
            if path not in members:
                raise ImportFailed(f"{name} names a package document {path} that it does not contain: "
                                   f"{_AGAIN}")
            return path
    raise ImportFailed(f"{name}'s {_CONTAINER} names no package document: it is not a readable EPUB")


def _member(book: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], path: str, name: str,
            limit: int) -> bytes:
    """A member's bytes, never more than ``limit`` (the zip's stated size may lie)."""
    with book.open(members[path]) as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise ImportFailed(f"{name}'s {path} is larger than {limit // (1024 * 1024)} MB: it is not a "
                           "readable book")
    return data


def _xml(data: bytes, what: str | None, *, html: bool = False) -> etree._Element | None:
    """Parse XML without fetching or expanding anything; ``what`` unreadable raises, else None.
    Chapters (``html``) that are not well-formed XML are read as HTML, as reading systems do."""
    from lxml import etree
    from lxml import html as lxml_html

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)
    try:
        return etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError):
        pass  # not well-formed XML: a chapter is read as HTML below, anything else refused
    if html:
        try:
            return lxml_html.document_fromstring(data)
        except (etree.LxmlError, ValueError):
            return None
    if what is not None:
        raise ImportFailed(f"{what} is not valid XML: the book is damaged; download or copy it again")
    return None


def _children(element: etree._Element, local: str) -> list[etree._Element]:
    return [e for e in element.iter() if isinstance(e.tag, str) and e.tag.rsplit("}", 1)[-1] == local]


def _spine(opf: etree._Element, opf_path: str) -> list[str]:
    """Zip paths of the spine's XHTML documents in reading order, the navigation document left out."""
    base = posixpath.dirname(opf_path)
    manifest: dict[str, tuple[str, str, str]] = {}
    for item in _children(opf, "item"):
        href, item_id = item.get("href"), item.get("id")
        if href and item_id:
            path = posixpath.normpath(posixpath.join(base, unquote(href.split("#", 1)[0])))
            manifest[item_id] = (path, item.get("media-type") or "", item.get("properties") or "")
    chapters: list[str] = []
    for ref in _children(opf, "itemref"):
        entry = manifest.get(ref.get("idref") or "")
        if entry is None:
            continue
        path, media_type, properties = entry
        if media_type in _XHTML_TYPES and "nav" not in properties.split() and path not in chapters:
            chapters.append(path)
    return chapters


def _toc_labels(book: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], opf: etree._Element,
                opf_path: str, name: str) -> dict[str, str]:
    """Each chapter's title in the table of contents (EPUB 3 nav or EPUB 2 NCX), by zip path: the
    heading of a chapter whose text has none. The table itself is never imported as text."""
    base = posixpath.dirname(opf_path)
    items = _children(opf, "item")
    nav = next((i for i in items if "nav" in (i.get("properties") or "").split()), None)
    ncx = next((i for i in items if i.get("media-type") == "application/x-dtbncx+xml"), None)
    toc = nav if nav is not None else ncx
    if toc is None or not toc.get("href"):
        return {}
    toc_path = posixpath.normpath(posixpath.join(base, unquote(toc.get("href").split("#", 1)[0])))
    if toc_path not in members:
        return {}
    root = _xml(_member(book, members, toc_path, name, _MAX_META_BYTES), None, html=True)
    if root is None:
        return {}
    toc_base = posixpath.dirname(toc_path)
    pairs: list[tuple[str | None, str]] = []
    if toc is nav:
        pairs = [(a.get("href"), " ".join("".join(a.itertext()).split())) for a in _children(root, "a")]
    else:
        for point in _children(root, "navPoint"):
            content = next(iter(_children(point, "content")), None)
            text = next(iter(_children(point, "text")), None)
            if content is not None and text is not None:
                pairs.append((content.get("src"), " ".join((text.text or "").split())))
    labels: dict[str, str] = {}
    for href, label in pairs:
        if href and label:
            path = posixpath.normpath(posixpath.join(toc_base, unquote(href.split("#", 1)[0])))
            labels.setdefault(path, label)
    return labels


def _metadata(opf: etree._Element) -> tuple[str | None, str | None]:
    """dc:title and dc:date (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, as precise as the book says)."""
    titles = [" ".join((e.text or "").split()) for e in _children(opf, "title")]
    title = next((t for t in titles if t), None)
    date = None
    for element in _children(opf, "date"):
        m = _DATE.match((element.text or "").strip())
        if m:
            date = "-".join(part for part in m.groups() if part)
            break
    return title, date
