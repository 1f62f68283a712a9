"""Stage `validate`: an SLO must make sense against the catalog, or say where it does not.

Every problem is a located Diagnostic (code `slo/...`): an unknown metric, a non-counter in
a ratio, a latency threshold that is not a bucket bound (naming the nearest bounds), a
label the metric does not have, a `by:` without a cardinality bound, a window that is not
a multiple of the rule interval, a severity the project does not know.
"""

from __future__ import annotations

import bisect
import difflib
from collections.abc import Generator, Iterator
from math import prod

from metricsctl.catalog.durations import is_duration, parse_duration
from metricsctl.catalog.model import Catalog, Metric, SliSelector, Slo
from metricsctl.catalog.naming import MetricType
from metricsctl.diagnostics import Diagnostic, Severity
from metricsctl.slo.numbers import decimal_text, exact

# prometheus_client's default buckets, which a histogram without `buckets:` gets.
DEFAULT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0,
                   7.5, 10.0)
# The most SLI series a `by:` may produce (each is one set of 15 recording rules).
MAX_BY_SERIES = 1000


def _error(code: str, message: str, slo: Slo, *field: str | int, hint: str | None = None,
           key: bool = False) -> Diagnostic:
    where = slo.source.field(*field, key=key) if slo.source.has(*field) else \
        slo.source.location
    return Diagnostic(code, Severity.ERROR, message, where, hint=hint)


def _did_you_mean(word: str, choices: list[str]) -> str | None:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else None


def validate_slos(catalog: Catalog) -> list[Diagnostic]:
    """Every problem of every SLO in the catalog."""
    found: list[Diagnostic] = []
    for slo in catalog.slos.values():
        found.extend(_check_slo(catalog, slo))
    if not found:
        found.extend(_check_alert_names(catalog))
    return found


def _check_slo(catalog: Catalog, slo: Slo) -> Iterator[Diagnostic]:
    yield from _check_shape(slo)
    metrics = []
    for selector in (slo.errors, slo.good, slo.total):
        if selector is not None:
            metric = yield from _ratio_metric(catalog, slo, selector)
            if metric is not None:
                metrics.append(metric)
    if slo.latency is not None:
        metric = yield from _latency_metric(catalog, slo, slo.latency)
        if metric is not None:
            metrics.append(metric)
    yield from _check_by(catalog, slo, metrics)
    yield from _check_window(catalog, slo)
    for name, alerting in (("page", slo.page), ("ticket", slo.ticket)):
        if alerting is not None and alerting.severity not in catalog.project.severities:
            yield _error("slo/unknown-severity",
                         f"severity `{alerting.severity}` is not one of the project's "
                         "severities", slo, "alerting", name, "severity",
                         hint="the project allows: " + ", ".join(catalog.project.severities))


def _check_shape(slo: Slo) -> Iterator[Diagnostic]:
    # What is written counts, even a selector the builder could not parse (reported there).
    kinds = [name for name in ("errors", "good", "latency") if slo.source.has("sli", name)]
    hint = "give errors and total, good and total, or latency"
    if len(kinds) != 1:
        message = (f"the SLI sets {' and '.join(kinds)}; use exactly one" if kinds
                   else "the SLI has no events to count")
        yield _error("slo/invalid-sli", message, slo, "sli", hint=hint, key=True)
    elif kinds[0] != "latency" and not slo.source.has("sli", "total"):
        yield _error("slo/invalid-sli", f"`{kinds[0]}` needs `total` beside it", slo, "sli",
                     hint=hint, key=True)
    elif kinds[0] == "latency" and slo.source.has("sli", "total"):
        yield _error("slo/invalid-sli", "a latency SLI counts its total from the histogram; "
                     "remove `total`", slo, "sli", "total", key=True)


def _series_metric(catalog: Catalog, name: str) -> tuple[Metric, str] | None:
    """The catalog metric exposing series `name`, and which of its series it is."""
    for metric in catalog.metrics.values():
        series = metric.series
        for kind, exposed in (("total", metric.name if metric.type is MetricType.COUNTER
                               else None), ("count", series.count), ("bucket", series.bucket),
                              ("sum", series.sum), ("value", metric.name)):
            if exposed == name:
                return metric, kind
    return None


def _ratio_metric(catalog: Catalog, slo: Slo,
                  selector: SliSelector) -> Generator[Diagnostic, None, Metric | None]:
    found = _series_metric(catalog, selector.series)
    if found is None:
        yield _error("slo/unknown-metric", f"unknown metric `{selector.series}`", slo,
                     *selector.field,
                     hint=_did_you_mean(selector.series, [s for m in catalog.metrics.values()
                                                          for s in m.series.queryable]))
        return None
    metric, kind = found
    if kind not in ("total", "count"):
        what = f"the {kind} of a {metric.type}" if kind != "value" else f"a {metric.type}"
        yield _error("slo/not-a-counter",
                     f"`{selector.series}` is {what}: a ratio SLI counts events with counters",
                     slo, *selector.field,
                     hint="use a counter, or the `_count` of a histogram or summary")
        return None
    yield from _check_matchers(catalog, slo, selector, metric)
    return metric


