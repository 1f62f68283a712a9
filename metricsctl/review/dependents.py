"""What in a catalog reads a metric, a label or a label value: alerts, rules, panel queries.

Every expression is parsed once (metricsctl.promql.references). Series names are mapped to
catalog metrics through `Metric.series`, the one naming function, so `x_bucket` in a query
counts as a use of the histogram `x` and `x_total` as a use of the counter.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from metricsctl.catalog.model import Catalog, Metric
from metricsctl.diagnostics import Location
from metricsctl.promql.queries import panel_queries
from metricsctl.promql.references import ExprRefs, expr_references
from metricsctl.review.changes import Dependent, Side

# `{{ $labels.route }}` in alert templates and `{{route}}` in panel legends read a label.
_TEMPLATE_LABEL = re.compile(r"\$labels\.([A-Za-z_][A-Za-z0-9_]*)")
_LEGEND_LABEL = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_WORD = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")
# Regex characters that are literal, so `a|b` lists exactly the values `a` and `b`.
_LITERAL_ALTERNATION = re.compile(r"[A-Za-z0-9_ :/-]+(\|[A-Za-z0-9_ :/-]+)*")


@dataclass(frozen=True, slots=True)
class Consumer:
    """One expression in the catalog and what it reads.

    `refs` is None when the expression does not parse (lint reports that); such a consumer
    is matched by the words in its text, so a dependent is never missed for that reason.
    """

    kind: str  # "alert", "recording rule", "panel"
    name: str
    location: Location
    expr: str
    refs: ExprRefs | None
    template_labels: frozenset[str] = frozenset()

    @property
    def words(self) -> frozenset[str]:
        return frozenset(_WORD.findall(self.expr))

    def reads_series(self, names: Iterable[str]) -> bool:
        wanted = set(names)
        read = self.refs.metrics if self.refs is not None else self.words
        return not wanted.isdisjoint(read)

    def reads_label(self, series: Iterable[str], label: str) -> bool:
        """Matches, groups by or templates `label` in an expression that reads `series`."""
        names = set(series)
        if not self.reads_series(names):
            return False
        if self.refs is None:
            return label in self.words or label in self.template_labels
        if label in self.refs.grouping_labels or label in self.template_labels:
            return True
        return any(selector.metric in names and any(m[0] == label for m in selector.matchers)
                   for selector in self.refs.selectors)

    def matches_value(self, series: Iterable[str], label: str, value: str) -> bool:
        """Selects exactly `value` of `label` (`label="value"`, or a literal alternation)."""
        if self.refs is None:
            return False
        names = set(series)
        for selector in self.refs.selectors:
            if selector.metric not in names:
                continue
            for name, op, written in selector.matchers:
                if name != label:
                    continue
                if op == "=" and written == value:
                    return True
                if (op == "=~" and _LITERAL_ALTERNATION.fullmatch(written)
                        and value in written.split("|")):
                    return True
        return False

    def matches_label_value(self, label: str, value: str) -> bool:
        """Any selector with `label="value"` (scrape job and target labels)."""
        if self.refs is None:
            return False
        return any(name == label and op == "=" and written == value
                   for selector in self.refs.selectors
                   for name, op, written in selector.matchers)

    def as_dependent(self, side: Side) -> Dependent:
        return Dependent(self.kind, self.name, self.location, side)


class UsageIndex:
    """Every consumer of one catalog, indexed by the series names it reads.

    `parsed` caches references by expression text; the base and head catalogs of a diff
    share one, so an expression both have is parsed once.
    """

    def __init__(self, catalog: Catalog,
                 parsed: dict[str, ExprRefs | None] | None = None) -> None:
        self.catalog = catalog
        cache = parsed if parsed is not None else {}

        def references(expr: str) -> ExprRefs | None:
            if expr not in cache:
                cache[expr] = expr_references(expr)
            return cache[expr]

        self.consumers = tuple(_consumers(catalog, references))
        self.series_owner = {sample: metric.name for metric in catalog.metrics.values()
                             for sample in metric.series.samples}
        self._by_series: dict[str, list[int]] = {}
        for index, consumer in enumerate(self.consumers):
            read = consumer.refs.metrics if consumer.refs is not None else consumer.words
            for name in read:
                self._by_series.setdefault(name, []).append(index)

    def metric_of(self, series: str) -> Metric | None:
        """The catalog metric exposing `series` (`x_bucket` -> histogram `x`)."""
        owner = self.series_owner.get(series)
        return self.catalog.metrics[owner] if owner is not None else None

    def reading_series(self, names: Iterable[str]) -> list[Consumer]:
        """Consumers reading any of the series `names`, in catalog order."""
        found = sorted({i for name in set(names) for i in self._by_series.get(name, ())})
        return [self.consumers[i] for i in found]

    def reading_label(self, series: Iterable[str], label: str) -> list[Consumer]:
        names = set(series)
        return [c for c in self.reading_series(names) if c.reads_label(names, label)]

    def matching_value(self, series: Iterable[str], label: str, value: str) -> list[Consumer]:
        names = set(series)
        return [c for c in self.reading_series(names) if c.matches_value(names, label, value)]

    def matching_label_value(self, label: str, value: str) -> list[Consumer]:
        return [c for c in self.consumers if c.matches_label_value(label, value)]


def _alert_template_labels(texts: Iterable[str | None]) -> frozenset[str]:
    return frozenset(name for text in texts if text for name in _TEMPLATE_LABEL.findall(text))


def _consumers(catalog: Catalog,
               references: Callable[[str], ExprRefs | None]) -> Iterator[Consumer]:
    for alert in catalog.alerts.values():
        templates = _alert_template_labels([alert.summary, alert.description,
                                            *alert.annotations.values(), *alert.labels.values()])
        yield Consumer("alert", alert.name, alert.source.field("expr"), alert.expr,
                       references(alert.expr), templates)
    for rule in catalog.recording_rules.values():
        yield Consumer("recording rule", rule.name, rule.source.field("expr"), rule.expr,
                       references(rule.expr))
    for dashboard in catalog.dashboards.values():
        for panel in dashboard.all_panels():
            name = f"{dashboard.uid} / {panel.title}"
            for query in panel_queries(catalog, dashboard, panel):
                if query.query is not None:
                    location = query.query.source.field(*query.query.expr_field)
                else:
                    location = panel.source.field("metric")
                legend = frozenset(_LEGEND_LABEL.findall(query.legend or ""))
                yield Consumer("panel", name, location, query.expr,
                               references(query.expr), legend)


def dependents(head: Iterable[Consumer], base: Iterable[Consumer] = ()) -> tuple[Dependent, ...]:
    """Dependents from both sides, each named once: the head's when it still exists there."""
    found: dict[tuple[str, str], Dependent] = {}
    for consumer in head:
        found.setdefault((consumer.kind, consumer.name), consumer.as_dependent(Side.HEAD))
    for consumer in base:
        found.setdefault((consumer.kind, consumer.name), consumer.as_dependent(Side.BASE))
    return tuple(sorted(found.values(), key=Dependent.sort_key))
