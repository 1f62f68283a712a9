"""Real-world Grafana dashboards imported, then generated: what people see survives."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from metricsctl.targets.grafana import build_dashboards
from tests.adopt.conftest import DASHBOARD_FIXTURES
from tests.adopt.dashboard_shape import dashboard_shape
from tests.conftest import load_valid_catalog

FIXTURES = sorted(p.name for p in DASHBOARD_FIXTURES.glob("*.json"))


def _source(name: str) -> dict[str, Any]:
    data = json.loads((DASHBOARD_FIXTURES / name).read_text(encoding="utf-8"))
    return data.get("dashboard", data)


def _imported(cli, tmp_path: Path, name: str) -> dict[str, Any]:
    specs = tmp_path / "specs"
    result = cli("import", DASHBOARD_FIXTURES / name, "--into", specs)
    assert result.exit_code == 0, result.output
    built = build_dashboards(load_valid_catalog(specs))
    return built[_source(name)["uid"]]


@pytest.mark.parametrize("fixture", FIXTURES)
def test_panels_rows_and_queries_survive(fixture: str, cli, tmp_path: Path) -> None:
    source, generated = _source(fixture), _imported(cli, tmp_path, fixture)

    expected, actual = dashboard_shape(source), dashboard_shape(generated)

    assert actual["title"] == expected["title"]
    assert actual["rows"] == expected["rows"]
    assert len(actual["panels"]) == len(expected["panels"])
    for (row, want), (got_row, got) in zip(expected["panels"], actual["panels"], strict=True):
        assert got_row == row
        if want["gridPos"] is None:  # the old row layout: Grafana places the panels
            got["gridPos"] = None
        if "thresholds" not in want:
            got.pop("thresholds", None)
        assert got == want, want["title"]


@pytest.mark.parametrize("fixture", FIXTURES)
def test_variables_survive_verbatim(fixture: str, cli, tmp_path: Path) -> None:
    source, generated = _source(fixture), _imported(cli, tmp_path, fixture)

    expected = dashboard_shape(source)["variables"]
    actual = dashboard_shape(generated)["variables"]

    assert list(actual) == list(expected)
    for name, variable in expected.items():
        if name != "datasource":  # generation writes the data source variable itself
            assert actual[name] == variable


def test_dashboard_settings_the_catalog_does_not_model_are_kept(cli, tmp_path: Path) -> None:
    generated = _imported(cli, tmp_path, "node-exporter-nodes.json")

    assert generated["timezone"] == "utc"
    assert generated["graphTooltip"] == 1
    assert generated["timepicker"] == {"refresh_intervals": ["30s", "1m", "5m"]}
    assert generated["refresh"] == "30s"
    assert generated["time"] == {"from": "now-1h", "to": "now"}


def test_a_folder_from_the_api_envelope_becomes_the_domain_and_folder(cli, tmp_path) -> None:
    specs = tmp_path / "specs"
    cli("import", DASHBOARD_FIXTURES / "kubernetes-mixin-legacy-rows.json", "--into", specs)
    catalog = load_valid_catalog(specs)

    dashboard = catalog.dashboards["efa86fd1d0c121a26444b636a3f509a8"]

    assert (dashboard.domain, dashboard.folder) == ("kubernetes", "kubernetes")
    assert catalog.project.folders["kubernetes"].title == "Kubernetes"
