"""The offline Dutch -> English dictionary, on small dictd files built here and on real FreeDict.

The real dictionary is GPL: it is read in place from /usr/share/dictd, never copied. The small
fixture dictionary below is written by ``write_dictd`` with a 64-byte dictzip chunk length,
so most of its entries cross chunk boundaries.
"""

from __future__ import annotations

import gzip
import struct
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from reader import dictionary as dictmod
from reader.dictionary import (
    Dictionary,
    Entry,
    agent_noun_verbs,
    decode_number,
    encode_number,
    format_entries,
    parse_entry,
    parse_index,
    plural_bases,
    write_dictd,
    write_dictzip,
)
from reader.errors import DictionaryError, ReaderError
from reader.lemmas import en_lemma, nl_lemma

REAL_DIR = Path("/usr/share/dictd")
CHUNK = 64

ENTRIES = [
    ("00databaseshort", "00-database-short\n     Test Dutch-English dictionary\n"),
    ("00-database-url", "00-database-url\n     https://example.org/\n"),
    ("oorlog", "oorlog /orlɔx/\nwar\n"),
    ("oorlogs", "oorlogs‐ /ˈoːrlɔxs/\nmilitary\n"),
    ("oor", "oor /or/\near\n"),
    ("log", "log /lɔx/\nclumsy, heavy\n"),
    ("misdaad", "misdaad /mɪzdat/\ncrime\n"),
    ("gesprek", "gesprek /ɣəsprɛk/\nconversation, talk\n"),
    ("onderwerp", "onderwerp /ɔndərwɛrp/\n1. subject\n2. theme; topic (of a talk)\n"),
    ("bellen", "bellen /bɛlən/\n1. ring\n2. call\n"),
    ("opbellen", "opbellen /ɔbɛlən/\ntelephone, phone up\n"),
    ("huis", "huis /ɦœys/\n1. house\n2. home, family\n"),
    ("huis", "huis‐ /ɦœys/\ndomestic\n"),
    ("lopen", "lopen /lopən/\n1. walk\n2. run\n"),
    ("zĳn", "zĳn /zɛin/\n1. be\n2. his\n"),
    ("top", "top /tɔp/\nsummit, top\n"),
    ("overleggen", "overleggen /ovərlɛɣən/\nconsult, confer\n"),
    (" niet", "... niet /nit/\nnot...\n"),
    ("niet", "niet /nit/\nnot\n"),
]


def build(folder: Path, entries=ENTRIES, **options) -> Path:
    return write_dictd(folder, entries, chunk_length=options.pop("chunk_length", CHUNK), **options)


@pytest.fixture
def small(tmp_path) -> Dictionary:
    return Dictionary.open(build(tmp_path / "dict"))


def how(results) -> list[tuple[str, str]]:
    return [(r.how, r.lemma) for r in results]


# --- file format ------------------------------------------------------------------------------


def test_dictd_numbers_are_base64_digits():
    assert decode_number("A") == 0
    assert decode_number("B") == 1
    assert decode_number("BA") == 64
    assert decode_number("CVHf") == 2 * 64**3 + 21 * 64**2 + 7 * 64 + 31
    for n in (0, 1, 63, 64, 4095, 979_691, 2**32):
        assert decode_number(encode_number(n)) == n


