"""Offline Dutch -> English dictionary: FreeDict nld-eng (dictd format), read where the user has it.

The dictionary is GPL, so the app never ships or copies it: it reads Debian's
``dict-freedict-nld-eng`` files (``freedict-nld-eng.index`` + ``.dict.dz``) in place.
The ``.dict.dz`` is dictzip (gzip plus a chunk table in the header), so a lookup inflates
one or two ~58 KB chunks instead of the whole file; the index is parsed on the first lookup.

A word is looked up as written, then by its lemma, then as a separable verb (with its
particle), then without a plural ending or as the verb of an agent noun ("onderzoekers" ->
"onderzoeken"), and only then as a compound of known headwords, so most words of an article
find an entry and a plural is never split ("verdachten" is not "ver" + "denken").
"""

from __future__ import annotations

import os
import re
import struct
import threading
import unicodedata
import zlib
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from reader.dutch import SEPARABLE_PARTICLES
from reader.errors import DictionaryError

DEFAULT_DIR = Path("/usr/share/dictd")
DICT_NAME = "freedict-nld-eng"
ENV_VAR = "BIREADER_DICT"
INSTALL_HINT = (
    "install Debian's dict-freedict-nld-eng (sudo apt install dict-freedict-nld-eng) "
    f"or set {ENV_VAR} to the folder holding {DICT_NAME}.index"
)

B64_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_B64_VALUE = {c: i for i, c in enumerate(B64_DIGITS)}

DICTZIP_CHUNK_LENGTH = 58315  # what dictzip itself uses
_MAX_CACHED_CHUNKS = 64
_MIN_COMPOUND_PART = 3
MAX_COMPOUND_LENGTH = 60  # letters; longer "words" are not split (see split_compound)
_LINKING_MORPHEMES = ("", "s", "en", "e")
_AFFIX_DASHES = "‐-"

How = Literal["surface", "lemma", "separable", "compound"]


@dataclass(frozen=True)
class Entry:
    headword: str
    pronunciation: str | None
    senses: list[str]

    @property
    def is_secondary(self) -> bool:
        """Affixes ("‐de", "huis‐") and fragments ("... niet") rank below full words."""
        hw = self.headword
        return hw.startswith(("...", "…")) or hw[:1] in _AFFIX_DASHES or hw[-1:] in _AFFIX_DASHES


@dataclass(frozen=True)
class LookupResult:
    query: str
    lemma: str
    how: How
    entries: list[Entry]
    parts: tuple[str, ...] = field(default=())  # the headwords of a compound, in order


# --- dictd index ----------------------------------------------------------------------------


def decode_number(digits: str, _value: dict[str, int] = _B64_VALUE) -> int:
    """dictd writes offsets and lengths in base64 digits, most significant first."""
    n = 0
    for c in digits:
        n = n * 64 + _value[c]
    return n


def encode_number(n: int) -> str:
    if n < 0:
        raise ValueError(f"dictd numbers are not negative: {n}")
    digits = B64_DIGITS[n % 64]
    while n >= 64:
        n //= 64
        digits = B64_DIGITS[n % 64] + digits
    return digits


def normalize_key(word: str) -> str:
    """The lookup key: lower case, "ĳ" as "ij", punctuation and hyphens dropped (as dictd does)."""
    if word.isascii() and word.isalnum():  # the common case, kept fast for index loading
        return word.lower()
    word = unicodedata.normalize("NFC", word).lower().replace("ĳ", "ij")
    if not word.isalnum():
        word = " ".join("".join(c for c in word if c.isalnum() or c.isspace()).split())
    return word


