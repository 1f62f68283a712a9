"""Observed series per metric and distinct values per label, against the catalog's bounds."""

from __future__ import annotations

from collections.abc import Iterator

from metricsctl.catalog.cardinality import estimate_metric
from metricsctl.catalog.model import Metric
from metricsctl.diagnostics import Diagnostic, Severity
from metricsctl.diagnostics.sarif import RuleDescription
from metricsctl.live.advisors.context import LiveContext, metric_finding
from metricsctl.live.advisors.label_sets import label_field
from metricsctl.live.samples import ObservedMetric

RULES = {
    "live/series-over-bound": RuleDescription(
        "A metric has more series than its labels' bounds allow",
        "The catalog's label bounds are the metric's cardinality budget; more series means a "
        "label takes values nobody planned for.", Severity.WARNING),
    "live/label-over-bound": RuleDescription(
        "A label takes more distinct values than its max_cardinality",
        "Unbounded label values (ids, raw paths, error texts) are the usual cause of a "
        "cardinality explosion.", Severity.WARNING),
}


def _explained(metric: Metric, observed: ObservedMetric, dropped: frozenset[str]) -> bool:
    """Whether labels or values the other advisors report already account for the excess."""
    if observed.label_names - set(metric.label_names) - dropped:
        return True
    return any(observed.label_values(label.name) - set(label.values)
               for label in metric.labels if label.values is not None)


def advise(context: LiveContext) -> Iterator[Diagnostic]:
    for match in context.matches.by_metric.values():
        metric, observed = match.metric, match.primary
        if observed is None:
            continue
        bound = estimate_metric(metric).label_sets
        count = observed.observed_series
        if bound is not None and count > bound and not _explained(metric, observed,
                                                                 context.dropped_labels):
            yield metric_finding(
                "live/series-over-bound", Severity.WARNING, metric,
                f"{metric.name} has {count} series, more than the {bound} its labels' bounds "
                "allow", observed=observed)
        for label in metric.labels:
            if label.max_cardinality is None or label.values is not None:
                continue
            distinct = len(observed.label_values(label.name))
            if distinct > label.max_cardinality:
                yield metric_finding(
                    "live/label-over-bound", Severity.WARNING, metric,
                    f"{metric.name}: label {label.name!r} has {distinct} distinct values, "
                    f"more than its max_cardinality of {label.max_cardinality}",
                    field=label_field(metric, label.name), observed=observed)
