"""The one place that knows which series a metric exposes.

prometheus_client (and every official client) exposes a counter `x_total` as `x_total` plus
`x_created`, a histogram `x` as `x_bucket{le}`, `x_count`, `x_sum` and `x_created`, a
summary as `x_count`, `x_sum` and `x_created`, and a gauge as itself. Stubs, PromQL
builders, dashboards, lint and docs all ask this module instead of appending suffixes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class MetricType(StrEnum):
    COUNTER = "counter"
    GAUGE = "gauge"
    HISTOGRAM = "histogram"
    SUMMARY = "summary"


@dataclass(frozen=True, slots=True)
class ExposedSeries:
    """The series names a metric produces on /metrics."""

    family: str  # the name in `# TYPE` lines
    samples: tuple[str, ...]  # every sample name, `_created` last
    bucket: str | None = None
    count: str | None = None
    sum: str | None = None
    created: str | None = None

    @property
    def queryable(self) -> tuple[str, ...]:
        """Sample names worth querying (everything but `_created`)."""
        return tuple(name for name in self.samples if name != self.created)


def counter_base(name: str) -> str:
    """A counter's family name without `_total`, as prometheus_client registers it."""
    return name[: -len("_total")] if name.endswith("_total") else name


def exposed_series(name: str, metric_type: MetricType, total_suffix: bool = True) -> ExposedSeries:
    """The series a metric named `name` of `metric_type` exposes.

    `total_suffix=False` is a counter exposed under its bare name with no `_created`, as
    exporters written before OpenMetrics naming do (the catalog's `total_suffix: false`).
    """
    if metric_type is MetricType.COUNTER and not total_suffix:
        return ExposedSeries(name, (name,))
    if metric_type is MetricType.COUNTER:
        base = counter_base(name)
        total, created = f"{base}_total", f"{base}_created"
        return ExposedSeries(base, (total, created), created=created)
    if metric_type is MetricType.HISTOGRAM:
        bucket, count, total, created = (f"{name}_bucket", f"{name}_count", f"{name}_sum",
                                         f"{name}_created")
        return ExposedSeries(name, (bucket, count, total, created), bucket=bucket, count=count,
                             sum=total, created=created)
    if metric_type is MetricType.SUMMARY:
        count, total, created = f"{name}_count", f"{name}_sum", f"{name}_created"
        return ExposedSeries(name, (name, count, total, created), count=count, sum=total,
                             created=created)
    return ExposedSeries(name, (name,))


def registered_names(name: str, metric_type: MetricType,
                     total_suffix: bool = True) -> tuple[str, ...]:
    """Every name the metric takes in a registry: its family name and each sample name.

    A counter `x_total` takes `x`, `x_total` and `x_created`; a histogram `x` takes `x`,
    `x_bucket`, `x_count`, `x_sum` and `x_created`. Two metrics sharing one of these cannot
    both be registered (prometheus_client raises DuplicateTimeseries) and would mix their
    series on /metrics.
    """
    series = exposed_series(name, metric_type, total_suffix)
    return (series.family, *(sample for sample in series.samples if sample != series.family))


SERIES_SUFFIXES = ("_bucket", "_count", "_sum", "_created", "_total")


def split_series_name(series: str) -> tuple[str, str]:
    """Split a sample name into (stem, suffix) for a known suffix, else (series, "")."""
    for suffix in SERIES_SUFFIXES:
        if series.endswith(suffix) and len(series) > len(suffix):
            return series[: -len(suffix)], suffix
    return series, ""


RESERVED_LABELS = {
    "le": "it is reserved for histogram bucket bounds",
    "quantile": "it is reserved for summary quantiles",
}


def reserved_label_problem(name: str) -> str | None:
    """Why a label name cannot be declared on a metric, or None when it can."""
    if name.startswith("__"):
        return "names starting with `__` are reserved for Prometheus' internal use"
    return RESERVED_LABELS.get(name)
