"""Run recording rules and alert expressions over input series, minute by minute."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, overload

from metricsctl.alert_tests.evaluator import STEP_SECONDS, Engine, Series, UnmodelledError, Vector
from metricsctl.alert_tests.model import InputSeries
from metricsctl.catalog.durations import parse_duration
from metricsctl.catalog.model import RecordingRule
from metricsctl.promql.references import expr_references
from metricsctl.promql.walk import kind, walk


@dataclass(frozen=True, slots=True)
class CompiledRule:
    name: str
    labels: Mapping[str, str]
    ast: Any


def compile_expr(expr: str) -> Any:
    from metricsctl.promql.parse import parse_promql

    result = parse_promql(expr)
    if result.ast is None or result.text != expr:
        raise UnmodelledError("the expression does not parse as plain PromQL")
    return result.ast


def needed_rules(expr: str, rules: Sequence[RecordingRule]) -> list[CompiledRule]:
    """The recording rules `expr` reads, directly or through other rules, in rule order."""
    by_name: dict[str, list[RecordingRule]] = {}
    for rule in rules:
        by_name.setdefault(rule.name, []).append(rule)
    wanted: set[str] = set()
    pending = [expr]
    while pending:
        refs = expr_references(pending.pop())
        for name in (refs.metrics if refs else ()):
            if name in by_name and name not in wanted:
                wanted.add(name)
                pending.extend(rule.expr for rule in by_name[name])
    return [CompiledRule(rule.name, rule.labels, compile_expr(rule.expr))
            for rule in rules if rule.name in wanted]


def for_steps(duration: str | None) -> int:
    """Evaluations an alert must stay active before it fires."""
    return 0 if duration is None else math.ceil(parse_duration(duration) / STEP_SECONDS)


class Timeline(Sequence[Vector]):
    """The alert expression's result at minutes 0..minutes, evaluated when first read.

    The rules are evaluated at a minute just before the alert reads them there: an instant
    selector reads the value recorded at that minute. When something reads a recorded
    series over a range, every minute up to the one read is evaluated first.
    """

    def __init__(self, series: Iterable[InputSeries], rules: Sequence[CompiledRule],
                 alert: Any, minutes: int) -> None:
        self._engine = Engine([Series(s.labels, s.values) for s in series])
        self._rules = rules
        self._alert = alert
        self._minutes = minutes
        self._values: dict[int, Vector] = {}
        recorded = {rule.name for rule in rules}
        self._history = any(
            kind(node) == "MatrixSelector" and str(node.vector_selector.name) in recorded
            for ast in (alert, *(rule.ast for rule in rules)) for node, _ in walk(ast))
        self._evaluated = -1

    def __len__(self) -> int:
        return self._minutes + 1

    @overload
    def __getitem__(self, minute: int) -> Vector: ...

    @overload
    def __getitem__(self, minute: slice) -> Sequence[Vector]: ...

    def __getitem__(self, minute: int | slice) -> Vector | Sequence[Vector]:
        if isinstance(minute, slice):
            return [self[m] for m in range(*minute.indices(len(self)))]
        if not 0 <= minute <= self._minutes:
            raise IndexError(minute)
        if minute not in self._values:
            if self._history:
                for earlier in range(self._evaluated + 1, minute):
                    self._record(earlier)
                    self._values[earlier] = self._engine.vector(self._alert,
                                                                earlier * STEP_SECONDS)
                self._evaluated = max(self._evaluated, minute)
            self._record(minute)
            self._values[minute] = self._engine.vector(self._alert, minute * STEP_SECONDS)
        return self._values[minute]

    def _record(self, minute: int) -> None:
        time = minute * STEP_SECONDS
        for rule in self._rules:
            self._engine.record(rule.name, rule.labels, self._engine.vector(rule.ast, time), time)


def timeline(series: Iterable[InputSeries], rules: Sequence[CompiledRule], alert: Any,
             minutes: int) -> Timeline:
    """The alert expression's result at every minute 0..minutes (evaluated lazily)."""
    return Timeline(series, rules, alert, minutes)


def firing_at(values: Sequence[Vector], steps: int, minute: int) -> Vector:
    """The elements firing at `minute`: active at every evaluation of the last `steps`."""
    if minute - steps < 0:
        return {}
    current = values[minute]
    return {labels: value for labels, value in current.items()
            if all(labels in values[m] for m in range(minute - steps, minute))}


def first_firing(values: Sequence[Vector], steps: int, start: int = 0) -> int | None:
    return next((m for m in range(start, len(values)) if firing_at(values, steps, m)), None)


def first_firing_monotone(values: Sequence[Vector], steps: int, start: int,
                          end: int, *, firing: bool = True) -> int | None:
    """The first minute in start..end at which the alert is (or with firing=False, is no
    longer) firing, for a burn that only moves one way there: a binary search, so a long
    window is evaluated at a few minutes instead of every one."""
    def reached(minute: int) -> bool:
        return bool(firing_at(values, steps, minute)) == firing

    if start > end or not reached(end):
        return None
    low, high = start, end
    while low < high:
        middle = (low + high) // 2
        if reached(middle):
            high = middle
        else:
            low = middle + 1
    return low
