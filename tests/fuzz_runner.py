"""Run metricsctl on a corpus case in a forked process with resource limits, and judge it.

A forked child runs validate, lint and generate through the CLI in-process (no interpreter
start-up per command, so hundreds of cases stay cheap) under RLIMIT_AS and a wall-clock
limit; a segfault, a kill or an overrun shows in the parent as what it is.
"""

from __future__ import annotations

import json
import os
import re
import resource
import select
import signal
import time
from dataclasses import dataclass
from pathlib import Path

MEMORY_LIMIT = 1 << 30  # bytes of address space a case may add to the forked process
TIME_LIMIT = 20.0  # seconds per case (all three commands)
COMMANDS = (("validate",), ("lint",), ("generate", "--no-lint", "-o", "{out}"))
# generate reports a target that raised as "target `x` failed: KeyError: ..."; that is a
# crash put into words, not a message about the input.
_CRASH_IN_WORDS = re.compile(r"failed: [A-Z][A-Za-z]*(Error|Exception)\b|Traceback")


@dataclass(frozen=True)
class Outcome:
    """What happened to one case: the exit code of each command, or how it died."""

    exit_codes: tuple[int, ...]
    crash: str | None  # a traceback or exception, with the command that raised it
    signal: int | None
    timed_out: bool
    seconds: float

    @property
    def clean(self) -> bool:
        return (self.crash is None and self.signal is None and not self.timed_out
                and all(code in (0, 1) for code in self.exit_codes))


def _run_commands(root: Path, out: Path) -> dict[str, object]:
    from typer.testing import CliRunner

    from metricsctl.cli import app

    runner = CliRunner()
    codes: list[int] = []
    for command in COMMANDS:
        args = [part.format(out=out) for part in command]
        result = runner.invoke(app, [*args[:1], str(root), *args[1:]],
                               env={"NO_COLOR": "1", "COLUMNS": "200"})
        output = result.output
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            return {"codes": codes, "crash": f"{args[0]}: {type(result.exception).__name__}: "
                                             f"{str(result.exception)[:300]}"}
        found = _CRASH_IN_WORDS.search(output)
        if found is not None:
            start = max(0, found.start() - 100)
            return {"codes": codes, "crash": f"{args[0]}: {output[start:found.end() + 200]}"}
        codes.append(result.exit_code)
    return {"codes": codes, "crash": None}


def run_case(root: Path, out: Path, *, time_limit: float = TIME_LIMIT,
             memory_limit: int = MEMORY_LIMIT) -> Outcome:
    """validate, lint and generate on `root` in a forked child with resource limits."""
    reader, writer = os.pipe()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: limit, run, report, and leave without running atexit hooks
        status = 70
        try:
            os.close(reader)
            used = _address_space()
            resource.setrlimit(resource.RLIMIT_AS, (used + memory_limit, used + memory_limit))
            report = json.dumps(_run_commands(root, out)).encode()
            os.write(writer, report)
            status = 0
        finally:
            os._exit(status)
    os.close(writer)
    chunks: list[bytes] = []
    deadline = started + time_limit
    timed_out = False
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            timed_out = True
            os.kill(pid, signal.SIGKILL)
            break
        ready, _, _ = select.select([reader], [], [], remaining)
        if ready:
            chunk = os.read(reader, 65536)
            if not chunk:
                break
            chunks.append(chunk)
    os.close(reader)
    _, status = os.waitpid(pid, 0)
    seconds = time.monotonic() - started
    if timed_out:
        return Outcome((), None, None, True, seconds)
    if os.WIFSIGNALED(status):
        return Outcome((), None, os.WTERMSIG(status), False, seconds)
    if not chunks:
        return Outcome((), f"the process exited with {os.WEXITSTATUS(status)} and no report",
                       None, False, seconds)
    report = json.loads(b"".join(chunks))
    return Outcome(tuple(report["codes"]), report["crash"], None, False, seconds)


def _address_space() -> int:
    """The current process's virtual memory size in bytes (Linux)."""
    pages = int(Path("/proc/self/statm").read_text(encoding="ascii").split()[0])
    return pages * os.sysconf("SC_PAGE_SIZE")
