"""Starting and stopping the real processes the live-check tests run against."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


class Deadline:
    """One deadline for a whole setup, so a hang anywhere fails in bounded time."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def wait_for(self, what: str, probe: Callable[[], tuple[bool, T]],
                 logs: tuple[Path, ...] = ()) -> T:
        observed: Any = None
        while time.monotonic() < self.end:
            try:
                done, observed = probe()
            except (OSError, ValueError, KeyError) as error:
                done, observed = False, repr(error)
            if done:
                return observed  # type: ignore[no-any-return]
            time.sleep(0.2)
        tails = "".join(f"\n--- {log.name} ---\n{tail(log)}" for log in logs)
        raise AssertionError(f"timed out waiting for {what}; last observed: {observed!r}{tails}")


def tail(path: Path, lines: int = 30) -> str:
    if not path.exists():
        return "(no log)"
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


@contextlib.contextmanager
def running(command: list[str], log: Path, cwd: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Start a process logging to `log`; always stop it (terminate, then kill) on exit."""
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=cwd, stdout=output, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def prometheus_api(base: str, path: str, **query: str) -> Any:
    suffix = f"?{urllib.parse.urlencode(query)}" if query else ""
    with urllib.request.urlopen(f"{base}/api/v1/{path}{suffix}", timeout=5) as response:
        body = json.load(response)
    assert body["status"] == "success", body
    return body["data"]
