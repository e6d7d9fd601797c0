"""Downloads against a real local HTTP(S) server that trickles, stalls or sends too much."""

from __future__ import annotations

import http.server
import json
import shutil
import ssl
import threading
from pathlib import Path

import pytest

from models import packages
from reader.errors import ModelError
from tests.helpers_models import tree
from tests.helpers_tls import self_signed

TRICKLE_S = 0.05  # one byte this often: every read gets an answer long before any socket timeout
GIVE_UP_S = 20.0  # the server stops trickling after this, so a client without a deadline fails, not hangs


class _Server(http.server.HTTPServer):
    stop: threading.Event
    routes: dict


class _Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep the test output clean
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        route = self.server.routes.get(self.path)
        try:
            if route is None:
                self.send_error(404)
            else:
                route(self)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            pass  # the client gave up: what the deadline is for


def _trickle(handler: _Handler, data: bytes) -> None:
    """Write ``data`` one byte at a time until done, stopped or GIVE_UP_S has passed."""
    stop = handler.server.stop
    for i, byte in enumerate(data):
        if stop.wait(TRICKLE_S) or i * TRICKLE_S > GIVE_UP_S:
            return
        handler.wfile.write(bytes([byte]))
        handler.wfile.flush()


def _slow_body(handler: _Handler) -> None:
    body = json.dumps([{"pad": "x" * 2000}]).encode()
    handler.send_response(200)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    _trickle(handler, body)


def _slow_headers(handler: _Handler) -> None:
    _trickle(handler, b"HTTP/1.0 200 OK\r\nX-Padding: " + b"x" * 2000 + b"\r\n\r\n[]")


def _endless_index(handler: _Handler) -> None:
    """An index without a Content-Length that never ends: only the size limit stops it."""
    handler.send_response(200)
    handler.end_headers()  # HTTP/1.0: the body runs until the connection closes
    handler.wfile.write(b"[")
    for _ in range(64):  # 64 MiB at most: a client without a limit fails rather than fills memory
        if handler.server.stop.is_set():
            return
        handler.wfile.write(b" " * (1 << 20))


