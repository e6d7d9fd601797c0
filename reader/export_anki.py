"""Anki (``.apkg``): the saved phrases of one or more documents as Cloze flashcards, with genanki.

Each phrase is one note: its Dutch sentence with the phrase as the cloze (a phrase in parts, such
as ``belde … op``, is one cloze over all its parts, the English phrase as the hint), and on the
back the English phrase, the sentence's translation, the gloss and the reader's note. Tags have
no spaces: ``bilingual-reader``, the document's slug and the phrase's status.

The note GUID comes from the phrase's id and creation time, and the model and deck ids are fixed,
so importing a second export into Anki updates the cards already there instead of adding copies
(and keeps their review history).
"""

from __future__ import annotations

import html
import itertools
import os
import re
import sqlite3
import tempfile
import time
import unicodedata
import zipfile
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, BinaryIO

from reader.document import DocumentView
from reader.errors import ReaderError

if TYPE_CHECKING:
    from reader.formats import ExportOptions
    from reader.phrases import SavedPhrase

MODEL_ID = 1_733_212_001  # fixed forever: Anki matches note types and decks by id
DECK_ID = 1_733_212_002
MODEL_NAME = "bilingual-reader phrase (cloze)"
DECK_NAME = "bilingual-reader: saved phrases"
TAG = "bilingual-reader"
FIELDS = ("Text", "English", "Translation", "Gloss", "Note", "Source")
CSS = """\
.card { font-family: sans-serif; font-size: 22px; text-align: left; }
.cloze { font-weight: bold; color: #1a5fb4; }
.en { color: #555; font-style: italic; }
.small { font-size: 16px; color: #666; }
"""
BACK = (
    "{{cloze:Text}}<hr id=answer>"
    "<div><b>{{English}}</b></div>"
    "<div class=en>{{Translation}}</div>"
    "{{#Gloss}}<div class=small>{{Gloss}}</div>{{/Gloss}}"
    "{{#Note}}<div class=small>{{Note}}</div>{{/Note}}"
    "<div class=small>{{Source}}</div>"
)


class NoPhrases(ReaderError):
    """An Anki export of documents without saved phrases would be an empty deck."""


def slug(title: str) -> str:
    """A tag from a title: lower-case ASCII words joined by hyphens (Anki splits tags at spaces)."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60].rstrip("-") or "document"


def _field(text: str) -> str:
    """Anki fields are HTML: the text shows as written, and braces cannot start a cloze."""
    return html.escape(text).replace("{", "&#123;").replace("}", "&#125;")


def cloze_text(phrase: SavedPhrase) -> str:
    """The sentence with every part of the phrase in cloze 1, the English phrase as the hint."""
    sentence = phrase.context_nl
    spans = sorted((s, e) for s, e in phrase.nl_spans if 0 <= s < e <= len(sentence))
    if not spans:  # no place in the sentence: the phrase itself is the cloze, the sentence after it
        hint = f"::{_field(phrase.en)}" if phrase.en else ""
        return f"{{{{c1::{_field(phrase.nl)}{hint}}}}}<br>{_field(sentence)}"
    out, at = [], 0
    for number, (start, end) in enumerate(spans):
        hint = f"::{_field(phrase.en)}" if phrase.en and number == 0 else ""
        out.append(_field(sentence[at:start]))
        out.append(f"{{{{c1::{_field(sentence[start:end])}{hint}}}}}")
        at = end
    out.append(_field(sentence[at:]))
    return "".join(out)


def to_anki(views: DocumentView | Sequence[DocumentView], options: ExportOptions | None = None,
            ) -> Callable[[BinaryIO], None]:
    """A stream writer of the ``.apkg`` of the documents' saved phrases (read from ``options.db``)."""
    import genanki

    from reader.phrases import list_phrases

    views = [views] if isinstance(views, DocumentView) else list(views)
    db = options.db if options is not None else None
    if db is None:
        raise NoPhrases("An Anki export needs the library the saved phrases are in: export from the "
                        "window or with `bireader export`")
    phrases = [(view, phrase) for view in views for phrase in list_phrases(db, doc_id=view.id)]
    if not phrases:
        names = ", ".join(f"“{v.title}”" for v in views)
        raise NoPhrases(f"{names} {'has' if len(views) == 1 else 'have'} no saved phrases, so there "
                        "are no flashcards to export: select words in the reader and save them as a "
                        "phrase, then export again")
    model = genanki.Model(
        MODEL_ID, MODEL_NAME, fields=[{"name": name} for name in FIELDS],
        templates=[{"name": "Cloze", "qfmt": "{{cloze:Text}}", "afmt": BACK}],
        css=CSS, model_type=genanki.Model.CLOZE,
    )
    deck = genanki.Deck(DECK_ID, DECK_NAME)
    for view, phrase in phrases:
        deck.add_note(genanki.Note(
            model=model,
            fields=[cloze_text(phrase), _field(phrase.en), _field(phrase.context_en), _field(phrase.gloss),
                    _field(phrase.note), _field(phrase.document_title or view.title)],
            tags=[TAG, slug(phrase.document_title or view.title), phrase.status],
            guid=genanki.guid_for(TAG, phrase.id, phrase.created_at),
        ))
    package = genanki.Package(deck)

    def write(f: BinaryIO) -> None:
        """genanki's ``write_to_file`` leaves its temporary collection in /tmp: build it in a
        folder of our own that is removed, then zip it as genanki would."""
        with tempfile.TemporaryDirectory(prefix="bireader-anki-") as folder:
            collection = os.path.join(folder, "collection.anki2")
            con = sqlite3.connect(collection)
            try:
                now = time.time()
                package.write_to_db(con.cursor(), now, itertools.count(int(now * 1000)))
                con.commit()
            finally:
                con.close()
            with zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as z:
                z.write(collection, "collection.anki2")
                z.writestr("media", "{}")

    return write
