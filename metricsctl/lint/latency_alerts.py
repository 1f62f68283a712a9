"""Latency alerts carry a minimum traffic guard: a quantile or an average over a handful of
requests is the latency of those few, and one slow request at night pages someone."""

from __future__ import annotations

from collections.abc import Iterator

from metricsctl.catalog.model import Metric
from metricsctl.catalog.naming import MetricType
from metricsctl.diagnostics import Severity
from metricsctl.lint.context import LintContext, SampleKind, Series
from metricsctl.lint.label_sets import output_labels
from metricsctl.lint.rule import Finding, Rule
from metricsctl.promql.references import selector_metric
from metricsctl.promql.syntax_tree import SyntaxNode
from metricsctl.promql.walk import COMPARISONS, operator

LATENCY_WITHOUT_TRAFFIC_GUARD = Rule(
    "alert/latency-without-traffic-guard", Severity.WARNING,
    "a latency alert without a minimum traffic guard",
    "A quantile (histogram_quantile) or an average (rate(x_sum) / rate(x_count)) of request "
    "latency over a few requests is the latency of those few: at night, on a quiet route or "
    "model, one slow request makes the p95 and pages someone. Fire only while there is "
    "enough traffic for the number to mean something: `... > 2 and on (route) sum by "
    "(route) (rate(x_count[5m])) > 0.1` (at least 30 requests in 5 minutes). Only request "
    "and job latencies are checked (a histogram in seconds whose name says request, "
    "response, handling, query, call, rpc, http, grpc, job, task or completion): the "
    "latency of periodic work such as disk syncs or probes has steady traffic.")

RULES = (LATENCY_WITHOUT_TRAFFIC_GUARD,)

# Name words of a duration whose traffic follows demand (requests, jobs), not a clock.
_DEMAND_WORDS = frozenset({
    "request", "requests", "response", "responses", "handling", "handler", "query",
    "queries", "call", "calls", "rpc", "grpc", "http", "job", "jobs", "task", "tasks",
    "completion", "completions"})
_TIME_UNITS = frozenset({"seconds", "milliseconds"})
_TIME_SUFFIXES = ("_seconds", "_milliseconds")
_MAX_RULE_DEPTH = 5
# The expressions of the catalog's recording rules, by id() of their RecordingRule.
RuleTrees = dict[int, SyntaxNode | None]


def check(context: LintContext) -> Iterator[Finding]:
    trees: RuleTrees = {id(site.rule): site.tree for site in context.sites
                        if site.rule is not None}
    for site in context.sites:
        if site.alert is None or site.tree is None:
            continue
        latency = _latency_nodes(context, trees, site.tree, 0)
        if not latency or _guarded(context, site.tree, latency):
            continue
        node, metric = latency[0]
        site.ensure_located()
        location, end = site.span(node.name)
        yield Finding(LATENCY_WITHOUT_TRAFFIC_GUARD,
                      f"alert `{site.alert.name}` fires on the latency of `{metric.name}` "
                      "however few requests it is measured over", location,
                      f"add a traffic guard, e.g. `{_guard_example(context, node, metric)}`",
                      site.disabled, end)


def _guard_example(context: LintContext, node: SyntaxNode, metric: Metric) -> str:
    """`and on (route) sum by (route) (rate(x_count[5m])) > 0.1`, by the latency's labels."""
    count = metric.series.count or f"{metric.name}_count"
    labels = output_labels(node, context)
    kept = ", ".join(sorted(labels)) if labels else ""
    if not kept:
        return f"and sum(rate({count}[5m])) > 0.1"
    return f"and on ({kept}) sum by ({kept}) (rate({count}[5m])) > 0.1"


def _demand_latency(metric: Metric | None) -> bool:
    """Whether `metric` times requests or jobs (demand-driven traffic)."""
    if metric is None or metric.type not in (MetricType.HISTOGRAM, MetricType.SUMMARY):
        return False
    timed = metric.unit in _TIME_UNITS or metric.name.endswith(_TIME_SUFFIXES)
    return timed and bool(_DEMAND_WORDS & set(metric.name.lower().split("_")))


