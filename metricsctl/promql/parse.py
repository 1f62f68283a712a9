"""Parse PromQL with promql-parser, Grafana variables substituted, errors located.

promql-parser (a Rust extension, imported lazily) returns a typed AST but its errors carry
no position. `parse_promql` finds the offending token where it can (an unclosed parenthesis,
an unknown function, the word after which the expression stops making sense) and reports
its offset in the ORIGINAL expression, so callers turn it into file:line:col with
`SourceRef.in_scalar`. An expression past the size and nesting limits
(`metricsctl.promql.limits`) is refused before the parser sees it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from metricsctl.promql.grafana_variables import (
    OffsetMap,
    Substitution,
    substitute_grafana_variables,
)
from metricsctl.promql.lexer import Token, TokenKind, tokenize
from metricsctl.promql.limits import check_limits

__all__ = ["OffsetMap", "ParseError", "ParseResult", "Substitution", "parse_promql",
           "substitute_grafana_variables"]

# Words that are never a selector's metric name when they stand where PromQL expects them.
BINARY_KEYWORDS = frozenset({"and", "or", "unless", "atan2"})
MODIFIER_KEYWORDS = frozenset({"by", "without", "on", "ignoring", "group_left", "group_right",
                               "bool", "offset"})
_CLOSERS = {TokenKind.RIGHT_PAREN: TokenKind.LEFT_PAREN,
            TokenKind.RIGHT_BRACE: TokenKind.LEFT_BRACE,
            TokenKind.RIGHT_BRACKET: TokenKind.LEFT_BRACKET}
_QUOTED = re.compile(r"'([^']+)'")


@dataclass(frozen=True, slots=True)
class ParseError:
    """Why an expression does not parse; `offset` is in the original expression, if known."""

    message: str
    offset: int | None


@dataclass(frozen=True, slots=True)
class ParseResult:
    """A parsed expression: the AST, or the error, plus what was substituted to get there."""

    expr: str  # as written
    text: str  # with Grafana variables replaced by stand-ins (what was parsed)
    offsets: OffsetMap
    ast: Any = None
    error: ParseError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def original_offset(self, offset: int) -> int:
        return self.offsets.to_original(offset)

    def tokens(self) -> tuple[Token, ...]:
        """The tokens of `text` (computed when positions are needed, then cached)."""
        return tokens_of(self.text)


@lru_cache(maxsize=4096)
def tokens_of(text: str) -> tuple[Token, ...]:
    return tuple(tokenize(text))


@lru_cache(maxsize=4096)
def parse_promql(expr: str) -> ParseResult:
    """Parse `expr` (Grafana variables allowed); never raises for bad input."""
    exceeded = check_limits(expr)
    if exceeded is not None:  # checked on the text as written: no parser ever sees it
        return ParseResult(expr, expr, OffsetMap(),
                           error=ParseError(exceeded.message, exceeded.offset))
    import promql_parser

    text, offsets = substitute_grafana_variables(expr)
    try:
        ast = promql_parser.parse(text)
    except Exception as error:  # promql-parser raises ValueError with a bare message
        message = str(error) or "invalid PromQL"
        offset = locate_error(message, text, tokens_of(text))
        return ParseResult(expr, text, offsets, error=ParseError(
            _describe(message), None if offset is None else offsets.to_original(offset)))
    except BaseException as error:  # a Rust panic surfaces as pyo3's PanicException
        if isinstance(error, KeyboardInterrupt | SystemExit | GeneratorExit):
            raise
        return ParseResult(expr, text, offsets,
                           error=ParseError(f"the PromQL parser failed: {error}", None))
    return ParseResult(expr, text, offsets, ast=ast)


def _describe(message: str) -> str:
    if message == "invalid promql query":
        return "invalid PromQL syntax"
    return message


def locate_error(message: str, text: str, tokens: tuple[Token, ...]) -> int | None:
    """The offset in `text` where the parser's `message` most likely applies, if found."""
    if message.startswith("unexpected end of input") or message.startswith("unterminated"):
        unterminated = next((t for t in tokens if t.kind is TokenKind.STRING
                             and (len(t.text) < 2 or t.text[-1] != t.text[0])), None)
        return unterminated.start if unterminated else len(text.rstrip())
    if "unclosed left" in message or message.startswith("unexpected right"):
        unbalanced = _unbalanced_bracket(tokens)
        if unbalanced is not None:
            return unbalanced.start
    if message.startswith("illegal regex for "):
        pattern = message[len("illegal regex for "):]
        found = next((t for t in tokens if t.kind is TokenKind.STRING and t.text[1:-1] == pattern),
                     None)
        if found is not None:
            return found.start
    if message.startswith("bad number or duration syntax: "):
        word = message.rsplit(": ", 1)[1]
        found = next((t for t in tokens if t.text and word.startswith(t.text)), None)
        if found is not None:
            return found.start
    quoted = _QUOTED.search(message)
    if quoted is not None:
        found = _find_quoted(quoted.group(1), message, tokens)
        if found is not None:
            return found.start
    misplaced = _first_misplaced_token(tokens)
    if isinstance(misplaced, Token):
        return misplaced.start
    return misplaced


