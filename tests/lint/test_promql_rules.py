"""PromQL checks: each rule with an expression that triggers it (id, severity, position)
and one that does not."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from metricsctl.diagnostics import Severity
from tests.lint.conftest import DOMAIN, RunLint, alert


def panel(expr: str) -> str:
    return f"""\
dashboards:
  board:
    title: Board
    panels:
      - title: Panel
        expr: '{expr}'
"""


def test_a_syntax_error_is_reported_where_the_expression_breaks(run_lint: RunLint) -> None:
    run = run_lint(alert("sum(rate(http_requests_total[5m]) > 1"))

    finding = run.one("promql/syntax")
    assert finding.severity is Severity.ERROR
    assert finding.message == ("invalid PromQL in alert `Test`: unclosed left parenthesis")
    assert run.where("promql/syntax") == run.at("(rate")
    assert run.codes() == {"promql/syntax"}  # nothing else is checked on a broken expression


def test_a_syntax_error_in_a_literal_block_points_at_its_line(run_lint: RunLint) -> None:
    run = run_lint(alert("|\n      sum(rate(http_requests_total[5m]))\n        > > 1"))

    assert run.where("promql/syntax") == run.at("> 1")


def test_a_syntax_error_in_a_panel_is_located_after_grafana_variables(run_lint: RunLint) -> None:
    run = run_lint(panel("sum(rate(http_requests_total[$__rate_interval])) by"))

    assert run.where("promql/syntax") == run.at("'\n")  # just after `by`


def test_valid_expressions_have_no_syntax_finding(run_lint: RunLint) -> None:
    run = run_lint(alert("sum(rate(http_requests_total[5m])) > 1"))

    assert "promql/syntax" not in run.codes()


def test_an_unknown_metric_is_reported_with_a_suggestion(run_lint: RunLint) -> None:
    run = run_lint(alert("sum(rate(http_request_total[5m])) > 1"))

    finding = run.one("promql/unknown-metric")
    assert finding.severity is Severity.ERROR
    assert finding.message == "unknown metric `http_request_total` in alert `Test`"
    assert finding.hint == "did you mean `http_requests_total`?"
    assert run.where("promql/unknown-metric") == run.at("http_request_total")


@pytest.mark.parametrize("expr", [
    "up == 0",
    "scrape_duration_seconds > 10",
    'ALERTS{alertstate="firing"} > 0',
    "sum(job:http_requests:rate5m) > 1",
    'count({__name__="queue_depth"}) > 0',
])
def test_builtins_recording_rules_and_catalog_series_are_known(run_lint: RunLint,
                                                               expr: str) -> None:
    run = run_lint(alert(expr) + """\
recording_rules:
  job:http_requests:rate5m:
    expr: sum by (job) (rate(http_requests_total[5m]))
