"""GET over HTTP(S) for exporters and Prometheus alike: timeouts, bounded retries with backoff,
a size bound, TLS verified by default, a bearer token that never appears in a message.

Failures are `FetchError`s whose message is one line naming the host and what went wrong
(refused, timed out, TLS, 401 ...), with any server text redacted of the token.
"""

from __future__ import annotations

import random
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from metricsctl import __version__
from metricsctl.grafana.backoff import RetryPolicy, is_retryable_status, parse_retry_after
from metricsctl.grafana.progress import SLOW_AFTER, RetryNotice, SlowNotice, WaitListener
from metricsctl.grafana.tls import error_causes, session_verification, tls_failure_reason

if TYPE_CHECKING:
    import requests

USER_AGENT = f"metricsctl/{__version__}"
DEFAULT_RETRY = RetryPolicy(attempts=3, base_delay=0.25, max_delay=4.0, budget=30.0)
_MAX_ERROR_TEXT = 200


class FetchError(Exception):
    """A request that failed for good; `message` is one line, `hint` says what to try."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True, slots=True)
class HttpSettings:
    """How to reach a server. `verify` is requests' (True, a CA bundle path, or False)."""

    timeout: float = 10.0
    verify: bool | str = True
    token: str | None = field(default=None, repr=False)
    token_variable: str = "the token"  # named in messages about credentials
    retry: RetryPolicy = DEFAULT_RETRY
    max_bytes: int = 256 * 1024 * 1024

    def redact(self, text: str) -> str:
        """`text` without the token in any form, nor any Authorization header value."""
        from metricsctl.grafana.redaction import redact, secret_forms

        return redact(text, secret_forms(token=self.token))


@dataclass(frozen=True, slots=True)
class HttpBody:
    url: str
    status: int
    content_type: str | None
    data: bytes  # Content-Encoding (gzip) already undone
    retry_after: float | None = None  # seconds, from a Retry-After header


class HttpGetter:
    """GETs with one session (connection reuse); use as a context manager."""

    def __init__(self, settings: HttpSettings, *, seed: int | None = None,
                 listener: WaitListener | None = None) -> None:
        self.settings = settings
        self.listener = listener  # told of retries and slow answers (grafana/progress.py)
        self._session: requests.Session | None = None
        self._rng = random.Random(seed)

    def __enter__(self) -> HttpGetter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._session is not None:
            self._session.close()

    def get(self, url: str, params: Mapping[str, str | list[str]] | None = None,
            accept: str = "*/*") -> HttpBody:
        """The 2xx answer to GET `url`, after retries; FetchError otherwise."""
        return self._request("GET", url, params, accept)

    def post_form(self, url: str, form: Mapping[str, str | list[str]],
                  accept: str = "*/*") -> HttpBody:
        """POST `form` url-encoded (a long selector does not fit in a URL behind a proxy)."""
        return self._request("POST", url, form, accept)

    def _request(self, method: str, url: str, fields: Mapping[str, str | list[str]] | None,
                 accept: str) -> HttpBody:
        policy = self.settings.retry
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            outcome = self._attempt(method, url, fields, accept, attempt)
            retry_after: float | None = None
            if isinstance(outcome, HttpBody):
                if 200 <= outcome.status < 300:
                    return outcome
                error = _status_error(outcome, self.settings)
                if not is_retryable_status(outcome.status):
                    raise error
                retry_after = outcome.retry_after
            else:
                error, retryable = outcome
                if not retryable:
                    raise error
            delay = retry_after if retry_after is not None else policy.delay(attempt, self._rng)
            if attempt >= policy.attempts or time.monotonic() - started + delay > policy.budget:
                if attempt > 1:
                    error = FetchError(f"{error.message} (after {attempt} attempts)", error.hint)
                raise error
            if self.listener is not None:
                self.listener.retrying(RetryNotice(
                    method, self.settings.redact(url), self.settings.redact(error.message),
                    attempt, policy.attempts, delay))
            time.sleep(delay)

    def _session_for(self) -> requests.Session:
        if self._session is None:
            import requests

            from metricsctl.grafana.deadline import DeadlineAdapter

            session = requests.Session()
            # Not trust_env: a ~/.netrc entry would replace the bearer token; the proxy and
            # CA-bundle variables are honoured explicitly instead (see session_verification).
            session.trust_env = False
            # Our loop retries, with backoff; the adapter's connections obey the deadline of
            # each attempt (grafana/deadline.py: a dripping answer is cut off in time).
            adapter = DeadlineAdapter(max_retries=0)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            session.verify = session_verification(self.settings.verify)
            session.headers["User-Agent"] = USER_AGENT
            if self.settings.token:
                session.headers["Authorization"] = f"Bearer {self.settings.token}"
            self._session = session
        return self._session

    def _attempt(self, method: str, url: str, fields: Mapping[str, str | list[str]] | None,
                 accept: str, attempt: int) -> HttpBody | tuple[FetchError, bool]:
        """One try, connect and the whole body within the timeout: the answer, or the failure
        and whether another try may help."""
        session = self._session_for()
        timeout = self.settings.timeout
        slow = None
        if self.listener is not None and timeout > SLOW_AFTER:
            from metricsctl.grafana.deadline import watchdog

            listener = self.listener
            notice = SlowNotice(method, self.settings.redact(url), attempt,
                                self.settings.retry.attempts, SLOW_AFTER, timeout)
            # From a thread of its own: a blocked stderr must never hold up the watchdog,
            # which enforces every request's deadline.
            slow = watchdog().schedule(SLOW_AFTER, lambda: threading.Thread(
                target=listener.slow, args=(notice,), name="metricsctl-notice",
                daemon=True).start())
        try:
            return self._attempt_within(session, method, url, fields, accept, timeout)
        finally:
            if slow is not None:
                slow.cancel()

    def _attempt_within(self, session: requests.Session, method: str, url: str,
                        fields: Mapping[str, str | list[str]] | None, accept: str,
                        timeout: float) -> HttpBody | tuple[FetchError, bool]:
        import requests
        from requests.utils import get_environ_proxies

        from metricsctl.grafana.deadline import request_deadline

        with request_deadline(timeout) as deadline:
            try:
                with session.request(
                        method, url, params=fields if method == "GET" else None,
                        data=fields if method != "GET" else None, headers={"Accept": accept},
                        timeout=deadline.socket_timeout(), stream=True,
                        proxies=get_environ_proxies(url)) as response:
                    data = self._read_bounded(response, url)
                    body = HttpBody(response.url, response.status_code,
                                    response.headers.get("Content-Type"), data,
                                    parse_retry_after(response.headers.get("Retry-After")))
            except FetchError as error:
                return (_timed_out(url, timeout), True) if deadline.expired else (error, False)
            except requests.RequestException as error:
                if deadline.expired:
                    return _timed_out(url, timeout), True
                return _network_error(error, url, timeout)
            if deadline.expired:  # cut off at the end of a body without a length
                return _timed_out(url, timeout), True
        return body

    def _read_bounded(self, response: requests.Response, url: str) -> bytes:
        limit = self.settings.max_bytes
        chunks: list[bytes] = []
        size = 0
        import requests

        try:
            for chunk in response.iter_content(chunk_size=256 * 1024):
                size += len(chunk)
                if size > limit:
                    raise FetchError(f"{host_of(url)} sent more than {limit // (1024 * 1024)} "
                                     "MiB; refusing to read further")
                chunks.append(chunk)
        except (requests.exceptions.ContentDecodingError,
                requests.exceptions.ChunkedEncodingError) as error:
            raise FetchError(f"{host_of(url)} sent a broken or truncated body "
                             f"({type(error).__name__})") from None
        return b"".join(chunks)


