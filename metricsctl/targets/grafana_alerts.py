"""Alerts seen from dashboards: which panel plots an alert, its threshold, its runbook.

A panel *plots an alert's expression* when one of its queries is the alert's compared side
(`venice_balance_diem` for `venice_balance_diem < 10`; before a filter such as a traffic
guard, `... and on (route) ... > 0.1`), read the way a dashboard writes it:
whitespace, range windows (`[5m]` against `[$__rate_interval]`) and matchers on dashboard
variables (`service=~"$service"`) do not count. Such a panel shows the alert's threshold,
and the alert points at the panel (Grafana's `__dashboardUid__`/`__panelId__` annotations).
A panel *reads an alerted metric* when a query reads a series an alert reads; it links to
the alert's runbook.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from metricsctl.catalog.model import Alert, Catalog, Threshold

COMPARISONS = ("<=", ">=", "==", "!=", "<", ">")
_WINDOW = re.compile(r"\[[^\]]*\]")
_VARIABLE_MATCHER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\s*=~?\s*\"\$\{?[A-Za-z0-9_]+\}?\"\s*,?")
_SPACE = re.compile(r"\s+")
_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")
# Threshold colours, worst severity first (the catalog lists severities mildest first).
SEVERITY_COLORS = ("red", "orange", "yellow")
OK_COLOR = "green"


@dataclass(frozen=True, slots=True)
class AlertComparison:
    """An alert written `<plotted expression> <op> <number>`."""

    alert: Alert
    plotted: str  # normalized (see plotted_form)
    op: str
    threshold: float

    def fires(self, value: float) -> bool:
        return {"<": value < self.threshold, "<=": value <= self.threshold,
                ">": value > self.threshold, ">=": value >= self.threshold,
                "==": value == self.threshold, "!=": value != self.threshold}[self.op]


@functools.cache
def plotted_form(expr: str) -> str:
    """An expression as compared with panels: no spaces, no windows, no variable matchers."""
    text = _VARIABLE_MATCHER.sub("", expr)
    text = _SPACE.sub("", _WINDOW.sub("[]", text))
    return text.replace(",}", "}").replace("{}", "")


def _top_level(expr: str) -> Iterator[int]:
    """The positions in `expr` outside brackets and strings."""
    depth, quote = 0, ""
    for index, char in enumerate(expr):
        if quote:
            quote = "" if char == quote and expr[index - 1] != "\\" else quote
        elif char in "\"'`":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif depth == 0:
            yield index


def _top_level_comparison(expr: str) -> tuple[str, str, str] | None:
    """The last comparison outside brackets and strings: (left, operator, right)."""
    found, resume = None, 0
    for index in _top_level(expr):
        if index < resume:
            continue  # inside the operator just found (`>=`)
        op = next((op for op in COMPARISONS if expr.startswith(op, index)), None)
        if op is not None and not (op == "=" and expr[index - 1] in "!<>="):
            found = (expr[:index], op, expr[index + len(op):])
            resume = index + len(op)
    return found


_FILTER_KEYWORD = re.compile(r"(?<![A-Za-z0-9_:])(and|unless)(?![A-Za-z0-9_:])")


def _before_filter(expr: str) -> str:
    """The expression before a top-level `and`/`unless`: the alert's value and threshold
    (`p95 > 2 and on (route) traffic > 0.1` is plotted as `p95 > 2`)."""
    for index in _top_level(expr):
        if index > 0 and _FILTER_KEYWORD.match(expr, index):
            return expr[:index]
    return expr


@functools.cache
def _split_alert_expr(expr: str) -> tuple[str, str, float] | None:
    split = _top_level_comparison(_before_filter(expr))
    if split is None:
        return None
    left, op, right = split
    if not _NUMBER.fullmatch(right.strip()) or not left.strip():
        return None
    return plotted_form(left), op, float(right.strip())


def alert_comparison(alert: Alert) -> AlertComparison | None:
    """The alert's plotted side and threshold, when it compares an expression to a number."""
    split = _split_alert_expr(alert.expr)
    return None if split is None else AlertComparison(alert, *split)


@functools.cache
def series_read(expr: str) -> frozenset[str]:
    """The series names an expression reads (empty when it does not parse)."""
    from metricsctl.promql.references import expr_references

    refs = expr_references(expr)
    return refs.metrics if refs is not None else frozenset()


class AlertIndex:
    """Alerts by the expression they compare and by the series they read: a dashboard's
    panels are matched against them in time proportional to the panels, not panels x alerts.
    """

    def __init__(self, alerts: Iterable[Alert]) -> None:
        self.alerts = list(alerts)
        self._plotted: dict[str, list[AlertComparison]] = {}
        self._reading: dict[str, list[int]] = {}
        self._order = {id(alert): position for position, alert in enumerate(self.alerts)}
        for position, alert in enumerate(self.alerts):
            comparison = alert_comparison(alert)
            if comparison is not None:
                self._plotted.setdefault(comparison.plotted, []).append(comparison)
            for series in series_read(alert.expr):
                self._reading.setdefault(series, []).append(position)

    def plotted(self, exprs: Iterable[str]) -> list[AlertComparison]:
        """The alerts whose compared expression is one of `exprs`, in alert order."""
        if not self._plotted:
            return []
        found = [c for form in dict.fromkeys(plotted_form(e) for e in exprs)
                 for c in self._plotted.get(form, ())]
        return sorted(found, key=lambda c: self._order[id(c.alert)]) if len(found) > 1 else found

    def reading(self, exprs: Iterable[str]) -> list[Alert]:
        """The alerts that read a series one of `exprs` reads, in alert order."""
        if not self._reading:
            return []
        positions = {position for expr in exprs for series in series_read(expr)
                     for position in self._reading.get(series, ())}
        return [self.alerts[position] for position in sorted(positions)]


def severity_color(catalog: Catalog, severity: str) -> str:
    """red for the worst severity the project declares, orange for the next, then yellow."""
    order = list(reversed(catalog.project.severities))
    rank = order.index(severity) if severity in order else len(order) - 1
    return SEVERITY_COLORS[min(rank, len(SEVERITY_COLORS) - 1)]


def alert_thresholds(catalog: Catalog, alerts: Sequence[AlertComparison]) -> tuple[Threshold, ...]:
    """Threshold steps colouring each value range by the worst alert firing there."""
    values = sorted({comparison.threshold for comparison in alerts})
    if not values:
        return ()
    severities = list(catalog.project.severities)

    def color_at(value: float) -> str:
        firing = [c.alert.severity or "" for c in alerts if c.fires(value)]
        if not firing:
            return OK_COLOR
        worst = max(firing, key=lambda s: severities.index(s) if s in severities else -1)
        return severity_color(catalog, worst)

    # A step starts at its value; probe just above each boundary and below the first one.
    steps = [Threshold(color_at(values[0] - 1))]
    for index, value in enumerate(values):
        upper = values[index + 1] if index + 1 < len(values) else value + 1
        probe = value if any(c.fires(value) and c.op in (">=", "==") for c in alerts) \
            else (value + upper) / 2
        steps.append(Threshold(color_at(probe), value))
    merged = [steps[0]]
    for step in steps[1:]:
        if step.color != merged[-1].color:
            merged.append(step)
    return tuple(merged)