""")

    assert "promql/unknown-metric" not in run.codes()


@pytest.mark.parametrize(("expr", "needle", "message"), [
    ("queue_depth_count > 1", "queue_depth_count",
     "the gauge `queue_depth` does not expose `queue_depth_count`"),
    ("rate(http_request_duration_seconds[5m]) > 1", "http_request_duration_seconds[",
     "the histogram `http_request_duration_seconds` does not expose "
     "`http_request_duration_seconds`"),
    ("rate(rpc_duration_seconds_bucket[5m]) > 1", "rpc_duration_seconds_bucket",
     "the summary `rpc_duration_seconds` does not expose `rpc_duration_seconds_bucket`"),
])
def test_a_suffix_the_type_does_not_expose(run_lint: RunLint, expr: str, needle: str,
                                           message: str) -> None:
    run = run_lint(alert(expr))

    finding = run.one("promql/wrong-suffix")
    assert finding.severity is Severity.ERROR
    assert finding.message == message
    assert run.where("promql/wrong-suffix") == run.at(needle)
    assert "promql/unknown-metric" not in run.codes()


def test_the_series_a_type_exposes_are_fine(run_lint: RunLint) -> None:
    run = run_lint(alert("sum(rate(rpc_duration_seconds_sum[5m])) / "
                         "sum(rate(rpc_duration_seconds_count[5m])) > 1"))

    assert "promql/wrong-suffix" not in run.codes()


def test_a_matcher_on_a_label_the_metric_lacks(run_lint: RunLint) -> None:
    run = run_lint(alert('sum(rate(http_requests_total{status="500"}[5m])) > 1'))

    finding = run.one("promql/unknown-label")
    assert finding.severity is Severity.ERROR
    assert finding.message == "the counter `http_requests_total` has no label `status`"
    assert run.where("promql/unknown-label") == run.at('status="500"')


def test_grouping_by_a_label_the_expression_lacks(run_lint: RunLint) -> None:
    run = run_lint(alert("sum by (rout) (rate(http_requests_total[5m])) > 1"))

    finding = run.one("promql/unknown-label")
    assert finding.message == "`rout` is not a label of what `sum` aggregates"
    assert finding.hint == "did you mean `route`?"
    assert run.where("promql/unknown-label") == run.at("rout)")


def test_grouping_by_a_label_an_inner_aggregation_dropped(run_lint: RunLint) -> None:
    run = run_lint(alert("max by (method) (sum by (route) (rate(http_requests_total[5m]))) > 1"))

    assert run.where("promql/unknown-label") == run.at("method)")


def test_vector_matching_labels_are_checked(run_lint: RunLint) -> None:
    run = run_lint(alert("sum by (route) (rate(http_requests_total[5m])) / on (routes) "
                         "sum by (route) (queue_depth) > 1"))

    assert run.where("promql/unknown-label") == run.at("routes")


@pytest.mark.parametrize("expr", [
    'sum by (job, instance, service) (rate(http_requests_total{job="api"}[5m])) > 1',
    "histogram_quantile(0.9, sum by (le, route) "
    "(rate(http_request_duration_seconds_bucket[5m]))) > 1",
    'rpc_duration_seconds{quantile="0.99"} > 1',
    "sum without (method) (rate(http_requests_total[5m])) / ignoring (route) "
    "group_left sum by (route) (queue_depth) > 1",
])
def test_catalog_and_target_labels_are_known(run_lint: RunLint, expr: str) -> None:
    run = run_lint(alert(expr))

    assert "promql/unknown-label" not in run.codes()


@pytest.mark.parametrize(("matcher", "needle", "message"), [
    ('method="PUT"', '"PUT"', "`PUT` is not a value of label `method` (this matcher selects "
                              "nothing)"),
    ('method!="PUT"', '"PUT"', "`PUT` is not a value of label `method` (this matcher filters "
                               "nothing out)"),
    ('method=~"DEL.*"', '"DEL.*"', '`method=~"DEL.*"` matches none of the values of label '
                                   "`method` (this matcher selects nothing)"),
    ('job="apii"', '"apii"', "`apii` is not a value of label `job` (this matcher selects "
                             "nothing)"),
])
def test_a_value_outside_the_enumerated_values(run_lint: RunLint, matcher: str, needle: str,
                                               message: str) -> None:
    run = run_lint(alert(f"sum(rate(http_requests_total{{{matcher}}}[5m])) > 1"))

    finding = run.one("promql/unknown-label-value")
    assert finding.severity is Severity.ERROR
    assert finding.message == message
    assert run.where("promql/unknown-label-value") == run.at(needle)


def test_a_misspelt_job_gets_a_suggestion(run_lint: RunLint) -> None:
    run = run_lint(alert('sum(rate(http_requests_total{job="apii"}[5m])) > 1'))

    assert run.one("promql/unknown-label-value").hint == "did you mean `api`?"


@pytest.mark.parametrize("matcher", ['method="GET"', 'method=~"P.*"', 'method!~"PUT"',
                                     'service="batch"', 'route="/checkout"'])
def test_listed_values_and_unbounded_labels_pass(run_lint: RunLint, matcher: str) -> None:
    run = run_lint(alert(f"sum(rate(http_requests_total{{{matcher}}}[5m])) > 1"))

    assert "promql/unknown-label-value" not in run.codes()


def test_grafana_variables_in_values_are_not_checked(run_lint: RunLint) -> None:
    run = run_lint(panel('sum(rate(http_requests_total{method=~"$method"}[$__rate_interval]))'))

    assert run.codes() == set()


def test_a_regex_matcher_without_a_regex(run_lint: RunLint) -> None:
    run = run_lint(alert('sum(rate(http_requests_total{method=~"GET"}[5m])) > 1'))

    finding = run.one("promql/regex-without-regex")
    assert finding.severity is Severity.INFO
    assert finding.hint == 'use `method="GET"`'
    assert run.where("promql/regex-without-regex") == run.at('=~"GET"')


def test_a_real_regex_is_fine(run_lint: RunLint) -> None:
    run = run_lint(alert('sum(rate(http_requests_total{method=~"GET|POST"}[5m])) > 1'))

    assert "promql/regex-without-regex" not in run.codes()


@pytest.mark.parametrize(("expr", "needle", "message"), [
    ("sum(rate(queue_depth[5m])) > 1", "queue_depth[", "rate() over the gauge `queue_depth`"),
    ("increase(up[1h]) > 1", "up[", "increase() over `up`"),
    ("irate(rpc_duration_seconds[5m]) > 1", "rpc_duration_seconds[",
     "irate() over the summary quantiles `rpc_duration_seconds`"),
])
def test_rate_over_a_non_counter(run_lint: RunLint, expr: str, needle: str,
                                 message: str) -> None:
    run = run_lint(alert(expr))

    finding = run.one("promql/rate-on-gauge")
    assert finding.severity is Severity.ERROR
    assert finding.message == message
    assert run.where("promql/rate-on-gauge") == run.at(needle)


def test_rate_over_counters_and_deriv_over_gauges_are_fine(run_lint: RunLint) -> None:
    run = run_lint(alert("sum(rate(http_requests_total[5m])) + sum(deriv(queue_depth[5m])) "
                         "+ sum(rate(http_request_duration_seconds_count[5m])) > 1"))

    assert not {"promql/rate-on-gauge", "promql/gauge-function-on-counter"} & run.codes()


def test_delta_over_a_counter(run_lint: RunLint) -> None:
    run = run_lint(alert("sum(delta(http_requests_total[5m])) > 1"))

    finding = run.one("promql/gauge-function-on-counter")
    assert finding.severity is Severity.WARNING
    assert run.where("promql/gauge-function-on-counter") == run.at("delta")


@pytest.mark.parametrize(("expr", "needle"), [
    ("http_requests_total > 100", "http_requests_total"),
    ("sum(http_request_duration_seconds_count) > 100", "http_request_duration_seconds_count"),
    ("max_over_time(http_requests_total[5m]) > 100", "http_requests_total"),
    ("sum by (route) (http_requests_total) * 2 > 100", "http_requests_total"),
    ("count(sum by (route) (http_requests_total) > 100) > 1", "http_requests_total"),
])
def test_a_counter_read_raw(run_lint: RunLint, expr: str, needle: str) -> None:
    run = run_lint(alert(expr))

    finding = run.one("promql/counter-read-raw")
    assert finding.severity is Severity.WARNING
    assert run.where("promql/counter-read-raw") == run.at(needle)


@pytest.mark.parametrize("expr", [
    "sum(increase(http_requests_total[1h])) > 100",
    "absent(http_requests_total)",
    "count(http_requests_total) > 100",
    "queue_depth > 5 and on (route) http_requests_total",
    "sum(rate(http_requests_total[5m] offset 1h)) > 1",
    # Only the number of series counts (kube-prometheus' instance:node_cpu:ratio shape) ...
    "count(sum by (route, method) (http_requests_total)) > 1",
    "count by (route) (http_requests_total * on (route) group_left queue_depth) > 1",
    # ... or whether anything was ever counted (KubeClientCertificateExpiration).
    "http_request_duration_seconds_count > 0",
    "0 < http_request_duration_seconds_count",
    "sum by (route) (http_requests_total) >= 1",
])
def test_counters_through_rate_or_for_presence_are_fine(run_lint: RunLint, expr: str) -> None:
    run = run_lint(alert(expr))

    assert "promql/counter-read-raw" not in run.codes()


def test_rate_over_an_aggregation(run_lint: RunLint) -> None:
    run = run_lint(alert("rate(sum(http_requests_total)[5m:1m]) > 1"))

    finding = run.one("promql/rate-of-aggregation")
    assert finding.severity is Severity.ERROR
    assert finding.message == ("rate() over sum(...): counter resets are lost before the rate "
                               "is taken")
    assert run.where("promql/rate-of-aggregation") == run.at("rate")
    assert "promql/counter-read-raw" not in run.codes()


def test_aggregating_the_rate_is_fine(run_lint: RunLint) -> None:
    run = run_lint(alert("max_over_time(sum(rate(http_requests_total[5m]))[1h:1m]) > 1"))

    assert "promql/rate-of-aggregation" not in run.codes()


def test_histogram_quantile_over_a_non_bucket_series(run_lint: RunLint) -> None:
    run = run_lint(alert("histogram_quantile(0.9, sum by (le) (rate(http_requests_total[5m]))) "
                         "> 1"))

    finding = run.one("promql/histogram-quantile-not-bucket")
    assert finding.severity is Severity.ERROR
    assert finding.message == ("histogram_quantile() over the counter `http_requests_total`, "
                               "not a histogram's _bucket series")
    assert run.where("promql/histogram-quantile-not-bucket") == run.at("http_requests_total")


@pytest.mark.parametrize(("expr", "needle"), [
    ("histogram_quantile(0.9, sum by (route) "
     "(rate(http_request_duration_seconds_bucket[5m]))) > 1", "sum"),
    ("histogram_quantile(0.9, sum(rate(http_request_duration_seconds_bucket[5m]))) > 1",
     "sum"),
    ("histogram_quantile(0.9, max without (le) "
     "(rate(http_request_duration_seconds_bucket[5m]))) > 1", "max"),
])
def test_histogram_quantile_with_le_dropped(run_lint: RunLint, expr: str, needle: str) -> None:
    run = run_lint(alert(expr))

    finding = run.one("promql/histogram-quantile-drops-le")
    assert finding.severity is Severity.ERROR
    assert run.where("promql/histogram-quantile-drops-le") == run.at(needle)


# kubernetes-mixin's kubelet PLEG recording rule (issue 9): `le` comes from the left side of
# the group_left join; `max` is on the "one" side, which only adds `job`.
KUBELET_PLEG_SHAPE = ("histogram_quantile(0.99, sum by (route, instance, le) "
                      "(rate(http_request_duration_seconds_bucket[5m])) * on (route, instance) "
                      "group_left (job) max by (route, instance, job) (queue_depth)) > 1")


@pytest.mark.parametrize(("expr", "needle"), [
    # The same join the other way round: now the bucket side is the "one" side.
    ("histogram_quantile(0.99, max by (route) (queue_depth) * on (route) group_right "
     "sum by (route) (rate(http_request_duration_seconds_bucket[5m]))) > 1", "sum by"),
    ("histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])) "
     "/ sum (rate(http_request_duration_seconds_bucket[5m]))) > 1", "sum ("),
    ("histogram_quantile(0.99, sum by (route) (rate(http_request_duration_seconds_bucket[5m])) "
     "and on (route) queue_depth > 0) > 1", "sum"),
])
def test_le_dropped_on_the_side_the_result_comes_from(run_lint: RunLint, expr: str,
                                                      needle: str) -> None:
    run = run_lint(alert(expr))

    assert run.where("promql/histogram-quantile-drops-le") == run.at(needle)


@pytest.mark.parametrize("expr", [
    KUBELET_PLEG_SHAPE,
    "histogram_quantile(0.99, sum by (le, route) "
    "(rate(http_request_duration_seconds_bucket[5m])) and on (route) sum by (route) "
    "(queue_depth) > 0) > 1",
    "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])) "
    "/ ignoring (le) group_left sum (rate(http_request_duration_seconds_count[5m]))) > 1",
])
def test_aggregations_on_the_joined_side_keep_le(run_lint: RunLint, expr: str) -> None:
    run = run_lint(alert(expr))

    assert "promql/histogram-quantile-drops-le" not in run.codes()


@pytest.mark.parametrize(("expr", "labels"), [
    # One-to-one with on (...) keeps only the `on` labels (Prometheus' resultMetric) ...
    ("sum by (method) (rate(http_requests_total[5m]) / on (route) "
     "rate(http_requests_total[5m])) > 1", {"method"}),
    # ... ignoring (...) drops the ignored ones ...
    ("sum by (method) (rate(http_requests_total[5m]) / ignoring (method) "
     "rate(http_requests_total[5m])) > 1", {"method"}),
    # ... and group_left keeps the many side's labels whatever on (...) says.
    ("sum by (method, job) (rate(http_requests_total[5m]) / on (route) group_left (job) "
     "sum by (route, job) (queue_depth)) > 1", set()),
    ("sum by (method) (queue_depth * on (route) group_right "
     "rate(http_requests_total[5m])) > 1", set()),
    ("sum by (method) (rate(http_requests_total[5m]) unless on (route) queue_depth) > 1",
     set()),
])
def test_labels_propagate_through_vector_matching(run_lint: RunLint, expr: str,
                                                  labels: set[str]) -> None:
    run = run_lint(alert(expr))

    unknown = {d.message.split("`")[1] for d in run.find("promql/unknown-label")}
    assert unknown == labels


@pytest.mark.parametrize("expr", [
    "histogram_quantile(0.9, sum by (le, route) "
    "(rate(http_request_duration_seconds_bucket[5m]))) > 1",
    "histogram_quantile(0.9, sum without (route) "
    "(rate(http_request_duration_seconds_bucket[5m]))) > 1",
    "histogram_quantile(0.9, rate(http_request_duration_seconds_bucket[5m])) > 1",
])
def test_histogram_quantile_keeping_le_is_fine(run_lint: RunLint, expr: str) -> None:
    run = run_lint(alert(expr))

    assert not {"promql/histogram-quantile-drops-le",
                "promql/histogram-quantile-not-bucket"} & run.codes()


@pytest.mark.parametrize(("expr", "needle", "message"), [
    ("sum(rate(http_requests_total[20s])) > 1", "20s",
     "rate() over a 20s window: shorter than twice the default scrape interval (15s)"),
    ('sum(rate(http_requests_total{job="batch"}[90s])) > 1', "90s",
     "rate() over a 1m30s window: shorter than twice the scrape interval of job `batch` (1m)"),
    ('sum(increase(http_requests_total{service="batch"}[1m])) > 1', "1m]",
     "increase() over a 1m window: shorter than twice the scrape interval of job `batch` (1m)"),
    ("sum(rate(job:http_requests:sum[45s])) > 1", "45s",
     "rate() over a 45s window: shorter than twice the evaluation interval of its rule group "
     "(30s)"),
])
def test_a_window_shorter_than_two_intervals(run_lint: RunLint, expr: str, needle: str,
                                             message: str) -> None:
    run = run_lint(alert(expr) + """\
