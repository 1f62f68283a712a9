"""Recorded series in previews: panels over recording rules and SLO series show data that the
synthetic Prometheus itself evaluated from the rules, level by level; a rule Prometheus cannot
evaluate is reported by name, and the other panels still get their data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from metricsctl.catalog.model import Catalog
from metricsctl.preview.recorded import generated_recording_rules, reads_alerts, rules_read
from metricsctl.preview.source import Series, TimeRange
from metricsctl.targets import grafana
from tests.conftest import SHIPPED_SPECS, WriteCatalog, load_valid_catalog, run_metricsctl

NOW = 1_767_225_600.0
PROJECT = """\
project: recorded
scrape:
  - {job: shop, targets: ["shop:9100"], labels: {service: shop}}
"""
SHOP = """\
domain: shop
metrics:
  orders_total:
    type: counter
    help: Orders.
    labels: [status]
  cart_items: {type: gauge, help: Items in carts.}
labels:
  status: {values: [paid, failed]}
recording_rules:
  shop:orders:rate5m:
    expr: sum by (status) (rate(orders_total[5m]))
  shop:orders_paid:ratio_rate5m:
    expr: |
      sum(shop:orders:rate5m{status="paid"}) / sum(shop:orders:rate5m)
  shop:orders_paid:ratio_rate5m_doubled:
    expr: shop:orders_paid:ratio_rate5m * 2
  shop:carts:broken:
    expr: label_replace(cart_items, "copy", "$1", "job", "(")
slos:
  checkout:
    service: shop
    description: Orders that are paid.
    objective: 99
    sli:
      errors: 'orders_total{status="failed"}'
      total: orders_total
dashboards:
  shop:
    title: Shop
    time_from: now-6h
    panels:
      - {title: Paid share, expr: 'shop:orders_paid:ratio_rate5m_doubled / 2', unit: percentunit}
      - {title: Carts, expr: cart_items, unit: short}
      - {title: Carts copied, expr: 'shop:carts:broken', unit: short}
