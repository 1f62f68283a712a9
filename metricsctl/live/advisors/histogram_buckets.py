"""Histogram buckets that differ from the catalog's."""

from __future__ import annotations

from collections.abc import Iterator

from metricsctl.catalog.cardinality import DEFAULT_BUCKETS
from metricsctl.catalog.naming import MetricType
from metricsctl.diagnostics import Diagnostic, Severity
from metricsctl.diagnostics.sarif import RuleDescription
from metricsctl.live.advisors.context import LiveContext, metric_finding
from metricsctl.live.samples import describe_sources

RULES = {"live/buckets-differ": RuleDescription(
    "A histogram's buckets differ from the catalog's",
    "Alerts and SLOs compare against bucket bounds (`le=\"0.5\"`) and histogram_quantile "
    "interpolates between them; changed buckets silently change their meaning.",
    Severity.ERROR)}


def _bounds(values: tuple[float, ...]) -> str:
    return "[" + ", ".join(f"{value:g}" for value in values) + "]"


def advise(context: LiveContext) -> Iterator[Diagnostic]:
    for match in context.matches.by_metric.values():
        metric = match.metric
        if metric.type is not MetricType.HISTOGRAM:
            continue
        expected = tuple(sorted(metric.buckets if metric.buckets is not None
                                else DEFAULT_BUCKETS))
        for observed in match.with_series:
            for layout, sources in observed.bucket_layouts.items():
                if layout == expected:
                    continue
                added = sorted(set(layout) - set(expected))
                removed = sorted(set(expected) - set(layout))
                change = "; ".join(part for part in (
                    f"added {_bounds(tuple(added))}" if added else "",
                    f"removed {_bounds(tuple(removed))}" if removed else "") if part)
                yield metric_finding(
                    "live/buckets-differ", Severity.ERROR, metric,
                    f"{metric.name} is exposed with buckets {_bounds(layout)}, the catalog "
                    f"has {_bounds(expected)} ({change}) at {describe_sources(sources)}",
                    field=("buckets",) if metric.buckets is not None else ())
