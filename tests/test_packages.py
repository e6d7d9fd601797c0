"""Package management against real .argosmodel files, a real packages folder and real (failing) network."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from models import packages
from reader.errors import Cancelled, ModelError
from tests.helpers_models import rewrite_package, tree

TOP = "translate-nl_en-0_1_tiny"  # named from the metadata: pair and version


@pytest.fixture
def local_index(tmp_path, tiny_package_file, monkeypatch):
    """A file:// Argos index offering the tiny package for nl→en; returns the package file."""
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    pkg = shutil.copy(tiny_package_file, mirror / "translate-nl_en-0_1.argosmodel")
    entry = {
        "package_version": "0.1",
        "argos_version": "1.9",
        "from_code": "nl",
        "from_name": "Dutch",
        "to_code": "en",
        "to_name": "English",
        "type": "translate",
        "links": [Path(pkg).as_uri()],
    }
    other = dict(entry, from_code="en", to_code="de", links=["file:///nowhere/en_de.argosmodel"])
    index = mirror / "index.json"
    index.write_text(json.dumps([other, entry]), encoding="utf-8")
    monkeypatch.setenv(packages.INDEX_ENV, index.as_uri())
    return Path(pkg)


def test_packages_dir_is_read_at_call_time(tmp_path, monkeypatch):
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "a"))
    assert packages.packages_dir() == tmp_path / "a"
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "b"))
    assert packages.packages_dir() == tmp_path / "b"


def test_default_packages_dir_is_argostranslates(monkeypatch):
    from argostranslate import settings

    monkeypatch.delenv("ARGOS_PACKAGES_DIR", raising=False)
    assert packages.packages_dir() == Path(settings.data_dir) / "packages"


def test_install_lists_finds_and_is_seen_by_argostranslate(empty_packages, tiny_package_file):
    from argostranslate import settings
    from argostranslate.package import get_installed_packages

    argos_folder = settings.package_data_dir
    installed = packages.install_file(tiny_package_file)
    assert settings.package_data_dir == argos_folder  # pointed at the staging folder only meanwhile
    assert Path(installed.package_path) == empty_packages / TOP
    assert [p.package_path for p in packages.installed_packages()] == [empty_packages / TOP]
    found = packages.find_package("nl", "en")
    assert (found.from_code, found.to_code, found.package_version) == ("nl", "en", "0.1+tiny")
    assert [p.from_code for p in get_installed_packages(path=[empty_packages])] == ["nl"]
    assert sorted(p.name for p in empty_packages.iterdir()) == [TOP]  # no temporary leftovers


def test_find_package_says_how_to_install(empty_packages):
    with pytest.raises(ModelError) as err:
        packages.find_package("nl", "en")
    message = str(err.value)
    assert "No nl→en translation package is installed" in message
    assert "`bireader models download nl en`" in message
    assert "`bireader models install FILE.argosmodel`" in message


def test_find_package_ignores_other_pairs(tiny_package):
    assert packages.find_package("nl", "en").to_code == "en"
    with pytest.raises(ModelError, match="No en→nl translation package"):
        packages.find_package("en", "nl")


def test_reinstall_replaces_the_same_pair(empty_packages, tiny_package_file, tmp_path):
    packages.install_file(tiny_package_file)
    newer = rewrite_package(
        tiny_package_file,
        tmp_path / "newer.argosmodel",
        metadata=lambda m: dict(m, package_version="0.2+tiny"),
        rename_top="translate-nl_en-0_2",
    )
    packages.install_file(newer)
    assert [p.package_version for p in packages.installed_packages()] == ["0.2+tiny"]
    assert sorted(p.name for p in empty_packages.iterdir()) == ["translate-nl_en-0_2_tiny"]


