"""A Grafana-compatible HTTP server on 127.0.0.1 for tests and benchmarks.

Real sockets, real HTTP/1.1 (keep-alive), optional TLS; the API subset a push client uses
(see state.py for the semantics), authentication like Grafana's (Bearer service-account
tokens and basic auth; 401 without valid credentials, 403 for a Viewer writing), a log of
every request for tests to inspect, fault injection (faults.py) and "not Grafana" modes.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import copy
import json
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests.grafana_server.faults import Fault, FaultKind, Faults
from tests.grafana_server.state import (
    GRAFANA_VERSION,
    DashboardVersion,
    GrafanaState,
    Identity,
    Reply,
)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# What else may answer on a Grafana URL: a web page, a bare 404, another product's health.
IMPERSONATIONS = ("html", "not-found", "other-json")


@dataclass(frozen=True, slots=True)
class TlsFiles:
    certificate: Path  # PEM, the server's certificate chain
    key: Path  # PEM, its private key


@dataclass(slots=True)
class RequestRecord:
    """One request as the server saw it. `status` is 0 when the connection was dropped."""

    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    identity: str | None
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def is_write(self) -> bool:
        return self.method in WRITE_METHODS


class GrafanaServer:
    """Start with `with GrafanaServer(tokens={...}) as grafana:`; `grafana.url` is its base URL.

    `tokens` maps a service-account token to its role ("Admin", "Editor", "Viewer");
    `users` maps a login to (password, role) for basic auth.
    """

    def __init__(self, *, tokens: Mapping[str, str] | None = None,
                 users: Mapping[str, tuple[str, str]] | None = None,
                 tls: TlsFiles | None = None, version: str = GRAFANA_VERSION) -> None:
        self.state = GrafanaState(version)
        self.faults = Faults()
        self.tokens = dict(tokens or {})
        self.users = dict(users or {})
        self.impersonating: str | None = None
        self._tls = tls
        self._log: list[RequestRecord] = []
        self._log_lock = threading.Lock()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> GrafanaServer:
        httpd = _HTTPServer(("127.0.0.1", 0), _Handler, self)
        if self._tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(self._tls.certificate, self._tls.key)
            # The handshake runs in the handler thread, so a client that rejects the
            # certificate does not stall the accept loop.
            httpd.socket = context.wrap_socket(httpd.socket, server_side=True,
                                               do_handshake_on_connect=False)
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="grafana-loopback", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> GrafanaServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the server is not running")
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        scheme = "https" if self._tls is not None else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    # -- what tests inspect -------------------------------------------------------------------

    def requests(self, method: str | None = None, path: str | None = None) -> list[RequestRecord]:
        """Logged requests, oldest first, optionally only one method and/or exact path."""
        with self._log_lock:
            return [r for r in self._log
                    if (method is None or r.method == method) and (path is None or r.path == path)]

    def writes(self) -> list[RequestRecord]:
        """Every request that could change Grafana (POST, PUT, PATCH, DELETE)."""
        return [r for r in self.requests() if r.is_write]

    def clear_log(self) -> None:
        with self._log_lock:
            self._log.clear()

    def dashboard(self, uid: str) -> dict[str, Any] | None:
        """The stored dashboard JSON (a copy), None when absent."""
        reply = self.state.get_dashboard(uid)
        return copy.deepcopy(reply.body["dashboard"]) if reply.status == 200 else None

    def dashboard_folder(self, uid: str) -> str | None:
        return self.state.dashboards[uid].folder_uid

    def versions(self, uid: str) -> list[DashboardVersion]:
        """The dashboard's version history, oldest first."""
        with self.state.lock:
            return list(self.state.dashboards[uid].history)

    def write_count(self, uid: str) -> int:
        """How many times the dashboard was saved (its number of versions)."""
        with self.state.lock:
            stored = self.state.dashboards.get(uid)
            return len(stored.history) if stored else 0

    # -- seeding and behaviour ----------------------------------------------------------------

    def seed_folder(self, uid: str, title: str, parent_uid: str | None = None) -> None:
        self.state.seed_folder(uid, title, parent_uid)

    def seed_dashboard(self, dashboard: Mapping[str, Any], **options: Any) -> int:
        """See GrafanaState.seed_dashboard (folder_uid, provisioned, plugin_id, message)."""
        return self.state.seed_dashboard(dashboard, **options)

    def edit_in_ui(self, uid: str, change: Callable[[dict[str, Any]], None], *,
                   actor: str = "alice") -> int:
        """Someone edits the dashboard in Grafana's UI and saves it; returns the new version."""
        return self.state.edit_dashboard(uid, change, actor=actor)

    def impersonate(self, mode: str | None) -> None:
        """Stop behaving like Grafana: one of IMPERSONATIONS, or None to be Grafana again."""
        if mode is not None and mode not in IMPERSONATIONS:
            raise ValueError(f"unknown mode {mode!r}: choose from {IMPERSONATIONS}")
        self.impersonating = mode

    # -- request handling (called from handler threads) ---------------------------------------

    def record(self, record: RequestRecord) -> None:
        with self._log_lock:
            self._log.append(record)

    def authenticate(self, authorization: str | None) -> Identity | Reply:
        """The caller's identity, or the 401 Grafana answers."""
        if not authorization:
            return Reply(401, _unauthorized("Unauthorized", "auth.unauthorized"))
        scheme, _, credentials = authorization.partition(" ")
        if scheme.lower() == "bearer":
            role = self.tokens.get(credentials.strip())
            if role is None:
                return Reply(401, _unauthorized("Invalid API key", "api-key.invalid"))
            return Identity("service-account", role)
        if scheme.lower() == "basic":
            try:
                login, _, password = base64.b64decode(credentials, validate=True).decode(
                    "utf-8").partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return Reply(401, _unauthorized("Unauthorized", "auth.unauthorized"))
            expected = self.users.get(login)
            if expected is None or expected[0] != password:
                return Reply(401, _unauthorized("Invalid username or password",
                                                "password-auth.failed"))
            return Identity(login, expected[1])
        return Reply(401, _unauthorized("Unauthorized", "auth.unauthorized"))

    def route(self, method: str, segments: list[str], query: dict[str, list[str]], body: Any,
              identity: Identity) -> Reply:
        state = self.state
        match method, segments:
            case "GET", ["api", "search"]:
                return state.search(query)
            case "GET", ["api", "folders"]:
                return state.list_folders(query)
            case "POST", ["api", "folders"]:
                return state.create_folder(body, identity)
            case "GET", ["api", "folders", uid]:
                return state.get_folder(uid, identity)
            case "DELETE", ["api", "folders", uid]:
                return state.delete_folder(uid, identity)
            case "POST", ["api", "dashboards", "db"]:
                return state.save_dashboard(body, identity)
            case "GET", ["api", "dashboards", "uid", uid]:
                return state.get_dashboard(uid, identity)
            case "GET", ["api", "access-control", "user", "actions"]:
                return state.user_actions(identity)
            case "DELETE", ["api", "dashboards", "uid", uid]:
                return state.delete_dashboard(uid, identity)
        return Reply(404, {"message": "Not found"})


