"""The alternatives dialog: the model's n-best list for one sentence, made comparable.

Five near-identical long strings are unreadable side by side: the current translation comes
first, every alternative says how likely the model finds it, and only the words that differ from
the current one are highlighted, so the eye goes straight to the choice being offered.
"""

from __future__ import annotations

import difflib
import html
import math
import re

from PySide6.QtCore import QModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QAbstractTextDocumentLayout, QColor, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

CURRENT, MACHINE, ALTERNATIVE = "current", "machine", "alternative"
KIND_ROLE = Qt.ItemDataRole.UserRole + 1
HTML_ROLE = Qt.ItemDataRole.UserRole + 2
ORIGIN_NAMES = {
    "model": "machine translation",
    "user": "your translation",
    "alternative": "model alternative",
}
PAD = 10  # pixels around an item's text
BAR_CELLS = 10


def diff_words(base: str, other: str) -> list[tuple[str, bool]]:
    """``other`` as (piece, differs from ``base``) pieces; whitespace pieces never differ.

    Word-level (difflib on whole words, case kept) because alternatives differ by a word or two:
    a character diff would mark half of every word.
    """
    pieces = re.findall(r"\s+|\S+", other)
    words = [p for p in pieces if not p.isspace()]
    matcher = difflib.SequenceMatcher(a=base.split(), b=words, autojunk=False)
    same: set[int] = set()
    for block in matcher.get_matching_blocks():
        same.update(range(block.b, block.b + block.size))
    out, k = [], 0
    for piece in pieces:
        if piece.isspace():
            out.append((piece, False))
        else:
            out.append((piece, k not in same))
            k += 1
    return out


def score_bar(score: float, best: float) -> tuple[str, int]:
    """A ten-cell bar of the model's likelihood relative to the best (exp of the log-prob
    difference) and that share in percent: log-probs like -0.53 mean little to a reader."""
    share = math.exp(min(0.0, score - best))
    cells = max(1, round(share * BAR_CELLS))
    return "▮" * cells + "▯" * (BAR_CELLS - cells), round(share * 100)


class _Delegate(QStyledItemDelegate):
    """Paints an item's rich text with padding and a rule below it: items read as separate."""

    def _document(self, option: QStyleOptionViewItem, index: QModelIndex) -> QTextDocument:
        doc = QTextDocument()
        doc.setDefaultFont(option.font)
        doc.setDocumentMargin(0)
        doc.setHtml(index.data(HTML_ROLE) or "")
        doc.setTextWidth(max(100, option.rect.width() - 2 * PAD))
        return doc

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        view = opt.widget
        if view is not None:
            opt.rect.setWidth(view.viewport().width())
        doc = self._document(opt, index)
        return QSize(int(doc.idealWidth()) + 2 * PAD, int(math.ceil(doc.size().height())) + 2 * PAD + 1)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        painter.save()
        palette = opt.palette
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        rect = QRectF(opt.rect)
        if selected:
            fill = QColor(palette.color(QPalette.ColorRole.Highlight))
            fill.setAlpha(60)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(palette.color(QPalette.ColorRole.Highlight))
            painter.setBrush(fill)
            painter.drawRoundedRect(rect.adjusted(2, 2, -2, -3), 6, 6)
        rule = QColor(palette.color(QPalette.ColorRole.Text))
        rule.setAlpha(40)
        painter.setPen(rule)
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        doc = self._document(opt, index)
        painter.translate(rect.left() + PAD, rect.top() + PAD)
        ctx = QAbstractTextDocumentLayout.PaintContext()
        ctx.palette.setColor(QPalette.ColorRole.Text, palette.color(QPalette.ColorRole.Text))
        doc.documentLayout().draw(painter, ctx)
        painter.restore()


