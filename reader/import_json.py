"""Import of this app's JSON export (``reader.export_json``): the document comes back whole.

The file is read and checked completely before anything is written; then one transaction adds
the document with its sentences at the exported offsets (not segmented again: a newer segmenter
must not move annotations), the model's translations into the shared cache (kept if the cache
already has them), the reader's versions, corrected links, annotations, saved phrases and
alignments. A file from a newer schema version is refused with a message and changes nothing.

The alignment of each pair is stored under the key a library without the model's attention
looks it up by (``alignments.NO_ATTENTION``, no dictionary), so exporting again gives the same
alignment, and so the same bytes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from reader.errors import ImportFailed
from reader.export_json import FORMAT_NAME, SCHEMA_VERSION, export_dictionary
from reader.importer import PARAGRAPH_KINDS, Paragraph, ParsedArticle, content_hash

if TYPE_CHECKING:
    from sqlite_utils import Database

_FORMAT = re.compile(rf"\A{re.escape(FORMAT_NAME)}/(\d+)\Z")


@dataclass(frozen=True)
class RestoredArticle(ParsedArticle):
    """A parsed JSON export: ``restore(db)`` adds it with everything it holds and returns
    ``(document id, created)``, as ``store.add_document`` does for an article."""

    restore: Callable[[Database], tuple[int, bool]] | None = None


class _Damaged(Exception):
    """The file is not a whole export: reported as one sentence, nothing written."""


def read_json(data: bytes, name: str) -> RestoredArticle:
    """The import registry's reader for ``.json`` files written by ``bireader export``; another
    program's JSON is read as plain text, as it was before this reader existed."""
    from reader.formats import _looks_like_our_json
    from reader.importer import read_text

    if not _looks_like_our_json(data[:4096].removeprefix(b"\xef\xbb\xbf")):
        return read_text(data, name)  # type: ignore[return-value]
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ImportFailed(f"{name} is not UTF-8 text, so it is no bilingual-reader JSON export: "
                           "export the document again") from None
    except ValueError as err:
        raise ImportFailed(f"{name} is not valid JSON ({err}): it may be cut short; "
                           "export the document again") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("format"), str):
        raise ImportFailed(f"{name} is JSON but not a bilingual-reader export (it has no \"format\": "
                           f"\"{FORMAT_NAME}/…\"): import the article's text instead")
    m = _FORMAT.match(doc["format"])
    if not m:
        raise ImportFailed(f"{name} is a JSON file of format {doc['format']!r}, not a bilingual-reader "
                           "export: import the article's text instead")
    version = int(m.group(1))
    if version > SCHEMA_VERSION:
        raise ImportFailed(
            f"{name} was exported by a newer version of bilingual-reader (format {doc['format']}; this "
            f"version reads up to {FORMAT_NAME}/{SCHEMA_VERSION}): update bilingual-reader to import it"
        )
    try:
        plan = _plan(doc)
    except (_Damaged, KeyError, TypeError, ValueError, IndexError) as err:
        detail = str(err) if isinstance(err, _Damaged) else f"{type(err).__name__}: {err}"
        raise ImportFailed(f"{name} is a damaged bilingual-reader export ({detail}): "
                           "export the document again") from None
    paragraphs = [Paragraph(p["kind"], p["source"]) for p in plan["paragraphs"]]
    return RestoredArticle(
        title=plan["title"],
        date=plan["date"],
        paragraphs=paragraphs,
        content_hash=content_hash(paragraphs, plan["date"]),
        source_path=plan["source_path"],
        restore=lambda db: _restore(db, plan, paragraphs),
    )


# ---------------------------------------------------------------- checking


def _str(value: Any, what: str, *, optional: bool = False) -> Any:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise _Damaged(f"{what} is not text")
    return value


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Damaged(f"{what} is not a whole number")
    return value


def _span(value: Any, what: str, length: int) -> list[int]:
    if not isinstance(value, list) or len(value) != 2:
        raise _Damaged(f"{what} is not a [start, end] pair")
    start, end = _int(value[0], what), _int(value[1], what)
    if not 0 <= start <= end <= length:
        raise _Damaged(f"{what} {value} lies outside its text")
    return [start, end]


