"""`metricsctl validate`: check the catalog against its schema and semantic rules."""

from __future__ import annotations

from typing import Annotated

import typer

from metricsctl.commands.catalog_input import (
    DiagnosticFormat,
    SpecsDirArgument,
    document_texts,
    load,
    print_diagnostics,
)
from metricsctl.english import counted


def validate(
    specs_dir: SpecsDirArgument = None,
    output_format: Annotated[DiagnosticFormat, typer.Option(
        "--format", "-f", help="Output format.")] = DiagnosticFormat.text,
) -> None:
    """Check the catalog: every error with file:line:column, all in one run.

    Exit 0 when valid (warnings allowed), 1 when it has errors, 2 on usage errors.
    """
    from metricsctl import console
    from metricsctl.diagnostics.text import summarize

    result = load(specs_dir)
    catalog = result.catalog
    counts = {
        "files": len(catalog.documents) if catalog else 0,
        "metrics": len(catalog.metrics) if catalog else 0,
        "alerts": len(catalog.alerts) if catalog else 0,
        "recording_rules": len(catalog.recording_rules) if catalog else 0,
        "dashboards": len(catalog.dashboards) if catalog else 0,
    }
    if output_format is DiagnosticFormat.json:
        from metricsctl.diagnostics.json_format import render_json

        console.write(render_json(result.diagnostics, {"valid": result.ok, "counts": counts}))
    elif output_format in (DiagnosticFormat.sarif, DiagnosticFormat.github):
        from metricsctl.commands.lint import render_diagnostics

        render_diagnostics(result.diagnostics, output_format, document_texts(result), counts)
    else:
        print_diagnostics(result.diagnostics, document_texts(result))
        out = console.stdout()
        if result.ok:
            warnings = f" ({summarize(result.diagnostics)})" if result.diagnostics else ""
            out.print(console.styled(
                ("✓", "green"), f" catalog is valid{warnings}: "
                f"{counted(counts['metrics'], 'metric')}, "
                f"{counted(counts['alerts'], 'alert')}, "
                f"{counted(counts['recording_rules'], 'recording rule')}, "
                f"{counted(counts['dashboards'], 'dashboard')} in "
                f"{counted(counts['files'], 'file')}"))
        else:
            out.print(console.styled(("✗", "red"), f" {summarize(result.diagnostics)}"))
    raise typer.Exit(0 if result.ok else 1)


def register(app: typer.Typer) -> None:
    app.command()(validate)
