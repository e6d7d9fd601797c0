"""The export and import formats, each declared once.

The command line's ``--format`` choices, the window's file dialogs and drops, the README's table and
the choice of writer or reader all read these declarations, so a new format is one entry here plus
its writer or reader. Writers and readers are named as ``"module:function"`` and imported on first
use: ``reader.export`` pulls in sqlite-utils (~250 ms), which ``bireader --help`` should not pay.
"""

from __future__ import annotations

import enum
import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Literal

if TYPE_CHECKING:
    from sqlite_utils import Database

    from reader.document import DocumentView
    from reader.importer import ParsedArticle

__all__ = [
    "DEFAULT_EXPORT", "EXPORT", "IMPORT", "LAYOUTS", "Carries", "ExportFormat", "ExportOptions",
    "ImportFormat", "Rendered",
    "StreamWriter", "export_choice", "export_dialog_filter", "export_for_filter", "export_names",
    "export_for_suffix", "files_to_import", "import_dialog_filter", "import_format_for",
    "import_suffixes",
]

StreamWriter = Callable[[BinaryIO], None]
"""Writes a package (a zip: EPUB, Anki) into a seekable binary file without holding it in memory."""

Rendered = str | bytes | StreamWriter
"""A writer's result: text (written as UTF-8), bytes, or a stream writer; ``write_export`` takes all three."""


class Carries(enum.Flag):
    """What a format can hold besides the sentence pairs."""

    USER_VERSIONS = enum.auto()  # the reader's own translation replaces the machine's
    ORIGIN = enum.auto()  # says which sentences carry the reader's version
    STRUCTURE = enum.auto()  # headings, lists and quotes
    METADATA = enum.auto()  # title and date
    ALIGNMENT = enum.auto()  # word and phrase links
    ANNOTATIONS = enum.auto()  # highlights and notes
    PHRASES = enum.auto()  # saved phrases with their context
    MANY_DOCUMENTS = enum.auto()  # several documents in one file


CARRIES_WORDS = {
    Carries.USER_VERSIONS: "your versions",
    Carries.ORIGIN: "marks which are yours",
    Carries.STRUCTURE: "headings, lists, quotes",
    Carries.METADATA: "title, date",
    Carries.ALIGNMENT: "word alignment",
    Carries.ANNOTATIONS: "annotations",
    Carries.PHRASES: "saved phrases",
    Carries.MANY_DOCUMENTS: "several documents",
}


LAYOUTS = ("side-by-side", "interleaved")
INCLUDES = ("user", "origin", "notes")  # extra content a format may add when asked (--include)


@dataclass(frozen=True)
class ExportOptions:
    """What the command line (``--layout``, ``--include``) and the window's export choices ask of
    a writer that declares ``options``; a writer ignores what it cannot hold.

    None means the format's own default: ``layout`` interleaved for Markdown, side by side for HTML
    (as in the window); ``include`` nothing extra for TSV, the notes for Markdown and HTML.
    ``db`` is the library the view was read from, for writers that add what the view lacks
    (alignments, annotations); None exports the view alone.
    """

    layout: Literal["side-by-side", "interleaved"] | None = None
    include: frozenset[str] | None = None
    db: Database | None = None

    def includes(self, what: str, default: bool = False) -> bool:
        return default if self.include is None else what in self.include


def _load(ref: str) -> Callable:
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(module), name)


@dataclass(frozen=True)
class ExportFormat:
    """One export format. ``output`` says what the writer returns: ``text`` a ``str``, ``binary``
    ``bytes``, ``stream`` a :data:`StreamWriter` (for packages too large to build in memory)."""

    name: str  # the --format value
    label: str  # the file dialog's filter name
    suffixes: tuple[str, ...]  # lower case with the dot; the first is added to a name without one
    output: Literal["text", "binary", "stream"]
    carries: Carries
    writer: str  # "module:function", a function of a DocumentView returning ``Rendered``
    # The ExportOptions fields it reads ("layout", "include"); a writer declaring any is called as
    # writer(view, options), one declaring none as writer(view).
    options: tuple[str, ...] = ()
    # The INCLUDES words its writer honours (a writer reading "include"): the window offers these.
    includes: tuple[str, ...] = ()

    def write(self, view: DocumentView, options: ExportOptions | None = None) -> Rendered:
        if self.options:
            return _load(self.writer)(view, options or ExportOptions())
        return _load(self.writer)(view)

    @property
    def dialog_filter(self) -> str:
        return f"{self.label} ({' '.join('*' + s for s in self.suffixes)})"

    @property
    def holds(self) -> str:
        """What it carries in words, for the README's table."""
        return ", ".join(words for flag, words in CARRIES_WORDS.items() if flag in self.carries) or "-"


