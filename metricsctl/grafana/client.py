"""Grafana's HTTP API over requests: auth, TLS, timeouts, retries and typed errors.

Every HTTP answer comes back as an `ApiResponse` (404, 409, 412... are answers the caller
interprets); network failures raise a `GrafanaError` subclass with a one-line message.
429 and 5xx answers, connection failures and timeouts are retried with exponential
backoff and jitter (429's Retry-After is honoured), at most `RetryPolicy.attempts` times
and within `RetryPolicy.budget` seconds; other 4xx answers are never retried.

`timeout` bounds each attempt as a whole, connect and every read (deadline.py), so one
request never takes more than `RetryPolicy.longest_request(timeout)`. Text from the server
(error bodies, messages) is redacted of the credentials (redaction.py) before anyone sees
it; a `WaitListener` (progress.py) hears of every retry and slow answer.

requests is imported here, and this module only by the commands that talk to Grafana.
Each thread gets its own requests.Session, so a thread pool can share one client.
"""

from __future__ import annotations

import json
import random
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from metricsctl import __version__
from metricsctl.grafana.backoff import (
    MIN_ATTEMPT_TIMEOUT,
    RetryPolicy,
    is_retryable_status,
    parse_retry_after,
)
from metricsctl.grafana.deadline import DeadlineAdapter, request_deadline, watchdog
from metricsctl.grafana.errors import (
    DnsError,
    DroppedConnectionError,
    GrafanaError,
    GrafanaTimeoutError,
    NetworkError,
    RefusedConnectionError,
    TlsError,
)
from metricsctl.grafana.progress import SLOW_AFTER, RetryNotice, SlowNotice, WaitListener
from metricsctl.grafana.redaction import redact
from metricsctl.grafana.settings import ConnectionSettings
from metricsctl.grafana.tls import error_causes, session_verification, tls_failure_reason

if TYPE_CHECKING:
    import requests

USER_AGENT = f"metricsctl/{__version__}"
_MAX_TEXT = 2000  # characters of a non-JSON body kept for messages
_MAX_MESSAGE = 300  # characters of a server's message shown
_SECRET_MARGIN = 4096  # redacted before cutting: a secret across the cut must not half-show