def parse_index(text: str, source: Path) -> dict[str, list[tuple[int, int]]]:
    """Map each normalised headword to its (offset, length) entries, in file order."""
    index: dict[str, list[tuple[int, int]]] = {}
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        fields = line.rstrip("\r").split("\t")
        try:
            if len(fields) not in (3, 4) or not fields[1] or not fields[2]:
                raise KeyError  # (a 4th field, if any, holds the original headword)
            offset, length = decode_number(fields[1]), decode_number(fields[2])
        except KeyError:
            raise DictionaryError(
                f"Line {lineno} of the dictionary index {source} is damaged (expected "
                f"'headword<TAB>offset<TAB>length', got {line[:60]!r}): reinstall "
                "dict-freedict-nld-eng."
            ) from None
        key = normalize_key(fields[0])
        if not key.startswith("00database"):  # dictd metadata, not words
            index.setdefault(key, []).append((offset, length))
    return index


def write_index(path: Path, entries: Iterable[tuple[str, int, int]]) -> None:
    """Write a dictd .index from (headword, offset, length); used to build test dictionaries."""
    lines = [f"{hw}\t{encode_number(off)}\t{encode_number(n)}\n" for hw, off, n in entries]
    Path(path).write_text("".join(sorted(lines)), encoding="utf-8")


# --- data file: dictzip, plain gzip, or plain .dict ---------------------------------------------


class _PlainData:
    """An uncompressed .dict: seek and read."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.size = path.stat().st_size

    def read(self, offset: int, length: int) -> bytes:
        _check_range(self.path, offset, length, self.size)
        with open(self.path, "rb") as f:
            f.seek(offset)
            return f.read(length)


class _DictzipData:
    """A dictzip file: the chunk table is read once, each lookup inflates only its chunks."""

    def __init__(self, path: Path, header: bytes, file_size: int) -> None:
        self.path = path
        self.chunk_length, sizes, data_start = _parse_dictzip_header(path, header)
        self.starts: list[int] = []
        pos = data_start
        for n in sizes:
            self.starts.append(pos)
            pos += n
        self.sizes = sizes
        if pos + 8 > file_size:
            raise DictionaryError(
                f"The dictionary file {path} is truncated ({file_size} bytes, its chunk table "
                f"needs {pos + 8}): reinstall dict-freedict-nld-eng."
            )
        with open(path, "rb") as f:
            f.seek(file_size - 4)
            self.size = struct.unpack("<I", f.read(4))[0]  # ISIZE: uncompressed size mod 2**32
        n_chunks = len(sizes)
        if not (n_chunks - 1) * self.chunk_length < self.size <= n_chunks * self.chunk_length:
            raise DictionaryError(
                f"The dictionary file {path} is damaged or truncated (its size field does not "
                "match its chunk table): reinstall dict-freedict-nld-eng."
            )
        self._chunks: dict[int, bytes] = {}
        self._lock = threading.Lock()

    def read(self, offset: int, length: int) -> bytes:
        _check_range(self.path, offset, length, self.size)
        if length == 0:
            return b""
        first, last = offset // self.chunk_length, (offset + length - 1) // self.chunk_length
        data = b"".join(self._chunk(i) for i in range(first, last + 1))
        start = offset - first * self.chunk_length
        return data[start : start + length]

    def _chunk(self, i: int) -> bytes:
        with self._lock:
            cached = self._chunks.get(i)
            if cached is None:
                cached = self._inflate(i)
                if len(self._chunks) >= _MAX_CACHED_CHUNKS:
                    self._chunks.pop(next(iter(self._chunks)))
                self._chunks[i] = cached
            return cached

    def _inflate(self, i: int) -> bytes:
        """Each chunk ends with a full flush, so a fresh raw-deflate stream inflates it alone."""
        expected = min(self.chunk_length, self.size - i * self.chunk_length)
        try:
            with open(self.path, "rb") as f:
                f.seek(self.starts[i])
                raw = f.read(self.sizes[i])
            data = zlib.decompressobj(-15).decompress(raw)
        except (OSError, zlib.error) as exc:
            raise DictionaryError(
                f"Chunk {i} of the dictionary file {self.path} cannot be read ({exc}): "
                "reinstall dict-freedict-nld-eng."
            ) from exc
        if len(data) != expected:
            raise DictionaryError(
                f"Chunk {i} of the dictionary file {self.path} is damaged ({len(data)} bytes "
                f"instead of {expected}): reinstall dict-freedict-nld-eng."
            )
        return data


class _GzipData:
    """A gzip file without a chunk table: inflated whole, once, on the first lookup."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._data: bytes | None = None
        self._lock = threading.Lock()

    def read(self, offset: int, length: int) -> bytes:
        with self._lock:
            if self._data is None:
                self._data = self._inflate()
        _check_range(self.path, offset, length, len(self._data))
        return self._data[offset : offset + length]

    def _inflate(self) -> bytes:
        import gzip

        try:
            return gzip.decompress(self.path.read_bytes())
        except (OSError, EOFError, zlib.error) as exc:
            raise DictionaryError(
                f"The dictionary file {self.path} is damaged or truncated ({exc}): "
                "reinstall dict-freedict-nld-eng."
            ) from exc


