"""npm packages for the tests that need real TypeScript, prom-client or @grafana/schema.

Packages are installed from the npm registry into a temporary directory, once per test run
and package set: the pytest-xdist workers of one run share it (a file lock keeps them from
installing twice), a later run installs afresh so it sees what a newcomer's machine gets.
Without npm the tests skip with the reason, except in CI (CI=true), where npm is part of
what .ci/run installs and its absence is a failure.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

INSTALL_TIMEOUT_SECONDS = 600


def npm_packages(*specs: str) -> Path:
    """A directory whose node_modules holds `specs` (e.g. "typescript@5", "prom-client@15")."""
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        reason = "npm and node are needed (Debian: apt-get install nodejs npm)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI installs them, so their absence is a failure")
        pytest.skip(reason)
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID") or str(os.getppid())
    key = hashlib.sha256("\n".join([run, *sorted(specs)]).encode()).hexdigest()[:16]
    directory = Path(tempfile.gettempdir()) / f"metricsctl-npm-{key}"
    directory.mkdir(exist_ok=True)
    with (directory / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = directory / ".installed"
        if not done.exists():
            (directory / "package.json").write_text('{"private": true}\n', encoding="utf-8")
            result = subprocess.run(
                [npm, "install", "--no-audit", "--no-fund", "--no-save", "--loglevel=error",
                 *specs],
                cwd=directory, capture_output=True, text=True,
                timeout=INSTALL_TIMEOUT_SECONDS, check=False)
            if result.returncode != 0:
                pytest.fail(f"npm install {' '.join(specs)} failed:\n{result.stderr[-4000:]}")
            done.write_text("\n".join(specs) + "\n", encoding="utf-8")
    return directory


def node_bin(directory: Path, name: str) -> Path:
    """An executable an installed package provides (e.g. `tsc`)."""
    return directory / "node_modules" / ".bin" / name
