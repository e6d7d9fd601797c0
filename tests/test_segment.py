"""Sentence segmentation: the hard Dutch cases, exact offsets, and accuracy on the project's gold set.

The UD Dutch scores are measured by bench/segmentation_eval.py; a clone has no UD data, so the tests
score tests/data/segment_gold.txt, an original gold set written for the project.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.segment import MAX_SENTENCE, sentence_spans, split_sentences

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "data" / "segment_gold.txt"


def _bench():
    """bench/ is not a package: load the evaluation script so the test scores what it reports."""
    if "segmentation_eval" in sys.modules:
        return sys.modules["segmentation_eval"]
    path = ROOT / "bench" / "segmentation_eval.py"
    spec = importlib.util.spec_from_file_location("segmentation_eval", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["segmentation_eval"] = module
    spec.loader.exec_module(module)
    return module


HARD_CASES = {
    "abbreviation o.a.": (
        "Hij noemde o.a. Frankrijk en Duitsland. Daarna ging hij weg.",
        ["Hij noemde o.a. Frankrijk en Duitsland.", "Daarna ging hij weg."],
    ),
    "abbreviations d.w.z. and bijv.": (
        "Dat is een klein land, d.w.z. Nederland. Bijv. Jan komt ook.",
        ["Dat is een klein land, d.w.z. Nederland.", "Bijv. Jan komt ook."],
    ),
    "titles mr. dhr. mevr. prof. dr. ir. drs.": (
        "Mr. Jansen, dhr. De Vries en mevr. Bakker kwamen. Prof. dr. ir. Smit en drs. Ali ook.",
        ["Mr. Jansen, dhr. De Vries en mevr. Bakker kwamen.",
         "Prof. dr. ir. Smit en drs. Ali ook."],
    ),
    "enz. ends a sentence before a capital": (
        "Ze verkopen appels, peren enz. Daarna kwam de rest.",
        ["Ze verkopen appels, peren enz.", "Daarna kwam de rest."],
    ),
    "enz. inside a sentence": (
        "Appels, peren enz. worden hier verkocht.",
        ["Appels, peren enz. worden hier verkocht."],
    ),
    "m.b.t. and ca. before a number": (
        "Regels m.b.t. Schiphol zijn streng. Er waren ca. 300 mensen.",
        ["Regels m.b.t. Schiphol zijn streng.", "Er waren ca. 300 mensen."],
    ),
    "blz., nr., jl., resp.": (
        "Zie blz. 12 en nr. 4 van 3 mei jl. Het gaat om resp. Jan en Piet. Meer niet.",
        ["Zie blz. 12 en nr. 4 van 3 mei jl.", "Het gaat om resp. Jan en Piet.", "Meer niet."],
    ),
    "e.d. and z.g.a.": (
        "Het gaat om stoelen, tafels e.d. Het pand is z.g.a. Nieuw en ruim. Klaar.",
        ["Het gaat om stoelen, tafels e.d.", "Het pand is z.g.a. Nieuw en ruim.", "Klaar."],
    ),
    "St. before a name": (
        "Hij woont in St. Petersburg. Het is er koud.",
        ["Hij woont in St. Petersburg.", "Het is er koud."],
    ),
    "initials": (
        "J. de Vries en W.A. Hoekstra kwamen. M.C. Escher ook.",
        ["J. de Vries en W.A. Hoekstra kwamen.", "M.C. Escher ook."],
    ),
    "an initial-like letter before a sentence starter": (
        "Het gaat om vitamine C. Die is gezond.",
        ["Het gaat om vitamine C.", "Die is gezond."],
    ),
    "capitals that are not an abbreviation": (
        "Hij woont in de VS. Daar werkt hij.",
        ["Hij woont in de VS.", "Daar werkt hij."],
    ),
    "decimals and thousands": (
        "Hij is 1,5 meter. De kosten zijn 3.000 euro. Dat is 2.5 keer meer.",
        ["Hij is 1,5 meter.", "De kosten zijn 3.000 euro.", "Dat is 2.5 keer meer."],
    ),
    "ordinal de 3e": (
        "Hij werd de 3e. Zij werd 1e.",
        ["Hij werd de 3e.", "Zij werd 1e."],
    ),
    "list numbers": (
        "1. Inleiding van het boek",
        ["1. Inleiding van het boek"],
    ),
    "a list number after a sentence": (
        "Dit zijn de punten. 1. De prijs is te hoog.",
        ["Dit zijn de punten.", "1. De prijs is te hoog."],
    ),
    "a year ends a sentence": (
        "Hij speelde tot 2005. In 2006 stopte hij.",
        ["Hij speelde tot 2005.", "In 2006 stopte hij."],
    ),
    "ellipsis": (
        "Dat weet ik niet... Misschien morgen. Of… nee. Wie weet… Jan misschien.",
        ["Dat weet ik niet...", "Misschien morgen.", "Of… nee.", "Wie weet…", "Jan misschien."],
    ),
    "elision in brackets": (
        "Het succes was (...) te danken aan drie factoren. Dat zei hij.",
        ["Het succes was (...) te danken aan drie factoren.", "Dat zei hij."],
    ),
    "quote closing after the period": (
        'Hij zei: "Ik kom morgen." Daarna ging hij. "Goed," zei ze.',
        ['Hij zei: "Ik kom morgen."', "Daarna ging hij.", '"Goed," zei ze.'],
    ),
    "quote closing before the period": (
        '"…zei hij". Daarna ging hij.',
        ['"…zei hij".', "Daarna ging hij."],
    ),
    "Dutch low-high quotes": (
        "Zij zei: ,,Ik ben blij.'' Toen ging ze. „Echt?” vroeg hij.",
        ["Zij zei: ,,Ik ben blij.''", "Toen ging ze.", "„Echt?” vroeg hij."],
    ),
    "closing quote set off by a space": (
        ",, Ik ben nogal een twijfelaar. '' Daarna won ze toch.",
        [",, Ik ben nogal een twijfelaar. ''", "Daarna won ze toch."],
    ),
    "parenthesis around the sentence end": (
        "Het is gevaarlijk (zie boven.) Daarna volgt meer. Het klopt (zie onder).",
        ["Het is gevaarlijk (zie boven.)", "Daarna volgt meer.", "Het klopt (zie onder)."],
    ),
    "URL and e-mail address": (
        "Kijk op www.nos.nl. Mail info@nos.nl voor vragen. Zie https://nos.nl/a?id=4. Klaar.",
        ["Kijk op www.nos.nl.", "Mail info@nos.nl voor vragen.", "Zie https://nos.nl/a?id=4.",
         "Klaar."],
    ),
    "sentences starting with 's and 't": (
        "Hij kwam thuis. 's Avonds at hij. 't Is mooi. ’s Ochtends regent het.",
        ["Hij kwam thuis.", "'s Avonds at hij.", "'t Is mooi.", "’s Ochtends regent het."],
    ),
    "sentence starting with a digit": (
        "Het was druk. 23 mensen kwamen. 2005 was een goed jaar.",
        ["Het was druk.", "23 mensen kwamen.", "2005 was een goed jaar."],
    ),
    "question and exclamation marks": (
        "Wat nu? vroeg hij. Waarom? Hij wist het niet! Echt.",
        ["Wat nu? vroeg hij.", "Waarom?", "Hij wist het niet!", "Echt."],
    ),
    "v. Chr.": (
        "De stad is in 330 v. Chr. gesticht. Rond 30 v.Chr. De Romeinen kwamen.",
        ["De stad is in 330 v. Chr. gesticht.", "Rond 30 v.Chr.", "De Romeinen kwamen."],
    ),
    "lower case after a period is the same sentence": (
        "Het bedrijf nos.nl. kondigde het aan.",
        ["Het bedrijf nos.nl. kondigde het aan."],
    ),
    "number after nr. ends a sentence": (
        "Hij woont op nr. 5. Daar is het stil.",
        ["Hij woont op nr. 5.", "Daar is het stil."],
    ),
    "page number after blz. ends a sentence": (
        "Zie blz. 12. Daar staat het.",
        ["Zie blz. 12.", "Daar staat het."],
    ),
    "figure number after fig. ends a sentence": (
        "Zie fig. 3. Die toont het.",
        ["Zie fig. 3.", "Die toont het."],
    ),
    "article number in brackets ends a sentence": (
        "De wet (art. 12). Die geldt.",
        ["De wet (art. 12).", "Die geldt."],
    ),
    "joined titles Prof.dr.": (
        "Prof.dr. Jansen kwam. Mr.drs. Ali ook.",
        ["Prof.dr. Jansen kwam.", "Mr.drs. Ali ook."],
    ),
    "joined titles Prof.dr.ir.": (
        "Prof.dr.ir. Jansen kwam. Hij bleef.",
        ["Prof.dr.ir. Jansen kwam.", "Hij bleef."],
    ),
    "Jan as a name ends a sentence": (
        "Hij heet Jan. 3 dagen later kwam hij. Dat zag Jan. Daarna ging hij.",
        ["Hij heet Jan.", "3 dagen later kwam hij.", "Dat zag Jan.", "Daarna ging hij."],
    ),
    "weekday-like words outside a date end a sentence": (
        "Het is zo. 5 mensen kwamen. Dat zei ma. Daarna ging ze.",
        ["Het is zo.", "5 mensen kwamen.", "Dat zei ma.", "Daarna ging ze."],
    ),
    "dotted words that are no titles end a sentence": (
        "Kijk op www.dr.nl. Daar staat het.",
        ["Kijk op www.dr.nl.", "Daar staat het."],
    ),
}

MONTHS = "jan. feb. febr. mrt. apr. jun. jul. aug. sep. sept. okt. nov. dec.".split()
WEEKDAYS = "ma. di. wo. do. vr. za. zo.".split()


@pytest.mark.parametrize("month", MONTHS)
def test_month_abbreviation_in_a_date_does_not_end_the_sentence(month):
    paragraph = f"Op 5 {month} 2021 kwam hij. Hij bleef lang."
    assert split_sentences(paragraph) == [f"Op 5 {month} 2021 kwam hij.", "Hij bleef lang."]


@pytest.mark.parametrize("month", MONTHS)
def test_month_abbreviation_before_a_year_does_not_end_the_sentence(month):
    assert split_sentences(f"Sinds {month} 2021 woont hij hier.") == [
        f"Sinds {month} 2021 woont hij hier."]


@pytest.mark.parametrize("weekday", WEEKDAYS + [w.capitalize() for w in WEEKDAYS])
def test_weekday_abbreviation_before_a_date_does_not_end_the_sentence(weekday):
    paragraph = f"De markt is op {weekday} 5 mei open. Kom ook."
    assert split_sentences(paragraph) == [f"De markt is op {weekday} 5 mei open.", "Kom ook."]


@pytest.mark.parametrize("date", ["3 april", "12 okt.", "5/3", "12-10", "10.00 uur", "9:30 uur"])
def test_weekday_abbreviation_before_a_date_or_time(date):
    paragraph = f"Open op za. {date} en later. Kom ook."
    assert split_sentences(paragraph) == [f"Open op za. {date} en later.", "Kom ook."]


@pytest.mark.parametrize("paragraph,expected", HARD_CASES.values(), ids=HARD_CASES.keys())
def test_hard_cases(paragraph, expected):
    assert split_sentences(paragraph) == expected


@pytest.mark.parametrize("paragraph", [p for p, _ in HARD_CASES.values()])
def test_spans_are_exact_slices(paragraph):
    spans = sentence_spans(paragraph)
    assert [paragraph[s:e] for s, e in spans] == split_sentences(paragraph)
    _assert_spans_cover(paragraph, spans)


def _assert_spans_cover(paragraph: str, spans: list[tuple[int, int]]) -> None:
    """Ordered, disjoint, stripped, and every non-space character is in some sentence."""
    covered = set()
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(paragraph)
        piece = paragraph[start:end]
        assert piece == piece.strip() and piece
        covered.update(range(start, end))
        previous_end = end
    assert all(i in covered for i, ch in enumerate(paragraph) if not ch.isspace())


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("aB1 .!?…\"'”’»(),;:\n\t") + ["o.a.", " Dhr. ", "''", ",,"]),
                max_size=80).map("".join))
def test_offsets_round_trip_on_any_text(paragraph):
    spans = sentence_spans(paragraph)
    _assert_spans_cover(paragraph, spans)
    assert [paragraph[s:e] for s, e in spans] == split_sentences(paragraph)


def test_leading_and_trailing_space_are_not_in_sentences():
    paragraph = "  \tEerste zin.   Tweede zin.  \n"
    spans = sentence_spans(paragraph)
    assert spans == [(3, 14), (17, 28)]
    assert [paragraph[s:e] for s, e in spans] == ["Eerste zin.", "Tweede zin."]


@pytest.mark.parametrize("paragraph", ["", "   ", "\n\t \n"])
def test_blank_paragraph_has_no_sentences(paragraph):
    assert sentence_spans(paragraph) == []


def test_blank_line_always_separates():
    assert split_sentences("Een kop zonder punt\n\nDe tekst volgt hier.") == [
        "Een kop zonder punt", "De tekst volgt hier."]


def test_long_sentence_without_punctuation_stays_one_sentence_up_to_the_limit():
    words = ("de oorlog in het oosten gaat door zonder dat iemand het ziet " * 90).split()
    paragraph = " ".join(words)[:MAX_SENTENCE].strip()
    assert len(paragraph) >= MAX_SENTENCE - 5
    assert sentence_spans(paragraph) == [(0, len(paragraph))]


def test_over_long_unpunctuated_line_is_cut_into_display_sentences():
    # 200 KB without a period: one "sentence" made storage and alignment grow with its square.
    words = ("de oorlog in het oosten gaat door zonder dat iemand het ziet "
             "maar niemand zegt iets want het is ver weg ").split()
    paragraph = " ".join(words * (200_000 // 100))
    assert len(paragraph) >= 200_000
    spans = sentence_spans(paragraph)
    _assert_spans_cover(paragraph, spans)
    assert max(end - start for start, end in spans) <= MAX_SENTENCE
    assert len(spans) < 2 * len(paragraph) / MAX_SENTENCE  # cuts near the limit, not tiny pieces
    # The cut falls before a conjunction, so each piece but the last opens with one.
    pieces = [paragraph[start:end] for start, end in spans]
    assert all(piece.split()[0] in ("maar", "want", "en") for piece in pieces[1:])


def test_over_long_run_is_cut_after_a_comma_before_anywhere_else():
    clause = "het water steeg en de dijken hielden het nog net, "
    paragraph = (clause * 40).strip()
    pieces = split_sentences(paragraph)
    assert len(pieces) > 1
    assert all(piece.endswith(",") for piece in pieces[:-1])
    assert all(len(piece) <= MAX_SENTENCE for piece in pieces)


def test_over_long_word_without_spaces_is_cut_hard_and_exactly():
    paragraph = "Begin. " + "x" * 5000 + " einde."
    spans = sentence_spans(paragraph)
    _assert_spans_cover(paragraph, spans)
    # Full pieces: a hard cut is made only at the limit.
    assert [end - start for start, end in spans[:-1]] == [MAX_SENTENCE] * (len(spans) - 1)
    assert len(spans) == -(-len(paragraph) // MAX_SENTENCE)


def test_many_quotes_and_sentences_stay_exact():
    paragraph = ' '.join(f'"Zin {i}." Hij zei het. " ' for i in range(3000))
    spans = sentence_spans(paragraph)
    _assert_spans_cover(paragraph, spans)
    assert len(spans) >= 6000


def _gold() -> list[list[str]]:
    """Paragraphs of the project's gold set: one sentence a line, a blank line between paragraphs."""
    text = GOLD.read_text(encoding="utf-8").strip()
    return [block.split("\n") for block in text.split("\n\n")]


