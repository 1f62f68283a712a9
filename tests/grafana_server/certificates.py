"""A throw-away certificate authority and a server certificate for 127.0.0.1 (openssl CLI).

The HTTPS loopback server presents the server certificate; a client trusts it only when
given the CA file (`--ca-cert`), exactly like a Grafana behind an internal CA.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.grafana_server.server import TlsFiles

_EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
_SERVER_EXTENSIONS = """\
subjectAltName=IP:127.0.0.1,DNS:localhost
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
"""


@dataclass(frozen=True, slots=True)
class Pki:
    ca_certificate: Path
    server: TlsFiles


def make_pki(directory: Path) -> Pki:
    """Create `ca.pem` and a `server.pem`/`server.key` pair signed by it in `directory`."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise RuntimeError("the TLS tests need the `openssl` command (Debian package openssl)")
    directory.mkdir(parents=True, exist_ok=True)

    def run(*args: str) -> None:
        subprocess.run([openssl, *args], cwd=directory, check=True, capture_output=True,
                       timeout=60)

    run("req", "-x509", *_EC_KEY, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=metricsctl test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    run("req", *_EC_KEY, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
    (directory / "server.ext").write_text(_SERVER_EXTENSIONS, encoding="utf-8")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "server.ext")
    return Pki(directory / "ca.pem", TlsFiles(directory / "server.pem", directory / "server.key"))
