"""Walk a promql-parser AST in source order, each node with its ancestors.

Children are visited in the order they are written (a binary expression's left side before
its right, a call's arguments in order, a matrix selector before its range), so the n-th
vector selector of the walk is the n-th selector of the text: `promql.positions` relies
on that to give AST nodes their columns.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

Ancestors = tuple[Any, ...]

# Comparison operators: without `bool` they filter, keeping the samples for which they hold.
COMPARISONS = frozenset({">", ">=", "<", "<=", "==", "!="})


def kind(node: Any) -> str:
    """The node's class name: VectorSelector, Call, AggregateExpr, BinaryExpr..."""
    return type(node).__name__


def children(node: Any) -> list[Any]:
    """The direct sub-expressions of `node`, in source order."""
    name = kind(node)
    if name == "BinaryExpr":
        return [node.lhs, node.rhs]
    if name == "AggregateExpr":
        param = node.param
        return [param, node.expr] if param is not None else [node.expr]
    if name == "Call":
        return list(node.args)
    if name in ("ParenExpr", "UnaryExpr", "SubqueryExpr"):
        return [node.expr]
    if name == "MatrixSelector":
        return [node.vector_selector]
    return []


def walk(node: Any, ancestors: Ancestors = ()) -> Iterator[tuple[Any, Ancestors]]:
    """Every node under (and including) `node`, pre-order, with its ancestors (root first)."""
    stack: list[tuple[Any, Ancestors]] = [(node, ancestors)]
    while stack:
        current, parents = stack.pop()
        yield current, parents
        below = (*parents, current)
        stack.extend((child, below) for child in reversed(children(current)))


def operator(node: Any) -> str:
    """The operator of a BinaryExpr or AggregateExpr as written (`/`, `sum`, `and`)."""
    return str(node.op).lower()


def unwrap_parens(node: Any) -> Any:
    """The expression inside any number of parentheses."""
    while kind(node) == "ParenExpr":
        node = node.expr
    return node
