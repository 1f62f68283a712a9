"""Tests for alerts written as `<expression> <comparison> <number>`, and absent() alerts.

The expression's input series are synthesised from the catalog (names, types, labels and
allowed values). One of them, the driver, is given a level (a counter's rate per second, a
gauge's value) and the others a fixed baseline; the engine finds the level at which the
comparison flips. The quiet case holds the level just on the safe side of the threshold
(2%); the firing case holds it there, then moves it 5% past the threshold, and the test
asserts the alert is not firing one minute before `for` has elapsed and is firing then.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from metricsctl.alert_tests.evaluator import (
    STEP_SECONDS,
    Engine,
    LinearValues,
    Series,
    UnmodelledError,
)
from metricsctl.alert_tests.expectations import expected_alerts
from metricsctl.alert_tests.labels import metric_of, series_labels
from metricsctl.alert_tests.model import AlertCase, AlertCheck, InputSeries
from metricsctl.alert_tests.rule_file import RuleFile, RuleFileAlert
from metricsctl.alert_tests.runner import (
    CompiledRule,
    compile_expr,
    firing_at,
    first_firing,
    for_steps,
    needed_rules,
    timeline,
)
from metricsctl.catalog.model import Catalog
from metricsctl.promql.walk import COMPARISONS, kind, unwrap_parens, walk

QUIET_MARGIN = Decimal("0.02")
FIRE_MARGIN = Decimal("0.05")
# A counter starts high enough that Prometheus never shortens its extrapolation towards
# zero (which would make the first minutes differ from a long-running counter).
COUNTER_START_SECONDS = 86400
_MIRROR = {">": "<", "<": ">", ">=": "<=", "<=": ">=", "==": "==", "!=": "!="}


@dataclass(frozen=True, slots=True)
class _Input:
    labels: dict[str, str]
    counter: bool


def _inputs(catalog: Catalog, asts: Sequence[Any], recorded: set[str]) -> list[_Input]:
    from metricsctl.alert_tests.evaluator import selector_matchers

    found: dict[tuple[tuple[str, str], ...], _Input] = {}
    for ast in asts:
        for node, ancestors in walk(ast):
            if kind(node) != "VectorSelector":
                continue
            matchers = selector_matchers(node)
            name = next((v for n, op, v in matchers if n == "__name__" and op == "="), None)
            if name is None:
                raise UnmodelledError("a selector without a metric name")
            if name in recorded:
                continue
            if name.endswith("_bucket"):
                raise UnmodelledError("histogram buckets (quantiles are not modelled)")
            labels = series_labels(catalog, name, metric_of(catalog, name),
                                   [m for m in matchers if m[0] != "__name__"])
            counter = any(kind(a) == "MatrixSelector" for a in ancestors)
            found.setdefault(tuple(sorted(labels.items())), _Input(labels, counter))
    if not found:
        raise UnmodelledError("the expression reads no series")
    return list(found.values())


def _steady(item: _Input, level: float, minutes: int) -> LinearValues:
    """An input held at `level` for minutes 0..minutes, computed when read."""
    if item.counter:
        return LinearValues(max(1.0, level) * COUNTER_START_SECONDS, level * STEP_SECONDS,
                            minutes + 1)
    return LinearValues(level, 0.0, minutes + 1)


def _series(inputs: Sequence[_Input], levels: Callable[[int], Sequence[float]],
            minutes: int) -> tuple[InputSeries, ...]:
    """Each input's samples for minutes 0..minutes at the levels of each minute."""
    result = []
    for index, item in enumerate(inputs):
        values: list[float | None] = []
        total = Decimal(0)  # exact: the values are written as decimals
        for minute in range(minutes + 1):
            level = levels(minute)[index]
            if item.counter:
                if minute == 0:
                    total = Decimal(repr(max(1.0, level))) * COUNTER_START_SECONDS
                else:
                    total += Decimal(repr(level)) * STEP_SECONDS
                values.append(float(total))
            else:
                values.append(level)
        result.append(InputSeries(tuple(sorted(item.labels.items())), tuple(values)))
    return tuple(result)


def _longest_range_minutes(asts: Sequence[Any]) -> int:
    ranges = [int(node.range.total_seconds()) // STEP_SECONDS
              for ast in asts for node, _ in walk(ast) if kind(node) == "MatrixSelector"]
    return max(ranges, default=5)


