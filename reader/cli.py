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
    """Each file on its own: one bad file is reported and the others are still imported."""
    from reader.pipeline import import_file
    from reader.store import get_document, open_db

    db = open_db()
    failed = 0
    for name in args.files:
        try:
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
    from reader.export import check_output_path, export_document, format_for_path
    from reader.pipeline import import_file, translate_document
    from reader.store import open_db

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
    _write_output(export_document(db, doc_id, engine.model_key, fmt), args.output, fmt)
    return EXIT_OK


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
    sp.add_argument("--from", dest="source", default="nl", help=argparse.SUPPRESS)
    sp.add_argument("--to", dest="target", default="en", help=argparse.SUPPRESS)

    sp = add("import", cmd_import, "add articles to the library")
    later = ", ".join(f"{f.label} ({_suffixes([f])})" for f in IMPORT.values() if f.reader is None)
    sp.add_argument("files", nargs="+", metavar="FILE",
                    help=f"plain-text articles ({_suffixes([IMPORT['text']])} or any other name)"
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
