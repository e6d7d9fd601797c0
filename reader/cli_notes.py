"""`bireader annotations`, `phrases` and `search`: the reader's own notes, saved phrases, and finding them.

Heavy modules are imported inside the commands, as in ``reader.cli``.
"""

from __future__ import annotations

import argparse
import json
import sys

from reader.cli_base import EXIT_OK, UsageError, _model_key_or_none


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
