"""Dutch sentence segmentation with exact character offsets.

The reader translates and aligns one sentence at a time and highlights it in the original text, so
every sentence must be a slice of the paragraph (``paragraph[start:end]``). The rules are plain
Python: a terminator (``. ! ? …``) followed by white space is a boundary unless what precedes it
(an abbreviation, an initial, a list number) or what follows it (a lower-case word) says otherwise.
``bench/segmentation_eval.py`` measures it against the UD Dutch gold sentences.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left

__all__ = ["MAX_SENTENCE", "sentence_spans", "split_sentences"]

# Longest display sentence (characters). A longer run (a paragraph without punctuation) is cut at
# a clause break, so storage, translation and alignment grow linearly with it. 600 is above every
# gold sentence in the UD Dutch dev sets (longest 574), so real sentences stay whole, and about 150
# subword tokens, under the engine's 200-token chunk, so a display sentence is translated whole.
MAX_SENTENCE = 600

Span = tuple[int, int]

_JUNCTION = re.compile(r"(?<![.!?…])(?P<term>[.!?…]++)(?P<close>[\"'”’»›)\]]*+)(?=\s)")
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n\s*")
_SPACE = re.compile(r"\s+")
# Where an over-long run is cut: after a clause mark, or before a coordinating conjunction.
_CLAUSE_BREAK = re.compile(r"[,;:–—](?=\s)\s*")
_CONJUNCTION = re.compile(r"\s(?=(?:en|maar|want|of|dus|doch|and|but|or)\s)", re.IGNORECASE)
_STRAIGHT_QUOTE = re.compile('"')
_TOKEN = re.compile(r"\S+")
_OPENERS = "\"'“‘„”’«‹([{¡¿*•–—-"
_TRAILING = "\"'”’»›)]},;:"
# Dutch contracted articles that start a sentence in lower case ('s Avonds, 't Is, 'n Man).
_CONTRACTION = re.compile(r"['‘’](?:s|t|n|k)\b")
_INITIALS = re.compile(r"^(?:[A-Z]\.)*[A-Z]$")
_LOWER_DOTTED = re.compile(r"^(?:[a-z]\.)*[a-z]$")
_NUMBER = re.compile(r"^\d+$")
_QUOTE_CLOSERS = ("''", "”", "»", "’’", "›")
# Characters that continue a sentence rather than open one (``brengt... ".``, ``?/``).
_NO_START = ".,;:!?…)]}»/%"

# Abbreviations that precede a name, number or phrase, so they do not end a sentence.
_NEVER_FINAL = frozenset(
    """
    dhr hr mr mevr mw mej mgr dr drs ir ing prof st jhr jkvr kard br zr pres lt kol
    kpt kapt maj sgt adm mrs ms
    nr nrs blz bl pag pp art artt hfst hfdst fig afb tab bijl dl jrg fax
    ca resp vs vgl zgn zg incl excl evt bijv bv vnl voorz secr penn ald geb gest
    o.a o.m d.w.z m.a.w m.b.t m.b.v t.a.v t.o.v i.v.m i.p.v i.s.m i.o.v i.c t.b.v t.g.v n.a.v
    o.b.v o.l.v d.m.v m.u.v v.w.b c.q t.w z.g.a z.g a.d v.d i.h.a i.h.b
    mln mld mrd
    febr feb mrt apr jun jul aug sept okt nov dec
    """.split()
)
# Month abbreviations that are also first names (Jan., Sep.): abbreviations only in a date.
_NAME_MONTHS = frozenset({"jan", "sep"})
# Weekday abbreviations are also words (zo., ma. for mother): abbreviations only before a date.
_WEEKDAYS = frozenset("ma di wo do vr za zo".split())
_MONTH_WORDS = (
    "jan|januari|feb|febr|februari|mrt|maart|apr|april|mei|jun|juni|jul|juli|aug|augustus"
    "|sep|sept|september|okt|oktober|nov|november|dec|december"
)
# What follows a weekday in a date: a day and month (5 mei), a numeric date (5/3) or a time (10.00).
_DATE_AFTER_WEEKDAY = re.compile(
    rf"[0-3]?\d(?:[-/][01]?\d\b|[.:][0-5]\d\b|\s+(?:{_MONTH_WORDS})\b)", re.IGNORECASE
)
_DAY_NUMBER = re.compile(r"^(?:[1-9]|[12]\d|3[01])$")
# Abbreviations that often close a sentence: a boundary when a capital follows.
_MAY_END = frozenset(
    """
    enz etc e.d e.a e.v jl j.l v.chr n.chr chr z.s.m a.u.b s.v.p jr sr a.s red
    """.split()
)
# Capitalised first names abbreviated like initials (Th. Mann, Joh. Verhulst).
_NAME_ABBREVS = frozenset("th joh ph jac wm jz jzn mich corn hendr".split())
# Words that start a sentence after an initial (vitamine C. Die …); surname particles
# (De, Van, Ter …) are left out because Flemish names capitalise them (J. De Wit).
_STARTERS = frozenset(
    """
    het een dat dit die deze hij zij ze wij we ik jij je u er daar hier toen maar en ook
    in op met na voor volgens als omdat hoewel nu zo wat wie waarom dan bij door over tot uit
    aan om onder tijdens sinds toch bovendien daarna daarom verder wel niet geen alle veel
    zijn haar hun mijn ons onze wanneer waar hoe welke the
    """.split()
)


def sentence_spans(paragraph: str) -> list[Span]:
    """``(start, end)`` of each sentence, stripped, in order, covering all non-space text.

    No span is longer than ``MAX_SENTENCE``: an over-long run is cut at clause breaks.
    """
    spans: list[Span] = []
    start = 0
    for cut in _cuts(paragraph):
        _add_span(paragraph, start, cut, spans)
        start = cut
    _add_span(paragraph, start, len(paragraph), spans)
    if any(end - begin > MAX_SENTENCE for begin, end in spans):
        spans = [piece for span in spans for piece in _cut_long(paragraph, span)]
    return spans


def split_sentences(paragraph: str) -> list[str]:
    """The sentences of ``paragraph`` as stripped slices of it."""
    return [paragraph[s:e] for s, e in sentence_spans(paragraph)]


def _add_span(text: str, start: int, end: int, spans: list[Span]) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if stripped:
        left = start + len(piece) - len(piece.lstrip())
        spans.append((left, left + len(stripped)))


def _cut_long(text: str, span: Span) -> list[Span]:
    """A span cut into pieces of at most ``MAX_SENTENCE`` characters, each at the best place.

    The best place is the last one in the window after a clause mark (``, ; : –``), else before a
    conjunction (en, maar, want …), else at a space, provided it leaves a piece of at least half
    the window; a run without spaces is cut hard. Each window is scanned once: linear in the span.
    """
    start, end = span
    pieces: list[Span] = []
    while end - start > MAX_SENTENCE:
        limit = start + MAX_SENTENCE
        cut = _clause_cut(text, start, limit)
        pieces.append((start, _rstrip(text, start, cut)))
        start = _skip_space(text, cut)
    pieces.append((start, end))
    return [piece for piece in pieces if piece[1] > piece[0]]


def _clause_cut(text: str, start: int, limit: int) -> int:
    """Offset (in ``(start + MAX_SENTENCE // 2, limit]``) where the next piece starts."""
    floor = start + MAX_SENTENCE // 2
    window = text[start:limit + 1]
    for pattern in (_CLAUSE_BREAK, _CONJUNCTION):
        matches = list(pattern.finditer(window, floor - start))
        if matches:
            return start + matches[-1].end()
    space = window.rfind(" ", floor - start)
    space = max(space, *(window.rfind(ch, floor - start) for ch in "\n\t"))
    if space > 0:
        return start + space + 1
    cut = limit
    while cut > floor and unicodedata.combining(text[cut]):
        cut -= 1  # never separate an accent from its letter
    return cut


def _rstrip(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def _cuts(text: str) -> list[int]:
    """Offsets just after each sentence-final terminator (and its closing quotes)."""
    cuts: list[int] = []
    hard = {m.start() for m in _BLANK_LINE.finditer(text)}
    quotes = [m.start() for m in _STRAIGHT_QUOTE.finditer(text)]
    for match in _JUNCTION.finditer(text):
        end = _absorb_floating_closers(text, match.end(), quotes)
        nxt = _next_start(text, end)
        if nxt >= len(text):
            continue
        if _is_boundary(text, match, nxt):
            cuts.append(end)
    cuts.extend(hard)
    return sorted(set(cuts))


def _absorb_floating_closers(text: str, end: int, quotes: list[int]) -> int:
    """Extend a sentence over closing quotes set off by a space (``twijfelaar. '' Daarna``)."""
    while True:
        token = _TOKEN.match(text, _skip_space(text, end))
        if token is None:
            return end
        if token.group() in _QUOTE_CLOSERS:
            end = token.end()
        elif token.group() == '"' and _closes_straight_quote(text, token.start(), quotes):
            return token.end()
        else:
            return end


def _closes_straight_quote(text: str, pos: int, quotes: list[int]) -> bool:
    """A lone ``"`` closes when an odd number precede it or another lone one follows it."""
    if bisect_left(quotes, pos) % 2 == 1:
        return True
    following = _TOKEN.match(text, _skip_space(text, pos + 1))
    return following is not None and following.group() == '"'


def _skip_space(text: str, pos: int) -> int:
    m = _SPACE.match(text, pos)
    return m.end() if m else pos


def _next_start(text: str, pos: int) -> int:
    """Index of the first letter or digit of the next sentence candidate (past quotes, brackets)."""
    n = len(text)
    while pos < n:
        ch = text[pos]
        if ch.isspace():
            pos += 1
        elif _CONTRACTION.match(text, pos):
            return pos
        elif text.startswith(",,", pos):
            pos += 2
        elif ch in _OPENERS:
            pos += 1
        else:
            return pos
    return pos


def _opens_like_sentence(text: str, nxt: int) -> bool:
    """A capital, a contraction ('s, 't) or a symbol can open a sentence; a lower-case word cannot."""
    ch = text[nxt]
    return ch.isupper() or bool(_CONTRACTION.match(text, nxt)) or not (ch.isalnum())


def _next_word(text: str, nxt: int) -> str:
    m = re.match(r"\w+", text[nxt : nxt + 40])
    return m.group().lower() if m else ""


def _is_boundary(text: str, match: re.Match[str], nxt: int) -> bool:
    """Does the terminator in ``match`` end a sentence, given the next sentence would start at nxt?

    ``!`` and ``?`` end one before anything but lower case; a period needs the word before it
    to be no abbreviation, initial or list number.
    """
    term = match.group("term")
    if text[nxt] in _NO_START or (text[nxt].islower() and not _CONTRACTION.match(text, nxt)):
        return False
    if "!" in term or "?" in term:
        return True
    word_start = _word_start(text, match.start())
    before = text[word_start : match.start()]
    if len(term) > 1 or term == "…":
        return _ellipsis_ends(before)
    upper = _opens_like_sentence(text, nxt)
    if match.group("close"):
        return upper or text[nxt].isdigit()
    return _period_ends(text, before.lstrip(_OPENERS), word_start, nxt, upper)


def _word_start(text: str, pos: int) -> int:
    while pos > 0 and not text[pos - 1].isspace():
        pos -= 1
    return pos


def _ellipsis_ends(before: str) -> bool:
    """``(...)`` marks an elision inside a sentence; an ellipsis after a word may end one."""
    return not before.endswith(("(", "["))


def _period_ends(text: str, word: str, word_start: int, nxt: int, upper: bool) -> bool:
    word = word.rstrip(_TRAILING)
    core = _abbreviation_key(word)
    if _is_never_final(core) or _is_date_abbreviation(text, word, core, word_start, nxt):
        return False
    if core in _MAY_END:
        return upper
    if _INITIALS.match(word) or core in _NAME_ABBREVS:
        return _next_word(text, nxt) in _STARTERS
    if _LOWER_DOTTED.match(word):
        return _next_word(text, nxt) in _STARTERS
    if _NUMBER.match(word) and len(word) <= 3 and _opens_list(text, word_start):
        return False
    return upper or text[nxt].isdigit()


def _abbreviation_key(word: str) -> str:
    """Abbreviations match in any case (Dr., Bijv., v.Chr.) except all capitals: VS is a country."""
    letters = [ch for ch in word if ch.isalpha()]
    return word if len(letters) > 1 and all(ch.isupper() for ch in letters) else word.lower()


def _is_never_final(core: str) -> bool:
    """A known abbreviation, or titles written together (``prof.dr.ir``) that are each one."""
    if core in _NEVER_FINAL:
        return True
    parts = core.split(".")
    return len(parts) > 1 and all(part in _NEVER_FINAL for part in parts)


def _is_date_abbreviation(text: str, word: str, core: str, word_start: int, nxt: int) -> bool:
    """``5 jan. 2021`` and ``ma. 5 mei``: month and weekday abbreviations that double as words.

    A month counts after a day number, or lower-case before a number (``Jan. 3 dagen`` may be a
    name); a weekday counts before a date or time.
    """
    if core in _NAME_MONTHS:
        after_day = bool(_DAY_NUMBER.match(_previous_word(text, word_start)))
        return after_day or (word.islower() and text[nxt].isdigit())
    if core in _WEEKDAYS:
        return _DATE_AFTER_WEEKDAY.match(text, nxt) is not None
    return False


def _previous_word(text: str, word_start: int) -> str:
    """The token before the one at ``word_start`` (bare of brackets and quotes), or ``""``."""
    end = word_start
    while end > 0 and text[end - 1].isspace():
        end -= 1
    return text[_word_start(text, end) : end].strip(_OPENERS + _TRAILING)


def _opens_list(text: str, word_start: int) -> bool:
    """A small number opening a paragraph, clause or sentence numbers a list (``1. Inleiding``).

    After an abbreviation's period (``nr. 5.``, ``(art. 12).``) the number is a reference instead.
    """
    i = word_start
    while i > 0 and text[i - 1].isspace():
        i -= 1
    if i == 0:
        return True
    if text[i - 1] != ".":
        return text[i - 1] in ":;!?"
    previous = _previous_word(text, word_start)
    return not _is_never_final(_abbreviation_key(previous.rstrip(".")))