@dataclass(frozen=True)
class ImportFormat:
    """One import format. A format without a ``reader`` is recognised (by suffix or content) but
    not read yet: importing it raises ``refusal`` (``{name}`` is the file) instead of reading it
    as something else."""

    name: str
    label: str
    suffixes: tuple[str, ...]
    reader: str | None  # "module:function" taking (data: bytes, name: str) -> ParsedArticle
    sniff: Callable[[bytes], bool] | None = None  # recognises the content (its first 64 KB)
    refusal: str | None = None

    def read(self, data: bytes, name: str) -> ParsedArticle:
        if self.reader is None:
            from reader.errors import ImportFailed

            raise ImportFailed((self.refusal or "{name} cannot be imported yet").format(name=name))
        return _load(self.reader)(data, name)

    @property
    def dialog_filter(self) -> str:
        return f"{self.label} ({' '.join('*' + s for s in self.suffixes)})"


# ---------------------------------------------------------------- export

_EXPORTS = (
    # Whose version and the notes go in extra columns only when asked (--include): not by default,
    # so `carries` (what the default output holds) leaves them out and `includes` offers them.
    ExportFormat("tsv", "Tab-separated values", (".tsv",), "text",
                 Carries.USER_VERSIONS, "reader.export:to_tsv", ("include",), INCLUDES),
    ExportFormat("md", "Markdown", (".md", ".markdown"), "text",
                 Carries.USER_VERSIONS | Carries.ORIGIN | Carries.STRUCTURE | Carries.METADATA
                 | Carries.ANNOTATIONS, "reader.export:to_markdown", ("layout", "include"), ("notes",)),
    ExportFormat("html", "Web page", (".html", ".htm"), "text",
                 Carries.USER_VERSIONS | Carries.ORIGIN | Carries.STRUCTURE | Carries.METADATA
                 | Carries.ALIGNMENT | Carries.ANNOTATIONS | Carries.MANY_DOCUMENTS,
                 "reader.export_html:to_html", ("layout", "include"), ("notes",)),
    ExportFormat("txt", "Plain text", (".txt",), "text",
                 Carries.USER_VERSIONS | Carries.STRUCTURE | Carries.METADATA, "reader.export:to_text"),
    ExportFormat("json", "JSON", (".json",), "text",
                 Carries.USER_VERSIONS | Carries.ORIGIN | Carries.STRUCTURE | Carries.METADATA
                 | Carries.ALIGNMENT | Carries.ANNOTATIONS | Carries.PHRASES, "reader.export_json:to_json",
                 ("db",)),
    ExportFormat("tmx", "TMX translation memory", (".tmx",), "text",
                 Carries.USER_VERSIONS | Carries.ORIGIN | Carries.MANY_DOCUMENTS,
                 "reader.export_tmx:to_tmx"),
    ExportFormat("epub", "EPUB e-book", (".epub",), "stream",
                 Carries.USER_VERSIONS | Carries.STRUCTURE | Carries.METADATA | Carries.ANNOTATIONS
                 | Carries.MANY_DOCUMENTS, "reader.export_epub:to_epub", ("db",)),
    ExportFormat("anki", "Anki flashcards of saved phrases", (".apkg",), "stream",
                 Carries.PHRASES | Carries.MANY_DOCUMENTS, "reader.export_anki:to_anki", ("db",)),
)
EXPORT: dict[str, ExportFormat] = {f.name: f for f in _EXPORTS}
DEFAULT_EXPORT = "tsv"


def export_names() -> tuple[str, ...]:
    return tuple(EXPORT)


def export_for_suffix(path: str | Path) -> ExportFormat | None:
    """The format a file name's suffix (any case) names, or None."""
    suffix = Path(path).suffix.lower()
    return next((f for f in EXPORT.values() if suffix in f.suffixes), None)


def export_dialog_filter() -> str:
    """The save dialog's filters, one per format, in declaration order."""
    return ";;".join(f.dialog_filter for f in EXPORT.values())


