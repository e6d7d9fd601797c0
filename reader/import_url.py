"""Articles from a web address: download the page within limits, then read it like a saved page.

Everything else in the app is offline; this is the one place that goes out, so it is defensive:
only http and https, at most ``MAX_REDIRECTS`` redirects (each checked again), a socket timeout
and a deadline for the whole download (connecting, the TLS handshake and the headers included: a
server trickling one byte at a time cannot hold it open), and a size limit enforced while streaming
(a server that sends a gigabyte is cut off at the limit, not read to the end). A missing network
fails at the first connection attempt with a message that says so. Certificates are always
verified against the system's trust store (``SSL_CERT_FILE`` replaces it); one that cannot be
verified is refused with the reason. A redirect from https:// to http:// is followed, as browsers
do, but the article then carries a warning that it did not come over a secure connection.
"""

from __future__ import annotations

import http.client
import re
import socket
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from models.network import deadline_opener
from reader import __version__
from reader.errors import ImportFailed

if TYPE_CHECKING:
    from sqlite_utils import Database

    from reader.importer import ParsedArticle

__all__ = [
    "DEADLINE_S", "MAX_PAGE_BYTES", "MAX_REDIRECTS", "TIMEOUT_S", "Page", "fetch", "import_url",
    "looks_like_url", "read_url",
]

MAX_PAGE_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 5
TIMEOUT_S = 15.0  # connecting, and each wait for more bytes
DEADLINE_S = 60.0  # the whole download, however the server trickles
_CHUNK = 64 * 1024
_SCHEME = re.compile(r"\A[A-Za-z][A-Za-z0-9+.-]*://")
_SAVE_INSTEAD = "or open it in a browser, save the page and import the file"
_CERT_DATES = {9, 10}  # X509_V_ERR_CERT_NOT_YET_VALID, _HAS_EXPIRED
_CERT_NAMES = {62, 64}  # X509_V_ERR_HOSTNAME_MISMATCH, _IP_ADDRESS_MISMATCH
_READERS = {  # Content-Type -> import format
    "text/html": "html", "application/xhtml+xml": "html", "text/plain": "text",
    "text/markdown": "markdown", "text/x-markdown": "markdown", "application/epub+zip": "epub",
}


@dataclass(frozen=True)
class Page:
    url: str  # after redirects
    data: bytes
    content_type: str  # lower case, without parameters
    charset: str | None
    insecure: bool = False  # an https:// address redirected to plain http://


def looks_like_url(text: str) -> bool:
    """``scheme://…``: what `bireader import` treats as an address rather than a file name."""
    return bool(_SCHEME.match(text.strip()))


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects come back as ``HTTPError`` so that ``fetch`` counts and checks each one."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001, ANN201
        return None


def _opener(deadline: float, timeout: float) -> urllib.request.OpenerDirector:
    """Verified TLS, redirects left to ``fetch``, and every socket bound by ``deadline``."""
    return deadline_opener(deadline, timeout, _NoRedirects())


def _check_scheme(url: str, original: str) -> None:
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        where = "" if url == original else f" (it redirects to {url})"
        raise ImportFailed(
            f"{original} cannot be downloaded{where}: only http:// and https:// addresses can be "
            f"imported; {_SAVE_INSTEAD}"
        )


def fetch(url: str, *, max_bytes: int = MAX_PAGE_BYTES, timeout: float = TIMEOUT_S,
          deadline_s: float = DEADLINE_S) -> Page:
    """Download ``url``; every failure is an ``ImportFailed`` that names the address and the cause."""
    original = url = url.strip()
    _check_scheme(url, original)
    deadline = time.monotonic() + deadline_s
    opener = _opener(deadline, timeout)
    insecure = False
    for _ in range(MAX_REDIRECTS + 1):
        request = urllib.request.Request(url, headers={
            "User-Agent": f"bilingual-reader/{__version__}",
            "Accept": "text/html,application/xhtml+xml,text/plain;q=0.8,*/*;q=0.5",
        })
        try:
            response = opener.open(request, timeout=timeout)
        except urllib.error.HTTPError as err:
            with err:
                location = err.headers.get("Location") if err.code in (301, 302, 303, 307, 308) else None
                if location is None:
                    raise ImportFailed(_http_error(original, err.code, err.reason)) from None
            previous, url = url, urljoin(url, location)
            _check_scheme(url, original)
            insecure = insecure or (urlsplit(previous).scheme.lower() == "https"
                                    and urlsplit(url).scheme.lower() == "http")
            continue
        except (urllib.error.URLError, OSError, http.client.HTTPException) as err:
            if time.monotonic() >= deadline:
                raise ImportFailed(_overdue(original, deadline_s)) from None
            raise ImportFailed(_network_error(original, url, err, timeout)) from None
        with response:
            page = _read_body(original, response, max_bytes, deadline, deadline_s, timeout)
        return replace(page, insecure=insecure)
    raise ImportFailed(
        f"{original} redirects more than {MAX_REDIRECTS} times (a redirect loop?), so the page was not "
        f"downloaded: check the address, {_SAVE_INSTEAD}"
    )


