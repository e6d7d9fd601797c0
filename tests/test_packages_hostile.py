"""Hostile and broken packages: installs that must refuse, bound their work and replace nothing."""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from models import packages
from models.engine import Engine
from reader.cli import main
from reader.errors import ModelError
from tests.helpers_models import rewrite_package, tree

NEWER = "0.2+tiny"


def _newer(src: Path, out: Path, **changes) -> Path:
    """The tiny package as version 0.2, so an install of it would replace 0.1."""
    return rewrite_package(src, out, metadata=lambda m: dict(m, package_version=NEWER), **changes)


def _translates(sentence: str = "Het huis is groot.") -> bool:
    result = Engine(packages.find_package("nl", "en")).translate([sentence])
    return bool(result[0].target.strip())


# --- 1. a package that cannot load never replaces a working one ----------------------------------


@pytest.mark.parametrize(
    ("member", "garbage", "words"),
    [
        ("model/model.bin", b"garbage" * 10, "its model/model.bin does not load in CTranslate2"),
        ("model/model.bin", b"", "its model/model.bin does not load in CTranslate2 (File model.bin is"),
        ("sentencepiece.model", b"garbage", "its sentencepiece.model is not a tokenizer model"),
    ],
)
def test_a_package_that_does_not_load_leaves_the_working_one(
    member, garbage, words, empty_packages, tiny_package_file, tmp_path
):
    packages.install_file(tiny_package_file)
    before = tree(empty_packages)
    broken = _newer(tiny_package_file, tmp_path / "broken.argosmodel", drop=lambda n: n.endswith(member))
    with zipfile.ZipFile(broken, "a") as zf:
        zf.writestr(f"translate-nl_en-test_tiny/{member}", garbage)
    with pytest.raises(ModelError) as err:
        packages.install_file(broken)
    message = str(err.value)
    assert message.startswith("broken.argosmodel cannot be used: ")
    assert words in message
    assert message.endswith("download the package again or pick another .argosmodel file.")
    assert "\n" not in message
    assert tree(empty_packages) == before
    assert packages.find_package("nl", "en").package_version == "0.1+tiny"
    assert _translates()


# --- 2. zip bombs and oversized metadata ---------------------------------------------------------


def _with_member(src: Path, out: Path, name: str, data: bytes) -> Path:
    shutil.copy(src, out)
    with zipfile.ZipFile(out, "a", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"translate-nl_en-test_tiny/{name}", data)
    return out


