"""The Qt-free holders the window shares with its workers, and one pair's alignment.

Real parts: the tiny Argos package through CTranslate2, a dictd dictionary written by
``reader.dictionary.write_dictd``, SQLite files.
"""

from __future__ import annotations

import pytest

from reader import store
from reader.alignments import NO_ATTENTION, alignment_key
from reader.dictionary import write_dictd
from reader.errors import ModelError
from reader.pipeline import translate_document
from reader.services import DICTIONARY_SETTING, DictionaryHolder, EngineHolder, LazyEngine, align_pair
from tests.helpers_store import make_article

ENTRIES = [("oorlog", "oorlog /orlɔx/\nwar\n"), ("huis", "huis /hœys/\nhouse\n")]


def test_the_engine_loads_once_on_first_use_and_its_key_is_known_before(tiny_package):
    from models.engine import Engine

    engines = EngineHolder()
    assert engines.model_key() == Engine(tiny_package).model_key
    assert not engines.loaded()  # the key alone never loads the model
    engine = engines.get()
    assert engines.loaded() and engines.get() is engine and engines.model_key() == engine.model_key
    engines.reset()  # a package was installed or removed
    assert not engines.loaded() and engines.get() is not engine


def test_no_installed_model_is_a_clear_error(empty_packages):
    engines = EngineHolder()
    with pytest.raises(ModelError, match="bireader models download nl en"):
        engines.model_key()
    with pytest.raises(ModelError):
        engines.get()
    assert not engines.loaded()


def test_the_dictionary_comes_from_the_setting_and_a_later_install_is_noticed(tmp_path, monkeypatch):
    monkeypatch.delenv("BIREADER_DICT", raising=False)
    library = tmp_path / "library.sqlite"
    folder = tmp_path / "dictd"
    store.set_setting(store.open_db(library), DICTIONARY_SETTING, str(folder))
    holder = DictionaryHolder(library)
    assert holder.peek() is None  # nothing loaded on the GUI thread

    dictionary, why = holder.get()
    assert dictionary is None and str(folder) in why
    assert not holder.appeared()  # still not there

    write_dictd(folder, ENTRIES)
    assert holder.appeared() and holder.peek() is None
    dictionary, why = holder.get()
    assert why is None and "war" in dictionary.translations("oorlog")
    assert holder.get()[0] is dictionary  # loaded once


def test_a_pair_is_aligned_with_the_cached_attention_of_the_models_own_text(db, tiny_package):
    engines = EngineHolder()
    engine = engines.get()
    doc_id, _ = store.add_document(db, make_article())
    translate_document(db, doc_id, engine)
    row = store.document_sentences(db, doc_id)[1]
    machine = store.get_cached_texts(db, engine.model_key, [row.source_hash])[row.source_hash].target

    align_pair(db, row.text, machine, model_key=engine.model_key)
    align_pair(db, row.text, "An edit of my own.", model_key=engine.model_key)

    keys = {k for (k,) in db.execute("SELECT key FROM alignments")}
    assert keys == {
        alignment_key(row.text, machine, engine.model_key),  # the model's attention, read from the cache
        alignment_key(row.text, "An edit of my own.", NO_ATTENTION),  # no engine: lexical only
    }


def test_an_edit_is_force_decoded_through_an_engine_loaded_only_then(db, tiny_package):
    engines = EngineHolder()
    lazy = LazyEngine(engines, engines.model_key())
    assert not engines.loaded()
    alignment = align_pair(
        db, "Lavrov sprak met Koeleba.", "Lavrov spoke with Kuleba.", model_key=lazy.model_key, engine=lazy
    )
    assert engines.loaded() and alignment.links
    [(key,)] = db.execute("SELECT key FROM alignments").fetchall()
    assert key == alignment_key("Lavrov sprak met Koeleba.", "Lavrov spoke with Kuleba.", lazy.model_key)


def test_the_window_engine_leaves_one_core_to_the_gui_and_shares_the_cache(tiny_package):
    """On a 2-core machine the engine behind the window runs one CTranslate2 thread, so the GUI
    thread keeps a core; the thread count is speed-only, so it reads the command line's cache."""
    from models.engine import Engine
    from reader.services import interactive_threads

    assert [interactive_threads(n) for n in (1, 2, 3, 8, 64)] == [1, 1, 2, 4, 4]
    engine = EngineHolder().get()
    assert engine.settings.intra_threads == interactive_threads()
    assert engine.model_key == Engine(tiny_package).model_key
    [result] = engine.translate(["De ministers spraken met elkaar."])
    assert result.target.strip()