def _plan(doc: dict) -> dict:
    """Everything to write, checked: a damaged file fails here, before the library is touched."""
    paragraphs = doc["paragraphs"]
    if not isinstance(paragraphs, list) or not paragraphs:
        raise _Damaged("it has no paragraphs")
    plan_paragraphs = []
    for pn, p in enumerate(paragraphs):
        where = f"paragraph {pn + 1}"
        kind, text = _str(p["kind"], f"{where}'s kind"), _str(p["source"], f"{where}'s text")
        if kind not in PARAGRAPH_KINDS:
            raise _Damaged(f"{where} is of unknown kind {kind!r}")
        sentences = []
        previous_end = 0
        for sn, s in enumerate(p["sentences"]):
            swhere = f"sentence {sn + 1} of {where}"
            start, end = _span([s["start"], s["end"]], f"{swhere}'s offsets", len(text))
            if start < previous_end or text[start:end] != s["source"]:
                raise _Damaged(f"{swhere} does not match its paragraph's text at {start}–{end}")
            previous_end = end
            user = _str(s.get("user_translation"), f"{swhere}'s own version", optional=True)
            origin = s.get("origin")
            if user is not None and origin not in ("user", "alternative"):
                origin = "user"
            machine = _str(s.get("model_translation"), f"{swhere}'s translation", optional=True)
            alternatives = [[_str(t, f"{swhere}'s alternative"), float(score)]
                            for t, score in s.get("model_alternatives") or []]
            score = s.get("model_score")
            links = [
                {"target_hash": _str(lk["target_hash"], f"{swhere}'s link"),
                 "nl": _span(lk["nl"], f"{swhere}'s link", len(s["source"])),
                 "en": _span(lk["en"], f"{swhere}'s link", 1 << 62),
                 "linked": bool(lk["linked"]), "created_at": _str(lk["created_at"], "a link's date")}
                for lk in s.get("link_corrections") or []
            ]
            annotations = [_annotation(a, swhere, s) for a in s.get("annotations") or []]
            alignment = s.get("alignment")
            if alignment is not None:
                from reader.align import Alignment, AlignmentError

                try:
                    Alignment.from_json(alignment)
                except AlignmentError as err:
                    raise _Damaged(f"{swhere}'s alignment: {err}") from None
            sentences.append({
                "start": start, "end": end, "text": s["source"], "user": user, "origin": origin,
                "edited_at": _str(s.get("user_edited_at"), "an edit date", optional=True),
                "machine": machine, "score": None if score is None else float(score),
                "alternatives": alternatives, "links": links, "annotations": annotations,
                "alignment": alignment, "final": user if user is not None else (machine or ""),
            })
        plan_paragraphs.append({"kind": kind, "source": text, "sentences": sentences})
    phrases = [_phrase(ph, plan_paragraphs) for ph in doc.get("saved_phrases") or []]
    return {
        "title": _str(doc["title"], "the title"),
        "date": _str(doc.get("date"), "the date", optional=True),
        "source_path": _str(doc.get("source_path"), "the source path", optional=True),
        "imported_at": _str(doc.get("imported_at"), "the import date", optional=True),
        "model_key": _str(doc.get("model_key"), "the model key", optional=True),
        "paragraphs": plan_paragraphs,
        "phrases": phrases,
    }


def _annotation(a: dict, where: str, s: dict) -> dict:
    side = a["side"]
    if side not in ("nl", "en"):
        raise _Damaged(f"an annotation of {where} is on side {side!r}")
    start, end = _span([a["start"], a["end"]], f"an annotation of {where}", 1 << 62)
    group = a.get("group")
    return {
        "side": side, "start": start, "end": end, "exact": _str(a["exact"], "an annotation's quote"),
        "prefix": _str(a.get("prefix", ""), "a prefix"), "suffix": _str(a.get("suffix", ""), "a suffix"),
        "anchored_on": _str(a["anchored_on"], "an annotation's anchor"),
        "detached": bool(a.get("detached")),
        "group": None if group is None else _int(group, "an annotation's group"),
        "note": _str(a.get("note", ""), "a note"), "colour": _str(a.get("colour", "yellow"), "a colour"),
        "tags": [_str(t, "a tag") for t in a.get("tags") or []],
        "created_at": _str(a["created_at"], "a date"), "updated_at": _str(a["updated_at"], "a date"),
    }


def _phrase(ph: dict, paragraphs: list[dict]) -> dict:
    position = ph.get("sentence")
    if position is not None:
        pi, si = _int(position[0], "a phrase's paragraph"), _int(position[1], "a phrase's sentence")
        if not (0 <= pi < len(paragraphs) and 0 <= si < len(paragraphs[pi]["sentences"])):
            raise _Damaged(f"a saved phrase points at sentence {si + 1} of paragraph {pi + 1}, "
                           "which the document does not have")
        position = (pi, si)
    if ph.get("status", "new") not in ("new", "learning", "known"):
        raise _Damaged(f"a saved phrase has the unknown status {ph.get('status')!r}")
    nl = _str(ph["nl"], "a saved phrase")
    if not nl:
        raise _Damaged("a saved phrase is empty")
    return {
        "position": position, "document_title": _str(ph.get("document_title", ""), "a title"),
        "nl": nl, "nl_spans": json.dumps(ph.get("nl_spans") or []),
        "lemma_key": _str(ph["lemma_key"], "a lemma"),
        "en": _str(ph.get("en", ""), "a phrase's English"),
        "en_spans": json.dumps(ph.get("en_spans") or []),
        "context_nl": _str(ph["context_nl"], "a phrase's sentence"),
        "context_en": _str(ph.get("context_en", ""), "a phrase's translation"),
        "gloss": _str(ph.get("gloss", ""), "a gloss"), "note": _str(ph.get("note", ""), "a note"),
        "status": ph.get("status", "new"),
        "created_at": _str(ph["created_at"], "a date"), "updated_at": _str(ph["updated_at"], "a date"),
    }


