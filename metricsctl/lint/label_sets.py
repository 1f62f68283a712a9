"""Which labels the result of an expression carries, as far as the catalog tells.

Used to check `by (...)`, `on (...)` and `group_left (...)` labels against what the inner
expression really has, and to give recording-rule outputs their labels. None means "not
known" (an unknown metric, ALERTS, a function this module does not model): no check then.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from metricsctl.promql.references import selector_metric
from metricsctl.promql.syntax_tree import SyntaxNode
from metricsctl.promql.walk import operator

if TYPE_CHECKING:
    from metricsctl.lint.context import LintContext

Labels = frozenset[str] | None

# Functions whose result has no labels at all.
_UNLABELLED_FUNCTIONS = frozenset({"time", "vector", "scalar", "pi"})
# Aggregations that keep the labels of the series they select.
_SELECTING_AGGREGATIONS = frozenset({"topk", "bottomk", "limitk", "limit_ratio"})


def _string_value(node: SyntaxNode) -> str | None:
    return str(node.ast.val) if node.kind == "StringLiteral" else None


def _call_labels(node: SyntaxNode, context: LintContext) -> Labels:
    function = str(node.ast.func.name)
    args = node.children
    if function in _UNLABELLED_FUNCTIONS:
        return frozenset()
    if function in ("absent", "absent_over_time"):
        return None
    vector = next((a for a in args if a.kind not in ("NumberLiteral", "StringLiteral")), None)
    if vector is None:
        return frozenset()
    inner = output_labels(vector, context)
    if inner is None:
        return None
    if function == "histogram_quantile":
        return inner - {"le"}
    if function in ("label_replace", "label_join") and len(args) > 1:
        destination = _string_value(args[1])
        return inner | {destination} if destination else None
    return inner


def _aggregate_labels(node: SyntaxNode, context: LintContext) -> Labels:
    name = operator(node.ast)
    inner = output_labels(node.children[-1], context)
    if name in _SELECTING_AGGREGATIONS:
        return inner
    modifier = node.ast.modifier
    extra: frozenset[str] = frozenset()
    if name == "count_values" and node.children[0].kind == "StringLiteral":
        extra = frozenset({str(node.children[0].ast.val)})
    if modifier is None:
        return extra
    labels = frozenset(modifier.labels)
    if str(modifier.type).endswith("By"):
        return labels | extra
    return None if inner is None else (inner - labels) | extra


def _binary_labels(node: SyntaxNode, context: LintContext) -> Labels:
    left, right = (output_labels(child, context) for child in node.children)
    scalar_left = node.children[0].kind == "NumberLiteral"
    scalar_right = node.children[1].kind == "NumberLiteral"
    if scalar_left or scalar_right:
        return right if scalar_left else left
    modifier = node.ast.modifier
    extra = frozenset(modifier.group_labels or ()) if modifier is not None else frozenset()
    if operator(node.ast) == "or":
        return None if left is None or right is None else left | right
    if modifier is not None and str(modifier.card).endswith("OneToMany"):
        return None if right is None else right | extra
    return None if left is None else left | extra


def output_labels(node: SyntaxNode, context: LintContext) -> Labels:
    """The label names the result of `node` carries (`__name__` not included)."""
    kind = node.kind
    if kind == "VectorSelector":
        metric = selector_metric(node.ast)
        series = context.resolve(metric) if metric is not None else None
        return series.labels if series is not None else None
    if kind in ("MatrixSelector", "ParenExpr", "UnaryExpr", "SubqueryExpr"):
        return output_labels(node.children[0], context)
    if kind in ("NumberLiteral", "StringLiteral"):
        return frozenset()
    if kind == "Call":
        return _call_labels(node, context)
    if kind == "AggregateExpr":
        return _aggregate_labels(node, context)
    if kind == "BinaryExpr":
        return _binary_labels(node, context)
    return None
