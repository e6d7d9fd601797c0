"""Export a document with its translation in the formats ``reader.formats.EXPORT`` declares.

The user's edited version of a sentence wins over the model's; JSON says which one each sentence
carries and Markdown marks edited sentences. Untranslated sentences get an empty translation, and
``warn`` hears that they are missing. Lists stay lists and quotes stay quotes in every text format;
the title is written once (a heading that is the title as the title; a title that is only the
first sentence not at all). Writers that declare ``options`` get an ``ExportOptions`` (layout,
what to include, the library for annotations and alignments).

Files are written by one function, :func:`write_export`, for the command line and the window:
a regular file is replaced atomically with the user's usual permissions; a FIFO or a character
device is written in place, never renamed over.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import fcntl
import io
import os
import re
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sqlite_utils import Database

from reader.document import DocumentView, ParagraphView, SentenceView, document_view
from reader.errors import ReaderError
from reader.formats import EXPORT, INCLUDES, LAYOUTS, ExportOptions, Rendered, export_for_suffix

if TYPE_CHECKING:
    from reader.annotations import Annotation

FORMATS = tuple(EXPORT)
EDIT_MARK = "✎"
LIST_KINDS = ("list_item",)
QUOTE_KIND = "quote"


class ExportFailed(ReaderError):
    """The export format is unknown or the file could not be written."""


Warn = Callable[[str], None]


def export_document(
    db: Database,
    doc_id: int,
    model_key: str | None,
    fmt: str,
    options: ExportOptions | None = None,
    warn: Warn | None = None,
) -> Rendered:
    """The document in ``fmt`` (a name in ``reader.formats.EXPORT``, any case) with the translation
    by ``model_key``: ``str`` for a text format, else what its writer declares.

    ``warn`` hears, in one sentence, that sentences are not translated yet (the export holds what
    exists): the command line prints it, the window shows it.
    """
    declared = EXPORT.get(fmt.lower())
    if declared is None:
        raise ExportFailed(
            f"Unknown export format {fmt!r}: choose one of {', '.join(EXPORT)}"
        )
    view = document_view(db, doc_id, model_key)
    if warn is not None:
        message = untranslated_warning(view)
        if message:
            warn(message)
    options = options or ExportOptions()
    if options.db is None:
        options = dataclasses.replace(options, db=db)
    return declared.write(view, options)


def export_options(layout: str | None = None, include: str | None = None) -> ExportOptions:
    """Options from the command line's words: ``--layout side-by-side|interleaved`` and
    ``--include user,origin,notes`` (comma-separated; empty for nothing extra)."""
    if layout is not None and layout not in LAYOUTS:
        raise ExportFailed(f"Unknown layout {layout!r}: choose {' or '.join(LAYOUTS)}")
    wanted = None
    if include is not None:
        wanted = frozenset(w.strip().lower() for w in include.split(",") if w.strip())
        unknown = sorted(wanted - set(INCLUDES))
        if unknown:
            raise ExportFailed(
                f"Cannot include {', '.join(map(repr, unknown))} in an export: choose among "
                f"{', '.join(INCLUDES)}, separated by commas"
            )
    return ExportOptions(layout=layout, include=wanted)  # type: ignore[arg-type]


def untranslated_warning(view: DocumentView) -> str | None:
    """What an export of a document not (fully) translated yet lacks, or None when nothing."""
    sentences = view.sentences()
    missing = sum(1 for s in sentences if s.origin is None)
    if not sentences or not missing:
        return None
    if missing == len(sentences):
        return (f"“{view.title}” has no translation yet, so the export holds the Dutch text only: "
                "translate it first (open it in the window) and export again for the English")
    return (f"{missing} of {len(sentences)} sentences of “{view.title}” are not translated yet, so "
            "their English is empty in the export: let the translation finish and export again")


def format_for_path(path: str | Path, default: str | None = None) -> str:
    """The export format a file name asks for, from its suffix (any case); ``default`` when the
    suffix names none. The window and ``bireader translate -o`` both decide by this rule."""
    declared = export_for_suffix(path)
    if declared is not None:
        return declared.name
    if default is not None:
        return default
    firsts = [f.suffixes[0] for f in EXPORT.values()]
    raise ExportFailed(
        f"Cannot tell the export format from {Path(path).name!r}: "
        f"name it {', '.join(firsts[:-1])} or {firsts[-1]}, or choose a format"
    )


def export_to_file(
    db: Database,
    doc_id: int,
    model_key: str | None,
    path: str | Path,
    fmt: str | None = None,
    options: ExportOptions | None = None,
    warn: Warn | None = None,
) -> Path:
    """Write an export (see :func:`write_export`): a failure leaves no half file."""
    path = Path(path)
    fmt = fmt or format_for_path(path)
    check_output_path(path)  # before rendering: a bad path fails without the work
    return write_export(path, export_document(db, doc_id, model_key, fmt, options, warn))


# ---------------------------------------------------------------- writing files


def check_output_path(path: str | Path) -> Path:
    """Refuse an output path that cannot be written, before any work is done for it.

    Returns the path with symbolic links resolved: that is the file that will be written, so a
    link keeps pointing at the new content.
    """
    given = Path(path)
    target = Path(os.path.realpath(given))
    try:
        info = os.stat(target)
    except FileNotFoundError:
        info = None
    except OSError as err:
        raise ExportFailed(f"Could not write {given}: {err.strerror or err}") from err
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise ExportFailed(f"Could not write {given}: it is a folder; give a file name inside it")
        if not (stat.S_ISREG(info.st_mode) or stat.S_ISFIFO(info.st_mode) or stat.S_ISCHR(info.st_mode)):
            raise ExportFailed(
                f"Could not write {given}: it is {_special_kind(info.st_mode)}, not a file; "
                "choose a file name"
            )
        if not stat.S_ISREG(info.st_mode):  # written in place: the file itself must be writable
            if not os.access(target, os.W_OK):
                raise ExportFailed(f"Could not write {given}: permission denied")
            return target
    folder = target.parent
    if not folder.is_dir():
        raise ExportFailed(
            f"Could not write {given}: the folder {folder} does not exist; create it or choose another"
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ExportFailed(f"Could not write {given}: the folder {folder} is not writable; choose another")
    return target


def write_export(path: str | Path, content: Rendered) -> Path:
    """Write a writer's result to ``path`` and return the path written: text as UTF-8 (``\\n`` line
    ends), bytes as they are, a stream writer (a zip package) into the file.

    A regular file (or a new one) goes through a temporary file of a unique name in the same folder,
    then a rename, so a failure (of the disk or of a stream writer) leaves the old file whole; the
    new file has the user's usual permissions (umask), a replaced one keeps its mode. A FIFO or a
    character device is written in place, never replaced; a FIFO no program reads from is refused
    rather than waited on forever.
    """
    given = Path(path)
    target = check_output_path(given)
    try:
        info = os.stat(target)
    except FileNotFoundError:
        info = None
    except OSError as err:
        raise ExportFailed(f"Could not write {given}: {err.strerror or err}") from err
    if info is not None and not stat.S_ISREG(info.st_mode):
        _write_in_place(given, target, info, rendered_bytes(content))
    else:
        _replace_file(given, target, info, content)
    return given


def rendered_bytes(content: Rendered) -> bytes:
    """A writer's result as bytes (a stream writer writes into memory): for pipes and devices."""
    if isinstance(content, str):
        return content.encode("utf-8")
    if isinstance(content, bytes):
        return content
    buffer = io.BytesIO()
    content(buffer)
    return buffer.getvalue()


