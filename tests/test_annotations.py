"""Annotations on real SQLite files: anchoring, re-anchoring after the English changes, editing,
undo of a delete, and every kind of bad input (refused with one clear sentence, nothing written)."""

from __future__ import annotations

import pytest

from models.engine import TranslationResult
from reader.annotations import (
    CONTEXT_CHARS,
    MAX_NOTE_CHARS,
    AnnotationError,
    add_annotation,
    add_annotation_range,
    count_for_document,
    delete_annotation,
    document_annotations,
    list_annotations,
    reanchor,
    reattach,
    restore_annotation,
    update_annotation,
)
from reader.errors import StoreError
from reader.store import add_document, document_sentences, open_db, put_translations, set_user_translation
from tests.helpers_store import make_article

MODEL = "test-model"
# The English of sentence 2 ("De ministers spraken anderhalf uur met elkaar."), as a model might give it.
EN = "After a long wait, the two foreign ministers talked for one and a half hours with each other."


def machine(db, row, text: str, model: str = MODEL) -> None:
    """Cache a machine translation of a sentence, as the pipeline does after translating it."""
    result = TranslationResult(row.text, text, [], [], None, -1.0)
    put_translations(db, model, [result], source_hashes=[row.source_hash])


@pytest.fixture
def doc(db):
    doc_id, _ = add_document(db, make_article())
    return doc_id, document_sentences(db, doc_id)


def span(text: str, quote: str) -> tuple[int, int]:
    start = text.index(quote)
    return start, start + len(quote)


def count_rows(db) -> tuple[int, int]:
    return (db.execute("SELECT count(*) FROM annotations").fetchone()[0],
            db.execute("SELECT count(*) FROM annotation_tags").fetchone()[0])


# ---------------------------------------------------------------- anchoring and persistence


def test_annotations_on_both_sides_survive_closing_and_reopening(tmp_path):
    path = tmp_path / "library.sqlite"
    db = open_db(path)
    doc_id, _ = add_document(db, make_article())
    rows = document_sentences(db, doc_id)
    machine(db, rows[2], EN)
    dutch = add_annotation(db, doc_id, rows[2].id, "nl", *span(rows[2].text, "anderhalf uur"),
                           note="anderhalf = one and a half", colour="green", tags=["tijd", "getallen"])
    english = add_annotation(db, doc_id, rows[2].id, "en", *span(EN, "one and a half hours"),
                             note="idiom", tags=["a, b"])
    db.close()

    db = open_db(path)
    again = document_annotations(db, doc_id)
    assert again == [dutch, english]  # Dutch before English in the same sentence
    assert (again[0].exact, again[0].colour, again[0].tags) == (
        "anderhalf uur", "green", ("getallen", "tijd"))
    assert rows[2].text[again[0].start:again[0].end] == "anderhalf uur"
    assert again[1].exact == "one and a half hours" and again[1].tags == ("a, b",)
    assert again[1].prefix == EN[: again[1].start][-CONTEXT_CHARS:] and len(again[1].prefix) == CONTEXT_CHARS
    assert again[1].suffix == " with each other."
    assert not again[1].detached


def test_english_annotation_follows_a_retranslation_that_keeps_its_quote(db, doc):
    doc_id, rows = doc
    machine(db, rows[2], EN)
    a = add_annotation(db, doc_id, rows[2].id, "en", *span(EN, "foreign ministers"), note="wie?")
    new = "The foreign ministers spoke with each other for an hour and a half after a long wait."
    machine(db, rows[2], new)  # the same model replaced its cached translation

    moved = reanchor(db, doc_id, rows[2].id, new)

    assert [m.id for m in moved] == [a.id]
    after = document_annotations(db, doc_id)[0]
    assert new[after.start:after.end] == "foreign ministers" and not after.detached
    assert after.prefix == "The " and after.note == "wie?"
    assert reanchor(db, doc_id, rows[2].id, new) == []  # already anchored on this text


def test_a_repeated_quote_goes_to_the_occurrence_nearest_its_old_place(db, doc):
    doc_id, rows = doc
    old = "The ministers met. Later the ministers talked, and the ministers left."
    machine(db, rows[2], old)
    second = old.index("the ministers")  # "Later the ministers talked"
    a = add_annotation(db, doc_id, rows[2].id, "en", second, second + len("the ministers"))
    new = "Then the ministers met. Later the ministers talked, and the ministers left."
    reanchor(db, doc_id, rows[2].id, new)
    after = document_annotations(db, doc_id)[0]
    assert (after.id, after.exact) == (a.id, "the ministers")
    assert after.start == second + 5 and after.suffix.startswith(" talked")  # "Then " was inserted