# ---------------------------------------------------------------- writing


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _restore(db: Database, plan: dict, paragraphs: list[Paragraph]) -> tuple[int, bool]:
    """All or nothing; the same content already in the library is that document, unchanged."""
    from reader import store
    from reader.alignments import NO_ATTENTION, alignment_key, stored_version

    digest = content_hash(paragraphs, plan["date"])
    now = _now()
    version = stored_version(export_dictionary())
    with store.write_transaction(db):
        row = db.execute("SELECT id FROM documents WHERE content_hash = ?", [digest]).fetchone()
        if row is not None:
            return row[0], False
        doc_id = db.execute(
            "INSERT INTO documents (title, date, content_hash, source_path, imported_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [plan["title"], plan["date"], digest, plan["source_path"], plan["imported_at"] or now],
        ).lastrowid
        ids: dict[tuple[int, int], int] = {}
        groups: dict[int, int] = {}
        for pi, p in enumerate(plan["paragraphs"]):
            paragraph_id = db.execute(
                "INSERT INTO paragraphs (document_id, idx, kind, text) VALUES (?, ?, ?, ?)",
                [doc_id, pi, p["kind"], p["source"]],
            ).lastrowid
            for si, s in enumerate(p["sentences"]):
                digest_s = store.source_hash(s["text"])
                if s["machine"] and plan["model_key"]:  # before the sentence: its search row follows
                    db.execute(
                        "INSERT OR IGNORE INTO translations (model_key, source_hash, source, target,"
                        " source_tokens, target_tokens, attention, attention_shape, score, alternatives,"
                        " created_at) VALUES (?, ?, ?, ?, '[]', '[]', NULL, NULL, ?, ?, ?)",
                        [plan["model_key"], digest_s, s["text"], s["machine"], s["score"],
                         json.dumps(s["alternatives"], ensure_ascii=False), now],
                    )
                sid = db.execute(
                    'INSERT INTO sentences (document_id, paragraph_id, idx, start, "end", text, source_hash)'
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [doc_id, paragraph_id, si, s["start"], s["end"], s["text"], digest_s],
                ).lastrowid
                ids[(pi, si)] = sid
                if s["user"] is not None:
                    db.execute(
                        "INSERT INTO user_translations (sentence_id, text, edited_at, origin)"
                        " VALUES (?, ?, ?, ?)",
                        [sid, s["user"], s["edited_at"] or now, s["origin"]],
                    )
                for lk in s["links"]:
                    db.execute(
                        "INSERT OR REPLACE INTO link_corrections (sentence_id, target_hash, nl_start,"
                        " nl_end, en_start, en_end, linked, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [sid, lk["target_hash"], *lk["nl"], *lk["en"], int(lk["linked"]), lk["created_at"]],
                    )
                for a in s["annotations"]:
                    ann_id = db.execute(
                        'INSERT INTO annotations (document_id, sentence_id, side, start, "end", exact,'
                        " prefix, suffix, anchored_on, detached, note, colour, created_at, updated_at)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [doc_id, sid, a["side"], a["start"], a["end"], a["exact"], a["prefix"],
                         a["suffix"], a["anchored_on"], int(a["detached"]), a["note"], a["colour"],
                         a["created_at"], a["updated_at"]],
                    ).lastrowid
                    if a["group"] is not None:
                        group_id = groups.setdefault(a["group"], ann_id)
                        db.execute("UPDATE annotations SET group_id = ? WHERE id = ?", [group_id, ann_id])
                    for tag in a["tags"]:
                        db.execute("INSERT OR IGNORE INTO annotation_tags (annotation_id, tag) VALUES (?, ?)",
                                   [ann_id, tag])
                if s["alignment"] is not None and s["final"]:
                    key = alignment_key(s["text"], s["final"], NO_ATTENTION)
                    db.execute(
                        "INSERT OR REPLACE INTO alignments (key, aligner_version, data) VALUES (?, ?, ?)",
                        [key, version, json.dumps(s["alignment"], ensure_ascii=False)],
                    )
        for ph in plan["phrases"]:
            sid = ids[ph["position"]] if ph["position"] is not None else None
            db.execute(
                "INSERT INTO saved_phrases (document_id, sentence_id, document_title, nl, nl_spans,"
                " lemma_key, en, en_spans, context_nl, context_en, gloss, note, status, created_at,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [doc_id, sid, ph["document_title"], ph["nl"], ph["nl_spans"], ph["lemma_key"], ph["en"],
                 ph["en_spans"], ph["context_nl"], ph["context_en"], ph["gloss"], ph["note"],
                 ph["status"], ph["created_at"], ph["updated_at"]],
            )
    return doc_id, True
