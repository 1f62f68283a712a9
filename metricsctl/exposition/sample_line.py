"""One sample line to (name, labels, value, timestamp).

prometheus_client's parsers are the reference for both formats, but they walk every line
character by character in Python (about 30 µs a sample, 3 s for 100,000 series). Lines in the
canonical shape every client library writes (`name{a="x",b="y"} value [timestamp]`, single
spaces) are read by one regular expression that accepts only a strict subset of the grammar;
every other line (tabs, extra spaces, exemplars, quoted UTF-8 names, odd escapes) goes to
prometheus_client, whose ValueError makes it a syntax error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import NamedTuple

_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
_VALUE = r'[^"\\\n]*(?:\\[\\n"][^"\\\n]*)*'  # the unrolled loop: no per-character branch
_LABEL = rf'[a-zA-Z_][a-zA-Z0-9_]*="{_VALUE}"'
_FLOAT = r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[-+]?Inf|NaN"
_TEXT_LINE = re.compile(
    rf"({_NAME})(?:\{{((?:{_LABEL}(?:,{_LABEL})*,?)?)\}})? ({_FLOAT})(?: (-?[0-9]+))?")
_OPENMETRICS_LINE = re.compile(
    rf"({_NAME})(?:\{{((?:{_LABEL}(?:,{_LABEL})*)?)\}})? ({_FLOAT})(?: ({_FLOAT}))?")
LABEL_PAIR = re.compile(rf'([a-zA-Z_][a-zA-Z0-9_]*)="({_VALUE})"')
_ESCAPE = re.compile(r'\\([\\n"])')
_UNESCAPED = {"\\": "\\", "n": "\n", '"': '"'}

# For locating errors in lines the parsers refuse.
_NAME_AT = re.compile(_NAME)
_QUOTED = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_LABEL_NAME_AT = re.compile(r"\s*([a-zA-Z_][a-zA-Z0-9_]*|" + _QUOTED.pattern + r")\s*")
_VALUE_AT = re.compile(rf"(?:{_FLOAT}|[-+]?(?i:inf|infinity|nan))(?=\s|$)")


class ParsedSample(NamedTuple):
    name: str
    labels: Mapping[str, str]
    value: float
    timestamp: float | None


def _unescape(value: str) -> str:
    return _ESCAPE.sub(lambda match: _UNESCAPED[match.group(1)], value)


def canonical_line(openmetrics: bool) -> Callable[[str], re.Match[str] | None]:
    """The fast path's matcher: groups (name, label text, value, timestamp)."""
    return (_OPENMETRICS_LINE if openmetrics else _TEXT_LINE).fullmatch


def labels_of(label_text: str) -> dict[str, str]:
    """The labels of a canonical line's label text (`a="x",b="y"`)."""
    pairs = LABEL_PAIR.findall(label_text)
    labels = dict(pairs)
    if len(labels) != len(pairs):
        raise ValueError("duplicate label name")
    if "\\" in label_text:
        return {name: _unescape(value) for name, value in labels.items()}
    return labels


def timestamp_of(text: str | None, openmetrics: bool) -> float | None:
    """Seconds: OpenMetrics writes seconds, the text format milliseconds."""
    if text is None:
        return None
    return float(text) if openmetrics else int(text) / 1000


def parse_sample_line(line: str, openmetrics: bool, family: str | None = None,
                      family_type: str | None = None) -> ParsedSample:
    """The sample on `line`; ValueError when neither we nor prometheus_client can read it.

    `family` and `family_type` are the family the line follows (OpenMetrics allows exemplars
    only on some types, so prometheus_client needs them to judge the line).
    """
    match = canonical_line(openmetrics)(line)
    if match is None:
        return parse_with_prometheus_client(line, openmetrics, family, family_type)
    name, label_text, value_text, timestamp_text = match.groups()
    return ParsedSample(name, labels_of(label_text) if label_text else {}, float(value_text),
                        timestamp_of(timestamp_text, openmetrics))


def parse_with_prometheus_client(line: str, openmetrics: bool, family: str | None,
                                  family_type: str | None) -> ParsedSample:
    from prometheus_client.openmetrics import parser as openmetrics_parser
    from prometheus_client.parser import text_string_to_metric_families

    try:
        if openmetrics:
            header = f"# TYPE {family} {family_type}\n" if family and family_type else ""
            families = list(openmetrics_parser.text_string_to_metric_families(  # type: ignore[no-untyped-call]
                f"{header}{line}\n# EOF\n"))
        else:
            families = list(text_string_to_metric_families(line + "\n"))
    except (ValueError, TypeError, IndexError, KeyError) as error:
        raise ValueError(str(error) or "invalid sample line") from None
    samples = [sample for metric in families for sample in metric.samples]
    if len(samples) != 1:
        raise ValueError("invalid sample line")
    sample = samples[0]
    timestamp = None if sample.timestamp is None else float(sample.timestamp)
    return ParsedSample(sample.name, dict(sample.labels), float(sample.value), timestamp)


def error_column(line: str) -> int:
    """The 1-based column where `line` stops being a valid sample, best effort."""
    position = 0
    name = _NAME_AT.match(line)
    if name is not None:
        position = name.end()
    elif not line.startswith("{"):
        return 1
    if position < len(line) and line[position] == "{":
        position = _labels_end(line, position + 1)
        if position < 0:
            return -position
    rest = line[position:]
    stripped = rest.lstrip(" \t")
    if stripped == rest:  # no separator between name/labels and value
        return position + 1
    position += len(rest) - len(stripped)
    value = _VALUE_AT.match(line, position)
    if value is None:
        return position + 1
    position = value.end()
    tail = line[position:].strip()
    if not tail:
        return 1  # every token reads; the line is wrong as a whole (e.g. a bad exemplar)
    start = line.index(tail, position)
    if tail.startswith("#"):
        return start + 1
    timestamp = _VALUE_AT.match(line, start)
    return start + 1 if timestamp is None else timestamp.end() + 1


def _labels_end(line: str, position: int) -> int:
    """The index after `}`, or minus the 1-based column of the first label error."""
    while True:
        label = _LABEL_NAME_AT.match(line, position)
        if label is None:
            stripped = line[position:].lstrip()
            if stripped.startswith("}"):
                return line.index("}", position) + 1
            return -(position + 1)
        position = label.end()
        if position < len(line) and line[position] == "}" and label.group(1).startswith('"'):
            return position + 1  # {"utf8.name"}: the metric name alone
        if position >= len(line) or line[position] != "=":
            return -(position + 1)
        position += 1
        while position < len(line) and line[position] in " \t":
            position += 1
        value = _QUOTED.match(line, position)
        if value is None:
            return -(position + 1)
        position = value.end()
        while position < len(line) and line[position] in " \t":
            position += 1
        if position < len(line) and line[position] == ",":
            position += 1
            continue
        if position < len(line) and line[position] == "}":
            return position + 1
        return -(position + 1)