def host_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc.rpartition("@")[2] or url


def _status_error(body: HttpBody, settings: HttpSettings) -> FetchError:
    host = host_of(body.url)
    text = " ".join(body.data[:2048].decode("utf-8", "replace").split())
    excerpt = settings.redact(text)[:_MAX_ERROR_TEXT]
    said = f": {excerpt}" if excerpt and not excerpt.lstrip().startswith("<") else ""
    if body.status == 401:
        return FetchError(f"{host} answered 401 Unauthorized{said}",
                          f"set {settings.token_variable} to a valid token" if not settings.token
                          else f"the token in {settings.token_variable} was refused")
    if body.status == 403:
        return FetchError(f"{host} answered 403 Forbidden{said}",
                          f"the credentials in {settings.token_variable} lack permission")
    if body.status == 404:
        return FetchError(f"{host} answered 404 Not Found for {urlsplit(body.url).path}",
                          "check the URL's path")
    return FetchError(f"{host} answered HTTP {body.status}{said}")


def _timed_out(url: str, timeout: float) -> FetchError:
    return FetchError(f"{host_of(url)} did not answer within {timeout:g} s",
                      "--timeout bounds each request as a whole (connect and every read)")








def _network_error(error: Exception, url: str, timeout: float) -> tuple[FetchError, bool]:
    """A one-line error for a requests exception, and whether trying again may help."""
    import requests

    host = host_of(url)
    if isinstance(error, requests.exceptions.SSLError):
        return FetchError(f"TLS with {host} failed: {tls_failure_reason(error)}",
                          "pass --ca-cert with the CA that signed the server's certificate"), False
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return FetchError(f"timed out connecting to {host} after {timeout:g} s"), True
    if isinstance(error, requests.exceptions.Timeout):
        return _timed_out(url, timeout), True
    if isinstance(error, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                          requests.exceptions.InvalidSchema)):
        return FetchError(f"{url!r} is not a valid http:// or https:// URL"), False
    chain = list(error_causes(error))
    if any(isinstance(cause, socket.gaierror) or type(cause).__name__ == "NameResolutionError"
           for cause in chain):
        return FetchError(f"cannot resolve the host name in {host}"), False
    if any(isinstance(cause, ConnectionRefusedError) for cause in chain):
        return FetchError(f"connection refused by {host}",
                          "is the server running, and is the port right?"), True
    if any(isinstance(cause, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError))
           or type(cause).__name__ in ("RemoteDisconnected", "ProtocolError") for cause in chain):
        return FetchError(f"{host} closed the connection without answering"), True
    return FetchError(f"request to {host} failed: {type(error).__name__}"), True
