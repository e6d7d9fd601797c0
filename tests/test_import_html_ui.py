"""The window: a browser's HTML on the clipboard, dropped selections and dropped web pages go
through the HTML reader, keeping the article's headings, lists and quotes."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QGuiApplication

from reader import store
from tests.test_import_html import ARTICLE_PARAGRAPHS, news_page

WAIT_MS = 60_000
# What a browser puts on the clipboard when a reader selects part of an article.
BROWSER_HTML = (
    '<html><body><!--StartFragment--><h2 style="font-size:20px">Humanitaire corridors</h2>'
    '<p><span>Oekraïne wilde vooral praten over de <b>humanitaire situatie</b>.</span></p>'
    "<ul><li>een veilige doorgang voor burgers</li><li>hulpgoederen</li></ul>"
    "<blockquote><p>Wij willen vrede.</p></blockquote><!--EndFragment--></body></html>"
)
BROWSER_TEXT = ("Humanitaire corridors\nOekraïne wilde vooral praten over de humanitaire situatie.\n"
                "een veilige doorgang voor burgers\nhulpgoederen\nWij willen vrede.")
EXPECTED = [
    ("heading", "Humanitaire corridors"),
    ("body", "Oekraïne wilde vooral praten over de humanitaire situatie."),
    ("list_item", "een veilige doorgang voor burgers"), ("list_item", "hulpgoederen"),
    ("quote", "Wij willen vrede."),
]


def stored(window) -> list[tuple[str, str]]:
    return [(p["kind"], p["text"]) for p in store.document_paragraphs(window.db, window.doc_id)]


def browser_mime() -> QMimeData:
    mime = QMimeData()
    mime.setHtml(BROWSER_HTML)
    mime.setText(BROWSER_TEXT)
    return mime


def drop(window, mime: QMimeData) -> None:
    assert window.imports.accepts_drop(mime)
    event = QDropEvent(QPointF(300, 300), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)


def test_pasting_a_browsers_html_keeps_headings_lists_and_quotes(empty_packages, make_window, qtbot):
    window = make_window()
    QGuiApplication.clipboard().setMimeData(browser_mime())
    with qtbot.waitSignal(window.document_opened, timeout=WAIT_MS):
        window.paste_action.trigger()
    assert stored(window) == EXPECTED  # the plain text alone would have lost the list and the quote


def test_pasting_an_editors_html_without_paragraphs_still_reads_the_text(empty_packages, make_window, qtbot):
    window = make_window()
    mime = QMimeData()
    mime.setHtml("<div><span>Een korte tekst.</span><br><br><span>Het regent in Antalya.</span></div>")
    mime.setText("Een korte tekst.\n\nHet regent in Antalya.")
    QGuiApplication.clipboard().setMimeData(mime)
    with qtbot.waitSignal(window.document_opened, timeout=WAIT_MS):
        window.paste_document()
    assert stored(window) == [("body", "Een korte tekst."), ("body", "Het regent in Antalya.")]


def test_dropping_a_selection_from_a_browser_imports_it(empty_packages, make_window, qtbot):
    window = make_window()
    with qtbot.waitSignal(window.document_opened, timeout=WAIT_MS):
        drop(window, browser_mime())
    assert stored(window) == EXPECTED


def test_dropping_a_saved_page_and_a_book_imports_both(empty_packages, make_window, qtbot, tmp_path):
    from tests.test_import_epub import EXPECTED as BOOK
    from tests.test_import_epub import book

    page = tmp_path / "nieuws.html"
    page.write_text(news_page(), encoding="utf-8")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(page)), QUrl.fromLocalFile(str(book(tmp_path)))])
    window = make_window()
    with qtbot.waitSignals([window.import_finished, window.import_finished], timeout=WAIT_MS):
        drop(window, mime)
    qtbot.waitUntil(lambda: window.imports.pending == 0, timeout=WAIT_MS)
    docs = {d["title"]: d["id"] for d in store.list_documents(window.db)}
    assert set(docs) == {"Lavrov en Koeleba praten voor het eerst", "Reis naar het noorden"}
    paragraphs = {t: [(p["kind"], p["text"]) for p in store.document_paragraphs(window.db, i)]
                  for t, i in docs.items()}
    assert paragraphs["Lavrov en Koeleba praten voor het eerst"] == ARTICLE_PARAGRAPHS
    assert paragraphs["Reis naar het noorden"] == BOOK
