"""Naming checks: promlint's problems with promlint's wording, plus the catalog's own."""

from __future__ import annotations

import pytest

from metricsctl.catalog.naming import MetricType
from metricsctl.diagnostics import Severity
from metricsctl.lint.naming import non_base_unit
from tests.lint.conftest import RunLint


def metric(name: str, body: str) -> str:
    """A domain file defining one metric."""
    return ("domain: app\nmetrics:\n"
            f"  {name}:\n" + "".join(f"    {line}\n" for line in body.strip().splitlines()))


CASES = [
    # (rule, severity, name, body, message)
    ("naming/counter-total", Severity.WARNING, "jobs_processed",
     "type: counter\nhelp: Jobs done.",
     'jobs_processed: counter metrics should have "_total" suffix'),
    ("naming/non-counter-total", Severity.ERROR, "active_users_total",
     "type: gauge\nhelp: Users online.",
     'active_users_total: non-counter metrics should not have "_total" suffix'),
    ("naming/base-unit", Severity.WARNING, "request_duration_milliseconds",
     "type: gauge\nhelp: Latency.",
     'request_duration_milliseconds: use base unit "seconds" instead of "milliseconds"'),
    ("naming/base-unit", Severity.WARNING, "payload_kilobytes",
     "type: gauge\nhelp: Payload size.",
     'payload_kilobytes: use base unit "bytes" instead of "kilobytes"'),
    ("naming/abbreviated-unit", Severity.WARNING, "chatkit_response_time_ms",
     "type: gauge\nhelp: Latency.",
     "chatkit_response_time_ms: metric names should not contain abbreviated units"),
    ("naming/camel-case", Severity.WARNING, "httpRequests_total",
     "type: counter\nhelp: Requests.",
     "httpRequests_total: metric names should be written in 'snake_case' not 'camelCase'"),
    ("naming/reserved-suffix", Severity.ERROR, "queue_wait_bucket",
     "type: gauge\nhelp: Waiting.",
     'queue_wait_bucket: non-histogram metrics should not have "_bucket" suffix'),
    ("naming/reserved-suffix", Severity.ERROR, "retries_count",
     "type: gauge\nhelp: Retries.",
     'retries_count: non-histogram and non-summary metrics should not have "_count" suffix'),
    ("naming/type-in-name", Severity.WARNING, "memory_gauge_bytes",
     "type: gauge\nunit: bytes\nhelp: Memory.",
     "memory_gauge_bytes: metric name should not include type 'gauge'"),
    ("naming/colon", Severity.WARNING, "app:requests_total",
     "type: counter\nhelp: Requests.", "app:requests_total: metric names should not contain ':'"),
    ("naming/help", Severity.WARNING, "blank_help",
     'type: gauge\nhelp: " "', "blank_help: no help text"),
    ("naming/percentile-gauge", Severity.WARNING, "http_request_latency_p95_seconds",
     "type: gauge\nunit: seconds\nhelp: p95 latency.",
     "http_request_latency_p95_seconds: `p95` looks like a percentile computed in the process "
     "and exported as a gauge"),
    ("naming/average-gauge", Severity.WARNING, "avg_response_seconds",
     "type: gauge\nunit: seconds\nhelp: Average latency.",
     "avg_response_seconds: `avg` looks like an average computed in the process and exported "
     "as a gauge"),
]


@pytest.mark.parametrize(("rule", "severity", "name", "body", "message"), CASES,
                         ids=[f"{case[0]}:{case[2]}" for case in CASES])
def test_promlint_problems_use_promlint_wording(run_lint: RunLint, rule: str,
                                                severity: Severity, name: str, body: str,
                                                message: str) -> None:
    run = run_lint(domain=metric(name, body))

    found = [d for d in run.find(rule) if d.message == message]
    assert len(found) == 1, run.diagnostics
    assert found[0].severity is severity
    # At the metric's name; a blank help text at the text itself.
    where = '" "' if rule == "naming/help" else f"{name}:\n"
    assert f"app.yaml:{found[0].line}:{found[0].column}" == run.at(where)


