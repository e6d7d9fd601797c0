"""TMX 1.4b: the sentence pairs of one or more documents as a translation memory for a CAT tool.

One ``<tu>`` per translated sentence, Dutch then English. The English is what the reader sees: their
own version when they wrote one (or chose one of the model's alternatives), else the model's; a
``<prop type="x-origin">`` on every unit says which, so a CAT tool can trust the reader's units
more. Written with the standard library's ElementTree; every text goes through it, so ``&``, ``<``
and ``]]>`` in an article stay text.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from reader import __version__
from reader.document import MODEL, DocumentView

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CREATION_TOOL = "bilingual-reader"
DOCTYPE = '<!DOCTYPE tmx SYSTEM "tmx14.dtd">'
# Characters XML 1.0 cannot hold at all (not even escaped): dropped rather than writing a file no
# tool can parse.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


def _prop(parent: ET.Element, kind: str, value: str) -> None:
    ET.SubElement(parent, "prop", type=kind).text = xml_text(value)


def _tuv(parent: ET.Element, lang: str, text: str) -> ET.Element:
    tuv = ET.SubElement(parent, "tuv", {XML_LANG: lang})
    ET.SubElement(tuv, "seg").text = xml_text(text)
    return tuv


def to_tmx(views: DocumentView | Sequence[DocumentView]) -> str:
    """A TMX 1.4b document of every translated sentence pair, in reading order.

    Several documents share one body; each unit names its document (``x-document``) and its
    place (``tuid`` = document, paragraph and sentence number), so a unit can be traced back.
    """
    views = [views] if isinstance(views, DocumentView) else list(views)
    models = sorted({v.model_key for v in views if v.model_key})
    root = ET.Element("tmx", version="1.4")
    header = ET.SubElement(root, "header", {
        "creationtool": CREATION_TOOL,
        "creationtoolversion": __version__,
        "segtype": "sentence",
        "o-tmf": CREATION_TOOL,
        "adminlang": "en",
        "srclang": "nl",
        "datatype": "plaintext",
    })  # no creationdate: the same document exports the same bytes
    for model in models:
        _prop(header, "x-model", model)
    body = ET.SubElement(root, "body")
    for number, view in enumerate(views, start=1):
        for p in view.paragraphs:
            for s in p.sentences:
                if not s.final:
                    continue  # untranslated: a unit without a target is no translation memory
                tu = ET.SubElement(body, "tu", tuid=f"{number}.{p.idx + 1}.{s.idx + 1}")
                _prop(tu, "x-document", view.title)
                _prop(tu, "x-origin", s.origin or MODEL)
                if s.origin != "user" and view.model_key:  # machine output: which machine
                    _prop(tu, "x-model", view.model_key)
                _tuv(tu, "nl", s.text)
                _tuv(tu, "en", s.final)
    ET.indent(root)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + DOCTYPE + "\n"
            + ET.tostring(root, encoding="unicode") + "\n")
