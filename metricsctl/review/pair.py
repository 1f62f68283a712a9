"""The two catalogs being compared, with what every comparison needs to know about both."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from metricsctl.catalog.model import Catalog, Metric
from metricsctl.promql.references import ExprRefs
from metricsctl.review.changes import Dependent
from metricsctl.review.dependents import Consumer, UsageIndex, dependents


@dataclass(frozen=True, slots=True)
class MetricPair:
    """A metric in both catalogs: same name, or renamed (explicitly or by suggestion)."""

    base: Metric
    head: Metric
    renamed: bool = False  # head names the base metric in `renamed_from`

    @property
    def series(self) -> frozenset[str]:
        """Sample names of both versions: a query reading any of them reads this metric."""
        return frozenset((*self.base.series.samples, *self.head.series.samples))


@dataclass
class CatalogPair:
    """Base and head catalogs, their usage indexes, and how their metrics correspond."""

    base: Catalog
    head: Catalog
    pairs: list[MetricPair] = field(default_factory=list)
    removed: list[Metric] = field(default_factory=list)
    added: list[Metric] = field(default_factory=list)
    suggested: list[MetricPair] = field(default_factory=list)  # likely renames, unrecorded
    parsed: dict[str, ExprRefs | None] = field(default_factory=dict)  # shared by both sides

    @cached_property
    def base_usage(self) -> UsageIndex:
        return UsageIndex(self.base, self.parsed)

    @cached_property
    def head_usage(self) -> UsageIndex:
        return UsageIndex(self.head, self.parsed)

    @cached_property
    def renamed_to(self) -> Mapping[str, str]:
        """Old name -> new name, for recorded and suggested renames."""
        return {pair.base.name: pair.head.name for pair in (*self.pairs, *self.suggested)
                if pair.base.name != pair.head.name}

    def dependents_of_series(self, head_series: Iterable[str],
                             base_series: Iterable[str]) -> tuple[Dependent, ...]:
        return dependents(self.head_usage.reading_series(head_series),
                          self.base_usage.reading_series(base_series))

    def dependents_of_label(self, head_series: Iterable[str], base_series: Iterable[str],
                            label: str) -> tuple[Dependent, ...]:
        return dependents(self.head_usage.reading_label(head_series, label),
                          self.base_usage.reading_label(base_series, label))

    def head_consumers(self) -> tuple[Consumer, ...]:
        return self.head_usage.consumers


def pair_catalogs(base: Catalog, head: Catalog) -> CatalogPair:
    """Match metrics by name, then by `renamed_from`, then suggest renames for the rest.

    A removed and an added metric are suggested as a rename when they share type, label
    names and help, and neither could be paired with anything else.
    """
    result = CatalogPair(base, head)
    claimed: set[str] = set()
    for name, metric in head.metrics.items():
        if name in base.metrics:
            result.pairs.append(MetricPair(base.metrics[name], metric))
            claimed.add(name)
            continue
        old = next((old for old in metric.renamed_from
                    if old in base.metrics and old not in head.metrics and old not in claimed),
                   None)
        if old is not None:
            result.pairs.append(MetricPair(base.metrics[old], metric, renamed=True))
            claimed.add(old)
        else:
            result.added.append(metric)
    result.removed = [m for name, m in base.metrics.items() if name not in claimed]

    def signature(metric: Metric) -> tuple[str, frozenset[str], str]:
        return (metric.type.value, frozenset(metric.label_names), metric.help.strip())

    candidates = {id(m): [a for a in result.added if signature(a) == signature(m)]
                  for m in result.removed}
    wanted_by: dict[str, int] = {}
    for matches in candidates.values():
        for added in matches:
            wanted_by[added.name] = wanted_by.get(added.name, 0) + 1
    for removed in list(result.removed):
        matches = candidates[id(removed)]
        if len(matches) == 1 and wanted_by[matches[0].name] == 1:
            result.suggested.append(MetricPair(removed, matches[0]))
            result.removed.remove(removed)
            result.added.remove(matches[0])
    return result
