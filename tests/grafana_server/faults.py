"""Fault injection: what a flaky network or an overloaded Grafana does to a client.

A rule matches requests by method, path pattern (fnmatch, on the decoded path) and
optionally a dashboard uid (from `/uid/<uid>` in the path or `dashboard.uid` in the body),
and fires for the next `times` matching requests (None: for ever).
"""

from __future__ import annotations

import fnmatch
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

LOGIN_PAGE = (b"<!doctype html><html><head><title>Sign in</title></head><body>"
              b"<form method=post action=/oauth2/start><button>Sign in</button></form>"
              b"</body></html>")


class FaultKind(Enum):
    STATUS = "status"  # answer with an error status (500, 502, 503...)
    RATE_LIMIT = "rate-limit"  # 429 with a Retry-After header
    DELAY = "delay"  # sleep, then answer normally (a slow Grafana)
    DROP = "drop"  # close the connection without answering
    ANSWER = "answer"  # a fixed answer that is not Grafana's: a login page, a cut-off body
    DRIP = "drip"  # Grafana's answer, one byte every `seconds` (a stalled link)
    ECHO = "echo"  # an error whose body echoes the request headers, credentials included
    HOOK = "hook"  # run an action (someone editing in Grafana), then answer normally


@dataclass(slots=True)
class Fault:
    kind: FaultKind
    method: str | None
    path: str
    uid: str | None
    times: int | None
    status: int = 503
    retry_after: str | None = None
    seconds: float = 0.0
    after_processing: bool = False  # DELAY/DROP/ANSWER once Grafana has done the work
    content_type: str = "application/json"  # ANSWER
    payload: bytes = b""  # ANSWER: the body sent
    declared_length: int | None = None  # ANSWER: a Content-Length larger than the body sent
    action: Callable[[], None] | None = None  # HOOK
    skip: int = 0  # matching requests let through before the rule starts firing

    def matches(self, method: str, path: str, body: Any) -> bool:
        if self.method is not None and self.method != method:
            return False
        if not fnmatch.fnmatchcase(path, self.path):
            return False
        return self.uid is None or self.uid == _uid_of(path, body)


def _uid_of(path: str, body: Any) -> str | None:
    if "/uid/" in path:
        return path.split("/uid/", 1)[1].split("/", 1)[0]
    if isinstance(body, dict) and isinstance(body.get("dashboard"), dict):
        uid = body["dashboard"].get("uid")
        return uid if isinstance(uid, str) else None
    return None


class Faults:
    """The rules a server applies, first match wins; each firing uses up one of `times`."""

    def __init__(self) -> None:
        self._rules: list[Fault] = []
        self._lock = threading.Lock()

    def fail(self, status: int = 503, *, method: str | None = None, path: str = "*",
             uid: str | None = None, times: int | None = 1) -> None:
        """Answer matching requests with `status` and a Grafana-style error body."""
        self._add(Fault(FaultKind.STATUS, method, path, uid, times, status=status))

    def rate_limit(self, retry_after: str = "1", *, method: str | None = None, path: str = "*",
                   uid: str | None = None, times: int | None = 1) -> None:
        """Answer 429 Too Many Requests with `Retry-After: <retry_after>` (seconds or a date)."""
        self._add(Fault(FaultKind.RATE_LIMIT, method, path, uid, times, status=429,
                        retry_after=retry_after))

    def delay(self, seconds: float, *, method: str | None = None, path: str = "*",
              uid: str | None = None, times: int | None = 1,
              after_processing: bool = False) -> None:
        """Wait `seconds` before handling the request (or, `after_processing`, before sending
        the answer of a request already carried out)."""
        self._add(Fault(FaultKind.DELAY, method, path, uid, times, seconds=seconds,
                        after_processing=after_processing))

    def drop(self, *, method: str | None = None, path: str = "*", uid: str | None = None,
             times: int | None = 1, after_processing: bool = False) -> None:
        """Close the connection without any response: right after reading the request, or
        (`after_processing`) once the request was carried out."""
        self._add(Fault(FaultKind.DROP, method, path, uid, times,
                        after_processing=after_processing))

    def answer(self, status: int, payload: bytes, content_type: str, *,
               method: str | None = None, path: str = "*", uid: str | None = None,
               times: int | None = 1, after_processing: bool = False,
               declared_length: int | None = None) -> None:
        """Answer with `payload` instead of Grafana's answer: a login proxy's page, a body cut
        short (`declared_length` larger than the payload: the connection closes mid-body)...
        With `after_processing`, Grafana carried the request out first."""
        self._add(Fault(FaultKind.ANSWER, method, path, uid, times, status=status,
                        after_processing=after_processing, content_type=content_type,
                        payload=payload, declared_length=declared_length))

    def login_page(self, **match: Any) -> None:
        """A login proxy in front of Grafana: `200 text/html` with its sign-in page."""
        self.answer(200, LOGIN_PAGE, "text/html; charset=utf-8", **match)

    def drip(self, seconds: float = 0.5, *, method: str | None = None, path: str = "*",
             uid: str | None = None, times: int | None = 1) -> None:
        """Carry the request out, then send the answer (status line and headers too) one byte
        every `seconds`: each read succeeds, the whole answer takes minutes."""
        self._add(Fault(FaultKind.DRIP, method, path, uid, times, seconds=seconds))

    def echo_headers(self, status: int = 400, *, method: str | None = None, path: str = "*",
                     uid: str | None = None, times: int | None = 1) -> None:
        """An error whose message repeats every request header, Authorization included (as
        some proxies and debug modes do)."""
        self._add(Fault(FaultKind.ECHO, method, path, uid, times, status=status))

    def hook(self, action: Callable[[], None], *, method: str | None = None, path: str = "*",
             uid: str | None = None, skip: int = 0, times: int | None = 1) -> None:
        """Run `action` before handling a matching request, after letting `skip` through:
        `hook(edit, method="GET", uid="a", skip=1)` edits dashboard `a` right after the
        plan read it, before the next read."""
        self._add(Fault(FaultKind.HOOK, method, path, uid, times, action=action, skip=skip))

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def take(self, method: str, path: str, body: Any) -> Fault | None:
        """The first rule matching this request, counted as fired."""
        with self._lock:
            for rule in self._rules:
                if rule.matches(method, path, body):
                    if rule.skip > 0:
                        rule.skip -= 1
                        continue
                    if rule.times is not None:
                        rule.times -= 1
                        if rule.times <= 0:
                            self._rules.remove(rule)
                    return rule
            return None

    def _add(self, rule: Fault) -> None:
        with self._lock:
            self._rules.append(rule)
