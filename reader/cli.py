"""`bireader` command line. Every failure the user can act on ends as one line on stderr and exit 1.

Heavy modules (ctranslate2, sqlite-utils, Qt) are imported inside the commands that need them, so
`bireader --version` and `bireader segment` start fast.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sqlite3
import sys
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence

from reader import __version__
from reader.errors import ModelError, ReaderError
from reader.formats import DEFAULT_EXPORT, EXPORT, IMPORT, ExportFormat, ImportFormat, Rendered

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2
ALLOW_TEST_PACKAGE = "BIREADER_ALLOW_TEST_PACKAGE"
LIBRARY_HEADER = "ID\tDATE\tTRANSLATED\tTITLE"
EPILOG = f"""\
environment variables:
  BIREADER_HOME          folder of the library (library.sqlite); default: the platform's user data folder
  BIREADER_READ_ONLY=1   open the library read-only (changes are not saved)
  BIREADER_DICT          folder or .index file of a dictd dictionary (default: /usr/share/dictd,
                         from the Debian/Ubuntu package dict-freedict-nld-eng)
  ARGOS_PACKAGES_DIR     where translation packages are installed (shared with other Argos apps)
  BIREADER_ARGOS_INDEX   address of the Argos package index used by `models download`
  {ALLOW_TEST_PACKAGE}=1
                         let `translate` use a test package (random weights, for development);
                         its output is gibberish, not a translation

article files:
  Plain text (UTF-8; Windows-1252 is read with a warning), at most 50 MB. A short first line
  without final punctuation is the title; a blank line separates paragraphs; short lines without
  final punctuation between paragraphs are subheadings; lines starting with -, *, •, or 1. are
  list items; lines starting with > are a quote. A date on the first line, or on the line right
  under the title, is the article's date, not text:
    date 2022-03          date: 2022-03-14         Date: 2024-05-14
    Gepubliceerd op 14 mei 2024                   14-05-2024 10:32
