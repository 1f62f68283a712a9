"""Say what a client is waiting for: retries (attempt n of m, next try in s) and slow answers.

An HTTP client calls a `WaitListener` when it is about to wait before another attempt and
when an answer is slow in coming; `ConsoleWaitListener` prints one line for each on stderr.
Commands print them when stderr is a terminal (`wait_listener`), never with --quiet, so
a port that never answers is not a minute of silence. Shared by every HTTP client.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from rich.console import Console

SLOW_AFTER = 2.0  # seconds without an answer before saying that we are waiting


@dataclass(frozen=True, slots=True)
class RetryNotice:
    """An attempt failed; the next one starts in `wait` seconds."""

    method: str
    url: str
    reason: str
    attempt: int
    attempts: int
    wait: float

    def text(self) -> str:
        return (f"{self.method} {self.url}: {self.reason}; attempt {self.attempt} of "
                f"{self.attempts} failed, next try in {self.wait:.1f} s")


@dataclass(frozen=True, slots=True)
class SlowNotice:
    """An answer is taking a while: `waited` seconds so far, given up at `limit`."""

    method: str
    url: str
    attempt: int
    attempts: int
    waited: float
    limit: float

    def text(self) -> str:
        return (f"{self.method} {self.url}: waiting for the answer ({self.waited:.0f} s so "
                f"far, attempt {self.attempt} of {self.attempts} gives up after "
                f"{self.limit:g} s)")


class WaitListener(Protocol):
    def retrying(self, notice: RetryNotice) -> None: ...

    def slow(self, notice: SlowNotice) -> None: ...


class ConsoleWaitListener:
    """One dim line per notice on a rich console, printed literally (URLs and server text
    are data, not markup); safe to call from any thread."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._lock = threading.Lock()

    def retrying(self, notice: RetryNotice) -> None:
        self._print(notice.text())

    def slow(self, notice: SlowNotice) -> None:
        self._print(notice.text())

    def _print(self, line: str) -> None:
        from rich.text import Text

        with self._lock:
            self._console.print(Text(line, style="dim"), soft_wrap=True)


def wait_listener(*, quiet: bool, console: Console | None = None) -> WaitListener | None:
    """Notices on stderr when it is a terminal and not --quiet; else None (silent)."""
    if quiet:
        return None
    if console is None:
        from metricsctl import console as consoles

        console = consoles.stderr()
    return ConsoleWaitListener(console) if console.is_terminal else None
