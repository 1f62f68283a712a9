"""What every command that reads a catalog shares: the SPECS_DIR argument, loading, reporting."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from metricsctl.catalog import Catalog, LoadResult
    from metricsctl.diagnostics import Diagnostic

DEFAULT_SPECS_DIR = Path("specs")

SpecsDirArgument = Annotated[Path | None, typer.Argument(
    metavar="SPECS_DIR", show_default=False,
    help="Catalog directory holding metricsctl.yaml and the domain files [default: specs/].")]


class DiagnosticFormat(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"  # SARIF 2.1.0, for GitHub code scanning
    github = "github"  # GitHub Actions workflow annotations


def resolve_specs_dir(specs_dir: Path | None) -> Path:
    """The catalog directory, or a usage error (exit 2) when it is not one."""
    path = specs_dir if specs_dir is not None else DEFAULT_SPECS_DIR
    if not path.exists():
        hint = " (run `metricsctl init` to create one)" if specs_dir is None else ""
        raise typer.BadParameter(f"directory '{path}' does not exist{hint}",
                                 param_hint="SPECS_DIR")
    if not path.is_dir():
        raise typer.BadParameter(f"'{path}' is not a directory", param_hint="SPECS_DIR")
    return path


def load(specs_dir: Path | None) -> LoadResult:
    from metricsctl.catalog import load_catalog

    return load_catalog(resolve_specs_dir(specs_dir))


def print_diagnostics(diagnostics: Sequence[Diagnostic], texts: Mapping[str, str],
                      *, to_stderr: bool = False) -> None:
    """Diagnostics as text, colored on a terminal, each with its source line."""
    from metricsctl import console
    from metricsctl.diagnostics.text import format_diagnostic, source_lines_from

    out = console.stderr() if to_stderr else console.stdout()
    lines = source_lines_from(texts)
    for diagnostic in diagnostics:
        out.print(format_diagnostic(diagnostic, lines, markup=True), markup=True)


def document_texts(result: LoadResult) -> dict[str, str]:
    if result.catalog is None:
        return {}
    return {path: document.text for path, document in result.catalog.documents.items()}


def load_valid_catalog(specs_dir: Path | None) -> Catalog:
    """The catalog, or exit 1 after printing its errors (on stderr) when it is invalid."""
    from metricsctl import console
    from metricsctl.diagnostics.text import summarize

    result = load(specs_dir)
    if result.ok and result.catalog is not None:
        return result.catalog
    print_diagnostics(result.errors, document_texts(result), to_stderr=True)
    console.stderr().print(f"catalog is invalid: {summarize(result.errors)} "
                           "(run `metricsctl validate` for details)")
    raise typer.Exit(1)
