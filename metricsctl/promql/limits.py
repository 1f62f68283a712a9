"""Bounds on a PromQL expression's size and nesting, checked before it is parsed.

promql-parser, and every walk over the tree it returns, needs memory and stack in
proportion to how deep an expression nests, and for a chain of binary operators more than
in proportion to its length: 5,000 nested parentheses took 1.8 GB and ended in a
RecursionError, 50,000 crashed the process, a 20,000-term `+` chain took 5 GB. One linear
pass over the tokens refuses such an expression first, with the offset where it passes the
limit. The limits are far above what real rules need (kubernetes-mixin and the
node-exporter mixin nest at most 8 levels and use at most 20 operators in one expression),
and low enough that parsing and every walk over the tree stay small and shallow (at most
64 + 256 levels, well inside Python's recursion limit).
"""

from __future__ import annotations

from dataclasses import dataclass

from metricsctl.promql.lexer import TokenKind, tokenize

MAX_LENGTH = 65_536  # characters
MAX_NESTING = 64  # parentheses, brackets and braces inside one another
MAX_OPERATORS = 256  # binary and unary operators (`+`, `>`, `and`, `-x`...)

_OPENERS = frozenset({TokenKind.LEFT_PAREN, TokenKind.LEFT_BRACKET, TokenKind.LEFT_BRACE})
_CLOSERS = frozenset({TokenKind.RIGHT_PAREN, TokenKind.RIGHT_BRACKET, TokenKind.RIGHT_BRACE})
_MATCHER_OPERATORS = frozenset({"=", "=~", "!~"})
_KEYWORD_OPERATORS = frozenset({"and", "or", "unless", "atan2"})
HINT = "split the expression with recording rules"


@dataclass(frozen=True, slots=True)
class LimitExceeded:
    """Why an expression is refused, and the offset where it passes the limit."""

    message: str
    offset: int


def check_limits(expr: str) -> LimitExceeded | None:
    """The first limit `expr` exceeds, or None; linear in the expression's length."""
    if len(expr) > MAX_LENGTH:
        return LimitExceeded(f"PromQL expression of {len(expr):,} characters; the limit is "
                             f"{MAX_LENGTH:,}", MAX_LENGTH)
    if len(expr) <= MAX_OPERATORS and \
            expr.count("(") + expr.count("[") + expr.count("{") <= MAX_NESTING:
        # Every operator is at least one character and every opener one of these three,
        # so neither limit can be exceeded: no need to tokenize (most expressions).
        return None
    depth = 0
    braces = 0  # inside `{...}`, `=` and words are label matchers, not operators
    operators = 0
    for token in tokenize(expr):
        kind = token.kind
        if kind in _OPENERS:
            depth += 1
            braces += kind is TokenKind.LEFT_BRACE
            if depth > MAX_NESTING:
                return LimitExceeded(f"PromQL expression nested more than {MAX_NESTING} "
                                     "levels deep (parentheses, brackets and braces)",
                                     token.start)
        elif kind in _CLOSERS:
            depth = max(0, depth - 1)
            braces = max(0, braces - (kind is TokenKind.RIGHT_BRACE))
        elif not braces and (
                (kind is TokenKind.OPERATOR and token.text not in _MATCHER_OPERATORS)
                or (kind is TokenKind.IDENTIFIER and token.text in _KEYWORD_OPERATORS)):
            operators += 1
            if operators > MAX_OPERATORS:
                return LimitExceeded(f"PromQL expression with more than {MAX_OPERATORS} "
                                     "operators", token.start)
    return None
