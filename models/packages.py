"""Argos translation packages: list, find, install from a file, download, remove.

Built on ``argostranslate.package`` (listing, ``Package``, ``install_from_path``, ``uninstall``),
never importing ``argostranslate.translate`` at import time (it loads sentence splitters). The
packages folder is read at call time so tests and users can move it, and installs are atomic: a
package is checked, extracted next to its final place, then renamed, so a failure leaves the folder
as it was and other Argos apps sharing it never see half a package.

Kept our own, because argostranslate's is unfit here:
- validation (``read_package_metadata``): ``install_from_path`` only checks that the file is a
  zip, then extracts whatever it holds;
- download: ``AvailablePackage.download`` reads the whole file into memory with no progress,
  cancellation or timeout, and ``update_package_index`` logs a network error instead of raising.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import tempfile
import threading
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from reader.errors import Cancelled, ModelError

INDEX_ENV = "BIREADER_ARGOS_INDEX"
PACKAGES_ENV = "ARGOS_PACKAGES_DIR"
NETWORK_TIMEOUT = 30  # seconds without an answer before a download counts as failed
_CHUNK = 1 << 16
_KNOWN_FILES = {
    ("nl", "en"): "translate-nl_en-1_8.argosmodel",
    ("en", "nl"): "translate-en_nl-1_8.argosmodel",
}
_TEMP_PREFIX = ".bireader-"
# install_from_path extracts into argostranslate.settings.package_data_dir, which we point at a
# staging folder for the duration: one install at a time in this process.
_SETTINGS_LOCK = threading.Lock()

Progress = Callable[[int, int], None]


def packages_dir() -> Path:
    """Where packages live: ``ARGOS_PACKAGES_DIR`` now, else argostranslate's own folder."""
    env = os.environ.get(PACKAGES_ENV)
    if env:
        return Path(env).expanduser()
    from argostranslate import settings

    return Path(settings.get_setting(PACKAGES_ENV, default=settings.data_dir / "packages"))


def installed_packages() -> list:
    """Every installed package (``argostranslate.package.Package``) by folder name, skipping
    broken folders and our hidden staging folders."""
    from argostranslate.package import get_installed_packages

    root = packages_dir()
    if not root.is_dir():
        return []
    try:
        found = get_installed_packages(path=[root])
    except _UNREADABLE_PACKAGE:
        # argostranslate's listing raises on the first folder without a readable metadata.json
        # (a half-copied folder, someone's notes): one stray folder must not hide every package.
        found = _readable_packages(root)
    visible = [p for p in found if not Path(p.package_path).name.startswith(".")]
    return sorted(visible, key=lambda p: Path(p.package_path).name)


# no metadata.json, unreadable or invalid JSON (JSONDecodeError is a ValueError), or JSON that is
# not an object (argostranslate then calls .get on a list or a string)
_UNREADABLE_PACKAGE = (OSError, ValueError, AttributeError, TypeError)


def _readable_packages(root: Path) -> list:
    from argostranslate.package import Package

    found = []
    for path in root.iterdir():
        if path.is_dir():
            try:
                found.append(Package(path))
            except _UNREADABLE_PACKAGE:
                continue
    return found


def find_package(from_code: str = "nl", to_code: str = "en"):
    """The installed translate package for the pair (highest version if several)."""
    matches = [p for p in installed_packages() if _is_pair(p, from_code, to_code)]
    if not matches:
        raise ModelError(
            f"No {from_code}→{to_code} translation package is installed in {packages_dir()}: "
            f"run `bireader models download {from_code} {to_code}` or "
            "`bireader models install FILE.argosmodel`."
        )
    return max(matches, key=lambda p: _version_key(p.package_version))


