"""A loopback HTTP(S) server answering fixed replies per path, recording what it was asked.

Real sockets and real HTTP/1.1 for the fetch tests (and live-check's bad-input tests): an
exporter, a login page, a 401, a truncated body, a server that answers 503 then recovers.
"""

from __future__ import annotations

import gzip
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class Reply:
    body: bytes
    status: int = 200
    content_type: str = "text/plain; version=0.0.4; charset=utf-8"
    gzip: bool = False  # send with Content-Encoding: gzip
    cut_at: int | None = None  # announce the full length, send only this many bytes
    then: Reply | None = None  # the reply to every later request
    drip: float = 0.0  # seconds between the body's bytes (a server that never finishes)


@dataclass
class Seen:
    path: str
    headers: dict[str, str]


@dataclass
class BodyServer:
    routes: dict[str, Reply]
    requests: list[Seen] = field(default_factory=list)
    url: str = ""


@contextmanager
def serve(routes: dict[str, Reply], certificate: tuple[Path, Path] | None = None
          ) -> Iterator[BodyServer]:
    """Serve `routes` on 127.0.0.1 (HTTPS with (certificate, key)); stopped on exit."""
    state = BodyServer(routes)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            state.requests.append(Seen(self.path, {k.lower(): v for k, v in
                                                   self.headers.items()}))
            reply = state.routes.get(path, Reply(b"not found\n", 404))
            if reply.then is not None:
                state.routes[path] = reply.then
            body = gzip.compress(reply.body) if reply.gzip else reply.body
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(body)))
            if reply.gzip:
                self.send_header("Content-Encoding", "gzip")
            if reply.cut_at is not None:
                self.send_header("Connection", "close")
            self.end_headers()
            if reply.drip:
                for position in range(len(body)):
                    try:
                        self.wfile.write(body[position:position + 1])
                        self.wfile.flush()
                    except OSError:  # the client gave up
                        return
                    time.sleep(reply.drip)
                return
            self.wfile.write(body if reply.cut_at is None else body[:reply.cut_at])
            if reply.cut_at is not None:
                self.close_connection = True

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    scheme = "http"
    if certificate is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(certificate[0]), str(certificate[1]))
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    state.url = f"{scheme}://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
