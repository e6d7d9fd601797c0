"""The command line as a user meets it: real files, real SQLite, the real tiny Argos package."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from reader.cli import main

from .conftest import SEED

ROOT = Path(__file__).resolve().parent.parent


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def bireader(*argv: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """The installed console script, in a fresh process, as a user runs it."""
    exe = Path(sys.executable).with_name("bireader")
    return subprocess.run([str(exe), *argv], capture_output=True, text=True, timeout=timeout,
                          env=os.environ.copy())


def table_counts(db_file: Path) -> dict[str, int]:
    con = sqlite3.connect(db_file)
    try:
        return {t: con.execute(f"select count(*) from [{t}]").fetchone()[0]
                for t in ("documents", "paragraphs", "sentences", "translations")}
    finally:
        con.close()


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.startswith("bireader 0.")


def test_segment_prints_sentences_with_blank_line_between_paragraphs(capsys):
    code, out, _ = run(capsys, "segment", str(SEED))
    assert code == 0
    paragraphs = out.strip().split("\n\n")
    assert paragraphs[0].splitlines()[0].startswith("Voor het eerst sinds de invasie")
    assert "date 2022-03" not in out
    assert "Lavrov: Westen is gevaarlijk bezig" in paragraphs
    assert "In de Turkse badplaats Antalya spraken" in paragraphs[0].splitlines()[1]
    assert len(paragraphs) == 9


def test_translate_twice_second_run_from_cache(tiny_package, bireader_home):
    first = bireader("translate", str(SEED))
    assert first.returncode == 0, first.stderr
    n = sum(1 for line in first.stdout.splitlines() if line.strip())
    assert f"{n} sentences: 0 from cache, {n} translated" in first.stderr
    assert "test package" in first.stderr  # never passed off as a translation
    rows = [line.split("\t") for line in first.stdout.splitlines() if line.strip()]
    assert all(len(r) == 2 and r[0] and r[1] for r in rows)
    assert rows[0][0].startswith("Voor het eerst sinds de invasie")
    # paragraphs are separated by exactly one blank line
    assert first.stdout.count("\n\n") == 8

    second = bireader("translate", str(SEED))
    assert second.returncode == 0, second.stderr
    assert f"{n} sentences: {n} from cache, 0 translated" in second.stderr
    assert second.stdout == first.stdout
    assert table_counts(bireader_home / "library.sqlite")["documents"] == 1


@pytest.mark.parametrize("fmt", ["md", "txt", "json"])
def test_translate_formats_to_file(tiny_package, tmp_path, capsys, fmt):
    out = tmp_path / f"out.{fmt}"
    code, stdout, err = run(capsys, "translate", str(SEED), "--format", fmt, "-o", str(out))
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    assert "Voor het eerst sinds de invasie" in text
    if fmt == "json":
        doc = json.loads(text)
        assert doc["date"].startswith("2022-03")
        sentences = [s for p in doc["paragraphs"] for s in p["sentences"]]
        assert len(sentences) == 20
        assert all(s["translation"] and s["origin"] == "model" for s in sentences)
    elif fmt == "md":  # each paragraph's English follows it as a non-empty blockquote
        quotes = [line for line in text.splitlines() if line.startswith("> ") and line[2:].strip()]
        assert len(quotes) == 8  # the eight body paragraphs (the heading is rendered as a heading)
    else:  # each paragraph block: the Dutch, then its English on the next line
        blocks = [b.splitlines() for b in text.split("\n\n") if b.strip()]
        body = [b for b in blocks if b[0].startswith(("De ", "Minister", "Koeleba", "Lavrov:"))]
        assert len(body) >= 5 and all(len(b) >= 2 and b[1].strip() for b in body)
    assert stdout == ""


# A child process running `bireader translate`, with two barriers through files in a folder: all
# children start together (the test waits until each one is ready), and each one, having imported
# the document and read the cache, only sends its first sentences to the (real) engine once every
# child has come that far. So all of them translate the same sentences at the same time, whatever
# the scheduler does; a child left alone at a barrier gives up with a message instead of hanging.
OVERLAPPING_TRANSLATE = """
import sys, time
from pathlib import Path

me, n, gate, article = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]

def wait_for(pattern, count, why):
    deadline = time.monotonic() + 120
    while len(list(gate.glob(pattern))) < count:
        if time.monotonic() > deadline:
            sys.exit(f"child {me} gave up: {why}")
        time.sleep(0.005)

from models.engine import Engine
from reader.cli import main

engine_translate = Engine.translate

def translate_together(self, *args, **kwargs):
    (gate / f"translating-{me}").touch()
    wait_for("translating-*", n, "another process never started translating")
    return engine_translate(self, *args, **kwargs)

