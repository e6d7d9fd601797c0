"""`bireader import URL`: a page downloaded from a real (local) HTTP or HTTPS server and read like a
saved page, and each way a download goes wrong refused with one message and nothing stored."""

from __future__ import annotations

import re
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from reader.cli import main
from reader.errors import ImportFailed
from reader.import_url import MAX_PAGE_BYTES, MAX_REDIRECTS, import_url, read_url
from reader.store import document_paragraphs, get_document, list_documents, open_db
from tests.helpers_tls import Certificate, authority, issue, self_signed
from tests.test_import_html import ARTICLE_PARAGRAPHS, news_page

GIGABYTE = 1024 ** 3
ENGLISH = """<h1>Ministers meet in Antalya</h1><p>The foreign ministers of Russia and Ukraine met in the
Turkish city of Antalya on Thursday. It was the first meeting at that level since the war began.</p>
<p>The talks lasted an hour and a half. No agreement was reached on a ceasefire, Kuleba said.</p>"""


class Site(HTTPServer):
    """A news site on 127.0.0.1 that also misbehaves on purpose; it counts what it was asked and sent."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.requests: list[str] = []
        self.body_bytes_sent = 0
        self.redirect_to = ""  # where /elders sends the client
        self.scheme = "http"
        if tls is not None:
            self.socket = tls.wrap_socket(self.socket, server_side=True)
            self.scheme = "https"

    def url(self, path: str) -> str:
        return f"{self.scheme}://127.0.0.1:{self.server_address[1]}{path}"


class Handler(BaseHTTPRequestHandler):
    server: Site

    def log_message(self, *args) -> None:  # noqa: ANN002 - keep pytest's output clean
        pass

    def do_GET(self) -> None:  # noqa: N802
        self.server.requests.append(self.path)
        page = {"/artikel": news_page(), "/engels": news_page(head="", article=ENGLISH, lang="en"),
                "/voorpagina": news_page(head="", article='<a href="/a">Storm op komst</a>')}
        if self.path in page:
            self._send(200, page[self.path].encode("utf-8"), "text/html; charset=utf-8")
        elif self.path == "/latin":  # the charset only in the header, as some servers do
            body = news_page().replace('<meta charset="utf-8">', "").encode("cp1252")
            self._send(200, body, "text/html; charset=windows-1252")
        elif self.path == "/oud":
            self._redirect(301, "/artikel")
        elif self.path.startswith("/lus"):
            self._redirect(302, f"/lus{len(self.server.requests)}")  # a new address each time, for ever
        elif self.path == "/elders":
            self._redirect(302, self.server.redirect_to)
        elif self.path == "/naar-ftp":
            self._redirect(302, "ftp://127.0.0.1/artikel.html")
        elif self.path == "/groot":
            self._stream_gigabyte(declare=False)
        elif self.path == "/groot-gemeld":
            self._stream_gigabyte(declare=True)
        else:
            self._send(404, b"<html><body><h1>Niet gevonden</h1></body></html>", "text/html")

    def _send(self, code: int, body: bytes, content_type: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, code: int, location: str) -> None:
        self.send_response(code)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _stream_gigabyte(self, *, declare: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        if declare:
            self.send_header("Content-Length", str(GIGABYTE))
        self.end_headers()
        chunk = b"<p>" + b"Dit is een heel lange pagina. " * 2000 + b"</p>\n"
        try:
            while self.server.body_bytes_sent < GIGABYTE:
                self.wfile.write(chunk)
                self.server.body_bytes_sent += len(chunk)
        except OSError:
            pass  # the client hung up at its limit, as it should


@contextmanager
def serving(server: Site) -> Iterator[Site]:
    """The server in a thread, stopped and joined at the end (leaked threads fail the test)."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
    assert not thread.is_alive()


@pytest.fixture
def site():
    with serving(Site()) as server:
        yield server


