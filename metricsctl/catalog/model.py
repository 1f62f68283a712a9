"""The catalog model: immutable dataclasses every command reads (never raw YAML)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from metricsctl.catalog.naming import ExposedSeries, MetricType, exposed_series
from metricsctl.catalog.yaml_source import PathKey, SourceDocument
from metricsctl.diagnostics import Location

DEFAULT_SEVERITIES = ("info", "warning", "critical")
DEFAULT_REQUIRED_ANNOTATIONS = ("summary", "description", "runbook_url")


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where an entry was written: its document and the path to it inside."""

    document: SourceDocument = field(repr=False, compare=False)
    path: PathKey

    @property
    def file(self) -> str:
        return self.document.path

    @property
    def location(self) -> Location:
        """The entry itself: its key when it is a mapping entry, else its value."""
        return self.document.locate(self.path, key=True)

    def field(self, *sub: str | int, key: bool = False) -> Location:
        """The location of a field of this entry (falls back to the entry)."""
        return self.document.locate((*self.path, *sub), key=key)

    def in_scalar(self, sub: tuple[str | int, ...], offset: int) -> Location:
        """The location of character `offset` inside the string field `sub`."""
        return self.document.locate_in_scalar((*self.path, *sub), offset)

    def has(self, *sub: str | int) -> bool:
        return (*self.path, *sub) in self.document.values


@dataclass(frozen=True, slots=True)
class Label:
    """A label's definition: enumerated values, a cardinality bound, or neither (unbounded)."""

    name: str
    scope: str  # "project", a domain name, or "metric" for an inline definition
    source: SourceRef
    description: str = ""
    values: tuple[str, ...] | None = None
    max_cardinality: int | None = None
    lint_disable: frozenset[str] = frozenset()
    # `alert_dimension: true`: alerts over a metric with this label fire per value of it
    # (per model, per queue); lint reports an alert that aggregates it away.
    alert_dimension: bool = False

    @property
    def cardinality(self) -> int | None:
        """How many values the label can take, when the catalog bounds it."""
        if self.values is not None:
            return len(self.values)
        return self.max_cardinality

    @property
    def bounded(self) -> bool:
        return self.cardinality is not None


@dataclass(frozen=True, slots=True)
class Metric:
    name: str
    type: MetricType
    help: str
    domain: str
    source: SourceRef
    unit: str | None = None
    description: str = ""
    labels: tuple[Label, ...] = ()
    buckets: tuple[float, ...] | None = None
    owner: str | None = None
    deprecated: bool = False
    deprecation_note: str = ""
    renamed_from: tuple[str, ...] = ()
    lint_disable: frozenset[str] = frozenset()
    type_inferred: bool = False  # `inferred: true`: guessed by import, to be confirmed
    total_suffix: bool = True  # `total_suffix: false`: a counter exposed without `_total`

    @property
    def label_names(self) -> tuple[str, ...]:
        return tuple(label.name for label in self.labels)

    def label(self, name: str) -> Label | None:
        return next((label for label in self.labels if label.name == name), None)

    @property
    def series(self) -> ExposedSeries:
        return exposed_series(self.name, self.type, self.total_suffix)


@dataclass(frozen=True, slots=True)
class RecordingRule:
    name: str  # the recorded metric (`record:`, else the entry's key)
    expr: str
    domain: str
    source: SourceRef
    labels: Mapping[str, str] = field(default_factory=dict)
    description: str = ""
    lint_disable: frozenset[str] = frozenset()
    key: str = ""  # the entry's key in the catalog (unique); "": the name


@dataclass(frozen=True, slots=True)
class Alert:
    name: str  # the alert's name in Prometheus (`alert:`, else the entry's key)
    expr: str
    domain: str
    severity: str | None  # None: no severity label
    source: SourceRef
    for_: str | None = None
    keep_firing_for: str | None = None
    summary: str | None = None
    description: str | None = None
    runbook_url: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)
    lint_disable: frozenset[str] = frozenset()
    key: str = ""  # the entry's key in the catalog (unique); "": the name
    # `absent: false` opts out of the absent() companion a single-exporter gauge gets.
    absent_companion: bool = True
    # `panel_link: false` opts out of the __dashboardUid__/__panelId__ annotations.
    panel_link: bool = True
    # Hand-written promtool test cases (as written) for an alert the synthesiser cannot model.
    tests: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class Query:
    expr: str
    source: SourceRef  # the query's own path; its `expr` field is at source.field("expr")
    legend: str | None = None
    instant: bool = False
    format: str = "time_series"
    expr_field: tuple[str, ...] = ("expr",)
    ref_id: str | None = None  # Grafana's refId; None: A, B, ... by position


