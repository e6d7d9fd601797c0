"""A document as one standalone web page: Dutch beside English (or interleaved), with the window's
word and phrase highlighting on hover, working offline.

Everything is inside the file: CSS and script inline, the alignments embedded as JSON (per
sentence the tokens' character offsets on each side, the links and phrase pairs with their
confidences). Every piece of article and reader text goes through ``html.escape``; the JSON is
escaped so that no ``</script>`` or ``<!--`` in an article can end or change the script element.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from reader.document import DocumentView, ParagraphView, SentenceView
from reader.export import (
    EDIT_MARK,
    LIST_KINDS,
    QUOTE_KIND,
    _body,
    _runs,
    _title_paragraph,
    notes_at,
    sentence_annotations,
    title_is_first_sentence,
)
from reader.formats import ExportOptions

if TYPE_CHECKING:
    from reader.annotations import Annotation

__all__ = ["to_html", "alignment_data", "script_json"]

_CSS = """
:root { --bg: #fdfcf8; --fg: #1d1d1b; --muted: #6b6b66; --rule: #dedbd2; --en: #24324a;
  --hl-solid: #ffd95a; --mark-yellow: #fff3a3; --mark-green: #cdf1c4;
  --mark-blue: #cde3fb; --mark-pink: #fbd3e4; --mark-purple: #e3d6f8; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #1e1f22; --fg: #e6e4de; --muted: #9b9a94; --rule: #3a3b3f; --en: #c7d4ec;
    --hl-solid: #8a6d00; --mark-yellow: #5c5416; --mark-green: #234a26; --mark-blue: #1f3d5e;
    --mark-pink: #5a2540; --mark-purple: #40305e; }
}
html { background: var(--bg); color: var(--fg); }
body { font: 17px/1.55 "DejaVu Serif", Georgia, serif; max-width: 72rem; margin: 2rem auto;
  padding: 0 1.5rem; }
