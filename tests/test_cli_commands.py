"""`import` of several files, `library list`, `define` as typed by a person, and `--help`."""

from __future__ import annotations

import pytest

from reader.cli import LIBRARY_HEADER, main
from reader.dictionary import Dictionary, write_dictd

from .conftest import SEED


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def usage_error(capsys, *argv: str) -> str:
    """argparse's way: exit status 2, the usage line, then `bireader …: error: …` on stderr."""
    with pytest.raises(SystemExit) as exc:
        main(list(argv))
    out, err = capsys.readouterr()
    assert exc.value.code == 2
    assert out == "" and err.startswith("usage: bireader") and "error:" in err
    return err


@pytest.fixture
def small_dictionary(tmp_path, monkeypatch):
    """A real dictd dictionary (index + dictzip) with the words these tests look up."""
    folder = tmp_path / "dict"
    folder.mkdir()
    write_dictd(folder, [
        ("fiets", "fiets /fits/\nbike, bicycle\n"),
        ("huis", "huis /hœys/\nhouse\n"),
        ("tuin", "tuin /tœyn/\ngarden\n"),
        ("bellen", "bellen /bɛlən/\nring\n"),
        ("opbellen", "opbellen /ɔbɛlən/\ntelephone\n"),
        ("aan boord", "aan boord /anbort/\naboard\n"),
    ])
    monkeypatch.setenv("BIREADER_DICT", str(folder))
    return folder


# ---------------------------------------------------------------- import


def test_import_goes_on_after_a_bad_file_and_reports_each_failure(capsys, tmp_path):
    good2 = tmp_path / "good2.txt"
    good2.write_text("Een tweede artikel.\n\nHet gaat over iets anders.\n", encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"%PDF-1.4 not text")
    missing = tmp_path / "missing.txt"
    code, out, err = run(capsys, "import", str(SEED), str(bad), str(missing), str(good2))
    assert code == 1
    assert [line.split("\t")[2] for line in out.splitlines()] == ["(imported)", "(imported)"]
    assert "Een tweede artikel" in out
    failures = [line for line in err.splitlines() if line.startswith("bireader: ")]
    assert "bad.txt" in failures[0] and "PDF" in failures[0]
    assert "missing.txt" in failures[1]
    assert failures[2] == "bireader: 2 of 4 files could not be imported (see above)."
    code, out, _ = run(capsys, "library", "list")
    assert len(out.splitlines()) == 3  # the header and both good articles


def test_import_of_good_files_only_succeeds(capsys, tmp_path):
    other = tmp_path / "other.txt"
    other.write_text("Een ander artikel.\n", encoding="utf-8")
    code, out, err = run(capsys, "import", str(SEED), str(other))
    assert code == 0 and err == ""
    assert len(out.splitlines()) == 2


# ---------------------------------------------------------------- library list


def test_library_list_starts_with_a_header(capsys):
    run(capsys, "import", str(SEED))
    code, out, err = run(capsys, "library", "list")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == LIBRARY_HEADER == "ID\tDATE\tTRANSLATED\tTITLE"
    row = lines[1].split("\t")
    assert len(row) == 4 and row[1] == "2022-03" and row[3].startswith("Voor het eerst")


# ---------------------------------------------------------------- define


@pytest.mark.parametrize("word", ["", "   "])
def test_define_without_a_word_is_a_usage_error(capsys, small_dictionary, word):
    err = usage_error(capsys, "define", word)
    assert "give a Dutch word to look up" in err


def test_define_normalises_ligatures_and_wide_letters(capsys, small_dictionary):
    for typed in ("ﬁets", "ｆｉｅｔｓ"):  # a PDF's fi ligature; full-width letters
        code, out, err = run(capsys, "define", typed)
        assert code == 0, err
        assert "bike" in out


def test_the_dictionary_lookup_itself_normalises(small_dictionary):
    """The window looks words up through Dictionary.lookup, not the command line."""
    results = Dictionary.open().lookup("ﬁets")
    assert [(r.lemma, r.entries[0].headword) for r in results] == [("fiets", "fiets")]


def test_define_two_words_says_what_it_looks_up(capsys, small_dictionary):
    err = usage_error(capsys, "define", "huis tuin")
    assert "looks up one word" in err and "separable verb" in err and "define belde op" in err
    assert "not in the dictionary" not in err


def test_define_a_word_and_something_that_is_no_particle(capsys, small_dictionary):
    err = usage_error(capsys, "define", "huis", "tuin")
    assert "“tuin” is not a separable-verb particle" in err


def test_define_a_separable_verb_typed_as_one_argument(capsys, small_dictionary):
    code, out, err = run(capsys, "define", "belde op")
    assert code == 0, err
    assert "opbellen" in out and "telephone" in out


def test_define_a_phrase_the_dictionary_has(capsys, small_dictionary):
    code, out, err = run(capsys, "define", "aan  boord")
    assert code == 0, err
    assert "aboard" in out


# ---------------------------------------------------------------- help


def test_help_documents_the_environment_and_the_article_format(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for needle in ("BIREADER_ALLOW_TEST_PACKAGE", "BIREADER_HOME", "BIREADER_DICT", "ARGOS_PACKAGES_DIR",
                   "date 2022-03", "Date: 2024-05-14", "Gepubliceerd op 14 mei 2024", "14-05-2024 10:32"):
        assert needle in out, needle