def test_a_page_is_downloaded_and_read_like_a_saved_page(db, site):
    warnings: list[str] = []
    doc_id, created = import_url(db, site.url("/artikel"), warn=warnings.append)
    assert created and warnings == []
    doc = get_document(db, doc_id)
    assert (doc["title"], doc["date"], doc["source_path"]) == (
        "Lavrov en Koeleba praten voor het eerst", "2022-03-10", site.url("/artikel"))
    assert [(p["kind"], p["text"]) for p in document_paragraphs(db, doc_id)] == ARTICLE_PARAGRAPHS


def test_one_redirect_is_followed_and_the_final_address_kept(site):
    article = read_url(site.url("/oud"))
    assert [(p.kind, p.text) for p in article.paragraphs] == ARTICLE_PARAGRAPHS
    assert article.source_path == site.url("/artikel")
    assert site.requests == ["/oud", "/artikel"]


def test_a_charset_given_only_in_the_header_is_used(site):
    article = read_url(site.url("/latin"))
    assert "Oekraïne" in article.paragraphs[1].text


def test_an_english_page_comes_with_the_not_dutch_warning(site):
    article = read_url(site.url("/engels"))
    assert len(article.warnings) == 1 and "does not look Dutch (it looks English)" in article.warnings[0]


def test_a_redirect_loop_is_given_up_after_the_limit_and_nothing_is_stored(db, site):
    url = site.url("/lus")
    with pytest.raises(ImportFailed, match=rf"{url} redirects more than {MAX_REDIRECTS} times \(a redirect "
                                           r"loop\?\), so the page was not downloaded"):
        import_url(db, url)
    assert len(site.requests) == MAX_REDIRECTS + 1
    assert list_documents(db) == []


def test_a_404_says_the_page_was_not_found(db, site):
    url = site.url("/bestaat-niet")
    with pytest.raises(ImportFailed, match=rf"^{url} was not found \(HTTP 404\): check the address$"):
        import_url(db, url)
    assert list_documents(db) == []


def test_a_page_without_an_article_is_refused_like_a_saved_one(db, site):
    with pytest.raises(ImportFailed, match=r"/voorpagina is a web page with no article text"):
        import_url(db, site.url("/voorpagina"))
    assert list_documents(db) == []


@pytest.mark.parametrize("path", ["/groot", "/groot-gemeld"], ids=["streamed", "declared-length"])
def test_a_gigabyte_body_is_cut_off_at_the_limit_without_reading_it_all(db, site, path):
    url = site.url(path)
    with pytest.raises(ImportFailed, match=rf"{url} is larger than the 10 MB limit for a web page, so it "
                                           r"was not downloaded"):
        import_url(db, url)
    assert list_documents(db) == []
    assert site.body_bytes_sent < 8 * MAX_PAGE_BYTES  # cut off near the limit (plus socket buffers)


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/artikel.html", "javascript:alert(1)//x", "file:///x.html"])
def test_addresses_other_than_http_and_https_are_refused(db, url, tmp_path):
    if url.startswith("file:"):
        page = tmp_path / "pagina.html"
        page.write_text(news_page(), encoding="utf-8")
        url = page.as_uri()
    with pytest.raises(ImportFailed, match=r"cannot be downloaded: only http:// and https:// addresses can "
                                           r"be imported"):
        import_url(db, url)
    assert list_documents(db) == []


def test_a_redirect_to_another_scheme_is_refused(site):
    with pytest.raises(ImportFailed, match=r"/naar-ftp cannot be downloaded \(it redirects to "
                                           r"ftp://127\.0\.0\.1/artikel\.html\): only http:// and https://"):
        read_url(site.url("/naar-ftp"))


def test_no_server_listening_is_said_at_once(db):
    with socket.socket() as s:  # a port that was free a moment ago: nothing listens there
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ImportFailed, match=rf"^127\.0\.0\.1 refused the connection, so "
                                           rf"http://127\.0\.0\.1:{port}/artikel was not downloaded"):
        import_url(db, f"http://127.0.0.1:{port}/artikel")
    assert list_documents(db) == []


