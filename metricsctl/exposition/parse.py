"""Read a Prometheus text or OpenMetrics exposition into metric families, with located errors.

Like Prometheus, reading stops at the first syntax error (a scrape with one is refused
whole); the error says where, as `source:line:column`.
"""

from __future__ import annotations

import re

from metricsctl.diagnostics import Diagnostic, Location, Severity
from metricsctl.exposition.decode import DEFAULT_MAX_BYTES, decode_exposition, sniff_format
from metricsctl.exposition.model import (
    SAMPLE_SUFFIXES,
    Exposition,
    ExpositionFormat,
    MetricFamily,
    Sample,
)
from metricsctl.exposition.sample_line import (
    LABEL_PAIR,
    canonical_line,
    error_column,
    labels_of,
    parse_with_prometheus_client,
    timestamp_of,
)

TEXT_TYPES = frozenset({"counter", "gauge", "histogram", "summary", "untyped"})
OPENMETRICS_TYPES = frozenset({"counter", "gauge", "histogram", "gaugehistogram", "summary",
                               "info", "stateset", "unknown"})
_METADATA_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*|\"(?:[^\"\\\n]|\\.)*\"")
_HELP_ESCAPE = re.compile(r"\\([\\n])")
_OPENMETRICS_ESCAPE = re.compile(r'\\([\\n"])')


class ExpositionSyntaxError(Exception):
    def __init__(self, message: str, line: int, column: int = 1) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


def parse_exposition(data: bytes, source: str, content_type: str | None = None, *,
                     max_bytes: int = DEFAULT_MAX_BYTES) -> Exposition:
    """Parse one exposition (gzip-compressed or not); see the package docstring."""
    text = decode_exposition(data, source, content_type, max_bytes)
    if isinstance(text, Diagnostic):
        return Exposition(source, sniff_format("", content_type), diagnostics=[text])
    return parse_exposition_text(text, source, content_type)


def parse_exposition_text(text: str, source: str,
                          content_type: str | None = None) -> Exposition:
    """Parse exposition text already decoded."""
    exposition = Exposition(source, sniff_format(text, content_type))
    reader = _Reader(exposition)
    try:
        reader.read(text)
    except ExpositionSyntaxError as error:
        code = "exposition/truncated" if "truncated" in error.message else "exposition/syntax"
        exposition.diagnostics.append(Diagnostic(
            code, Severity.ERROR, error.message, Location(source, error.line, error.column)))
    return exposition


