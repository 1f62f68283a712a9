"""Running metricsctl with stderr on a pseudo-terminal, as a person at a shell does: the
progress bars and waiting notices that only a terminal gets."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys

from tests.conftest import REPO_ROOT


def run_on_a_terminal(*args: str, env: dict[str, str]) -> tuple[int, bytes, bytes]:
    """`python -m metricsctl ARGS` with stderr on a pseudo-terminal: (exit code, what the
    terminal showed, stdout)."""
    primary, secondary = pty.openpty()
    environment = {**os.environ, "COLUMNS": "200", "TERM": "xterm", **env}
    process = subprocess.Popen([sys.executable, "-m", "metricsctl", *args],
                               stdout=subprocess.PIPE, stderr=secondary, env=environment,
                               cwd=REPO_ROOT)
    os.close(secondary)
    terminal = b""
    while True:
        ready, _, _ = select.select([primary], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # the process closed its end
            break
        if not chunk:
            break
        terminal += chunk
    stdout, _ = process.communicate(timeout=60)
    os.close(primary)
    return process.returncode, terminal, stdout


def terminal_text(shown: bytes) -> str:
    """What a terminal showed, as text without its styles and carriage returns."""
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown.decode("utf-8", "replace")).replace(
        "\r\n", "\n")


