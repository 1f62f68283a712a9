"""SLO validation: every problem located at file:line:column, with a hint where one helps."""

from __future__ import annotations

from pathlib import Path

from metricsctl.catalog import load_catalog
from tests.conftest import WriteCatalog

METRICS = """
domain: api
labels:
  route: {max_cardinality: 10}
  code: {values: ["200", "500"]}
  user_id: {description: unbounded on purpose}
metrics:
  requests_total: {type: counter, help: h, labels: [route, code, user_id]}
  in_flight: {type: gauge, help: h}
  latency_seconds: {type: histogram, help: h, labels: [route], buckets: [0.1, 0.25, 0.5, 1]}
"""


def found(root: Path) -> list[tuple[str, str, str]]:
    prefix = f"{root}/"
    return [(str(d.location).removeprefix(prefix), d.code, d.message)
            for d in load_catalog(root).diagnostics]


def hints(root: Path) -> list[str | None]:
    return [d.hint for d in load_catalog(root).diagnostics]


def slo_catalog(write_catalog: WriteCatalog, slos: str, project: str = "project: t\n") -> Path:
    return write_catalog({"api.yaml": METRICS + "slos:\n" + slos}, project=project)


def test_a_valid_slo_loads(write_catalog: WriteCatalog) -> None:
    root = slo_catalog(write_catalog, """
  availability:
    objective: 99.9
    sli: {errors: 'requests_total{code="500"}', total: requests_total}
    by: [route]
""")
    result = load_catalog(root)
    assert result.diagnostics == []
    assert result.catalog is not None
    slo = result.catalog.slos["api-availability"]
    assert (slo.objective, slo.window, slo.by) == ("99.9", "30d", ("route",))
    assert slo.page is not None and slo.page.name == "ApiAvailabilityBurnRatePage"


def test_an_unknown_metric_is_located_and_the_closest_name_offered(
        write_catalog: WriteCatalog) -> None:
    root = slo_catalog(write_catalog, """
  availability:
    objective: 99.9
    sli: {errors: request_total, total: requests_total}
""")
    assert found(root) == [("api.yaml:14:19", "slo/unknown-metric",
                            "unknown metric `request_total`")]
    assert hints(root) == ["did you mean `requests_total`?"]


def test_a_gauge_cannot_count_events(write_catalog: WriteCatalog) -> None:
    root = slo_catalog(write_catalog, """
  availability:
    objective: 99.9
    sli: {errors: in_flight, total: requests_total}
""")
    assert found(root) == [("api.yaml:14:19", "slo/not-a-counter",
                            "`in_flight` is a gauge: a ratio SLI counts events with counters")]


def test_a_latency_threshold_must_be_a_bucket_bound_and_the_nearest_bounds_are_named(
        write_catalog: WriteCatalog) -> None:
    root = slo_catalog(write_catalog, """
  latency:
    objective: 99
    sli:
      latency: {metric: latency_seconds, threshold: 0.3}
""")
    assert found(root) == [(
        "api.yaml:15:53", "slo/threshold-not-a-bucket",
        "latency threshold 0.3 is not a bucket bound of `latency_seconds`: the nearest "
        "bounds are 0.25 and 0.5")]


def test_a_matcher_on_a_label_the_metric_lacks(write_catalog: WriteCatalog) -> None:
    root = slo_catalog(write_catalog, """
  availability:
    objective: 99.9
    sli: {errors: 'requests_total{status="500"}', total: requests_total}
""")
    assert found(root) == [("api.yaml:14:19", "slo/unknown-label",
                            "metric `requests_total` has no label `status`")]


def test_the_objective_must_lie_strictly_between_0_and_100(
        write_catalog: WriteCatalog) -> None:
    root = slo_catalog(write_catalog, """
  availability:
    objective: 100
    sli: {errors: 'requests_total{code="500"}', total: requests_total}
""")
    [(where, code, message)] = found(root)
    assert (where, code) == ("api.yaml:13:16", "catalog/invalid-value")
    assert "100" in message


def test_the_window_must_be_a_multiple_of_the_rule_interval(
        write_catalog: WriteCatalog) -> None:
    root = slo_catalog(write_catalog, """
  availability:
    objective: 99.9
    window: 30d
    sli: {errors: 'requests_total{code="500"}', total: requests_total}
""", project="project: t\ndefaults: {evaluation_interval: 7m}\n")
    assert found(root) == [("api.yaml:14:13", "slo/invalid-window",
                            "window 30d is not a multiple of the rule interval 7m")]


def test_by_needs_bounded_labels_present_on_every_metric(write_catalog: WriteCatalog) -> None:
    root = slo_catalog(write_catalog, """
  availability:
    objective: 99.9
    sli: {errors: 'requests_total{code="500"}', total: requests_total}
    by: [user_id]
  latency:
    objective: 99
    sli:
      latency: {metric: latency_seconds, threshold: 0.5}
    by: [code]
""")
    assert found(root) == [
        ("api.yaml:15:10", "slo/unbounded-by", "`by: user_id`: the label has no cardinality "
         "bound, so the SLO could produce any number of series"),
        ("api.yaml:20:10", "slo/unknown-label", "`by: code`: `latency_seconds` has no label "
         "`code`"),
    ]


def test_an_sli_needs_exactly_one_kind_of_events(write_catalog: WriteCatalog) -> None:
    root = slo_catalog(write_catalog, """
  availability:
    objective: 99.9
    sli: {errors: requests_total}
""")
    assert found(root) == [("api.yaml:14:5", "slo/invalid-sli",
                            "`errors` needs `total` beside it")]


def test_a_selector_that_does_not_parse_is_located_inside_the_string(
        write_catalog: WriteCatalog) -> None:
    root = slo_catalog(write_catalog, """
  availability:
    objective: 99.9
    sli: {errors: 'requests_total{code=500}', total: requests_total}
""")
    assert found(root) == [("api.yaml:14:35", "slo/invalid-selector",
                            'expected a matcher such as label="value"')]


def test_an_alert_name_may_not_clash_with_a_written_alert(write_catalog: WriteCatalog) -> None:
    root = write_catalog({"api.yaml": METRICS + """
alerts:
  ApiAvailabilityBurnRatePage: {expr: vector(1), severity: warning}
slos:
  availability:
    objective: 99.9
    sli: {errors: 'requests_total{code="500"}', total: requests_total}
"""})
    assert [code for _, code, _ in found(root)] == ["slo/duplicate-alert"]


def test_a_total_that_does_not_parse_is_reported_even_with_a_traffic_guard(
        write_catalog: WriteCatalog) -> None:
    # The guard's expression needs `total`: checking alert names must not build it.
    root = slo_catalog(write_catalog, """
  availability:
    objective: 99.9
    sli: {errors: 'requests_total{code="500"}', total: 'requests_total{code}'}
    alerting: {min_traffic: 0.01}
""")
    assert [code for _, code, _ in found(root)] == ["slo/invalid-selector"]