header { border-bottom: 1px solid var(--rule); margin-bottom: 1.5rem; }
.date, .notice, footer { color: var(--muted); font-size: 0.9em; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 2.5rem; margin: 0 0 1rem; }
.interleaved .pair { display: block; }
.interleaved .en { margin: 0.2rem 0 0 1.5rem; }
.en { color: var(--en); }
.pair > * { margin: 0; }
h1, h2 { line-height: 1.25; }
blockquote { border-left: 3px solid var(--rule); margin: 0; padding-left: 1rem; font-style: italic; }
ul { margin: 0; padding-left: 1.4rem; }
.w { border-radius: 3px; }
.w.hl { background: var(--hl-solid); box-shadow: 0 0 0 1px var(--hl-solid); }
.w.src { outline: 2px solid var(--hl-solid); }
.s.hs { background: rgba(127, 127, 127, 0.12); }
mark { color: inherit; border-radius: 2px; }
mark.yellow { background: var(--mark-yellow); } mark.green { background: var(--mark-green); }
mark.blue { background: var(--mark-blue); } mark.pink { background: var(--mark-pink); }
mark.purple { background: var(--mark-purple); }
sup.note a { color: var(--muted); text-decoration: none; }
.notes li { white-space: pre-wrap; }
.edit { color: var(--muted); font-size: 0.8em; }
article + article { margin-top: 3rem; border-top: 3px double var(--rule); padding-top: 1rem; }
nav.contents { border-bottom: 1px solid var(--rule); margin-bottom: 2rem; }
nav.contents a { color: inherit; }
"""

_SCRIPT = """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("alignment-data").textContent);
  var lit = [];
  function clear() {
    lit.forEach(function (el) { el.classList.remove("hl", "src", "hs"); });
    lit = [];
  }
  function words(sid, side, indices) {
    var found = [];
    indices.forEach(function (t) {
      var sel = '.' + side + ' .s[data-s="' + sid + '"] .w[data-t="' + t + '"]';
      document.querySelectorAll(sel).forEach(function (el) { found.push(el); });
    });
    return found;
  }
  function light(els, cls) { els.forEach(function (el) { el.classList.add(cls); lit.push(el); }); }
  function smallestPhrase(a, side, t) {
    var best = null, bestSize = 1e9, bestConf = -1;
    a.phrases.forEach(function (p) {
      var span = side === "nl" ? p[0] : p[1];
      if (span.indexOf(t) < 0) { return; }
      var size = p[0].length + p[1].length;
      if (size < bestSize || (size === bestSize && p[2] > bestConf)) {
        best = p; bestSize = size; bestConf = p[2];
      }
    });
    return best;
  }
  function hover(ev) {
    var w = ev.target.closest(".w");
    if (!w) { return; }
    var s = w.closest(".s");
    var sid = s.getAttribute("data-s");
    var side = w.closest(".nl") ? "nl" : "en";
    var other = side === "nl" ? "en" : "nl";
    var t = parseInt(w.getAttribute("data-t"), 10);
    var a = data.sentences[sid];
    clear();
    document.querySelectorAll('.s[data-s="' + sid + '"]').forEach(function (el) {
      el.classList.add("hs"); lit.push(el);
    });
    if (!a) { return; }
    var p = smallestPhrase(a, side, t);
    if (p) {
      light(words(sid, side, side === "nl" ? p[0] : p[1]), "src");
      light(words(sid, other, side === "nl" ? p[1] : p[0]), "hl");
      return;
    }
    light(words(sid, side, [t]), "src");
    var targets = a.links.filter(function (k) { return (side === "nl" ? k[0] : k[1]) === t; })
      .map(function (k) { return side === "nl" ? k[1] : k[0]; });
    light(words(sid, other, targets), "hl");
  }
  document.addEventListener("mouseover", hover);
  document.addEventListener("mouseleave", clear);
})();
"""


def script_json(data: object) -> str:
    """JSON safe inside a ``<script>`` element: ``<``, ``>`` and ``&`` as ``\\u`` escapes, so no
    ``</script>``, ``<!--`` or ``]]>`` in the text can end or change the element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def alignment_data(view: DocumentView, options: ExportOptions) -> dict[str, dict]:
    """Per translated sentence (by id): both sides' tokens as character offsets, the links
    ``[nl, en, confidence]`` and phrase pairs ``[[nl…], [en…], confidence]`` of the English shown,
    with the reader's link corrections applied.

    Read from the library (stored alignments, else aligned now and stored, as the window does);
    without a library the page has no highlighting.
    """
    if options.db is None or not any(s.final for s in view.sentences()):
        return {}
    from reader.alignments import document_alignments, open_dictionary_or_none
    from reader.links import apply_corrections, corrections_for

    dictionary, _ = open_dictionary_or_none()
    alignments = document_alignments(options.db, view.id, view.model_key, dictionary=dictionary)
    corrected = corrections_for(options.db, {s.id: s.final for s in view.sentences() if s.final})
    data: dict[str, dict] = {}
    for s in view.sentences():
        a = alignments.get(s.id)
        if a is None or not s.final:
            continue
        a = apply_corrections(a, corrected.get(s.id, ()))  # the reader's corrections win
        data[str(s.id)] = {
            "nl": [[t.start, t.end] for t in a.nl_tokens],
            "en": [[t.start, t.end] for t in a.en_tokens],
            "links": [[k.i, k.j, round(k.confidence, 3)] for k in a.links],
            "phrases": [[list(p.nl_span), list(p.en_span), round(p.confidence, 3)] for p in a.phrases],
        }
    return data


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _marked_html(text: str, spans: list[list[int]] | None, marks: list[Annotation]) -> str:
    """The text with each token in ``<span class="w" data-t=i>`` and each annotation's range in a
    ``<mark>`` of its colour. The text is cut at every token and annotation boundary, so marks and
    token spans always nest (a token cut by an annotation is two spans with one index)."""
    if spans and any(s < e0 for (_, e0), (s, _) in zip(spans, spans[1:], strict=False)):
        spans = None  # offsets that do not fit this text: no word spans
    if spans and spans[-1][1] > len(text):
        spans = None
    spans = spans or []
    cuts = {0, len(text)}
    for start, end in spans:
        cuts.update((start, end))
    for a in marks:
        cuts.update((a.start, a.end))
    token_at = [-1] * (len(text) + 1)
    for i, (start, end) in enumerate(spans):
        for k in range(start, end):
            token_at[k] = i
    out: list[str] = []
    points = sorted(cuts)
    for start, end in zip(points, points[1:], strict=False):
        piece = _esc(text[start:end])
        if token_at[start] >= 0:
            piece = f'<span class="w" data-t="{token_at[start]}">{piece}</span>'
        for a in marks:
            if a.start <= start and end <= a.end:
                title = f' title="{_esc(a.note)}"' if a.note else ""
                piece = f'<mark class="{_esc(a.colour)}" data-a="{a.id}"{title}>{piece}</mark>'
        out.append(piece)
    return "".join(out)


def _placed(annotations: list[Annotation], side: str, text: str) -> list[Annotation]:
    """The annotations on ``side`` that still mark their quote in ``text`` (a detached one, or one
    made on another English, keeps its note but shows no highlight)."""
    return [a for a in annotations if a.side == side and not a.detached
            and 0 <= a.start < a.end <= len(text) and text[a.start:a.end] == a.exact]


