"""Recorded series in the preview: the recording rules the drawn dashboards read, evaluated
by the synthetic Prometheus itself.

The rules are those `generate` renders: the catalog's recording rules and its SLOs' SLI and
metadata rules (`slo:sli_error:ratio_rate5m`, `slo:error_budget:ratio` ...), limited to the
rules whose series the dashboards' queries read, directly or through other rules. A
selector reads a rule when it names the rule's series and none of its `=` matchers
contradicts the rule's labels (`{sloth_id="gateway-latency"}` does not read the gateway's
availability rules).

Prometheus evaluates each rule as a range query at the synthetic sample times (so a rule's
`[5m]` window holds two samples); the results, named and labelled as the rule records them,
are written as OpenMetrics and backfilled like the synthetic samples. A rule reading another
recorded series needs that series first, hence levels: a rule's level is one more than the
highest level of the rules it reads, and the caller loads each level's blocks into
Prometheus before evaluating the next. Alerting rules are not evaluated, so `ALERTS` has no
series in a preview.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from metricsctl.catalog.model import Catalog, RecordingRule
from metricsctl.preview.source import Series

# Names an expression may read, for an expression the parser refuses (every rule named is
# then read, whatever its labels).
_IDENTIFIER = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")
ALERT_SERIES = frozenset({"ALERTS", "ALERTS_FOR_STATE"})
_API_ERROR = re.compile(r'"error"\s*:\s*"((?:[^"\\]|\\.)*)"')


@dataclass(frozen=True, slots=True)
class Grid:
    """Evaluation times: `start`, `start + step`, ... up to `end` (unix seconds)."""

    start: int
    end: int
    step: int


@dataclass(slots=True)
class Recorded:
    """What evaluating one level of rules gave: OpenMetrics lines and the rules that failed."""

    lines: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    samples: int = 0


def generated_recording_rules(catalog: Catalog) -> list[RecordingRule]:
    """Every recording rule `generate` writes: the catalog's, then each SLO's SLI and
    metadata rules."""
    from metricsctl.slo.metadata_rules import metadata_rules
    from metricsctl.slo.sli_rules import sli_rules

    rules = list(catalog.recording_rules.values())
    for slo in catalog.slos.values():
        rules.extend(sli_rules(slo))
        rules.extend(metadata_rules(slo))
    return rules


def _selectors(expr: str) -> list[tuple[str, dict[str, str]]]:
    """The series names an expression reads, each with the labels its `=` matchers fix
    (matchers over Grafana variables fix nothing)."""
    from metricsctl.promql.references import expr_references

    refs = expr_references(expr)
    if refs is None:
        return [(name, {}) for name in _IDENTIFIER.findall(expr)]
    found = []
    for selector in refs.selectors:
        if selector.metric is None:
            continue
        fixed: dict[str, str] = {}
        conflicting: set[str] = set()
        for label, operator, value in selector.matchers:
            if operator != "=" or "$" in value or "[[" in value:
                continue
            if fixed.get(label, value) != value:
                conflicting.add(label)  # `or` alternatives: either value may be read
            fixed[label] = value
        found.append((selector.metric, {k: v for k, v in fixed.items() if k not in conflicting}))
    return found


class RuleReads:
    """Which of `rules` an expression reads."""

    def __init__(self, rules: Sequence[RecordingRule]) -> None:
        self.rules = list(rules)
        self._by_name: dict[str, list[int]] = {}
        for index, rule in enumerate(self.rules):
            self._by_name.setdefault(rule.name, []).append(index)

    def read_by(self, expr: str) -> list[int]:
        """Indexes of the rules whose series `expr` may read."""
        read: dict[int, None] = {}
        for name, fixed in _selectors(expr):
            for index in self._by_name.get(name, ()):
                labels = self.rules[index].labels
                if all(labels.get(label, value) == value for label, value in fixed.items()):
                    read[index] = None
        return list(read)


def rules_read(queries: Iterable[str], rules: Sequence[RecordingRule]) -> list[list[RecordingRule]]:
    """The rules `queries` read, directly or through other rules, in levels: a level reads
    only rules of earlier levels (rules reading each other in a cycle share a level)."""
    reads = RuleReads(rules)
    needed: set[int] = set()
    todo = [index for query in queries for index in reads.read_by(query)]
    while todo:
        index = todo.pop()
        if index not in needed:
            needed.add(index)
            todo.extend(reads.read_by(rules[index].expr))
    sources = {index: [read for read in reads.read_by(rules[index].expr) if read != index]
               for index in needed}
    levels: dict[int, int] = {}

    def level(index: int, path: frozenset[int]) -> int:
        if index not in levels:
            inner = [level(read, path | {index}) + 1 for read in sources[index]
                     if read not in path]
            levels[index] = max(inner, default=0)
        return levels[index]

    for index in sorted(needed):
        level(index, frozenset())
    grouped: list[list[RecordingRule]] = [[] for _ in range(max(levels.values(), default=-1) + 1)]
    for index in sorted(needed):
        grouped[levels[index]].append(rules[index])
    return [rules_of_level for rules_of_level in grouped if rules_of_level]


def names_read(rules: Iterable[RecordingRule]) -> set[str]:
    """The series names `rules` read."""
    return {name for rule in rules for name, _ in _selectors(rule.expr)}


def reads_alerts(queries: Iterable[str]) -> bool:
    """True when a query reads the ALERTS series (which a preview does not have)."""
    return any(name in ALERT_SERIES for query in queries for name, _ in _selectors(query))


def _value(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(value)


def _labels_text(labels: Mapping[str, str]) -> str:
    def escape(value: str) -> str:
        return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')

    return "{" + ",".join(f'{k}="{escape(v)}"' for k, v in sorted(labels.items())) + "}"


class Evaluator(Protocol):
    def evaluate(self, expr: str, start: float, end: float, step: int) -> list[Series]: ...


def _why(message: str) -> str:
    """Prometheus' own error out of a failed request's message (which quotes its answer)."""
    match = _API_ERROR.search(message)
    if match is None:
        return message
    try:
        return str(json.loads(f'"{match[1]}"'))
    except ValueError:
        return message


def record_level(rules: Sequence[RecordingRule], prometheus: Evaluator,
                 grids: Sequence[Grid]) -> Recorded:
    """`rules` evaluated by `prometheus` (range queries, FetchError on failure) at the times
    of `grids`: the series they record, as OpenMetrics lines (one family per name)."""
    from metricsctl.exposition.http import FetchError

    result = Recorded()
    families: dict[str, dict[str, dict[float, float]]] = {}
    for rule in rules:
        for grid in grids:
            try:
                found = prometheus.evaluate(rule.expr, grid.start, grid.end, grid.step)
            except FetchError as error:
                result.errors.append(f"recording rule {rule.name} ({rule.source.location}) "
                                     f"could not be evaluated: {_why(error.message)}")
                break
            family = families.setdefault(rule.name, {})
            for series in found:
                labels = {k: v for k, v in series.labels.items() if k != "__name__"}
                labels.update(rule.labels)
                points = family.setdefault(_labels_text(labels), {})
                points.update(series.points)
    for name, family in families.items():
        result.lines.append(f"# TYPE {name} unknown")
        for text, points in family.items():
            for at in sorted(points):
                result.lines.append(f"{name}{text} {_value(points[at])} {at:.3f}")
                result.samples += 1
    return result