@dataclass
class _Model:
    catalog: Catalog
    alert: RuleFileAlert
    rules: list[CompiledRule]
    inputs: list[_Input]
    lhs: Any
    op: str
    threshold: float
    window: int
    memo: dict[float, float | None] = field(default_factory=dict)

    def levels_for(self, driver: float) -> list[float]:
        return [driver, *[1.0] * (len(self.inputs) - 1)]

    def value(self, driver: float) -> float | None:
        """The left side once every window holds only samples at this level."""
        if driver not in self.memo:
            self.memo[driver] = self._value(driver)
        return self.memo[driver]

    def _value(self, driver: float) -> float | None:
        minutes = self.window + 2
        levels = self.levels_for(driver)
        engine = Engine([Series(tuple(sorted(item.labels.items())), _steady(item, level, minutes))
                         for item, level in zip(self.inputs, levels, strict=True)])
        for minute in range(minutes + 1 if self.rules else 0):
            for rule in self.rules:
                engine.record(rule.name, rule.labels, engine.vector(rule.ast, minute * 60),
                              minute * 60)
        result = engine.eval(self.lhs, minutes * STEP_SECONDS)
        if isinstance(result, float):
            return result
        if len(result) != 1:
            return None
        return next(iter(result.values()))

    def fires(self, value: float | None) -> bool:
        if value is None:
            return False
        return {">": value > self.threshold, "<": value < self.threshold,
                ">=": value >= self.threshold, "<=": value <= self.threshold,
                "==": value == self.threshold, "!=": value != self.threshold}[self.op]


def _solve(model: _Model, target: float, increasing: bool) -> float:
    """A driver level at which the left side reaches `target` (at or just past it).

    Brackets the level by growing it fourfold, then closes in by regula falsi (Illinois):
    the left side is usually linear or a ratio in the driver, where it converges in a few
    evaluations rather than bisection's dozens.
    """
    def gap(level: float) -> float | None:
        value = model.value(level)
        if value is None:
            return None
        return (value - target) if increasing else (target - value)

    low, high = 0.0, 1.0
    low_gap = gap(low)
    for _ in range(60):
        high_gap = gap(high)
        if high_gap is not None and high_gap >= 0:
            break
        low, low_gap, high = high, high_gap, high * 4
    else:
        raise UnmodelledError("no level of the driving series reaches the threshold")
    if low_gap is None:
        low_gap = -abs(high_gap) - 1.0
    side = 0
    tolerance = 1e-9 * max(abs(target), 1e-12)
    for _ in range(60):
        if high_gap <= tolerance or high - low <= 1e-12 * high:
            break
        middle = (low_gap * high - high_gap * low) / (low_gap - high_gap)
        if not low < middle < high:
            middle = (low + high) / 2
        middle_gap = gap(middle)
        if middle_gap is None:
            middle_gap = -tolerance  # no value: treat as not yet there
        if middle_gap >= 0:
            high, high_gap = middle, middle_gap
            if side == 1:
                low_gap /= 2
            side = 1
        else:
            low, low_gap = middle, middle_gap
            if side == -1:
                high_gap /= 2
            side = -1
    return high


def _round(level: float, model: _Model, accept: Callable[[float | None], bool]) -> float:
    """`level` with few significant digits, when that still meets `accept`."""
    for digits in (3, 4, 6, 9, 15):
        rounded = float(f"{level:.{digits}g}")
        if accept(model.value(rounded)):
            return rounded
    return level


def _levels(model: _Model) -> tuple[float, float]:
    """(quiet, firing) levels of the driver."""
    low, high = model.value(0.0), model.value(1e6)
    if low is None or high is None or low == high:
        raise UnmodelledError("the threshold does not depend on any input series")
    increasing = high > low
    threshold = Decimal(repr(model.threshold))
    fire_above = model.fires(high) if increasing else model.fires(low)
    if model.op == "==":
        raise UnmodelledError("an equality test on a computed value")
    scale = abs(threshold) if threshold != 0 else Decimal(1)
    quiet_target = threshold + (-QUIET_MARGIN if fire_above else QUIET_MARGIN) * scale
    fire_target = threshold + (FIRE_MARGIN if fire_above else -FIRE_MARGIN) * scale
    quiet = _solve(model, float(quiet_target), increasing)
    fire = _solve(model, float(fire_target), increasing)
    quiet = _round(quiet, model, lambda v: not model.fires(v))
    fire = _round(fire, model, model.fires)
    if model.fires(model.value(quiet)) or not model.fires(model.value(fire)):
        raise UnmodelledError("no level keeps it quiet just below the threshold and fires above")
    return quiet, fire


