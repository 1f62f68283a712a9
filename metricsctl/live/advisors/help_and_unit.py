"""HELP text and UNIT that differ from the catalog's (information: nothing breaks)."""

from __future__ import annotations

from collections.abc import Iterator

from metricsctl.diagnostics import Diagnostic, Severity
from metricsctl.diagnostics.sarif import RuleDescription
from metricsctl.live.advisors.context import LiveContext, metric_finding

RULES = {
    "live/help-differs": RuleDescription(
        "The exposed HELP differs from the catalog's help",
        "People read HELP in Grafana's metric browser; the catalog is its source. Generate "
        "the instrumentation from the catalog to keep them equal.", Severity.INFO),
    "live/unit-differs": RuleDescription(
        "The exposed UNIT differs from the catalog's unit",
        "OpenMetrics declares units; one that disagrees with the catalog misleads dashboards.",
        Severity.INFO),
}


def _normal(text: str) -> str:
    return " ".join(text.split())


def advise(context: LiveContext) -> Iterator[Diagnostic]:
    for match in context.matches.by_metric.values():
        metric, observed = match.metric, match.primary
        if observed is None:
            continue
        if observed.help is not None and _normal(observed.help) != _normal(metric.help):
            yield metric_finding("live/help-differs", Severity.INFO, metric,
                                 f"{metric.name}: exposed help {_normal(observed.help)!r} "
                                 f"differs from the catalog's", field=("help",),
                                 observed=observed)
        if observed.unit is not None and observed.unit != (metric.unit or ""):
            catalog_unit = repr(metric.unit) if metric.unit else "none"
            yield metric_finding("live/unit-differs", Severity.INFO, metric,
                                 f"{metric.name}: exposed unit {observed.unit!r}, the "
                                 f"catalog's is {catalog_unit}",
                                 field=("unit",) if metric.unit else (), observed=observed)