@dataclass(frozen=True, slots=True)
class ApiResponse:
    """One HTTP answer: status, parsed JSON body (None when not JSON), and how it went."""

    status: int
    body: Any = field(repr=False)  # server text: may echo credentials
    text: str
    content_type: str
    attempts: int = 1
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    secrets: tuple[str, ...] = field(default=(), repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def is_json(self) -> bool:
        return self.body is not None

    @property
    def is_json_object(self) -> bool:
        """A JSON object sent as JSON (`application/json`): the shape of Grafana's answers."""
        return isinstance(self.body, dict) and "json" in self.content_type.lower()

    @property
    def message(self) -> str:
        """Grafana's error message (`{"message": ...}`), else the start of the body; with the
        credentials redacted (servers echo requests back)."""
        if isinstance(self.body, dict) and isinstance(self.body.get("message"), str):
            text = str(self.body["message"])
        else:
            text = self.text
        return redact(" ".join(text.split()), self.secrets)[:_MAX_MESSAGE]

    @property
    def status_field(self) -> str | None:
        """Grafana's machine-readable `status` (`version-mismatch`, `plugin-dashboard`...)."""
        if isinstance(self.body, dict) and isinstance(self.body.get("status"), str):
            return str(self.body["status"])
        return None

    def describe(self) -> str:
        """`HTTP 503: injected failure (after 5 attempts)` for failure messages."""
        detail = f": {self.message}" if self.message else ""
        tries = f" (after {self.attempts} attempts)" if self.attempts > 1 else ""
        return f"HTTP {self.status}{detail}{tries}"


def path_segment(value: str) -> str:
    """A value placed in a URL path, with every reserved character (`/` too) escaped; a
    `.` or `..` segment is escaped too, or URL normalization would walk up the path."""
    if value in (".", ".."):
        return value.replace(".", "%2E")
    return quote(value, safe="")


class GrafanaClient:
    """A client for one Grafana: `client.request("GET", "/api/search", params={...})`."""

    def __init__(self, settings: ConnectionSettings, *, retry: RetryPolicy | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic,
                 rng: random.Random | None = None,
                 listener: WaitListener | None = None) -> None:
        self.settings = settings
        self.retry = retry or RetryPolicy()
        self.listener = listener
        self._secrets = settings.credentials.secrets()
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._sessions_lock = threading.Lock()
        parts = urlsplit(settings.url)
        self.host = parts.netloc
        self.hostname = parts.hostname or parts.netloc

    def __repr__(self) -> str:
        return f"GrafanaClient({self.settings.url!r})"

    @property
    def url(self) -> str:
        return self.settings.url

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> ApiResponse:
        return self.request("GET", path, params=params)

    def post(self, path: str, body: Any) -> ApiResponse:
        return self.request("POST", path, body=body)

    def delete(self, path: str) -> ApiResponse:
        return self.request("DELETE", path)

    def request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
                body: Any = None) -> ApiResponse:
        """Send one API request, retrying transient failures; raise GrafanaError when the
        network fails for good. `path` starts with `/api/`; `params` values may be lists."""
        deadline = self._clock() + self.retry.budget
        attempt = 0
        while True:
            attempt += 1
            timeout = max(MIN_ATTEMPT_TIMEOUT,
                          min(self.settings.timeout, deadline - self._clock()))
            outcome = self._attempt(method, path, params, body, timeout, attempt)
            if isinstance(outcome, GrafanaError):
                # Raised outside any `except` block: nothing chains back to requests'
                # exception, whose request object holds the Authorization header.
                if not outcome.retryable or attempt >= self.retry.attempts:
                    raise self._final(outcome, attempt)
                wait = self.retry.delay(attempt, self._rng)
                if self._clock() + wait >= deadline:
                    raise self._final(outcome, attempt)
                reason = self.settings.credentials.redact(outcome.message)
            else:
                if not is_retryable_status(outcome.status) or attempt >= self.retry.attempts:
                    return outcome
                wait = self.retry.delay(attempt, self._rng)
                asked = parse_retry_after(outcome.headers.get("retry-after"))
                if asked is not None:
                    # The server knows best when it can take us again, within our bound.
                    wait = min(asked, self.retry.max_delay)
                if self._clock() + wait >= deadline:
                    return outcome
                reason = f"HTTP {outcome.status}"
            if self.listener is not None:
                self.listener.retrying(RetryNotice(method, self.settings.url + path, reason,
                                                   attempt, self.retry.attempts, wait))
            self._sleep(wait)

    def close(self) -> None:
        with self._sessions_lock:
            for session in self._sessions:
                session.close()
            self._sessions.clear()

    def __enter__(self) -> GrafanaClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- internals ----------------------------------------------------------------------------

    def _final(self, error: GrafanaError, attempts: int) -> GrafanaError:
        """The error to raise, its message redacted and the attempts counted."""
        message = redact(error.message, self._secrets)
        if attempts > 1:
            message = f"{message} (after {attempts} attempts)"
        return type(error)(message, error.hint)

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            import requests
            from requests.utils import get_environ_proxies

            session = requests.Session()
            # Not requests' trust_env: with it, a ~/.netrc entry for the host would replace
            # the token's Authorization header. The proxy and CA-bundle variables people set
            # for curl and requests are honoured explicitly instead.
            session.trust_env = False
            session.proxies.update(get_environ_proxies(self.settings.url))
            # Our own loop retries, with backoff; urllib3 must not retry underneath it. The
            # adapter's connections obey each request's whole-request deadline.
            adapter = DeadlineAdapter(max_retries=0, pool_connections=1, pool_maxsize=4)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            session.verify = session_verification(self.settings.verify)
            session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
            session.headers["Authorization"] = self.settings.credentials.authorization()
            self._local.session = session
            with self._sessions_lock:
                self._sessions.append(session)
        return session

    def _attempt(self, method: str, path: str, params: Mapping[str, Any] | None, body: Any,
                 timeout: float, attempt: int) -> ApiResponse | GrafanaError:
        """One try: the answer, or the network failure as a (not raised) GrafanaError."""
        import requests

        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json"} if data is not None else None
        url = self.settings.url + path
        session = self._session()
        slow = None
        if self.listener is not None and timeout > SLOW_AFTER:
            listener = self.listener
            notice = SlowNotice(method, url, attempt, self.retry.attempts, SLOW_AFTER, timeout)
            # Announced from a thread of its own: a blocked stderr must never hold up the
            # watchdog, which enforces every request's deadline.
            slow = watchdog().schedule(SLOW_AFTER, lambda: threading.Thread(
                target=listener.slow, args=(notice,), name="metricsctl-notice",
                daemon=True).start())
        try:
            with request_deadline(timeout) as deadline:
                try:
                    raw = session.request(method, url, params=params, data=data,
                                          headers=headers, timeout=deadline.socket_timeout())
                except requests.RequestException as error:
                    return self._classify(error, timeout, cut_off=deadline.expired)
        finally:
            if slow is not None:
                slow.cancel()
        content_type = raw.headers.get("Content-Type", "")
        parsed: Any = None
        if "json" in content_type and raw.content:
            try:
                # Straight from bytes: requests' .text/.json() would first guess the charset
                # of the whole body, which costs more than the request on large dashboards.
                parsed = json.loads(raw.content)
            except ValueError:
                parsed = None
        # The text is kept for error messages only; JSON is UTF-8 (RFC 8259).
        text = "" if parsed is not None else redact(
            raw.content[:_MAX_TEXT + _SECRET_MARGIN].decode("utf-8", "replace"),
            self._secrets)[:_MAX_TEXT]
        return ApiResponse(raw.status_code, parsed, text, content_type, attempt,
                           {name.lower(): value for name, value in raw.headers.items()},
                           self._secrets)

    def _classify(self, error: Exception, timeout: float, *, cut_off: bool = False
                  ) -> GrafanaError:
        """A one-line, credential-free error for a requests exception; `cut_off`: the
        whole-request deadline ended it."""
        import requests

        host = self.host
        if isinstance(error, requests.exceptions.ConnectTimeout):
            return GrafanaTimeoutError(f"timed out connecting to {host} after {timeout:g} s",
                                   "check the URL, the network and any firewall in between")
        if cut_off or isinstance(error, requests.exceptions.Timeout):
            return GrafanaTimeoutError(f"{host} did not answer within {timeout:g} s",
                                       "Grafana or the network is slow or overloaded; --timeout "
                                       "bounds each request as a whole (connect and every "
                                       "read) and raises the limit")
        if isinstance(error, requests.exceptions.SSLError):
            return TlsError(f"TLS with {host} failed: {tls_failure_reason(error)}",
                              "pass --ca-cert with the CA that signed Grafana's certificate "
                              "(or --insecure to skip verification, not recommended)")
        chain = list(error_causes(error))
        if any(isinstance(cause, socket.gaierror) or type(cause).__name__ == "NameResolutionError"
               for cause in chain):
            return DnsError(f"cannot resolve the host name {self.hostname!r}",
                              "check the Grafana URL (--grafana-url or GRAFANA_URL)")
        if any(isinstance(cause, ConnectionRefusedError) for cause in chain):
            return RefusedConnectionError(f"connection refused by {host}",
                                     "is Grafana running, and is the URL's port right?")
        if any(isinstance(cause, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError))
               or type(cause).__name__ in ("RemoteDisconnected", "ProtocolError")
               for cause in chain):
            return DroppedConnectionError(f"{host} closed the connection without answering",
                                     "a proxy or Grafana dropped the request")
        if isinstance(error, requests.exceptions.ConnectionError):
            reason = next((c for c in reversed(chain) if isinstance(c, OSError)), error)
            return NetworkError(f"cannot connect to {host}: {_short(reason)}")
        return NetworkError(f"request to {host} failed: {type(error).__name__}")








def _short(error: BaseException) -> str:
    """An exception's message without urllib3's object reprs."""
    text = str(error.args[-1] if isinstance(error, OSError) and error.args else error)
    text = text.split(": ", 1)[-1] if "object at 0x" in text else text
    return " ".join(text.split())[:200]