def _write_in_place(given: Path, target: Path, info: os.stat_result, data: bytes) -> None:
    """A FIFO or a character device: open it without blocking, then write everything."""
    try:
        fd = os.open(target, os.O_WRONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as err:
        if err.errno == errno.ENXIO and stat.S_ISFIFO(info.st_mode):
            raise ExportFailed(
                f"Could not write {given}: it is a FIFO and no program is reading from it; "
                "start the reader first (translations are cached, so a second run is quick)"
            ) from err
        raise ExportFailed(f"Could not write {given}: {err.strerror or err}") from err
    try:
        flags = fcntl.fcntl(fd, fcntl.F_GETFL)
        fcntl.fcntl(fd, fcntl.F_SETFL, flags & ~os.O_NONBLOCK)  # the reader sets the pace
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    except BrokenPipeError as err:
        raise ExportFailed(f"Could not write {given}: the program reading it stopped reading") from err
    except OSError as err:
        raise ExportFailed(f"Could not write {given}: {err.strerror or err}") from err
    finally:
        os.close(fd)


def _replace_file(given: Path, target: Path, old: os.stat_result | None, content: Rendered) -> None:
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
        with os.fdopen(fd, "w+b") as f:
            if isinstance(content, (str, bytes)):
                f.write(rendered_bytes(content))
            else:
                content(f)
            f.flush()
            os.fsync(f.fileno())
            if old is not None:
                os.fchmod(f.fileno(), stat.S_IMODE(old.st_mode))
                _keep_owner(f.fileno(), old)
            else:
                os.fchmod(f.fileno(), 0o666 & ~current_umask())
        os.replace(tmp, target)
        tmp = None
    except OSError as err:
        raise ExportFailed(
            f"Could not write {given} ({err.strerror or err}): choose a writable folder"
        ) from err
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):  # already gone: nothing left behind either way
                os.unlink(tmp)


