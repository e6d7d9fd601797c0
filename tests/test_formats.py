"""The format registries: every declared export writes the document, and the command line, the
window's dialogs, the importer's choice of reader and the README all follow the declarations."""

from __future__ import annotations

import io
import os
import re
import stat
import zipfile
from pathlib import Path

import pytest

from reader import formats
from reader.cli import _write_output, build_parser
from reader.errors import ImportFailed
from reader.export import (
    EDIT_MARK,
    ExportFailed,
    export_document,
    export_to_file,
    format_for_path,
    write_export,
)
from reader.formats import EXPORT, IMPORT, Carries
from reader.importer import read_article
from reader.store import add_document, document_sentences, set_user_translation
from tests.helpers_store import make_article

ROOT = Path(__file__).resolve().parent.parent

ARTICLE = [
    ("heading", "Lavrov en Koeleba"),
    ("body", "Voor het eerst hebben beide landen overlegd. De ministers spraken anderhalf uur."),
    ("list_item", "Oekraïne"),
    ("list_item", "Rusland"),
    ("quote", "Wij willen vrede."),
    ("body", "Er zijn geen afspraken gemaakt."),
]
DUTCH = [
    "Lavrov en Koeleba", "Voor het eerst hebben beide landen overlegd.",
    "De ministers spraken anderhalf uur.", "Oekraïne", "Rusland", "Wij willen vrede.",
    "Er zijn geen afspraken gemaakt.",
]
ENGLISH = [
    "Lavrov and Kuleba", "For the first time both countries talked.",
    "The ministers spoke for ninety minutes.", "Ukraine", "Russia", "We want peace.",
    "No agreements were made.",
]
# How each format shows what its flags promise; a format declared later needs its line here.
LIST_ITEM = {"md": "- Oekraïne", "txt": "- Oekraïne", "json": '"kind": "list_item"', "html": "<li>Oekraïne",
             "epub": '<li><p class="nl">Oekraïne'}
USERS_MARK = {"md": EDIT_MARK, "json": '"origin": "user"', "html": EDIT_MARK,
              "tmx": '<prop type="x-origin">user</prop>'}


@pytest.fixture
def edited(db):
    """The article with the reader's own English for every sentence (no model: nothing random)."""
    doc_id, _ = add_document(db, make_article(ARTICLE, title="Lavrov en Koeleba", date="2022-03"))
    rows = document_sentences(db, doc_id)
    assert [r.text for r in rows] == DUTCH
    for row, english in zip(rows, ENGLISH, strict=True):
        set_user_translation(db, row.id, english)
    return doc_id


def _read_back(fmt: formats.ExportFormat, path: Path) -> str:
    if fmt.name == "html":  # without the word and sentence spans the text reads whole
        return re.sub(r"</?span[^>]*>", "", path.read_text(encoding="utf-8"))
    if fmt.output == "text":
        return path.read_text(encoding="utf-8")
    if fmt.name == "epub":  # the chapter's XHTML
        with zipfile.ZipFile(path) as z:
            return z.read("EPUB/chapter-1.xhtml").decode("utf-8")
    if fmt.name == "anki":  # the notes' cloze texts, in order (one saved phrase per sentence)
        import sqlite3

        collection = path.with_suffix(".anki2")
        with zipfile.ZipFile(path) as z:
            collection.write_bytes(z.read("collection.anki2"))
        con = sqlite3.connect(collection)
        try:
            fields = [row[0].split("\x1f")[0] for row in con.execute("SELECT flds FROM notes ORDER BY id")]
        finally:
            con.close()
        return "\n".join(re.sub(r"\{\{c1::([^:}]*)(?:::[^}]*)?\}\}", r"\1", f) for f in fields)
    pytest.fail(f"{fmt.name} writes {fmt.output}: add a read-back of its content to this test")


