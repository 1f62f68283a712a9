"""Lint test helpers: a small catalog to add entries to, and findings by rule id and place."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from metricsctl.catalog import load_catalog
from metricsctl.diagnostics import Diagnostic
from metricsctl.lint import lint_catalog

PROJECT = """\
project: test
defaults:
  scrape_interval: 15s
  evaluation_interval: 30s
scrape:
  - job: api
    targets: ["api:9090"]
    labels: {service: api}
  - job: batch
    targets: ["batch:9090"]
    labels: {service: batch}
    interval: 1m
"""

# Metrics every test can query; a test adds its alerts, rules or dashboards below them.
DOMAIN = """\
domain: app
labels:
  method: {values: [GET, POST]}
  route: {max_cardinality: 20}
metrics:
  http_requests_total:
    type: counter
    help: HTTP requests served.
    labels: [method, route]
  http_request_duration_seconds:
    type: histogram
    unit: seconds
    help: Time to serve a request.
    labels: [route]
  queue_depth:
    type: gauge
    help: Jobs waiting.
    labels: [route]
  rpc_duration_seconds:
    type: summary
    unit: seconds
    help: Time of a remote call.
"""


@dataclass
class LintRun:
    """The findings of one lint run and the text of the domain file, to point into."""

    diagnostics: list[Diagnostic]
    text: str
    entries_start: int = 0  # where the test's own entries start in `text`
    file: str = "app.yaml"

    def codes(self) -> set[str]:
        return {d.code for d in self.diagnostics}

    def find(self, code: str) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.code == code]

    def one(self, code: str) -> Diagnostic:
        found = self.find(code)
        assert len(found) == 1, f"expected one {code}, got {self.diagnostics}"
        return found[0]

    def where(self, code: str) -> str:
        """`app.yaml:12:5` for the single finding of `code`."""
        diagnostic = self.one(code)
        return f"{Path(diagnostic.file or '').name}:{diagnostic.line}:{diagnostic.column}"

    def at(self, needle: str, nth: int = 1, file: str | None = None) -> str:
        """`app.yaml:line:col` of the nth occurrence of `needle` in the test's entries."""
        index = self.entries_start - 1
        for _ in range(nth):
            index = self.text.index(needle, index + 1)
        line = self.text.count("\n", 0, index) + 1
        column = index - (self.text.rfind("\n", 0, index) + 1) + 1
        return f"{file or self.file}:{line}:{column}"


RunLint = Callable[..., LintRun]
Cli = Callable[..., Any]

# A catalog whose only finding is a warning (alert/missing-for).
WARNINGS_ONLY = """\
domain: app
metrics:
  queue_depth:
    type: gauge
    help: Jobs waiting.
alerts:
  QueueDeep:
    expr: queue_depth > 100
    severity: warning
    summary: Queue is deep
    description: "{{ $value }} jobs wait."
    runbook_url: https://runbooks.example.com/queue-deep
"""


@pytest.fixture(autouse=True)
def _plain_output(monkeypatch: pytest.MonkeyPatch) -> None:
    """Command output without colors or wrapping, as CI logs show it."""
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")


@pytest.fixture
def run_lint(tmp_path: Path) -> RunLint:
    """Lint DOMAIN plus `entries` (YAML appended to the domain file), with PROJECT plus
    `project` (YAML appended to the project file)."""

    def run(entries: str = "", project: str = "", domain: str = DOMAIN,
            files: dict[str, str] | None = None) -> LintRun:
        root = tmp_path / "specs"
        root.mkdir(exist_ok=True)
        (root / "metricsctl.yaml").write_text(PROJECT + textwrap.dedent(project),
                                              encoding="utf-8")
        text = domain + textwrap.dedent(entries)
        (root / "app.yaml").write_text(text, encoding="utf-8")
        for name, content in (files or {}).items():
            (root / name).write_text(textwrap.dedent(content), encoding="utf-8")
        result = load_catalog(root)
        assert result.ok, [str(d.location) + " " + d.message for d in result.errors]
        assert result.catalog is not None
        return LintRun(lint_catalog(result.catalog), text, len(domain) if entries else 0)

    return run


def alert(expr: str, name: str = "Test", extra: str = "") -> str:
    """An alert with everything hygiene asks for, so only the expression is in question.

    `extra` holds more keys of the alert, indented as under the alert's name.
    """
    return ("alerts:\n"
            f"  {name}:\n"
            f"    expr: {expr}\n"
            "    for: 5m\n"
            "    severity: warning\n"
            "    summary: Something is wrong\n"
            '    description: "Value {{ $value }}."\n'
            "    runbook_url: https://runbooks.example.com/test\n"
            + textwrap.indent(textwrap.dedent(extra), "    "))
