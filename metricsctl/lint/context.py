"""What every lint check needs: the catalog's series and labels, and every expression parsed.

Built once per run. Series names come from the one naming function
(`metricsctl.catalog.naming`); recording-rule outputs, the series SLOs record
(`slo:sli_error:ratio_rate5m`...) and Prometheus' own series (`up`, `ALERTS`, `scrape_*`)
are known too, with the labels each carries.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

from metricsctl.catalog.durations import parse_duration
from metricsctl.catalog.model import (
    Alert,
    Catalog,
    Dashboard,
    Metric,
    Panel,
    RecordingRule,
    SourceRef,
)
from metricsctl.catalog.naming import MetricType
from metricsctl.diagnostics import Location
from metricsctl.promql.parse import ParseResult, parse_promql
from metricsctl.promql.queries import panel_queries
from metricsctl.promql.syntax_tree import Piece, SyntaxNode, locate_tree, syntax_tree

# Series every Prometheus server has for each target, and its alert bookkeeping series.
TARGET_SERIES = frozenset({"up"})
TARGET_SERIES_PREFIX = "scrape_"
ALERT_SERIES = frozenset({"ALERTS", "ALERTS_FOR_STATE"})


class SampleKind(StrEnum):
    """What one sample name of a metric holds."""

    VALUE = "value"  # a gauge, or a summary's quantiles
    TOTAL = "total"  # a counter
    BUCKET = "bucket"
    COUNT = "count"
    SUM = "sum"
    CREATED = "created"
    RECORDED = "recorded"  # a recording rule's output
    BUILTIN = "builtin"  # up, scrape_*, ALERTS


_COUNTER_KINDS = frozenset({SampleKind.TOTAL, SampleKind.BUCKET, SampleKind.COUNT,
                            SampleKind.SUM})


@dataclass(frozen=True, slots=True)
class Series:
    """A series name an expression may read, and what the catalog knows about it."""

    name: str
    kind: SampleKind
    labels: frozenset[str] | None  # None: any label may be present
    metric: Metric | None = None
    rule: RecordingRule | None = None

    @property
    def is_counter(self) -> bool:
        return self.kind in _COUNTER_KINDS

    @property
    def describe(self) -> str:
        """`the gauge `cart_items``, `the histogram bucket series `x_bucket``..."""
        if self.metric is None:
            return f"`{self.name}`"
        if self.kind is SampleKind.VALUE:
            what = ("the summary quantiles" if self.metric.type is MetricType.SUMMARY
                    else f"the {self.metric.type}")
            return f"{what} `{self.name}`"
        if self.kind is SampleKind.TOTAL:
            return f"the counter `{self.name}`"
        return f"`{self.name}` (the {self.kind} series of the {self.metric.type} " \
               f"`{self.metric.name}`)"


@dataclass
class ExprSite:
    """One expression in the catalog: an alert's, a recording rule's or a panel query's."""

    kind: str  # "alert", "recording rule", "panel"
    title: str  # for messages: alert `HighErrorRate`
    expr: str
    domain: str
    source: SourceRef
    expr_field: tuple[str, ...] | None  # None: derived from a metric, located at `metric`
    disabled: frozenset[str]
    alert: Alert | None = None
    rule: RecordingRule | None = None
    panel: Panel | None = None
    dashboard: Dashboard | None = None

    @cached_property
    def parsed(self) -> ParseResult:
        return parse_promql(self.expr)

    @cached_property
    def tree(self) -> SyntaxNode | None:
        """The expression's tree; its positions are filled by `ensure_located`."""
        return syntax_tree(self.parsed)

    @cached_property
    def _located(self) -> bool:
        return self.tree is not None and locate_tree(self.tree, self.parsed)

    def ensure_located(self) -> None:
        """Compute the positions of the tree's nodes (once, when a finding needs them)."""
        _ = self._located

    @property
    def derived(self) -> bool:
        return self.expr_field is None

    def locate(self, offset: int | None) -> Location:
        """The file position of character `offset` of the expression (its start if None)."""
        if self.expr_field is None:
            return self.source.field("metric")
        if offset is None:
            return self.source.field(*self.expr_field)
        return self.source.in_scalar(self.expr_field, offset)

    def span(self, piece: Piece | None, fallback: int | None = None
             ) -> tuple[Location, int | None]:
        """The location of a piece of the expression, and its end column on the same line."""
        if piece is None:
            return self.locate(fallback), None
        start = self.locate(piece.start)
        end = self.locate(piece.end)
        if self.expr_field is None or end.line != start.line or end.column <= start.column:
            return start, None
        return start, end.column


