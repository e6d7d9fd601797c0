"""Export a document with its translation as TSV, Markdown, plain text or JSON.

The user's edited version of a sentence wins over the model's; JSON says which one each sentence
carries and Markdown marks edited sentences. Untranslated sentences get an empty translation.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from sqlite_utils import Database

from reader.errors import ReaderError
from reader.pipeline import DocumentView, ParagraphView, SentenceView, document_view

FORMATS = ("tsv", "md", "txt", "json")
JSON_FORMAT_ID = "bilingual-reader/1"
EDIT_MARK = "✎"
_SUFFIXES = {".tsv": "tsv", ".md": "md", ".markdown": "md", ".txt": "txt", ".json": "json"}


class ExportFailed(ReaderError):
    """The export format is unknown or the file could not be written."""


def export_document(db: Database, doc_id: int, model_key: str | None, fmt: str) -> str:
    """The document in ``fmt`` (tsv, md, txt or json) with the translation by ``model_key``."""
    render = _RENDERERS.get(fmt)
    if render is None:
        raise ExportFailed(
            f"Unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}"
        )
    return render(document_view(db, doc_id, model_key))


def format_for_path(path: str | Path) -> str:
    """The export format a file name asks for, from its suffix."""
    suffix = Path(path).suffix.lower()
    if suffix not in _SUFFIXES:
        raise ExportFailed(
            f"Cannot tell the export format from {Path(path).name!r}: "
            f"name it .tsv, .md, .txt or .json, or choose a format"
        )
    return _SUFFIXES[suffix]


def export_to_file(
    db: Database, doc_id: int, model_key: str | None, path: str | Path, fmt: str | None = None
) -> Path:
    """Write an export atomically (temporary file, then rename): a failure leaves no half file."""
    path = Path(path)
    text = export_document(db, doc_id, model_key, fmt or format_for_path(path))
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError as err:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
        raise ExportFailed(
            f"Could not write {path} ({err.strerror or err}): choose a writable folder"
        ) from err
    return path


# ---------------------------------------------------------------- TSV


def _one_line(text: str) -> str:
    """Tabs and line breaks would break a TSV row: they become single spaces."""
    return re.sub(r"[\t\r\n\v\f\u2028\u2029]+", " ", text).strip()


def to_tsv(view: DocumentView) -> str:
    """``source<TAB>translation`` per sentence, a blank line between paragraphs, no header."""
    blocks = [
        "\n".join(f"{_one_line(s.text)}\t{_one_line(s.final)}" for s in p.sentences)
        for p in view.paragraphs
        if p.sentences
    ]
    return "\n\n".join(blocks) + "\n" if blocks else ""


# ---------------------------------------------------------------- Markdown

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")
_MD_LINE_START = re.compile(r"^(\s*)([#>+\-=]|\d+[.)])")


def _md(text: str) -> str:
    """Escape what Markdown would read as markup, so the text shows as written."""
    text = _MD_SPECIAL.sub(r"\\\1", _one_line(text))
    return _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def _md_translation(p: ParagraphView) -> str:
    parts = [_md(s.final) + (f" {EDIT_MARK}" if s.origin == "user" else "")
             for s in p.sentences if s.final]
    return " ".join(parts)


def to_markdown(view: DocumentView) -> str:
    """Title, then each paragraph in Dutch followed by its English as a blockquote.

    Headings stay headings (``##``) with the English in italics below.
    """
    lines = [f"# {_md(view.title)}", ""]
    if view.date:
        lines += [f"*{_md(view.date)}*", ""]
    edited = False
    for p in view.paragraphs:
        english = _md_translation(p)
        edited = edited or any(s.origin == "user" for s in p.sentences)
        if p.kind == "heading":
            lines += [f"## {_md(p.text)}", ""]
            if english:
                lines += [f"*{english}*", ""]
        else:
            lines += [_md(p.text), ""]
            if english:
                lines += [f"> {english}", ""]
    if edited:
        lines += ["---", "", f"{EDIT_MARK} your own translation", ""]
    return "\n".join(lines)


# ---------------------------------------------------------------- plain text


def to_text(view: DocumentView) -> str:
    """Each paragraph in Dutch, then its English on the next line; a blank line between pairs."""
    header = [view.title, "=" * len(view.title)] + ([view.date] if view.date else [])
    blocks = ["\n".join(header)]
    for p in view.paragraphs:
        english = p.final
        blocks.append(_one_line(p.text) + ("\n" + _one_line(english) if english else ""))
    return "\n\n".join(blocks) + "\n"


# ---------------------------------------------------------------- JSON


def _sentence_json(s: SentenceView) -> dict:
    return {
        "id": s.id,
        "idx": s.idx,
        "start": s.start,
        "end": s.end,
        "source": s.text,
        "translation": s.final,
        "origin": s.origin,  # "user", "model" or None (untranslated)
        "model_translation": s.translation.target if s.translation is not None else None,
        "user_translation": s.user_text,
    }


def to_json(view: DocumentView) -> str:
    """Metadata, paragraphs and sentences with both sides; ``origin`` says whose translation."""
    data = {
        "format": JSON_FORMAT_ID,
        "id": view.id,
        "title": view.title,
        "date": view.date,
        "source_path": view.source_path,
        "imported_at": view.imported_at,
        "content_hash": view.content_hash,
        "model_key": view.model_key,
        "paragraphs": [
            {
                "idx": p.idx,
                "kind": p.kind,
                "source": p.text,
                "translation": p.final,
                "sentences": [_sentence_json(s) for s in p.sentences],
            }
            for p in view.paragraphs
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


_RENDERERS: dict[str, Callable[[DocumentView], str]] = {
    "tsv": to_tsv,
    "md": to_markdown,
    "txt": to_text,
    "json": to_json,
}
