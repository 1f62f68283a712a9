"""Parse the series selectors an SLI is written with: `name{label="value", label=~"re"}`."""

from __future__ import annotations

import re
from dataclasses import dataclass

_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_MATCHER = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*')


@dataclass(frozen=True, slots=True)
class SelectorError:
    """Why a selector does not parse, and the offset of the problem in its text."""

    message: str
    offset: int


def parse_selector(text: str) -> tuple[str, tuple[tuple[str, str, str], ...]] | SelectorError:
    """(series name, matchers) of `text`, or where it stops making sense."""
    name = _NAME.match(text)
    if name is None:
        return SelectorError("a selector starts with a series name", 0)
    position = name.end()
    if position == len(text):
        return name.group(), ()
    if text[position] != "{" or not text.endswith("}"):
        return SelectorError("write matchers in braces after the name: name{label=\"value\"}",
                             position)
    inside, offset = text[position + 1:-1], position + 1
    matchers: list[tuple[str, str, str]] = []
    at = 0
    while at < len(inside) and inside[at:].strip():
        match = _MATCHER.match(inside, at)
        if match is None:
            return SelectorError('expected a matcher such as label="value"', offset + at)
        matchers.append((match.group(1), match.group(2), match.group(3)))
        at = match.end()
        if at < len(inside):
            if inside[at] != ",":
                return SelectorError("separate matchers with commas", offset + at)
            at += 1
    return name.group(), tuple(matchers)
