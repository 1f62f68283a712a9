"""Shared test helpers: the shipped catalog, catalogs written on the fly, running the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from metricsctl.catalog.loader import load_catalog
from metricsctl.catalog.model import Catalog

REPO_ROOT = Path(__file__).resolve().parent.parent
SHIPPED_SPECS = REPO_ROOT / "specs"
SMALL_CATALOG = Path(__file__).resolve().parent / "fixtures" / "small"

WriteCatalog = Callable[..., Path]


def load_valid_catalog(root: Path) -> Catalog:
    """The catalog in `root`; fails the test with the diagnostics when it is not valid."""
    result = load_catalog(root)
    assert result.ok and result.catalog is not None, [str(d) for d in result.diagnostics]
    return result.catalog


@pytest.fixture
def write_catalog(tmp_path: Path) -> WriteCatalog:
    """Write files (name -> YAML text, dedented) into a fresh catalog directory.

    A project file is added unless one is given or `project=None` is passed.
    """

    def write(files: dict[str, str], project: str | None = "project: test\n",
              directory: str = "specs") -> Path:
        root = tmp_path / directory
        root.mkdir(parents=True, exist_ok=True)
        if project is not None and "metricsctl.yaml" not in files:
            (root / "metricsctl.yaml").write_text(project, encoding="utf-8")
        for name, text in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return root

    return write


@pytest.fixture
def cli() -> Callable[..., object]:
    """Run metricsctl in-process; returns the typer Result (exit_code, stdout, stderr)."""
    from metricsctl.cli import app

    runner = CliRunner()

    def run(*args: str | os.PathLike[str]):  # type: ignore[no-untyped-def]
        # The consoles are made once per process and read COLUMNS then: made afresh, they
        # see this test's environment, not whichever test ran first in this worker.
        from metricsctl import console

        console.stdout.cache_clear()
        console.stderr.cache_clear()
        return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)

    return run


def run_metricsctl(*args: str | os.PathLike[str], cwd: Path | None = None,
                   env: dict[str, str] | None = None,
                   timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run `python -m metricsctl` in a real process, as users and CI do."""
    environment = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", **(env or {})}
    return subprocess.run([sys.executable, "-m", "metricsctl", *map(str, args)],
                          cwd=cwd, env=environment, capture_output=True, text=True,
                          timeout=timeout, check=False)
