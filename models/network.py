"""Downloads with a wall-clock deadline: the package index and models, and web articles.

A socket timeout restarts on every byte: a server sending one byte every 29 s never times out.
Every socket an opener from here opens re-arms its timeout, before connecting, before the TLS
handshake and before each receive, to what is left of one overall deadline (and at most ``wait``
seconds), and refuses to wait once it has passed, so no read can outlive it. TLS is verified
(``ssl.create_default_context``: certificates and host names checked), never loosened.
"""

from __future__ import annotations

import http.client
import math
import socket
import ssl
import time
import urllib.request

__all__ = ["DeadlinePassed", "deadline_opener"]


class DeadlinePassed(TimeoutError):
    """The whole download's deadline passed (a socket timeout only bounds one wait)."""


def _arm(sock: socket.socket, deadline: float, wait: float) -> None:
    left = deadline - time.monotonic()
    if left <= 0:
        raise DeadlinePassed("the download deadline has passed")
    sock.settimeout(min(wait, left))


class _DeadlineSocket(socket.socket):
    deadline = math.inf
    wait = math.inf

    def recv(self, *args):  # noqa: ANN002, ANN201
        _arm(self, self.deadline, self.wait)
        return super().recv(*args)

    def recv_into(self, *args):  # noqa: ANN002, ANN201
        _arm(self, self.deadline, self.wait)
        return super().recv_into(*args)


def deadline_opener(
    deadline: float, wait: float, *handlers: urllib.request.BaseHandler
) -> urllib.request.OpenerDirector:
    """An opener for http and https whose every socket is bound by ``deadline`` (a
    ``time.monotonic()`` value) and waits at most ``wait`` seconds at a time; ``handlers`` go
    before its own (e.g. one that leaves redirects to the caller)."""

    class DeadlineTLSSocket(ssl.SSLSocket):
        def do_handshake(self, *args):  # noqa: ANN002, ANN202 - the handshake's reads count too
            _arm(self, deadline, wait)
            return super().do_handshake(*args)

        def read(self, *args):  # noqa: ANN002, ANN202
            _arm(self, deadline, wait)
            return super().read(*args)

    def connect(address, timeout=None, source_address=None, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        left = deadline - time.monotonic()
        if left <= 0:
            raise DeadlinePassed("the download deadline has passed")
        sock = socket.create_connection(address, min(wait, left, timeout or wait), source_address)
        bound = _DeadlineSocket(sock.family, sock.type, sock.proto, fileno=sock.detach())
        bound.deadline, bound.wait = deadline, wait
        return bound

    def bounded(base: type[http.client.HTTPConnection]) -> type[http.client.HTTPConnection]:
        class Connection(base):  # type: ignore[valid-type, misc]
            def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
                super().__init__(*args, **kwargs)
                self._create_connection = connect

        return Connection

    plain, tls = bounded(http.client.HTTPConnection), bounded(http.client.HTTPSConnection)

    class Http(urllib.request.HTTPHandler):
        def do_open(self, http_class, req, **kwargs):  # noqa: ANN001, ANN003, ANN202
            return super().do_open(plain, req, **kwargs)

    class Https(urllib.request.HTTPSHandler):
        def do_open(self, http_class, req, **kwargs):  # noqa: ANN001, ANN003, ANN202
            return super().do_open(tls, req, **kwargs)

    context = ssl.create_default_context()
    context.set_alpn_protocols(["http/1.1"])
    context.sslsocket_class = DeadlineTLSSocket
    return urllib.request.build_opener(*handlers, Http(), Https(context=context))