class _Page:
    def __init__(self, view: DocumentView, options: ExportOptions, number: int = 1) -> None:
        self.view = view
        self.number = number  # the document's place in a combined page: note anchors stay unique
        self.options = options
        self.data = alignment_data(view, options)
        wanted = options.includes("notes", True)
        self.annotations = sentence_annotations(view, options) if wanted else {}
        self.noted = {a.id for pieces in notes_at(self.annotations).values() for a in pieces}
        self.footnotes: list[str] = []

    def sentence(self, s: SentenceView, side: str) -> str:
        a = self.data.get(str(s.id))
        text = s.text if side == "nl" else s.final
        if not text:
            return ""
        annotations = self.annotations.get(s.id, [])
        inner = _marked_html(text, a[side] if a else None, _placed(annotations, side, text))
        if side == "en" and s.origin == "user":
            inner += f' <span class="edit" title="your own translation">{EDIT_MARK}</span>'
        for ann in annotations:
            if ann.side == side and ann.id in self.noted:
                self.footnotes.append(ann.note)
                n = len(self.footnotes)
                inner += (f'<sup class="note"><a href="#{self.anchor("note", n)}" '
                          f'id="{self.anchor("ref", n)}" title="{_esc(ann.note)}">{n}</a></sup>')
        return f'<span class="s" data-s="{s.id}">{inner}</span>'

    def side(self, p: ParagraphView, side: str) -> str:
        return " ".join(filter(None, (self.sentence(s, side) for s in p.sentences)))

    def block(self, p: ParagraphView, side: str, tag: str) -> str:
        lang = "nl" if side == "nl" else "en"
        return f'<{tag} class="{side}" lang="{lang}">{self.side(p, side)}</{tag}>'

    def run(self, run: list[ParagraphView]) -> str:
        kind = run[0].kind
        if kind in LIST_KINDS:
            lists = [
                f'<ul class="{side}" lang="{side}">'
                + "".join(f"<li>{self.side(item, side)}</li>" for item in run) + "</ul>"
                for side in ("nl", "en")
            ]
            return f'<div class="pair list">{"".join(lists)}</div>'
        tag = {"heading": "h2", QUOTE_KIND: "blockquote"}.get(kind, "p")
        return (f'<div class="pair {_esc(kind)}">{self.block(run[0], "nl", tag)}'
                f'{self.block(run[0], "en", tag)}</div>')

    def anchor(self, what: str, n: int) -> str:
        return f"{what}-{n}" if self.number == 1 else f"{what}-{self.number}-{n}"

    def article(self) -> str:
        """The document as one ``<article>``: its title, date, paragraphs and notes."""
        view = self.view
        title = _title_paragraph(view)
        head: list[str] = []
        if title is not None:
            head.append(self.run([title]).replace('class="pair heading"', 'class="pair title"')
                        .replace("<h2", "<h1").replace("</h2>", "</h1>"))
        elif not title_is_first_sentence(view):
            head.append(f'<h1 lang="nl">{_esc(view.title)}</h1>')
        if view.date:
            head.append(f'<p class="date">{_esc(view.date)}</p>')
        body = "\n".join(self.run(run) for run in _runs(_body(view)))
        notes = ""
        if self.footnotes:
            items = "".join(
                f'<li id="{self.anchor("note", n)}">{_esc(note)} '
                f'<a href="#{self.anchor("ref", n)}">↩</a></li>'
                for n, note in enumerate(self.footnotes, 1)
            )
            notes = f'<section class="notes"><h2>Notes</h2><ol>{items}</ol></section>'
        return (f'<article id="doc-{self.number}"><header>{"".join(head)}</header>'
                f"<main>\n{body}\n</main>{notes}</article>")


def _render(pages: list[_Page]) -> str:
    """The standalone page around one or more articles (several: a table of contents first)."""
    views = [p.view for p in pages]
    layout = pages[0].options.layout or "side-by-side"
    articles = [p.article() for p in pages]  # renders each, filling the alignment data
    data: dict[str, dict] = {}
    for page in pages:
        data.update(page.data)
    contents = ""
    if len(pages) > 1:
        items = "".join(f'<li><a href="#doc-{p.number}">{_esc(p.view.title)}</a></li>' for p in pages)
        contents = f'<nav class="contents"><ol>{items}</ol></nav>'
    page_title = views[0].title if len(views) == 1 else f"{views[0].title} and {len(views) - 1} more"
    edited = any(s.origin == "user" for v in views for s in v.sentences())
    footer = f"<footer><p>{EDIT_MARK} your own translation</p></footer>" if edited else ""
    return "\n".join([
            "<!DOCTYPE html>",
            '<html lang="nl">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<meta name="color-scheme" content="light dark">',
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">",
            '<meta name="generator" content="bilingual-reader">',
            f"<title>{_esc(page_title)}</title>",
            f"<style>{_CSS}</style>",
            "</head>",
            f'<body class="{layout}">',
            contents,
            *articles,
            footer,
            f'<script type="application/json" id="alignment-data">{script_json({"sentences": data})}'
            "</script>",
            f"<script>{_SCRIPT}</script>",
            "</body>",
            "</html>",
            "",
        ])


def to_html(
    views: DocumentView | Sequence[DocumentView], options: ExportOptions | None = None
) -> str:
    """The page (see the module's docstring); ``options.layout`` side-by-side (default) or
    interleaved. Several documents make one page of articles with a table of contents."""
    views = [views] if isinstance(views, DocumentView) else list(views)
    if not views:
        raise ValueError("to_html needs at least one document")
    options = options or ExportOptions()
    return _render([_Page(v, options, number) for number, v in enumerate(views, 1)])
