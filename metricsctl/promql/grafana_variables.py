"""Grafana template variables in PromQL, replaced by stand-ins the parser accepts.

Dashboards write `rate(x[$__rate_interval])`, `{service=~"$service"}`, `topk($n, ...)` or
`${metric}`. Before parsing, each variable becomes something of the right kind for where it
stands: a duration inside `[...]` or after `offset`, a number where a scalar is expected
(`$__interval_ms`, the first argument of `topk`), an identifier elsewhere. Inside string
literals `${var}`, `${var:format}` and `[[var]]` become `$var` (a valid regex and plainly
recognisable), and `$var` stays as written. An OffsetMap maps positions back.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from metricsctl.promql.lexer import string_literal_end

DURATION_STAND_IN = "5m"
NUMBER_STAND_IN = "1"
IDENTIFIER_PREFIX = "__grafana_variable_"

# Grafana's global variables that expand to numbers, never to durations.
_NUMERIC_VARIABLES = frozenset({"__interval_ms", "__range_ms", "__range_s",
                                "__rate_interval_ms"})
# Functions and aggregations whose first argument is a scalar.
_SCALAR_FIRST_ARGUMENT = frozenset({"topk", "bottomk", "quantile", "limitk", "limit_ratio",
                                    "histogram_quantile", "quantile_over_time"})
_VARIABLE = re.compile(
    r"\$\{(?P<braced>[A-Za-z0-9_]+)(?::[^}]*)?\}"
    r"|\$(?P<plain>[A-Za-z0-9_]+)"
    r"|\[\[(?P<old>[A-Za-z0-9_]+)(?::[^\]]*)?\]\]")
_WORD_BEFORE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*$")


@dataclass(frozen=True, slots=True)
class Substitution:
    """One variable: where it was in the original text and what replaced it."""

    name: str
    original_start: int
    original_end: int
    start: int  # in the substituted text
    end: int
    replacement: str


@dataclass(frozen=True, slots=True)
class OffsetMap:
    """Maps offsets in the substituted text back to the original expression."""

    substitutions: tuple[Substitution, ...] = ()

    def to_original(self, offset: int) -> int:
        """The original offset; inside a stand-in, the start of the variable it replaced."""
        starts = [s.start for s in self.substitutions]
        index = bisect.bisect_right(starts, offset) - 1
        if index < 0:
            return offset
        substitution = self.substitutions[index]
        if offset < substitution.end:
            return substitution.original_start
        return substitution.original_end + (offset - substitution.end)

    def substitution_in(self, start: int, end: int) -> Substitution | None:
        """The first substitution overlapping [start, end) of the substituted text."""
        for substitution in self.substitutions:
            if substitution.start < end and start < substitution.end:
                return substitution
            if substitution.start == start == end:
                return substitution
        return None


def is_variable_identifier(name: str) -> bool:
    """True for the identifier stand-in of a variable (`$metric` in a selector)."""
    return name.startswith(IDENTIFIER_PREFIX)


def _in_range_context(text: str, position: int, bracket_depth: int) -> bool:
    if bracket_depth > 0:
        return True
    word = _WORD_BEFORE.search(text, 0, position)
    return word is not None and word.group(1) == "offset"


def _in_scalar_context(text: str, position: int) -> bool:
    before = text[:position].rstrip()
    if not before.endswith("("):
        return False
    word = _WORD_BEFORE.search(before[:-1])
    return word is not None and word.group(1) in _SCALAR_FIRST_ARGUMENT


def _stand_in(name: str, text: str, position: int, bracket_depth: int) -> str:
    if _in_range_context(text, position, bracket_depth):
        return DURATION_STAND_IN
    if name in _NUMERIC_VARIABLES or _in_scalar_context(text, position):
        return NUMBER_STAND_IN
    return IDENTIFIER_PREFIX + name


def substitute_grafana_variables(expr: str) -> tuple[str, OffsetMap]:
    """`expr` with every Grafana variable replaced by a parseable stand-in, and the map back."""
    pieces: list[str] = []
    substitutions: list[Substitution] = []
    length = 0  # of the substituted text so far
    index = 0
    bracket_depth = 0

    def replace(match: re.Match[str], replacement: str) -> None:
        nonlocal length
        name = match.group("braced") or match.group("plain") or match.group("old")
        substitutions.append(Substitution(name, match.start(), match.end(), length,
                                          length + len(replacement), replacement))
        pieces.append(replacement)
        length += len(replacement)

    def keep(text: str) -> None:
        nonlocal length
        pieces.append(text)
        length += len(text)

    while index < len(expr):
        char = expr[index]
        if char in "\"'`":
            end = string_literal_end(expr, index)
            cursor = index
            for match in _VARIABLE.finditer(expr, index + 1, max(index + 1, end - 1)):
                keep(expr[cursor:match.start()])
                if match.group("plain"):
                    keep(match.group())
                else:
                    name = match.group("braced") or match.group("old")
                    replace(match, "$" + name)
                cursor = match.end()
            keep(expr[cursor:end])
            index = end
            continue
        variable = _VARIABLE.match(expr, index) if char in "$[" else None
        if variable is not None:
            replace(variable, _stand_in(variable.group("braced") or variable.group("plain")
                                        or variable.group("old"), expr, index, bracket_depth))
            index = variable.end()
            continue
        if char == "[":
            bracket_depth += 1
        elif char == "]":
            bracket_depth = max(0, bracket_depth - 1)
        keep(char)
        index += 1
    return "".join(pieces), OffsetMap(tuple(substitutions))
