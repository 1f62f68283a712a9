"""The queries a panel shows: its own, or those derived from the metric it names.

A panel that names a `metric` gets queries built from the metric's type:
- histogram: `histogram_quantile` per quantile over `sum by (le, ...) (rate(x_bucket[...]))`
  (a heatmap panel gets the bucket rates themselves);
- counter: `sum by (...) (rate(x_total[...]))`;
- gauge: the value (summed by the chosen labels, if any);
- summary: the average, `_sum` rate over `_count` rate.
Every derived selector filters on the dashboard variables whose label the metric has, and
windows are `$__rate_interval`, so the query follows the scrape interval Grafana knows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from metricsctl.catalog.model import Catalog, Dashboard, Metric, Panel, Query, SourceRef
from metricsctl.catalog.naming import MetricType

DEFAULT_QUANTILES = (0.5, 0.95, 0.99)
RATE_WINDOW = "$__rate_interval"


@dataclass(frozen=True, slots=True)
class PanelQuery:
    """One query of a panel, written by hand (`query` is set) or derived from a metric."""

    expr: str
    legend: str | None
    source: SourceRef
    instant: bool = False
    format: str = "time_series"
    query: Query | None = None  # the catalog query it came from; None when derived

    @property
    def derived(self) -> bool:
        return self.query is None


def format_number(value: float) -> str:
    """Shortest text that reads back as the same float: 0.95, 10, 2.5e-05."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def quantile_label(quantile: float) -> str:
    """`p95` for 0.95, `p99.9` for 0.999."""
    return "p" + format_number(round(quantile * 100, 10))


def _sum(labels: Sequence[str], inner: str) -> str:
    """`sum by (a, b) (inner)`, or `sum(inner)` without labels."""
    return f"sum by ({', '.join(labels)}) ({inner})" if labels else f"sum({inner})"


def _legend(labels: Sequence[str], prefix: str = "") -> str | None:
    parts = [prefix] if prefix else []
    parts.extend("{{" + label + "}}" for label in labels)
    return " ".join(parts) or None


def variable_matchers(dashboard: Dashboard, metric: Metric,
                      target_labels: frozenset[str] = frozenset()) -> str:
    """`{service=~"$service"}` for the dashboard variables that apply to this metric.

    A variable applies when the metric declares its label or a scrape job attaches it.
    """
    matchers = [f'{variable.label}=~"${variable.name}"' for variable in dashboard.variables
                if variable.label in metric.label_names or variable.label in target_labels]
    return "{" + ", ".join(matchers) + "}" if matchers else ""


def derived_queries(dashboard: Dashboard, panel: Panel, metric: Metric,
                    target_labels: frozenset[str] = frozenset()) -> list[PanelQuery]:
    """The queries for a panel that names `metric` (`target_labels`: see variable_matchers)."""
    series = metric.series
    selector = variable_matchers(dashboard, metric, target_labels)
    by = list(panel.by)
    source = panel.source

    def query(expr: str, legend: str | None, output: str = "time_series") -> PanelQuery:
        return PanelQuery(expr, legend, source, format=output)

    if metric.type is MetricType.HISTOGRAM:
        buckets = f"rate({series.bucket}{selector}[{RATE_WINDOW}])"
        if panel.type == "heatmap":
            return [query(f"sum by (le) ({buckets})", "{{le}}", "heatmap")]
        grouped = f"sum by ({', '.join(['le', *by])}) ({buckets})"
        return [query(f"histogram_quantile({format_number(q)}, {grouped})",
                      _legend(by, quantile_label(q)))
                for q in (panel.quantiles or DEFAULT_QUANTILES)]
    if metric.type is MetricType.COUNTER:
        return [query(_sum(by, f"rate({series.samples[0]}{selector}[{RATE_WINDOW}])"),
                      _legend(by) or metric.name)]
    if metric.type is MetricType.SUMMARY:
        def rate(name: str | None) -> str:
            return _sum(by, f"rate({name}{selector}[{RATE_WINDOW}])")
        return [query(f"{rate(series.sum)} / {rate(series.count)}", _legend(by, "avg"))]
    if by:
        return [query(_sum(by, f"{metric.name}{selector}"), _legend(by))]
    return [query(f"{metric.name}{selector}", None)]


def panel_queries(catalog: Catalog, dashboard: Dashboard, panel: Panel) -> list[PanelQuery]:
    """Every query of a panel, in display order (empty for text panels)."""
    if panel.metric is not None:
        metric = catalog.metrics.get(panel.metric)
        if metric is None:
            return []
        return derived_queries(dashboard, panel, metric, catalog.project.target_labels)
    return [PanelQuery(q.expr, q.legend, q.source, q.instant, q.format, q)
            for q in panel.queries]
