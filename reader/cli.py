"""`bireader` command line. Every failure the user can act on ends as one line on stderr and exit 1.

Heavy modules (ctranslate2, sqlite-utils, Qt) are imported inside the commands that need them, so
`bireader --version` and `bireader segment` start fast.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from reader import __version__
from reader.errors import ModelError, ReaderError

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2
ALLOW_TEST_PACKAGE = "BIREADER_ALLOW_TEST_PACKAGE"


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
    from reader.pipeline import import_file
    from reader.store import get_document, open_db

    db = open_db()
    for name in args.files:
        doc_id, created = import_file(db, name, warn=_warn)
        doc = get_document(db, doc_id)
        state = "imported" if created else "already in the library"
        print(f"{doc_id}\t{doc['title']}\t({state})")
    return EXIT_OK


def cmd_translate(args: argparse.Namespace) -> int:
    from models.engine import Engine
    from models.packages import find_package, is_test_package
    from reader.export import export_document
    from reader.pipeline import import_file, translate_document
    from reader.store import open_db

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
    text = export_document(db, doc_id, engine.model_key, args.format)
    _write_output(text, args.output)
    return EXIT_OK


def cmd_library_list(args: argparse.Namespace) -> int:
    from reader.store import list_documents, open_db

    docs = list_documents(open_db(), _model_key_or_none())
    if not docs:
        print("The library is empty: add an article with `bireader import FILE`.", file=sys.stderr)
        return EXIT_OK
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


def cmd_models_list(args: argparse.Namespace) -> int:
    from models.packages import describe, installed_packages, packages_dir

    pkgs = installed_packages()
    if not pkgs:
        print(f"No translation packages in {packages_dir()}: run `bireader models download nl en`.",
              file=sys.stderr)
        return EXIT_OK
    for p in pkgs:
        print(describe(p))
    return EXIT_OK


def cmd_models_install(args: argparse.Namespace) -> int:
    from models.packages import describe, install_file

    pkg = install_file(args.file, expect_pair=(args.source, args.target))
    print(f"Installed {describe(pkg)}")
    return EXIT_OK


def cmd_models_download(args: argparse.Namespace) -> int:
    from models.packages import describe, download

    bar = Progress(f"Downloading {args.source}→{args.target}", "B")
    try:
        pkg = download(args.source, args.target, progress=bar)
    finally:
        bar.close()
    print(f"Installed {describe(pkg)}")
    return EXIT_OK


def cmd_models_remove(args: argparse.Namespace) -> int:
    from models.packages import remove

    removed = remove(args.package)
    print(f"Removed {removed}")
    return EXIT_OK


def cmd_define(args: argparse.Namespace) -> int:
    from reader.dictionary import Dictionary, format_entries

    d = Dictionary.open()
    results = d.lookup(args.word, particle=args.particle)
    if not any(r.entries for r in _as_list(results)):
        query = f"{args.word} {args.particle}" if args.particle else args.word
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
    from ui.app import run

    argv: list[str] = []
    if args.command == "open":
        argv = ["open", args.file]
        if args.screenshot:
            argv += ["--screenshot", args.screenshot]
        if args.size:
            argv += ["--size", args.size]
    return run(argv)


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


def _write_output(text: str, output: str | None) -> None:
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    out = Path(output)
    if out.is_dir():
        raise ReaderError(f"{out} is a folder: give a file name for the output.")
    tmp = out.with_name(out.name + ".part")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(out)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise ReaderError(f"Could not write {out}: {err.strerror or err}.") from err
    print(f"Wrote {out}", file=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="bireader",
        description="Read Dutch articles beside their offline English translation.",
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
    sp.add_argument("--format", choices=["tsv", "md", "txt", "json"], default="tsv")
    sp.add_argument("-o", "--output", metavar="OUT")
    sp.add_argument("--from", dest="source", default="nl", help=argparse.SUPPRESS)
    sp.add_argument("--to", dest="target", default="en", help=argparse.SUPPRESS)

    sp = add("import", cmd_import, "add articles to the library")
    sp.add_argument("files", nargs="+", metavar="FILE")

    sp = add("segment", cmd_segment, "print an article one sentence per line")
    sp.add_argument("file")

    sp = add("define", cmd_define, "look a Dutch word up in the FreeDict dictionary")
    sp.add_argument("word")
    sp.add_argument("particle", nargs="?", help="the particle of a separable verb: `define belde op`")

    sp = add("align", cmd_align, "word-align a Dutch sentence and its English translation")
    sp.add_argument("dutch")
    sp.add_argument("english")
    sp.add_argument("--pretokenized", action="store_true",
                    help="tokens are separated by spaces")
    sp.add_argument("--format", choices=["pharaoh", "json"], default="pharaoh")

    lib = sub.add_parser("library", help="list or remove documents")
    lsub = lib.add_subparsers(dest="action", metavar="ACTION", required=True)
    lsub.add_parser("list", help="list documents").set_defaults(func=cmd_library_list)
    rm = lsub.add_parser("remove", help="remove a document (cached translations stay)")
    rm.add_argument("id", type=int)
    rm.set_defaults(func=cmd_library_remove)

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


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        from ui.app import run

        return run([])
    try:
        code = args.func(args)
        sys.stdout.flush()  # a full disk or closed pipe surfaces here, not at interpreter exit
        return code
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
