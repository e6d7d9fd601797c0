"""Where `translate -o` and the window's export write: the format, the path checked first, FIFOs and
other special files written in place (never renamed over), the user's permissions, no clobbering."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import stat
import threading
from pathlib import Path

import pytest

from reader.cli import main
from reader.export import export_document, export_to_file
from reader.store import add_document
from tests.helpers_store import make_article

from .conftest import SEED

WAIT_MS = 60_000
MD_START = "*2022-03*\n\nVoor het eerst"  # the seed in Markdown: its date, then its first paragraph


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def documents_in_library(home: Path) -> int:
    db_file = home / "library.sqlite"
    if not db_file.exists():
        return 0
    con = sqlite3.connect(db_file)
    try:
        return con.execute("select count(*) from documents").fetchone()[0]
    finally:
        con.close()


class FifoReader:
    """A program reading a FIFO to its end, as `cat fifo` would: a real thread on the real FIFO."""

    def __init__(self, path: Path) -> None:
        self.path, self.data = path, b""
        # A reader is there before the command runs, however late the thread starts: the FIFO is
        # held open (never read) here, and the thread's blocking open reads everything written.
        self._held = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        with open(self.path, "rb") as f:  # blocks until a writer opens the FIFO
            self.data = f.read()

    def finish(self) -> bytes:
        if self.thread.is_alive():  # nothing opened it for writing: let the reader see the end
            fd = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)
            os.close(fd)
        self.thread.join(timeout=30)
        os.close(self._held)
        assert not self.thread.is_alive()
        return self.data


@pytest.fixture
def folder(tmp_path) -> Path:
    """An output folder of its own (BIREADER_HOME lives in tmp_path)."""
    d = tmp_path / "exports"
    d.mkdir()
    return d


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


# ---------------------------------------------------------------- the format


def test_the_format_follows_the_output_suffix(capsys, tiny_package, tmp_path):
    out = tmp_path / "seed.md"
    code, _, err = run(capsys, "translate", str(SEED), "-o", str(out))
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    assert text.startswith(MD_START) and "\t" not in text  # Markdown, not TSV
    assert "> " in text
    upper = tmp_path / "seed.JSON"
    code, _, err = run(capsys, "translate", str(SEED), "-o", str(upper))
    assert code == 0, err
    assert json.loads(upper.read_text(encoding="utf-8"))["format"] == "bilingual-reader/2"


def test_an_explicit_format_wins_and_is_case_insensitive(capsys, tiny_package, tmp_path):
    out = tmp_path / "notes.txt"
    code, _, err = run(capsys, "translate", str(SEED), "--format", "MD", "-o", str(out))
    assert code == 0, err
    assert out.read_text(encoding="utf-8").startswith(MD_START)
    code, stdout, err = run(capsys, "translate", str(SEED), "--format", "Json")
    assert code == 0, err
    assert json.loads(stdout)["paragraphs"]


def test_an_output_without_a_known_suffix_gets_tsv(capsys, tiny_package, tmp_path):
    out = tmp_path / "seed.out"
    code, _, err = run(capsys, "translate", str(SEED), "-o", str(out))
    assert code == 0, err
    lines = [line for line in out.read_text(encoding="utf-8").splitlines() if line]
    assert lines and all(line.count("\t") == 1 for line in lines)


# ---------------------------------------------------------------- checked before any work


@pytest.mark.parametrize("where", ["missing-folder", "folder"])
def test_a_bad_output_path_fails_before_anything_is_translated(capsys, tiny_package, bireader_home,
                                                               tmp_path, where):
    if where == "folder":
        out, needle = tmp_path, "is a folder"
    else:
        out, needle = tmp_path / "missing" / "x.tsv", "does not exist"
    code, stdout, err = run(capsys, "translate", str(SEED), "-o", str(out))
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and str(out) in lines[0]
    assert "sentences:" not in err  # nothing was translated
    assert documents_in_library(bireader_home) == 0  # nor even imported


# ---------------------------------------------------------------- special files


def test_a_fifo_with_a_reader_is_written_in_place(capsys, tiny_package, folder):
    fifo = folder / "out.tsv"
    os.mkfifo(fifo)
    reader = FifoReader(fifo)
    try:
        code, _, err = run(capsys, "translate", str(SEED), "-o", str(fifo))
    finally:
        data = reader.finish()
    assert code == 0, err
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # still the FIFO, not replaced by a file
    text = data.decode("utf-8")
    assert text.startswith("Voor het eerst sinds de invasie") and "\t" in text
    assert sorted(p.name for p in folder.iterdir()) == ["out.tsv"]  # no temporary file left


def test_a_symlink_to_a_fifo_is_written_through(capsys, tiny_package, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "export.md"
    link.symlink_to(fifo)
    reader = FifoReader(fifo)
    try:
        code, _, err = run(capsys, "translate", str(SEED), "-o", str(link))
    finally:
        data = reader.finish()
    assert code == 0, err
    assert link.is_symlink() and stat.S_ISFIFO(os.stat(link).st_mode)
    assert data.decode("utf-8").startswith(MD_START)  # the link's .md suffix chose Markdown


def test_a_fifo_nobody_reads_is_refused_not_waited_on(capsys, tiny_package, folder):
    fifo = folder / "out.tsv"
    os.mkfifo(fifo)
    code, _, err = run(capsys, "translate", str(SEED), "-o", str(fifo))
    assert code == 1
    assert "no program is reading from it" in err and str(fifo) in err
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(p.name for p in folder.iterdir()) == ["out.tsv"]


def test_a_socket_is_refused_before_any_work(capsys, tiny_package, bireader_home, tmp_path):
    path = tmp_path / "out.tsv"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.bind(str(path))
        code, _, err = run(capsys, "translate", str(SEED), "-o", str(path))
    assert code == 1 and "is a socket, not a file" in err
    assert documents_in_library(bireader_home) == 0


def test_an_existing_part_file_is_not_clobbered(capsys, tiny_package, folder):
    out = folder / "out.tsv"
    part = folder / "out.tsv.part"
    part.write_text("my notes, not an export\n", encoding="utf-8")
    code, _, err = run(capsys, "translate", str(SEED), "-o", str(out))
    assert code == 0, err
    assert part.read_text(encoding="utf-8") == "my notes, not an export\n"
    assert out.read_text(encoding="utf-8").startswith("Voor het eerst")
    assert sorted(p.name for p in folder.iterdir()) == ["out.tsv", "out.tsv.part"]


# ---------------------------------------------------------------- permissions


def test_a_new_export_gets_the_users_usual_permissions(capsys, tiny_package, tmp_path, umask_022):
    out = tmp_path / "new.tsv"
    code, _, err = run(capsys, "translate", str(SEED), "-o", str(out))
    assert code == 0, err
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    os.umask(0o027)
    out2 = tmp_path / "new2.tsv"
    code, _, err = run(capsys, "translate", str(SEED), "-o", str(out2))
    assert code == 0, err
    assert stat.S_IMODE(out2.stat().st_mode) == 0o640


def test_replacing_a_file_keeps_its_mode(capsys, tiny_package, tmp_path, umask_022):
    out = tmp_path / "shared.tsv"
    out.write_text("old\n", encoding="utf-8")
    out.chmod(0o664)
    code, _, err = run(capsys, "translate", str(SEED), "-o", str(out))
    assert code == 0, err
    assert out.read_text(encoding="utf-8") != "old\n"
    assert stat.S_IMODE(out.stat().st_mode) == 0o664


def test_the_core_export_used_by_the_window_gets_the_same_permissions(db, tmp_path, umask_022):
    doc_id, _ = add_document(db, make_article())
    out = export_to_file(db, doc_id, None, tmp_path / "artikel.md")
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    out.chmod(0o600)
    export_to_file(db, doc_id, None, out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_text(encoding="utf-8") == export_document(db, doc_id, None, "md")


def test_the_windows_export_writes_with_the_users_permissions(empty_packages, make_window, qtbot,
                                                              tmp_path, umask_022):
    window = make_window()
    with qtbot.waitSignal(window.document_opened, timeout=WAIT_MS):
        window.import_file(SEED)
    out = tmp_path / "artikel.md"
    with qtbot.waitSignal(window.exported, timeout=WAIT_MS) as sig:
        window.export_document(out)
    assert sig.args == [out]
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    assert out.read_text(encoding="utf-8").startswith(MD_START)