def _read_body(original: str, response, max_bytes: int, deadline: float, deadline_s: float,  # noqa: ANN001
               timeout: float) -> Page:
    too_large = (
        f"{original} is larger than the {max_bytes // (1024 * 1024)} MB limit for a web page, so it was "
        f"not downloaded: it is probably not an article; {_SAVE_INSTEAD}"
    )
    declared = response.headers.get("Content-Length", "")
    if declared.strip().isdigit() and int(declared) > max_bytes:
        raise ImportFailed(too_large)
    chunks: list[bytes] = []
    size = 0
    try:
        while True:
            if time.monotonic() > deadline:
                raise ImportFailed(_overdue(original, deadline_s))
            chunk = response.read(_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:
                raise ImportFailed(too_large)
            chunks.append(chunk)
    except (OSError, urllib.error.URLError, http.client.HTTPException) as err:
        if time.monotonic() >= deadline:
            raise ImportFailed(_overdue(original, deadline_s)) from None
        raise ImportFailed(_network_error(original, response.url, err, timeout)) from None
    content_type = response.headers.get_content_type().lower()
    return Page(response.url, b"".join(chunks), content_type, response.headers.get_content_charset())


def _overdue(original: str, deadline_s: float) -> str:
    return (f"{original} took longer than {deadline_s:g} s to download, so it was given up: "
            f"try again later, {_SAVE_INSTEAD}")


def _http_error(original: str, code: int, reason: str) -> str:
    if code == 404 or code == 410:
        return f"{original} was not found (HTTP {code}): check the address"
    if code in (401, 403):
        return (f"{original} refused access (HTTP {code} {reason}): the page may need a login; "
                f"{_SAVE_INSTEAD}")
    if code >= 500:
        return f"The server of {original} failed (HTTP {code} {reason}): try again later, {_SAVE_INSTEAD}"
    return f"{original} could not be downloaded (HTTP {code} {reason}): check the address, {_SAVE_INSTEAD}"


def _network_error(original: str, url: str, err: BaseException, timeout: float) -> str:
    reason = err.reason if isinstance(err, urllib.error.URLError) else err
    host = urlsplit(url).hostname or url
    if isinstance(reason, socket.gaierror):
        return (f"Cannot find {host}: there is no network connection or the address is wrong; check both, "
                f"{_SAVE_INSTEAD}")
    if isinstance(reason, ConnectionRefusedError):
        return f"{host} refused the connection, so {original} was not downloaded: check the address and port"
    if isinstance(reason, TimeoutError | socket.timeout):
        return f"{host} did not answer within {timeout:g} s: try again later, {_SAVE_INSTEAD}"
    if isinstance(reason, ssl.SSLCertVerificationError):
        why = (reason.verify_message or "").rstrip(".") or "no reason given"
        if reason.verify_code in _CERT_DATES:
            advice = ("check this computer's date and time; if they are right, only the site can renew "
                      "its certificate")
        elif reason.verify_code in _CERT_NAMES:
            advice = "the certificate belongs to another site, so check the address"
        else:
            advice = ("it is not signed by an authority this computer trusts; if your network uses its own "
                      f"certificate authority, set SSL_CERT_FILE to its certificate file, {_SAVE_INSTEAD}")
        return (f"The certificate of {host} could not be verified ({why}), so {original} was not "
                f"downloaded: {advice}")
    if isinstance(reason, ssl.SSLError):
        return (f"The secure connection to {host} failed ({getattr(reason, 'reason', None) or reason}), "
                f"so {original} was not downloaded: check the address, {_SAVE_INSTEAD}")
    if isinstance(reason, OSError) and reason.strerror:
        return (f"Cannot reach {host} ({reason.strerror}): check the network connection, "
                f"{_SAVE_INSTEAD}")
    return f"{original} could not be downloaded ({reason}): check the network connection, {_SAVE_INSTEAD}"


def read_url(url: str, **limits: float) -> ParsedArticle:
    """Download a page and read it with the reader its type calls for (a web page: ``read_html``)."""
    from reader.formats import IMPORT, import_format_for

    page = fetch(url, **limits)  # type: ignore[arg-type]
    name = url.strip()
    fmt_name = _READERS.get(page.content_type)
    if fmt_name == "html":
        from reader.import_html import read_html

        data: bytes | str = page.data
        if page.charset:
            try:
                data = page.data.decode(page.charset)
            except (LookupError, UnicodeDecodeError):
                data = page.data  # a wrong header: let the page's own <meta charset> decide
        article = read_html(data, name)
    elif fmt_name is not None and fmt_name in IMPORT:
        article = IMPORT[fmt_name].read(page.data, name)
    else:
        article = import_format_for(urlsplit(page.url).path, page.data).read(page.data, name)
    if page.insecure:
        article = replace(article, warnings=[*article.warnings, (
            f"{name} redirected to the plain http:// address {page.url}, so the article did not come "
            f"over a secure connection: check that its text is what the site shows")])
    return replace(article, source_path=page.url)


def import_url(db: Database, url: str, warn: Callable[[str], None] | None = None,
               **limits: float) -> tuple[int, bool]:
    """Download, read and add to the library (nothing is stored when any step fails)."""
    from reader import store

    article = read_url(url, **limits)
    for message in article.warnings if warn else ():
        warn(message)
    return store.add_document(db, article)