def test_english_annotation_reanchors_fuzzily_after_a_small_edit(db, doc):
    doc_id, rows = doc
    machine(db, rows[2], EN)
    a = add_annotation(db, doc_id, rows[2].id, "en", *span(EN, "talked for one and a half hours"))
    # The quote lost a letter and its context changed on both sides: only a fuzzy match finds it.
    edited = "Yesterday the ministers finally talked for one and a half hour, without a result."
    set_user_translation(db, rows[2].id, edited)

    moved = reanchor(db, doc_id, rows[2].id, edited)

    assert [m.id for m in moved] == [a.id]
    after = moved[0]
    assert not after.detached
    assert after.exact == "talked for one and a half hour" == edited[after.start:after.end]
    assert after.suffix.startswith(", without")


def test_a_changed_word_between_its_old_context_is_followed(db, doc):
    doc_id, rows = doc
    machine(db, rows[2], EN)
    add_annotation(db, doc_id, rows[2].id, "en", *span(EN, "ministers"))
    edited = EN.replace("ministers", "minister's")
    reanchor(db, doc_id, rows[2].id, edited)
    after = document_annotations(db, doc_id)[0]
    assert (after.exact, after.detached) == ("minister's", False)


def test_annotation_is_detached_not_deleted_when_its_quote_is_gone_and_can_be_reattached(db, doc):
    doc_id, rows = doc
    machine(db, rows[2], EN)
    a = add_annotation(db, doc_id, rows[2].id, "en", *span(EN, "foreign ministers"),
                       note="keep me", tags=["politiek"])
    # Another word in the same place is not the annotated text: detach rather than move silently.
    other = EN.replace("foreign ministers", "diplomats")
    moved = reanchor(db, doc_id, rows[2].id, other)

    assert [m.id for m in moved] == [a.id] and moved[0].detached
    listed = list_annotations(db, detached=True)
    assert [(x.id, x.exact, x.note, x.tags) for x in listed] == [(a.id, "foreign ministers", "keep me",
                                                                  ("politiek",))]
    assert list_annotations(db, detached=False) == []

    back = reattach(db, a.id, *span(other, "diplomats"), text=other)
    assert (back.exact, back.detached, back.note, back.tags) == ("diplomats", False, "keep me", ("politiek",))
    assert list_annotations(db, detached=True) == []


def test_a_detached_annotation_attaches_again_when_its_quote_comes_back(db, doc):
    doc_id, rows = doc
    machine(db, rows[2], EN)
    a = add_annotation(db, doc_id, rows[2].id, "en", *span(EN, "each other"))
    reanchor(db, doc_id, rows[2].id, "Nothing in common.")
    assert document_annotations(db, doc_id)[0].detached
    reanchor(db, doc_id, rows[2].id, EN)  # the reader reverted the edit
    after = document_annotations(db, doc_id)[0]
    assert (after.id, after.exact, after.detached) == (a.id, "each other", False)


def test_dutch_anchors_never_move(db, doc):
    doc_id, rows = doc
    machine(db, rows[2], EN)
    dutch = add_annotation(db, doc_id, rows[2].id, "nl", *span(rows[2].text, "ministers"))
    reanchor(db, doc_id, rows[2].id, "Something else entirely.")
    assert document_annotations(db, doc_id) == [dutch]


# ---------------------------------------------------------------- selections across sentences


def test_a_selection_across_paragraphs_is_anchored_to_each_sentence_it_covers(db, doc):
    doc_id, rows = doc
    # From "anderhalf" in paragraph 2's last sentence to "geen" in paragraph 3's first.
    first = (rows[2].id, rows[2].text.index("anderhalf"))
    last = (rows[3].id, rows[3].text.index("geen") + len("geen"))
    pieces = add_annotation_range(db, doc_id, "nl", first, last, note="over twee alinea's", tags=["x"])

    assert [p.exact for p in pieces] == ["anderhalf uur met elkaar.", "Er zijn geen"]
    assert pieces[0].group_id == pieces[0].id == pieces[1].group_id
    assert count_for_document(db, doc_id) == (1, 0)  # one selection
    # Backwards selection: same pieces.
    again = add_annotation_range(db, doc_id, "nl", last, first)
    assert [p.exact for p in again] == ["anderhalf uur met elkaar.", "Er zijn geen"]

    update_annotation(db, pieces[1].id, note="samen", colour="blue")
    assert {(p.note, p.colour) for p in list_annotations(db, tag="x")} == {("samen", "blue")}


def test_an_empty_selection_across_sentences_is_refused(db, doc):
    doc_id, rows = doc
    end = len(rows[2].text)
    with pytest.raises(AnnotationError, match="empty"):
        add_annotation_range(db, doc_id, "nl", (rows[2].id, end), (rows[3].id, 0))
    assert count_rows(db) == (0, 0)