def _unbalanced_bracket(tokens: tuple[Token, ...]) -> Token | None:
    """The first closer without an opener, else the innermost opener never closed."""
    stack: list[Token] = []
    for token in tokens:
        if token.kind in (TokenKind.LEFT_PAREN, TokenKind.LEFT_BRACE, TokenKind.LEFT_BRACKET):
            stack.append(token)
        elif token.kind in _CLOSERS:
            if not stack or stack[-1].kind is not _CLOSERS[token.kind]:
                return token
            stack.pop()
    return stack[-1] if stack else None


def _find_quoted(word: str, message: str, tokens: tuple[Token, ...]) -> Token | None:
    """The token a quoted word in the message names; a function when the message says so."""
    wants_call = "function" in message
    for index, token in enumerate(tokens):
        if token.text != word:
            continue
        followed_by_paren = (index + 1 < len(tokens)
                             and tokens[index + 1].kind is TokenKind.LEFT_PAREN)
        if not wants_call or followed_by_paren:
            return token
    return None


def _starts_operand(token: Token) -> bool:
    if token.kind is TokenKind.IDENTIFIER:
        return token.text not in BINARY_KEYWORDS and token.text not in MODIFIER_KEYWORDS
    return token.kind in (TokenKind.NUMBER, TokenKind.STRING, TokenKind.LEFT_PAREN,
                          TokenKind.LEFT_BRACE)


def _ends_operand(token: Token) -> bool:
    if token.kind is TokenKind.IDENTIFIER:
        return token.text not in BINARY_KEYWORDS and token.text not in MODIFIER_KEYWORDS
    return token.kind in (TokenKind.NUMBER, TokenKind.STRING, TokenKind.DURATION,
                          TokenKind.RIGHT_PAREN, TokenKind.RIGHT_BRACE, TokenKind.RIGHT_BRACKET)


def _is_binary_operator(token: Token) -> bool:
    return ((token.kind is TokenKind.OPERATOR and token.text not in ("=", "=~", "!~"))
            or (token.kind is TokenKind.IDENTIFIER and token.text in BINARY_KEYWORDS))


def _first_misplaced_token(tokens: tuple[Token, ...]) -> Token | int | None:
    """Where a generic syntax error most likely is: two operands in a row, an operator
    with nothing after it, a stray character. Returns a token, an end offset, or None."""
    depth_in_braces = 0
    previous: Token | None = None
    for token in tokens:
        if token.kind is TokenKind.ERROR:
            return token
        if token.kind is TokenKind.LEFT_BRACE:
            depth_in_braces += 1
        elif token.kind is TokenKind.RIGHT_BRACE:
            depth_in_braces = max(0, depth_in_braces - 1)
        if depth_in_braces or previous is None:
            previous = token
            continue
        if _is_binary_operator(previous) and token.kind in (
                TokenKind.RIGHT_PAREN, TokenKind.RIGHT_BRACKET, TokenKind.COMMA):
            return token
        if (_is_binary_operator(previous) and _is_binary_operator(token)
                and token.text not in ("+", "-")):
            return token
        if (_ends_operand(previous) and _starts_operand(token)
                and not _may_follow(previous, token)):
            return token
        previous = token
    if previous is not None and (_is_binary_operator(previous)
                                 or previous.text in MODIFIER_KEYWORDS):
        return previous.end
    return None


def _may_follow(previous: Token, token: Token) -> bool:
    """Operand-then-operand pairs PromQL allows: calls, selectors, grouping lists."""
    if token.kind is TokenKind.LEFT_PAREN:
        # `rate(`, `sum by (a) (`, `on(a) group_left (`
        return previous.kind in (TokenKind.IDENTIFIER, TokenKind.RIGHT_PAREN)
    if token.kind is TokenKind.LEFT_BRACE:
        return previous.kind is TokenKind.IDENTIFIER
    return False
