"""JSON: the complete document, for another program or for moving it to another library.

Everything the reader made is here, so that ``bireader import FILE.json`` (``reader.import_json``)
restores the document: paragraphs with their kinds, sentences with their offsets in the paragraph,
the model's translation (with score and alternatives) and the reader's version with its origin,
each sentence's word alignment (links with confidences, phrase pairs), corrected links,
annotations with their W3C selectors (position and quote), and the saved phrases.

No database id appears: sentences are placed by position (paragraph and sentence number) and
annotation groups are numbered in reading order. So a document exported, imported into another
library and exported again gives the same bytes.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from reader.document import DocumentView

if TYPE_CHECKING:
    from sqlite_utils import Database

    from reader.formats import ExportOptions

FORMAT_NAME = "bilingual-reader"
SCHEMA_VERSION = 2  # 1: no alignments, annotations, phrases or corrected links; database ids
FORMAT_ID = f"{FORMAT_NAME}/{SCHEMA_VERSION}"


def to_json(view: DocumentView, options: ExportOptions | None = None) -> str:
    """The document as JSON text (UTF-8, two-space indent); the library's parts (alignments,
    annotations, phrases, corrected links) come from ``options.db``."""
    db = options.db if options is not None else None
    return json.dumps(document_data(view, db), ensure_ascii=False, indent=2) + "\n"


def document_data(view: DocumentView, db: Database | None) -> dict[str, Any]:
    extra = _LibraryParts(view, db) if db is not None else None
    return {
        "format": FORMAT_ID,
        "title": view.title,
        "date": view.date,
        "source_path": view.source_path,
        "imported_at": view.imported_at,
        "content_hash": view.content_hash,
        "model_key": view.model_key,
        "paragraphs": [
            {
                "idx": p.idx,
                "kind": p.kind,
                "source": p.text,
                "translation": p.final,
                "sentences": [
                    {
                        "idx": s.idx,
                        "start": s.start,
                        "end": s.end,
                        "source": s.text,
                        "translation": s.final,
                        "origin": s.origin,  # "user", "alternative", "model" or None (untranslated)
                        "model_translation": s.machine,
                        "model_score": s.translation.score if s.translation is not None else None,
                        "model_alternatives": (
                            [[text, score] for text, score in s.translation.alternatives]
                            if s.translation is not None else []
                        ),
                        "user_translation": s.user_text,
                        "user_edited_at": extra.edited_at.get(s.id) if extra else None,
                        "alignment": extra.alignments.get(s.id) if extra else None,
                        "link_corrections": extra.links.get(s.id, []) if extra else [],
                        "annotations": extra.annotations.get(s.id, []) if extra else [],
                    }
                    for s in p.sentences
                ],
            }
            for p in view.paragraphs
        ],
        "saved_phrases": extra.phrases if extra else [],
    }


def export_dictionary():
    """The dictionary alignments are made with here (None when not installed): export and import
    use the same, so an imported alignment is the one found again."""
    from reader.alignments import open_dictionary_or_none

    return open_dictionary_or_none()[0]


class _LibraryParts:
    """What the library holds for a document beyond the view, keyed by sentence id."""

    def __init__(self, view: DocumentView, db: Database) -> None:
        self.position = {s.id: [p.idx, s.idx] for p in view.paragraphs for s in p.sentences}
        ids = list(self.position)
        self.edited_at = dict(self._by_sentence(
            db, "SELECT sentence_id, edited_at FROM user_translations WHERE sentence_id IN ({})", ids))
        self.alignments = self._alignments(db, view)
        self.links: dict[int, list[dict]] = {}
        for sid, target_hash, nl_start, nl_end, en_start, en_end, linked, created_at in self._by_sentence(
            db,
            "SELECT sentence_id, target_hash, nl_start, nl_end, en_start, en_end, linked, created_at"
            " FROM link_corrections WHERE sentence_id IN ({})"
            " ORDER BY sentence_id, target_hash, nl_start, en_start",
            ids,
        ):
            self.links.setdefault(sid, []).append({
                "target_hash": target_hash, "nl": [nl_start, nl_end], "en": [en_start, en_end],
                "linked": bool(linked), "created_at": created_at,
            })
        self.annotations = self._annotations(db, view.id)
        self.phrases = self._phrases(db, view.id)

    @staticmethod
    def _by_sentence(db: Database, sql: str, ids: list[int]) -> list[tuple]:
        rows: list[tuple] = []
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            rows += db.execute(sql.format(", ".join("?" * len(chunk))), chunk).fetchall()
        return rows

    @staticmethod
    def _alignments(db: Database, view: DocumentView) -> dict[int, dict]:
        """Each translated sentence's alignment as the library keeps it (computed now when
        missing, with the dictionary as the window would): the same pair exports the same links."""
        from reader.alignments import document_alignments

        if not any(s.origin for s in view.sentences()):
            return {}
        aligned = document_alignments(db, view.id, view.model_key, dictionary=export_dictionary())
        return {sid: a.to_json() for sid, a in aligned.items()}

    def _annotations(self, db: Database, doc_id: int) -> dict[int, list[dict]]:
        tags: dict[int, list[str]] = {}
        for ann_id, tag in db.execute(
            "SELECT t.annotation_id, t.tag FROM annotation_tags t JOIN annotations a"
            " ON a.id = t.annotation_id WHERE a.document_id = ? ORDER BY t.tag",
            [doc_id],
        ):
            tags.setdefault(ann_id, []).append(tag)
        rows = db.execute(
            'SELECT id, sentence_id, side, start, "end", exact, prefix, suffix, anchored_on, detached,'
            " group_id, note, colour, created_at, updated_at FROM annotations WHERE document_id = ?",
            [doc_id],
        ).fetchall()
        rows.sort(key=lambda r: (self.position.get(r[1], [1 << 62, 0]), r[0]))  # reading order
        groups: dict[int, int] = {}
        found: dict[int, list[dict]] = {}
        for (ann_id, sid, side, start, end, exact, prefix, suffix, anchored_on, detached, group_id,
             note, colour, created_at, updated_at) in rows:
            if sid not in self.position:
                continue
            group = None if group_id is None else groups.setdefault(group_id, len(groups))
            found.setdefault(sid, []).append({
                "side": side, "start": start, "end": end, "exact": exact, "prefix": prefix,
                "suffix": suffix, "anchored_on": anchored_on, "detached": bool(detached),
                "group": group, "note": note, "colour": colour, "tags": tags.get(ann_id, []),
                "created_at": created_at, "updated_at": updated_at,
            })
        return found

    def _phrases(self, db: Database, doc_id: int) -> list[dict]:
        phrases = []
        for (sid, title, nl, nl_spans, lemma_key, en, en_spans, context_nl, context_en, gloss, note,
             status, created_at, updated_at) in db.execute(
            "SELECT sentence_id, document_title, nl, nl_spans, lemma_key, en, en_spans, context_nl,"
            " context_en, gloss, note, status, created_at, updated_at FROM saved_phrases"
            " WHERE document_id = ? ORDER BY id",
            [doc_id],
        ):
            phrases.append({
                "sentence": self.position.get(sid), "document_title": title, "nl": nl,
                "nl_spans": json.loads(nl_spans), "lemma_key": lemma_key, "en": en,
                "en_spans": json.loads(en_spans), "context_nl": context_nl, "context_en": context_en,
                "gloss": gloss, "note": note, "status": status, "created_at": created_at,
                "updated_at": updated_at,
            })
        return phrases