recording_rules:
  job:http_requests:sum:
    expr: sum by (job) (http_requests_total)
    lint: {disable: [promql/counter-read-raw]}
""")

    finding = run.one("promql/range-too-short")
    assert finding.severity is Severity.ERROR
    assert finding.message == message
    assert run.where("promql/range-too-short") == run.at(needle)


@pytest.mark.parametrize("expr", [
    "sum(rate(http_requests_total[30s])) > 1",
    'sum(rate(http_requests_total{job="batch"}[2m])) > 1',
    "max_over_time(queue_depth[10s]) > 1",
])
def test_windows_of_two_intervals_or_more_are_fine(run_lint: RunLint, expr: str) -> None:
    run = run_lint(alert(expr))

    assert "promql/range-too-short" not in run.codes()


def test_rate_interval_variables_are_fine(run_lint: RunLint) -> None:
    run = run_lint(panel("sum(rate(http_requests_total[$__rate_interval]))"))

    assert run.codes() == set()


def test_interval_variable_as_a_rate_window(run_lint: RunLint) -> None:
    run = run_lint(panel("sum(rate(http_requests_total[$__interval]))"))

    finding = run.one("promql/grafana-interval-in-rate")
    assert finding.severity is Severity.WARNING
    assert finding.hint == "use $__rate_interval"
    assert run.where("promql/grafana-interval-in-rate") == run.at("$__interval")


def test_a_division_inside_an_aggregation(run_lint: RunLint) -> None:
    run = run_lint(alert("avg(rate(http_request_duration_seconds_sum[5m]) / "
                         "rate(http_request_duration_seconds_count[5m])) > 1"))

    finding = run.one("promql/division-in-aggregation")
    assert finding.severity is Severity.WARNING
    assert run.where("promql/division-in-aggregation") == run.at("/ rate")


@pytest.mark.parametrize(("expr", "needle"), [
    ("sum by (route) (rate(http_requests_total[5m]) / rate(http_requests_total[5m]) != 0) "
     "> 1", "/ rate"),  # a filtering != keeps NaN
    ("quantile(0.9, queue_depth / queue_depth or queue_depth) > 1", "/ queue"),
    ("avg(queue_depth / queue_depth and queue_depth > 0) > 1", "/ queue"),
    ("stddev(clamp_min(queue_depth / queue_depth, 0)) > 1", "/ queue"),
])
def test_a_nan_reaching_the_aggregation(run_lint: RunLint, expr: str, needle: str) -> None:
    run = run_lint(alert(expr))

    assert run.where("promql/division-in-aggregation") == run.at(needle)


@pytest.mark.parametrize("expr", [
    "sum(rate(http_request_duration_seconds_sum[5m])) / "
    "sum(rate(http_request_duration_seconds_count[5m])) > 1",
    "sum(queue_depth / 1000) > 1",
    # issue 9: min and max skip NaN elements, and `> 0` drops NaN anyway.
    "min by (route) (rate(http_requests_total[5m]) / ignoring (method) group_left "
    "sum without (method) (rate(http_requests_total[5m])) > 0) > 1",
    "max(queue_depth / queue_depth) > 1",
    "count(queue_depth / queue_depth) > 1",
    "sum by (route) (rate(http_requests_total[5m]) / rate(http_requests_total[5m]) > 0) > 1",
    "sum(queue_depth > bool 0.5 * queue_depth / queue_depth) > 1",
    "sum(queue_depth / (queue_depth > 0)) > 1",
    "sum(queue_depth / clamp_min(queue_depth, 1)) > 1",
    "sum(queue_depth unless queue_depth / queue_depth) > 1",
])
def test_dividing_after_aggregating_or_by_a_number_is_fine(run_lint: RunLint,
                                                           expr: str) -> None:
    run = run_lint(alert(expr))

    assert "promql/division-in-aggregation" not in run.codes()


def test_reading_a_deprecated_metric(run_lint: RunLint) -> None:
    domain = DOMAIN.replace("    help: Jobs waiting.\n",
                            "    help: Jobs waiting.\n    deprecated: Use jobs_waiting instead.\n")
    run = run_lint(alert("sum(queue_depth) > 1"), domain=domain)

    finding = run.one("promql/deprecated-metric")
    assert finding.severity is Severity.WARNING
    assert finding.message == "`queue_depth` is deprecated: Use jobs_waiting instead."
    assert run.where("promql/deprecated-metric") == run.at("queue_depth)")


def test_findings_in_derived_panel_queries_point_at_the_metric_field(run_lint: RunLint) -> None:
    domain = DOMAIN.replace("    help: Jobs waiting.\n",
                            "    help: Jobs waiting.\n    deprecated: true\n")
    run = run_lint("""\
