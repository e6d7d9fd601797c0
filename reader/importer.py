"""Turn an article file into a title, an optional date and paragraphs (plain text; other formats
are declared in ``reader.formats`` and read by their own readers).

Articles arrive as whatever a person saved from a browser or an editor: any line endings, with or
without a byte order mark, sometimes in an old Windows code page. Everything is normalised here so
the rest of the app sees one form, and ``content_hash`` identifies the same article however it was
saved. Files that are not text are refused with a message saying what to do.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from reader.errors import ImportFailed
from reader.formats import HTML_PAGE_START, HTML_REFUSAL, import_format_for
from reader.segment import split_sentences

__all__ = [
    "MAX_BYTES", "Paragraph", "ParsedArticle", "content_hash", "decode", "normalise",
    "parse_text", "read_article", "read_text", "shorten",
]

MAX_BYTES = 50 * 1024 * 1024
TITLE_LENGTH = 80
HEADING_LENGTH = 100

_MB = 1024 * 1024
_DATE_MARKER = re.compile(
    r"\A\s*date:?[ \t]+(?P<date>\d{4}-\d{1,2}(?:-\d{1,2})?)(?=\s|\Z)[ \t]*", re.IGNORECASE
)
_BLANK_LINES = re.compile(r"\n[^\S\n]*(?:\n[^\S\n]*)+")
_INLINE_SPACE = re.compile(r"[ \t\f\v]+")
_FINAL_PUNCTUATION = ".!?…:;,"
_CLOSERS = "\"'”’»)]"
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32"),
    (b"\xef\xbb\xbf", "utf-8-sig", "UTF-8"),
    (b"\xff\xfe", "utf-16-le", "UTF-16"),
    (b"\xfe\xff", "utf-16-be", "UTF-16"),
)
_MAGIC = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or a Word/OpenDocument file)"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    (b"{\\rtf", "an RTF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x7fELF", "a program"),
)
_SAVE_AS_TEXT = "save the article as plain text (.txt) and import that"
_HTML_START = re.compile(HTML_PAGE_START, re.IGNORECASE | re.DOTALL)
_HTML_TAG = re.compile(
    r"</?(?:a|abbr|article|aside|b|blockquote|body|br|button|div|em|figcaption|figure|footer|"
    r"form|h[1-6]|head|header|hr|i|iframe|img|input|li|link|main|meta|nav|noscript|ol|p|picture|"
    r"script|section|source|span|strong|style|svg|table|tbody|td|th|thead|time|title|tr|u|ul)"
    r"(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)
_MIN_TAGS = 4
_WORDS_PER_TAG = 20
_WEB_ADDRESS = re.compile(r"<?(?:(?:https?|ftp|file)://|www\.)\S+?>?", re.IGNORECASE)
_MAX_ADDRESS_TEXT = 10_000
_LATIN = r"A-Za-z\u00aa-\u024f\u1e00-\u1eff\u2c60-\u2c7f\ua720-\ua7ff\ufb00-\ufb06"
_LETTER = re.compile(r"[^\W\d_]")
_NON_LATIN_LETTER = re.compile(rf"[^\W\d_{_LATIN}]")
_ODD_CHARACTER = re.compile(
    "[\x01-\x08\x0e-\x1f\x7f-\x9f\ue000-\uf8ff\ufffd-\uffff\U000f0000-\U0010ffff]"
)
_VISIBLE = re.compile(r"\S")
_MAX_FOREIGN_SHARE = 0.3
_MAX_ODD_SHARE = 0.05
_MIN_ODD = 2
_MAX_DATE_LINE = 60
WRAP_WIDTH = 100
_BULLET = re.compile(r"(?:(?P<bullet>[-*•])|\d{1,3}[.)])(?: |\Z)")
_QUOTE_MARK = re.compile(r">+")
_OPENING_QUOTES = "\"'“‘„«‹(["
_CONTINUES = ",;:)]}%&+=/"
_NEVER_LAST = frozenset(
    "de het een en of maar want dat die van in op met voor door aan bij tot uit naar om te als dan "
    "zijn haar hun mijn je the a an and of to".split()
)
_WORD = re.compile(r"[^\W\d_]{2,}")
_LANGUAGE_SAMPLE = 5000
_MIN_WORDS_CHECKED = 8
_MIN_DUTCH_SCORE = 0.5
_MIN_SYMBOLS_CHECKED = 12
_MIN_LETTER_SHARE = 0.5
_LANGUAGES = {"nl": "Dutch", "en": "English", "de": "German", "fr": "French"}
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            "januari jan", "februari feb febr", "maart mrt mar", "april apr", "mei",
            "juni jun", "juli jul", "augustus aug", "september sep sept", "oktober okt oct",
            "november nov", "december dec",
        ),
        start=1,
    )
    for name in names.split()
}
_MONTH_NAME = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WEEKDAY = r"(?:maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|ma|di|wo|do|vr|za|zo)\.?,?"
_DATE_LINE = re.compile(
    r"(?:(?:date|datum|gepubliceerd|geplaatst|published|bijgewerkt|laatst bijgewerkt)"
    r"(?: op| on)?:? ?)?"
    rf"(?:{_WEEKDAY} )?"
    r"(?:(?P<iso>\d{4}-\d{1,2}-\d{1,2})|(?P<num>\d{1,2}([-/.])\d{1,2}\3\d{4})"
    rf"|(?P<day>\d{{1,2}}) (?P<month>(?:{_MONTH_NAME})\.?) (?P<year>\d{{4}}))"
    r"(?:,? (?:om )?(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?: uur)?)?",
    re.IGNORECASE,
)
_SAMPLE_LENGTH = 8
_CHECKED_CHARACTERS = 100_000


# The one list of paragraph kinds: the store checks it, the view and exports style each kind.
PARAGRAPH_KINDS = ("heading", "body", "list_item", "quote")


@dataclass(frozen=True)
class Paragraph:
    kind: Literal["heading", "body", "list_item", "quote"]
    text: str


@dataclass(frozen=True)
class ParsedArticle:
    title: str
    date: str | None
    paragraphs: list[Paragraph]
    content_hash: str
    source_path: str | None = None
    warnings: list[str] = field(default_factory=list)


def read_article(path: str | Path) -> ParsedArticle:
    """Read an article file with the reader its format declares (``reader.formats.IMPORT``: by
    suffix, then by content, else plain text); raises ``ImportFailed`` saying what to do."""
    path = Path(path)
    name = str(path)
    data = _read_bytes(path, name)
    article = import_format_for(path, data).read(data, name)
    return replace(article, source_path=str(path.resolve()))


def read_text(data: bytes, name: str) -> ParsedArticle:
    """The plain-text reader: decode (BOM, UTF-8, else cp1252 with a warning), then parse."""
    text, warnings = decode(data, name)
    article = _parse(text, name, from_file=True)
    return replace(article, warnings=warnings + article.warnings)


def parse_text(text: str, source_name: str | None = None) -> ParsedArticle:
    """Paragraphs of normalised text; a ``date YYYY-MM[-DD]`` marker or a date line is metadata."""
    return _parse(text, source_name, from_file=False)


def _parse(text: str, source_name: str | None, *, from_file: bool) -> ParsedArticle:
    """``parse_text`` with advice worded for a file (``read_article``) or for pasted text."""
    label = source_name or "The text"
    if "\x00" in text:
        raise ImportFailed(f"{label} contains NUL characters, so it is binary: {_SAVE_AS_TEXT}")
    text = normalise(text)
    _refuse_html(text, label, from_file)
    _refuse_unusual_characters(text, label)
    date, text = _take_date(text, label)
    _refuse_web_address(text, label, from_file)
    paragraphs = paragraphs_of(text)
    if not paragraphs:
        raise ImportFailed(f"{label} is empty (no text besides white space): nothing to import")
    return ParsedArticle(
        title=_title(paragraphs),
        date=date,
        paragraphs=paragraphs,
        content_hash=content_hash(paragraphs, date),
        source_path=source_name,
        warnings=_language_warnings(text, label),
    )


def paragraphs_of(text: str) -> list[Paragraph]:
    """The paragraphs of normalised text (no date line): blocks split at blank lines, then lines.

    ``bench/segmentation_eval.py`` feeds its gold text through this, so it scores sentence
    boundaries the way an imported article gets them.
    """
    raw_blocks = _split_off_first_line_heading(_BLANK_LINES.split(text.strip()))
    paragraphs: list[Paragraph] = []
    for number, block in enumerate(raw_blocks):
        paragraphs += _block_paragraphs(block, first=number == 0)
    if all(p.kind == "heading" for p in paragraphs):
        paragraphs = [Paragraph("body", p.text) for p in paragraphs]
    return paragraphs


def normalise(text: str) -> str:
    """One form for the same content: NFC, ``\\n`` line ends, no byte order mark."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2029", "\n\n").replace("\u2028", "\n").replace("\x85", "\n")
    return unicodedata.normalize("NFC", text)