def _patch_sizes(path: Path, member_suffix: str, size: int) -> None:
    """Make the zip's directory (central and local headers) claim ``size`` unpacked bytes."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = next(i for i in zf.infolist() if i.filename.endswith(member_suffix))
    central = data.rfind(b"PK\x01\x02")  # the last central entry: the member appended last
    assert data[central + 46 : central + 46 + len(info.filename)] == info.filename.encode()
    struct.pack_into("<I", data, central + 24, size)
    struct.pack_into("<I", data, info.header_offset + 22, size)
    path.write_bytes(bytes(data))


def test_a_zip_bomb_member_is_refused(empty_packages, tiny_package_file, tmp_path):
    bomb = _with_member(tiny_package_file, tmp_path / "bomb.argosmodel", "model/extra.bin", bytes(8 << 20))
    assert bomb.stat().st_size < tiny_package_file.stat().st_size + (64 << 10)  # 8 MiB in under 64 KB
    with pytest.raises(ModelError) as err:
        packages.install_file(bomb)
    member = "translate-nl_en-test_tiny/model/extra.bin"
    assert f"bomb.argosmodel is refused: {member} unpacks from " in str(err.value)
    assert "more than 100 times its packed size (a zip bomb)" in str(err.value)
    assert tree(empty_packages) == []


def test_an_archive_claiming_gigabytes_is_refused_before_reading(empty_packages, tiny_package_file, tmp_path):
    huge = _with_member(tiny_package_file, tmp_path / "huge.argosmodel", "model/extra.bin", os.urandom(4096))
    _patch_sizes(huge, "model/extra.bin", 2_100_000_000)
    with pytest.raises(ModelError) as err:
        packages.install_file(huge)
    assert "huge.argosmodel would unpack to 2 GiB, over the 1 GiB a package may take" in str(err.value)
    assert tree(empty_packages) == []


def test_the_total_bound_counts_every_member(empty_packages, tiny_package_file, monkeypatch):
    with zipfile.ZipFile(tiny_package_file) as zf:
        total = sum(i.file_size for i in zf.infolist())
    monkeypatch.setattr(packages, "MAX_UNPACKED_BYTES", total - 1)
    with pytest.raises(ModelError, match=f"{tiny_package_file.name} would unpack to .*, over the "):
        packages.install_file(tiny_package_file)
    monkeypatch.setattr(packages, "MAX_UNPACKED_BYTES", total)
    assert packages.install_file(tiny_package_file).from_code == "nl"


def test_a_member_larger_than_its_directory_says_is_refused(empty_packages, tiny_package_file, tmp_path):
    """The directory says 1 KB, the data unpacks to 8 MiB: extraction stops at the declared size
    (zipfile reads no further and fails the checksum)."""
    liar = _with_member(tiny_package_file, tmp_path / "liar.argosmodel", "model/extra.bin", bytes(8 << 20))
    _patch_sizes(liar, "model/extra.bin", 1024)
    with pytest.raises(ModelError) as err:
        packages.install_file(liar)
    assert str(err.value).startswith(
        "liar.argosmodel is damaged (Bad CRC-32 for file 'translate-nl_en-test_tiny/model/extra.bin"
    )
    assert tree(empty_packages) == []


def test_a_huge_metadata_json_is_refused(empty_packages, tiny_package_file, tmp_path):
    padded = rewrite_package(
        tiny_package_file, tmp_path / "padded.argosmodel", metadata=lambda m: dict(m, notes=" " * (2 << 20))
    )
    with pytest.raises(ModelError) as err:
        packages.install_file(padded)
    assert "padded.argosmodel has a metadata.json of 2 MiB, over the 1 MiB" in str(err.value)
    assert tree(empty_packages) == []
    with pytest.raises(ModelError, match="metadata.json of 2 MiB"):
        packages.read_package_metadata(padded)


def test_an_installed_package_with_a_huge_metadata_is_listed_as_damaged(
    capsys, empty_packages, tiny_package_file
):
    good = Path(packages.install_file(tiny_package_file).package_path)
    bad = empty_packages / "translate-nl_en-9_9"
    shutil.copytree(good, bad)
    meta = json.loads((bad / "metadata.json").read_text(encoding="utf-8"))
    meta.update(package_version="9.9", notes=" " * (2 << 20))  # valid JSON: argostranslate would list it
    (bad / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    assert [Path(p.package_path) for p in packages.installed_packages()] == [good]
    assert packages.find_package("nl", "en").package_version == "0.1+tiny"
    assert packages.damaged_packages() == [(bad, "its metadata.json is 2 MiB, over the 1 MiB limit")]
    assert main(["models", "list"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("translate-nl_en (Dutch → English) version 0.1+tiny in ")
    assert f"warning: {bad} is a damaged package (its metadata.json is 2 MiB, over the 1 MiB limit)" in err


# --- 3. the install folder comes from the package's own pair and version -------------------------


def test_a_package_named_like_another_pair_leaves_that_pair_alone(
    empty_packages, tiny_package_file, tmp_path
):
    from models.testpackage import build_package

    en_de = packages.install_file(build_package(tmp_path / "en_de.argosmodel", from_code="en", to_code="de"))
    en_de_folder = Path(en_de.package_path)
    en_de_files = tree(en_de_folder)
    disguised = rewrite_package(
        tiny_package_file, tmp_path / "nl_en.argosmodel", rename_top=en_de_folder.name
    )
    nl_en = packages.install_file(disguised)
    assert Path(nl_en.package_path).name == "translate-nl_en-0_1_tiny"
    pairs = sorted((p.from_code, p.to_code) for p in packages.installed_packages())
    assert pairs == [("en", "de"), ("nl", "en")]
    assert tree(en_de_folder) == en_de_files


def test_a_folder_of_another_pair_under_our_name_is_kept(empty_packages, tiny_package_file, tmp_path):
    from models.testpackage import build_package

    en_de = packages.install_file(build_package(tmp_path / "en_de.argosmodel", from_code="en", to_code="de"))
    squatter = empty_packages / "translate-nl_en-0_1_tiny"
    os.replace(en_de.package_path, squatter)
    before = tree(empty_packages)
    with pytest.raises(ModelError) as err:
        packages.install_file(tiny_package_file)
    assert str(err.value) == (
        f"Could not install {tiny_package_file.name}: {squatter} already holds a en→de package: "
        "remove that folder first if it is not needed."
    )
    assert tree(empty_packages) == before


# --- 4. scratch folders of killed installs -------------------------------------------------------


def _killed_install_scratch(root: Path) -> Path:
    """A scratch folder made by a real process that then died without cleaning up."""
    code = (
        "import os, sys; from pathlib import Path; from models import packages; "
        "p = packages._temp_dir(Path(sys.argv[1]), 'x'); (p / 'part').write_bytes(b'x' * 1000); "
        "print(p, flush=True); os._exit(0)"
    )
    root_dir = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", code, str(root)], capture_output=True, text=True, cwd=root_dir, check=True
    )
    return Path(done.stdout.strip())


def test_scratch_folders_of_dead_processes_are_removed(empty_packages, tiny_package_file):
    dead = _killed_install_scratch(empty_packages)
    assert dead.parent == empty_packages and dead.name.startswith(".bireader-")
    old_style = empty_packages / ".bireader-k3j2h1g0"  # an older version's name: no process in it
    old_style.mkdir()
    week_ago = time.time() - 7 * 86400
    os.utime(old_style, (week_ago, week_ago))
    fresh_old_style = empty_packages / ".bireader-removed-abc123"  # could belong to a live older app
    fresh_old_style.mkdir()
    ours = packages._temp_dir(empty_packages, "ours")  # this live process: in use
    packages.install_file(tiny_package_file)
    assert not dead.exists() and not old_style.exists()
    assert fresh_old_style.is_dir() and ours.is_dir()
    shutil.rmtree(ours)


def test_listing_removes_scratch_folders_of_dead_processes(empty_packages):
    dead = _killed_install_scratch(empty_packages)
    assert dead.is_dir()
    assert packages.installed_packages() == []
    assert tree(empty_packages) == []


# --- 6. saying what an install replaced ----------------------------------------------------------


def test_installing_a_second_package_says_which_it_replaces(
    capsys, empty_packages, tiny_package_file, tmp_path
):
    assert main(["models", "install", str(tiny_package_file)]) == 0
    out, _ = capsys.readouterr()
    assert "replaces" not in out
    newer = _newer(tiny_package_file, tmp_path / "newer.argosmodel")
    assert main(["models", "install", str(newer)]) == 0
    out, _ = capsys.readouterr()
    assert out.startswith("Installed translate-nl_en (Dutch → English) version 0.2+tiny in ")
    assert out.rstrip().endswith("(replaces translate-nl_en 0.1+tiny)")
    assert [p.package_version for p in packages.installed_packages()] == [NEWER]


def test_the_window_message_says_which_package_was_replaced(empty_packages, tiny_package_file, tmp_path):
    from ui.main_window import installed_message

    first = packages.install_file(tiny_package_file)
    assert installed_message(first) == "Installed Dutch → English model (0.1+tiny)."
    second = packages.install_file(_newer(tiny_package_file, tmp_path / "newer.argosmodel"))
    assert installed_message(second) == (
        "Installed Dutch → English model (0.2+tiny), replacing translate-nl_en 0.1+tiny."
    )
