"""Run recording rules and alert expressions over input series, minute by minute."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from metricsctl.alert_tests.evaluator import STEP_SECONDS, Engine, Series, UnmodelledError, Vector
from metricsctl.alert_tests.model import InputSeries
from metricsctl.catalog.durations import parse_duration
from metricsctl.catalog.model import RecordingRule
from metricsctl.promql.references import expr_references


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


def timeline(series: Iterable[InputSeries], rules: Sequence[CompiledRule], alert: Any,
             minutes: int) -> list[Vector]:
    """The alert expression's result at every minute 0..minutes."""
    engine = Engine([Series(s.labels, list(s.values)) for s in series])
    result = []
    for minute in range(minutes + 1):
        time = minute * STEP_SECONDS
        for rule in rules:
            engine.record(rule.name, rule.labels, engine.vector(rule.ast, time), time)
        result.append(engine.vector(alert, time))
    return result


def firing_at(values: Sequence[Vector], steps: int, minute: int) -> Vector:
    """The elements firing at `minute`: active at every evaluation of the last `steps`."""
    if minute - steps < 0:
        return {}
    current = values[minute]
    return {labels: value for labels, value in current.items()
            if all(labels in values[m] for m in range(minute - steps, minute))}


def first_firing(values: Sequence[Vector], steps: int, start: int = 0) -> int | None:
    return next((m for m in range(start, len(values)) if firing_at(values, steps, m)), None)
