"""`metricsctl validate`: exit codes, text and JSON output."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import REPO_ROOT, SHIPPED_SPECS, WriteCatalog, run_metricsctl


def test_the_shipped_catalog_is_valid(cli: Callable[..., Any]) -> None:
    result = cli("validate", SHIPPED_SPECS)
    assert result.exit_code == 0
    # 6 written dashboards and one SLO dashboard for each of the 3 domains with SLOs
    assert "catalog is valid: 22 metrics, 10 alerts, 4 recording rules, 10 dashboards in 6 files" \
        in result.stdout


def test_specs_is_the_default_directory() -> None:
    result = run_metricsctl("validate", cwd=REPO_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_missing_default_directory_is_a_usage_error(tmp_path: Path) -> None:
    result = run_metricsctl("validate", cwd=tmp_path)
    assert result.returncode == 2
    assert "directory 'specs' does not exist (run `metricsctl init` to create one)" in result.stderr


def test_errors_print_like_a_compiler_with_the_source_line(write_catalog: WriteCatalog,
                                                          cli: Callable[..., Any]) -> None:
    root = write_catalog({"a.yaml": "domain: a\nalerts:\n"
                                    "  Down: {expr: up == 0, severity: pager}\n"})
    result = cli("validate", root)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{root}/a.yaml:3:35: error[catalog/unknown-severity]: severity `pager` is not one of the "
        "project's severities",
        "  |",
        "3 |   Down: {expr: up == 0, severity: pager}",
        "  |                                   ^^^^^",
        "  help: the project allows: info, warning, critical",
        "✗ 1 error",
    ]


def test_json_output_lists_every_diagnostic(write_catalog: WriteCatalog,
                                            cli: Callable[..., Any]) -> None:
    root = write_catalog({"a.yaml": "domain: a\nmetrics:\n  x_total: {type: counter}\n"})
    result = cli("validate", root, "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["valid"] is False
    assert report["diagnostics"] == [{
        "code": "catalog/missing-key", "severity": "error",
        "message": "`metrics.x_total` is missing the required key `help`",
        "file": f"{root}/a.yaml", "line": 3, "column": 3, "path": "metrics.x_total",
        "hint": None, "explanation": None,
    }]


def test_warnings_do_not_fail_validation(write_catalog: WriteCatalog,
                                         cli: Callable[..., Any]) -> None:
    root = write_catalog({"a.yaml": """
        domain: a
        dashboards:
          board: {title: T, panels: [{title: Up, expr: up}, {title: Up, expr: up}]}
        """})
    result = cli("validate", root)
    assert result.exit_code == 0
    assert "catalog is valid (1 warning)" in result.stdout
