"""`bireader export DOC… --format FMT -o OUT [--force]`: one file, one combined file or one file per
document; never over an existing file without --force; every refusal in one sentence, nothing written."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from lxml import etree

from reader.cli import main
from reader.pipeline import import_file, translate_document
from reader.store import add_document, list_documents, open_db
from tests.helpers_export import TITLE, make_rich
from tests.helpers_store import make_article


@pytest.fixture
def engine(tiny_package):
    from models.engine import Engine

    return Engine(tiny_package)


@pytest.fixture
def library(engine) -> tuple[int, int]:
    """Two translated documents in the user's library: the rich one and the plain test article."""
    db = open_db()
    rich = make_rich(db, engine)
    plain, _ = add_document(db, make_article())
    translate_document(db, plain, engine)
    db.close()
    return rich.doc_id, plain


def run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().err


def test_several_documents_go_into_one_tmx_and_one_json_file_each(library, tmp_path, capsys):
    rich, plain = library
    code, err = run(capsys, "export", str(rich), str(plain), "-o", str(tmp_path / "geheugen.tmx"))
    assert code == 0 and f"Wrote {tmp_path / 'geheugen.tmx'}" in err
    root = etree.parse(str(tmp_path / "geheugen.tmx")).getroot()
    titles = [p.text for p in root.iter("prop") if p.get("type") == "x-document"]
    assert titles[0] == TITLE and titles[-1] == "Lavrov en Koeleba" and len(titles) == 7 + 5
    out = tmp_path / "json"
    out.mkdir()
    code, err = run(capsys, "export", str(rich), str(plain), "--format", "json", "-o", str(out))
    assert code == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == [f"{rich}-koeleba-lavrov-script.json", f"{plain}-lavrov-en-koeleba.json"]
    assert json.loads((out / names[0]).read_text(encoding="utf-8"))["title"] == TITLE


def test_cli_json_export_imports_into_a_fresh_library_and_exports_the_same_bytes(
    library, tmp_path, capsys, monkeypatch
):
    rich, _ = library
    first = tmp_path / "artikel.json"
    assert run(capsys, "export", str(rich), "-o", str(first))[0] == 0
    monkeypatch.setenv("BIREADER_HOME", str(tmp_path / "elders"))
    assert main(["import", str(first)]) == 0
    (doc,) = list_documents(open_db())
    assert run(capsys, "export", str(doc["id"]), "-o", str(tmp_path / "terug.json"))[0] == 0
    assert (tmp_path / "terug.json").read_bytes() == first.read_bytes()


def test_an_existing_file_needs_force_and_keeps_its_permissions(library, tmp_path, capsys):
    rich, _ = library
    target = tmp_path / "boek.epub"
    target.write_bytes(b"mijn eigen boek")
    target.chmod(0o600)
    code, err = run(capsys, "export", str(rich), "-o", str(target))
    assert code == 1 and err == f"bireader: {target} already exists: add --force to overwrite it " \
                                 "(nothing was written)\n"
    assert target.read_bytes() == b"mijn eigen boek"
    assert run(capsys, "export", str(rich), "-o", str(target), "--force")[0] == 0
    assert target.read_bytes().startswith(b"PK\x03\x04") and stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bireader-home", "boek.epub"]  # no temporary file


def test_a_new_file_gets_the_users_umask(library, tmp_path, capsys):
    rich, _ = library
    old = os.umask(0o027)
    try:
        assert run(capsys, "export", str(rich), "-o", str(tmp_path / "zinnen.apkg"))[0] == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "zinnen.apkg").stat().st_mode) == 0o640


def test_refusals_are_one_sentence_and_write_nothing(library, tmp_path, capsys):
    rich, plain = library
    code, err = run(capsys, "export", str(rich), "-o", str(tmp_path / "nergens" / "a.tmx"))
    assert code == 1 and err.count("\n") == 1 and "the folder" in err and "does not exist" in err
    code, err = run(capsys, "export", str(rich), str(plain), "-o", str(tmp_path / "beide.json"))
    assert code == 1 and err == ("bireader: JSON holds one document a file: give an existing folder as -o "
                                 "for one file per document, or export the documents one at a time\n")
    named_folder = tmp_path / "map.tmx"
    named_folder.mkdir()  # a folder named like a file: the document goes inside it
    code, err = run(capsys, "export", str(rich), "--format", "tmx", "-o", str(named_folder))
    assert code == 0 and [p.suffix for p in named_folder.iterdir()] == [".tmx"]
    code, err = run(capsys, "export", "999", "-o", str(tmp_path / "x.tmx"))
    assert code == 1 and "There is no document 999 in the library" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bireader-home", "map.tmx"]


def test_an_untranslated_document_exports_what_exists_and_says_so(tmp_path, capsys):
    db = open_db()
    doc_id, _ = import_file(db, _article(tmp_path))
    db.close()
    code, err = run(capsys, "export", str(doc_id), "-o", str(tmp_path / "nl.epub"))
    assert code == 0 and "has no translation yet, so the export holds the Dutch text only" in err
    assert (tmp_path / "nl.epub").exists()


def _article(tmp_path: Path) -> Path:
    f = tmp_path / "artikel.txt"
    f.write_text("Een titel\n\nDe minister sprak gisteren met zijn collega over de oorlog.\n",
                 encoding="utf-8")
    return f


def test_a_socket_or_fifo_in_place_of_the_file(library, tmp_path, capsys):
    import socket
    import threading

    rich, _ = library
    sock_path = tmp_path / "s.tmx"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(sock_path))
        code, err = run(capsys, "export", str(rich), "-o", str(sock_path))
    finally:
        server.close()
    assert code == 1 and err == f"bireader: Could not write {sock_path}: it is a socket, not a file; " \
                                "choose a file name\n"
    fifo = tmp_path / "pijp.tmx"
    os.mkfifo(fifo)
    received: list[bytes] = []
    held = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # a reader is there however late the thread
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    code, err = run(capsys, "export", str(rich), "-o", str(fifo))  # a pipe is written in place
    if reader.is_alive() and code != 0:  # nothing opened the pipe: let the reader see its end
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    reader.join(timeout=60)
    os.close(held)
    assert code == 0 and not reader.is_alive() and fifo.exists()
    assert etree.fromstring(received[0]).tag == "tmx"


def test_export_into_a_folder_the_user_cannot_write_says_so_and_writes_nothing(tmp_path):
    """A read-only place, for an ordinary user (root, whom permissions do not stop, runs the
    command without the powers to write anywhere): one sentence, no file, no temporary left."""
    import shutil
    import subprocess
    import sys
    import tempfile

    from tests.helpers_fs import as_ordinary_user

    top = Path(tempfile.mkdtemp(prefix="bireader-export-ro-"))
    home, locked = top / "home", top / "locked"
    locked.mkdir()
    env = {**os.environ, "BIREADER_HOME": str(home)}
    try:
        db = open_db(home / "library.sqlite")
        doc_id, _ = add_document(db, make_article())
        db.close()
        locked.chmod(0o555)
        result = subprocess.run(
            [sys.executable, "-m", "reader.cli", "export", str(doc_id), "--format", "tsv",
             "-o", str(locked / "out.tsv")],
            env=env, capture_output=True, text=True, timeout=120, **as_ordinary_user(),
        )
        assert result.returncode == 1, result.stdout + result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and str(locked) in lines[0], result.stderr
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o755)
        shutil.rmtree(top)