def test_written_dictzip_is_gzip_with_independent_chunks(tmp_path):
    data = ("".join(text for _, text in ENTRIES) * 5).encode()
    path = tmp_path / "x.dict.dz"
    write_dictzip(path, data, chunk_length=CHUNK)
    assert gzip.decompress(path.read_bytes()) == data  # any gzip tool can read it
    reader = dictmod._open_data(path)
    assert isinstance(reader, dictmod._DictzipData)
    assert len(reader.sizes) == -(-len(data) // CHUNK)
    for offset, length in [(0, 10), (CHUNK - 3, 7), (5 * CHUNK - 1, 3 * CHUNK), (len(data) - 5, 5)]:
        assert reader.read(offset, length) == data[offset : offset + length]


def test_every_entry_comes_back_including_those_crossing_chunks(tmp_path):
    index_path = build(tmp_path)
    places = parse_index(index_path.read_text(encoding="utf-8"), index_path)
    offset, length = places["onderwerp"][0]
    assert offset // CHUNK != (offset + length - 1) // CHUNK  # this entry spans two chunks
    d = Dictionary.open(index_path)
    assert d.entries("onderwerp") == [
        Entry("onderwerp", "ɔndərwɛrp", ["subject", "theme; topic (of a talk)"])
    ]
    for key, text in ENTRIES:
        if not key.startswith("00"):
            assert parse_entry(text) in d.entries(key)


def test_plain_dict_and_plain_gzip_files_work_too(tmp_path):
    plain = Dictionary.open(build(tmp_path / "plain", compress=False))
    assert plain.data_path.name == "freedict-nld-eng.dict"
    assert plain.translations("oorlog") == {"war"}

    folder = tmp_path / "gz"
    build(folder)
    data = b"".join(text.encode() for _, text in ENTRIES)
    (folder / "freedict-nld-eng.dict.dz").write_bytes(gzip.compress(data))  # no chunk table
    assert Dictionary.open(folder).translations("oorlog") == {"war"}


def test_real_freedict_dictionary_reads_in_place():
    d = Dictionary.open(REAL_DIR)
    assert d.data_path == REAL_DIR / "freedict-nld-eng.dict.dz"
    assert d.lookup("oorlog")[0].entries[0] == Entry("oorlog", "orlɔx", ["war"])
    assert "war" in d.translations("oorlogen")
    assert ("lemma", "bellen") in how(d.lookup("belde", particle="op"))
    assert ("separable", "opbellen") in how(d.lookup("belde", particle="op"))
    assert d.lookup("gespreksonderwerp")[0].parts == ("gesprek", "onderwerp")
    assert "be" in d.translations("zijn")  # FreeDict spells it "zĳn"
    assert len(d) > 20_000
    # Random access agrees with inflating the whole file, also across chunk boundaries.
    whole = gzip.decompress(d.data_path.read_bytes())
    reader = d._data
    for boundary in (reader.chunk_length, 7 * reader.chunk_length):
        assert reader.read(boundary - 50, 100) == whole[boundary - 50 : boundary + 50]


# --- lookup -----------------------------------------------------------------------------------


def test_surface_form_ignores_case_and_the_ij_ligature(small):
    assert how(small.lookup("OORLOG")) == [("surface", "oorlog")]
    assert how(small.lookup("Zijn")) == [("surface", "zijn")]
    assert small.lookup("zijn")[0].entries[0].headword == "zijn"  # shown as typed, not "zĳn"
    assert "zijn" in small and "zĳn" in small and "xyzzy" not in small


def test_lemma_finds_inflected_forms(small):
    results = small.lookup("liep")
    assert how(results) == [("lemma", "lopen")]
    assert results[0].query == "liep"
    assert how(small.lookup("huizen")) == [("lemma", "huis")]


def test_separable_verb_uses_its_particle(small):
    assert how(small.lookup("belde", particle="op")) == [
        ("lemma", "bellen"),
        ("separable", "opbellen"),
    ]
    assert how(small.lookup("belde")) == [("lemma", "bellen")]
    assert how(small.lookup("opgebeld")) == [("lemma", "opbellen")]


def test_compounds_split_into_known_headwords(small):
    result = small.lookup("gespreksonderwerp")
    assert how(result) == [("compound", "gesprek+onderwerp")]
    assert result[0].parts == ("gesprek", "onderwerp")
    assert [e.headword for e in result[0].entries] == ["gesprek", "onderwerp"]
    # A full word plus linking s beats the affix form "oorlogs‐"; the last part is lemmatised.
    assert small.lookup("oorlogsmisdaden")[0].parts == ("oorlog", "misdaad")
    # A noun made of a verb stem finds its verb.
    assert small.lookup("topoverleg")[0].parts == ("top", "overleggen")
    assert how(small.lookup("overleg")) == [("lemma", "overleggen")]


DERIVED = [
    ("onder", "onder /ɔndər/\nunder, below\n"),
    ("zoeker", "zoeker /zukər/\nseeker, viewfinder\n"),
    ("onderzoeken", "onderzoeken /ɔndərzukən/\ninvestigate, examine\n"),
    ("ver", "ver /vɛr/\nfar, distant\n"),
    ("denken", "denken /dɛŋkən/\nthink\n"),
    ("verdacht", "verdacht /vərdɑxt/\nsuspect, suspicious\n"),
    ("gesprek", "gesprek /ɣəsprɛk/\nconversation, talk\n"),
    ("afspraak", "afspraak /ɑfsprak/\nagreement, appointment\n"),
    ("brief", "brief /brif/\nletter\n"),
    ("regio", "regio /reɣijo/\nregion\n"),
    ("top", "top /tɔp/\nsummit, top\n"),
    ("overleggen", "overleggen /ovərlɛɣən/\nconsult, confer\n"),
]


@pytest.fixture
def derived(tmp_path) -> Dictionary:
    return Dictionary.open(build(tmp_path / "derived", DERIVED))


def test_plurals_and_agent_nouns_are_tried_before_compounds(derived):
    """"onderzoekers" is not "onder" + "zoeker", "verdachten" is not "ver" + "denken"."""
    assert how(derived.lookup("verdachten")) == [("lemma", "verdacht")]
    assert how(derived.lookup("onderzoekers")) == [("lemma", "onderzoeken")]
    assert how(derived.lookup("onderzoeker")) == [("lemma", "onderzoeken")]
    assert derived.translations("verdachten") == {"suspect", "suspicious"}
    assert "far" not in derived.translations("verdachten")
    # Spelling rules of the plural are undone; compounds still split when nothing else fits.
    assert how(derived.lookup("gesprekken")) == [("lemma", "gesprek")]
    assert how(derived.lookup("afspraken")) == [("lemma", "afspraak")]
    assert how(derived.lookup("brieven")) == [("lemma", "brief")]
    assert how(derived.lookup("topoverleg")) == [("compound", "top+overleggen")]
    assert how(derived.lookup("onderzoek")) == [("lemma", "onderzoeken")]  # a verb stem noun


def test_plural_bases_undo_dutch_plural_spelling():
    assert plural_bases("onderzoekers")[0] == "onderzoeker"
    assert plural_bases("regio's") == ["regio"]
    assert "verdacht" in plural_bases("verdachten") and "verdachte" in plural_bases("verdachten")
    assert plural_bases("gesprekken")[0] == "gesprek"
    assert "afspraak" in plural_bases("afspraken")
    assert plural_bases("brieven")[0] == "brief" and plural_bases("huizen")[0] == "huis"
    assert plural_bases("oorlog") == [] and plural_bases("bus") == []
    assert agent_noun_verbs("onderzoeker")[:1] == ["onderzoeken"]
    assert "bezetten" in agent_noun_verbs("bezetter")
    assert agent_noun_verbs("oorlog") == []


def test_real_freedict_finds_plurals_before_compounds():
    d = Dictionary.open(REAL_DIR)
    assert how(d.lookup("verdachten")) == [("lemma", "verdacht")]
    assert how(d.lookup("onderzoekers")) == [("lemma", "onderzoeken")]
    assert "investigate" in d.translations("onderzoekers")
    assert how(d.lookup("gewonden")) == [("lemma", "gewond")]
    assert d.lookup("gespreksonderwerp")[0].parts == ("gesprek", "onderwerp")


def test_known_words_are_never_split(small):
    assert how(small.lookup("oorlog")) == [("surface", "oorlog")]
    assert small.lookup("oorlog")[0].parts == ()
    assert small.lookup("xyzzyplugh") == []
    assert small.lookup("") == [] and small.lookup("...") == []


def test_full_words_rank_above_affixes_and_fragments(small):
    assert [e.headword for e in small.entries("huis")] == ["huis", "huis‐"]
    assert [e.headword for e in small.entries("niet")] == ["niet", "... niet"]
    assert small.lookup("00databaseshort") == []  # dictd metadata is not a word
    assert "00databaseshort" not in small and "00-database-url" not in small


def test_translations_are_lowercase_glosses_without_parentheses(small):
    assert small.translations("onderwerp") == {"subject", "theme", "topic"}
    assert small.translations("Huis") == {"house", "home", "family"}  # affix "domestic" left out
    assert small.translations("niet") == {"not"}
    assert small.translations("belde", "op") == {"ring", "call", "telephone", "phone up"}
    assert small.translations("gespreksonderwerp") == {
        "conversation", "talk", "subject", "theme", "topic",
    }  # fmt: skip
    assert small.translations("xyzzy") == frozenset()


def test_translations_are_cached(small):
    first = small.translations("liep")
    assert small.translations("liep") is first
    small.data_path.unlink()  # served from the cache, no file access
    assert small.translations("liep") == {"walk", "run"}


def test_lookups_from_two_threads_agree(small):
    words = ["oorlog", "liep", "gespreksonderwerp", "huis", "zijn", "topoverleg"] * 20
    seen: list[list] = [[], []]

    def work(out: list) -> None:
        out.extend(small.translations(w) for w in words)

    threads = [threading.Thread(target=work, args=(out,)) for out in seen]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen[0] == seen[1] and len(seen[0]) == len(words)


def test_format_entries_for_the_cli(small):
    text = format_entries(small.lookup("liep"), "liep")
    assert text == "(liep: found via lemma lopen)\nlopen /lopən/\n  1. walk\n  2. run"
    text = format_entries(small.lookup("gespreksonderwerp"))
    assert text.startswith("(gespreksonderwerp: compound of gesprek + onderwerp)\n")
    assert "gesprek /ɣəsprɛk/\n  conversation, talk\n" in text
    assert "  2. theme; topic (of a talk)" in text
    assert format_entries(small.lookup("oorlog")) == "oorlog /orlɔx/\n  war"
    both = format_entries(small.lookup("belde", particle="op"))
    assert "found via separable verb opbellen" in both and "\n\n" in both
    assert format_entries([], "xyzzy") == "No entry for “xyzzy” in the Dutch–English dictionary."


# --- finding the files ------------------------------------------------------------------------


def test_no_dictionary_installed_says_how_to_get_one(tmp_path, monkeypatch):
    monkeypatch.delenv("BIREADER_DICT", raising=False)
    monkeypatch.setattr(dictmod, "DEFAULT_DIR", tmp_path)
    with pytest.raises(DictionaryError) as err:
        Dictionary.open()
    assert str(err.value) == (
        f"No Dutch–English dictionary found in {tmp_path}: install Debian's "
        "dict-freedict-nld-eng (sudo apt install dict-freedict-nld-eng) or set BIREADER_DICT "
        "to the folder holding freedict-nld-eng.index."
    )
    assert isinstance(err.value, ReaderError)


def test_bireader_dict_names_a_folder_or_the_index(tmp_path, monkeypatch):
    index = build(tmp_path / "mine")
    monkeypatch.setenv("BIREADER_DICT", str(index.parent))
    assert Dictionary.open().index_path == index
    monkeypatch.setenv("BIREADER_DICT", str(index))
    assert Dictionary.open().translations("oorlog") == {"war"}
    monkeypatch.setenv("BIREADER_DICT", str(tmp_path / "nowhere"))
    with pytest.raises(DictionaryError, match=r"nowhere \(from BIREADER_DICT\): install"):
        Dictionary.open()
    assert Dictionary.open(index.parent).index_path == index  # an argument beats the variable


def test_index_without_data_file(tmp_path):
    build(tmp_path)
    (tmp_path / "freedict-nld-eng.dict.dz").unlink()
    with pytest.raises(DictionaryError, match="has no freedict-nld-eng.dict.dz"):
        Dictionary.open(tmp_path)


# --- damaged files ----------------------------------------------------------------------------


def test_truncated_dict_dz_is_refused_at_open(tmp_path):
    build(tmp_path)
    data = tmp_path / "freedict-nld-eng.dict.dz"
    data.write_bytes(data.read_bytes()[:-40])
    with pytest.raises(DictionaryError, match=r"freedict-nld-eng\.dict\.dz is truncated"):
        Dictionary.open(tmp_path)


def test_not_gzip_data_is_refused_at_open(tmp_path):
    build(tmp_path)
    (tmp_path / "freedict-nld-eng.dict.dz").write_text("oorlog /orlɔx/\nwar\n", encoding="utf-8")
    with pytest.raises(DictionaryError, match=r"dict\.dz is not a dictzip \(gzip\) file"):
        Dictionary.open(tmp_path)


def test_damaged_chunk_fails_its_lookups_only(tmp_path):
    build(tmp_path, chunk_length=512)
    data = tmp_path / "freedict-nld-eng.dict.dz"
    raw = bytearray(data.read_bytes())
    reader = dictmod._open_data(data)
    last = len(reader.sizes) - 1
    start = reader.starts[last]
    raw[start : start + reader.sizes[last]] = b"\xff" * reader.sizes[last]
    data.write_bytes(bytes(raw))
    d = Dictionary.open(tmp_path)
    with pytest.raises(DictionaryError, match=rf"Chunk {last} of the dictionary file .*dict\.dz"):
        d.lookup("niet")  # the last entries live in the damaged chunk
    assert d.translations("oorlog") == {"war"}  # the first chunk still reads


def test_damaged_chunk_table_is_caught_at_lookup(tmp_path):
    index = build(tmp_path)
    ((offset, _length),) = parse_index(index.read_text(encoding="utf-8"), index)["oorlog"]
    chunk = offset // CHUNK
    data = tmp_path / "freedict-nld-eng.dict.dz"
    raw = bytearray(data.read_bytes())
    at = 22 + 2 * chunk  # its compressed size in the 'RA' table
    size, following = struct.unpack_from("<HH", raw, at)
    struct.pack_into("<HH", raw, at, size + following, 0)  # it now swallows the next chunk
    data.write_bytes(bytes(raw))
    with pytest.raises(DictionaryError, match=rf"Chunk {chunk} of the dictionary file .* damaged"):
        Dictionary.open(tmp_path).lookup("oorlog")


def test_garbage_index_line_names_file_and_line(tmp_path):
    index = build(tmp_path)
    lines = index.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(3, "this is not an index line\n")
    index.write_text("".join(lines), encoding="utf-8")
    d = Dictionary.open(tmp_path)  # the index is read on the first lookup
    with pytest.raises(DictionaryError, match=r"Line 4 of the dictionary index .*\.index"):
        d.lookup("oorlog")


def test_bad_offset_digit_and_non_utf8_index(tmp_path):
    index = build(tmp_path)
    for line in ("oorlog\tA!\tU\n", "oorlog\t\tU\n"):
        index.write_text(line, encoding="utf-8")
        with pytest.raises(DictionaryError, match="Line 1 of the dictionary index"):
            Dictionary.open(tmp_path).lookup("oorlog")
    index.write_bytes(b"oorlog\tA\tU\n\xff\xfe\n")
    with pytest.raises(DictionaryError, match=r"\.index is not UTF-8 text"):
        Dictionary.open(tmp_path).lookup("oorlog")


def test_index_pointing_past_the_data(tmp_path):
    index = build(tmp_path)
    index.write_text(f"oorlog\t{encode_number(10_000)}\tU\n", encoding="utf-8")
    with pytest.raises(DictionaryError, match="points past the end of .*dict.dz"):
        Dictionary.open(tmp_path).lookup("oorlog")


# --- lemmas -----------------------------------------------------------------------------------


def test_lemmas_for_both_languages():
    assert nl_lemma("liep") == "lopen"
    assert nl_lemma("steden") == "stad"
    assert en_lemma("children") == "child"
    assert en_lemma("went") == "go"
    assert nl_lemma("") == "" and en_lemma("  ") == "  "


def test_importing_the_dictionary_does_not_import_simplemma():
    """simplemma costs ~0.1 s to import and 0.3 s on first use: only lookups may pay for it."""
    code = "import sys, reader.dictionary, reader.lemmas; print('simplemma' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
