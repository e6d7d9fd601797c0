"""Exports in every format: structure, the user's version winning, untranslated sentences."""

from __future__ import annotations

import json

import pytest

from reader.export import EDIT_MARK, FORMATS, ExportFailed, export_document, export_to_file
from reader.pipeline import translate_document
from reader.store import add_document, document_sentences, set_user_translation
from tests.helpers_store import BODY_1, HEADING, N_SENTENCES, make_article

EDIT = "For the first time\tsince the invasion,\nboth countries talked."
FLAT_EDIT = "For the first time since the invasion, both countries talked."


@pytest.fixture
def engine(tiny_package):
    from models.engine import Engine

    return Engine(tiny_package)


@pytest.fixture
def translated(db, engine):
    """The test article, translated by the tiny model, with sentence 2 edited by the user."""
    doc_id, _ = add_document(db, make_article())
    translate_document(db, doc_id, engine)
    rows = document_sentences(db, doc_id)
    set_user_translation(db, rows[1].id, EDIT)
    return doc_id


def test_tsv_has_one_sentence_a_line_and_a_blank_line_between_paragraphs(db, engine, translated):
    text = export_document(db, translated, engine.model_key, "tsv")
    blocks = text.rstrip("\n").split("\n\n")
    assert [len(b.split("\n")) for b in blocks] == [1, 2, 2]
    lines = [line for b in blocks for line in b.split("\n")]
    assert len(lines) == N_SENTENCES
    assert all(line.count("\t") == 1 for line in lines)
    sources = [line.split("\t")[0] for line in lines]
    assert sources[0] == HEADING
    assert " ".join(sources[1:3]) == BODY_1
    assert all(line.split("\t")[1] for line in lines)  # every sentence has a translation
    # The user's version wins, its tab and line break flattened to spaces.
    assert lines[1].split("\t")[1] == FLAT_EDIT


def test_tabs_and_line_breaks_in_the_source_do_not_break_rows(db, engine):
    doc_id, _ = add_document(db, make_article([("body", "Kolom\téén staat hier.")]))
    text = export_document(db, doc_id, engine.model_key, "tsv")
    assert text == "Kolom één staat hier.\t\n"


def test_untranslated_sentences_export_with_an_empty_translation(db):
    doc_id, _ = add_document(db, make_article())
    tsv = export_document(db, doc_id, "no-such-model", "tsv")
    assert [line.split("\t")[1] for line in tsv.split("\n") if line] == [""] * N_SENTENCES
    data = json.loads(export_document(db, doc_id, "no-such-model", "json"))
    sentences = [s for p in data["paragraphs"] for s in p["sentences"]]
    assert [(s["translation"], s["origin"]) for s in sentences] == [("", None)] * N_SENTENCES
    for fmt in ("md", "txt"):
        assert BODY_1.split(".")[0] in export_document(db, doc_id, "no-such-model", fmt)


def test_json_carries_metadata_both_sides_and_whose_translation_it_is(db, engine, translated):
    data = json.loads(export_document(db, translated, engine.model_key, "json"))
    assert data["format"] == "bilingual-reader/1"
    assert (data["title"], data["date"]) == ("Lavrov en Koeleba", "2022-03")
    assert data["id"] == translated and len(data["content_hash"]) == 64
    assert data["model_key"] == engine.model_key
    assert [p["kind"] for p in data["paragraphs"]] == ["heading", "body", "body"]
    sentences = [s for p in data["paragraphs"] for s in p["sentences"]]
    assert len(sentences) == N_SENTENCES
    assert [s["origin"] for s in sentences] == ["model", "user", "model", "model", "model"]
    edited = sentences[1]
    assert edited["translation"] == EDIT == edited["user_translation"]
    assert edited["model_translation"] and edited["model_translation"] != EDIT
    assert all(s["source"] and s["translation"] for s in sentences)
    assert data["paragraphs"][1]["source"] == BODY_1


def test_markdown_shows_headings_paragraphs_and_marks_the_users_version(db, engine, translated):
    text = export_document(db, translated, engine.model_key, "md")
    lines = text.split("\n")
    assert lines[0] == "# Lavrov en Koeleba"
    assert f"## {HEADING}" in lines
    assert BODY_1 in lines
    quotes = [line for line in lines if line.startswith("> ")]
    assert len(quotes) == 2  # one English blockquote per body paragraph
    assert quotes[0].startswith(f"> {FLAT_EDIT}")
    assert quotes[0].count(EDIT_MARK) == 1 and EDIT_MARK not in quotes[1]
    assert lines[-2] == f"{EDIT_MARK} your own translation"


def test_markdown_escapes_text_that_would_read_as_markup(db):
    doc_id, _ = add_document(db, make_article([("body", "# 1 *ster* en [link] | pijp.")]))
    text = export_document(db, doc_id, None, "md")
    assert r"\# 1 \*ster\* en \[link\] \| pijp." in text.split("\n")


def test_plain_text_gives_each_dutch_paragraph_then_its_english(db, engine, translated):
    text = export_document(db, translated, engine.model_key, "txt")
    blocks = text.rstrip("\n").split("\n\n")
    assert blocks[0] == "Lavrov en Koeleba\n=================\n2022-03"
    pairs = [b.split("\n") for b in blocks[1:]]
    assert [len(p) for p in pairs] == [2, 2, 2]
    assert pairs[0][0] == HEADING and pairs[1][0] == BODY_1
    assert pairs[1][1].startswith(f"{FLAT_EDIT} ")


def test_an_unknown_format_is_refused_by_name(db):
    doc_id, _ = add_document(db, make_article())
    with pytest.raises(ExportFailed, match="Unknown export format 'docx': choose one of tsv"):
        export_document(db, doc_id, None, "docx")


def test_export_to_file_picks_the_format_from_the_suffix(db, tmp_path):
    doc_id, _ = add_document(db, make_article())
    for fmt in FORMATS:
        out = export_to_file(db, doc_id, None, tmp_path / f"artikel.{fmt}")
        assert out.read_text(encoding="utf-8") == export_document(db, doc_id, None, fmt)
    with pytest.raises(ExportFailed, match="name it .tsv, .md, .txt or .json"):
        export_to_file(db, doc_id, None, tmp_path / "artikel.docx")
    with pytest.raises(ExportFailed, match="Could not write .*choose a writable folder"):
        export_to_file(db, doc_id, None, tmp_path / "missing-folder" / "a.tsv")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("artikel")) == [
        "artikel.json", "artikel.md", "artikel.tsv", "artikel.txt"]
