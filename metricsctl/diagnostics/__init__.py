"""One Diagnostic type for every validation error, lint finding and push failure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import IntEnum


class Severity(IntEnum):
    """Ordered so that `finding.severity >= threshold` reads naturally."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.upper()]
        except KeyError:
            choices = ", ".join(s.label for s in cls)
            raise ValueError(f"unknown severity {text!r} (choose from {choices})") from None


@dataclass(frozen=True, slots=True)
class Location:
    """A position in a source file; line and column are 1-based."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.file
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A located, actionable problem.

    `code` is a stable id (`catalog/unknown-key`, `promql/rate-on-gauge`); `message` is one
    line; `hint` says how to fix it; `explanation` is the longer why (lint rules);
    `path` is the place inside the document (`metrics.http_requests_total.labels[0]`).
    """

    code: str
    severity: Severity
    message: str
    location: Location | None = None
    hint: str | None = None
    path: str | None = None
    explanation: str | None = None
    end_column: int | None = field(default=None, compare=False)

    @property
    def file(self) -> str | None:
        return self.location.file if self.location else None

    @property
    def line(self) -> int | None:
        return self.location.line if self.location and self.location.line > 0 else None

    @property
    def column(self) -> int | None:
        return self.location.column if self.location and self.location.line > 0 else None

    def sort_key(self) -> tuple[str, int, int, str, str]:
        loc = self.location
        return (loc.file if loc else "", loc.line if loc else 0, loc.column if loc else 0,
                self.code, self.message)


def sorted_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Diagnostics in file, line, column order, without exact duplicates."""
    unique = {(d.sort_key(), d.severity, d.hint, d.path): d for d in diagnostics}
    return sorted(unique.values(), key=Diagnostic.sort_key)


def worst(diagnostics: Iterable[Diagnostic]) -> Severity | None:
    """The highest severity present, or None when there are no diagnostics."""
    return max((d.severity for d in diagnostics), default=None)


class DiagnosticError(Exception):
    """Raised to stop a command with diagnostics already built (exit code 1 unless given)."""

    def __init__(self, diagnostics: list[Diagnostic], exit_code: int = 1) -> None:
        super().__init__("; ".join(d.message for d in diagnostics))
        self.diagnostics = diagnostics
        self.exit_code = exit_code