# ---------------------------------------------------------------- editing, deleting, undo


def test_update_delete_and_restore_give_back_exactly_what_was_there(db, doc):
    doc_id, rows = doc
    machine(db, rows[1], "For the first time since the invasion both countries have talked.")
    a = add_annotation(db, doc_id, rows[1].id, "en", 4, 14, note="n", tags=["t1"])
    b = update_annotation(db, a.id, note="nieuw", colour="pink", tags=["t2", "t3"])
    assert (b.note, b.colour, b.tags, b.exact) == ("nieuw", "pink", ("t2", "t3"), "the first")
    assert update_annotation(db, a.id, colour="purple").note == "nieuw"  # None leaves the note

    gone = delete_annotation(db, a.id)
    assert gone.id == a.id and document_annotations(db, doc_id) == [] and count_rows(db) == (0, 0)
    back = restore_annotation(db, gone)
    assert back == gone and document_annotations(db, doc_id) == [gone]
    with pytest.raises(AnnotationError, match="already exists"):
        restore_annotation(db, gone)


def test_restoring_after_the_english_changed_reanchors(db, doc):
    doc_id, rows = doc
    machine(db, rows[2], EN)
    gone = delete_annotation(db, add_annotation(db, doc_id, rows[2].id, "en", *span(EN, "each other")).id)
    set_user_translation(db, rows[2].id, "They talked to each other.")
    back = restore_annotation(db, gone)
    assert (back.id, back.exact, back.start, back.detached) == (gone.id, "each other", 15, False)


def test_list_filters_by_document_tag_colour_and_text(db, doc):
    doc_id, rows = doc
    other = make_article([("body", "Een ander artikel over Oekraïne.")], title="Ander")
    other_id, _ = add_document(db, other)
    other_rows = document_sentences(db, other_id)
    a = add_annotation(db, doc_id, rows[1].id, "nl", 0, 4, note="Eerste KEER", tags=["tijd"], colour="blue")
    b = add_annotation(db, doc_id, rows[3].id, "nl", 0, 2, note="", tags=["tijd", "negatie"])
    c = add_annotation(db, other_id, other_rows[0].id, "nl", *span(other_rows[0].text, "Oekraïne"))
    assert [x.id for x in list_annotations(db)] == [a.id, b.id, c.id]
    assert [x.id for x in list_annotations(db, doc_id=other_id)] == [c.id]
    assert [x.id for x in list_annotations(db, tag="negatie")] == [b.id]
    assert [x.id for x in list_annotations(db, colour="blue")] == [a.id]
    assert [x.id for x in list_annotations(db, text="eerste keer")] == [a.id]
    assert [x.id for x in list_annotations(db, text="oekraïne")] == [c.id]


def test_the_text_filter_folds_case_beyond_ascii_in_notes_and_quotes(db, doc):
    """The filter narrows in SQL, whose lower() folds only ASCII: what Python's casefold finds
    (ß as ss, Ï as ï) is still found, in the note or in the quote, and wildcards are plain text."""
    doc_id, rows = doc
    other_id, _ = add_document(db, make_article([("body", "Een ander artikel over OEKRAÏNE.")], title="X"))
    row = document_sentences(db, other_id)[0]
    a = add_annotation(db, doc_id, rows[1].id, "nl", 0, 4, note="Die Straße, 100% zeker_", tags=["t"])
    b = add_annotation(db, other_id, row.id, "nl", *span(row.text, "OEKRAÏNE"), note="land")
    c = add_annotation(db, doc_id, rows[3].id, "nl", 0, 2, note="gewoon 1000 keer", tags=["t"])
    assert [x.id for x in list_annotations(db, text="STRASSE")] == [a.id]
    assert [x.id for x in list_annotations(db, text="oekraïne")] == [b.id]  # in the quote only
    assert [x.id for x in list_annotations(db, text="100%")] == [a.id]
    assert [x.id for x in list_annotations(db, text="%")] == [a.id]
    assert [x.id for x in list_annotations(db, text="_")] == [a.id]
    assert [x.id for x in list_annotations(db, text="keer", tag="t")] == [c.id]
    assert [x.id for x in list_annotations(db, text="LAND", doc_id=doc_id)] == []


# ---------------------------------------------------------------- bad input


def test_a_note_of_100000_characters_is_stored_as_is(db, doc):
    doc_id, rows = doc
    note = ("Een lange notitie. " * 6000)[:100_000]
    a = add_annotation(db, doc_id, rows[1].id, "nl", 0, 4, note=note)
    assert document_annotations(db, doc_id)[0].note == note and len(a.note) == 100_000


