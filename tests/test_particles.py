"""One list of Dutch separable-verb particles (``reader.dutch``) for the aligner and the dictionary.

Until aligner v4 the two kept their own lists: the aligner missed "rond", "terecht", "voorbij"
and "onder", the dictionary "vrij", "open", "dicht", "kapot" and "buiten". Dictionaries are small
real dictd files built with ``write_dictd``.
"""

from __future__ import annotations

import pytest

from reader.align import align, phrase_at
from reader.dictionary import Dictionary, write_dictd

ENTRIES = [
    ("regering", "regering\ngovernment\n"),
    ("verrader", "verrader\ntraitor\n"),
    ("folder", "folder\nleaflet\n"),
    ("terechtstellen", "terechtstellen\nexecute\n"),
    ("ronddelen", "ronddelen\ndistribute, hand out\n"),
    ("vrij", "vrij\nfree\n"),
    ("maken", "maken\nmake\n"),
    ("vrijmaken", "vrijmaken\nfree, release\n"),
]


@pytest.fixture(scope="module")
def dictionary(tmp_path_factory) -> Dictionary:
    folder = tmp_path_factory.mktemp("particles")
    return Dictionary.open(write_dictd(folder, sorted(ENTRIES)))


def words(alignment, side: str, span) -> list[str]:
    tokens = alignment.nl_tokens if side == "nl" else alignment.en_tokens
    return [tokens[k].text for k in span]


@pytest.mark.parametrize(
    ("nl", "en", "english"),
    [
        ("De regering stelde de verrader terecht.", "The government executed the traitor.",
         ["executed"]),
        ("De regering deelde de folders rond.", "The government handed out the leaflets.",
         ["handed", "out"]),
    ],
)
def test_a_particle_only_the_dictionary_knew_joins_its_verb_in_the_alignment(dictionary, nl, en, english):
    """Hovering "stelde" or "terecht" shows the one verb "terechtstellen" and its rendering."""
    a = align(nl, en, dictionary=dictionary)
    assert a.particles == {2: 5}
    for index in (2, 5):
        unit = phrase_at(a, "nl", index)
        assert unit is not None and unit.discontinuous
        assert words(a, "nl", unit.nl_span) == [a.nl_tokens[2].text, a.nl_tokens[5].text]
        assert words(a, "en", unit.en_span) == english


def test_a_participle_with_a_particle_only_the_aligner_knew_finds_its_verb(dictionary):
    """"vrijgemaakt" is "vrijmaken" (to free, release), not "vrij" + "maken" (free, make)."""
    results = dictionary.lookup("vrijgemaakt")
    assert [(r.lemma, r.how) for r in results] == [("vrijmaken", "lemma")]
    assert dictionary.translations("vrijgemaakt") == {"free", "release"}