dashboards:
  board:
    title: Board
    panels:
      - {title: Depth, metric: queue_depth, by: [route]}
""", domain=domain)

    assert run.where("promql/deprecated-metric") == run.at("queue_depth, by")


def test_shipped_style_panels_with_variables_lint_clean(run_lint: RunLint) -> None:
    run = run_lint("""\
dashboards:
  board:
    title: Board
    variables: [route]
    panels:
      - {title: Requests, metric: http_requests_total, by: [method]}
      - {title: Latency, metric: http_request_duration_seconds, by: [route]}
      - {title: Heatmap, type: heatmap, metric: http_request_duration_seconds}
      - {title: RPC, metric: rpc_duration_seconds}
      - {title: Depth, metric: queue_depth}
      - title: Top
        queries:
          - expr: >-
              topk($n, sum by (route)
              (rate(http_requests_total{route=~"$route"}[$__rate_interval])))
""")

    assert run.diagnostics == []


def test_a_finding_in_a_queries_list_points_into_that_query(run_lint: RunLint) -> None:
    run = run_lint("""\
dashboards:
  board:
    title: Board
    panels:
      - title: Two queries
        queries:
          - {expr: 'sum(rate(http_requests_total[$__rate_interval]))', legend: all}
          - expr: |
              sum(
                rate(queue_depth[$__rate_interval])
              )