def test_a_note_over_the_limit_is_refused_and_nothing_is_written(db, doc):
    doc_id, rows = doc
    with pytest.raises(AnnotationError, match="1,000,000"):
        add_annotation(db, doc_id, rows[1].id, "nl", 0, 4, note="x" * (MAX_NOTE_CHARS + 1))
    assert count_rows(db) == (0, 0)


def test_control_characters_are_dropped_and_right_to_left_text_kept(db, doc):
    doc_id, rows = doc
    note = "regel\x00één\r\nregel\ttwee\x1b[31m \u202eمرحبا بالعالم\u202c \x7f"
    a = add_annotation(db, doc_id, rows[1].id, "nl", 0, 4, note=note, tags=["\x07tag\x00 "])
    assert a.note == "regeléén\nregel\ttwee[31m \u202eمرحبا بالعالم\u202c "
    assert a.tags == ("tag",)


def test_tags_keep_commas_and_inner_spaces_and_drop_repeats(db, doc):
    doc_id, rows = doc
    a = add_annotation(db, doc_id, rows[1].id, "nl", 0, 4, tags=["  a, b ", "a, b", "c d", "עברית"])
    assert a.tags == ("a, b", "c d", "עברית")
    assert [x.id for x in list_annotations(db, tag="a, b")] == [a.id]
    assert list_annotations(db, tag="a") == []


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(start=5, end=5), "empty"),
        (dict(start=4, end=5), "empty"),  # only the space between two words
        (dict(start=-1, end=4), "outside"),
        (dict(start=0, end=999), "outside"),
        (dict(start=6, end=2), "ends .at 2. before it starts"),
        (dict(colour="red"), "Unknown colour 'red'"),
        (dict(side="de"), "Unknown side 'de'"),
        (dict(tags=["ok", "  "]), "tag cannot be empty"),
        (dict(tags=["x" * 201]), "more than 200"),
        (dict(sentence="unknown"), "no sentence 999999"),
        (dict(sentence="other document"), "no sentence"),
        (dict(side="en"), "no English translation"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_written(db, doc, change, message):
    doc_id, rows = doc  # rows[1]: "Voor het eerst sinds ..."; no English cached
    other_id, _ = add_document(db, make_article([("body", "Een ander artikel.")], title="Ander"))
    args = dict(sentence=rows[1].id, side="nl", start=0, end=4, colour="yellow", tags=())
    args.update(change)
    if args["sentence"] == "unknown":
        args["sentence"] = 999999
    elif args["sentence"] == "other document":
        args["sentence"] = document_sentences(db, other_id)[0].id
    with pytest.raises(AnnotationError, match=message) as err:
        add_annotation(db, doc_id, args["sentence"], args["side"], args["start"], args["end"],
                       colour=args["colour"], tags=args["tags"])
    assert str(err.value).count(".") >= 1 and "\n" not in str(err.value)
    assert count_rows(db) == (0, 0)


def test_an_unknown_document_or_annotation_is_named(db, doc):
    _, rows = doc
    with pytest.raises(StoreError, match="no document 4242"):
        add_annotation(db, 4242, rows[1].id, "nl", 0, 4)
    with pytest.raises(StoreError, match="no document 4242"):
        document_annotations(db, 4242)
    for call in (lambda: update_annotation(db, 77, note="x"), lambda: delete_annotation(db, 77),
                 lambda: reattach(db, 77, 0, 4)):
        with pytest.raises(AnnotationError, match="no annotation 77"):
            call()


def test_a_read_only_library_refuses_with_the_stores_own_message(tmp_path, monkeypatch):
    path = tmp_path / "library.sqlite"
    db = open_db(path)
    doc_id, _ = add_document(db, make_article())
    rows = document_sentences(db, doc_id)
    machine(db, rows[2], EN)
    a = add_annotation(db, doc_id, rows[2].id, "en", *span(EN, "each other"))
    db.close()

    monkeypatch.setenv("BIREADER_READ_ONLY", "1")
    ro = open_db(path)
    calls = [
        lambda: add_annotation(ro, doc_id, rows[2].id, "nl", 0, 2),
        lambda: add_annotation_range(ro, doc_id, "nl", (rows[1].id, 0), (rows[2].id, 5)),
        lambda: update_annotation(ro, a.id, note="x"),
        lambda: delete_annotation(ro, a.id),
        lambda: reanchor(ro, doc_id, rows[2].id, "Other English."),
        lambda: reattach(ro, a.id, 0, 4),
    ]
    for call in calls:
        with pytest.raises(StoreError) as err:
            call()
        assert str(err.value) == (
            "Could not write to the library: the library is read-only, so changes cannot be saved; "
            "open it from a folder you can write to"
        )
    assert document_annotations(ro, doc_id) == [a]  # reading still works, nothing changed