"""


class UsageError(ReaderError):
    """Arguments that parse but make no sense together: reported argparse-style, exit status 2."""


class Progress:
    """A one-line progress bar on stderr, redrawn at most ten times a second."""

    def __init__(self, label: str, unit: str = "", stream=None) -> None:
        self.label, self.unit = label, unit
        self.stream = stream or sys.stderr
        self._last = 0.0
        self._shown = False

    def __call__(self, done: int, total: int) -> None:
        if not self.stream.isatty():  # a log or a pipe gets the summary line, not carriage returns
            return
        now = time.monotonic()
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        width = 30
        filled = int(width * done / total) if total else width
        bar = "#" * filled + "-" * (width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {_amount(done, self.unit)}"
                          f" / {_amount(total, self.unit)}")
        self.stream.flush()
        self._shown = True

    def close(self) -> None:
        if self._shown:
            self.stream.write("\n")
            self.stream.flush()
            self._shown = False


def _amount(n: int, unit: str) -> str:
    if unit == "B":
        return f"{n / 1e6:.1f} MB"
    return f"{n}{unit}"


# ---------------------------------------------------------------- commands


def cmd_segment(args: argparse.Namespace) -> int:
    from reader.segment import split_sentences

    article = _read(args.file)
    blocks = ["\n".join(split_sentences(p.text)) for p in article.paragraphs]
    print("\n\n".join(blocks))
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    """Each file or web address on its own: one bad one is reported and the others still imported."""
    from reader.import_url import import_url, looks_like_url
    from reader.pipeline import import_file
    from reader.store import get_document, open_db

    db = open_db()
    failed = 0
    for name in args.files:
        try:
            if looks_like_url(name):
                doc_id, created = import_url(db, name, warn=_warn)
            else:
                doc_id, created = import_file(db, name, warn=_warn)
        except ReaderError as err:
            print(f"bireader: {err}", file=sys.stderr)
            failed += 1
            continue
        doc = get_document(db, doc_id)
        state = "imported" if created else "already in the library"
        print(f"{doc_id}\t{doc['title']}\t({state})")
    if failed and len(args.files) > 1:
        print(f"bireader: {failed} of {len(args.files)} files could not be imported (see above).",
              file=sys.stderr)
    return EXIT_ERROR if failed else EXIT_OK


def cmd_translate(args: argparse.Namespace) -> int:
    from models.engine import Engine
    from models.packages import find_package, is_test_package
    from reader.export import check_output_path, export_document, export_options, format_for_path
    from reader.pipeline import import_file, translate_document
    from reader.store import open_db

    options = export_options(args.layout, args.include)  # a bad choice fails before the work
    fmt = args.format or (
        format_for_path(args.output, default=DEFAULT_EXPORT) if args.output else DEFAULT_EXPORT
    )
    if args.output is not None:
        check_output_path(args.output)  # a bad -o fails now, not after all the translating
    package = find_package(args.source, args.target)  # fail before touching the database
    if is_test_package(package) and not os.environ.get(ALLOW_TEST_PACKAGE):
        raise ModelError(
            f"The installed {args.source}→{args.target} package is a test package (random weights): its "
            f"output is not a translation. Install the real model with `bireader models download "
            f"{args.source} {args.target}` (set {ALLOW_TEST_PACKAGE}=1 to use it anyway, for development)."
        )
    db = open_db()
    doc_id, _ = import_file(db, args.file, warn=_warn)
    if is_test_package(package):
        _warn("the installed package is a test package: its output is not a translation")
    engine = Engine(package)
    bar = Progress("Translating", " sentences")
    try:
        stats = translate_document(db, doc_id, engine, progress=bar)
    finally:
        bar.close()
    failed = f", {stats.failed} left untranslated (the model returned nothing)" if stats.failed else ""
    print(f"{stats.total} sentences: {stats.cached} from cache, {stats.translated} translated{failed}",
          file=sys.stderr)
    rendered = export_document(db, doc_id, engine.model_key, fmt, options, warn=_warn)
    _write_output(rendered, args.output, fmt)
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    """Documents from the library to files: several documents go into one file when the format holds
    several (EPUB, TMX, Anki…), else one file each into the folder OUT. Every target is checked
    before anything is written, so a refusal leaves all files as they were."""
    from reader.document import document_view
    from reader.export import (
        ExportFailed,
        check_output_path,
        export_options,
        format_for_path,
        untranslated_warning,
        write_export,
    )
    from reader.formats import Carries
    from reader.store import get_document, open_db

    options = export_options(args.layout, args.include)
    db = open_db()
    docs = [get_document(db, doc_id) for doc_id in dict.fromkeys(args.docs)]  # unknown ids fail here
    out = args.output
    folder = os.path.isdir(out) or out.endswith(os.sep)
    fmt = args.format or (None if folder else format_for_path(out))
    if fmt is None:
        raise UsageError("give --format FMT when OUT is a folder (one file per document is written in it)")
    declared = EXPORT[fmt]
    combined = len(docs) > 1 and not folder and Carries.MANY_DOCUMENTS in declared.carries
    if len(docs) > 1 and not combined and not folder:
        raise ExportFailed(
            f"{declared.label} holds one document a file: give an existing folder as -o for one file "
            f"per document, or export the documents one at a time"
        )
    if folder:
        if not os.path.isdir(out):
            raise ExportFailed(f"Could not write into {out}: the folder does not exist; create it first")
        targets = [os.path.join(out, f"{d['id']}-{_slug(d['title'])}{declared.suffixes[0]}") for d in docs]
    else:
        targets = [out]
    for target in targets:
        check_output_path(target)
        if os.path.isfile(target) and not args.force:
            raise ExportFailed(f"{target} already exists: add --force to overwrite it (nothing was written)")
    options = dataclasses.replace(options, db=db)
    model_key = _export_model_key(db, [d["id"] for d in docs])
    views = [document_view(db, d["id"], model_key) for d in docs]
    for view in views:
        message = untranslated_warning(view) if declared.name != "anki" else None
        if message:
            _warn(message)
    rendered = [declared.write(views, options)] if combined else [declared.write(v, options) for v in views]
    for target, content in zip(targets, rendered, strict=True):
        if isinstance(content, str) and not content.endswith("\n"):
            content += "\n"
        print(f"Wrote {write_export(target, content)}", file=sys.stderr)
    return EXIT_OK


def _slug(title: str) -> str:
    from reader.export_anki import slug

    return slug(title)


def _export_model_key(db, doc_ids: list[int]) -> str | None:
    """The model whose translations an export shows: the installed nl→en model when it translated
    any of these documents, else the model that translated most of their sentences (an imported
    library's), else None (the reader's own versions only)."""
    marks = ", ".join("?" * len(doc_ids))
    counts = dict(db.execute(
        "SELECT t.model_key, count(*) FROM sentences s JOIN translations t ON t.source_hash = s.source_hash"
        f" WHERE s.document_id IN ({marks}) GROUP BY t.model_key ORDER BY count(*) DESC, t.model_key",
        doc_ids,
    ).fetchall())
    installed = _model_key_or_none()
    if installed in counts:
        return installed
    return next(iter(counts), None)


def cmd_library_list(args: argparse.Namespace) -> int:
    from reader.store import list_documents, open_db

    docs = list_documents(open_db(), _model_key_or_none())
    if not docs:
        print("The library is empty: add an article with `bireader import FILE`.", file=sys.stderr)
        return EXIT_OK
    print(LIBRARY_HEADER)
    for d in docs:
        share = f"{d['n_translated']}/{d['n_sentences']}"
        print(f"{d['id']}\t{d['date'] or '-'}\t{share}\t{d['title']}")
    return EXIT_OK


def cmd_library_remove(args: argparse.Namespace) -> int:
    from reader.store import get_document, open_db, remove_document

    db = open_db()
    doc = get_document(db, args.id)
    remove_document(db, args.id)
    print(f"Removed {args.id}: {doc['title']}")
    return EXIT_OK


def cmd_annotations_add(args: argparse.Namespace) -> int:
    """Annotate the first occurrence of --quote in sentence N (numbered as `bireader segment` does)."""
    from reader.annotations import AnnotationError, add_annotation, side_text
    from reader.store import document_sentences, open_db

    db = open_db()
    sentences = document_sentences(db, args.doc)
    if args.sentence > len(sentences):
        raise AnnotationError(
            f"Document {args.doc} has {len(sentences)} sentences, so there is no sentence {args.sentence}: "
            f"give --sentence from 1 to {len(sentences)} (numbered as `bireader segment` prints them)."
        )
    sentence = sentences[args.sentence - 1]
    text = None
    if args.side == "en":
        model_key = _model_key_or_none()
        text = side_text(db, sentence.id, "en", model_key=model_key) if model_key else None
        text = text or side_text(db, sentence.id, "en")
        if not text:
            raise AnnotationError(
                f"Sentence {args.sentence} of document {args.doc} has no English translation yet: "
                "translate the document first, or annotate the Dutch side (--side nl)."
            )
    else:
        text = sentence.text
    start = text.find(args.quote)
    if start < 0:
        language = "English" if args.side == "en" else "Dutch"
        raise AnnotationError(
            f"“{args.quote}” does not occur in the {language} text of sentence {args.sentence}: "
            f"copy the words exactly from “{text}”."
        )
    annotation = add_annotation(
        db, args.doc, sentence.id, args.side, start, start + len(args.quote),
        note=args.note, colour=args.colour, tags=args.tag, text=text if args.side == "en" else None,
    )
    print(f"{annotation.id}\t{args.doc}\t{args.sentence}\t{annotation.side}\t{annotation.exact}")
    return EXIT_OK


ANNOTATIONS_HEADER = "ID\tDOC\tSENTENCE\tSIDE\tSTATE\tCOLOUR\tTAGS\tQUOTE\tNOTE"


def _tsv_field(text: str) -> str:
    """One TSV cell: backslash, tab and line breaks escaped, so a multi-line note stays one row."""
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def cmd_annotations_list(args: argparse.Namespace) -> int:
    from reader.annotations import list_annotations
    from reader.store import open_db

    db = open_db()
    found = list_annotations(db, doc_id=args.doc, tag=args.tag)
    numbers = {
        sid: n
        for (n, sid) in db.execute(
            "SELECT n, id FROM (SELECT row_number() OVER (PARTITION BY s.document_id ORDER BY p.idx, s.idx)"
            " AS n, s.id FROM sentences s JOIN paragraphs p ON p.id = s.paragraph_id"
            " WHERE s.document_id IN (SELECT document_id FROM annotations))"
            " WHERE id IN (SELECT sentence_id FROM annotations)"
        )
    } if found else {}
    if args.format == "json":
        print(json.dumps(
            [{"id": a.id, "document_id": a.document_id, "sentence": numbers.get(a.sentence_id),
              "sentence_id": a.sentence_id, "side": a.side, "start": a.start, "end": a.end,
              "exact": a.exact, "prefix": a.prefix, "suffix": a.suffix, "detached": a.detached,
              "group_id": a.group_id, "note": a.note, "colour": a.colour, "tags": list(a.tags),
              "created_at": a.created_at, "updated_at": a.updated_at} for a in found],
            ensure_ascii=False, indent=2,
        ))
        return EXIT_OK
    print(ANNOTATIONS_HEADER)
    for a in found:
        tags = "|".join(_tsv_field(t).replace("|", "\\|") for t in a.tags)
        state = "detached" if a.detached else "attached"
        print(f"{a.id}\t{a.document_id}\t{numbers.get(a.sentence_id, '')}\t{a.side}\t{state}\t{a.colour}"
              f"\t{tags}\t{_tsv_field(a.exact)}\t{_tsv_field(a.note)}")
    if not found:
        print("No annotations found: add one with `bireader annotations add DOC --sentence N --quote TEXT`.",
              file=sys.stderr)
    return EXIT_OK


def cmd_phrases_add(args: argparse.Namespace) -> int:
    """Save the words of --quote (in order, gaps allowed: `belde op`) from sentence N."""
    from reader.phrases import save_phrase, spans_of_quote
    from reader.store import document_sentences, open_db

    db = open_db()
    sentences = document_sentences(db, args.doc)
    if args.sentence > len(sentences):
        raise UsageError(
            f"document {args.doc} has {len(sentences)} sentences, so there is no sentence {args.sentence}: "
            f"give --sentence from 1 to {len(sentences)} (numbered as `bireader segment` prints them)"
        )
    sentence = sentences[args.sentence - 1]
    phrase = save_phrase(db, args.doc, sentence.id, spans_of_quote(sentence.text, args.quote),
                         status=args.status)
    print(f"{phrase.id}\t{args.doc}\t{args.sentence}\t{phrase.status}\t{_tsv_field(phrase.nl)}"
          f"\t{_tsv_field(phrase.en)}")
    return EXIT_OK


PHRASES_HEADER = "ID\tSTATUS\tDUTCH\tENGLISH\tGLOSS\tDOC\tTITLE"


def cmd_phrases_list(args: argparse.Namespace) -> int:
    from reader.phrases import list_phrases
    from reader.store import open_db

    found = list_phrases(open_db(), status=args.status)
    if args.format == "json":
        print(json.dumps([{**p.__dict__, "nl_spans": [list(s) for s in p.nl_spans],
                           "en_spans": [list(s) for s in p.en_spans]} for p in found],
                         ensure_ascii=False, indent=2))
        return EXIT_OK
    print(PHRASES_HEADER)
    for p in found:
        doc = "-" if p.document_id is None else p.document_id
        print(f"{p.id}\t{p.status}\t{_tsv_field(p.nl)}\t{_tsv_field(p.en)}\t{_tsv_field(p.gloss)}"
              f"\t{doc}\t{_tsv_field(p.document_title)}")
    if not found:
        print("No saved phrases found: save one with `bireader phrases add DOC --sentence N --quote TEXT`.",
              file=sys.stderr)
    return EXIT_OK


def cmd_search(args: argparse.Namespace) -> int:
    """One hit a line: document id, sentence number, side, text (best first)."""
    from reader.search import search
    from reader.stems import words
    from reader.store import open_db

    if not words(args.query):
        raise UsageError(
            f"the query {args.query!r} has no words to search for (quotes, *, - and brackets are "
            "ignored): give a word, e.g. `bireader search oorlog`"
        )
    hits = search(open_db(), args.query, limit=args.limit)
    if args.format == "json":
        print(json.dumps([h.__dict__ for h in hits], ensure_ascii=False, indent=2))
        return EXIT_OK
    for h in hits:
        doc = "-" if h.document_id is None else h.document_id
        number = "-" if h.sentence_number is None else h.sentence_number
        print(f"{doc}\t{number}\t{h.side}\t{_tsv_field(h.text)}")
    if not hits:
        print(f"Nothing in the library matches {args.query!r}.", file=sys.stderr)
    return EXIT_OK


def cmd_models_list(args: argparse.Namespace) -> int:
    from models.packages import damaged_packages, describe, installed_packages, packages_dir

    pkgs = installed_packages()
    for folder, reason in damaged_packages():
        _warn(f"{folder} is a damaged package ({reason}): delete that folder or install the package again.")
    if not pkgs:
        print(f"No translation packages in {packages_dir()}: run `bireader models download nl en`.",
              file=sys.stderr)
        return EXIT_OK
    for p in pkgs:
        print(describe(p))
    return EXIT_OK


def cmd_models_install(args: argparse.Namespace) -> int:
    from models.packages import describe, install_file, replaces_note

    pkg = install_file(args.file, expect_pair=(args.source, args.target))
    print(f"Installed {describe(pkg)}{replaces_note(pkg)}")
    return EXIT_OK


def cmd_models_download(args: argparse.Namespace) -> int:
    from models.packages import describe, download, replaces_note

    bar = Progress(f"Downloading {args.source}→{args.target}", "B")
    try:
        pkg = download(args.source, args.target, progress=bar)
    finally:
        bar.close()
    print(f"Installed {describe(pkg)}{replaces_note(pkg)}")
    return EXIT_OK


def cmd_models_remove(args: argparse.Namespace) -> int:
    from models.packages import remove

    removed = remove(args.package)
    print(f"Removed {removed}")
    return EXIT_OK


DEFINE_USAGE = "`define` looks up one word (`define fiets`) or a separable verb with its particle " \
               "(`define belde op`)"


def cmd_define(args: argparse.Namespace) -> int:
    from reader.dictionary import SEPARABLE_PARTICLES, Dictionary, format_entries, normalize_key

    d = Dictionary.open()
    word, particle = args.word, args.particle
    if particle is not None and normalize_key(particle) not in SEPARABLE_PARTICLES:
        raise UsageError(f"{DEFINE_USAGE}; “{particle}” is not a separable-verb particle "
                         f"({', '.join(sorted(SEPARABLE_PARTICLES)[:6])}…).")
    if " " in word and not d.entries(word):  # a phrase the dictionary has ("aan boord") is fine
        parts = word.split()
        if particle is None and len(parts) == 2 and normalize_key(parts[1]) in SEPARABLE_PARTICLES:
            word, particle = parts
        else:
            raise UsageError(f"{DEFINE_USAGE}; “{word}” is neither, nor a phrase in the dictionary.")
    results = d.lookup(word, particle=particle)
    if not any(r.entries for r in _as_list(results)):
        query = f"{word} {particle}" if particle else word
        raise ReaderError(f"“{query}” is not in the dictionary (nor its lemma or parts).")
    print(format_entries(results))
    return EXIT_OK


def cmd_align(args: argparse.Namespace) -> int:
    from reader.alignments import align_text, open_dictionary_or_none

    dictionary, problem = open_dictionary_or_none()
    if problem:
        _warn(f"{problem} Aligning without it.")
    result, problem = align_text(args.dutch, args.english, pretokenized=args.pretokenized,
                                 dictionary=dictionary)
    if problem:
        _warn(problem)
    if args.format == "json":
        print(json.dumps(_alignment_report(result), ensure_ascii=False, indent=2))
    else:
        print(result.to_pharaoh())
    return EXIT_OK


def cmd_gui(args: argparse.Namespace) -> int:
    argv: list[str] = []
    if args.command == "open":
        argv = ["open", args.file]
        if args.screenshot:
            argv += ["--screenshot", args.screenshot]
        if args.size:
            argv += ["--size", args.size]
    return _launch_window(args, argv)


def _launch_window(args: argparse.Namespace, argv: list[str]) -> int:
    """The core never imports the GUI: the `bireader` command (``ui.launcher``) plugs it in."""
    launch = getattr(args, "launch_window", None)
    if launch is None:
        raise UsageError(
            "the reader window is started by the `bireader` command (or `python -m ui`), "
            "not by `python -m reader.cli`"
        )
    return launch(argv)


# ---------------------------------------------------------------- helpers


def _read(path: str):
    from reader.importer import read_article

    article = read_article(path)
    for w in article.warnings:
        _warn(w)
    return article


def _warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def _as_list(results):
    return results if isinstance(results, list) else [results]


def _model_key_or_none() -> str | None:
    """The model key the library's 'translated' counts refer to, if an nl→en package is installed."""
    from models.engine import model_key_for
    from models.packages import find_package

    try:
        return model_key_for(find_package("nl", "en"))
    except ReaderError:
        return None


