"""The shipped catalog lints clean: no findings at all, not even warnings."""

from __future__ import annotations

from metricsctl.catalog import load_catalog
from metricsctl.lint import lint_catalog
from tests.conftest import SHIPPED_SPECS, SMALL_CATALOG


def test_the_shipped_specs_have_no_lint_findings() -> None:
    result = load_catalog(SHIPPED_SPECS)
    assert result.ok and result.catalog is not None

    findings = [f"{d.location}: {d.severity.label} {d.code}: {d.message}"
                for d in lint_catalog(result.catalog)]

    assert findings == []


def test_the_small_fixture_catalog_lints_clean() -> None:
    result = load_catalog(SMALL_CATALOG)
    assert result.ok and result.catalog is not None

    assert lint_catalog(result.catalog) == []
