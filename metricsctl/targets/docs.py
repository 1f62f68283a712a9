"""Metric docs: `docs/metrics.md`, the catalog as a reference page for humans.

Per domain: its labels, a table of metrics (type, unit, labels with their values or bound,
series estimate, help, which dashboards, recording rules and alerts read it), its recording
rules and dashboards; then every alert with severity, condition, `for` and runbook.

Which entries read a metric is found by parsing their PromQL (`expr_references`) and mapping
each series name to the metric exposing it (`Metric.series`); a recording rule passes on
what it reads to the alerts and panels that use its output. All catalog text goes through
the `md` (text) or `code` (code span) filters, so nothing can break a table.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from metricsctl.catalog.cardinality import estimate_metric
from metricsctl.promql.queries import panel_queries
from metricsctl.targets.templating import spec_file, spec_files, template_environment

if TYPE_CHECKING:
    from metricsctl.catalog.model import Alert, Catalog, Dashboard, Label, Metric, Panel

NAME = "docs"
DESCRIPTION = "Metric reference in Markdown (docs/metrics.md)"
OUTPUT = "docs/metrics.md"
TEMPLATE = "docs_metrics.md.j2"

# HTML's own characters become entities (`&lt;`: no renderer reads a tag or an entity into
# them, and the file never holds `<script>`); Markdown punctuation is backslash-escaped.
_HTML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_TEXT_SPECIALS = re.compile(r"([\\`*_\[\]|~$])")
_LINE_START_SPECIALS = re.compile(r"^(\d*)([#+\-=>.)])")
# C0/C1 control characters (tab and line breaks aside) would make the file binary to git;
# CommonMark shows U+FFFD for NUL anyway.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")
_CODE_SPECIALS = re.compile(r"[|`\x00-\x1f\x7f-\x9f]")
# What could start a tag or an entity: such code goes in a <code> element, as entities.
_HTML_LIKE = re.compile(r"<[A-Za-z/!?]|&[A-Za-z#]")
# Inside <code>, text is Markdown again: every character that could be markup (or split a
# table cell) is written as a numeric character reference.
_CODE_ELEMENT_ESCAPES = str.maketrans({
    "&": "&amp;", "<": "&lt;", ">": "&gt;", "|": "&#124;", "`": "&#96;", "*": "&#42;",
    "_": "&#95;", "[": "&#91;", "]": "&#93;", "\\": "&#92;", "~": "&#126;", "$": "&#36;"})
_NAME_TOKEN = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")


def md_text(text: str, *, breaks: bool = True) -> str:
    """Text for a Markdown table cell or paragraph: no markup, HTML or cell break survives.

    Markdown punctuation is backslash-escaped, line breaks become `<br>` (or spaces when
    `breaks` is off, for paragraphs), and a block marker at the start is neutralised.
    """
    lines = [" ".join(line.split()) for line in _CONTROL.sub("\ufffd", text).splitlines()]
    escaped = [_TEXT_SPECIALS.sub(r"\\\1", line.translate(_HTML_ESCAPES))
               for line in lines if line]
    # a list item, heading or quote marker at the start of a paragraph line stays text
    escaped = [_LINE_START_SPECIALS.sub(r"\1\\\2", line, count=1) for line in escaped]
    return ("<br>" if breaks else " ").join(escaped)


def md_code(text: str) -> str:
    """Code for a table cell: one line, pipes escaped, fenced past any backticks.

    A code span shows its text literally in every renderer; text that looks like HTML
    (`<script>`, `&amp;`) goes in a `<code>` element as entities instead, so that the file
    itself never holds a tag from the catalog.
    """
    if _CODE_SPECIALS.search(text) is None and _HTML_LIKE.search(text) is None:
        return f"`{text.strip()}`" if text.strip() else ""  # a name or a plain expression
    flat = re.sub(r"[ \t]*[\r\n]+[ \t]*", " ", _CONTROL.sub("\ufffd", text).strip())
    if not flat:
        return ""
    if _HTML_LIKE.search(flat) is not None:
        return f"<code>{flat.translate(_CODE_ELEMENT_ESCAPES)}</code>"
    flat = flat.replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    padded = f" {flat} " if flat.startswith("`") or flat.endswith("`") else flat
    return f"{fence}{padded}{fence}"


def md_url(url: str) -> str:
    """A link destination: characters that end a link or a cell are percent-encoded."""
    return urllib.parse.quote(url.strip(), safe=":/?#[]@!$&'*+,;=%~-._")


def anchor(kind: str, name: str) -> str:
    """An HTML id for an entry; catalog names are restricted to [A-Za-z0-9_:-]."""
    return f"{kind}-" + re.sub(r"[^A-Za-z0-9_:-]", "-", name)


@dataclass(frozen=True, slots=True)
class Reference:
    """One entry that reads a metric: a dashboard (with the panels), a rule or an alert."""

    kind: str  # dashboard | rule | alert
    name: str  # what the link shows: a dashboard title, a rule or alert name
    anchor: str
    details: tuple[str, ...] = ()  # panel titles, in dashboard order
    uid: str | None = None  # a dashboard's uid


@dataclass(slots=True)
class Usage:
    """What reads one metric (or one recording rule's output)."""

    panels: dict[str, list[str]] = field(default_factory=dict)  # dashboard uid -> titles
    rules: list[str] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)


