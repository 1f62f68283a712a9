"""Running the real promtool (Debian's `prometheus` package) as an independent oracle."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

# Every promtool call here finishes in well under a second; the bound only stops a hung
# process from hanging the suite.
PROMTOOL_TIMEOUT_SECONDS = 60


def promtool(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run promtool with `args`; fails the test clearly when promtool is not installed."""
    executable = shutil.which("promtool")
    assert executable is not None, (
        "promtool not found: install Debian's `prometheus` package (apt-get install -y "
        "prometheus) or deselect these tests with -m 'not prometheus'")
    return subprocess.run([executable, *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=PROMTOOL_TIMEOUT_SECONDS, check=False)


def write_files(files: Mapping[str, str], directory: Path) -> list[Path]:
    """Write generated files (relative path -> text) under `directory`; their paths, sorted."""
    written = []
    for relative, text in sorted(files.items()):
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    return written
