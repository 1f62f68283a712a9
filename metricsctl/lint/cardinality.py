"""Cardinality: estimated series per metric and in total, against the project's budgets,
and labels whose names say they hold unbounded values (ids, emails, raw paths)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from metricsctl.catalog.cardinality import estimate_catalog, total_series
from metricsctl.diagnostics import Severity
from metricsctl.lint.context import LintContext
from metricsctl.lint.rule import Finding, Rule

UNBOUNDED_LABEL = Rule(
    "cardinality/unbounded-label", Severity.ERROR,
    "a label that looks unbounded (ids, emails, raw paths or URLs)",
    "Every distinct label value is a new series held in Prometheus' memory. A user, session "
    "or request id, an email address or a raw URL path has a new value for every user or "
    "request: the classic way to take Prometheus down. Use a bounded label instead (a route "
    "template, a plan tier), keep ids in logs or traces, or declare `values:` or "
    "`max_cardinality:` if the label really is bounded.")
UNKNOWN_BOUND = Rule(
    "cardinality/unknown-bound", Severity.WARNING,
    "a label without `values` or `max_cardinality`",
    "Without a bound the catalog cannot estimate the metric's series nor warn before a "
    "cardinality explosion. List the label's `values`, or give `max_cardinality`.")
METRIC_BUDGET = Rule(
    "cardinality/metric-budget", Severity.WARNING,
    "a metric whose estimated series exceed the per-metric budget",
    "The estimate multiplies the number of values of each label (and the buckets of a "
    "histogram). Over the budget, the metric costs memory and makes queries slow. Drop a "
    "label, merge values, use fewer buckets, or raise `lint.cardinality.metric_budget` if "
    "the cost is intended.")
TOTAL_BUDGET = Rule(
    "cardinality/total-budget", Severity.WARNING,
    "the catalog's estimated series exceed the total budget",
    "The sum of the per-metric estimates is above `lint.cardinality.total_budget`. Reduce the "
    "largest metrics (see `metricsctl list`), or raise the budget if Prometheus is sized for "
    "it.")

RULES = (UNBOUNDED_LABEL, UNKNOWN_BOUND, METRIC_BUDGET, TOTAL_BUDGET)

# Label names that hold per-user or per-request values.
_UNBOUNDED_NAMES = re.compile(
    r"(^|_)(user|session|request|trace|span|customer|account|order|transaction|message|"
    r"conversation|device|visitor|correlation)_?(id|uuid|key)$"
    r"|(^|_)(uuid|guid|email|e_mail|mail|path|url|uri|query|ip|ip_address|client_ip|"
    r"remote_addr|user_agent|username|user|token|cookie)$"
    r"|(^|_)id$")


def looks_unbounded(label: str) -> bool:
    """Whether a label name suggests one value per user, request or URL."""
    return _UNBOUNDED_NAMES.search(label.lower()) is not None


def check(context: LintContext) -> Iterator[Finding]:
    catalog = context.catalog
    reported: set[int] = set()
    for metric in catalog.metrics.values():
        for label in metric.labels:
            if label.bounded or id(label) in reported:
                continue
            reported.add(id(label))  # a shared definition is reported once, where it is
            where = label.source.field("name") if label.scope == "metric" else \
                label.source.location
            disabled = label.lint_disable | (metric.lint_disable if label.scope == "metric"
                                             else frozenset())
            if looks_unbounded(label.name):
                yield Finding(UNBOUNDED_LABEL,
                              f"label `{label.name}` looks unbounded (one value per user, "
                              f"request or URL) and declares no bound (used by "
                              f"`{metric.name}`)", where,
                              "use a bounded label (e.g. a route template), or declare "
                              "`values:` or `max_cardinality:`", disabled)
            else:
                yield Finding(UNKNOWN_BOUND,
                              f"label `{label.name}` has no `values` or `max_cardinality`, "
                              f"so the series of `{metric.name}` cannot be estimated", where,
                              "list its `values:` or give `max_cardinality:`", disabled)
    settings = catalog.project.lint
    estimates = estimate_catalog(catalog)
    for name, estimate in estimates.items():
        metric = catalog.metrics[name]
        series = estimate.series
        if series is not None and series > settings.metric_budget:
            factors = " × ".join(f"{label.name} {label.cardinality}" for label in metric.labels)
            per_set = estimate.samples_per_label_set
            if per_set > 1:
                factors = f"{factors} × {per_set} series each" if factors else \
                    f"{per_set} series"
            yield Finding(METRIC_BUDGET,
                          f"`{name}` can produce an estimated {series:,} series ({factors}), "
                          f"over the budget of {settings.metric_budget:,}",
                          metric.source.location,
                          "drop or bound a label, or raise lint.cardinality.metric_budget",
                          metric.lint_disable)
    total = total_series(estimates)
    if total > settings.total_budget:
        project = catalog.project.source
        where = (project.field("lint", "cardinality", "total_budget")
                 if project.has("lint", "cardinality", "total_budget")
                 else project.field("project", key=True))
        yield Finding(TOTAL_BUDGET,
                      f"the catalog can produce an estimated {total:,} series, over the budget "
                      f"of {settings.total_budget:,}", where,
                      "reduce the largest metrics, or raise lint.cardinality.total_budget")