def _series_read(context: LintContext, node: SyntaxNode) -> Iterator[tuple[SyntaxNode, Series]]:
    for inner, _ in node.walk():
        if inner.kind == "VectorSelector":
            name = selector_metric(inner.ast)
            series = context.resolve(name) if name is not None else None
            if series is not None:
                yield inner, series


def _rule_tree(trees: RuleTrees, series: Series | None) -> SyntaxNode | None:
    """The expression of the catalog recording rule that records `series`, if any."""
    if series is None or series.rule is None:
        return None
    return trees.get(id(series.rule))


def _bucket_metric(context: LintContext, trees: RuleTrees, node: SyntaxNode,
                   depth: int) -> Metric | None:
    """The histogram whose buckets `node` reads (through recording rules too)."""
    for _, series in _series_read(context, node):
        if series.kind is SampleKind.BUCKET and series.metric is not None:
            return series.metric
        if series.kind is SampleKind.RECORDED and depth < _MAX_RULE_DEPTH:
            tree = _rule_tree(trees, series)
            found = _bucket_metric(context, trees, tree, depth + 1) if tree else None
            if found is not None:
                return found
    return None


def _average_metric(context: LintContext, node: SyntaxNode) -> Metric | None:
    """The histogram or summary of `sum / count` when `node` divides one by the other."""
    left, right = node.children
    sums = {s.metric.name for _, s in _series_read(context, left)
            if s.kind is SampleKind.SUM and s.metric is not None}
    for _, series in _series_read(context, right):
        if series.kind is SampleKind.COUNT and series.metric is not None \
                and series.metric.name in sums:
            return series.metric
    return None


def _latency_nodes(context: LintContext, trees: RuleTrees, tree: SyntaxNode, depth: int
                   ) -> list[tuple[SyntaxNode, Metric]]:
    """Every place the expression computes a request latency: histogram_quantile over a
    demand histogram's buckets, an average of one, or a recording rule that does either."""
    found: list[tuple[SyntaxNode, Metric]] = []
    for node, _ in tree.walk():
        metric: Metric | None = None
        if node.kind == "Call" and str(node.ast.func.name) == "histogram_quantile":
            metric = _bucket_metric(context, trees, node, depth)
        elif node.kind == "BinaryExpr" and operator(node.ast) == "/":
            metric = _average_metric(context, node)
        elif node.kind == "VectorSelector" and depth < _MAX_RULE_DEPTH:
            name = selector_metric(node.ast)
            series = context.resolve(name) if name is not None else None
            rule_tree = _rule_tree(trees, series)
            if rule_tree is not None:
                inner = _latency_nodes(context, trees, rule_tree, depth + 1)
                metric = inner[0][1] if inner else None
        if _demand_latency(metric):
            assert metric is not None
            found.append((node, metric))
    return found


def _contains(node: SyntaxNode, targets: set[int]) -> bool:
    return any(id(inner) in targets for inner, _ in node.walk())


def _is_traffic_condition(context: LintContext, node: SyntaxNode) -> bool:
    """Whether `node` holds a comparison over a count of events (`rate(x_count[5m]) > 1`,
    `x_count > 0`, a recorded request rate)."""
    for inner, _ in node.walk():
        if inner.kind != "BinaryExpr" or operator(inner.ast) not in COMPARISONS:
            continue
        for _, series in _series_read(context, inner):
            if series.is_counter or series.kind is SampleKind.RECORDED:
                return True
    return False


def _guarded(context: LintContext, tree: SyntaxNode,
             latency: list[tuple[SyntaxNode, Metric]]) -> bool:
    """Whether an `and` (or `unless`) joins the latency with a traffic condition."""
    targets = {id(node) for node, _ in latency}
    for node, _ in tree.walk():
        if node.kind != "BinaryExpr" or operator(node.ast) not in ("and", "unless"):
            continue
        left, right = node.children
        for side, other in ((left, right), (right, left)):
            if _contains(side, targets) and not _contains(other, targets) \
                    and _is_traffic_condition(context, other):
                return True
    return False