@pytest.mark.parametrize("name", list(EXPORT))
def test_every_declared_format_writes_the_document_through_the_registry(db, edited, tmp_path, name):
    fmt = EXPORT[name]
    if name == "anki":  # flashcards are made of saved phrases: one (its first word) per sentence
        from reader.phrases import save_phrase

        for row in document_sentences(db, edited):
            save_phrase(db, edited, row.id, [(0, row.text.find(" ") if " " in row.text else len(row.text))],
                        dictionary=None)
    out = export_to_file(db, edited, None, tmp_path / f"artikel{fmt.suffixes[0]}")  # format from suffix
    text = _read_back(fmt, out)
    dutch = [text.find(s) for s in DUTCH]
    assert -1 not in dutch and dutch == sorted(dutch), f"{name}: the Dutch is missing or out of order"
    if Carries.USER_VERSIONS in fmt.carries:
        english = [text.find(s) for s in ENGLISH]
        assert -1 not in english and english == sorted(english), f"{name}: the English is not all there"
        assert all(e > d for d, e in zip(dutch, english, strict=True))  # each after its Dutch
    if Carries.METADATA in fmt.carries:
        assert "2022-03" in text
    if Carries.STRUCTURE in fmt.carries:
        assert LIST_ITEM[name] in text
    if Carries.ORIGIN in fmt.carries:
        assert USERS_MARK[name] in text
    if fmt.output == "text":
        assert out.read_bytes() == export_document(db, edited, None, name).encode("utf-8")


def test_every_suffix_of_every_format_picks_that_format_in_any_case(db, edited, tmp_path):
    for fmt in EXPORT.values():
        for suffix in fmt.suffixes:
            assert format_for_path(f"/x/Artikel{suffix.upper()}") == fmt.name
    out = export_to_file(db, edited, None, tmp_path / "artikel.markdown")
    assert out.read_text(encoding="utf-8").startswith("# Lavrov en Koeleba")


def test_the_command_lines_format_choices_are_the_registrys_names():
    parser = build_parser()
    translate = parser._subparsers._group_actions[0].choices["translate"]
    action = next(a for a in translate._actions if a.dest == "format")
    assert list(action.choices) == list(EXPORT)
    for fmt in EXPORT.values():
        assert all(s in action.help for s in fmt.suffixes)  # the help names every suffix
    importer = parser._subparsers._group_actions[0].choices["import"]
    files = next(a for a in importer._actions if a.dest == "files")
    assert ".txt .text" in files.help and ".md .markdown" in files.help and ".epub" in files.help
    assert "http:// or https://" in files.help


def test_the_save_dialogs_filters_come_from_the_registry():
    assert formats.export_dialog_filter() == (
        "Tab-separated values (*.tsv);;Markdown (*.md *.markdown);;Web page (*.html *.htm);;"
        "Plain text (*.txt);;JSON (*.json);;TMX translation memory (*.tmx);;EPUB e-book (*.epub);;"
        "Anki flashcards of saved phrases (*.apkg)"
    )
    for line, fmt in zip(formats.export_dialog_filter().split(";;"), EXPORT.values(), strict=True):
        assert formats.export_for_filter(line) is fmt


@pytest.mark.parametrize(
    "typed,chosen,expected",
    [
        ("/d/notes", "Markdown (*.md *.markdown)", ("/d/notes.md", "md")),
        ("/d/notes.markdown", "Tab-separated values (*.tsv)", ("/d/notes.markdown", "md")),  # no .md added
        ("/d/A.JSON", "Plain text (*.txt)", ("/d/A.JSON", "json")),
        ("/d/notes.backup", "Plain text (*.txt)", ("/d/notes.backup.txt", "txt")),
        ("/d/notes", "Markdown (*.md)", ("/d/notes.md", "md")),  # an older filter string still works
        ("/d/notes", "", ("/d/notes.tsv", "tsv")),
    ],
)
def test_the_save_dialogs_answer_gives_the_path_and_format(typed, chosen, expected):
    assert formats.export_choice(typed, chosen) == expected


def test_the_window_uses_the_registrys_filters(qapp):
    from ui import main_window

    assert main_window.TEXT_FILTER == formats.import_dialog_filter()
    assert main_window.TEXT_FILTER.startswith(
        "Text files (*.txt *.text);;Markdown (*.md *.markdown);;Web pages (*.html *.htm *.xhtml);;"
        "EPUB books (*.epub);;"
    )
    assert main_window.TEXT_FILTER.endswith(";;All files (*)")
    assert main_window.export_format("/d/x.markdown", "JSON (*.json)") == "md"


