"""A read-only library in the window: reading works, a banner says nothing is saved, writing is off;
an article the library already holds still opens (file, drop, paste, `bireader open`)."""

from __future__ import annotations

import hashlib
import os
import stat

from PySide6.QtCore import QMimeData, QPoint, QUrl
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from reader import config, store
from reader.errors import StoreError
from reader.import_html import read_clipboard
from reader.pipeline import import_file
from tests.helpers_store import make_article
from ui.main_window import READ_ONLY_BANNER
from ui.reader_view import NL
from ui.status_text import READ_ONLY_REFUSAL

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
    tiny_package, make_window, qtbot, monkeypatch, capfd, tmp_path
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
        assert not window.remove_action.isEnabled() and not window.library.remove_action.isEnabled()
        assert window.open_action.isEnabled()  # an article the library holds still opens
        assert window.remove_document(untranslated, confirm=False) is False
        assert "read-only" in window.statusBar().currentMessage()
        article = tmp_path / "nieuw.txt"
        article.write_text("Nieuw artikel\n\nDit artikel staat nog niet in de bibliotheek.", encoding="utf-8")
        with qtbot.waitSignal(window.import_finished, timeout=WAIT_MS) as imported:
            window.import_file(article)
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


# ----------------------------------------------------------------- opening what the library holds

PASTED = "Het kabinet valt.\n\nDe premier heeft vanmorgen zijn ontslag aangeboden aan de koning."
NEW = "Nieuw artikel\n\nDit artikel staat nog niet in de bibliotheek."


def library_state() -> tuple[str, int, int]:
    """The file's bytes, its mtime, and its documents: what a read-only window must leave alone."""
    path = config.db_path()
    db = store.open_db(path, read_only=True)
    try:
        count = db.execute("SELECT count(*) FROM documents").fetchone()[0]
    finally:
        db.close()
    return fingerprint(), path.stat().st_mtime_ns, count


def imported(window, qtbot, start):
    """Start an import and return what ``import_finished`` carries: a document id or the error."""
    with qtbot.waitSignal(window.import_finished, timeout=WAIT_MS) as finished:
        assert start() is not None
    QApplication.processEvents()
    return finished.args[0]


def error_dialog_text(window) -> str | None:
    box = window.last_error_dialog
    if box is None or not box.isVisible():
        return None
    text = box.text()
    box.button(QMessageBox.StandardButton.Ok).click()
    return text


def test_a_read_only_library_opens_an_article_it_already_holds_and_refuses_a_new_one(
    empty_packages, make_window, qtbot, monkeypatch, tmp_path
):
    db = store.open_db()
    seed_id, _ = import_file(db, SEED)
    pasted_id, _ = store.add_document(db, read_clipboard("", PASTED, "Pasted text"))
    db.close()
    monkeypatch.setenv("BIREADER_READ_ONLY", "1")
    before = library_state()
    window = make_window()
    assert window.read_only and window.acceptDrops()
    assert window.open_action.isEnabled() and window.paste_action.isEnabled()

    # The same file, and the same article under another name: read, found, opened.
    copy = tmp_path / "kopie.txt"
    copy.write_bytes(SEED.read_bytes())
    for path in (SEED, copy):
        window.open_document(pasted_id)
        assert imported(window, qtbot, lambda p=path: window.import_file(p)) == seed_id
        assert window.doc_id == seed_id and window.view.content().order
        assert window.statusBar().currentMessage() == "Already in the library: opened it."
        assert error_dialog_text(window) is None
    # Dropped on the window, and pasted: the same rule.
    window.open_document(pasted_id)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(copy))])
    assert imported(window, qtbot, lambda: window.imports.drop(mime) or True) == seed_id
    assert window.doc_id == seed_id
    QGuiApplication.clipboard().setText(PASTED)
    assert imported(window, qtbot, window.paste_document) == pasted_id
    assert window.doc_id == pasted_id
    assert window.statusBar().currentMessage() == "Already in the library: opened it."

    # A new article, by file or by paste: refused with the read-only sentence, nothing opened.
    refusal = READ_ONLY_REFUSAL.format(what="a new article")
    new = tmp_path / "nieuw.txt"
    new.write_text(NEW, encoding="utf-8")
    err = imported(window, qtbot, lambda: window.import_file(new))
    assert isinstance(err, StoreError) and str(err) == refusal
    assert error_dialog_text(window) == refusal and window.doc_id == pasted_id
    QGuiApplication.clipboard().setText(NEW)
    err = imported(window, qtbot, window.paste_document)
    assert str(err) == refusal and error_dialog_text(window) == refusal
    assert window.library.titles().count("Nieuw artikel") == 0
    window.close()
    assert library_state() == before  # not a byte, not a row