def content_hash(paragraphs: list[Paragraph], date: str | None) -> str:
    """SHA-256 of the date and the paragraphs' kinds and texts: the identity of a document."""
    payload = {"date": date, "paragraphs": [[p.kind, p.text] for p in paragraphs]}
    encoded = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def decode(data: bytes, name: str) -> tuple[str, list[str]]:
    """Text and warnings: a BOM decides the encoding, else UTF-8, else cp1252 (with a warning)."""
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec).removeprefix("\ufeff"), []
            except UnicodeDecodeError as err:
                raise ImportFailed(
                    f"{name} starts with a {label} byte order mark but is not valid {label} "
                    f"(bad bytes at offset {err.start}): save it again as UTF-8"
                ) from None
    _refuse_binary(data, name)
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass  # not UTF-8: fall back to cp1252 below, with a warning naming the file
    try:
        text = data.decode("cp1252")
        note = ""
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        note = " (bytes that are not Windows-1252 either were replaced by �)"
    warning = (
        f"{name} is not valid UTF-8, so it was read as Windows-1252 (cp1252){note}: "
        "check accented letters, or save the file as UTF-8"
    )
    return text, [warning]


def _read_bytes(path: Path, name: str) -> bytes:
    """The file's bytes after checking, from its metadata, that it is a readable text-sized file."""
    info = _stat(path, name)
    if stat.S_ISDIR(info.st_mode):
        raise ImportFailed(f"{name} is a folder, not a file: choose a text file inside it")
    if not stat.S_ISREG(info.st_mode):
        raise ImportFailed(
            f"{name} cannot be read: it is {_special_kind(info.st_mode)}, not a regular file; "
            "choose a saved text file"
        )
    if info.st_size > MAX_BYTES:
        raise ImportFailed(
            f"{name} is {info.st_size / _MB:.1f} MB, larger than the {MAX_BYTES // _MB} MB limit "
            "for an article: split it into smaller files"
        )
    if info.st_size == 0:
        raise ImportFailed(f"{name} is empty (0 bytes): nothing to import")
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as err:
        raise ImportFailed(f"{name} cannot be read ({err.strerror}): check the file") from None
    if len(data) > MAX_BYTES:
        raise ImportFailed(f"{name} grew past {MAX_BYTES // _MB} MB while being read: try again")
    return data


