"""The engine: project configuration (off, severity), per-entry disables, unknown rule ids,
and the registry of rules."""

from __future__ import annotations

import re

from metricsctl.diagnostics import Severity
from metricsctl.lint import all_rules
from tests.lint.conftest import DOMAIN, RunLint, alert

RATE_ON_GAUGE_ALERT = alert("sum(rate(queue_depth[5m])) > 1")


def test_a_rule_turned_off_in_the_project_file(run_lint: RunLint) -> None:
    run = run_lint(RATE_ON_GAUGE_ALERT, project="lint:\n  rules: {promql/rate-on-gauge: off}\n")

    assert "promql/rate-on-gauge" not in run.codes()


def test_a_rule_with_another_severity(run_lint: RunLint) -> None:
    run = run_lint(RATE_ON_GAUGE_ALERT,
                   project="lint:\n  rules: {promql/rate-on-gauge: warning}\n")

    assert run.one("promql/rate-on-gauge").severity is Severity.WARNING


def test_a_rule_disabled_on_an_alert(run_lint: RunLint) -> None:
    run = run_lint(alert("sum(rate(queue_depth[5m])) > 1",
                         extra="lint: {disable: [promql/rate-on-gauge]}\n"))

    assert "promql/rate-on-gauge" not in run.codes()


def test_a_disable_applies_only_to_its_entry(run_lint: RunLint) -> None:
    run = run_lint(alert("sum(rate(queue_depth[5m])) > 1", name="First",
                         extra="lint: {disable: [promql/rate-on-gauge]}\n")
                   + alert("sum(rate(queue_depth[5m])) > 2", name="Second")
                   .replace("alerts:\n", ""))

    assert run.where("promql/rate-on-gauge") == run.at("queue_depth[5m])) > 2")


def test_a_rule_disabled_on_a_metric(run_lint: RunLint) -> None:
    domain = DOMAIN.replace("  queue_depth:\n", "  queue_depth_total:\n").replace(
        "    help: Jobs waiting.\n",
        "    help: Jobs waiting.\n    lint: {disable: [naming/non-counter-total]}\n")
    run = run_lint(domain=domain)

    assert "naming/non-counter-total" not in run.codes()


def test_a_rule_disabled_on_a_panel_or_on_its_dashboard(run_lint: RunLint) -> None:
    dashboards = """\
dashboards:
  one:
    title: One
    panels:
      - title: Depth rate
        expr: sum(rate(queue_depth[5m]))
        lint: {disable: [promql/rate-on-gauge]}
  two:
    title: Two
    lint: {disable: [promql/rate-on-gauge]}
    panels:
      - {title: Depth rate, expr: 'sum(rate(queue_depth[5m]))'}
  three:
    title: Three
    panels:
      - {title: Depth rate, expr: 'sum(rate(queue_depth[5m]))'}
"""
    run = run_lint(dashboards)

    assert run.where("promql/rate-on-gauge") == run.at("queue_depth[5m]))'}", nth=2)


def test_a_rule_disabled_on_a_label_definition(run_lint: RunLint) -> None:
    domain = DOMAIN.replace(
        "  route: {max_cardinality: 20}\n",
        "  route: {max_cardinality: 20}\n"
        "  user_id: {lint: {disable: [cardinality/unbounded-label]}}\n").replace(
        "labels: [method, route]", "labels: [method, route, user_id]")
    run = run_lint(domain=domain)

    assert "cardinality/unbounded-label" not in run.codes()


def test_unknown_rule_ids_are_reported_with_a_suggestion(run_lint: RunLint) -> None:
    run = run_lint(alert("queue_depth > 1", extra="lint: {disable: [promql/rate-on-guage]}\n"),
                   project="lint:\n  rules: {naming/counter-totals: off}\n")

    found = run.find("lint/unknown-rule")
    assert [(d.severity, d.message, d.hint) for d in found] == [
        (Severity.ERROR, "unknown lint rule `promql/rate-on-guage` in lint.disable",
         "did you mean `promql/rate-on-gauge`?"),
        (Severity.ERROR, "unknown lint rule `naming/counter-totals` in lint.rules",
         "did you mean `naming/counter-total`?"),
    ]
    assert f"app.yaml:{found[0].line}:{found[0].column}" == run.at("promql/rate-on-guage")
    assert found[1].file is not None and found[1].file.endswith("metricsctl.yaml")
    assert (found[1].line, found[1].column) == (14, 11)


def test_findings_are_sorted_located_and_explained(run_lint: RunLint) -> None:
    run = run_lint(alert("sum(rate(queue_depth[5m]))").replace("    for: 5m\n", ""))

    assert run.diagnostics == sorted(run.diagnostics, key=lambda d: d.sort_key())
    assert all(d.location is not None and d.line and d.column for d in run.diagnostics)
    assert all(d.explanation == all_rules()[d.code].explanation for d in run.diagnostics)
    assert {"promql/rate-on-gauge", "alert/no-comparison", "alert/missing-for"} <= run.codes()


def test_every_rule_has_a_stable_id_a_summary_and_an_explanation() -> None:
    rules = all_rules()

    assert list(rules) == sorted(rules)
    for rule_id, rule in rules.items():
        assert re.fullmatch(r"[a-z]+/[a-z0-9-]+", rule_id)
        assert rule.summary and not rule.summary.endswith(".")
        assert len(rule.explanation) > 80 and rule.explanation.endswith(".")
    assert set(rules) == {
        "adoption/inferred-type", "alert/absent-without-for", "alert/absolute-error-threshold",
        "alert/aggregates-away-dimension", "alert/group-interval",
        "alert/latency-without-traffic-guard", "alert/missing-annotation", "alert/missing-for",
        "alert/no-comparison",
        "alert/template-syntax", "alert/template-unknown-label",
        "alert/unknown-external-label", "alert/value-in-labels",
        "cardinality/metric-budget", "cardinality/total-budget", "cardinality/unbounded-label",
        "cardinality/unknown-bound", "lint/unknown-rule", "naming/abbreviated-unit",
        "naming/average-gauge", "naming/base-unit", "naming/camel-case", "naming/colon",
        "naming/counter-total", "naming/help", "naming/non-counter-total",
        "naming/percentile-gauge", "naming/recording-rule-name", "naming/reserved-suffix",
        "naming/type-in-name", "naming/unit-suffix", "promql/counter-read-raw",
        "promql/deprecated-metric", "promql/division-in-aggregation", "promql/external-label",
        "promql/gauge-function-on-counter", "promql/grafana-interval-in-rate",
        "promql/histogram-quantile-drops-le", "promql/histogram-quantile-not-bucket",
        "promql/range-too-short", "promql/rate-of-aggregation", "promql/rate-on-gauge",
        "promql/regex-without-regex", "promql/syntax", "promql/unknown-label",
        "promql/unknown-label-value", "promql/unknown-metric", "promql/wrong-suffix",
        "rule/duplicate",
    }
