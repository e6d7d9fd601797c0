"""Web pages: the article's main text, its headings, lists and quotes, title and date.

A page saved from a news site is mostly navigation, teasers, cookie banners and footers;
trafilatura (offline) finds the article in it. The title and date come only from what the page
declares about itself (Open Graph, JSON-LD, ``<time datetime>``), never from text such as a
"Copyright 2024" footer. Pasted HTML (a browser selection) is already the part the reader chose,
so it is read block by block without extraction (``read_html_fragment``); the EPUB reader shares
that walker.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Iterator
from typing import TYPE_CHECKING

from reader.errors import ImportFailed

if TYPE_CHECKING:
    from lxml import etree

    from reader.importer import Paragraph, ParsedArticle

__all__ = [
    "MIN_ARTICLE_WORDS", "block_paragraphs", "page_date", "page_title", "read_clipboard", "read_html",
    "read_html_fragment",
]

MIN_ARTICLE_WORDS = 15  # fewer extracted words than this is a banner or a caption, not an article
_SPACE = re.compile(r"\s+")
_XML_DECLARATION = re.compile(r"\A\ufeff?\s*<\?xml[^>]*\?>")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
# Lines trafilatura sometimes keeps from a page without an article: consent banners, rights notices.
_BOILERPLATE = re.compile(
    r"\bcookies?\b|\bcopyright\b|©|alle rechten voorbehouden|all rights reserved|privacyverklaring",
    re.IGNORECASE,
)
_BOILERPLATE_WORDS = 40
_STRUCTURE_TAG = re.compile(r"<(?:p|h[1-6]|li|blockquote)[\s>]", re.IGNORECASE)
_TITLE_META = ("og:title", "twitter:title", "dc.title")
_DATE_META = (
    "article:published_time", "og:article:published_time", "datepublished", "date", "dc.date",
    "dc.date.issued", "dcterms.created", "pubdate", "publishdate", "publish-date",
    "parsely-pub-date", "sailthru.date",
)
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_SKIP = {"script", "style", "head", "nav", "noscript", "template", "svg", "button", "form", "iframe",
         "object", "audio", "video", "canvas", "select", "textarea"}
_BLOCKS = {"p", "div", "section", "article", "main", "body", "html", "header", "footer", "aside",
           "figure", "figcaption", "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "pre", "table",
           "tr", "td", "th", "thead", "tbody", "tfoot", "hr", "address", "center", "details",
           "summary", "caption", *_HEADINGS}


def _clean(text: str) -> str:
    return unicodedata.normalize("NFC", _SPACE.sub(" ", text).strip())


def read_html(data: bytes | str, name: str) -> ParsedArticle:
    """The import reader for a saved web page (``reader.formats.IMPORT["html"]``)."""
    import trafilatura  # ~0.5 s: only when a page is imported
    from lxml import etree

    tree = _parse_page(data, name)
    title, date = page_title(tree), page_date(tree)  # before extraction, which prunes the tree
    try:
        xml = trafilatura.extract(
            tree, output_format="xml", include_formatting=True, include_tables=True,
            include_comments=False, include_links=False, include_images=False, with_metadata=False,
        )
    except (ValueError, etree.LxmlError):
        xml = None
    paragraphs = _extracted_paragraphs(xml) if xml else []
    paragraphs = [p for p in paragraphs if not _is_boilerplate(p.text)]
    if sum(len(p.text.split()) for p in paragraphs) < MIN_ARTICLE_WORDS:
        raise ImportFailed(
            f"{name} is a web page with no article text (only menus, banners or links were found): "
            "open the article's own page, or copy its text and paste it"
        )
    return _article(paragraphs, title, date, name)


def read_html_fragment(html: str, name: str = "Pasted text") -> ParsedArticle:
    """HTML a reader copied from a browser: every block they selected, with headings, lists, quotes."""
    from lxml import etree
    from lxml import html as lxml_html

    try:
        root = lxml_html.document_fromstring(html)
    except (ValueError, etree.LxmlError):
        root = None
    paragraphs = block_paragraphs(root) if root is not None else []
    if not paragraphs:
        raise ImportFailed(f"{name} holds no text (only markup or images): copy the article's text")
    return _article(paragraphs, None, None, name)


def read_clipboard(html: str, text: str, name: str = "Pasted text") -> ParsedArticle:
    """What a paste or a dropped selection holds: the HTML a browser puts beside the text when it
    has paragraph structure (headings, paragraphs, lists, quotes), else the plain text as before
    (an editor's HTML of mere ``<span>`` lines would lose the text's own blank-line structure)."""
    from reader.importer import parse_text

    if html.strip() and _STRUCTURE_TAG.search(html):
        try:
            return read_html_fragment(html, name)
        except ImportFailed:
            if not text.strip():
                raise
    return parse_text(text, source_name=name)


def _article(paragraphs: list[Paragraph], title: str | None, date: str | None, name: str) -> ParsedArticle:
    from reader.importer import article_from

    return article_from(paragraphs, title, date, name)


def _parse_page(data: bytes | str, name: str) -> etree._Element:
    from lxml import etree
    from lxml import html as lxml_html

    if isinstance(data, bytes):
        data = _decode(data)
    data = _XML_DECLARATION.sub("", data, count=1)  # lxml refuses a str that names its encoding
    try:
        return lxml_html.document_fromstring(data)
    except (ValueError, etree.LxmlError):
        raise ImportFailed(f"{name} cannot be read as a web page (its HTML is unreadable): "
                           "save the page again from the browser") from None


def _decode(data: bytes) -> str:
    """A byte order mark, else the page's declared charset, else UTF-8, else Windows-1252."""
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    declared = re.search(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", data[:4096], re.IGNORECASE)
    codecs = [declared.group(1).decode("ascii")] if declared else []
    for codec in [*codecs, "utf-8"]:
        try:
            return data.decode(codec)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("cp1252", errors="replace")


def _is_boilerplate(text: str) -> bool:
    return len(text.split()) < _BOILERPLATE_WORDS and bool(_BOILERPLATE.search(text))


# ---------------------------------------------------------------- trafilatura's XML to paragraphs


def _extracted_paragraphs(xml: str) -> list[Paragraph]:
    """trafilatura's XML (``head``, ``p``, ``list/item``, ``quote``, ``table``) as paragraph kinds."""
    from lxml import etree

    root = etree.fromstring(xml.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
    main = root.find("main")
    return list(_from_extracted(main if main is not None else root, "body"))


def _from_extracted(element: etree._Element, kind: str) -> Iterator[Paragraph]:
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "head":
            yield from _para("heading", _text(child))
        elif tag == "list":
            yield from _list_items(child)
        elif tag == "quote":
            if any(isinstance(c.tag, str) and c.tag in {"p", "list", "head"} for c in child):
                yield from _para("quote", _own_text(child))
                yield from _from_extracted(child, "quote")
            else:
                yield from _para("quote", _text(child))
        elif tag == "table":
            for row in child.iter("row"):
                cells = [_text(cell) for cell in row.iterfind("cell")]
                yield from _para(kind, " · ".join(c for c in cells if c))
        elif tag in {"p", "code"}:
            yield from _para(kind, _text(child))
        elif tag in {"div", "main", "section"}:
            yield from _from_extracted(child, kind)


def _list_items(list_element: etree._Element) -> Iterator[Paragraph]:
    """Each item's own text, then the items of a list nested in it."""
    for item in list_element.iterfind("item"):
        yield from _para("list_item", _text(item, skip={"list"}))
        for nested in item.iterfind("list"):
            yield from _list_items(nested)


def _para(kind: str, text: str) -> Iterator[Paragraph]:
    from reader.importer import Paragraph

    if text:
        yield Paragraph(kind, text)  # type: ignore[arg-type]


def _text(element: etree._Element, skip: frozenset[str] | set[str] = frozenset()) -> str:
    """The element's text with inline markup (``hi``, ``ref``, ``lb``) dropped, ``skip`` children left out."""
    parts: list[str] = [element.text or ""]
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag not in skip:
            parts.append(" " if tag == "lb" else _text(child, skip))
        parts.append(child.tail or "")
    return _clean("".join(parts))


def _own_text(element: etree._Element) -> str:
    """Text directly inside a quote that also holds paragraphs."""
    parts = [element.text or ""]
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in {"hi", "ref", "lb"}:
            parts.append(" " if tag == "lb" else _text(child))
        parts.append(child.tail or "")
    return _clean("".join(parts))


# ---------------------------------------------------------------- HTML blocks to paragraphs


def block_paragraphs(root: etree._Element) -> list[Paragraph]:
    """Paragraphs of an (X)HTML tree: each block element's own inline text, with its kind.

    ``h1``–``h6`` are headings, ``li`` list items, text inside ``blockquote`` quotes, other blocks
    body; scripts, styles and navigation are skipped. Namespaces (XHTML) are ignored.
    """
    from reader.importer import Paragraph

    out: list[Paragraph] = []
    for kind, text in _blocks(root, "body"):
        text = _clean(text)
        if text:
            out.append(Paragraph(kind, text))  # type: ignore[arg-type]
    return out


def _local(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].lower()


def _blocks(element: etree._Element, kind: str) -> Iterator[tuple[str, str]]:
    """(kind, text) of each run of inline content, in document order."""
    tag = _local(element)
    if tag in _HEADINGS:
        kind = "heading"
    elif tag == "li":
        kind = "list_item"
    elif tag == "blockquote":
        kind = "quote"
    pending: list[str] = [element.text or ""]
    for child in element:
        child_tag = _local(child)
        if not child_tag or child_tag in _SKIP:
            pass  # a comment, processing instruction or skipped element: its tail is still text
        elif child_tag in _BLOCKS:
            yield kind, "".join(pending)
            pending = []
            yield from _blocks(child, "body" if kind == "heading" else kind)
        elif child_tag == "br":
            pending.append(" ")
        else:
            pending.append(_inline_text(child))
        pending.append(child.tail or "")
    yield kind, "".join(pending)


def _inline_text(element: etree._Element) -> str:
    parts = [element.text or ""]
    for child in element:
        tag = _local(child)
        if tag and tag not in _SKIP:
            parts.append(" " if tag == "br" else _inline_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


# ---------------------------------------------------------------- metadata


def _metas(tree: etree._Element) -> dict[str, str]:
    """``<meta property|name|itemprop=… content=…>`` by lower-case key (first one wins)."""
    found: dict[str, str] = {}
    for meta in tree.iter("meta"):
        content = meta.get("content")
        key = meta.get("property") or meta.get("name") or meta.get("itemprop")
        if content and key:
            found.setdefault(key.strip().lower(), content)
    return found


def _json_ld(tree: etree._Element) -> Iterator[dict]:
    """Every object in the page's JSON-LD blocks (``@graph`` and lists flattened)."""
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                yield item
                if isinstance(item.get("@graph"), list):
                    stack.extend(item["@graph"])


def _is_article(obj: dict) -> bool:
    types = obj.get("@type")
    types = types if isinstance(types, list) else [types]
    return any(isinstance(t, str) and ("Article" in t or t in {"BlogPosting", "Report"}) for t in types)


def page_title(tree: etree._Element) -> str | None:
    """The title the page gives its article: Open Graph, JSON-LD headline, the first ``h1``, ``<title>``."""
    metas = _metas(tree)
    for key in _TITLE_META:
        if _clean(metas.get(key, "")):
            return _clean(metas[key])
    for obj in _json_ld(tree):
        if _is_article(obj) and isinstance(obj.get("headline"), str) and _clean(obj["headline"]):
            return _clean(obj["headline"])
    for element in tree.iter("h1"):
        text = _clean(element.text_content())
        if text:
            return text
    title = tree.find(".//title")
    if title is not None and _clean(title.text_content()):
        return _clean(title.text_content())
    return None


def page_date(tree: etree._Element) -> str | None:
    """The publication date the page declares (``YYYY-MM-DD``): JSON-LD ``datePublished``, a
    ``<meta>`` such as ``article:published_time``, then ``<time datetime>``, the article's first.
    Dates in text (a "Copyright 2024" footer, "10 maart") are never read: they are not the page's."""
    candidates: list[str] = []
    ld = list(_json_ld(tree))
    published = [o for o in ld if isinstance(o.get("datePublished"), str)]
    candidates += [o["datePublished"] for o in published if _is_article(o)]
    candidates += [o["datePublished"] for o in published]
    metas = _metas(tree)
    candidates += [metas[key] for key in _DATE_META if key in metas]
    times = [t for t in tree.iter("time") if t.get("datetime")]
    in_article = [t for t in times if any(_local(a) in {"article", "main"} for a in t.iterancestors())]
    candidates += [t.get("datetime") for t in (in_article or times)]
    for value in candidates:
        date = _iso_date(value)
        if date:
            return date
    return None


def _iso_date(value: str) -> str | None:
    m = _ISO_DATE.match(value.strip())
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        return None