def _keep_owner(fd: int, old: os.stat_result) -> None:
    """Root replacing another user's file gives it back to that user, as writing in place would."""
    if (old.st_uid, old.st_gid) != (os.geteuid(), os.getegid()):
        try:
            os.fchown(fd, old.st_uid, old.st_gid)
        except OSError:
            pass  # an ordinary user cannot give files away: the file is theirs, as with `cp`


def current_umask() -> int:
    """The process umask, read without changing it (os.umask would race with other threads)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass  # no /proc (not Linux): fall back to setting and restoring it
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _special_kind(mode: int) -> str:
    if stat.S_ISBLK(mode):
        return "a disk (block device)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


# ---------------------------------------------------------------- structure


def _title_paragraph(view: DocumentView) -> ParagraphView | None:
    """The first paragraph when it is the heading the title was made from: written once, as title."""
    from reader.importer import shorten

    first = view.paragraphs[0] if view.paragraphs else None
    if first is not None and first.kind == "heading" and shorten(first.text) == view.title:
        return first
    return None


def title_is_first_sentence(view: DocumentView) -> bool:
    """True when the title is the article's first sentence (the importer's title for an article
    without a title line): a title above it would show the same words twice."""
    from reader.importer import shorten

    first = view.paragraphs[0] if view.paragraphs else None
    if first is None or first.kind == "heading" or not first.sentences:
        return False
    sentence = first.sentences[0].text
    return view.title in (shorten(sentence), shorten(sentence.removesuffix(".")))


def _runs(paragraphs: list[ParagraphView]) -> list[list[ParagraphView]]:
    """Consecutive list items form one run (one list); every other paragraph is a run of its own."""
    runs: list[list[ParagraphView]] = []
    for p in paragraphs:
        if p.kind in LIST_KINDS and runs and runs[-1][-1].kind in LIST_KINDS:
            runs[-1].append(p)
        else:
            runs.append([p])
    return runs


def _body(view: DocumentView) -> list[ParagraphView]:
    title = _title_paragraph(view)
    return [p for p in view.paragraphs if p is not title]


def sentence_annotations(view: DocumentView, options: ExportOptions) -> dict[int, list[Annotation]]:
    """The reader's annotations by sentence id, in reading order (none without a library)."""
    if options.db is None:
        return {}
    from reader.annotations import document_annotations

    found: dict[int, list[Annotation]] = {}
    for a in document_annotations(options.db, view.id):
        found.setdefault(a.sentence_id, []).append(a)
    return found


