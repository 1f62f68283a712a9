"""Diagnostics for people: `file:line:col: severity[code]: message`, the line, a caret, help."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from pathlib import Path

from metricsctl.diagnostics import Diagnostic, Severity

SourceLines = Callable[[str, int], str | None]

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "bold yellow", Severity.INFO: "bold cyan"}
_TOKEN = re.compile(r"[^\s,\]\}]+")
_MAX_SOURCE_BYTES = 8 * 1024 * 1024


def source_lines_from(texts: Mapping[str, str]) -> SourceLines:
    """Look lines up in known file texts, else read the file from disk (once)."""

    @cache
    def lines_of(file: str) -> list[str]:
        if file in texts:
            return texts[file].splitlines()
        path = Path(file)
        try:
            if not path.is_file() or path.stat().st_size > _MAX_SOURCE_BYTES:
                return []
            return path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return []

    def line(file: str, number: int) -> str | None:
        lines = lines_of(file)
        return lines[number - 1] if 0 < number <= len(lines) else None

    return line


def _caret_width(text: str, column: int, end_column: int | None) -> int:
    if end_column is not None and end_column > column:
        return end_column - column
    match = _TOKEN.match(text, column - 1)
    return max(1, len(match.group(0)) if match else 1)


def format_diagnostic(diagnostic: Diagnostic, source_line: SourceLines | None,
                      *, markup: bool = False) -> str:
    """One diagnostic as text; rich markup (colors) when `markup` is set."""
    from rich.markup import escape

    def paint(text: str, style: str) -> str:
        return f"[{style}]{escape(text)}[/]" if markup else text

    def plain(text: str) -> str:
        return escape(text) if markup else text

    head = f"{diagnostic.location}: " if diagnostic.location else ""
    severity = paint(f"{diagnostic.severity.label}[{diagnostic.code}]",
                     _STYLE[diagnostic.severity])
    lines = [f"{plain(head)}{severity}: {plain(diagnostic.message)}"]
    line, column = diagnostic.line, diagnostic.column
    text = source_line(diagnostic.location.file, line) if (
        source_line and diagnostic.location and line) else None
    if text is not None and line is not None and column is not None:
        gutter = len(str(line))
        expanded = text.replace("\t", " ")
        lines.append(f"{' ' * gutter} |")
        lines.append(f"{line} | {plain(expanded)}")
        caret = paint("^" * _caret_width(expanded, column, diagnostic.end_column),
                      _STYLE[diagnostic.severity])
        lines.append(f"{' ' * gutter} | {' ' * (column - 1)}{caret}")
    if diagnostic.hint:
        lines.append(f"  {paint('help', 'bold')}: {plain(diagnostic.hint)}")
    if diagnostic.explanation:
        lines.append(f"  {paint('why', 'bold')}: {plain(diagnostic.explanation)}")
    return "\n".join(lines)


def summarize(diagnostics: Iterable[Diagnostic]) -> str:
    """`2 errors, 1 warning` (or `no problems`)."""
    counts = dict.fromkeys(Severity, 0)
    for diagnostic in diagnostics:
        counts[diagnostic.severity] += 1
    parts = [f"{count} {severity.label}{'s' if count != 1 else ''}"
             for severity, count in sorted(counts.items(), reverse=True) if count]
    return ", ".join(parts) if parts else "no problems"