class AlternativesDialog(QDialog):
    """The current translation first, then the model's alternatives, best first, each with its
    score and its differences from the current one. Arrows choose, Enter keeps, Esc cancels;
    choosing the machine's own translation reverts a version of the reader's."""

    def __init__(
        self,
        source: str,
        alternatives: list[tuple[str, float]],
        current: str,
        parent: QWidget | None = None,
        *,
        machine: str | None = None,
        origin: str | None = "model",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("alternativesDialog")
        self.setWindowTitle("Alternative translations")
        self.setMinimumWidth(620)
        dark = self.palette().color(QPalette.ColorRole.Window).lightness() < 128
        self._mark = "rgba(255,180,60,0.35)" if dark else "rgba(255,200,60,0.55)"
        self._muted = "#9a978f" if dark else "#77736b"
        layout = QVBoxLayout(self)
        src = QLabel(source)
        src.setObjectName("alternativesSource")
        src.setWordWrap(True)
        src.setStyleSheet("font-style: italic; padding: 2px 4px 8px 4px;")
        layout.addWidget(src)
        self.list = QListWidget()
        self.list.setObjectName("alternativesList")
        self.list.setItemDelegate(_Delegate(self.list))
        self.list.setWordWrap(True)
        self.list.setSpacing(0)
        self.list.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setUniformItemSizes(False)
        ranked = sorted(alternatives, key=lambda a: -a[1])
        best = ranked[0][1] if ranked else 0.0
        scores = dict(ranked)
        if current:
            tag = ORIGIN_NAMES.get(origin or "model", "machine translation")
            self._add(current, CURRENT, f"CURRENT · {tag}", current, scores.get(current), best)
        if machine and machine != current:
            note = "replaces your version" if origin == "user" else "the model's first choice"
            self._add(machine, MACHINE, f"MACHINE TRANSLATION · {note}", current, scores.get(machine), best)
        for n, (text, score) in enumerate((a for a in ranked if a[0] not in (current, machine)), start=1):
            self._add(text, ALTERNATIVE, f"ALTERNATIVE {n}", current, score, best)
        if self.list.count():
            self.list.setCurrentRow(0)
        layout.addWidget(self.list, 1)
        hint = QLabel(
            "↑ ↓ choose · Enter keeps it · Esc cancels · highlighted: words that differ from the current one"
        )
        hint.setStyleSheet(f"color: {self._muted}; padding: 4px;")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        keep = buttons.addButton("Keep this translation", QDialogButtonBox.ButtonRole.AcceptRole)
        keep.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.list.itemDoubleClicked.connect(lambda _item: self._keep())
        self.list.activated.connect(lambda _index: self._keep())  # Enter on the list
        layout.addWidget(buttons)
        self.list.setFocus()
        self.resize(720, min(640, 170 + 80 * self.list.count()))

    def _keep(self) -> None:
        if self.isVisible():  # once: Enter may also reach the default button
            self.accept()

    def _add(self, text: str, kind: str, title: str, current: str, score: float | None, best: float) -> None:
        if kind == CURRENT:
            body = html.escape(text)
        else:
            mark = f'<span style="background-color:{self._mark};">'
            body = "".join(
                f"{mark}{html.escape(p)}</span>" if changed else html.escape(p)
                for p, changed in diff_words(current, text)
            )
        head = html.escape(title)
        if score is not None:
            bar, share = score_bar(score, best)
            head += (
                f'&nbsp;&nbsp;<span style="font-family:monospace;">{bar}</span>'
                f"&nbsp;{share}%&nbsp;&nbsp;(log-prob {score:.2f})"
            )
        rich = (
            f'<div style="color:{self._muted}; font-size:small; letter-spacing:1px;">{head}</div>'
            f'<div style="margin-top:3px; font-size:large;">{body}</div>'
        )
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, text)
        item.setData(KIND_ROLE, kind)
        item.setData(HTML_ROLE, rich)
        if score is not None:
            item.setToolTip(f"Model log-probability {score:.3f}: higher is more likely")
        self.list.addItem(item)

    def chosen(self) -> str | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def chosen_kind(self) -> str | None:
        """CURRENT, MACHINE or ALTERNATIVE."""
        item = self.list.currentItem()
        return item.data(KIND_ROLE) if item else None

    def kinds(self) -> list[str]:
        return [self.list.item(i).data(KIND_ROLE) for i in range(self.list.count())]
