"""Alert and rule hygiene: conditions that always fire, missing `for` and annotations,
templates Prometheus would refuse, `$value` in labels, absolute error thresholds, slow rule
groups and duplicated rules."""

from __future__ import annotations

import re
from collections.abc import Iterator

from metricsctl.catalog.durations import parse_duration
from metricsctl.catalog.model import Alert, SourceRef
from metricsctl.diagnostics import Severity
from metricsctl.lint.context import ALERT_SERIES, ExprSite, LintContext, SampleKind
from metricsctl.lint.go_template import check_template
from metricsctl.lint.label_sets import output_labels
from metricsctl.lint.rule import Finding, Rule
from metricsctl.promql.references import selector_matchers, selector_metric
from metricsctl.promql.syntax_tree import SyntaxNode
from metricsctl.promql.walk import COMPARISONS, operator

NO_COMPARISON = Rule(
    "alert/no-comparison", Severity.WARNING, "an alert expression without a condition",
    "An alert fires for every series its expression returns. Without a comparison "
    "(`> 0.05`), a filter by another expression (`and`, `unless`), an absent() or a "
    "filtered recording rule, it fires whenever the metric exists, that is always. Add the "
    "threshold the alert is about.")
MISSING_FOR = Rule(
    "alert/missing-for", Severity.WARNING, "an alert without `for`",
    "Without `for`, a single evaluation over the threshold pages someone, so every scrape "
    "hiccup or short spike becomes an alert. Set `for:` to how long the condition must hold "
    "(a few evaluation intervals at least, e.g. 5m).")
ABSENT_WITHOUT_FOR = Rule(
    "alert/absent-without-for", Severity.WARNING, "an absent() alert without `for`",
    "absent() is true as soon as one evaluation finds no series, which happens on every "
    "restart, deploy or slow scrape. Give the alert a `for:` of several scrape intervals "
    "(e.g. 5m).")
MISSING_ANNOTATION = Rule(
    "alert/missing-annotation", Severity.WARNING,
    "an alert without a required annotation (summary, description, runbook_url)",
    "Whoever is paged needs to know what broke (summary), how bad it is (description, with "
    "{{ $value }}) and what to do (runbook_url). The annotations every alert must have are "
    "set by `lint.required_annotations` in the project file.")
VALUE_IN_LABELS = Rule(
    "alert/value-in-labels", Severity.ERROR, "$value used in an alert label",
    "Labels identify an alert. With $value in a label, every evaluation creates a new alert "
    "identity: the old one resolves, a new one fires, notifications never stop and `for` "
    "never completes. Put $value in an annotation (description) instead.")
TEMPLATE_SYNTAX = Rule(
    "alert/template-syntax", Severity.ERROR,
    "an alert label or annotation template that does not parse",
    "Labels and annotations are Go templates; Prometheus refuses the whole rule file when one "
    "does not parse. Fix the template at the position shown: variables are $labels, $value, "
    "$externalLabels and $externalURL, and functions the ones Prometheus documents "
    "(humanize, humanizePercentage, printf...).")
TEMPLATE_UNKNOWN_LABEL = Rule(
    "alert/template-unknown-label", Severity.WARNING,
    "a template reads a label the alert's series does not have",
    "$labels holds the labels of the series the alert expression returns. After an "
    "aggregation only the `by (...)` labels are left, so `{{ $labels.route }}` renders empty "
    "unless the expression keeps `route`. Keep the label in the aggregation or drop it from "
    "the template.")
UNKNOWN_EXTERNAL_LABEL = Rule(
    "alert/unknown-external-label", Severity.WARNING,
    "a template reads an external label the project does not set",
    "$externalLabels holds the project's `external_labels`, the labels this Prometheus adds "
    "to what it sends out. A name that is not among them renders empty (\"the  cluster\"). "
    "Use one of the project's external labels, or add it to `external_labels` in the "
    "project file.")
ABSOLUTE_ERROR_THRESHOLD = Rule(
    "alert/absolute-error-threshold", Severity.WARNING,
    "an alert on an absolute error count or rate where a ratio is meant",
    "A fixed number of errors means something different at 10 and at 10,000 requests per "
    "second: the alert pages on busy days and stays silent on quiet ones. Alert on the error "
    "ratio instead: sum(rate(errors_total[5m])) / sum(rate(requests_total[5m])) > 0.05.")