def install_file(path: str | Path, expect_pair: tuple[str, str] | None = None):
    """Install a ``.argosmodel`` file and return the installed package.

    The archive is checked completely before anything is written; with ``expect_pair`` a package
    for another language pair is refused. argostranslate's ``install_from_path`` then extracts it
    into a hidden staging folder, renamed into place; a package already installed for the same pair
    is replaced only once the new one is in place.
    """
    from argostranslate.package import Package

    path = Path(path)
    top, meta = _check_package_file(path)
    pair = (meta["from_code"], meta["to_code"])
    if expect_pair is not None and tuple(expect_pair) != pair:
        want = "→".join(expect_pair)
        raise ModelError(
            f"{path.name} translates {pair[0]}→{pair[1]}, but a {want} package is needed: "
            f"pick a translate-{'_'.join(expect_pair)} .argosmodel file."
        )
    root = packages_dir()
    final = root / top
    staging = _temp_dir(root, path.name)
    try:
        _extract(path, staging)
        package = Package(staging / top)  # fails here, not later, if argostranslate disagrees
        if not hasattr(package, "tokenizer"):
            raise ModelError(f"{path.name} has no tokenizer argostranslate can load.")
        replaced = [
            p.package_path for p in installed_packages() if _is_pair(p, meta["from_code"], meta["to_code"])
        ]
        if final.exists() and final not in replaced:
            replaced.append(final)
        _swap_in(staging / top, final, replaced, staging)
    except ModelError:
        raise
    except Exception as err:
        raise ModelError(
            f"Could not install {path.name} in {root} ({err}): check that the folder is writable "
            "and the file is a complete Argos package."
        ) from err
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Package(final)


def read_package_metadata(path: str | Path) -> dict:
    """The metadata of an ``.argosmodel`` file, after checking the whole archive; writes nothing."""
    return _check_package_file(Path(path))[1]


def _check_package_file(path: Path) -> tuple[str, dict]:
    """Validate an ``.argosmodel`` without extracting it; returns its top folder and metadata."""
    fix = "download the package again or pick another .argosmodel file."
    if not path.is_file():
        raise ModelError(f"{path} does not exist or is not a file: check the path.")
    if not zipfile.is_zipfile(path):
        raise ModelError(f"{path.name} is not an Argos package (not a zip archive): {fix}")
    try:
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if n and not n.startswith("__MACOSX/")]
            top = _single_top_folder(path, names, fix)
            members = {n[len(top) + 1 :] for n in names}
            if "metadata.json" not in members:
                raise ModelError(f"{path.name} has no metadata.json in {top}/: {fix}")
            meta = _read_metadata(path, zf.read(f"{top}/metadata.json"), fix)
            bad = zf.testzip()
    except zipfile.BadZipFile as err:
        raise ModelError(f"{path.name} is a damaged zip archive ({err}): {fix}") from err
    if bad is not None:
        raise ModelError(f"{path.name} is damaged ({bad} fails its checksum): {fix}")
    if "model/model.bin" not in members:
        raise ModelError(f"{path.name} has no CTranslate2 model (model/model.bin): {fix}")
    if not members & {"sentencepiece.model", "bpe.model"}:
        raise ModelError(f"{path.name} has no tokenizer (sentencepiece.model or bpe.model): {fix}")
    return top, meta


def download(
    from_code: str = "nl",
    to_code: str = "en",
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
):
    """Download the pair's package from the Argos index and install it.

    ``progress(done_bytes, total_bytes)`` follows the transfer (total 0 when unknown);
    ``cancelled()`` returning True stops it, deletes the partial file and raises ``Cancelled``.
    """
    index_url = package_index_url()
    entry = _index_entry(_fetch_index(index_url, from_code, to_code), from_code, to_code)
    name = f"translate-{from_code}_{to_code}-{entry.package_version.replace('.', '_')}.argosmodel"
    target = _temp_dir(packages_dir(), name) / name
    try:
        _stream(entry, target, from_code, to_code, progress, cancelled)
        return install_file(target)
    finally:
        shutil.rmtree(target.parent, ignore_errors=True)


