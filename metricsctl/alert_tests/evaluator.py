"""A small rule engine with Prometheus 2.x semantics, for the expressions tests are made of.

Tests are synthesised by running the rules on candidate input series and reading off when an
alert fires; promtool then checks the same series against the real engine. Only the subset
the generated and typical hand-written rules use is modelled: selectors, rate/increase
(Prometheus' extrapolation, ranges closed at both ends as in 2.x), absent, vector,
sum_over_time/count_over_time, sum/min/max/avg/count by/without, arithmetic and filtering
comparisons with on/ignoring/group_left, and/or/unless. Anything else raises UnmodelledError,
with the reason, so the caller can list the alert instead of guessing.
"""

from __future__ import annotations

import functools
import math
import operator
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

from metricsctl.promql.walk import kind

STEP_SECONDS = 60
LOOKBACK_SECONDS = 300

Labels = tuple[tuple[str, str], ...]
Vector = dict[Labels, float]
Value = Vector | float


class UnmodelledError(Exception):
    """The expression uses something the engine does not model (the message says what)."""


def labels_of(mapping: Mapping[str, str]) -> Labels:
    return tuple(sorted(mapping.items()))


def without(labels: Labels, names: Iterable[str]) -> Labels:
    drop = set(names)
    return tuple(item for item in labels if item[0] not in drop)


def only(labels: Labels, names: Iterable[str]) -> Labels:
    keep = set(names)
    return tuple(item for item in labels if item[0] in keep)


class LinearValues(Sequence[float]):
    """`start + step * i` for i in 0..count-1, computed when read (steady-state series)."""

    def __init__(self, start: float, step: float, count: int) -> None:
        self.start, self.step, self.length = start, step, count

    def __len__(self) -> int:
        return self.length

    @overload
    def __getitem__(self, index: int) -> float: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[float]: ...

    def __getitem__(self, index: int | slice) -> float | Sequence[float]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self.length))]
        if not 0 <= index < self.length:
            raise IndexError(index)
        return self.start + self.step * index


@dataclass
class Series:
    """A series sampled every STEP_SECONDS from 0; None is a missing sample."""

    labels: Labels
    values: Sequence[float | None]

    def __post_init__(self) -> None:
        self.dense = isinstance(self.values, LinearValues) or all(
            value is not None for value in self.values)

    def window(self, start: float, end: float) -> list[tuple[float, float]]:
        """Samples with start <= timestamp <= end."""
        first = max(0, math.ceil(start / STEP_SECONDS))
        last = min(len(self.values) - 1, math.floor(end / STEP_SECONDS))
        return [(index * STEP_SECONDS, value) for index in range(first, last + 1)
                if (value := self.values[index]) is not None]

    def counter_window(self, start: float, end: float) -> tuple[float, float, float, float,
                                                                   int] | None:
        """(first t, first v, last t, last v, samples) of a dense window, in O(1)."""
        first = max(0, math.ceil(start / STEP_SECONDS))
        last = min(len(self.values) - 1, math.floor(end / STEP_SECONDS))
        if last - first < 1:
            return None
        first_value, last_value = self.values[first], self.values[last]
        assert first_value is not None and last_value is not None
        return (first * STEP_SECONDS, first_value, last * STEP_SECONDS, last_value,
                last - first + 1)

    def at(self, time: float) -> float | None:
        """The value an instant selector sees at `time` (the latest within the lookback)."""
        index = min(len(self.values) - 1, math.floor(time / STEP_SECONDS))
        while index >= 0 and index * STEP_SECONDS > time - LOOKBACK_SECONDS:
            value = self.values[index]
            if value is not None:
                return value
            index -= 1
        return None


@functools.lru_cache(maxsize=256)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _matches(labels: Labels, matchers: Sequence[tuple[str, str, str]]) -> bool:
    values = dict(labels)
    for name, op, expected in matchers:
        actual = values.get(name, "")
        if (op == "=" and actual != expected) or (op == "!=" and actual == expected):
            return False
        if op in ("=~", "!~"):
            hit = _regex(expected).fullmatch(actual) is not None
            if hit != (op == "=~"):
                return False
    return True


def selector_matchers(node: Any) -> list[tuple[str, str, str]]:
    from metricsctl.promql.references import selector_matchers as matchers_of

    if node.matchers.or_matchers:
        raise UnmodelledError("a selector with `or` matchers")
    found = list(matchers_of(node))
    if node.name is not None:
        found.append(("__name__", "=", str(node.name)))
    if node.offset is not None or node.at is not None:
        raise UnmodelledError("`offset` or `@` modifiers")
    return found


def extrapolated_rate(samples: tuple[float, float, float, float, int] | None, start: float,
                      end: float, range_seconds: float, *, is_rate: bool) -> float | None:
    """Prometheus' extrapolatedRate for a counter without resets (promql/functions.go)."""
    if samples is None:
        return None
    first_t, first_v, last_t, last_v, count = samples
    result = last_v - first_v
    if result < 0:
        raise UnmodelledError("a counter reset")
    to_start, to_end = first_t - start, end - last_t
    sampled = last_t - first_t
    average = sampled / (count - 1)
    if result > 0 and first_v >= 0:
        to_zero = sampled * (first_v / result)
        to_start = min(to_start, to_zero)
    threshold = average * 1.1
    interval = sampled
    interval += to_start if to_start < threshold else average / 2
    interval += to_end if to_end < threshold else average / 2
    result *= interval / sampled
    return result / range_seconds if is_rate else result


