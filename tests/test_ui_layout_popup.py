"""Where the dictionary popup goes: beside the clicked word, never over it, and clear of the
word's highlighted English counterpart when the window has room (real widgets offscreen)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF

from reader.dictionary import Entry, LookupResult
from reader.segment import sentence_spans
from ui.dictionary_popup import DictionaryPopup, PopupContent
from ui.reader_view import EN, INTERLEAVED, NL, SIDE_BY_SIDE, DocumentContent, ReaderView

DUTCH = (
    "De ministers van Buitenlandse Zaken spraken dinsdag in Antalya anderhalf uur met elkaar over "
    "een staakt-het-vuren en humanitaire corridors, maar een akkoord kwam er niet. Daarna volgde "
    "een persconferentie in het hotel."
)
ENGLISH = (
    "The foreign ministers talked with each other in Antalya on Tuesday for an hour and a half "
    "about a ceasefire and humanitarian corridors, but there was no agreement.",
    "A press conference in the hotel followed.",
)
MORE = "Een tweede alinea, zodat de tekst verder loopt dan het eerste scherm. " * 6


@pytest.fixture
def view(qtbot):
    v = ReaderView()
    qtbot.addWidget(v)
    v.resize(1100, 700)
    v.show()
    qtbot.waitExposed(v)
    rows, translations, sid = [], {}, 1
    for text, english in ((DUTCH, ENGLISH), (MORE, (MORE,))):
        spans = []
        for (start, end), en in zip(sentence_spans(text), english * 10, strict=False):
            spans.append((sid, start, end))
            translations[sid] = en
            sid += 1
        rows.append(("body", text, spans))
    v.set_document(DocumentContent.build(1, "Antalya", None, rows), translations)
    return v


def content_for(word: str, english: str, bold: tuple[int, int]) -> PopupContent:
    entry = Entry(word, None, ["first sense of the word", "a second, longer sense of the same word"])
    found = [LookupResult(word, word, "surface", [entry], [])]
    return PopupContent(label=word, results=found, english=english, bold=[bold])


def place(view: ReaderView, word: str, counterpart: str) -> tuple[QRectF, QRectF, list[QRectF]]:
    sid = 1
    start = DUTCH.index(word)
    [word_rect] = view.range_rects(sid, NL, start, start + len(word))
    english = view.sentence_text(sid, EN)
    c = english.index(counterpart)
    avoid = view.range_rects(sid, EN, c, c + len(counterpart))
    popup = DictionaryPopup(view)
    popup.show_for(word_rect, content_for(word, english, (c, c + len(counterpart))), avoid)
    return QRectF(popup.geometry()), word_rect, avoid


@pytest.mark.parametrize(
    ("mode", "word", "counterpart"),
    [
        (INTERLEAVED, "ministers", "ministers"),  # the English lies just below the word
        (INTERLEAVED, "corridors", "corridors"),
        (SIDE_BY_SIDE, "dinsdag", "Tuesday"),  # the English lies in the other column, a line lower
        (SIDE_BY_SIDE, "Antalya", "Antalya"),
        (SIDE_BY_SIDE, "humanitaire", "humanitarian"),
        (SIDE_BY_SIDE, "akkoord", "agreement"),
    ],
)
def test_the_popup_hides_neither_the_word_nor_its_counterpart(view, mode, word, counterpart):
    view.set_layout_mode(mode)
    popup, word_rect, avoid = place(view, word, counterpart)
    assert avoid
    assert QRectF(view.viewport().rect()).contains(popup)
    assert not popup.intersects(word_rect)
    for rect in avoid:
        assert not popup.intersects(rect), f"the popup covers “{counterpart}”"
    # Still next to the word: it touches the word's lines or the counterpart's, not a far corner.
    near = [word_rect, *avoid]
    assert min(min(abs(popup.top() - r.bottom()), abs(popup.bottom() - r.top())) for r in near) < 20
