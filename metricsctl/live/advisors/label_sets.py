"""Label sets that differ from the catalog's: labels missing from series, labels added."""

from __future__ import annotations

from collections.abc import Iterator

from metricsctl.catalog.model import Metric
from metricsctl.diagnostics import Diagnostic, Severity
from metricsctl.diagnostics.sarif import RuleDescription
from metricsctl.live.advisors.context import LiveContext, metric_finding
from metricsctl.live.samples import ObservedMetric

RULES = {
    "live/extra-label": RuleDescription(
        "Series carry a label the catalog does not declare",
        "A label added in code and not in the catalog is invisible to dashboards and to "
        "cardinality budgets, and breaks aggregations that list labels with `by`.",
        Severity.ERROR),
    "live/missing-label": RuleDescription(
        "Series lack a label the catalog declares",
        "Queries filtering or grouping by the label find nothing.", Severity.ERROR),
}


def label_field(metric: Metric, label: str) -> tuple[str | int, ...]:
    """The catalog field of `label` in `metric`'s labels list (else the list itself)."""
    index = metric.label_names.index(label) if label in metric.label_names else -1
    if index >= 0 and metric.source.has("labels", index):
        return ("labels", index)
    return ("labels",) if metric.source.has("labels") else ()


def advise(context: LiveContext) -> Iterator[Diagnostic]:
    dropped = context.dropped_labels
    for match in context.matches.by_metric.values():
        metric = match.metric
        for observed in match.with_series:
            if observed.series:
                yield from _compare(metric, observed, dropped)


def _compare(metric: Metric, observed: ObservedMetric,
             dropped: frozenset[str]) -> Iterator[Diagnostic]:
    declared = set(metric.label_names) - dropped
    seen = observed.label_names
    for label in sorted(seen - declared):
        values = sorted(observed.label_values(label))
        yield metric_finding(
            "live/extra-label", Severity.ERROR, metric,
            f"{metric.name} has label {label!r}, which the catalog does not declare (values "
            f"seen: {_some(values)})",
            field=("labels",) if metric.source.has("labels") else (), observed=observed,
            hint=f"add {label} to the metric's labels in the catalog, or stop setting it")
    for label in metric.label_names:
        if label not in declared:
            continue
        lacking = len(observed.series) - observed.series_carrying(label)
        if lacking:
            share = "no series" if lacking == len(observed.series) else (
                f"{lacking} of {len(observed.series)} series")
            yield metric_finding(
                "live/missing-label", Severity.ERROR, metric,
                f"{metric.name}: {share} carry label {label!r}, which the catalog declares",
                field=label_field(metric, label), observed=observed)


def _some(values: list[str], limit: int = 5) -> str:
    shown = ", ".join(repr(value) for value in values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")
