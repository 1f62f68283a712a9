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


# A string literal: up to its closing quote, or unclosed to the end of the line (the parser
# reports those). Backquoted strings have no escapes and may span lines.
STRING_PATTERN = r"""
    "(?:[^"\\\n]|\\.)*"? | '(?:[^'\\\n]|\\.)*'? | `[^`]*`?"""
# One pattern for every token, tried in this order at each position: a duration before a
# number (`5m` is not `5` then `m`), operators longest first (`=~` before `=`).
_TOKEN = re.compile(rf"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>{STRING_PATTERN})
  | (?P<duration>(?:\d+(?:ms|[smhdwy]))+)(?![A-Za-z0-9_.])
  | (?P<number>0[xX][0-9a-fA-F]+|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<identifier>[A-Za-z_:][A-Za-z0-9_:]*)
  | (?P<punctuation>[{{}}()\[\],@])
  | (?P<operator>=~|!~|!=|==|>=|<=|[-+*/%^><=])
""", re.VERBOSE)
_PUNCTUATION = {
    "{": TokenKind.LEFT_BRACE, "}": TokenKind.RIGHT_BRACE, "(": TokenKind.LEFT_PAREN,
    ")": TokenKind.RIGHT_PAREN, "[": TokenKind.LEFT_BRACKET, "]": TokenKind.RIGHT_BRACKET,
    ",": TokenKind.COMMA, "@": TokenKind.AT,
}
_KINDS = {"string": TokenKind.STRING, "duration": TokenKind.DURATION,
          "number": TokenKind.NUMBER, "operator": TokenKind.OPERATOR}
_NUMBER_WORDS = frozenset({"inf", "nan"})


def tokenize(text: str) -> list[Token]:
    """Every token of `text` with its offsets; comments and whitespace are skipped."""
    tokens: list[Token] = []
    append = tokens.append
    index = 0
    length = len(text)
    in_brackets = False  # inside `[...]` a colon separates range and step
    match_at = _TOKEN.match
    while index < length:
        match = match_at(text, index)
        if match is None:
            append(Token(TokenKind.ERROR, text[index], index, index + 1))
            index += 1
            continue
        group = match.lastgroup
        end = match.end()
        if group == "space" or group == "comment":
            pass
        elif group == "identifier":
            word = match.group()
            if in_brackets and word[0] == ":":
                append(Token(TokenKind.COLON, ":", index, index + 1))
                end = index + 1
            elif word.lower() in _NUMBER_WORDS:
                append(Token(TokenKind.NUMBER, word, index, end))
            else:
                append(Token(TokenKind.IDENTIFIER, word, index, end))
        elif group == "punctuation":
            char = match.group()
            kind = _PUNCTUATION[char]
            if kind is TokenKind.LEFT_BRACKET:
                in_brackets = True
            elif kind is TokenKind.RIGHT_BRACKET:
                in_brackets = False
            append(Token(kind, char, index, end))
        else:
            append(Token(_KINDS[group or ""], match.group(), index, end))
        index = end
    return tokens