def test_the_command_line_imports_an_address_and_reports_a_bad_one_in_one_line(site, capsys):
    code = main(["import", site.url("/artikel"), site.url("/weg")])
    out, err = capsys.readouterr()
    assert code == 1
    assert out.endswith("\tLavrov en Koeleba praten voor het eerst\t(imported)\n")
    assert err.splitlines()[0] == f"bireader: {site.url('/weg')} was not found (HTTP 404): check the address"
    titles = [d["title"] for d in list_documents(open_db())]
    assert titles == ["Lavrov en Koeleba praten voor het eerst"]


# ---------------------------------------------------------------- the window: File → Open URL, dropped links


def answer_open_url(window, url: str) -> None:
    from PySide6.QtWidgets import QInputDialog

    window.open_url_action.trigger()
    dialog = window.findChild(QInputDialog, "openUrlDialog")
    assert dialog is not None and dialog.isVisible()
    dialog.setTextValue(url)
    dialog.accept()


def test_open_url_downloads_the_page_and_opens_its_article(empty_packages, make_window, qtbot, site):
    window = make_window()
    with qtbot.waitSignal(window.document_opened, timeout=60_000):
        answer_open_url(window, site.url("/oud"))
    stored = [(p["kind"], p["text"]) for p in document_paragraphs(window.db, window.doc_id)]
    assert stored == ARTICLE_PARAGRAPHS
    assert window.library.titles() == ["Lavrov en Koeleba praten voor het eerst"]


def test_open_url_with_a_bad_address_shows_one_message_and_stores_nothing(empty_packages, make_window, qtbot,
                                                                           site):
    window = make_window()
    with qtbot.waitSignal(window.import_finished, timeout=60_000) as finished:
        answer_open_url(window, site.url("/lus"))
    assert isinstance(finished.args[0], ImportFailed)
    dialog = window.imports.last_error_dialog
    assert dialog is not None and dialog.windowTitle() == "Could not open the address"
    assert dialog.text().startswith(f"{site.url('/lus')} redirects more than {MAX_REDIRECTS} times")
    assert list_documents(window.db) == [] and window.doc_id is None


def test_a_link_dropped_from_a_browser_is_downloaded(empty_packages, make_window, qtbot, site):
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    window = make_window()
    mime = QMimeData()
    mime.setUrls([QUrl(site.url("/artikel"))])
    mime.setText(site.url("/artikel"))
    assert window.imports.accepts_drop(mime)
    event = QDropEvent(QPointF(300, 300), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(window.document_opened, timeout=60_000):
        window.dropEvent(event)
    assert get_document(window.db, window.doc_id)["source_path"] == site.url("/artikel")


def test_an_english_page_opens_with_a_warning_banner(empty_packages, make_window, qtbot, site):
    from ui.import_export import IMPORT_WARNING_BANNER

    window = make_window()
    with qtbot.waitSignal(window.document_opened, timeout=60_000):
        window.imports.import_url(site.url("/engels"))
    qtbot.waitUntil(lambda: window.imports.pending == 0, timeout=60_000)
    banner = window.banners.banner(IMPORT_WARNING_BANNER)
    assert banner is not None and "does not look Dutch (it looks English)" in banner.text()
    with qtbot.waitSignal(window.document_opened, timeout=60_000):
        window.imports.import_url(site.url("/artikel"))
    qtbot.waitUntil(lambda: window.imports.pending == 0, timeout=60_000)
    assert window.banners.banner(IMPORT_WARNING_BANNER) is None  # a Dutch article: the warning goes


def test_pasting_a_copied_address_imports_the_page(empty_packages, make_window, qtbot, site):
    from PySide6.QtGui import QGuiApplication

    window = make_window()
    QGuiApplication.clipboard().setText(f"  {site.url('/artikel')}\n")
    with qtbot.waitSignal(window.document_opened, timeout=60_000):
        window.paste_action.trigger()
    assert get_document(window.db, window.doc_id)["title"] == "Lavrov en Koeleba praten voor het eerst"


# ---------------------------------------------------------------- HTTPS: verified certificates, and stalls


@pytest.fixture(scope="module")
def certificates(tmp_path_factory) -> dict[str, Certificate]:
    """The test authority, what it signed, and certificates this computer must not trust."""
    folder = tmp_path_factory.mktemp("tls")
    ca, stranger = authority(folder, "ca"), authority(folder, "stranger")
    return {
        "ca": ca,
        "trusted": issue(ca, folder, "trusted"),
        "self-signed": self_signed(folder),
        "unknown authority": issue(stranger, folder, "stranger-signed"),
        "wrong host": issue(ca, folder, "wrong-host", san="DNS:nieuws.example"),
        "expired": issue(ca, folder, "expired", expired=True),
    }


@pytest.fixture
def tls_site(request, certificates, monkeypatch):
    """The news site over HTTPS; the client trusts the test authority and nothing else.

    ``indirect`` parametrisation picks the server's certificate (default: one the authority signed)."""
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates["ca"].cert))
    certificate = certificates[getattr(request, "param", "trusted")]
    with serving(Site(certificate.server_context())) as server:
        yield server