GROUP_INTERVAL = Rule(
    "alert/group-interval", Severity.WARNING, "alerts evaluated less often than every 5m",
    "Alerts are evaluated once per rule-group interval. Above 5 minutes, alerts fire late "
    "and Prometheus' staleness handling (5m lookback) makes their series flap between "
    "evaluations. Use an interval of 5m or less for groups with alerts.")
DUPLICATE = Rule(
    "rule/duplicate", Severity.WARNING, "two rules that compute the same thing",
    "Two alerts with the same expression, `for` and labels page twice for one problem; two "
    "recording rules with the same expression and labels store the same series twice. Keep "
    "one of them.")

RULES = (NO_COMPARISON, MISSING_FOR, ABSENT_WITHOUT_FOR, MISSING_ANNOTATION, VALUE_IN_LABELS,
         TEMPLATE_SYNTAX, TEMPLATE_UNKNOWN_LABEL, UNKNOWN_EXTERNAL_LABEL,
         ABSOLUTE_ERROR_THRESHOLD, GROUP_INTERVAL, DUPLICATE)

MAX_GROUP_INTERVAL_SECONDS = 300.0
_ERROR_TOKENS = frozenset({"error", "errors", "err", "errs", "failed", "failure", "failures",
                           "fail", "fails", "5xx", "rejected", "exceptions", "exception"})
_STATUS_LABELS = frozenset({"code", "status", "status_code", "http_status", "response_code"})
_SERVER_ERROR_VALUE = re.compile(r"^5")
_TIME_SUFFIXES = ("_timestamp_seconds", "_ttl_seconds", "_time_seconds")


def check(context: LintContext) -> Iterator[Finding]:
    for site in context.sites:
        if site.alert is not None:
            yield from _check_alert(context, site, site.alert)
    yield from _check_group_intervals(context)
    yield from _check_duplicates(context)


def _check_alert(context: LintContext, site: ExprSite, alert: Alert) -> Iterator[Finding]:
    tree = site.tree
    disabled = alert.lint_disable
    location = alert.source.location
    uses_absent = tree is not None and any(
        node.kind == "Call" and str(node.ast.func.name) in ("absent", "absent_over_time")
        for node, _ in tree.walk())
    constant = tree is not None and not _reads_own_series(tree)
    if tree is not None and not constant and not _has_condition(context, tree, 0):
        yield Finding(NO_COMPARISON, f"alert `{alert.name}` has no comparison: it fires for "
                      "every series its expression returns", alert.source.field("expr"),
                      "add a threshold, e.g. `... > 0.05`", disabled)
    no_for = alert.for_ is None or parse_duration(alert.for_) == 0
    if no_for and uses_absent:
        yield Finding(ABSENT_WITHOUT_FOR, f"alert `{alert.name}` uses absent() without `for`",
                      location, "add e.g. `for: 5m`", disabled)
    elif no_for and not constant and not (tree is not None and _time_derived(tree)):
        yield Finding(MISSING_FOR, f"alert `{alert.name}` has no `for`",
                      alert.source.field("for") if alert.for_ is not None else location,
                      "add e.g. `for: 5m`", disabled)
    for name in context.catalog.project.lint.required_annotations:
        if not (getattr(alert, name, None) or alert.annotations.get(name)):
            yield Finding(MISSING_ANNOTATION, f"alert `{alert.name}` has no `{name}`", location,
                          f"add `{name}:`", disabled)
    yield from _check_templates(context, site, alert)
    if tree is not None:
        yield from _check_absolute_thresholds(context, site, tree)


def _reads_own_series(tree: SyntaxNode) -> bool:
    """Whether the expression reads any series but Prometheus' ALERTS. One that does not
    (`vector(1)`, a dead man's switch; an inhibitor over ALERTS) fires by design, at once."""
    return any(node.kind == "VectorSelector"
               and selector_metric(node.ast) not in ALERT_SERIES for node, _ in tree.walk())


def _time_derived(tree: SyntaxNode) -> bool:
    """Whether the alert's conditions are on elapsed or remaining time (`time() - x`, a
    timestamp or TTL gauge): such a value moves steadily, so one evaluation cannot be a
    passing spike."""
    conditions = _top_conditions(tree)
    return bool(conditions) and all(any(_reads_time(side) for side in node.children)
                                    for node in conditions)


