"""Metric and label naming: promlint's checks (with its wording) and a few catalog ones.

Messages start with the metric name followed by promlint's own text, as
`promtool check metrics` prints them, so that people who know promlint recognise them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from metricsctl.catalog.model import Label, Metric
from metricsctl.catalog.naming import MetricType
from metricsctl.diagnostics import Location, Severity
from metricsctl.lint.context import LintContext
from metricsctl.lint.rule import Finding, Rule

HELP = Rule(
    "naming/help", Severity.WARNING, "a metric without help text",
    "The help text is exposed as `# HELP` and shown in Grafana's metric browser and in the "
    "generated docs; without it nobody knows what the number means. Write one sentence in "
    "`help:`.")
COUNTER_TOTAL = Rule(
    "naming/counter-total", Severity.WARNING, "a counter whose name does not end in _total",
    "Client libraries expose counters with a _total suffix whatever they are called, so a "
    "catalog name without it differs from the series people query. Name the counter "
    "<name>_total. An exporter you do not own that exposes the bare name (written before "
    "OpenMetrics naming) is declared as it is, with `total_suffix: false`.")
NON_COUNTER_TOTAL = Rule(
    "naming/non-counter-total", Severity.ERROR, "a gauge, histogram or summary named _total",
    "_total promises a counter: people (and linters) will rate() it. A gauge named _total "
    "(active_users_total) is the classic source of rate()-over-a-gauge graphs. Drop the "
    "suffix (active_users), or make the metric a counter if it counts events.")
BASE_UNIT = Rule(
    "naming/base-unit", Severity.WARNING, "a unit that is not a base unit",
    "Prometheus uses base units everywhere (seconds, bytes, meters, grams, joules, volts, "
    "amperes, celsius) so that metrics combine without conversions and Grafana scales them "
    "for display. Export milliseconds as seconds (divide by 1000) and name the metric "
    "<name>_seconds.")
ABBREVIATED_UNIT = Rule(
    "naming/abbreviated-unit", Severity.WARNING, "an abbreviated unit in a metric name",
    "Abbreviations such as ms, s, sec, kb or b are ambiguous and differ between teams. Spell "
    "the base unit out: chatkit_response_time_ms -> chatkit_response_time_seconds.")
CAMEL_CASE = Rule(
    "naming/camel-case", Severity.WARNING, "a camelCase metric or label name",
    "Prometheus names are snake_case; camelCase names stand out in every query and are easy "
    "to mistype. Rename to snake_case.")
RESERVED_SUFFIX = Rule(
    "naming/reserved-suffix", Severity.ERROR,
    "a _bucket, _count or _sum suffix on a metric that does not expose it",
    "_bucket, _count and _sum are the series of histograms and summaries. On another metric "
    "type they make queries and tools take it for one. Rename the metric.")
TYPE_IN_NAME = Rule(
    "naming/type-in-name", Severity.WARNING, "the metric type in the metric name",
    "The type is in the `# TYPE` line already; `counter` or `gauge` in the name adds nothing "
    "and becomes a lie if the type ever changes. Remove it from the name.")
COLON = Rule(
    "naming/colon", Severity.WARNING, "a colon in an instrumented metric's name",
    "Colons are reserved for recording rules (level:metric:operations), so that a reader can "
    "tell recorded series from scraped ones. Use underscores.")
UNIT_SUFFIX = Rule(
    "naming/unit-suffix", Severity.WARNING, "the declared unit is not the name's suffix",
    "The unit belongs at the end of the name (before _total for a counter): "
    "request_duration_seconds, response_size_bytes, cost_usd_total. Then the unit is visible "
    "in every query. Rename the metric or fix `unit:`.")
PERCENTILE_GAUGE = Rule(
    "naming/percentile-gauge", Severity.WARNING, "a precomputed percentile exported as a gauge",
    "A p95 computed in the process cannot be aggregated across instances (the mean of p95s "
    "is not a p95) nor re-windowed, and it hides the distribution. Export a histogram "
    "(<name>_seconds with buckets) and compute quantiles with histogram_quantile().")
AVERAGE_GAUGE = Rule(
    "naming/average-gauge", Severity.WARNING, "a precomputed average exported as a gauge",
    "An average computed in the process cannot be combined across instances or time windows "
    "and hides outliers. Export a histogram (or a _sum and _count counter pair) and compute "
    "the average as rate(x_sum[5m]) / rate(x_count[5m]).")
RECORDING_RULE_NAME = Rule(
    "naming/recording-rule-name", Severity.INFO,
    "a recording rule name that does not follow level:metric:operations",
    "Recording rules are named level:metric:operations (job:http_requests:rate5m) so that "
    "their output is recognisable as recorded and says how it was computed. Rename the rule.")

RULES = (HELP, COUNTER_TOTAL, NON_COUNTER_TOTAL, BASE_UNIT, ABBREVIATED_UNIT, CAMEL_CASE,
         RESERVED_SUFFIX, TYPE_IN_NAME, COLON, UNIT_SUFFIX, PERCENTILE_GAUGE, AVERAGE_GAUGE,
         RECORDING_RULE_NAME)

BASE_UNITS = ("seconds", "bytes", "meters", "grams", "joules", "volts", "amperes", "celsius",
              "kelvin")
_NON_BASE_UNITS = {
    "minutes": "seconds", "hours": "seconds", "days": "seconds", "weeks": "seconds",
    "bits": "bytes", "inches": "meters", "feet": "meters", "yards": "meters",
    "miles": "meters", "calories": "joules", "pounds": "grams", "ounces": "grams",
    "fahrenheit": "celsius",
}
_PREFIXES = ("milli", "micro", "nano", "pico", "centi", "deci", "kilo", "mega", "giga", "tera",
             "peta", "kibi", "mebi", "gibi", "tebi", "pebi")
ABBREVIATED_UNITS = frozenset({"s", "ms", "us", "ns", "sec", "b", "kb", "mb", "gb", "tb", "pb",
                               "m", "h", "d"})
_CAMEL_CASE = re.compile(r"[a-z][A-Z]")
_PERCENTILE_TOKEN = re.compile(r"^(?:p\d{2,4}|percentile|quantile|median)$")
_AVERAGE_TOKENS = frozenset({"avg", "average", "mean"})
_TYPES = tuple(t.value for t in MetricType)


# Every non-base unit word and the base unit to use instead (`milliseconds` -> `seconds`).
_TO_BASE_UNIT = {
    **{prefix + base: base for prefix in _PREFIXES for base in BASE_UNITS},
    **_NON_BASE_UNITS,
}


def non_base_unit(word: str) -> str | None:
    """The base unit to use instead of `word`, when `word` is a non-base unit."""
    return _TO_BASE_UNIT.get(word)


def _tokens(name: str) -> list[str]:
    return [token for token in re.split(r"[_:]", name.lower()) if token]


def _metric_finding(rule: Rule, metric: Metric, problem: str, hint: str | None = None,
                    location: Location | None = None) -> Finding:
    return Finding(rule, f"{metric.name}: {problem}", location or metric.source.location, hint,
                   metric.lint_disable)


def check(context: LintContext) -> Iterator[Finding]:
    for metric in context.catalog.metrics.values():
        yield from _check_metric(metric)
    for label in _defined_labels(context):
        if _CAMEL_CASE.search(label.name):
            where = (label.source.field("name") if label.scope == "metric"
                     else label.source.location)
            yield Finding(CAMEL_CASE, f"{label.name}: label names should be written in "
                          "'snake_case' not 'camelCase'", where,
                          f"rename it to `{_snake_case(label.name)}`", label.lint_disable)
    for rule in context.catalog.recording_rules.values():
        if rule.name.count(":") < 1:
            yield Finding(RECORDING_RULE_NAME,
                          f"recording rule `{rule.name}` is not named level:metric:operations",
                          rule.source.location, "e.g. job:http_requests:rate5m",
                          rule.lint_disable)


def _defined_labels(context: LintContext) -> Iterator[Label]:
    catalog = context.catalog
    yield from catalog.project.labels.values()
    for domain in catalog.domains.values():
        yield from domain.labels.values()
    for metric in catalog.metrics.values():
        yield from (label for label in metric.labels if label.scope == "metric")


def _snake_case(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _check_metric(metric: Metric) -> Iterator[Finding]:
    name = metric.name
    tokens = _tokens(name)
    if not metric.help.strip():
        yield _metric_finding(HELP, metric, "no help text", "write one sentence in `help:`",
                              metric.source.field("help"))
    if metric.type is MetricType.COUNTER and not name.endswith("_total"):
        yield _metric_finding(COUNTER_TOTAL, metric,
                              'counter metrics should have "_total" suffix',
                              f"rename it to `{name}_total`" if metric.total_suffix else
                              f"if you own the code that exposes it, expose it as `{name}_total` "
                              "and remove `total_suffix: false`")
    if metric.type is not MetricType.COUNTER and name.endswith("_total"):
        yield _metric_finding(NON_COUNTER_TOTAL, metric,
                              'non-counter metrics should not have "_total" suffix',
                              f"rename it to `{name.removesuffix('_total')}`, or make it a "
                              "counter if it counts events")
    yield from _check_units(metric, tokens)
    if _CAMEL_CASE.search(name):
        yield _metric_finding(CAMEL_CASE, metric,
                              "metric names should be written in 'snake_case' not 'camelCase'",
                              f"rename it to `{_snake_case(name)}`")
    yield from _check_reserved_suffixes(metric)
    for type_name in _TYPES:
        if type_name in tokens:
            yield _metric_finding(TYPE_IN_NAME, metric,
                                  f"metric name should not include type '{type_name}'")
    if ":" in name:
        yield _metric_finding(COLON, metric, "metric names should not contain ':'",
                              f"rename it to `{name.replace(':', '_')}`")
    if metric.type is MetricType.GAUGE:
        percentile = next((t for t in tokens if _PERCENTILE_TOKEN.match(t)), None)
        if percentile is not None:
            yield _metric_finding(PERCENTILE_GAUGE, metric,
                                  f"`{percentile}` looks like a percentile computed in the "
                                  "process and exported as a gauge",
                                  "export a histogram and use histogram_quantile()")
        average = next((t for t in tokens if t in _AVERAGE_TOKENS), None)
        if average is not None:
            yield _metric_finding(AVERAGE_GAUGE, metric,
                                  f"`{average}` looks like an average computed in the process "
                                  "and exported as a gauge",
                                  "export a histogram and divide rate(_sum) by rate(_count)")


def _check_units(metric: Metric, tokens: list[str]) -> Iterator[Finding]:
    for token in tokens:
        base = non_base_unit(token)
        if base is not None:
            yield _metric_finding(BASE_UNIT, metric,
                                  f'use base unit "{base}" instead of "{token}"',
                                  f"export the value in {base} and name the metric "
                                  f"`..._{base}`")
    abbreviation = next((token for token in tokens if token in ABBREVIATED_UNITS), None)
    if abbreviation is not None:
        base = ("bytes" if abbreviation.endswith("b") else
                "meters" if abbreviation == "m" else "seconds")
        yield _metric_finding(ABBREVIATED_UNIT, metric,
                              "metric names should not contain abbreviated units",
                              f"`{abbreviation}`: spell the base unit out (export {base} and "
                              f"name the metric `..._{base}`)")
    unit = metric.unit
    if unit is None:
        return
    unit_location = metric.source.field("unit")
    base = non_base_unit(unit)
    if base is not None and base not in tokens:
        yield _metric_finding(BASE_UNIT, metric, f'use base unit "{base}" instead of "{unit}"',
                              f"set `unit: {base}` and export the value in {base}",
                              unit_location)
    stem = metric.name.removesuffix("_total") if metric.type is MetricType.COUNTER \
        else metric.name
    if not stem.endswith(f"_{unit}") and stem != unit:
        expected = f"{stem}_{unit}" + ("_total" if metric.type is MetricType.COUNTER else "")
        yield _metric_finding(UNIT_SUFFIX, metric,
                              f"the unit `{unit}` is not the name's suffix",
                              f"rename it to `{expected}`", unit_location)


def _check_reserved_suffixes(metric: Metric) -> Iterator[Finding]:
    name = metric.name
    if metric.type is not MetricType.HISTOGRAM and name.endswith("_bucket"):
        yield _metric_finding(RESERVED_SUFFIX, metric,
                              'non-histogram metrics should not have "_bucket" suffix')
    if metric.type not in (MetricType.HISTOGRAM, MetricType.SUMMARY):
        for suffix in ("_count", "_sum"):
            if name.endswith(suffix):
                yield _metric_finding(RESERVED_SUFFIX, metric,
                                      "non-histogram and non-summary metrics should not have "
                                      f'"{suffix}" suffix')
