"""Type mismatches: a gauge exposed as a counter, a percentile exported as a gauge."""

from __future__ import annotations

from collections.abc import Iterator

from metricsctl.diagnostics import Diagnostic, Severity
from metricsctl.diagnostics.sarif import RuleDescription
from metricsctl.live.advisors.context import LiveContext, metric_finding
from metricsctl.live.matching import Match

RULES = {
    "live/type-mismatch": RuleDescription(
        "A metric is exposed with another type than the catalog's",
        "Queries are written for the catalog's type: rate() over a gauge or a raw counter "
        "value on a dashboard are wrong. Make the code and the catalog agree.",
        Severity.ERROR),
    "live/percentile-as-gauge": RuleDescription(
        "A percentile is exported as a gauge where the catalog has a histogram or summary",
        "Pre-computed percentiles cannot be aggregated across instances or time; expose the "
        "histogram the catalog describes and compute quantiles in PromQL.", Severity.ERROR),
    "live/untyped-metric": RuleDescription(
        "A catalog metric is exposed without a type",
        "Without `# TYPE`, Prometheus stores the metric as unknown and tools cannot check its "
        "queries.", Severity.INFO),
}
UNTYPED = ("untyped", "unknown")


def advise(context: LiveContext) -> Iterator[Diagnostic]:
    for match in context.matches.by_metric.values():
        yield from _primary_type(match)
        yield from _percentile_gauges(match)


def _primary_type(match: Match) -> Iterator[Diagnostic]:
    metric, observed = match.metric, match.primary
    if observed is None:
        return
    expected = metric.type.value
    if observed.type == expected:
        return
    if observed.type in UNTYPED:
        yield metric_finding("live/untyped-metric", Severity.INFO, metric,
                             f"{metric.name} is exposed without a type (the catalog says "
                             f"{expected})", field=("type",), observed=observed)
        return
    if observed.type == "gauge" and "quantile" in observed.folded_labels and (
            expected in ("histogram", "summary")):
        yield metric_finding("live/percentile-as-gauge", Severity.ERROR, metric,
                             f"{metric.name} is a {expected} in the catalog but exposed as a "
                             "gauge with a quantile label", field=("type",), observed=observed,
                             hint="expose the histogram; compute percentiles with "
                             "histogram_quantile()")
        return
    yield metric_finding("live/type-mismatch", Severity.ERROR, metric,
                         f"{metric.name} is a {expected} in the catalog but exposed as "
                         f"{observed.type}", field=("type",), observed=observed)


def _percentile_gauges(match: Match) -> Iterator[Diagnostic]:
    metric = match.metric
    for gauge in match.percentile_gauges:
        yield metric_finding("live/percentile-as-gauge", Severity.ERROR, metric,
                             f"{gauge.name} ({gauge.type}) exports a percentile of "
                             f"{metric.name}, which the catalog has as a {metric.type.value}",
                             field=("type",), observed=gauge,
                             hint=f"expose {metric.name} itself and compute percentiles with "
                             "histogram_quantile()")