@dataclass(frozen=True, slots=True)
class Threshold:
    color: str
    value: float | None = None


@dataclass(frozen=True, slots=True)
class Grid:
    """An explicit place on Grafana's 24-column grid (a panel's gridPos)."""

    x: int
    y: int
    w: int
    h: int


@dataclass(frozen=True, slots=True)
class Panel:
    title: str
    type: str
    source: SourceRef
    description: str = ""
    queries: tuple[Query, ...] = ()
    metric: str | None = None
    by: tuple[str, ...] = ()
    quantiles: tuple[float, ...] | None = None
    content: str | None = None
    unit: str | None = None
    decimals: int | None = None
    min: float | None = None
    max: float | None = None
    thresholds: tuple[Threshold, ...] = ()
    stack: bool | str = False
    width: int | None = None
    height: int | None = None
    grid: Grid | None = None  # overrides the automatic layout (and width/height)
    # Grafana fieldConfig.overrides, verbatim.
    overrides: tuple[Mapping[str, Any], ...] = ()
    # Verbatim Grafana panel JSON, deep-merged last into the generated panel.
    grafana: Mapping[str, Any] = field(default_factory=dict)
    lint_disable: frozenset[str] = frozenset()
    # `as_written: true`: no alert thresholds, threshold lines or runbook links derived.
    as_written: bool = False


@dataclass(frozen=True, slots=True)
class Row:
    title: str
    source: SourceRef
    panels: tuple[Panel, ...] = ()
    collapsed: bool = False


@dataclass(frozen=True, slots=True)
class Variable:
    """A dashboard template variable offering the values of a label, or a verbatim one.

    `label` None: the variable is Grafana's variable JSON given in `grafana` (custom,
    interval, textbox, a query of its own...); with a label, `grafana` is deep-merged last
    into the generated variable.
    """

    name: str
    label: str | None
    source: SourceRef
    title: str | None = None
    metric: str | None = None
    multi: bool = True
    include_all: bool = True
    grafana: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Dashboard:
    uid: str
    title: str
    domain: str
    source: SourceRef
    description: str = ""
    folder: str | None = None  # a folder uid; None is Grafana's root ("General")
    tags: tuple[str, ...] = ()
    refresh: str | None = None
    time_from: str = "now-6h"
    variables: tuple[Variable, ...] = ()
    panels: tuple[Panel, ...] = ()  # panels above the first row
    rows: tuple[Row, ...] = ()
    # Verbatim Grafana dashboard JSON, deep-merged last into the generated dashboard.
    grafana: Mapping[str, Any] = field(default_factory=dict)
    lint_disable: frozenset[str] = frozenset()
    # `as_written: true` (import sets it): nothing derived is added, on any of its panels.
    as_written: bool = False

    def all_panels(self) -> Iterator[Panel]:
        yield from self.panels
        for row in self.rows:
            yield from row.panels


@dataclass(frozen=True, slots=True)
class ScrapeJob:
    name: str
    targets: tuple[str, ...]
    source: SourceRef
    labels: Mapping[str, str] = field(default_factory=dict)
    metrics_path: str = "/metrics"
    scheme: str = "http"
    interval: str | None = None
    timeout: str | None = None
    honor_labels: bool = False


@dataclass(frozen=True, slots=True)
class Folder:
    uid: str
    title: str
    source: SourceRef
    parent: str | None = None


@dataclass(frozen=True, slots=True)
class LintSettings:
    rules: Mapping[str, str] = field(default_factory=dict)  # rule id -> off|info|warning|error
    required_annotations: tuple[str, ...] = DEFAULT_REQUIRED_ANNOTATIONS
    metric_budget: int = 10_000
    total_budget: int = 100_000


@dataclass(frozen=True, slots=True)
class TemplateDir:
    """A directory of user templates (docs/templates.md): each `*.j2` file in `path` renders
    to `<out>/<its name without .j2>` in the output directory, as a target of its own."""

    dir: str  # as written: relative to the catalog directory
    path: Path  # resolved, inside the catalog directory
    out: str  # a relative POSIX path under the output directory
    source: SourceRef