def test_gold_set_is_large_and_has_titles_and_lists():
    paragraphs = _gold()
    assert sum(len(p) for p in paragraphs) >= 150
    assert sum(1 for p in paragraphs for s in p if not s.rstrip("\"')").endswith((".", "!", "?", "…"))) >= 30


@pytest.mark.parametrize("layout", ["lines", "wrapped"])
def test_boundary_f1_on_the_gold_set_as_imported_is_perfect(layout):
    # Titles and list items stand on their own lines, as in the article; wrapped at 72 columns, the
    # extra line breaks must not become boundaries. Before list lines were kept: F1 0.84.
    bench = _bench()
    score, _ = bench.evaluate(_gold(), bench.importer_spans, layout=layout)
    assert (score.false_pos, score.false_neg) == (0, 0), score
    assert score.f1 == 1.0


def test_boundary_f1_on_punctuated_gold_paragraphs_beats_simplemma():
    bench = _bench()
    punctuated = [p for p in _gold() if all(bench._ends(s) for s in p)]
    assert sum(len(p) for p in punctuated) >= 80
    ours, _ = bench.evaluate(punctuated, bench.reader_spans)
    baseline, _ = bench.evaluate(punctuated, bench.simplemma_spans)
    assert ours.f1 == 1.0, ours
    assert ours.f1 > baseline.f1


