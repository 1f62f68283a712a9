"""A whole-request time limit: connecting, sending and every read of the answer, together.

requests' `timeout` bounds each socket operation, not the request: a server that sends one
byte every half second answers every read in time and keeps a client for minutes. Here a
request runs inside `request_deadline(seconds)`; the connection pools of `DeadlineAdapter`
tell the thread's deadline which connection carries the request, and when time is up one
watchdog thread shuts that socket down, which ends the read in progress at once (the
request then fails, and `Deadline.expired` says why). Each socket operation also keeps its
own timeout (the time left), so a connect that hangs ends in time too.

Use (any requests-based client, Grafana's or Prometheus'):

    session.mount("http://", DeadlineAdapter(max_retries=0))
    with request_deadline(10.0) as deadline:
        response = session.get(url, timeout=deadline.socket_timeout())
    # on an exception: `deadline.expired` tells a whole-request timeout from other failures

Not bounded: name resolution (getaddrinfo cannot be interrupted) and requests through a
SOCKS proxy (its pools are urllib3's own).
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

Clock = Callable[[], float]
MIN_SOCKET_TIMEOUT = 0.05  # seconds: a socket timeout of 0 would mean non-blocking


class Alarm:
    """An action the watchdog runs at `when` unless cancelled first."""

    __slots__ = ("_action", "_cancelled", "when")

    def __init__(self, when: float, action: Callable[[], None]) -> None:
        self.when = when
        self._action = action
        self._cancelled = False

    def cancel(self) -> None:
        self._cancelled = True

    def fire(self) -> None:
        if not self._cancelled:
            self._cancelled = True
            self._action()


class Watchdog:
    """One daemon thread running alarms at their time (time.monotonic), earliest first."""

    def __init__(self) -> None:
        self._alarms: list[tuple[float, int, Alarm]] = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def schedule(self, delay: float, action: Callable[[], None]) -> Alarm:
        """Run `action` (quickly: it runs on the watchdog thread) in `delay` seconds."""
        alarm = Alarm(time.monotonic() + delay, action)
        with self._wake:
            heapq.heappush(self._alarms, (alarm.when, next(self._order), alarm))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="metricsctl-watchdog",
                                                daemon=True)
                self._thread.start()
            if self._alarms[0][2] is alarm:
                # Only a new earliest alarm changes when the watchdog must wake: requests
                # with one timeout schedule later and later alarms, and wake nobody.
                self._wake.notify()
        return alarm

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._alarms or self._alarms[0][0] > time.monotonic():
                    wait = self._alarms[0][0] - time.monotonic() if self._alarms else None
                    self._wake.wait(wait)
                _, _, alarm = heapq.heappop(self._alarms)
            with contextlib.suppress(Exception):  # one failing action must not stop the others
                alarm.fire()


_WATCHDOG = Watchdog()


def watchdog() -> Watchdog:
    """The process's watchdog (also used to announce slow answers)."""
    return _WATCHDOG


class Deadline:
    """The end of one request: `remaining()` seconds left; `expired` once the watchdog cut
    the request off."""

    def __init__(self, seconds: float, clock: Clock = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._ends = clock() + seconds
        self._lock = threading.Lock()
        self._connections: list[Any] = []
        self.expired = False

    def remaining(self) -> float:
        return max(0.0, self._ends - self._clock())

    def socket_timeout(self) -> float:
        """requests' per-operation timeout: never more than the time left."""
        return max(MIN_SOCKET_TIMEOUT, self.remaining())

    def attach(self, connection: Any) -> None:
        """The connection carrying this request: shut down when time is up."""
        with self._lock:
            self._connections.append(connection)
            expired = self.expired
        if expired:
            _shut_down(connection)

    def expire(self) -> None:
        """Time is up: end every read and write of the request now."""
        with self._lock:
            self.expired = True
            connections = list(self._connections)
        for connection in connections:
            _shut_down(connection)


def _shut_down(connection: Any) -> None:
    sock = getattr(connection, "sock", None)
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):
            # socket.socket's own shutdown, not SSLSocket's (which also unwraps TLS state
            # another thread is using): the blocked read sees the connection end.
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


_current = threading.local()


def current_deadline() -> Deadline | None:
    """The deadline of the request this thread is making, if any."""
    return getattr(_current, "deadline", None)


@contextlib.contextmanager
def request_deadline(seconds: float, clock: Clock = time.monotonic) -> Iterator[Deadline]:
    """Requests made by this thread inside the block end within `seconds` (see module doc)."""
    deadline = Deadline(seconds, clock)
    outer = current_deadline()
    _current.deadline = deadline
    alarm = _WATCHDOG.schedule(seconds, deadline.expire)
    try:
        yield deadline
    finally:
        alarm.cancel()
        _current.deadline = outer


class _DeadlineHTTPPool(HTTPConnectionPool):
    def _get_conn(self, timeout: float | None = None) -> Any:
        connection = super()._get_conn(timeout)
        deadline = current_deadline()
        if deadline is not None:
            deadline.attach(connection)
        return connection


class _DeadlineHTTPSPool(HTTPSConnectionPool):
    def _get_conn(self, timeout: float | None = None) -> Any:
        connection = super()._get_conn(timeout)
        deadline = current_deadline()
        if deadline is not None:
            deadline.attach(connection)
        return connection


_POOLS = {"http": _DeadlineHTTPPool, "https": _DeadlineHTTPSPool}


class DeadlineAdapter(HTTPAdapter):
    """requests' HTTPAdapter whose connections obey the thread's `request_deadline`."""

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False,
                         **pool_kwargs: Any) -> None:
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = _POOLS
        return manager
