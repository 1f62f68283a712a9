"""PromQL checks on every expression (alerts, recording rules, dashboard panels).

The catalog knows each series' type, labels and values, so these run offline what other
linters need a live Prometheus for: unknown metrics and labels, label values that select
nothing, rate() over a gauge, a counter read raw, histogram_quantile without buckets or
without `le`, windows too short for the scrape interval.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from metricsctl.catalog.model import Metric
from metricsctl.catalog.naming import split_series_name
from metricsctl.diagnostics import Severity
from metricsctl.lint.context import ExprSite, LintContext, SampleKind, Series
from metricsctl.lint.label_sets import output_labels
from metricsctl.lint.rule import Finding, Rule
from metricsctl.promql.references import selector_matchers, selector_metric
from metricsctl.promql.syntax_tree import MatcherPieces, Piece, SyntaxNode
from metricsctl.promql.walk import COMPARISONS, operator, unwrap_parens

SYNTAX = Rule(
    "promql/syntax", Severity.ERROR, "the expression is not valid PromQL",
    "Prometheus refuses to load a rule file with an invalid expression, and Grafana shows an "
    "error instead of the panel. Fix the expression at the position shown; Grafana variables "
    "($__rate_interval, $var) are allowed in dashboard queries.")
UNKNOWN_METRIC = Rule(
    "promql/unknown-metric", Severity.ERROR, "the expression reads a series nothing produces",
    "Every series an expression reads must be a sample of a catalog metric (as exposed: "
    "counters end in _total, histograms expose _bucket, _count and _sum), a recording rule's "
    "output, or one Prometheus creates itself (up, scrape_*, ALERTS). A typo here makes an "
    "alert that can never fire and a panel that stays empty. Fix the name, or add the metric "
    "to the catalog.")
WRONG_SUFFIX = Rule(
    "promql/wrong-suffix", Severity.ERROR,
    "a series suffix that the metric's type does not expose",
    "Only histograms expose _bucket series; only histograms and summaries expose _count and "
    "_sum; only counters expose _total. A histogram has no series under its bare name. Use "
    "one of the series the metric really exposes (listed in the hint).")
UNKNOWN_LABEL = Rule(
    "promql/unknown-label", Severity.ERROR,
    "a matcher or grouping names a label the series does not have",
    "A matcher on a label the series does not carry selects nothing (or everything, for !=), "
    "and grouping by it yields a single empty group. Series carry their catalog labels plus "
    "the target labels Prometheus adds (job, instance, the scrape jobs' labels); histogram "
    "buckets add `le`, summaries `quantile`. Use one of the labels in the hint.")
UNKNOWN_LABEL_VALUE = Rule(
    "promql/unknown-label-value", Severity.ERROR,
    "a matcher value outside the label's enumerated values",
    "The catalog lists every value this label takes, so a matcher on another value selects "
    "nothing (an alert that never fires) or, with !=, filters nothing. Use one of the listed "
    "values, or add the new value to the label's `values`.")
REGEX_WITHOUT_REGEX = Rule(
    "promql/regex-without-regex", Severity.INFO,
    "a regex matcher whose value has no regex in it",
    "`job=~\"api\"` is the same as `job=\"api\"`: the equality matcher says what is meant and "
    "is cheaper for Prometheus. Use = (or !=).")
RATE_ON_GAUGE = Rule(
    "promql/rate-on-gauge", Severity.ERROR, "rate(), irate() or increase() over a non-counter",
    "rate, irate and increase assume a counter: a value that only goes up and resets to zero. "
    "Over a gauge every decrease is taken for a counter reset and the result is nonsense. "
    "Use deriv() or delta() for the change of a gauge, avg_over_time() for its level, or make "
    "the metric a counter (named _total) if it counts events.")
COUNTER_FUNCTION_ON_COUNTER = Rule(
    "promql/gauge-function-on-counter", Severity.WARNING,
    "delta(), idelta(), deriv() or predict_linear() over a counter",
    "These functions are meant for gauges and do not understand counter resets, so every "
    "process restart shows up as a huge negative change. Use rate() or increase().")
COUNTER_READ_RAW = Rule(
    "promql/counter-read-raw", Severity.WARNING, "a counter read without rate() or increase()",
    "A counter's raw value is the total since the process started: it only grows, and drops "
    "to zero on every restart, so thresholds and graphs over it are meaningless. Wrap it in "
    "rate(x[5m]) (per second) or increase(x[1h]) (per window).")
RATE_OF_AGGREGATION = Rule(
    "promql/rate-of-aggregation", Severity.ERROR, "rate() over an aggregation (rate(sum(...)))",
    "Summing counters before rate() hides the resets of the individual counters: one process "
    "restart makes the sum drop and rate() reports a spike. Take the rate first, then "
    "aggregate: sum(rate(x[5m])).")
HISTOGRAM_QUANTILE_NOT_BUCKET = Rule(
    "promql/histogram-quantile-not-bucket", Severity.ERROR,
    "histogram_quantile() over something that is not a histogram's _bucket series",
    "histogram_quantile() reads the cumulative `le` buckets of a histogram. Over any other "
    "series it returns NaN or garbage. Pass the rate of the histogram's _bucket series: "
    "histogram_quantile(0.95, sum by (le) (rate(x_bucket[5m]))).")
HISTOGRAM_QUANTILE_DROPS_LE = Rule(
    "promql/histogram-quantile-drops-le", Severity.ERROR,
    "an aggregation under histogram_quantile() drops the `le` label",
    "histogram_quantile() needs the `le` label of every bucket. An aggregation without `le` "
    "in its by (...) (or with it in without (...)) merges all buckets into one and the "
    "quantile is NaN. Keep it: sum by (le, ...) (rate(x_bucket[5m])).")
RANGE_TOO_SHORT = Rule(
    "promql/range-too-short", Severity.ERROR,
    "a range window shorter than twice the interval its series is sampled at",
    "rate(), increase() and their kin need at least two samples in the window. With a window "
    "below twice the scrape (or evaluation) interval, a single missed or late scrape leaves "
    "one sample and the result disappears. Use at least 2x the interval (4x is safer), or "
    "$__rate_interval in dashboards.")
GRAFANA_INTERVAL = Rule(
    "promql/grafana-interval-in-rate", Severity.WARNING,
    "$__interval used as the window of rate() or increase()",
    "$__interval follows the zoom level and can drop below two scrape intervals, which makes "
    "the panel empty when zoomed in. Grafana's $__rate_interval is never shorter than four "
    "scrape intervals: use it for rate(), irate() and increase().")
DIVISION_IN_AGGREGATION = Rule(
    "promql/division-in-aggregation", Severity.WARNING,
    "a division inside an aggregation, which turns NaN when a divisor is 0",
    "sum(a / b) is NaN as soon as one series has b = 0 (0/0 is NaN, and NaN poisons the "
    "sum), so an alert on it silently stops firing and a panel goes blank for idle series. "
    "Aggregate first, then divide: sum(a) / sum(b).")
EXTERNAL_LABEL = Rule(
    "promql/external-label", Severity.ERROR,
    "a rule matches on an external label, which series do not have when rules run",
    "`external_labels` are added by Prometheus only to what leaves it: alerts sent to "
    "Alertmanager, remote write, federation. The series an alert or recording rule reads "
    "on that Prometheus do not carry them, so `{cluster=\"production\"}` selects nothing "
    "and the alert can never fire (and `cluster!=\"staging\"` filters nothing out). Drop "
    "the matcher: every series of this Prometheus belongs to its own external labels. "
    "Dashboards may query a global view (Thanos, federation) where the labels exist, so "
    "panel queries are not checked.")
DEPRECATED_METRIC = Rule(
    "promql/deprecated-metric", Severity.WARNING, "the expression reads a deprecated metric",
    "The metric is marked deprecated in the catalog and will go away. Move the expression to "
    "the replacement named in the deprecation note.")

RULES = (SYNTAX, UNKNOWN_METRIC, WRONG_SUFFIX, UNKNOWN_LABEL, UNKNOWN_LABEL_VALUE,
         REGEX_WITHOUT_REGEX, RATE_ON_GAUGE, COUNTER_FUNCTION_ON_COUNTER, COUNTER_READ_RAW,
         RATE_OF_AGGREGATION, HISTOGRAM_QUANTILE_NOT_BUCKET, HISTOGRAM_QUANTILE_DROPS_LE,
         RANGE_TOO_SHORT, GRAFANA_INTERVAL, DIVISION_IN_AGGREGATION, DEPRECATED_METRIC,
         EXTERNAL_LABEL)

RATE_FUNCTIONS = frozenset({"rate", "irate", "increase"})
GAUGE_FUNCTIONS = frozenset({"delta", "idelta", "deriv", "predict_linear", "holt_winters",
                             "double_exponential_smoothing"})
# Functions that need two samples in their window to return anything.
TWO_SAMPLE_FUNCTIONS = RATE_FUNCTIONS | GAUGE_FUNCTIONS | frozenset({"resets", "changes"})
# Where reading a counter without rate() is fine: its presence, timestamp or sample count.
_COUNTER_SAFE_FUNCTIONS = RATE_FUNCTIONS | frozenset({
    "resets", "changes", "absent", "absent_over_time", "present_over_time", "count_over_time",
    "timestamp"})
_COUNTER_SAFE_AGGREGATIONS = frozenset({"count", "group", "count_values"})
# Nodes a counter's value passes through on its way up (to a count(), say).
_VALUE_PASSING_KINDS = frozenset({"ParenExpr", "MatrixSelector", "SubqueryExpr",
                                  "AggregateExpr", "BinaryExpr"})
_RELABEL_FUNCTIONS = frozenset({"label_replace", "label_join", "sort", "sort_desc"})
# Aggregations that merge series (and so drop `le` unless it is kept).
_MERGING_AGGREGATIONS = frozenset({"sum", "avg", "min", "max", "count", "group", "stddev",
                                   "stdvar", "quantile", "count_values"})
# Aggregations whose value is NaN as soon as one element is NaN (checked with promtool:
# min and max skip NaN elements, count and group count them, count_values lists "NaN").
_NAN_POISONED_AGGREGATIONS = frozenset({"sum", "avg", "stddev", "stdvar", "quantile"})
# Functions whose result does not carry the values of their argument.
_VALUE_FREE_FUNCTIONS = frozenset({"absent", "absent_over_time", "present_over_time",
                                   "count_over_time", "timestamp", "changes", "resets"})
_REGEX_CHARACTERS = re.compile(r"[.*+?()\[\]{}|^$\\]")
_VARIABLE_IN_VALUE = re.compile(r"\$")


Where = Callable[[], Piece | None]


def _finding(rule: Rule, site: ExprSite, message: str, at: Where | None = None,
             hint: str | None = None, offset: int | None = None) -> Finding:
    """A finding located at the piece `at()` names (positions are computed only now)."""
    site.ensure_located()
    location, end = site.span(at() if at is not None else None, offset)
    return Finding(rule, message, location, hint, site.disabled, end)


def check(context: LintContext) -> Iterator[Finding]:
    for site in context.sites:
        parsed = site.parsed
        if parsed.error is not None:
            yield _finding(SYNTAX, site, f"invalid PromQL in {site.title}: "
                           f"{parsed.error.message}", offset=parsed.error.offset)
            continue
        tree = site.tree
        if tree is None:
            continue
        for node, ancestors in tree.walk():
            if node.kind == "VectorSelector":
                yield from _check_selector(context, site, node, ancestors)
            elif node.kind == "MatrixSelector":
                yield from _check_range(context, site, node, ancestors)
            elif node.kind == "Call":
                yield from _check_call(context, site, node)
            elif node.kind == "AggregateExpr":
                yield from _check_aggregation(context, site, node)
            elif node.kind == "BinaryExpr":
                yield from _check_vector_matching(context, site, node)


# -- selectors ------------------------------------------------------------------------------

def _name_piece(node: SyntaxNode) -> Piece | None:
    if node.name is not None:
        return node.name
    matcher = node.matcher("__name__")
    return matcher.value if matcher else None


def _metric_for_suffix(context: LintContext, name: str) -> Metric | None:
    """A catalog metric `name` was meant to read with a suffix its type lacks."""
    metrics = context.catalog.metrics
    stem, _ = split_series_name(name)
    for candidate in (name, stem):
        for metric in metrics.values():
            if candidate in (metric.name, metric.series.family):
                return metric
    return None


def _unknown_series(context: LintContext, site: ExprSite, node: SyntaxNode,
                    name: str) -> Finding:
    metric = _metric_for_suffix(context, name)

    def piece() -> Piece | None:
        return _name_piece(node)

    if metric is not None:
        exposed = ", ".join(f"`{s}`" for s in metric.series.queryable)
        return _finding(WRONG_SUFFIX, site,
                        f"the {metric.type} `{metric.name}` does not expose `{name}`", piece,
                        f"it exposes {exposed}")
    hint = context.did_you_mean(name) or "define it in the catalog (under `metrics:` or " \
                                          "`recording_rules:`)"
    return _finding(UNKNOWN_METRIC, site, f"unknown metric `{name}` in {site.title}", piece, hint)


def _check_selector(context: LintContext, site: ExprSite, node: SyntaxNode,
                    ancestors: tuple[SyntaxNode, ...]) -> Iterator[Finding]:
    name = selector_metric(node.ast)
    if name is None:
        return
    series = context.resolve(name)
    if series is None:
        yield _unknown_series(context, site, node, name)
        return
    metric = series.metric
    if metric is not None and metric.deprecated:
        note = f": {metric.deprecation_note}" if metric.deprecation_note else ""
        yield _finding(DEPRECATED_METRIC, site, f"`{metric.name}` is deprecated{note}",
                       lambda: _name_piece(node))
    yield from _check_matchers(context, site, node, series)
    if series.is_counter and not _counter_is_rated(node, ancestors):
        yield _finding(COUNTER_READ_RAW, site,
                       f"{series.describe} is read without rate() or increase()",
                       lambda: _name_piece(node),
                       f"use e.g. rate({name}[5m]) or increase({name}[1h])")


def _counter_is_rated(node: SyntaxNode, ancestors: tuple[SyntaxNode, ...]) -> bool:
    """Whether a counter selector is used through rate() or only for its presence.

    Its value may travel through aggregations, arithmetic and relabelling first: in
    `count(sum by (cpu) (x_total))` only the number of series counts, and `x_count > 0`
    asks whether anything was ever counted.
    """
    child = node
    for parent in reversed(ancestors):
        kind = parent.kind
        if kind == "Call" and str(parent.ast.func.name) in _COUNTER_SAFE_FUNCTIONS:
            return True
        if kind == "AggregateExpr" and operator(parent.ast) in _COUNTER_SAFE_AGGREGATIONS:
            return True
        if kind == "BinaryExpr":
            op = operator(parent.ast)
            if op in ("and", "unless") and parent.children[1] is child:
                return True  # the right side of and/unless only filters by labels
            if op in COMPARISONS:
                return _presence_comparison(parent, child)
        elif not (kind in _VALUE_PASSING_KINDS
                  or (kind == "Call" and str(parent.ast.func.name) in _RELABEL_FUNCTIONS)):
            break
        child = parent
    return any(a.kind == "Call" and str(a.ast.func.name) in RATE_FUNCTIONS for a in ancestors)


def _presence_comparison(comparison: SyntaxNode, side: SyntaxNode) -> bool:
    """`x > 0`, `x != 0`, `x == 0`, `x >= 1`: whether anything was ever counted."""
    if comparison.ast.modifier is not None and comparison.ast.modifier.return_bool:
        return False
    left, right = comparison.children
    other = right if left is side else left
    bound = _number(other)
    op = operator(comparison.ast)
    if other is left:  # `0 < x` reads as `x > 0`
        op = {">": "<", "<": ">", ">=": "<=", "<=": ">="}.get(op, op)
    return (bound == 0 and op in (">", "!=", "==")) or (bound == 1 and op == ">=")


def _allowed_values(context: LintContext, series: Series, label: str) -> frozenset[str] | None:
    metric = series.metric
    if metric is not None:
        definition = metric.label(label)
        if definition is not None:
            return frozenset(definition.values) if definition.values is not None else None
    if series.kind is SampleKind.RECORDED or label in ("le", "quantile", "instance"):
        return None
    return context.target_label_values.get(label)


def _regex_matches(pattern: str, value: str) -> bool | None:
    try:
        return re.fullmatch(pattern, value) is not None
    except re.error:
        return None


def _matcher_pieces(node: SyntaxNode, index: int, count: int,
                    label: str) -> MatcherPieces | None:
    """The pieces of the index-th of `count` matchers (by label if they do not pair up)."""
    if len(node.matchers) == count:
        return node.matchers[index]
    return node.matcher(label)


def _check_matchers(context: LintContext, site: ExprSite, node: SyntaxNode,
                    series: Series) -> Iterator[Finding]:
    matchers = selector_matchers(node.ast)
    count = len(matchers)
    for index, (label, op, value) in enumerate(matchers):
        if label == "__name__":
            continue

        def piece(part: str, index: int = index, label: str = label) -> Piece | None:
            pieces = _matcher_pieces(node, index, count, label)
            return getattr(pieces, part) if pieces else _name_piece(node)

        if label in context.external_labels and (series.labels is None
                                                  or label not in series.labels):
            if site.panel is None and series.labels is not None:
                yield _external_label_matcher(context, site, label, op, value,
                                              lambda: piece("label"))
            continue
        if series.labels is not None and label not in series.labels:
            choices = sorted(series.labels)
            yield _finding(UNKNOWN_LABEL, site, f"{series.describe} has no label `{label}`",
                           lambda: piece("label"), context.did_you_mean(label, choices)
                           or f"its labels: {', '.join(choices) or 'none'}")
            continue
        if op in ("=~", "!~") and not _REGEX_CHARACTERS.search(value):
            plain = "=" if op == "=~" else "!="
            yield _finding(REGEX_WITHOUT_REGEX, site,
                           f"`{label}{op}\"{value}\"` has no regex in it",
                           lambda: piece("operator"), f"use `{label}{plain}\"{value}\"`")
        allowed = _allowed_values(context, series, label)
        if allowed is None or _VARIABLE_IN_VALUE.search(value):
            continue
        listed = ", ".join(sorted(allowed))
        if op in ("=", "!=") and value not in allowed:
            effect = "selects nothing" if op == "=" else "filters nothing out"
            yield _finding(UNKNOWN_LABEL_VALUE, site,
                           f"`{value}` is not a value of label `{label}` (this matcher "
                           f"{effect})", lambda: piece("value"),
                           context.did_you_mean(value, sorted(allowed)) or f"values: {listed}")
        elif (op == "=~" and not any(_regex_matches(value, v) for v in allowed)
              and all(_regex_matches(value, v) is not None for v in allowed)):
            yield _finding(UNKNOWN_LABEL_VALUE, site,
                           f"`{label}=~\"{value}\"` matches none of the values of label "
                           f"`{label}` (this matcher selects nothing)", lambda: piece("value"),
                           f"values: {listed}")


def _external_label_matcher(context: LintContext, site: ExprSite, label: str, op: str,
                            value: str, at: Where) -> Finding:
    # A label a series lacks reads as "": the matcher keeps all series or none.
    matches_empty = (value == "" if op == "=" else value != "" if op == "!="
                     else _regex_matches(value, "") if op == "=~"
                     else not _regex_matches(value, ""))
    effect = "filters nothing out" if matches_empty else "selects nothing"
    own = context.external_labels[label]
    return _finding(EXTERNAL_LABEL, site,
                    f"`{label}` is an external label (`{label}: {own}`): the series "
                    f"{site.title} reads do not have it, so `{label}{op}\"{value}\"` "
                    f"{effect}", at,
                    "drop the matcher; external labels are added to alerts as they are sent "
                    f"(read it in templates as {{{{ $externalLabels.{label} }}}})")


# -- ranges and functions -------------------------------------------------------------------

def _check_range(context: LintContext, site: ExprSite, node: SyntaxNode,
                 ancestors: tuple[SyntaxNode, ...]) -> Iterator[Finding]:
    parent = ancestors[-1] if ancestors else None
    if parent is None or parent.kind != "Call":
        return
    function = str(parent.ast.func.name)
    if function not in TWO_SAMPLE_FUNCTIONS:
        return
    seconds = node.ast.range.total_seconds()
    variable = site.parsed.offsets.for_duration(seconds)
    if variable is not None:
        if function in RATE_FUNCTIONS and variable.name == "__interval":
            written = site.expr[variable.original_start:variable.original_end]
            yield _finding(GRAFANA_INTERVAL, site,
                           f"{function}() over {written}, which can be shorter than two "
                           "scrapes", lambda: node.range, "use $__rate_interval")
        return
    selector = node.children[0]
    name = selector_metric(selector.ast)
    series = context.resolve(name) if name is not None else None
    equalities = {label: (op, value) for label, op, value in selector_matchers(selector.ast)
                  if op == "="}
    interval, source = context.interval_for(series, equalities)
    if seconds < 2 * interval:
        from metricsctl.catalog.durations import format_duration

        yield _finding(RANGE_TOO_SHORT, site,
                       f"{function}() over a {format_duration(seconds)} window: shorter than "
                       f"twice {source}", lambda: node.range,
                       f"use at least [{format_duration(2 * interval)}], better "
                       f"[{format_duration(4 * interval)}]")


def _selectors_under(node: SyntaxNode) -> list[SyntaxNode]:
    return [n for n, _ in node.walk() if n.kind == "VectorSelector"]


def _check_call(context: LintContext, site: ExprSite, node: SyntaxNode) -> Iterator[Finding]:
    function = str(node.ast.func.name)
    if function in RATE_FUNCTIONS | GAUGE_FUNCTIONS and node.children:
        argument = node.children[0]
        if argument.kind == "SubqueryExpr":
            inner = unwrap_parens(argument.children[0].ast)
            if function in RATE_FUNCTIONS and type(inner).__name__ == "AggregateExpr":
                yield _finding(RATE_OF_AGGREGATION, site,
                               f"{function}() over {operator(inner)}(...): counter resets "
                               "are lost before the rate is taken", lambda: node.name,
                               f"take the rate first: {operator(inner)}({function}(x[5m]))")
            return
        if argument.kind != "MatrixSelector":
            return
        selector = argument.children[0]
        name = selector_metric(selector.ast)
        series = context.resolve(name) if name is not None else None
        if series is None or series.kind is SampleKind.RECORDED:
            return
        if function in RATE_FUNCTIONS and not series.is_counter:
            yield _finding(RATE_ON_GAUGE, site, f"{function}() over {series.describe}",
                           lambda: _name_piece(selector) or node.name,
                           "rate() is for counters; use deriv() or delta() for a gauge")
        elif function in GAUGE_FUNCTIONS and series.is_counter:
            yield _finding(COUNTER_FUNCTION_ON_COUNTER, site,
                           f"{function}() over {series.describe}",
                           lambda: node.name, "use rate() or increase() for a counter")
    elif function == "histogram_quantile" and len(node.children) == 2:
        yield from _check_histogram_quantile(context, site, node.children[1])


def _check_histogram_quantile(context: LintContext, site: ExprSite,
                              argument: SyntaxNode) -> Iterator[Finding]:
    selectors = []
    for selector in _selectors_under(argument):
        name = selector_metric(selector.ast)
        series = context.resolve(name) if name is not None else None
        selectors.append((selector, series))
    if any(series is None or series.kind is SampleKind.RECORDED for _, series in selectors):
        return  # unknown or recorded input: reported elsewhere or not knowable
    if selectors and not any(s is not None and s.kind is SampleKind.BUCKET
                             for _, s in selectors):
        selector, series = selectors[0]
        assert series is not None
        yield _finding(HISTOGRAM_QUANTILE_NOT_BUCKET, site,
                       f"histogram_quantile() over {series.describe}, not a histogram's "
                       "_bucket series", lambda: _name_piece(selector),
                       _bucket_hint(context, series))
        return
    for node in _le_sources(argument):
        if node.kind != "AggregateExpr" or operator(node.ast) not in _MERGING_AGGREGATIONS:
            continue
        modifier = node.ast.modifier
        labels = set(modifier.labels) if modifier is not None else set()
        keeps_by = modifier is not None and str(modifier.type).endswith("By")
        kept = ", ".join(["le", *sorted(labels)]) if keeps_by else "le"
        yield _finding(HISTOGRAM_QUANTILE_DROPS_LE, site,
                       f"`{operator(node.ast)}` drops the `le` label histogram_quantile() needs",
                       lambda node=node: node.name,  # type: ignore[misc]
                       f"keep it: {operator(node.ast)} by ({kept}) (...)")


def _drops_le(node: SyntaxNode) -> bool:
    modifier = node.ast.modifier
    if modifier is None:
        return True
    labels = set(modifier.labels)
    return ("le" in labels) != str(modifier.type).endswith("By")


def _le_sources(node: SyntaxNode) -> Iterator[SyntaxNode]:
    """The aggregations that drop `le` on the way from the series to `node`'s result.

    Only the nodes the result's labels come from count: the left side of `and`/`unless`,
    the "many" side of group_left/group_right (the other side only adds the labels it
    names), the vector side of an operation with a number. In a one-to-one match without
    on/ignoring both sides must have the same labels, so a drop on either side counts.
    """
    kind = node.kind
    if kind == "AggregateExpr":
        name = operator(node.ast)
        if name in _MERGING_AGGREGATIONS and _drops_le(node):
            yield node
            return
        yield from _le_sources(node.children[-1])
    elif kind == "BinaryExpr":
        left, right = node.children
        modifier = node.ast.modifier
        card = str(modifier.card) if modifier is not None else ""
        if _is_scalar(left) or card.endswith("OneToMany"):
            yield from _le_sources(right)
        elif (_is_scalar(right) or operator(node.ast) in ("and", "unless")
              or card.endswith("ManyToOne")
              or (modifier is not None and modifier.matching is not None)):
            yield from _le_sources(left)
        else:
            yield from _le_sources(left)
            yield from _le_sources(right)
    elif kind == "Call":
        vector = next((c for c in node.children
                       if c.kind not in ("NumberLiteral", "StringLiteral")), None)
        if vector is not None and str(node.ast.func.name) != "histogram_quantile":
            yield from _le_sources(vector)
    elif node.children:
        yield from _le_sources(node.children[0])


def _bucket_hint(context: LintContext, series: Series) -> str:
    metric = series.metric
    if metric is not None and metric.series.bucket is not None:
        return f"use rate({metric.series.bucket}[5m])"
    histograms = [m.series.bucket for m in context.catalog.metrics.values() if m.series.bucket]
    if histograms:
        return "histogram_quantile() needs a histogram, e.g. " + ", ".join(histograms[:3])
    return "export a histogram for this measurement"


# -- aggregations and vector matching -------------------------------------------------------

def _unknown_grouping(context: LintContext, site: ExprSite, node: SyntaxNode, label: str,
                      available: frozenset[str], what: str) -> Finding:
    choices = sorted(available)
    return _finding(UNKNOWN_LABEL, site, f"`{label}` is not a label of {what}",
                    lambda: node.label_piece(label) or node.name,
                    context.did_you_mean(label, choices)
                    or f"its labels: {', '.join(choices) or 'none'}")


def _check_aggregation(context: LintContext, site: ExprSite,
                       node: SyntaxNode) -> Iterator[Finding]:
    name = operator(node.ast)
    modifier = node.ast.modifier
    if modifier is not None:
        inner = output_labels(node.children[-1], context)
        if inner is not None:
            for label in modifier.labels:
                if label not in inner and label not in ("__name__", *context.external_labels):
                    yield _unknown_grouping(context, site, node, label, inner,
                                            f"what `{name}` aggregates")
    if name not in _NAN_POISONED_AGGREGATIONS:
        return
    for division in _nan_divisions(node.children[-1]):
        yield _finding(DIVISION_IN_AGGREGATION, site,
                       f"division inside `{name}`: a zero divisor makes the whole "
                       f"{name} NaN", lambda node=division: node.name,  # type: ignore[misc]
                       f"divide after aggregating: {name}(a) / {name}(b)")


def _nan_divisions(node: SyntaxNode) -> Iterator[SyntaxNode]:
    """The divisions whose NaN (0/0) can reach the value of `node`.

    A comparison drops NaN (NaN > 0 is false; with `bool` it is 0), except a filtering
    `!=`, which keeps its left side's NaN; `and`/`unless` take their values from the left
    side only. An inner aggregation is checked on its own.
    """
    kind = node.kind
    if kind == "AggregateExpr":
        return
    if kind == "Call" and str(node.ast.func.name) in _VALUE_FREE_FUNCTIONS:
        return
    if kind == "BinaryExpr":
        op = operator(node.ast)
        modifier = node.ast.modifier
        left, right = node.children
        if op in COMPARISONS:
            if op == "!=" and not (modifier is not None and modifier.return_bool):
                yield from _nan_divisions(right if _is_scalar(left) else left)
            return
        if op in ("and", "unless"):
            yield from _nan_divisions(left)
            return
        if op == "/" and not _never_zero(right):
            yield node
    for child in node.children:
        yield from _nan_divisions(child)


def _never_zero(divisor: SyntaxNode) -> bool:
    """A divisor that cannot be 0: a number, `x > 0`, `x != 0`, clamp_min(x, 1)..."""
    inner = divisor
    while inner.kind == "ParenExpr":
        inner = inner.children[0]
    if _is_scalar(inner):
        return True
    if inner.kind == "BinaryExpr" and not (inner.ast.modifier is not None
                                           and inner.ast.modifier.return_bool):
        bound = _number(inner.children[1])
        op = operator(inner.ast)
        return bound is not None and ((op == ">" and bound >= 0) or (op == ">=" and bound > 0)
                                      or (op == "!=" and bound == 0))
    if inner.kind == "Call" and str(inner.ast.func.name) in ("clamp_min", "clamp"):
        low = _number(inner.children[1]) if len(inner.children) > 1 else None
        return low is not None and low > 0
    return False


def _number(node: SyntaxNode) -> float | None:
    return float(node.ast.val) if node.kind == "NumberLiteral" else None


def _is_scalar(node: SyntaxNode) -> bool:
    inner = node
    while inner.kind in ("ParenExpr", "UnaryExpr"):
        inner = inner.children[0]
    if inner.kind == "NumberLiteral":
        return True
    return inner.kind == "Call" and str(inner.ast.func.name) in ("scalar", "time", "vector")


def _check_vector_matching(context: LintContext, site: ExprSite,
                           node: SyntaxNode) -> Iterator[Finding]:
    modifier = node.ast.modifier
    if modifier is None:
        return
    left, right = (output_labels(child, context) for child in node.children)
    if modifier.matching is not None and left is not None and right is not None:
        both = left | right
        for label in modifier.matching.labels:
            if label not in both and label not in context.external_labels:
                yield _unknown_grouping(context, site, node, label, both,
                                        "either side of the operator")
    group_labels = modifier.group_labels or ()
    one_side = right if str(modifier.card).endswith("ManyToOne") else left
    if one_side is not None:
        for label in group_labels:
            if label not in one_side and label not in context.external_labels:
                yield _unknown_grouping(context, site, node, label, one_side,
                                        "the side it is copied from")
