"""The shipped catalog lints clean at the default --fail-on error."""

from __future__ import annotations

from metricsctl.catalog import load_catalog
from metricsctl.diagnostics import Severity
from metricsctl.lint import lint_catalog
from tests.conftest import SHIPPED_SPECS, SMALL_CATALOG


def test_the_shipped_specs_have_no_lint_errors() -> None:
    result = load_catalog(SHIPPED_SPECS)
    assert result.ok and result.catalog is not None

    errors = [f"{d.location}: {d.code}: {d.message}" for d in lint_catalog(result.catalog)
              if d.severity is Severity.ERROR]

    assert errors == []


def test_the_small_fixture_catalog_lints_clean() -> None:
    result = load_catalog(SMALL_CATALOG)
    assert result.ok and result.catalog is not None

    assert lint_catalog(result.catalog) == []
