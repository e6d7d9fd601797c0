"""`bireader import`, `translate`, `export` and `library`: articles into, out of and in the library.

Heavy modules are imported inside the commands, as in ``reader.cli``.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys

from reader.cli_base import (
    ALLOW_TEST_PACKAGE,
    EXIT_ERROR,
    EXIT_OK,
    Progress,
    UsageError,
    _model_key_or_none,
    _warn,
)
from reader.errors import ModelError, ReaderError
from reader.formats import DEFAULT_EXPORT, EXPORT, Rendered

LIBRARY_HEADER = "ID\tDATE\tTRANSLATED\tTITLE"


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
