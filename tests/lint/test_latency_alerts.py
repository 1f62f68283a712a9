"""alert/latency-without-traffic-guard: a request latency alert fires only while there is
enough traffic for its quantile or average to mean something."""

from __future__ import annotations

import pytest

from metricsctl.diagnostics import Severity
from tests.lint.conftest import RunLint, alert

RULE = "alert/latency-without-traffic-guard"
P95 = ("histogram_quantile(0.95, sum by (le, route) "
       "(rate(http_request_duration_seconds_bucket[5m])))")
AVERAGE = ("sum by (route) (rate(http_request_duration_seconds_sum[5m]))"
           " / sum by (route) (rate(http_request_duration_seconds_count[5m]))")
TRAFFIC = "sum by (route) (rate(http_request_duration_seconds_count[5m]))"


def test_a_p95_alert_without_a_traffic_guard(run_lint: RunLint) -> None:
    run = run_lint(alert(f"{P95} > 2"))

    finding = run.one(RULE)
    assert finding.severity is Severity.WARNING
    assert finding.message == ("alert `Test` fires on the latency of "
                               "`http_request_duration_seconds` however few requests it is "
                               "measured over")
    assert run.where(RULE) == run.at("histogram_quantile")
    assert finding.hint == ("add a traffic guard, e.g. `and on (route) sum by (route) "
                            "(rate(http_request_duration_seconds_count[5m])) > 0.1`")


def test_an_average_latency_alert_without_a_traffic_guard(run_lint: RunLint) -> None:
    run = run_lint(alert(f"{AVERAGE} > 1"))

    assert run.where(RULE) == run.at("/ sum")


def test_a_recorded_p95_is_a_latency_too(run_lint: RunLint) -> None:
    run = run_lint(alert("route:http_request_duration_seconds:p95 > 2") + f"""\
recording_rules:
  route:http_request_duration_seconds:p95:
    expr: {P95}
""")

    assert run.where(RULE) == run.at("route:http_request_duration_seconds:p95")


@pytest.mark.parametrize("expr", [
    f"{P95} > 2 and on (route) {TRAFFIC} > 0.1",
    f"({AVERAGE} > 1) and on (route) {TRAFFIC} >= 1",
    f"{TRAFFIC} > 0.1 and on (route) {P95} > 2",
    f"{P95} > 2 unless on (route) {TRAFFIC} < 0.1",
    f"{P95} > 2 and on (route) sum by (route) (rate(http_requests_total[5m])) > 0.1",
    "route:http_requests:rate5m > 1 and on (route) " + P95 + " > 2",
])
def test_a_guarded_latency_alert(run_lint: RunLint, expr: str) -> None:
    run = run_lint(alert(expr) + """\
recording_rules:
  route:http_requests:rate5m:
    expr: sum by (route) (rate(http_requests_total[5m]))
""")

    assert RULE not in run.codes()


def test_a_filter_that_is_not_about_traffic_is_no_guard(run_lint: RunLint) -> None:
    run = run_lint(alert(f"{P95} > 2 and on (route) queue_depth > 10"))

    assert RULE in run.codes()


PERIODIC = """\
domain: app
metrics:
  disk_fsync_duration_seconds:
    type: histogram
    unit: seconds
    help: Time of a WAL fsync, on a timer.
  payment_request_size_bytes:
    type: histogram
    unit: bytes
    help: Size of a payment request body.
"""


@pytest.mark.parametrize("expr", [
    # periodic work: its traffic does not follow demand
    "histogram_quantile(0.99, rate(disk_fsync_duration_seconds_bucket[5m])) > 0.5",
    # a size, not a time
    "histogram_quantile(0.99, rate(payment_request_size_bytes_bucket[5m])) > 1000",
])
def test_only_request_and_job_latencies_are_checked(run_lint: RunLint, expr: str) -> None:
    run = run_lint(alert(expr), domain=PERIODIC)

    assert RULE not in run.codes()


def test_the_rule_can_be_disabled_on_the_alert(run_lint: RunLint) -> None:
    run = run_lint(alert(f"{P95} > 2", extra=f"lint: {{disable: [{RULE}]}}\n"))

    assert RULE not in run.codes()
