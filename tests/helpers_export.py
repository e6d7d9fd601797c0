"""A document with everything an export can carry, for the TMX, EPUB, Anki and JSON tests.

Built through the real APIs (store, pipeline with the tiny model, annotations, links, phrases),
with text that breaks careless writers: ``<script>``, ``]]>``, ``&amp;``, ``|`` and a tab.
"""

from __future__ import annotations

from dataclasses import dataclass

from reader.importer import Paragraph, ParsedArticle, content_hash
from reader.store import add_document, document_sentences, set_user_translation

TITLE = "Koeleba & Lavrov <script>"
PARAGRAPHS = [
    ("heading", "Koeleba & Lavrov <script>"),
    ("body", "Minister Koeleba belde zijn collega gisteren op. Het gesprek duurde anderhalf uur."),
    ("heading", "Geen afspraken"),
    ("list_item", "Er is geen staakt-het-vuren."),
    ("list_item", "De code <script>alert(1)</script> en ]]> blijven tekst."),
    ("quote", "Wij willen vrede &amp; rust | nu\tmeteen."),
]
USER_EDIT = "Minister Kuleba called his colleague <b>yesterday</b> & more."
ALTERNATIVE = "The talk lasted ninety minutes."


@dataclass
class Rich:
    doc_id: int
    model_key: str
    sentence_ids: list[int]
    phrase_ids: list[int]


def rich_article(date: str | None = "2022-03-10") -> ParsedArticle:
    paras = [Paragraph(kind, text) for kind, text in PARAGRAPHS]  # type: ignore[arg-type]
    return ParsedArticle(TITLE, date, paras, content_hash(paras, date), "/tmp/artikel.txt")


def make_rich(db, engine) -> Rich:
    """The article translated by the tiny model; sentence 2 edited, sentence 3 an alternative;
    three annotations (one with tags, one a selection over two sentences), a corrected link and
    two saved phrases."""
    from reader.annotations import add_annotation, add_annotation_range
    from reader.links import set_link
    from reader.phrases import save_phrase
    from reader.pipeline import translate_document

    doc_id, _ = add_document(db, rich_article())
    translate_document(db, doc_id, engine)
    ids = [r.id for r in document_sentences(db, doc_id)]
    set_user_translation(db, ids[1], USER_EDIT)
    set_user_translation(db, ids[2], ALTERNATIVE, origin="alternative")
    add_annotation(db, doc_id, ids[1], "nl", 9, 16, note="naam: Kuleba", colour="green",
                   tags=("namen", "te leren"))
    add_annotation_range(db, doc_id, "nl", (ids[1], 28), (ids[2], 11), note="wie en wat", colour="blue")
    add_annotation(db, doc_id, ids[1], "en", 0, 8, note="<b>vet</b> & ]]>", colour="pink")
    set_link(db, ids[2], ALTERNATIVE, (4, 11), (4, 8), True)
    sentence = "Minister Koeleba belde zijn collega gisteren op."
    belde, op = sentence.index("belde"), sentence.index(" op.") + 1
    p1 = save_phrase(db, doc_id, ids[1], [(belde, belde + 5), (op, op + 2)], en="called up",
                     gloss="opbellen: to phone", note="scheidbaar werkwoord", dictionary=None)
    gesprek = "Het gesprek duurde anderhalf uur.".index("gesprek")
    p2 = save_phrase(db, doc_id, ids[2], [(gesprek, gesprek + 7)], en="talk", status="learning",
                     dictionary=None)
    return Rich(doc_id, engine.model_key, ids, [p1.id, p2.id])
