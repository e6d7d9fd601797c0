"""Dutch-English word alignment for hover highlighting: which English words render a Dutch word.

Every (Dutch word, English word) pair gets a lexical score from several kinds of evidence:
identical tokens, numbers and names; a table of function words and country names; the FreeDict
dictionary (Dutch surface form and lemma against the English surface form and lemma); and
cognates by spelling similarity after Dutch->English spelling normalisation. Confident links
become anchors that fix the local diagonal, a position prior breaks ties (which "de" is which
"the"), and the two directions are symmetrised grow-diag-final-and style. Model attention, when
given, only fills in words the lexical evidence left open. Dutch discontinuous units link
as one: separable verbs ("haalde ... uit" <-> "lashed out"), split adverbial pronouns
("er ... van" <-> "about it") and a finite auxiliary with the verb at the end of its clause
("heeft ... gevraagd" <-> "asked"). Phrase pairs are extracted from the links so the UI can
highlight a whole unit.
"""

from __future__ import annotations

import json
import re
import unicodedata
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal, NamedTuple, Protocol

import numpy as np

from reader.errors import ReaderError
from reader.lemmas import en_lemma, nl_lemma
from reader.words import Token, tokenize

__all__ = [
    "ALIGNER_VERSION",
    "Alignment",
    "AlignmentError",
    "AlignmentTooLong",
    "MAX_ALIGN_TOKENS",
    "Lexicon",
    "Link",
    "PhrasePair",
    "align",
    "extract_phrases",
    "phrase_at",
    "word_attention",
]

ALIGNER_VERSION = "3"
MAX_PHRASE = 7
# Tokens a side the aligner takes in one piece: its score matrices grow with the product of the
# two lengths (10,000 words a side took 2.9 GB). Longer pairs with the engine's attention in
# blocks are aligned block by block; others are refused with AlignmentTooLong.
MAX_ALIGN_TOKENS = 1000
# Dense attention cells beyond which block attention is aligned block by block, not densified.
_MAX_DENSE_CELLS = 1 << 22

Side = Literal["nl", "en"]


class AlignmentError(ReaderError, ValueError):
    """The input to the aligner is inconsistent (e.g. attention that does not fit the subwords)."""


class AlignmentTooLong(ReaderError):
    """A pair too long to align in one piece (see ``MAX_ALIGN_TOKENS``)."""


class Lexicon(Protocol):
    """What the aligner needs from a dictionary (``reader.dictionary.Dictionary`` fits)."""

    def translations(self, word: str) -> Iterable[str]: ...


class Link(NamedTuple):
    i: int  # Dutch token index
    j: int  # English token index
    confidence: float


class PhrasePair(NamedTuple):
    """Token indices of a Dutch unit and its English rendering, ascending.

    The English side is contiguous; the Dutch side may have gaps (separable verbs: "belde ... op").
    """

    nl_span: tuple[int, ...]
    en_span: tuple[int, ...]
    confidence: float

    @property
    def discontinuous(self) -> bool:
        return self.nl_span[-1] - self.nl_span[0] + 1 != len(self.nl_span)

    def span(self, side: Side) -> tuple[int, ...]:
        return self.nl_span if side == "nl" else self.en_span


