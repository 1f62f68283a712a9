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

from metricsctl.promql.lexer import STRING_PATTERN

# A duration stand-in is unique to its variable so that a window in the AST (a timedelta)
# tells which variable it came from without positions: 3,000,000,000 ms (34d17h20m, within
# the parser's limit of 2^32 ms) plus the substitution's index, a window nobody writes.
DURATION_STAND_IN_BASE_MS = 3_000_000_000
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
        index = bisect.bisect_right(self.substitutions, offset, key=lambda s: s.start) - 1
        if index < 0:
            return offset
        substitution = self.substitutions[index]
        if offset < substitution.end:
            return substitution.original_start
        return substitution.original_end + (offset - substitution.end)

    def for_duration(self, seconds: float) -> Substitution | None:
        """The variable whose stand-in is a window (or offset) of `seconds`, if any."""
        index = round(seconds * 1000) - DURATION_STAND_IN_BASE_MS
        if 0 <= index < len(self.substitutions):
            return self.substitutions[index]
        return None

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


# Strings (whose insides are handled separately), variables and brackets, in one scan.
_SCAN = re.compile(rf"(?P<string>{STRING_PATTERN})|(?P<variable>{_VARIABLE.pattern})"
                   r"|(?P<open>\[)|(?P<close>\])", re.VERBOSE)
_CONTEXT = 64  # characters looked back at to find the word before a variable


def _in_range_context(text: str, position: int, bracket_depth: int) -> bool:
    if bracket_depth > 0:
        return True
    word = _WORD_BEFORE.search(text[max(0, position - _CONTEXT):position])
    return word is not None and word.group(1) == "offset"


def _in_scalar_context(text: str, position: int) -> bool:
    before = text[max(0, position - _CONTEXT):position].rstrip()
    if not before.endswith("("):
        return False
    word = _WORD_BEFORE.search(before[:-1])
    return word is not None and word.group(1) in _SCALAR_FIRST_ARGUMENT


def _stand_in(name: str, text: str, position: int, bracket_depth: int, index: int) -> str:
    if _in_range_context(text, position, bracket_depth):
        return f"{DURATION_STAND_IN_BASE_MS + index}ms"
    if name in _NUMERIC_VARIABLES or _in_scalar_context(text, position):
        return NUMBER_STAND_IN
    return IDENTIFIER_PREFIX + name


def _variable_name(match: re.Match[str]) -> str:
    return match.group("braced") or match.group("plain") or match.group("old")


def substitute_grafana_variables(expr: str) -> tuple[str, OffsetMap]:
    """`expr` with every Grafana variable replaced by a parseable stand-in, and the map back."""
    if "$" not in expr and "[[" not in expr:
        return expr, OffsetMap()
    pieces: list[str] = []
    substitutions: list[Substitution] = []
    length = 0  # of the substituted text so far
    cursor = 0  # in expr: everything before it is in `pieces`
    bracket_depth = 0

    def copy_to(end: int) -> None:
        nonlocal length, cursor
        pieces.append(expr[cursor:end])
        length += end - cursor
        cursor = end

    def replace(match: re.Match[str], replacement: str) -> None:
        nonlocal length, cursor
        copy_to(match.start())
        substitutions.append(Substitution(_variable_name(match), match.start(), match.end(),
                                          length, length + len(replacement), replacement))
        pieces.append(replacement)
        length += len(replacement)
        cursor = match.end()

    for token in _SCAN.finditer(expr):
        if token.group("string") is not None:
            # Inside strings only the forms that are not a valid regex change: ${x}, [[x]].
            for match in _VARIABLE.finditer(expr, token.start() + 1, token.end()):
                if not match.group("plain"):
                    replace(match, "$" + _variable_name(match))
        elif token.group("open") is not None:
            bracket_depth += 1
        elif token.group("close") is not None:
            bracket_depth = max(0, bracket_depth - 1)
        else:
            variable = _VARIABLE.match(expr, token.start())
            assert variable is not None
            replace(variable, _stand_in(_variable_name(variable), expr, token.start(),
                                        bracket_depth, len(substitutions)))
    copy_to(len(expr))
    return "".join(pieces), OffsetMap(tuple(substitutions))
