"""Tests for SLO burn-rate alerts: a fast burn that pages, a slow burn that only tickets.

Input series are the SLI's own (its counters, or its histogram's buckets and count) at a
million events a minute, a chosen share of them bad. The cases pin the windows: the fast
burn (2.1x the 1h row's rate, after 150m or more of clean traffic) pages when the 1h window
crosses, about 29 minutes in, and stops when the 5m window has seen the burn end; the slow
burn (2.1x budget) tickets but never pages, and the ticket clears when the 6h window drops
under 1x. Quiet cases sit just under the lowest rate of each severity (2% below), and a
latency SLI's traffic guard keeps an all-bad trickle quiet.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from fractions import Fraction

from metricsctl.alert_tests.evaluator import UnmodelledError, Vector
from metricsctl.alert_tests.expectations import expected_alerts
from metricsctl.alert_tests.labels import metric_of, series_labels
from metricsctl.alert_tests.model import AlertCase, AlertCheck, InputSeries
from metricsctl.alert_tests.rule_file import RuleFile, RuleFileAlert
from metricsctl.alert_tests.runner import (
    compile_expr,
    firing_at,
    first_firing_monotone,
    for_steps,
    needed_rules,
    timeline,
)
from metricsctl.catalog.model import Catalog, SliSelector, Slo
from metricsctl.catalog.naming import MetricType, exposed_series
from metricsctl.slo.alert_rules import SloAlert, min_traffic, row_threshold
from metricsctl.slo.numbers import decimal_text, exact
from metricsctl.slo.validate import DEFAULT_BUCKETS

EVENTS_PER_MINUTE = 1_000_000
# The fast burn: 2.1x the 1h row's rate crosses that row 60/2.1 = 28.6 minutes in. It lasts
# until the page has fired (plus a little), and no longer, so that the 6h row, diluted over
# the clean history before it, never crosses: the page starts with the 1h window and stops
# with the 5m window, and a rule reading other windows fails the test.
CLEAN_HISTORY_MINUTES = 150
FAST_FACTOR = Fraction(21, 10)
FAST_CROSSING_MINUTES = 29
SLOW_FACTOR = Fraction(21, 10)
SLOW_BURN_MINUTES = 4 * 60
# A constant ratio is the same over every window from the first minute (the counters'
# extrapolation cancels in the ratio), so quiet cases need no long history.
QUIET_MINUTES = 60
QUIET_FACTOR = Fraction(98, 100)
_NEGATE = {"=": "!=", "!=": "=", "=~": "!~", "!~": "=~"}

# (bad, good) events in a minute
Traffic = Callable[[int], tuple[int, int]]


def _negated(selector: SliSelector, total: SliSelector) -> list[tuple[str, str, str]]:
    """Matchers for the events `selector` does not count but `total` does."""
    own = [m for m in selector.matchers if m not in total.matchers]
    if len(own) != 1:
        raise UnmodelledError("telling good from bad events takes exactly one matcher more "
                              "on the bad (or good) selector than on total")
    label, op, value = own[0]
    return [(label, _NEGATE[op], value)]


def _counter(labels: dict[str, str], counts: Sequence[int]) -> InputSeries:
    start = EVENTS_PER_MINUTE * 1440  # a long-running counter: no extrapolation to zero
    values: list[float | None] = []
    total = start
    for minute, count in enumerate(counts):
        total += count if minute else 0
        values.append(float(total))
    return InputSeries(tuple(sorted(labels.items())), tuple(values))


def _labels(catalog: Catalog, series: str, metric_name: str,
            matchers: Sequence[tuple[str, str, str]]) -> dict[str, str]:
    return series_labels(catalog, series, catalog.metrics.get(metric_name), matchers)


def _event_series(catalog: Catalog, slo: Slo, traffic: Traffic,
                  minutes: int) -> tuple[InputSeries, ...]:
    bad = [traffic(m)[0] for m in range(minutes + 1)]
    good = [traffic(m)[1] for m in range(minutes + 1)]
    both = [b + g for b, g in zip(bad, good, strict=True)]
    if slo.latency is not None:
        return _histogram_series(catalog, slo, bad, good, both)
    total = slo.total
    counted, counted_is_bad = (slo.errors, True) if slo.errors is not None else (slo.good, False)
    assert total is not None and counted is not None
    mine, other = (bad, good) if counted_is_bad else (good, bad)
    if counted.series == total.series:
        matchers = [*counted.matchers, *total.matchers]
        rest = [*_negated(counted, total), *total.matchers]
        return (_counter(_labels(catalog, counted.series, counted.series, matchers), mine),
                _counter(_labels(catalog, total.series, total.series, rest), other))
    return (_counter(_labels(catalog, counted.series, counted.series, counted.matchers), mine),
            _counter(_labels(catalog, total.series, _family(catalog, total.series),
                             total.matchers), both))


def _family(catalog: Catalog, series: str) -> str:
    metric = metric_of(catalog, series)
    return metric.name if metric is not None else series


def _histogram_series(catalog: Catalog, slo: Slo, bad: list[int], good: list[int],
                      both: list[int]) -> tuple[InputSeries, ...]:
    assert slo.latency is not None and slo.threshold is not None
    metric = catalog.metrics[slo.latency.series]
    names = exposed_series(metric.name, MetricType.HISTOGRAM)
    bounds = sorted(exact(repr(b)) for b in (metric.buckets or DEFAULT_BUCKETS))
    threshold = exact(slo.threshold)
    base = _labels(catalog, names.count or "", metric.name, slo.latency.matchers)
    result = [_counter(base, both)]
    for bound in [*bounds, None]:
        # good observations land in the first bucket, bad ones just above the threshold
        holds_good = bound is None or bound >= bounds[0]
        holds_bad = bound is None or bound > threshold
        counts = [(g if holds_good else 0) + (b if holds_bad else 0)
                  for b, g in zip(bad, good, strict=True)]
        le = "+Inf" if bound is None else decimal_text(bound)
        result.append(_counter({**base, "__name__": names.bucket or "", "le": le}, counts))
    return tuple(result)


def _ratio_traffic(ratio: Fraction, *, when: Callable[[int], bool] = lambda _: True,
                   events: int = EVENTS_PER_MINUTE) -> Traffic:
    bad = round(ratio * events)
    if bad > events:
        raise UnmodelledError("the objective is too low for this burn rate (more than 100% bad)")
    return lambda m: (bad, events - bad) if when(m) else (0, events)


def _run(catalog: Catalog, slo: Slo, rule_file: RuleFile, alert: RuleFileAlert,
         traffic: Traffic, minutes: int) -> tuple[tuple[InputSeries, ...], Sequence[Vector]]:
    series = _event_series(catalog, slo, traffic, minutes)
    ast = compile_expr(alert.expr)
    # Other SLOs of the file record the same names: only this SLO's rules matter.
    rules = needed_rules(alert.expr, [rule for rule in rule_file.records
                                      if rule.labels.get("sloth_id") == slo.id])
    return series, timeline(series, rules, ast, minutes)


def slo_cases(catalog: Catalog, rule_file: RuleFile, alert: RuleFileAlert,
              item: SloAlert) -> list[AlertCase]:
    slo = item.slo
    steps = for_steps(alert.for_)
    rows = item.rows
    cases: list[AlertCase] = []
    if item.severity == "page":
        fast = row_threshold(slo, rows[0]) * FAST_FACTOR
        duration = FAST_CROSSING_MINUTES + steps + 3
        # the 6h row stays under its rate while duration < 0.2475 x history (see above)
        start = max(CLEAN_HISTORY_MINUTES, math.ceil(duration / 0.24) + 10)
        stop = start + duration
        burn = _ratio_traffic(fast, when=lambda m: start < m <= stop)
        cases.append(_burn_case(catalog, slo, rule_file, alert, steps, burn, stop + 60, start,
                                stop,
                                f"fast burn ({decimal_text(fast)} of events bad from "
                                f"{start}m to {stop}m) pages"))
        lowest = min(row_threshold(slo, row) for row in rows)
    else:
        slow = row_threshold(slo, rows[-1]) * SLOW_FACTOR
        stop = SLOW_BURN_MINUTES
        burn = _ratio_traffic(slow, when=lambda m: m <= stop)
        cases.append(_burn_case(catalog, slo, rule_file, alert, steps, burn, stop + 220, 0,
                                stop,
                                f"slow burn ({decimal_text(slow)} of events bad until "
                                f"{stop}m) tickets"))
        lowest = min(row_threshold(slo, row) for row in rows)
    quiet = lowest * QUIET_FACTOR
    minutes = QUIET_MINUTES
    series, values = _run(catalog, slo, rule_file, alert, _ratio_traffic(quiet), minutes)
    if firing_at(values, steps, minutes):
        raise UnmodelledError("a burn just under the lowest burn rate still fires")
    cases.append(AlertCase(
        f"{alert.name}: a burn just under its lowest rate ({decimal_text(quiet)} bad) stays "
        "quiet", alert.name, series,
        (AlertCheck(minutes, (), "2% under the lowest threshold in every window"),)))
    guard = min_traffic(slo)
    if guard is not None:
        events = max(1, int(guard * 60 / 2))
        series, values = _run(catalog, slo, rule_file, alert,
                              _ratio_traffic(Fraction(1), events=events), 120)
        if not firing_at(values, steps, 120):
            cases.append(AlertCase(
                f"{alert.name}: every event bad, but under {decimal_text(guard)}/s of traffic, "
                "stays quiet", alert.name, series,
                (AlertCheck(120, (), "the minimum traffic guard holds it"),)))
    return cases


def _burn_case(catalog: Catalog, slo: Slo, rule_file: RuleFile, alert: RuleFileAlert,
               steps: int, traffic: Traffic, minutes: int, first: int, stop: int,
               title: str) -> AlertCase:
    """The burn starts after minute `first` and ends at `stop`."""
    series, values = _run(catalog, slo, rule_file, alert, traffic, minutes)
    fired = first_firing_monotone(values, steps, first, stop)
    if fired is None:
        raise UnmodelledError("the synthesised burn never makes it fire")
    resolved = first_firing_monotone(values, steps, max(stop, fired), minutes, firing=False)
    checks = [AlertCheck(fired - 1, (), "the long window has not crossed yet, or `for` is "
                         "still running"),
              AlertCheck(fired, expected_alerts(alert, firing_at(values, steps, fired)),
                         "both windows of a row over the threshold for `for`")]
    if resolved is not None:
        checks.extend([
            AlertCheck(resolved - 1, expected_alerts(alert, firing_at(values, steps,
                                                                      resolved - 1)),
                       "the burn has stopped but the short window still sees it"),
            AlertCheck(resolved, (), "the short window no longer sees the burn")])
    return AlertCase(f"{alert.name}: {title}", alert.name, series, tuple(checks))
