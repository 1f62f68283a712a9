"""A tolerant PromQL tokenizer that keeps the offset of every token.

promql-parser returns an AST without positions and errors without columns. This lexer never
fails (an unknown character becomes an `error` token), so that lint can point at the exact
column of a metric name, a label matcher or a range window, and a parse error can be
located at the token where the expression stops making sense.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class TokenKind(StrEnum):
    IDENTIFIER = "identifier"  # metric, label, function or keyword (may contain `:`)
    NUMBER = "number"
    DURATION = "duration"
    STRING = "string"
    LEFT_BRACE = "{"
    RIGHT_BRACE = "}"
    LEFT_PAREN = "("
    RIGHT_PAREN = ")"
    LEFT_BRACKET = "["
    RIGHT_BRACKET = "]"
    COMMA = ","
    COLON = ":"
    AT = "@"
    OPERATOR = "operator"  # arithmetic, comparison and matcher operators
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Token:
    kind: TokenKind
    text: str
    start: int
    end: int


# Longest first, so that `=~` wins over `=` and `>=` over `>`.
_OPERATORS = ("=~", "!~", "!=", "==", ">=", "<=", "+", "-", "*", "/", "%", "^", ">", "<", "=")
_PUNCTUATION = {
    "{": TokenKind.LEFT_BRACE, "}": TokenKind.RIGHT_BRACE, "(": TokenKind.LEFT_PAREN,
    ")": TokenKind.RIGHT_PAREN, "[": TokenKind.LEFT_BRACKET, "]": TokenKind.RIGHT_BRACKET,
    ",": TokenKind.COMMA, "@": TokenKind.AT,
}
_IDENTIFIER = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")
_DURATION = re.compile(r"(?:\d+(?:ms|[smhdwy]))+")
_NUMBER = re.compile(
    r"0[xX][0-9a-fA-F]+|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_NUMBER_WORDS = {"inf", "nan"}
_QUOTES = {'"', "'", "`"}


def string_literal_end(text: str, start: int) -> int:
    """The offset after the string literal starting at `start` (the end of text if unclosed)."""
    quote = text[start]
    index = start + 1
    while index < len(text):
        char = text[index]
        if char == "\\" and quote != "`":
            index += 2
            continue
        if char == quote:
            return index + 1
        if char == "\n" and quote != "`":
            return index
        index += 1
    return len(text)


def tokenize(text: str) -> list[Token]:
    """Every token of `text` with its offsets; comments and whitespace are skipped."""
    tokens: list[Token] = []
    index = 0
    in_brackets = False  # inside `[...]` a colon separates range and step
    while index < len(text):
        char = text[index]
        if char.isspace():
            index += 1
            continue
        if char == "#":
            newline = text.find("\n", index)
            index = len(text) if newline < 0 else newline
            continue
        if char in _QUOTES:
            end = string_literal_end(text, index)
            tokens.append(Token(TokenKind.STRING, text[index:end], index, end))
            index = end
            continue
        duration = _DURATION.match(text, index)
        if duration and not _continues_word(text, duration.end()):
            tokens.append(Token(TokenKind.DURATION, duration.group(), index, duration.end()))
            index = duration.end()
            continue
        number = _NUMBER.match(text, index)
        if number and number.group():
            end = number.end()
            tokens.append(Token(TokenKind.NUMBER, text[index:end], index, end))
            index = end
            continue
        if in_brackets and char == ":":
            tokens.append(Token(TokenKind.COLON, ":", index, index + 1))
            index += 1
            continue
        identifier = _IDENTIFIER.match(text, index)
        if identifier:
            word = identifier.group()
            kind = (TokenKind.NUMBER if word.lower() in _NUMBER_WORDS else TokenKind.IDENTIFIER)
            tokens.append(Token(kind, word, index, identifier.end()))
            index = identifier.end()
            continue
        if char in _PUNCTUATION:
            kind = _PUNCTUATION[char]
            in_brackets = (kind is TokenKind.LEFT_BRACKET or
                           (in_brackets and kind is not TokenKind.RIGHT_BRACKET))
            tokens.append(Token(kind, char, index, index + 1))
            index += 1
            continue
        operator = next((op for op in _OPERATORS if text.startswith(op, index)), None)
        if operator is not None:
            tokens.append(Token(TokenKind.OPERATOR, operator, index, index + len(operator)))
            index += len(operator)
            continue
        tokens.append(Token(TokenKind.ERROR, char, index, index + 1))
        index += 1
    return tokens


def _continues_word(text: str, end: int) -> bool:
    """True when a duration-looking prefix is really the start of a longer word (`5min`)."""
    return end < len(text) and (text[end].isalnum() or text[end] in "_.")