@dataclass(frozen=True, slots=True)
class Project:
    name: str
    source: SourceRef
    description: str = ""
    scrape_interval: str = "15s"
    scrape_timeout: str = "10s"
    evaluation_interval: str = "15s"
    datasource: str = "prometheus"
    severities: tuple[str, ...] = DEFAULT_SEVERITIES
    labels: Mapping[str, Label] = field(default_factory=dict)
    grafana_url: str | None = None
    folder: str | None = None
    folders: Mapping[str, Folder] = field(default_factory=dict)
    scrape_jobs: tuple[ScrapeJob, ...] = ()
    alertmanagers: tuple[str, ...] = ()
    external_labels: Mapping[str, str] = field(default_factory=dict)
    lint: LintSettings = field(default_factory=LintSettings)
    templates: tuple[TemplateDir, ...] = ()
    # Labels the scrape jobs attach to every series they collect (e.g. `service`); computed
    # once, as every derived panel query asks.
    target_labels: frozenset[str] = field(init=False, default=frozenset())

    def __post_init__(self) -> None:
        labels = frozenset(name for job in self.scrape_jobs for name in job.labels)
        object.__setattr__(self, "target_labels", labels)


@dataclass(frozen=True, slots=True)
class Domain:
    name: str
    source: SourceRef
    title: str = ""
    description: str = ""
    owner: str | None = None
    labels: Mapping[str, Label] = field(default_factory=dict)
    rule_group_interval: str | None = None
    rule_group_limit: int | None = None
    rule_group_name: str | None = None  # None: the domain name
    rule_group_query_offset: str | None = None

    @property
    def file(self) -> str:
        return self.source.file


@dataclass(frozen=True, slots=True)
class SliSelector:
    """A series an SLI reads: its name and label matchers, as `name{label="value"}`."""

    series: str
    matchers: tuple[tuple[str, str, str], ...]  # (label, operator, value)
    field: tuple[str | int, ...]  # where it is written, under the SLO's `sli`

    @property
    def text(self) -> str:
        inside = ", ".join(f'{label}{op}"{value}"' for label, op, value in self.matchers)
        return f"{self.series}{{{inside}}}" if inside else self.series


@dataclass(frozen=True, slots=True)
class SloAlerting:
    """How one severity of an SLO's burn-rate alerts is named and routed."""

    name: str
    severity: str
    for_: str | None = None


@dataclass(frozen=True, slots=True)
class Slo:
    """A service level objective: an SLI (bad events over all events) and an objective.

    The SLI is errors/total or good/total counters, or a latency SLI: the share of a
    histogram's observations above `threshold` (one of its bucket bounds).
    """

    name: str
    domain: str
    service: str
    source: SourceRef
    objective: str  # the percentage as written (`99.9`): decimals stay exact
    window: str = "30d"
    description: str = ""
    owner: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    errors: SliSelector | None = None
    good: SliSelector | None = None
    total: SliSelector | None = None
    latency: SliSelector | None = None
    threshold: str | None = None  # the latency bound as written
    by: tuple[str, ...] = ()
    page: SloAlerting | None = None
    ticket: SloAlerting | None = None
    runbook_url: str | None = None
    annotations: Mapping[str, str] = field(default_factory=dict)
    min_traffic: str | None = None  # events per second below which alerts hold their fire

    @property
    def id(self) -> str:
        """Sloth's `sloth_id`: `<service>-<slo>`."""
        return f"{self.service}-{self.name}"


@dataclass(frozen=True)
class Catalog:
    """The whole catalog. Mappings keep the order entries were written in."""

    root: Path
    project: Project
    domains: Mapping[str, Domain]
    metrics: Mapping[str, Metric]
    recording_rules: Mapping[str, RecordingRule]
    alerts: Mapping[str, Alert]
    dashboards: Mapping[str, Dashboard]
    documents: Mapping[str, SourceDocument] = field(repr=False)
    slos: Mapping[str, Slo] = field(default_factory=dict)  # by `sloth_id`
    # Metric names whose entry is invalid (reported there): defined, though not built.
    unbuilt_metrics: frozenset[str] = frozenset()

    def metrics_in(self, domain: str) -> list[Metric]:
        return [metric for metric in self.metrics.values() if metric.domain == domain]

    def alerts_in(self, domain: str) -> list[Alert]:
        return [alert for alert in self.alerts.values() if alert.domain == domain]

    def recording_rules_in(self, domain: str) -> list[RecordingRule]:
        return [rule for rule in self.recording_rules.values() if rule.domain == domain]

    def dashboards_in(self, domain: str) -> list[Dashboard]:
        return [board for board in self.dashboards.values() if board.domain == domain]

    def slos_in(self, domain: str) -> list[Slo]:
        return [slo for slo in self.slos.values() if slo.domain == domain]