class MetricIndex:
    """Maps series names (as written in PromQL) to the catalog metric that exposes them."""

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self._series: dict[str, str] = {}
        for metric in catalog.metrics.values():
            for name in (metric.name, *metric.series.samples):
                self._series.setdefault(name, metric.name)
        self._rule_reads = {name: self._names_in(rule.expr)
                            for name, rule in catalog.recording_rules.items()}

    def _names_in(self, expr: str) -> frozenset[str]:
        """Series names `expr` reads; a token scan against known names if it does not parse."""
        from metricsctl.promql.references import expr_references

        references = expr_references(expr)
        if references is not None:
            return references.metrics
        known = self._series.keys() | self._catalog.recording_rules.keys()
        return frozenset(token for token in _NAME_TOKEN.findall(expr) if token in known)

    def direct_rules(self, expr: str) -> list[str]:
        """Recording rules whose output `expr` reads."""
        return sorted(name for name in self._names_in(expr)
                      if name in self._catalog.recording_rules)

    def metrics_in(self, expr: str) -> set[str]:
        """Catalog metrics `expr` reads, directly or through recording rules."""
        return self._resolve(self._names_in(expr), set())

    def _resolve(self, names: Iterable[str], visiting: set[str]) -> set[str]:
        metrics: set[str] = set()
        for name in names:
            if name in self._series:
                metrics.add(self._series[name])
            elif name in self._rule_reads and name not in visiting:
                metrics |= self._resolve(self._rule_reads[name], visiting | {name})
        return metrics

    def rule_metrics(self, rule: str) -> set[str]:
        return self._resolve(self._rule_reads.get(rule, frozenset()), {rule})


def panel_metrics(catalog: Catalog, index: MetricIndex, dashboard: Dashboard,
                  panel: Panel) -> set[str]:
    """Catalog metrics a panel reads (derived panels name theirs exactly)."""
    if panel.metric is not None:
        return {panel.metric} if panel.metric in catalog.metrics else set()
    found: set[str] = set()
    for query in panel_queries(catalog, dashboard, panel):
        found |= index.metrics_in(query.expr)
    return found


def metric_usage(catalog: Catalog, index: MetricIndex) -> dict[str, Usage]:
    """For every metric: the panels, recording rules and alerts that read it."""
    usage = {name: Usage() for name in catalog.metrics}
    for dashboard in catalog.dashboards.values():
        for panel in dashboard.all_panels():
            for name in sorted(panel_metrics(catalog, index, dashboard, panel)):
                titles = usage[name].panels.setdefault(dashboard.uid, [])
                if panel.title not in titles:
                    titles.append(panel.title)
    for rule in catalog.recording_rules:
        for name in sorted(index.rule_metrics(rule)):
            usage[name].rules.append(rule)
    for alert in catalog.alerts.values():
        for name in sorted(index.metrics_in(alert.expr)):
            usage[name].alerts.append(alert.name)
    return usage


@dataclass(frozen=True, slots=True)
class LabelDoc:
    name: str
    allowed: str  # Markdown, escaped
    description: str
    defined_in: str


@dataclass(frozen=True, slots=True)
class MetricDoc:
    metric: Metric
    labels: tuple[LabelDoc, ...]
    samples: tuple[str, ...]  # exposed sample names, when they differ from the name
    series: str
    used_by: tuple[Reference, ...]


@dataclass(frozen=True, slots=True)
class AlertDoc:
    alert: Alert
    metrics: tuple[str, ...]
    rules: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DashboardDoc:
    dashboard: Dashboard
    folder: str | None
    panel_count: int
    metrics: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DomainDoc:
    name: str
    title: str
    description: str
    owner: str | None
    file: str
    labels: tuple[LabelDoc, ...]
    metrics: tuple[MetricDoc, ...]
    rules: tuple[tuple[str, str, str, tuple[str, ...]], ...]  # name, expr, description, reads
    dashboards: tuple[DashboardDoc, ...]
    alerts: tuple[AlertDoc, ...]


