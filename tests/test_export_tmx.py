"""TMX 1.4b: valid against the standard's DTD, one unit per sentence pair, the reader's versions marked."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from reader.document import document_view
from reader.export import export_document
from reader.export_tmx import to_tmx
from reader.store import add_document
from tests.helpers_export import ALTERNATIVE, USER_EDIT, make_rich
from tests.helpers_store import make_article

DTD = Path(__file__).parent / "data" / "tmx14.dtd"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture
def engine(tiny_package):
    from models.engine import Engine

    return Engine(tiny_package)


def parse_valid(text: str) -> etree._Element:
    root = etree.fromstring(text.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
    dtd = etree.DTD(str(DTD))
    assert dtd.validate(root), dtd.error_log.filter_from_errors()
    return root


def pairs(root) -> list[tuple[str, str, str]]:
    """(Dutch, English, origin) of every unit, read back from the file."""
    found = []
    for tu in root.iter("tu"):
        segs = {tuv.get(XML_LANG): tuv.findtext("seg") for tuv in tu.findall("tuv")}
        origin = next(p.text for p in tu.findall("prop") if p.get("type") == "x-origin")
        found.append((segs["nl"], segs["en"], origin))
    return found


def test_tmx_is_valid_and_holds_every_pair_in_order_with_the_readers_version(db, engine):
    rich = make_rich(db, engine)
    text = export_document(db, rich.doc_id, rich.model_key, "tmx")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE tmx SYSTEM "tmx14.dtd">')
    root = parse_valid(text)
    header = root.find("header")
    assert (header.get("srclang"), header.get("segtype"), header.get("creationtool")) == (
        "nl", "sentence", "bilingual-reader")
    assert [p.text for p in header.findall("prop") if p.get("type") == "x-model"] == [rich.model_key]
    view = document_view(db, rich.doc_id, rich.model_key)
    expected = [(s.text, s.final, s.origin) for s in view.sentences()]
    assert pairs(root) == expected  # <script>, ]]>, &amp;, | and the tab come back as written
    assert expected[1][1:] == (USER_EDIT, "user") and expected[2][1:] == (ALTERNATIVE, "alternative")
    assert any("]]>" in nl for nl, _, _ in expected) and any("\t" in nl for nl, _, _ in expected)
    units = list(root.iter("tu"))
    models = [[p.text for p in tu.findall("prop") if p.get("type") == "x-model"] for tu in units]
    assert models[1] == [] and models[0] == [rich.model_key]  # the reader's own words name no model


def test_tmx_of_several_documents_is_one_memory_and_skips_untranslated_sentences(db, engine):
    rich = make_rich(db, engine)
    untranslated, _ = add_document(db, make_article())
    views = [document_view(db, rich.doc_id, rich.model_key), document_view(db, untranslated, rich.model_key)]
    root = parse_valid(to_tmx(views))
    units = list(root.iter("tu"))
    assert len(units) == len(views[0].sentences())  # the second document has no English yet
    assert all(tu.get("tuid").startswith("1.") for tu in units)