def remove(code_or_package) -> str:
    """Uninstall a package given as a Package, ``"nl-en"``/``"nl_en"`` or its folder name.

    Returns what was removed, e.g. ``"translate-nl_en 1.8"``.
    """
    from argostranslate.package import argospm_package_name, uninstall

    package = _resolve(code_or_package)
    path = Path(package.package_path)
    removed = f"{argospm_package_name(package)} {package.package_version}"
    # argostranslate's uninstall deletes in place, file by file: a failure half-way would leave a
    # broken package in sight. Renaming first is atomic (other readers see the package or nothing);
    # uninstall then deletes the hidden copy under argostranslate's lock and resets its cached
    # language list. A fresh hidden folder each time: an interrupted removal must not block the next.
    trash = None
    try:
        trash = Path(tempfile.mkdtemp(prefix=f"{_TEMP_PREFIX}removed-", dir=path.parent))
        os.replace(path, trash / path.name)
        parked = copy.copy(package)
        parked.package_path = trash / path.name
        uninstall(parked)
    except OSError as err:
        raise ModelError(f"Could not remove {path} ({err}): check the folder's permissions.") from err
    finally:
        if trash is not None:
            shutil.rmtree(trash, ignore_errors=True)
    return removed


def is_test_package(package) -> bool:
    """True for packages built by ``models.testpackage``: their output is gibberish."""
    from models.testpackage import TEST_MARKER

    try:
        meta = json.loads((Path(package.package_path) / "metadata.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(meta, dict) and bool(meta.get(TEST_MARKER))


def describe(package) -> str:
    """One line for lists and messages: code, languages, version, folder, and a test-package mark."""
    from argostranslate.package import argospm_package_name

    line = (
        f"{argospm_package_name(package)} ({package.from_name or package.from_code} → "
        f"{package.to_name or package.to_code}) version {package.package_version} "
        f"in {package.package_path}"
    )
    if is_test_package(package):
        line += " (test package: random weights, gibberish output)"
    return line


def package_index_url() -> str:
    """The Argos index URL; ``BIREADER_ARGOS_INDEX`` overrides it (a file:// URL works too)."""
    env = os.environ.get(INDEX_ENV)
    if env:
        return env
    from argostranslate import settings

    return settings.remote_package_index


# --- helpers -------------------------------------------------------------------------------------


def _is_pair(package, from_code: str, to_code: str) -> bool:
    return (
        getattr(package, "type", "translate") == "translate"
        and package.from_code == from_code
        and package.to_code == to_code
    )


def _version_key(version: str) -> tuple:
    from packaging.version import InvalidVersion, Version

    try:
        return (1, Version(version))
    except InvalidVersion:
        return (0, version)


def _single_top_folder(path: Path, names: list[str], fix: str) -> str:
    tops = {PurePosixPath(n).parts[0] for n in names}
    if len(tops) != 1 or not all("/" in n for n in names):
        raise ModelError(f"{path.name} must hold exactly one top folder (found {len(tops)}): {fix}")
    top = tops.pop()
    if top in {".", ".."} or top.startswith(".") or "\\" in top:
        raise ModelError(f"{path.name} has an unsafe top folder name {top!r}: {fix}")
    for name in names:
        if ".." in PurePosixPath(name).parts or name.startswith("/"):
            raise ModelError(f"{path.name} contains an unsafe path {name!r}: {fix}")
    return top


def _read_metadata(path: Path, raw: bytes, fix: str) -> dict:
    try:
        meta = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        raise ModelError(f"{path.name} has an unreadable metadata.json ({err}): {fix}") from err
    if not isinstance(meta, dict):
        raise ModelError(f"{path.name} has a metadata.json that is not a JSON object: {fix}")
    kind = meta.get("type", "translate")
    if kind != "translate":
        raise ModelError(f"{path.name} is a {kind!r} package, not a translation package: {fix}")
    missing = [k for k in ("from_code", "to_code") if not isinstance(meta.get(k), str) or not meta[k]]
    if missing:
        raise ModelError(f"{path.name} has no {' or '.join(missing)} in metadata.json: {fix}")
    return meta


def _temp_dir(root: Path, what: str) -> Path:
    """A hidden scratch folder inside the packages folder, so the final rename stays atomic."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=_TEMP_PREFIX, dir=root))
    except OSError as err:
        raise ModelError(
            f"Could not install {what} in {root} ({err}): check that the folder exists and is writable."
        ) from err


def _extract(path: Path, dest: Path) -> None:
    """argostranslate's ``install_from_path``, aimed at ``dest`` instead of the packages folder.

    It holds argostranslate's package lock while extracting and resets its cached language list
    (importing ``argostranslate.translate`` on the way: about 0.2 s and 40 MB, once per process).
    """
    from argostranslate import settings
    from argostranslate.package import install_from_path

    with _SETTINGS_LOCK:
        saved = settings.package_data_dir
        settings.package_data_dir = dest
        try:
            install_from_path(path)
        finally:
            settings.package_data_dir = saved


def _swap_in(new: Path, final: Path, replaced: list[Path], staging: Path) -> None:
    """Move older packages aside, rename the new one into place, then drop the old ones."""
    aside = []
    try:
        for i, old in enumerate(replaced):
            parked = staging / f"old-{i}"
            os.replace(old, parked)
            aside.append((old, parked))
        os.replace(new, final)
    except OSError:
        for old, parked in reversed(aside):  # put everything back as it was
            if parked.exists() and not old.exists():
                os.replace(parked, old)
        raise


def _resolve(code_or_package):
    if hasattr(code_or_package, "package_path"):
        return code_or_package
    code = str(code_or_package).strip()
    for package in installed_packages():
        if code == Path(package.package_path).name:
            return package
    pair = code.removeprefix("translate-").replace("_", "-").split("-")
    if len(pair) >= 2:
        try:
            return find_package(pair[0], pair[1])
        except ModelError:
            pass  # not a pair name either: the message below says what to do
    raise ModelError(
        f"No installed package matches {code!r}: run `bireader models list` to see the installed ones."
    )


def _unreachable(what: str, err: object, from_code: str, to_code: str) -> ModelError:
    filename = _KNOWN_FILES.get((from_code, to_code), f"translate-{from_code}_{to_code}.argosmodel")
    return ModelError(
        f"Could not reach {what} ({err}): check your internet connection, or download "
        f"{filename} elsewhere and run `bireader models install FILE`."
    )


def _reason(err: Exception) -> str:
    return str(getattr(err, "reason", None) or err)


def _fetch_index(url: str, from_code: str, to_code: str) -> list:
    try:
        with urllib.request.urlopen(url, timeout=NETWORK_TIMEOUT) as response:
            raw = response.read()
    except (urllib.error.URLError, OSError, ValueError) as err:
        raise _unreachable("the Argos package index", _reason(err), from_code, to_code) from err
    try:
        index = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        raise _unreachable("a valid Argos package index", f"{url} is not JSON", from_code, to_code) from err
    if not isinstance(index, list):
        raise _unreachable("a valid Argos package index", f"{url} is not a list", from_code, to_code)
    return index


def _index_entry(index: list, from_code: str, to_code: str):
    from argostranslate.package import AvailablePackage

    entries = [AvailablePackage(m) for m in index if isinstance(m, dict)]
    matches = [e for e in entries if _is_pair(e, from_code, to_code) and e.links]
    if not matches:
        raise ModelError(
            f"The Argos package index has no {from_code}→{to_code} translation package: "
            "check the language codes (for example `nl en`)."
        )
    return max(matches, key=lambda e: _version_key(e.package_version))


def _stream(entry, target: Path, from_code: str, to_code: str, progress, cancelled) -> None:
    """Try the entry's links in turn, streaming the first that answers into ``target``."""
    errors = []
    for link in entry.links:
        try:
            with urllib.request.urlopen(link, timeout=NETWORK_TIMEOUT) as response:
                total = int(response.headers.get("Content-Length") or 0)
                _copy(response, target, total, progress, cancelled)
            return
        except Cancelled:
            raise
        except (urllib.error.URLError, OSError, ValueError) as err:
            errors.append(_reason(err))
    raise _unreachable(f"the {from_code}→{to_code} package download", "; ".join(errors), from_code, to_code)


def _copy(response, target: Path, total: int, progress, cancelled) -> None:
    done = 0
    if progress:
        progress(0, total)
    with open(target, "wb") as out:
        while True:
            if cancelled and cancelled():
                raise Cancelled(f"Download cancelled after {done:,} bytes; nothing was installed.")
            chunk = response.read(_CHUNK)
            if not chunk:
                break
            out.write(chunk)
            done += len(chunk)
            if progress:
                progress(done, total)