@lru_cache(maxsize=4096)  # shared labels are documented once per metric using them
def allowed_values(label: Label) -> str:
    """`` `a`, `b` ``, `at most 30 values` or `unbounded` (Markdown)."""
    if label.values is not None:
        return ", ".join(md_code(value) for value in label.values)
    if label.max_cardinality is not None:
        return f"at most {label.max_cardinality} values"
    return "**unbounded**"


def _label_doc(label: Label, domain: str) -> LabelDoc:
    where = {"project": "project", "metric": "metric"}.get(label.scope, f"domain {label.scope}")
    if label.scope == domain:
        where = "this domain"
    return LabelDoc(label.name, allowed_values(label), label.description, where)


def _series_text(metric: Metric) -> str:
    estimate = estimate_metric(metric)
    if estimate.series is None:
        return "unbounded (" + ", ".join(md_code(name) for name in estimate.unbounded) + ")"
    return f"{estimate.series:,}"


def _in_catalog_order(position: dict[str, int], names: set[str]) -> tuple[str, ...]:
    # Sorting by position keeps this linear in the catalog: filtering every catalog metric
    # through `index.metrics_in(expr)` re-parsed the expression once per metric (43 s for
    # 1,000 alerts x 2,000 metrics; see bench/bench_generate.py).
    return tuple(sorted((name for name in names if name in position), key=position.__getitem__))


def build_docs(catalog: Catalog) -> list[DomainDoc]:
    """The view of the catalog the template renders, domain by domain."""
    index = MetricIndex(catalog)
    usage = metric_usage(catalog, index)
    position = {name: number for number, name in enumerate(catalog.metrics)}
    domains = []
    for domain in catalog.domains.values():
        metrics = catalog.metrics_in(domain.name)
        labels: dict[tuple[str, str], LabelDoc] = {}
        for metric in metrics:
            for label in metric.labels:
                if label.scope != "metric":
                    labels.setdefault((label.scope, label.name), _label_doc(label, domain.name))
        metric_docs = []
        for metric in metrics:
            used = usage[metric.name]
            samples = metric.series.queryable
            references = [
                *(Reference("dashboard", catalog.dashboards[uid].title, anchor("dashboard", uid),
                            tuple(titles), uid) for uid, titles in used.panels.items()),
                *(Reference("rule", rule, anchor("rule", rule)) for rule in used.rules),
                *(Reference("alert", alert, anchor("alert", alert)) for alert in used.alerts)]
            metric_docs.append(MetricDoc(
                metric,
                tuple(_label_doc(label, domain.name) for label in metric.labels),
                samples if samples != (metric.name,) else (),
                _series_text(metric), tuple(references)))
        rules = tuple((rule.name, rule.expr, rule.description,
                       tuple(sorted(index.rule_metrics(rule.name))))
                      for rule in catalog.recording_rules_in(domain.name))
        dashboards = []
        for dashboard in catalog.dashboards_in(domain.name):
            read: set[str] = set()
            panels = list(dashboard.all_panels())
            for panel in panels:
                read |= panel_metrics(catalog, index, dashboard, panel)
            folder_uid = dashboard.folder or catalog.project.folder
            folder = catalog.project.folders.get(folder_uid) if folder_uid else None
            dashboards.append(DashboardDoc(
                dashboard, folder.title if folder else folder_uid, len(panels),
                _in_catalog_order(position, read)))
        alerts = tuple(AlertDoc(alert, _in_catalog_order(position, index.metrics_in(alert.expr)),
                                tuple(index.direct_rules(alert.expr)))
                       for alert in catalog.alerts_in(domain.name))
        domains.append(DomainDoc(
            domain.name, domain.title or domain.name, domain.description, domain.owner,
            spec_file(catalog, domain.file), tuple(labels.values()), tuple(metric_docs),
            rules, tuple(dashboards), alerts))
    return domains


def render_docs(catalog: Catalog) -> str:
    environment = template_environment({"md": md_text, "code": md_code, "url": md_url,
                                        "anchor": anchor})
    domains = build_docs(catalog)
    return environment.get_template(TEMPLATE).render(
        project=catalog.project, specs=spec_files(catalog), domains=domains,
        alerts=[alert for domain in domains for alert in domain.alerts],
        dashboards=catalog.dashboards)


def render(catalog: Catalog) -> dict[str, str]:
    """`docs/metrics.md`."""
    return {OUTPUT: render_docs(catalog)}
