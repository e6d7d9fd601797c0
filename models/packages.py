"""Argos translation packages: list, find, install from a file, download, remove.

Built on ``argostranslate.package`` (``Package``, ``install_from_path``, ``package_lock``,
``uninstall``), never importing ``argostranslate.translate`` at import time (it loads sentence
splitters). The packages folder is read at call time so tests and users can move it, and installs
are atomic: a package is checked, extracted next to its final place, loaded and made to translate
one word, then renamed, so a failure leaves the folder as it was and other Argos apps sharing it
never see half a package.

Kept our own, because argostranslate's is unfit here:
- validation: ``install_from_path`` only checks that the file is a zip, then extracts whatever it
  holds, however large, into the shared folder under a name the zip chooses (replacing whatever
  is there): so the archive's directory is checked first and it extracts into a private folder;
- listing: ``get_installed_packages`` reads every metadata.json whole, whatever its size;
- download: ``AvailablePackage.download`` reads the whole file into memory with no progress,
  cancellation or deadline, and ``update_package_index`` logs a network error instead of raising.
"""

from __future__ import annotations

import copy
import http.client
import json
import math
import os
import re
import shutil
import socket
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from models.errors import Cancelled, ModelError
from models.network import deadline_opener

INDEX_ENV = "BIREADER_ARGOS_INDEX"
PACKAGES_ENV = "ARGOS_PACKAGES_DIR"
DEADLINE_ENV = "BIREADER_DOWNLOAD_DEADLINE_S"
NETWORK_TIMEOUT = 30  # seconds of silence before a connection counts as dead
DEFAULT_DEADLINE_S = 3600.0  # a whole download (index and package): ~100 MB at 0.25 Mbit/s
# Bounds on what a package may unpack to. The real nl→en 1.8 package is ~100 MB packed and about
# as much unpacked (int8 weights hardly compress); anything near these bounds is not a package.
MAX_UNPACKED_BYTES = 1 << 30  # 1 GiB in all
MAX_DOWNLOAD_BYTES = MAX_UNPACKED_BYTES
MAX_MEMBERS = 10_000
MAX_RATIO = 100  # unpacked:packed, refused on members larger than RATIO_FLOOR
RATIO_FLOOR = 1 << 20  # small files (JSON, vocabularies) may compress far better, harmlessly
MAX_METADATA_BYTES = 1 << 20  # a real metadata.json is under 1 KB
MAX_INDEX_BYTES = 8 << 20  # the real Argos index is about 100 KB
STALE_AGE_S = 6 * 3600  # a scratch folder we cannot tie to a live process is stale after this
_CHUNK = 1 << 16
# install_from_path reads argostranslate.settings.package_data_dir: one install aims it at a time.
_SETTINGS_LOCK = threading.Lock()
_KNOWN_FILES = {
    ("nl", "en"): "translate-nl_en-1_8.argosmodel",
    ("en", "nl"): "translate-en_nl-1_8.argosmodel",
}
_TEMP_PREFIX = ".bireader-"
_CODE = re.compile(r"[a-z]{2,3}(?:_[A-Za-z0-9]{2,8})?")
_VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z.+_-]{0,31}")
_TEST_WORD = "huis"
_FIX = "download the package again or pick another .argosmodel file."

Progress = Callable[[int, int], None]


def packages_dir() -> Path:
    """Where packages live: ``ARGOS_PACKAGES_DIR`` now, else argostranslate's own folder."""
    env = os.environ.get(PACKAGES_ENV)
    if env:
        return Path(env).expanduser()
    from argostranslate import settings

    return Path(settings.get_setting(PACKAGES_ENV, default=settings.data_dir / "packages"))


def installed_packages() -> list:
    """Every readable installed package (``argostranslate.package.Package``) by folder name.

    Skips hidden folders (our scratch folders), folders without a metadata.json and damaged ones
    (see ``damaged_packages``); removes scratch folders left by killed installs on the way.
    """
    return _scan(packages_dir())[0]


