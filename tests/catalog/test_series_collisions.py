"""Two metrics whose exposed names collide are a validation error, exactly when
prometheus_client would refuse to register them side by side (DuplicateTimeseries)."""

from __future__ import annotations

import itertools

import pytest
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Summary

from metricsctl.catalog import load_catalog
from metricsctl.catalog.naming import MetricType, registered_names
from tests.conftest import SHIPPED_SPECS, SMALL_CATALOG, WriteCatalog

CLIENT_CLASSES = {MetricType.COUNTER: Counter, MetricType.GAUGE: Gauge,
                  MetricType.HISTOGRAM: Histogram, MetricType.SUMMARY: Summary}
NAMES = ("jobs", "jobs_total", "jobs_created", "jobs_bucket", "jobs_count", "jobs_sum",
         "jobs_info", "other")
METRICS = [(name, kind) for name in NAMES for kind in MetricType]


def client_refuses(first: tuple[str, MetricType], second: tuple[str, MetricType]) -> bool:
    """Whether prometheus_client refuses to register the second metric after the first."""
    registry = CollectorRegistry()
    CLIENT_CLASSES[first[1]](first[0], "first", registry=registry)
    try:
        CLIENT_CLASSES[second[1]](second[0], "second", registry=registry)
    except ValueError as error:
        assert "Duplicated timeseries" in str(error)
        return True
    return False


def test_the_names_a_metric_takes_are_exactly_those_prometheus_client_reserves() -> None:
    checked = 0
    for first, second in itertools.permutations(METRICS, 2):
        if first[0] == second[0]:
            continue  # one name defined twice is catalog/duplicate-metric
        overlap = set(registered_names(*first)) & set(registered_names(*second))
        assert bool(overlap) == client_refuses(first, second), (first, second, overlap)
        checked += 1
    assert checked == 8 * 7 * 16


def collisions(write_catalog: WriteCatalog, metrics: str) -> list[tuple[str, str]]:
    root = write_catalog({"app.yaml": "domain: app\nmetrics:\n" + metrics})
    return [(f"{d.location.line}:{d.location.column}" if d.location else "", d.message)
            for d in load_catalog(root).diagnostics if d.code == "catalog/series-collision"]


def test_the_kube_apiserver_gauge_and_counter_of_the_same_stem_are_refused(
        write_catalog: WriteCatalog) -> None:
    # kube-apiserver's aggregator exposes both; a Python module registering the two fails
    # at import, so validation refuses them.
    root = write_catalog({"apiserver.yaml": """
        domain: apiserver
        labels:
          name: {max_cardinality: 50}
          reason: {values: [MissingEndpoints, ServiceNotFound, FailedDiscoveryCheck]}
        metrics:
          aggregator_unavailable_apiservice:
            type: gauge
            help: >-
              Gauge of APIServices which are marked as unavailable broken down by APIService
              name.
            labels: [name]
          aggregator_unavailable_apiservice_total:
            type: counter
            help: >-
              Counter of APIServices which are marked as unavailable broken down by
              APIService name and reason.
            labels: [name, reason]
    """})
    result = load_catalog(root)
    [error] = result.errors
    assert (error.code, str(error.location)) == (
        "catalog/series-collision", f"{root}/apiserver.yaml:12:3")
    assert error.message == (
        "counter `aggregator_unavailable_apiservice_total` and gauge "
        f"`aggregator_unavailable_apiservice` (at {root}/apiserver.yaml:6:3) both take the "
        "name `aggregator_unavailable_apiservice`: their series would mix on /metrics and "
        "prometheus_client refuses to register both (DuplicateTimeseries)")
    assert error.hint == (
        "rename one of them; a counter `aggregator_unavailable_apiservice_total` takes "
        "`aggregator_unavailable_apiservice`, `aggregator_unavailable_apiservice_total`, "
        "`aggregator_unavailable_apiservice_created`")
    assert client_refuses(("aggregator_unavailable_apiservice", MetricType.GAUGE),
                          ("aggregator_unavailable_apiservice_total", MetricType.COUNTER))


@pytest.mark.parametrize(("metrics", "expected"), [
    ("  jobs_total: {type: counter, help: h}\n  jobs_created: {type: gauge, help: h}\n",
     ("gauge `jobs_created`", "counter `jobs_total`", "`jobs_created`")),
    ("  wait_seconds: {type: histogram, help: h}\n  wait_seconds_count: {type: gauge, help: h}\n",
     ("gauge `wait_seconds_count`", "histogram `wait_seconds`", "`wait_seconds_count`")),
    ("  wait_seconds_bucket: {type: counter, help: h}\n"
     "  wait_seconds: {type: histogram, help: h}\n",
     ("histogram `wait_seconds`", "counter `wait_seconds_bucket`", "`wait_seconds_bucket`")),
    ("  lag: {type: summary, help: h}\n  lag_sum: {type: counter, help: h}\n",
     ("counter `lag_sum`", "summary `lag`", "`lag_sum`")),
    ("  jobs: {type: counter, help: h}\n  jobs_total: {type: gauge, help: h}\n",
     ("gauge `jobs_total`", "counter `jobs`", "`jobs_total`")),
])
def test_each_kind_of_overlap_names_both_metrics_at_the_second(
        write_catalog: WriteCatalog, metrics: str, expected: tuple[str, str, str]) -> None:
    [(where, message)] = collisions(write_catalog, metrics)
    second, first, name = expected
    assert where == "4:3"
    assert message.startswith(f"{second} and {first} (at ")
    assert f"both take the name {name}:" in message


def test_a_pair_is_reported_once_and_each_pair_separately(write_catalog: WriteCatalog) -> None:
    found = collisions(write_catalog, "  q: {type: histogram, help: h}\n"
                                      "  q_sum: {type: summary, help: h}\n"
                                      "  q_count: {type: gauge, help: h}\n")
    # q_sum (a summary) takes q_sum, q_sum_count...; it meets q at `q_sum` only once
    assert [(where, message.split(" (at")[0]) for where, message in found] == [
        ("4:3", "summary `q_sum` and histogram `q`"), ("5:3", "gauge `q_count` and histogram `q`")]


def test_names_that_merely_look_alike_do_not_collide(write_catalog: WriteCatalog) -> None:
    assert collisions(write_catalog, "  jobs_total: {type: counter, help: h}\n"
                                     "  jobs_running: {type: gauge, help: h}\n"
                                     "  jobs_duration_seconds: {type: histogram, help: h}\n"
                                     "  jobs_duration_seconds_max: {type: gauge, help: h}\n") == []


@pytest.mark.parametrize("root", [SHIPPED_SPECS, SMALL_CATALOG])
def test_valid_catalogs_are_not_flagged(root: object) -> None:
    assert [d for d in load_catalog(root).diagnostics  # type: ignore[arg-type]
            if d.code == "catalog/series-collision"] == []