@dataclass
class LintContext:
    catalog: Catalog
    series: dict[str, Series] = field(default_factory=dict)
    target_labels: frozenset[str] = frozenset()
    target_label_values: dict[str, frozenset[str]] = field(default_factory=dict)
    sites: list[ExprSite] = field(default_factory=list)

    @property
    def external_labels(self) -> Mapping[str, str]:
        return self.catalog.project.external_labels

    def resolve(self, name: str) -> Series | None:
        """The series `name` reads, or None when nothing in the catalog produces it."""
        known = self.series.get(name)
        if known is not None:
            return known
        if name in TARGET_SERIES or name.startswith(TARGET_SERIES_PREFIX):
            return Series(name, SampleKind.BUILTIN, self.target_labels)
        if name in ALERT_SERIES:
            return Series(name, SampleKind.BUILTIN, None)
        return None

    def known_names(self) -> list[str]:
        return [*self.series, *sorted(TARGET_SERIES), *sorted(ALERT_SERIES)]

    def did_you_mean(self, name: str, choices: Iterable[str] | None = None) -> str | None:
        pool = list(self.known_names() if choices is None else choices)
        close = difflib.get_close_matches(name, pool, n=1, cutoff=0.6)
        return f"did you mean `{close[0]}`?" if close else None

    def interval_for(self, series: Series | None,
                     matchers: dict[str, tuple[str, str]]) -> tuple[float, str]:
        """The sampling interval of a series and where it comes from, for range windows.

        A recording rule's output is written every evaluation interval of its group; a
        scraped series every scrape interval of its job when a matcher names the job (by
        `job` or by one of a job's static labels), else the project's default.
        """
        project = self.catalog.project
        if series is not None and series.rule is not None:
            domain = self.catalog.domains.get(series.rule.domain)
            interval = (domain.rule_group_interval if domain and domain.rule_group_interval
                        else project.evaluation_interval)
            return parse_duration(interval), f"the evaluation interval of its rule group " \
                                              f"({interval})"
        jobs = project.scrape_jobs
        chosen = None
        job_matcher = matchers.get("job")
        if job_matcher is not None and job_matcher[0] == "=":
            chosen = next((job for job in jobs if job.name == job_matcher[1]), None)
        if chosen is None:
            for label, (operator, value) in matchers.items():
                if operator != "=":
                    continue
                candidates = [job for job in jobs if job.labels.get(label) == value]
                if len(candidates) == 1:
                    chosen = candidates[0]
                    break
        if chosen is not None and chosen.interval is not None:
            return (parse_duration(chosen.interval),
                    f"the scrape interval of job `{chosen.name}` ({chosen.interval})")
        default = project.scrape_interval
        return parse_duration(default), f"the default scrape interval ({default})"


def _metric_series(metric: Metric, target_labels: frozenset[str]) -> list[Series]:
    exposed = metric.series
    base = frozenset(metric.label_names) | target_labels
    result = []
    for name in exposed.samples:
        if name == exposed.bucket:
            kind, labels = SampleKind.BUCKET, base | {"le"}
        elif name == exposed.count:
            kind, labels = SampleKind.COUNT, base
        elif name == exposed.sum:
            kind, labels = SampleKind.SUM, base
        elif name == exposed.created:
            kind, labels = SampleKind.CREATED, base
        elif metric.type is MetricType.COUNTER:
            kind, labels = SampleKind.TOTAL, base
        elif metric.type is MetricType.SUMMARY:
            kind, labels = SampleKind.VALUE, base | {"quantile"}
        else:
            kind, labels = SampleKind.VALUE, base
        result.append(Series(name, kind, labels, metric=metric))
    return result


