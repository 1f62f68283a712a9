"""An alert's condition read as `<query> <comparison> <threshold>`, to tell which way it moved.

`sum(rate(errors_total[5m])) > 10` becomes (query `sum(rate(errors_total[5m]))`, `>`, 10);
`10 < x` is turned around to (x, `>`, 10). Anything else (`and`/`or`, `bool`, two vector
sides) has no single threshold, and the comparison falls back to comparing expressions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from metricsctl.promql.parse import parse_promql
from metricsctl.promql.walk import kind, operator, unwrap_parens

_FLIPPED = {">": "<", ">=": "<=", "<": ">", "<=": ">=", "==": "==", "!=": "!="}
_RISING = frozenset({">", ">="})  # fires when the value rises past the threshold
_FALLING = frozenset({"<", "<="})


@dataclass(frozen=True, slots=True)
class Condition:
    query: str  # the compared side, printed canonically (formatting differences vanish)
    op: str
    threshold: float

    def sensitivity_key(self) -> tuple[float, int] | None:
        """Larger means harder to fire, within one direction; None for `==`/`!=`."""
        if self.op in _RISING:
            return (self.threshold, 1 if self.op == ">" else 0)
        if self.op in _FALLING:
            return (-self.threshold, 1 if self.op == "<" else 0)
        return None

    def same_direction(self, other: Condition) -> bool:
        return ((self.op in _RISING and other.op in _RISING)
                or (self.op in _FALLING and other.op in _FALLING))


def canonical(expr: str) -> str | None:
    """The expression as the parser prints it, or None when it does not parse."""
    result = parse_promql(expr)
    return None if result.ast is None else str(result.ast)


def _number(node: Any) -> float | None:
    node = unwrap_parens(node)
    if kind(node) == "NumberLiteral":
        return float(node.val)
    if kind(node) == "UnaryExpr":
        inner = _number(node.expr)
        return None if inner is None else -inner
    return None


def alert_condition(expr: str) -> Condition | None:
    """The condition's query, comparison and threshold, when it has exactly one."""
    result = parse_promql(expr)
    if result.ast is None:
        return None
    node = unwrap_parens(result.ast)
    if kind(node) != "BinaryExpr":
        return None
    op = operator(node)
    if op not in _FLIPPED or (node.modifier is not None and node.modifier.return_bool):
        return None
    right, left = _number(node.rhs), _number(node.lhs)
    if right is not None and left is None:
        return Condition(str(unwrap_parens(node.lhs)), op, right)
    if left is not None and right is None:
        return Condition(str(unwrap_parens(node.rhs)), _FLIPPED[op], left)
    return None
