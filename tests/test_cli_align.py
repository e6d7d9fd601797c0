"""`bireader align` and `bireader define` as a user runs them."""

from __future__ import annotations

import json

from reader.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_align_pharaoh_links_names_and_numbers(capsys):
    code, out, err = run(capsys, "align", "Lavrov sprak 2 uur met Koeleba .",
                         "Lavrov spoke with Kuleba for 2 hours .", "--pretokenized")
    assert code == 0, err
    links = set(out.split())
    assert {"0-0", "2-5", "6-7"} <= links  # Lavrov, 2, final full stop
    assert "1-1" in links  # sprak → spreken → speak ↔ spoke (dictionary and lemmas)


def test_align_json_has_tokens_links_and_phrases(capsys):
    code, out, err = run(capsys, "align", "De minister sprak.", "The minister spoke.",
                         "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert [t["text"] if isinstance(t, dict) else t for t in data["nl_tokens"]][:2] == ["De", "minister"]
    assert any(link["i"] == 1 and link["j"] == 1 for link in data["links"])
    assert all(0.0 <= link["confidence"] <= 1.0 for link in data["links"])
    assert data["phrases"]


def test_align_empty_sentence_is_not_a_crash(capsys):
    code, out, err = run(capsys, "align", "", "Something.")
    assert code == 0, err
    assert out.strip() == ""


def test_define_known_word(capsys):
    code, out, err = run(capsys, "define", "oorlog")
    assert code == 0, err
    assert "war" in out


def test_define_unknown_word(capsys):
    code, out, err = run(capsys, "define", "xyzzyplugh")
    assert code == 1
    assert "xyzzyplugh" in err and "not in the dictionary" in err


def test_define_without_dictionary(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("BIREADER_DICT", str(tmp_path / "nowhere"))
    code, out, err = run(capsys, "define", "oorlog")
    assert code == 1
    assert "dict-freedict-nld-eng" in err


def _small_dictionary(folder):
    from reader.dictionary import write_dictd

    return write_dictd(folder, [("oorlog", "oorlog /orlɔx/\nwar\n"), ("spreken", "spreken\nspeak, talk\n")])


def test_align_with_a_damaged_dictionary_index_aligns_without_it(capsys, tmp_path, monkeypatch):
    index = _small_dictionary(tmp_path)
    index.write_text(index.read_text(encoding="utf-8") + "garbage line without tabs\n", encoding="utf-8")
    monkeypatch.setenv("BIREADER_DICT", str(tmp_path))
    code, out, err = run(capsys, "align", "Lavrov sprak 2 uur .", "Lavrov spoke for 2 hours .",
                         "--pretokenized")
    assert code == 0
    assert "warning" in err and "Aligning without it" in err
    assert {"0-0", "2-3", "4-5"} <= set(out.split())


def test_align_with_a_corrupt_dictionary_chunk_aligns_without_it(capsys, tmp_path, monkeypatch):
    index = _small_dictionary(tmp_path)
    data = index.with_suffix(".dict.dz")
    raw = bytearray(data.read_bytes())
    raw[-20:-8] = b"\xff" * 12  # damage the deflate stream, keep the header and chunk table
    data.write_bytes(bytes(raw))
    monkeypatch.setenv("BIREADER_DICT", str(tmp_path))
    code, out, err = run(capsys, "align", "De oorlog .", "The war .", "--pretokenized")
    assert code == 0, err
    assert "aligned without it" in err and "damaged" in err
    assert "2-2" in out.split()