def _stat(path: Path, name: str) -> os.stat_result:
    try:
        return path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            target = os.readlink(path)
            raise ImportFailed(
                f"{name} cannot be read: it is a link to {target}, which does not exist; "
                "import the real file instead"
            ) from None
        raise ImportFailed(f"{name} not found: check the name and folder") from None
    except OSError as err:
        raise ImportFailed(f"{name} cannot be read ({err.strerror}): check the path") from None


def _special_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def _refuse_binary(data: bytes, name: str) -> None:
    """Text files have no NUL bytes and none of the common binary signatures."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise ImportFailed(f"{name} is {kind}, a binary file, not text: {_SAVE_AS_TEXT}")
    head = data[:65536]
    if b"\x00" not in head:
        return
    if _looks_like_utf16(head):
        raise ImportFailed(
            f"{name} looks like UTF-16 text without a byte order mark, which cannot be read "
            "reliably: save it again as UTF-8"
        )
    raise ImportFailed(f"{name} is a binary file (it contains NUL bytes): {_SAVE_AS_TEXT}")


def _looks_like_utf16(head: bytes) -> bool:
    """Mostly-ASCII UTF-16 has a NUL in every other byte (odd ones for LE, even ones for BE)."""
    even, odd = head[0::2], head[1::2]
    return len(head) >= 4 and (
        even.count(0) == 0 and odd.count(0) >= 0.9 * len(odd)
        or odd.count(0) == 0 and even.count(0) >= 0.9 * len(even)
    )


def _refuse_html(text: str, label: str, from_file: bool) -> None:
    """A saved web page or pasted page source would be imported as tag soup."""
    if not _HTML_START.match(text) and not _has_many_tags(text):
        return
    if from_file:
        raise ImportFailed(HTML_REFUSAL.format(name=label))
    advice = "copy the article's text as the browser shows it (not the page source) and paste that"
    raise ImportFailed(f"{label} looks like an HTML page, not a plain-text article: {advice}")


def _has_many_tags(text: str) -> bool:
    """At least a few HTML tags, and more than one per ~20 words: markup, not an article about it."""
    tags = len(_HTML_TAG.findall(text))
    return tags >= _MIN_TAGS and tags * _WORDS_PER_TAG >= len(text.split())


def _refuse_web_address(text: str, label: str, from_file: bool) -> None:
    """A link alone is not an article: the page is imported by address (``reader.import_url``)."""
    if len(text) > _MAX_ADDRESS_TEXT:
        return
    words = text.split()
    if not words or not all(_WEB_ADDRESS.fullmatch(word) for word in words):
        return
    if from_file:
        raise ImportFailed(
            f"{label} holds only a web address, not an article: import the address itself "
            "(`bireader import URL` or File → Open URL), or save the page and import that"
        )
    what = "That is a web address" if len(words) == 1 else "Those are web addresses"
    raise ImportFailed(
        f"{what}, not an article: open it with File → Open URL, or paste the article's text"
    )


def _refuse_unusual_characters(text: str, label: str) -> None:
    """Binary data or a mis-detected encoding decodes to CJK, private-use or control characters.

    A Dutch article has Latin letters (with accents) and at most a few names in another script,
    so the bar is a share of all letters, not the presence of any foreign one. Garbage shows from
    the start, so the head is enough and a 50 MB article stays quick to import.
    """
    text = text[:_CHECKED_CHARACTERS]
    _, letters = _LETTER.subn("", text)
    foreign = _NON_LATIN_LETTER.findall(text) if letters else []
    if letters and len(foreign) > _MAX_FOREIGN_SHARE * letters:
        sample = "".join(foreign[:_SAMPLE_LENGTH])
        share = round(100 * len(foreign) / letters)
        raise ImportFailed(
            f"{label} does not look like a Dutch article: {share}% of its letters are not Latin "
            f"(e.g. '{sample}'), so it is probably a binary file or text in an unsupported "
            "encoding; save the Dutch article as plain text in UTF-8 and import that"
        )
    _, odd = _ODD_CHARACTER.subn("", text)
    _, visible = _VISIBLE.subn("", text)
    if odd >= _MIN_ODD and odd > _MAX_ODD_SHARE * visible:
        raise ImportFailed(
            f"{label} contains {odd} control or private-use characters, so it is binary or in "
            f"an unsupported encoding: {_SAVE_AS_TEXT}"
        )


def _take_date(text: str, label: str) -> tuple[str | None, str]:
    """The article's date: a leading ``date 2022-03`` marker, or a date line above or under the title.

    The marker may have the first paragraph on its line and an impossible marker date is refused
    (the user wrote it for the app). A date line (``Datum: 14 mei 2024``, ``14-05-2024 10:32``)
    must be the whole line, and one that is no real date stays text: it came with the article.
    """
    m = _DATE_MARKER.match(text)
    if m:
        raw = m.group("date")
        parts = [int(p) for p in raw.split("-")]
        try:
            dt.date(parts[0], parts[1], parts[2] if len(parts) == 3 else 1)
        except ValueError:
            raise ImportFailed(
                f"{label} starts with the date marker 'date {raw}', which is not a real date: "
                "write it as date YYYY-MM or date YYYY-MM-DD"
            ) from None
        return "-".join(f"{p:02d}" for p in parts), text[m.end() :]
    lines = text.split("\n")
    filled = [i for i, line in enumerate(lines) if line.strip()][:2]
    for i in filled:
        date = _date_line(lines[i])
        if date:
            return date, "\n".join(lines[:i] + lines[i + 1 :])
    return None, text


def _date_line(line: str) -> str | None:
    """ISO ``YYYY-MM-DD`` (with `` HH:MM`` when a time is given) of a line that is only a date."""
    line = _INLINE_SPACE.sub(" ", line).strip()
    if len(line) > _MAX_DATE_LINE:
        return None
    m = _DATE_LINE.fullmatch(line)
    if not m:
        return None
    if m.group("iso"):
        year, month, day = (int(x) for x in m.group("iso").split("-"))
    elif m.group("num"):
        day, month, year = (int(x) for x in re.split(r"[-/.]", m.group("num")))
    else:
        day, year = int(m.group("day")), int(m.group("year"))
        month = _MONTHS[m.group("month").lower().rstrip(".")]
    try:
        date = dt.date(year, month, day).isoformat()
    except ValueError:
        return None
    if m.group("hour"):
        hour, minute = int(m.group("hour")), int(m.group("minute"))
        if hour > 23 or minute > 59:
            return None
        date += f" {hour:02d}:{minute:02d}"
    return date


def _split_off_first_line_heading(blocks: list[str]) -> list[str]:
    """A title line directly above the text (no blank line) is still a heading of its own.

    Hard-wrapped text also has lines without final punctuation, but they are about as long as
    the lines after them; a title is much shorter than the paragraph it heads.
    """
    lines = [_join_lines(line) for line in blocks[0].split("\n")] if blocks else []
    lines = [line for line in lines if line]
    if len(lines) < 2 or not _looks_like_heading(lines[0]):
        return blocks
    if len(lines[0]) > 0.6 * max(len(line) for line in lines[1:]):
        return blocks
    return [lines[0], "\n".join(lines[1:]), *blocks[1:]]


def _join_lines(block: str) -> str:
    """Lines of one paragraph become one line; runs of spaces and tabs become one space."""
    lines = (_INLINE_SPACE.sub(" ", line).strip() for line in block.split("\n"))
    return " ".join(line for line in lines if line)


def _block_paragraphs(block: str, *, first: bool) -> list[Paragraph]:
    """Paragraphs of one blank-line-separated block: list items, quotes and lines set on their own.

    A bullet (``-``, ``*``, ``•``) or number (``1.``, ``1)``) starts a list item, ``>`` lines are a
    quote, and other lines continue the one above unless the writer ended that line on purpose
    (see ``_line_continues``). A run of two or more short unpunctuated lines is a list (a
    Wikipedia "Zie ook" list); one alone is a heading.
    """
    lines = [line for line in (_INLINE_SPACE.sub(" ", raw).strip() for raw in block.split("\n")) if line]
    if not lines:
        return []
    width = max(map(len, lines))
    all_unpunctuated = len(lines) > 1 and not any(_ends_sentence(line) for line in lines)
    units: list[list[str]] = []
    kinds: list[str | None] = []
    previous = ""
    for line in lines:
        quote = _QUOTE_MARK.match(line)
        bullet = _BULLET.match(line)
        if quote:
            text = line[quote.end() :].strip()
            if kinds and kinds[-1] == "quote" and previous.startswith(">"):
                units[-1].append(text)
            else:
                units.append([text])
                kinds.append("quote")
        elif bullet:
            rest = line[bullet.end() :].strip()
            # Bullets are drawn by the view; numbers stay in the text, as ordered lists show them.
            text = rest if bullet.group("bullet") or not rest else line
            units.append([text])
            kinds.append("list_item")
        elif units and kinds[-1] != "quote" and _line_continues(previous, line, width, all_unpunctuated):
            units[-1].append(line)
        else:
            units.append([line])
            kinds.append(None)
        previous = line
    texts = [" ".join(part for part in unit if part) for unit in units]
    resolved = _resolve_kinds(texts, kinds, first=first)
    return [Paragraph(kind, text) for kind, text in zip(resolved, texts, strict=True) if text]


def _line_continues(previous: str, line: str, width: int, all_unpunctuated: bool) -> bool:
    """Does ``line`` continue the sentence or paragraph of ``previous`` (a hard-wrapped text)?

    A line opening in lower case, or after a comma or a word that cannot end a sentence or title
    (``en``, ``van``, ``de`` …), always continues. Otherwise the break was made on purpose when
    the lines are too long to be hard-wrapped, when the line's first word would still have fitted
    on the line above (a wrapping editor would have put it there), or when no line of the block
    ends like a sentence (titles and list items, whose last line has no period either).
    """
    opener = line.lstrip(_OPENING_QUOTES)[:1]
    if not opener or opener.islower() or opener in _CONTINUES or previous.endswith(","):
        return True
    if previous.rsplit(" ", 1)[-1].lower() in _NEVER_LAST:
        return True
    if width > WRAP_WIDTH or all_unpunctuated:
        return False
    return len(previous) + 1 + len(line.split(" ", 1)[0]) > width


def _resolve_kinds(texts: list[str], kinds: list[str | None], *, first: bool) -> list[str]:
    """Unmarked lines: body, or heading when short and unpunctuated, or list items when in a run."""
    resolved = [kind or ("heading" if _looks_like_heading(text) else "body") for kind, text in zip(
        kinds, texts, strict=True
    )]
    start = 1 if first and kinds[:1] == [None] and resolved[0] == "heading" else 0
    i = start
    while i < len(resolved):
        j = i
        while j < len(resolved) and kinds[j] is None and resolved[j] == "heading":
            j += 1
        if j - i >= 2:
            resolved[i:j] = ["list_item"] * (j - i)
        i = max(j, i + 1)
    return resolved


def _ends_sentence(line: str) -> bool:
    return line.rstrip(_CLOSERS).endswith((".", "!", "?", "…"))


def article_from(
    paragraphs: list[Paragraph], title: str | None, date: str | None, name: str
) -> ParsedArticle:
    """The article every reader returns: the title given (else one made from the text), the
    content hash that identifies it, and the warnings about its language."""
    return ParsedArticle(
        title=shorten(title) if title else _title(paragraphs),
        date=date,
        paragraphs=paragraphs,
        content_hash=content_hash(paragraphs, date),
        source_path=name,
        warnings=_language_warnings(_sample(paragraphs), name),
    )


def _sample(paragraphs: list[Paragraph]) -> str:
    """The opening text the language check reads (a book's first pages, not the whole book)."""
    taken, size = [], 0
    for p in paragraphs:
        taken.append(p.text)
        size += len(p.text) + 2
        if size >= _LANGUAGE_SAMPLE:
            break
    return "\n\n".join(taken)


def _language_warnings(text: str, label: str) -> list[str]:
    """Warn (not refuse) about text the Dutch model will translate badly: another language, or symbols.

    simplemma's detector scores the share of words it knows per language. Only a sample is read,
    and the other languages (slow to load) are consulted only when the text does not look Dutch.
    """
    sample = text[:_LANGUAGE_SAMPLE]
    visible = len(_VISIBLE.findall(sample))
    letters = sum(1 for ch in sample if ch.isalnum())
    if visible >= _MIN_SYMBOLS_CHECKED and letters < _MIN_LETTER_SHARE * visible:
        share = round(100 * letters / visible)
        return [
            f"{label} is mostly symbols or emoji (only {share}% letters or digits): there is "
            "little for the translator to read, so expect a poor translation"
        ]
    if len(_WORD.findall(sample)) < _MIN_WORDS_CHECKED:
        return []
    import simplemma  # imported on first use: about 0.5 s, shared with reader.lemmas

    if simplemma.in_target_language(sample, lang="nl") >= _MIN_DUTCH_SCORE:
        return []
    scores = simplemma.langdetect(sample, lang=tuple(_LANGUAGES))
    best = next((code for code, _ in scores if code in _LANGUAGES), "unk")
    looks = f" (it looks {_LANGUAGES[best]})" if best != "nl" else ""
    return [
        f"{label} does not look Dutch{looks}: the translation will be poor; import a Dutch "
        "article for a useful translation"
    ]


def _looks_like_heading(block: str) -> bool:
    if len(block) > HEADING_LENGTH or not any(ch.isalpha() for ch in block):
        return False
    return not block.rstrip(_CLOSERS).endswith(tuple(_FINAL_PUNCTUATION))


def _title(paragraphs: list[Paragraph]) -> str:
    """The first paragraph if it is a heading, else the first sentence shortened to ~80 chars."""
    first = paragraphs[0]
    if first.kind == "heading":
        return shorten(first.text)
    sentences = split_sentences(first.text)
    sentence = sentences[0] if sentences else first.text
    if len(sentence) <= TITLE_LENGTH and sentence.endswith(".") and not sentence.endswith(".."):
        sentence = sentence[:-1]
    return shorten(sentence)


def shorten(text: str, limit: int = TITLE_LENGTH) -> str:
    """Cut at the last word boundary that fits, ending with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—(") + "…"
