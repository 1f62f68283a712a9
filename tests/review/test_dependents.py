"""Finding what reads a metric, a label or a value: alerts, recording rules, panel queries."""

from __future__ import annotations

from pathlib import Path

import pytest

from metricsctl.catalog import load_catalog
from metricsctl.review.dependents import Consumer, UsageIndex
from tests.review.catalogs import write_specs


@pytest.fixture
def usage(tmp_path: Path) -> UsageIndex:
    catalog = load_catalog(write_specs(tmp_path / "specs")).catalog
    assert catalog is not None
    return UsageIndex(catalog)


def names(consumers: list[Consumer]) -> list[tuple[str, str]]:
    """Each consumer once (a derived histogram panel has a query per quantile)."""
    return list(dict.fromkeys((c.kind, c.name) for c in consumers))


def test_series_names_map_to_their_metric_through_the_naming_function(
        usage: UsageIndex) -> None:
    histogram = usage.metric_of("http_request_duration_seconds_bucket")
    counter = usage.metric_of("http_requests_total")

    assert histogram is not None and histogram.name == "http_request_duration_seconds"
    assert counter is not None and counter.name == "http_requests_total"
    assert usage.metric_of("http_requests") is None  # the family name is never a series


def test_derived_panel_queries_read_the_bucket_series(usage: UsageIndex) -> None:
    assert names(usage.reading_series(["http_request_duration_seconds_bucket"])) == [
        ("panel", "shop / Latency")]


def test_label_use_by_grouping_matching_and_templates(usage: UsageIndex) -> None:
    series = ["http_requests_total"]

    assert names(usage.reading_label(series, "route")) == [
        ("alert", "HighErrorRate"),
        ("recording rule", "route:http_requests:rate5m"),
        ("panel", "shop / Request rate"),
    ]
    assert names(usage.reading_label(series, "status_code")) == [("alert", "HighErrorRate")]
    assert names(usage.reading_label(series, "service")) == []


def test_alert_templates_count_as_label_use(tmp_path: Path) -> None:
    root = write_specs(tmp_path / "specs")
    text = (root / "shop.yaml").read_text().replace(
        "summary: Many declined checkouts", "summary: 'Declines on {{ $labels.outcome }}'")
    (root / "shop.yaml").write_text(text.replace('{outcome="declined"}', ""))
    catalog = load_catalog(root).catalog
    assert catalog is not None

    found = UsageIndex(catalog).reading_label(["checkout_total"], "outcome")

    assert names(found) == [("alert", "CheckoutsDeclined")]


def test_values_selected_exactly(usage: UsageIndex) -> None:
    series = ["checkout_total"]

    assert names(usage.matching_value(series, "outcome", "declined")) == [
        ("alert", "CheckoutsDeclined")]
    assert names(usage.matching_value(series, "outcome", "paid")) == []


def test_an_unparseable_expression_is_matched_by_its_words(tmp_path: Path) -> None:
    root = write_specs(tmp_path / "specs")
    text = (root / "shop.yaml").read_text()
    (root / "shop.yaml").write_text(text.replace("expr: sum(cart_items)}",
                                                 "expr: 'sum(cart_items'}"))
    catalog = load_catalog(root).catalog
    assert catalog is not None

    usage = UsageIndex(catalog)

    consumer = next(c for c in usage.consumers if c.name == "shop / Cart items")
    assert consumer.refs is None
    assert names(usage.reading_series(["cart_items"])) == [("panel", "shop / Cart items")]