def damaged_packages() -> list[tuple[Path, str]]:
    """Folders with a metadata.json that cannot be used (too large, not JSON, not an object),
    each with the reason, so ``models list`` can name them instead of hiding them."""
    return _scan(packages_dir())[1]


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


def install_folder_name(meta: dict) -> str:
    """``translate-nl_en-1_8``: from the package's own pair and version, never from the zip."""
    slug = re.sub(r"[^0-9A-Za-z]+", "_", meta["package_version"]).strip("_")
    return f"translate-{meta['from_code']}_{meta['to_code']}-{slug}"


def install_file(path: str | Path, expect_pair: tuple[str, str] | None = None):
    """Install a ``.argosmodel`` file and return the installed package.

    The archive's directory is checked first (sizes, paths, metadata); with ``expect_pair`` a
    package for another language pair is refused. It is then extracted, byte-counted, into a hidden
    staging folder, loaded and made to translate one word, and only then renamed into place,
    replacing the packages of the same pair (never another pair's). The returned package's
    ``replaces`` lists what it replaced, e.g. ``["translate-nl_en 1.8"]``.
    """
    from argostranslate.package import Package, argospm_package_name, package_lock

    path = Path(path)
    top, meta = _check_package_file(path, test_crc=False)
    pair = (meta["from_code"], meta["to_code"])
    if expect_pair is not None and tuple(expect_pair) != pair:
        want = "→".join(expect_pair)
        raise ModelError(
            f"{path.name} translates {pair[0]}→{pair[1]}, but a {want} package is needed: "
            f"pick a translate-{'_'.join(expect_pair)} .argosmodel file."
        )
    root = packages_dir()
    clean_stale_scratch(root)
    name = install_folder_name(meta)
    final = root / name
    staging = _temp_dir(root, path.name)
    try:
        new = staging / name
        _extract(path, top, new)
        _try_package(new, path.name)
        with package_lock:
            installed, _ = _scan(root, clean=False)
            old = [p for p in installed if _is_pair(p, *pair)]
            if final.exists() and final not in [Path(p.package_path) for p in old]:
                _refuse_foreign(final, installed, path.name)
            replaced = [Path(p.package_path) for p in old]
            if final.exists() and final not in replaced:
                replaced.append(final)  # a damaged folder of this very name: ours to replace
            _swap_in(new, final, replaced, staging)
        _forget_cached_languages()
    except ModelError:
        raise
    except Exception as err:
        raise ModelError(
            f"Could not install {path.name} in {root} ({_first_line(err)}): check that the folder "
            "is writable and the file is a complete Argos package."
        ) from err
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    package = Package(final)
    package.replaces = [f"{argospm_package_name(p)} {p.package_version}" for p in old]
    return package


def replaces_note(package) -> str:
    """`` (replaces translate-nl_en 1.8)`` after an install that replaced something, else ``""``."""
    replaced = getattr(package, "replaces", None)
    return f" (replaces {', '.join(replaced)})" if replaced else ""


def read_package_metadata(path: str | Path) -> dict:
    """The metadata of an ``.argosmodel`` file, after checking the whole archive; writes nothing."""
    return _check_package_file(Path(path), test_crc=True)[1]


