"""Which exposed family is which catalog metric; what is left over is unknown or ignored.

A catalog counter `x_total` is exposed as family `x_total` (text format) or `x` (OpenMetrics,
Prometheus metadata of an OpenMetrics scrape). Families that carry only a metric's other
samples (`x_created`, or `x_bucket`/`x_count`/`x_sum` of a histogram written without
metadata) belong to it too. A gauge named like a percentile of a catalog histogram or
summary (`x_p95`, `x_p99_seconds`, `x_quantile`) is attributed to it, to be reported as a
percentile exported as a gauge rather than as an unknown metric.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from metricsctl.catalog.model import Catalog, Metric
from metricsctl.catalog.naming import MetricType
from metricsctl.live.samples import Observation, ObservedMetric

_PERCENTILE_TOKEN = re.compile(r"_(?:p[0-9]{2,3}|p[0-9]{1,2}_[0-9]+|percentile[0-9]*|quantile|"
                               r"median|q[0-9]{2,3})(?=_|$)")
_QUANTILE_TYPES = (MetricType.HISTOGRAM, MetricType.SUMMARY)


@dataclass(slots=True)
class Match:
    """A catalog metric and the families exposing it (`primary`: the one named for it)."""

    metric: Metric
    primary: ObservedMetric | None = None
    companions: list[ObservedMetric] = field(default_factory=list)
    percentile_gauges: list[ObservedMetric] = field(default_factory=list)

    @property
    def with_series(self) -> list[ObservedMetric]:
        """The family whose series to judge labels by: the one named for the metric, else a
        companion (a histogram exposed without metadata)."""
        if self.primary is not None and self.primary.series:
            return [self.primary]
        return [family for family in self.companions if family.series][:1]

    @property
    def seen(self) -> bool:
        return self.primary is not None or bool(self.companions)

    @property
    def families(self) -> list[ObservedMetric]:
        return ([self.primary] if self.primary else []) + self.companions


@dataclass(slots=True)
class Matches:
    by_metric: dict[str, Match]
    unknown: list[ObservedMetric]
    ignored: list[ObservedMetric]


def family_names(metric: Metric) -> tuple[str, ...]:
    """The family names a catalog metric may be exposed under."""
    if metric.type is MetricType.COUNTER:
        return tuple(dict.fromkeys((metric.name, metric.series.family)))
    return (metric.name,)


def is_ignored(observed: ObservedMetric, patterns: Sequence[str]) -> bool:
    names = (observed.name, *observed.sample_names)
    return any(fnmatchcase(name, pattern) for pattern in patterns for name in names)


def percentile_base(name: str) -> str | None:
    """`x_seconds` for `x_seconds_p95` or `x_p95_seconds`; None when no percentile token."""
    stripped = _PERCENTILE_TOKEN.sub("", name, count=1)
    return stripped if stripped != name else None


def match_catalog(catalog: Catalog, observation: Observation,
                  ignore: Sequence[str] = ()) -> Matches:
    """Pair every catalog metric with what exposes it; sort out the rest."""
    families = observation.metrics
    claimed: set[str] = set()
    by_metric: dict[str, Match] = {}
    owner_of_sample: dict[str, str] = {}
    for metric in catalog.metrics.values():
        match = Match(metric)
        for name in family_names(metric):
            if name in families and name not in claimed:
                if match.primary is None:
                    match.primary = families[name]
                else:
                    match.companions.append(families[name])
                claimed.add(name)
        for sample in metric.series.samples:
            owner_of_sample[sample] = metric.name
        by_metric[metric.name] = match
    for name, observed in families.items():
        if name in claimed:
            continue
        owner = owner_of_sample.get(name)
        if owner is not None and observed.type in ("gauge", "untyped", "unknown"):
            by_metric[owner].companions.append(observed)
            claimed.add(name)
    quantiled = {metric.name: metric for metric in catalog.metrics.values()
                 if metric.type in _QUANTILE_TYPES}
    unknown: list[ObservedMetric] = []
    ignored: list[ObservedMetric] = []
    for name, observed in families.items():
        if name in claimed:
            continue
        if ignore and is_ignored(observed, ignore):
            ignored.append(observed)
            continue
        base = percentile_base(name)
        if base is not None and base in quantiled and observed.type != "histogram":
            by_metric[base].percentile_gauges.append(observed)
            continue
        unknown.append(observed)
    return Matches(by_metric, unknown, ignored)