def test_bench_scores_boundaries_inside_paragraphs_only():
    bench = _bench()
    text, gold = bench.gold_boundaries(["Een zin.", "Nog een.", "Laatste."])
    assert text == "Een zin. Nog een. Laatste."
    assert gold == {8, 17}
    score = bench.Score()
    score.add(gold, {8, 12})
    assert (score.true_pos, score.false_pos, score.false_neg) == (1, 1, 1)
    assert score.f1 == pytest.approx(0.5)


def test_bench_prints_scores_for_each_file(tmp_path, capsys):
    conllu = tmp_path / "mini.conllu"
    conllu.write_text(
        "# sent_id = d1.p.1.s.1\n# text = Dhr. Jansen kwam.\n\n"
        "# sent_id = d1.p.1.s.2\n# text = Hij bleef.\n\n"
        "# sent_id = d1.p.2.s.1\n# text = Nieuw stuk.\n\n",
        encoding="utf-8",
    )
    assert _bench().main([str(conllu)]) == 0
    out = capsys.readouterr().out
    assert "mini.conllu: 3 sentences, 2 paragraphs, 1 inner boundaries" in out
    ours = next(line for line in out.splitlines() if "reader.segment" in line)
    assert "F1 1.0000" in ours
    assert "simplemma" in out


