"""The one naming function: the series each metric type exposes."""

from __future__ import annotations

from metricsctl.catalog.naming import (
    MetricType,
    exposed_series,
    reserved_label_problem,
    split_series_name,
)


def test_a_counter_exposes_total_and_created() -> None:
    series = exposed_series("http_requests_total", MetricType.COUNTER)
    assert series.family == "http_requests"
    assert series.samples == ("http_requests_total", "http_requests_created")
    assert series.queryable == ("http_requests_total",)


def test_a_counter_without_total_gets_it_as_client_libraries_do() -> None:
    assert exposed_series("jobs", MetricType.COUNTER).samples[0] == "jobs_total"


def test_a_histogram_exposes_bucket_count_sum_and_created() -> None:
    series = exposed_series("x_seconds", MetricType.HISTOGRAM)
    assert (series.bucket, series.count, series.sum, series.created) == (
        "x_seconds_bucket", "x_seconds_count", "x_seconds_sum", "x_seconds_created")
    assert series.queryable == ("x_seconds_bucket", "x_seconds_count", "x_seconds_sum")


def test_summary_and_gauge() -> None:
    assert exposed_series("s", MetricType.SUMMARY).queryable == ("s", "s_count", "s_sum")
    assert exposed_series("g", MetricType.GAUGE).samples == ("g",)


def test_split_series_name() -> None:
    assert split_series_name("x_seconds_bucket") == ("x_seconds", "_bucket")
    assert split_series_name("x_total") == ("x", "_total")
    assert split_series_name("up") == ("up", "")
    assert split_series_name("_sum") == ("_sum", "")


def test_reserved_labels() -> None:
    assert reserved_label_problem("le") is not None
    assert reserved_label_problem("quantile") is not None
    assert reserved_label_problem("__name__") is not None
    assert reserved_label_problem("route") is None