""")

    finding = run.one("promql/rate-on-gauge")
    assert run.where("promql/rate-on-gauge") == run.at("queue_depth[")
    assert finding.end_column == finding.column + len("queue_depth")


def _promtool_nan(tmp_path: Path, aggregation: str) -> bool:
    """Whether Prometheus' `aggregation` over a/b is NaN when one element is 0/0."""
    promtool = shutil.which("promtool")
    assert promtool is not None, "promtool is required (apt-get install prometheus)"
    inner = f"{aggregation}(a / b)" if aggregation != "quantile" else "quantile(0.5, a / b)"
    test_file = tmp_path / f"{aggregation}.yml"
    (tmp_path / "rules.yml").write_text("groups: []\n")
    # `x != x` keeps a sample only when it is NaN; `or vector(0)` makes "not NaN" a 0.
    test_file.write_text(json.dumps({
        "rule_files": ["rules.yml"], "evaluation_interval": "1m",
        "tests": [{"interval": "1m", "input_series": [
            {"series": 'a{x="1"}', "values": "0 0"}, {"series": 'b{x="1"}', "values": "0 0"},
            {"series": 'a{x="2"}', "values": "1 1"}, {"series": 'b{x="2"}', "values": "2 2"}],
            "promql_expr_test": [{"expr": f"count({inner} != {inner}) or vector(0)",
                                  "eval_time": "1m",
                                  "exp_samples": [{"labels": "{}", "value": 1}]}]}]}))
    result = subprocess.run([promtool, "test", "rules", str(test_file)], capture_output=True,
                            text=True, check=False, timeout=60)
    return result.returncode == 0


