"""Label values outside the values the catalog allows, with the values seen."""

from __future__ import annotations

from collections.abc import Iterator

from metricsctl.diagnostics import Diagnostic, Severity
from metricsctl.diagnostics.sarif import RuleDescription
from metricsctl.live.advisors.context import LiveContext, metric_finding
from metricsctl.live.advisors.label_sets import label_field

RULES = {"live/label-value-not-allowed": RuleDescription(
    "A label takes a value outside the catalog's allowed values",
    "Dashboards, alerts and the typed instrumentation are written for the listed values; an "
    "unlisted one is missed by them and grows cardinality nobody budgeted.", Severity.ERROR)}
MAX_SHOWN = 10


def advise(context: LiveContext) -> Iterator[Diagnostic]:
    for match in context.matches.by_metric.values():
        metric = match.metric
        for label in metric.labels:
            if label.values is None:
                continue
            allowed = set(label.values)
            for observed in match.with_series:
                outside = sorted(observed.label_values(label.name) - allowed)
                if not outside:
                    continue
                shown = ", ".join(repr(value) for value in outside[:MAX_SHOWN])
                more = f" and {len(outside) - MAX_SHOWN} more" if len(outside) > MAX_SHOWN \
                    else ""
                yield metric_finding(
                    "live/label-value-not-allowed", Severity.ERROR, metric,
                    f"{metric.name}: label {label.name!r} has values outside the allowed "
                    f"set: {shown}{more}", field=label_field(metric, label.name),
                    observed=observed,
                    hint=f"allowed: {', '.join(label.values)} (defined at "
                    f"{label.source.location}); add the value there or fix the code")