class _Reader:
    """Groups sample lines into the families their metadata lines declare."""

    def __init__(self, exposition: Exposition) -> None:
        self.exposition = exposition
        self.openmetrics = exposition.format is ExpositionFormat.OPENMETRICS
        self.families = exposition.families
        self.owner: dict[str, MetricFamily] = {}  # sample name -> family
        self.current: MetricFamily | None = None
        self.current_names: tuple[str, ...] = ()  # the current family's sample names
        self.declared_type: dict[str, int] = {}  # family -> line of its TYPE

    def read(self, text: str) -> None:
        lines = text.split("\n")
        ends_with_newline = lines[-1] == ""
        if ends_with_newline:
            lines.pop()
        elif not self.openmetrics and text:
            raise ExpositionSyntaxError(
                "the exposition is truncated: its last line has no newline", len(lines),
                len(lines[-1]) + 1)
        seen_eof = 0
        openmetrics = self.openmetrics
        canonical = canonical_line(openmetrics)
        find_labels = LABEL_PAIR.findall
        # The hot loop: one regular expression per canonical sample line, and the family
        # lookup only when the sample name changes.
        for number, raw in enumerate(lines, start=1):
            line = raw[:-1] if raw.endswith("\r") else raw
            if seen_eof:
                raise ExpositionSyntaxError(f"content after `# EOF` (line {seen_eof})", number)
            match = canonical(line)
            if match is not None:
                name, label_text, value_text, timestamp_text = match.groups()
                try:
                    if label_text:
                        pairs = find_labels(label_text)
                        labels = dict(pairs)
                        if len(labels) != len(pairs) or "\\" in label_text:
                            labels = labels_of(label_text)  # escapes, or an error to raise
                    else:
                        labels = {}
                except ValueError as error:
                    raise ExpositionSyntaxError(f"syntax error in sample line ({error})",
                                                number, line.index("{") + 1) from None
                family = self.current
                if family is None or name not in self.current_names:
                    family = self._family_of_sample(name, number)
                family.samples.append(Sample(name, labels, float(value_text), number,
                                             timestamp_of(timestamp_text, openmetrics)))
            elif line.startswith("#"):
                if openmetrics and line == "# EOF":
                    seen_eof = number
                    continue
                self._metadata(line, number)
            elif not line.strip():
                if openmetrics:
                    raise ExpositionSyntaxError("empty line (OpenMetrics allows none)", number)
            else:
                self._sample(line, number)
        if self.openmetrics and not seen_eof:
            raise ExpositionSyntaxError(
                "the OpenMetrics exposition is truncated: it does not end with `# EOF`",
                len(lines) + 1)

    def _metadata(self, line: str, number: int) -> None:
        parts = line[1:].lstrip().split(None, 1)
        keyword = parts[0] if parts else ""
        if keyword not in ("HELP", "TYPE", "UNIT") or (keyword == "UNIT" and not self.openmetrics):
            if self.openmetrics:
                raise ExpositionSyntaxError(f"unexpected comment {keyword or line!r} "
                                            "(OpenMetrics has only HELP, TYPE, UNIT and EOF)",
                                            number)
            return  # a comment
        rest = parts[1] if len(parts) > 1 else ""
        name_match = _METADATA_NAME.match(rest)
        column = line.find(rest) + 1 if rest else len(line) + 1
        if name_match is None:
            raise ExpositionSyntaxError(f"`# {keyword}` needs a metric name", number, column)
        name = name_match.group(0)
        if name.startswith('"'):
            name = _OPENMETRICS_ESCAPE.sub(lambda m: "\n" if m.group(1) == "n" else m.group(1),
                                           name[1:-1])
        after = rest[name_match.end():]
        if after and after[0] not in " \t":
            raise ExpositionSyntaxError(f"invalid metric name in `# {keyword}`", number,
                                        column + name_match.end())
        value = after[1:] if after else ""
        family = self._family_for_metadata(name, number)
        if keyword == "HELP":
            escape = _OPENMETRICS_ESCAPE if self.openmetrics else _HELP_ESCAPE
            family.help = escape.sub(lambda m: "\n" if m.group(1) == "n" else m.group(1), value)
        elif keyword == "UNIT":
            family.unit = value.strip() or None
        else:
            self._declare_type(family, value.strip(), number, line)

    def _declare_type(self, family: MetricFamily, metric_type: str, number: int,
                      line: str) -> None:
        allowed = OPENMETRICS_TYPES if self.openmetrics else TEXT_TYPES
        if metric_type not in allowed:
            raise ExpositionSyntaxError(
                f"unknown metric type {metric_type!r} (expected one of "
                f"{', '.join(sorted(allowed))})", number, max(1, line.rfind(metric_type) + 1))
        first = self.declared_type.get(family.name)
        if first is not None and family.type != metric_type:
            self.exposition.diagnostics.append(Diagnostic(
                "exposition/conflicting-type", Severity.WARNING,
                f"{family.name} is declared {family.type} at line {first} and {metric_type} "
                "here", Location(self.exposition.source, number, 1)))
            return
        self.declared_type.setdefault(family.name, number)
        family.type = metric_type
        self._make_current(family)
        for suffix in SAMPLE_SUFFIXES[metric_type]:
            self.owner.setdefault(family.name + suffix, family)

    def _family_for_metadata(self, name: str, number: int) -> MetricFamily:
        family = self.families.get(name)
        if family is None:
            family = MetricFamily(name, "unknown" if self.openmetrics else "untyped", number)
            self.families[name] = family
            self.owner.setdefault(name, family)
        self._make_current(family)
        return family

    def _make_current(self, family: MetricFamily) -> None:
        self.current = family
        self.current_names = family.sample_names

    def _sample(self, line: str, number: int) -> None:
        """A line in another shape than the canonical one: prometheus_client reads it."""
        current = self.current
        try:
            parsed = parse_with_prometheus_client(
                line, self.openmetrics, current.name if current else None,
                current.type if current else None)
        except ValueError as error:
            reason = str(error).split(": ", 1)[0] or "invalid sample line"
            raise ExpositionSyntaxError(f"syntax error in sample line ({reason})", number,
                                        error_column(line)) from None
        family = current
        if family is None or parsed.name not in self.current_names:
            family = self._family_of_sample(parsed.name, number)
        family.samples.append(Sample(parsed.name, parsed.labels, parsed.value, number,
                                     parsed.timestamp))

    def _family_of_sample(self, name: str, number: int) -> MetricFamily:
        family = self.owner.get(name) or self._untyped_family(name, number)
        self._make_current(family)
        return family

    def _untyped_family(self, name: str, number: int) -> MetricFamily:
        family = MetricFamily(name, "unknown" if self.openmetrics else "untyped", number)
        self.families[name] = family
        self.owner[name] = family
        return family
