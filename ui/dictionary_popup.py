"""The dictionary popup: a card over the reader, next to a clicked Dutch word.

A child of the view's viewport rather than a separate window, so it never takes the keyboard
from the reader, follows the text when it scrolls, and shows in screenshots of the window. Esc
or a click anywhere else closes it; it is not modal.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QEvent, QPoint, QRectF, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGraphicsDropShadowEffect,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from reader.dictionary import Entry, LookupResult, format_entries
from ui import theme
from ui.reader_view import ReaderView

SERIF = ", ".join(f"'{f}'" for f in theme.SERIF_FAMILIES[:-1]) + ", serif"
MARGIN = 8  # from the viewport's edges, pixels
GAP = 6  # between the word and the card
MIN_HEIGHT = 120  # the card shrinks no further to find a clear place (it scrolls)
CONTEXT_CHARS = 70  # of a long English sentence shown on each side of the phrase


@dataclass
class PopupContent:
    """What the card says about one Dutch word."""

    label: str  # the word as clicked ("belde … op" for a separable verb)
    results: list[LookupResult] = field(default_factory=list)
    message: str | None = None  # instead of entries: loading, no dictionary, a read error
    english: str = ""  # the English sentence ("" when not translated yet)
    bold: list[tuple[int, int]] = field(default_factory=list)  # the aligned phrase in it
    test_model: bool = False  # the English is the test model's gibberish


@dataclass(frozen=True)
class PopupColors:
    background: str
    border: str
    text: str
    muted: str
    heading: str
    english: str
    phrase: str  # background of the aligned phrase
    warning: str

    @classmethod
    def for_reader(cls, colors: theme.ReaderColors) -> PopupColors:
        dark = colors.background.lightness() < 128
        return cls(
            background="#2a2c30" if dark else "#ffffff",
            border="#45484e" if dark else "#ddd8cc",
            text=colors.text.name(),
            muted=colors.muted.name(),
            heading=colors.heading.name(),
            english=colors.english.name(),
            phrase="rgba(255,166,43,0.30)" if dark else "rgba(236,128,0,0.20)",
            warning="#f0b35a" if dark else "#8a5300",
        )


# --------------------------------------------------------------------------- content


def _how(result: LookupResult, label: str) -> str | None:
    """How the entry was found, in words a learner reads at a glance."""
    if result.how == "lemma":
        return f"{html.escape(result.query)} → <b>{html.escape(result.lemma)}</b> (dictionary form)"
    if result.how == "separable":
        return f"{html.escape(label)} → <b>{html.escape(result.lemma)}</b> (separable verb)"
    if result.how == "compound":
        parts = " + ".join(f"<b>{html.escape(p)}</b>" for p in result.parts)
        return f"compound of {parts}"
    return None


def _is_label(result: LookupResult, entry: Entry, label: str) -> bool:
    """The entry is the clicked word itself: the header already names it."""
    return result.how == "surface" and entry.headword.casefold() == label.casefold()


def _pronunciation(entry: Entry, c: PopupColors) -> str:
    if not entry.pronunciation:
        return ""
    return f' <span style="color:{c.muted}; font-weight:normal;">/{html.escape(entry.pronunciation)}/</span>'


def header_pronunciation(results: list[LookupResult], label: str, c: PopupColors) -> str:
    for result in results[:1]:
        for entry in result.entries[:1]:
            if _is_label(result, entry, label):
                return _pronunciation(entry, c)
    return ""


def _entries_html(results: list[LookupResult], label: str, c: PopupColors) -> str:
    out = []
    for result in results:
        note = _how(result, label)
        if note:
            out.append(f'<p style="margin:10px 0 0 0; color:{c.muted};">{note}</p>')
        for entry in result.entries:
            indent = 0
            if not _is_label(result, entry, label):
                out.append(
                    f'<p style="margin:6px 0 0 0;"><b>{html.escape(entry.headword)}</b>'
                    f"{_pronunciation(entry, c)}</p>"
                )
                indent = 14
            numbered = len(entry.senses) > 1
            for n, sense in enumerate(entry.senses, start=1):
                mark = f'<span style="color:{c.muted};">{n}.</span>&nbsp;' if numbered else ""
                out.append(
                    f'<p style="margin:3px 0 0 {indent}px; font-size:large;">{mark}{html.escape(sense)}</p>'
                )
    return "".join(out)


def _english_html(content: PopupContent, c: PopupColors) -> str:
    if content.english and not content.bold:
        # No phrase to point at: what follows is the whole sentence, and it says so.
        caption = "SENTENCE IN THE TEST MODEL'S OUTPUT:" if content.test_model else "SENTENCE TRANSLATION:"
    else:
        caption = "IN THE TEST MODEL'S OUTPUT" if content.test_model else "IN THE TRANSLATION"
    head = (
        f'<p style="margin:12px 0 3px 0; color:{c.muted}; font-size:8pt; letter-spacing:1px;">'
        f"{caption}</p>"
    )
    if not content.english:
        return head + f'<p style="margin:0; color:{c.muted};"><i>Not translated yet.</i></p>'
    text, bold = excerpt(content.english, content.bold)
    parts, pos = [], 0
    for start, end in bold:
        if start < pos:
            continue
        parts.append(html.escape(text[pos:start]))
        parts.append(
            f'<b style="background-color:{c.phrase};">{html.escape(text[start:end])}</b>'
        )
        pos = end
    parts.append(html.escape(text[pos:]))
    body = f'<p style="margin:0; color:{c.english}; font-family:{SERIF};">{"".join(parts)}</p>'
    if not content.bold:
        body += (
            f'<p style="margin:3px 0 0 0; color:{c.muted};"><i>No counterpart of this word '
            "was found in the translation.</i></p>"
        )
    return head + body


def excerpt(
    text: str, bold: list[tuple[int, int]], context: int = CONTEXT_CHARS
) -> tuple[str, list[tuple[int, int]]]:
    """The sentence, cut to ``context`` characters around the phrase (at spaces) when long;
    returns the text and the phrase's ranges in it."""
    bold = sorted(bold)
    if len(text) <= 2 * context + 40:
        return text, bold
    first, last = (bold[0][0], bold[-1][1]) if bold else (0, 0)
    start = max(0, first - context)
    end = min(len(text), last + context) if bold else min(len(text), 2 * context)
    if start > 0:
        start = text.find(" ", start, first) + 1 or start
    if end < len(text):
        cut = text.rfind(" ", last, end)
        end = cut if cut > 0 else end
    prefix, suffix = ("… " if start > 0 else ""), (" …" if end < len(text) else "")
    shift = len(prefix) - start
    return prefix + text[start:end].strip() + suffix, [(a + shift, b + shift) for a, b in bold]


