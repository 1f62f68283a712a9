"""What an expression reads: series names, selectors with their matchers, grouping labels.

The review (diff) and docs targets use this to tell which alerts, rules and panels depend on
a metric or a label; lint builds on the same walk.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from metricsctl.promql.grafana_variables import is_variable_identifier
from metricsctl.promql.parse import parse_promql
from metricsctl.promql.walk import kind, walk

MATCH_OPERATORS = {"Equal": "=", "NotEqual": "!=", "Re": "=~", "NotRe": "!~"}


@dataclass(frozen=True, slots=True)
class SelectorRef:
    """One vector selector: its metric name (None when given only by matchers or by a
    Grafana variable) and its matchers as (label, op, value), `__name__` included if written."""

    metric: str | None
    matchers: tuple[tuple[str, str, str], ...]


@dataclass(frozen=True, slots=True)
class ExprRefs:
    metrics: frozenset[str]  # series names as written (http_requests_total, x_bucket)
    selectors: tuple[SelectorRef, ...]  # in source order
    grouping_labels: frozenset[str]  # named in by/without/on/ignoring/group_left/group_right


def match_operator(matcher: Any) -> str:
    """`=`, `!=`, `=~` or `!~` for a promql-parser Matcher."""
    return MATCH_OPERATORS[str(matcher.op).rsplit(".", 1)[-1]]


def selector_metric(selector: Any) -> str | None:
    """The metric a VectorSelector reads: its name, or an `__name__="..."` matcher."""
    name = selector.name
    if name is not None:
        return None if is_variable_identifier(name) else str(name)
    for matcher in selector.matchers.matchers:
        if matcher.name == "__name__" and match_operator(matcher) == "=":
            return str(matcher.value)
    return None


def selector_matchers(selector: Any) -> tuple[tuple[str, str, str], ...]:
    """Every matcher of a selector, `or` alternatives included, in the order written."""
    groups = [selector.matchers.matchers, *selector.matchers.or_matchers]
    return tuple((str(m.name), match_operator(m), str(m.value)) for group in groups for m in group)


def grouping_labels(node: Any) -> tuple[str, ...]:
    """Labels named by an aggregation's by/without or a binary operator's on/ignoring/group_x."""
    modifier = getattr(node, "modifier", None)
    if modifier is None:
        return ()
    if kind(node) == "AggregateExpr":
        return tuple(modifier.labels)
    labels: list[str] = []
    if modifier.matching is not None:
        labels.extend(modifier.matching.labels)
    labels.extend(modifier.group_labels or ())
    return tuple(labels)


def ast_references(ast: Any) -> ExprRefs:
    """References of an already parsed expression."""
    metrics: set[str] = set()
    selectors: list[SelectorRef] = []
    grouping: set[str] = set()
    for node, _ in walk(ast):
        name = kind(node)
        if name == "VectorSelector":
            metric = selector_metric(node)
            if metric is not None:
                metrics.add(metric)
            selectors.append(SelectorRef(metric, selector_matchers(node)))
        elif name in ("AggregateExpr", "BinaryExpr"):
            grouping.update(grouping_labels(node))
    return ExprRefs(frozenset(metrics), tuple(selectors), frozenset(grouping))


@lru_cache(maxsize=4096)  # as parse_promql: dashboards, rules and docs read the same exprs
def expr_references(expr: str) -> ExprRefs | None:
    """What `expr` reads (Grafana variables allowed), or None when it does not parse."""
    result = parse_promql(expr)
    if result.ast is None:
        return None
    return ast_references(result.ast)