def notes_at(annotations: dict[int, list[Annotation]]) -> dict[int, list[Annotation]]:
    """The annotations whose note is written after their sentence: those with a note, a selection
    across sentences (pieces sharing a group) once, at its last piece."""
    last_piece: dict[int, Annotation] = {}
    for pieces in annotations.values():
        for a in pieces:
            if a.note.strip():
                last_piece[a.group_id if a.group_id is not None else -a.id] = a
    chosen = {a.id for a in last_piece.values()}
    return {sid: [a for a in pieces if a.id in chosen] for sid, pieces in annotations.items()
            if any(a.id in chosen for a in pieces)}


def sentence_notes(view: DocumentView, options: ExportOptions) -> dict[int, list[str]]:
    """The notes of the reader's annotations by sentence id, in reading order (none without a
    library to read them from)."""
    return {sid: [a.note for a in pieces]
            for sid, pieces in notes_at(sentence_annotations(view, options)).items()}


# ---------------------------------------------------------------- TSV

TSV_COLUMNS = {"user": "user_version", "origin": "origin", "notes": "notes"}


def _one_line(text: str) -> str:
    """Tabs and line breaks would break a TSV row: they become single spaces."""
    return re.sub(r"[\t\r\n\v\f\u2028\u2029]+", " ", text).strip()


def to_tsv(view: DocumentView, options: ExportOptions | None = None) -> str:
    """``source<TAB>translation`` per sentence, a blank line between paragraphs, no header.

    The items of one list form one block, so a list reads as one unit. Asked for (``include``),
    columns follow for the reader's own version, whose translation it is and the notes, under
    a header row naming the columns.
    """
    options = options or ExportOptions()
    extra = [name for name in TSV_COLUMNS if options.includes(name)]
    notes = sentence_notes(view, options) if "notes" in extra else {}

    def row(s: SentenceView) -> str:
        cells = [s.text, s.final]
        for name in extra:
            if name == "user":
                cells.append(s.user_text or "")
            elif name == "origin":
                cells.append(s.origin or "")
            else:
                cells.append(" / ".join(notes.get(s.id, ())))
        return "\t".join(_one_line(c) for c in cells)

    blocks = [
        "\n".join(row(s) for p in run for s in p.sentences)
        for run in _runs(view.paragraphs)
        if any(p.sentences for p in run)
    ]
    if not blocks:
        return ""
    header = ["\t".join(["nl", "en", *(TSV_COLUMNS[name] for name in extra)])] if extra else []
    return "\n\n".join(header + blocks) + "\n"


# ---------------------------------------------------------------- Markdown

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|&!~])")
_MD_LINE_START = re.compile(r"^(\s*)([#>+\-=]|\d+[.)])")


def _md(text: str) -> str:
    """Escape what Markdown would read as markup (``&`` too: ``&amp;`` in an article shows as
    written, not as ``&``), so the rendered text is the article's own."""
    text = _MD_SPECIAL.sub(r"\\\1", _one_line(text))
    return _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


class _Footnotes:
    """Notes as Markdown footnotes (``[^1]`` after the sentence, the notes at the end)."""

    def __init__(self, notes: dict[int, list[str]]) -> None:
        self.notes = notes
        self.written: list[str] = []

    def marks(self, s: SentenceView) -> str:
        marks = ""
        for note in self.notes.get(s.id, ()):
            self.written.append(note)
            marks += f"[^{len(self.written)}]"
        return marks

    def lines(self) -> list[str]:
        return [f"[^{n}]: {_md(note)}" for n, note in enumerate(self.written, 1)] + (
            [""] if self.written else [])


def _md_english(s: SentenceView) -> str:
    return _md(s.final) + (f" {EDIT_MARK}" if s.origin == "user" else "") if s.final else ""


def _md_translation(p: ParagraphView) -> str:
    return " ".join(_md_english(s) for s in p.sentences if s.final)


def _md_dutch(p: ParagraphView, notes: _Footnotes) -> str:
    """The Dutch paragraph with a footnote mark after each annotated sentence; the paragraph's own
    text (not its sentences joined) when nothing is marked, so spacing stays as written."""
    if not any(notes.notes.get(s.id) for s in p.sentences):
        return _md(p.text)
    return " ".join(_md(s.text) + notes.marks(s) for s in p.sentences)


