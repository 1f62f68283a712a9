"""`metricsctl test`: run the promtool unit tests of every alert (the one place promtool runs).

The catalog's rule files and their synthesised tests (target `alert-tests`) are rendered
into a temporary directory laid out as `generate` lays out prometheus/, and `promtool test
rules` runs on each test file. Alerts without a synthesised test are listed with the reason.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from metricsctl.commands.catalog_input import SpecsDirArgument, load_valid_catalog

if TYPE_CHECKING:
    from metricsctl.catalog.model import Catalog

PROMTOOL_HINT = ("install Prometheus' promtool: `apt-get install prometheus` on Debian and "
                 "Ubuntu, `brew install prometheus` on macOS, or the release archive from "
                 "https://prometheus.io/download/ (promtool is beside prometheus); then put it "
                 "on PATH or pass --promtool")
# Generous: the SLO burn cases evaluate several hundred minutes of rules.
PROMTOOL_TIMEOUT_SECONDS = 600


def _render(catalog: Catalog, directory: Path) -> tuple[list[Path], list[str]]:
    """Write the rule and test files under `directory`: the test files, sorted, and the
    alerts without a synthesised test, with the reason."""
    from metricsctl.targets import alert_tests, prometheus_rules

    synthesised = alert_tests.synthesise(catalog)
    tests = alert_tests.render_tests(catalog, synthesised)
    for relative, text in {**prometheus_rules.render(catalog), **tests}.items():
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    untested = [f"{item.alert.name}: {item.reason}"
                for domain in synthesised.values() for item in domain.untested]
    return sorted(directory / p for p in tests), untested


def test(
    specs_dir: SpecsDirArgument = None,
    promtool: Annotated[str, typer.Option(
        "--promtool", help="The promtool executable (default: promtool on PATH).")] = "promtool",
) -> None:
    """Run promtool unit tests of every alert: quiet and firing cases, burn rates for SLOs.

    Exit 0 when every test passes, 1 when one fails or promtool cannot be run, 2 on usage
    errors.
    """
    from metricsctl import console

    executable = shutil.which(promtool)
    err = console.stderr()
    if executable is None:
        err.print(console.styled(("error", "bold red"), f": promtool not found ({promtool})"))
        err.print(console.styled(("  help", "bold"), f": {PROMTOOL_HINT}"))
        raise typer.Exit(1)
    catalog = load_valid_catalog(specs_dir)
    out = console.stdout()
    failed = 0
    with tempfile.TemporaryDirectory(prefix="metricsctl-test-") as temporary:
        root = Path(temporary)
        test_files, untested = _render(catalog, root)
        for line in untested:
            out.print(console.styled(("untested", "yellow"), f" {line}"))
        for path in test_files:
            name = path.relative_to(root).as_posix()
            try:
                run = subprocess.run([executable, "test", "rules", str(path)], cwd=root,
                                     capture_output=True, text=True, check=False,
                                     timeout=PROMTOOL_TIMEOUT_SECONDS)
            except (OSError, subprocess.TimeoutExpired) as error:
                err.print(console.styled(("error", "bold red"), f": {name}: {error}"))
                failed += 1
                continue
            if run.returncode == 0:
                out.print(console.styled(("✓", "green"), f" {name}"))
                continue
            failed += 1
            out.print(console.styled(("✗", "red"), f" {name}"))
            out.print((run.stdout + run.stderr).rstrip())
    total = len(test_files)
    if failed:
        out.print(console.styled(("✗", "red"), f" {failed} of {total} test files failed"))
        raise typer.Exit(1)
    out.print(console.styled(("✓", "green"), f" all {total} test files pass"))


def register(app: typer.Typer) -> None:
    app.command("test")(test)