def _check_package_file(path: Path, test_crc: bool) -> tuple[str, dict]:
    """Validate an ``.argosmodel`` from its zip directory, extracting nothing; returns its top
    folder and metadata. ``test_crc`` also decompresses every member (bounded by the checks)."""
    if not path.is_file():
        raise ModelError(f"{path} does not exist or is not a file: check the path.")
    if not zipfile.is_zipfile(path):
        raise ModelError(f"{path.name} is not an Argos package (not a zip archive): {_FIX}")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = [i for i in zf.infolist() if i.filename and not i.filename.startswith("__MACOSX/")]
            top = _single_top_folder(path, [i.filename for i in infos])
            members = {i.filename[len(top) + 1 :]: i for i in infos}
            info = members.get("metadata.json")
            if info is None:
                raise ModelError(f"{path.name} has no metadata.json in {top}/: {_FIX}")
            if info.file_size > MAX_METADATA_BYTES:
                raise ModelError(
                    f"{path.name} has a metadata.json of {_size(info.file_size)}, over the "
                    f"{_size(MAX_METADATA_BYTES)} a package's metadata may take: {_FIX}"
                )
            _check_sizes(path, infos)
            with zf.open(info) as raw:
                meta = _parse_metadata(path.name, raw.read(MAX_METADATA_BYTES + 1))
            bad = zf.testzip() if test_crc else None
    except zipfile.BadZipFile as err:
        raise ModelError(f"{path.name} is a damaged zip archive ({err}): {_FIX}") from err
    if bad is not None:
        raise ModelError(f"{path.name} is damaged ({bad} fails its checksum): {_FIX}")
    if "model/model.bin" not in members:
        raise ModelError(f"{path.name} has no CTranslate2 model (model/model.bin): {_FIX}")
    if not members.keys() & {"sentencepiece.model", "bpe.model"}:
        raise ModelError(f"{path.name} has no tokenizer (sentencepiece.model or bpe.model): {_FIX}")
    return top, meta


