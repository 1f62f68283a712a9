"""The seed teams' classic mistakes (tests/lint/fixtures/seed_mistakes) each get a finding."""

from __future__ import annotations

from pathlib import Path

import pytest

from metricsctl.catalog import load_catalog
from metricsctl.diagnostics import Diagnostic, Severity
from metricsctl.lint import lint_catalog

FIXTURE = Path(__file__).parent / "fixtures" / "seed_mistakes"


@pytest.fixture(scope="module")
def findings() -> list[Diagnostic]:
    result = load_catalog(FIXTURE)
    assert result.ok and result.catalog is not None, result.diagnostics
    return lint_catalog(result.catalog)


def _where(diagnostic: Diagnostic) -> str:
    return f"{Path(diagnostic.file or '').name}:{diagnostic.line}:{diagnostic.column}"


@pytest.mark.parametrize(("mistake", "code", "severity", "where"), [
    ("a gauge named _total", "naming/non-counter-total", Severity.ERROR, "chatkit.yaml:7:3"),
    ("rate() over a gauge", "promql/rate-on-gauge", Severity.ERROR, "chatkit.yaml:29:16"),
    ("latency in milliseconds", "naming/abbreviated-unit", Severity.WARNING,
     "chatkit.yaml:11:3"),
    ("a percentile exported as a gauge", "naming/percentile-gauge", Severity.WARNING,
     "chatkit.yaml:15:3"),
    ("an absolute error count where a ratio is meant", "alert/absolute-error-threshold",
     Severity.WARNING, "chatkit.yaml:37:37"),
    ("an absolute error rate where a ratio is meant", "alert/absolute-error-threshold",
     Severity.WARNING, "chatkit.yaml:45:66"),
    ("an error counter compared raw", "promql/counter-read-raw", Severity.WARNING,
     "chatkit.yaml:37:11"),
])
def test_each_classic_mistake_is_found(findings: list[Diagnostic], mistake: str, code: str,
                                       severity: Severity, where: str) -> None:
    matching = [d for d in findings if d.code == code and _where(d) == where]

    assert matching, f"no {code} at {where} for {mistake}: {findings}"
    assert matching[0].severity is severity


def test_nothing_else_is_reported(findings: list[Diagnostic]) -> None:
    assert len(findings) == 7
