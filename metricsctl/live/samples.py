"""What was observed, whatever the input: one `ObservedMetric` per exposed family.

Ingesters (exposition.py, prometheus.py) fill an `Observation`; advisors only read it. Label
sets are kept without `le`/`quantile` (a histogram's label set is what a person counts as
one series) and without the labels the scrape adds (`job`, `instance`, the catalog's target
labels), which no exporter writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

FOLDED_LABELS = frozenset({"le", "quantile"})
SCRAPE_LABELS = frozenset({"job", "instance"})


@dataclass(slots=True)
class ObservedMetric:
    """One family as exposed (merged over every source that exposes it)."""

    name: str  # the family name: `# TYPE` line or Prometheus metadata
    type: str  # counter, gauge, histogram, summary, untyped/unknown, info ...
    help: str | None = None
    unit: str | None = None
    sample_names: set[str] = field(default_factory=set)
    sources: list[str] = field(default_factory=list)
    # label sets (sorted items, folded labels removed) -> the sources that expose them
    series: set[tuple[tuple[str, str], ...]] = field(default_factory=set)
    folded_labels: set[str] = field(default_factory=set)  # `le`/`quantile` seen
    bucket_layouts: dict[tuple[float, ...], list[str]] = field(default_factory=dict)
    series_count: int | None = None  # from a count query, when the input has one
    line: int = 0  # where the family starts, in a file input

    _index: dict[str, tuple[set[str], int]] | None = None
    _indexed_series: int = -1

    def label_index(self) -> dict[str, tuple[set[str], int]]:
        """label -> (its distinct values, how many series carry it); built once per state."""
        if self._index is None or self._indexed_series != len(self.series):
            values: dict[str, set[str]] = {}
            carried: dict[str, int] = {}
            for labels in self.series:
                for name, value in labels:
                    values.setdefault(name, set()).add(value)
                    carried[name] = carried.get(name, 0) + 1
            self._index = {name: (values[name], carried[name]) for name in values}
            self._indexed_series = len(self.series)
        return self._index

    @property
    def label_names(self) -> frozenset[str]:
        return frozenset(self.label_index())

    def label_values(self, label: str) -> set[str]:
        entry = self.label_index().get(label)
        return set(entry[0]) if entry else set()

    def series_carrying(self, label: str) -> int:
        entry = self.label_index().get(label)
        return entry[1] if entry else 0

    @property
    def display_name(self) -> str:
        """The name people grep for: a counter as its `_total` sample when it has one."""
        total = f"{self.name}_total"
        return total if self.type == "counter" and total in self.sample_names else self.name

    @property
    def observed_series(self) -> int:
        return self.series_count if self.series_count is not None else len(self.series)

    def add_source(self, source: str) -> None:
        if source not in self.sources:
            self.sources.append(source)

    def add_series(self, labels: Mapping[str, str], dropped: frozenset[str]) -> None:
        items = []
        for name, value in labels.items():
            if name in FOLDED_LABELS:
                self.folded_labels.add(name)
            elif name not in dropped:
                items.append((name, value))
        self.series.add(tuple(sorted(items)))

    def add_bucket_layout(self, bounds: tuple[float, ...], source: str) -> None:
        sources = self.bucket_layouts.setdefault(bounds, [])
        if source not in sources:
            sources.append(source)


def family_key(name: str, metric_type: str) -> str:
    """One key for a family whatever the format: the text format names a counter `x_total`,
    OpenMetrics (and Prometheus's metadata of an OpenMetrics scrape) `x`."""
    if metric_type == "counter" and name.endswith("_total"):
        return name[: -len("_total")]
    return name


@dataclass(slots=True)
class Observation:
    """Every family seen, by name, and where they were read."""

    sources: list[str] = field(default_factory=list)
    metrics: dict[str, ObservedMetric] = field(default_factory=dict)

    def metric(self, name: str, metric_type: str, source: str) -> ObservedMetric:
        """The family `name`, created with `metric_type` the first time it is seen."""
        observed = self.metrics.get(name)
        if observed is None:
            observed = ObservedMetric(name, metric_type)
            self.metrics[name] = observed
        observed.add_source(source)
        return observed


def describe_sources(sources: Iterable[str], limit: int = 3) -> str:
    """`a, b and 2 more`."""
    items = list(sources)
    if len(items) <= limit:
        return ", ".join(items)
    return f"{', '.join(items[:limit])} and {len(items) - limit} more"
