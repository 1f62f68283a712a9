"""In the catalog, exposed nowhere that was checked."""

from __future__ import annotations

from collections.abc import Iterator

from metricsctl.diagnostics import Diagnostic, Severity
from metricsctl.diagnostics.sarif import RuleDescription
from metricsctl.live.advisors.context import LiveContext, metric_finding
from metricsctl.live.samples import describe_sources

RULES = {"live/missing-metric": RuleDescription(
    "A catalog metric is exposed nowhere that was checked",
    "Dashboards and alerts on a metric nobody exposes show nothing and never fire. The code "
    "may have renamed or removed it, or the metric was not registered.", Severity.WARNING)}


def advise(context: LiveContext) -> Iterator[Diagnostic]:
    sources = describe_sources(context.observation.sources)
    for match in context.matches.by_metric.values():
        if match.seen or match.percentile_gauges:
            continue
        metric = match.metric
        yield metric_finding(
            "live/missing-metric", Severity.WARNING, metric,
            f"{metric.name} is in the catalog but exposed nowhere (checked {sources})",
            hint="check that the code registers it under this name; remove it from the "
            "catalog if it is gone")