def _unauthorized(message: str, message_id: str) -> dict[str, Any]:
    return {"message": message, "messageId": message_id, "statusCode": 401, "traceID": ""}


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler],
                 app: GrafanaServer) -> None:
        self.app = app
        super().__init__(address, handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients hanging up, failed TLS handshakes: expected in fault tests, not news.
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer
    server_version = "Grafana-loopback"
    sys_version = ""

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without NODELAY, Nagle's algorithm and
        # delayed ACKs add ~40 ms to every keep-alive request.
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def _handle(self, method: str) -> None:
        app = self.server.app
        split = urlsplit(self.path)
        # Split the raw path first so that an encoded "/" (%2F) stays inside its segment.
        segments = [unquote(part) for part in split.path.split("/") if part]
        path = "/" + "/".join(segments)
        query = parse_qs(split.query, keep_blank_values=True)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body: Any = None
        malformed = False
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                malformed = True
        record = RequestRecord(method, path, query, body, None,
                               headers={k.lower(): v for k, v in self.headers.items()
                                        if k.lower() != "authorization"})
        app.record(record)

        fault = app.faults.take(method, path, body)
        if fault is not None and fault.kind is FaultKind.HOOK and fault.action is not None:
            fault.action()
            fault = None
        if fault is not None and not fault.after_processing:
            if fault.kind is FaultKind.DROP:
                self._drop()
                return
            if fault.kind is FaultKind.DELAY:
                time.sleep(fault.seconds)
            elif fault.kind is FaultKind.RATE_LIMIT:
                self._send(record, Reply(429, {"message": "Too many requests"}),
                           {"Retry-After": fault.retry_after or "1"})
                return
            elif fault.kind is FaultKind.ANSWER:
                self._answer_instead(record, fault)
                return
            elif fault.kind is FaultKind.ECHO:
                echoed = "; ".join(f"{name}: {value}" for name, value in self.headers.items())
                self._send(record, Reply(fault.status, {
                    "message": f"request rejected by the gateway (headers: {echoed})"}))
                return
            elif fault.kind is FaultKind.STATUS:
                self._send(record, Reply(fault.status, {"message": "injected failure"}))
                return

        reply = self._answer(app, method, segments, query, body, record, malformed)
        if reply is not None:
            record.status = reply.status  # decided now, whether or not it is ever received
        if fault is not None and fault.kind is FaultKind.DRIP and isinstance(reply, Reply):
            self._drip(reply, fault.seconds)
            return
        if fault is not None and fault.after_processing:
            if fault.kind is FaultKind.DROP:
                record.status = 0
                self._drop()
                return
            if fault.kind is FaultKind.ANSWER:
                self._answer_instead(record, fault)
                return
            time.sleep(fault.seconds)
        if isinstance(reply, Reply):
            self._send(record, reply)

    def _answer(self, app: GrafanaServer, method: str, segments: list[str],
                query: dict[str, list[str]], body: Any, record: RequestRecord,
                malformed: bool) -> Reply | None:
        """Grafana's answer to the request; None when it was already sent (impersonation)."""
        if app.impersonating is not None:
            self._impersonate(record, app.impersonating)
            return None
        if segments == ["api", "health"] and method == "GET":
            return app.state.health()
        identity = app.authenticate(self.headers.get("Authorization"))
        if isinstance(identity, Reply):
            return identity
        record.identity = identity.name
        if malformed:
            return Reply(400, {"message": "bad request data"})
        return app.route(method, segments, query, body, identity)

    def _send(self, record: RequestRecord, reply: Reply,
              headers: Mapping[str, str] | None = None) -> None:
        payload = json.dumps(reply.body).encode("utf-8")
        self._respond(record, reply.status, payload, "application/json", headers)

    def _respond(self, record: RequestRecord, status: int, payload: bytes, content_type: str,
                 headers: Mapping[str, str] | None = None) -> None:
        record.status = status
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def _answer_instead(self, record: RequestRecord, fault: Fault) -> None:
        """The fault's fixed answer; with a declared length beyond the payload, the connection
        closes before the body is complete."""
        record.status = fault.status
        self.send_response(fault.status)
        self.send_header("Content-Type", fault.content_type)
        self.send_header("Content-Length", str(fault.declared_length or len(fault.payload)))
        self.end_headers()
        self.wfile.write(fault.payload)
        if fault.declared_length is not None and fault.declared_length > len(fault.payload):
            self.wfile.flush()
            self._drop()

    def _drip(self, reply: Reply, seconds: float) -> None:
        """The whole answer, status line and headers included, one byte every `seconds`;
        stops when the client hangs up."""
        payload = json.dumps(reply.body).encode("utf-8")
        head = (f"HTTP/1.1 {reply.status} {self.responses.get(reply.status, ('',))[0]}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
                "Connection: close\r\n\r\n").encode("ascii")
        self.close_connection = True
        for index in range(len(head) + len(payload)):
            byte = (head + payload)[index:index + 1]
            try:
                self.connection.sendall(byte)
            except OSError:
                return
            time.sleep(seconds)

    def _impersonate(self, record: RequestRecord, mode: str) -> None:
        if mode == "html":
            page = b"<!doctype html><html><head><title>Welcome</title></head></html>"
            self._respond(record, 200, page, "text/html; charset=utf-8")
        elif mode == "other-json":
            self._respond(record, 200, b'{"status":"UP"}', "application/json")
        else:
            self._respond(record, 404, b"404 page not found\n", "text/plain; charset=utf-8")

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def finish(self) -> None:
        with contextlib.suppress(OSError):  # dropped on purpose, or by the client
            super().finish()



@contextlib.contextmanager
def silent_url() -> Iterator[str]:
    """An http:// URL whose port accepts connections (the kernel does) and never answers:
    what a hung Grafana or a black-holing proxy looks like to a client."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