@pytest.mark.parametrize(("name", "body"), [
    ("http_requests_total", "type: counter\nhelp: Requests."),
    ("request_duration_seconds", "type: histogram\nunit: seconds\nhelp: Latency."),
    ("rpc_latency_seconds", "type: summary\nunit: seconds\nhelp: Latency."),
    ("payload_bytes", "type: gauge\nunit: bytes\nhelp: Size."),
    ("venice_balance_diem", "type: gauge\nunit: diem\nhelp: Balance."),
    ("chat_cost_usd_total", "type: counter\nunit: usd\nhelp: Spend."),
])
def test_well_named_metrics_have_no_naming_findings(run_lint: RunLint, name: str,
                                                    body: str) -> None:
    run = run_lint(domain=metric(name, body))

    assert not [d for d in run.diagnostics if d.code.startswith("naming/")]


def test_a_unit_that_is_not_the_suffix(run_lint: RunLint) -> None:
    run = run_lint(domain=metric("request_latency",
                                 "type: histogram\nunit: seconds\nhelp: Latency."))

    finding = run.one("naming/unit-suffix")
    assert finding.severity is Severity.WARNING
    assert finding.hint == "rename it to `request_latency_seconds`"
    assert run.where("naming/unit-suffix") == run.at("seconds")


def test_a_counter_unit_goes_before_total(run_lint: RunLint) -> None:
    run = run_lint(domain=metric("chat_spend_total", "type: counter\nunit: usd\nhelp: Spend."))

    assert run.one("naming/unit-suffix").hint == "rename it to `chat_spend_usd_total`"


def test_a_non_base_declared_unit(run_lint: RunLint) -> None:
    run = run_lint(domain=metric("boot_minutes", "type: gauge\nunit: minutes\nhelp: Boot time."))

    messages = {(d.message, d.line, d.column) for d in run.find("naming/base-unit")}
    name_line = int(run.at("boot_minutes:").split(":")[1])
    assert ('boot_minutes: use base unit "seconds" instead of "minutes"', name_line, 3) in messages
    unit_at = run.at("minutes\n").split(":")
    assert ('boot_minutes: use base unit "seconds" instead of "minutes"', int(unit_at[1]),
            int(unit_at[2])) in messages


def test_camel_case_label_names(run_lint: RunLint) -> None:
    run = run_lint(domain=metric("logins_total", "type: counter\nhelp: Logins.\n"
                          "labels: [{name: authMethod, values: [password, sso]}]"))

    finding = run.one("naming/camel-case")
    assert finding.message == ("authMethod: label names should be written in 'snake_case' "
                               "not 'camelCase'")
    assert finding.hint == "rename it to `auth_method`"
    assert run.where("naming/camel-case") == run.at("authMethod")


def test_recording_rule_names_follow_level_metric_operations(run_lint: RunLint) -> None:
    run = run_lint(domain="domain: app\nmetrics:\n" + """\
  http_requests_total: {type: counter, help: Requests.}
recording_rules:
  http_requests_rate5m:
    expr: sum by (job) (rate(http_requests_total[5m]))
  job:http_requests:rate5m:
    expr: sum by (job) (rate(http_requests_total[5m]))
""")

    finding = run.one("naming/recording-rule-name")
    assert finding.severity is Severity.INFO
    assert run.where("naming/recording-rule-name") == run.at("http_requests_rate5m:")


@pytest.mark.parametrize(("word", "base"), [
    ("milliseconds", "seconds"), ("microseconds", "seconds"), ("hours", "seconds"),
    ("bits", "bytes"), ("megabytes", "bytes"), ("mebibytes", "bytes"), ("kilometers", "meters"),
    ("fahrenheit", "celsius"), ("pounds", "grams"), ("calories", "joules"),
    ("seconds", None), ("bytes", None), ("ratio", None), ("tokens", None),
])
def test_non_base_units_name_their_base_unit(word: str, base: str | None) -> None:
    assert non_base_unit(word) == base


@pytest.mark.parametrize("metric_type", [t for t in MetricType if t is not MetricType.COUNTER])
def test_every_non_counter_type_named_total_is_reported(run_lint: RunLint,
                                                        metric_type: MetricType) -> None:
    run = run_lint(domain=metric("jobs_waiting_total",
                                 f"type: {metric_type.value}\nhelp: Jobs waiting."))

    found = run.find("naming/non-counter-total")
    assert [d.message for d in found] == [
        'jobs_waiting_total: non-counter metrics should not have "_total" suffix']


def test_a_counter_named_total_is_not_reported(run_lint: RunLint) -> None:
    run = run_lint(domain=metric("jobs_done_total", "type: counter\nhelp: Jobs done."))

    assert run.find("naming/non-counter-total") == []