def _md_table(p: ParagraphView, notes: _Footnotes, prefix: str = "") -> list[str]:
    """One row per sentence: Dutch beside English."""
    rows = [f"{prefix}| Nederlands | English |", f"{prefix}| --- | --- |"]
    rows += [f"{prefix}| {_md(s.text)}{notes.marks(s)} | {_md_english(s)} |" for s in p.sentences]
    return rows


def to_markdown(view: DocumentView, options: ExportOptions | None = None) -> str:
    """Title, then the paragraphs: interleaved (the default: each Dutch paragraph followed by its
    English a quote level deeper) or side by side (a table per paragraph, a row per sentence).

    Headings stay headings (``##``) with the English in italics below; list items stay list items
    (``- ``) with the English quoted inside the item; quotes stay quotes (``> ``). The title is
    written once: not at all when it is only the first sentence, which follows in full. Notes of
    annotations become footnotes.
    """
    options = options or ExportOptions()
    table = (options.layout or "interleaved") == "side-by-side"
    notes = _Footnotes(sentence_notes(view, options) if options.includes("notes", True) else {})
    title = _title_paragraph(view)
    lines: list[str] = []
    if title is not None or not title_is_first_sentence(view):
        lines += [f"# {_md(title.text if title else view.title)}", ""]
    if title is not None and _md_translation(title):
        lines += [f"*{_md_translation(title)}*", ""]
    if view.date:
        lines += [f"*{_md(view.date)}*", ""]
    edited = any(s.origin == "user" for s in view.sentences())
    for run in _runs(_body(view)):
        p = run[0]
        if p.kind in LIST_KINDS:
            for item in run:
                english = _md_translation(item)
                lines.append(f"- {_md_dutch(item, notes)}")
                if english:
                    lines.append(f"  > {english}")
            lines.append("")
            continue
        english = _md_translation(p)
        if p.kind == "heading":
            lines += [f"## {_md_dutch(p, notes)}", ""]
            if english:
                lines += [f"*{english}*", ""]
        elif table and p.sentences:
            lines += _md_table(p, notes, "> " if p.kind == QUOTE_KIND else "") + [""]
        elif p.kind == QUOTE_KIND:
            lines.append(f"> {_md_dutch(p, notes)}")
            if english:
                lines += [">", f"> > {english}"]
            lines.append("")
        else:
            lines += [_md_dutch(p, notes), ""]
            if english:
                lines += [f"> {english}", ""]
    lines += notes.lines()
    if edited:
        lines += ["---", "", f"{EDIT_MARK} your own translation", ""]
    return "\n".join(lines)


# ---------------------------------------------------------------- plain text


def to_text(view: DocumentView) -> str:
    """Each paragraph in Dutch, then its English on the next line; a blank line between pairs.

    List items start with ``- `` (their English indented below) and one list is one block;
    quote lines start with ``> ``. The title is written once (not when it is the first sentence).
    """
    title = _title_paragraph(view)
    header = []
    if title is not None or not title_is_first_sentence(view):
        heading = _one_line(title.text) if title else view.title
        header = [heading, "=" * len(heading)]
    if title is not None and title.final:
        header.append(_one_line(title.final))
    if view.date:
        header.append(view.date)
    blocks = ["\n".join(header)] if header else []
    for run in _runs(_body(view)):
        if run[0].kind in LIST_KINDS:
            lines = []
            for item in run:
                lines.append(f"- {_one_line(item.text)}")
                if item.final:
                    lines.append(f"  {_one_line(item.final)}")
            blocks.append("\n".join(lines))
            continue
        p = run[0]
        mark = "> " if p.kind == QUOTE_KIND else ""
        english = p.final
        blocks.append(mark + _one_line(p.text) + (f"\n{mark}{_one_line(english)}" if english else ""))
    return "\n\n".join(blocks) + "\n"

