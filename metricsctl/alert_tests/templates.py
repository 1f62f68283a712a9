"""Render alert annotations as Prometheus would, for the subset tests need.

`{{ $labels.x }}`, `{{ $value }}` and `{{ $value | humanize }}`, `humanizePercentage`,
`printf "%.Nf"` are rendered; anything else raises UnmodelledError so the alert is listed
rather than tested against a guess.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from metricsctl.alert_tests.evaluator import UnmodelledError

_ACTION = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}")
_PRINTF = re.compile(r'printf\s+"%\.(\d+)f"')
_PREFIXES_BIG = ("", "k", "M", "G", "T", "P", "E", "Z", "Y")
_PREFIXES_SMALL = ("", "m", "u", "n", "p", "f", "a", "z", "y")


def go_float(value: float) -> str:
    """Go's %v of a float64 (shortest form; exponent from 1e21)."""
    if value == math.floor(value) and abs(value) < 1e21:
        return str(int(value))
    return repr(value)


def _g4(value: float) -> str:
    text = f"{value:.4g}"
    return text


def humanize(value: float) -> str:
    """Prometheus' humanize: SI prefixes, 4 significant digits."""
    if value == 0 or math.isnan(value) or math.isinf(value):
        return _g4(value)
    prefixes = _PREFIXES_BIG if abs(value) >= 1 else _PREFIXES_SMALL
    index = 0
    if abs(value) >= 1:
        while abs(value) >= 1000 and index < len(prefixes) - 1:
            value /= 1000
            index += 1
    else:
        while abs(value) < 1 and index < len(prefixes) - 1:
            value *= 1000
            index += 1
    return f"{_g4(value)}{prefixes[index]}"


def _action(action: str, labels: Mapping[str, str], value: float) -> str:
    if action.startswith("$labels."):
        # $labels is a map of strings: a label the alert lacks renders as "".
        return labels.get(action.removeprefix("$labels."), "")
    parts = [part.strip() for part in action.split("|")]
    if parts[0] != "$value" or len(parts) > 2:
        raise UnmodelledError(f"the annotation template {{{{ {action} }}}}")
    if len(parts) == 1:
        return go_float(value)
    function = parts[1]
    if function == "humanize":
        return humanize(value)
    if function == "humanizePercentage":
        return f"{_g4(value * 100)}%"
    printf = _PRINTF.fullmatch(function)
    if printf:
        return f"{value:.{int(printf.group(1))}f}"
    raise UnmodelledError(f"the template function {function}")


def render_template(text: str, labels: Mapping[str, str], value: float) -> str:
    return _ACTION.sub(lambda m: _action(m.group(1), labels, value), text)
