"""A read-only library in the window: reading works, a banner says nothing is saved, writing is off."""

from __future__ import annotations

import hashlib
import os
import stat

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QMessageBox

from reader import config, store
from reader.pipeline import import_file
from tests.helpers_store import make_article
from ui.main_window import READ_ONLY_BANNER

from .conftest import SEED

WAIT_MS = 60_000


def make_library(qtbot, make_window) -> tuple[int, int]:
    """The sample, translated, and a second article never translated; then the library is made
    read-only."""
    window = make_window()
    with qtbot.waitSignal(window.translation_ended, timeout=WAIT_MS) as ended:
        window.import_file(SEED)
    assert ended.args == ["done"]
    translated = window.doc_id
    body = "De trein naar Utrecht was vandaag te laat. Reizigers moesten lang wachten."
    untranslated, _ = store.add_document(window.db, make_article([("body", body)], title="Trein te laat"))
    window.close()
    return translated, untranslated


def make_read_only(monkeypatch) -> None:
    """chmod the library and its folder read-only. Root ignores permission bits (the tests run as
    root in CI), so there the store's explicit switch says what the permissions would."""
    path = config.db_path()
    path.chmod(stat.S_IRUSR | stat.S_IRGRP)
    path.parent.chmod(stat.S_IRUSR | stat.S_IXUSR)
    if os.access(path, os.W_OK):
        monkeypatch.setenv("BIREADER_READ_ONLY", "1")


def fingerprint() -> str:
    return hashlib.sha256(config.db_path().read_bytes()).hexdigest()


def test_a_read_only_library_is_read_with_a_banner_and_nothing_is_written(
    tiny_package, make_window, qtbot, monkeypatch, capfd
):
    translated, untranslated = make_library(qtbot, make_window)
    path = config.db_path()
    make_read_only(monkeypatch)
    try:
        before = fingerprint()
        window = make_window()
        assert window.read_only
        banner = window.banners.banner(READ_ONLY_BANNER)
        assert banner is not None and banner.isVisible()
        assert "This library is read-only: changes cannot be saved" in banner.text()
        titles = window.library.titles()
        assert len(titles) == 2 and "Trein te laat" in titles

        # The translated article reads as before, all from the cache, its words aligned.
        with qtbot.assertNotEmitted(window.translation_started), qtbot.waitSignal(
            window.words.aligned, timeout=WAIT_MS
        ) as aligned:
            assert window.open_document(translated)
        order = window.view.content().order
        assert order and all(window.view.translation(s) for s in order)
        assert set(aligned.args[0]) == set(order)

        # The other one is translated for the screen, and the run says it is not kept.
        with qtbot.waitSignal(window.translation_ended, timeout=WAIT_MS) as ended:
            assert window.open_document(untranslated)
        assert ended.args == ["done"]
        order = window.view.content().order
        assert all(window.view.translation(s) for s in order)
        assert "not saved: the library is read-only" in window.statusBar().currentMessage()

        # Everything that writes is off or refused with a sentence, never a traceback.
        for action in (window.open_action, window.paste_action, window.remove_action):
            assert not action.isEnabled()
        assert not window.library.remove_action.isEnabled()
        assert window.remove_document(untranslated, confirm=False) is False
        assert "read-only" in window.statusBar().currentMessage()
        with qtbot.waitSignal(window.import_finished, timeout=WAIT_MS) as imported:
            window.import_file(SEED)
        assert "read-only" in str(imported.args[0])
        box = window.last_error_dialog
        assert box is not None and "read-only" in box.text()
        box.button(QMessageBox.StandardButton.Ok).click()
        sid = order[0]
        shown = window.view.translation(sid)
        window.save_user_translation(sid, "My own version.")
        assert window.view.translation(sid) == shown and not window.view.is_edited(sid)
        assert "read-only" in window.statusBar().currentMessage()
        window._sentence_menu(sid, window.view.viewport().mapToGlobal(QPoint(5, 5)))
        states = {a.text(): a.isEnabled() for a in window._menu.actions() if a.text()}
        assert states["Copy Dutch"] and not states["Edit Translation…"] and not states["Retranslate"]
        assert not states["Show Alternatives…"]
        window._menu.close()

        window.set_zoom(2)  # a preference changes for this session only
        qtbot.wait(200)  # let the word alignment of the open document run
        window.close()
        assert window.banners.banner("error") is None  # no background failure surfaced
        assert fingerprint() == before  # not one byte written: no cache, no settings, no edit
        db = store.open_db(path, read_only=True)
        try:
            assert store.get_setting(db, "ui.zoom", 0) != 2
        finally:
            db.close()
    finally:
        path.parent.chmod(0o755)
        path.chmod(0o644)
    assert "Traceback" not in capfd.readouterr().err


def test_a_read_only_library_without_a_model_still_opens_its_documents(
    empty_packages, make_window, qtbot, monkeypatch
):
    db = store.open_db()
    doc_id, _ = import_file(db, SEED)
    db.close()
    make_read_only(monkeypatch)
    try:
        window = make_window()
        assert window.read_only and window.banners.banner(READ_ONLY_BANNER) is not None
        assert window.open_document(doc_id)
        assert window.view.content().order
        window.close()
    finally:
        config.db_path().parent.chmod(0o755)
        config.db_path().chmod(0o644)