@pytest.mark.prometheus
@pytest.mark.parametrize("aggregation", ["sum", "avg", "min", "max", "count", "group",
                                         "stddev", "stdvar", "quantile"])
def test_division_findings_match_what_prometheus_computes(run_lint: RunLint, tmp_path: Path,
                                                          aggregation: str) -> None:
    expr = (f"{aggregation}(queue_depth / queue_depth) > 1" if aggregation != "quantile"
            else "quantile(0.5, queue_depth / queue_depth) > 1")
    run = run_lint(alert(expr))

    reported = "promql/division-in-aggregation" in run.codes()
    assert reported == _promtool_nan(tmp_path, aggregation)


EXTERNAL = "external_labels: {cluster: production}\n"


@pytest.mark.parametrize(("matcher", "effect"), [
    ('cluster="production"', "selects nothing"),
    ('cluster!="staging"', "filters nothing out"),
    ('cluster=~"prod.*"', "selects nothing"),
])
def test_a_rule_matching_on_an_external_label(run_lint: RunLint, matcher: str,
                                              effect: str) -> None:
    run = run_lint(alert(f"sum(rate(http_requests_total{{{matcher}}}[5m])) > 1"),
                   project=EXTERNAL)

    finding = run.one("promql/external-label")
    assert finding.severity is Severity.ERROR
    assert finding.message == (
        "`cluster` is an external label (`cluster: production`): the series alert `Test` "
        f"reads do not have it, so `{matcher}` {effect}")
    assert run.where("promql/external-label") == run.at("cluster")
    assert "promql/unknown-label" not in run.codes()


