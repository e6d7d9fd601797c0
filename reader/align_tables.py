"""The aligner's word knowledge: function-word and name tables, word classes, and each token
prepared once for the scorers (match keys, lemmas, spelling skeleton for cognates, number value).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from reader.lemmas import en_lemma, nl_lemma
from reader.words import Token

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



def _content_word(word: str) -> bool:
    return len(word) > 2 and word not in _EN_FUNCTION


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



def _en_content(w: _Word) -> bool:
    return w.is_word and not w.number and w.lower not in _EN_FUNCTION


def _nl_content(w: _Word) -> bool:
    return w.is_word and not w.number and w.lower not in FUNCTION_WORDS

