"""What gets a test: every alert, or a reason; hand-written tests; absent() companions."""

from __future__ import annotations

from typing import Any

import yaml

from metricsctl.targets import alert_tests, prometheus_rules
from tests.conftest import WriteCatalog, load_valid_catalog

SHOP = """
domain: shop
labels:
  route: {max_cardinality: 10}
  outcome: {values: [ok, declined]}
metrics:
  stock_items: {type: gauge, help: "Items in stock, from one exporter."}
  queue_depth: {type: gauge, help: h, labels: [route]}
  latency_seconds: {type: histogram, help: h, labels: [route], buckets: [0.5, 1, 2]}
  checkout_total: {type: counter, help: h, labels: [outcome]}
alerts:
  LowStock:
    expr: stock_items < 3
    for: 2m
    severity: warning
    summary: "Stock is {{ $value }}"
  StockOpsOut:
    expr: stock_items == 0
    severity: critical
    absent: false
  SlowRoute:
    expr: histogram_quantile(0.9, sum by (le, route) (rate(latency_seconds_bucket[5m]))) > 1
    severity: warning
  Declines:
    expr: sum(rate(checkout_total{outcome="declined"}[10m])) / sum(rate(checkout_total[10m])) > 0.2
    for: 10m
    severity: warning
    summary: "{{ $value | humanizePercentage }} declined"
"""


def rendered(write_catalog: WriteCatalog, text: str = SHOP) -> dict[str, Any]:
    catalog = load_valid_catalog(write_catalog({"shop.yaml": text}))
    files = alert_tests.render(catalog)
    document: dict[str, Any] = yaml.safe_load(files["prometheus/tests/shop.test.yml"])
    document["header"] = files["prometheus/tests/shop.test.yml"].split("rule_files:")[0]
    document["rules"] = prometheus_rules.render(catalog)["prometheus/rules/shop.rules.yml"]
    return document


def cases_of(document: dict[str, Any], alert: str) -> list[dict[str, Any]]:
    return [case for case in document["tests"]
            if case["alert_rule_test"][0]["alertname"] == alert]


def test_an_alert_the_synthesiser_cannot_model_is_listed_with_the_reason(
        write_catalog: WriteCatalog) -> None:
    document = rendered(write_catalog)
    assert cases_of(document, "SlowRoute") == []
    assert ("#   SlowRoute: not modelled: histogram buckets (quantiles are not modelled)"
            in document["header"])


def test_every_other_alert_has_a_quiet_and_a_firing_case(write_catalog: WriteCatalog) -> None:
    document = rendered(write_catalog)
    for alert in ("LowStock", "StockOpsOut", "Declines", "StockItemsAbsent"):
        names = [case["name"] for case in cases_of(document, alert)]
        assert len(names) == 2, (alert, names)


def test_the_firing_case_fires_one_minute_after_pending_for_its_for(
        write_catalog: WriteCatalog) -> None:
    [_, firing] = cases_of(rendered(write_catalog), "LowStock")
    assert firing["input_series"] == [{"series": "stock_items{}", "values": "3.06x17 2.85x16"}]
    before, after = firing["alert_rule_test"]
    assert (before["eval_time"], before["exp_alerts"]) == ("19m", [])
    assert after["eval_time"] == "20m"  # below 3 from 18m, `for: 2m`
    assert after["exp_alerts"] == [{"exp_labels": {"severity": "warning"},
                                    "exp_annotations": {"summary": "Stock is 2.85"}}]


def test_a_ratio_alert_sits_just_on_the_safe_side_then_just_past_it(
        write_catalog: WriteCatalog) -> None:
    quiet, firing = cases_of(rendered(write_catalog), "Declines")
    assert quiet["name"] == "Declines stays quiet just on the safe side of its threshold"
    assert quiet["alert_rule_test"][0]["exp_alerts"] == []
    annotations = firing["alert_rule_test"][1]["exp_alerts"][0]["exp_annotations"]
    assert annotations == {"summary": "21.01% declined"}


def test_a_gauge_from_one_exporter_gets_an_absent_companion_unless_opted_out(
        write_catalog: WriteCatalog) -> None:
    rules = yaml.safe_load(rendered(write_catalog)["rules"])["groups"][0]["rules"]
    absent = [rule for rule in rules if rule["expr"].startswith("absent(")]
    assert absent == [{
        "alert": "StockItemsAbsent", "expr": "absent(stock_items)", "for": "5m",
        "labels": {"severity": "warning"},
        "annotations": {
            "summary": "stock_items is missing: alerts on it cannot fire",
            "description": "No stock_items series for 5m: the exporter that reports it is "
                           "down or no longer scraped, so LowStock cannot fire."}}]
    opted_out = SHOP.replace("    for: 2m\n    severity: warning\n",
                             "    for: 2m\n    severity: warning\n    absent: false\n", 1)
    rules = yaml.safe_load(rendered(write_catalog, opted_out)["rules"])["groups"][0]["rules"]
    assert not any(rule["expr"].startswith("absent(") for rule in rules)


def test_a_hand_written_test_in_the_catalog_runs_beside_the_generated_ones(
        write_catalog: WriteCatalog) -> None:
    slow_route = "rate(latency_seconds_bucket[5m]))) > 1\n    severity: warning\n"
    text = SHOP.replace(slow_route, slow_route + """    tests:
      - input_series:
          - {series: 'latency_seconds_bucket{le="2", route="/a"}', values: '0+10x10'}
          - {series: 'latency_seconds_bucket{le="+Inf", route="/a"}', values: '0+10x10'}
        alert_rule_test:
          - eval_time: 5m
            exp_alerts: [{exp_labels: {severity: warning, route: /a}}]
""")
    document = rendered(write_catalog, text)
    [case] = cases_of(document, "SlowRoute")
    assert case["name"] == "SlowRoute (hand-written in the catalog)"
    assert case["alert_rule_test"][0]["alertname"] == "SlowRoute"
    assert "(the catalog's hand-written tests cover it)" in document["header"]