Engine.translate = translate_together
(gate / f"ready-{me}").touch()
wait_for("go", 1, "the test never said go")
sys.exit(main(["translate", article]))
"""


def test_two_processes_translating_the_same_document(tiny_package, bireader_home, tmp_path):
    """Both finish, one document, no duplicate rows, though both import the document at the same
    moment and both translate every one of its sentences at the same time (see the barriers)."""
    text = SEED.read_text(encoding="utf-8")
    article = tmp_path / "long.txt"
    article.write_text("\n\n".join(f"{text}\n\nDeel {i}." for i in range(15)), encoding="utf-8")
    gate = tmp_path / "gate"
    gate.mkdir()
    child = [sys.executable, "-c", OVERLAPPING_TRANSLATE]
    procs = [subprocess.Popen([*child, str(i), "2", str(gate), str(article)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i in range(2)]
    deadline = time.monotonic() + 120
    while len(list(gate.glob("ready-*"))) < 2 and all(p.poll() is None for p in procs):
        assert time.monotonic() < deadline, "the two processes did not start"
        time.sleep(0.005)
    (gate / "go").touch()
    results = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [r[1] for r in results]
    assert sorted(f.name for f in gate.glob("translating-*")) == ["translating-0", "translating-1"]
    assert results[0][0] == results[1][0]
    counts = table_counts(bireader_home / "library.sqlite")
    assert counts["documents"] == 1
    n_sentences = sum(1 for line in results[0][0].splitlines() if line.strip())
    assert counts["sentences"] == n_sentences
    distinct = len({line.split("\t")[0] for line in results[0][0].splitlines() if line.strip()})
    assert counts["translations"] == distinct
    # neither found the other's translations in the cache: both translated every distinct sentence
    translated = [int(r[1].rsplit(" translated", 1)[0].rsplit(", ", 1)[1]) for r in results]
    assert min(translated) >= distinct, translated


def test_import_and_library(capsys, tmp_path):
    code, out, err = run(capsys, "import", str(SEED))
    assert code == 0, err
    doc_id = out.split("\t")[0]
    code, out, _ = run(capsys, "import", str(SEED))
    assert "already in the library" in out
    code, out, _ = run(capsys, "library", "list")
    assert out.count("\n") == 2 and "2022-03" in out  # the header and one document
    code, out, _ = run(capsys, "library", "remove", doc_id)
    assert code == 0
    code, out, err = run(capsys, "library", "list")
    assert out == "" and "empty" in err
    code, out, err = run(capsys, "library", "remove", doc_id)
    assert code == 1 and str(doc_id) in err


# ---------------------------------------------------------------- bad input


def assert_fails(capsys, argv, *needles, home: Path | None = None):
    """Non-zero exit, one clear line on stderr naming the problem, and no database written."""
    code, out, err = run(capsys, *argv)
    assert code != 0
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    for needle in needles:
        assert needle.lower() in err.lower(), err
    if home is not None:
        db_file = home / "library.sqlite"
        assert not db_file.exists() or table_counts(db_file)["documents"] == 0
    return err


def test_missing_file(capsys, bireader_home, tmp_path):
    assert_fails(capsys, ["import", str(tmp_path / "nope.txt")], "nope.txt", "not found",
                 home=bireader_home)


def test_directory(capsys, bireader_home, tmp_path):
    assert_fails(capsys, ["import", str(tmp_path)], "folder", home=bireader_home)


def test_unreadable_file(capsys, bireader_home, tmp_path):
    link = tmp_path / "dangling.txt"
    link.symlink_to(tmp_path / "gone.txt")
    assert_fails(capsys, ["import", str(link)], "dangling.txt", home=bireader_home)


@pytest.mark.parametrize("content", [b"", b"   \n\n \t \r\n"])
def test_empty_file(capsys, bireader_home, tmp_path, content):
    f = tmp_path / "empty.txt"
    f.write_bytes(content)
    assert_fails(capsys, ["import", str(f)], "empty", home=bireader_home)


def test_binary_file(capsys, bireader_home, tmp_path):
    f = tmp_path / "photo.txt"
    f.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    assert_fails(capsys, ["import", str(f)], "photo.txt", "binary", home=bireader_home)


def test_cp1252_file_imports_with_warning(capsys, bireader_home, tmp_path):
    f = tmp_path / "oud.txt"
    f.write_bytes("Het café in Marioepol is dicht. De ruïnes zijn groot.\n".encode("cp1252"))
    code, out, err = run(capsys, "segment", str(f))
    assert code == 0
    assert "oud.txt" in err and "warning" in err
    assert out.splitlines() == ["Het café in Marioepol is dicht.", "De ruïnes zijn groot."]


def test_cp1252_warning_on_import_and_translate(capsys, tiny_package, tmp_path):
    f = tmp_path / "oud.txt"
    f.write_bytes("Het café in Marioepol is dicht.\n".encode("cp1252"))
    code, out, err = run(capsys, "import", str(f))
    assert code == 0 and "warning" in err and "oud.txt" in err
    code, out, err = run(capsys, "translate", str(f))
    assert code == 0 and "warning" in err and "oud.txt" in err
    assert out.startswith("Het café in Marioepol is dicht.\t")


def test_translate_refuses_a_test_package_unless_allowed(capsys, tiny_package, bireader_home, monkeypatch):
    monkeypatch.delenv("BIREADER_ALLOW_TEST_PACKAGE")
    assert_fails(capsys, ["translate", str(SEED)], "test package", "not a translation",
                 "bireader models download nl en", home=bireader_home)


def test_unreadable_file_permission_denied(tmp_path):
    """A file the user may not read. Root reads everything, so as root the command runs without
    the capabilities that let it (setpriv drops CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH)."""
    secret = tmp_path / "secret.txt"
    secret.write_text("Dit is geheim.\n", encoding="utf-8")
    secret.chmod(0o000)
    command = [sys.executable, "-m", "reader.cli", "import", str(secret)]
    if os.geteuid() == 0:
        command = [shutil.which("setpriv") or "/usr/bin/setpriv",
                   "--bounding-set=-dac_override,-dac_read_search", *command]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, proc.stderr
    assert "secret.txt" in proc.stderr and "permission denied" in proc.stderr.lower()
    assert "Traceback" not in proc.stderr


def test_output_that_cannot_be_written(capsys, tmp_path):
    code, out, err = run(capsys, "segment", str(SEED))  # warm: the real check is below
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "reader.cli", "segment", str(SEED)],
                              stdout=full, stderr=subprocess.PIPE, text=True, timeout=60)
    assert proc.returncode == 1
    assert "could not write the output" in proc.stderr and "Traceback" not in proc.stderr


def test_long_sentence_without_punctuation(capsys, tiny_package, tmp_path):
    words = ("de oorlog in het oosten gaat door zonder dat iemand het ziet " * 80).split()
    text = " ".join(words)[:5000]
    f = tmp_path / "long.txt"
    f.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "translate", str(f))
    assert code == 0, err
    rows = [line.split("\t") for line in out.rstrip("\n").split("\n")]
    # The run is cut into display sentences of at most MAX_SENTENCE characters at word boundaries.
    assert " ".join(source for source, _ in rows) == text.strip() and all(t for _, t in rows)
    assert len(rows) > 1 and all(len(source) <= 600 for source, _ in rows)
    assert f"{len(rows)} sentences: 0 from cache, {len(rows)} translated" in err


def test_file_over_50_mb(capsys, bireader_home, tmp_path):
    f = tmp_path / "huge.txt"
    with f.open("wb") as fh:
        fh.truncate(51 * 1024 * 1024)
    err = assert_fails(capsys, ["import", str(f)], "huge.txt", "MB", home=bireader_home)
    assert "51" in err or "53" in err


def test_translate_without_package(capsys, empty_packages, bireader_home):
    assert_fails(capsys, ["translate", str(SEED)], "bireader models download nl en",
                 "bireader models install", home=bireader_home)


def _zip_with(tmp_path: Path, name: str, files: dict[str, bytes]) -> Path:
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as z:
        for inner, data in files.items():
            z.writestr(inner, data)
    return path


def test_corrupt_argosmodel_not_a_zip(capsys, empty_packages, tmp_path):
    f = tmp_path / "broken.argosmodel"
    f.write_bytes(b"this is not a zip file at all")
    assert_fails(capsys, ["models", "install", str(f)], "broken.argosmodel", "zip")
    assert list(empty_packages.iterdir()) == []


def test_corrupt_argosmodel_without_metadata(capsys, empty_packages, tmp_path):
    f = _zip_with(tmp_path, "nometa.argosmodel", {"pkg/model/model.bin": b"x", "pkg/README.md": b"x"})
    assert_fails(capsys, ["models", "install", str(f)], "nometa.argosmodel", "metadata.json")
    assert list(empty_packages.iterdir()) == []


def test_argosmodel_for_another_language_pair(capsys, empty_packages, tmp_path):
    from models.testpackage import build_package

    f = build_package(tmp_path / "de_en.argosmodel", size="tiny", from_code="de", to_code="en")
    err = assert_fails(capsys, ["models", "install", str(f)], "de")
    assert "nl" in err.lower() or "dutch" in err.lower()
    assert list(empty_packages.iterdir()) == []


def test_database_that_is_not_sqlite(capsys, bireader_home):
    bireader_home.mkdir(parents=True)
    db_file = bireader_home / "library.sqlite"
    garbage = b"definitely not sqlite\n" * 100
    db_file.write_bytes(garbage)
    assert_fails(capsys, ["import", str(SEED)], str(db_file), "sqlite")
    assert db_file.read_bytes() == garbage


def test_models_install_and_list(capsys, empty_packages, tiny_package_file):
    code, out, err = run(capsys, "models", "install", str(tiny_package_file))
    assert code == 0, err
    assert "nl" in out and "en" in out
    code, out, err = run(capsys, "models", "list")
    assert "test package" in out
    code, out, err = run(capsys, "models", "remove", "nl-en")
    assert code == 0, err
    code, out, err = run(capsys, "models", "list")
    assert out == ""


def test_models_download_offline(capsys, empty_packages, monkeypatch):
    monkeypatch.setenv("BIREADER_ARGOS_INDEX", "http://127.0.0.1:9/index.json")
    assert_fails(capsys, ["models", "download", "nl", "en"], "bireader models install")
    assert [p for p in empty_packages.iterdir() if p.is_dir()] == []
