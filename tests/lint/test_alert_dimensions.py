"""alert/aggregates-away-dimension: an alert keeps the labels the catalog marks
`alert_dimension: true` (per model, per queue) instead of summing them away."""

from __future__ import annotations

import pytest

from metricsctl.diagnostics import Severity
from tests.lint.conftest import RunLint, alert

RULE = "alert/aggregates-away-dimension"

DOMAIN = """\
domain: chat
labels:
  model:
    max_cardinality: 10
    alert_dimension: true
  error_type: {max_cardinality: 10}
metrics:
  chat_errors_total:
    type: counter
    help: Chat completions that failed.
    labels: [model, error_type]
  chat_requests_total:
    type: counter
    help: Chat completions requested.
    labels: [model]
  chat_cost_usd_total:
    type: counter
    unit: usd
    help: Cost of chat completions.
    labels: [model]
"""
RATIO = ("sum(rate(chat_errors_total[5m])) / sum(rate(chat_requests_total[5m])) > 0.05")


def test_a_ratio_summed_over_every_model(run_lint: RunLint) -> None:
    run = run_lint(alert(RATIO), domain=DOMAIN)

    finding = run.one(RULE)
    assert finding.severity is Severity.WARNING
    assert finding.message == ("`sum` aggregates `model` away in alert `Test`, but the catalog "
                               "marks `model` as an alerting dimension: the alert should fire "
                               "per model")
    assert run.where(RULE) == run.at("sum(")
    assert finding.hint == 'keep it, e.g. `sum by (model) (...)`, or pin it with `{model="..."}`'


@pytest.mark.parametrize("expr", [
    "sum by (model) (rate(chat_errors_total[5m])) / sum by (model) (rate(chat_requests_total[5m]))"
    " > 0.05",
    "sum without (error_type) (rate(chat_errors_total[5m])) > 1",
    'sum(rate(chat_errors_total{model="llama"}[5m])) > 1',
    # the right side of `and` only filters: a global traffic guard keeps nothing away
    "sum by (model) (rate(chat_errors_total[5m])) > 1 and on () "
    "sum(rate(chat_requests_total[5m])) > 10",
    "rate(chat_errors_total[5m]) > 1",
])
def test_alerts_that_keep_or_pin_the_dimension(run_lint: RunLint, expr: str) -> None:
    run = run_lint(alert(expr), domain=DOMAIN)

    assert RULE not in run.codes()


def test_without_dropping_the_dimension_is_reported_at_the_aggregation(run_lint: RunLint
                                                                       ) -> None:
    run = run_lint(alert("max(sum without (model) (rate(chat_errors_total[5m]))) > 1"),
                   domain=DOMAIN)

    assert run.where(RULE) == run.at("sum without")


def test_a_matching_that_drops_the_dimension(run_lint: RunLint) -> None:
    run = run_lint(alert("rate(chat_errors_total[5m]) / on (error_type) group_left "
                         "sum by (error_type) (rate(chat_errors_total[1h])) > 2"),
                   domain=DOMAIN)

    assert RULE not in run.codes()  # group_left keeps the left side's labels, model included
    run = run_lint(alert("rate(chat_errors_total[5m]) / ignoring (model) "
                         "rate(chat_errors_total[1h]) > 2"), domain=DOMAIN)
    assert run.one(RULE).message.startswith("the `/` matching drops `model`")
    assert run.where(RULE) == run.at("/ ignoring")


def test_a_recorded_series_keeps_its_dimension(run_lint: RunLint) -> None:
    run = run_lint(alert("sum(model:chat_errors:rate5m) > 1") + """\
recording_rules:
  model:chat_errors:rate5m:
    expr: sum by (model) (rate(chat_errors_total[5m]))
""", domain=DOMAIN)

    assert run.where(RULE) == run.at("sum(")


def test_unmarked_labels_may_be_summed(run_lint: RunLint) -> None:
    run = run_lint(alert(RATIO), domain=DOMAIN.replace("    alert_dimension: true\n", ""))

    assert RULE not in run.codes()


def test_an_inline_label_can_be_a_dimension(run_lint: RunLint) -> None:
    domain = DOMAIN + """\
  queue_failures_total:
    type: counter
    help: Jobs that failed.
    labels:
      - {name: queue_name, max_cardinality: 5, alert_dimension: true}
"""
    run = run_lint(alert("sum(rate(queue_failures_total[5m])) > 1"), domain=domain)

    assert "`queue_name`" in run.one(RULE).message


def test_a_budget_over_every_model_says_why_it_sums(run_lint: RunLint) -> None:
    run = run_lint(alert("sum(increase(chat_cost_usd_total[24h])) > 8",
                         extra=f"lint: {{disable: [{RULE}]}}  # the budget is for all models\n"),
                   domain=DOMAIN)

    assert RULE not in run.codes()