def _target_labels(catalog: Catalog) -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    """The labels scraping attaches to every series, and their known values.

    External labels are not among them: Prometheus adds those only to what leaves it
    (alerts, remote write, federation), never to the series rules and queries read.
    """
    project = catalog.project
    names = {"job", "instance"}
    values: dict[str, set[str]] = {"job": {job.name for job in project.scrape_jobs}}
    for job in project.scrape_jobs:
        for label, value in job.labels.items():
            names.add(label)
            values.setdefault(label, set()).add(value)
    if not project.scrape_jobs:
        values.pop("job")
    return frozenset(names), {label: frozenset(v) for label, v in values.items()}


def _sites(catalog: Catalog) -> list[ExprSite]:
    sites = [ExprSite("alert", f"alert `{alert.name}`", alert.expr, alert.domain, alert.source,
                      ("expr",), alert.lint_disable, alert=alert)
             for alert in catalog.alerts.values()]
    sites.extend(ExprSite("recording rule", f"recording rule `{rule.name}`", rule.expr,
                          rule.domain, rule.source, ("expr",), rule.lint_disable, rule=rule)
                 for rule in catalog.recording_rules.values())
    for dashboard in catalog.dashboards.values():
        for panel in dashboard.all_panels():
            for query in panel_queries(catalog, dashboard, panel):
                expr_field = None if query.query is None else query.query.expr_field
                sites.append(ExprSite(
                    "panel", f"panel `{panel.title}`", query.expr, dashboard.domain,
                    query.source, expr_field, panel.lint_disable | dashboard.lint_disable,
                    panel=panel, dashboard=dashboard))
    return sites


def _slo_series(catalog: Catalog) -> dict[str, tuple[RecordingRule, frozenset[str]]]:
    """The series the SLOs' generated rules record, each with the labels it may carry: the
    rules' own (sloth_id, sloth_window...) and the SLOs' `by:` dimensions, over every SLO
    that records it."""
    from metricsctl.slo.rules import slo_rule_groups

    found: dict[str, tuple[RecordingRule, frozenset[str]]] = {}
    for slo in catalog.slos.values():
        groups = slo_rule_groups(slo)
        for rule in (*groups.sli, *groups.metadata):
            labels = frozenset(rule.labels) | frozenset(slo.by)
            first, known = found.get(rule.name, (rule, frozenset()))
            found[rule.name] = (first, known | labels)
    return found


def build_context(catalog: Catalog) -> LintContext:
    target_labels, target_values = _target_labels(catalog)
    series: dict[str, Series] = {}
    for metric in catalog.metrics.values():
        for item in _metric_series(metric, target_labels):
            series.setdefault(item.name, item)
    context = LintContext(catalog, series, target_labels, target_values, _sites(catalog))
    for rule in catalog.recording_rules.values():
        series.setdefault(rule.name, Series(rule.name, SampleKind.RECORDED, None, rule=rule))
    for name, (slo_rule, slo_labels) in _slo_series(catalog).items():
        series.setdefault(name, Series(name, SampleKind.RECORDED, slo_labels, rule=slo_rule))
    # Recording-rule outputs carry the labels their expression keeps, plus their own. A rule
    # may read another: repeat until nothing changes (a chain is at most as long as the list).
    from metricsctl.lint.label_sets import output_labels

    rule_sites = [site for site in context.sites if site.rule is not None and site.tree]
    for _ in range(len(rule_sites) + 1):
        changed = False
        for site in rule_sites:
            assert site.rule is not None and site.tree is not None
            kept = output_labels(site.tree, context)
            labels = None if kept is None else kept | frozenset(site.rule.labels)
            if series[site.rule.name].labels != labels:
                series[site.rule.name] = Series(site.rule.name, SampleKind.RECORDED, labels,
                                                rule=site.rule)
                changed = True
        if not changed:
            break
    return context