def _check_sizes(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    """Refuse zip bombs from the central directory; extraction counts the real bytes too."""
    if len(infos) > MAX_MEMBERS:
        raise ModelError(f"{path.name} holds {len(infos):,} files, over the {MAX_MEMBERS:,} allowed: {_FIX}")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNPACKED_BYTES:
        raise ModelError(
            f"{path.name} would unpack to {_size(total)}, over the {_size(MAX_UNPACKED_BYTES)} "
            f"a package may take: {_FIX}"
        )
    for info in infos:
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ModelError(
                f"{path.name} is refused: {info.filename} unpacks from {_size(info.compress_size)} to "
                f"{_size(info.file_size)}, more than {MAX_RATIO} times its packed size (a zip bomb): {_FIX}"
            )


def download(
    from_code: str = "nl",
    to_code: str = "en",
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    deadline_s: float | None = None,
):
    """Download the pair's package from the Argos index and install it.

    ``progress(done_bytes, total_bytes)`` follows the transfer (total 0 when unknown);
    ``cancelled()`` returning True stops it, deletes the partial file and raises ``Cancelled``.
    The whole download must finish within ``deadline_s`` seconds (default ``BIREADER_DOWNLOAD_
    DEADLINE_S``, else an hour), however slowly a server trickles its bytes.
    """
    seconds = download_deadline_s() if deadline_s is None else float(deadline_s)
    deadline = time.monotonic() + seconds
    opener = _opener(deadline)
    index_url = package_index_url()
    try:
        raw = _fetch(opener, index_url, deadline, (from_code, to_code))
        entry = _index_entry(_parse_index(raw, index_url, from_code, to_code), from_code, to_code)
        name = f"translate-{from_code}_{to_code}-{entry.package_version.replace('.', '_')}.argosmodel"
        clean_stale_scratch(packages_dir())
        scratch = _temp_dir(packages_dir(), name)
        try:
            _stream(opener, entry, scratch / name, from_code, to_code, progress, cancelled, deadline)
            return install_file(scratch / name)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    except _Overdue as err:
        filename = _KNOWN_FILES.get((from_code, to_code), f"translate-{from_code}_{to_code}.argosmodel")
        raise ModelError(
            f"The {from_code}→{to_code} download did not finish within {seconds:g} s ({err} was too "
            f"slow; {DEADLINE_ENV} sets the limit): try again later, or download {filename} "
            "elsewhere and run `bireader models install FILE`."
        ) from None


def download_deadline_s() -> float:
    """Seconds a whole download may take: ``BIREADER_DOWNLOAD_DEADLINE_S``, else an hour."""
    env = os.environ.get(DEADLINE_ENV, "").strip()
    if not env:
        return DEFAULT_DEADLINE_S
    try:
        seconds = float(env)
    except ValueError:
        seconds = math.nan
    if not seconds > 0 or math.isinf(seconds):
        raise ModelError(
            f"{DEADLINE_ENV} must be a number of seconds above 0 (it is {env!r}): fix or unset it."
        )
    return seconds


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
        trash = Path(tempfile.mkdtemp(prefix=f"{_scratch_prefix()}removed-", dir=path.parent))
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


def clean_stale_scratch(root: Path) -> list[Path]:
    """Delete the hidden scratch folders that killed installs, downloads and removals left behind.

    A scratch folder is named after this host and the process that made it: it is stale once that
    process is gone. One made on another host (a shared folder) or by an older version, which names
    no process, is stale after ``STALE_AGE_S``. Returns what was removed; a read-only folder is fine.
    """
    removed = []
    try:
        entries = list(root.iterdir())
    except OSError:
        return removed
    for entry in entries:
        if entry.name.startswith(_TEMP_PREFIX) and _is_stale(entry):
            shutil.rmtree(entry, ignore_errors=True)
            if not entry.exists():
                removed.append(entry)
    return removed


def is_test_package(package) -> bool:
    """True for packages built by ``models.testpackage``: their output is gibberish."""
    from models.testpackage import TEST_MARKER

    try:
        meta = _load_metadata(Path(package.package_path))
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


def _size(n: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}".replace(".0 ", " ")
    return f"{n} bytes"


def _first_line(err: object, limit: int = 200) -> str:
    text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _scan(root: Path, clean: bool = True) -> tuple[list, list[tuple[Path, str]]]:
    """Readable packages and damaged folders under ``root``, each sorted by folder name.

    argostranslate's own listing would read a 1 GiB metadata.json whole, and stops at the first
    folder whose metadata it cannot read: one stray folder must not hide every package.
    """
    from argostranslate.package import Package

    if clean:
        clean_stale_scratch(root)
    try:
        folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError:
        return [], []
    found, damaged = [], []
    for folder in folders:
        if not (folder / "metadata.json").exists():
            continue  # not a package (a half-copied folder, someone's notes)
        try:
            meta = _load_metadata(folder)
            if not isinstance(meta, dict):
                raise ValueError("its metadata.json is not a JSON object")
            found.append(Package(folder))
        except _TooLarge as err:
            damaged.append((folder, str(err)))
        except (OSError, ValueError, AttributeError, TypeError) as err:
            damaged.append((folder, _first_line(err)))
    return found, damaged


class _TooLarge(ValueError):
    """An installed package's metadata is over the size limit: listed as damaged, never read."""


def _load_metadata(folder: Path):
    """A package folder's metadata.json, read with a size limit (a FIFO or a 1 GiB file is refused)."""
    meta_path = folder / "metadata.json"
    if not meta_path.is_file():
        raise ValueError("its metadata.json is not a regular file")
    size = meta_path.stat().st_size
    if size > MAX_METADATA_BYTES:
        raise _TooLarge(f"its metadata.json is {_size(size)}, over the {_size(MAX_METADATA_BYTES)} limit")
    with open(meta_path, "rb") as f:
        raw = f.read(MAX_METADATA_BYTES + 1)
    if len(raw) > MAX_METADATA_BYTES:
        raise _TooLarge(f"its metadata.json is over the {_size(MAX_METADATA_BYTES)} limit")
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        raise ValueError(f"its metadata.json is not valid JSON ({_first_line(err)})") from err


def _single_top_folder(path: Path, names: list[str]) -> str:
    tops = {PurePosixPath(n).parts[0] for n in names}
    if len(tops) != 1 or not all("/" in n for n in names):
        raise ModelError(f"{path.name} must hold exactly one top folder (found {len(tops)}): {_FIX}")
    top = tops.pop()
    if top in {".", ".."} or top.startswith(".") or "\\" in top:
        raise ModelError(f"{path.name} has an unsafe top folder name {top!r}: {_FIX}")
    for name in names:
        if ".." in PurePosixPath(name).parts or name.startswith("/") or "\\" in name:
            raise ModelError(f"{path.name} contains an unsafe path {name!r}: {_FIX}")
    return top


def _parse_metadata(file_name: str, raw: bytes) -> dict:
    if len(raw) > MAX_METADATA_BYTES:  # the zip directory said less: it lied
        raise ModelError(f"{file_name} has a metadata.json over {_size(MAX_METADATA_BYTES)}: {_FIX}")
    try:
        meta = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        raise ModelError(f"{file_name} has an unreadable metadata.json ({err}): {_FIX}") from err
    if not isinstance(meta, dict):
        raise ModelError(f"{file_name} has a metadata.json that is not a JSON object: {_FIX}")
    kind = meta.get("type", "translate")
    if kind != "translate":
        raise ModelError(f"{file_name} is a {kind!r} package, not a translation package: {_FIX}")
    missing = [k for k in ("from_code", "to_code") if not isinstance(meta.get(k), str) or not meta[k]]
    if missing:
        raise ModelError(f"{file_name} has no {' or '.join(missing)} in metadata.json: {_FIX}")
    for key, pattern in (("from_code", _CODE), ("to_code", _CODE), ("package_version", _VERSION)):
        value = meta.get(key)
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise ModelError(f"{file_name} has an invalid {key} {value!r} in metadata.json: {_FIX}")
    return meta


def _scratch_prefix() -> str:
    return f"{_TEMP_PREFIX}{_host_tag()}.{os.getpid()}-"


def _host_tag() -> str:
    return re.sub(r"[^0-9A-Za-z]", "", socket.gethostname())[:32] or "host"


_SCRATCH = re.compile(r"\.bireader-([0-9A-Za-z]+)\.(\d+)-.*")


def _is_stale(entry: Path) -> bool:
    match = _SCRATCH.fullmatch(entry.name)
    if match and match[1] == _host_tag():
        return not _alive(int(match[2]))
    try:
        return time.time() - entry.lstat().st_mtime > STALE_AGE_S
    except OSError:
        return False


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # someone else's live process, or a number we cannot ask about: keep it
    return True


def _temp_dir(root: Path, what: str) -> Path:
    """A hidden scratch folder inside the packages folder, so the final rename stays atomic."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=_scratch_prefix(), dir=root))
    except OSError as err:
        raise ModelError(
            f"Could not install {what} in {root} ({err}): check that the folder exists and is writable."
        ) from err


def _extract(path: Path, top: str, dest: Path) -> None:
    """Extract the package with argostranslate's ``install_from_path``, aimed at a private folder
    beside ``dest`` (its own target is the shared packages folder, under the zip's folder name),
    then rename the top folder to ``dest``.

    Bounded by the directory checks: ``zipfile`` reads each member only up to the size its
    directory declares and fails the checksum of one that holds more, so an archive whose
    directory lies cannot unpack beyond the limits either.
    """
    from argostranslate import settings
    from argostranslate.package import install_from_path

    unpacked = dest.parent / f"{dest.name}.unpacked"
    with _SETTINGS_LOCK:
        saved = settings.package_data_dir
        settings.package_data_dir = unpacked
        try:
            install_from_path(path)
        except zipfile.BadZipFile as err:
            raise ModelError(f"{path.name} is damaged ({err}): {_FIX}") from err
        except (RuntimeError, NotImplementedError) as err:  # encrypted, unknown compression
            raise ModelError(f"{path.name} cannot be unpacked ({err}): {_FIX}") from err
        finally:
            settings.package_data_dir = saved
    os.replace(unpacked / top, dest)
    shutil.rmtree(unpacked, ignore_errors=True)


def _try_package(folder: Path, file_name: str) -> None:
    """Load the extracted package as the engine will and translate one word, so a package that
    cannot work is refused before it replaces anything."""
    from argostranslate.package import Package

    package = Package(folder)
    tokenizer = getattr(package, "tokenizer", None)
    if tokenizer is None:
        raise ModelError(f"{file_name} has no tokenizer argostranslate can load: {_FIX}")
    tokenizer_file = "sentencepiece.model" if (folder / "sentencepiece.model").exists() else "bpe.model"
    try:
        tokens = list(tokenizer.encode(_TEST_WORD))
    except Exception as err:  # sentencepiece raises RuntimeError, OSError, ...
        raise ModelError(
            f"{file_name} cannot be used: its {tokenizer_file} is not a tokenizer model "
            f"({_first_line(err)}): {_FIX}"
        ) from err
    import ctranslate2

    try:
        translator = ctranslate2.Translator(str(folder / "model"), device="cpu", intra_threads=1)
    except Exception as err:  # a damaged model.bin surfaces as RuntimeError, IndexError, ...
        raise ModelError(
            f"{file_name} cannot be used: its model/model.bin does not load in CTranslate2 "
            f"({_first_line(err)}): {_FIX}"
        ) from err
    prefix = getattr(package, "target_prefix", "") or ""
    try:
        result = translator.translate_batch(
            [tokens], target_prefix=[[prefix]] if prefix else None, beam_size=1, max_decoding_length=16
        )
        tokenizer.decode(result[0].hypotheses[0])
    except Exception as err:
        raise ModelError(
            f"{file_name} cannot be used: its model failed to translate a test word "
            f"({_first_line(err)}): {_FIX}"
        ) from err
    finally:
        del translator


def _refuse_foreign(final: Path, installed: list, file_name: str) -> None:
    """``final`` exists and is not a package of the pair being installed: keep it if it is any
    other readable package (another pair's must never be removed)."""
    for package in installed:
        if Path(package.package_path) == final:
            raise ModelError(
                f"Could not install {file_name}: {final} already holds a {package.from_code}→"
                f"{package.to_code} package: remove that folder first if it is not needed."
            )


def _forget_cached_languages() -> None:
    """argostranslate caches its language list; reset it if (and only if) it was ever built."""
    translate = sys.modules.get("argostranslate.translate")
    if translate is not None:
        translate.get_installed_languages.cache_clear()


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


# --- network with a wall-clock deadline (models.network) -----------------------------------------


# what a failing server or connection raises (http.client.IncompleteRead is no OSError)
_NET_ERRORS = (urllib.error.URLError, OSError, ValueError, http.client.HTTPException)


class _Overdue(Exception):
    """The overall deadline passed; ``str()`` names what was being fetched."""


def _left(deadline: float) -> float:
    return deadline - time.monotonic()


def _opener(deadline: float) -> urllib.request.OpenerDirector:
    return deadline_opener(deadline, NETWORK_TIMEOUT)


def _open(opener, url: str, deadline: float, what: str):
    try:
        return opener.open(url, timeout=max(0.001, min(NETWORK_TIMEOUT, _left(deadline))))
    except _NET_ERRORS:
        if _left(deadline) <= 0:
            raise _Overdue(what) from None
        raise


def _fetch(opener, url: str, deadline: float, pair: tuple[str, str]) -> bytes:
    """The index at ``url``, at most ``MAX_INDEX_BYTES``, within the deadline."""
    what, limit = "the Argos package index", MAX_INDEX_BYTES
    too_large = f"The Argos package index at {url} is over the {_size(limit)} it may take: check {INDEX_ENV}."
    try:
        with _open(opener, url, deadline, what) as response:
            declared = int(response.headers.get("Content-Length") or 0)
            if declared > limit:
                raise ModelError(too_large)
            parts, size = [], 0
            while chunk := _read(response, deadline, what):
                size += len(chunk)
                if size > limit:
                    raise ModelError(too_large)
                parts.append(chunk)
            _check_complete(size, declared)
            return b"".join(parts)
    except (ModelError, _Overdue):
        raise
    except _NET_ERRORS as err:
        if _left(deadline) <= 0:
            raise _Overdue(what) from None
        raise _unreachable(what, _reason(err), *pair) from err


def _read(response, deadline: float, what: str) -> bytes:
    """One chunk, as soon as some bytes arrive (``read1``), so the deadline is checked often."""
    if _left(deadline) <= 0:
        raise _Overdue(what)
    try:
        reader = getattr(response, "read1", None) or response.read
        return reader(_CHUNK)
    except _NET_ERRORS:
        if _left(deadline) <= 0:
            raise _Overdue(what) from None
        raise


def _parse_index(raw: bytes, url: str, from_code: str, to_code: str) -> list:
    try:
        index = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        raise _unreachable("a valid Argos package index", f"{url} is not JSON", from_code, to_code) from err
    if not isinstance(index, list):
        raise _unreachable("a valid Argos package index", f"{url} is not a list", from_code, to_code)
    return index


def _index_entry(index: list, from_code: str, to_code: str):
    """The pair's newest entry whose codes, version and links are sane; an entry naming a version
    like ``../1`` would otherwise become part of a file name."""
    from argostranslate.package import AvailablePackage

    entries = [AvailablePackage(m) for m in index if isinstance(m, dict)]
    matches = [e for e in entries if _is_pair(e, from_code, to_code) and e.links]
    if not matches:
        raise ModelError(
            f"The Argos package index has no {from_code}→{to_code} translation package: "
            "check the language codes (for example `nl en`)."
        )
    valid = [e for e in matches if _valid_entry(e)]
    if not valid:
        bad = matches[0]
        filename = _KNOWN_FILES.get((from_code, to_code), f"translate-{from_code}_{to_code}.argosmodel")
        raise ModelError(
            f"The Argos package index lists the {from_code}→{to_code} package with an invalid version "
            f"or links (version {bad.package_version!r}), so it was not downloaded: check "
            f"{INDEX_ENV}, or download {filename} elsewhere and run `bireader models install FILE`."
        )
    return max(valid, key=lambda e: _version_key(e.package_version))


def _valid_entry(entry) -> bool:
    return (
        isinstance(entry.package_version, str)
        and bool(_VERSION.fullmatch(entry.package_version))
        and all(isinstance(c, str) and _CODE.fullmatch(c) for c in (entry.from_code, entry.to_code))
        and isinstance(entry.links, list)
        and all(isinstance(link, str) and link for link in entry.links)
    )


def _stream(opener, entry, target: Path, from_code: str, to_code: str, progress, cancelled, deadline) -> None:
    """Try the entry's links in turn, streaming the first that answers into ``target``."""
    what = f"the {from_code}→{to_code} package download"
    errors = []
    for link in entry.links:
        try:
            with _open(opener, link, deadline, what) as response:
                total = int(response.headers.get("Content-Length") or 0)
                if total > MAX_DOWNLOAD_BYTES:
                    raise ModelError(
                        f"The {from_code}→{to_code} package at {link} is {_size(total)}, over the "
                        f"{_size(MAX_DOWNLOAD_BYTES)} a package may take: check {INDEX_ENV}."
                    )
                _copy(response, target, total, progress, cancelled, deadline, what)
            return
        except (Cancelled, ModelError, _Overdue):
            raise
        except _NET_ERRORS as err:
            errors.append(_reason(err))
    raise _unreachable(what, "; ".join(errors), from_code, to_code)


def _copy(response, target: Path, total: int, progress, cancelled, deadline: float, what: str) -> None:
    done = 0
    if progress:
        progress(0, total)
    with open(target, "wb") as out:
        while True:
            if cancelled and cancelled():
                raise Cancelled(f"Download cancelled after {done:,} bytes; nothing was installed.")
            chunk = _read(response, deadline, what)
            if not chunk:
                break
            done += len(chunk)
            if done > MAX_DOWNLOAD_BYTES:
                raise ModelError(
                    f"{what[0].upper()}{what[1:]} sent more than {_size(MAX_DOWNLOAD_BYTES)}, more than "
                    f"a package may take: check {INDEX_ENV}."
                )
            out.write(chunk)
            if progress:
                progress(done, total)
    _check_complete(done, total)


def _check_complete(received: int, declared: int) -> None:
    """``read1`` ends quietly when a server closes early: compare with the promised length."""
    if declared and received < declared:
        raise ConnectionError(f"the connection closed after {received:,} of {declared:,} bytes")