def _check_range(path: Path, offset: int, length: int, size: int) -> None:
    if offset + length > size:
        raise DictionaryError(
            f"The dictionary index points past the end of {path} (byte {offset + length} of "
            f"{size}): the index and data files do not match; reinstall dict-freedict-nld-eng."
        )


def _parse_dictzip_header(path: Path, header: bytes) -> tuple[int, list[int], int]:
    """Return (chunk length, compressed chunk sizes, offset of the first chunk)."""
    damaged = (
        f"The dictionary file {path} has a damaged dictzip header: reinstall dict-freedict-nld-eng."
    )
    try:
        flags = header[3]
        (xlen,) = struct.unpack_from("<H", header, 10)
        extra = header[12 : 12 + xlen]
        if len(extra) != xlen:
            raise DictionaryError(damaged)
        pos = 0
        table = None
        while pos + 4 <= xlen:
            sub_id, sub_len = extra[pos : pos + 2], struct.unpack_from("<H", extra, pos + 2)[0]
            if sub_id == b"RA":
                table = extra[pos + 4 : pos + 4 + sub_len]
            pos += 4 + sub_len
        if table is None or len(table) < 6:
            raise DictionaryError(damaged)
        version, chunk_length, count = struct.unpack_from("<HHH", table, 0)
        if version != 1 or chunk_length == 0 or count == 0 or len(table) < 6 + 2 * count:
            raise DictionaryError(damaged)
        sizes = list(struct.unpack_from(f"<{count}H", table, 6))
        pos = 12 + xlen
        for flag in (0x08, 0x10):  # FNAME, FCOMMENT: zero-terminated
            if flags & flag:
                pos = header.index(b"\0", pos) + 1
        if flags & 0x02:  # FHCRC
            pos += 2
    except (IndexError, ValueError, struct.error):
        raise DictionaryError(damaged) from None
    return chunk_length, sizes, pos


def _open_data(path: Path) -> _PlainData | _DictzipData | _GzipData:
    try:
        file_size = path.stat().st_size
        with open(path, "rb") as f:
            header = f.read(12)
            if len(header) == 12 and header[3] & 0x04:  # FEXTRA
                header += f.read(struct.unpack_from("<H", header, 10)[0] + 4096)
    except OSError as exc:
        raise DictionaryError(
            f"The dictionary file {path} cannot be read ({exc.strerror}): check its permissions."
        ) from exc
    if path.suffix != ".dz":
        return _PlainData(path)
    if header[:3] != b"\x1f\x8b\x08":
        raise DictionaryError(
            f"The dictionary file {path} is not a dictzip (gzip) file: reinstall "
            "dict-freedict-nld-eng."
        )
    if not header[3] & 0x04:
        return _GzipData(path)
    return _DictzipData(path, header, file_size)


