"""`bireader` command line. Every failure the user can act on ends as one line on stderr and exit 1.

Heavy modules (ctranslate2, sqlite-utils, Qt) are imported inside the commands that need them, so
`bireader --version` and `bireader segment` start fast.

The commands live by topic (``cli_library``: import, translate, export, library; ``cli_notes``:
annotations, phrases, search; ``cli_models``: models); this module assembles the parser and runs one.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import unicodedata
from collections.abc import Callable, Iterable, Sequence

from reader import __version__
from reader.cli_base import ALLOW_TEST_PACKAGE, EXIT_ERROR, EXIT_OK, EXIT_USAGE, UsageError, _warn

# The `NAME as NAME` imports are re-exports: tests and scripts know them as reader.cli.NAME.
from reader.cli_library import LIBRARY_HEADER as LIBRARY_HEADER
from reader.cli_library import _write_output as _write_output
from reader.cli_library import (
    cmd_export,
    cmd_import,
    cmd_library_list,
    cmd_library_remove,
    cmd_translate,
)
from reader.cli_models import cmd_models_download, cmd_models_install, cmd_models_list, cmd_models_remove
from reader.cli_notes import ANNOTATIONS_HEADER as ANNOTATIONS_HEADER
from reader.cli_notes import PHRASES_HEADER as PHRASES_HEADER
from reader.cli_notes import (
    cmd_annotations_add,
    cmd_annotations_list,
    cmd_phrases_add,
    cmd_phrases_list,
    cmd_search,
)
from reader.errors import ReaderError
from reader.formats import DEFAULT_EXPORT, EXPORT, IMPORT, ExportFormat, ImportFormat

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


# ---------------------------------------------------------------- commands


def cmd_segment(args: argparse.Namespace) -> int:
    from reader.segment import split_sentences

    article = _read(args.file)
    blocks = ["\n".join(split_sentences(p.text)) for p in article.paragraphs]
    print("\n\n".join(blocks))
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


def _as_list(results):
    return results if isinstance(results, list) else [results]


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