_ARITHMETIC: dict[str, Callable[[float, float], float]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul,
    "/": lambda a, b: a / b if b != 0 else (math.nan if a == 0 else math.copysign(math.inf, a)),
}
_COMPARISON: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt, "<": operator.lt, ">=": operator.ge, "<=": operator.le,
    "==": operator.eq, "!=": operator.ne,
}
_AGGREGATIONS: dict[str, Callable[[list[float]], float]] = {
    "sum": math.fsum, "max": max, "min": min, "count": lambda v: float(len(v)),
    "avg": lambda v: math.fsum(v) / len(v),
}


@dataclass
class Engine:
    """Input series plus recorded series, evaluated at multiples of STEP_SECONDS."""

    series: list[Series]
    recorded: dict[Labels, Series] = field(default_factory=dict)
    # Per selector node: its matchers and the input series it selects (inputs never change).
    _selections: dict[int, tuple[list[tuple[str, str, str]], list[Series]]] = field(
        default_factory=dict)
    _recorded_matches: dict[int, tuple[int, list[Series]]] = field(default_factory=dict)

    def select_node(self, node: Any) -> list[Series]:
        cached = self._selections.get(id(node))
        if cached is None:
            matchers = selector_matchers(node)
            cached = (matchers, [s for s in self.series if _matches(s.labels, matchers)])
            self._selections[id(node)] = cached
        matchers, inputs = cached
        if not self.recorded:
            return inputs
        known = self._recorded_matches.get(id(node))
        if known is None or known[0] != len(self.recorded):
            # New recorded series appear only while rules first produce them.
            known = (len(self.recorded), [s for s in self.recorded.values()
                                          if _matches(s.labels, matchers)])
            self._recorded_matches[id(node)] = known
        return [*inputs, *known[1]] if known[1] else inputs

    def record(self, name: str, labels: Mapping[str, str], value: Vector, time: float) -> None:
        index = round(time / STEP_SECONDS)
        for element, number in value.items():
            merged = dict(element)
            merged.update(labels)
            merged["__name__"] = name
            key = labels_of(merged)
            target = self.recorded.get(key)
            if target is None:
                target = self.recorded[key] = Series(key, [])
            values = target.values
            assert isinstance(values, list)
            target.dense = target.dense and index <= len(values)
            values.extend([None] * (index + 1 - len(values)))
            values[index] = number

    # -- evaluation ------------------------------------------------------------------------

    def vector(self, node: Any, time: float) -> Vector:
        value = self.eval(node, time)
        if not isinstance(value, dict):
            raise UnmodelledError("a scalar where a vector is expected")
        return value

    def eval(self, node: Any, time: float) -> Value:
        name = kind(node)
        if name == "NumberLiteral":
            return float(node.val)
        if name == "ParenExpr":
            return self.eval(node.expr, time)
        if name == "UnaryExpr":
            inner = self.eval(node.expr, time)
            if isinstance(inner, float):
                return -inner
            return {without(k, ["__name__"]): -v for k, v in inner.items()}
        if name == "VectorSelector":
            result: Vector = {}
            for series in self.select_node(node):
                value = series.at(time)
                if value is not None:
                    result[series.labels] = value
            return result
        if name == "Call":
            return self._call(node, time)
        if name == "AggregateExpr":
            return self._aggregate(node, time)
        if name == "BinaryExpr":
            return self._binary(node, time)
        raise UnmodelledError(f"{name} expressions")

    def _range(self, node: Any, time: float, function: str) -> tuple[list[Series], float]:
        if kind(node) != "MatrixSelector":
            raise UnmodelledError(f"{function}() over something other than a range selector")
        seconds = node.range.total_seconds()
        return self.select_node(node.vector_selector), seconds

    def _call(self, node: Any, time: float) -> Value:
        function = node.func.name
        args = list(node.args)
        if function in ("rate", "increase"):
            pool, seconds = self._range(args[0], time, function)
            result: Vector = {}
            for series in pool:
                if not series.dense:
                    raise UnmodelledError(f"{function}() over a series with gaps")
                value = extrapolated_rate(series.counter_window(time - seconds, time),
                                          time - seconds, time, seconds,
                                          is_rate=function == "rate")
                if value is not None:
                    result[without(series.labels, ["__name__"])] = value
            return result
        if function in ("sum_over_time", "count_over_time"):
            pool, seconds = self._range(args[0], time, function)
            result = {}
            for series in pool:
                samples = [v for _, v in series.window(time - seconds, time)]
                if samples:
                    result[without(series.labels, ["__name__"])] = (
                        math.fsum(samples) if function == "sum_over_time" else len(samples))
            return result
        if function == "absent":
            inner = self.vector(args[0], time)
            if inner:
                return {}
            if kind(args[0]) != "VectorSelector":
                return {(): 1.0}
            equal = {n: v for n, op, v in selector_matchers(args[0])
                     if op == "=" and n != "__name__"}
            return {labels_of(equal): 1.0}
        if function == "vector":
            scalar = self.eval(args[0], time)
            if not isinstance(scalar, float):
                raise UnmodelledError("vector() of a vector")
            return {(): scalar}
        raise UnmodelledError(f"the function {function}()")

    def _aggregate(self, node: Any, time: float) -> Vector:
        op = str(node.op).lower()
        if op not in _AGGREGATIONS or node.param is not None:
            raise UnmodelledError(f"the aggregation {op}")
        inner = self.vector(node.expr, time)
        modifier = node.modifier
        names = list(modifier.labels) if modifier is not None else []
        by = modifier is None or str(modifier.type).endswith("By")
        groups: dict[Labels, list[float]] = {}
        for labels, value in inner.items():
            key = only(labels, names) if by else without(labels, [*names, "__name__"])
            groups.setdefault(key, []).append(value)
        return {key: _AGGREGATIONS[op](values) for key, values in groups.items()}

    def _binary(self, node: Any, time: float) -> Value:
        op = str(node.op).lower()
        modifier = node.modifier
        lhs, rhs = self.eval(node.lhs, time), self.eval(node.rhs, time)
        if op in ("and", "or", "unless"):
            if not isinstance(lhs, dict) or not isinstance(rhs, dict):
                raise UnmodelledError(f"`{op}` between scalars")
            return _set_operation(op, lhs, rhs, modifier)
        returns_bool = modifier is not None and modifier.return_bool
        if op not in _ARITHMETIC and op not in _COMPARISON:
            raise UnmodelledError(f"the operator {op}")
        if returns_bool:
            raise UnmodelledError("comparisons with `bool`")
        if isinstance(lhs, float) and isinstance(rhs, float):
            if op in _COMPARISON:
                raise UnmodelledError("a comparison between scalars")
            return _ARITHMETIC[op](lhs, rhs)
        if isinstance(lhs, dict) and isinstance(rhs, dict):
            return _vector_vector(op, lhs, rhs, modifier)
        return _vector_scalar(op, lhs, rhs)


