"""Diagnostics as GitHub Actions workflow commands, shown as annotations on the PR diff.

`::error file=specs/http.yaml,line=12,col=5,endColumn=9,title=promql/rate-on-gauge::message`
Values are escaped as the runner expects: `%`, CR and LF everywhere, and also `:` and `,`
inside properties, which would otherwise end the property.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from metricsctl.diagnostics import Diagnostic, Severity
from metricsctl.diagnostics.paths import repository_path

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """Escape a command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value (file, title)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_annotation(diagnostic: Diagnostic, cwd: Path | None = None) -> str:
    properties: list[tuple[str, str]] = []
    location = diagnostic.location
    if location is not None:
        properties.append(("file", repository_path(location.file, cwd)))
        if location.line > 0:
            properties.append(("line", str(location.line)))
            if location.column > 0:
                properties.append(("col", str(location.column)))
                if diagnostic.end_column is not None and diagnostic.end_column > location.column:
                    properties.append(("endColumn", str(diagnostic.end_column)))
    properties.append(("title", diagnostic.code))
    message = diagnostic.message
    if diagnostic.hint:
        message = f"{message}\nhelp: {diagnostic.hint}"
    rendered = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    return f"::{COMMANDS[diagnostic.severity]} {rendered}::{escape_data(message)}"


def render_github(diagnostics: Iterable[Diagnostic], cwd: Path | None = None) -> str:
    """One workflow command per diagnostic, each on its own line."""
    return "".join(format_annotation(diagnostic, cwd) + "\n" for diagnostic in diagnostics)
