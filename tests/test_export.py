"""Exports in every format: structure, the user's version winning, untranslated sentences."""

from __future__ import annotations

import json

import pytest

from reader.export import EDIT_MARK, FORMATS, ExportFailed, export_document, export_to_file
from reader.formats import EXPORT
from reader.pipeline import translate_document
from reader.store import add_document, document_sentences, set_user_translation
from tests.helpers_store import BODY_1, BODY_2, HEADING, N_SENTENCES, make_article

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
    assert data["format"] == "bilingual-reader/2"
    assert (data["title"], data["date"]) == ("Lavrov en Koeleba", "2022-03")
    assert "id" not in data and len(data["content_hash"]) == 64  # no database ids (reader.export_json)
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
    texts = [fmt for fmt in FORMATS if EXPORT[fmt].output == "text"]  # packages: their own tests
    for fmt in texts:
        out = export_to_file(db, doc_id, None, tmp_path / f"artikel{EXPORT[fmt].suffixes[0]}")
        assert out.read_text(encoding="utf-8") == export_document(db, doc_id, None, fmt)
    with pytest.raises(ExportFailed, match=r"name it \.tsv, \.md, .* or \.\w+, or choose"):
        export_to_file(db, doc_id, None, tmp_path / "artikel.docx")
    with pytest.raises(ExportFailed, match="missing-folder does not exist; create it or choose another"):
        export_to_file(db, doc_id, None, tmp_path / "missing-folder" / "a.tsv")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("artikel")) == sorted(
        f"artikel{EXPORT[fmt].suffixes[0]}" for fmt in texts)


# ---------------------------------------------------------------- structure: title, lists, quotes

STRUCTURED = [
    ("heading", "Lavrov en Koeleba"),  # the heading the title was made from
    ("body", BODY_1),
    ("list_item", "Oekraïne"),
    ("list_item", "Rusland"),
    ("list_item", "Turkije"),
    ("quote", "Wij willen vrede."),
    ("heading", "Tussenkop"),
    ("body", BODY_2),
]
ITEMS = ["Oekraïne", "Rusland", "Turkije"]


@pytest.fixture
def structured(db, engine):
    doc_id, _ = add_document(db, make_article(STRUCTURED, title="Lavrov en Koeleba"))
    translate_document(db, doc_id, engine)
    return doc_id


def test_markdown_keeps_lists_and_quotes_and_writes_the_title_heading_once(db, engine, structured):
    text = export_document(db, structured, engine.model_key, "md")
    lines = text.split("\n")
    assert lines[0] == "# Lavrov en Koeleba"
    assert lines[2].startswith("*") and lines[2].endswith("*")  # the title's English
    assert text.count("Lavrov en Koeleba") == 1
    assert "## Tussenkop" in lines
    first = lines.index("- Oekraïne")
    # One list: item, its English inside the item, next item, with no blank line in between.
    assert lines[first:first + 6:2] == [f"- {item}" for item in ITEMS]
    assert all(line.startswith("  > ") and len(line) > 4 for line in lines[first + 1:first + 7:2])
    assert lines[first + 6] == ""
    quote = lines.index("> Wij willen vrede.")
    assert lines[quote + 1] == ">" and lines[quote + 2].startswith("> > ")


def test_plain_text_keeps_lists_and_quotes_and_writes_the_title_once(db, engine, structured):
    text = export_document(db, structured, engine.model_key, "txt")
    blocks = [b.split("\n") for b in text.rstrip("\n").split("\n\n")]
    assert blocks[0][:2] == ["Lavrov en Koeleba", "================="] and blocks[0][-1] == "2022-03"
    assert len(blocks[0]) == 4  # title, underline, its English, date
    assert text.count("Lavrov en Koeleba") == 1
    lists = [b for b in blocks if b[0].startswith("- ")]
    assert len(lists) == 1
    assert lists[0][0::2] == [f"- {item}" for item in ITEMS]
    assert all(line.startswith("  ") and line.strip() for line in lists[0][1::2])
    quotes = [b for b in blocks if b[0].startswith("> ")]
    assert len(quotes) == 1 and quotes[0][0] == "> Wij willen vrede."
    assert len(quotes[0]) == 2 and quotes[0][1].startswith("> ")


def test_tsv_keeps_a_list_together_and_json_keeps_the_kinds(db, engine, structured):
    blocks = export_document(db, structured, engine.model_key, "tsv").rstrip("\n").split("\n\n")
    sources = [[line.split("\t")[0] for line in b.split("\n")] for b in blocks]
    assert ITEMS in sources  # the three items form one block
    assert ["Lavrov en Koeleba"] in sources and len(sources) == 6
    data = json.loads(export_document(db, structured, engine.model_key, "json"))
    assert [p["kind"] for p in data["paragraphs"]] == [kind for kind, _ in STRUCTURED]