def _vector_scalar(op: str, lhs: Value, rhs: Value) -> Vector:
    vector_left = isinstance(lhs, dict)
    vector = lhs if isinstance(lhs, dict) else rhs
    scalar = rhs if isinstance(rhs, float) else lhs
    assert isinstance(vector, dict) and isinstance(scalar, float)
    result: Vector = {}
    for labels, value in vector.items():
        left, right = (value, scalar) if vector_left else (scalar, value)
        if op in _COMPARISON:
            if _COMPARISON[op](left, right):
                result[labels] = value
        else:
            result[without(labels, ["__name__"])] = _ARITHMETIC[op](left, right)
    return result


def _signature(labels: Labels, modifier: Any) -> Labels:
    matching = modifier.matching if modifier is not None else None
    if matching is None:
        return without(labels, ["__name__"])
    names = list(matching.labels)
    if str(matching.type).endswith("Include"):
        return only(labels, names)
    return without(labels, [*names, "__name__"])


def _vector_vector(op: str, lhs: Vector, rhs: Vector, modifier: Any) -> Vector:
    card = str(modifier.card) if modifier is not None else "OneToOne"
    if card.endswith("OneToMany"):
        raise UnmodelledError("group_right")
    right: dict[Labels, tuple[Labels, float]] = {}
    for labels, value in rhs.items():
        key = _signature(labels, modifier)
        if key in right:
            raise UnmodelledError("many series on the right side of a one-to-one match")
        right[key] = (labels, value)
    result: Vector = {}
    extra = list(modifier.group_labels or ()) if modifier is not None else []
    for labels, value in lhs.items():
        match = right.get(_signature(labels, modifier))
        if match is None:
            continue
        other_labels, other = match
        if op in _COMPARISON:
            if _COMPARISON[op](value, other):
                result[labels] = value
            continue
        out = dict(without(labels, ["__name__"]))
        if card.endswith("ManyToOne"):
            out.update(only(other_labels, extra))
        elif not card.endswith("OneToOne"):
            raise UnmodelledError(f"{card} matching")
        result[labels_of(out)] = _ARITHMETIC[op](value, other)
    return result


def _set_operation(op: str, lhs: Vector, rhs: Vector, modifier: Any) -> Vector:
    keys = {_signature(labels, modifier) for labels in rhs}
    if op == "and":
        return {k: v for k, v in lhs.items() if _signature(k, modifier) in keys}
    if op == "unless":
        return {k: v for k, v in lhs.items() if _signature(k, modifier) not in keys}
    result = dict(lhs)
    left_keys = {_signature(labels, modifier) for labels in lhs}
    result.update({k: v for k, v in rhs.items() if _signature(k, modifier) not in left_keys})
    return result