def _declared_huge_index(handler: _Handler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Length", str(1 << 30))
    handler.end_headers()
    handler.wfile.write(b"[]")


@pytest.fixture
def server(request):
    """Start an HTTP server on 127.0.0.1 in a thread; stopped (thread joined) after the test.

    With ``indirect`` parametrisation ``"tls"`` it serves HTTPS with a fresh self-signed certificate."""
    tls = getattr(request, "param", None) == "tls"
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.stop = threading.Event()
    httpd.routes = {}
    scheme = "http"
    if tls:
        certificate = self_signed(request.getfixturevalue("tmp_path"))
        httpd.socket = certificate.server_context().wrap_socket(httpd.socket, server_side=True)
        request.getfixturevalue("monkeypatch").setenv("SSL_CERT_FILE", str(certificate.cert))  # trust only it
        scheme = "https"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    httpd.base = f"{scheme}://127.0.0.1:{httpd.server_address[1]}"
    try:
        yield httpd
    finally:
        httpd.stop.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


@pytest.fixture
def short_deadline(monkeypatch) -> float:
    monkeypatch.setenv("BIREADER_DOWNLOAD_DEADLINE_S", "1.5")
    return 1.5


def _deadline_message(pair: str = "nl→en") -> str:
    return f"The {pair} download did not finish within 1.5 s ("


@pytest.mark.parametrize("server", ["plain", "tls"], indirect=True)
@pytest.mark.parametrize("route", [_slow_body, _slow_headers], ids=["slow body", "slow headers"])
def test_a_trickling_index_meets_the_deadline(server, route, short_deadline, empty_packages, monkeypatch):
    server.routes["/index.json"] = route
    monkeypatch.setenv(packages.INDEX_ENV, f"{server.base}/index.json")
    with pytest.raises(ModelError) as err:
        packages.download("nl", "en")
    message = str(err.value)
    assert message.startswith(_deadline_message())
    assert "the Argos package index was too slow; BIREADER_DOWNLOAD_DEADLINE_S sets the limit" in message
    assert message.endswith(
        "download translate-nl_en-1_8.argosmodel elsewhere and run `bireader models install FILE`."
    )
    assert tree(empty_packages) == []


def test_a_trickling_package_meets_the_deadline(
    server, short_deadline, empty_packages, tmp_path, monkeypatch
):
    server.routes["/pkg.argosmodel"] = _slow_body
    index = tmp_path / "index.json"
    entry = {"package_version": "1.8", "from_code": "nl", "to_code": "en", "type": "translate",
             "links": [f"{server.base}/pkg.argosmodel"]}
    index.write_text(json.dumps([entry]), encoding="utf-8")
    monkeypatch.setenv(packages.INDEX_ENV, index.as_uri())
    seen: list[int] = []
    with pytest.raises(ModelError) as err:
        packages.download("nl", "en", progress=lambda done, total: seen.append(done))
    assert str(err.value).startswith(_deadline_message())
    assert "(the nl→en package download was too slow;" in str(err.value)
    assert seen[-1] > 0  # bytes were arriving all along: only a wall-clock deadline stops this
    assert tree(empty_packages) == []


def test_the_deadline_can_be_given_per_call(server, empty_packages, monkeypatch):
    server.routes["/index.json"] = _slow_body
    monkeypatch.setenv(packages.INDEX_ENV, f"{server.base}/index.json")
    with pytest.raises(ModelError, match=r"^The nl→en download did not finish within 0.5 s \("):
        packages.download("nl", "en", deadline_s=0.5)


@pytest.mark.parametrize("value", ["soon", "0", "-3", "inf", "nan"])
def test_a_bad_deadline_setting_is_named(value, monkeypatch):
    monkeypatch.setenv(packages.DEADLINE_ENV, value)
    with pytest.raises(ModelError) as err:
        packages.download_deadline_s()
    assert str(err.value) == (
        f"BIREADER_DOWNLOAD_DEADLINE_S must be a number of seconds above 0 (it is {value!r}): "
        "fix or unset it."
    )


@pytest.mark.parametrize("route", [_endless_index, _declared_huge_index], ids=["endless", "declared huge"])
def test_an_oversized_index_is_refused(server, route, empty_packages, monkeypatch):
    server.routes["/index.json"] = route
    url = f"{server.base}/index.json"
    monkeypatch.setenv(packages.INDEX_ENV, url)
    with pytest.raises(ModelError) as err:
        packages.download("nl", "en")
    assert str(err.value) == (
        f"The Argos package index at {url} is over the 8 MiB it may take: check BIREADER_ARGOS_INDEX."
    )
    assert tree(empty_packages) == []


@pytest.mark.parametrize("version", ["1/8", "../../../escape", "", "1.8\n", "x" * 100])
def test_an_index_entry_with_a_bad_version_is_refused_without_leftovers(
    version, empty_packages, tiny_package_file, tmp_path, monkeypatch
):
    pkg = shutil.copy(tiny_package_file, tmp_path / "nl_en.argosmodel")
    entry = {"package_version": version, "from_code": "nl", "to_code": "en", "type": "translate",
             "links": [Path(pkg).as_uri()]}
    index = tmp_path / "index.json"
    index.write_text(json.dumps([entry]), encoding="utf-8")
    monkeypatch.setenv(packages.INDEX_ENV, index.as_uri())
    with pytest.raises(ModelError) as err:
        packages.download("nl", "en")
    assert str(err.value).startswith(
        "The Argos package index lists the nl→en package with an invalid version or links "
        f"(version {version!r})"
    )
    assert tree(empty_packages) == []
    assert not (tmp_path / "escape").exists()


def _cut_short(handler: _Handler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Length", "5000")
    handler.end_headers()
    handler.wfile.write(b'[{"from_code": ')  # then the connection closes


def test_a_connection_cut_short_is_one_clear_sentence(server, empty_packages, tmp_path, monkeypatch):
    server.routes["/index.json"] = _cut_short
    monkeypatch.setenv(packages.INDEX_ENV, f"{server.base}/index.json")
    with pytest.raises(ModelError, match=r"^Could not reach the Argos package index \(.*\): check your"):
        packages.download("nl", "en")
    server.routes["/pkg.argosmodel"] = _cut_short
    index = tmp_path / "index.json"
    entry = {"package_version": "1.8", "from_code": "nl", "to_code": "en", "type": "translate",
             "links": [f"{server.base}/pkg.argosmodel"]}
    index.write_text(json.dumps([entry]), encoding="utf-8")
    monkeypatch.setenv(packages.INDEX_ENV, index.as_uri())
    with pytest.raises(ModelError, match=r"^Could not reach the nl→en package download \(.*\): check your"):
        packages.download("nl", "en")
    assert tree(empty_packages) == []
