"""Articles for the store, pipeline and export tests, built directly as the importer would."""

from __future__ import annotations

from reader.importer import Paragraph, ParsedArticle, content_hash

HEADING = "Lavrov en Koeleba praten in Antalya"
BODY_1 = (
    "Voor het eerst sinds de invasie hebben beide landen overlegd. "
    "De ministers spraken anderhalf uur met elkaar."
)
BODY_2 = "Er zijn geen afspraken gemaakt. De ministers spraken anderhalf uur met elkaar."
# 1 heading sentence + 2 + 2 sentences; the last repeats one of paragraph 2.
N_SENTENCES = 5
N_UNIQUE = 4


def make_article(
    paragraphs: list[tuple[str, str]] | None = None,
    title: str = "Lavrov en Koeleba",
    date: str | None = "2022-03",
) -> ParsedArticle:
    paras = [
        Paragraph(kind, text)  # type: ignore[arg-type]
        for kind, text in (paragraphs or [("heading", HEADING), ("body", BODY_1), ("body", BODY_2)])
    ]
    return ParsedArticle(
        title=title,
        date=date,
        paragraphs=paras,
        content_hash=content_hash(paras, date),
        source_path=None,
    )


def numbered_article(n: int, tag: str = "") -> ParsedArticle:
    """An article of ``n`` distinct sentences, a few per paragraph."""
    words = ["Rusland", "Oekraïne", "Antalya", "Lavrov", "Koeleba", "Turkije", "Belarus"]
    sentences = [
        f"De minister sprak {i + 1} keer over {words[i % len(words)]}{tag}." for i in range(n)
    ]
    paragraphs = [("body", " ".join(sentences[i : i + 3])) for i in range(0, n, 3)]
    return make_article(paragraphs, title=f"Genummerd {n}{tag}")