@dataclass
class Alignment:
    nl_tokens: list[Token]
    en_tokens: list[Token]
    links: list[Link]
    phrases: list[PhrasePair]
    aligner_version: str = ALIGNER_VERSION
    # Separable verbs split over the sentence: Dutch verb index -> its particle's index, so a
    # dictionary lookup of "haalde" can ask for "uithalen" whatever the links are.
    particles: dict[int, int] = field(default_factory=dict)
    # Lookups for hover, computed once: word -> its smallest phrase pair / its links.
    _smallest: dict[str, list[int]] = field(init=False, repr=False, compare=False)
    _by_word: dict[str, dict[int, list[Link]]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._smallest = {
            "nl": _smallest_phrase_index(self.phrases, "nl", len(self.nl_tokens)),
            "en": _smallest_phrase_index(self.phrases, "en", len(self.en_tokens)),
        }
        self._by_word = {"nl": {}, "en": {}}
        for link in self.links:
            self._by_word["nl"].setdefault(link.i, []).append(link)
            self._by_word["en"].setdefault(link.j, []).append(link)

    def to_pharaoh(self) -> str:
        """Links as ``i-j`` (Dutch index first), the format of alignment tools and gold sets."""
        return " ".join(f"{link.i}-{link.j}" for link in self.links)

    def to_json(self) -> dict:
        """A JSON-ready dict (lists and numbers only) for the ``alignments`` table or the CLI."""
        return {
            "version": self.aligner_version,
            "nl": [list(t) for t in self.nl_tokens],
            "en": [list(t) for t in self.en_tokens],
            "links": [[k.i, k.j, round(k.confidence, 3)] for k in self.links],
            "phrases": [
                [list(p.nl_span), list(p.en_span), round(p.confidence, 3)] for p in self.phrases
            ],
            "particles": [[verb, particle] for verb, particle in sorted(self.particles.items())],
        }

    @classmethod
    def from_json(cls, data: dict | str) -> Alignment:
        """Read back :meth:`to_json` (the dict or its JSON text); callers compare
        ``aligner_version`` with ``ALIGNER_VERSION`` to decide to realign."""
        try:
            if isinstance(data, str | bytes):
                data = json.loads(data)
            return cls(
                nl_tokens=[Token(str(a), int(b), int(c), bool(d)) for a, b, c, d in data["nl"]],
                en_tokens=[Token(str(a), int(b), int(c), bool(d)) for a, b, c, d in data["en"]],
                links=[Link(int(i), int(j), float(c)) for i, j, c in data["links"]],
                phrases=[
                    PhrasePair(tuple(map(int, a)), tuple(map(int, b)), float(c))
                    for a, b, c in data["phrases"]
                ],
                aligner_version=str(data["version"]),
                particles={int(v): int(p) for v, p in data.get("particles", ())},
            )
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            raise AlignmentError(
                f"A stored alignment could not be read ({exc}): realign the sentence."
            ) from exc

    def particle_of(self, verb: int) -> int | None:
        """The particle of separable verb ``verb`` ("haalde" -> "uit"), or None."""
        return self.particles.get(verb)

    def verb_of(self, particle: int) -> int | None:
        """The verb whose separated particle is ``particle``, or None."""
        return next((v for v, p in self.particles.items() if p == particle), None)

    def links_of(self, side: Side, index: int) -> list[Link]:
        """The links of word ``index`` on ``side`` (empty for an unaligned word)."""
        return list(self._by_word[side].get(index, ()))


# --- tables ---------------------------------------------------------------------------------
# Dutch function words and their usual English renderings, the first rendering the most usual.
# English renderings are compared with English lemmas too, so "zijn: be" also matches "were".

_FUNCTION_WORDS = """
de: the | het: the, it | een: a, an, one | 't: the, it | 'n: a, an | 's: the, in the
ik: i, me | mij: me, i | me: me | mijn: my, mine | m'n: my
jij: you | je: you, your, yourself | jou: you | jouw: your | u: you | uw: your
hij: he, him, it | hem: him, it | zijn: his, its, be, have | men: one, people, they, you
zelf: self, himself, herself, itself, themselves, myself, yourself, own | eigen: own
hetzelfde: the same, same | dezelfde: the same, same | allebei: both | elkaars: each other's
wiens: whose | wier: whose | enkel: only, single, just
zij: she, they, her, them, those | ze: they, she, them, her | haar: her, hers, its, it
wij: we, us | we: we, us | ons: us, our | onze: our
jullie: you, your | hun: their, them | hen: them | zich: himself, herself, itself, themselves,
 oneself | zichzelf: himself, herself, itself, themselves, oneself | elkaar: each other,
 one another, each, other | mekaar: each other
dit: this, it | deze: these, this, the | dat: that, this, which, it, who | die: who, that, which,
 those, these, this, the, it, they, he, she | wie: who, whom | wat: what, which, that, something
welke: which, what | welk: which, what | waar: where, true | hoe: how | waarom: why
wanneer: when, whenever | iets: something, anything | niets: nothing, anything | niks: nothing
iemand: someone, somebody, anyone, anybody | niemand: nobody, no one, anyone
alles: everything, all, anything | allemaal: all | alle: all, every | al: already, all, yet
ieder: each, every | iedere: each, every | elk: each, every | elke: each, every
iedereen: everyone, everybody, anyone | sommige: some | sommigen: some | enkele: some, a few, few
veel: many, much, a lot, lot | vele: many | weinig: few, little | meer: more | meest: most
meeste: most | minder: less, fewer | ander: other, another | andere: other, another, different
anderen: others, other | beide: both | beiden: both | zulke: such | zo'n: about, some, such,
 around, approximately, roughly | zoveel: so many, so much, as many
van: of, from, by | in: in, into, inside | op: on, at, upon, up, to | met: with, by
voor: for, before, in front of, ago, to | na: after | naar: to, towards, for, at
aan: to, on, at, of | bij: at, with, near, by | door: by, through, because | om: to, at, around,
 for, about | over: about, over, across, on, in | tegen: against, to | tussen: between, among
tijdens: during | sinds: since, for | zonder: without | onder: under, below, among, during
boven: above, over | achter: behind | naast: next to, beside, next | tot: until, till, to, up to
uit: from, out, of | vanaf: from, since | vanwege: because of, due to, because, owing to
volgens: according to, according | per: per, a | rond: around, about | rondom: around
langs: along, past | binnen: within, inside, in | buiten: outside | via: via, through
namens: on behalf of, behalf | ondanks: despite, in spite of | wegens: because of, due to
richting: towards, toward | sedert: since | omtrent: about, concerning
jegens: towards, toward | behalve: except, besides, apart from | dankzij: thanks to, thanks
ten: at, to | ter: for, at, to | tegenover: opposite, towards, against, compared with
voorbij: past, beyond, over | omstreeks: around, about | gedurende: during, for
vanuit: from | naartoe: to, towards | betreffende: concerning, regarding, about
zoals: as, like, such as | als: as, if, like, when, than
dan: than, then | toe: to | te: to, too
en: and | of: or, whether, if | maar: but, only, just | want: because, for, since, as
omdat: because, since, as | dus: so, therefore, thus | noch: nor, neither | hoewel: although,
 though | terwijl: while, whereas | toen: when, then | indien: if | zodat: so, so that
nadat: after | voordat: before | totdat: until | zodra: as soon as | tenzij: unless
mits: provided, if | alsof: as if, as though | opdat: so that, so | doordat: because, as
aangezien: since, as, because | naarmate: as | zolang: as long as, while
niet: not, n't, no | geen: no, not, any, none | nooit: never | ook: also, too, as well, either
nog: still, yet, even, more, another | weer: again, back | wel: well, do, indeed, though
zeer: very | heel: very, whole, quite | erg: very, bad | zo: so, as, such, like, this
er: there, it | daar: there | hier: here | nu: now | vandaag: today | gisteren: yesterday
morgen: tomorrow, morning | straks: later, soon | misschien: maybe, perhaps
alleen: only, alone, just | slechts: only, just | pas: only, just, not until | juist: just,
 right, precisely, exactly, actually | echter: however | vooral: especially, mainly,
 above all, particularly, mostly | eerder: earlier, before, previously, already
later: later, afterwards | verder: further, continue, on, also | samen: together
bijna: almost, nearly | ongeveer: about, approximately, around, some | zelfs: even
steeds: increasingly, always, still, ever | blijkbaar: apparently, evidently
inmiddels: meanwhile, by now, now | daarom: therefore, that is why, so, why
daarna: afterwards, then, after that | daarnaast: besides, in addition, also
daardoor: because of that, as a result, thereby, so | bovendien: moreover, furthermore,
 in addition, also | namelijk: namely, because, after all | immers: after all, because
inderdaad: indeed | tevens: also | eveneens: also, likewise, too | opnieuw: again, anew
meteen: immediately, right away, at once | direct: immediately, directly, direct
vaak: often | soms: sometimes | ooit: ever, once | altijd: always | reeds: already
thans: now, currently | nadien: afterwards, later | vervolgens: then, subsequently, next
uiteindelijk: eventually, finally, ultimately, in the end | sindsdien: since, since then
plotseling: suddenly | opeens: suddenly | zowel: both, as well | hetzij: either, or
ofwel: or, either | zowat: about, nearly, almost | bijvoorbeeld: for example, for instance,
 e.g. | enzovoort: and so on, etc
ja: yes | nee: no | toch: still, yet, nevertheless, after all | even: just, briefly, moment
ben: be | bent: be | is: be | was: be | waren: be | geweest: be | wezen: be
hebben: have | heb: have | hebt: have | heeft: have | had: have | hadden: have | gehad: have
zal: will, shall, would | zullen: will, shall | zult: will | zou: would, should, will
zouden: would, should | kan: can, could, may, able | kunnen: can, could, able, be able
kon: could, can, able | konden: could, able | kunt: can | moet: must, have to, should, need
moeten: must, have to, should, need | moest: had to, must, should | moesten: had to, must
wil: want, will, wish | willen: want, wish | wilde: want, wanted | wilden: want | wou: want
mag: may, can, allowed, be allowed | mogen: may, can, allowed | mocht: could, might, allowed
mochten: could, might | worden: be, become, get | wordt: be, become, get | werd: be, become
werden: be, become | geworden: be, become | laten: let, have, make | laat: let, late
liet: let | doen: do, make | doet: do, make | deed: do, make | gedaan: do, make
gaan: go, will, be going | gaat: go, will | ging: go | gingen: go | gegaan: go
komen: come | komt: come | kwam: come | kwamen: come | gekomen: come
twee: two, 2 | drie: three, 3 | vier: four, 4 | vijf: five, 5 | zes: six, 6 | zeven: seven, 7
acht: eight, 8 | negen: nine, 9 | tien: ten, 10 | elf: eleven, 11 | twaalf: twelve, 12
dertien: thirteen | veertien: fourteen | vijftien: fifteen | zestien: sixteen
zeventien: seventeen | achttien: eighteen | negentien: nineteen | twintig: twenty
dertig: thirty | veertig: forty | vijftig: fifty | zestig: sixty | zeventig: seventy
tachtig: eighty | negentig: ninety | honderd: hundred | duizend: thousand | miljoen: million
miljard: billion | half: half | halve: half | anderhalf: one and a half, and a half, half
eerste: first | tweede: second | derde: third | vierde: fourth | vijfde: fifth
laatste: last, latest, final | enige: only, some, any, sole
"""

# Country and name correspondences spelling similarity cannot find, and adjectives of nationality.
_NAMES = """
rusland: russia | russisch: russian | russische: russian | russen: russians, russian
oekraïne: ukraine | oekraïens: ukrainian | oekraïense: ukrainian | oekraïner: ukrainian
oekraïners: ukrainians, ukrainian | wit-rusland: belarus | turkije: turkey | turks: turkish
turkse: turkish | nederland: netherlands | nederlands: dutch | nederlandse: dutch
nederlanders: dutch | duitsland: germany | duits: german | duitse: german | frankrijk: france
frans: french | franse: french | belgië: belgium | belgisch: belgian | belgische: belgian
engeland: england | engels: english | engelse: english | groot-brittannië: britain, great britain
brits: british | britse: british | verenigde: united | staten: states | vs: us, usa, united states
amerika: america | amerikaans: american | amerikaanse: american | europa: europe
europees: european | europese: european | polen: poland | pools: polish | poolse: polish
spanje: spain | spaans: spanish | spaanse: spanish | italië: italy | italiaans: italian
italiaanse: italian | zweden: sweden | zweeds: swedish | zweedse: swedish | noorwegen: norway
denemarken: denmark | zwitserland: switzerland | oostenrijk: austria | griekenland: greece
hongarije: hungary | roemenië: romania | tsjechië: czech republic, czechia | finland: finland
china: china | chinees: chinese | chinese: chinese | japan: japan | japans: japanese
japanse: japanese | syrië: syria | irak: iraq | israël: israel | egypte: egypt
moskou: moscow | kiev: kyiv, kiev | kyiv: kyiv, kiev | brussel: brussels | londen: london
parijs: paris | den: the | haag: hague | navo: nato | vn: un, united nations | eu: eu
westen: west | oosten: east | noorden: north | zuiden: south | westerse: western
westers: western | oostelijk: eastern | krim: crimea | kremlin: kremlin | poetin: putin
zelensky: zelensky, zelenskyy | zelenski: zelensky, zelenskyy | donbas: donbas
"""

# Separable-verb particles: a particle after a verb may form one verb with it ("belde ... op").
_PARTICLES = frozenset(
    "op aan af uit mee in over terug door weg toe na bij neer voor langs om vast los samen tegen"
    " achter binnen buiten open dicht thuis vrij kapot".split()
)

# A particle ends its clause, or is followed by a conjunction or a preposition (extraposed
# phrase: "haalde ... uit naar het Westen"); before an article or a noun it is a preposition.
_AFTER_PARTICLE = frozenset(
    "en of maar want omdat dat als toen terwijl zodat nadat voordat hoewel te naar met voor op in"
    " aan van bij over tegen tot om door uit tussen zonder sinds tijdens na".split()
)

# Adverbial pronouns: "daarover" = "about that"; the preposition part and the pronoun part.
_PRONOUN_PARTS = {
    "er": ("it", "there", "them"),
    "daar": ("that", "it", "this", "there"),
    "hier": ("this", "here", "it"),
    "waar": ("which", "what", "where", "whom"),
}
_ADVERB_PREPOSITIONS = {
    "mee": ("with",), "toe": ("to",), "van": ("of", "from", "about"), "over": ("about", "on"),
    "voor": ("for", "before"), "door": ("by", "through", "because"), "aan": ("to", "on", "of"),
    "op": ("on", "at", "to"), "in": ("in", "into"), "uit": ("from", "out of", "out"),
    "om": ("for", "because", "why"), "bij": ("with", "at", "by"), "tegen": ("against",),
    "na": ("after",), "naar": ("to", "at", "for"), "onder": ("under", "below"),
    "tussen": ("between",), "achter": ("behind",), "langs": ("along", "past"),
    "zonder": ("without",), "binnen": ("within", "inside"), "boven": ("above", "over"),
}

# Finite auxiliaries that send a participle to the end of the clause ("heeft ... gevraagd"),
# and modals that send an infinitive there ("wil ... praten").
_NL_PERFECT = frozenset(
    "heb hebt heeft hebben had hadden ben bent is zijn was waren word wordt worden werd werden"
    .split()
)
_NL_MODALS = frozenset(
    "zal zult zullen zou zouden wil wilt willen wilde wilden wou kan kunt kunnen kon konden"
    " moet moeten moest moesten mag mogen mocht mochten".split()
)
_NL_AUXILIARIES = _NL_PERFECT | _NL_MODALS
_EN_AUXILIARIES = frozenset(
    "have has had will would shall should can could may might must is are was were be been am"
    " do does did want wants wanted".split()
)
# Verbs among the function words; other function words are never a clause's final verb.
_NL_VERB_WORDS = _NL_AUXILIARIES | frozenset(
    "doen gaan komen laten gedaan gegaan gekomen gelaten geweest gehad geworden".split()
)
_SUBORDINATORS = frozenset("dat of om die wat waar hoe wie".split())
# Words that end a clause for the verb at its end.
_NL_CLAUSE_WORDS = frozenset("maar want omdat terwijl zodat nadat voordat hoewel toen".split())
# English particles of phrasal verbs: "lashed out", "gave up".
_EN_PARTICLES = frozenset(
    "out up down off in on away back over through along around about together forward apart"
    " aside".split()
)
# Words that open a noun phrase: a preposition before one is not stranded ("er ... van de").
_NP_START = frozenset(
    "de het een 'n 't dit dat deze die zijn haar hun mijn m'n jouw uw ons onze jullie geen alle"
    " elke ieder iedere veel weinig enkele sommige beide welke".split()
)

# English words a translation adds with no Dutch counterpart; kept out of cognate matching.
_EN_FUNCTION = frozenset(
    "the a an of to in on at for with by from and or but not no be is are was were been being"
    " have has had do does did will would shall should can could may might must it its this that"
    " these those there here he she they we you i me him her them us my his their our your who"
    " whom which what as than then so if when while about".split()
)

_CLAUSE_BREAKS = frozenset(",;:()\"„“”«»")
_QUOTES = "\"'„“”‘’‚«»‹›`"
_PUNCT_CLASSES = {
    **{q: '"' for q in _QUOTES},
    ",,": '"', "''": '"', "``": '"',
    "(": "(", "[": "(", "{": "(", ")": ")", "]": ")", "}": ")",
    "-": "-", "–": "-", "—": "-", "‐": "-",
    "...": "…", "…": "…",
}


def _parse_table(text: str) -> dict[str, tuple[tuple[str, ...], ...]]:
    """``"de: the | een: a, an"`` -> {"de": (("the",),), "een": (("a",), ("an",))}.

    A new line starts a new item unless it is indented (a continuation).
    """
    table: dict[str, list[tuple[str, ...]]] = {}
    for item in re.sub(r"\n(?! )", "|", text).replace("\n", " ").split("|"):
        if ":" not in item:
            continue
        word, glosses = item.split(":", 1)
        renderings = table.setdefault(word.strip(), [])
        for gloss in glosses.split(","):
            words = tuple(gloss.split())
            if words and words not in renderings:
                renderings.append(words)
    return {k: tuple(v) for k, v in table.items()}


FUNCTION_WORDS = _parse_table(_FUNCTION_WORDS)
NAMES = _parse_table(_NAMES)
for _pronoun, _objects in _PRONOUN_PARTS.items():
    for _prep, _renderings in _ADVERB_PREPOSITIONS.items():
        _glosses = [tuple(f"{r} {o}".split()) for r in _renderings for o in _objects]
        _glosses += [tuple(r.split()) for r in _renderings]
        FUNCTION_WORDS.setdefault(_pronoun + _prep, tuple(_glosses))

# --- scores ---------------------------------------------------------------------------------
# Lexical scores are in [0, 1]: roughly the probability that the pair is a translation link.

IDENTICAL = 0.95
NUMBER = 0.95
NAME = 0.92
PUNCT = 0.85
DICT_SINGLE = 0.85
DICT_PART = 0.6
DICT_COMPOUND = 0.5
FUNCTION_FIRST = 0.72
FUNCTION_OTHER = 0.55
COGNATE_MIN = 0.55
FALSE_FRIEND = 0.45
SEPARABLE = 0.8
GAP_FILL = 0.35
GAP_CONTENT = 0.3  # the one content word of an uneven gap ("overlegden" <-> "talked for")
PHRASAL = 0.45  # the verb of an English phrasal verb whose particle a Dutch particle took
AUXILIARY = 0.3  # a finite auxiliary linked through the verb at the end of its clause
BLOCK = 0.8  # confidence of a multi-word rendering's words, relative to its score
ATTENTION_MIN = 0.3
ATTENTION_MAX_FERTILITY = 3  # most words one attention-only link may fan out to
LINK_THRESHOLD = 0.22
ANCHOR = 0.8
REFINE_ANCHOR = 0.5
NEIGHBOUR_BONUS = 0.25


@dataclass(slots=True)
class _Word:
    """What the scorers need to know about one token, computed once per token."""

    text: str
    lower: str
    is_word: bool
    keys: tuple[str, ...]  # forms to match against glosses (English side: surface and lemma)
    norm: str  # spelling-normalised form for cognates
    number: str | None
    capitalised: bool


def _strip_accents(text: str) -> str:
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_NL_SPELLING = (
    (re.compile(r"ij"), "y"),
    (re.compile(r"oe"), "u"),
    (re.compile(r"sch"), "s"),
    (re.compile(r"([ao])ntie(s|n)?$"), r"\1nce"),
    (re.compile(r"(en)tie(s|n)?$"), r"ence"),
    (re.compile(r"[ts]ie(s|n)?$"), "tion"),
    (re.compile(r"teit(en)?$"), "ty"),
    (re.compile(r"isme$"), "ism"),
    (re.compile(r"iek(e|en)?$"), "ic"),
    (re.compile(r"ief$|ieve$"), "ive"),
    (re.compile(r"ie$"), "y"),
    (re.compile(r"k"), "c"),
    (re.compile(r"z"), "s"),
    (re.compile(r"(.)\1"), r"\1"),
)
_EN_SPELLING = (
    (re.compile(r"ph"), "f"),
    (re.compile(r"th"), "t"),
    (re.compile(r"ck"), "c"),
    (re.compile(r"k"), "c"),
    (re.compile(r"z"), "s"),
    (re.compile(r"(.)\1"), r"\1"),
)


@lru_cache(maxsize=1 << 16)
def _normalise(word: str, lang: str) -> str:
    """A spelling skeleton on which Dutch and English cognates look alike (oekraine -> ucraine)."""
    text = _strip_accents(word.lower())
    for pattern, replacement in _NL_SPELLING if lang == "nl" else _EN_SPELLING:
        text = pattern.sub(replacement, text)
    return text.replace("y", "i")


_NUMBER_TEXT = re.compile(r"\d+(?:[.,]\d+)*")
_NL_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_EN_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def _number_value(text: str, lang: str) -> str | None:
    """Dutch "3.000" and "1,5" and English "3,000" and "1.5" compare equal after this."""
    if not _NUMBER_TEXT.fullmatch(text):
        return None
    thousands, decimal = (".", ",") if lang == "nl" else (",", ".")
    pattern = _NL_THOUSANDS if lang == "nl" else _EN_THOUSANDS
    if pattern.fullmatch(text):
        text = text.replace(thousands, "")
    return text.replace(decimal, ".")


_NEGATIONS = {"n't": "not", "won't": "will", "can't": "can", "cannot": "can", "shan't": "shall"}


# Glosses are in American spelling; translations may be British ("recognise", "labour").
_AMERICAN_SPELLING = re.compile(
    r"(?<=\w{3})is(e|es|ed|ing|ation|ations)$|(?<=\w{3})our(s|ed|ing)?$|(?<=\w{2})tre(s)?$"
    r"|(?<=\w{2})yse(s|d)?$|^(de|of)fence(s)?$"
)


def _americanise(m: re.Match[str]) -> str:
    text = m.group()
    if text.startswith("is"):
        return "iz" + text[2:]
    if text.startswith("our"):
        return "or" + text[3:]
    if text.startswith("tre"):
        return "ter" + text[3:]
    if text.startswith("yse"):
        return "yze" + text[3:]
    return text.replace("fence", "fense")


@lru_cache(maxsize=1 << 16)
def _en_keys(lower: str) -> tuple[str, ...]:
    keys = [lower]
    lemma = en_lemma(lower)
    if lemma != lower:
        keys.append(lemma.lower())
    american = _AMERICAN_SPELLING.sub(_americanise, lower)
    if american != lower:
        keys += [american, en_lemma(american).lower()]
    if lower.endswith(("n't", "n’t")):
        base = _NEGATIONS.get(lower, lower[:-3])
        keys += [base, en_lemma(base).lower(), "not", "n't"]
    adjective = _adverb_base(lower)
    if adjective:
        keys.append(adjective)
    return tuple(dict.fromkeys(keys))


def _adverb_base(lower: str) -> str | None:
    """The adjective of an English -ly adverb ("safely" -> "safe"): a Dutch adjective serves
    as its own adverb, so "veilig" glossed "safe" renders "safely" too."""
    if len(lower) < 6 or not lower.endswith("ly") or not lower.isalpha():
        return None
    if lower.endswith("ically"):
        return lower[:-4]  # "basically" -> "basic"
    if lower.endswith("ily"):
        return lower[:-3] + "y"  # "happily" -> "happy"
    if lower.endswith("bly"):
        return lower[:-1] + "e"  # "probably" -> "probable"
    return lower[:-2]


@lru_cache(maxsize=1 << 16)
def _nl_keys(lower: str) -> tuple[str, ...]:
    lemma = nl_lemma(lower).lower()
    return (lower,) if lemma == lower else (lower, lemma)


def _words(tokens: Sequence[Token], lang: str) -> list[_Word]:
    words = []
    sentence_start = True
    for tok in tokens:
        text = tok.text.replace("’", "'")
        lower = text.lower()
        keys = (_nl_keys if lang == "nl" else _en_keys)(lower) if tok.is_word else (lower,)
        capitalised = tok.is_word and text[:1].isupper() and not sentence_start
        words.append(
            _Word(
                text=text,
                lower=lower,
                is_word=tok.is_word,
                keys=keys,
                norm=_normalise(lower, lang) if tok.is_word else lower,
                number=_number_value(text, lang) if tok.is_word else None,
                capitalised=capitalised,
            )
        )
        if tok.is_word:
            sentence_start = False
        elif text in ".!?:;\"„“”«»()":
            sentence_start = True
    return words


class _Scorer:
    """Fills the lexical score matrix ``L[i, j]`` from each kind of evidence (max wins)."""

    def __init__(self, nl: list[_Word], en: list[_Word], dictionary: Lexicon | None) -> None:
        self.nl, self.en = nl, en
        self.L = np.zeros((len(nl), len(en)), dtype=np.float32)
        self.dictionary = dictionary
        # Multi-word renderings found in order ("volgens" -> "according to"): linked as a unit.
        self.blocks: list[tuple[int, range, float]] = []
        # (verb, particle) of separable verbs found in the dictionary ("belde ... op").
        self.separable: list[tuple[int, int]] = []
        # Discontinuous Dutch units and the English words rendering them ("er ... van" -> "about
        # it"): every member links to every word once one of them is linked.
        self.units: list[tuple[tuple[int, ...], range, float]] = []
        # Dutch words the dictionary knows only as compounds ("topoverleg" = top + overleg).
        self.compounds: set[int] = set()
        self.en_index: dict[str, list[int]] = {}
        for j, w in enumerate(en):
            for key in w.keys:
                self.en_index.setdefault(key, []).append(j)

    def put(self, i: int, j: int, score: float) -> None:
        if score > self.L[i, j]:
            self.L[i, j] = score

    def run(self) -> np.ndarray:
        self.identical_and_punctuation()
        self.tables()
        self.split_adverbs()
        if self.dictionary is not None:
            self.dictionary_glosses()
            self.separable_verbs()
        self.cognates()
        return self.L

    def identical_and_punctuation(self) -> None:
        en_by_text: dict[str, list[int]] = {}
        for j, w in enumerate(self.en):
            for key in _match_keys(w):
                en_by_text.setdefault(key, []).append(j)
        for i, w in enumerate(self.nl):
            found = {j for key in _match_keys(w) for j in en_by_text.get(key, ())}
            if found:
                score = self.identical_score(w)
                for j in found:
                    self.put(i, j, score)

    def identical_score(self, w: _Word) -> float:
        """Same spelling is strong evidence, except for false friends ("of" is "or", "kind" is
        "child"): a function word or a dictionary word whose renderings lack the English word."""
        if w.number:
            return NUMBER
        if not w.is_word:
            return PUNCT
        if len(w.lower) == 1 and w.lower not in "iu":
            return FUNCTION_OTHER  # "a", "o", "e": too short to trust
        table = FUNCTION_WORDS.get(w.lower)
        if table is not None:
            return IDENTICAL if (w.lower,) in table else 0.0
        if self.dictionary is not None:
            glosses, compound = _dictionary_glosses(self.dictionary, w.text)
            if glosses and not compound and (_gloss_word(w.lower),) not in glosses:
                return FALSE_FRIEND
        return IDENTICAL

    def glosses(self, i: int, glosses: Iterable[tuple[str, ...]], first: float, other: float,
                part: float | None = None) -> None:
        """Score English words rendering Dutch word ``i`` (multi-word renderings: in order)."""
        score = first
        for gloss in glosses:
            if len(gloss) == 1:
                for j in self.en_index.get(gloss[0], ()):
                    self.put(i, j, score)
            else:
                self.multiword(i, gloss, score, part)
            score = other

    def occurrences(self, gloss: tuple[str, ...]) -> list[range]:
        """Where the English words of ``gloss`` stand next to each other, in order."""
        en, k = self.en, len(gloss)
        return [
            range(j, j + k)
            for j in self.en_index.get(gloss[0], ())
            if j + k <= len(en) and all(gloss[t] in en[j + t].keys for t in range(1, k))
        ]

    def multiword(self, i: int, gloss: tuple[str, ...], score: float, part: float | None) -> None:
        matched = False
        for block in self.occurrences(gloss):
            for j in block:
                self.put(i, j, score)
            self.blocks.append((i, block, score))
            matched = True
        if not matched and part is not None:
            for g in gloss:
                if g not in _EN_FUNCTION:
                    for j in self.en_index.get(g, ()):
                        self.put(i, j, part)

    def tables(self) -> None:
        for i, w in enumerate(self.nl):
            if not w.is_word:
                continue
            glosses = FUNCTION_WORDS.get(w.lower)
            if glosses:
                self.glosses(i, glosses, FUNCTION_FIRST, FUNCTION_OTHER)
            names = NAMES.get(w.lower)
            if names:
                self.glosses(i, names, NAME, NAME)

    def dictionary_glosses(self) -> None:
        for i, w in enumerate(self.nl):
            if w.is_word and not w.number and w.lower not in FUNCTION_WORDS:
                glosses, compound = _dictionary_glosses(self.dictionary, w.text)
                if compound:  # glosses of the parts: weaker, and never a function word
                    self.compounds.add(i)
                    glosses = tuple(g for g in glosses if len(g) > 1 or _content_word(g[0]))
                    self.glosses(i, glosses, DICT_COMPOUND, DICT_COMPOUND, DICT_COMPOUND)
                else:
                    self.glosses(i, glosses, DICT_SINGLE, DICT_SINGLE, DICT_PART)

    def split_adverbs(self) -> None:
        """"er ... van" is "ervan" split over the clause: rendered together ("about it").

        Only a stranded preposition (at the clause end, or before a verb, not before a noun
        phrase) counts, and only a two-word rendering found in order in the English, so a
        plain "er" ("there is") or preposition keeps its own links.
        """
        nl = self.nl
        for e, w in enumerate(nl):
            objects = _PRONOUN_PARTS.get(w.lower)
            if objects is None:
                continue
            for p in range(e + 1, min(len(nl), e + 12)):
                if _ends_clause(nl[p]):
                    break
                prepositions = _ADVERB_PREPOSITIONS.get(nl[p].lower)
                if prepositions is None or not _stranded(nl, p):
                    continue
                for r in prepositions:
                    for o in objects:
                        for block in self.occurrences((*r.split(), o)):
                            for j in block:
                                self.put(e, j, FUNCTION_FIRST)
                                self.put(p, j, FUNCTION_FIRST)
                            self.units.append(((e, p), block, FUNCTION_FIRST))
                break

    def separable_verbs(self) -> None:
        """A particle after a verb ("haalde ... uit") scores with the verb "uithalen" as a whole.

        The nearest verb before the particle in the same clause whose particle + infinitive is
        a dictionary headword wins; the pair is kept so the particle can share the verb's links.
        """
        nl = self.nl
        for p, w in enumerate(nl):
            if w.lower not in _PARTICLES:
                continue
            after = nl[p + 1] if p + 1 < len(nl) else None
            if after is not None and after.is_word and after.lower not in _AFTER_PARTICLE:
                continue  # "na afloop": a preposition with its noun, not a verb particle
            for v in range(p - 1, max(-1, p - 12), -1):
                if not nl[v].is_word:
                    if nl[v].text in _CLAUSE_BREAKS:
                        break
                    continue
                if nl[v].lower in FUNCTION_WORDS or len(nl[v].lower) < 3:
                    continue
                verb = nl_lemma(nl[v].lower)
                if not verb.endswith("en") or verb.startswith(w.lower):
                    continue
                joined = w.lower + verb  # "uit" + "halen": looked up as "uithalen"
                glosses, compound = _dictionary_glosses(self.dictionary, joined)
                if compound or not _has_headword(self.dictionary, joined, default=bool(glosses)):
                    continue
                self.separable.append((v, p))
                for gloss in glosses:
                    for g in gloss:
                        if g in _EN_FUNCTION:
                            continue
                        for j in self.en_index.get(g, ()):
                            self.put(v, j, SEPARABLE)
                            self.put(p, j, SEPARABLE)
                break

    def cognates(self) -> None:
        """Spelling similarity of normalised forms, for words no table covers."""
        en_by_prefix: dict[str, list[int]] = {}
        en_by_norm: dict[str, list[int]] = {}
        for j, w in enumerate(self.en):
            if w.is_word and len(w.norm) >= 3 and w.lower not in _EN_FUNCTION and not w.number:
                en_by_prefix.setdefault(w.norm[:2], []).append(j)
                if len(w.norm) >= 4:
                    en_by_norm.setdefault(w.norm, []).append(j)
        for i, w in enumerate(self.nl):
            if not w.is_word or len(w.norm) < 3 or w.number or w.lower in FUNCTION_WORDS:
                continue
            for j in en_by_prefix.get(w.norm[:2], ()):
                sim = _similarity(w.norm, self.en[j].norm)
                if sim >= 0.6:
                    self.put(i, j, COGNATE_MIN + (IDENTICAL - COGNATE_MIN) * (sim - 0.6) / 0.4)
                    if w.capitalised and self.en[j].capitalised:  # two spellings of a name
                        self.put(i, j, NAME * sim)
            # The head of a Dutch compound: "persconferentie" -> "conference".
            norm = w.norm
            for start in range(2, len(norm) - 3):
                for j in en_by_norm.get(norm[start:], ()):
                    self.put(i, j, COGNATE_MIN)


def _similarity(a: str, b: str) -> float:
    """Longest common prefix ratio or bigram Dice, whichever is higher (both cheap)."""
    if a == b:
        return 1.0
    n = min(len(a), len(b))
    k = 0
    while k < n and a[k] == b[k]:
        k += 1
    prefix = k / max(len(a), len(b)) if k >= 4 else 0.0
    dice = _dice(a, b)
    return max(prefix, dice)


@lru_cache(maxsize=1 << 16)
def _bigrams(word: str) -> frozenset[str]:
    return frozenset(word[k : k + 2] for k in range(len(word) - 1))


def _dice(a: str, b: str) -> float:
    x, y = _bigrams(a), _bigrams(b)
    if not x or not y:
        return 0.0
    return 2 * len(x & y) / (len(x) + len(y))


_Glosses = tuple[tuple[tuple[str, ...], ...], bool]
_GLOSS_CACHES: weakref.WeakKeyDictionary[object, dict[str, _Glosses]] = weakref.WeakKeyDictionary()


def _gloss_cache(dictionary: object) -> dict[str, _Glosses]:
    """Per-dictionary cache that dies with the dictionary (a new one may reuse the old id)."""
    try:
        return _GLOSS_CACHES.setdefault(dictionary, {})
    except TypeError:  # not weak-referenceable: no caching
        return {}


def _dictionary_glosses(dictionary: Lexicon | None, word: str) -> _Glosses:
    """The renderings of ``word`` as tuples of lemmatised English words, and whether they come
    only from splitting it as a compound (``Dictionary.lookup`` says how an entry was found)."""
    if dictionary is None:
        return (), False
    cache = _gloss_cache(dictionary)
    cached = cache.get(word)
    if cached is None:
        glosses = set()
        for gloss in dictionary.translations(word):
            words = tuple(_gloss_word(g) for g in gloss.lower().split())
            if words and len(words) <= 4:
                glosses.add(words)
        lookup = getattr(dictionary, "lookup", None)
        results = lookup(word) if glosses and callable(lookup) else []
        compound = bool(results) and all(getattr(r, "how", "") == "compound" for r in results)
        cached = cache[word] = (tuple(sorted(glosses, key=len)), compound)
    return cached


def _content_word(word: str) -> bool:
    return len(word) > 2 and word not in _EN_FUNCTION


def _has_headword(dictionary: Lexicon | None, word: str, default: bool = False) -> bool:
    """Whether ``word`` is itself a headword; ``default`` when the lexicon cannot say."""
    try:
        return word in dictionary  # type: ignore[operator]
    except TypeError:
        return default


def _match_keys(w: _Word) -> tuple[str, ...]:
    """Keys for identical tokens: a number by its value and as written ("3.000" copied from the
    Dutch is 3000 in Dutch, 3.0 in English), punctuation by its class."""
    if w.number:
        return (w.number, w.lower) if w.number != w.lower else (w.number,)
    return (w.lower,) if w.is_word else (_PUNCT_CLASSES.get(w.text, w.text),)


def _ends_clause(w: _Word) -> bool:
    return (not w.is_word and (w.text in _CLAUSE_BREAKS or w.text in ".!?")) or (
        w.lower in _NL_CLAUSE_WORDS
    )


def _stranded(nl: list[_Word], p: int) -> bool:
    """A preposition without its noun phrase: at the clause end or before a verb or adverb."""
    if p + 1 >= len(nl) or not nl[p + 1].is_word:
        return True
    after = nl[p + 1]
    return not (after.lower in _NP_START or after.number or after.capitalised)


@lru_cache(maxsize=1 << 16)
def _verb_like(lower: str) -> bool:
    """A verb form by its lemma: "gevraagd" (vragen), "veroorzaakt", "praten"."""
    if not lower.isalpha() or len(lower) < 3:
        return False
    return nl_lemma(lower).lower().replace("_", "").endswith("en")


@lru_cache(maxsize=1 << 16)
def _gloss_word(word: str) -> str:
    word = word.strip(".,;:!?()\"'")
    return en_lemma(word).lower() if word.isalpha() else word


# --- from scores to links -------------------------------------------------------------------


def _position_prior(shape: tuple[int, int], anchors: list[tuple[int, int]]) -> np.ndarray:
    """Closeness to the local diagonal, drawn through the anchors that keep their order."""
    n, m = shape
    xs, ys = [-1.0], [-1.0]
    for i, j in _longest_increasing(sorted(anchors)):
        xs.append(float(i))
        ys.append(float(j))
    xs.append(float(n))
    ys.append(float(m))
    expected = np.interp(np.arange(n, dtype=np.float64), xs, ys)
    distance = np.abs(np.arange(m)[None, :] - expected[:, None])
    tau = 2.0 + 0.08 * max(n, m)
    return np.exp(-distance / tau).astype(np.float32)


def _mutual_best(L: np.ndarray, minimum: float) -> list[tuple[int, int]]:
    """Pairs that are each other's best, with a score of at least ``minimum``."""
    best_j = L.argmax(axis=1)
    best_i = L.argmax(axis=0)
    return [(i, int(j)) for i, j in enumerate(best_j) if L[i, j] >= minimum and best_i[j] == i]


def _longest_increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Longest subsequence with increasing second items (first items already increase)."""
    if len(pairs) < 2:
        return pairs
    tails: list[int] = []  # tails[k]: index into pairs of the smallest tail of a chain of k+1
    previous = [-1] * len(pairs)
    for k, (_, j) in enumerate(pairs):
        lo, hi = 0, len(tails)
        while lo < hi:
            mid = (lo + hi) // 2
            if pairs[tails[mid]][1] < j:
                lo = mid + 1
            else:
                hi = mid
        previous[k] = tails[lo - 1] if lo else -1
        if lo == len(tails):
            tails.append(k)
        else:
            tails[lo] = k
    chain = []
    k = tails[-1]
    while k >= 0:
        chain.append(pairs[k])
        k = previous[k]
    return chain[::-1]


def _combine(L: np.ndarray, anchors: list[tuple[int, int]]) -> np.ndarray:
    """Lexical scores weighed by position, plus a bonus on the diagonal next to an anchor
    ("te beëindigen" <-> "to end": "te" takes the "to" next to "end")."""
    S = L * (0.5 + 0.5 * _position_prior(L.shape, anchors))
    n, m = L.shape
    near = np.zeros_like(S)
    for i, j in anchors:
        if i > 0 and j > 0:
            near[i - 1, j - 1] = 1.0
        if i + 1 < n and j + 1 < m:
            near[i + 1, j + 1] = 1.0
    S += NEIGHBOUR_BONUS * near * (L > 0)
    return S


_NEIGHBOURS = ((-1, 0), (0, -1), (1, 0), (0, 1), (-1, -1), (-1, 1), (1, -1), (1, 1))


def _symmetrise(S: np.ndarray, threshold: float = LINK_THRESHOLD) -> set[tuple[int, int]]:
    """Best link per word in each direction; intersection grown towards the union (GDFA)."""
    n, m = S.shape
    best_j = S.argmax(axis=1)
    best_i = S.argmax(axis=0)
    forward = {(i, int(best_j[i])) for i in range(n) if S[i, best_j[i]] >= threshold}
    backward = {(int(best_i[j]), j) for j in range(m) if S[best_i[j], j] >= threshold}
    union = forward | backward
    links = forward & backward
    nl_done = {i for i, _ in links}
    en_done = {j for _, j in links}
    grown = True
    while grown:
        grown = False
        for i, j in sorted(links):
            for di, dj in _NEIGHBOURS:
                p = (i + di, j + dj)
                if p in union and p not in links and (p[0] not in nl_done or p[1] not in en_done):
                    links.add(p)
                    nl_done.add(p[0])
                    en_done.add(p[1])
                    grown = True
    for p in sorted(union - links, key=lambda p: -S[p]):
        if p[0] not in nl_done and p[1] not in en_done:
            links.add(p)
            nl_done.add(p[0])
            en_done.add(p[1])
    return links


def _confidences(
    S: np.ndarray, L: np.ndarray, links: set[tuple[int, int]]
) -> dict[tuple[int, int], float]:
    """The lexical score of each link, lowered when another candidate in its row or column
    came close, since then only position decided (which of three "the" a "de" is)."""
    if not links:
        return {}
    M = np.where(L > 0, S, 0.0)
    row_best, row_second, row_arg = _top_two(M)
    col_best, col_second, col_arg = _top_two(M.T)
    confidences = {}
    for i, j in links:
        own = float(S[i, j])
        if own <= 0:
            confidences[(i, j)] = 0.0
            continue
        row_rival = row_second[i] if row_arg[i] == j else row_best[i]
        col_rival = col_second[j] if col_arg[j] == i else col_best[j]
        rival = min(1.0, max(float(row_rival), float(col_rival)) / own)
        confidences[(i, j)] = float(min(1.0, float(L[i, j])) * (1.0 - 0.5 * rival))
    return confidences


def _top_two(M: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: the best value, the second best, and where the best is."""
    arg = M.argmax(axis=1)
    rows = np.arange(M.shape[0])
    best = M[rows, arg]
    rest = M.copy()
    rest[rows, arg] = 0.0
    return best, rest.max(axis=1), arg


def _complete_blocks(
    links: dict[tuple[int, int], float], blocks: list[tuple[int, range, float]]
) -> None:
    """A Dutch word linked into a multi-word rendering takes the rest of it, if still free."""
    en_aligned = {j for _, j in links}
    for i, block, score in blocks:
        if any((i, j) in links for j in block):
            for j in block:
                if (i, j) in links:
                    links[(i, j)] = max(links[(i, j)], BLOCK * score)
                elif j not in en_aligned:
                    links[(i, j)] = BLOCK * score
                    en_aligned.add(j)


def _links_by_word(
    links: dict[tuple[int, int], float],
) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    nl_links: dict[int, set[int]] = {}
    en_links: dict[int, set[int]] = {}
    for i, j in links:
        nl_links.setdefault(i, set()).add(j)
        en_links.setdefault(j, set()).add(i)
    return nl_links, en_links


def _complete_units(
    links: dict[tuple[int, int], float], units: list[tuple[tuple[int, ...], range, float]]
) -> None:
    """Once one member of a discontinuous unit links into its rendering, every member links to
    every word of it ("er ... van" <-> "about it"), as long as nothing else claims them."""
    for members, block, score in units:
        nl_links, en_links = _links_by_word(links)
        if not any(j in block for m in members for j in nl_links.get(m, ())):
            continue
        free_nl = [m for m in members if nl_links.get(m, set()) <= set(block)]
        free_en = [j for j in block if en_links.get(j, set()) <= set(members)]
        for m in free_nl:
            for j in free_en:
                links.setdefault((m, j), 0.5 * score)


def _compound_renderings(
    links: dict[tuple[int, int], float], compounds: set[int], en: list[_Word]
) -> None:
    """A Dutch compound linked through one of its parts to one English word takes the free
    content word beside it: the English rendering is a compound too ("topoverleg" <->
    "summit talks"). Only when one side of that word is free, so the choice is clear."""
    nl_links, en_links = _links_by_word(links)
    for i in sorted(compounds):
        targets = nl_links.get(i, set())
        if len(targets) != 1:
            continue
        (j,) = targets
        free = [k for k in (j - 1, j + 1) if 0 <= k < len(en) and k not in en_links
                and _en_content(en[k])]
        if len(free) == 1:
            links[(i, free[0])] = GAP_CONTENT
            en_links[free[0]] = {i}


def _phrasal_verbs(
    links: dict[tuple[int, int], float], separable: list[tuple[int, int]], en: list[_Word]
) -> None:
    """A Dutch separable verb rendered by an English phrasal verb takes both of its words:
    "haalde ... uit" <-> "lashed out" when "uit" took "out", "geeft ... op" <-> "gives up"."""
    for v, p in separable:
        nl_links, en_links = _links_by_word(links)
        members = {v, p}
        for j in sorted(nl_links.get(v, set()) | nl_links.get(p, set())):
            if en[j].lower in _EN_PARTICLES and j > 0:
                verb_j, particle_j = j - 1, j
            elif j + 1 < len(en) and en[j + 1].lower in _EN_PARTICLES:
                verb_j, particle_j = j, j + 1
            else:
                continue
            if not _en_content(en[verb_j]):
                continue
            if not (en_links.get(verb_j, set()) | en_links.get(particle_j, set())) <= members:
                continue
            for i in members:
                for k in (verb_j, particle_j):
                    links.setdefault((i, k), PHRASAL)
            break


def _attach_particles(
    links: dict[tuple[int, int], float], separable: list[tuple[int, int]], en: list[_Word]
) -> None:
    """An unlinked particle of a separable verb shares the verb's links ("op" -> "called");
    an unlinked verb shares its particle's content-word links ("komen" -> "amount" when
    "neer" took it), not a preposition the particle may have been mistaken for."""
    for verb, particle in separable:
        for lone, other in ((particle, verb), (verb, particle)):
            if any(i == lone for i, _ in links):
                continue
            for (i, j), score in list(links.items()):
                if i == other and (lone == particle or _en_content(en[j])):
                    links[(lone, j)] = min(score, SEPARABLE)


def _auxiliaries(links: dict[tuple[int, int], float], nl: list[_Word], en: list[_Word]) -> None:
    """An unlinked finite auxiliary takes the English auxiliary before the verb that ends its
    clause ("heeft ... gevraagd" <-> "has asked"), or that verb itself when English has none
    ("heeft ... gevraagd" <-> "asked"): either way the two form one discontinuous phrase.

    Auxiliaries inside the final cluster ("zou ... hebben kunnen doen") are not finite: they
    belong to the cluster, not to the verb at its end.
    """
    in_cluster: set[int] = set()
    for a, w in enumerate(nl):
        if w.lower not in _NL_AUXILIARIES or a in in_cluster:
            continue
        verb = _clause_final_verb(nl, a, participle=w.lower in _NL_PERFECT)
        if verb is None:
            continue
        in_cluster.update(range(a + 1, verb + 1))
        nl_links, en_links = _links_by_word(links)
        targets = sorted(nl_links.get(verb, ()))
        if a in nl_links or not targets:
            continue
        if targets[0] > 0 and en[targets[0] - 1].lower == "to":
            continue  # "unable to make": the modal went into another word
        k = targets[0] - 1
        while k >= 0 and targets[0] - k <= 3 and en[k].is_word and en[k].lower not in _EN_AUXILIARIES:
            k -= 1  # adverbs between: "has already asked", "could not make"
        if k >= 0 and targets[0] - k <= 3 and en[k].lower in _EN_AUXILIARIES:
            if k not in en_links:
                links[(a, k)] = AUXILIARY
            continue
        for j in targets:
            links[(a, j)] = AUXILIARY


def _clause_final_verb(nl: list[_Word], a: int, participle: bool) -> int | None:
    """The last participle (or, after a modal, infinitive) of the clause that auxiliary ``a``
    opens: "gevraagd", or "doen" of "zou ... hebben kunnen doen". The clause ends at
    punctuation, a conjunction, or a subordinate clause opening right after a verb
    ("gezegd dat ...")."""
    found = None
    end = min(len(nl), a + 16)
    for k in range(a + 1, end):
        w = nl[k]
        if _ends_clause(w) or (found == k - 1 and w.lower in _SUBORDINATORS):
            break
        if (w.lower in _NL_AUXILIARIES and w.lower != "zijn"  # (also "his")
                and k + 1 < end and not _verb_like(nl[k + 1].lower)):
            break  # another finite verb: a new clause ("zijn helder en daaraan heeft ...")
        if not w.is_word or w.capitalised or not _verb_like(w.lower):
            continue
        if participle == (w.keys[-1] == w.lower):
            continue  # a participle is inflected ("gevraagd"), an infinitive is its lemma
        if w.lower in FUNCTION_WORDS:
            # "zijn", "kunnen", "doen": verbs only at the clause end or in the final cluster
            after = nl[k + 1] if k + 1 < len(nl) else None
            if w.lower not in _NL_VERB_WORDS or not (
                after is None or _ends_clause(after) or _verb_like(after.lower)
            ):
                continue
        found = k
    return found


def _en_content(w: _Word) -> bool:
    return w.is_word and not w.number and w.lower not in _EN_FUNCTION


def _nl_content(w: _Word) -> bool:
    return w.is_word and not w.number and w.lower not in FUNCTION_WORDS


def _fill_gaps(links: dict[tuple[int, int], float], nl: list[_Word], en: list[_Word]) -> None:
    """Between two links, equally many unaligned words on both sides (up to 3) pair up in order;
    in uneven gaps of up to 3 words a side, the one content word of each pairs up, weakly
    ("overlegden" <-> "talked for")."""
    nl_links: dict[int, list[int]] = {}
    en_aligned: set[int] = set()
    for i, j in links:
        nl_links.setdefault(i, []).append(j)
        en_aligned.add(j)
    n, m = len(nl), len(en)
    i = 0
    while i < n:
        if i in nl_links:
            i += 1
            continue
        start = i
        while i < n and i not in nl_links:
            i += 1
        j_before = max(nl_links[start - 1]) if start > 0 else -1
        j_after = min(nl_links[i]) if i < n else m
        run_nl = range(start, i)
        run_en = range(j_before + 1, j_after)
        if not 1 <= len(run_nl) <= 3:
            continue
        if not 1 <= len(run_en) <= 3 or any(j in en_aligned for j in run_en):
            if len(run_nl) == 1 and _nl_content(nl[start]):
                _fill_reordered_gap(links, start, j_before, en, en_aligned)
            continue
        if len(run_nl) == len(run_en):
            pairs = list(zip(run_nl, run_en, strict=True))
            if all(nl[a].is_word and en[b].is_word for a, b in pairs):
                for p in pairs:
                    links[p] = GAP_FILL
                en_aligned.update(run_en)
                continue
        en_content = [b for b in run_en if _en_content(en[b])]
        if len(run_nl) == 1 and _nl_content(nl[start]) and len(en_content) == 1:
            links[(start, en_content[0])] = GAP_CONTENT
            en_aligned.add(en_content[0])


def _fill_reordered_gap(
    links: dict[tuple[int, int], float], i: int, j_before: int, en: list[_Word],
    en_aligned: set[int],
) -> None:
    """Where the English between the neighbours' links is long or reordered, the unaligned
    words right after the left neighbour's rendering hold the word's rendering if they hold
    exactly one content word ("het overleg" <-> "the talks,")."""
    run = []
    j = j_before + 1
    while j < len(en) and j not in en_aligned and len(run) < 4:
        run.append(j)
        j += 1
    if len(run) > 3:
        return  # a long free stretch: no telling which word is meant
    content = [k for k in run if _en_content(en[k])]
    if run and len(content) == 1:
        links[(i, content[0])] = GAP_CONTENT
        en_aligned.add(content[0])


def _fill_from_attention(
    links: dict[tuple[int, int], float], A: np.ndarray, nl: list[_Word], en: list[_Word]
) -> None:
    """Unaligned words take their most attended counterpart, never overriding lexical links.

    ``A[i, j]`` is the share of English word j's attention on Dutch word i. A counterpart that
    is already linked is taken only when the new link sits next to one of its links.
    """
    nl_links: dict[int, set[int]] = {}
    en_links: dict[int, set[int]] = {}
    for i, j in links:
        nl_links.setdefault(i, set()).add(j)
        en_links.setdefault(j, set()).add(i)

    def fits(others: set[int] | None, k: int) -> bool:
        # Adjacent only, and a bounded fertility: with one word against many, every share is 1.0
        # and adjacency alone would chain one link across the whole sentence.
        return not others or (len(others) < ATTENTION_MAX_FERTILITY and any(abs(o - k) == 1 for o in others))

    def add(i: int, j: int, share: float) -> None:
        links[(i, j)] = ATTENTION_MIN + 0.4 * share
        nl_links.setdefault(i, set()).add(j)
        en_links.setdefault(j, set()).add(i)

    for j, w in enumerate(en):
        if j in en_links or not w.is_word:
            continue
        i = int(A[:, j].argmax())
        share = float(A[i, j])
        if share >= ATTENTION_MIN and nl[i].is_word and fits(nl_links.get(i), j):
            add(i, j, share)
    totals = A.sum(axis=1)
    for i, w in enumerate(nl):
        if i in nl_links or not w.is_word or totals[i] <= 0:
            continue
        j = int(A[i].argmax())
        share = float(A[i, j] / totals[i]) * min(1.0, float(A[i, j]) / ATTENTION_MIN)
        if share >= ATTENTION_MIN and en[j].is_word and fits(en_links.get(j), i):
            add(i, j, share)


# --- model attention ------------------------------------------------------------------------

_SPECIAL_PIECE = re.compile(r"^(?:<[^<>]*>|__[a-z]{2,3}__)$")


def _subword_owners(subwords: Sequence[str], tokens: Sequence[Token]) -> list[int]:
    """The token each SentencePiece subword belongs to (-1: none), matched by characters."""
    stream: list[tuple[str, int]] = []
    for k, tok in enumerate(tokens):
        stream.extend((c, k) for c in _fold(tok.text))
    owners = []
    pos = 0
    for piece in subwords:
        owner = -1
        if not _SPECIAL_PIECE.match(piece):
            for c in _fold(piece.replace("▁", "")):
                for q in range(pos, min(len(stream), pos + 8)):
                    if stream[q][0] == c:
                        if owner < 0:
                            owner = stream[q][1]
                        pos = q + 1
                        break
        owners.append(owner)
    # A lone "▁" starts the word after it.
    for k in range(len(owners) - 2, -1, -1):
        if owners[k] < 0 and subwords[k] == "▁":
            owners[k] = owners[k + 1]
    return owners


def _fold(text: str) -> str:
    """SentencePiece applies NFKC; case and spaces do not matter for matching."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def word_attention(
    attention: np.ndarray | Sequence[Sequence[float]],
    nl_subwords: Sequence[str],
    en_subwords: Sequence[str],
    nl_tokens: Sequence[Token],
    en_tokens: Sequence[Token],
    *,
    shift: bool = True,
) -> np.ndarray:
    """Subword attention (target x source) summed to words: ``A[i, j]`` = share of English word
    j's attention on Dutch word i.

    With ``shift`` (Shift-Att, Chen et al. 2020) an English word reads the attention of the step
    after it, where it is the decoder's input: for models trained without guided alignment this
    tracks the source word better than the step that produced it.
    """
    try:
        att = np.nan_to_num(np.asarray(attention, dtype=np.float32), nan=0.0, posinf=0.0)
    except (TypeError, ValueError) as exc:
        raise AlignmentError(f"The attention matrix is not numeric ({exc}).") from exc
    expected = (len(en_subwords), len(nl_subwords))
    if att.ndim != 2 or att.shape != expected:
        raise AlignmentError(
            f"The attention matrix has shape {att.shape}, but the subwords need {expected} "
            "(English subwords x Dutch subwords): pass the attention of this translation."
        )
    n, m = len(nl_tokens), len(en_tokens)
    A = np.zeros((n, m), dtype=np.float32)
    if not n or not m or not att.size:
        return A
    src = np.array(_subword_owners(nl_subwords, nl_tokens))
    tgt = np.array(_subword_owners(en_subwords, en_tokens))
    rows = np.arange(len(tgt))
    if shift:
        rows = np.minimum(rows + 1, len(tgt) - 1)
    # Source subwords -> Dutch words, target subwords -> English words, as 0/1 matrices.
    to_nl = np.zeros((len(src), n), dtype=np.float32)
    to_nl[np.flatnonzero(src >= 0), src[src >= 0]] = 1.0
    to_en = np.zeros((m, len(tgt)), dtype=np.float32)
    to_en[tgt[tgt >= 0], np.flatnonzero(tgt >= 0)] = 1.0
    A = (to_en @ np.clip(att[rows], 0.0, None) @ to_nl).T
    sums = A.sum(axis=0)
    np.divide(A, sums, out=A, where=sums > 0)
    return A


# --- phrases --------------------------------------------------------------------------------


def extract_phrases(
    links: Iterable[Link],
    n_nl: int,
    n_en: int,
    max_len: int = MAX_PHRASE,
    nl_is_word: Sequence[bool] | None = None,
) -> list[PhrasePair]:
    """Every tight phrase pair consistent with the links: no word inside links outside.

    Enumerated from English spans (up to ``max_len`` words, both ends linked). The Dutch side is
    every word linked into the span plus the unlinked words between them; where words linked
    elsewhere sit in between, the Dutch side is discontinuous ("belde ... op" -> "called").
    With ``nl_is_word``, a discontinuous side whose piece is only punctuation is no unit.
    """
    nl_links: list[list[int]] = [[] for _ in range(n_nl)]
    en_links: list[list[int]] = [[] for _ in range(n_en)]
    conf_sum = [0.0] * n_nl
    for link in links:
        nl_links[link.i].append(link.j)
        en_links[link.j].append(link.i)
        conf_sum[link.i] += link.confidence
    nl_lo = [min(js) if js else -1 for js in nl_links]
    nl_hi = [max(js) if js else -1 for js in nl_links]
    aligned_before = [0]  # aligned_before[k]: linked Dutch words among the first k
    for js in nl_links:
        aligned_before.append(aligned_before[-1] + bool(js))
    pairs: list[PhrasePair] = []
    for a in range(n_en):
        if not en_links[a]:
            continue
        members: set[int] = set()
        lo = hi = first = last = -1  # span of the members' English links; of the members
        total = 0.0
        count = 0
        for b in range(a, min(n_en, a + max_len)):
            if not en_links[b]:
                continue
            for i in en_links[b]:
                if i in members:
                    continue
                members.add(i)
                lo = nl_lo[i] if lo < 0 else min(lo, nl_lo[i])
                hi = max(hi, nl_hi[i])
                first = i if first < 0 else min(first, i)
                last = max(last, i)
                total += conf_sum[i]
                count += len(nl_links[i])
            if len(members) > max_len:
                break
            if lo < a:
                break  # a member links left of the span, whatever the span's end
            if hi > b:
                continue
            if aligned_before[last + 1] - aligned_before[first] == len(members):
                if last - first + 1 > max_len:
                    continue
                nl_span = tuple(range(first, last + 1))
            else:
                nl_span = tuple(sorted(members))
                if nl_is_word is not None and not _pieces_have_words(nl_span, nl_is_word):
                    continue
            pairs.append(PhrasePair(nl_span, tuple(range(a, b + 1)), total / count))
    return pairs


def _pieces_have_words(span: tuple[int, ...], is_word: Sequence[bool]) -> bool:
    piece_has_word = False
    for k, index in enumerate(span):
        if k and index != span[k - 1] + 1:
            if not piece_has_word:
                return False
            piece_has_word = False
        piece_has_word = piece_has_word or is_word[index]
    return piece_has_word


def _smallest_phrase_index(phrases: list[PhrasePair], side: Side, n: int) -> list[int]:
    order = sorted(
        range(len(phrases)),
        key=lambda k: (len(phrases[k].nl_span) + len(phrases[k].en_span), -phrases[k].confidence),
    )
    smallest = [-1] * n
    for k in order:
        for index in phrases[k].span(side):
            if 0 <= index < n and smallest[index] < 0:
                smallest[index] = k
    return smallest


def phrase_at(alignment: Alignment, side: Side, index: int) -> PhrasePair | None:
    """The smallest phrase pair holding word ``index`` of ``side`` (for hover highlighting)."""
    if side not in ("nl", "en"):
        raise AlignmentError(f"Unknown side {side!r}: use 'nl' or 'en'.")
    smallest = alignment._smallest[side]
    if not 0 <= index < len(smallest) or smallest[index] < 0:
        return None
    return alignment.phrases[smallest[index]]


# --- entry point ----------------------------------------------------------------------------


def _as_tokens(text: str | Sequence[Token] | Sequence[str], lang: str, pretokenized: bool
               ) -> list[Token]:
    if isinstance(text, str):
        return tokenize(text, lang, pretokenized=pretokenized)
    tokens: list[Token] = []
    offset = 0
    for item in text:
        if isinstance(item, Token):
            tokens.append(item)
        elif isinstance(item, str):  # bare words: offsets as if joined by single spaces
            tokens.append(Token(item, offset, offset + len(item), _is_word(item)))
            offset += len(item) + 1
        else:
            raise AlignmentError(
                f"Cannot align a {type(item).__name__} as a {lang} token: pass text, "
                "a list of Token or a list of str."
            )
    return tokens


def _is_word(text: str) -> bool:
    return any(c.isalnum() for c in text)


def align(
    nl: str | Sequence[Token] | Sequence[str],
    en: str | Sequence[Token] | Sequence[str],
    *,
    attention: np.ndarray | None = None,
    nl_subwords: Sequence[str] | None = None,
    en_subwords: Sequence[str] | None = None,
    dictionary: Lexicon | None = None,
    pretokenized: bool = False,
    shift_attention: bool = True,
) -> Alignment:
    """Align a Dutch sentence with its English translation.

    ``nl`` and ``en`` are text (tokenized here; ``pretokenized`` splits on spaces only), Token
    lists, or word lists. ``attention`` (English subwords x Dutch subwords, as the engine returns
    it) needs ``nl_subwords`` and ``en_subwords``; ``shift_attention`` reads it Shift-Att style.
    Without ``dictionary``, only the built-in tables, identical words, numbers, names and
    cognates count as lexical evidence.
    """
    nl_tokens = _as_tokens(nl, "nl", pretokenized)
    en_tokens = _as_tokens(en, "en", pretokenized)
    too_long = max(len(nl_tokens), len(en_tokens)) > MAX_ALIGN_TOKENS
    blocks = getattr(attention, "blocks", None)
    if blocks is not None:  # the engine's BlockAttention: a sentence translated in chunks
        if nl_subwords is None or en_subwords is None:
            raise AlignmentError(
                "Attention was given without its subwords: pass nl_subwords and en_subwords too."
            )
        rows, cols = attention.shape  # type: ignore[union-attr]
        if too_long or rows * cols > _MAX_DENSE_CELLS:
            return _align_blocks(
                nl_tokens, en_tokens, attention, nl_subwords, en_subwords, dictionary, shift_attention
            )
        attention = attention.toarray()  # type: ignore[union-attr]
    if too_long:
        raise AlignmentTooLong(
            f"The Dutch text has {len(nl_tokens):,} tokens and the English {len(en_tokens):,}, but "
            f"the aligner takes at most {MAX_ALIGN_TOKENS:,} a side: align a sentence or a "
            "paragraph at a time."
        )
    A = None
    if attention is not None:
        if nl_subwords is None or en_subwords is None:
            raise AlignmentError(
                "Attention was given without its subwords: pass nl_subwords and en_subwords too."
            )
        A = word_attention(
            attention, nl_subwords, en_subwords, nl_tokens, en_tokens, shift=shift_attention
        )
    if not nl_tokens or not en_tokens:
        return Alignment(nl_tokens, en_tokens, [], [])
    links, separable = _link_words(
        _words(nl_tokens, "nl"), _words(en_tokens, "en"), dictionary, A
    )
    link_list = [Link(i, j, round(c, 4)) for (i, j), c in sorted(links.items())]
    phrases = extract_phrases(
        link_list, len(nl_tokens), len(en_tokens), nl_is_word=[t.is_word for t in nl_tokens]
    )
    return Alignment(nl_tokens, en_tokens, link_list, phrases, particles=dict(separable))


def _align_blocks(
    nl_tokens: list[Token],
    en_tokens: list[Token],
    attention,
    nl_subwords: Sequence[str],
    en_subwords: Sequence[str],
    dictionary: Lexicon | None,
    shift: bool,
) -> Alignment:
    """Align a long pair chunk by chunk along the engine's attention blocks.

    Each block is a chunk the model translated on its own, so its Dutch words render as its
    English words: aligning the blocks separately loses nothing the dense matrix had, and costs
    time and memory linear in the length. A word cut by a chunk boundary goes with the first.
    """
    rows, cols = attention.shape
    if (rows, cols) != (len(en_subwords), len(nl_subwords)):
        raise AlignmentError(
            f"The attention matrix has shape {(rows, cols)}, but the subwords need "
            f"{(len(en_subwords), len(nl_subwords))} (English subwords x Dutch subwords): pass "
            "the attention of this translation."
        )
    nl_owner = _subword_owners(nl_subwords, nl_tokens)
    en_owner = _subword_owners(en_subwords, en_tokens)
    blocks = sorted(attention.blocks, key=lambda b: (b[1], b[0]))
    links: list[Link] = []
    phrases: list[PhrasePair] = []
    particles: dict[int, int] = {}
    nl_start = en_start = 0
    for k, (row, col, block) in enumerate(blocks):
        height, width = block.shape
        last = k == len(blocks) - 1
        nl_end = len(nl_tokens) if last else max(nl_start, max(nl_owner[col : col + width], default=-1) + 1)
        en_end = len(en_tokens) if last else max(en_start, max(en_owner[row : row + height], default=-1) + 1)
        try:
            part = align(
                nl_tokens[nl_start:nl_end],
                en_tokens[en_start:en_end],
                attention=block,
                nl_subwords=nl_subwords[col : col + width],
                en_subwords=en_subwords[row : row + height],
                dictionary=dictionary,
                shift_attention=shift,
            )
        except AlignmentTooLong:  # a chunk the model ran away on: leave its words unlinked
            nl_start, en_start = nl_end, en_end
            continue
        links += [Link(link.i + nl_start, link.j + en_start, link.confidence) for link in part.links]
        phrases += [
            PhrasePair(
                tuple(i + nl_start for i in p.nl_span), tuple(j + en_start for j in p.en_span), p.confidence
            )
            for p in part.phrases
        ]
        particles.update({v + nl_start: q + nl_start for v, q in part.particles.items()})
        nl_start, en_start = nl_end, en_end
    return Alignment(nl_tokens, en_tokens, links, phrases, particles=particles)


def _link_words(
    nl: list[_Word], en: list[_Word], dictionary: Lexicon | None, A: np.ndarray | None
) -> tuple[dict[tuple[int, int], float], list[tuple[int, int]]]:
    """Lexical scores -> two symmetrised passes -> multi-word and discontinuous units ->
    fill-ins. Returns the links and the separable verbs as (verb, particle)."""
    scorer = _Scorer(nl, en, dictionary)
    L = scorer.run()
    first = _symmetrise(_combine(L, _mutual_best(L, ANCHOR)))
    # Second pass: the first pass's lexically supported links are better anchors.
    S = _combine(L, [p for p in first if L[p] >= REFINE_ANCHOR])
    links = _confidences(S, L, _symmetrise(S))
    _complete_blocks(links, scorer.blocks)
    _complete_units(links, scorer.units)
    _compound_renderings(links, scorer.compounds, en)
    _phrasal_verbs(links, scorer.separable, en)
    _attach_particles(links, scorer.separable, en)
    _auxiliaries(links, nl, en)
    if A is not None:  # the model's guess beats the position-only gap filling below
        _fill_from_attention(links, A, nl, en)
    _fill_gaps(links, nl, en)
    _attach_particles(links, scorer.separable, en)
    return links, scorer.separable
