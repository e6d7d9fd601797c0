"""Certificates made on the spot (by the ``openssl`` command) for local HTTPS servers on 127.0.0.1.

A test trusts exactly the certificates it made by pointing ``SSL_CERT_FILE`` at them: OpenSSL's
default trust store, which ``ssl.create_default_context`` loads, then holds nothing else.
"""

from __future__ import annotations

import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path

LOCAL_SAN = "IP:127.0.0.1"
_EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]  # faster than RSA


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        """A server-side context presenting this certificate."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        return context


def _openssl(*args: str | Path) -> None:
    subprocess.run(["openssl", *map(str, args)], check=True, capture_output=True)


def self_signed(folder: Path, name: str = "self", san: str = LOCAL_SAN) -> Certificate:
    """A certificate that signs itself: trusted only if ``SSL_CERT_FILE`` names it."""
    cert, key = folder / f"{name}.pem", folder / f"{name}.key"
    _openssl("req", "-x509", *_EC, "-days", "1", "-subj", "/CN=127.0.0.1", "-addext",
             f"subjectAltName={san}", "-keyout", key, "-out", cert)
    return Certificate(cert, key)


def authority(folder: Path, name: str = "ca") -> Certificate:
    """A certificate authority (for ``SSL_CERT_FILE``) that signs server certificates with ``issue``."""
    cert, key = folder / f"{name}.pem", folder / f"{name}.key"
    _openssl("req", "-x509", *_EC, "-days", "1", "-subj", f"/CN=bilingual-reader test {name}",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-keyout", key, "-out", cert)
    return Certificate(cert, key)


def issue(ca: Certificate, folder: Path, name: str, *, san: str = LOCAL_SAN,
          expired: bool = False) -> Certificate:
    """A server certificate signed by ``ca`` for ``san``; ``expired``: it ran out a day ago."""
    cert, key, csr, ext = (folder / f"{name}{suffix}" for suffix in (".pem", ".key", ".csr", ".ext"))
    _openssl("req", *_EC, "-subj", f"/CN={name}", "-keyout", key, "-out", csr)
    ext.write_text(f"subjectAltName={san}\nbasicConstraints=critical,CA:FALSE\n"
                   "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
                   "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n", encoding="ascii")
    # -days -1: valid from now until a day before now, i.e. expired whenever it is checked
    _openssl("x509", "-req", "-in", csr, "-CA", ca.cert, "-CAkey", ca.key, "-CAcreateserial",
             "-days", "-1" if expired else "1", "-extfile", ext, "-out", cert)
    return Certificate(cert, key)