def popup_html(content: PopupContent, c: PopupColors) -> str:
    """The card as Qt rich text: the word, its entries (or why there are none), its context."""
    parts = [
        f'<p style="margin:0; font-size:x-large; font-weight:600; color:{c.heading};">'
        f"{html.escape(content.label)}{header_pronunciation(content.results, content.label, c)}</p>"
    ]
    if content.message is not None:
        parts.append(f'<p style="margin:8px 0 0 0; color:{c.warning};">{html.escape(content.message)}</p>')
    elif content.results:
        parts.append(_entries_html(content.results, content.label, c))
    else:
        parts.append(
            f'<p style="margin:8px 0 0 0; color:{c.muted};">'
            f"{html.escape(format_entries([], content.label))}</p>"
        )
    parts.append(_english_html(content, c))
    return f'<div style="color:{c.text};">{"".join(parts)}</div>'


# --------------------------------------------------------------------------- the card


class DictionaryPopup(QFrame):
    """The card; ``show_for(rect, content)`` places it below (or above) a word's rectangle."""

    closed = Signal()

    def __init__(self, view: ReaderView) -> None:
        super().__init__(view.viewport())
        self.view = view
        self.setObjectName("dictionaryPopup")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.label = QLabel(self)
        self.label.setObjectName("dictionaryText")
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        font = self.label.font()
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.label.setFont(font)
        self.scroll = QScrollArea(self)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(self.label)
        self.scroll.setWidgetResizable(True)
        box = QVBoxLayout(self)
        box.setContentsMargins(16, 12, 12, 12)
        box.addWidget(self.scroll)
        shadow = QGraphicsDropShadowEffect(self)
        shadow.setBlurRadius(28)
        shadow.setOffset(0, 6)
        shadow.setColor(QColor(0, 0, 0, 70))
        self.setGraphicsEffect(shadow)
        self._content: PopupContent | None = None
        self._anchor: QRectF | None = None
        self._avoid: list[QRectF] = []
        self._colors = PopupColors.for_reader(view.colors())
        self._watching = False
        self._apply_style()
        self.hide()

    # ----------------------------------------------------------------- content

    def content(self) -> PopupContent | None:
        return self._content if self.isVisible() else None

    def plain_text(self) -> str:
        """The card's text as a reader sees it (tests, accessibility)."""
        from PySide6.QtGui import QTextDocument

        doc = QTextDocument()
        doc.setHtml(self.label.text())
        return doc.toPlainText()

    def set_colors(self, colors: theme.ReaderColors) -> None:
        self._colors = PopupColors.for_reader(colors)
        self._apply_style()
        if self._content is not None:
            self.label.setText(popup_html(self._content, self._colors))

    def _apply_style(self) -> None:
        c = self._colors
        self.setStyleSheet(
            f"QFrame#dictionaryPopup {{ background: {c.background}; border: 1px solid {c.border};"
            " border-radius: 10px; }"
            " QScrollArea, QScrollArea > QWidget > QWidget, QLabel#dictionaryText"
            " { background: transparent; border: none; }"
        )

    # ----------------------------------------------------------------- showing

    def show_for(self, anchor: QRectF, content: PopupContent, avoid: Sequence[QRectF] = ()) -> None:
        """Show ``content`` next to ``anchor`` (the word's rectangle in viewport coordinates),
        not covering ``avoid`` (its highlighted counterpart) when there is another place."""
        self._content = content
        self._anchor = QRectF(anchor)
        self._avoid = [QRectF(r) for r in avoid]
        self.label.setText(popup_html(content, self._colors))
        self._resize()
        self.place(anchor, self._avoid)
        self.show()
        self.raise_()
        self._watch(True)

    def update_content(self, content: PopupContent) -> None:
        """New text for the word shown (e.g. the dictionary finished loading)."""
        if self._anchor is None:
            return
        self.show_for(self._anchor, content, self._avoid)

    def _resize(self) -> None:
        vp = self.view.viewport()
        em = max(12.0, self.view.fontMetrics().height() * 1.0)
        width = int(max(240, min(em * 26, vp.width() - 2 * MARGIN)))
        margins = self.layout().contentsMargins()
        inner = width - margins.left() - margins.right() - 2
        text_h = self.label.heightForWidth(inner)
        if text_h < 0:
            text_h = self.label.sizeHint().height()
        cap = int(max(120, vp.height() * 0.6))
        height = min(text_h + margins.top() + margins.bottom() + 4, cap)
        self.setFixedSize(width, height)

    def place(self, anchor: QRectF, avoid: Sequence[QRectF] = ()) -> None:
        """Next to the word without covering it or ``avoid`` (its highlighted counterpart):
        below or above the word, or past the counterpart (interleaved, it lies just below the
        word), shifted to the side away from the counterpart (side by side, it lies in the other
        column); always inside the viewport. With no clear place, the card may shrink (it
        scrolls) to fit one; only then does it cover the counterpart rather than the word."""
        self._anchor = QRectF(anchor)
        vp = self.view.viewport()
        w, h = self.width(), self.height()
        avoid = [QRectF(r) for r in avoid if not r.isEmpty()]
        word = QRectF(anchor).adjusted(-2, -2, 2, 2)

        def inside(x: float) -> int:
            return int(max(MARGIN, min(x, vp.width() - w - MARGIN)))

        xs = [inside(anchor.left() - 16)]
        if avoid:
            left, right = min(r.left() for r in avoid), max(r.right() for r in avoid)
            if left >= anchor.center().x():  # counterpart to the right: keep left of it
                xs.append(inside(min(anchor.left() - 16, left - GAP - w)))
            elif right <= anchor.center().x():
                xs.append(inside(max(anchor.left() - 16, right + GAP)))
        ys = [anchor.bottom() + GAP, anchor.top() - GAP - h]
        if avoid:
            ys += [max(r.bottom() for r in avoid) + GAP, min(r.top() for r in avoid) - GAP - h]

        def clear(rect: QRectF, others: Sequence[QRectF]) -> bool:
            return not rect.intersects(word) and not any(rect.intersects(r) for r in others)

        def fits(y: float, height: float) -> bool:
            return MARGIN <= y and y + height <= vp.height() - MARGIN

        for others in (avoid, []):
            for y in ys:
                for x in xs:
                    if fits(y, h) and clear(QRectF(x, y, w, h), others):
                        self.move(QPoint(x, int(y)))
                        return
            # Shrink into the largest free band above or below the word (or the counterpart).
            bands = [
                (anchor.bottom() + GAP, vp.height() - MARGIN),
                (MARGIN, anchor.top() - GAP),
            ]
            if avoid:
                bands += [
                    (max(r.bottom() for r in avoid) + GAP, vp.height() - MARGIN),
                    (MARGIN, min(r.top() for r in avoid) - GAP),
                ]
            for top, bottom in sorted(bands, key=lambda b: b[0] - b[1]):
                height = int(bottom - top)
                if height < MIN_HEIGHT:
                    continue
                for x in xs:
                    y = top if top > anchor.top() else bottom - min(h, height)
                    if clear(QRectF(x, y, w, min(h, height)), others):
                        self.setFixedHeight(min(h, height))
                        self.move(QPoint(x, int(y)))
                        return
        below, above = int(anchor.bottom() + GAP), int(anchor.top() - GAP - h)
        self.move(QPoint(xs[0], below if below + h <= vp.height() or above < MARGIN else above))

    def follow(self, anchor: QRectF | None, avoid: Sequence[QRectF] = ()) -> None:
        """The text moved (scroll, zoom): move along, or close when the word left the view."""
        if not self.isVisible():
            return
        vp = self.view.viewport()
        if anchor is None or anchor.bottom() < 0 or anchor.top() > vp.height():
            self.close_popup()
            return
        self._avoid = [QRectF(r) for r in avoid]
        self._resize()
        self.place(anchor, self._avoid)

    def close_popup(self) -> None:
        if not self.isVisible():
            return
        self.hide()
        self._watch(False)
        self._content = None
        self.closed.emit()

    # ----------------------------------------------------------------- closing

    def _watch(self, on: bool) -> None:
        """Watch the application's mouse presses while open, to close on a click elsewhere."""
        app = QApplication.instance()
        if app is None or on == self._watching:
            return
        self._watching = on
        if on:
            app.installEventFilter(self)
        else:
            app.removeEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.MouseButtonPress and isinstance(obj, QWidget):
            # Presses on the reader's text are the word controller's to judge (another word
            # moves the card); anywhere else but the card closes it.
            if obj is not self and not self.isAncestorOf(obj) and obj is not self.view.viewport():
                self.close_popup()
        return False

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Escape:
            self.close_popup()
            self.view.setFocus()
            return
        super().keyPressEvent(event)

    def hideEvent(self, event) -> None:  # noqa: N802
        super().hideEvent(event)
        self._watch(False)
