"""TSV's optional columns, the plain text's title written once, the choices reaching the writers
from the command line, and a document without translations: exported as it is, and said so."""

from __future__ import annotations

import pytest

from reader.annotations import add_annotation
from reader.cli import main
from reader.document import document_view
from reader.export import ExportFailed, export_document, export_options
from reader.formats import ExportOptions
from reader.importer import read_article
from reader.pipeline import translate_document
from reader.store import add_document, document_sentences, set_user_translation
from tests.conftest import SEED
from tests.helpers_store import N_SENTENCES, make_article

WAIT_MS = 60_000


@pytest.fixture
def engine(tiny_package):
    from models.engine import Engine

    return Engine(tiny_package)


@pytest.fixture
def edited(db, engine):
    """The test article translated, sentence 2 in the reader's words with a tab, sentence 3 noted."""
    doc_id, _ = add_document(db, make_article())
    translate_document(db, doc_id, engine)
    rows = document_sentences(db, doc_id)
    set_user_translation(db, rows[1].id, "Both\tcountries | talked.")
    add_annotation(db, doc_id, rows[2].id, "nl", 4, 12, note="ministers\tof <foreign> affairs")
    return doc_id


def test_tsv_without_options_is_as_before(db, engine, edited):
    text = export_document(db, edited, engine.model_key, "tsv")
    lines = [line for line in text.split("\n") if line]
    assert len(lines) == N_SENTENCES and all(line.count("\t") == 1 for line in lines)
    assert lines[1].endswith("\tBoth countries | talked.")
    assert text == export_document(db, edited, engine.model_key, "tsv", ExportOptions(include=frozenset()))


def test_tsv_adds_the_users_version_origin_and_notes_columns_when_asked(db, engine, edited):
    view = document_view(db, edited, engine.model_key)
    options = export_options(include="user,origin,notes")
    blocks = export_document(db, edited, engine.model_key, "tsv", options).rstrip("\n").split("\n\n")
    assert blocks[0] == "nl\ten\tuser_version\torigin\tnotes"
    rows = [line.split("\t") for b in blocks[1:] for line in b.split("\n")]
    assert [r[0] for r in rows] == [s.text for s in view.sentences()]  # every pair, in order
    assert all(len(r) == 5 for r in rows)
    assert rows[1][1:4] == ["Both countries | talked.", "Both countries | talked.", "user"]
    assert rows[0][1] == view.sentences()[0].machine and rows[0][2:4] == ["", "model"]
    assert [r[4] for r in rows] == ["", "", "ministers of <foreign> affairs", "", ""]
    only_origin = export_document(db, edited, engine.model_key, "tsv", export_options(include="origin"))
    assert only_origin.split("\n")[0] == "nl\ten\torigin"


def test_unknown_choices_are_refused_by_name():
    with pytest.raises(ExportFailed, match=r"Cannot include 'colour' in an export: choose among user, "
                                           r"origin, notes, separated by commas"):
        export_options(include="notes,colour")
    with pytest.raises(ExportFailed, match="Unknown layout 'columns': choose side-by-side or interleaved"):
        export_options(layout="columns")


def test_plain_text_writes_a_title_made_from_the_first_sentence_once(db):
    doc_id, _ = add_document(db, read_article(SEED))
    first = document_view(db, doc_id, None).paragraphs[0].sentences[0].text
    text = export_document(db, doc_id, None, "txt")
    assert text.count(first[:40]) == 1
    assert text.startswith("2022-03\n\n" + first)


def test_tabs_pipes_and_markup_stay_text_in_tsv_and_plain_text(db):
    hostile = "Zij schreef <script>x</script> en ]]> en &amp; | pijp\tmet tab."
    doc_id, _ = add_document(db, make_article([("body", hostile)], title="Kop"))
    tsv = export_document(db, doc_id, None, "tsv")
    assert tsv == hostile.replace("\t", " ") + "\t\n"
    assert hostile.replace("\t", " ") in export_document(db, doc_id, None, "txt").split("\n")


def test_a_document_without_translations_exports_its_dutch_and_says_so(db):
    doc_id, _ = add_document(db, make_article())
    for fmt in ("tsv", "md", "txt", "html"):
        heard: list[str] = []
        rendered = export_document(db, doc_id, None, fmt, warn=heard.append)
        assert "Voor het eerst sinds de invasie" in rendered
        assert heard == ["“Lavrov en Koeleba” has no translation yet, so the export holds the Dutch text "
                         "only: translate it first (open it in the window) and export again for the English"]


def test_a_partly_translated_document_says_how_many_are_missing(db, engine):
    doc_id, _ = add_document(db, make_article())
    rows = document_sentences(db, doc_id)
    set_user_translation(db, rows[0].id, "Lavrov and Kuleba talk in Antalya")
    heard: list[str] = []
    export_document(db, doc_id, None, "md", warn=heard.append)
    assert heard == [
        f"{N_SENTENCES - 1} of {N_SENTENCES} sentences of “Lavrov en Koeleba” are not translated yet, so "
        "their English is empty in the export: let the translation finish and export again"
    ]
    translate_document(db, doc_id, engine)
    heard.clear()
    export_document(db, doc_id, engine.model_key, "md", warn=heard.append)
    assert heard == []


def test_the_command_line_passes_layout_and_include_to_the_writer(tiny_package, capsys, tmp_path):
    out = tmp_path / "artikel.md"
    code = main(["translate", str(SEED), "-o", str(out), "--layout", "side-by-side"])
    assert code == 0
    text = out.read_text(encoding="utf-8")
    paragraphs = [p for p in read_article(SEED).paragraphs if p.kind in ("body", "quote")]
    assert text.count("| Nederlands | English |") == len(paragraphs) > 1  # a table per paragraph
    code = main(["translate", str(SEED), "--format", "tsv", "--include", "origin"])
    out_text, _ = capsys.readouterr()
    assert code == 0 and out_text.split("\n")[0] == "nl\ten\torigin"
    assert main(["translate", str(SEED), "--include", "kleur"]) == 1
    assert "Cannot include 'kleur' in an export" in capsys.readouterr().err


def test_the_window_says_when_the_export_has_no_translation(empty_packages, make_window, qtbot, tmp_path):
    window = make_window()
    with qtbot.waitSignal(window.document_opened, timeout=WAIT_MS):
        window.import_file(SEED)
    out = tmp_path / "artikel.md"
    with qtbot.waitSignal(window.exported, timeout=WAIT_MS) as sig:
        window.export_document(out)
    assert sig.args == [out]
    assert "De partijen overlegden zo'n anderhalf uur." in out.read_text(encoding="utf-8")
    message = window.statusBar().currentMessage()
    assert message.startswith("Exported ") and f"sentences to {out}. “Voor het eerst" in message
    assert "has no translation yet, so the export holds the Dutch text only" in message