def write_dictzip(path: Path, data: bytes, chunk_length: int = DICTZIP_CHUNK_LENGTH) -> None:
    """Write ``data`` as dictzip (as the ``dictzip`` tool does); used to build test dictionaries."""
    if not 0 < chunk_length <= 0xFFFF:
        raise ValueError(f"chunk_length must be 1..65535, not {chunk_length}")
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    body, sizes = [], []
    for start in range(0, max(len(data), 1), chunk_length):
        block = compressor.compress(data[start : start + chunk_length])
        block += compressor.flush(zlib.Z_FULL_FLUSH)
        body.append(block)
        sizes.append(len(block))
    body.append(compressor.flush(zlib.Z_FINISH))
    if max(sizes) > 0xFFFF or 10 + 2 * len(sizes) > 0xFFFF:
        raise ValueError("data too large for a single dictzip chunk table")
    table = struct.pack(f"<HHH{len(sizes)}H", 1, chunk_length, len(sizes), *sizes)
    extra = b"RA" + struct.pack("<H", len(table)) + table
    header = b"\x1f\x8b\x08\x04" + b"\0\0\0\0" + b"\x02\x03" + struct.pack("<H", len(extra))
    trailer = struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)
    Path(path).write_bytes(header + extra + b"".join(body) + trailer)