def _alignment_report(result) -> dict:
    """The alignment as a reader of the JSON wants it: tokens, links and phrases spelled out."""

    def tokens(toks) -> list[dict]:
        return [{"text": t.text, "start": t.start, "end": t.end} for t in toks]

    def words(toks, span) -> str:
        return " ".join(toks[i].text for i in span)

    return {
        "nl_tokens": tokens(result.nl_tokens),
        "en_tokens": tokens(result.en_tokens),
        "links": [{"i": lk.i, "j": lk.j, "confidence": round(lk.confidence, 3)} for lk in result.links],
        "phrases": [
            {"nl": list(p.nl_span), "en": list(p.en_span), "nl_text": words(result.nl_tokens, p.nl_span),
             "en_text": words(result.en_tokens, p.en_span), "confidence": round(p.confidence, 3)}
            for p in result.phrases
        ],
        "aligner_version": result.aligner_version,
    }


def _write_output(rendered: Rendered, output: str | None, fmt: str = DEFAULT_EXPORT) -> None:
    """Standard output, or ``output`` written as the window's export writes (reader.export).

    Text ends with a line break; a binary format goes to standard output only when it is not a
    terminal (a pipe or a file), where the bytes cannot garble the screen.
    """
    from reader.export import rendered_bytes, write_export

    if isinstance(rendered, str) and not rendered.endswith("\n"):
        rendered += "\n"
    if output is not None:
        written = write_export(output, rendered)
        print(f"Wrote {written}", file=sys.stderr)
    elif isinstance(rendered, str):
        sys.stdout.write(rendered)
    elif sys.stdout.isatty():
        raise UsageError(f"{EXPORT[fmt].label} ({fmt}) is a binary format: give -o FILE, or redirect "
                         "the output to a file")
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(rendered_bytes(rendered))