def test_an_unknown_export_suffix_falls_back_as_before(db, edited, tmp_path):
    assert format_for_path("/d/a.docx", default="tsv") == "tsv"
    folder = tmp_path / "exports"
    folder.mkdir()
    with pytest.raises(ExportFailed, match=r"'a\.docx': name it \.tsv, \.md, \.html, \.txt, \.json, \.tmx, "
                                           r"\.epub or \.apkg, or choose"):
        export_to_file(db, edited, None, folder / "a.docx")
    with pytest.raises(ExportFailed, match="Unknown export format 'docx': choose one of tsv, md, html, txt, "
                                           "json, tmx, epub, anki"):
        export_document(db, edited, None, "docx")
    assert not list(folder.iterdir())


# ---------------------------------------------------------------- writing bytes and packages


def _zip_writer(members: dict[str, bytes], fail_after: int | None = None) -> formats.StreamWriter:
    def write(out) -> None:
        with zipfile.ZipFile(out, "w") as z:
            for n, (name, data) in enumerate(members.items()):
                if fail_after is not None and n == fail_after:
                    raise ExportFailed("the package could not be finished")
                z.writestr(name, data)

    return write


def test_write_export_writes_bytes_and_stream_packages_atomically_with_the_umask(tmp_path):
    members = {"mimetype": b"application/epub+zip", "OEBPS/a.xhtml": "<p>Één</p>".encode()}
    out = tmp_path / "boek.epub"
    old_mask = os.umask(0o027)
    try:
        write_export(out, _zip_writer(members))
    finally:
        os.umask(old_mask)
    with zipfile.ZipFile(out) as z:
        assert {n: z.read(n) for n in z.namelist()} == members
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    before = out.read_bytes()
    with pytest.raises(ExportFailed, match="could not be finished"):
        write_export(out, _zip_writer({"a": b"1", "b": b"2"}, fail_after=1))
    assert out.read_bytes() == before  # the old package is whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["boek.epub"]  # no .part left
    write_export(tmp_path / "raw.bin", b"\x00\xffbytes")
    assert (tmp_path / "raw.bin").read_bytes() == b"\x00\xffbytes"