def _top_conditions(node: SyntaxNode) -> list[SyntaxNode]:
    """The comparisons that decide whether the alert fires: the outermost ones, joined by
    and/or/unless (a comparison inside an aggregation only picks what is aggregated)."""
    while node.kind == "ParenExpr":
        node = node.children[0]
    if node.kind != "BinaryExpr":
        return []
    op = operator(node.ast)
    if op in ("and", "or", "unless"):
        return [*_top_conditions(node.children[0]), *_top_conditions(node.children[1])]
    return [node] if op in COMPARISONS else []


def _reads_time(node: SyntaxNode) -> bool:
    selectors = []
    for inner, _ in node.walk():
        if inner.kind == "Call" and str(inner.ast.func.name) == "time":
            return True
        if inner.kind == "VectorSelector":
            selectors.append(selector_metric(inner.ast) or "")
    return bool(selectors) and all(name.endswith(_TIME_SUFFIXES) for name in selectors)


def _has_condition(context: LintContext, node: SyntaxNode, depth: int) -> bool:
    """Whether the expression filters its result (so that it does not always fire)."""
    kind = node.kind
    if kind == "BinaryExpr":
        op = operator(node.ast)
        modifier = node.ast.modifier
        if op in COMPARISONS and not (modifier is not None and modifier.return_bool):
            return True
        if op in ("and", "unless"):
            return True  # keeps the left side only where the right side has (or lacks) a match
        left, right = (_has_condition(context, child, depth) for child in node.children)
        return (left and right) if op == "or" else (left or right)
    if kind == "Call" and str(node.ast.func.name) in ("absent", "absent_over_time"):
        return True
    if kind == "VectorSelector":
        # A recording rule's output is filtered when the rule itself has a condition.
        name = selector_metric(node.ast)
        series = context.resolve(name) if name is not None else None
        if series is None or series.rule is None or depth > 10:
            return False
        rule_site = next((s for s in context.sites if s.rule is series.rule), None)
        tree = rule_site.tree if rule_site is not None else None
        return tree is not None and _has_condition(context, tree, depth + 1)
    return any(_has_condition(context, child, depth) for child in node.children)


def _template_fields(alert: Alert) -> Iterator[tuple[tuple[str, ...], str, bool]]:
    """(field path, template, is a label) of every templated field of the alert."""
    for name in ("summary", "description", "runbook_url"):
        value = getattr(alert, name)
        if value is not None:
            yield (name,), value, False
    for name, value in alert.annotations.items():
        yield ("annotations", name), value, False
    for name, value in alert.labels.items():
        yield ("labels", name), value, True


def _check_templates(context: LintContext, site: ExprSite, alert: Alert) -> Iterator[Finding]:
    disabled = alert.lint_disable
    source: SourceRef = alert.source
    available = output_labels(site.tree, context) if site.tree is not None else None
    for path, template, is_label in _template_fields(alert):
        report = check_template(template)
        for problem in report.problems:
            yield Finding(TEMPLATE_SYNTAX, f"template of `{'.'.join(path)}` does not parse: "
                          f"{problem.message}", source.in_scalar(path, problem.offset), None,
                          disabled)
        if is_label:
            for offset in report.value_references:
                yield Finding(VALUE_IN_LABELS, f"label `{path[-1]}` of alert `{alert.name}` "
                              "uses $value", source.in_scalar(path, offset),
                              "move the value to an annotation such as `description`",
                              disabled)
        external = context.external_labels
        for label, offset in report.external_label_references:
            if label not in external:
                known = ", ".join(sorted(external)) or "none"
                yield Finding(UNKNOWN_EXTERNAL_LABEL,
                              f"`{label}` is not an external label of the project, so "
                              f"$externalLabels.{label} renders empty",
                              source.in_scalar(path, offset),
                              f"the project's external labels: {known}", disabled)
        if available is None:
            continue
        for label, offset in report.label_references:
            if label not in available and label in context.external_labels:
                yield Finding(TEMPLATE_UNKNOWN_LABEL,
                              f"`{label}` is an external label, not a label of the series "
                              f"alert `{alert.name}` returns: $labels.{label} renders empty",
                              source.in_scalar(path, offset),
                              f"use {{{{ $externalLabels.{label} }}}}", disabled)
            elif label not in available:
                kept = ", ".join(sorted(available)) or "none"
                yield Finding(TEMPLATE_UNKNOWN_LABEL,
                              f"`{label}` is not a label of the series alert `{alert.name}` "
                              f"returns, so it renders empty", source.in_scalar(path, offset),
                              f"the expression keeps: {kept}", disabled)


