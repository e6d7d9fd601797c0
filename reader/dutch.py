"""Closed word classes of Dutch grammar that several parts of the core must agree on.

The aligner pairs a separated particle with its verb ("belde ... op"), the dictionary finds
"opgebeld" under "opbellen", and saved phrases and the hover match "haalde ... uit" as one verb:
all of them read the particles here, so a verb one of them knows the others know too.
"""

from __future__ import annotations

__all__ = ["AFTER_PARTICLE", "SEPARABLE_PARTICLES"]

# Particles of Dutch separable verbs: adverbs and prepositions ("opbellen", "uithalen",
# "voorbijgaan", "terechtkomen") and adjectives ("opendoen", "dichtdoen", "vrijlaten", "kapotmaken").
# Several are also inseparable prefixes ("onderzoeken", "doorzoeken", "overleggen"): the users
# check that the particle stands apart, or that the joined verb is a dictionary headword.
SEPARABLE_PARTICLES = frozenset(
    "aan achter af bij binnen buiten dicht door in kapot langs los mee na neer om onder op open"
    " over rond samen tegen terecht terug thuis toe uit vast voor voorbij vrij weg".split()
)

# A separated particle ends its clause, or is followed by a conjunction or a preposition
# (extraposed phrase: "haalde ... uit naar het Westen"); before an article or a noun it is a
# preposition ("na afloop").
AFTER_PARTICLE = frozenset(
    "en of maar want omdat dat als toen terwijl zodat nadat voordat hoewel te naar met voor op in"
    " aan van bij over tegen tot om door uit tussen zonder sinds tijdens na".split()
)
