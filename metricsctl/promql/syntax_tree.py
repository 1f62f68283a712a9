"""The AST of an expression with source positions, for lint and error reporting.

promql-parser's nodes have no offsets. `syntax_tree` wraps the AST in nodes that lint can
annotate; `locate_tree` then walks the AST and the token stream of the same text together
(the AST says what comes next, the tokens say where), giving every node, metric name,
matcher, grouping label and range window its offsets in the ORIGINAL expression (Grafana
variables mapped back). Positions are only computed for expressions with a finding. Should
the two ever disagree (a construct this walk does not know), the nodes stay without
positions and findings fall back to the start of the expression.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from metricsctl.promql.lexer import Token, TokenKind
from metricsctl.promql.parse import ParseResult
from metricsctl.promql.walk import children
from metricsctl.promql.walk import kind as node_kind

_GROUPING_KEYWORDS = frozenset({"by", "without"})
_MATCHING_KEYWORDS = frozenset({"on", "ignoring"})
_GROUP_SIDE_KEYWORDS = frozenset({"group_left", "group_right"})


@dataclass(frozen=True, slots=True)
class Piece:
    """A token as parsed, with its offsets in the original expression."""

    text: str
    start: int
    end: int
    from_variable: bool = False  # a stand-in for a Grafana variable


@dataclass(frozen=True, slots=True)
class MatcherPieces:
    label: Piece
    operator: Piece
    value: Piece


@dataclass(slots=True)
class SyntaxNode:
    """One AST node (`ast`), its children, and where its parts are in the expression."""

    kind: str
    ast: Any
    children: list[SyntaxNode] = field(default_factory=list)
    start: int | None = None
    end: int | None = None
    name: Piece | None = None  # metric name, function, aggregation or binary operator
    matchers: list[MatcherPieces] = field(default_factory=list)
    labels: list[Piece] = field(default_factory=list)  # by/without/on/ignoring/group_x
    range: Piece | None = None  # the window of a matrix selector or subquery

    def walk(self, ancestors: tuple[SyntaxNode, ...] = ()
             ) -> Iterator[tuple[SyntaxNode, tuple[SyntaxNode, ...]]]:
        """This node and all below it, pre-order, each with its ancestors (root first)."""
        stack: list[tuple[SyntaxNode, tuple[SyntaxNode, ...]]] = [(self, ancestors)]
        while stack:
            node, parents = stack.pop()
            yield node, parents
            stack.extend((child, (*parents, node)) for child in reversed(node.children))

    def matcher(self, label: str) -> MatcherPieces | None:
        return next((m for m in self.matchers if m.label.text == label), None)

    def label_piece(self, label: str) -> Piece | None:
        return next((piece for piece in self.labels if piece.text == label), None)


class _MismatchError(Exception):
    """The token stream does not follow the AST: positions are given up."""


def syntax_tree(result: ParseResult) -> SyntaxNode | None:
    """The tree of a parsed expression, without positions (None when it did not parse)."""
    if result.ast is None:
        return None
    return _build(result.ast)


def _build(ast: Any) -> SyntaxNode:
    return SyntaxNode(node_kind(ast), ast, [_build(child) for child in children(ast)])


def locate_tree(root: SyntaxNode, result: ParseResult) -> bool:
    """Give the nodes of `root` their positions, in place. Positions are computed only
    when a finding needs them: most expressions have none. Returns False (and leaves the
    nodes without positions) when the tokens do not follow the AST."""
    locator = _Locator(result)
    try:
        locator.locate(root)
        if locator.index != len(locator.tokens):
            raise _MismatchError
    except _MismatchError:
        for node, _ in root.walk():
            node.start = node.end = None
            node.name = node.range = None
            node.matchers, node.labels = [], []
        return False
    return True


class _Locator:
    def __init__(self, result: ParseResult) -> None:
        self.result = result
        self.tokens = result.tokens()
        self.index = 0

    def piece(self, token: Token) -> Piece:
        offsets = self.result.offsets
        if not offsets.substitutions:
            return Piece(token.text, token.start, token.end)
        substitution = offsets.substitution_in(token.start, token.end)
        start = offsets.to_original(token.start)
        if substitution is not None:
            return Piece(token.text, substitution.original_start, substitution.original_end,
                         from_variable=True)
        return Piece(token.text, start, start + (token.end - token.start))

    def peek(self, offset: int = 0) -> Token | None:
        position = self.index + offset
        return self.tokens[position] if position < len(self.tokens) else None

    def take(self, kind: TokenKind, text: str | None = None) -> Token:
        token = self.peek()
        if token is None or token.kind is not kind or (text is not None and token.text != text):
            raise _MismatchError
        self.index += 1
        return token

    def accept(self, kind: TokenKind, text: str | None = None) -> Token | None:
        token = self.peek()
        if token is not None and token.kind is kind and (text is None or token.text == text):
            self.index += 1
            return token
        return None

    def locate(self, node: SyntaxNode) -> None:
        first = self.index
        self.accept(TokenKind.OPERATOR, "+")  # a unary plus leaves no trace in the AST
        locator = {
            "VectorSelector": self._vector_selector, "MatrixSelector": self._matrix_selector,
            "SubqueryExpr": self._subquery, "Call": self._call,
            "AggregateExpr": self._aggregation, "ParenExpr": self._parentheses,
            "UnaryExpr": self._unary, "NumberLiteral": self._number,
            "StringLiteral": self._string, "BinaryExpr": self._binary,
        }.get(node.kind)
        if locator is None:
            raise _MismatchError
        locator(node)
        if self.index == first:
            raise _MismatchError
        node.start = self.piece(self.tokens[first]).start
        node.end = self.piece(self.tokens[self.index - 1]).end

    def _modifiers(self) -> None:
        """`offset 5m`, `offset -5m`, `@ 1700000000`, `@ start()` after a selector/subquery."""
        while True:
            if self.accept(TokenKind.IDENTIFIER, "offset"):
                self.accept(TokenKind.OPERATOR, "-")
                self.take(TokenKind.DURATION)
            elif self.accept(TokenKind.AT):
                if self.accept(TokenKind.IDENTIFIER) is not None:
                    self.take(TokenKind.LEFT_PAREN)
                    self.take(TokenKind.RIGHT_PAREN)
                else:
                    self.accept(TokenKind.OPERATOR, "-")
                    self.take(TokenKind.NUMBER)
            else:
                return

    def _label_list(self, node: SyntaxNode) -> None:
        self.take(TokenKind.LEFT_PAREN)
        while not self.accept(TokenKind.RIGHT_PAREN):
            node.labels.append(self.piece(self.take(TokenKind.IDENTIFIER)))
            if not self.accept(TokenKind.COMMA):
                self.take(TokenKind.RIGHT_PAREN)
                return

    def _vector_selector(self, node: SyntaxNode) -> None:
        name = self.accept(TokenKind.IDENTIFIER)
        if name is not None:
            node.name = self.piece(name)
        if self.accept(TokenKind.LEFT_BRACE):
            while not self.accept(TokenKind.RIGHT_BRACE):
                label = self.take(TokenKind.IDENTIFIER)
                operator = self.take(TokenKind.OPERATOR)
                value = self.take(TokenKind.STRING)
                node.matchers.append(MatcherPieces(self.piece(label), self.piece(operator),
                                                   self.piece(value)))
                if not (self.accept(TokenKind.COMMA) or self.accept(TokenKind.IDENTIFIER, "or")):
                    self.take(TokenKind.RIGHT_BRACE)
                    break
        elif name is None:
            raise _MismatchError
        self._modifiers()

    def _range(self, node: SyntaxNode, *, subquery: bool) -> None:
        self.take(TokenKind.LEFT_BRACKET)
        node.range = self.piece(self.take(TokenKind.DURATION))
        if subquery:
            self.take(TokenKind.COLON)
            self.accept(TokenKind.DURATION)
        self.take(TokenKind.RIGHT_BRACKET)
        self._modifiers()

    def _matrix_selector(self, node: SyntaxNode) -> None:
        self.locate(node.children[0])
        self._range(node, subquery=False)

    def _subquery(self, node: SyntaxNode) -> None:
        self.locate(node.children[0])
        self._range(node, subquery=True)

    def _call(self, node: SyntaxNode) -> None:
        node.name = self.piece(self.take(TokenKind.IDENTIFIER))
        self.take(TokenKind.LEFT_PAREN)
        for position, child in enumerate(node.children):
            if position:
                self.take(TokenKind.COMMA)
            self.locate(child)
        self.take(TokenKind.RIGHT_PAREN)

    def _aggregation(self, node: SyntaxNode) -> None:
        node.name = self.piece(self.take(TokenKind.IDENTIFIER))
        grouping = self.peek()
        if grouping is not None and grouping.text in _GROUPING_KEYWORDS:
            self.index += 1
            self._label_list(node)
        self.take(TokenKind.LEFT_PAREN)
        for position, child in enumerate(node.children):
            if position:
                self.take(TokenKind.COMMA)
            self.locate(child)
        self.take(TokenKind.RIGHT_PAREN)
        grouping = self.peek()
        if not node.labels and grouping is not None and grouping.text in _GROUPING_KEYWORDS:
            self.index += 1
            self._label_list(node)

    def _parentheses(self, node: SyntaxNode) -> None:
        self.take(TokenKind.LEFT_PAREN)
        self.locate(node.children[0])
        self.take(TokenKind.RIGHT_PAREN)

    def _unary(self, node: SyntaxNode) -> None:
        node.name = self.piece(self.take(TokenKind.OPERATOR))
        self.locate(node.children[0])

    def _number(self, node: SyntaxNode) -> None:
        self.accept(TokenKind.OPERATOR, "-")
        self.take(TokenKind.NUMBER)

    def _string(self, node: SyntaxNode) -> None:
        self.take(TokenKind.STRING)

    def _binary(self, node: SyntaxNode) -> None:
        left, right = node.children
        self.locate(left)
        operator = self.peek()
        if operator is None or operator.kind not in (TokenKind.OPERATOR, TokenKind.IDENTIFIER):
            raise _MismatchError
        self.index += 1
        node.name = self.piece(operator)
        self.accept(TokenKind.IDENTIFIER, "bool")
        matching = self.peek()
        if matching is not None and matching.text in _MATCHING_KEYWORDS:
            self.index += 1
            self._label_list(node)
        side = self.peek()
        if side is not None and side.text in _GROUP_SIDE_KEYWORDS:
            self.index += 1
            following = self.peek()
            if following is not None and following.kind is TokenKind.LEFT_PAREN:
                self._label_list(node)
        self.locate(right)
