"""Series estimates from the catalog's label bounds (used by lint and diff)."""

from __future__ import annotations

from dataclasses import dataclass

from metricsctl.catalog.model import Catalog, Metric
from metricsctl.catalog.naming import MetricType

# prometheus_client's default histogram buckets, used when a histogram declares none.
DEFAULT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5,
                   10.0)


@dataclass(frozen=True, slots=True)
class SeriesEstimate:
    """Estimated series of one metric.

    `label_sets` is the product of its labels' cardinalities; `series` multiplies that by the
    samples each label set exposes (buckets + `+Inf` + `_count` + `_sum` for a histogram).
    Both are None when a label is unbounded; `unbounded` names those labels.
    """

    metric: str
    label_sets: int | None
    samples_per_label_set: int
    unbounded: tuple[str, ...]

    @property
    def series(self) -> int | None:
        return None if self.label_sets is None else self.label_sets * self.samples_per_label_set


def samples_per_label_set(metric: Metric) -> int:
    """Series one combination of label values produces (`_created` not counted)."""
    if metric.type is MetricType.HISTOGRAM:
        buckets = metric.buckets if metric.buckets is not None else DEFAULT_BUCKETS
        return len(buckets) + 1 + 2
    if metric.type is MetricType.SUMMARY:
        return 2
    return 1


def estimate_metric(metric: Metric) -> SeriesEstimate:
    label_sets = 1
    unbounded = []
    for label in metric.labels:
        if label.cardinality is None:
            unbounded.append(label.name)
        else:
            label_sets *= label.cardinality
    return SeriesEstimate(metric.name, None if unbounded else label_sets,
                          samples_per_label_set(metric), tuple(unbounded))


def estimate_catalog(catalog: Catalog) -> dict[str, SeriesEstimate]:
    """Estimates for every metric, in catalog order."""
    return {name: estimate_metric(metric) for name, metric in catalog.metrics.items()}


def total_series(estimates: dict[str, SeriesEstimate]) -> int:
    """Sum over the bounded metrics (unbounded ones are reported separately)."""
    return sum(estimate.series or 0 for estimate in estimates.values())
