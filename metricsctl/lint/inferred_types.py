"""Metric types guessed rather than declared (`inferred: true`, written by `metricsctl
import`), so that someone confirms them before dashboards and alerts rely on them."""

from __future__ import annotations

from collections.abc import Iterator

from metricsctl.diagnostics import Severity
from metricsctl.lint.context import LintContext
from metricsctl.lint.rule import Finding, Rule

INFERRED_TYPE = Rule(
    "adoption/inferred-type", Severity.WARNING,
    "a metric whose type was inferred, not declared",
    "`metricsctl import` found this metric only in expressions (or without # TYPE in an "
    "exposition), so its type was guessed from how it is used: `rate()` suggests a counter, "
    "`histogram_quantile()` over `_bucket` a histogram, anything else a gauge. A wrong type "
    "makes derived panels, lint checks and the generated instrumentation wrong. Check the "
    "exporter's `# TYPE` line (or import its /metrics), fix `type:` if needed, then delete "
    "`inferred: true`.")

RULES = (INFERRED_TYPE,)


def check(context: LintContext) -> Iterator[Finding]:
    for metric in context.catalog.metrics.values():
        if metric.type_inferred:
            yield Finding(INFERRED_TYPE,
                          f"the type of `{metric.name}` ({metric.type.value}) was inferred: "
                          "confirm it", metric.source.field("inferred"),
                          "check the exporter's # TYPE line, then delete `inferred: true`",
                          metric.lint_disable)
