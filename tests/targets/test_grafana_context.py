"""Dashboards an SRE keeps: alert context, navigation, variables for every service, and the
catalog's Grafana fields (explicit grid, overrides, refIds, verbatim `grafana:`) honoured."""

from __future__ import annotations

from typing import Any

from metricsctl.catalog.model import Catalog
from metricsctl.targets import grafana, prometheus_rules
from metricsctl.targets.grafana_json import deep_merge, hide_from_tooltip_too
from tests.conftest import WriteCatalog
from tests.targets.test_grafana import load, panel, panels_of

PROJECT = """\
project: shop
severities: [info, warning, critical]
scrape:
  - job: web
    targets: ["web:9100"]
    labels: {service: web}
  - job: gateway
    targets: ["gateway:4000"]
    labels: {service: gateway}
"""
DOMAIN = """\
domain: shop
labels:
  model: {max_cardinality: 10}
metrics:
  balance_credits:
    type: gauge
    help: Credits left.
  llm_requests_total:
    type: counter
    help: LLM requests.
    labels: [model]
alerts:
  LowBalance:
    expr: balance_credits < 10
    severity: warning
    summary: Balance below 10
    runbook_url: https://runbooks.example/low-balance
  CriticalBalance:
    expr: balance_credits < 5
    severity: critical
    summary: Balance below 5
    runbook_url: https://runbooks.example/critical-balance
  ManyRequests:
    expr: sum(rate(llm_requests_total[5m])) > 100
    severity: warning
    runbook_url: https://runbooks.example/many-requests
dashboards:
"""


def catalog_with(write_catalog: WriteCatalog, dashboards: str) -> Catalog:
    return load(write_catalog({"shop.yaml": DOMAIN + dashboards}, project=PROJECT))


def board(catalog: Catalog, uid: str) -> dict[str, Any]:
    return grafana.build_dashboards(catalog)[uid]


BOARDS = """\
  money:
    title: Money
    variables: [service]
    panels:
      - {title: Balance, type: stat, expr: balance_credits}
      - {title: Balance over time, expr: balance_credits}
      - title: Requests
        expr: 'sum(rate(llm_requests_total{service=~"$service"}[$__rate_interval]))'
  other:
    title: Other
    panels:
      - {title: Derived, metric: llm_requests_total}
"""


def test_a_panel_plotting_an_alert_expression_shows_its_thresholds(
        write_catalog: WriteCatalog) -> None:
    dashboard = board(catalog_with(write_catalog, BOARDS), "money")

    steps = panel(dashboard, "Balance")["fieldConfig"]["defaults"]["thresholds"]["steps"]
    # below 5 both fire (critical: red), 5..10 only the warning (orange), above: fine
    assert steps == [{"color": "red", "value": None}, {"color": "orange", "value": 5},
                     {"color": "green", "value": 10}]
    chart = panel(dashboard, "Balance over time")["fieldConfig"]["defaults"]
    assert chart["custom"]["thresholdsStyle"] == {"mode": "line"}
    # A window and a variable matcher do not hide that the panel plots ManyRequests.
    requests = panel(dashboard, "Requests")["fieldConfig"]["defaults"]["thresholds"]["steps"]
    assert requests == [{"color": "green", "value": None}, {"color": "orange", "value": 100}]


def test_a_traffic_guard_after_the_threshold_does_not_hide_what_the_alert_plots(
        write_catalog: WriteCatalog) -> None:
    domain = DOMAIN.replace("dashboards:\n", """\
  BusyModel:
    expr: |
      sum by (model) (rate(llm_requests_total[5m])) > 20
      and on (model) sum by (model) (rate(llm_requests_total[1h])) > 1
    severity: warning
    runbook_url: https://runbooks.example/busy-model
dashboards:
  models:
    title: Models
    panels:
      - {title: By model, expr: 'sum by (model) (rate(llm_requests_total[$__rate_interval]))'}
""")
    catalog = load(write_catalog({"shop.yaml": domain}, project=PROJECT))

    defaults = panel(board(catalog, "models"), "By model")["fieldConfig"]["defaults"]
    assert defaults["thresholds"]["steps"] == [{"color": "green", "value": None},
                                               {"color": "orange", "value": 20}]
    assert grafana.alert_panel_annotations(catalog)["BusyModel"]["__dashboardUid__"] == "models"


def test_panels_link_to_the_runbooks_of_alerts_on_their_metrics(
        write_catalog: WriteCatalog) -> None:
    dashboard = board(catalog_with(write_catalog, BOARDS), "money")

    urls = [link["url"] for link in panel(dashboard, "Balance")["links"]]
    assert urls == ["https://runbooks.example/low-balance",
                    "https://runbooks.example/critical-balance"]
    assert [link["url"] for link in panel(dashboard, "Requests")["links"]] == [
        "https://runbooks.example/many-requests"]


def test_every_alert_points_at_the_panel_that_plots_it(write_catalog: WriteCatalog) -> None:
    catalog = catalog_with(write_catalog, BOARDS)
    dashboard = board(catalog, "money")

    annotations = grafana.alert_panel_annotations(catalog)
    assert annotations["LowBalance"] == {"__dashboardUid__": "money",
                                         "__panelId__": str(panel(dashboard, "Balance")["id"])}
    assert annotations["ManyRequests"]["__panelId__"] == str(panel(dashboard, "Requests")["id"])
    rules = prometheus_rules.render(catalog)["prometheus/rules/shop.rules.yml"]
    assert "__dashboardUid__: money" in rules