def _text_argument(what: str) -> Callable[[str], str]:
    """An argparse type: NFKC-normalised ("ﬁets" is "fiets"), spaces collapsed, never empty."""

    def parse(text: str) -> str:
        value = " ".join(unicodedata.normalize("NFKC", text).split())
        if not value:
            raise argparse.ArgumentTypeError(f"give {what}, e.g. `bireader define fiets`")
        return value

    return parse


def _positive(text: str) -> int:
    """An argparse type: a whole number from 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"give a whole number from 1, not {text!r}")
    return value


def _suffixes(formats: Iterable[ExportFormat | ImportFormat]) -> str:
    return " ".join(s for f in formats for s in f.suffixes)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="bireader",
        description="Read Dutch articles beside their offline English translation.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"bireader {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, func: Callable[[argparse.Namespace], int], help: str):
        sp = sub.add_parser(name, help=help, description=help)
        sp.set_defaults(func=func)
        return sp

    sp = add("open", cmd_gui, "open an article in the reader window")
    sp.add_argument("file")
    sp.add_argument("--screenshot", metavar="OUT.png",
                    help="render offscreen, wait for translation, save a PNG and exit")
    sp.add_argument("--size", metavar="WxH", help="window size for --screenshot (default 1400x900)")

    sp = add("translate", cmd_translate, "translate an article and print it bilingually")
    sp.add_argument("file")
    sp.add_argument("--format", type=str.lower, choices=list(EXPORT),
                    help=f"default: from the suffix of OUT ({_suffixes(EXPORT.values())}), "
                         f"else {DEFAULT_EXPORT}")
    sp.add_argument("-o", "--output", metavar="OUT",
                    help="write to OUT instead of standard output (a FIFO or device is written in place)")
    sp.add_argument("--layout", choices=["side-by-side", "interleaved"],
                    help="md, html: Dutch beside English or each paragraph above its English "
                         "(default: md interleaved, html side by side)")
    sp.add_argument("--include", metavar="WHAT,…",
                    help="extra content, comma-separated: user (your version), origin, notes; "
                         "default: tsv nothing extra, md and html notes")
    sp.add_argument("--from", dest="source", default="nl", help=argparse.SUPPRESS)
    sp.add_argument("--to", dest="target", default="en", help=argparse.SUPPRESS)

    sp = add("export", cmd_export, "write documents from the library to files (see `library list`)")
    sp.add_argument("docs", nargs="+", type=int, metavar="DOC", help="document ids, as `library list` shows")
    sp.add_argument("--format", type=str.lower, choices=list(EXPORT),
                    help=f"default: from the suffix of OUT ({_suffixes(EXPORT.values())})")
    sp.add_argument("-o", "--output", metavar="OUT", required=True,
                    help="the file to write; for several documents in a format that holds one, a folder "
                         "(one file each)")
    sp.add_argument("--force", action="store_true", help="overwrite files that exist")
    sp.add_argument("--layout", choices=["side-by-side", "interleaved"], help="md, html: as for translate")
    sp.add_argument("--include", metavar="WHAT,…", help="tsv, md, html: as for translate")

    sp = add("import", cmd_import, "add articles to the library")
    readable = ", ".join(f"{f.label} ({_suffixes([f])})" for f in IMPORT.values()
                         if f.reader is not None and f.name != "text")
    later = ", ".join(f"{f.label} ({_suffixes([f])})" for f in IMPORT.values() if f.reader is None)
    sp.add_argument("files", nargs="+", metavar="FILE",
                    help=f"articles: plain text ({_suffixes([IMPORT['text']])} or any other name), "
                         f"{readable}, or a web page's address (http:// or https://, downloaded)"
                         + (f"; not read yet: {later}" if later else ""))

    sp = add("segment", cmd_segment, "print an article one sentence per line")
    sp.add_argument("file")

    sp = add("define", cmd_define, "look a Dutch word up in the FreeDict dictionary")
    sp.add_argument("word", type=_text_argument("a Dutch word to look up"))
    sp.add_argument("particle", nargs="?", type=_text_argument("a particle"),
                    help="the particle of a separable verb: `define belde op`")
    sp.set_defaults(parser=sp)

    sp = add("align", cmd_align, "word-align a Dutch sentence and its English translation")
    sp.add_argument("dutch")
    sp.add_argument("english")
    sp.add_argument("--pretokenized", action="store_true",
                    help="tokens are separated by spaces")
    sp.add_argument("--format", type=str.lower, choices=["pharaoh", "json"], default="pharaoh")

    lib = sub.add_parser("library", help="list or remove documents")
    lsub = lib.add_subparsers(dest="action", metavar="ACTION", required=True)
    lsub.add_parser("list", help="list documents").set_defaults(func=cmd_library_list)
    rm = lsub.add_parser("remove", help="remove a document (cached translations stay)")
    rm.add_argument("id", type=int)
    rm.set_defaults(func=cmd_library_remove)

    ann = sub.add_parser("annotations", help="add or list annotations (notes on the text)")
    asub = ann.add_subparsers(dest="action", metavar="ACTION", required=True)
    sp = asub.add_parser("add", help="annotate a quote in one sentence of a document")
    sp.add_argument("doc", type=int, metavar="DOC", help="document id (see `bireader library list`)")
    sp.add_argument("--sentence", type=_positive, required=True, metavar="N",
                    help="the sentence's number, from 1, in `bireader segment` order")
    sp.add_argument("--side", choices=["nl", "en"], default="nl",
                    help="annotate the Dutch text (default) or the English shown")
    sp.add_argument("--quote", required=True, type=_text_argument("the words to annotate"),
                    help="words of that sentence (the first occurrence is annotated)")
    sp.add_argument("--note", default="", help="the note (plain text)")
    sp.add_argument("--tag", action="append", default=[], metavar="T",
                    help="a tag; repeat for several (a comma is part of the tag)")
    sp.add_argument("--colour", "--color", default="yellow",
                    help="yellow (default), green, blue, pink or purple")
    sp.set_defaults(func=cmd_annotations_add)
    sp = asub.add_parser("list", help="list annotations of one document or the whole library")
    sp.add_argument("doc", type=int, nargs="?", metavar="DOC", help="document id (default: all)")
    sp.add_argument("--tag", metavar="T", help="only annotations with this tag")
    sp.add_argument("--format", type=str.lower, choices=["tsv", "json"], default="tsv")
    sp.set_defaults(func=cmd_annotations_list)

    phr = sub.add_parser("phrases", help="save or list Dutch phrases to learn")
    psub = phr.add_subparsers(dest="action", metavar="ACTION", required=True)
    sp = psub.add_parser("add", help="save a Dutch phrase of one sentence, with its context")
    sp.add_argument("doc", type=int, metavar="DOC", help="document id (see `bireader library list`)")
    sp.add_argument("--sentence", type=_positive, required=True, metavar="N",
                    help="the sentence's number, from 1, in `bireader segment` order")
    sp.add_argument("--quote", required=True, type=_text_argument("the Dutch words to save"),
                    help="the Dutch words as in the sentence; words with others between them in order"
                         " (`belde op` for `belde … op`)")
    sp.add_argument("--status", choices=["new", "learning", "known"], default="new")
    sp.set_defaults(func=cmd_phrases_add, parser=sp)
    sp = psub.add_parser("list", help="list saved phrases, oldest first")
    sp.add_argument("--status", choices=["new", "learning", "known"], help="only phrases with this status")
    sp.add_argument("--format", type=str.lower, choices=["tsv", "json"], default="tsv")
    sp.set_defaults(func=cmd_phrases_list)

    sp = add("search", cmd_search, "search the whole library: Dutch, translations, notes, phrases")
    sp.add_argument("query", metavar="QUERY", help="words (all must match; inflections and accents too)")
    sp.add_argument("--format", type=str.lower, choices=["tsv", "json"], default="tsv")
    sp.add_argument("--limit", type=_positive, default=100, metavar="N", help="at most N hits (default 100)")
    sp.set_defaults(parser=sp)

    mod = sub.add_parser("models", help="manage translation packages")
    msub = mod.add_subparsers(dest="action", metavar="ACTION", required=True)
    msub.add_parser("list", help="list installed packages").set_defaults(func=cmd_models_list)
    sp = msub.add_parser("install", help="install a .argosmodel file")
    sp.add_argument("file")
    sp.add_argument("--from", dest="source", default="nl", help="expected source language")
    sp.add_argument("--to", dest="target", default="en", help="expected target language")
    sp.set_defaults(func=cmd_models_install)
    sp = msub.add_parser("download", help="download and install from the Argos index")
    sp.add_argument("source", metavar="FROM")
    sp.add_argument("target", metavar="TO")
    sp.set_defaults(func=cmd_models_download)
    sp = msub.add_parser("remove", help="remove an installed package")
    sp.add_argument("package", metavar="PACKAGE", help="e.g. nl-en or translate-nl_en")
    sp.set_defaults(func=cmd_models_remove)
    return p


def main(
    argv: Sequence[str] | None = None, *, launch_window: Callable[[list[str]], int] | None = None
) -> int:
    """Run one command. ``launch_window(argv)`` opens the reader window (for `open` and for no
    command); the core has none of its own, so the GUI layer passes it in."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.launch_window = launch_window
    try:
        if args.command is None:
            return _launch_window(args, [])
        code = args.func(args)
        sys.stdout.flush()  # a full disk or closed pipe surfaces here, not at interpreter exit
        return code
    except UsageError as err:
        getattr(args, "parser", parser).error(str(err))  # exits with status 2, like argparse
        return EXIT_USAGE
    except ReaderError as err:
        print(f"bireader: {err}", file=sys.stderr)
        return EXIT_ERROR
    except sqlite3.DatabaseError as err:  # a library damaged outside our transactions
        print(f"bireader: the library database could not be read ({err}): move it away or set "
              "BIREADER_HOME to another folder.", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("bireader: interrupted; finished work is kept.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except OSError as err:  # e.g. stdout on a full disk
        print(f"bireader: could not write the output ({err.strerror or err}).", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