def _latency_metric(catalog: Catalog, slo: Slo,
                    selector: SliSelector) -> Generator[Diagnostic, None, Metric | None]:
    metric = catalog.metrics.get(selector.series)
    if metric is None or metric.type is not MetricType.HISTOGRAM:
        problem = (f"unknown metric `{selector.series}`" if metric is None else
                   f"`{selector.series}` is a {metric.type}: a latency SLI needs a histogram")
        histograms = [m.name for m in catalog.metrics.values()
                      if m.type is MetricType.HISTOGRAM]
        yield _error("slo/unknown-metric" if metric is None else "slo/not-a-histogram",
                     problem, slo, *selector.field,
                     hint=_did_you_mean(selector.series, histograms)
                     or "name a histogram of the catalog (without _bucket)")
        return None
    yield from _check_matchers(catalog, slo, selector, metric)
    if slo.threshold is not None:
        yield from _check_threshold(slo, metric)
    return metric


def _check_threshold(slo: Slo, metric: Metric) -> Iterator[Diagnostic]:
    assert slo.threshold is not None
    bounds = sorted(exact(repr(b)) for b in (metric.buckets or DEFAULT_BUCKETS))
    threshold = exact(slo.threshold)
    if threshold in bounds:
        return
    at = bisect.bisect_left(bounds, threshold)
    near = [decimal_text(b) for b in bounds[max(0, at - 1):at + 1]]
    nearest = " and ".join(near)
    yield _error("slo/threshold-not-a-bucket",
                 f"latency threshold {slo.threshold} is not a bucket bound of "
                 f"`{metric.name}`: the nearest bounds are {nearest}", slo,
                 "sli", "latency", "threshold",
                 hint="a histogram can only tell how many observations were at most one of "
                      "its bounds: use one of them, or add this bound to its buckets")


def _check_matchers(catalog: Catalog, slo: Slo, selector: SliSelector,
                    metric: Metric) -> Iterator[Diagnostic]:
    allowed = [*metric.label_names, *sorted(catalog.project.target_labels), "job", "instance"]
    for label, _, _ in selector.matchers:
        if label not in allowed:
            yield _error("slo/unknown-label", f"metric `{metric.name}` has no label `{label}`",
                         slo, *selector.field,
                         hint=_did_you_mean(label, allowed)
                         or f"its labels: {', '.join(metric.label_names) or 'none'}")


def _check_by(catalog: Catalog, slo: Slo, metrics: list[Metric]) -> Iterator[Diagnostic]:
    cardinalities = []
    for index, label in enumerate(slo.by):
        missing = [m.name for m in metrics if label not in m.label_names]
        if missing:
            yield _error("slo/unknown-label",
                         f"`by: {label}`: {', '.join(f'`{m}`' for m in missing)} has no label "
                         f"`{label}`", slo, "by", index,
                         hint="every metric of the SLI must carry the labels it is split by")
            continue
        definition = next((m.label(label) for m in metrics if m.label(label)), None)
        bound = definition.cardinality if definition is not None else None
        if bound is None:
            yield _error("slo/unbounded-by", f"`by: {label}`: the label has no cardinality "
                         "bound, so the SLO could produce any number of series", slo, "by",
                         index, hint=f"give `{label}` values or max_cardinality")
            continue
        cardinalities.append(bound)
    if cardinalities and prod(cardinalities) > MAX_BY_SERIES:
        yield _error("slo/unbounded-by",
                     f"`by: [{', '.join(slo.by)}]` allows {prod(cardinalities)} combinations, "
                     f"more than {MAX_BY_SERIES}", slo, "by", key=True,
                     hint="split by fewer or more tightly bounded labels")


def _check_window(catalog: Catalog, slo: Slo) -> Iterator[Diagnostic]:
    if not is_duration(slo.window):
        return  # the schema reports it
    domain = catalog.domains.get(slo.domain)
    interval = (domain.rule_group_interval if domain and domain.rule_group_interval
                else catalog.project.evaluation_interval)
    if not is_duration(interval) or parse_duration(interval) <= 0:
        return
    window, step = parse_duration(slo.window), parse_duration(interval)
    if window <= 0 or round(window * 1000) % round(step * 1000):
        yield _error("slo/invalid-window",
                     f"window {slo.window} is not a multiple of the rule interval {interval}",
                     slo, "window", hint="the SLO window averages one SLI sample per "
                     "evaluation: make it a whole number of intervals, e.g. 30d")


def _check_alert_names(catalog: Catalog) -> Iterator[Diagnostic]:
    # Names only: an SLO whose selector did not parse (reported by the builder) has no
    # expressions to build.
    taken = {alert.name for alert in catalog.alerts.values()}
    seen: set[str] = set()
    for slo in catalog.slos.values():
        for severity, spec in (("page", slo.page), ("ticket", slo.ticket)):
            if spec is None:
                continue
            if spec.name in taken or spec.name in seen:
                yield _error("slo/duplicate-alert", f"alert `{spec.name}` is defined twice",
                             slo, "alerting", severity, "name",
                             hint=f"name it under alerting.{severity}.name")
            seen.add(spec.name)
