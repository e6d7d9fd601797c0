"""`bireader annotations add|list` as typed by a person: sentence numbers as `bireader segment`
prints them, quotes on either side, tags with commas, and one-line errors for bad input."""

from __future__ import annotations

import json

import pytest

from reader.cli import ANNOTATIONS_HEADER, main
from reader.store import document_sentences, open_db, set_user_translation

from .conftest import SEED


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def seeded(capsys) -> tuple[str, list[str]]:
    """The sample article imported; its id and its sentences as `bireader segment` prints them."""
    code, out, _ = run(capsys, "import", str(SEED))
    assert code == 0
    doc = out.split("\t")[0]
    code, out, _ = run(capsys, "segment", str(SEED))
    return doc, [line for line in out.splitlines() if line.strip()]


def test_add_numbers_sentences_as_segment_prints_them_and_list_shows_them(capsys, seeded):
    doc, sentences = seeded
    n = next(k for k, s in enumerate(sentences, 1) if "anderhalf uur" in s)
    code, out, err = run(capsys, "annotations", "add", doc, "--sentence", str(n), "--quote", "anderhalf uur",
                         "--note", "one and a half\nhours", "--tag", "tijd", "--tag", "getallen, tellen",
                         "--colour", "Green")
    assert code == 0, err
    ann_id, doc_out, number, side, exact = out.rstrip("\n").split("\t")
    assert (doc_out, number, side, exact) == (doc, str(n), "nl", "anderhalf uur")

    code, out, _ = run(capsys, "annotations", "list", doc)
    lines = out.splitlines()
    assert lines[0] == ANNOTATIONS_HEADER and len(lines) == 2  # the two-line note stays one row
    assert lines[1].split("\t") == [ann_id, doc, str(n), "nl", "attached", "green", "getallen, tellen|tijd",
                                    "anderhalf uur", "one and a half\\nhours"]

    code, out, _ = run(capsys, "annotations", "list", "--tag", "getallen, tellen", "--format", "json")
    [item] = json.loads(out)
    assert (item["id"], item["sentence"], item["tags"], item["note"]) == (
        int(ann_id), n, ["getallen, tellen", "tijd"], "one and a half\nhours")
    assert item["exact"] in sentences[n - 1]
    code, out, err = run(capsys, "annotations", "list", "--tag", "getallen")
    assert out == ANNOTATIONS_HEADER + "\n" and "No annotations" in err


def test_add_on_the_english_side_uses_the_english_shown(capsys, seeded):
    doc, _ = seeded
    db = open_db()
    rows = document_sentences(db, int(doc))
    set_user_translation(db, rows[0].id, "For the first time since the invasion, the two countries met.")
    db.close()
    code, out, err = run(capsys, "annotations", "add", doc, "--sentence", "1", "--side", "en",
                         "--quote", "the", "--tag", "a, b")
    assert code == 0, err
    assert out.rstrip("\n").split("\t")[3:] == ["en", "the"]
    code, out, _ = run(capsys, "annotations", "list", "--format", "json")
    [item] = json.loads(out)
    assert (item["side"], item["start"], item["tags"]) == ("en", 4, ["a, b"])  # the first "the"


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--sentence", "999", "--quote", "x"], "has 2"),  # filled in below: the real count
        (["--sentence", "1", "--quote", "Marioepol"], "does not occur in the Dutch text of sentence 1"),
        (["--sentence", "1", "--side", "en", "--quote", "the"], "no English translation yet"),
        (["--sentence", "1", "--quote", "Voor", "--colour", "red"], "Unknown colour 'red'"),
        (["--sentence", "1", "--quote", "Voor", "--tag", " "], "tag cannot be empty"),
    ],
)
def test_bad_adds_fail_with_one_line_and_write_nothing(capsys, seeded, argv, message):
    doc, sentences = seeded
    if message == "has 2":
        message = f"has {len(sentences)} sentences, so there is no sentence 999"
    code, out, err = run(capsys, "annotations", "add", doc, *argv)
    assert code == 1 and out == ""
    assert err.startswith("bireader: ") and message in err and err.count("\n") == 1
    assert open_db().execute("SELECT count(*) FROM annotations").fetchone()[0] == 0


def test_unknown_document_and_bad_sentence_numbers(capsys, seeded):
    code, _, err = run(capsys, "annotations", "add", "4242", "--sentence", "1", "--quote", "x")
    assert code == 1 and "no document 4242" in err
    code, _, err = run(capsys, "annotations", "list", "4242")
    assert code == 1 and "no document 4242" in err
    for bad in ("0", "-3", "twee"):
        with pytest.raises(SystemExit) as exc:
            main(["annotations", "add", seeded[0], "--sentence", bad, "--quote", "x"])
        assert exc.value.code == 2
        assert "give a whole number from 1" in capsys.readouterr().err


def test_a_read_only_library_says_so(capsys, seeded, monkeypatch):
    monkeypatch.setenv("BIREADER_READ_ONLY", "1")
    code, out, err = run(capsys, "annotations", "add", seeded[0], "--sentence", "1", "--quote", "Voor")
    assert code == 1 and out == ""
    assert err == ("bireader: Could not write to the library: the library is read-only, so changes cannot "
                   "be saved; open it from a folder you can write to\n")
    code, out, _ = run(capsys, "annotations", "list")
    assert code == 0 and out == ANNOTATIONS_HEADER + "\n"
