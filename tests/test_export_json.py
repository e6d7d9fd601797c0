"""The JSON export holds the whole document and `bireader import FILE.json` brings it back exactly."""

from __future__ import annotations

import json
import sqlite3

import pytest

from reader.cli import main
from reader.errors import ImportFailed
from reader.export import export_document, export_to_file
from reader.pipeline import import_file
from reader.store import add_document, list_documents, open_db
from tests.conftest import ROOT
from tests.helpers_export import ALTERNATIVE, PARAGRAPHS, TITLE, USER_EDIT, make_rich
from tests.helpers_store import make_article


@pytest.fixture
def engine(tiny_package):
    from models.engine import Engine

    return Engine(tiny_package)


@pytest.fixture
def rich(db, engine):
    return make_rich(db, engine)


def sentences(data: dict) -> list[dict]:
    return [s for p in data["paragraphs"] for s in p["sentences"]]


def test_json_holds_every_part_of_the_document_without_database_ids(db, rich):
    text = export_document(db, rich.doc_id, rich.model_key, "json")
    data = json.loads(text)
    assert data["format"] == "bilingual-reader/2"
    assert data["title"] == TITLE and data["date"] == "2022-03-10"
    assert [(p["kind"], p["source"]) for p in data["paragraphs"]] == PARAGRAPHS
    ss = sentences(data)
    assert [s["origin"] for s in ss[:3]] == ["model", "user", "alternative"]
    assert ss[1]["translation"] == USER_EDIT and ss[1]["model_translation"] not in (None, USER_EDIT)
    assert ss[2]["user_translation"] == ALTERNATIVE and ss[2]["user_edited_at"]
    for p in data["paragraphs"]:
        for s in p["sentences"]:
            assert p["source"][s["start"] : s["end"]] == s["source"]
            assert s["alignment"]["links"] is not None  # every sentence is translated
            assert all(0 <= conf <= 1 for _, _, conf in s["alignment"]["links"])
    notes = [(a["side"], a["exact"], a["note"], a["group"], a["tags"]) for s in ss for a in s["annotations"]]
    assert notes == [("nl", "Koeleba", "naam: Kuleba", None, ["namen", "te leren"]),
                     ("nl", "collega gisteren op.", "wie en wat", 0, []),
                     ("en", "Minister", "<b>vet</b> & ]]>", None, []),
                     ("nl", "Het gesprek", "wie en wat", 0, [])]
    assert ss[2]["link_corrections"] == [
        {"target_hash": ss[2]["link_corrections"][0]["target_hash"], "nl": [4, 11], "en": [4, 8],
         "linked": True, "created_at": ss[2]["link_corrections"][0]["created_at"]}]
    phrases = [(p["sentence"], p["nl"], p["en"], p["status"]) for p in data["saved_phrases"]]
    assert phrases == [([1, 0], "belde … op", "called up", "new"), ([1, 1], "gesprek", "talk", "learning")]
    assert '"id"' not in text and "sentence_id" not in text  # positions, never database ids


def test_json_round_trip_through_import_is_byte_identical(db, rich, tmp_path, monkeypatch):
    first = export_to_file(db, rich.doc_id, rich.model_key, tmp_path / "artikel.json")
    other = open_db(tmp_path / "other" / "library.sqlite")  # another library: ids start afresh
    add_document(other, make_article())
    doc_id, created = import_file(other, first)
    assert created and doc_id == 2
    again = export_to_file(other, doc_id, rich.model_key, tmp_path / "again.json")
    assert again.read_bytes() == first.read_bytes()
    # and the restored parts are live rows, not text: the saved phrase search finds the note
    from reader.phrases import list_phrases

    assert [p.note for p in list_phrases(other, doc_id=doc_id)] == ["scheidbaar werkwoord", ""]


def test_importing_the_same_export_twice_adds_nothing(db, rich, tmp_path):
    out = export_to_file(db, rich.doc_id, rich.model_key, tmp_path / "artikel.json")
    before = db.execute("SELECT count(*) FROM annotations").fetchone()[0]
    assert import_file(db, out) == (rich.doc_id, False)
    assert db.execute("SELECT count(*) FROM annotations").fetchone()[0] == before


def test_a_newer_schema_version_is_refused_and_changes_nothing(db, rich, tmp_path):
    data = json.loads(export_document(db, rich.doc_id, rich.model_key, "json"))
    data["format"] = "bilingual-reader/3"
    newer = tmp_path / "nieuw.json"
    newer.write_text(json.dumps(data), encoding="utf-8")
    other = open_db(tmp_path / "other.sqlite")
    with pytest.raises(ImportFailed, match=r"nieuw\.json was exported by a newer version of bilingual-reader "
                                           r"\(format bilingual-reader/3; this version reads up to "
                                           r"bilingual-reader/2\): update bilingual-reader"):
        import_file(other, newer)
    assert list_documents(other) == []


def test_a_damaged_export_is_refused_before_anything_is_written(db, rich, tmp_path):
    data = json.loads(export_document(db, rich.doc_id, rich.model_key, "json"))
    data["saved_phrases"][1]["sentence"] = [7, 0]  # past the end: found only after the sentences
    bad = tmp_path / "kapot.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    cut = tmp_path / "afgebroken.json"
    cut.write_text(export_document(db, rich.doc_id, rich.model_key, "json")[:3000], encoding="utf-8")
    other = open_db(tmp_path / "other.sqlite")
    with pytest.raises(ImportFailed, match=r"kapot\.json is a damaged bilingual-reader export \(a saved "
                                           r"phrase points at sentence 1 of paragraph 8"):
        import_file(other, bad)
    with pytest.raises(ImportFailed, match=r"afgebroken\.json is not valid JSON .*export the document again"):
        import_file(other, cut)
    con = sqlite3.connect(tmp_path / "other.sqlite")
    assert [con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("documents", "sentences", "translations", "annotations")] == [0, 0, 0, 0]


def test_cli_import_restores_the_json_and_another_programs_json_is_still_text(db, rich, tmp_path, capsys):
    out = export_to_file(db, rich.doc_id, rich.model_key, tmp_path / "artikel.json")
    assert main(["import", str(out)]) == 0
    line = capsys.readouterr().out
    assert line.endswith(f"\t{TITLE}\t(imported)\n")
    home = open_db()
    (doc,) = list_documents(home)
    counted = home.execute("SELECT count(*) FROM annotations WHERE document_id = ?", [doc["id"]])
    assert counted.fetchone()[0] == 4
    notes = tmp_path / "notitie.json"
    notes.write_text('{"boodschappen": "Melk, brood en kaas voor het weekend kopen."}', encoding="utf-8")
    assert main(["import", str(notes)]) == 0
    assert "(imported)" in capsys.readouterr().out


def test_an_export_of_the_first_schema_still_imports_with_its_translations(tmp_path):
    """tests/data/export-schema-1.json was written by the schema-1 writer (database ids, no
    annotations) of an earlier version: it still imports, with the model's and the reader's English."""
    from reader.document import document_view

    old = ROOT / "tests" / "data" / "export-schema-1.json"
    written = json.loads(old.read_text(encoding="utf-8"))
    assert written["format"] == "bilingual-reader/1"
    other = open_db(tmp_path / "other.sqlite")
    doc_id, created = import_file(other, old)
    assert created
    after = document_view(other, doc_id, written["model_key"])
    assert [(s.text, s.final, s.origin) for s in after.sentences()] == [
        (s["source"], s["translation"], s["origin"])
        for p in written["paragraphs"] for s in p["sentences"]
    ]
    assert [p.kind for p in after.paragraphs] == ["heading", "body", "list_item"]