def test_service_comes_from_up_of_every_scrape_job_and_model_is_automatic(
        write_catalog: WriteCatalog) -> None:
    catalog = catalog_with(write_catalog, BOARDS)
    money, other = board(catalog, "money"), board(catalog, "other")

    variables = {v["name"]: v for v in money["templating"]["list"]}
    assert variables["service"]["query"]["query"] == \
        'label_values(up{job=~"web|gateway"}, service)'
    # `model` is on llm_requests_total, which both dashboards read.
    assert variables["model"]["query"]["query"] == "label_values(llm_requests_total, model)"
    assert [v["name"] for v in other["templating"]["list"]] == ["datasource", "model"]
    [derived] = panel(other, "Derived")["targets"]
    assert 'model=~"$model"' in derived["expr"]


def test_dashboards_link_to_each_other_by_the_project_tag(write_catalog: WriteCatalog) -> None:
    dashboard = board(catalog_with(write_catalog, BOARDS), "money")

    [link] = dashboard["links"]
    assert (link["type"], link["tags"], link["asDropdown"]) == ("dashboards",
                                                                ["metricsctl:shop"], True)
    assert dashboard["editable"] is False
    assert "shop.yaml" in dashboard["description"]


def test_lines_share_a_height(write_catalog: WriteCatalog) -> None:
    dashboard = board(catalog_with(write_catalog, """\
  mixed:
    title: Mixed
    panels:
      - {title: Gauge, type: gauge, expr: balance_credits}
      - {title: Stat, type: stat, expr: balance_credits}
"""), "mixed")

    assert [p["gridPos"]["h"] for p in panels_of(dashboard)] == [6, 6]


def test_catalog_grafana_fields_are_honoured(write_catalog: WriteCatalog) -> None:
    dashboard = board(catalog_with(write_catalog, """\
  imported:
    title: Imported
    grafana: {graphTooltip: 2, links: [{title: Home, type: link, url: /}]}
    variables:
      - {name: env, grafana: {type: custom, query: "prod,staging"}}
    panels:
      - title: Placed
        type: timeseries
        grid: {x: 12, y: 3, w: 12, h: 9}
        decimals: 2
        min: 0
        max: 1
        unit: percentunit
        thresholds: [{color: green}, {value: 0.5, color: red}]
        queries:
          - {expr: balance_credits, legend: left, ref_id: Balance}
          - {expr: 'sum(rate(llm_requests_total[5m]))', instant: true, format: table}
        overrides:
          - matcher: {id: byName, options: left}
            properties: [{id: custom.hideFrom, value: {legend: false, tooltip: false, viz: true}}]
        grafana: {options: {tooltip: {mode: single}}, transparent: true}
      - {title: After, type: stat, expr: balance_credits}
"""), "imported")

    placed, after = panel(dashboard, "Placed"), panel(dashboard, "After")
    assert placed["gridPos"] == {"x": 12, "y": 3, "w": 12, "h": 9}
    assert after["gridPos"]["y"] >= 12  # automatic panels go below explicit ones
    defaults = placed["fieldConfig"]["defaults"]
    assert (defaults["decimals"], defaults["min"], defaults["max"], defaults["unit"]) == (
        2, 0, 1, "percentunit")
    assert defaults["thresholds"]["steps"][1] == {"color": "red", "value": 0.5}
    first, second = placed["targets"]
    assert (first["refId"], first["legendFormat"]) == ("Balance", "left")
    assert (second["refId"], second["instant"], second["format"]) == ("B", True, "table")
    [override] = placed["fieldConfig"]["overrides"]
    # written as schema 42 reads it: hidden from the chart means hidden from the tooltip
    assert override["properties"][0]["value"] == {"legend": False, "tooltip": True,
                                                  "viz": True}
    assert placed["transparent"] is True
    assert placed["options"]["tooltip"] == {"hideZeros": False, "mode": "single",
                                            "sort": "desc"}
    assert dashboard["graphTooltip"] == 2
    assert dashboard["links"] == [{"title": "Home", "type": "link", "url": "/"}]
    env = next(v for v in dashboard["templating"]["list"] if v["name"] == "env")
    assert env == {"name": "env", "type": "custom", "query": "prod,staging"}


def test_deep_merge_merges_mappings_and_replaces_the_rest() -> None:
    base = {"a": {"b": 1, "c": [1]}, "d": 1}
    extra = {"a": {"c": [2], "e": {"f": 1}}, "d": {"x": 1}}

    merged = deep_merge(base, extra)

    assert merged == {"a": {"b": 1, "c": [2], "e": {"f": 1}}, "d": {"x": 1}}
    merged["a"]["e"]["f"] = 2
    assert extra["a"]["e"] == {"f": 1}  # the catalog's mapping is never shared


def test_hide_from_tooltip_too_leaves_other_overrides_alone() -> None:
    override = {"matcher": {"id": "byName", "options": "x"},
                "properties": [{"id": "unit", "value": "s"}]}

    assert hide_from_tooltip_too(override) == override
