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


def is_scalar(node: SyntaxNode) -> bool:
    """Whether `node` is a number (a literal, scalar(), time(), pi()), not a vector."""
    inner = node
    while inner.kind in ("ParenExpr", "UnaryExpr"):
        inner = inner.children[0]
    if inner.kind == "NumberLiteral":
        return True
    return inner.kind == "Call" and str(inner.ast.func.name) in ("scalar", "time", "pi")


def _binary_labels(node: SyntaxNode, context: LintContext) -> Labels:
    """Prometheus' `resultMetric`: the labels of the "many" side (the left one unless
    group_right), plus the group_x labels from the other side; a one-to-one match keeps
    only the `on (...)` labels, or drops the `ignoring (...)` ones. `and`/`unless` keep the
    left side as it is; `or` has the series of both."""
    left_node, right_node = node.children
    if is_scalar(left_node) or is_scalar(right_node):
        return output_labels(right_node if is_scalar(left_node) else left_node, context)
    left, right = (output_labels(child, context) for child in node.children)
    op = operator(node.ast)
    if op == "or":
        return None if left is None or right is None else left | right
    if op in ("and", "unless"):
        return left
    modifier = node.ast.modifier
    if modifier is None:
        return left
    extra = frozenset(modifier.group_labels or ())
    card = str(modifier.card)
    if card.endswith("OneToMany"):
        return None if right is None else right | extra
    if card.endswith("ManyToOne"):
        return None if left is None else left | extra
    matching = modifier.matching
    if matching is None:
        return left
    named = frozenset(matching.labels)
    if str(matching.type).endswith("Include"):
        return named if left is None else left & named
    return None if left is None else left - named


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
