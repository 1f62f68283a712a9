"""Cardinality: unbounded-looking labels, unknown bounds, per-metric and total budgets."""

from __future__ import annotations

import pytest

from metricsctl.diagnostics import Severity
from metricsctl.lint.cardinality import looks_unbounded
from tests.lint.conftest import RunLint

BOUNDED = """\
domain: app
labels:
  method: {values: [GET, POST]}
  route: {max_cardinality: 20}
metrics:
  http_requests_total:
    type: counter
    help: Requests.
    labels: [method, route]
"""


def test_an_unbounded_looking_shared_label(run_lint: RunLint) -> None:
    run = run_lint(domain=BOUNDED.replace("  route: {max_cardinality: 20}\n",
                                          "  route: {max_cardinality: 20}\n  user_id: {}\n")
                   .replace("[method, route]", "[method, route, user_id]"))

    finding = run.one("cardinality/unbounded-label")
    assert finding.severity is Severity.ERROR
    assert finding.message == ("label `user_id` looks unbounded (one value per user, request or "
                               "URL) and declares no bound (used by `http_requests_total`)")
    assert run.where("cardinality/unbounded-label") == run.at("user_id: {}")


def test_an_unbounded_looking_inline_label(run_lint: RunLint) -> None:
    run = run_lint(domain=BOUNDED.replace("[method, route]", "[method, {name: path}]"))

    assert run.where("cardinality/unbounded-label") == run.at("path}")


def test_an_explicit_bound_makes_an_id_label_acceptable(run_lint: RunLint) -> None:
    run = run_lint(domain=BOUNDED.replace(
        "[method, route]", "[method, {name: tenant_id, max_cardinality: 50}]"))

    assert not {"cardinality/unbounded-label", "cardinality/unknown-bound"} & run.codes()


def test_a_label_without_a_bound_is_noted(run_lint: RunLint) -> None:
    run = run_lint(domain=BOUNDED.replace("  route: {max_cardinality: 20}\n", "  route: {}\n"))

    finding = run.one("cardinality/unknown-bound")
    assert finding.severity is Severity.WARNING
    assert run.where("cardinality/unknown-bound") == run.at("route: {}")


def test_a_metric_over_its_budget(run_lint: RunLint) -> None:
    run = run_lint(domain=BOUNDED.replace("route: {max_cardinality: 20}",
                                          "route: {max_cardinality: 200}"),
                   project="lint:\n  cardinality: {metric_budget: 300}\n")

    finding = run.one("cardinality/metric-budget")
    assert finding.severity is Severity.WARNING
    assert finding.message == ("`http_requests_total` can produce an estimated 400 series "
                               "(method 2 × route 200), over the budget of 300")
    assert run.where("cardinality/metric-budget") == run.at("http_requests_total:")


def test_histogram_buckets_count_in_the_estimate(run_lint: RunLint) -> None:
    run = run_lint(domain=BOUNDED + """\
  latency_seconds:
    type: histogram
    unit: seconds
    help: Latency.
    labels: [route]
    buckets: [0.1, 1]
""", project="lint:\n  cardinality: {metric_budget: 79}\n")

    finding = run.one("cardinality/metric-budget")
    assert finding.message == ("`latency_seconds` can produce an estimated 100 series "
                               "(route 20 × 5 series each), over the budget of 79")


def test_a_metric_within_its_budget(run_lint: RunLint) -> None:
    run = run_lint(domain=BOUNDED, project="lint:\n  cardinality: {metric_budget: 40}\n")

    assert "cardinality/metric-budget" not in run.codes()


def test_the_catalog_over_its_total_budget(run_lint: RunLint) -> None:
    run = run_lint(domain=BOUNDED, project="lint:\n  cardinality: {total_budget: 39}\n")

    finding = run.one("cardinality/total-budget")
    assert finding.severity is Severity.WARNING
    assert finding.message == ("the catalog can produce an estimated 40 series, over the "
                               "budget of 39")
    assert finding.file is not None and finding.file.endswith("metricsctl.yaml")
    assert (finding.line, finding.column) == (14, 31)  # the total_budget value


def test_the_catalog_within_its_total_budget(run_lint: RunLint) -> None:
    run = run_lint(domain=BOUNDED, project="lint:\n  cardinality: {total_budget: 40}\n")

    assert "cardinality/total-budget" not in run.codes()


@pytest.mark.parametrize("name", ["user_id", "session_id", "request_id", "trace_id", "email",
                                  "path", "url", "client_ip", "customer_uuid", "id", "userId"])
def test_names_that_look_unbounded(name: str) -> None:
    assert looks_unbounded(name)


@pytest.mark.parametrize("name", ["route", "method", "status_code", "model", "plan", "queue",
                                  "identity_provider", "valid", "paid"])
def test_names_that_do_not(name: str) -> None:
    assert not looks_unbounded(name)
