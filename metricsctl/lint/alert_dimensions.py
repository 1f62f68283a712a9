"""Alerts keep the dimensions the catalog says matter: an alert over a metric whose label is
marked `alert_dimension: true` (per model, per queue) must not aggregate that label away,
or one broken model hides behind the healthy ones."""

from __future__ import annotations

from collections.abc import Iterator

from metricsctl.diagnostics import Severity
from metricsctl.lint.context import ExprSite, LintContext, Series
from metricsctl.lint.label_sets import is_scalar, output_labels
from metricsctl.lint.rule import Finding, Rule
from metricsctl.promql.references import selector_matchers, selector_metric
from metricsctl.promql.syntax_tree import SyntaxNode
from metricsctl.promql.walk import operator

AGGREGATES_AWAY_DIMENSION = Rule(
    "alert/aggregates-away-dimension", Severity.WARNING,
    "an alert aggregates away a label the catalog marks as an alerting dimension",
    "The catalog marks the label `alert_dimension: true`: what goes wrong goes wrong per "
    "value of it (one model, one queue). Summed over all values, a model that fails every "
    "request hides behind the healthy ones until it drags the total over the threshold. "
    "Keep the label in the aggregation (`sum by (model) (...)`), so the alert fires per "
    "value and says which one; pin it with `{model=\"x\"}` when the alert is about one "
    "value. When the total is the point (a budget across all models), disable the rule on "
    "the alert and say why.")

RULES = (AGGREGATES_AWAY_DIMENSION,)


def check(context: LintContext) -> Iterator[Finding]:
    for site in context.sites:
        if site.alert is None or site.tree is None:
            continue
        kept = output_labels(site.tree, context)
        if kept is None:
            continue
        for label in sorted(_dimensions_read(context, site.tree) - kept):
            yield _finding(context, site, site.tree, label)


def _dimension_labels(context: LintContext, series: Series) -> frozenset[str]:
    """The labels of `series` marked as alerting dimensions."""
    if series.metric is not None:
        return frozenset(label.name for label in series.metric.labels
                         if label.alert_dimension)
    if series.rule is None or series.labels is None:
        return frozenset()
    # A recorded series: the labels it keeps, as the project or its domain defines them.
    catalog = context.catalog
    domain = catalog.domains.get(series.rule.domain)
    definitions = {**catalog.project.labels, **(domain.labels if domain else {})}
    return frozenset(name for name in series.labels
                     if (definition := definitions.get(name)) is not None
                     and definition.alert_dimension)


def _value_children(node: SyntaxNode) -> list[SyntaxNode]:
    """The operands whose series make up the result (the right side of `and`/`unless`
    only filters it, and a number carries no labels)."""
    if node.kind == "BinaryExpr" and operator(node.ast) in ("and", "unless"):
        return [node.children[0]]
    if node.kind == "AggregateExpr":
        return [node.children[-1]]
    return [child for child in node.children
            if child.kind not in ("NumberLiteral", "StringLiteral") and not is_scalar(child)]


def _dimensions_read(context: LintContext, node: SyntaxNode) -> frozenset[str]:
    """The alerting dimensions the result is computed from, unless a selector pins them to
    one value (`{model="x"}`)."""
    if node.kind == "VectorSelector":
        name = selector_metric(node.ast)
        series = context.resolve(name) if name is not None else None
        if series is None:
            return frozenset()
        pinned = {label for label, op, _ in selector_matchers(node.ast) if op == "="}
        return _dimension_labels(context, series) - pinned
    found: frozenset[str] = frozenset()
    for child in _value_children(node):
        found |= _dimensions_read(context, child)
    return found


def _drop_site(context: LintContext, node: SyntaxNode, label: str) -> SyntaxNode | None:
    """The node where `label` is lost: the first one on the way down whose operand still
    carries it."""
    for child in _value_children(node):
        if label not in _dimensions_read(context, child):
            continue
        labels = output_labels(child, context)
        if labels is not None and label in labels:
            return node
        return _drop_site(context, child, label)
    return None


def _finding(context: LintContext, site: ExprSite, tree: SyntaxNode, label: str) -> Finding:
    assert site.alert is not None
    where = _drop_site(context, tree, label)
    if where is not None and where.kind == "AggregateExpr":
        how = f"`{operator(where.ast)}` aggregates `{label}` away"
    elif where is not None:
        how = f"the `{operator(where.ast)}` matching drops `{label}`"
    else:
        how = f"`{label}` is lost"
    site.ensure_located()
    location, end = site.span(where.name if where is not None else None)
    return Finding(AGGREGATES_AWAY_DIMENSION,
                   f"{how} in alert `{site.alert.name}`, but the catalog marks `{label}` as an "
                   f"alerting dimension: the alert should fire per {label}", location,
                   f"keep it, e.g. `sum by ({label}) (...)`, or pin it with "
                   f"`{{{label}=\"...\"}}`", site.disabled, end)
