"""Queries derived from a metric when a panel just names it."""

from __future__ import annotations

from metricsctl.catalog import load_catalog
from metricsctl.catalog.model import Catalog
from metricsctl.promql.queries import format_number, panel_queries, quantile_label
from tests.conftest import SHIPPED_SPECS, WriteCatalog


def shipped() -> Catalog:
    catalog = load_catalog(SHIPPED_SPECS).catalog
    assert catalog is not None
    return catalog


def queries(catalog: Catalog, uid: str, title: str) -> list[tuple[str, str | None]]:
    board = catalog.dashboards[uid]
    panel = next(p for p in board.all_panels() if p.title == title)
    return [(q.expr, q.legend) for q in panel_queries(catalog, board, panel)]


def test_a_histogram_gives_quantiles_over_bucket_rates_keeping_le() -> None:
    assert queries(shipped(), "venice-api", "API latency") == [
        (f"histogram_quantile({q}, sum by (le) (rate(venice_request_duration_seconds_bucket"
         f"[$__rate_interval])))", f"p{p}") for q, p in (("0.5", 50), ("0.95", 95), ("0.99", 99))]


def test_a_histogram_heatmap_gives_bucket_rates() -> None:
    assert queries(shipped(), "http-api", "Latency distribution") == [
        ("sum by (le) (rate(http_request_duration_seconds_bucket[$__rate_interval]))", "{{le}}")]


def test_a_counter_gives_a_rate_by_the_chosen_labels_filtered_by_variables() -> None:
    assert queries(shipped(), "queue-monitoring", "Failure rate") == [
        ('sum by (queue_name) (rate(queue_failures_total{queue_name=~"$queue_name"}'
         '[$__rate_interval]))', "{{queue_name}}")]


def test_a_variable_on_a_scrape_target_label_filters_too() -> None:
    (expr, _), = queries(shipped(), "service-overview", "P95 response time by route")
    assert 'http_request_duration_seconds_bucket{service=~"$service"}' in expr


def test_a_gauge_gives_its_value() -> None:
    assert queries(shipped(), "venice-api", "Rate limit remaining") == [
        ("venice_rate_limit_remaining", None)]


def test_a_summary_gives_its_average(write_catalog: WriteCatalog) -> None:
    root = write_catalog({"a.yaml": """
        domain: a
        metrics: {lookup_seconds: {type: summary, help: h}}
        dashboards: {b: {title: B, panels: [{title: Lookup, metric: lookup_seconds}]}}
        """})
    catalog = load_catalog(root).catalog
    assert catalog is not None
    assert queries(catalog, "b", "Lookup") == [
        ("sum(rate(lookup_seconds_sum[$__rate_interval])) / "
         "sum(rate(lookup_seconds_count[$__rate_interval]))", "avg")]


def test_hand_written_queries_pass_through_with_their_source() -> None:
    catalog = shipped()
    board = catalog.dashboards["service-overview"]
    panel = next(p for p in board.all_panels() if p.title == "Request rate")
    found = panel_queries(catalog, board, panel)
    assert [q.legend for q in found] == ["Total", "{{service}}"]
    assert not any(q.derived for q in found)
    assert str(found[1].source.field("expr")).endswith("kpis.yaml:143:20")


def test_numbers_print_in_their_shortest_form() -> None:
    assert [format_number(v) for v in (0.5, 10.0, 0.1 + 0.2, 2.5e-05)] == [
        "0.5", "10", "0.30000000000000004", "2.5e-05"]
    assert [quantile_label(q) for q in (0.5, 0.95, 0.999)] == ["p50", "p95", "p99.9"]