def _comparison(ast: Any) -> tuple[Any, str, float]:
    top = unwrap_parens(ast)
    if kind(top) == "BinaryExpr":
        op = str(top.op)
        rhs, lhs = unwrap_parens(top.rhs), unwrap_parens(top.lhs)
        if op in COMPARISONS and not (top.modifier and top.modifier.return_bool):
            if kind(rhs) == "NumberLiteral":
                return top.lhs, op, float(rhs.val)
            if kind(lhs) == "NumberLiteral":
                return top.rhs, _MIRROR[op], float(lhs.val)
    raise UnmodelledError("the expression is not `<expression> <comparison> <number>`")


def expression_cases(catalog: Catalog, rule_file: RuleFile,
                     alert: RuleFileAlert) -> list[AlertCase]:
    """A quiet and a firing case for `alert`; UnmodelledError says why there are none."""
    ast = compile_expr(alert.expr)
    top = unwrap_parens(ast)
    if kind(top) == "Call" and top.func.name == "absent":
        return _absent_cases(catalog, alert, top)
    lhs, op, threshold = _comparison(ast)
    rules = needed_rules(alert.expr, rule_file.records)
    recorded = {rule.name for rule in rules}
    asts = [lhs, *(rule.ast for rule in rules)]
    inputs = _inputs(catalog, asts, recorded)
    model = _Model(catalog, alert, rules, inputs, lhs, op, threshold,
                   _longest_range_minutes(asts))
    if op == "==" and kind(unwrap_parens(lhs)) == "VectorSelector" and len(inputs) == 1 \
            and not inputs[0].counter:
        quiet, fire = threshold + 1, threshold
    else:
        quiet, fire = _levels(model)
    return _cases(model, quiet, fire, ast)


def _cases(model: _Model, quiet: float, fire: float, ast: Any) -> list[AlertCase]:
    alert = model.alert
    steps = for_steps(alert.for_)
    # Every window is full of quiet samples for `for` before the level changes.
    start = model.window + steps + 10
    end = start + model.window + steps + 10
    quiet_series = _series(model.inputs, lambda _: model.levels_for(quiet), end)
    quiet_values = timeline(quiet_series, model.rules, ast, end)
    if firing_at(quiet_values, steps, end):
        raise UnmodelledError("the quiet level still makes it fire")
    burst = _series(model.inputs, lambda m: model.levels_for(fire if m > start else quiet), end)
    values = timeline(burst, model.rules, ast, end)
    if values[start]:
        raise UnmodelledError("the quiet level is past the threshold before its windows fill")
    fired = first_firing(values, steps, start)
    if fired is None:
        raise UnmodelledError("the synthesised series never make it fire")
    active = fired - steps
    return [
        AlertCase(f"{alert.name} stays quiet just on the safe side of its threshold",
                  alert.name, quiet_series,
                  (AlertCheck(end, (), f"held at {_describe(model, quiet)} for {end}m"),)),
        AlertCase(f"{alert.name} fires after exactly its `for`", alert.name, burst, (
            AlertCheck(fired - 1, (), f"past the threshold since {active}m: pending, "
                       f"{alert.for_ or '0s'} not yet elapsed" if steps else
                       "not yet past the threshold"),
            AlertCheck(fired, expected_alerts(alert, firing_at(values, steps, fired)),
                       f"past the threshold since {active}m: fires once `for` has elapsed"),
        )),
    ]


def _describe(model: _Model, level: float) -> str:
    value = model.value(level)
    return f"{value:.6g} (threshold {model.op} {model.threshold:g})"


def _absent_cases(catalog: Catalog, alert: RuleFileAlert, call: Any) -> list[AlertCase]:
    target = unwrap_parens(call.args[0])
    if kind(target) != "VectorSelector":
        raise UnmodelledError("absent() of something other than a selector")
    inputs = _inputs(catalog, [target], set())
    steps = for_steps(alert.for_)
    end = steps + 10
    present = _series(inputs, lambda _: [1.0] * len(inputs), end)
    ast = compile_expr(alert.expr)
    values = timeline((), [], ast, end)
    fired = first_firing(values, steps)
    assert fired is not None
    checks = [AlertCheck(fired - 1, (), "missing, but `for` has not elapsed")] if fired else []
    checks.append(AlertCheck(fired, expected_alerts(alert, firing_at(values, steps, fired)),
                             "missing for `for`: fires"))
    return [
        AlertCase(f"{alert.name} stays quiet while the series is reported", alert.name,
                  present, (AlertCheck(end, (), "the series is present"),)),
        AlertCase(f"{alert.name} fires when the series has been missing for its `for`",
                  alert.name, (), tuple(checks)),
    ]
