"""The long-lived helpers a front end shares between its workers: the translation engine, the
optional dictionary, and one sentence's alignment with its cached attention.

No Qt: the window and the word tools hold these, workers call them. Loading either the engine or
the dictionary takes a while, so each is loaded once, by the first worker that asks, under a lock.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from sqlite_utils import Database

from reader import store
from reader.errors import DictionaryError, ReaderError

if TYPE_CHECKING:
    from argostranslate.package import Package

    from models.engine import Engine, TranslationResult
    from reader.align import Alignment
    from reader.dictionary import Dictionary

DICTIONARY_SETTING = "dictionary.path"
WARM_UP_WORD = "huis"  # the first lookup loads the lemmatiser (about 0.5 s): done in the worker


def interactive_threads(cores: int | None = None) -> int:
    """CTranslate2 threads for translating behind a window: every core but one, so the GUI thread
    keeps a core to itself (on a 2-core machine the engine would otherwise starve it)."""
    cores = cores if cores is not None else (os.cpu_count() or 1)
    return max(1, min(4, cores - 1))


class EngineHolder:
    """The translation engine, loaded once off the GUI thread and kept warm across documents.
    It leaves one core to the GUI (``interactive_threads``); the thread count is a speed-only
    setting, so the cache key is the command line's."""

    def __init__(self, from_code: str = "nl", to_code: str = "en") -> None:
        self.pair = (from_code, to_code)
        self._lock = threading.Lock()
        self._engine: Engine | None = None

    def package(self) -> Package:
        """The installed package of the pair (raises ``ModelError`` when there is none)."""
        from models.packages import find_package

        return find_package(*self.pair)

    def model_key(self) -> str:
        """The cache key of the current package, without loading the model."""
        engine = self._engine
        if engine is not None:
            return engine.model_key
        from models.engine import model_key_for

        return model_key_for(self.package())

    def loaded(self) -> bool:
        return self._engine is not None

    def get(self) -> Engine:
        """The engine (worker threads only: loading takes a while for a real model)."""
        with self._lock:
            if self._engine is None:
                from models.engine import DecodeSettings, Engine

                settings = DecodeSettings(intra_threads=interactive_threads())
                self._engine = Engine(self.package(), settings)
            return self._engine

    def reset(self) -> None:
        """Forget the loaded engine (a package was installed or removed)."""
        with self._lock:
            self._engine = None


class LazyEngine:
    """Forced decoding through a holder's engine, loaded only if an edited sentence needs it."""

    def __init__(self, engines: EngineHolder, model_key: str) -> None:
        self.model_key = model_key
        self._engines = engines

    def force(self, source: str, target: str) -> TranslationResult:
        return self._engines.get().force(source, target)


DictionaryState = tuple["Dictionary | None", "str | None"]  # (dictionary, why there is none)


class DictionaryHolder:
    """The optional dictionary, opened and warmed up once, off the GUI thread.

    Where it is: the ``dictionary.path`` setting, else ``BIREADER_DICT``, else /usr/share/dictd.
    "Not found" is not final: ``appeared()`` notices a dictionary installed since.
    """

    def __init__(self, db_path: str | Path | None = None) -> None:
        self._db_path = db_path
        self._lock = threading.Lock()
        self._state: DictionaryState | None = None
        self._generation = 0  # bumped by reset(): a load started before it is not kept
        self._path: str | None = None  # the configured path, as last read
        self._files_missing = False  # the last load found no dictionary files at all

    def get(self) -> DictionaryState:
        """(Dictionary or None, why not): worker threads only, the first call takes ~0.5 s."""
        with self._lock:
            state = self._state
            if state is None:
                generation = self._generation
                state = self._load()
                if generation == self._generation:
                    self._state = state
            return state

    def _load(self) -> DictionaryState:
        from reader.alignments import open_dictionary_or_none

        self._path = self.configured_path()
        self._files_missing = not _files_present(self._path)
        dictionary, error = open_dictionary_or_none(self._path)
        if dictionary is not None:
            try:
                dictionary.lookup(WARM_UP_WORD)
            except DictionaryError as err:
                dictionary, error = None, str(err)
        return dictionary, error

    def configured_path(self) -> str | None:
        """The ``dictionary.path`` setting (None: the default places)."""
        try:
            with store.connection(self._db_path) as db:
                value = store.get_setting(db, DICTIONARY_SETTING)
        except ReaderError:
            return None
        return str(value) if value else None

    def peek(self) -> DictionaryState | None:
        """The state if already loaded (GUI thread: never blocks)."""
        return self._state

    def reset(self) -> None:
        """Forget the loaded state (another dictionary was chosen): the next ``get`` loads again."""
        self._generation += 1
        self._state = None

    def appeared(self) -> bool:
        """No dictionary was found before, but its files are there now: forget "not found".
        A few stat calls, so the GUI thread may ask at every lookup."""
        state = self._state
        if state is None or state[0] is not None or not self._files_missing:
            return False
        if not _files_present(self._path):
            return False
        self.reset()
        return True


def _files_present(path: str | None) -> bool:
    from reader.dictionary import find_files

    try:
        find_files(path)
    except DictionaryError:
        return False
    return True


def align_pair(
    db: Database,
    nl: str,
    en: str,
    *,
    model_key: str | None,
    engine: LazyEngine | None = None,
    dictionary: Dictionary | None = None,
    sentence_id: int | None = None,
) -> Alignment:
    """One sentence pair's alignment, with the model's cached attention when ``en`` is the model's
    own translation (read here, in the worker: opening a document reads no attention), and the
    reader's corrected links of ``sentence_id`` applied."""
    from reader.alignments import sentence_alignment

    cached = None
    if model_key is not None:
        key = store.source_hash(nl)
        cached = store.get_cached(db, model_key, [key]).get(key)
    return sentence_alignment(
        db, nl, en, cached=cached, engine=engine, dictionary=dictionary, model_key=model_key,
        sentence_id=sentence_id,
    )