def test_a_stray_folder_does_not_hide_packages(empty_packages, tiny_package_file):
    packages.install_file(tiny_package_file)
    (empty_packages / "half-copied").mkdir()
    (empty_packages / "broken").mkdir()
    (empty_packages / "broken" / "metadata.json").write_text("{not json", encoding="utf-8")
    (empty_packages / "a-list").mkdir()
    (empty_packages / "a-list" / "metadata.json").write_text("[1, 2]", encoding="utf-8")
    assert [p.from_code for p in packages.installed_packages()] == ["nl"]


def test_hidden_leftovers_are_not_listed(empty_packages, tiny_package_file):
    """A removal interrupted after its atomic rename leaves a complete hidden copy: not a package."""
    packages.install_file(tiny_package_file)
    shutil.copytree(empty_packages / TOP, empty_packages / f".bireader-removed-{TOP}")
    assert [Path(p.package_path).name for p in packages.installed_packages()] == [TOP]
    packages.remove("nl-en")
    assert packages.installed_packages() == []


def _bad_packages(src: Path, tmp: Path) -> dict[str, tuple[Path, str]]:
    """Each broken package and the words its error message must contain."""
    text = tmp / "notes.argosmodel"
    text.write_text("this is not a zip", encoding="utf-8")
    truncated = tmp / "truncated.argosmodel"
    truncated.write_bytes(src.read_bytes()[: src.stat().st_size // 2])
    two_tops = rewrite_package(src, tmp / "two.argosmodel", extra={"other/README.md": b"hi"})
    return {
        "not a zip": (text, "not an Argos package (not a zip archive)"),
        "truncated": (truncated, "not an Argos package"),
        "no metadata": (
            rewrite_package(src, tmp / "nometa.argosmodel", drop=lambda n: n.endswith("metadata.json")),
            "has no metadata.json",
        ),
        "not translate": (
            rewrite_package(src, tmp / "sbd.argosmodel", metadata=lambda m: dict(m, type="sbd")),
            "is a 'sbd' package, not a translation package",
        ),
        "no codes": (
            rewrite_package(src, tmp / "nocode.argosmodel", metadata=lambda m: dict(m, to_code="")),
            "has no to_code",
        ),
        "no model": (
            rewrite_package(src, tmp / "nomodel.argosmodel", drop=lambda n: "/model/" in n),
            "has no CTranslate2 model",
        ),
        "no tokenizer": (
            rewrite_package(src, tmp / "notok.argosmodel", drop=lambda n: n.endswith("sentencepiece.model")),
            "has no tokenizer",
        ),
        "two folders": (two_tops, "exactly one top folder (found 2)"),
        "missing": (tmp / "absent.argosmodel", "does not exist or is not a file"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "not a zip",
        "truncated",
        "no metadata",
        "not translate",
        "no codes",
        "no model",
        "no tokenizer",
        "two folders",
        "missing",
    ],
)
def test_broken_packages_are_refused_and_nothing_is_written(
    case, empty_packages, tiny_package_file, tmp_path
):
    packages.install_file(tiny_package_file)
    before = tree(empty_packages)
    path, words = _bad_packages(tiny_package_file, tmp_path)[case]
    with pytest.raises(ModelError) as err:
        packages.install_file(path)
    assert words in str(err.value)
    assert path.name in str(err.value)
    assert tree(empty_packages) == before
    with pytest.raises(ModelError):
        packages.read_package_metadata(path)


def test_unwritable_packages_folder(tmp_path, tiny_package_file, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(blocker / "packages"))
    with pytest.raises(ModelError) as err:
        packages.install_file(tiny_package_file)
    assert str(err.value).startswith(
        f"Could not install {tiny_package_file.name} in {blocker / 'packages'} ("
    )
    assert str(err.value).endswith("check that the folder exists and is writable.")
    assert blocker.read_text(encoding="utf-8") == "not a folder"


def test_read_package_metadata_writes_nothing(empty_packages, tiny_package_file):
    meta = packages.read_package_metadata(tiny_package_file)
    assert (meta["from_code"], meta["to_code"], meta["type"]) == ("nl", "en", "translate")
    assert tree(empty_packages) == []


def test_expected_pair_refuses_another_pair(empty_packages, tmp_path):
    from models.testpackage import build_package

    en_nl = build_package(tmp_path / "en_nl.argosmodel", from_code="en", to_code="nl")
    with pytest.raises(ModelError) as err:
        packages.install_file(en_nl, expect_pair=("nl", "en"))
    assert "translates en→nl, but a nl→en package is needed" in str(err.value)
    assert tree(empty_packages) == []
    assert packages.install_file(en_nl).from_code == "en"  # without the expectation it installs


def test_remove_by_pair_and_by_package(empty_packages, tiny_package_file):
    packages.install_file(tiny_package_file)
    assert packages.remove("nl-en") == "translate-nl_en 0.1+tiny"
    assert tree(empty_packages) == []
    with pytest.raises(ModelError, match="No installed package matches 'nl-en'"):
        packages.remove("nl-en")
    installed = packages.install_file(tiny_package_file)
    packages.remove(installed)
    with pytest.raises(ModelError):
        packages.find_package("nl", "en")


def test_test_packages_are_marked(tiny_package):
    assert packages.is_test_package(tiny_package)
    line = packages.describe(tiny_package)
    assert line.startswith("translate-nl_en (Dutch → English) version 0.1+tiny in ")
    assert line.endswith("(test package: random weights, gibberish output)")


def test_other_packages_are_not_marked(empty_packages, tiny_package_file, tmp_path):
    from models.testpackage import TEST_MARKER

    plain = rewrite_package(
        tiny_package_file,
        tmp_path / "plain.argosmodel",
        metadata=lambda m: {k: v for k, v in m.items() if k != TEST_MARKER},
    )
    installed = packages.install_file(plain)
    assert not packages.is_test_package(installed)
    assert "test package" not in packages.describe(installed)


def test_offline_download_gives_one_clear_sentence(empty_packages, monkeypatch):
    """An index that cannot be reached (a closed local port, as when offline): one clear sentence,
    nothing written. A closed port rather than the real index, so a newcomer's test run with internet
    never starts a 100 MB download."""
    monkeypatch.setenv(packages.INDEX_ENV, "http://127.0.0.1:9/argospm-index.json")
    with pytest.raises(ModelError) as err:
        packages.download("nl", "en")
    message = str(err.value)
    assert message.startswith("Could not reach the Argos package index (")
    assert message.endswith(
        "): check your internet connection, or download translate-nl_en-1_8.argosmodel "
        "elsewhere and run `bireader models install FILE`."
    )
    assert "\n" not in message
    assert tree(empty_packages) == []


def test_download_from_a_local_index_installs(empty_packages, local_index):
    seen: list[tuple[int, int]] = []
    installed = packages.download("nl", "en", progress=lambda done, total: seen.append((done, total)))
    assert Path(installed.package_path) == empty_packages / TOP
    assert packages.find_package("nl", "en").package_version == "0.1+tiny"
    size = local_index.stat().st_size
    assert seen[0] == (0, size) and seen[-1] == (size, size)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert sorted(p.name for p in empty_packages.iterdir()) == [TOP]


def test_cancelled_download_leaves_nothing(empty_packages, local_index):
    seen: list[int] = []
    with pytest.raises(Cancelled, match="nothing was installed"):
        packages.download(
            "nl", "en", progress=lambda done, total: seen.append(done), cancelled=lambda: len(seen) >= 3
        )
    assert 0 < seen[-1] < local_index.stat().st_size
    assert tree(empty_packages) == []


def test_index_without_the_pair(empty_packages, local_index):
    with pytest.raises(ModelError, match="has no nl→fr translation package"):
        packages.download("nl", "fr")
    assert tree(empty_packages) == []


def test_dead_download_link(empty_packages, local_index):
    with pytest.raises(ModelError) as err:
        packages.download("en", "de")
    assert str(err.value).startswith("Could not reach the en→de package download (")
    assert tree(empty_packages) == []