def test_a_package_goes_into_a_fifo_whole(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # a reader is there
    try:
        write_export(fifo, _zip_writer({"a.txt": b"een"}))
        data = os.read(fd, 1 << 16)
    finally:
        os.close(fd)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.read("a.txt") == b"een"
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_the_command_line_writes_binary_output_to_a_file_and_a_pipe(tmp_path, capsysbinary):
    out = tmp_path / "out.bin"
    _write_output(_zip_writer({"a.txt": b"een"}), str(out), "tsv")
    with zipfile.ZipFile(out) as z:
        assert z.read("a.txt") == b"een"
    _write_output(b"PK-bytes", None, "tsv")  # captured stdout is not a terminal
    assert capsysbinary.readouterr().out == b"PK-bytes"


def test_binary_output_is_not_sent_to_a_terminal(monkeypatch):
    from reader.cli import UsageError

    main_fd, terminal_fd = os.openpty()
    with os.fdopen(terminal_fd, "w") as terminal:
        monkeypatch.setattr("sys.stdout", terminal)
        with pytest.raises(UsageError, match=r"\(tsv\) is a binary format: give -o FILE, or redirect"):
            _write_output(b"PK\x03\x04", None, "tsv")
    os.close(main_fd)


# ---------------------------------------------------------------- import


def _epub(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")  # stored and first, as EPUB asks
        z.writestr("META-INF/container.xml", "<container/>")
        z.writestr("OEBPS/h1.xhtml", "<html><body><p>De ministers spraken.</p></body></html>")
    return path


def test_plain_text_is_the_first_reader_and_the_open_dialog_offers_what_can_be_read():
    assert next(iter(IMPORT)) == "text"
    assert formats.import_suffixes()[:8] == (
        ".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml", ".epub"
    )
    assert "Web pages (*.html *.htm *.xhtml)" in formats.import_dialog_filter()


@pytest.mark.parametrize("name", ["artikel.nieuws", "artikel", "artikel.log"])
def test_text_under_an_unknown_or_unread_suffix_is_read_as_text_as_before(tmp_path, name):
    path = tmp_path / name
    path.write_text("Gesprek in Antalya\n\nDe ministers spraken anderhalf uur met elkaar.\n",
                    encoding="utf-8")
    article = read_article(path)
    assert article.title == "Gesprek in Antalya"
    assert article.paragraphs[1].text == "De ministers spraken anderhalf uur met elkaar."


@pytest.mark.parametrize("name", ["pagina.html", "pagina"])
def test_a_web_page_goes_to_the_html_reader_by_suffix_or_content(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"\xef\xbb\xbf<!DOCTYPE html><html><body><p>De ministers spraken.</p></body></html>")
    with pytest.raises(ImportFailed, match=rf"{name} is a web page with no article text"):
        read_article(path)


@pytest.mark.parametrize("name", ["boek.epub", "boek"])
def test_an_epub_goes_to_the_epub_reader_not_the_zip_refusal(tmp_path, name):
    path = _epub(tmp_path / name)
    with pytest.raises(ImportFailed, match=rf"{name}'s META-INF/container\.xml names no package document: "
                                           r"it is not a readable EPUB"):
        read_article(path)


def test_a_zip_that_is_no_epub_is_still_refused_as_a_zip(tmp_path):
    path = tmp_path / "stukken.epub"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("word/document.xml", "<w/>")
    with pytest.raises(ImportFailed, match=r"stukken\.epub is a ZIP archive but not an EPUB book"):
        read_article(path)
    path.rename(tmp_path / "stukken")
    with pytest.raises(ImportFailed, match=r"stukken is a ZIP archive .*, a binary file, not text"):
        read_article(tmp_path / "stukken")


def test_a_json_export_is_not_imported_as_an_article_of_json_text(db, edited, tmp_path):
    out = export_to_file(db, edited, None, tmp_path / "export.json")
    article = read_article(out)  # the document itself (reader.import_json), not its JSON as text
    assert article.title == "Lavrov en Koeleba" and article.paragraphs[1].text.startswith("Voor het eerst")
    assert callable(article.restore)
    other = tmp_path / "notitie.json"  # JSON of another program: read as text, as before
    other.write_text('{"tekst": "De ministers spraken anderhalf uur met elkaar."}\n', encoding="utf-8")
    assert "anderhalf uur" in read_article(other).paragraphs[0].text


def test_a_drop_imports_the_readable_files_or_else_all_to_say_why(tmp_path):
    assert formats.files_to_import(["/d/a.txt", "/d/foto.png", "/d/b.MD"]) == ["/d/a.txt", "/d/b.MD"]
    assert formats.files_to_import(["/d/foto.png", "/d/boek.epub"]) == ["/d/boek.epub"]
    assert formats.files_to_import(["/d/foto.png", "/d/scan.pdf"]) == ["/d/foto.png", "/d/scan.pdf"]


# ---------------------------------------------------------------- README


def _readme_tables() -> tuple[list[list[str]], list[list[str]]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Export and import formats", 1)[1].split("\n## ", 1)[0]
    tables = [
        [[c.strip() for c in line.strip("|").split("|")] for line in block.splitlines()[2:]]
        for block in re.findall(r"(?:^\|.*\|\n)+", section, re.M)
    ]
    assert len(tables) == 2, "the README's format section has an export and an import table"
    return tables[0], tables[1]


def test_the_readme_lists_exactly_the_registrys_formats():
    exports, imports = _readme_tables()
    assert [(r[0], r[1], r[2]) for r in exports] == [
        (f"`{f.name}`", " ".join(f"`{s}`" for s in f.suffixes), f.holds) for f in EXPORT.values()
    ]
    assert [(r[0], r[1], r[2].startswith("yes")) for r in imports] == [
        (f.label, " ".join(f"`{s}`" for s in f.suffixes), f.reader is not None) for f in IMPORT.values()
    ]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    names = "\\|".join(EXPORT)
    assert f"--format {names}]" in readme  # the command table's translate row
