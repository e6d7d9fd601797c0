"""`bireader phrases add|list` and `bireader search` as typed by a person."""

from __future__ import annotations

import json

import pytest

from reader.cli import PHRASES_HEADER, main

ARTICLE = """Bellen in Kyiv

Gisteren belde hij zijn moeder op. De huizen in Oekraïne zijn oud.

Morgen belt zij haar broer op.
"""


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def doc(capsys, tmp_path, monkeypatch) -> str:
    monkeypatch.setenv("BIREADER_DICT", str(tmp_path / "no-dictionary"))
    path = tmp_path / "bellen.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    code, out, _ = run(capsys, "import", str(path))
    assert code == 0
    return out.split("\t")[0]


def test_phrases_add_saves_a_discontinuous_quote_and_list_shows_it(capsys, doc):
    # sentence 1 is the title, as `bireader segment` prints it
    code, out, err = run(capsys, "phrases", "add", doc, "--sentence", "2", "--quote", "belde op",
                         "--status", "learning")
    assert code == 0, err
    assert out.split("\t")[1:5] == [doc, "2", "learning", "belde … op"]

    code, out, _ = run(capsys, "phrases", "list")
    lines = out.splitlines()
    assert lines[0] == PHRASES_HEADER
    assert lines[1].split("\t")[1:3] == ["learning", "belde … op"]
    assert lines[1].split("\t")[5:] == [doc, "Bellen in Kyiv"]

    assert run(capsys, "phrases", "list", "--status", "new")[1] == PHRASES_HEADER + "\n"
    code, out, _ = run(capsys, "phrases", "list", "--format", "json")
    (item,) = json.loads(out)
    assert item["lemma_key"] == "opbellen" and item["context_nl"] == "Gisteren belde hij zijn moeder op."


def test_phrases_add_refuses_bad_input_with_a_message(capsys, doc):
    code, _out, err = run(capsys, "phrases", "add", doc, "--sentence", "2", "--quote", "op belde")
    assert code == 1 and "not found in that order" in err
    code, _out, err = run(capsys, "phrases", "add", "99", "--sentence", "1", "--quote", "belde")
    assert code == 1 and "no document 99" in err
    with pytest.raises(SystemExit) as exc:
        main(["phrases", "add", doc, "--sentence", "9", "--quote", "belde"])
    assert exc.value.code == 2 and "has 4 sentences" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["phrases", "add", doc, "--sentence", "1", "--quote", "belde", "--status", "forgotten"])
    assert exc.value.code == 2
    capsys.readouterr()
    assert run(capsys, "phrases", "list")[1] == PHRASES_HEADER + "\n"


def test_search_prints_document_sentence_side_and_text(capsys, doc):
    code, out, _ = run(capsys, "search", "oekraine")
    assert code == 0
    assert out == f"{doc}\t3\tnl\tDe huizen in Oekraïne zijn oud.\n"
    code, out, _ = run(capsys, "search", "huis", "--format", "json")
    (hit,) = json.loads(out)
    assert (hit["document_id"], hit["sentence_number"], hit["side"], hit["kind"]) == (int(doc), 3, "nl", "nl")
    assert "[huizen]" in hit["snippet"]


def test_search_of_syntax_characters_is_refused_clearly_and_no_match_is_said(capsys, doc):
    with pytest.raises(SystemExit) as exc:
        main(["search", '"*('])
    assert exc.value.code == 2 and "has no words" in capsys.readouterr().err
    code, out, err = run(capsys, "search", 'NEAR("huis" *')
    assert code == 0 and out == "" and "Nothing in the library matches" in err
