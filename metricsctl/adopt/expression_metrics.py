"""Metrics inferred from the expressions that read them (alerts, recording rules, panels).

Without metadata, how an expression uses a series says what it is: `histogram_quantile`
over `x_bucket` means histogram `x`; `x_sum`/`x_count` without buckets a summary; a name
ending in `_total` a counter. Labels come from matchers, from by/without/on/ignoring
clauses around the selector and from the `$labels.x` an alert's templates read. Every
metric made here is marked `inferred: true`, so `metricsctl lint` asks the user to confirm
it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from metricsctl.adopt.drafts import DraftEntry, origin_comment
from metricsctl.catalog.naming import reserved_label_problem
from metricsctl.diagnostics import Location

INFERRED_HELP = "Inferred by metricsctl import from how expressions use it; confirm the type."
_RATE_FUNCTIONS = frozenset({"rate", "irate", "increase", "resets"})
_HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")
_TEMPLATE_LABEL = re.compile(r"\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)")
# Series Prometheus itself writes for every target and alert: never a catalog metric.
PROMETHEUS_SERIES = frozenset({
    "up", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_series_added",
    "scrape_samples_post_metric_relabeling", "ALERTS", "ALERTS_FOR_STATE"})


@dataclass
class _Evidence:
    domain: str
    location: Location
    labels: dict[str, None] = field(default_factory=dict)  # an ordered set
    rated: bool = False
    quantile_label: bool = False


@dataclass
class InferredMetric:
    """A metric to add, the domain it goes to, and why its type was chosen."""

    domain: str
    entry: DraftEntry
    labels: tuple[str, ...]
    reason: str


class ExpressionMetrics:
    """Collects what expressions read; `inferred` turns it into metric entries."""

    def __init__(self) -> None:
        self.series: dict[str, _Evidence] = {}
        self.recorded: set[str] = set()

    def observe(self, expr: str, domain: str, location: Location | Callable[[], Location],
                templates: Iterable[str] = ()) -> tuple[int | None, str] | None:
        """Record what `expr` reads, and the labels an alert's `templates` read from its
        series (`{{ $labels.pod }}`); (offset, message) when `expr` is not valid PromQL.
        `location` may be a function giving it: it is called only for a series seen first
        here (only the first place a series is read is kept)."""
        from metricsctl.promql.parse import parse_promql

        result = parse_promql(expr)
        if result.ast is None:
            error = result.error
            return (error.offset, error.message) if error else (None, "invalid PromQL")
        read = self._walk(result.ast, domain, location)
        templated = [label for text in templates for label in _TEMPLATE_LABEL.findall(text)]
        for name in read:
            self.series[name].labels.update(dict.fromkeys(templated))
        return None

    def _walk(self, ast: Any, domain: str,
              location: Location | Callable[[], Location]) -> list[str]:
        from metricsctl.promql.references import grouping_labels, selector_matchers, selector_metric
        from metricsctl.promql.walk import kind, walk

        read: list[str] = []
        for node, ancestors in walk(ast):
            if kind(node) != "VectorSelector":
                continue
            name = selector_metric(node)
            if name is None:
                continue
            read.append(name)
            evidence = self.series.get(name)
            if evidence is None:
                evidence = self.series[name] = _Evidence(
                    domain, location if isinstance(location, Location) else location())
            for label, _, _ in selector_matchers(node):
                if label == "quantile":
                    evidence.quantile_label = True
                evidence.labels.setdefault(label)
            for ancestor in ancestors:
                if kind(ancestor) in ("AggregateExpr", "BinaryExpr"):
                    for label in grouping_labels(ancestor):
                        evidence.labels.setdefault(label)
            calls = [a for a in ancestors if kind(a) == "Call"]
            if calls and str(calls[-1].func.name) in _RATE_FUNCTIONS:
                evidence.rated = True
        return read

    def inferred(self, known: Callable[[str], bool],
                 target_labels: Iterable[str]) -> list[InferredMetric]:
        """Metrics for the series read that are neither known nor recorded by a rule."""
        ignored = {"job", "instance", *target_labels}
        families: dict[str, tuple[str, list[str]]] = {}  # metric -> (type, series names)
        for name in self.series:
            if name in self.recorded or name in PROMETHEUS_SERIES or known(name) or ":" in name:
                continue
            base, suffix = _split(name)
            if suffix == "_bucket":
                families.setdefault(base, ("histogram", []))[1].append(name)
        for name in self.series:
            if name in self.recorded or name in PROMETHEUS_SERIES or known(name) or ":" in name:
                continue
            base, suffix = _split(name)
            if suffix == "_bucket" or (suffix and base in families):
                if suffix:
                    families[base][1].append(name)
                continue
            if suffix in ("_sum", "_count"):
                families.setdefault(base, ("summary", []))[1].append(name)
            elif base in families or name in families:
                families[name][1].append(name)
            elif self.series[name].quantile_label:
                families[name] = ("summary", [name])
            elif name.endswith("_total") or self.series[name].rated:
                families[name] = ("counter", [name])
            else:
                families[name] = ("gauge", [name])
        result = []
        for metric, (type_name, names) in families.items():
            first = self.series[names[0]]
            labels: dict[str, None] = {}
            for series_name in names:
                labels.update(self.series[series_name].labels)
            kept = tuple(label for label in labels
                         if label not in ignored and reserved_label_problem(label) is None)
            reason = _reason(type_name, names, any(self.series[n].rated for n in names))
            body: dict[str, Any] = {"type": type_name, "inferred": True, "help": INFERRED_HELP}
            if type_name == "counter" and not metric.endswith("_total"):
                body["total_suffix"] = False
            if kept:
                body["labels"] = list(kept)
            entry = DraftEntry("metrics", metric, body, first.location,
                               origin_comment(first.location, reason))
            result.append(InferredMetric(first.domain, entry, kept, reason))
        return result


    def unrecorded(self, known: Callable[[str], bool]) -> list[tuple[str, Location]]:
        """Series named like recording-rule outputs (`level:metric:op`) that no imported or
        catalog rule records: their rule files were not imported."""
        return [(name, evidence.location) for name, evidence in self.series.items()
                if ":" in name and name not in self.recorded and not known(name)]


def _split(name: str) -> tuple[str, str]:
    for suffix in _HISTOGRAM_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)], suffix
    return name, ""


def _reason(type_name: str, names: list[str], rated: bool) -> str:
    if type_name == "histogram":
        return "type inferred: histogram, from its _bucket series"
    if type_name == "summary":
        return "type inferred: summary, from its quantile label or _sum/_count without buckets"
    if type_name == "counter" and rated and not names[0].endswith("_total"):
        return ("type inferred: counter, from rate() over it; exposed without _total "
                "(total_suffix: false)")
    if type_name == "counter":
        return "type inferred: counter, from the _total suffix"
    return "type inferred: gauge"
