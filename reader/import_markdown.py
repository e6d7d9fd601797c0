"""Markdown articles: headings, list items and quotes become their paragraph kinds.

Parsed with markdown-it-py (CommonMark), so ``**vet**``, ``[tekst](url)`` and `` `code` `` become
the plain words a reader sees instead of reaching the translator as symbols. A front-matter block
(``---`` … ``---``) gives the title and date; otherwise the date lines the text reader knows
(``date 2022-03``, ``Gepubliceerd op 14 mei 2024``) are read the same way.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reader.importer import Paragraph, ParsedArticle

__all__ = ["parse_markdown", "read_markdown"]

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<body>.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_FIELD = re.compile(r"^(?P<key>title|date)[ \t]*:[ \t]*(?P<value>.+?)[ \t]*$", re.IGNORECASE | re.MULTILINE)
_SPACE = re.compile(r"\s+")
_BREAK_TAG = re.compile(r"</?(?:br|p|div|li|hr)\b", re.IGNORECASE)
_DATE = re.compile(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?")


def read_markdown(data: bytes, name: str) -> ParsedArticle:
    """The import reader for ``.md``/``.markdown`` (``reader.formats.IMPORT["markdown"]``)."""
    from dataclasses import replace

    from reader.importer import decode

    text, warnings = decode(data, name)
    article = parse_markdown(text, name)
    return replace(article, warnings=warnings + article.warnings)


def parse_markdown(text: str, name: str) -> ParsedArticle:
    from reader.errors import ImportFailed
    from reader.importer import _take_date, article_from, normalise

    if "\x00" in text:
        raise ImportFailed(f"{name} contains NUL characters, so it is binary: save it as a text file")
    text = normalise(text)
    title, date = None, None
    front = _FRONT_MATTER.match(text)
    if front:
        found = _FIELD.finditer(front["body"])
        fields = {m.group("key").lower(): m.group("value").strip("\"' ") for m in found}
        title = fields.get("title") or None
        date = _date(fields.get("date", ""))
        text = text[front.end():]
    if date is None:
        date, text = _take_date(text, name)
    paragraphs = _paragraphs(text)
    if not paragraphs:
        raise ImportFailed(f"{name} is empty (no text besides markup and white space): nothing to import")
    return article_from(paragraphs, title, date, name)


def _date(value: str) -> str | None:
    m = _DATE.fullmatch(value.strip()[:10])
    if not m:
        return None
    return "-".join(f"{int(part):02d}" for part in m.groups() if part)


def _paragraphs(text: str) -> list[Paragraph]:
    """One paragraph per heading, paragraph and code block; its kind from the blocks around it."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    out: list[Paragraph] = []
    lists = quotes = 0
    heading = False
    row: list[str] = []
    in_cell = False
    for token in tokens:
        t = token.type
        if t in ("bullet_list_open", "ordered_list_open"):
            lists += 1
        elif t in ("bullet_list_close", "ordered_list_close"):
            lists -= 1
        elif t == "blockquote_open":
            quotes += 1
        elif t == "blockquote_close":
            quotes -= 1
        elif t == "heading_open":
            heading = True
        elif t == "heading_close":
            heading = False
        elif t in ("th_open", "td_open"):
            in_cell = True
        elif t in ("th_close", "td_close"):
            in_cell = False
        elif t == "tr_open":
            row = []
        elif t == "tr_close":
            _add(out, "body", " · ".join(cell for cell in row if cell))  # a table row as one line
        elif t == "inline" and token.children is not None:
            inline = _inline_text(token.children)
            if in_cell:
                row.append(_SPACE.sub(" ", inline).strip())
            else:
                kind = "heading" if heading else "quote" if quotes else "list_item" if lists else "body"
                _add(out, kind, inline)
        elif t in ("fence", "code_block"):
            _add(out, "quote" if quotes else "body", token.content)
    return out


def _inline_text(children: list) -> str:
    """The words of inline markup: emphasis, links and code as plain text, images and raw HTML dropped."""
    parts: list[str] = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "html_inline" and _BREAK_TAG.match(child.content):
            parts.append(" ")  # <br>, <p>: the words on either side are apart
    return "".join(parts)


def _add(out: list[Paragraph], kind: str, text: str) -> None:
    from reader.importer import Paragraph

    text = unicodedata.normalize("NFC", _SPACE.sub(" ", text).strip())
    if text:
        out.append(Paragraph(kind, text))  # type: ignore[arg-type]