def write_dictd(
    folder: Path,
    entries: Iterable[tuple[str, str]],
    *,
    name: str = DICT_NAME,
    compress: bool = True,
    chunk_length: int = DICTZIP_CHUNK_LENGTH,
) -> Path:
    """Write a small dictd dictionary from (headword, entry text) pairs; returns the .index path.

    For tests and benches: the real dictionary is GPL and is never copied into the project.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    data = bytearray()
    rows = []
    for headword, text in entries:
        raw = text.encode("utf-8")
        rows.append((headword, len(data), len(raw)))
        data += raw
    if compress:
        write_dictzip(folder / f"{name}.dict.dz", bytes(data), chunk_length)
    else:
        (folder / f"{name}.dict").write_bytes(bytes(data))
    write_index(folder / f"{name}.index", rows)
    return folder / f"{name}.index"


# --- entries --------------------------------------------------------------------------------

_HEAD_LINE = re.compile(r"^(?P<headword>.*?)(?:\s+/(?P<pron>[^/]*)/)?(?:\s+<[^>]*>)*\s*$")
_SENSE_NUMBER = re.compile(r"^\s*\d+\.\s*")
_PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]")


def parse_entry(text: str) -> Entry:
    """Split ``oorlog /orlɔx/\\nwar\\n`` into headword, pronunciation and one string per sense."""
    lines = [line for line in text.replace("\r", "").split("\n") if line.strip()]
    if not lines:
        return Entry("", None, [])
    head = _HEAD_LINE.match(lines[0].strip())
    assert head is not None  # the pattern matches any line
    senses = [_SENSE_NUMBER.sub("", line).strip() for line in lines[1:]]
    return Entry(
        headword=_untie(head["headword"]),
        pronunciation=head["pron"] or None,
        senses=[_untie(s) for s in senses if s],
    )


def _untie(text: str) -> str:
    """FreeDict spells Dutch "ij" as the ligature "ĳ", which nobody types or searches for."""
    return text.replace("ĳ", "ij").replace("Ĳ", "IJ")


def gloss_words(sense: str) -> list[str]:
    """The English translations in one sense: "easel, tressle (art); workbench" -> 3 items."""
    sense = _PARENS.sub(" ", sense).lower()
    glosses = []
    for item in re.split(r"[,;]", sense):
        item = item.replace("…", " ").replace("...", " ").strip(" \t.‐-")
        item = " ".join(item.split())
        if item:
            glosses.append(item)
    return glosses


# --- compounds ------------------------------------------------------------------------------

NOT_A_HEADWORD, AFFIX_FORM, FULL_WORD = 0, 1, 2


def split_compound(
    word: str,
    kind: Callable[[str], int],
    head_form: Callable[[str], str | None],
    short_prefixes: Collection[str] = (),
) -> list[str] | None:
    """Split a compound into headwords, with linking s/e/en between them.

    ``kind(part)`` says whether a part is a headword: NOT_A_HEADWORD, AFFIX_FORM (only "oorlogs‐")
    or FULL_WORD. Fewest parts win, then fewest affix forms (oorlog + s beats oorlogs‐), then the
    longest first part ("gespreksonderwerp" -> gesprek + onderwerp, "reisbureau" -> reis + bureau).
    The last part may be inflected: ``head_form`` maps it to a headword or None. Parts are at
    least 3 letters, except a first part in ``short_prefixes`` ("in" + stellen).

    Words over ``MAX_COMPOUND_LENGTH`` letters are not split: no Dutch compound is that long, and
    the search costs the cube of the length (a 10 KB "word" would take minutes). The search runs
    from the end of the word backwards, so no recursion depth grows with the word.
    """
    n = len(word)
    if n <= _MIN_COMPOUND_PART or n > MAX_COMPOUND_LENGTH:
        return None

    def last_part(tail: str) -> tuple[list[str], int] | None:
        if len(tail) < _MIN_COMPOUND_PART:
            return None
        form = tail if kind(tail) else head_form(tail)
        return ([form], int(kind(form) == AFFIX_FORM)) if form else None

    # best[i]: the best split of word[i:] into two or more parts (None: none), filled right to left
    best: list[tuple[list[str], int] | None] = [None] * (n + 1)
    for i in range(n - 1, -1, -1):
        found: tuple[list[str], int] | None = None
        for j in range(n - _MIN_COMPOUND_PART, i, -1):
            part = word[i:j]
            if len(part) < _MIN_COMPOUND_PART and not (i == 0 and part in short_prefixes):
                continue
            part_kind = kind(part)
            if not part_kind:
                continue
            links = ("",) if i == 0 and part in short_prefixes else _LINKING_MORPHEMES
            for link in links:
                if not word.startswith(link, j):
                    continue
                rest = last_part(word[j + len(link) :]) or best[j + len(link)]
                if rest is None:
                    continue
                parts, affixes = [part, *rest[0]], rest[1] + int(part_kind == AFFIX_FORM)
                if found is None or (len(parts), affixes) < (len(found[0]), found[1]):
                    found = (parts, affixes)
        best[i] = found
    result = best[0]
    return result[0] if result and len(result[0]) > 1 else None


def stem_infinitives(stem: str) -> list[str]:
    """Verbs a Dutch stem-noun may come from: "overleg" -> overleggen, "verlies" -> verliezen.

    Spelling rules: doubled consonant after a short vowel, f/s voiced to v/z, "aa" -> "a".
    """
    if len(stem) < _MIN_COMPOUND_PART or not stem.isalpha() or stem.endswith("en"):
        return []
    forms = [stem + "en", stem + stem[-1] + "en"]
    base = stem[:-2] + stem[-1] if stem[-3] == stem[-2] and stem[-2] in "aeou" else stem
    voiced = {"f": "v", "s": "z"}.get(base[-1])
    if voiced:
        forms.append(base[:-1] + voiced + "en")
    if base != stem:
        forms.append(base + "en")
    return forms


_VOICED = {"v": "f", "z": "s"}
_VOWELS = "aeiou"


def plural_bases(word: str) -> list[str]:
    """Singulars a Dutch plural may come from, most likely first (the caller keeps headwords).

    "-'s" and "-s" are dropped as they are; "-en" undoes the spelling rules of the plural
    (gesprekken -> gesprek, afspraken -> afspraak, brieven -> brief); "-n" follows "-e"
    (verdachten -> verdachte) and a nominalised "-e" is dropped too (verdachte -> verdacht).
    """
    word = word.lower()
    bases: list[str] = []
    if word.endswith("'s") and len(word) > 4:
        bases.append(word[:-2])
    elif word.endswith("s") and len(word) > 4 and word[-2] not in "s'":
        bases.append(word[:-1])
    if word.endswith("en") and len(word) > 5:
        stem = word[:-2]
        bases.extend(_en_plural_stems(stem))
    if word.endswith("n") and len(word) > 4 and word[-2] in "e'":
        bases.append(word[:-1])
    for base in list(bases):
        if base.endswith("e") and len(base) > 4:
            bases.append(base[:-1])
    return list(dict.fromkeys(b for b in bases if len(b) >= _MIN_COMPOUND_PART))


def _en_plural_stems(stem: str) -> list[str]:
    """The singular before "-en": doubled consonant undone, open vowel doubled, v/z devoiced."""
    if not stem.isalpha():
        return [stem]
    if len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] not in _VOWELS:
        return [stem[:-1]]  # gesprekken -> gesprek
    last = _VOICED.get(stem[-1], stem[-1])
    stems = [stem]
    if last != stem[-1]:
        stems.insert(0, stem[:-1] + last)  # brieven -> brief, huizen -> huis
    if (
        len(stem) > 3
        and stem[-1] not in _VOWELS
        and stem[-2] in "aeou"
        and stem[-3] not in _VOWELS
    ):
        stems.append(stem[:-2] + stem[-2] + stem[-2] + last)  # afspraken -> afspraak
    return stems


def agent_noun_verbs(word: str) -> list[str]:
    """Verbs a Dutch agent noun may come from: "onderzoeker" -> "onderzoeken",
    "bezetter" -> "bezetten", "wandelaar" -> "wandelen"; then the bare stem ("onderzoek")."""
    word = word.lower()
    for suffix in ("ster", "aar", "er"):
        stem = word.removesuffix(suffix)
        if stem != word and len(stem) >= _MIN_COMPOUND_PART and stem.isalpha():
            break
    else:
        return []
    if suffix == "er" and len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in _VOWELS:
        stem = stem[:-1]  # bezetter -> bezet
    return [*stem_infinitives(stem), stem]


# --- the dictionary -------------------------------------------------------------------------


def find_files(path: str | Path | None = None) -> tuple[Path, Path]:
    """Locate (index, data): the argument, else $BIREADER_DICT, else /usr/share/dictd."""
    if path is not None:
        where, origin = Path(path).expanduser(), ""
    elif os.environ.get(ENV_VAR):
        where, origin = Path(os.environ[ENV_VAR]).expanduser(), f" (from {ENV_VAR})"
    else:
        where, origin = DEFAULT_DIR, ""
    index = _index_path(where)
    if not index.is_file():
        place = "in" if where.is_dir() or where == DEFAULT_DIR else "at"
        raise DictionaryError(
            f"No Dutch–English dictionary found {place} {where}{origin}: {INSTALL_HINT}."
        )
    for suffix in (".dict.dz", ".dict"):
        data = index.with_name(index.name.removesuffix(".index") + suffix)
        if data.is_file():
            return index, data
    raise DictionaryError(
        f"The dictionary index {index} has no {index.stem}.dict.dz (or .dict) beside it: "
        "reinstall dict-freedict-nld-eng."
    )


def _index_path(where: Path) -> Path:
    if where.is_dir():
        return where / f"{DICT_NAME}.index"
    name = where.name
    for suffix in (".dict.dz", ".dict"):
        if name.endswith(suffix):
            return where.with_name(name.removesuffix(suffix) + ".index")
    return where


class Dictionary:
    """A dictd dictionary opened in place; cheap to open, the index loads on first lookup.

    Safe to share between threads (the aligner may run in a worker while the UI looks words up).
    """

    def __init__(self, index_path: Path, data_path: Path) -> None:
        self.index_path = index_path
        self.data_path = data_path
        self._data = _open_data(data_path)
        self._index: dict[str, list[tuple[int, int]]] | None = None
        self._lock = threading.Lock()
        self._translations: dict[tuple[str, str | None], frozenset[str]] = {}
        self._kinds: dict[str, int] = {}

    @classmethod
    def open(cls, path: str | Path | None = None) -> Dictionary:
        """Open ``path`` (folder, .index or data file), else $BIREADER_DICT, else /usr/share/dictd.

        Raises DictionaryError saying how to install the dictionary when there is none.
        """
        return cls(*find_files(path))

    def load_index(self) -> None:
        """Parse the index now (about 35 ms) instead of on the first lookup."""
        self._headwords()

    def __len__(self) -> int:
        return len(self._headwords())

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and normalize_key(word) in self._headwords()

    def entries(self, word: str) -> list[Entry]:
        """The entries filed under ``word`` (case, "ij" and hyphens aside), full words first."""
        places = self._headwords().get(normalize_key(word), ())
        found = [parse_entry(self._read(offset, length)) for offset, length in places]
        return sorted(found, key=lambda e: e.is_secondary)

    def lookup(self, word: str, particle: str | None = None) -> list[LookupResult]:
        """Every way ``word`` finds an entry: as written, by lemma, as separable verb, as compound.

        ``particle`` is the separated part of a verb ("belde ... op" -> "opbellen").
        Compounds are tried only when nothing else matched, so "oorlog" is never "oor" + "log".
        """
        word = unicodedata.normalize("NFKC", word)  # "ﬁets" (a ligature, as copied from a PDF) is "fiets"
        results: list[LookupResult] = []
        seen: set[str] = set()

        def add(key: str, how: How) -> None:
            if key and key not in seen:
                seen.add(key)
                entries = self.entries(key)
                if entries:
                    results.append(LookupResult(word, key, how, entries))

        surface = normalize_key(word)
        add(surface, "surface")
        lemmas = self._lemma_keys(word)
        for lemma in lemmas:
            add(lemma, "lemma")
        if not results:
            for key in (*self._participle_keys(surface), *stem_infinitives(surface)):
                add(key, "lemma")
        if not results:
            self._add_first(add, self._plural_keys(surface))
        if not results:
            self._add_first(add, [v for base in (surface, *plural_bases(surface))
                                  for v in agent_noun_verbs(base)])
        if particle:
            for base in (*lemmas, surface):
                add(normalize_key(particle) + base, "separable")
        if not results:
            compound = self._compound(surface)
            if compound:
                results.append(compound)
        return results

    def translations(self, word: str, particle: str | None = None) -> frozenset[str]:
        """The English words and phrases ``word`` may translate to, lower case; cached.

        An affix form ("huis‐": domesticated) counts only for a headword with no full entry.
        """
        key = (word, particle)
        cached = self._translations.get(key)
        if cached is None:
            found: set[str] = set()
            for result in self.lookup(word, particle):
                for entry in _main_entries(result.entries):
                    found.update(g for sense in entry.senses for g in gloss_words(sense))
            cached = self._translations[key] = frozenset(found)
        return cached

    def _headwords(self) -> dict[str, list[tuple[int, int]]]:
        if self._index is None:
            with self._lock:
                if self._index is None:
                    self._index = parse_index(self._read_index_text(), self.index_path)
        return self._index

    def _read_index_text(self) -> str:
        try:
            return self.index_path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise DictionaryError(
                f"The dictionary index {self.index_path} is not UTF-8 text (byte {exc.start}): "
                "reinstall dict-freedict-nld-eng."
            ) from exc
        except OSError as exc:
            raise DictionaryError(
                f"The dictionary index {self.index_path} cannot be read ({exc.strerror}): "
                "check that it exists and is readable."
            ) from exc

    def _read(self, offset: int, length: int) -> str:
        raw = self._data.read(offset, length)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DictionaryError(
                f"The dictionary file {self.data_path} holds damaged text at byte {offset}: "
                "reinstall dict-freedict-nld-eng."
            ) from exc

    def _lemma_keys(self, word: str) -> list[str]:
        from reader.lemmas import nl_lemma

        keys = []
        for form in (word, word.lower()):
            key = normalize_key(nl_lemma(form))
            if key and key not in keys:
                keys.append(key)
        return keys

    def _add_first(self, add: Callable[[str, How], None], keys: Iterable[str]) -> None:
        """Look up the first of ``keys`` that is a full headword (guesses: one is enough)."""
        for key in keys:
            if self._kind(key) == FULL_WORD:
                add(key, "lemma")
                return

    def _plural_keys(self, surface: str) -> list[str]:
        """Singulars of a plural, each also by its lemma ("verdachten" -> verdachte -> verdacht)."""
        keys = []
        for base in plural_bases(surface):
            keys.append(base)
            keys.extend(self._lemma_keys(base))
        return list(dict.fromkeys(keys))

    def _participle_keys(self, surface: str) -> list[str]:
        """Separable-verb participles simplemma misses: "overgegeven" -> "overgeven"."""
        from reader.lemmas import nl_lemma

        keys = []
        for i in range(2, min(len(surface) - 4, 8)):
            particle, rest = surface[:i], surface[i:]
            if particle in SEPARABLE_PARTICLES and rest.startswith("ge"):
                keys.append(particle + normalize_key(nl_lemma(rest)))
        return keys

    def _kind(self, key: str) -> int:
        """Whether ``key`` is a headword, and a full word or only an affix form (cached)."""
        kind = self._kinds.get(key)
        if kind is None:
            if key not in self._headwords():
                kind = NOT_A_HEADWORD
            elif any(not e.is_secondary for e in self.entries(key)):
                kind = FULL_WORD
            else:
                kind = AFFIX_FORM
            self._kinds[key] = kind
        return kind

    def _head_form(self, tail: str) -> str | None:
        for key in (*self._lemma_keys(tail), *stem_infinitives(tail), *plural_bases(tail)):
            if self._kind(key):
                return key
        return None

    def _compound(self, surface: str) -> LookupResult | None:
        if not surface.isalpha():
            return None
        parts = split_compound(surface, self._kind, self._head_form, SEPARABLE_PARTICLES)
        if not parts:
            return None
        entries = [e for part in parts for e in self.entries(part)]
        return LookupResult(surface, "+".join(parts), "compound", entries, tuple(parts))


def _main_entries(entries: list[Entry]) -> list[Entry]:
    """Per headword, its full-word entries, or its affix forms when it has nothing else."""
    groups: dict[str, list[Entry]] = {}
    for entry in entries:
        groups.setdefault(normalize_key(entry.headword), []).append(entry)
    main = []
    for group in groups.values():
        main.extend([e for e in group if not e.is_secondary] or group)
    return main


# --- printing -------------------------------------------------------------------------------


def format_entries(results: list[LookupResult], word: str | None = None) -> str:
    """Plain text for ``bireader define WORD``: how each entry was found, then the entries."""
    if not results:
        shown = f" for “{word}”" if word else ""
        return f"No entry{shown} in the Dutch–English dictionary."
    blocks = []
    for result in results:
        lines = []
        note = _how_note(result)
        if note:
            lines.append(note)
        for entry in result.entries:
            lines.extend(_entry_lines(entry))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _how_note(result: LookupResult) -> str | None:
    if result.how == "lemma":
        return f"({result.query}: found via lemma {result.lemma})"
    if result.how == "separable":
        return f"({result.query}: found via separable verb {result.lemma})"
    if result.how == "compound":
        return f"({result.query}: compound of {' + '.join(result.parts)})"
    return None


def _entry_lines(entry: Entry) -> list[str]:
    head = entry.headword + (f" /{entry.pronunciation}/" if entry.pronunciation else "")
    if len(entry.senses) == 1:
        return [head, f"  {entry.senses[0]}"]
    return [head, *(f"  {i}. {sense}" for i, sense in enumerate(entry.senses, start=1))]