def export_for_filter(chosen_filter: str) -> ExportFormat | None:
    """The format of a filter the save dialog returned (matched by label, so older filter strings
    such as ``Markdown (*.md)`` still name their format)."""
    label = chosen_filter.split(" (", 1)[0].strip()
    return next((f for f in EXPORT.values() if f.label == label), None)


def export_choice(path: str, chosen_filter: str) -> tuple[str, str]:
    """The save dialog's answer as ``(path, format)``: a known suffix decides the format (the rule
    of ``bireader translate -o``), else the chosen filter; a name whose suffix is no format's gets
    the format's first suffix (``notes.markdown`` stays as typed)."""
    by_suffix = export_for_suffix(path)
    fmt = by_suffix or export_for_filter(chosen_filter) or EXPORT[DEFAULT_EXPORT]
    return (path if by_suffix else path + fmt.suffixes[0]), fmt.name


# ---------------------------------------------------------------- import

# A page that says it is one: a doctype or <html> first (after an XML prolog or comments). The
# plain-text reader checks decoded text with the same pattern.
HTML_PAGE_START = r"\A\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])"
_HTML_HEAD = re.compile(HTML_PAGE_START.encode(), re.IGNORECASE | re.DOTALL)


def _looks_like_html(head: bytes) -> bool:
    return bool(_HTML_HEAD.match(head.removeprefix(b"\xef\xbb\xbf")))


def _looks_like_epub(head: bytes) -> bool:
    """An EPUB's zip starts with the stored member ``mimetype`` holding application/epub+zip."""
    return (head.startswith(b"PK\x03\x04") and head[30:38] == b"mimetype"
            and b"application/epub+zip" in head[38:100])


def _looks_like_our_json(head: bytes) -> bool:
    """A JSON export of this app names its format near the top (``"format": "bilingual-reader/1"``)."""
    return head.lstrip().startswith(b"{") and b'"format": "bilingual-reader/' in head[:200]


HTML_REFUSAL = (
    "{name} looks like an HTML page, not a plain-text article: save the article's text (e.g. copy it "
    "into a .txt file or paste it with File → New from Clipboard)"
)

_IMPORTS = (
    # Plain text first: a file no other format claims is read as text, as it always was.
    ImportFormat("text", "Text files", (".txt", ".text"), "reader.importer:read_text"),
    ImportFormat("markdown", "Markdown", (".md", ".markdown"), "reader.import_markdown:read_markdown"),
    ImportFormat("html", "Web pages", (".html", ".htm", ".xhtml"), "reader.import_html:read_html",
                 _looks_like_html),
    ImportFormat("epub", "EPUB books", (".epub",), "reader.import_epub:read_epub", _looks_like_epub),
    # Another program's .json is read as text, as before (reader.import_json hands it on).
    ImportFormat("json", "bilingual-reader JSON", (".json",), "reader.import_json:read_json",
                 _looks_like_our_json),
)
IMPORT: dict[str, ImportFormat] = {f.name: f for f in _IMPORTS}
TEXT_IMPORT = "text"
SNIFF_BYTES = 65536


def import_format_for(path: str | Path, head: bytes) -> ImportFormat:
    """How to read a file: a readable format its suffix names, else the format its content shows
    (a recognised one not read yet refuses with its own message), else plain text."""
    suffix = Path(path).suffix.lower()
    for f in IMPORT.values():
        if f.reader is not None and suffix in f.suffixes:
            return f
    for f in IMPORT.values():
        if f.sniff is not None and f.sniff(head[:SNIFF_BYTES]):
            return f
    return IMPORT[TEXT_IMPORT]


def import_suffixes() -> tuple[str, ...]:
    """Suffixes of the formats that can be read now (the open dialog and drops offer these)."""
    return tuple(s for f in IMPORT.values() if f.reader is not None for s in f.suffixes)


def import_dialog_filter() -> str:
    """The open dialog's filters: each readable format, then all files (any file is tried as text)."""
    readable = [f.dialog_filter for f in IMPORT.values() if f.reader is not None]
    return ";;".join([*readable, "All files (*)"])


def files_to_import(paths: list[str]) -> list[str]:
    """Of several dropped files, those in a readable format (a folder's pictures and notes are left
    alone); when none is, all of them, so each gets its own reason for being refused."""
    readable = import_suffixes()
    chosen = [p for p in paths if Path(p).suffix.lower() in readable]
    return chosen or list(paths)
