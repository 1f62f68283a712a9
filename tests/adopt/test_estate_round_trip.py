"""A whole estate imported at once (rule files and the dashboards that show those alerts'
series), then generated: the rules and the dashboards come back as they were.

Generation derives context for hand-written dashboards (alert thresholds on a panel that
plots an alert, runbook links on a panel that reads an alerted series, navigation between
dashboards, automatic variables); imported dashboards are marked `as_written`, so none of
it is added to what the estate wrote.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from metricsctl.adopt.drafts import dashboard_uid
from metricsctl.catalog.model import Catalog
from metricsctl.targets import prometheus_rules
from metricsctl.targets.grafana import build_dashboards
from tests.adopt.conftest import DASHBOARD_FIXTURES, FIXTURES, RULE_FIXTURES
from tests.adopt.dashboard_shape import panel_shape
from tests.adopt.rule_groups import rule_groups
from tests.conftest import load_valid_catalog

SEEDS = FIXTURES / "seeds"
SOURCES = (RULE_FIXTURES, DASHBOARD_FIXTURES, SEEDS)
DASHBOARDS = sorted([*DASHBOARD_FIXTURES.glob("*.json"), *SEEDS.glob("*dashboard*.json")])
BASE_STEP_ONLY = {"mode": "absolute", "steps": [{"color": "green", "value": None}]}


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    from typer.testing import CliRunner

    from metricsctl.cli import app

    specs = tmp_path_factory.mktemp("estate") / "specs"
    result = CliRunner().invoke(app, ["import", *map(str, SOURCES), "--into", str(specs)])
    assert result.exit_code == 0, result.output
    return load_valid_catalog(specs)


def _source(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return data.get("dashboard", data)


def _generated(catalog: Catalog, path: Path) -> dict[str, Any]:
    source = _source(path)
    uid = dashboard_uid(str(source.get("uid") or source.get("title") or path.stem))
    return build_dashboards(catalog)[uid]


def _panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    """Every panel but rows, in order (inside collapsed rows and the old `rows` too)."""
    found: list[dict[str, Any]] = []
    for row in dashboard.get("rows") or []:
        found.extend(row.get("panels") or [])
    for panel in dashboard.get("panels") or []:
        if panel.get("type") == "row":
            found.extend(panel.get("panels") or [])
        else:
            found.append(panel)
    return found


def _as_grafana_reads(shape: dict[str, Any]) -> dict[str, Any]:
    """A snippet's panel as Grafana loads it: a time series without a type, refIds A, B..."""
    if shape["type"] is None and shape["library"] is None:
        shape["type"] = "timeseries"
    shape["queries"] = [(expr, legend, ref or chr(ord("A") + index), *rest)
                        for index, (expr, legend, ref, *rest) in enumerate(shape["queries"])]
    return shape


def _threshold_lines(panel: dict[str, Any]) -> str:
    custom = panel.get("fieldConfig", {}).get("defaults", {}).get("custom", {})
    return str(custom.get("thresholdsStyle", {}).get("mode", "off"))


def test_the_estate_shows_alerts_on_its_dashboards(estate: Catalog) -> None:
    # The material is what makes generation want to add context: panels plotting an
    # alert's compared expression, and panels reading series that alerts with runbooks read.
    from metricsctl.targets.grafana_alerts import AlertIndex

    index = AlertIndex(estate.alerts.values())
    exprs = [[q.expr for q in panel.queries] for dashboard in estate.dashboards.values()
             for panel in dashboard.all_panels()]

    plotted = {c.alert.name for e in exprs for c in index.plotted(e)}
    with_runbooks = {a.name for e in exprs for a in index.reading(e) if a.runbook_url}

    assert {"HighErrorRate", "HighResponseTime", "LowDiemBalance"} <= plotted
    assert "NodeCPUHighUsage" in with_runbooks
    assert all(dashboard.as_written for dashboard in estate.dashboards.values())


def test_every_rule_comes_back_equal(estate: Catalog) -> None:
    files = [*sorted(RULE_FIXTURES.glob("*.yaml")), *sorted(SEEDS.glob("*rules*"))]
    expected = rule_groups([path.read_text(encoding="utf-8") for path in files])

    actual = rule_groups(list(prometheus_rules.render(estate).values()))

    assert set(actual) == set(expected)
    for name, group in expected.items():
        assert actual[name] == group, f"group {name}"


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.name)
def test_every_dashboard_comes_back_without_derived_decorations(
        estate: Catalog, path: Path) -> None:
    source, generated = _source(path), _generated(estate, path)

    assert generated.get("links", []) == source.get("links", [])
    assert [v["name"] for v in generated["templating"]["list"]] == (
        ["datasource", *[v["name"] for v in source.get("templating", {}).get("list", [])
                         if v["name"] != "datasource"]])
    wanted, got = _panels(source), _panels(generated)
    assert len(got) == len(wanted)
    for want, panel in zip(wanted, got, strict=True):
        expected, actual = _as_grafana_reads(panel_shape(want)), panel_shape(panel)
        if expected["gridPos"] is None:  # snippets and the old row layout: Grafana places them
            actual["gridPos"] = None
        if "thresholds" not in expected:  # none written: only the base step, none derived
            assert actual.pop("thresholds", BASE_STEP_ONLY) == BASE_STEP_ONLY, want["title"]
        if want.get("type") in (None, "graph", "timeseries"):
            assert _threshold_lines(panel) == _threshold_lines(want), want["title"]
        assert panel.get("links", []) == want.get("links", []), want["title"]
        assert actual == expected, want["title"]


def test_a_hand_written_dashboard_still_gets_the_alert_context(
        write_catalog, tmp_path: Path) -> None:
    specs = write_catalog({"app.yaml": """
        domain: app
        metrics:
          queue_depth: {type: gauge, help: Jobs waiting.}
        alerts:
          QueueBacklog:
            expr: queue_depth > 100
            severity: critical
            summary: Backlog.
            runbook_url: https://runbooks.example.com/backlog
        dashboards:
          written:
            title: Written
            panels: [{title: Depth, expr: queue_depth}]
          plain:
            title: Plain
            as_written: true
            panels:
              - {title: Depth, expr: queue_depth}
          one-panel:
            title: One panel as written
            panels:
              - {title: Depth, expr: queue_depth, as_written: true}
        """})
    built = build_dashboards(load_valid_catalog(specs))

    def depth(uid: str) -> dict[str, Any]:
        return built[uid]["panels"][0]

    steps = depth("written")["fieldConfig"]["defaults"]["thresholds"]["steps"]
    assert steps == [{"color": "green", "value": None}, {"color": "red", "value": 100}]
    assert _threshold_lines(depth("written")) == "line"
    assert [link["url"] for link in depth("written")["links"]] == [
        "https://runbooks.example.com/backlog"]
    assert built["written"]["links"] != []  # the other dashboards
    for uid in ("plain", "one-panel"):
        assert depth(uid)["fieldConfig"]["defaults"]["thresholds"] == BASE_STEP_ONLY
        assert _threshold_lines(depth(uid)) == "off"
        assert "links" not in depth(uid)
    assert built["plain"]["links"] == []
    assert built["one-panel"]["links"] != []