def test_long_runs_of_dots_and_quotes_have_no_boundary_but_the_length_limit():
    # A run of terminators is scanned once, not once per position (quadratic before the fix).
    for paragraph in ("Wacht" + "." * 30000 + "x", "Zin." + "'" * 30000 + "x"):
        spans = sentence_spans(paragraph)
        _assert_spans_cover(paragraph, spans)
        assert spans == [(i, min(i + MAX_SENTENCE, len(paragraph)))
                         for i in range(0, len(paragraph), MAX_SENTENCE)]


def test_long_runs_of_references_and_dates_stay_exact():
    # Each check looks back one token at most, so long runs stay linear and exact.
    n = 20000
    for unit, expected in (("nr. 5. ", 1), ("5 jan. ", 1), ("Prof.dr.ir. ", 1), ("Zin. 1. ", n + 1),
                           ("Zie nr. 5. Zin. ", 2 * n)):
        paragraph = unit * n
        spans = sentence_spans(paragraph)
        _assert_spans_cover(paragraph, spans)
        if expected == 1:  # one sentence, in display pieces of at least half the limit
            assert len(spans) <= 2 * len(paragraph) // MAX_SENTENCE + 1, unit
            assert max(end - start for start, end in spans) <= MAX_SENTENCE
        else:
            assert len(spans) == expected, unit