def test_a_recording_rule_and_up_are_checked_too(run_lint: RunLint) -> None:
    run = run_lint("""\
recording_rules:
  cluster:up:sum:
    expr: sum(up{cluster="production"})
""", project=EXTERNAL)

    assert run.where("promql/external-label") == run.at("cluster=")


@pytest.mark.parametrize(("entries", "domain"), [
    # A metric that declares the label itself (say, federated with honor_labels) has it.
    (alert('sum(queue_depth{cluster="production"}) > 1'),
     DOMAIN.replace("  route: {max_cardinality: 20}\n",
                    "  route: {max_cardinality: 20}\n  cluster: {values: [production]}\n")
     .replace("    help: Jobs waiting.\n    labels: [route]\n",
              "    help: Jobs waiting.\n    labels: [route, cluster]\n")),
    # Grouping by it is harmless: the group's `cluster` is empty, and the alert gets it.
    (alert("sum by (cluster, route) (queue_depth) > 1"), DOMAIN),
    # A dashboard may query a global view (Thanos, federation) that has external labels.
    (panel('sum(rate(http_requests_total{cluster="production"}[$__rate_interval]))'), DOMAIN),
])
def test_external_labels_where_series_have_them(run_lint: RunLint, entries: str,
                                                domain: str) -> None:
    run = run_lint(entries, project=EXTERNAL, domain=domain)

    assert not {"promql/external-label", "promql/unknown-label"} & run.codes()


def test_without_external_labels_the_label_is_just_unknown(run_lint: RunLint) -> None:
    run = run_lint(alert('sum(rate(http_requests_total{cluster="production"}[5m])) > 1'))

    assert run.codes() == {"promql/unknown-label"}