def test_a_page_over_https_is_downloaded_and_read_like_over_http(db, tls_site):
    warnings: list[str] = []
    doc_id, created = import_url(db, tls_site.url("/artikel"), warn=warnings.append)
    assert created and warnings == []
    doc = get_document(db, doc_id)
    assert (doc["title"], doc["source_path"]) == ("Lavrov en Koeleba praten voor het eerst",
                                                  tls_site.url("/artikel"))
    assert [(p["kind"], p["text"]) for p in document_paragraphs(db, doc_id)] == ARTICLE_PARAGRAPHS
    article = read_url(tls_site.url("/oud"))  # a redirect that stays on https: no warning
    assert article.source_path == tls_site.url("/artikel") and article.warnings == []


UNTRUSTED = {  # the certificate -> why OpenSSL refuses it, and what the message tells the user to do
    "self-signed": ("self-signed certificate", "it is not signed by an authority this computer trusts; "
                    "if your network uses its own certificate authority, set SSL_CERT_FILE to its "
                    "certificate file, or open it in a browser, save the page and import the file"),
    "unknown authority": ("unable to get local issuer certificate", "it is not signed by an authority"),
    "wrong host": ("IP address mismatch, certificate is not valid for '127.0.0.1'",
                   "the certificate belongs to another site, so check the address"),
    "expired": ("certificate has expired", "check this computer's date and time; if they are right, only "
                "the site can renew its certificate"),
}


@pytest.mark.parametrize("tls_site", list(UNTRUSTED), indirect=True)
def test_an_unverifiable_certificate_is_refused_with_its_reason_and_nothing_stored(db, tls_site, request):
    why, advice = UNTRUSTED[request.node.callspec.params["tls_site"]]
    url = tls_site.url("/artikel")
    with pytest.raises(ImportFailed) as err:
        import_url(db, url)
    message = str(err.value)
    assert message.startswith(f"The certificate of 127.0.0.1 could not be verified ({why}), so {url} was "
                              f"not downloaded: {advice}")
    assert "\n" not in message and "Traceback" not in message
    assert tls_site.requests == []  # refused before a single request went out
    assert list_documents(db) == []


@pytest.mark.parametrize("tls_site", ["self-signed"], indirect=True)
def test_the_command_line_refuses_an_unverifiable_certificate_in_one_line(tls_site, capsys):
    url = tls_site.url("/artikel")
    code = main(["import", url])
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert err == (f"bireader: The certificate of 127.0.0.1 could not be verified (self-signed certificate), "
                   f"so {url} was not downloaded: it is not signed by an authority this computer trusts; if "
                   f"your network uses its own certificate authority, set SSL_CERT_FILE to its certificate "
                   f"file, or open it in a browser, save the page and import the file\n")
    assert list_documents(open_db()) == []


