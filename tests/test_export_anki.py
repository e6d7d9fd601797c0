"""Anki: saved phrases become Cloze notes that a second export updates instead of duplicating."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

from reader.errors import ReaderError
from reader.export import export_to_file
from reader.export_anki import DECK_ID, MODEL_ID
from reader.phrases import update_phrase
from reader.store import add_document
from tests.helpers_export import TITLE, make_rich
from tests.helpers_store import make_article


@pytest.fixture
def engine(tiny_package):
    from models.engine import Engine

    return Engine(tiny_package)


def notes(apkg: Path, tmp_path: Path) -> tuple[list[tuple[str, list[str], list[str]]], dict, dict]:
    """(guid, fields, tags) of every note, the note types and the decks, read as Anki reads them."""
    with zipfile.ZipFile(apkg) as z:
        collection = tmp_path / f"{apkg.stem}.anki2"
        collection.write_bytes(z.read("collection.anki2"))
    con = sqlite3.connect(collection)
    try:
        rows = con.execute("SELECT guid, flds, tags, mid FROM notes ORDER BY id").fetchall()
        models, decks = (json.loads(v) for v in con.execute("SELECT models, decks FROM col").fetchone())
    finally:
        con.close()
    assert {mid for *_, mid in rows} == {MODEL_ID}
    return [(guid, flds.split("\x1f"), tags.split()) for guid, flds, tags, _ in rows], models, decks


def test_saved_phrases_become_cloze_notes_with_context_gloss_note_and_tags(db, engine, tmp_path):
    rich = make_rich(db, engine)
    out = export_to_file(db, rich.doc_id, rich.model_key, tmp_path / "zinnen.apkg")
    found, models, decks = notes(out, tmp_path)
    assert models[str(MODEL_ID)]["type"] == 1  # a Cloze note type
    assert str(DECK_ID) in decks
    (_, first, tags1), (_, second, tags2) = found
    assert first[0] == ("Minister Koeleba {{c1::belde::called up}} zijn collega gisteren {{c1::op}}.")
    from reader.document import document_view

    translation = document_view(db, rich.doc_id, rich.model_key).sentences()[1].final
    assert first[1:5] == ["called up", translation.replace("&", "&amp;").replace("<", "&lt;")
                          .replace(">", "&gt;").replace('"', "&quot;"), "opbellen: to phone",
                          "scheidbaar werkwoord"]
    assert first[5] == TITLE.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert second[0] == "Het {{c1::gesprek::talk}} duurde anderhalf uur."
    slug = "koeleba-lavrov-script"
    assert tags1 == ["bilingual-reader", slug, "new"] and tags2 == ["bilingual-reader", slug, "learning"]


def test_a_second_export_after_an_edit_keeps_the_note_guids(db, engine, tmp_path):
    rich = make_rich(db, engine)
    before, _, _ = notes(export_to_file(db, rich.doc_id, rich.model_key, tmp_path / "een.apkg"), tmp_path)
    update_phrase(db, rich.phrase_ids[1], status="known", note="nu bekend")
    after, _, _ = notes(export_to_file(db, rich.doc_id, rich.model_key, tmp_path / "twee.apkg"), tmp_path)
    assert [g for g, _, _ in after] == [g for g, _, _ in before] and len(set(g for g, _, _ in after)) == 2
    assert after[1][1][4] == "nu bekend" and after[1][2][-1] == "known"


def test_a_document_without_saved_phrases_says_so_and_writes_nothing(db, tmp_path):
    doc_id, _ = add_document(db, make_article())
    with pytest.raises(ReaderError, match=r"“Lavrov en Koeleba” has no saved phrases, so there are no "
                                          r"flashcards to export"):
        export_to_file(db, doc_id, None, tmp_path / "leeg.apkg")
    assert not (tmp_path / "leeg.apkg").exists()