def test_bireader_open_on_a_read_only_library_opens_what_it_holds(
    empty_packages, monkeypatch, tmp_path, capsys
):
    from ui.app import run

    db = store.open_db()
    import_file(db, SEED)
    db.close()
    monkeypatch.setenv("BIREADER_READ_ONLY", "1")
    before = library_state()
    assert run(["open", str(SEED), "--screenshot", str(tmp_path / "held.png")]) == 0
    assert "read-only" not in capsys.readouterr().err
    new = tmp_path / "nieuw.txt"
    new.write_text(NEW, encoding="utf-8")
    assert run(["open", str(new), "--screenshot", str(tmp_path / "new.png")]) == 1
    assert capsys.readouterr().err == f"bireader: {READ_ONLY_REFUSAL.format(what='a new article')}\n"
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    assert boxes == []  # the command has ended: its window's dialog went with it
    assert library_state() == before


# ----------------------------------------------------------------- words of session-only translations

TRAIN = (
    "De trein naar Utrecht was vandaag te laat. Reizigers moesten lang wachten op het perron. "
    "De conducteur zei dat er een storing was bij Amersfoort. Om tien uur reed de trein weer."
)


def test_sentences_translated_for_a_read_only_session_get_their_words_aligned_in_memory(
    tiny_package, make_window, qtbot, monkeypatch
):
    db = store.open_db()
    doc_id, _ = store.add_document(db, make_article([("body", TRAIN)], title="Trein te laat"))
    db.close()
    make_read_only(monkeypatch)
    path = config.db_path()
    try:
        before = library_state()
        window = make_window()
        assert window.read_only
        with qtbot.waitSignal(window.translation_ended, timeout=WAIT_MS) as ended:
            assert window.open_document(doc_id)
        assert ended.args == ["done"]
        order = window.view.content().order
        assert len(order) == 4 and all(window.view.translation(s) for s in order)

        # Every sentence translated for the screen gets a word table fitting the texts shown.
        session = window.session
        qtbot.waitUntil(lambda: all(session.table(s) is not None for s in order), timeout=WAIT_MS)
        for sid in order:
            table = session.table(sid)
            assert table.nl_text == window.view.sentence_text(sid, NL)
            assert table.en_text == window.view.translation(sid)
        # The model's attention links some words across, as it does for a writable library.
        infos = [
            session.table(sid).hover(NL, i)
            for sid in order
            for i in range(session.table(sid).token_count(NL))
        ]
        assert any(info is not None and info.counterpart is not None for info in infos)

        # Hovering a Dutch word of such a sentence highlights it (shaded or marked as unlinked).
        sid = order[0]
        hover(qtbot, window, sid, NL, "Utrecht")
        qtbot.waitUntil(lambda: "Utrecht" in window.view.highlighted_text("word")[NL], timeout=2000)

        window.close()
        assert window.banners.banner("error") is None
        assert library_state() == before  # aligned in memory only: not a byte, not an mtime
    finally:
        path.parent.chmod(0o755)
        path.chmod(0o644)


def hover(qtbot, window, sid: int, side: str, word: str) -> None:
    view = window.view
    start = view.sentence_text(sid, side).index(word)
    [rect] = view.range_rects(sid, side, start, start + len(word))
    point = rect.center().toPoint()
    qtbot.mouseMove(view.viewport(), point + QPoint(0, 1))  # the pointer may be there already
    qtbot.mouseMove(view.viewport(), point)
    qtbot.waitUntil(lambda: view.hovered_sentence() == sid, timeout=2000)