def _reads_errors(context: LintContext, node: SyntaxNode) -> bool:
    """Whether `node` reads a count of errors: a counter (or a recorded series) whose name
    or status matcher says errors. A gauge such as `scrape_error` is a state, not a count."""
    for inner, _ in node.walk():
        if inner.kind != "VectorSelector":
            continue
        name = selector_metric(inner.ast) or ""
        series = context.resolve(name) if name else None
        if series is not None and not (series.is_counter or series.kind is SampleKind.RECORDED):
            continue
        if _ERROR_TOKENS & set(name.lower().split("_")):
            return True
        for label, op, value in selector_matchers(inner.ast):
            if label in _STATUS_LABELS and op in ("=", "=~") and _SERVER_ERROR_VALUE.match(value):
                return True
    return False


def _is_ratio(node: SyntaxNode) -> bool:
    return any(inner.kind == "BinaryExpr" and operator(inner.ast) == "/"
               and inner.children[1].kind != "NumberLiteral" for inner, _ in node.walk())


def _check_absolute_thresholds(context: LintContext, site: ExprSite,
                               tree: SyntaxNode) -> Iterator[Finding]:
    for node, _ in tree.walk():
        if node.kind != "BinaryExpr" or operator(node.ast) not in (">", ">=", "=="):
            continue
        left, right = node.children
        if right.kind != "NumberLiteral":
            continue
        threshold = float(right.ast.val)
        if threshold <= 0 or (operator(node.ast) == ">=" and threshold <= 1):
            continue  # "any error at all" is a deliberate absolute condition
        if _reads_errors(context, left) and not _is_ratio(left):
            site.ensure_located()
            location, end = site.span(node.name)
            yield Finding(ABSOLUTE_ERROR_THRESHOLD,
                          f"{site.title} compares an absolute error count with "
                          f"{right.ast.val:g}: it fires on traffic volume, not on failure rate",
                          location, "alert on the ratio of errors to all requests, e.g. "
                          "sum(rate(errors[5m])) / sum(rate(requests[5m])) > 0.05",
                          site.disabled, end)


def _check_group_intervals(context: LintContext) -> Iterator[Finding]:
    domains_with_alerts = {alert.domain for alert in context.catalog.alerts.values()}
    for domain in context.catalog.domains.values():
        interval = domain.rule_group_interval
        if interval is None or domain.name not in domains_with_alerts:
            continue
        if parse_duration(interval) > MAX_GROUP_INTERVAL_SECONDS:
            where = SourceRef(domain.source.document, ()).field("rule_group", "interval")
            yield Finding(GROUP_INTERVAL, f"the alerts of domain `{domain.name}` are evaluated "
                          f"every {interval}, more than 5m apart", where,
                          "use `rule_group: {interval: 1m}` (or anything up to 5m)")


def _normalized(site: ExprSite) -> str | None:
    ast = site.parsed.ast
    return None if ast is None else str(ast)


def _check_duplicates(context: LintContext) -> Iterator[Finding]:
    seen: dict[tuple[object, ...], ExprSite] = {}
    for site in context.sites:
        normalized = _normalized(site)
        if normalized is None or (site.alert is None and site.rule is None):
            continue
        if site.alert is not None:
            key: tuple[object, ...] = ("alert", normalized, site.alert.for_,
                                       tuple(sorted(site.alert.labels.items())),
                                       site.alert.severity)
        else:
            assert site.rule is not None
            key = ("rule", normalized, tuple(sorted(site.rule.labels.items())))
        first = seen.setdefault(key, site)
        if first is site:
            continue
        yield Finding(DUPLICATE, f"{site.title} duplicates {first.title} (defined at "
                      f"{first.source.location}): same expression"
                      + (", `for`, severity and labels" if site.alert else " and labels"),
                      site.source.location, "remove one of them", site.disabled)