"""


def shop_catalog(write_catalog: WriteCatalog) -> Catalog:
    return load_valid_catalog(write_catalog({"shop.yaml": SHOP}, project=PROJECT))


def queries_of(dashboard: Mapping[str, Any]) -> list[str]:
    from metricsctl.preview.render import dashboard_queries

    return dashboard_queries([dashboard])


def levels_of(catalog: Catalog, queries: Sequence[str]) -> list[list[tuple[str, str]]]:
    levels = rules_read(queries, generated_recording_rules(catalog))
    return [[(rule.name, rule.labels.get("sloth_id", "")) for rule in level]
            for level in levels]


def test_only_the_rules_a_dashboard_reads_in_the_order_they_need(
        write_catalog: WriteCatalog) -> None:
    catalog = shop_catalog(write_catalog)
    shop = grafana.build_dashboards(catalog)["shop"]

    assert levels_of(catalog, queries_of(shop)) == [
        [("shop:orders:rate5m", ""), ("shop:carts:broken", "")],
        [("shop:orders_paid:ratio_rate5m", "")],
        [("shop:orders_paid:ratio_rate5m_doubled", "")]]


def test_an_slo_selector_reads_only_its_own_slos_rules() -> None:
    catalog = load_valid_catalog(SHIPPED_SPECS)
    latency = ('slo:period_error_budget_remaining:ratio{sloth_id="gateway-latency", '
               'sloth_service="gateway", sloth_slo="latency"}')

    levels = levels_of(catalog, [latency])

    assert {slo for level in levels for _, slo in level} == {"gateway-latency"}
    assert [[name for name, _ in level] for level in levels] == [
        ["slo:sli_error:ratio_rate5m", "slo:error_budget:ratio"],
        ["slo:sli_error:ratio_rate30d"], ["slo:period_burn_rate:ratio"],
        ["slo:period_error_budget_remaining:ratio"]]
    assert not reads_alerts([latency])
    assert reads_alerts(['sum by (alertname) (ALERTS{sloth_id="gateway-latency"})'])


class NoData:
    """A data source with no series at all: every panel is drawn empty ("No data")."""

    def range_query(self, expr: str, window: TimeRange) -> list[Series]:
        return []

    def instant_query(self, expr: str, at: float) -> list[Series]:
        return []


def draw_with_and_without_data(dashboard: Mapping[str, Any], source: Any,
                               out: Path) -> tuple[Any, Any]:
    from matplotlib import image

    from metricsctl.preview.render import draw_dashboard

    drawn = draw_dashboard(dashboard, source, out / "data.png", subtitle="", now=NOW)
    empty = draw_dashboard(dashboard, NoData(), out / "empty.png", subtitle="", now=NOW)
    return image.imread(str(drawn)), image.imread(str(empty))


def differing_panels(dashboard: Mapping[str, Any], data: Any, empty: Any) -> set[str]:
    """Titles of the panels whose pixels differ between the two pictures."""
    from metricsctl.preview.draw import panel_box

    titles = set()
    for panel in dashboard["panels"]:
        if panel["type"] == "row":
            continue
        left, top, right, bottom = panel_box(dashboard, panel)
        if (data[top:bottom, left:right] != empty[top:bottom, left:right]).any():
            titles.add(panel["title"])
    return titles


@pytest.mark.prometheus
def test_panels_over_recorded_series_show_data_and_a_broken_rule_is_reported(
        write_catalog: WriteCatalog, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib", reason="the preview extra (matplotlib)")
    from metricsctl.preview.draw import image_size
    from metricsctl.preview.synthetic import SyntheticPrometheus

    catalog = shop_catalog(write_catalog)
    boards = grafana.build_dashboards(catalog)
    shop, slos = boards["shop"], boards["shop-slos"]
    with SyntheticPrometheus(catalog, tmp_path / "tsdb", ranges=(7 * 86400, 6 * 3600),
                             end=NOW, queries=queries_of(shop) + queries_of(slos)) as source:
        shop_data, shop_empty = draw_with_and_without_data(shop, source, tmp_path)
        slo_data, slo_empty = draw_with_and_without_data(slos, source, tmp_path)
        errors = list(source.errors)
        hourly = source.evaluate("sum(slo:sli_error:ratio_rate5m)", NOW - 7 * 86400, NOW, 3600)

    # The 5m SLI was recorded over the whole week, where samples are 16 minutes apart.
    assert len(hourly[0].points) >= 7 * 24 - 1

    # The broken rule is reported by name, the dashboards' own queries all answered.
    assert len(errors) == 1
    assert "recording rule shop:carts:broken" in errors[0]
    assert "shop.yaml" in errors[0]
    assert "label_replace" in errors[0] and "HTTP" not in errors[0]  # Prometheus' reason
    assert shop_data.shape[:2] == image_size(shop)[::-1]
    assert slo_data.shape[:2] == image_size(slos)[::-1]
    assert differing_panels(shop, shop_data, shop_empty) == {"Paid share", "Carts"}
    # Every SLO panel has data but the alerts' (alert rules are not evaluated).
    slo_panels = {p["title"] for p in slos["panels"] if p["type"] != "row"}
    alert_panels = {title for title in slo_panels if title.endswith("Alerts")}
    assert alert_panels
    assert differing_panels(slos, slo_data, slo_empty) == slo_panels - alert_panels


@pytest.mark.prometheus
def test_preview_command_warns_of_a_broken_rule_and_draws_the_rest(
        write_catalog: WriteCatalog, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib", reason="the preview extra (matplotlib)")
    root = write_catalog({"shop.yaml": SHOP}, project=PROJECT)

    result = run_metricsctl("preview", root, "-d", "shop", "--out", tmp_path / "png")

    assert result.returncode == 1
    assert "warning: recording rule shop:carts:broken" in result.stderr
    assert "Traceback" not in result.stderr
    assert (tmp_path / "png" / "shop.png").exists()