def test_a_redirect_from_https_to_plain_http_is_followed_with_a_warning(db, tls_site, site):
    tls_site.redirect_to = site.url("/artikel")
    warnings: list[str] = []
    doc_id, _ = import_url(db, tls_site.url("/elders"), warn=warnings.append)
    assert get_document(db, doc_id)["source_path"] == site.url("/artikel")  # where it really came from
    assert [(p["kind"], p["text"]) for p in document_paragraphs(db, doc_id)] == ARTICLE_PARAGRAPHS
    assert warnings == [f"{tls_site.url('/elders')} redirected to the plain http:// address "
                        f"{site.url('/artikel')}, so the article did not come over a secure connection: "
                        "check that its text is what the site shows"]
    assert (tls_site.requests, site.requests) == (["/elders"], ["/artikel"])


TLS_RECORD = b"\x16\x03\x03\x40\x00"  # a handshake record of 16 KiB is coming: the client waits for all
GIVE_UP_S = 30.0  # a stalling server stops after this, so a client without limits fails instead of hanging


class Staller:
    """A server on 127.0.0.1 that reads what the client sends, answers with ``head`` and then either
    falls silent or trickles one byte every 50 ms, until the client hangs up or GIVE_UP_S have passed."""

    def __init__(self, head: bytes, *, trickle: bool) -> None:
        self.head, self.trickle = head, trickle
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.05)
        self.stop = threading.Event()
        self.connections = 0
        self.ended = threading.Event()  # the connection is over: the client hung up or the server gave up
        self.gave_up = False  # the server stopped first: the client's limits did not work
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def url(self, scheme: str) -> str:
        return f"{scheme}://127.0.0.1:{self.listener.getsockname()[1]}/artikel"

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            self.connections += 1
            with conn:
                self._stall(conn)
            self.ended.set()

    def _stall(self, conn: socket.socket) -> None:
        try:
            conn.recv(65536)  # the ClientHello, or the HTTP request
            conn.sendall(self.head)
            conn.settimeout(0.05)
            for _ in range(int(GIVE_UP_S / 0.05)):
                if self.stop.is_set():
                    return
                try:
                    if conn.recv(1) == b"":
                        break
                except TimeoutError:
                    pass
                if self.trickle:
                    conn.sendall(b"x")
            else:
                self.gave_up = True
        except OSError:
            pass  # the client hung up while the server was writing


@contextmanager
def stalling(head: bytes, *, trickle: bool) -> Iterator[Staller]:
    server = Staller(head, trickle=trickle)
    server.thread.start()
    try:
        yield server
    finally:
        server.stop.set()
        server.thread.join(timeout=GIVE_UP_S + 10)
        server.listener.close()
    assert not server.thread.is_alive()


def test_a_tls_handshake_that_stalls_ends_at_the_socket_timeout_and_stores_nothing(db):
    with stalling(TLS_RECORD, trickle=False) as server:
        with pytest.raises(ImportFailed, match=r"^127\.0\.0\.1 did not answer within 1\.5 s: try again "
                                               r"later, or open it in a browser, save the page and import "
                                               r"the file$"):
            import_url(db, server.url("https"), timeout=1.5)
        assert server.ended.wait(GIVE_UP_S + 5) and not server.gave_up  # the client ended it
    assert server.connections == 1  # a stall is not retried
    assert list_documents(db) == []


@pytest.mark.parametrize(("scheme", "head"), [("https", TLS_RECORD), ("http", b"HTTP/1.0 200 OK\r\nX-Pad: ")],
                         ids=["tls handshake", "http headers"])
def test_a_server_trickling_before_the_page_starts_meets_the_whole_download_deadline(db, scheme, head):
    """Every byte arrives well within the socket timeout: only the overall deadline can end this."""
    with stalling(head, trickle=True) as server:
        url = server.url(scheme)
        with pytest.raises(ImportFailed, match=rf"^{re.escape(url)} took longer than 1\.5 s to download, so "
                                               r"it was given up: try again later"):
            import_url(db, url, deadline_s=1.5)
        assert server.ended.wait(GIVE_UP_S + 5) and not server.gave_up  # the client ended it
    assert list_documents(db) == []
